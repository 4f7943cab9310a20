/* C-SVC prediction by matrix products. svm_predict evaluates the kernel of
 * one row against every support vector with a sparse merge loop, one row
 * at a time (~110 s for Fashion-MNIST's 10,000 test rows against ~20,000
 * support vectors). Here a block of rows meets all support vectors in one
 * dgemm: |x - s|^2 = |x|^2 + |s|^2 - 2 x.s in double, which differs from
 * libsvm's direct sum of squares only in the last bits, far below the
 * decision values' own scale; the pair votes are libsvm's. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/rbf_ovo.h"

#define ROWS_PER_BLOCK 64

static void squared_norms(const double *A, size_t n, size_t dim, double *out)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t d = 0; d < dim; d++)
            s += A[i * dim + d] * A[i * dim + d];
        out[i] = s;
    }
}

/* libsvm's svm_predict_values + vote for one row of kernel values K[l]. */
static int32_t vote(const hk__rbf_model *m, const size_t *first, const double *K, int *votes)
{
    int k = m->k;
    size_t l = (size_t)m->l, p = 0;
    memset(votes, 0, (size_t)k * sizeof(int));
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, p++) {
            const double *ci = m->coef + (size_t)(j - 1) * l, *cj = m->coef + (size_t)i * l;
            double sum = 0;
            for (size_t t = first[i]; t < first[i] + (size_t)m->nSV[i]; t++)
                sum += ci[t] * K[t];
            for (size_t t = first[j]; t < first[j] + (size_t)m->nSV[j]; t++)
                sum += cj[t] * K[t];
            sum -= m->rho[p];
            votes[sum > 0 ? i : j]++;
        }
    int best = 0;
    for (int c = 1; c < k; c++)
        if (votes[c] > votes[best])
            best = c;
    return m->label[best];
}

hk_status hk__rbf_decide(const hk__rbf_model *m, const float *sv, double gamma, const float *X,
                         size_t n, size_t dim, int32_t *out)
{
    size_t l = (size_t)m->l, svd, gd;
    if (m->k < 2 || l < 1 || dim < 1 || dim > INT32_MAX || l > INT32_MAX ||
        !hk_mul_size(l, dim, &svd) || svd > SIZE_MAX / sizeof(double) ||
        !hk_mul_size(l, ROWS_PER_BLOCK, &gd) || gd > SIZE_MAX / sizeof(double))
        return HK_ERR_LIMIT;
    double *S = malloc(svd * sizeof(double)), *s2 = malloc(l * sizeof(double));
    double *Q = malloc(ROWS_PER_BLOCK * dim * sizeof(double)), *q2 = malloc(ROWS_PER_BLOCK * sizeof(double));
    double *G = malloc(gd * sizeof(double));
    size_t *first = malloc((size_t)m->k * sizeof(size_t));
    int *votes = malloc((size_t)m->k * sizeof(int));
    hk_status st = (!S || !s2 || !Q || !q2 || !G || !first || !votes) ? HK_ERR_NOMEM : HK_OK;
    if (st == HK_OK) {
        for (size_t i = 0; i < svd; i++)
            S[i] = sv[i];
        squared_norms(S, l, dim, s2);
        first[0] = 0;
        for (int c = 1; c < m->k; c++)
            first[c] = first[c - 1] + (size_t)m->nSV[c - 1];
    }
    for (size_t r0 = 0; st == HK_OK && r0 < n; r0 += ROWS_PER_BLOCK) {
        size_t b = n - r0 < ROWS_PER_BLOCK ? n - r0 : ROWS_PER_BLOCK;
        for (size_t i = 0; i < b * dim; i++)
            Q[i] = X[r0 * dim + i];
        squared_norms(Q, b, dim, q2);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)l, (int)dim, 1.0, Q,
                    (int)dim, S, (int)dim, 0.0, G, (int)l);
        for (size_t i = 0; i < b; i++) {
            double *K = G + i * l;
            for (size_t t = 0; t < l; t++) {
                double d2 = q2[i] + s2[t] - 2.0 * K[t];
                K[t] = exp(-gamma * (d2 > 0 ? d2 : 0));
            }
            out[r0 + i] = vote(m, first, K, votes);
        }
    }
    free(S);
    free(s2);
    free(Q);
    free(q2);
    free(G);
    free(first);
    free(votes);
    return st;
}
