/* Driver of the dlib variant's fast path (layout: dlib_fast.h).
 *
 * Votes are summed per pixel column first: the image rows that vote into
 * one pair of histogram rows (one "group", equal iyp) add each pixel's
 * (vy1 |g|, vy0 |g|) into its column's accumulator (18 bins x 2 rows), a
 * strip of HK_DLIB_STRIP columns at a time; then each cell's columns are
 * weighted with vx1, vx0 and added to the histogram. No two pixels of a row
 * add to one place, so the adds never wait for each other, and the order of
 * every sum is fixed by the geometry alone. Threads split the histogram
 * rows into bands; a band walks every group that votes into its rows and
 * adds only to its own rows, so any banding, hence any thread count, gives
 * the same bits. The sums are in another order than dlib's (pixel order per
 * cell), which changes the last bits (tests/unit/test_dlib_paths.c bounds
 * the difference); the bins are dlib's exactly. */
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/dlib_fast.h"
#include "hog/fhog_common.h"
#include "hog/hog_internal.h"
#include "simd/cpu.h"

/* Fewer pixels than this run on one thread: starting threads costs more. */
#define DLIB_MIN_PIXELS_PER_THREAD (1u << 17)
/* Output rows of at least this many cells go through a row buffer. */
#define DLIB_FEATURE_COPY 32
/* Zero ints after every converted row plane: vector reads past the width. */
#define ROW_PAD 16
static size_t round8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

typedef struct plan {
    const hk_image *im;
    const hk_dlib_kernels *k;
    int cs, rgb;
    long cells_nr, cells_nc, visible_nr, visible_nc;
    size_t hog_nr, hog_nc, hs, ns, cstride;
    hk_dlib_cols cols;
    const int32_t *iyp; /* per image row y: iyp */
    const float *vy0;   /* per image row y: vy0 */
    float *hist, *norm;
    /* output: plane 0 at (off_r, off_c), rows of out_cols */
    float *out;
    size_t out_cols, plane, off_r, off_c;
    size_t band; /* histogram rows per task */
    /* per worker scratch: column accumulators, kernel work, a spare row,
     * the converted rows of one group (max_group + 2 rows) */
    size_t worker_bytes, o_ab, o_work, o_spare, o_band, o_fbuf, max_group;
    /* strips of strip_px pixels: per strip its first cell and cell count
     * (tables); ps floats per bin of the accumulators */
    size_t strip_px, nstrips, ps;
    int ps_shift;
    const int32_t *strip;
    unsigned char *scratch[HK_MAX_WORKERS];
} plan;

/* 1 when rows are read as 8-bit samples (grey u8), else as planar ints. */
static int rows_u8(const plan *pl)
{
    return !pl->rgb && pl->im->type == HK_U8 && pl->im->channels == 1;
}

/* Row y into a ring slot: the 8-bit samples (rows_u8), or planar ints
 * (channel c at c * cstride). The padding after each row stays zero. */
static void convert_row(const plan *pl, size_t y, int32_t *dst)
{
    const hk_image *im = pl->im;
    const size_t w = im->width;
    const uint8_t *s = (const uint8_t *)im->data + y * im->stride;
    if (rows_u8(pl)) {
        memcpy(dst, s, w);
        return;
    }
    if (!pl->rgb) {
        hk_fhog_row_i32(im, y, 1, dst);
        return;
    }
    const unsigned ch = im->channels; /* 8-bit colour only */
    for (size_t x = 0; x < w; x++)
        for (unsigned c = 0; c < 3; c++)
            dst[c * pl->cstride + x] = s[x * ch + c];
}

static float *hist_row(const plan *pl, long r)
{
    return pl->hist + (size_t)r * 18u * pl->hs;
}

/* Output row y (needs histogram rows y + 1 .. y + 3 complete). The kernel
 * writes the 31 planes' rows into `buf` (L1/L2), then each is copied out in
 * one run: 31 interleaved output streams would miss the cache on every
 * line. */
static void feature_row(const plan *pl, size_t y, float *buf)
{
    float *o = pl->out + (y + pl->off_r) * pl->out_cols + pl->off_c;
    if (pl->hog_nc < DLIB_FEATURE_COPY) { /* few cells: copies cost more */
        pl->k->features(pl->norm + y * pl->ns, pl->norm + (y + 1) * pl->ns,
                        pl->norm + (y + 2) * pl->ns, hist_row(pl, (long)y + 2),
                        (int32_t)pl->hs, pl->hog_nc, o, pl->plane);
        return;
    }
    const size_t bs = round8(pl->hog_nc);
    pl->k->features(pl->norm + y * pl->ns, pl->norm + (y + 1) * pl->ns,
                    pl->norm + (y + 2) * pl->ns, hist_row(pl, (long)y + 2), (int32_t)pl->hs,
                    pl->hog_nc, buf, bs);
    for (size_t d = 0; d < 31; d++)
        memcpy(o + d * pl->plane, buf + d * bs, pl->hog_nc * sizeof(float));
}

/* Energy of complete histogram row r (norm row r - 1), for 1 <= r <= cells_nr. */
static void energy_row(const plan *pl, long r)
{
    if (r >= 1 && r <= pl->cells_nr)
        pl->k->energy(hist_row(pl, r), (int32_t)pl->hs, (size_t)pl->cells_nc,
                      pl->norm + (size_t)(r - 1) * pl->ns);
}

/* 8-bit grey row y as the kernel reads it: the image's own row, unless the
 * kernel's reads up to 8 bytes past the row's end would leave the image
 * (its last row without stride padding): then a zero-padded copy. */
static const uint8_t *u8_row(const plan *pl, size_t y, int32_t *spare)
{
    const hk_image *im = pl->im;
    const uint8_t *r = (const uint8_t *)im->data + y * im->stride;
    if (y + 1 < im->height || im->stride >= (size_t)im->width + 8u)
        return r;
    memcpy(spare, r, im->width);
    return (const uint8_t *)spare;
}

/* 1 when output row y is made by a band over [r0, r1). */
static int inside(long y, long r0, long r1)
{
    return y + 1 >= r0 && y + 3 < r1;
}

/* Energies and output rows of a band [r0, r1) whose histogram rows below
 * `lim` are complete, from the cursors on. */
static void finish(const plan *pl, long r0, long lim, long *energy_next, long *feat_next,
                   float *buf)
{
    for (; *energy_next < lim; ++*energy_next)
        energy_row(pl, *energy_next);
    for (; *feat_next + 3 < lim && *feat_next < (long)pl->hog_nr; ++*feat_next)
        if (*feat_next + 1 >= r0)
            feature_row(pl, (size_t)*feat_next, buf);
}

/* Histogram rows [r0, r1), their energies, and the output rows whose
 * histogram rows lie in the band. */
static void hist_band(const plan *pl, long r0, long r1, unsigned char *scratch)
{
    memset(hist_row(pl, r0), 0, (size_t)(r1 - r0) * 18u * pl->hs * sizeof(float));
    float *ab = (float *)(scratch + pl->o_ab);
    memset(ab, 0, 18u * pl->ps * sizeof(float));
    int32_t *work = (int32_t *)(scratch + pl->o_work), *spare = (int32_t *)(scratch + pl->o_spare);
    const size_t row_ints = (pl->rgb ? 3u : 1u) * pl->cstride;
    int32_t *band = (int32_t *)(scratch + pl->o_band);
    float *fbuf = (float *)(scratch + pl->o_fbuf);
    const int u8 = rows_u8(pl);
    /* image rows voting into [r0, r1): iyp + 2 >= r0 and iyp + 1 < r1 */
    long y0 = 1, y1 = pl->visible_nr;
    while (y0 < y1 && pl->iyp[y0] + 2 < r0)
        y0++;
    while (y1 > y0 && pl->iyp[y1 - 1] + 1 >= r1)
        y1--;
    long energy_next = r0, feat_next = r0 - 1 > 0 ? r0 - 1 : 0;
    hk_dlib_row v = {{NULL, NULL, NULL}, {NULL, NULL, NULL}, u8, pl->cstride, pl->rgb, 0, 0};
    for (long y = y0; y < y1;) {
        const long g = pl->iyp[y];
        long ye = y;
        while (ye < y1 && pl->iyp[ye] == g && ye - y < (long)pl->max_group)
            ye++;
        if (!u8) { /* rows y - 1 .. ye, converted once for every strip */
            memset(band, 0, (size_t)(ye - y + 2) * row_ints * sizeof(int32_t));
            for (long r = y - 1; r <= ye; r++)
                convert_row(pl, (size_t)r, band + (size_t)(r - y + 1) * row_ints);
        }
        float *row0 = g + 1 >= r0 && g + 1 < r1 ? hist_row(pl, g + 1) : NULL;
        float *row1 = g + 2 >= r0 && g + 2 < r1 ? hist_row(pl, g + 2) : NULL;
        for (size_t k = 0; k < pl->nstrips; k++) {
            const size_t xs = 1u + k * pl->strip_px;
            const size_t xe = (size_t)pl->visible_nc - xs > pl->strip_px ? xs + pl->strip_px
                                                                          : (size_t)pl->visible_nc;
            const int32_t ixbase = pl->strip[2 * k];
            for (long r = y; r < ye; r++) {
                for (int i = 0; i < 3; i++) {
                    if (u8)
                        v.r8[i] = u8_row(pl, (size_t)(r - 1 + i), spare);
                    else
                        v.r[i] = band + (size_t)(r - y + i) * row_ints;
                }
                v.vy0 = pl->vy0[r];
                v.vy1 = 1.0f - v.vy0;
                pl->k->acc(&v, &pl->cols, xs, xe, ixbase, pl->ps_shift, pl->cs, ab, work);
            }
            pl->k->flush(ab, ixbase, pl->strip[2 * k + 1], (int32_t)pl->ps, row0, row1,
                         (int32_t)pl->hs);
        }
        y = ye;
        /* rows up to g + 1 are complete once group g is in */
        const long lim = y < y1 ? pl->iyp[y] + 1 : r1;
        finish(pl, r0, lim < r1 ? lim : r1, &energy_next, &feat_next, fbuf);
    }
    finish(pl, r0, r1, &energy_next, &feat_next, fbuf);
}

static void hist_task(void *arg, size_t task, int worker)
{
    plan *pl = arg;
    const long n = pl->cells_nr + 2, r0 = (long)(task * pl->band);
    hist_band(pl, r0, r0 + (long)pl->band < n ? r0 + (long)pl->band : n, pl->scratch[worker]);
}

/* Column tables (x < visible_nc; zero beyond, up to whole vectors). */
static void fill_cols(plan *pl, int32_t *ix, float *vx0, float *vx1, int32_t *tail, size_t n)
{
    memset(ix, 0, n * sizeof(*ix));
    memset(vx0, 0, n * sizeof(*vx0));
    memset(vx1, 0, n * sizeof(*vx1));
    memset(tail, 0, n * sizeof(*tail));
    const size_t split = hk_dlib_simd_end(pl->visible_nc);
    for (long x = 1; x < pl->visible_nc; x++) {
        const int simd = (size_t)x < split;
        long c;
        float w;
        hk_dlib_column(pl->cs, x, simd, &c, &w);
        ix[x] = (int32_t)c;
        vx0[x] = w;
        vx1[x] = 1.0f - w;
        tail[x] = simd ? 0 : -1;
    }
}

/* Column and row tables of one geometry, kept by the context: a
 * batch of equal images computes them once. */
struct hk_dlib_tables {
    int cs;
    size_t max_slots; /* most cells of one strip */
    uint32_t width, height;
    size_t bytes;
    unsigned char *data;
};

void hk_dlib_tables_free(struct hk_dlib_tables *t)
{
    if (t)
        free(t->data);
    free(t);
}

/* Sets pl's tables, from ctx's cache or computed; 0 when out of memory. */
static int tables_get(hk_hog_ctx *ctx, plan *pl, size_t ncols)
{
    hk_carve cv = {0, 1};
    const size_t o_ix = hk_carve_take(&cv, ncols, sizeof(int32_t));
    const size_t o_vx0 = hk_carve_take(&cv, ncols, sizeof(float));
    const size_t o_vx1 = hk_carve_take(&cv, ncols, sizeof(float));
    const size_t o_tail = hk_carve_take(&cv, ncols, sizeof(int32_t));
    const size_t o_iyp = hk_carve_take(&cv, (size_t)pl->visible_nr + 1u, sizeof(int32_t));
    const size_t o_vy0 = hk_carve_take(&cv, (size_t)pl->visible_nr + 1u, sizeof(float));
    const size_t o_strip = hk_carve_take(&cv, pl->nstrips, 2u * sizeof(int32_t));
    if (!cv.ok)
        return 0;
    struct hk_dlib_tables *t = ctx->dlib_tables;
    const int hit = t && t->cs == pl->cs && t->width == pl->im->width &&
                    t->height == pl->im->height;
    if (!hit) {
        if (!t && !(t = ctx->dlib_tables = calloc(1, sizeof(*t))))
            return 0;
        t->cs = 0; /* invalid until filled */
        if (t->bytes < cv.used) {
            free(t->data);
            t->bytes = 0;
            if (!(t->data = malloc(cv.used)))
                return 0;
            t->bytes = cv.used;
        }
    }
    unsigned char *base = t->data;
    int32_t *ix = (int32_t *)(base + o_ix), *iyp = (int32_t *)(base + o_iyp);
    float *vy0 = (float *)(base + o_vy0);
    int32_t *strip = (int32_t *)(base + o_strip);
    if (!hit) {
        fill_cols(pl, ix, (float *)(base + o_vx0), (float *)(base + o_vx1),
                  (int32_t *)(base + o_tail), ncols);
        for (long y = 1; y < pl->visible_nr; y++) {
            long r;
            hk_dlib_row_pos(pl->cs, y, &r, &vy0[y]);
            iyp[y] = (int32_t)r;
        }
        /* strip k: pixels 1 + k strip_px .. (whole strip_px, the last one
         * shorter); its cells ix from strip[2k], strip[2k + 1] of them */
        t->max_slots = 0;
        for (size_t k = 0; k < pl->nstrips; k++) {
            const size_t xs = 1u + k * pl->strip_px;
            const size_t xe = (size_t)pl->visible_nc - xs > pl->strip_px ? xs + pl->strip_px
                                                                          : (size_t)pl->visible_nc;
            int32_t lo = ix[xs], hi = ix[xs];
            for (size_t x = xs; x < xe; x++) {
                lo = ix[x] < lo ? ix[x] : lo;
                hi = ix[x] > hi ? ix[x] : hi;
            }
            strip[2 * k] = lo;
            strip[2 * k + 1] = hi - lo + 1;
            if ((size_t)(hi - lo + 1) > t->max_slots)
                t->max_slots = (size_t)(hi - lo + 1);
        }
        t->cs = pl->cs;
        t->width = pl->im->width;
        t->height = pl->im->height;
    }
    pl->cols = (hk_dlib_cols){ix, (const float *)(base + o_vx0), (const float *)(base + o_vx1),
                              (const int32_t *)(base + o_tail)};
    pl->iyp = iyp;
    pl->vy0 = vy0;
    pl->strip = strip;
    /* a power of two: bin offsets are shifts */
    for (pl->ps_shift = 5; ((size_t)1 << pl->ps_shift) < 4u * round8(t->max_slots);)
        pl->ps_shift++;
    pl->ps = (size_t)1 << pl->ps_shift;
    return 1;
}

/* 1 when every cell energy is finite, which makes every feature finite
 * (see hk_dlib_energies_finite): hk_hog_extract does not scan the output. */
static int norms_finite(const plan *pl)
{
    for (long r = 0; r < pl->cells_nr; r++)
        if (!hk_dlib_energies_finite(pl->norm + (size_t)r * pl->ns, (size_t)pl->cells_nc))
            return 0;
    return 1;
}

static unsigned char *align32(unsigned char *p)
{
    return (unsigned char *)(((uintptr_t)p + 31u) & ~(uintptr_t)31u);
}

hk_status hk_dlib_fast(hk_hog_ctx *ctx, const hk_dlib_params *p, const hk_image *im,
                       float *out, const hk_dlib_kernels *k, int threads)
{
    hk_shape shape;
    hk_status st = hk_dlib_shape(p, im->width, im->height, im->channels, &shape);
    if (st != HK_OK || shape.count == 0)
        return st;
    if ((st = hk_dlib_check_samples(im)) != HK_OK)
        return st;
    plan pl;
    memset(&pl, 0, sizeof(pl));
    pl.im = im;
    pl.k = k;
    pl.cs = p->cell_size;
    pl.rgb = im->channels >= 3;
    hk_dlib_cells(p->cell_size, im->height, im->width, &pl.cells_nr, &pl.cells_nc);
    pl.hog_nr = (size_t)pl.cells_nr - 2u;
    pl.hog_nc = (size_t)pl.cells_nc - 2u;
    const long vnr = pl.cells_nr * pl.cs < (long)im->height ? pl.cells_nr * pl.cs : (long)im->height;
    const long vnc = pl.cells_nc * pl.cs < (long)im->width ? pl.cells_nc * pl.cs : (long)im->width;
    pl.visible_nr = vnr - 1;
    pl.visible_nc = vnc - 1;
    /* every vector read stays inside these strides (see the kernels) */
    /* bin planes unpadded: vector reads past a plane's end read the next
     * plane (lanes dropped), and the array has slack after its last row */
    pl.hs = (size_t)pl.cells_nc + 2u;
    pl.ns = round8((size_t)pl.cells_nc) + 8u;
    pl.cstride = round8(im->width) + ROW_PAD;
    if (18u * pl.hs > (size_t)INT32_MAX) /* bin offsets are 32-bit in the kernels */
        return hk_dlib_extract(ctx, p, im, out);
    pl.out = out;
    pl.out_cols = shape.dims[2];
    pl.plane = shape.dims[1] * shape.dims[2];
    pl.off_r = (size_t)(p->filter_rows_padding - 1) / 2;
    pl.off_c = (size_t)(p->filter_cols_padding - 1) / 2;
    if (shape.dims[1] != pl.hog_nr || shape.dims[2] != pl.hog_nc)
        memset(out, 0, shape.count * sizeof(float)); /* padding borders are zero */

    /* shared scratch: histograms, energies, column and row tables */
    const size_t hrows = (size_t)pl.cells_nr + 2u, ncols = round8((size_t)pl.visible_nc) + 8u;
    size_t hist_n, norm_n, row_ints;
    if (!hk_mul_size(hrows * 18u, pl.hs, &hist_n) ||
        !hk_mul_size((size_t)pl.cells_nr + 1u, pl.ns, &norm_n) ||
        !hk_mul_size(pl.rgb ? 3u : 1u, pl.cstride, &row_ints))
        return HK_ERR_OVERFLOW;
    hk_carve cv = {0, 1};
    const size_t o_hist = hk_carve_take(&cv, hist_n + 32u, sizeof(float));
    const size_t o_norm = hk_carve_take(&cv, norm_n, sizeof(float));
    /* per worker: column accumulators, kernel work, a spare 8-bit row, and
     * (other than 8-bit grey) the converted rows of one group */
    pl.max_group = (size_t)pl.cs + 2u;
    /* strips of HK_DLIB_STRIP_CELLS cells (whole vectors of pixels) */
    pl.strip_px = (size_t)pl.cs < HK_DLIB_STRIP_MAX / HK_DLIB_STRIP_CELLS
                      ? (size_t)pl.cs * HK_DLIB_STRIP_CELLS
                      : HK_DLIB_STRIP_MAX;
    pl.strip_px &= ~(size_t)7u;
    pl.nstrips = ((size_t)pl.visible_nc - 2u) / pl.strip_px + 1u; /* pixels 1 .. visible_nc - 1 */
    if (!tables_get(ctx, &pl, ncols))
        return HK_ERR_NOMEM;
    size_t band_n = 0;
    if (!rows_u8(&pl) && !hk_mul_size(pl.max_group + 2u, row_ints, &band_n))
        return HK_ERR_OVERFLOW;
    hk_carve wv = {0, 1};
    pl.o_ab = hk_carve_take(&wv, pl.ps, 18u * sizeof(float));
    pl.o_work = hk_carve_take(&wv, pl.strip_px + 8u, 5u * sizeof(int32_t));
    pl.o_spare = hk_carve_take(&wv, pl.cstride, sizeof(int32_t));
    pl.o_band = hk_carve_take(&wv, band_n, sizeof(int32_t));
    pl.o_fbuf = hk_carve_take(&wv, round8(pl.hog_nc), 31u * sizeof(float));
    if (!cv.ok || !wv.ok || !hk_add_size(cv.used, 32u, &cv.used) ||
        !hk_add_size(wv.used, 32u, &wv.used))
        return HK_ERR_OVERFLOW;
    pl.worker_bytes = wv.used;

    /* one thread for small images; otherwise bands of histogram rows, a few
     * per thread so that uneven bands balance */
    if (threads < 1)
        threads = 1;
    if ((uint64_t)im->width * im->height < (uint64_t)threads * DLIB_MIN_PIXELS_PER_THREAD)
        threads = (int)((uint64_t)im->width * im->height / DLIB_MIN_PIXELS_PER_THREAD);
    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;
    if (threads < 1)
        threads = 1;
    size_t total = cv.used;
    if (threads == 1 && !hk_add_size(total, wv.used, &total))
        return HK_ERR_OVERFLOW;
    unsigned char *base = hk_ctx_scratch(ctx, total);
    if (!base)
        return HK_ERR_NOMEM;
    base = align32(base);
    if (threads == 1) {
        pl.scratch[0] = align32(base + cv.used - 32u);
    } else {
        for (int w = 0; w < threads; w++) {
            hk_hog_ctx *wc = hk_ctx_worker(ctx, w);
            unsigned char *ws = wc ? hk_ctx_scratch(wc, wv.used) : NULL;
            if (!ws)
                return HK_ERR_NOMEM;
            pl.scratch[w] = align32(ws);
        }
    }
    pl.hist = (float *)(base + o_hist);
    pl.norm = (float *)(base + o_norm);
    memset(pl.norm, 0, norm_n * sizeof(float));

    if (threads == 1) {
        hist_band(&pl, 0, (long)hrows, pl.scratch[0]);
        return norms_finite(&pl) ? HK_OK : HK_ERR_DOMAIN;
    }
    const size_t tasks = (size_t)threads * 4u;
    pl.band = (hrows + tasks - 1u) / tasks;
    if (pl.band < 4)
        pl.band = 4;
    hk_parallel_run(threads, (hrows + pl.band - 1u) / pl.band, hist_task, &pl);
    /* output rows whose histogram rows straddle two bands */
    for (size_t y = 0; y < pl.hog_nr; y++) {
        const size_t r0 = (y + 1) / pl.band * pl.band;
        if (!inside((long)y, (long)r0, (long)(r0 + pl.band)))
            feature_row(&pl, y, (float *)(pl.scratch[0] + pl.o_fbuf));
    }
    return norms_finite(&pl) ? HK_OK : HK_ERR_DOMAIN;
}

hk_status hk_dlib_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                      float *out)
{
    hk_simd isa;
    hk_status st = hk_simd_resolve(params->simd, &isa);
    if (st != HK_OK)
        return st;
    const hk_dlib_kernels *k = NULL;
    if (isa == HK_SIMD_AVX2 || isa == HK_SIMD_AVX512)
        k = hk_dlib_kernels_avx2();
    /* The fast path covers cell_size >= 2 with grey images of every sample
     * type and 8-bit colour (whose squared lengths fit 32-bit ints); the
     * rest runs the scalar specification. */
    if (!k || params->dlib.cell_size < 2 || (im->channels >= 3 && im->type != HK_U8))
        return hk_dlib_extract(ctx, &params->dlib, im, out);
    return hk_dlib_fast(ctx, &params->dlib, im, out, k, hk_threads_resolve(params->threads));
}
