/* Image-per-lane batch kernels (lanes.c): several images of one geometry per
 * call, one image per vector lane. */
#ifndef HK_HOG_LANES_H
#define HK_HOG_LANES_H

#include <stddef.h>

#include "hog/hog_internal.h"

/* Most images one lanes call takes (a divisor of the batch's chunk). */
#define HK_LANES_MAX 16

/* Extracts images[0 .. n) (1 <= n <= group, all of the geometry the kernel
 * was picked for, already checked) into out + k * dim. p->simd is resolved
 * (never AUTO). On failure the caller zeroes the group's rows. */
typedef hk_status (*hk_lanes_fn)(hk_hog_ctx *ctx, const hk_hog_params *p,
                                 const hk_image *const *images, size_t n, float *out,
                                 size_t dim);

typedef struct hk_lanes {
    hk_lanes_fn run; /* NULL: no lanes kernel, images go one by one */
    size_t group;    /* images per call, 1 .. HK_LANES_MAX */
} hk_lanes;

/* Picks the lanes kernel of p's variant for images like im0 (parameters and
 * geometry already checked); returns 0 (lanes->run NULL) when there is none. */
int hk_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes);

#endif
