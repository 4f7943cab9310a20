/* OpenCV variant, the AVX2 image-per-lane kernel (opencv_lanes.h): the
 * kernel source compiled with -mavx2 and no FMA (CMakeLists.txt). Without
 * AVX2 (HK_SCALAR_ONLY, other compilers) there is no kernel here. */
#include <stdint.h>

#include "hog/opencv_lanes.h"

#ifdef __AVX2__
#include <immintrin.h>

#include "simd/stream_avx2.h"

#define OCVL_FN(name) ocvl_avx2_##name
#define OCVL_SQRT(v) ((ocvl_vf)_mm256_sqrt_ps((__m256)(v)))
/* bytes 8*hi .. 8*hi+7 of a 16-byte vector as floats */
#define OCVL_CVT8(v, hi)                                                                  \
    ((ocvl_vf)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(                                    \
        (hi) ? _mm_unpackhi_epi64((__m128i)(v), (__m128i)(v)) : (__m128i)(v))))
/* blendv reads the sign bit of the mask, as OCVL_BLEND wants */
#define OCVL_BLEND(m, a, b) ((ocvl_vf)_mm256_blendv_ps((__m256)(b), (__m256)(a), (__m256)(m)))
#define OCVL_MIN(a, b) ((ocvl_vf)_mm256_min_ps((__m256)(a), (__m256)(b)))
#define OCVL_MAX(a, b) ((ocvl_vf)_mm256_max_ps((__m256)(a), (__m256)(b)))
#define OCVL_FLOOR(t) ((ocvl_vf)_mm256_floor_ps((__m256)(t)))
#define OCVL_STREAM(dst, src, n) hk__stream_lines(dst, src, n)
#define OCVL_FENCE() _mm_sfence() /* ordered before later stores, as ordinary ones */

#include "hog/opencv_lanes_kernel.inc.h"

hk__ocvl_kernel hk__ocvl_avx2_kernel(void)
{
    return ocvl_avx2_group;
}

#else

hk__ocvl_kernel hk__ocvl_avx2_kernel(void)
{
    return NULL;
}

#endif
