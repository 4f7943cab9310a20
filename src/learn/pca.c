/* Principal component analysis for the RBF SVM's optional projection: the
 * covariance of the centred rows by one OpenBLAS ssyrk (float32 products,
 * summed by BLAS), its top eigenvectors by LAPACK dsyevr (OpenBLAS ships
 * LAPACK) in float64. Components are sorted by decreasing eigenvalue and
 * each one's sign is fixed (largest-magnitude entry positive), so the same
 * data always give the same projection. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

/* LAPACK's Fortran symbol (no LAPACKE header is needed for one call). */
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a,
             const int *lda, const double *vl, const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z, const int *ldz, int *isuppz,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);

hk_status hk__pca_fit(const float *X, size_t n, size_t dim, size_t k, float *mean, float *comp)
{
    if (!X || !mean || !comp || n < 2 || k < 1 || k > dim || dim > (1u << 15))
        return HK_ERR_INVALID_ARG;
    size_t cells, dd;
    if (!hk_mul_size(n, dim, &cells) || !hk_mul_size(dim, dim, &dd) ||
        cells > SIZE_MAX / sizeof(float))
        return HK_ERR_OVERFLOW;
    double *mu = calloc(dim, sizeof(double));
    float *Xc = malloc(cells * sizeof(float));
    float *cov = malloc(dd * sizeof(float));
    double *a = malloc(dd * sizeof(double));
    double *z = malloc(dd * sizeof(double));
    double *w = malloc(dim * sizeof(double));
    int *isuppz = malloc(2 * dim * sizeof(int));
    hk_status st = (!mu || !Xc || !cov || !a || !z || !w || !isuppz) ? HK_ERR_NOMEM : HK_OK;
    if (st == HK_OK) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < dim; j++)
                mu[j] += X[i * dim + j];
        for (size_t j = 0; j < dim; j++)
            mean[j] = (float)(mu[j] / (double)n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < dim; j++)
                Xc[i * dim + j] = X[i * dim + j] - mean[j];
        /* upper triangle, row-major, of Xc^T Xc / n */
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)dim, (int)n,
                    (float)(1.0 / (double)n), Xc, (int)dim, 0.0f, cov, (int)dim);
        /* row-major upper = column-major lower: tell LAPACK 'L' */
        for (size_t i = 0; i < dd; i++)
            a[i] = cov[i];
        int N = (int)dim, il = (int)(dim - k + 1), iu = (int)dim, m = 0, info = 0;
        int lwork = -1, liwork = -1, iw_query = 0;
        double vl = 0, vu = 0, abstol = 0, w_query = 0;
        dsyevr_("V", "I", "L", &N, a, &N, &vl, &vu, &il, &iu, &abstol, &m, w, z, &N, isuppz,
                &w_query, &lwork, &iw_query, &liwork, &info);
        lwork = info == 0 ? (int)w_query : 0;
        liwork = iw_query;
        double *work = lwork > 0 ? malloc((size_t)lwork * sizeof(double)) : NULL;
        int *iwork = liwork > 0 ? malloc((size_t)liwork * sizeof(int)) : NULL;
        if (!work || !iwork)
            st = info == 0 ? HK_ERR_NOMEM : HK_ERR_DOMAIN;
        else {
            dsyevr_("V", "I", "L", &N, a, &N, &vl, &vu, &il, &iu, &abstol, &m, w, z, &N,
                    isuppz, work, &lwork, iwork, &liwork, &info);
            if (info != 0 || m != (int)k)
                st = HK_ERR_DOMAIN; /* LAPACK did not converge */
        }
        free(work);
        free(iwork);
    }
    /* eigenvalues come ascending: component c is eigenvector k-1-c */
    for (size_t c = 0; st == HK_OK && c < k; c++) {
        const double *v = z + (k - 1 - c) * dim;
        size_t big = 0;
        for (size_t j = 1; j < dim; j++)
            if (fabs(v[j]) > fabs(v[big]))
                big = j;
        double sign = v[big] < 0 ? -1.0 : 1.0;
        for (size_t j = 0; j < dim; j++)
            comp[j * k + c] = (float)(sign * v[j]);
    }
    free(mu);
    free(Xc);
    free(cov);
    free(a);
    free(z);
    free(w);
    free(isuppz);
    return st;
}

hk_status hk__pca_project(const float *X, size_t n, size_t dim, size_t k, const float *mean,
                          const float *comp, float *out)
{
    if (!X || !mean || !comp || !out || k < 1 || k > dim || dim > INT32_MAX)
        return HK_ERR_INVALID_ARG;
    float *row = malloc(dim * sizeof(float) * 64);
    if (!row)
        return HK_ERR_NOMEM;
    /* 64 centred rows at a time, so the copy stays small */
    for (size_t i0 = 0; i0 < n; i0 += 64) {
        size_t b = n - i0 < 64 ? n - i0 : 64;
        for (size_t i = 0; i < b; i++)
            for (size_t j = 0; j < dim; j++)
                row[i * dim + j] = X[(i0 + i) * dim + j] - mean[j];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)k, (int)dim, 1.0f,
                    row, (int)dim, comp, (int)k, 0.0f, out + i0 * k, (int)k);
    }
    free(row);
    return HK_OK;
}
