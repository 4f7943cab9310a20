/* The optional PCA step in front of a learner (learner param `pca`), shared
 * by the RBF SVM and the XGBoost learners: their cost grows with the row
 * length (libsvm's kernel, XGBoost's histograms: rows x columns per tree
 * level), so projecting a 1728-dim HOG onto its top k components is what
 * makes a full-size study affordable.
 * In the model blob: u32 k (0: no projection), then, when k > 0, mean[dim]
 * and axes[dim * k] as float32; the learner's own data follow. */
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

static hk_status stage_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                             hk__wbuf *w, float **Z, size_t *k_out)
{
    size_t k = p->pca > 0 && (size_t)p->pca < dim && n >= 2 ? (size_t)p->pca : 0;
    *Z = NULL;
    *k_out = 0;
    hk__w_u32(w, (uint32_t)k);
    if (k == 0)
        return HK_OK;
    size_t nk, dk;
    if (!hk_mul_size(n, k, &nk) || !hk_mul_size(dim, k, &dk) || nk > SIZE_MAX / sizeof(float) ||
        dk > SIZE_MAX / sizeof(float))
        return HK_ERR_OVERFLOW;
    float *mean = malloc(dim * sizeof(float)), *comp = malloc(dk * sizeof(float));
    float *z = malloc((nk ? nk : 1) * sizeof(float));
    hk_status st = (!mean || !comp || !z) ? HK_ERR_NOMEM : HK_OK;
    if (st == HK_OK)
        st = hk__pca_fit(X, n, dim, k, mean, comp);
    if (st == HK_OK)
        st = hk__pca_project(X, n, dim, k, mean, comp, z);
    if (st == HK_OK) {
        hk__w_bytes(w, mean, dim * sizeof(float));
        hk__w_bytes(w, comp, dk * sizeof(float));
        *Z = z;
        *k_out = k;
        z = NULL;
    }
    free(mean);
    free(comp);
    free(z);
    return st;
}

static hk_status stage_apply(hk__rbuf *r, const float *X, size_t n, size_t dim, float **Z,
                             size_t *k_out)
{
    *Z = NULL;
    *k_out = 0;
    uint32_t k = hk__r_u32(r);
    if (r->failed)
        return HK_ERR_FORMAT;
    if (k == 0)
        return HK_OK;
    size_t dk, nk;
    if (k >= dim || !hk_mul_size(dim, k, &dk) || !hk_mul_size(n, k, &nk) ||
        dk > r->size / sizeof(float) || nk > SIZE_MAX / sizeof(float))
        return HK_ERR_FORMAT;
    const uint8_t *m_raw = hk__r_bytes(r, dim * sizeof(float));
    const uint8_t *c_raw = hk__r_bytes(r, dk * sizeof(float));
    if (!m_raw || !c_raw)
        return HK_ERR_FORMAT;
    float *mean = malloc(dim * sizeof(float)), *comp = malloc(dk * sizeof(float));
    float *z = malloc((nk ? nk : 1) * sizeof(float));
    hk_status st = (!mean || !comp || !z) ? HK_ERR_NOMEM : HK_OK;
    if (st == HK_OK) {
        /* the blob is unaligned bytes: copy before use as floats */
        memcpy(mean, m_raw, dim * sizeof(float));
        memcpy(comp, c_raw, dk * sizeof(float));
        st = n ? hk__pca_project(X, n, dim, k, mean, comp, z) : HK_OK;
    }
    if (st == HK_OK) {
        *Z = z;
        *k_out = k;
        z = NULL;
    }
    free(mean);
    free(comp);
    free(z);
    return st;
}

hk_status hk__train_with_pca(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                             const int32_t *y, uint32_t n_classes, hk__fit_rows fit,
                             hk__blob *out)
{
    hk__wbuf w = {0};
    float *Z = NULL;
    size_t k = 0;
    hk_status st = stage_train(p, X, n, dim, &w, &Z, &k);
    if (st == HK_OK)
        st = Z ? fit(p, Z, n, k, dim, y, n_classes, &w) : fit(p, X, n, dim, dim, y, n_classes, &w);
    free(Z);
    if (st == HK_OK && w.failed)
        st = HK_ERR_NOMEM;
    if (st != HK_OK) {
        free(w.data);
        return st;
    }
    out->data = w.data;
    out->size = w.size;
    return HK_OK;
}

hk_status hk__predict_with_pca(const hk__blob *b, const float *X, size_t n, size_t dim,
                               hk__predict_rows predict, int32_t *out)
{
    hk__rbuf r = {.data = b->data, .size = b->size};
    float *Z = NULL;
    size_t k = 0;
    hk_status st = stage_apply(&r, X, n, dim, &Z, &k);
    if (st == HK_OK)
        st = Z ? predict(r, Z, n, k, out) : predict(r, X, n, dim, out);
    free(Z);
    return st;
}
