/* Image-per-lane batch kernel of the scikit-image variant (internal): 8-bit
 * grey images without transform_sqrt, eight at a time, image k in vector
 * lane k (src/simd/skimage_lanes.inc.h). Every image's features are
 * bit-identical to hk_skimage_extract (skimage.c), whatever the other images
 * of its group (tests/unit/test_skimage_lanes.c). */
#ifndef HK_HOG_SKIMAGE_LANES_H
#define HK_HOG_SKIMAGE_LANES_H

#include "hog/lanes.h"

/* Images per group: one float vector of 8 lanes (one AVX2 register). */
#define HK_SK_LANES 8
/* Largest images and blocks the kernel takes: larger images amortise their
 * own bookkeeping and go one by one (skimage_fast.c). */
#define HK_SK_LANES_MAX_PIXELS 16384u
#define HK_SK_LANES_MAX_BLOCK 1024u
#define HK_SK_LANES_MAX_CELLS 65536u /* cell values (cells x orientations) */

/* The kernel of one instruction set; NULL when the build left it out. */
hk_lanes_fn hk__sk_lanes_avx2(void);
hk_lanes_fn hk__sk_lanes_generic(void);

/* lanes.c's case for HK_VARIANT_SKIMAGE: the kernel for images like im0. */
void hk_skimage_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes);

#endif
