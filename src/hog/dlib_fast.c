/* Driver of the dlib variant's fast path (layout: dlib_fast.h).
 *
 * The image rows that vote into one pair of histogram rows (a "group": equal
 * iyp) are summed into per-cell accumulators, a strip of
 * HK_DLIB_STRIP_CELLS cells at a time (they stay in L1): each pixel adds its
 * four votes (two cells, two rows) with one 16-byte add, and the adds are
 * taken so that consecutive ones go to different cells (none waits for
 * another). The strip's sums are then added to the two histogram rows.
 * Histogram and energy rows live in rings of four rows per band: a row is
 * complete once the group below it is in, and each output row is made as
 * soon as its three histogram rows are, so nothing image-sized is kept.
 *
 * Threads split the output rows into bands; a band makes every histogram
 * row its output rows need (the two or three rows next to a neighbouring
 * band are made by both), from the same groups in the same order, so every
 * value has the same bits for any banding, hence any thread count. The
 * sums are in another order than dlib's (pixel order per cell), which
 * changes the last bits (tests/unit/test_dlib_paths.c bounds the
 * difference); the bins are dlib's exactly. */
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
/* Fewest output rows per band when threads split an image. */
#define DLIB_MIN_BAND 16
/* Output rows of at least this many cells go through a row buffer. */
#define DLIB_FEATURE_COPY 32
/* 8-bit images of at least this many bytes are prefetched row by row. */
#define DLIB_PREFETCH_IMAGE ((uint64_t)1 << 20)
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
    /* output: plane 0 at (off_r, off_c), rows of out_cols */
    float *out;
    size_t out_cols, plane, off_r, off_c;
    size_t band; /* output rows per task */
    int stream;  /* output far larger than the caches: streaming stores */
    /* per worker scratch: rings of 4 histogram rows and 4 energy rows, cell
     * accumulators, kernel work, a spare row, the converted rows of one
     * group (max_group + 2 rows), a feature row buffer */
    size_t worker_bytes, o_ring, o_nring, o_ab, o_work, o_spare, o_band, o_fbuf, max_group;
    int bad[HK_MAX_WORKERS]; /* a worker saw a non-finite energy */
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

/* Histogram row r and energy row of histogram row r in a band's rings. */
static float *ring_row(const plan *pl, unsigned char *scratch, long r)
{
    return (float *)(scratch + pl->o_ring) + (size_t)(r & 3) * 18u * pl->hs;
}

static float *nring_row(const plan *pl, unsigned char *scratch, long r)
{
    return (float *)(scratch + pl->o_nring) + (size_t)(r & 3) * pl->ns;
}

/* Output row y from the energies of histogram rows y + 1 .. y + 3 and
 * histogram row y + 2. Wide rows are made in `buf` (L1/L2) and copied out
 * plane by plane: 31 interleaved output streams would miss the cache on
 * every line. */
static void feature_row(const plan *pl, unsigned char *scratch, size_t y)
{
    const float *n0 = nring_row(pl, scratch, (long)y + 1), *n1 = nring_row(pl, scratch, (long)y + 2);
    const float *n2 = nring_row(pl, scratch, (long)y + 3), *h = ring_row(pl, scratch, (long)y + 2);
    float *o = pl->out + (y + pl->off_r) * pl->out_cols + pl->off_c;
    if (pl->hog_nc < DLIB_FEATURE_COPY) { /* few cells: copies cost more */
        pl->k->features(n0, n1, n2, h, (int32_t)pl->hs, pl->hog_nc, o, pl->plane);
        return;
    }
    float *buf = (float *)(scratch + pl->o_fbuf);
    const size_t bs = round8(pl->hog_nc);
    pl->k->features(n0, n1, n2, h, (int32_t)pl->hs, pl->hog_nc, buf, bs);
    for (size_t d = 0; d < 31; d++)
        if (pl->stream)
            hk_fhog_stream_copy(o + d * pl->plane, buf + d * bs, pl->hog_nc);
        else
            memcpy(o + d * pl->plane, buf + d * bs, pl->hog_nc * sizeof(float));
}

/* 8-bit grey row y as the kernel reads it: the image's own row, unless the
 * kernel's reads up to 16 bytes past the row's end would leave the image
 * (whose last row need not be followed by its stride's padding): then a
 * copy followed by zeros in spare slot `slot` (0 .. 2, one per row of a
 * call: in images narrower than 16 bytes several rows need one). */
static const uint8_t *u8_row(const plan *pl, size_t y, int32_t *spare, int slot)
{
    const hk_image *im = pl->im;
    const uint8_t *r = (const uint8_t *)im->data + y * im->stride;
    if ((size_t)(im->height - 1u - y) * im->stride >= 16u)
        return r;
    uint8_t *c = (uint8_t *)spare + (size_t)slot * ((size_t)im->width + 16u);
    memcpy(c, r, im->width);
    memset(c + im->width, 0, 16u);
    return c;
}

/* Prefetches into L2 while a group is summed, a few lines after each
 * strip row: the output row made after the group (its 31 planes' pieces
 * are 31 separate runs of lines that the hardware prefetchers do not see
 * coming; fetching them on the first store cost about a tenth of the time
 * at 1920x1080) and, for 8-bit grey rows read in place, the image rows
 * the next group adds (each strip starts a new run of every row). */
typedef struct prefetch {
    const char *base;  /* first run; NULL: nothing to do */
    size_t stride;     /* bytes between runs */
    size_t bytes;      /* bytes of one run */
    size_t runs;       /* number of runs */
    size_t d, off;     /* next: run d, byte off */
    size_t per_call;   /* lines per prefetch_some */
} prefetch;

static void prefetch_set(prefetch *f, const void *base, size_t stride, size_t bytes, size_t runs,
                         size_t calls)
{
    f->base = (const char *)base;
    f->stride = stride;
    f->bytes = bytes;
    f->runs = runs;
    f->d = f->off = 0;
    f->per_call = runs * (bytes / 64u + 2u) / (calls ? calls : 1) + 1u;
}

/* Output row y (none when y is not this band's or the output is streamed:
 * streamed stores bypass the caches). */
static void prefetch_out(const plan *pl, prefetch *f, long y, size_t calls)
{
    f->base = NULL;
    if (pl->stream || y < 0 || (size_t)y >= pl->hog_nr)
        return;
    prefetch_set(f, pl->out + ((size_t)y + pl->off_r) * pl->out_cols + pl->off_c,
                 pl->plane * sizeof(float), pl->hog_nc * sizeof(float), 31u, calls);
}

/* Image rows y0 .. y1 - 1 (8-bit grey only; the others are converted
 * row by row), of images too large to stay in L2 between calls (below,
 * prefetching cached lines only cost time: 6% at 640x480). */
static void prefetch_rows(const plan *pl, prefetch *f, long y0, long y1, size_t calls)
{
    f->base = NULL;
    if (!rows_u8(pl) || (uint64_t)pl->im->height * pl->im->stride < DLIB_PREFETCH_IMAGE)
        return;
    if (y1 > (long)pl->im->height)
        y1 = (long)pl->im->height;
    if (y0 >= y1)
        return;
    prefetch_set(f, (const uint8_t *)pl->im->data + (size_t)y0 * pl->im->stride, pl->im->stride,
                 pl->im->width, (size_t)(y1 - y0), calls);
}

static void prefetch_some(prefetch *f)
{
    if (!f->base)
        return;
    for (size_t n = f->per_call; n > 0; n--) {
        /* one line per step; a run's last line is taken by its end */
        __builtin_prefetch(f->base + f->d * f->stride + f->off, 1, 2);
        f->off += 64u;
        if (f->off >= f->bytes + 63u) {
            f->off = 0;
            if (++f->d == f->runs) {
                f->base = NULL;
                return;
            }
        }
    }
}

/* Output rows [y0, y1) on one worker: groups g = y0 - 1 .. y1 + 1 make
 * histogram rows y0 + 1 .. y1 + 2 (group g adds to rows g + 1, g + 2; row
 * g + 1 is complete after it), their energies, and the output rows. */
static void out_band(plan *pl, long y0, long y1, int worker)
{
    unsigned char *scratch = pl->scratch[worker];
    const size_t hrow = 18u * pl->hs;
    memset(scratch + pl->o_nring, 0, 4u * pl->ns * sizeof(float));
    float *ab = (float *)(scratch + pl->o_ab);
    memset(ab, 0, 19u * pl->ps * sizeof(float));
    int32_t *work = (int32_t *)(scratch + pl->o_work), *spare = (int32_t *)(scratch + pl->o_spare);
    const size_t row_ints = (pl->rgb ? 3u : 1u) * pl->cstride;
    int32_t *band = (int32_t *)(scratch + pl->o_band);
    const int u8 = rows_u8(pl);
    hk_dlib_row v = {{NULL, NULL, NULL}, {NULL, NULL, NULL}, u8, pl->cstride, pl->rgb, 0, 0};
    const long g0 = y0 - 1, g1 = y1 + 1;
    long y = 1; /* first image row of group g0 or later */
    while (y < pl->visible_nr && pl->iyp[y] < g0)
        y++;
    memset(ring_row(pl, scratch, g0 + 1), 0, hrow * sizeof(float));
    for (long g = g0; g <= g1; g++) {
        float *row0 = ring_row(pl, scratch, g + 1), *row1 = ring_row(pl, scratch, g + 2);
        memset(row1, 0, hrow * sizeof(float));
        /* rows no output row of this band reads (1 .. cells_nr, and
         * y0 + 1 .. y1 + 2) are not made */
        float *use0 = g + 1 >= y0 + 1 && g + 1 >= 1 ? row0 : NULL;
        float *use1 = g + 2 <= y1 + 2 && g + 2 <= pl->cells_nr ? row1 : NULL;
        long ye = y;
        while (ye < pl->visible_nr && pl->iyp[ye] == g)
            ye++;
        /* output row g - 2 is made after this group */
        const size_t calls = pl->nstrips * (size_t)(ye - y);
        prefetch pf = {NULL, 0, 0, 0, 0, 0, 0}, pi = {NULL, 0, 0, 0, 0, 0, 0};
        prefetch_out(pl, &pf, g - 2 >= y0 && g - 2 < y1 ? g - 2 : -1, calls);
        /* the next group reads rows up to ye + max_group (at most) */
        prefetch_rows(pl, &pi, ye + 1, ye + 1 + (long)pl->max_group, calls);
        for (long ya = y; ya < ye;) { /* max_group rows at a time */
            const long yb = ye - ya > (long)pl->max_group ? ya + (long)pl->max_group : ye;
            if (!u8) { /* rows ya - 1 .. yb, converted once for every strip */
                for (long r = ya - 1; r <= yb; r++)
                    convert_row(pl, (size_t)r, band + (size_t)(r - ya + 1) * row_ints);
            }
            for (size_t k = 0; k < pl->nstrips; k++) {
                const size_t xs = 1u + k * pl->strip_px;
                const size_t xe = (size_t)pl->visible_nc - xs > pl->strip_px
                                      ? xs + pl->strip_px
                                      : (size_t)pl->visible_nc;
                const int32_t ixbase = pl->strip[2 * k];
                for (long r = ya; r < yb; r++) {
                    for (int i = 0; i < 3; i++) {
                        if (u8)
                            v.r8[i] = u8_row(pl, (size_t)(r - 1 + i), spare, i);
                        else
                            v.r[i] = band + (size_t)(r - ya + i) * row_ints;
                    }
                    v.vy0 = pl->vy0[r];
                    v.vy1 = 1.0f - v.vy0;
                    pl->k->acc(&v, &pl->cols, xs, xe, ixbase, pl->ps_shift, pl->cs, ab, work);
                    prefetch_some(&pf);
                    prefetch_some(&pi);
                }
                pl->k->flush(ab, ixbase, pl->strip[2 * k + 1], (int32_t)pl->ps, use0, use1,
                             (int32_t)pl->hs);
            }
            ya = yb;
        }
        y = ye;
        /* histogram row g + 1 is complete: its energy, then output row
         * g - 2 (histogram rows g - 1 .. g + 1) */
        const long r = g + 1;
        if (r >= 1 && r <= pl->cells_nr) {
            float *e = nring_row(pl, scratch, r);
            pl->k->energy(row0, (int32_t)pl->hs, (size_t)pl->cells_nc, e);
            if (!hk_dlib_energies_finite(e, (size_t)pl->cells_nc))
                pl->bad[worker] = 1;
        }
        if (g - 2 >= y0 && g - 2 < y1)
            feature_row(pl, scratch, (size_t)(g - 2));
    }
}

static void out_task(void *arg, size_t task, int worker)
{
    plan *pl = arg;
    const long y0 = (long)(task * pl->band);
    const long y1 = y0 + (long)pl->band < (long)pl->hog_nr ? y0 + (long)pl->band : (long)pl->hog_nr;
    out_band(pl, y0, y1, worker);
}

/* Column tables (x < visible_nc; zero beyond, up to whole vectors). */
static void fill_cols(plan *pl, int32_t *ix, uint16_t *ix16, float *vx4, int32_t *tail,
                      size_t n)
{
    memset(ix, 0, n * sizeof(*ix));
    memset(ix16, 0, n * sizeof(*ix16));
    memset(vx4, 0, 4u * n * sizeof(*vx4));
    memset(tail, 0, n * sizeof(*tail));
    const size_t split = hk_dlib_simd_end(pl->visible_nc);
    for (long x = 1; x < pl->visible_nc; x++) {
        const int simd = (size_t)x < split;
        long c;
        float w;
        hk_dlib_column(pl->cs, x, simd, &c, &w);
        ix[x] = (int32_t)c;
        ix16[x] = (uint16_t)c;
        vx4[4 * x] = vx4[4 * x + 2] = 1.0f - w;
        vx4[4 * x + 1] = vx4[4 * x + 3] = w;
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
    if (t) {
        free(t->data);
    }
    free(t);
}

/* Sets pl's tables, from ctx's cache or computed; 0 when out of memory. */
static int tables_get(hk_hog_ctx *ctx, plan *pl, size_t ncols)
{
    hk_carve cv = {0, 1};
    const size_t o_ix = hk_carve_take(&cv, ncols, sizeof(int32_t));
    const size_t o_ix16 = hk_carve_take(&cv, ncols, sizeof(uint16_t));
    const size_t o_vx4 = hk_carve_take(&cv, ncols, 4u * sizeof(float));
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
        fill_cols(pl, ix, (uint16_t *)(base + o_ix16), (float *)(base + o_vx4),
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
    const int pow2 = pl->cs == 2 || pl->cs == 4 || pl->cs == 8 || pl->cs == 16;
    pl->cols = (hk_dlib_cols){ix, (const uint16_t *)(base + o_ix16),
                              (const float *)(base + o_vx4), (const int32_t *)(base + o_tail),
                              pow2 && pl->visible_nc < (1L << 22)};
    pl->iyp = iyp;
    pl->vy0 = vy0;
    pl->strip = strip;
    /* a power of two: bin offsets are shifts */
    for (pl->ps_shift = 5; ((size_t)1 << pl->ps_shift) < 4u * round8(t->max_slots);)
        pl->ps_shift++;
    pl->ps = (size_t)1 << pl->ps_shift;
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
    pl.stream = shape.count >= HK_FHOG_STREAM_BYTES / sizeof(float);
    pl.off_r = (size_t)(p->filter_rows_padding - 1) / 2;
    pl.off_c = (size_t)(p->filter_cols_padding - 1) / 2;
    if (shape.dims[1] != pl.hog_nr || shape.dims[2] != pl.hog_nc)
        memset(out, 0, shape.count * sizeof(float)); /* padding borders are zero */

    /* the kernels read the column tables up to 16 past a strip's end */
    const size_t ncols = round8((size_t)pl.visible_nc) + 24u;
    size_t ring_n, row_ints;
    if (!hk_mul_size(4u * 18u, pl.hs, &ring_n) || !hk_mul_size(pl.rgb ? 3u : 1u, pl.cstride, &row_ints))
        return HK_ERR_OVERFLOW;
    pl.max_group = (size_t)pl.cs + 2u;
    /* strips of HK_DLIB_STRIP_CELLS cells (whole vectors of pixels) */
    pl.strip_px = (size_t)pl.cs < HK_DLIB_STRIP_MAX / HK_DLIB_STRIP_CELLS
                      ? (size_t)pl.cs * HK_DLIB_STRIP_CELLS
                      : HK_DLIB_STRIP_MAX;
    pl.strip_px &= ~(size_t)7u;
    pl.nstrips = ((size_t)pl.visible_nc - 2u) / pl.strip_px + 1u; /* pixels 1 .. visible_nc - 1 */
    if (!tables_get(ctx, &pl, ncols))
        return HK_ERR_NOMEM;
    /* per worker: rings of histogram and energy rows, cell accumulators,
     * kernel work, a spare 8-bit row, (other than 8-bit grey) the converted
     * rows of one group, a feature row */
    size_t band_n = 0;
    if (!rows_u8(&pl) && !hk_mul_size(pl.max_group + 2u, row_ints, &band_n))
        return HK_ERR_OVERFLOW;
    hk_carve wv = {0, 1};
    pl.o_ring = hk_carve_take(&wv, ring_n + 32u, sizeof(float));
    pl.o_nring = hk_carve_take(&wv, pl.ns, 4u * sizeof(float));
    pl.o_ab = hk_carve_take(&wv, pl.ps, 19u * sizeof(float)); /* plane 18: dummy */
    pl.o_work = hk_carve_take(&wv, pl.strip_px + 16u, 5u * sizeof(int32_t));
    pl.o_spare = hk_carve_take(&wv, pl.cstride, sizeof(int32_t)); /* 3 x (width + 16) bytes */
    pl.o_band = hk_carve_take(&wv, band_n, sizeof(int32_t));
    pl.o_fbuf = hk_carve_take(&wv, round8(pl.hog_nc), 31u * sizeof(float));
    if (!wv.ok || !hk_add_size(wv.used, 32u, &wv.used))
        return HK_ERR_OVERFLOW;
    pl.worker_bytes = wv.used;

    /* one thread for small images; otherwise bands of output rows, two per
     * thread (a band also makes the histogram rows next to it) */
    if (threads < 1)
        threads = 1;
    if ((uint64_t)im->width * im->height < (uint64_t)threads * DLIB_MIN_PIXELS_PER_THREAD)
        threads = (int)((uint64_t)im->width * im->height / DLIB_MIN_PIXELS_PER_THREAD);
    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;
    if (threads < 1)
        threads = 1;
    size_t tasks = 1;
    pl.band = pl.hog_nr;
    if (threads > 1) {
        pl.band = (pl.hog_nr + 2u * (size_t)threads - 1u) / (2u * (size_t)threads);
        if (pl.band < DLIB_MIN_BAND)
            pl.band = DLIB_MIN_BAND;
        tasks = (pl.hog_nr + pl.band - 1u) / pl.band;
        if ((size_t)threads > tasks)
            threads = (int)tasks;
    }
    for (int w = 0; w < threads; w++) {
        hk_hog_ctx *wc = w == 0 ? ctx : hk_ctx_worker(ctx, w);
        unsigned char *ws = wc ? hk_ctx_scratch(wc, wv.used) : NULL;
        if (!ws)
            return HK_ERR_NOMEM;
        pl.scratch[w] = align32(ws);
        pl.bad[w] = 0;
    }
    if (threads == 1)
        out_band(&pl, 0, (long)pl.hog_nr, 0);
    else
        hk_parallel_run(threads, tasks, out_task, &pl);
    for (int w = 0; w < threads; w++)
        if (pl.bad[w])
            return HK_ERR_DOMAIN;
    return HK_OK;
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
