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
#include <string.h>

int hk__cpu_has_avx2_fma(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#include "detect/fast_atan.h"
#include "hog/opencv_channel.h"

void hk__grad_row_avx2(const float *const *prev, const float *const *cur,
                       const float *const *next, int cn, int wp, int nbins, int signed_grad,
                       float *dx, float *dy, uint8_t *h0, float *a0, float *a1)
{
    int x = 0;
    if (cn == 1) {
        for (; x + 8 <= wp; x += 8) {
            __m256 gx = _mm256_sub_ps(_mm256_loadu_ps(cur[0] + x + 1), _mm256_loadu_ps(cur[0] + x - 1));
            __m256 gy = _mm256_sub_ps(_mm256_loadu_ps(next[0] + x), _mm256_loadu_ps(prev[0] + x));
            _mm256_storeu_ps(dx + x, gx);
            _mm256_storeu_ps(dy + x, gy);
        }
        for (; x < wp; x++) {
            dx[x] = cur[0][x + 1] - cur[0][x - 1];
            dy[x] = next[0][x] - prev[0][x];
        }
    } else {
        /* planes are in OpenCV's channel order (k = 0 is blue) */
        int simd_end = wp & ~3;
        for (; x + 8 <= simd_end; x += 8) {
            __m256 gx[3], gy[3], m[3];
            for (int k = 0; k < 3; k++) {
                gx[k] = _mm256_sub_ps(_mm256_loadu_ps(cur[k] + x + 1), _mm256_loadu_ps(cur[k] + x - 1));
                gy[k] = _mm256_sub_ps(_mm256_loadu_ps(next[k] + x), _mm256_loadu_ps(prev[k] + x));
                m[k] = _mm256_add_ps(_mm256_mul_ps(gx[k], gx[k]), _mm256_mul_ps(gy[k], gy[k]));
            }
            __m256 mask = _mm256_cmp_ps(m[2], m[1], _CMP_GT_OQ);
            __m256 bx = _mm256_blendv_ps(gx[1], gx[2], mask);
            __m256 by = _mm256_blendv_ps(gy[1], gy[2], mask);
            mask = _mm256_cmp_ps(_mm256_max_ps(m[2], m[1]), m[0], _CMP_GT_OQ);
            bx = _mm256_blendv_ps(gx[0], bx, mask);
            by = _mm256_blendv_ps(gy[0], by, mask);
            _mm256_storeu_ps(dx + x, bx);
            _mm256_storeu_ps(dy + x, by);
        }
        for (; x < wp; x++) {
            float gx[3], gy[3], m[3];
            for (int k = 0; k < 3; k++) {
                gx[k] = cur[k][x + 1] - cur[k][x - 1];
                gy[k] = next[k][x] - prev[k][x];
                m[k] = gx[k] * gx[k] + gy[k] * gy[k];
            }
            int best = hk_opencv_best_channel(m[0], m[1], m[2], x < simd_end);
            dx[x] = gx[best];
            dy[x] = gy[best];
        }
    }
    const float ascale = signed_grad ? (float)(nbins / (2.0 * 3.14159265358979323846))
                                     : (float)(nbins / 3.14159265358979323846);
    const float deg2rad = (float)(3.14159265358979323846 / 180);
    const __m256 vp1 = _mm256_set1_ps(HK_ATAN_P1), vp3 = _mm256_set1_ps(HK_ATAN_P3), vp5 = _mm256_set1_ps(HK_ATAN_P5),
                 vp7 = _mm256_set1_ps(HK_ATAN_P7), eps = _mm256_set1_ps((float)DBL_EPSILON),
                 v90 = _mm256_set1_ps(90.f), v180 = _mm256_set1_ps(180.f),
                 v360 = _mm256_set1_ps(360.f), zero = _mm256_setzero_ps(),
                 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)),
                 vd2r = _mm256_set1_ps(deg2rad), vsc = _mm256_set1_ps(ascale),
                 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.f);
    const __m256i vn = _mm256_set1_epi32(nbins), vz = _mm256_setzero_si256();
    x = 0;
    for (; x + 8 <= wp; x += 8) {
        __m256 gx = _mm256_loadu_ps(dx + x), gy = _mm256_loadu_ps(dy + x);
        __m256 mag = _mm256_sqrt_ps(_mm256_fmadd_ps(gx, gx, _mm256_mul_ps(gy, gy)));
        __m256 ax = _mm256_and_ps(gx, absmask), ay = _mm256_and_ps(gy, absmask);
        __m256 c = _mm256_div_ps(_mm256_min_ps(ax, ay), _mm256_add_ps(_mm256_max_ps(ax, ay), eps));
        __m256 cc = _mm256_mul_ps(c, c);
        __m256 a = _mm256_mul_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(cc, vp7, vp5), cc, vp3), cc, vp1), c);
        a = _mm256_blendv_ps(_mm256_sub_ps(v90, a), a, _mm256_cmp_ps(ax, ay, _CMP_GE_OQ));
        a = _mm256_blendv_ps(a, _mm256_sub_ps(v180, a), _mm256_cmp_ps(gx, zero, _CMP_LT_OQ));
        a = _mm256_blendv_ps(a, _mm256_sub_ps(v360, a), _mm256_cmp_ps(gy, zero, _CMP_LT_OQ));
        __m256 ang = _mm256_sub_ps(_mm256_mul_ps(_mm256_mul_ps(a, vd2r), vsc), half);
        __m256 fl = _mm256_floor_ps(ang);
        __m256i hidx = _mm256_cvttps_epi32(fl);
        ang = _mm256_sub_ps(ang, fl);
        _mm256_storeu_ps(a0 + x, _mm256_mul_ps(mag, _mm256_sub_ps(one, ang)));
        _mm256_storeu_ps(a1 + x, _mm256_mul_ps(mag, ang));
        __m256i neg = _mm256_cmpgt_epi32(vz, hidx);
        __m256i big = _mm256_cmpgt_epi32(hidx, _mm256_sub_epi32(vn, _mm256_set1_epi32(1)));
        hidx = _mm256_add_epi32(hidx, _mm256_and_si256(neg, vn));
        hidx = _mm256_sub_epi32(hidx, _mm256_and_si256(big, vn));
        /* bins are 0 .. 255: pack to bytes (each 128-bit half holds four) */
        __m256i p8 = _mm256_packus_epi16(_mm256_packus_epi32(hidx, hidx), vz);
        uint32_t lo = (uint32_t)_mm256_cvtsi256_si32(p8);
        uint32_t hi = (uint32_t)_mm_cvtsi128_si32(_mm256_extracti128_si256(p8, 1));
        memcpy(h0 + x, &lo, 4);
        memcpy(h0 + x + 4, &hi, 4);
    }
    for (; x < wp; x++) {
        float mag = sqrtf(fmaf(dx[x], dx[x], dy[x] * dy[x]));
        float ang = fast_atan_deg(dy[x], dx[x]) * deg2rad;
        ang = ang * ascale - 0.5f;
        int hidx = (int)floorf(ang);
        ang -= (float)hidx;
        a0[x] = mag * (1.f - ang);
        a1[x] = mag * ang;
        if (hidx < 0)
            hidx += nbins;
        else if (hidx >= nbins)
            hidx -= nbins;
        h0[x] = (uint8_t)hidx;
    }
}
#else
int hk__cpu_has_avx2_fma(void)
{
    return 0;
}

void hk__grad_row_avx2(const float *const *prev, const float *const *cur,
                       const float *const *next, int cn, int wp, int nbins, int signed_grad,
                       float *dx, float *dy, uint8_t *h0, float *a0, float *a1)
{
    (void)prev, (void)cur, (void)next, (void)cn, (void)wp, (void)nbins, (void)signed_grad;
    (void)dx, (void)dy, (void)h0, (void)a0, (void)a1;
}
#endif
