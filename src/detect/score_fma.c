/* AVX2 + FMA window scores, sixteen neighbouring windows per step so that
 * each broadcast weight serves two vectors. Per block the dot product is
 * accumulated in float with fused multiply-adds in two interleaved chains
 * (even and odd entries), then added to a double sum in OpenCV's block
 * order; the result differs from the scalar (OpenCV-lane) kernel by float
 * rounding only (~1e-7 of the score). Windows left over use the AVX2
 * kernel. */
#include "detect/level.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

void hk__score_rows_fma(const hk_level_plan *p, const float *planes, size_t ps, int nbx, int row0,
                        int nrows, int nwx, double *scores)
{
    const int hist = p->hist, nbxw = p->nbx_w, nbyw = p->nby_w;
    for (int r = 0; r < nrows; r++) {
        int wy = row0 + r;
        int wx = 0;
        for (; wx + 16 <= nwx; wx += 16) {
            __m256d s0 = _mm256_set1_pd(p->rho), s1 = s0, s2 = s0, s3 = s0;
            const float *svm = p->svm;
            for (int bx = 0; bx < nbxw; bx++)
                for (int by = 0; by < nbyw; by++, svm += hist) {
                    const float *v = planes + (size_t)(wy * p->wky + by * p->bky) * nbx + wx +
                                     bx * p->bkx;
                    __m256 e0 = _mm256_setzero_ps(), e1 = e0, o0 = e0, o1 = e0;
                    int k = 0;
                    for (; k + 2 <= hist; k += 2) {
                        const float *a = v + (size_t)k * ps, *b = a + ps;
                        __m256 w0 = _mm256_set1_ps(svm[k]), w1 = _mm256_set1_ps(svm[k + 1]);
                        e0 = _mm256_fmadd_ps(_mm256_loadu_ps(a), w0, e0);
                        e1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 8), w0, e1);
                        o0 = _mm256_fmadd_ps(_mm256_loadu_ps(b), w1, o0);
                        o1 = _mm256_fmadd_ps(_mm256_loadu_ps(b + 8), w1, o1);
                    }
                    if (k < hist) {
                        const float *a = v + (size_t)k * ps;
                        __m256 w0 = _mm256_set1_ps(svm[k]);
                        e0 = _mm256_fmadd_ps(_mm256_loadu_ps(a), w0, e0);
                        e1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 8), w0, e1);
                    }
                    __m256 b0 = _mm256_add_ps(e0, o0), b1 = _mm256_add_ps(e1, o1);
                    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(b0)));
                    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(b0, 1)));
                    s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm256_castps256_ps128(b1)));
                    s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm256_extractf128_ps(b1, 1)));
                }
            double *o = scores + (size_t)r * nwx + wx;
            _mm256_storeu_pd(o, s0);
            _mm256_storeu_pd(o + 4, s1);
            _mm256_storeu_pd(o + 8, s2);
            _mm256_storeu_pd(o + 12, s3);
        }
        if (wx < nwx) {
            /* the rest of the row: shift the view so the AVX2 kernel sees
             * windows wx .. nwx-1 as its windows 0 .. */
            hk__score_rows_avx2(p, planes + wx, ps, nbx, wy, 1, nwx - wx,
                                scores + (size_t)r * nwx + wx);
        }
    }
}
#else
void hk__score_rows_fma(const hk_level_plan *p, const float *planes, size_t ps, int nbx, int row0,
                        int nrows, int nwx, double *scores)
{
    hk__score_rows_avx2(p, planes, ps, nbx, row0, nrows, nwx, scores);
}
#endif
