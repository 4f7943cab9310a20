/* The dlib variant's image-per-lane core with AVX2 (simd/dlib_lanes_core.inc.h):
 * eight images per group, one per ymm lane. Built with -mavx2 and
 * -ffp-contract=off (CMakeLists.txt); when the flags are absent
 * (HK_SCALAR_ONLY) the unit only says the set is not there. */
#include <stddef.h>

#include "hog/dlib_lanes.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include "simd/dlib_lanes_core.inc.h"

hk_dlib_lanes_core hk_dlib_lanes_core_avx2(void)
{
    return core;
}
#else
hk_dlib_lanes_core hk_dlib_lanes_core_avx2(void)
{
    return NULL;
}
#endif
