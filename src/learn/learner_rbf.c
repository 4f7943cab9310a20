/* RBF-kernel SVM through libsvm: C-SVC, one versus one, gamma 1/dim unless
 * given (libsvm's and OpenCV digits.py's convention: K = exp(-gamma |u-v|^2)).
 * With p->pca = k < dim the rows are first projected onto their top k
 * principal components (pca_stage.c): distances between projected rows keep
 * most of the original ones, so gamma keeps its meaning (1/dim is still the
 * original dim).
 * The blob: the PCA prefix, then libsvm's model (labels, rho, coefficients)
 * with the support vectors as dense float rows. Training runs libsvm's own
 * solver one pair of classes per thread (rbf_ovo.c, the same model as one
 * svm_train call); prediction is libsvm's vote with the kernel values from
 * matrix products (rbf_decide.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"
#include "learn/rbf_ovo.h"
#include "learn/sparse.h"

static double gamma_of(const hk_learner_params *p, size_t dim)
{
    return p->gamma > 0 ? p->gamma : 1.0 / (double)(dim ? dim : 1);
}

/* libsvm on dense rows (one pair of classes per thread, rbf_ovo.c); appends
 * the trained model to *w. */
static hk_status train_svm(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                           size_t orig_dim, const int32_t *y, uint32_t n_classes, hk__wbuf *wout)
{
    (void)n_classes;
    /* gamma = 1/dim of the rows as given, also after a projection */
    double gamma = gamma_of(p, orig_dim);
    hk__sparse sp;
    hk_status st = hk__sparse_build(X, n, dim, -1.0, &sp);
    if (st != HK_OK)
        return st;
    hk__rbf_model m;
    st = hk__rbf_ovo_train(sp.rows, y, n, gamma, p->C, hk__threads(p->threads), &m);
    if (st == HK_OK) {
        hk__wbuf w = *wout;
        int k = m.k;
        size_t l = (size_t)m.l;
        hk__w_u32(&w, (uint32_t)k);
        hk__w_u32(&w, (uint32_t)l);
        hk__w_u32(&w, (uint32_t)dim);
        hk__w_f64(&w, gamma);
        for (int c = 0; c < k; c++) {
            hk__w_u32(&w, (uint32_t)m.label[c]);
            hk__w_u32(&w, (uint32_t)m.nSV[c]);
        }
        for (int i = 0; i < k * (k - 1) / 2; i++)
            hk__w_f64(&w, m.rho[i]);
        for (size_t i = 0; i < (size_t)(k - 1) * l; i++)
            hk__w_f64(&w, m.coef[i]);
        for (size_t i = 0; i < l; i++)
            hk__w_bytes(&w, X + m.sv_row[i] * dim, dim * sizeof(float));
        if (w.failed)
            st = HK_ERR_NOMEM;
        *wout = w;
        hk__rbf_model_free(&m);
    }
    hk__sparse_free(&sp);
    return st;
}

/* The model part of a blob (r positioned on it), checked as hostile input,
 * then libsvm's decision by matrix products (rbf_decide.c). */
static hk_status predict_svm(hk__rbuf r, const float *X, size_t n, size_t dim, int32_t *out)
{
    size_t blob_size = r.size;
    uint32_t k = hk__r_u32(&r), l = hk__r_u32(&r), d = hk__r_u32(&r);
    double gamma = hk__r_f64(&r);
    size_t need;
    if (r.failed || k < 2 || k > 65536 || d != dim || l < 1 || l > blob_size ||
        !hk_mul_size(l, dim, &need) || need > blob_size / 4 || !(gamma > 0) || !isfinite(gamma))
        return HK_ERR_FORMAT;
    hk__rbf_model m = {.k = (int)k, .l = (int)l};
    m.label = malloc(k * sizeof(int));
    m.nSV = malloc(k * sizeof(int));
    m.rho = malloc((size_t)k * (k - 1) / 2 * sizeof(double));
    m.coef = malloc((size_t)(k - 1) * l * sizeof(double));
    float *svs = malloc(need * sizeof(float));
    hk_status st = (!m.label || !m.nSV || !m.rho || !m.coef || !svs) ? HK_ERR_NOMEM : HK_OK;
    uint64_t total_sv = 0;
    for (uint32_t c = 0; st == HK_OK && c < k; c++) {
        m.label[c] = (int)hk__r_u32(&r);
        m.nSV[c] = (int)hk__r_u32(&r);
        total_sv += (uint32_t)m.nSV[c];
    }
    if (st == HK_OK && (r.failed || total_sv != l))
        st = HK_ERR_FORMAT;
    for (size_t i = 0; st == HK_OK && i < (size_t)k * (k - 1) / 2; i++)
        m.rho[i] = hk__r_f64(&r);
    for (size_t i = 0; st == HK_OK && i < (size_t)(k - 1) * l; i++)
        m.coef[i] = hk__r_f64(&r);
    const uint8_t *raw = st == HK_OK ? hk__r_bytes(&r, need * sizeof(float)) : NULL;
    if (st == HK_OK && (!raw || r.failed || r.pos != r.size))
        st = HK_ERR_FORMAT;
    if (st == HK_OK) {
        memcpy(svs, raw, need * sizeof(float));
        st = hk__rbf_decide(&m, svs, gamma, X, n, dim, out);
    }
    hk__rbf_model_free(&m);
    free(svs);
    return st;
}

hk_status hk__rbf_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                        const int32_t *y, uint32_t n_classes, hk__blob *out)
{
    if (n > INT32_MAX || dim >= INT32_MAX)
        return HK_ERR_LIMIT;
    return hk__train_with_pca(p, X, n, dim, y, n_classes, train_svm, out);
}

hk_status hk__rbf_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                          int32_t *out)
{
    return hk__predict_with_pca(b, X, n, dim, predict_svm, out);
}
