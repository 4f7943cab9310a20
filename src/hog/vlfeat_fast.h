/* Fast path of the VLFeat variants (internal): kernels per instruction set
 * and the banded, threaded driver (vlfeat_fast.c). The specification is the
 * scalar code in vlfeat.c; every kernel set gives bit-identical output to it
 * (tests/unit/test_vlfeat_paths.c).
 *
 * Why the result can be bit-identical although the order of work changes:
 * each histogram element of the reference is a float sum of its votes in
 * raster order. The driver keeps that order for every element and only
 * interleaves the updates of different elements (which are independent):
 *  - rows are processed top to bottom; a band of cell rows (one thread)
 *    processes every pixel row that votes into it, in order;
 *  - within a row, the votes a pixel gives to the cell on its right (the
 *    pixels of span c-1 into cell c) all precede, in x, the votes of span c
 *    into cell c, so a pass over every "right" vote and then one over every
 *    "left" vote keeps each element's order; inside a pass the spans are
 *    walked in step (k-th pixel of every span, then the k+1-th), which hides
 *    the latency of the chains of updates to one element;
 *  - a pixel without a vote adds +0.0f to bin 0, which leaves every
 *    histogram value (all >= +0, or Inf/NaN) unchanged. */
#ifndef HK_HOG_VLFEAT_FAST_H
#define HK_HOG_VLFEAT_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Extra floats after every per-row array, so vector kernels may read and
 * write whole vectors past the end. */
#define HK_VLF_PAD 16

/* Interior pixels [x0, x1) of one row for the gradient/orientation stage. */
typedef struct hk_vlf_row {
    const float *up, *mid, *dn; /* planar rows y-1, y, y+1: channel c at [c * width] */
    size_t width, channels;
    size_t x0, x1;              /* the columns to do: 1 <= x0 <= x1 <= width - 1 */
    int n;                      /* orientations */
    const float *ux, *uy;       /* the n unit vectors, as vlfeat.c makes them */
    int bilinear;
    const float *wx1, *wx2;     /* per column: weights of cell bx and bx + 1 */
    float wy1, wy2;             /* this row's weights of cell rows by and by + 1 */
    /* Outputs per column x (vote v = 0, and v = 1 when bilinear): bin[v][x]
     * (0 when the pixel has no such vote) and the products (grad * w_v) *
     * wx1 in p[v][0], (grad * w_v) * wx2 in p[v][1], 0 without a vote; the
     * driver multiplies them by wy1 or wy2 (float) as it adds them. */
    int32_t *bin[2];
    float *p[2][2];
} hk_vlf_row;

typedef struct hk_vlf_kernels {
    hk_simd isa; /* HK_SIMD_AUTO for the portable set */
    const char *name;
    /* Row y of the image as planar float32 (as hk_fhog_row_f32). */
    void (*convert)(const hk_image *im, size_t y, float *dst);
    /* Gradient, orientation votes and vote products of one row. */
    void (*orient)(const hk_vlf_row *r);
    /* norm[x] = sum over k of (h_k + h_{k+n})^2 in float, k in order, for
     * x < width; hist planes `plane` floats apart. */
    void (*norm)(const float *hist, size_t plane, size_t width, int n, float *norm);
    /* Normalisation factors of one row of 2x2 blocks: f[i], i = 0..width,
     * is block bx = i - 1 over norm rows a (upper) and b (lower), padded
     * (row[-1] = row[0], row[width] = row[width - 1]):
     * 1 / sqrt(a[bx] + a[bx+1] + b[bx] + b[bx+1] + 1e-4) in double, the
     * reference's sum order. Cell x's UL, UR factors are up[x], up[x + 1],
     * its LL, LR factors down[x], down[x + 1]: each block is shared by the
     * four cells around it, with the very same operands. */
    void (*blocks)(const float *a, const float *b, size_t width, double *f);
    /* One output row (vl_hog_extract): hist row planes `plane` floats apart,
     * block factor rows up and down as above; output planes `out_plane`
     * floats apart. */
    void (*extract)(const float *hist, size_t plane, const double *up, const double *down,
                    size_t width, int n, int uoctti, float *out, size_t out_plane);
} hk_vlf_kernels;

const hk_vlf_kernels *hk_vlf_kernels_generic(void);
const hk_vlf_kernels *hk_vlf_kernels_avx2(void); /* NULL when not built */

/* The whole descriptor with kernel set k on `threads` threads; the caller has
 * checked parameters, shape and sample values. */
hk_status hk_vlfeat_fast(hk_hog_ctx *ctx, const hk_vlfeat_params *p, int uoctti,
                         const hk_image *im, float *out, const hk_vlf_kernels *k, int threads);

/* The fast path for params->simd (HK_SIMD_SCALAR: vlfeat.c's reference). */
hk_status hk_vlfeat_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                        float *out);

#endif
