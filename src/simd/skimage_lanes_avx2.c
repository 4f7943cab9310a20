/* AVX2 build of the image-per-lane kernel of the scikit-image variant
 * (skimage_lanes.inc.h): four doubles per AVX2 vector, two passes per group.
 * Built with -mavx2 (CMakeLists.txt); without it (HK_SCALAR_ONLY) there is no
 * kernel. */
#include <stddef.h>
#include <string.h>

#include "hog/skimage_lanes.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#define HK_LKNAME avx2l_
#define HK_LVW 4
#define HK_LVSQRT(v) ((hk_lvd)_mm256_sqrt_pd((__m256d)(v)))
#define HK_LKERNELS hk_skimage_kernels_avx2
#include "simd/skimage_lanes.inc.h"

hk_lanes_fn hk__sk_lanes_avx2(void)
{
    return hk_skimage_kernels_avx2() ? avx2l_run : NULL;
}
#else
hk_lanes_fn hk__sk_lanes_avx2(void)
{
    return NULL;
}
#endif
