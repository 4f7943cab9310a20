/* Stratified k-fold cross-validation: a seeded shuffle (numpy's permutation,
 * so the split is reproducible from Python), then within each class the i-th
 * member goes to fold i mod k, so every fold keeps the class proportions. */
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

hk_status hk_cross_validate(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                            const int32_t *y, uint32_t n_classes, int folds, uint32_t seed,
                            double *accuracy)
{
    if (!p || !X || !y || !accuracy || folds < 2 || folds > 100 || n < (size_t)folds * 2 ||
        n > UINT32_MAX || n_classes < 2 || n_classes > 65536)
        return HK_ERR_INVALID_ARG;
    size_t bytes;
    if (!hk_mul_size(n, dim, &bytes) || !hk_mul_size(bytes, sizeof(float), &bytes))
        return HK_ERR_OVERFLOW;
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    uint32_t *seen = calloc(n_classes, sizeof(uint32_t));
    int *fold = malloc(n * sizeof(int));
    float *Xtr = malloc(bytes), *Xte = malloc(bytes);
    int32_t *ytr = malloc(n * sizeof(int32_t)), *yte = malloc(n * sizeof(int32_t));
    int32_t *pred = malloc(n * sizeof(int32_t));
    hk_status st = HK_OK;
    if (!perm || !seen || !fold || !Xtr || !Xte || !ytr || !yte || !pred)
        st = HK_ERR_NOMEM;
    for (size_t i = 0; st == HK_OK && i < n; i++)
        if (y[i] < 0 || (uint32_t)y[i] >= n_classes)
            st = HK_ERR_INVALID_ARG;
    if (st == HK_OK) {
        hk_numpy_permutation(seed, (uint32_t)n, perm);
        for (size_t i = 0; i < n; i++) {
            uint32_t s = perm[i];
            fold[s] = (int)(seen[y[s]]++ % (uint32_t)folds);
        }
    }
    size_t correct = 0, total = 0;
    for (int f = 0; st == HK_OK && f < folds; f++) {
        size_t ntr = 0, nte = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == f) {
                memcpy(Xte + nte * dim, X + i * dim, dim * sizeof(float));
                yte[nte++] = y[i];
            } else {
                memcpy(Xtr + ntr * dim, X + i * dim, dim * sizeof(float));
                ytr[ntr++] = y[i];
            }
        }
        if (nte == 0)
            continue;
        hk_model *m = NULL;
        st = hk_model_train(p, Xtr, ntr, dim, ytr, n_classes, &m);
        if (st == HK_OK)
            st = hk_model_predict(m, Xte, nte, pred);
        hk_model_free(m);
        for (size_t i = 0; st == HK_OK && i < nte; i++)
            correct += pred[i] == yte[i];
        total += nte;
    }
    if (st == HK_OK)
        *accuracy = total ? (double)correct / (double)total : 0.0;
    free(perm);
    free(seen);
    free(fold);
    free(Xtr);
    free(Xte);
    free(ytr);
    free(yte);
    free(pred);
    return st;
}
