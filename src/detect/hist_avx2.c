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
/* Sum of each of eight vectors, as one vector (lane j = sum of v[j]). */
static inline __m256 hsum8(const __m256 *v)
{
    __m256 t0 = _mm256_hadd_ps(v[0], v[1]), t1 = _mm256_hadd_ps(v[2], v[3]);
    __m256 t2 = _mm256_hadd_ps(v[4], v[5]), t3 = _mm256_hadd_ps(v[6], v[7]);
    t0 = _mm256_hadd_ps(t0, t1);
    t2 = _mm256_hadd_ps(t2, t3);
    return _mm256_add_ps(_mm256_permute2f128_ps(t0, t2, 0x20), _mm256_permute2f128_ps(t0, t2, 0x31));
}

void hk__hist_blocks_norm_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                               float thresh, float *planes, size_t plane)
{
    const int hist = 4 * nbins, k4 = hist & ~3;
    __m256 T[4 * 32];
    const __m256 u0l = _mm256_loadu_ps(u), u0h = _mm256_loadu_ps(u + 8);
    const __m256 u1l = _mm256_loadu_ps(u + 16), u1h = _mm256_loadu_ps(u + 24);
    const __m256 vth = _mm256_set1_ps(thresh), one = _mm256_set1_ps(1.f);
    for (int i0 = 0; i0 < nbx; i0 += 8) {
        /* T[k], lane j: entry k (OpenCV's order cx, cy, bin) of block i0 + j */
        for (int cy = 0; cy < 2; cy++)
            for (int b = 0; b < nbins; b++) {
                __m256 p0[8], p1[8];
                for (int j = 0; j < 8; j++) {
                    const float *A = cyacc[cy] + ((size_t)(i0 + j) * nbins + b) * 8;
                    __m256 x0 = _mm256_loadu_ps(A), x1 = _mm256_loadu_ps(A + (size_t)nbins * 8);
                    p0[j] = _mm256_add_ps(_mm256_mul_ps(u0l, x0), _mm256_mul_ps(u0h, x1));
                    p1[j] = _mm256_add_ps(_mm256_mul_ps(u1l, x0), _mm256_mul_ps(u1h, x1));
                }
                T[(0 * 2 + cy) * nbins + b] = hsum8(p0);
                T[(1 * 2 + cy) * nbins + b] = hsum8(p1);
            }
        /* normalize_block (level.c) lane by lane: the same float operations */
        __m256 ps0 = _mm256_setzero_ps(), ps1 = ps0, ps2 = ps0, ps3 = ps0;
        int k = 0;
        for (; k < k4; k += 4) {
            ps0 = _mm256_add_ps(ps0, _mm256_mul_ps(T[k], T[k]));
            ps1 = _mm256_add_ps(ps1, _mm256_mul_ps(T[k + 1], T[k + 1]));
            ps2 = _mm256_add_ps(ps2, _mm256_mul_ps(T[k + 2], T[k + 2]));
            ps3 = _mm256_add_ps(ps3, _mm256_mul_ps(T[k + 3], T[k + 3]));
        }
        __m256 sum = _mm256_add_ps(_mm256_add_ps(ps0, ps1), _mm256_add_ps(ps2, ps3));
        for (; k < hist; k++)
            sum = _mm256_add_ps(sum, _mm256_mul_ps(T[k], T[k]));
        __m256 scale = _mm256_div_ps(
            one, _mm256_add_ps(_mm256_sqrt_ps(sum), _mm256_set1_ps((float)hist * 0.1f)));
        ps0 = ps1 = ps2 = ps3 = _mm256_setzero_ps();
        for (k = 0; k < k4; k += 4) {
            T[k] = _mm256_min_ps(_mm256_mul_ps(T[k], scale), vth);
            T[k + 1] = _mm256_min_ps(_mm256_mul_ps(T[k + 1], scale), vth);
            T[k + 2] = _mm256_min_ps(_mm256_mul_ps(T[k + 2], scale), vth);
            T[k + 3] = _mm256_min_ps(_mm256_mul_ps(T[k + 3], scale), vth);
            ps0 = _mm256_add_ps(ps0, _mm256_mul_ps(T[k], T[k]));
            ps1 = _mm256_add_ps(ps1, _mm256_mul_ps(T[k + 1], T[k + 1]));
            ps2 = _mm256_add_ps(ps2, _mm256_mul_ps(T[k + 2], T[k + 2]));
            ps3 = _mm256_add_ps(ps3, _mm256_mul_ps(T[k + 3], T[k + 3]));
        }
        sum = _mm256_add_ps(_mm256_add_ps(ps0, ps1), _mm256_add_ps(ps2, ps3));
        for (; k < hist; k++) {
            T[k] = _mm256_min_ps(_mm256_mul_ps(T[k], scale), vth);
            sum = _mm256_add_ps(sum, _mm256_mul_ps(T[k], T[k]));
        }
        scale = _mm256_div_ps(one, _mm256_add_ps(_mm256_sqrt_ps(sum), _mm256_set1_ps(1e-3f)));
        for (k = 0; k < hist; k++)
            _mm256_storeu_ps(planes + (size_t)k * plane + i0, _mm256_mul_ps(T[k], scale));
    }
}
#else
void hk__hist_blocks_norm_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                               float thresh, float *planes, size_t plane)
{
    (void)cyacc, (void)nbx, (void)nbins, (void)u, (void)thresh, (void)planes, (void)plane;
}
void hk__hist_blocks_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                          float *out, int hist)
{
    (void)cyacc, (void)nbx, (void)nbins, (void)u, (void)out, (void)hist;
}
#endif
