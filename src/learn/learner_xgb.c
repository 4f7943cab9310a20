/* Gradient-boosted trees and random forests through XGBoost's C API
 * (multi:softprob, histogram trees). A forest is XGBoost's documented
 * recipe: one boosting round of num_parallel_tree trees, eta 1, row
 * subsampling and per-node column sampling. The blob is XGBoost's own
 * UBJSON model (XGBoosterSaveModelToBuffer). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "learn/learn_internal.h"

#define XGB_OK(call) ((call) == 0)

static int set(BoosterHandle h, const char *k, const char *v)
{
    return XGB_OK(XGBoosterSetParam(h, k, v));
}

static int setf(BoosterHandle h, const char *k, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    return set(h, k, buf);
}

static hk_status make_matrix(const float *X, size_t n, size_t dim, int threads,
                             DMatrixHandle *m)
{
    if (!XGB_OK(XGDMatrixCreateFromMat_omp(X, (bst_ulong)n, (bst_ulong)dim, NAN, m, threads)))
        return HK_ERR_NOMEM;
    return HK_OK;
}

/* XGBoost on dense rows; appends n_classes, dim and the model to *w. */
static hk_status train_xgb(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                           size_t orig_dim, const int32_t *y, uint32_t n_classes, hk__wbuf *w)
{
    (void)orig_dim;
    int threads = hk__threads(p->threads);
    DMatrixHandle dm = NULL;
    BoosterHandle h = NULL;
    float *labels = malloc((n ? n : 1) * sizeof(float));
    if (!labels)
        return HK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        labels[i] = (float)y[i];
    hk_status st = make_matrix(X, n, dim, threads, &dm);
    if (st == HK_OK && !XGB_OK(XGDMatrixSetFloatInfo(dm, "label", labels, (bst_ulong)n)))
        st = HK_ERR_INVALID_ARG;
    if (st == HK_OK && !XGB_OK(XGBoosterCreate(&dm, 1, &h)))
        st = HK_ERR_NOMEM;
    int forest = p->kind == HK_LEARNER_FOREST;
    double colsample = p->colsample;
    if (colsample <= 0)
        colsample = forest ? sqrt((double)dim) / (double)(dim ? dim : 1) : 1.0;
    int ok = st == HK_OK;
    ok = ok && set(h, "objective", "multi:softprob") && setf(h, "num_class", n_classes);
    /* 64 bins instead of XGBoost's 256: each node's split search scans
     * columns x bins, which dominates deep forests on long descriptors */
    ok = ok && set(h, "tree_method", "hist") && set(h, "max_bin", "64") && set(h, "verbosity", "0");
    ok = ok && setf(h, "nthread", threads) && setf(h, "seed", p->seed);
    ok = ok && setf(h, "max_depth", p->max_depth > 0 ? p->max_depth : (forest ? 12 : 6));
    ok = ok && setf(h, "subsample", p->subsample > 0 ? p->subsample : (forest ? 0.8 : 1.0));
    ok = ok && setf(h, "colsample_bynode", colsample);
    if (forest)
        ok = ok && setf(h, "num_parallel_tree", p->trees) && set(h, "eta", "1") &&
             set(h, "lambda", "1e-5");
    else
        ok = ok && setf(h, "eta", p->eta);
    if (st == HK_OK && !ok)
        st = HK_ERR_INVALID_ARG;
    int rounds = forest ? 1 : p->trees;
    for (int it = 0; st == HK_OK && it < rounds; it++)
        if (!XGB_OK(XGBoosterUpdateOneIter(h, it, dm)))
            st = HK_ERR_INVALID_ARG;
    if (st == HK_OK) {
        bst_ulong len = 0;
        const char *buf = NULL;
        if (!XGB_OK(XGBoosterSaveModelToBuffer(h, "{\"format\": \"ubj\"}", &len, &buf)))
            st = HK_ERR_NOMEM;
        else {
            hk__w_u32(w, n_classes);
            hk__w_u64(w, dim);
            hk__w_bytes(w, buf, (size_t)len);
        }
    }
    if (h)
        XGBoosterFree(h);
    if (dm)
        XGDMatrixFree(dm);
    free(labels);
    return st;
}

/* XGBoost prediction from the model part of a blob (r positioned on it). */
static hk_status predict_xgb(hk__rbuf r, const float *X, size_t n, size_t dim, int32_t *out)
{
    uint32_t n_classes = hk__r_u32(&r);
    uint64_t d = hk__r_u64(&r);
    if (r.failed || d != dim || n_classes < 1 || n_classes > 65536 || r.pos >= r.size)
        return HK_ERR_FORMAT;
    BoosterHandle h = NULL;
    DMatrixHandle dm = NULL;
    hk_status st = HK_OK;
    if (!XGB_OK(XGBoosterCreate(NULL, 0, &h)))
        return HK_ERR_NOMEM;
    if (!XGB_OK(XGBoosterLoadModelFromBuffer(h, r.data + r.pos, (bst_ulong)(r.size - r.pos))))
        st = HK_ERR_FORMAT;
    if (st == HK_OK)
        st = make_matrix(X, n, dim, 0, &dm);
    if (st == HK_OK) {
        set(h, "nthread", "0");
        bst_ulong len = 0;
        const float *prob = NULL;
        if (!XGB_OK(XGBoosterPredict(h, dm, 0, 0, 0, &len, &prob)))
            st = HK_ERR_FORMAT;
        else if (len != (bst_ulong)n * n_classes)
            st = HK_ERR_FORMAT;
        for (size_t i = 0; st == HK_OK && i < n; i++) {
            const float *row = prob + i * n_classes;
            uint32_t best = 0;
            for (uint32_t c = 1; c < n_classes; c++)
                if (row[c] > row[best])
                    best = c;
            out[i] = (int32_t)best;
        }
    }
    if (dm)
        XGDMatrixFree(dm);
    XGBoosterFree(h);
    return st;
}

hk_status hk__xgb_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                        const int32_t *y, uint32_t n_classes, hk__blob *out)
{
    return hk__train_with_pca(p, X, n, dim, y, n_classes, train_xgb, out);
}

hk_status hk__xgb_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                          int32_t *out)
{
    return hk__predict_with_pca(b, X, n, dim, predict_xgb, out);
}
