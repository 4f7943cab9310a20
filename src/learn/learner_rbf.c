/* RBF-kernel SVM through libsvm: C-SVC, one versus one, gamma 1/dim unless
 * given (libsvm's and OpenCV digits.py's convention: K = exp(-gamma |u-v|^2)).
 * With p->pca = k < dim the rows are first projected onto their top k
 * principal components (pca_stage.c): distances between projected rows keep
 * most of the original ones, so gamma keeps its meaning (1/dim is still the
 * original dim).
 * The blob: the PCA prefix, then the support vectors densely with libsvm's
 * coefficients; prediction rebuilds a struct svm_model and calls svm_predict. */
#include <libsvm/svm.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"
#include "learn/sparse.h"

static void quiet(const char *s)
{
    (void)s;
}

static double gamma_of(const hk_learner_params *p, size_t dim)
{
    return p->gamma > 0 ? p->gamma : 1.0 / (double)(dim ? dim : 1);
}

/* libsvm on dense rows; appends the trained model to *w. */
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
    double *yy = malloc((n ? n : 1) * sizeof(double));
    if (!yy) {
        hk__sparse_free(&sp);
        return HK_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        yy[i] = y[i];
    struct svm_problem prob = {.l = (int)n, .y = yy, .x = (struct svm_node **)sp.rows};
    struct svm_parameter param;
    memset(&param, 0, sizeof param);
    param.svm_type = C_SVC;
    param.kernel_type = RBF;
    param.gamma = gamma;
    param.C = p->C;
    param.cache_size = 500;
    param.eps = 1e-3;
    param.shrinking = 1;
    /* libsvm prints through a library-wide callback; silence it. */
    svm_set_print_string_function(quiet);
    struct svm_model *m = NULL;
    if (svm_check_parameter(&prob, &param))
        st = HK_ERR_INVALID_ARG;
    else if (!(m = svm_train(&prob, &param)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK) {
        hk__wbuf w = *wout;
        int k = m->nr_class, l = m->l;
        hk__w_u32(&w, (uint32_t)k);
        hk__w_u32(&w, (uint32_t)l);
        hk__w_u32(&w, (uint32_t)dim);
        hk__w_f64(&w, param.gamma);
        for (int c = 0; c < k; c++) {
            hk__w_u32(&w, (uint32_t)m->label[c]);
            hk__w_u32(&w, (uint32_t)m->nSV[c]);
        }
        for (int i = 0; i < k * (k - 1) / 2; i++)
            hk__w_f64(&w, m->rho[i]);
        for (int c = 0; c < k - 1; c++)
            for (int i = 0; i < l; i++)
                hk__w_f64(&w, m->sv_coef[c][i]);
        float *dense = calloc(dim ? dim : 1, sizeof(float));
        for (int i = 0; dense && i < l; i++) {
            memset(dense, 0, dim * sizeof(float));
            for (const struct svm_node *nd = m->SV[i]; nd->index != -1; nd++)
                dense[nd->index - 1] = (float)nd->value;
            hk__w_bytes(&w, dense, dim * sizeof(float));
        }
        if (!dense || w.failed)
            st = HK_ERR_NOMEM;
        *wout = w;
        free(dense);
        svm_free_and_destroy_model(&m);
    }
    free(yy);
    hk__sparse_free(&sp);
    return st;
}

/* libsvm prediction from the model part of a blob (r positioned on it). */
static hk_status predict_svm(hk__rbuf r, const float *X, size_t n, size_t dim, int32_t *out)
{
    size_t blob_size = r.size;
    uint32_t k = hk__r_u32(&r), l = hk__r_u32(&r), d = hk__r_u32(&r);
    double gamma = hk__r_f64(&r);
    size_t need;
    if (r.failed || k < 2 || k > 65536 || d != dim || l < 1 || l > blob_size ||
        !hk_mul_size(l, dim, &need) || need > blob_size / 4)
        return HK_ERR_FORMAT;
    struct svm_model m;
    memset(&m, 0, sizeof m);
    m.param.svm_type = C_SVC;
    m.param.kernel_type = RBF;
    m.param.gamma = gamma;
    m.nr_class = (int)k;
    m.l = (int)l;
    m.label = malloc(k * sizeof(int));
    m.nSV = malloc(k * sizeof(int));
    m.rho = malloc((size_t)k * (k - 1) / 2 * sizeof(double));
    m.sv_coef = calloc(k - 1, sizeof(double *));
    float *svs = malloc(need * sizeof(float));
    hk__sparse sp = {0}, q = {0};
    hk_status st = (!m.label || !m.nSV || !m.rho || !m.sv_coef || !svs) ? HK_ERR_NOMEM : HK_OK;
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
    for (uint32_t c = 0; st == HK_OK && c + 1 < k; c++) {
        if (!(m.sv_coef[c] = malloc(l * sizeof(double))) || r.failed) {
            st = m.sv_coef[c] ? HK_ERR_FORMAT : HK_ERR_NOMEM;
            break;
        }
        for (uint32_t i = 0; i < l; i++)
            m.sv_coef[c][i] = hk__r_f64(&r);
    }
    const uint8_t *raw = st == HK_OK ? hk__r_bytes(&r, need * sizeof(float)) : NULL;
    if (st == HK_OK && (!raw || r.pos != r.size))
        st = HK_ERR_FORMAT;
    if (st == HK_OK) {
        memcpy(svs, raw, need * sizeof(float));
        st = hk__sparse_build(svs, l, dim, -1.0, &sp);
    }
    if (st == HK_OK)
        st = hk__sparse_build(X, n, dim, -1.0, &q);
    if (st == HK_OK) {
        m.SV = (struct svm_node **)sp.rows;
        for (size_t i = 0; i < n; i++)
            out[i] = (int32_t)svm_predict(&m, (const struct svm_node *)q.rows[i]);
    }
    hk__sparse_free(&sp);
    hk__sparse_free(&q);
    if (m.sv_coef)
        for (uint32_t c = 0; c + 1 < k; c++)
            free(m.sv_coef[c]);
    free(m.sv_coef);
    free(m.label);
    free(m.nSV);
    free(m.rho);
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
