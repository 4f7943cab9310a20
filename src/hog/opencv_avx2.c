/*
 * OpenCV variant, AVX2 path: the driver (method in opencv_fast.h, units in
 * opencv_avx2.h). Compiled with -mavx2 -mfma (CMakeLists.txt); without them
 * (HK_SCALAR_ONLY, other CPUs) only stubs are built and the scalar
 * reference path runs.
 *
 * With the geometry's plan (opencv_avx2_plan.c) a call only walks the
 * pixels: per padded row the gamma-corrected planar row (a ring of three)
 * and the gradient and votes (hk__grad_row_avx2, shared with the
 * detector); per band the runs (opencv_avx2_band.c); per completed block
 * row the dot products and the normalisation (opencv_avx2_block.c).
 */
#include <stdint.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "detect/level.h"
#include "hog/hog_internal.h"
#include "hog/opencv_avx2.h"
#include "hog/opencv_fast.h"

#ifdef __AVX2__
#include <immintrin.h>

#include "simd/stream_avx2.h"

int hk_ocv_avx2_usable(void)
{
    return hk__cpu_has_avx2_fma();
}

/* One planar, gamma-corrected input row for padded columns -1 .. pwidth
 * (f[-1] .. f[pwidth]) from image row `src` (reflect-101 at the sides). */
static void convert_row(const hk_ocv_geometry *g, const uint8_t *src, unsigned cn,
                        const int *xmap, const float *lut, float *const *f)
{
    const long pw = (long)g->pwidth, lo = g->pad_x, hi = g->pad_x + (long)g->width;
    for (long x = -1; x < lo; x++)
        for (unsigned c = 0; c < cn; c++)
            f[c][x] = lut[src[(size_t)xmap[x] * cn + c]];
    long x = lo;
    if (cn == 1 && !g->gamma_correction) {
        for (; x + 8 <= hi; x += 8) {
            __m128i b = _mm_loadl_epi64((const __m128i *)(src + (x - lo)));
            _mm256_storeu_ps(f[0] + x, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)));
        }
        if (x + 4 <= hi) { /* 28-pixel rows: no scalar tail */
            int32_t q;
            memcpy(&q, src + (x - lo), 4);
            _mm_storeu_ps(f[0] + x, _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(q))));
            x += 4;
        }
        for (; x < hi; x++)
            f[0][x] = (float)src[x - lo];
    } else if (cn == 1) {
        for (; x < hi; x++)
            f[0][x] = lut[src[x - lo]];
    } else {
        for (; x < hi; x++) {
            const uint8_t *px = src + (size_t)(x - lo) * 3;
            f[0][x] = lut[px[0]];
            f[1][x] = lut[px[1]];
            f[2][x] = lut[px[2]];
        }
    }
    for (x = hi; x <= pw; x++)
        for (unsigned c = 0; c < cn; c++)
            f[c][x] = lut[src[(size_t)xmap[x] * cn + c]];
}
/* A small image (a batch of thumbnails) is not streamed long enough for
 * the hardware prefetcher: its rows are fetched at the start of the call,
 * so that the misses overlap instead of stalling row by row. */
#define PREFETCH_MAX ((size_t)16 << 10)
static void prefetch_small(const hk_image *im)
{
    const size_t row = (size_t)im->width * im->channels;
    if (im->stride * (im->height - 1) + row > PREFETCH_MAX)
        return;
    /* every line from the first sample to the last (rows are close) */
    const uintptr_t a = (uintptr_t)im->data, end = a + im->stride * (im->height - 1) + row;
    for (uintptr_t l = a & ~(uintptr_t)63; l < end; l += 64)
        __builtin_prefetch((const void *)l, 0, 3);
}

/* Descriptors up to this size are made in the scratch and then streamed
 * to the caller's buffer (stream_out): a batch writes far more descriptor
 * bytes than it reads pixels, and stores that miss the cache would first
 * read each line from memory (and stall on it); streaming stores do not.
 * Larger descriptors are stored in place. */
#define STAGE_MAX ((size_t)64 << 10)

/* Copies n floats to dst with streaming stores (hk__stream_lines), fenced. */
static void stream_out(float *dst, const float *src, size_t n)
{
    hk__stream_lines(dst, src, n);
    _mm_sfence(); /* ordered before any later store, as ordinary stores are */
}

/* One call's work shared by its tasks: the geometry, the plan, the image,
 * where the blocks go, and each worker's scratch (p->work bytes, laid out
 * by p->at). */
typedef struct ocv_job {
    const hk_ocv_geometry *g;
    const struct hk_ocv_plan *p;
    const hk_image *im;
    float *out;
    size_t sx, sy;
    size_t rows_per_task; /* block rows of a task */
    unsigned char *scratch[HK_MAX_WORKERS];
    int bad[HK_MAX_WORKERS]; /* a worker stored a non-finite value */
} ocv_job;

/* The first block row that holds row y0, the first row of a band k: block
 * rows from it up to k hold the band's rows (build_schedule's gy_lo). */
static size_t first_block_row(const ocv_job *j, size_t y0)
{
    const size_t cs = (size_t)j->g->cs_y, bh = (size_t)j->g->block_h;
    return y0 + 1 > bh ? (y0 + 1 - bh + cs - 1) / cs : 0;
}

/* Block rows [gy0, gy1) into j->out, with one worker's scratch m. Block row
 * gy starts at band gy (row gy * cs_y) and is complete after the band of its
 * last row, so the walk goes over those bands only, in order. A band also
 * holds rows of block rows outside [gy0, gy1) (the rows next to them): their
 * targets are left out of the runs (a run lists its targets by block row,
 * ascending, so the kept ones are a contiguous part of it) and rows that
 * only they need are not computed. What a kept target receives is what it
 * receives in the one-task walk: the same votes (rows are computed the same
 * way whoever does it), the same runs and weights, each target's sums in
 * registers of their own (hk__ocv_band_add) - so the blocks have the same
 * bits for any split of the block rows. Returns nonzero when a stored value
 * is not finite. */
static int walk(const ocv_job *j, unsigned char *m, size_t gy0, size_t gy1)
{
    const hk_ocv_geometry *g = j->g;
    const struct hk_ocv_plan *p = j->p;
    const unsigned cn = j->im->channels;
    const hk__ocv_sizes *s = &p->s;
    float *conv = (float *)(m + p->at[HK__OCV_CONV]), *dx = (float *)(m + p->at[HK__OCV_DX]);
    float *dy = (float *)(m + p->at[HK__OCV_DY]), *acc = (float *)(m + p->at[HK__OCV_ACC]);
    float *va0 = (float *)(m + p->at[HK__OCV_A0]), *va1 = (float *)(m + p->at[HK__OCV_A1]);
    uint8_t *vh0 = m + p->at[HK__OCV_H0];
    float *tmp = (float *)(m + p->at[HK__OCV_TMP]), **tg = (float **)(m + p->at[HK__OCV_TG]);
    const size_t pw = g->pwidth, wacc = s->wacc, cs = (size_t)g->cs_y, bh = (size_t)g->block_h;
    const size_t h0len = wacc + 16, lanes = p->lanes, ring = s->ring;
    const int nbins = g->nbins;
    const hk__ocv_finish fin = {g->grid_x, (size_t)g->cs_x, g->block_len, s->bwp,
                                p->u, p->kcx, p->koff, g->threshold};
    /* columns past the padded image vote nothing */
    for (size_t r = 0; r < s->brows; r++) {
        memset(va0 + r * wacc + pw, 0, (wacc - pw) * sizeof(float));
        memset(va1 + r * wacc + pw, 0, (wacc - pw) * sizeof(float));
        memset(vh0 + r * h0len + pw, 0, h0len - pw);
    }
    /* The gradient runs over whole vectors (its scalar tail is slow) on
     * rows padded with zeros, unless that moves the end of OpenCV's 4-lane
     * colour-choice loop (pwidth & ~3), whose tie rule differs from its
     * tail's. */
    const size_t gw = cn == 1 || pw % 4 == 0 ? (pw + 7) & ~(size_t)7 : pw;
    memset(conv, 0, 3 * (size_t)cn * s->rowlen * sizeof(float));
    const float *rowp[3][3];
    long conv_row[3] = {-3, -3, -3};
    int bad = 0;
    /* the bands of the block rows: from the first one's to the last one's last */
    const size_t k_end = ((gy1 - 1) * cs + bh - 1) / cs + 1;
    /* Bands of cs_y rows: block rows start at band starts, so a band's
     * targets are known (and zeroed) before anything is added to them. */
    for (size_t k = gy0; k < k_end && k < s->nbands; k++) {
        const hk__ocv_band *b = &p->bands[k];
        const size_t y0 = k * cs, nr = b->nr, gy_lo = first_block_row(j, y0);
        if (k < gy1) /* (the rows of block row k: later ones are not this walk's) */
            for (size_t z = 0; z < b->nzero; z++)
                memset(acc + p->zoff[b->zero0 + z], 0, (size_t)nbins * wacc * sizeof(float));
        for (size_t r = 0; r < nr; r++) {
            const size_t y = y0 + r;
            float *a0 = va0 + r * wacc, *a1 = va1 + r * wacc;
            uint8_t *h0 = vh0 + r * h0len;
            size_t ry_lo = y + 1 > bh ? (y + 1 - bh + cs - 1) / cs : 0, ry_hi = y / cs;
            if (ry_hi >= gy1)
                ry_hi = gy1 - 1;
            if (ry_lo < gy0)
                ry_lo = gy0;
            if (ry_lo > ry_hi) {
                /* a row outside every block of the walk (block stride >
                 * block, or a neighbour's row) */
                memset(a0, 0, wacc * sizeof(float));
                memset(a1, 0, wacc * sizeof(float));
                memset(h0, 0, h0len);
                continue;
            }
            const float *const *pl[3];
            for (int i = 0; i < 3; i++) {
                long want = (long)y - 1 + i;
                int slot = (int)((want + 3) % 3);
                if (conv_row[slot] != want) {
                    size_t iy = hk_ocv_reflect101(want - g->pad_y, g->height);
                    float *f[3];
                    for (unsigned c = 0; c < cn; c++) {
                        f[c] = conv + ((size_t)slot * cn + c) * s->rowlen + 1;
                        rowp[slot][c] = f[c];
                    }
                    convert_row(g, (const uint8_t *)j->im->data + iy * j->im->stride, cn,
                                p->xmap, p->lut, f);
                    conv_row[slot] = want;
                }
                pl[i] = rowp[slot];
            }
            hk__grad_row_avx2(pl[0], pl[1], pl[2], (int)cn, (int)gw, nbins, g->signed_gradient,
                              dx, dy, h0, a0, a1);
            /* the lanes past the image vote nothing (their bins are valid
             * bins: any will do); a row holds pw + 7 lanes and more */
            _mm256_storeu_ps(a0 + pw, _mm256_setzero_ps());
            _mm256_storeu_ps(a1 + pw, _mm256_setzero_ps());
        }
        /* strips of columns outside the runs, so that the runs of a band
         * meet their column sums in the L1 cache */
        const size_t strip = 64;
        for (size_t xs = 0; xs < lanes; xs += strip) {
            const size_t n = lanes - xs < strip ? lanes - xs : strip;
            for (size_t i = 0; i < b->nruns; i++) {
                const hk__ocv_run *run = &p->runs[b->run0 + i];
                /* this walk's targets t0 .. t1 - 1 of the run; a target's
                 * block row is the one of band k's block rows (gy_lo ..
                 * k, fewer than `ring`) in its ring slot */
                int t0 = run->n, t1 = 0;
                for (int t = 0; t < run->n; t++) {
                    const size_t si = p->toff[run->tgt + (size_t)t] / s->slot;
                    const size_t gy = gy_lo + (si + ring - gy_lo % ring) % ring;
                    if (gy >= gy0 && gy < gy1) {
                        t0 = t < t0 ? t : t0;
                        t1 = t + 1;
                    }
                }
                if (t1 <= t0)
                    continue;
                for (int t = t0; t < t1; t++)
                    tg[t - t0] = acc + p->toff[run->tgt + (size_t)t] + xs;
                const hk__ocv_votes v = {vh0 + run->r0 * h0len + xs, h0len,
                                         va0 + run->r0 * wacc + xs, va1 + run->r0 * wacc + xs,
                                         wacc};
                const uint64_t fresh = t0 < 64 ? run->fresh >> t0 : 0;
                hk__ocv_band_add(&v, run->len, wacc, n, nbins, tg,
                                 p->tw + run->wt + (size_t)t0 * run->len, run->len, fresh,
                                 t1 - t0);
            }
        }
        for (size_t gy = b->fin_lo; gy <= b->fin_hi; gy++)
            if (gy >= gy0 && gy < gy1)
                bad |= hk__ocv_finish_row(&fin, acc + (gy % ring) * s->slot, tmp,
                                          j->out + gy * j->sy, j->sx);
    }
    return bad;
}

static void walk_task(void *arg, size_t task, int worker)
{
    ocv_job *j = arg;
    const size_t gy0 = task * j->rows_per_task, n = j->g->grid_y - gy0;
    j->bad[worker] |= walk(j, j->scratch[worker], gy0,
                           gy0 + (n < j->rows_per_task ? n : j->rows_per_task));
}

/* Fewer padded pixels than this per thread run on one thread (starting
 * threads would cost more than they give). */
#define MIN_PIXELS_PER_THREAD ((size_t)1 << 17)
/* Block rows per task at least this many: two neighbouring tasks both
 * compute the gradient of the ring - 1 bands their block rows share, so
 * thin tasks would add work. */
#define MIN_TASK_ROWS 24

hk_status hk_ocv_avx2_grid_threads(hk_hog_ctx *ctx, const hk_ocv_geometry *g,
                                   const hk_image *im, float *out, size_t sx, size_t sy,
                                   float **grid, int threads)
{
    const unsigned cn = im->channels;
    size_t grid_n = 0, total, grid_at = 0;
    const struct hk_ocv_plan *p;
    hk_status st = hk__ocv_plan_get(ctx, g, cn, &p);
    if (st != HK_OK)
        return st;
    if (!out && (st = hk_ocv_grid_count(g, &grid_n)) != HK_OK)
        return st;
    total = p->work;
    if (grid_n && !hk__ocv_carve(&total, grid_n * sizeof(float), &grid_at))
        return HK_ERR_OVERFLOW;
    /* the descriptor's span: from the first block to the end of the last */
    const size_t span = out ? (g->grid_x - 1) * sx + (g->grid_y - 1) * sy + g->block_len : 0;
    size_t stage_at = 0;
    /* (only when the blocks tile it: no gap of the caller's left unwritten) */
    const int stage = out && span <= STAGE_MAX / sizeof(float) &&
                      span == g->grid_x * g->grid_y * g->block_len &&
                      hk__ocv_carve(&total, span * sizeof(float), &stage_at);
    unsigned char *m = hk_ctx_scratch(ctx, total);
    if (!m)
        return HK_ERR_NOMEM;
    float *final = out;
    if (stage)
        out = (float *)(m + stage_at);
    if (!out) {
        out = (float *)(m + grid_at);
        sx = g->block_len;
        sy = g->grid_x * g->block_len;
        *grid = out;
    }
    prefetch_small(im);
    ocv_job j = {.g = g, .p = p, .im = im, .out = out, .sx = sx, .sy = sy};
    /* threads: for images with enough pixels, tasks of whole block rows
     * (two per thread when the rows allow: a thread that starts late or is
     * slowed evens out on the second) */
    size_t npix = g->pwidth * g->pheight, tasks = 1;
    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;
    if (stage || threads < 2 || npix / MIN_PIXELS_PER_THREAD < 2)
        threads = 1;
    else if ((size_t)threads > npix / MIN_PIXELS_PER_THREAD)
        threads = (int)(npix / MIN_PIXELS_PER_THREAD);
    if (threads > 1) {
        tasks = 2 * (size_t)threads;
        while (tasks > 1 && g->grid_y / tasks < MIN_TASK_ROWS)
            tasks--;
        if ((size_t)threads > tasks)
            threads = (int)tasks;
    }
    j.rows_per_task = (g->grid_y + tasks - 1) / tasks;
    tasks = (g->grid_y + j.rows_per_task - 1) / j.rows_per_task;
    int bad = 0;
    if (threads < 2 || tasks < 2) {
        bad = walk(&j, m, 0, g->grid_y);
    } else {
        j.scratch[0] = m;
        for (int w = 1; w < threads; w++) {
            hk_hog_ctx *wc = hk_ctx_worker(ctx, w);
            if (!wc || !(j.scratch[w] = hk_ctx_scratch(wc, p->work)))
                return HK_ERR_NOMEM;
        }
        hk_parallel_run(threads, tasks, walk_task, &j);
        for (int w = 0; w < threads; w++)
            bad |= j.bad[w];
    }
    /* a value overflowed (hostile weights or threshold): refused, as the
     * front end refuses non-finite output of the other variants */
    if (stage)
        stream_out(final, out, span);
    return bad ? HK_ERR_DOMAIN : HK_OK;
}

hk_status hk_ocv_avx2_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                           float *out, size_t sx, size_t sy, float **grid)
{
    return hk_ocv_avx2_grid_threads(ctx, g, im, out, sx, sy, grid, 1);
}

#else

int hk_ocv_avx2_usable(void)
{
    return 0;
}

hk_status hk_ocv_avx2_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                           float *out, size_t sx, size_t sy, float **grid)
{
    (void)ctx, (void)g, (void)im, (void)out, (void)sx, (void)sy, (void)grid;
    return HK_ERR_UNSUPPORTED;
}

hk_status hk_ocv_avx2_grid_threads(hk_hog_ctx *ctx, const hk_ocv_geometry *g,
                                   const hk_image *im, float *out, size_t sx, size_t sy,
                                   float **grid, int threads)
{
    (void)threads;
    return hk_ocv_avx2_grid(ctx, g, im, out, sx, sy, grid);
}

#endif
