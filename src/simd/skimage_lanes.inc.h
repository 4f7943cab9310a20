/* The image-per-lane kernel of the scikit-image variant, written once with
 * GCC vector extensions and compiled once per instruction set: the including
 * file defines HK_LKNAME (a prefix for the static functions), HK_LVW (doubles
 * per vector), HK_LVSQRT (the square root of a hk_lvd, lane by lane) and
 * HK_LKERNELS (the unit's hk_skimage_kernels, for u8_index), then includes
 * this file.
 *
 * A group holds up to eight 8-bit grey images of one geometry; image k is
 * lane k. Each lane gets exactly the arithmetic of the specification
 * (src/hog/skimage.c) in its order, so no lane depends on another:
 *  - cells, image by image, exactly as the 8-bit path of skimage_fast.c
 *    (cell_rows_lut): the same table indices, the same tables, each bin's
 *    pixels added in row-major order, each add in double rounded to float,
 *    then the division by the cell area in float; the cell values of the
 *    group are stored lane-interleaved, value j of all images side by side;
 *  - blocks, HK_LVW images at once: value j of a block is one vector of
 *    HK_LVW doubles (8 / HK_LVW passes for the group), and every step of block_norm.c (NumPy's pairwise sums,
 *    the square roots, the divisions, the L2-Hys clip) is the same IEEE
 *    operation on each lane, in the same order. The eight running sums of
 *    NumPy's pairwise sum are eight separate vectors here, so nothing is
 *    summed across lanes or reordered;
 *  - the results are turned back into one row per image by small transposes
 *    in registers.
 * The divisions and square roots are whole-vector operations on independent
 * images, which the one-image kernel (skimage_kernels.inc.h), one block after
 * another, could not keep busy. No FMA contraction (-ffp-contract=off). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hog/skimage_fast.h"
#include "hog/skimage_lanes.h"
#include "hog/skimage_lut.h"
#include "simd/kernels.h"

/* Vectors of HK_LVW native width: GCC lowers wider ones' compares to
 * scalar code. */
typedef double hk_lvd __attribute__((vector_size(HK_LVW * 8)));
typedef long long hk_lvl __attribute__((vector_size(HK_LVW * 8)));
typedef float hk_lvf __attribute__((vector_size(HK_LVW * 4)));

#define HK_LCAT2(a, b) a##b
#define HK_LCAT(a, b) HK_LCAT2(a, b)
#define HK_LFN(name) HK_LCAT(HK_LKNAME, name)

static inline hk_lvd HK_LFN(splat)(double x)
{
    hk_lvd v;
    for (int i = 0; i < HK_LVW; i++)
        v[i] = x;
    return v;
}

static inline hk_lvd HK_LFN(term)(hk_lvd x, int l1)
{
    return l1 ? (hk_lvd)((hk_lvl)x & 0x7fffffffffffffffLL) : x * x;
}

/* NumPy's pairwise sum (block_norm.c) of |v| or v^2, lane by lane. */
static hk_lvd HK_LFN(pairwise)(const hk_lvd *v, size_t n, int l1)
{
    if (n < 8) {
        hk_lvd s = HK_LFN(splat)(0.);
        for (size_t i = 0; i < n; i++)
            s += HK_LFN(term)(v[i], l1);
        return s;
    }
    if (n <= 128) {
        hk_lvd r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = HK_LFN(term)(v[j], l1);
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += HK_LFN(term)(v[i + (size_t)j], l1);
        hk_lvd s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            s += HK_LFN(term)(v[i], l1);
        return s;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return HK_LFN(pairwise)(v, n2, l1) + HK_LFN(pairwise)(v + n2, n - n2, l1);
}

/* hk_skimage_normalize_block on every lane, in three stages so that the
 * driver can keep three (block, pass) units in flight (as the one-image
 * blocks kernel does): the divisions of one unit overlap the sums and
 * square roots of the others. Each unit's own operations keep their order.
 * first: the first divisor (L1 norms sum |v| + eps, else sqrt(sum v^2 +
 * eps^2)). */
static hk_lvd HK_LFN(divisor)(const hk_lvd *v, size_t n, hk_block_norm norm)
{
    const double eps = 1e-5;
    if (norm == HK_NORM_L1 || norm == HK_NORM_L1_SQRT)
        return HK_LFN(pairwise)(v, n, 1) + eps;
    return HK_LVSQRT(HK_LFN(pairwise)(v, n, 0) + eps * eps);
}

/* second (L2-Hys only): divide, clip, and the second divisor. */
static hk_lvd HK_LFN(hys)(hk_lvd *v, size_t n, hk_lvd d)
{
    const double eps = 1e-5;
    const hk_lvd clip = HK_LFN(splat)(0.2);
    for (size_t i = 0; i < n; i++) {
        /* fmin(x, 0.2) for finite x (8-bit cells are finite) */
        hk_lvd x = v[i] / d;
        hk_lvl lt = x < clip;
        v[i] = (hk_lvd)(((hk_lvl)x & lt) | ((hk_lvl)clip & ~lt));
    }
    return HK_LVSQRT(HK_LFN(pairwise)(v, n, 0) + eps * eps);
}

/* third: the last division (and L1-sqrt's root), in place. */
static void HK_LFN(finish)(hk_lvd *v, size_t n, hk_lvd d, hk_block_norm norm)
{
    for (size_t i = 0; i < n; i++)
        v[i] = v[i] / d;
    if (norm == HK_NORM_L1_SQRT)
        for (size_t i = 0; i < n; i++)
            v[i] = HK_LVSQRT(v[i]);
}

/* Values j .. j + m - 1 (m <= HK_LVW) of one block for the HK_LVW images
 * of a pass (v[i] lane k: value i of image k) into each image's row at
 * o + k * dim (k < n): a HK_LVW x HK_LVW transpose in registers. */
static inline void HK_LFN(put)(const hk_lvd *v, size_t m, float *o, size_t dim, size_t n)
{
    hk_lvf r[HK_LVW];
    for (size_t i = 0; i < HK_LVW; i++)
        r[i] = __builtin_convertvector(v[i < m ? i : 0], hk_lvf);
#if HK_LVW == 4
    hk_lvf t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 1, 5);
    hk_lvf t1 = __builtin_shufflevector(r[0], r[1], 2, 6, 3, 7);
    hk_lvf t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 1, 5);
    hk_lvf t3 = __builtin_shufflevector(r[2], r[3], 2, 6, 3, 7);
    r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    r[1] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    r[2] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
#elif HK_LVW == 2
    hk_lvf t0 = __builtin_shufflevector(r[0], r[1], 0, 2);
    r[1] = __builtin_shufflevector(r[0], r[1], 1, 3);
    r[0] = t0;
#else
#error "HK_LVW must be 2 or 4"
#endif
    if (m == HK_LVW) {
        for (size_t k = 0; k < n; k++)
            memcpy(o + k * dim, &r[k], sizeof r[k]);
    } else {
        for (size_t k = 0; k < n; k++)
            memcpy(o + k * dim, &r[k], m * sizeof(float));
    }
}

typedef struct HK_LFN(geom) {
    size_t w, h, cr, cc, nb, ncr, ncc, n_px, nbr, nbc, br, bc, bn;
} HK_LFN(geom);

/* Cells of one image into lane k of cells[(cell * nb + o) * 8 + k]: the
 * 8-bit path of skimage_fast.c (cell_rows_lut / accumulate_lut). */
static void HK_LFN(cells)(const HK_LFN(geom) *g, const hk_skimage_lut *lut,
                          const hk_skimage_kernels *kern, const hk_image *im, size_t k,
                          int32_t *bidx, int32_t *midx, float *acc, float *cells)
{
    const size_t n1 = g->nb + 1;
    const uint8_t *lbin = lut->bin;
    const double *lmag = lut->mag;
    const float area = (float)(g->cr * g->cc);
    for (size_t r = 0; r < g->ncr; r++) {
        memset(acc, 0, g->ncc * n1 * sizeof(float));
        for (size_t y = r * g->cr; y < (r + 1) * g->cr; y++) {
            const uint8_t *row = (const uint8_t *)im->data + y * im->stride;
            int inner = y > 0 && y + 1 < g->h;
            kern->u8_index(inner ? row - im->stride : NULL, row, inner ? row + im->stride : NULL,
                           g->w, g->n_px, bidx, midx);
            for (size_t dx = 0; dx < g->cc; dx++) {
                for (size_t cx = 0; cx < g->ncc; cx++) {
                    size_t x = cx * g->cc + dx;
                    float *a = acc + cx * n1 + lbin[bidx[x]];
                    *a = (float)((double)*a + lmag[midx[x]]);
                }
            }
        }
        float *c = cells + r * g->ncc * g->nb * HK_SK_LANES + k;
        if (hk_pow2_area(g->cr * g->cc)) /* x * (1 / area) == x / area, exactly */
            for (size_t cx = 0; cx < g->ncc; cx++)
                for (size_t o = 0; o < g->nb; o++)
                    c[(cx * g->nb + o) * HK_SK_LANES] = acc[cx * n1 + o] * (1.0f / area);
        else
            for (size_t cx = 0; cx < g->ncc; cx++)
                for (size_t o = 0; o < g->nb; o++)
                    c[(cx * g->nb + o) * HK_SK_LANES] = acc[cx * n1 + o] / area;
    }
}

static hk_status HK_LFN(run)(hk_hog_ctx *ctx, const hk_hog_params *p,
                             const hk_image *const *images, size_t n, float *out, size_t dim)
{
    const hk_skimage_params *s = &p->skimage;
    const hk_skimage_kernels *kern = HK_LKERNELS();
    HK_LFN(geom) g;
    g.w = images[0]->width;
    g.h = images[0]->height;
    g.cr = (size_t)s->cell_rows;
    g.cc = (size_t)s->cell_cols;
    g.nb = (size_t)s->orientations;
    g.ncr = g.h / g.cr;
    g.ncc = g.w / g.cc;
    g.n_px = g.ncc * g.cc;
    g.br = (size_t)s->block_rows;
    g.bc = (size_t)s->block_cols;
    g.nbr = g.ncr - g.br + 1;
    g.nbc = g.ncc - g.bc + 1;
    g.bn = g.br * g.bc * g.nb;
    if (n == 0 || n > HK_SK_LANES || dim != g.nbr * g.nbc * g.bn)
        return HK_ERR_INVALID_ARG;
    if (dim == 0)
        return HK_OK;
    /* The tables as skimage_fast.c takes them: when the context has them or
     * the batch is large enough to pay for them (a few ms), else, and when
     * no tables hold for this n, the one-image path (same bits). */
    const hk_skimage_lut *lut =
        ctx->lut_eager || (ctx->skimage_lut && ctx->skimage_lut->n == s->orientations)
            ? hk_skimage_lut_get(ctx, s->orientations, kern)
            : NULL;
    if (!lut) {
        hk_status st = HK_OK;
        for (size_t k = 0; k < n && st == HK_OK; k++)
            st = hk_skimage_fast(ctx, s, images[k], out + k * dim, kern, 1);
        return st;
    }
    /* scratch (sizes bounded by hk_skimage_lanes_pick: at most 16384 pixels,
     * 65536 cell values, blocks of 1024 values; under 3 MB): three blocks'
     * values, the group's cells, one row of cell accumulators, two rows of
     * table indices */
    const size_t n_cells = g.ncr * g.ncc * g.nb;
    size_t bytes = 64 + 3 * g.bn * sizeof(hk_lvd) + n_cells * HK_SK_LANES * sizeof(float) +
                   g.ncc * (g.nb + 1) * sizeof(float) + 2 * g.w * sizeof(int32_t);
    unsigned char *base = hk_ctx_scratch(ctx, bytes);
    if (!base)
        return HK_ERR_NOMEM;
    base = (unsigned char *)(((uintptr_t)base + 63) & ~(uintptr_t)63);
    hk_lvd *v = (hk_lvd *)base;
    float *cells = (float *)(v + 3 * g.bn);
    float *acc = cells + n_cells * HK_SK_LANES;
    int32_t *bidx = (int32_t *)(acc + g.ncc * (g.nb + 1)), *midx = bidx + g.w;

    for (size_t k = 0; k < HK_SK_LANES; k++) {
        if (k < n) {
            HK_LFN(cells)(&g, lut, kern, images[k], k, bidx, midx, acc, cells);
        } else { /* lanes without an image: zeros, whose results are dropped */
            for (size_t j = 0; j < n_cells; j++)
                cells[j * HK_SK_LANES + k] = 0.f;
        }
    }

    /* Units: (block, pass) in C order of the blocks, passes over lanes
     * [part, part + HK_LVW) for part < n; three in flight (see divisor). */
    const size_t run = g.bc * g.nb, passes = (n + HK_LVW - 1) / HK_LVW;
    const size_t units = g.nbr * g.nbc * passes;
    const hk_block_norm norm = s->block_norm;
    hk_lvd *buf[3] = {v, v + g.bn, v + 2 * g.bn}, d[3];
    for (size_t u = 0; u < units + 2; u++) {
        if (u < units) { /* the block's values in C order, lanes of the pass */
            size_t blk = u / passes, part = u % passes * HK_LVW;
            size_t r = blk / g.nbc, c = blk % g.nbc;
            hk_lvd *dst = buf[u % 3];
            for (size_t i = 0; i < g.br; i++) {
                const float *src = cells + ((r + i) * g.ncc + c) * g.nb * HK_SK_LANES + part;
                for (size_t j = 0; j < run; j++) {
                    hk_lvf f;
                    memcpy(&f, src + j * HK_SK_LANES, sizeof f);
                    *dst++ = __builtin_convertvector(f, hk_lvd);
                }
            }
            d[u % 3] = HK_LFN(divisor)(buf[u % 3], g.bn, norm);
        }
        if (u >= 1 && u - 1 < units && norm == HK_NORM_L2_HYS)
            d[(u - 1) % 3] = HK_LFN(hys)(buf[(u - 1) % 3], g.bn, d[(u - 1) % 3]);
        if (u >= 2) {
            size_t w = u - 2, blk = w / passes, part = w % passes * HK_LVW;
            hk_lvd *x = buf[w % 3];
            HK_LFN(finish)(x, g.bn, d[w % 3], norm);
            float *o = out + part * dim + blk * g.bn;
            size_t m = n - part < HK_LVW ? n - part : HK_LVW;
            for (size_t j = 0; j < g.bn; j += HK_LVW)
                HK_LFN(put)(x + j, g.bn - j < HK_LVW ? g.bn - j : HK_LVW, o + j, dim, m);
        }
    }
    return HK_OK;
}
