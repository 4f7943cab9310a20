/*
 * OpenCV variant, AVX2 path: block accumulation (interface in
 * opencv_avx2.h, method in opencv_fast.h). A band's rows of votes, lane =
 * padded column, are added with their vertical weights into the per-bin
 * column sums of the block rows that contain them. Compiled with -mavx2
 * -mfma; empty otherwise.
 */
#include "hog/opencv_avx2.h"

#ifdef __AVX2__
#include <immintrin.h>

/* Bins go G at a time, the T x G sums in registers over the band, so each
 * column-sum vector is read and written once per band; a target with its
 * bit set in `fresh` is written, not added to (its block row starts here:
 * no zeroing pass). T and G are constants in the callers (band_any). */
static inline __attribute__((always_inline)) void
band_kernel(const hk__ocv_votes *v, size_t nr, size_t wacc, size_t lanes, int nbins,
            float *const *tgt, const float *wts, size_t ws, uint64_t fresh, const int T,
            const int G)
{
    const int drop_a0 = nbins == 1;
    const uint8_t *h0 = v->h0;
    const float *a0 = v->a0, *a1 = v->a1;
    const size_t h0s = v->h0s, as = v->as;
    for (size_t x0 = 0; x0 < lanes; x0 += 8) {
        for (int bs = 0; bs < nbins; bs += G) {
            __m256 acc[4][8];
            for (int t = 0; t < T; t++)
                for (int g = 0; g < G; g++)
                    acc[t][g] = _mm256_setzero_ps();
            /* lanes whose second vote lands in bin b are those whose first is b - 1 */
            const __m256i vprev = _mm256_set1_epi32(bs == 0 ? nbins - 1 : bs - 1);
            for (size_t r = 0; r < nr; r++) {
                __m256i b0 = _mm256_cvtepu8_epi32(
                    _mm_loadl_epi64((const __m128i *)(h0 + r * h0s + x0)));
                __m256 v1 = _mm256_loadu_ps(a1 + r * as + x0);
                __m256 v0 = drop_a0 ? v1 : _mm256_loadu_ps(a0 + r * as + x0);
                __m256 eprev = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b0, vprev));
                for (int g = 0; g < G; g++) {
                    __m256 e = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b0, _mm256_set1_epi32(bs + g)));
                    /* e and eprev never overlap (with one bin v0 is v1) */
                    __m256 m = _mm256_blendv_ps(_mm256_and_ps(eprev, v1), v0, e);
                    eprev = e;
                    for (int t = 0; t < T; t++)
                        acc[t][g] = _mm256_fmadd_ps(_mm256_broadcast_ss(wts + (size_t)t * ws + r),
                                                    m, acc[t][g]);
                }
            }
            for (int t = 0; t < T; t++)
                for (int g = 0; g < G; g++) {
                    float *p = tgt[t] + (size_t)(bs + g) * wacc + x0;
                    _mm256_storeu_ps(p, fresh >> t & 1 ? acc[t][g]
                                                       : _mm256_add_ps(_mm256_loadu_ps(p), acc[t][g]));
                }
        }
    }
}

#define BAND(TT, GG)                                                                \
    case TT:                                                                        \
        band_kernel(v, nr, wacc, lanes, nbins, tgt, wts, ws, fresh, TT, GG);        \
        return

void hk__ocv_band_add(const hk__ocv_votes *v, size_t nr, size_t wacc, size_t lanes, int nbins,
                      float *const *tgt, const float *wts, size_t ws, uint64_t fresh, int T)
{
    /* four targets at a time */
    for (; T > 4; T -= 4, tgt += 4, wts += 4 * ws, fresh >>= 4)
        hk__ocv_band_add(v, nr, wacc, lanes, nbins, tgt, wts, ws, fresh & 15, 4);
    /* bins per group: T x G sums plus the row's vectors fit the 16
     * registers; the last group may run past nbins into padding bin rows
     * (never read) */
    switch (T) {
        BAND(1, 8);
        BAND(2, 4);
        BAND(3, 3);
        BAND(4, 2);
    default:
        return; /* T == 0: nothing to add */
    }
}
#undef BAND

#else
/* ISO C wants a declaration in every unit */
typedef int hk__ocv_band_unused;
#endif
