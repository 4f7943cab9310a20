/* Banded, threaded driver of the VLFeat fast path (see vlfeat_fast.h for
 * what it keeps exact, how it regroups the sums, and why its output is the
 * same for any band split and thread count).
 *
 * One task per band of output rows, in one pass: for every span of pixel
 * rows with the same cell row by, strip by strip, each row's votes are
 * binned (kernel) and added as {gw * wy1, gw * wy2} pairs into per-column,
 * per-bin slots; the span's columns are then reduced cell span by cell span
 * with wx1 / wx2 (kernel), and histogram row by is the B halves of span
 * by - 1 plus the A halves of span by. As soon as a histogram row is
 * complete its cell energies are taken (norm kernel), and as soon as the
 * energies of the rows around an output row are there, its block factors
 * and output row are made (kernels). Histogram and energy rows live in
 * rings of four rows per worker: nothing image-sized but the output is
 * written, so the histogram stays in L1/L2 however large the image (the
 * histogram of the whole image, 75 MB at 8192x8192, was written once and
 * read twice). A band makes the histogram and energy rows next to it too
 * (the output rows at its edges need them), from the same spans with the
 * same operations: the same bits for any band split. */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/fhog_common.h"
#include "hog/hog_internal.h"
#include "hog/vlfeat_fast.h"


/* Output rows per band at least this many: a band remakes two or three
 * spans of pixel rows next to its edges, so thin bands would waste work. */
#define MIN_BAND_ROWS 8
/* Two bands per thread (a thread that starts late or is slowed evens out
 * on the second) only when bands keep at least this many rows: each band
 * remakes two spans at its edges, 2% of a band of 100 rows (at 1920x1080,
 * 135 rows in four bands remade 5% of the work and more time went to the
 * busier thread; in two bands, 1.5%). */
#define TWO_BANDS_MIN_ROWS 100

/* A plane stride of at least n floats that keeps up to 36 planes apart in
 * the 4 KB address pattern: when plane strides are (near) multiples of
 * 4096 bytes, the stores into the 2n planes and the loads that follow them
 * collide in the CPU's store-to-load checks (4K aliasing), which made the
 * 8192-wide rows twice as slow. Strides of 16 floats past a multiple of
 * 1024 put the planes 64 bytes apart. 0 on overflow. */
static size_t plane_stride(size_t n)
{
    size_t f;
    if (!hk_add_size(n, 7, &f))
        return 0;
    f &= ~(size_t)7;
    if (f < 32)
        return f;
    const size_t r = f % 1024;
    if (r == 16)
        return f;
    if (!hk_add_size(f - r, r < 16 ? 16 : 1040, &f))
        return 0;
    return f;
}

typedef float v2f __attribute__((vector_size(8), aligned(4), may_alias));

typedef struct job {
    const hk_image *im;
    const hk_vlf_kernels *k;
    int n, bilinear, uoctti;
    size_t hw, hh, W, C;
    const hk_vlf_tables *t; /* geometry (vlfeat_tables.c) */
    size_t slot;            /* floats per column slot: 4n rounded up to 8 */
    size_t band_rows, n_bands;
    size_t plane;           /* floats per bin plane of a ring histogram row */
    size_t nstride;         /* floats per ring energy row: row at + 1, padded */
    float *out;
    size_t fstride;         /* doubles per row of block factors */
    int stream;             /* output rows through a row buffer, streamed out */
    unsigned char *bases[HK_MAX_WORKERS]; /* band scratch of each worker */
} job;

/* Output planes: 4n (DalalTriggs), 3n + 4 (UoCTTI). */
static size_t out_planes(const job *j)
{
    return j->uoctti ? 3u * (size_t)j->n + 4u : 4u * (size_t)j->n;
}

/* Offsets of the pieces of one band's scratch. */
typedef struct band_layout {
    size_t slots, acc, rows, bin[2], pair[2], sums[2], hist, norm, fac, fbuf, used;
    int ok;
} band_layout;

static band_layout layout(const job *j)
{
    band_layout L = {0};
    hk_carve cv = {0, 1};
    size_t slots = 0, rowf = 0, pad_w = 0, nrows = 0, rows = 0, hist = 0, hrow = 0;
    int ok = hk_mul_size(j->t->strip_cap, j->slot, &slots) &&
             hk_add_size(slots, HK_VLF_PAD, &slots) && hk_mul_size(j->C, j->W, &rowf) &&
             hk_add_size(rowf, HK_VLF_PAD, &rowf) && hk_add_size(j->W, HK_VLF_PAD, &pad_w) &&
             hk_add_size(j->t->max_span_rows, 2, &nrows) && hk_mul_size(rowf, nrows, &rows) &&
             hk_mul_size(j->plane, 2u * (size_t)j->n, &hrow) && hk_mul_size(hrow, 4, &hist) &&
             hk_add_size(hist, HK_VLF_PAD, &hist);
    L.slots = hk_carve_take(&cv, slots, sizeof(float));
    L.acc = hk_carve_take(&cv, j->slot, sizeof(float)); /* the carry */
    size_t row_sums = 0; /* one cell row of {A, B} slots */
    ok = ok && hk_mul_size(j->hw, j->slot, &row_sums);
    for (int i = 0; i < 2; i++)
        L.sums[i] = hk_carve_take(&cv, row_sums, sizeof(float));
    L.rows = hk_carve_take(&cv, rows, sizeof(float));
    for (int v = 0; v < 2; v++) {
        L.bin[v] = hk_carve_take(&cv, pad_w, sizeof(int32_t));
        L.pair[v] = hk_carve_take(&cv, pad_w, 2u * sizeof(float));
    }
    L.hist = hk_carve_take(&cv, hist, sizeof(float));               /* ring of 4 rows */
    L.norm = hk_carve_take(&cv, j->nstride, 4u * sizeof(float));    /* ring of 4 rows */
    L.fac = hk_carve_take(&cv, j->fstride, 2u * sizeof(double));    /* up and down */
    size_t fbuf = 0; /* one output row, plane by plane (stream) */
    ok = ok && (!j->stream || hk_mul_size(out_planes(j), (j->hw + 7u) & ~(size_t)7u, &fbuf));
    L.fbuf = hk_carve_take(&cv, fbuf, sizeof(float));
    L.used = cv.used;
    L.ok = ok && cv.ok;
    return L;
}

/* Adds the pairs of pixels [x0, x1) into their bins' slots (column x at
 * slots + (x - x0) * slot): one 8-byte read-modify-write per vote, and
 * consecutive pixels never touch the same slot. */
static void add_votes(const hk_vlf_row *r, float *slots, size_t slot, size_t x0, size_t x1,
                      int votes)
{
    for (int v = 0; v < votes; v++) {
        const int32_t *restrict bin = r->bin[v];
        const float *restrict pair = r->pair[v];
        float *col = slots;
        for (size_t x = x0; x < x1; x++, col += slot) {
            v2f *t = (v2f *)col + bin[x];
            *t += *(const v2f *)(pair + 2 * x);
        }
    }
}

/* Cell row by = sy's span of pixel rows, all strips: the {A, B} pairs of
 * every cell c at sums + c * slot (A: the votes into cell row sy, B: into
 * row sy + 1). */
static void do_span(const job *j, const band_layout *L, unsigned char *base, long sy,
                    float *sums)
{
    const size_t ys = j->t->span_y[sy + 1], ye = j->t->span_y[sy + 2];
    const size_t rowf = j->C * j->W + HK_VLF_PAD, slot = j->slot;
    float *rows = (float *)(base + L->rows);
    for (size_t y = ys - 1; y <= ye; y++)
        j->k->convert(j->im, y, rows + (y - (ys - 1)) * rowf);
    float *slots = (float *)(base + L->slots);
    float *carry = (float *)(base + L->acc);
    hk_vlf_row r = {0};
    r.width = j->W;
    r.channels = j->C;
    r.n = j->n;
    r.ux = j->t->ux;
    r.uy = j->t->uy;
    r.bilinear = j->bilinear;
    r.sym = j->t->sym;
    r.u8 = j->im->type == HK_U8 && j->C == 1;
    for (int v = 0; v < 2; v++) {
        r.bin[v] = (int32_t *)(base + L->bin[v]);
        r.pair[v] = (float *)(base + L->pair[v]);
    }
    memset(carry, 0, slot * sizeof(float));
    hk_vlf_reduce q = {.slots = slots, .carry = carry, .out = sums, .slot = slot,
                       .start = j->t->start, .len = j->t->len, .wx1 = j->t->wx1,
                       .wx2 = j->t->wx2};
    for (size_t t = 0; t < j->t->n_strips; t++) {
        const size_t x0 = j->t->strip_x[t], x1 = j->t->strip_x[t + 1];
        r.x0 = x0;
        r.x1 = x1;
        for (size_t y = ys; x0 < x1 && y < ye; y++) {
            const float *row = rows + (y - ys) * rowf;
            r.up = row;
            r.mid = row + rowf;
            r.dn = row + 2 * rowf;
            r.wy2 = j->t->roww2[y];
            r.wy1 = 1.0f - r.wy2;
            j->k->orient(&r);
            add_votes(&r, slots, slot, x0, x1, 1 + j->bilinear);
        }
        q.x0 = x0;
        q.s0 = j->t->strip_s[t];
        q.s1 = j->t->strip_s[t + 1];
        j->k->strip_reduce(&q);
    }
}

/* Histogram row r and energy row r (at + 1, padded) in a band's rings. */
static float *hist_row(const job *j, unsigned char *base, const band_layout *L, long r)
{
    return (float *)(base + L->hist) + (size_t)(r & 3) * 2u * (size_t)j->n * j->plane;
}

static float *norm_row(const job *j, unsigned char *base, const band_layout *L, long r)
{
    return (float *)(base + L->norm) + (size_t)(r & 3) * j->nstride + 1;
}

/* Output row y from histogram row y and energy rows y - 1 .. y + 1 (clamped
 * to the grid), in the rings. */
static void out_row(const job *j, unsigned char *base, const band_layout *L, long y, long y0,
                    double **up, double **down)
{
    const long hh = (long)j->hh;
    const float *nm = norm_row(j, base, L, y > 0 ? y - 1 : 0), *n0 = norm_row(j, base, L, y);
    const float *np = norm_row(j, base, L, y + 1 < hh ? y + 1 : hh - 1);
    if (y == y0)
        j->k->blocks(nm, n0, j->hw, *up);
    j->k->blocks(n0, np, j->hw, *down);
    float *o = j->out + (size_t)y * j->hw;
    if (!j->stream) {
        j->k->extract(hist_row(j, base, L, y), j->plane, *up, *down, j->hw, j->n, j->uoctti, o,
                      j->hw * j->hh);
    } else { /* the row in L1, then plane by plane to memory */
        float *buf = (float *)(base + L->fbuf);
        const size_t bs = (j->hw + 7u) & ~(size_t)7u, np = out_planes(j);
        j->k->extract(hist_row(j, base, L, y), j->plane, *up, *down, j->hw, j->n, j->uoctti, buf,
                      bs);
        for (size_t d = 0; d < np; d++)
            hk_fhog_stream_copy(o + d * j->hw * j->hh, buf + d * bs, j->hw);
    }
    double *t = *up; /* the lower factors are the next row's upper ones */
    *up = *down;
    *down = t;
}

static void band_task(void *arg, size_t band, int worker)
{
    job *j = arg;
    const size_t hw = j->hw, nb = 2u * (size_t)j->n;
    const long hh = (long)j->hh;
    const long y0 = (long)(band * j->band_rows);
    const long y1 = y0 + (long)j->band_rows < hh ? y0 + (long)j->band_rows : hh;
    /* histogram (and energy) rows r0 .. r1 serve output rows y0 .. y1 - 1 */
    const long r0 = y0 > 0 ? y0 - 1 : 0, r1 = y1 < hh ? y1 : hh - 1;
    const band_layout L = layout(j);
    unsigned char *base = j->bases[worker];
    float *slots = (float *)(base + L.slots);
    memset(slots, 0, (j->t->strip_cap * j->slot + HK_VLF_PAD) * sizeof(float));
    const size_t rowf = j->C * j->W + HK_VLF_PAD;
    float *rows = (float *)(base + L.rows);
    for (size_t i = 0; i < j->t->max_span_rows + 2; i++) /* the pads, read by vectors */
        memset(rows + i * rowf + j->C * j->W, 0, HK_VLF_PAD * sizeof(float));
    /* the ring's slack, read by the kernels' whole vectors past a row */
    memset(base + L.hist, 0, (4u * nb * j->plane + HK_VLF_PAD) * sizeof(float));
    memset(base + L.norm, 0, 4u * j->nstride * sizeof(float));
    double *up = (double *)(base + L.fac), *down = up + j->fstride;
    /* hist row cy = B of span cy - 1 + A of span cy (0 for a span without
     * pixel rows): the same operands in every band split. The pairs are
     * turned into the reference's planar rows here, one plane at a time. */
    const size_t slot = j->slot;
    float *cur = (float *)(base + L.sums[0]), *prev = (float *)(base + L.sums[1]);
    for (long sy = r0 - 1; sy <= r1; sy++) {
        if (j->t->span_y[sy + 1] < j->t->span_y[sy + 2])
            do_span(j, &L, base, sy, cur);
        else
            memset(cur, 0, hw * slot * sizeof(float));
        if (sy >= r0) {
            float *dst = hist_row(j, base, &L, sy);
            for (size_t b = 0; b < nb; b++) {
                const float *pa = cur + 2 * b, *pb = prev + 2 * b + 1;
                float *d = dst + b * j->plane;
                for (size_t c = 0; c < hw; c++)
                    d[c] = pb[c * slot] + pa[c * slot];
            }
            float *nr = norm_row(j, base, &L, sy);
            j->k->norm(dst, j->plane, hw, j->n, nr);
            nr[-1] = nr[0];
            nr[hw] = nr[hw - 1];
            /* energy row sy is in: output row sy - 1 can be made */
            if (sy - 1 >= y0 && sy - 1 < y1)
                out_row(j, base, &L, sy - 1, y0, &up, &down);
        }
        float *t = prev;
        prev = cur;
        cur = t;
    }
    if (y1 == hh) /* the last row: its lower energy row is its own */
        out_row(j, base, &L, hh - 1, y0, &up, &down);
}

hk_status hk_vlfeat_fast(hk_hog_ctx *ctx, const hk_vlfeat_params *p, int uoctti,
                         const hk_image *im, float *out, const hk_vlf_kernels *k, int threads)
{
    hk_shape shape;
    hk_status st = hk_vlfeat_shape(p, uoctti, im->width, im->height, &shape);
    if (st != HK_OK)
        return st;
    job j = {0};
    j.im = im;
    j.k = k;
    j.n = p->orientations;
    j.bilinear = p->bilinear_orientations;
    j.uoctti = uoctti;
    j.hh = shape.dims[1];
    j.hw = shape.dims[2];
    j.W = im->width;
    j.C = im->channels;
    const size_t hw = j.hw, hh = j.hh;
    st = hk_vlf_tables_get(ctx, j.W, im->height, (size_t)p->cell_size, j.n, hw, hh, &j.t);
    if (st != HK_OK)
        return st;

    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;
    /* one or two bands per thread: a band makes about two spans more than
     * its own rows (the rows around its edges) */
    j.band_rows = hh;
    if (threads > 1 && hh >= 2 * MIN_BAND_ROWS) {
        size_t per = 2 * (size_t)threads;
        if (hh / per < TWO_BANDS_MIN_ROWS)
            per = (size_t)threads;
        size_t want = (hh + per - 1) / per;
        j.band_rows = want < MIN_BAND_ROWS ? MIN_BAND_ROWS : want;
    }
    j.n_bands = (hh + j.band_rows - 1) / j.band_rows;
    if (j.n_bands < 2)
        threads = 1;
    /* slot of one column: {A, B} for each of the 2n bins, whole vectors */
    j.slot = ((4u * (size_t)j.n + 7) / 8) * 8;
    /* rings: bin planes of a histogram row, energy rows, block factors */
    j.plane = plane_stride(hw);
    j.nstride = hw + 2 + HK_VLF_PAD;
    j.fstride = hw + 1 + HK_VLF_PAD;
    if (!j.plane)
        return HK_ERR_OVERFLOW;
    j.out = out;
    /* large outputs: every line of the 4n or 3n + 4 planes would be read
     * from memory before being written (8192x8192: 151 MB) */
    j.stream = shape.count >= HK_FHOG_STREAM_BYTES / sizeof(float) && hw >= 32;
    const band_layout L = layout(&j);
    if (!L.ok)
        return HK_ERR_OVERFLOW;
    if (j.n_bands == 1) {
        if (!(j.bases[0] = hk_ctx_scratch(ctx, L.used)))
            return HK_ERR_NOMEM;
        band_task(&j, 0, 0);
        return HK_OK;
    }
    const int workers = (size_t)threads < j.n_bands ? threads : (int)j.n_bands;
    for (int w = 0; w < workers; w++) {
        hk_hog_ctx *wc = hk_ctx_worker(ctx, w);
        j.bases[w] = wc ? hk_ctx_scratch(wc, L.used) : NULL;
        if (!j.bases[w])
            return HK_ERR_NOMEM;
    }
    hk_parallel_run(workers, j.n_bands, band_task, &j);
    return HK_OK;
}
