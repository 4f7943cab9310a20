/* AVX2 fast kernels: four doubles per vector. Built with -mavx2 -mfma
 * (CMakeLists.txt); when those flags are absent (HK_SCALAR_ONLY) the unit
 * only says that the set is not there. */
#include <stddef.h>

#include "simd/kernels.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#include "simd/stream_avx2.h"

#define HK_VW 4
#define HK_KNAME avx2_
#define HK_VSQRT(v) ((hk_vd)_mm256_sqrt_pd((__m256d)(v)))
/* a true fused multiply-add: the blocks may divide by FMA steps */
#define HK_FUSED 1
#define HK_VFMA(a, b, c) ((hk_vd)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
/* the blocks' output: whole lines by non-temporal stores */
#define HK_STREAM_OUT(dst, src, n) hk__stream_lines(dst, src, n)
#define HK_STREAM_FENCE() _mm_sfence()
#define HK_LOAD_F32(p) ((hk_vd)_mm256_cvtps_pd(_mm_loadu_ps(p)))
#define HK_VMIN(a, b) ((hk_vd)_mm256_min_pd((__m256d)(a), (__m256d)(b)))
#define HK_LOAD_U8(p) ((hk_vi2)_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))))
#include "simd/skimage_kernels.inc.h"

static const hk_skimage_kernels table = {
    HK_SIMD_AVX2, "avx2", HK_VW, avx2_gradient, avx2_bins, avx2_u8_index, avx2_blocks,
};

const hk_skimage_kernels *hk_skimage_kernels_avx2(void)
{
    return &table;
}
#else
const hk_skimage_kernels *hk_skimage_kernels_avx2(void)
{
    return NULL;
}
#endif
