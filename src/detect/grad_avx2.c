/* AVX2 + FMA gradient of one padded row, from rows already passed through
 * the gamma table (planar floats, index -1 .. wp valid). Same operations,
 * in the same order, as gradient_row in level.c (OpenCV's channel choice,
 * its AVX2 magnitude and fast atan with fused multiply-adds), so the output
 * is identical to the scalar reference. */
#include "detect/level.h"

#ifdef __AVX2__
#include <float.h>
#include <immintrin.h>
#include <math.h>

int hk__cpu_has_avx2_fma(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#include "detect/fast_atan.h"
#include "hog/opencv_channel.h"

void hk__gamma_row_avx2(const uint8_t *src, int n, int cn, int gamma, const float *lut,
                        float *const *f)
{
    int x = 0;
    if (cn == 3) {
        /* pixel i, byte c is at 3i + c: pixels 0-4 from the first 16 bytes,
         * 5-7 from the 16 bytes at offset 8; plane k is byte 2 - k */
        __m128i mlo[3], mhi[3];
        for (int c = 0; c < 3; c++) {
            char lo[16], hi[16];
            for (int i = 0; i < 16; i++)
                lo[i] = hi[i] = (char)0x80;
            for (int i = 0; i < 8; i++) {
                if (i < 5)
                    lo[i] = (char)(3 * i + c);
                else
                    hi[i] = (char)(3 * i + c - 8);
            }
            mlo[c] = _mm_loadu_si128((const __m128i *)lo);
            mhi[c] = _mm_loadu_si128((const __m128i *)hi);
        }
        for (; x + 8 <= n; x += 8) {
            const uint8_t *s = src + 3 * (size_t)x;
            __m128i a = _mm_loadu_si128((const __m128i *)s), b = _mm_loadu_si128((const __m128i *)(s + 8));
            for (int c = 0; c < 3; c++) {
                __m128i bytes = _mm_or_si128(_mm_shuffle_epi8(a, mlo[c]), _mm_shuffle_epi8(b, mhi[c]));
                __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
                if (gamma)
                    v = _mm256_sqrt_ps(v);
                _mm256_storeu_ps(f[2 - c] + x, v);
            }
        }
        for (; x < n; x++)
            for (int c = 0; c < 3; c++)
                f[2 - c][x] = lut[src[3 * (size_t)x + c]];
    } else {
        for (; x + 8 <= n; x += 8) {
            __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(src + x))));
            if (gamma)
                v = _mm256_sqrt_ps(v);
            _mm256_storeu_ps(f[0] + x, v);
        }
        for (; x < n; x++)
            f[0][x] = lut[src[x]];
    }
}

typedef struct grad_consts {
    __m256 p1, p3, p5, p7, eps, v90, v180, v360, zero, absmask, d2r, sc, half, one;
    __m256i n, n1, z;
} grad_consts;

/* Magnitude, fast atan, bin and the two votes of eight pixels. */
static inline void finish8(const grad_consts *k, __m256 gx, __m256 gy, uint8_t *h0, float *a0,
                           float *a1)
{
    __m256 mag = _mm256_sqrt_ps(_mm256_fmadd_ps(gx, gx, _mm256_mul_ps(gy, gy)));
    __m256 ax = _mm256_and_ps(gx, k->absmask), ay = _mm256_and_ps(gy, k->absmask);
    __m256 c = _mm256_div_ps(_mm256_min_ps(ax, ay), _mm256_add_ps(_mm256_max_ps(ax, ay), k->eps));
    __m256 cc = _mm256_mul_ps(c, c);
    __m256 a = _mm256_mul_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(cc, k->p7, k->p5), cc, k->p3), cc, k->p1), c);
    a = _mm256_blendv_ps(_mm256_sub_ps(k->v90, a), a, _mm256_cmp_ps(ax, ay, _CMP_GE_OQ));
    a = _mm256_blendv_ps(a, _mm256_sub_ps(k->v180, a), _mm256_cmp_ps(gx, k->zero, _CMP_LT_OQ));
    a = _mm256_blendv_ps(a, _mm256_sub_ps(k->v360, a), _mm256_cmp_ps(gy, k->zero, _CMP_LT_OQ));
    __m256 ang = _mm256_sub_ps(_mm256_mul_ps(_mm256_mul_ps(a, k->d2r), k->sc), k->half);
    __m256 fl = _mm256_floor_ps(ang);
    __m256i hidx = _mm256_cvttps_epi32(fl);
    ang = _mm256_sub_ps(ang, fl);
    _mm256_storeu_ps(a0, _mm256_mul_ps(mag, _mm256_sub_ps(k->one, ang)));
    _mm256_storeu_ps(a1, _mm256_mul_ps(mag, ang));
    __m256i neg = _mm256_cmpgt_epi32(k->z, hidx);
    __m256i big = _mm256_cmpgt_epi32(hidx, k->n1);
    hidx = _mm256_add_epi32(hidx, _mm256_and_si256(neg, k->n));
    hidx = _mm256_sub_epi32(hidx, _mm256_and_si256(big, k->n));
    __m128i h16 = _mm_packs_epi32(_mm256_castsi256_si128(hidx), _mm256_extracti128_si256(hidx, 1));
    _mm_storel_epi64((__m128i *)h0, _mm_packus_epi16(h16, h16));
}

void hk__grad_row_avx2(const float *const *prev, const float *const *cur,
                       const float *const *next, int cn, int wp, int nbins, int signed_grad,
                       float *dx, float *dy, uint8_t *h0, float *a0, float *a1)
{
    const float ascale = signed_grad ? (float)(nbins / (2.0 * 3.14159265358979323846))
                                     : (float)(nbins / 3.14159265358979323846);
    const float deg2rad = (float)(3.14159265358979323846 / 180);
    grad_consts k;
    k.p1 = _mm256_set1_ps(HK_ATAN_P1);
    k.p3 = _mm256_set1_ps(HK_ATAN_P3);
    k.p5 = _mm256_set1_ps(HK_ATAN_P5);
    k.p7 = _mm256_set1_ps(HK_ATAN_P7);
    k.eps = _mm256_set1_ps((float)DBL_EPSILON);
    k.v90 = _mm256_set1_ps(90.f);
    k.v180 = _mm256_set1_ps(180.f);
    k.v360 = _mm256_set1_ps(360.f);
    k.zero = _mm256_setzero_ps();
    k.absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    k.d2r = _mm256_set1_ps(deg2rad);
    k.sc = _mm256_set1_ps(ascale);
    k.half = _mm256_set1_ps(0.5f);
    k.one = _mm256_set1_ps(1.f);
    k.n = _mm256_set1_epi32(nbins);
    k.n1 = _mm256_set1_epi32(nbins - 1);
    k.z = _mm256_setzero_si256();
    int x = 0;
    if (cn == 1) {
        for (; x + 8 <= wp; x += 8) {
            __m256 gx = _mm256_sub_ps(_mm256_loadu_ps(cur[0] + x + 1), _mm256_loadu_ps(cur[0] + x - 1));
            __m256 gy = _mm256_sub_ps(_mm256_loadu_ps(next[0] + x), _mm256_loadu_ps(prev[0] + x));
            if (x + 16 > wp) { /* read by the tail's overlapping vector */
                _mm256_storeu_ps(dx + x, gx);
                _mm256_storeu_ps(dy + x, gy);
            }
            finish8(&k, gx, gy, h0 + x, a0 + x, a1 + x);
        }
        for (int t = x; t < wp; t++) {
            dx[t] = cur[0][t + 1] - cur[0][t - 1];
            dy[t] = next[0][t] - prev[0][t];
        }
    } else {
        /* planes are in OpenCV's channel order (k = 0 is blue); its 4-wide
         * SIMD body ends at simd_end, its scalar tail breaks ties otherwise */
        int simd_end = wp & ~3;
        /* channels unrolled by hand: a loop over arrays of vectors is kept
         * in memory by some compilers at -O2 */
        const float *c0 = cur[0], *c1 = cur[1], *c2 = cur[2];
        const float *n0 = next[0], *n1 = next[1], *n2 = next[2];
        const float *q0 = prev[0], *q1 = prev[1], *q2 = prev[2];
#define HK_GRAD_CH(c, cp, np, pp)                                                                 \
    __m256 gx##c = _mm256_sub_ps(_mm256_loadu_ps(cp + x + 1), _mm256_loadu_ps(cp + x - 1));      \
    __m256 gy##c = _mm256_sub_ps(_mm256_loadu_ps(np + x), _mm256_loadu_ps(pp + x));              \
    __m256 m##c = _mm256_add_ps(_mm256_mul_ps(gx##c, gx##c), _mm256_mul_ps(gy##c, gy##c))
        for (; x + 8 <= simd_end; x += 8) {
            HK_GRAD_CH(0, c0, n0, q0);
            HK_GRAD_CH(1, c1, n1, q1);
            HK_GRAD_CH(2, c2, n2, q2);
            __m256 gx[3] = {gx0, gx1, gx2}, gy[3] = {gy0, gy1, gy2}, m[3] = {m0, m1, m2};
            __m256 mask = _mm256_cmp_ps(m[2], m[1], _CMP_GT_OQ);
            __m256 bx = _mm256_blendv_ps(gx[1], gx[2], mask);
            __m256 by = _mm256_blendv_ps(gy[1], gy[2], mask);
            mask = _mm256_cmp_ps(_mm256_max_ps(m[2], m[1]), m[0], _CMP_GT_OQ);
            bx = _mm256_blendv_ps(gx[0], bx, mask);
            by = _mm256_blendv_ps(gy[0], by, mask);
            if (x + 16 > wp) { /* read by the tail's overlapping vector */
                _mm256_storeu_ps(dx + x, bx);
                _mm256_storeu_ps(dy + x, by);
            }
            finish8(&k, bx, by, h0 + x, a0 + x, a1 + x);
        }
#undef HK_GRAD_CH
        for (int t = x; t < wp; t++) {
            float gx[3], gy[3], m[3];
            for (int c = 0; c < 3; c++) {
                gx[c] = cur[c][t + 1] - cur[c][t - 1];
                gy[c] = next[c][t] - prev[c][t];
                m[c] = gx[c] * gx[c] + gy[c] * gy[c];
            }
            int best = hk_opencv_best_channel(m[0], m[1], m[2], t < simd_end);
            dx[t] = gx[best];
            dy[t] = gy[best];
        }
    }
    /* the rest: eight pixels ending at wp (recomputing a few, identically) */
    for (; wp >= 8 && x < wp; x += 8) {
        int t = x + 8 <= wp ? x : wp - 8;
        finish8(&k, _mm256_loadu_ps(dx + t), _mm256_loadu_ps(dy + t), h0 + t, a0 + t, a1 + t);
    }
    for (; x < wp; x++) {
        hk__bin_votes(dx[x], dy[x], ascale, nbins, h0 + x, a0 + x, a1 + x);
    }
}
#else
int hk__cpu_has_avx2_fma(void)
{
    return 0;
}

void hk__gamma_row_avx2(const uint8_t *src, int n, int cn, int gamma, const float *lut,
                        float *const *f)
{
    (void)src, (void)n, (void)cn, (void)gamma, (void)lut, (void)f;
}

void hk__grad_row_avx2(const float *const *prev, const float *const *cur,
                       const float *const *next, int cn, int wp, int nbins, int signed_grad,
                       float *dx, float *dy, uint8_t *h0, float *a0, float *a1)
{
    (void)prev, (void)cur, (void)next, (void)cn, (void)wp, (void)nbins, (void)signed_grad;
    (void)dx, (void)dy, (void)h0, (void)a0, (void)a1;
}
#endif
