/* AVX2 forms of screen.c's kernels, equal to the scalar ones bit for bit:
 * the block row quantised to pairs of int16 (clamp, cvtps2dq rounding), and
 * the int32 window sums (pmaddwd: one instruction multiplies and pairs two
 * histogram entries of eight windows). Sixteen windows per step, as the
 * float scores; the last group reads up to 15 windows past the row's end,
 * from the slack after each row (their sums are dropped). */
#include "detect/level.h"

#ifdef __AVX2__
#include <immintrin.h>

void hk__screen_quantize_avx2(const hk_level_plan *p, const float *planes, size_t ks,
                              int32_t *q)
{
    const __m256 qb = _mm256_set1_ps(p->qb), lo = _mm256_set1_ps(-32768.f),
                 hi = _mm256_set1_ps(32767.f);
    const __m256i m16 = _mm256_set1_epi32(0xffff);
    for (int kp = 0; kp < p->hist / 2; kp++) {
        const float *a = planes + (size_t)(2 * kp) * ks, *b = a + ks;
        int32_t *o = q + (size_t)kp * ks;
        for (size_t i = 0; i < ks; i += 8) { /* ks is a multiple of 16 */
            __m256 fa = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(a + i), qb), lo), hi);
            __m256 fb = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(b + i), qb), lo), hi);
            __m256i x = _mm256_and_si256(_mm256_cvtps_epi32(fa), m16);
            __m256i y = _mm256_slli_epi32(_mm256_cvtps_epi32(fb), 16);
            _mm256_storeu_si256((__m256i *)(o + i), _mm256_or_si256(x, y));
        }
    }
}

void hk__screen_row_avx2(const hk_level_plan *p, const int32_t *const *qrows, size_t ks,
                         int nwx, int32_t *acc)
{
    const int hp = p->hist / 2, nbxw = p->nbx_w, nbyw = p->nby_w;
    for (int wx = 0; wx < nwx; wx += 16) {
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, t0 = s0, t1 = s0;
        for (int by = 0; by < nbyw; by++) {
            const int32_t *row = qrows[by * p->bky] + wx;
            for (int bx = 0; bx < nbxw; bx++) {
                const int32_t *v = row + bx * p->bkx;
                const int32_t *s = p->qsvm + (size_t)(bx * nbyw + by) * hp;
                int kp = 0;
                for (; kp + 2 <= hp; kp += 2) {
                    const int32_t *r = v + (size_t)kp * ks;
                    __m256i w0 = _mm256_set1_epi32(s[kp]), w1 = _mm256_set1_epi32(s[kp + 1]);
                    s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)r), w0));
                    s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(r + 8)), w0));
                    t0 = _mm256_add_epi32(t0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(r + ks)), w1));
                    t1 = _mm256_add_epi32(t1, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(r + ks + 8)), w1));
                }
                for (; kp < hp; kp++) {
                    const int32_t *r = v + (size_t)kp * ks;
                    __m256i w0 = _mm256_set1_epi32(s[kp]);
                    s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)r), w0));
                    s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(r + 8)), w0));
                }
            }
        }
        /* integer sums: the order does not matter (modulo 2^32) */
        _mm256_storeu_si256((__m256i *)(acc + wx), _mm256_add_epi32(s0, t0));
        _mm256_storeu_si256((__m256i *)(acc + wx + 8), _mm256_add_epi32(s1, t1));
    }
}
#else
void hk__screen_quantize_avx2(const hk_level_plan *p, const float *planes, size_t ks,
                              int32_t *q)
{
    hk__screen_quantize_scalar(p, planes, ks, q);
}

void hk__screen_row_avx2(const hk_level_plan *p, const int32_t *const *qrows, size_t ks,
                         int nwx, int32_t *acc)
{
    hk__screen_row_scalar(p, qrows, ks, nwx, acc);
}
#endif
