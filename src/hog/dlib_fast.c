/* Driver of the dlib variant's fast path (layout: dlib_fast.h).
 *
 * Why the results do not depend on threads: every histogram value is a float
 * sum whose rounding depends on the order of its votes, and dlib adds them in
 * pixel (raster) order. Threads therefore split the histogram, not the image:
 * a task owns a band of histogram rows and walks every image row that votes
 * into them, in order, adding only into its own rows (a row that belongs to
 * another task gets the votes in a private dummy row). Image rows at a band
 * edge are read by two tasks, each adding its half. Energies and features are
 * per cell and need no order. So any banding, hence any thread count, gives
 * the same bits; one thread uses one band. */
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
/* Zero ints after every converted row plane: vector reads past the width. */
#define ROW_PAD 16
/* Histogram rows from which one band runs as two interleaved streams. */
#define DLIB_TWO_STREAMS 12
/* Bytes of the four histogram rows two streams may keep busy (most of a
 * 32 KiB L1 data cache; wider images run one stream). */
#define DLIB_L1_BYTES (28u * 1024u)

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
    size_t worker_bytes, stream_bytes, o_dummy, o_work; /* per worker scratch */
    /* strips (wide images): nstrips of sw histogram columns, pixels
     * [strip_x[2s], strip_x[2s+1]); per worker a band of sub_rows + 2
     * converted rows (o_band) and per strip a ring of DLIB_RING local rows of
     * lw columns (o_ring) */
    int strips;
    size_t sw, nstrips, lw, sub_rows, o_band, o_ring, o_swork;
    const size_t *strip_x;
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

/* Output row y (needs histogram rows y + 1 .. y + 3 complete). */
static void feature_row(const plan *pl, size_t y)
{
    pl->k->features(pl->norm + y * pl->ns, pl->norm + (y + 1) * pl->ns,
                    pl->norm + (y + 2) * pl->ns, hist_row(pl, (long)y + 2), (int32_t)pl->hs,
                    pl->hog_nc, pl->out + (y + pl->off_r) * pl->out_cols + pl->off_c, pl->plane);
}

/* Energy of complete histogram row r (norm row r - 1), for 1 <= r <= cells_nr. */
static void energy_row(const plan *pl, long r)
{
    if (r >= 1 && r <= pl->cells_nr)
        pl->k->energy(hist_row(pl, r), (int32_t)pl->hs, (size_t)pl->cells_nc,
                      pl->norm + (size_t)(r - 1) * pl->ns);
}

/* One walk over the image rows voting into histogram rows [r0, r1). Energies
 * and output rows are made as soon as their histogram rows are complete,
 * while those rows are still in cache. */
typedef struct stream {
    long r0, r1, y, y1;
    long energy_next; /* next histogram row to take the energy of */
    long feat_next;   /* next output row to make */
    int32_t *slot[3];
    float *dummy;
    hk_dlib_row v;
} stream;

/* Scratch of one stream (worker_bytes holds two). */
static void stream_init(const plan *pl, stream *s, long r0, long r1, unsigned char *scratch)
{
    const size_t row_ints = (pl->rgb ? 3u : 1u) * pl->cstride;
    int32_t *ring = (int32_t *)scratch;
    memset(ring, 0, 3u * row_ints * sizeof(int32_t));
    s->r0 = r0;
    s->r1 = r1;
    s->slot[0] = ring;
    s->slot[1] = ring + row_ints;
    s->slot[2] = ring + 2 * row_ints;
    s->dummy = (float *)(scratch + pl->o_dummy);
    s->v = (hk_dlib_row){{NULL, NULL, NULL}, {NULL, NULL, NULL}, rows_u8(pl), pl->cstride,
                         pl->rgb, 1, (size_t)pl->visible_nc, 0, 0, 0, NULL, NULL,
                         (int32_t *)(scratch + pl->o_work)};
    /* image rows voting into [r0, r1): iyp + 2 >= r0 and iyp + 1 < r1 */
    long y0 = 1, y1 = pl->visible_nr;
    while (y0 < y1 && pl->iyp[y0] + 2 < r0)
        y0++;
    while (y1 > y0 && pl->iyp[y1 - 1] + 1 >= r1)
        y1--;
    s->y = y0;
    s->y1 = y1;
    s->energy_next = r0;
    s->feat_next = r0 - 1 > 0 ? r0 - 1 : 0;
    if (y0 < y1 && !rows_u8(pl)) {
        convert_row(pl, (size_t)y0 - 1, s->slot[0]);
        convert_row(pl, (size_t)y0, s->slot[1]);
    }
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

/* Prepares the kernel's view of image row s->y. */
static void stream_row(const plan *pl, stream *s)
{
    const long a = pl->iyp[s->y] + 1, b = a + 1;
    if (rows_u8(pl)) {
        for (int i = 0; i < 3; i++)
            s->v.r8[i] = u8_row(pl, (size_t)(s->y - 1 + i), s->slot[2]);
    } else {
        convert_row(pl, (size_t)s->y + 1, s->slot[2]);
        for (int i = 0; i < 3; i++)
            s->v.r[i] = s->slot[i];
    }
    s->v.vy0 = pl->vy0[s->y];
    s->v.vy1 = 1.0f - s->v.vy0;
    s->v.row0 = a >= s->r0 && a < s->r1 ? hist_row(pl, a) : s->dummy;
    s->v.row1 = b >= s->r0 && b < s->r1 ? hist_row(pl, b) : s->dummy;
}

/* After row s->y: rotates the ring, then finishes the rows now complete
 * (rows below the next image row's first histogram row). Output rows whose
 * histogram rows y + 1 .. y + 3 are not all in [r0, r1) are left to
 * edge_rows. */
static void stream_advance(const plan *pl, stream *s)
{
    int32_t *t = s->slot[0];
    s->slot[0] = s->slot[1];
    s->slot[1] = s->slot[2];
    s->slot[2] = t;
    s->y++;
    const long done = s->y < s->y1 ? pl->iyp[s->y] + 1 : s->r1;
    const long lim = done < s->r1 ? done : s->r1;
    for (; s->energy_next < lim; s->energy_next++)
        energy_row(pl, s->energy_next);
    for (; s->feat_next + 3 < lim && s->feat_next < (long)pl->hog_nr; s->feat_next++)
        if (s->feat_next + 1 >= s->r0)
            feature_row(pl, (size_t)s->feat_next);
}

static void hist_band_strips(const plan *pl, long r0, long r1, unsigned char *scratch);

/* 1 when output row y was made by a stream over [r0, r1). */
static int inside(long y, long r0, long r1)
{
    return y + 1 >= r0 && y + 3 < r1;
}

/* Histogram rows [r0, r1), their energies, and the output rows whose
 * histogram rows lie in the band. Two streams (halves of the band) run in
 * lockstep when the band is tall enough: their adds are independent. */
static void hist_band(const plan *pl, long r0, long r1, unsigned char *scratch)
{
    if (pl->strips) {
        hist_band_strips(pl, r0, r1, scratch);
        return;
    }
    memset(hist_row(pl, r0), 0, (size_t)(r1 - r0) * 18u * pl->hs * sizeof(float));
    stream st[2];
    /* two streams only while their four histogram rows stay in L1 */
    const int n = r1 - r0 >= DLIB_TWO_STREAMS && 4u * 18u * pl->hs * sizeof(float) <= DLIB_L1_BYTES
                      ? 2
                      : 1;
    const long rm = n == 2 ? r0 + (r1 - r0) / 2 : r1;
    stream_init(pl, &st[0], r0, rm, scratch);
    if (n == 2)
        stream_init(pl, &st[1], rm, r1, scratch + pl->stream_bytes);
    for (;;) {
        stream *act[2];
        const hk_dlib_row *rows[2];
        int m = 0;
        for (int i = 0; i < n; i++)
            if (st[i].y < st[i].y1) {
                act[m] = &st[i];
                stream_row(pl, act[m]);
                rows[m] = &act[m]->v;
                m++;
            }
        if (m == 0)
            break;
        pl->k->rows(rows, m, &pl->cols, (int32_t)pl->hs);
        for (int i = 0; i < m; i++)
            stream_advance(pl, act[i]);
    }
    for (int i = 0; i < n; i++) { /* streams without image rows */
        st[i].y1 = st[i].y;
        st[i].y--;
        stream_advance(pl, &st[i]);
    }
    /* output rows inside the band that straddle the two streams */
    if (n == 2)
        for (long y = r0 - 1 > 0 ? r0 - 1 : 0; y < (long)pl->hog_nr && y + 3 < r1; y++)
            if (inside(y, r0, r1) && !inside(y, r0, rm) && !inside(y, rm, r1))
                feature_row(pl, (size_t)y);
}

/* Local histogram rows per strip: enough for the rows alive during one
 * sub-band of image rows ((sub_rows - 1) / cs + 3 <= 11). */
#define DLIB_RING 16
/* Strips run interleaved (independent chains of adds). */
#define DLIB_STRIPS_AT_ONCE 4

static float *ring_row(const plan *pl, unsigned char *scratch, size_t strip, long r)
{
    return (float *)(scratch + pl->o_ring) +
           (strip * DLIB_RING + (size_t)r % DLIB_RING) * 18u * pl->lw;
}

/* hist_band for wide images. Two histogram rows of the whole width do not
 * fit in L1, so the image is cut into strips of sw histogram columns, each
 * with private local rows (a ring) that also hold its two edge columns;
 * a strip walks the pixels voting into its columns (those of the cells on
 * either side), so each owned column still gets every vote in pixel order,
 * and DLIB_STRIPS_AT_ONCE strips run interleaved (independent adds). After each sub-band of
 * image rows, complete rows are copied into the histogram and finished. */
static void hist_band_strips(const plan *pl, long r0, long r1, unsigned char *scratch)
{
    memset(hist_row(pl, r0), 0, (size_t)(r1 - r0) * 18u * pl->hs * sizeof(float));
    stream st;
    stream_init(pl, &st, r0, r1, scratch); /* row range and cursors only */
    const size_t row_ints = (pl->rgb ? 3u : 1u) * pl->cstride;
    int32_t *band = (int32_t *)(scratch + pl->o_band);
    memset(band, 0, (pl->sub_rows + 2u) * row_ints * sizeof(int32_t)); /* row padding */
    hk_dlib_row v[DLIB_STRIPS_AT_ONCE];
    for (int i = 0; i < DLIB_STRIPS_AT_ONCE; i++) {
        v[i] = st.v;
        v[i].work = (int32_t *)(scratch + pl->o_swork) + (size_t)i * 5u * (HK_DLIB_SEGMENT + 8u);
    }
    long next_init = st.y < st.y1 ? pl->iyp[st.y] + 1 : r1, copied = r0;
    for (long ya = st.y; ya < st.y1;) {
        const long yb = st.y1 - ya > (long)pl->sub_rows ? ya + (long)pl->sub_rows : st.y1;
        for (long y = ya - 1; y <= yb; y++)
            convert_row(pl, (size_t)y, band + (size_t)(y - ya + 1) * row_ints);
        const long last = pl->iyp[yb - 1] + 3; /* rows used: < last */
        for (; next_init < last; next_init++)
            for (size_t k = 0; k < pl->nstrips; k++)
                memset(ring_row(pl, scratch, k, next_init), 0, 18u * pl->lw * sizeof(float));
        for (size_t k = 0; k < pl->nstrips; k += DLIB_STRIPS_AT_ONCE) {
            const int n = pl->nstrips - k < DLIB_STRIPS_AT_ONCE ? (int)(pl->nstrips - k)
                                                                 : DLIB_STRIPS_AT_ONCE;
            for (int i = 0; i < n; i++) {
                v[i].x_begin = pl->strip_x[2 * (k + i)];
                v[i].x_end = pl->strip_x[2 * (k + i) + 1];
                v[i].col_base = (int32_t)((k + i) * pl->sw) - 1;
            }
            const hk_dlib_row *rows[DLIB_STRIPS_AT_ONCE];
            for (int i = 0; i < DLIB_STRIPS_AT_ONCE; i++)
                rows[i] = &v[i];
            for (long y = ya; y < yb; y++) {
                const long a = pl->iyp[y] + 1;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < 3; j++) {
                        v[i].r[j] = band + (size_t)(y - ya + j) * row_ints;
                        v[i].r8[j] = (const uint8_t *)v[i].r[j];
                    }
                    v[i].vy0 = pl->vy0[y];
                    v[i].vy1 = 1.0f - v[i].vy0;
                    v[i].row0 = ring_row(pl, scratch, k + (size_t)i, a);
                    v[i].row1 = ring_row(pl, scratch, k + (size_t)i, a + 1);
                }
                pl->k->rows(rows, n, &pl->cols, (int32_t)pl->lw);
            }
        }
        /* rows below the next image row's first row are complete */
        const long done = yb < st.y1 ? pl->iyp[yb] + 1 : next_init;
        for (; copied < done && copied < r1; copied++) {
            if (copied < r0)
                continue;
            float *g = hist_row(pl, copied);
            const size_t hcols = (size_t)pl->cells_nc + 2u;
            for (size_t k = 0; k < pl->nstrips; k++) {
                const size_t c0 = k * pl->sw, c1 = c0 + pl->sw < hcols ? c0 + pl->sw : hcols;
                const float *l = ring_row(pl, scratch, k, copied);
                for (size_t o = 0; o < 18; o++)
                    memcpy(g + o * pl->hs + c0, l + o * pl->lw + 1, (c1 - c0) * sizeof(float));
            }
        }
        /* finish the copied rows: stream_advance's cursors with y = yb */
        st.y = yb - 1;
        stream_advance(pl, &st);
        ya = yb;
    }
    st.y1 = st.y; /* no image rows, or all done: finish every row */
    st.y--;
    stream_advance(pl, &st);
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

/* Column, row and strip tables of one geometry, kept by the context: a
 * batch of equal images computes them once. */
struct hk_dlib_tables {
    int cs;
    uint32_t width, height;
    int strips; /* strips usable (ix grows with x) */
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
    const size_t o_sx = hk_carve_take(&cv, pl->nstrips, 2u * sizeof(size_t));
    if (!cv.ok) /* smaller than the scratch already allocated: cannot overflow */
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
    size_t *sx = (size_t *)(base + o_sx);
    if (!hit) {
        fill_cols(pl, ix, (float *)(base + o_vx0), (float *)(base + o_vx1),
                  (int32_t *)(base + o_tail), ncols);
        for (long y = 1; y < pl->visible_nr; y++) {
            long r;
            hk_dlib_row_pos(pl->cs, y, &r, &vy0[y]);
            iyp[y] = (int32_t)r;
        }
        /* pixels of strip k: those with ix in [k sw - 1, (k + 1) sw - 1];
         * usable when ix grows with x */
        t->strips = 1;
        for (long x = 2; x < pl->visible_nc; x++)
            if (ix[x] < ix[x - 1])
                t->strips = 0;
        size_t x = 1;
        for (size_t k = 0; k < pl->nstrips; k++) {
            const long lo = (long)(k * pl->sw) - 1;
            while (x < (size_t)pl->visible_nc && ix[x] < lo)
                x++;
            sx[2 * k] = x;
            size_t e = x;
            while (e < (size_t)pl->visible_nc && ix[e] < (long)((k + 1) * pl->sw))
                e++;
            sx[2 * k + 1] = e;
        }
        t->cs = pl->cs;
        t->width = pl->im->width;
        t->height = pl->im->height;
    }
    pl->cols = (hk_dlib_cols){ix, (const float *)(base + o_vx0), (const float *)(base + o_vx1),
                              (const int32_t *)(base + o_tail)};
    pl->iyp = iyp;
    pl->vy0 = vy0;
    pl->strip_x = sx;
    pl->strips = pl->strips && t->strips;
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
    /* per worker: three converted rows and a dummy histogram row */
    hk_carve wv = {0, 1};
    hk_carve_take(&wv, row_ints, 3u * sizeof(int32_t));
    pl.o_dummy = hk_carve_take(&wv, pl.hs, 18u * sizeof(float));
    pl.o_work = hk_carve_take(&wv, HK_DLIB_SEGMENT + 8u, 5u * sizeof(int32_t));
    if (!cv.ok || !wv.ok)
        return HK_ERR_OVERFLOW;
    pl.stream_bytes = (wv.used + 31u) & ~(size_t)31u; /* two streams per worker */
    if (!hk_mul_size(pl.stream_bytes, 2u, &wv.used))
        return HK_ERR_OVERFLOW;
    /* strips when two streams' histogram rows would not fit in L1 */
    const size_t hcols = (size_t)pl.cells_nc + 2u;
    pl.strips = 4u * 18u * pl.hs * sizeof(float) > DLIB_L1_BYTES;
    pl.sw = pl.cs < 112 ? 224u / (size_t)pl.cs : 2u;
    pl.nstrips = (hcols + pl.sw - 1u) / pl.sw;
    pl.lw = round8(pl.sw + 2u);
    pl.sub_rows = pl.cs < 16 ? 8u * (size_t)pl.cs : 128u;
    if (pl.strips) {
        size_t ring_n, band_n;
        if (!hk_mul_size(pl.nstrips * DLIB_RING * 18u, pl.lw, &ring_n) ||
            !hk_mul_size(pl.sub_rows + 2u, row_ints, &band_n))
            return HK_ERR_OVERFLOW;
        pl.o_band = hk_carve_take(&wv, band_n, sizeof(int32_t));
        pl.o_ring = hk_carve_take(&wv, ring_n, sizeof(float));
        pl.o_swork = hk_carve_take(&wv, DLIB_STRIPS_AT_ONCE * (HK_DLIB_SEGMENT + 8u),
                                   5u * sizeof(int32_t));
    }
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
    if (!tables_get(ctx, &pl, ncols))
        return HK_ERR_NOMEM;

    if (threads == 1) {
        hist_band(&pl, 0, (long)hrows, pl.scratch[0]);
        return HK_OK;
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
            feature_row(&pl, y);
    }
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
