/* Portable fast kernels (two doubles per vector: SSE2 on x86-64, whatever the
 * target offers elsewhere). Used when the CPU has neither AVX2 nor AVX-512,
 * and by the tests as one more path to compare with the scalar code. */
#include <math.h>

#define HK_VW 2
#define HK_KNAME generic_
#define HK_VSQRT(v) generic_vsqrt(v)
typedef double hk_generic_v2 __attribute__((vector_size(16)));
static inline hk_generic_v2 generic_vsqrt(hk_generic_v2 v)
{
    v[0] = sqrt(v[0]);
    v[1] = sqrt(v[1]);
    return v;
}
#define HK_VFMA(a, b, c) ((a) * (b) + (c))
#include "simd/skimage_kernels.inc.h"

static const hk_skimage_kernels table = {
    HK_SIMD_AUTO, "generic", HK_VW, generic_gradient, generic_bins, generic_u8_index, generic_blocks,
};

const hk_skimage_kernels *hk_skimage_kernels_generic(void)
{
    return &table;
}
