/* Image-per-lane batch kernel of the dlib variant (internal).
 *
 * A batch of small 8-bit grey images of one geometry goes through
 * HK_DLIB_LANES images at a time, image k in lane k of every vector: the
 * per-pixel and per-cell arithmetic of the scalar specification
 * (src/hog/dlib.c) runs once per group, lane-wise, with the same operations
 * in the same order, so every image's features are bit-identical to the
 * scalar path's whatever the other images of its group. Only the histogram
 * votes are scattered one lane at a time (each image has its own bins).
 *
 * Driver (dlib_lanes.c): checks and tables of one geometry, the scratch
 * layout. Cores (src/simd/dlib_lanes_core.inc.h), built twice: with AVX2
 * (dlib_lanes_avx2.c) and portable (dlib_lanes_generic.c, GCC vector
 * extensions). */
#ifndef HK_HOG_DLIB_LANES_H
#define HK_HOG_DLIB_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "hog/hog_internal.h"
#include "hog/lanes.h"

/* Images per group: one vector of floats (AVX2). */
#define HK_DLIB_LANES 8

/* One geometry and its scratch (all float arrays 32-byte aligned). Lane
 * data: element [i * 8 + k] is lane k's value i. */
typedef struct hk_dlib_lanes_plan {
    int cs;
    uint32_t width, height, channels;
    long cells_nr, cells_nc, visible_nr, visible_nc;
    size_t hog_nr, hog_nc;
    size_t out_cols, plane, off_r, off_c, dim;
    int padded;   /* output has zero borders (filter padding > 1) */
    size_t hs;    /* histogram cells per row: cells_nc + 2 */
    size_t tw;    /* pixels per transposed row (width rounded up to 8) */
    size_t split; /* first column of dlib's scalar tail loop */
    /* per column x (1 <= x < visible_nc): cell with border, weights */
    const int32_t *ix;
    const int32_t *xoff; /* [x * 8 + k]: ix[x] * 18 * 8 * 2 + 2 k (`vote`) */
    const float *vx0, *vx1;
    /* per image row y (1 <= y < visible_nr) */
    const int32_t *iyp;
    const float *vy0;
    /* scratch */
    float *trow; /* 3 rows of tw pixels, lane data */
    /* The two histogram rows the votes of an image row go into (a ring:
     * each row is moved out when complete): bin o of lane k's cell c (with
     * the border) in row r (with the border) at
     * [((c * 18 + o) * 8 + k) * 2 + (r & 1)], so that the two rows a pixel
     * votes into are adjacent */
    float *vote;
    /* the complete rows, without the border, as lane data (a ring of three:
     * what one output row needs): cell (r, c) at
     * (((r % 3) * cells_nc + c) * 18 + o) * 8 */
    float *hist;
    float *norm; /* cells_nr x cells_nc energies, lane data */
    /* two rows of blocks (2 x 2 cells): per block its clip level and scale,
     * lane data */
    float *blk;
    /* the votes of one image row, lanes with a zero gradient left out:
     * offsets in `vote`, and four weights each (upper, lower row of cell
     * ix, then of cell ix + 1) */
    int32_t *voff;
    float *vw;
    float *feat;   /* dim values, lane data */
} hk_dlib_lanes_plan;

/* One group through a core: rows[k] is lane k's first row (lanes >= n
 * repeat an image whose results are dropped), strides[k] its row step;
 * writes images 0 .. n-1 to out + k * dim. */
typedef void (*hk_dlib_lanes_core)(const hk_dlib_lanes_plan *pl, const uint8_t *const *rows,
                                   const size_t *strides, size_t n, float *out);

/* NULL when the build left AVX2 out. */
hk_dlib_lanes_core hk_dlib_lanes_core_avx2(void);
hk_dlib_lanes_core hk_dlib_lanes_core_generic(void);

/* The dlib variant's lanes kernel for batches of images like im0 (p->simd
 * resolved: AVX2 / AVX512 take the AVX2 core, AUTO the portable one), or
 * none (lanes->run NULL): other sample types, cell size 1, large images. */
void hk_dlib_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes);

/* The kernels themselves (what pick hands out), for the tests. */
hk_status hk_dlib_lanes_run_avx2(hk_hog_ctx *ctx, const hk_hog_params *p,
                                 const hk_image *const *images, size_t n, float *out,
                                 size_t dim);
hk_status hk_dlib_lanes_run_generic(hk_hog_ctx *ctx, const hk_hog_params *p,
                                    const hk_image *const *images, size_t n, float *out,
                                    size_t dim);

#endif
