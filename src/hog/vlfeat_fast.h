/* Fast path of the VLFeat variants (internal): kernels per instruction set
 * and the banded, threaded driver (vlfeat_fast.c). The specification is the
 * scalar code in vlfeat.c; every kernel set agrees with it within a stated
 * float tolerance (hk_vlf_tol below; tests/unit/test_vlfeat_paths.c).
 *
 * What stays exact and what does not:
 *  - every per-pixel DECISION is the reference's, bit for bit: the channel
 *    choice, the orientation scores (rounded products, no FMA), the strict
 *    `>` argmax with its first-wins ties, the sign that picks bin k or k+n,
 *    the bilinear weights (acosf of the double ratio), the magnitude, and
 *    the cell positions and weights hx, wx1, wx2, hy, wy1, wy2;
 *  - the SUMS are regrouped: the reference adds ((gw * wx) * wy) into a
 *    cell in raster order; the fast path first sums gw * wy down the pixel
 *    rows of one cell-row span into per-column, per-bin slots (a 2-float
 *    {gw * wy1, gw * wy2} pair per vote: one 8-byte read-modify-write per
 *    vote instead of four 4-byte ones, and consecutive pixels never wait on
 *    each other), then weights each column by wx1 / wx2 and sums a cell
 *    span's columns in vector registers. Every value is a sum of the same
 *    non-negative terms in another order and with one rounding fewer or
 *    more per term: the histograms agree to a few float ulps.
 *  - the normalisation (block factors, clipping, outputs) is the reference's
 *    arithmetic on those histograms.
 * Every value is still summed in one fixed order that depends only on the
 * image (spans are whole cell rows; a band recomputes the spans next to its
 * edges), so
 * the output is bitwise identical for every thread count and band split. */
#ifndef HK_HOG_VLFEAT_FAST_H
#define HK_HOG_VLFEAT_FAST_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* VLFeat's constant (vl/generic.h) and its VL_MIN / VL_MAX (not fmin/fmax:
 * NaN handling differs). */
#define VL_PI 3.141592653589793
#define VL_MIN(x, y) (((x) < (y)) ? (x) : (y))
#define VL_MAX(x, y) (((x) > (y)) ? (x) : (y))

/* vl_hog_put_image 0.9.21's two best orientation scores of gradient
 * (gx, gy) against the n unit vectors (a negative score counts for the
 * opposite bin k + n; strict >, so the first of equal scores wins);
 * bins[i] < 0: no such score. */
static inline void hk_vlf_best_two(const float *ux, const float *uy, int n, float gx, float gy,
                                   int32_t bins[2], float w[2])
{
    bins[0] = bins[1] = -1;
    w[0] = w[1] = 0;
    for (int k = 0; k < n; k++) {
        float score = gx * ux[k] + gy * uy[k];
        int32_t bin = k;
        if (score < 0) {
            score = -score;
            bin += n;
        }
        if (score > w[0]) {
            bins[1] = bins[0];
            w[1] = w[0];
            bins[0] = bin;
            w[0] = score;
        } else if (score > w[1]) {
            bins[1] = bin;
            w[1] = score;
        }
    }
}

/* The bilinear weight of the second bin from the best (unnormalised)
 * score: 0.9.21 takes the ratio to |g| in double, then acosf. */
static inline float hk_vlf_second_weight(float best, float grad, int n)
{
    double ratio = (double)best / VL_MAX((double)grad, 1e-10);
    float angle0 = acosf((float)VL_MIN(ratio, 1.0));
    return (float)((double)angle0 / (VL_PI / n));
}

/* Extra floats after every per-row array, so vector kernels may read and
 * write whole vectors past the end. */
#define HK_VLF_PAD 16

/* Largest |fast - scalar| over the outputs (which lie in [0, 0.8]) that the
 * tests accept, for cell size cs: 1e-6 up to 64-pixel cells, then growing
 * with cs. The difference is mostly the reference's own rounding: it sums a
 * cell's up to (2 cs)^2 votes one by one in float, whose error grows about
 * like cs (seen on a 1920x1080 photo: 2e-7 at cs 8, 5.4e-7 at 64, 7.9e-7 at
 * 128). */
static inline double hk_vlf_tol(size_t cs)
{
    return cs <= 64 ? 1e-6 : 1e-6 * (double)cs / 64.0;
}

/* Interior pixels [x0, x1) of one row for the gradient/orientation stage. */
typedef struct hk_vlf_row {
    const float *up, *mid, *dn; /* planar rows y-1, y, y+1: channel c at [c * width] */
    size_t width, channels;
    size_t x0, x1;              /* the columns to do: 1 <= x0 <= x1 <= width - 1 */
    int n;                      /* orientations */
    const float *ux, *uy;       /* the n unit vectors, as vlfeat.c makes them */
    int bilinear;
    int sym;                    /* ux[n-k] == -ux[k], uy[n-k] == uy[k] for all k */
    int u8;                     /* one channel of 8-bit samples: integer gradients
                                 * in [-255, 255] */
    float wy1, wy2;             /* this row's weights of cell rows by and by + 1 */
    /* Outputs per column x (vote v = 0, and v = 1 when bilinear): bin[v][x]
     * (0 when the pixel has no such vote) and the pair {gw_v * wy1,
     * gw_v * wy2} at pair[v][2x], pair[v][2x + 1] (gw_v = grad * w_v; both 0
     * without a vote). Whole vectors may be written up to HK_VLF_PAD past
     * x1 (pairs: 2 * HK_VLF_PAD floats). */
    int32_t *bin[2];
    float *pair[2];
} hk_vlf_row;

/* One strip of one span of pixel rows, to reduce: spans s in [s0, s1), span
 * s holding columns [start[s], start[s] + len[s]), column x's slot at
 * slots + (x - x0) * slot (slot a multiple of 8 floats: the {A, B} pair of
 * bin b at [2b, 2b + 1]). Per span, in column order, each product rounded
 * (or fused): acc1 = sum of slot_x * wx1[x], acc2 = sum of slot_x * wx2[x];
 * then cell c = s - 1 (s >= 1) gets carry + acc1, stored whole (slot floats,
 * {A, B} pairs) at out + c * slot, and carry = acc2 (slot floats, kept from
 * strip to strip). The slots read are zeroed. */
typedef struct hk_vlf_reduce {
    float *slots, *carry, *out;
    size_t slot, x0, s0, s1;
    const size_t *start, *len;
    const float *wx1, *wx2;
} hk_vlf_reduce;

typedef struct hk_vlf_kernels {
    hk_simd isa; /* HK_SIMD_AUTO for the portable set */
    const char *name;
    /* Row y of the image as planar float32 (as hk_fhog_row_f32). */
    void (*convert)(const hk_image *im, size_t y, float *dst);
    /* Gradient, orientation votes and vote products of one row. */
    void (*orient)(const hk_vlf_row *r);
    /* The column slots of one strip, reduced span by span (hk_vlf_reduce). */
    void (*strip_reduce)(const struct hk_vlf_reduce *q);
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
    /* For the tests, NULL where the set has none: the hard bins (0 .. 17,
     * -1 for a zero gradient) that orient gives 8-bit grey rows with 9
     * orientations, of n (a multiple of 8) integer gradients in
     * [-255, 255]. */
    void (*bins9_u8)(const float *gx, const float *gy, size_t n, int32_t *bin);
} hk_vlf_kernels;

/* Geometry tables of one (width, height, cell size, n), kept in the context
 * (vlfeat_tables.c): unit vectors, column and row weights, the spans of
 * interior pixels per cell column (span s = cell bx + 1: start[s], len[s])
 * and per cell row (rows [span_y[by + 1], span_y[by + 2])), and the strips
 * (strip k: spans [strip_s[k], strip_s[k + 1]), pixels [strip_x[k],
 * strip_x[k + 1]), at most strip_cap of them). */
typedef struct hk_vlf_tables {
    size_t W, H, cs, hw, hh;
    int n;
    const float *ux, *uy, *wx1, *wx2, *roww2;
    const size_t *span_y, *start, *len, *strip_s, *strip_x;
    size_t n_strips, strip_cap, max_span_rows;
    int sym;     /* ux[n-k] == -ux[k] and uy[n-k] == uy[k] for 0 < k < n */
    void *block; /* the one allocation holding the arrays */
} hk_vlf_tables;

hk_status hk_vlf_tables_get(hk_hog_ctx *ctx, size_t W, size_t H, size_t cs, int n, size_t hw,
                            size_t hh, const hk_vlf_tables **out);
void hk_vlf_tables_free(hk_vlf_tables *t);

const hk_vlf_kernels *hk_vlf_kernels_generic(void);
const hk_vlf_kernels *hk_vlf_kernels_avx2(void); /* NULL when not built */

/* The whole descriptor with kernel set k on `threads` threads; the caller has
 * checked parameters, shape and sample values. */
hk_status hk_vlfeat_fast(hk_hog_ctx *ctx, const hk_vlfeat_params *p, int uoctti,
                         const hk_image *im, float *out, const hk_vlf_kernels *k, int threads);

/* Whether a VLFeat variant's output is finite whatever the samples: true
 * for 8- and 16-bit images, which then need no pass over the output. */
int hk_vlfeat_output_finite(const hk_hog_params *p, const hk_image *im);

/* The fast path for params->simd (HK_SIMD_SCALAR: vlfeat.c's reference). */
hk_status hk_vlfeat_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                        float *out);

#endif
