/* AVX2 block histograms for OpenCV's default block geometry (16x16 blocks of
 * 8x8 cells on an 8-pixel grid), without scattered adds.
 *
 * The padded image is cut into 8-pixel column segments; a block is two
 * segments wide. hist_band_avx2.c spreads the votes of a segment's eight
 * pixels into one 8-lane vector per bin (lane = pixel) and accumulates them,
 * lane-wise and with the vertical weights, per block row. When a block row
 * is complete, each block's cell (cx, cy) bin b is the dot product of the
 * horizontal weights u[cx][0..15] with the lanes of its two segments. This is the same sum as
 * the scalar path's, in a different order (float rounding differs by about
 * 1e-7 relative). */
#include "detect/level.h"

#ifdef __AVX2__
#include <immintrin.h>

static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

void hk__hist_blocks_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                          float *out, int hist)
{
    /* cyacc[cy]: [segment][bin][8 lanes]; u: [cx][16]; out: nbx blocks of
     * hist floats in OpenCV's order (cx, cy, bin) */
    __m256 u0l = _mm256_loadu_ps(u), u0h = _mm256_loadu_ps(u + 8);
    __m256 u1l = _mm256_loadu_ps(u + 16), u1h = _mm256_loadu_ps(u + 24);
    for (int i = 0; i < nbx; i++) {
        float *o = out + (size_t)i * hist;
        for (int cy = 0; cy < 2; cy++) {
            const float *A = cyacc[cy] + (size_t)i * nbins * 8;
            const float *B = A + (size_t)nbins * 8;
            for (int b = 0; b < nbins; b++) {
                __m256 x0 = _mm256_loadu_ps(A + b * 8), x1 = _mm256_loadu_ps(B + b * 8);
                o[(0 * 2 + cy) * nbins + b] =
                    hsum(_mm256_add_ps(_mm256_mul_ps(u0l, x0), _mm256_mul_ps(u0h, x1)));
                o[(1 * 2 + cy) * nbins + b] =
                    hsum(_mm256_add_ps(_mm256_mul_ps(u1l, x0), _mm256_mul_ps(u1h, x1)));
            }
        }
    }
}
#else
void hk__hist_blocks_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                          float *out, int hist)
{
    (void)cyacc, (void)nbx, (void)nbins, (void)u, (void)out, (void)hist;
}
#endif
