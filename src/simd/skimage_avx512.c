/* AVX-512 fast kernels: eight doubles per vector. Built with -mavx512f
 * -mavx512bw -mavx512vl -mavx512dq
 * (CMakeLists.txt); when those flags are absent (HK_SCALAR_ONLY) the unit
 * only says that the set is not there. */
#include <stddef.h>

#include "simd/kernels.h"

#if defined(__AVX512F__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#define HK_VW 8
#define HK_KNAME avx512_
#define HK_VSQRT(v) ((hk_vd)_mm512_sqrt_pd((__m512d)(v)))
/* a true fused multiply-add: the blocks may divide by FMA steps */
#define HK_FUSED 1
#define HK_VFMA(a, b, c) ((hk_vd)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#define HK_LOAD_U8(p) ((hk_vi2)_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(p))))
#include "simd/skimage_kernels.inc.h"

static const hk_skimage_kernels table = {
    HK_SIMD_AVX512, "avx512", HK_VW, avx512_gradient, avx512_bins, avx512_u8_index, avx512_blocks,
};

const hk_skimage_kernels *hk_skimage_kernels_avx512(void)
{
    return &table;
}
#else
const hk_skimage_kernels *hk_skimage_kernels_avx512(void)
{
    return NULL;
}
#endif
