/* One of 18 directions (20 deg apart) for 8 gradients with integer components
 * in [-255, 255], shared by the dlib and VLFeat AVX2 units (include only from
 * a unit compiled with -mavx2).
 *
 * The first-quadrant direction j (0, 20, .., 80 deg) of (ax, ay) = (|gx|,
 * |gy|) is the number of boundaries it lies beyond, ay > ax T[t] in float;
 * each reference has its own boundaries T (dlib: ratios of its four-decimal
 * unit vectors' differences; VLFeat: tan of the bisectors), and each caller
 * proves them exact on [-255, 255]^2 with an exhaustive test. Then: gx, gy of
 * one sign, bin j (+ 9 when gx or gy is negative); opposite signs,
 * (9 - j + 9 [gy < 0]) mod 18 (for j = 0, + 9 when gx < 0). */
#ifndef HK_SIMD_SNAP18_U8_AVX2_H
#define HK_SIMD_SNAP18_U8_AVX2_H

#include <immintrin.h>

static inline __m256i hk__snap18_u8(__m256 gx, __m256 gy, const float T[4])
{
    const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
    const __m256 ax = _mm256_andnot_ps(sign, gx), ay = _mm256_andnot_ps(sign, gy);
    __m256i j = _mm256_setzero_si256();
    for (int t = 0; t < 4; t++)
        j = _mm256_sub_epi32(j, _mm256_castps_si256(_mm256_cmp_ps(
                                    ay, _mm256_mul_ps(ax, _mm256_set1_ps(T[t])), _CMP_GT_OQ)));
    const __m256i nine = _mm256_set1_epi32(9);
    const __m256i ny = _mm256_castps_si256(_mm256_cmp_ps(gy, zero, _CMP_LT_OQ));
    const __m256i nxy = _mm256_castps_si256(_mm256_cmp_ps(_mm256_min_ps(gx, gy), zero, _CMP_LT_OQ));
    const __m256 opp = _mm256_cmp_ps(_mm256_mul_ps(gx, gy), zero, _CMP_LT_OQ);
    const __m256i same = _mm256_add_epi32(j, _mm256_and_si256(nxy, nine));
    __m256i other = _mm256_add_epi32(_mm256_sub_epi32(nine, j), _mm256_and_si256(ny, nine));
    other = _mm256_min_epu32(other, _mm256_sub_epi32(other, _mm256_set1_epi32(18)));
    return _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(same), _mm256_castsi256_ps(other), opp));
}

#endif
