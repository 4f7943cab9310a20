/* The image-per-lane kernel of the VLFeat variants (hog/vlfeat_lanes.h),
 * written once with GCC vector extensions and included by one unit per
 * instruction set, each compiled with its own flags and -ffp-contract=off
 * (no FMA: the reference rounds every product). Lane k of every vector is
 * image k of the group, and each lane does vlfeat.c's operations on that
 * image in vlfeat.c's order, so the lanes never mix and the result is the
 * scalar path's, bit for bit.
 *
 * The including unit defines, before including:
 *   LV_SEL(m, a, b)   float lanes of a where int mask m is set, else of b
 *   LV_SELI(m, a, b)  the same for int32 lanes
 *   LV_SQRTF(v)       IEEE square root of 8 floats
 *   LV_SQRTD(v)       IEEE square root of 4 doubles
 *   LV_MIND(c, v)     c < v ? c : v per double lane (VLFeat's VL_MIN(c, v))
 *   LV_ANY(m)         some lane of int mask m set
 *   LV_ADD_PAIR(h, v) h[0] += v[0], h[1] += v[1] (float pointers; may read
 *                     v[2], v[3])
 *   LV_FN             the name of the kernel (an hk_lanes_fn)
 * and may define
 *   LV_BIN9_U8(gx, gy) the reference's hard bin (0 .. 17) of 8 integer
 *                     gradients in [-255, 255]^2 for 9 orientations (any
 *                     bin for a zero gradient), without the nine scores
 * and, after including, the functions declared below that move data in and
 * out of the lanes (lv_convert, lv_flush, lv_flush_end). */
#include <string.h>

#include "hog/vlfeat_fast.h"
#include "hog/vlfeat_lanes.h"
#include "simd/vlfeat_lanes_types.h"


/* Row y of the group as lanes: dst[c * W + x], lane k, is sample (x, y, c)
 * of image k as float (images k >= count repeat image 0). */
static void lv_convert(const hk_vlf_lanes_geom *g, const hk_image *const *ims, size_t count,
                       size_t y, lv_f8 *dst);

/* Copies one image's staged features (64-byte aligned) to out; lv_flush_end
 * after the group's last one (the AVX2 unit streams them past the caches). */
static void lv_flush(const float *stage, float *out, size_t dim);
static void lv_flush_end(void);

/* Converts row y of sample type T: the portable lv_convert. */
#define LV_CONVERT_SCALAR(T)                                                                     \
    for (size_t k = 0; k < HK_VLF_LANES; k++) {                                                  \
        const hk_image *im = ims[k < count ? k : 0];                                             \
        const T *row = (const T *)((const unsigned char *)im->data + y * im->stride);          \
        for (size_t x = 0; x < W; x++)                                                           \
            for (size_t c = 0; c < C; c++)                                                       \
                d[(c * W + x) * HK_VLF_LANES + k] = (float)row[x * C + c];                       \
    }

static inline void lv_convert_scalar(const hk_vlf_lanes_geom *g, const hk_image *const *ims,
                                     size_t count, size_t y, lv_f8 *dst)
{
    const size_t W = g->W, C = g->C;
    float *d = (float *)dst;
    if (ims[0]->type == HK_U8) {
        LV_CONVERT_SCALAR(uint8_t)
    } else {
        LV_CONVERT_SCALAR(uint16_t)
    }
}

/* vlfeat.c's best_bin, lane-wise: |score| compared with strict > in k
 * order (the first wins), a negative score meaning bin k + n; vote: some
 * score above 0 (not so for a zero gradient). A lane without a vote gets
 * bin 0. */
static inline __attribute__((always_inline)) lv_i8 lv_bin(lv_f8 gx, lv_f8 gy, const lv_f8 *ux,
                                                          const lv_f8 *uy, const int n,
                                                          const int sym, lv_i8 *vote)
{
    const lv_f8 zero = {0};
    const lv_i8 abs_mask = (lv_i8){0} + 0x7fffffff;
    /* w0: the best |score| so far, kb its k (-1: none above 0), sb the
     * score itself (its sign picks bin k or k + n) */
    lv_f8 w0 = zero, sb = zero;
    lv_i8 kb = (lv_i8){0} - 1;
    lv_f8 pk[HK_VLF_LANES_MAX_N / 2 + 1], qk[HK_VLF_LANES_MAX_N / 2 + 1];
    for (int k = 0; k < n; k++) {
        lv_f8 s;
        if (sym && k > n / 2) {
            /* ux[k] == -ux[n-k], uy[k] == uy[n-k]: the reference's
             * (-P) + Q is exactly Q - P */
            s = qk[n - k] - pk[n - k];
        } else {
            const lv_f8 p_ = gx * ux[k], q_ = gy * uy[k];
            if (sym) {
                pk[k] = p_;
                qk[k] = q_;
            }
            s = p_ + q_;
        }
        const lv_f8 a = (lv_f8)((lv_i8)s & abs_mask);
        const lv_i8 gt = a > w0;
        w0 = LV_SEL(gt, a, w0);
        kb = LV_SELI(gt, (lv_i8){0} + k, kb);
        sb = LV_SEL(gt, s, sb);
    }
    *vote = kb >= 0;
    return (kb + ((sb < zero) & n)) & *vote;
}

/* The pixels of row y (rows up, mid, dn: y - 1, y, y + 1): each lane's
 * gradient (the channel of largest dx^2 + dy^2, strict >), magnitude,
 * hard bin (lv_bin, or LV_BIN9_U8 where u8_9) and its four votes; then the
 * votes added, pixel by pixel in raster order. n and C are constants where
 * the caller can make them so. */
static inline __attribute__((always_inline)) void lv_row(const hk_vlf_lanes_geom *g,
                                                         const lv_f8 *up, const lv_f8 *mid,
                                                         const lv_f8 *dn, size_t y, const int n,
                                                         const int sym, const size_t C,
                                                         const int u8_9)
{
    (void)u8_9; /* without LV_BIN9_U8 */
    const size_t W = g->W;
    const lv_f8 zero = {0};
    const lv_i8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
    const float wy2 = g->wy2[y], wy1 = 1.0f - wy2;
    /* each lane's own histogram, then the pixel row's cell row */
    const lv_i8 base = lane * (int32_t)g->lane + g->rowbase[y];
    const int32_t plane = (int32_t)g->plane;
    lv_i8 *offs = (lv_i8 *)g->offs;
    lv_f8 *votes = (lv_f8 *)g->votes;
    lv_f8 ux[HK_VLF_LANES_MAX_N], uy[HK_VLF_LANES_MAX_N];
    for (int k = 0; k < n && (!sym || k <= n / 2); k++) {
        ux[k] = zero + g->ux[k];
        uy[k] = zero + g->uy[k];
    }
    for (size_t x = 1; x + 1 < W; x++) {
        lv_f8 gx, gy, g2;
        if (C == 1) {
            /* taken even when g2 == 0, where the reference keeps (0, 0):
             * such a pixel votes nothing either way */
            gx = mid[x + 1] - mid[x - 1];
            gy = dn[x] - up[x];
            g2 = gx * gx + gy * gy;
        } else {
            gx = gy = g2 = zero;
            for (size_t c = 0; c < C; c++) {
                const lv_f8 gx_ = mid[c * W + x + 1] - mid[c * W + x - 1];
                const lv_f8 gy_ = dn[c * W + x] - up[c * W + x];
                const lv_f8 g2_ = gx_ * gx_ + gy_ * gy_;
                const lv_i8 better = g2_ > g2;
                gx = LV_SEL(better, gx_, gx);
                gy = LV_SEL(better, gy_, gy);
                g2 = LV_SEL(better, g2_, g2);
            }
        }
        const lv_f8 grad = LV_SQRTF(g2);
        lv_i8 vote, bin;
#ifdef LV_BIN9_U8
        if (u8_9) {
            /* the reference votes for every nonzero gradient */
            vote = g2 != zero;
            bin = LV_BIN9_U8(gx, gy) & vote;
        } else
#endif
            bin = lv_bin(gx, gy, ux, uy, n, sym, &vote);
        offs[x] = base + g->colbase[x] + bin * plane;
        const lv_f8 gw1 = grad * g->wx1[x], gw2 = grad * g->wx2[x];
        const lv_f8 v11 = (lv_f8)((lv_i8)(gw1 * wy1) & vote);
        const lv_f8 v12 = (lv_f8)((lv_i8)(gw1 * wy2) & vote);
        const lv_f8 v21 = (lv_f8)((lv_i8)(gw2 * wy1) & vote);
        const lv_f8 v22 = (lv_f8)((lv_i8)(gw2 * wy2) & vote);
        /* {bx, bx + 1} pairs per lane, lanes 0, 1, 4, 5, 2, 3, 6, 7 */
        votes[4 * x + 0] = __builtin_shufflevector(v11, v21, 0, 8, 1, 9, 4, 12, 5, 13);
        votes[4 * x + 1] = __builtin_shufflevector(v11, v21, 2, 10, 3, 11, 6, 14, 7, 15);
        votes[4 * x + 2] = __builtin_shufflevector(v12, v22, 0, 8, 1, 9, 4, 12, 5, 13);
        votes[4 * x + 3] = __builtin_shufflevector(v12, v22, 2, 10, 3, 11, 6, 14, 7, 15);
        g->any[x] = LV_ANY(vote);
    }
    /* The adds: lane k's bin differs from lane to lane, so each lane updates
     * its own histogram, in raster order: cells (bx, by) and (bx + 1, by)
     * are adjacent floats, added as one pair, and so are (bx, by + 1) and
     * (bx + 1, by + 1) (two independent float adds each, as the
     * reference's). */
    float *hist = g->hist;
    const int32_t *o = g->offs;
    const float *v = g->votes;
    const size_t col = g->hw + 1; /* the next cell row */
    for (size_t x = 1; x + 1 < W; x++) {
        if (!g->any[x])
            continue;
        const int32_t *ox = o + HK_VLF_LANES * x;
        const float *vl = v + 4 * HK_VLF_LANES * x, *vr = vl + 2 * HK_VLF_LANES;
        static const int lane_of[HK_VLF_LANES] = {0, 1, 4, 5, 2, 3, 6, 7};
        for (size_t s = 0; s < HK_VLF_LANES; s++) {
            float *h = hist + ox[lane_of[s]];
            LV_ADD_PAIR(h, vl + 2 * s);
            LV_ADD_PAIR(h + col, vr + 2 * s);
        }
    }
}

static void lv_row_any(const hk_vlf_lanes_geom *g, const lv_f8 *up, const lv_f8 *mid,
                       const lv_f8 *dn, size_t y)
{
#ifdef LV_BIN9_U8
    if (g->C == 1 && g->n == 9 && g->sym && g->u8)
        lv_row(g, up, mid, dn, y, 9, 1, 1, 1);
    else
#endif
    if (g->C == 1 && g->n == 9 && g->sym)
        lv_row(g, up, mid, dn, y, 9, 1, 1, 0);
    else if (g->C == 1 && g->sym)
        lv_row(g, up, mid, dn, y, g->n, 1, 1, 0);
    else if (g->C == 1)
        lv_row(g, up, mid, dn, y, g->n, 0, 1, 0);
    else
        lv_row(g, up, mid, dn, y, g->n, g->sym, g->C, 0);
}

/* --- Normalisation, one image at a time, straight from its histogram ---
 * Vectors run over the image's cells (each element its own cell, with the
 * reference's operations on it in its order); the image's arrays are small
 * enough to stay in L1, and its features leave from a one-image stage. */

static inline lv_f8 lv_ld8(const float *p)
{
    lv_f8 v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void lv_st8(float *p, lv_f8 v)
{
    memcpy(p, &v, sizeof(v));
}

/* 4 floats as doubles */
static inline lv_d4 lv_ldf4(const float *p)
{
    lv_f4 f;
    memcpy(&f, p, sizeof(f));
    return __builtin_convertvector(f, lv_d4);
}

static inline lv_d4 lv_ldd4(const double *p)
{
    lv_d4 v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void lv_std4(double *p, lv_d4 v)
{
    memcpy(p, &v, sizeof(v));
}

/* The first m (1..4) elements of v, rounded to float as the reference's
 * (float) casts; m is a constant where it is 4. */
static inline __attribute__((always_inline)) void lv_out4(float *dst, lv_d4 v, const int m)
{
    const lv_f4 f = __builtin_convertvector(v, lv_f4);
    switch (m) {
    case 4: memcpy(dst, &f, 4 * sizeof(float)); break;
    case 3: memcpy(dst, &f, 3 * sizeof(float)); break;
    case 2: memcpy(dst, &f, 2 * sizeof(float)); break;
    default: memcpy(dst, &f, sizeof(float)); break;
    }
}

/* The image's 2n bins, each as its cells in output order (x + y hw), row by
 * row out of the padded histogram, and the cell energies in float (k in
 * order, from 0, as vl_hog_extract) on the padded grid with its border
 * replicated (VLFeat clamps the neighbours). A row's last vectors run into
 * the next row's cells (written after them), the right border (set after)
 * or the spare ends. */
static void lv_bins(const hk_vlf_lanes_geom *g, const float *hist)
{
    const size_t hw = g->hw, hh = g->hh, pw = hw + 2, plane = g->plane, cs = g->cstride;
    const size_t n = (size_t)g->n;
    float *e = g->energy;
    for (size_t cy = 0; cy < hh; cy++) {
        const float *src = hist + (cy + 1) * (hw + 1) + 1;
        float *dst = g->comp + cy * hw, *ey = e + (cy + 1) * pw;
        for (size_t x = 0; x < hw; x += 8) {
            lv_f8 acc = {0};
            for (size_t k = 0; k < n; k++) {
                const lv_f8 a = lv_ld8(src + k * plane + x), b = lv_ld8(src + (k + n) * plane + x);
                lv_st8(dst + k * cs + x, a);
                lv_st8(dst + (k + n) * cs + x, b);
                const lv_f8 s = a + b;
                acc += s * s;
            }
            lv_st8(ey + 1 + x, acc);
        }
        ey[0] = ey[1];
        ey[hw + 1] = ey[hw];
    }
    memcpy(e, e + pw, pw * sizeof(float));
    memcpy(e + (hh + 1) * pw, e + hh * pw, pw * sizeof(float));
}

/* Block factors in double: block (i, j) of the padded energies is cell (i, j)'s
 * UL block, (i - 1, j)'s UR, (i, j - 1)'s LL and (i - 1, j - 1)'s LR, with the
 * reference's operands in its order ((n1 + n2) + n4) + n5 + 1e-4. Lanes past
 * a row's hw + 1 blocks are never read. */
static void lv_blocks(const hk_vlf_lanes_geom *g)
{
    const size_t hw = g->hw, hh = g->hh, pw = hw + 2, bs = g->bstride;
    const lv_d4 one = (lv_d4){0} + 1.0, eps = (lv_d4){0} + 1e-4;
    for (size_t j = 0; j <= hh; j++)
        for (size_t i = 0; i <= hw; i += 4) {
            const float *e0 = g->energy + j * pw + i, *e1 = e0 + pw;
            const lv_d4 s = lv_ldf4(e0) + lv_ldf4(e0 + 1) + lv_ldf4(e1) + lv_ldf4(e1 + 1) + eps;
            lv_std4(g->blocks + j * bs + i, one / LV_SQRTD(s));
        }
}

/* Each cell's four block factors (UL, UR, LL, LR) in output order, four
 * arrays fstride apart. */
static void lv_factors(const hk_vlf_lanes_geom *g)
{
    const size_t hw = g->hw, hh = g->hh, bs = g->bstride;
    for (size_t q = 0; q < 4; q++)
        for (size_t cy = 0; cy < hh; cy++) {
            const double *src = g->blocks + (cy + q / 2) * bs + q % 2;
            double *dst = g->fac + q * g->fstride + cy * hw;
            for (size_t x = 0; x < hw; x += 4)
                lv_std4(dst + x, lv_ldd4(src + x));
        }
}

/* The outputs of cells i0 .. i0 + m - 1 as vl_hog_extract computes them
 * (double, rounded to float at the end), into the stage. The sums of four
 * are running sums in the reference's order ((s0 + s1) + s2) + s3. */
static inline __attribute__((always_inline)) void lv_cells4(const hk_vlf_lanes_geom *g,
                                                            size_t i0, const int m,
                                                            const int uoctti)
{
    const size_t n = (size_t)g->n, S = g->ncell, fs = g->fstride, cs = g->cstride;
    const lv_d4 cap = (lv_d4){0} + 0.2, halfc = (lv_d4){0} + 0.5;
    /* 1/sqrtf(18) in float, as the reference writes it, used for any n */
    const double ts = 1.0f / sqrtf(18.0f);
    const lv_d4 f[4] = {lv_ldd4(g->fac + i0), lv_ldd4(g->fac + fs + i0),
                        lv_ldd4(g->fac + 2 * fs + i0), lv_ldd4(g->fac + 3 * fs + i0)};
    const float *h = g->comp + i0;
    float *o = g->stage + i0;
    lv_d4 t[4] = {{0}, {0}, {0}, {0}};
    for (size_t k = 0; k < n; k++) {
        const lv_d4 ha = lv_ldf4(h + k * cs), hb = lv_ldf4(h + (k + n) * cs);
        if (uoctti) {
            lv_d4 sa = {0}, sb = {0}, sc = {0};
            for (int i = 0; i < 4; i++) {
                const lv_d4 a = f[i] * ha, b = f[i] * hb;
                /* summed after scaling, before clipping */
                const lv_d4 c = LV_MIND(cap, a + b);
                t[i] += c;
                if (i == 0) {
                    sa = LV_MIND(cap, a);
                    sb = LV_MIND(cap, b);
                    sc = c;
                } else {
                    sa += LV_MIND(cap, a);
                    sb += LV_MIND(cap, b);
                    sc += c;
                }
            }
            lv_out4(o + k * S, halfc * sa, m);
            lv_out4(o + (n + k) * S, halfc * sb, m);
            lv_out4(o + (2 * n + k) * S, halfc * sc, m);
        } else {
            for (size_t i = 0; i < 4; i++)
                lv_out4(o + (i * n + k) * S, LV_MIND(cap, f[i] * ha + f[i] * hb), m);
        }
    }
    if (uoctti)
        for (size_t i = 0; i < 4; i++)
            lv_out4(o + (3 * n + i) * S, ts * t[i], m);
}

static inline __attribute__((always_inline)) void lv_outputs(const hk_vlf_lanes_geom *g,
                                                             const int uoctti)
{
    const size_t S = g->ncell, full = S & ~(size_t)3;
    for (size_t i0 = 0; i0 < full; i0 += 4)
        lv_cells4(g, i0, 4, uoctti);
    switch (S - full) {
    case 3: lv_cells4(g, full, 3, uoctti); break;
    case 2: lv_cells4(g, full, 2, uoctti); break;
    case 1: lv_cells4(g, full, 1, uoctti); break;
    default: break;
    }
}

/* One image's features (its histogram at hist) into the stage. */
static void lv_image(const hk_vlf_lanes_geom *g, const float *hist)
{
    lv_bins(g, hist);
    lv_blocks(g);
    lv_factors(g);
    if (g->uoctti)
        lv_outputs(g, 1);
    else
        lv_outputs(g, 0);
}

static hk_status LV_FN(hk_hog_ctx *ctx, const hk_hog_params *p, const hk_image *const *images,
                       size_t count, float *out, size_t dim)
{
    hk_vlf_lanes_geom g;
    hk_status st = hk_vlf_lanes_setup(ctx, p, images[0], &g);
    if (st == HK_ERR_UNSUPPORTED)
        return hk_vlf_lanes_one_by_one(ctx, p, images, count, out, dim);
    if (st != HK_OK)
        return st;
    if (dim != g.planes * g.hw * g.hh || count > HK_VLF_LANES)
        return HK_ERR_INVALID_ARG; /* not what the batch asked for */
    const size_t W = g.W, row = g.C * W;
    /* the group's samples are read row by row, image after image: ask for
     * all of them now, while the histograms are cleared */
    for (size_t k = 0; k < count; k++) {
        const unsigned char *d = images[k]->data;
        const size_t rowb = W * g.C * (images[k]->type == HK_U8 ? 1 : 2);
        const size_t stride = images[k]->stride;
        /* rows back to back (a stack's images): one run of lines */
        const size_t runs = stride == rowb ? 1 : g.H, run = stride == rowb ? rowb * g.H : rowb;
        for (size_t r = 0; r < runs; r++, d += stride)
            for (size_t i = 0; i < run + 63; i += 64)
                __builtin_prefetch(d + (i < run ? i : run - 1));
    }
    memset(g.hist, 0, g.lane * HK_VLF_LANES * sizeof(float));
    lv_f8 *r[3] = {(lv_f8 *)g.rows, (lv_f8 *)g.rows + row, (lv_f8 *)g.rows + 2 * row};
    lv_convert(&g, images, count, 0, r[0]);
    lv_convert(&g, images, count, 1, r[1]);
    for (size_t y = 1; y + 1 < g.H; y++) {
        lv_convert(&g, images, count, y + 1, r[2]);
        lv_row_any(&g, r[0], r[1], r[2], y);
        lv_f8 *t = r[0];
        r[0] = r[1];
        r[1] = r[2];
        r[2] = t;
    }
    for (size_t k = 0; k < count; k++) {
        lv_image(&g, g.hist + k * g.lane);
        lv_flush(g.stage, out + k * dim, dim);
    }
    lv_flush_end();
    return HK_OK;
}
