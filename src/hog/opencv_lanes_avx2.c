/* OpenCV variant, the AVX2 image-per-lane kernel (opencv_lanes.h): the
 * kernel source compiled with -mavx2 and no FMA (CMakeLists.txt). Without
 * AVX2 (HK_SCALAR_ONLY, other compilers) there is no kernel here. */
#include "hog/opencv_lanes.h"

#ifdef __AVX2__
#include <immintrin.h>

#define OCVL_FN(name) ocvl_avx2_##name
#define OCVL_SQRT(v) ((ocvl_vf)_mm256_sqrt_ps((__m256)(v)))
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
