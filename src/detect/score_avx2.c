/* AVX2 window scores: eight neighbouring windows per vector (the block grid
 * is planar, so their blocks are eight consecutive floats). Each lane does
 * exactly the float operations of cv::HOGDescriptor::detect for its window
 * (four partial float sums per block, added pairwise, then accumulated in
 * double in OpenCV's block order), so results equal the scalar kernel's.
 * Compiled with -mavx2 only: no FMA, so no contraction changes rounding. */
#include "detect/level.h"

#ifdef __AVX2__
#include <immintrin.h>

int hk__cpu_has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

void hk__score_rows_avx2(const hk_level_plan *p, const float *planes, size_t ps, int nbx,
                         int row0, int nrows, int nwx, double *scores)
{
    const int hist = p->hist, nbxw = p->nbx_w, nbyw = p->nby_w;
    const int k4 = hist & ~3;
    for (int r = 0; r < nrows; r++) {
        int wy = row0 + r;
        int wx = 0;
        for (; wx + 8 <= nwx; wx += 8) {
            __m256d s_lo = _mm256_set1_pd(p->rho), s_hi = s_lo;
            const float *svm = p->svm;
            for (int bx = 0; bx < nbxw; bx++)
                for (int by = 0; by < nbyw; by++, svm += hist) {
                    size_t at = (size_t)(wy * p->wky + by * p->bky) * nbx + wx + bx * p->bkx;
                    const float *vec = planes + at;
                    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                    int k = 0;
                    for (; k < k4; k += 4) {
                        a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(vec + (size_t)k * ps),
                                                             _mm256_set1_ps(svm[k])));
                        a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(vec + (size_t)(k + 1) * ps),
                                                             _mm256_set1_ps(svm[k + 1])));
                        a2 = _mm256_add_ps(a2, _mm256_mul_ps(_mm256_loadu_ps(vec + (size_t)(k + 2) * ps),
                                                             _mm256_set1_ps(svm[k + 2])));
                        a3 = _mm256_add_ps(a3, _mm256_mul_ps(_mm256_loadu_ps(vec + (size_t)(k + 3) * ps),
                                                             _mm256_set1_ps(svm[k + 3])));
                    }
                    __m256 bs = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
                    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(bs));
                    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(bs, 1));
                    for (; k < hist; k++) {
                        __m256 t = _mm256_mul_ps(_mm256_loadu_ps(vec + (size_t)k * ps),
                                                 _mm256_set1_ps(svm[k]));
                        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(t)));
                        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(t, 1)));
                    }
                    s_lo = _mm256_add_pd(s_lo, lo);
                    s_hi = _mm256_add_pd(s_hi, hi);
                }
            _mm256_storeu_pd(scores + (size_t)r * nwx + wx, s_lo);
            _mm256_storeu_pd(scores + (size_t)r * nwx + wx + 4, s_hi);
        }
        if (wx < nwx) {
            /* the last few windows of the row: scalar kernel, same arithmetic */
            /* scalar on the shifted view: windows wx.. of this row */
            for (int t = wx; t < nwx; t++) {
                double s = p->rho;
                const float *svm = p->svm;
                for (int bx = 0; bx < nbxw; bx++)
                    for (int by = 0; by < nbyw; by++, svm += hist) {
                        size_t at = (size_t)(wy * p->wky + by * p->bky) * nbx + t + bx * p->bkx;
                        const float *vec = planes + at;
                        float s4[4] = {0, 0, 0, 0};
                        int k = 0;
                        for (; k < k4; k += 4)
                            for (int l = 0; l < 4; l++)
                                s4[l] += vec[(size_t)(k + l) * ps] * svm[k + l];
                        double sum = (s4[0] + s4[1]) + (s4[2] + s4[3]);
                        for (; k < hist; k++)
                            sum += vec[(size_t)k * ps] * svm[k];
                        s += sum;
                    }
                scores[(size_t)r * nwx + t] = s;
            }
        }
    }
}
#else
int hk__cpu_has_avx2(void)
{
    return 0;
}

void hk__score_rows_avx2(const hk_level_plan *p, const float *planes, size_t ps, int nbx,
                         int row0, int nrows, int nwx, double *scores)
{
    hk__score_rows_scalar(p, planes, ps, nbx, row0, nrows, nwx, scores);
}
#endif
