/* Fast path of the scikit-image variant: the stages of skimage.c fused per
 * image row (gradient -> bin -> cell sum), kernels from src/simd, threads
 * over fixed bands of cell rows.
 *
 * Memory: the cell histograms (float, 1/(cell area) of the pixels times the
 * orientations) plus, per thread, three work rows and five arrays of one row:
 * a 20000 x 20000 image needs no full-size plane.
 *
 * Order of the sums: a cell's bin takes its pixels' magnitudes in row-major
 * order, each add done in double and rounded to float, exactly as skimage.c
 * (and _hoghistogram.pyx) does; a band owns whole cell rows, so no sum is
 * ever split between threads. */
#include <math.h>
#include <stdatomic.h>
#include <sched.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/skimage_bins.h"
#include "hog/skimage_fast.h"
#include "hog/skimage_lut.h"
#include "simd/cpu.h"

typedef struct plan {
    const hk_skimage_params *p;
    const hk_skimage_kernels *k;
    const hk_image *im;
    const hk_skimage_lut *lut; /* 8-bit grey: tables instead of kernels */
    hk_skbin_consts consts;
    int f32, use_sqrt;
    /* integer samples: cell means are 0 or in [2^-75, 2^18] (a nonzero
     * gradient is at least 1, or 2^-10 under transform_sqrt, a magnitude at
     * most hypot(65535, 65535), a cell's area below 2^64), so the blocks
     * kernel may divide by FMA steps (skimage_kernels.inc.h): HK_BLOCKS_TAME;
     * an output of HK_STREAM_MIN_BYTES or more: HK_BLOCKS_STREAM (kernels.h) */
    int hints;
    size_t wc, n, cr, cc, n_cells_r, n_cells_c, n_px, br, bc, nbr, nbc, block_n, hist_row;
    /* cells_row: values of a row of cells; wide: blocks of HK_BLOCK_WIDE_MIN ..
     * HK_BLOCK_WIDE_MAX values, whose kernel wants each cell row transposed
     * (kernels.h): orientation k of cell x at k * pitch + x, pitch = the
     * cells plus 8 zeros, and then hist_row = n * pitch */
    size_t cells_row, pitch;
    int wide;
    /* one worker's scratch: offsets in bytes, each 64-aligned */
    size_t off_gr, off_gc, off_mag, off_bin, off_acc, off_block, worker_bytes;
    float *hist;
    float *out;
} plan;

void hk_skbin_consts_init(hk_skbin_consts *k, int n)
{
    k->n = n;
    k->n_over_180 = n / 180.0;
    k->margin = HK_BIN_MARGIN_DEG * n / 180.0;
    /* signbit(g_row) * 2 + signbit(g_col), g_row == 0 */
    const double zr[2] = {0.0, -0.0}, zq[2] = {1.0, -1.0};
    for (int i = 0; i < 4; i++)
        k->row0[i] = hk_skimage_bin(hk_skimage_angle(zr[i >> 1], zq[i & 1]), n);
    k->col0[0] = hk_skimage_bin(hk_skimage_angle(1.0, 0.0), n);
    k->col0[1] = hk_skimage_bin(hk_skimage_angle(-1.0, 0.0), n);
}

/* Outputs this large are written with streaming stores (HK_BLOCKS_STREAM):
 * measured on a 640x480 photo (1.4 MB of features, kept in cache) the
 * ordinary stores are faster, on 1920x1080 (10 MB) the streaming ones. */
#define HK_STREAM_MIN_BYTES ((size_t)4 << 20)

static int layout(size_t *off, size_t bytes, size_t *next)
{
    size_t aligned;
    if (!hk_add_size(*next, 63, &aligned))
        return 0;
    aligned &= ~(size_t)63;
    *off = aligned;
    return hk_add_size(aligned, bytes, next);
}

static hk_status plan_init(plan *pl, const hk_skimage_params *p, const hk_image *im,
                           const hk_skimage_kernels *k)
{
    memset(pl, 0, sizeof(*pl));
    pl->p = p;
    pl->k = k;
    pl->im = im;
    pl->f32 = im->type == HK_F32;
    pl->use_sqrt = p->transform_sqrt;
    pl->hints = im->type == HK_U8 || im->type == HK_U16 ? HK_BLOCKS_TAME : 0;
    pl->n = (size_t)p->orientations;
    pl->cr = (size_t)p->cell_rows;
    pl->cc = (size_t)p->cell_cols;
    pl->n_cells_r = im->height / pl->cr;
    pl->n_cells_c = im->width / pl->cc;
    pl->br = (size_t)p->block_rows;
    pl->bc = (size_t)p->block_cols;
    pl->nbr = pl->n_cells_r - pl->br + 1;
    pl->nbc = pl->n_cells_c - pl->bc + 1;
    pl->n_px = pl->n_cells_c * pl->cc;
    size_t rows_b, px_b, acc_b, bin_b, blk_b, next = 0, off_rows;
    if (!hk_mul_size(im->width, im->channels, &pl->wc) ||
        !hk_mul_size(pl->n_cells_c, pl->n, &pl->cells_row) ||
        !hk_mul_size(pl->br * pl->bc, pl->n, &pl->block_n) ||
        !hk_mul_size(pl->wc, 3 * sizeof(double), &rows_b) ||
        !hk_mul_size(pl->n_px, sizeof(double), &px_b) ||
        !hk_mul_size(pl->n_px, sizeof(int32_t), &bin_b) ||
        !hk_mul_size(pl->cells_row + pl->n_cells_c, sizeof(float), &acc_b) ||
        pl->block_n > SIZE_MAX / 64 - 8 ||
        !hk_mul_size(HK_BLOCK_SCRATCH(pl->block_n) + HK_BLOCK_WIDE_DOUBLES, sizeof(double),
                     &blk_b))
        return HK_ERR_OVERFLOW;
    pl->wide = pl->block_n >= HK_BLOCK_WIDE_MIN && pl->block_n <= HK_BLOCK_WIDE_MAX;
    size_t out_b;
    if (pl->n_cells_r >= pl->br && pl->n_cells_c >= pl->bc &&
        hk_mul_size(pl->nbr * pl->nbc, pl->block_n, &out_b) &&
        out_b >= HK_STREAM_MIN_BYTES / sizeof(float)) /* no overflow: out fits memory */
        pl->hints |= HK_BLOCKS_STREAM;
    pl->pitch = pl->n_cells_c;
    pl->hist_row = pl->cells_row;
    if (pl->wide && (!hk_add_size(pl->n_cells_c, 8, &pl->pitch) ||
                     !hk_mul_size(pl->n, pl->pitch, &pl->hist_row)))
        return HK_ERR_OVERFLOW;
    if (!layout(&off_rows, rows_b, &next) || !layout(&pl->off_gr, px_b, &next) ||
        !layout(&pl->off_gc, px_b, &next) || !layout(&pl->off_mag, px_b, &next) ||
        !layout(&pl->off_bin, bin_b, &next) || !layout(&pl->off_acc, acc_b, &next) ||
        !layout(&pl->off_block, blk_b, &next) || !hk_add_size(next, 64, &pl->worker_bytes))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Image row y as work-type samples (sqrt applied) in double. */
static void load_row(const plan *pl, size_t y, double *dst)
{
    const hk_image *im = pl->im;
    const void *src = (const unsigned char *)im->data + y * im->stride;
    const size_t n = pl->wc;
    switch (im->type) {
    case HK_U8:
        for (size_t i = 0; i < n; i++)
            dst[i] = ((const uint8_t *)src)[i];
        break;
    case HK_U16:
        for (size_t i = 0; i < n; i++)
            dst[i] = ((const uint16_t *)src)[i];
        break;
    case HK_F32:
        for (size_t i = 0; i < n; i++)
            dst[i] = ((const float *)src)[i];
        if (pl->use_sqrt)
            for (size_t i = 0; i < n; i++)
                dst[i] = (double)sqrtf((float)dst[i]);
        return;
    case HK_F64:
        memcpy(dst, src, n * sizeof(double));
        break;
    }
    if (pl->use_sqrt)
        for (size_t i = 0; i < n; i++)
            dst[i] = sqrt(dst[i]);
}

static inline double diff(double a, double b, int f32)
{
    return f32 ? (double)((float)a - (float)b) : a - b;
}

/* Colour: per pixel the channel with the largest magnitude, the first on
 * ties, magnitudes compared in the work type as skimage.c does. */
static void colour_gradient(const plan *pl, const double *above, const double *row,
                            const double *below, double *g_row, double *g_col)
{
    const size_t ch = pl->im->channels, w = pl->im->width;
    const int f32 = pl->f32;
    for (size_t x = 0; x < pl->n_px; x++) {
        double best = -1, br = 0, bq = 0;
        for (size_t c = 0; c < ch; c++) {
            size_t i = x * ch + c;
            double r = above && below ? diff(below[i], above[i], f32) : 0;
            double q = x > 0 && x + 1 < w ? diff(row[i + ch], row[i - ch], f32) : 0;
            double m = f32 ? (double)hypotf((float)r, (float)q) : hypot(r, q);
            if (c == 0 || m > best) {
                best = m;
                br = r;
                bq = q;
            }
        }
        g_row[x] = br;
        g_col[x] = bq;
    }
}

/* Adds one row's votes to the cell accumulators, cell by cell, pixels in order. */
static void accumulate(const plan *pl, const double *g_row, const double *g_col,
                       const int32_t *bin, const double *mag, float *acc)
{
    const size_t cc = pl->cc, n = pl->n;
    const int ni = (int)n;
    /* Column within the cell outside, cells inside: a cell's bin still takes
     * the row's pixels left to right, but consecutive adds go to different
     * cells, so their rounding chains overlap instead of queueing. */
    for (size_t dx = 0; dx < cc; dx++) {
        for (size_t cx = 0; cx < pl->n_cells_c; cx++) {
            float *a = acc + cx * n;
            size_t x = cx * cc + dx;
            int b = bin[x];
            double m = mag[x];
            if (b < 0) {
                if (b == HK_BIN_SKIP)
                    continue;
                b = hk_skimage_bin(hk_skimage_angle(g_row[x], g_col[x]), ni);
                if (b < 0)
                    continue;
                m = hypot(g_col[x], g_row[x]);
            }
            a[b] = (float)((double)a[b] + m);
        }
    }
}

/* The zeros past the last cell of a transposed row (the wide kernel reads
 * them as blocks past the last one, whose results it drops). */
static void pad_row(const plan *pl, float *h)
{
    if (pl->wide)
        for (size_t j = 0; j < pl->n; j++)
            memset(h + j * pl->pitch + pl->n_cells_c, 0,
                   (pl->pitch - pl->n_cells_c) * sizeof(float));
}

/* The same for 8-bit grey rows, with bins and magnitudes from the tables.
 * Cells here have n + 1 slots: slot n takes the pixels that cast no vote. */
static void accumulate_lut(const plan *pl, const int32_t *bidx, const int32_t *midx, float *acc)
{
    const size_t cc = pl->cc, n1 = pl->n + 1, ncx = pl->n_cells_c;
    const uint8_t *lbin = pl->lut->bin;
    const double *lmag = pl->lut->mag;
    /* pointers walked by constant steps: the loop's addresses are base +
     * index forms, with no multiply or extra add per pixel */
    const ptrdiff_t to_m = midx - bidx;
    for (size_t dx = 0; dx < cc; dx++) {
        const int32_t *b = bidx + dx, *end = b + ncx * cc, *end2 = b + ncx / 2 * 2 * cc;
        float *a = acc;
        for (; b != end2; b += 2 * cc, a += 2 * n1) { /* two cells a step */
            size_t bin0 = lbin[(uint32_t)b[0]], bin1 = lbin[(uint32_t)b[cc]] + n1;
            double m0 = lmag[(uint32_t)b[to_m]], m1 = lmag[(uint32_t)b[to_m + (ptrdiff_t)cc]];
            a[bin0] = (float)((double)a[bin0] + m0);
            a[bin1] = (float)((double)a[bin1] + m1);
        }
        if (b != end) {
            size_t bin = lbin[(uint32_t)*b];
            a[bin] = (float)((double)a[bin] + lmag[(uint32_t)b[to_m]]);
        }
    }
}

static void cell_rows_lut(const plan *pl, size_t r0, size_t r1, unsigned char *scratch)
{
    const hk_image *im = pl->im;
    int32_t *bidx = (int32_t *)(scratch + pl->off_gr), *midx = (int32_t *)(scratch + pl->off_gc);
    float *acc = (float *)(scratch + pl->off_acc);
    const float area = (float)(pl->cr * pl->cc);
    for (size_t r = r0; r < r1; r++) {
        memset(acc, 0, pl->n_cells_c * (pl->n + 1) * sizeof(float));
        for (size_t y = r * pl->cr; y < (r + 1) * pl->cr; y++) {
            const uint8_t *row = (const uint8_t *)im->data + y * im->stride;
            int inner = y > 0 && y + 1 < im->height;
            pl->k->u8_index(inner ? row - im->stride : NULL, row, inner ? row + im->stride : NULL,
                            im->width, pl->n_px, bidx, midx);
            accumulate_lut(pl, bidx, midx, acc);
        }
        float *h = pl->hist + r * pl->hist_row;
        /* value j of cell cx goes to h[cx * sx + j * sj] */
        const size_t sx = pl->wide ? 1 : pl->n, sj = pl->wide ? pl->pitch : 1;
        if (hk_pow2_area(pl->cr * pl->cc)) /* x * (1 / area) == x / area, exactly */
            for (size_t cx = 0; cx < pl->n_cells_c; cx++)
                for (size_t j = 0; j < pl->n; j++)
                    h[cx * sx + j * sj] = acc[cx * (pl->n + 1) + j] * (1.0f / area);
        else
            for (size_t cx = 0; cx < pl->n_cells_c; cx++)
                for (size_t j = 0; j < pl->n; j++)
                    h[cx * sx + j * sj] = acc[cx * (pl->n + 1) + j] / area;
        pad_row(pl, h);
    }
}

/* Cell rows [r0, r1) into pl->hist, with one worker's scratch. */
static void cell_rows(const plan *pl, size_t r0, size_t r1, unsigned char *scratch)
{
    const hk_image *im = pl->im;
    double *rows = (double *)scratch; /* ring of three work rows, slot y % 3 */
    double *g_row = (double *)(scratch + pl->off_gr), *g_col = (double *)(scratch + pl->off_gc);
    double *mag = (double *)(scratch + pl->off_mag);
    int32_t *bin = (int32_t *)(scratch + pl->off_bin);
    float *acc = (float *)(scratch + pl->off_acc);
    const float area = (float)(pl->cr * pl->cc);
    size_t y0 = r0 * pl->cr, y1 = r1 * pl->cr, loaded;
    if (pl->lut) {
        cell_rows_lut(pl, r0, r1, scratch);
        return;
    }

    if (y0 > 0)
        load_row(pl, y0 - 1, rows + ((y0 - 1) % 3) * pl->wc);
    load_row(pl, y0, rows + (y0 % 3) * pl->wc);
    loaded = y0;
    for (size_t r = r0; r < r1; r++) {
        memset(acc, 0, pl->cells_row * sizeof(float));
        for (size_t y = r * pl->cr; y < (r + 1) * pl->cr && y < y1; y++) {
            if (y + 1 < im->height && loaded < y + 1) {
                load_row(pl, y + 1, rows + ((y + 1) % 3) * pl->wc);
                loaded = y + 1;
            }
            int inner = y > 0 && y + 1 < im->height;
            const double *above = inner ? rows + ((y - 1) % 3) * pl->wc : NULL;
            const double *below = inner ? rows + ((y + 1) % 3) * pl->wc : NULL;
            const double *row = rows + (y % 3) * pl->wc;
            if (im->channels == 1)
                pl->k->gradient(above, row, below, im->width, pl->n_px, pl->f32, g_row, g_col);
            else
                colour_gradient(pl, above, row, below, g_row, g_col);
            pl->k->bins(g_row, g_col, pl->n_px, &pl->consts, bin, mag);
            accumulate(pl, g_row, g_col, bin, mag, acc);
        }
        float *h = pl->hist + r * pl->hist_row;
        const size_t sx = pl->wide ? 1 : pl->n, sj = pl->wide ? pl->pitch : 1;
        for (size_t cx = 0; cx < pl->n_cells_c; cx++)
            for (size_t j = 0; j < pl->n; j++)
                h[cx * sx + j * sj] = acc[cx * pl->n + j] / area;
        pad_row(pl, h);
    }
}

static void block_rows(const plan *pl, size_t b0, size_t b1, unsigned char *scratch)
{
    double *buf = (double *)(scratch + pl->off_block);
    size_t row_out = pl->nbc * pl->block_n;
    for (size_t r = b0; r < b1; r++)
        pl->k->blocks(pl->hist + r * pl->hist_row, pl->hist_row, pl->nbc, pl->br, pl->bc, pl->n,
                      pl->p->block_norm, pl->hints, buf, pl->out + r * row_out);
}

/* One call of the threads for cells and blocks. Tasks 0 .. n_bands - 1
 * compute cell band t (cell rows [tB, tB + B)); task n_bands + j normalises
 * block band j (block rows [jB, jB + B)), which needs cell bands j ..
 * last_band(j) and counts them down in pending[j]. Tasks are handed out in
 * order, so every cell task has been taken (and is running or done) before
 * a block task is: a block task waits, if at all, for a running cell band,
 * never for one nobody holds. Cells first and blocks after keeps each
 * phase's tables and rows in cache, as two passes would, without a second
 * start of the threads or a barrier between. What a cell or block computes
 * never depends on who does it: results are the same for any thread count. */
typedef struct run_state {
    const plan *pl;
    unsigned char **scratch; /* per worker, 64-aligned */
    atomic_int *pending;     /* per block band: cell bands still to come */
    unsigned char *bad;      /* per cell band: a non-finite cell (float input) */
    size_t n_bands, n_block_bands;
} run_state;

static size_t last_band(const run_state *s, size_t j)
{
    size_t end = (j + 1) * HK_SKIMAGE_BAND; /* one past the band's last block row */
    if (end > s->pl->nbr)
        end = s->pl->nbr;
    size_t last = (end + s->pl->br - 2) / HK_SKIMAGE_BAND; /* band of its last cell row */
    return last < s->n_bands ? last : s->n_bands - 1;
}

/* Float samples near the type's range overflow the gradients or the cell
 * sums to Inf; the scalar path (skimage.c) refuses such an image with
 * HK_ERR_DOMAIN and so must this one. Integer samples cannot overflow. */
static int rows_finite(const plan *pl, size_t r0, size_t r1)
{
    if (pl->im->type != HK_F32 && pl->im->type != HK_F64)
        return 1;
    for (size_t i = r0 * pl->hist_row; i < r1 * pl->hist_row; i++)
        if (!isfinite(pl->hist[i]))
            return 0;
    return 1;
}

static void band_task(void *arg, size_t t, int worker)
{
    run_state *s = arg;
    const plan *pl = s->pl;
    if (t < s->n_bands) {
        size_t r0 = t * HK_SKIMAGE_BAND, r1 = r0 + HK_SKIMAGE_BAND;
        if (r1 > pl->n_cells_r)
            r1 = pl->n_cells_r;
        cell_rows(pl, r0, r1, s->scratch[worker]);
        s->bad[t] = !rows_finite(pl, r0, r1);
        /* release: the block band's task sees these cells */
        for (size_t j = t < s->n_block_bands ? t + 1 : s->n_block_bands; j-- > 0;) {
            if (last_band(s, j) < t)
                break;
            atomic_fetch_sub_explicit(&s->pending[j], 1, memory_order_release);
        }
        return;
    }
    size_t j = t - s->n_bands, b1 = (j + 1) * HK_SKIMAGE_BAND;
    while (atomic_load_explicit(&s->pending[j], memory_order_acquire) != 0)
        sched_yield(); /* a cell band another thread is finishing */
    block_rows(pl, j * HK_SKIMAGE_BAND, b1 < pl->nbr ? b1 : pl->nbr, s->scratch[worker]);
}

static unsigned char *align64(void *p)
{
    return (unsigned char *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
}

hk_status hk_skimage_fast(hk_hog_ctx *ctx, const hk_skimage_params *p, const hk_image *im,
                          float *out, const hk_skimage_kernels *k, int threads)
{
    plan pl;
    hk_status st = plan_init(&pl, p, im, k);
    if (st != HK_OK)
        return st;
    run_state s = {&pl, NULL, NULL, NULL, 0, 0};
    s.n_bands = (pl.n_cells_r + HK_SKIMAGE_BAND - 1) / HK_SKIMAGE_BAND;
    s.n_block_bands = (pl.nbr + HK_SKIMAGE_BAND - 1) / HK_SKIMAGE_BAND;
    /* shared scratch (64-aligned): histograms, counters, flags */
    size_t hist_n, hist_b, cnt_b, shared_b;
    if (!hk_mul_size(pl.n_cells_r, pl.hist_row, &hist_n) ||
        !hk_mul_size(hist_n, sizeof(float), &hist_b) || !hk_add_size(hist_b, 63, &hist_b) ||
        !hk_mul_size(s.n_block_bands + 1, sizeof(atomic_int), &cnt_b) ||
        !hk_add_size(hist_b, cnt_b, &shared_b) || !hk_add_size(shared_b, s.n_bands + 64, &shared_b))
        return HK_ERR_OVERFLOW;
    hist_b &= ~(size_t)63;
    if ((size_t)threads > s.n_bands)
        threads = (int)s.n_bands;
    if (threads < 1)
        threads = 1;

    unsigned char *scratch[HK_MAX_WORKERS], *base;
    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;
    if (threads == 1) {
        /* the calling thread only: everything in ctx's own scratch */
        size_t total;
        if (!hk_add_size(shared_b, 64, &total) || !hk_add_size(total, pl.worker_bytes, &total))
            return HK_ERR_OVERFLOW;
        if (!(base = hk_ctx_scratch(ctx, total)))
            return HK_ERR_NOMEM;
        scratch[0] = align64(align64(base) + shared_b);
    } else {
        if (!(base = hk_ctx_scratch(ctx, shared_b)))
            return HK_ERR_NOMEM;
        for (int w = 0; w < threads; w++) {
            hk_hog_ctx *wc = hk_ctx_worker(ctx, w);
            unsigned char *ws = wc ? hk_ctx_scratch(wc, pl.worker_bytes) : NULL;
            if (!ws)
                return HK_ERR_NOMEM;
            scratch[w] = align64(ws);
        }
    }
    pl.hist = (float *)align64(base);
    s.pending = (atomic_int *)((unsigned char *)pl.hist + hist_b);
    s.bad = (unsigned char *)(s.pending + s.n_block_bands + 1);
    s.scratch = scratch;
    for (size_t j = 0; j < s.n_block_bands; j++)
        atomic_init(&s.pending[j], (int)(last_band(&s, j) - j + 1));
    pl.out = out;
    if (im->type == HK_U8 && im->channels == 1 && !p->transform_sqrt &&
        p->orientations <= HK_LUT_MAX_ORIENTATIONS &&
        ((uint64_t)im->width * im->height >= HK_LUT_MIN_PIXELS || ctx->lut_eager ||
         (ctx->skimage_lut && ctx->skimage_lut->n == p->orientations)))
        pl.lut = hk_skimage_lut_get(ctx, p->orientations, k); /* NULL: kernels */
    if (!pl.lut) /* the tables replace the bins kernel and its constants */
        hk_skbin_consts_init(&pl.consts, p->orientations);
    if (threads == 1) /* in task order: no block band ever waits */
        for (size_t t = 0; t < s.n_bands + s.n_block_bands; t++)
            band_task(&s, t, 0);
    else
        hk_parallel_run(threads, s.n_bands + s.n_block_bands, band_task, &s);
    for (size_t t = 0; t < s.n_bands; t++)
        if (s.bad[t])
            return HK_ERR_DOMAIN;
    return HK_OK;
}

static const hk_skimage_kernels *kernels_for(hk_simd isa)
{
    switch (isa) {
    case HK_SIMD_AVX2: return hk_skimage_kernels_avx2();
    case HK_SIMD_AVX512: return hk_skimage_kernels_avx512();
    default: return hk_skimage_kernels_generic();
    }
}

hk_status hk_skimage_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                         float *out)
{
    hk_simd isa;
    hk_status st = hk_simd_resolve(params->simd, &isa);
    if (st != HK_OK)
        return st;
    if (isa == HK_SIMD_SCALAR)
        return hk_skimage_extract(ctx, &params->skimage, im, out);
    return hk_skimage_fast(ctx, &params->skimage, im, out, kernels_for(isa),
                           hk_threads_resolve(params->threads));
}
