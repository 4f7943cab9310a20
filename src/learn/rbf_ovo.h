/* libsvm's multi-class C-SVC, trained one pair of classes per task on
 * threads (rbf_ovo.c) and evaluated with BLAS (rbf_decide.c). */
#ifndef HK_LEARN_RBF_OVO_H
#define HK_LEARN_RBF_OVO_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"
#include "learn/sparse.h"

/* What libsvm's struct svm_model holds for C-SVC, with the support vectors
 * named by their row in the training data instead of node pointers. */
typedef struct hk__rbf_model {
    int k;           /* classes, in order of first appearance (libsvm's order) */
    int l;           /* support vectors, grouped by class in that order */
    int *label;      /* [k] class labels */
    int *nSV;        /* [k] support vectors per class */
    double *rho;     /* [k(k-1)/2] pair (i, j), i < j, in row-major pair order */
    double *coef;    /* [(k-1) * l] row c is libsvm's sv_coef[c] */
    size_t *sv_row;  /* [l] training row of each support vector */
} hk__rbf_model;

/* Trains on rows[n] (libsvm nodes) with labels y; gamma and C as libsvm's.
 * The result is, bit for bit, the model libsvm's own svm_train builds: the
 * same k(k-1)/2 binary problems (same rows, same order, same solver) are
 * solved, `threads` of them at a time, and assembled as svm_train does. */
hk_status hk__rbf_ovo_train(hk__node *const *rows, const int32_t *y, size_t n, double gamma,
                            double C, int threads, hk__rbf_model *out);
void hk__rbf_model_free(hk__rbf_model *m);

/* The C-SVC decision of libsvm's svm_predict for X[n * dim]: the kernel
 * values of a block of rows against all support vectors sv[l * dim] come
 * from one double-precision matrix product (|x|^2 + |s|^2 - 2 x.s), then
 * each pair votes as libsvm's does (ties go to the earlier class). */
hk_status hk__rbf_decide(const hk__rbf_model *m, const float *sv, double gamma, const float *X,
                         size_t n, size_t dim, int32_t *out);

#endif
