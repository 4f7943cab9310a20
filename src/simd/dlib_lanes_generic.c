/* The dlib variant's image-per-lane core, portable (GCC vector extensions;
 * simd/dlib_lanes_core.inc.h): for CPUs without AVX2 the compiler splits the
 * 8-lane vectors into what the target has. Built with -ffp-contract=off
 * (CMakeLists.txt), so each lane rounds as the scalar specification. */
#include "simd/dlib_lanes_core.inc.h"

hk_dlib_lanes_core hk_dlib_lanes_core_generic(void)
{
    return core;
}
