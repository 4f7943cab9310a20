/* Portable build of the image-per-lane kernel of the scikit-image variant
 * (skimage_lanes.inc.h): two doubles per vector (SSE2 on x86-64), four
 * passes per group. Used on CPUs without AVX2, and by the tests. */
#include <math.h>
#include <string.h>

typedef double hk_genl_v2 __attribute__((vector_size(16)));
static inline hk_genl_v2 genl_vsqrt(hk_genl_v2 v)
{
    v[0] = sqrt(v[0]);
    v[1] = sqrt(v[1]);
    return v;
}

#define HK_LKNAME genl_
#define HK_LVW 2
#define HK_LVSQRT(v) genl_vsqrt(v)
#define HK_LKERNELS hk_skimage_kernels_generic
#include "simd/skimage_lanes.inc.h"

hk_lanes_fn hk__sk_lanes_generic(void)
{
    return genl_run;
}
