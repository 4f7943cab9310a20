/* Learner parameters, names, feature scaling and the dispatch to the learner
 * files; a model object in memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/checked.h"
#include "learn/learn_internal.h"
#include "learn/model_internal.h"

int hk__threads(int threads)
{
    if (threads > 0)
        return threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1024 ? (int)n : 1;
}

void hk_learner_params_default(hk_learner_params *p, hk_learner_kind kind)
{
    if (!p)
        return;
    memset(p, 0, sizeof(*p));
    p->kind = kind;
    p->C = 1.0;
    p->gamma = 0.0;
    p->k = 5;
    p->distance_weighted = 0;
    p->trees = 100;
    p->max_depth = 0;
    p->eta = 0.3;
    p->subsample = 0;
    p->colsample = 0;
    p->standardize = -1;
    p->threads = 0;
    p->seed = 0;
}

const char *hk_learner_name(hk_learner_kind kind)
{
    switch (kind) {
    case HK_LEARNER_SVM_LINEAR: return "svm-linear";
    case HK_LEARNER_SVM_RBF: return "svm-rbf";
    case HK_LEARNER_KNN: return "knn";
    case HK_LEARNER_FOREST: return "forest";
    case HK_LEARNER_GBDT: return "gbdt";
    }
    return "unknown";
}

hk_status hk__learner_check(const hk_learner_params *p)
{
    if (!p || p->kind < HK_LEARNER_SVM_LINEAR || p->kind > HK_LEARNER_GBDT)
        return HK_ERR_INVALID_ARG;
    if (!(p->C > 0) || !isfinite(p->C) || !(p->gamma >= 0) || !isfinite(p->gamma))
        return HK_ERR_INVALID_ARG;
    if (p->k < 1 || p->k > 100000 || p->trees < 1 || p->trees > 100000 || p->max_depth < 0 ||
        p->max_depth > 64 || !(p->eta > 0) || !(p->eta <= 1))
        return HK_ERR_INVALID_ARG;
    if (!(p->subsample >= 0 && p->subsample <= 1) || !(p->colsample >= 0 && p->colsample <= 1))
        return HK_ERR_INVALID_ARG;
    if (p->standardize < -1 || p->standardize > 1 || p->threads < 0 || p->threads > 4096)
        return HK_ERR_INVALID_ARG;
    if (p->pca < 0 || p->pca > 65536)
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

int hk__learner_standardizes(const hk_learner_params *p)
{
    if (p->standardize >= 0)
        return p->standardize;
    /* Not the linear SVM: on HOG (already block-normalised) standardising
     * made liblinear both slower to converge (10x) and less accurate (2-fold CV
     * on 4000 Fashion-MNIST images: 0.839 raw vs 0.821 standardised, best C). */
    return p->kind == HK_LEARNER_SVM_RBF || p->kind == HK_LEARNER_KNN;
}

/* Scaled copy of X: (x - mean) / scale per column, or NULL on failure. */
static float *apply_scaler(const hk_model *m, const float *X, size_t n)
{
    size_t count;
    if (!hk_mul_size(n, m->dim, &count) || count > SIZE_MAX / sizeof(float))
        return NULL;
    float *S = malloc((count ? count : 1) * sizeof(float));
    if (!S)
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m->dim; j++)
            S[i * m->dim + j] = (float)((X[i * m->dim + j] - m->mean[j]) / m->scale[j]);
    return S;
}

static hk_status fit_scaler(hk_model *m, const float *X, size_t n)
{
    m->mean = calloc(m->dim ? m->dim : 1, sizeof(double));
    m->scale = calloc(m->dim ? m->dim : 1, sizeof(double));
    if (!m->mean || !m->scale)
        return HK_ERR_NOMEM;
    for (size_t j = 0; j < m->dim; j++)
        m->scale[j] = 1.0;
    if (!hk__learner_standardizes(&m->learner))
        return HK_OK;
    m->scaled = 1;
    double *s2 = calloc(m->dim ? m->dim : 1, sizeof(double));
    if (!s2)
        return HK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m->dim; j++)
            m->mean[j] += X[i * m->dim + j];
    for (size_t j = 0; j < m->dim; j++)
        m->mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m->dim; j++) {
            double d = X[i * m->dim + j] - m->mean[j];
            s2[j] += d * d;
        }
    for (size_t j = 0; j < m->dim; j++) {
        double sd = sqrt(s2[j] / (double)n);
        m->scale[j] = sd > 1e-12 ? sd : 1.0; /* constant columns stay 0 */
    }
    free(s2);
    return HK_OK;
}

hk_status hk__model_new(hk_model **out)
{
    hk_model *m = calloc(1, sizeof(*m));
    if (!m)
        return HK_ERR_NOMEM;
    *out = m;
    return HK_OK;
}

void hk_model_free(hk_model *m)
{
    if (!m)
        return;
    free(m->mean);
    free(m->scale);
    free(m->blob.data);
    if (m->class_names)
        for (uint32_t c = 0; c < m->n_classes; c++)
            free(m->class_names[c]);
    free(m->class_names);
    free(m);
}

hk_status hk_model_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                         const int32_t *y, uint32_t n_classes, hk_model **out)
{
    if (!out)
        return HK_ERR_INVALID_ARG;
    *out = NULL;
    hk_status st = hk__learner_check(p);
    if (st != HK_OK)
        return st;
    if (!X || !y || n < 2 || dim < 1 || n_classes < 2 || n_classes > 65536 || dim > (1u << 24))
        return HK_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || (uint32_t)y[i] >= n_classes)
            return HK_ERR_INVALID_ARG;
    size_t count;
    if (!hk_mul_size(n, dim, &count))
        return HK_ERR_OVERFLOW;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(X[i]))
            return HK_ERR_NONFINITE;
    hk_model *m;
    if ((st = hk__model_new(&m)) != HK_OK)
        return st;
    m->learner = *p;
    m->dim = dim;
    m->n_classes = n_classes;
    st = fit_scaler(m, X, n);
    float *S = NULL;
    if (st == HK_OK && m->scaled && !(S = apply_scaler(m, X, n)))
        st = HK_ERR_NOMEM;
    const float *T = S ? S : X;
    if (st == HK_OK) {
        switch (p->kind) {
        case HK_LEARNER_SVM_LINEAR: st = hk__linear_train(p, T, n, dim, y, n_classes, &m->blob); break;
        case HK_LEARNER_SVM_RBF: st = hk__rbf_train(p, T, n, dim, y, n_classes, &m->blob); break;
        case HK_LEARNER_KNN: st = hk__knn_train(p, T, n, dim, y, n_classes, &m->blob); break;
        default: st = hk__xgb_train(p, T, n, dim, y, n_classes, &m->blob); break;
        }
    }
    free(S);
    if (st != HK_OK) {
        hk_model_free(m);
        return st;
    }
    *out = m;
    return HK_OK;
}

hk_status hk_model_predict(const hk_model *m, const float *X, size_t n, int32_t *out)
{
    if (!m || (n && (!X || !out)))
        return HK_ERR_INVALID_ARG;
    if (n == 0)
        return HK_OK;
    float *S = NULL;
    if (m->scaled && !(S = apply_scaler(m, X, n)))
        return HK_ERR_NOMEM;
    const float *T = S ? S : X;
    hk_status st;
    switch (m->learner.kind) {
    case HK_LEARNER_SVM_LINEAR: st = hk__linear_predict(&m->blob, T, n, m->dim, out); break;
    case HK_LEARNER_SVM_RBF: st = hk__rbf_predict(&m->blob, T, n, m->dim, out); break;
    case HK_LEARNER_KNN: st = hk__knn_predict(&m->blob, T, n, m->dim, out); break;
    default: st = hk__xgb_predict(&m->blob, T, n, m->dim, out); break;
    }
    free(S);
    for (size_t i = 0; st == HK_OK && i < n; i++)
        if (out[i] < 0 || (uint32_t)out[i] >= m->n_classes)
            st = HK_ERR_FORMAT;
    return st;
}

hk_status hk_model_set_pipeline(hk_model *m, const hk_feature_params *f, uint32_t width,
                                uint32_t height, const char *const *names)
{
    if (!m || !f || !names)
        return HK_ERR_INVALID_ARG;
    size_t dim;
    hk_status st = hk_features_dim(f, width, height, &dim);
    if (st != HK_OK)
        return st;
    if (dim != m->dim)
        return HK_ERR_INVALID_ARG;
    char **copy = calloc(m->n_classes, sizeof(char *));
    if (!copy)
        return HK_ERR_NOMEM;
    for (uint32_t c = 0; c < m->n_classes; c++)
        if (!names[c] || strlen(names[c]) > 4096 || !(copy[c] = strdup(names[c]))) {
            for (uint32_t k = 0; k <= c && k < m->n_classes; k++)
                free(copy[k]);
            free(copy);
            return names[c] ? HK_ERR_NOMEM : HK_ERR_INVALID_ARG;
        }
    if (m->class_names)
        for (uint32_t c = 0; c < m->n_classes; c++)
            free(m->class_names[c]);
    free(m->class_names);
    m->class_names = copy;
    m->features = *f;
    m->width = width;
    m->height = height;
    m->has_pipeline = 1;
    return HK_OK;
}

hk_status hk_model_pipeline(const hk_model *m, hk_feature_params *f, uint32_t *width,
                            uint32_t *height, uint32_t *n_classes, hk_learner_params *learner)
{
    if (!m)
        return HK_ERR_INVALID_ARG;
    if (learner)
        *learner = m->learner;
    if (n_classes)
        *n_classes = m->n_classes;
    if (!m->has_pipeline)
        return HK_ERR_INVALID_ARG;
    if (f)
        *f = m->features;
    if (width)
        *width = m->width;
    if (height)
        *height = m->height;
    return HK_OK;
}

const char *hk_model_class_name(const hk_model *m, uint32_t label)
{
    if (!m || !m->class_names || label >= m->n_classes)
        return NULL;
    return m->class_names[label];
}
