/*
 * OpenCV variant, image-per-lane batch kernel (the hook of hog/lanes.h).
 *
 * A 28x28 image spends most of the single-image paths' time on bookkeeping
 * (rows, borders, blocks of a few pixels). Here up to eight 8-bit grey
 * images of one geometry go together, image k in float lane k of 8-lane
 * vectors, and every lane runs the scalar specification's arithmetic
 * (opencv_grad.c, opencv_block.c) step by step:
 *
 *  1. the padded image with a one-pixel reflect-101 border, lane-interleaved
 *     (an 8x8 byte transpose per 8 columns, straight from the images' rows),
 *     through the gamma table (sqrtf, correctly rounded as the vector
 *     square root is);
 *  2. per padded pixel dx, dy, sqrtf(dx*dx + dy*dy), OpenCV's fast atan and
 *     the two votes exactly as bin_votes, then one "plane" value per bin:
 *     mag*f in bin k+1, mag*(1-f) in bin k, +0 elsewhere (with one bin only
 *     the second vote, as the scalar path's store order leaves it), stored
 *     column by column (the pixel table's order);
 *  3. per block and cell, the cell's pixels in the scalar pixel table's
 *     order (hk_ocv_work_init's table, copied), each adding
 *     plane[b] * weight to bin b: for the bins a pixel votes into this is
 *     the scalar path's product and sum in the same order; for the others
 *     it adds +0, which changes nothing (the sums are >= +0);
 *  4. OpenCV's L2-Hys in the scalar path's order (4 partial sums, the tail
 *     one by one), then an 8x8 transpose into a staged descriptor per
 *     image, streamed out at the end of the group.
 *
 * So every image's features equal the scalar path's (HK_SIMD_SCALAR) bit for
 * bit, whatever the other images of its group: no FMA (the units build with
 * -ffp-contract=off and without -mfma), IEEE division and square root.
 *
 * Taken: one window (nwin 1 x 1, any padding), 8-bit grey, working memory
 * (32 bytes per padded pixel and bin) under HK_OCVL_MAX_PLANES, descriptors
 * up to HK_OCVL_MAX_DIM floats. Anything else goes image by image as
 * before.
 */
#ifndef HK_HOG_OPENCV_LANES_H
#define HK_HOG_OPENCV_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "hog/lanes.h"
#include "hog/opencv.h"

/* Images per call: one per float lane of an AVX2 vector. */
#define HK_OCVL_LANES 8

/* Most plane vectors (padded pixels x bins) a geometry may need: 4 MB. */
#define HK_OCVL_MAX_PLANES ((size_t)1 << 17)
/* Longest descriptor: 8 of them are staged (1 MB). */
#define HK_OCVL_MAX_DIM ((size_t)1 << 15)

/* Picks the lanes kernel for a batch like im0 (hk_lanes_pick's case for the
 * OpenCV variant): the AVX2 kernel when p->simd is AVX2 or AVX-512 and the
 * CPU has AVX2, the portable one otherwise. 0 when the geometry is not
 * taken. */
int hk_ocv_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes);

/* The kernels by name, for the tests: `avx2` 0 is the portable kernel, 1
 * the AVX2 one (HK_ERR_UNSUPPORTED where this build or CPU lacks it).
 * images[0 .. n), n <= HK_OCVL_LANES, checked and of one geometry that
 * hk_ocv_lanes_pick takes. */
hk_status hk_ocv_lanes_extract(hk_hog_ctx *ctx, const hk_hog_params *p,
                               const hk_image *const *images, size_t n, float *out,
                               size_t dim, int avx2);

/* 1 when this build has the AVX2 kernel and the CPU runs AVX2. */
int hk_ocv_lanes_avx2_usable(void);

/* The tables of one geometry, kept by a context (hk_hog_ctx.ocv_lanes). */
struct hk_ocv_lanes_plan;
void hk_ocv_lanes_plan_free(struct hk_ocv_lanes_plan *p);

/* ---- between the driver (opencv_lanes.c) and the kernel units ---- */

/* One pixel of a cell: its first plane vector from the block's corner
 * ((column*pheight + row)*nbins), and its weight (gaussian * cell weights,
 * the scalar table's float). */
typedef struct hk__ocvl_tap {
    uint32_t off;
    float w;
} hk__ocvl_tap;

/* What the kernels read (built once per geometry). */
typedef struct hk__ocvl_job {
    const hk_ocv_geometry *g;
    size_t lw, lh;         /* the lane image: padded size + a one-pixel border */
    size_t lw8;            /* lw rounded up to 8 */
    const int *xsrc;       /* lw8: image column of lane-image column x (0 past lw) */
    const int *ysrc;       /* lh: image row of lane-image row y */
    const hk__ocvl_tap *taps;   /* every cell's pixels, cell after cell */
    const uint32_t *cell0; /* ncells + 1: cell c's taps are taps[cell0[c] .. cell0[c+1]) */
    float bin_scale;       /* nbins/pi or nbins/(2 pi), as float */
    float norm_add;        /* (float)block_len * 0.1f */
    /* scratch: 64-byte aligned areas */
    float *limg;           /* lw * lh vectors */
    float *planes;         /* pwidth * pheight * nbins vectors, column by column */
    float *hist;           /* 2 blocks: block_len rounded up to 8, vectors each */
    float *stage;          /* 8 rows of sstride floats: the descriptors */
    size_t sstride;        /* desc_len + 8 rounded up to 16 */
    uint8_t *bytes;        /* 8 * lw8 bytes: zeros, the rows of absent lanes */
} hk__ocvl_job;

/* Computes images[0 .. n) (lanes n .. 7 are zeros, their results dropped)
 * into out + k*dim; returns nonzero when a feature is not finite. */
typedef int (*hk__ocvl_kernel)(const hk__ocvl_job *job, const hk_image *const *images,
                               size_t n, float *out, size_t dim);

int hk__ocvl_group_generic(const hk__ocvl_job *job, const hk_image *const *images, size_t n,
                           float *out, size_t dim);
/* NULL where the build has no AVX2 unit. */
hk__ocvl_kernel hk__ocvl_avx2_kernel(void);

#endif
