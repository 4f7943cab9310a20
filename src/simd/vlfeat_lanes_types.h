/* Vector types of the VLFeat image-per-lane kernel (simd/vlfeat_lanes.inc.h),
 * for the units that build it: 8 floats or int32 (one lane per image), and
 * 4 floats or doubles (half of the lanes, for the double arithmetic of the
 * normalisation). */
#ifndef HK_SIMD_VLFEAT_LANES_TYPES_H
#define HK_SIMD_VLFEAT_LANES_TYPES_H

#include <stdint.h>

typedef float lv_f8 __attribute__((vector_size(32)));
typedef float lv_f4 __attribute__((vector_size(16)));
typedef int32_t lv_i8 __attribute__((vector_size(32)));
typedef double lv_d4 __attribute__((vector_size(32)));
typedef int64_t lv_l4 __attribute__((vector_size(32)));

#endif
