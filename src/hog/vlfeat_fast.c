/* Banded, threaded driver of the VLFeat fast path (see vlfeat_fast.h for why
 * its output is bit-identical to vlfeat.c's for any kernel set, band split
 * and thread count).
 *
 * Phase 1, one task per band of cell rows: every pixel row voting into the
 * band is converted, binned (kernel) and scattered into a band-local,
 * cell-major histogram with one spare cell row above and below, which takes
 * the votes that belong to the neighbouring bands (they compute those
 * themselves). The band's own rows are then copied, transposed, into the
 * shared planar histogram (the reference's layout).
 * Phase 2, one task per band: the cell energies (norm kernel).
 * Phase 3, one task per band: block factors and output rows (kernels). */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/fhog_common.h"
#include "hog/hog_internal.h"
#include "hog/vlfeat_fast.h"

#define VL_PI 3.141592653589793

/* Cell rows per band at least this many: a band re-reads about one cell of
 * pixel rows above it, so thin bands would waste work. */
#define MIN_BAND_ROWS 8

/* Images of more cells than this are banded even on one thread, in bands
 * of this many cell rows (re-reading one cell of pixel rows per band). */
#define BIG_CELLS 65536
#define BIG_BAND_ROWS 64

/* Floats between the end of one band-histogram row and the next: a row of
 * 1024 cells of 18 bins is exactly 18 pages, and the two rows a vote updates
 * would then sit at the same offset in their pages (4K aliasing). */
#define ROW_SKEW 16

/* Pixels per strip of a row (binned, then scattered, while in L1). */
#define STRIP_PIXELS 512

typedef struct job {
    const hk_image *im;
    const hk_vlf_kernels *k;
    int n, bilinear, uoctti;
    size_t hw, hh, W, C;
    const float *ux, *uy, *wx1, *wx2;
    const long *rowbin;    /* by of every pixel row */
    const float *roww2;    /* wy2 of every pixel row */
    const size_t *start;   /* first interior pixel of span c at [c + 1], c in [-1, hw) */
    const size_t *len;     /* its length */
    size_t max_len;
    size_t reg_a, reg_b;   /* spans [reg_a, reg_b): length max_len, back to back */
    size_t n_strips;       /* strip t: spans [strip_s[t], strip_s[t+1]), pixels */
    const size_t *strip_s; /* [strip_x[t], strip_x[t+1]) */
    const size_t *strip_x;
    size_t band_rows, n_bands;
    float *hist;           /* shared histogram: planes of `plane` floats, rows of hw */
    size_t plane;
    float *norm;           /* padded norm rows: row cy at norm + cy * nstride + 1 */
    size_t nstride;
    float *out;
    double *factors;       /* two rows of block factors per band, fstride apart */
    size_t fstride;
    unsigned char *bases[HK_MAX_WORKERS]; /* band scratch of each worker (phase 1) */
    size_t band_bytes;
} job;

/* Offsets of the pieces of one band's scratch. */
typedef struct band_layout {
    size_t hist, rows, bin[2], p[2][2], used;
    int ok;
} band_layout;

static band_layout layout(size_t band_rows, size_t hw, int n, size_t W, size_t C)
{
    band_layout L = {0};
    hk_carve cv = {0, 1};
    size_t cells = 0, rowf = 0, pad_w = 0;
    size_t lrow = 0;
    int ok = hk_mul_size(hw, 2u * (size_t)n, &lrow) && hk_add_size(lrow, ROW_SKEW, &lrow) &&
             hk_mul_size(band_rows + 2, lrow, &cells) && hk_mul_size(C, W, &rowf) &&
             hk_add_size(rowf, HK_VLF_PAD, &rowf) && hk_add_size(W, HK_VLF_PAD, &pad_w) &&
             hk_add_size(cells, HK_VLF_PAD, &cells);
    L.hist = hk_carve_take(&cv, cells, sizeof(float));
    L.rows = hk_carve_take(&cv, rowf, 3u * sizeof(float));
    for (int v = 0; v < 2; v++) {
        L.bin[v] = hk_carve_take(&cv, pad_w, sizeof(int32_t));
        for (int i = 0; i < 2; i++)
            L.p[v][i] = hk_carve_take(&cv, pad_w, sizeof(float));
    }
    L.used = cv.used;
    L.ok = ok && cv.ok;
    return L;
}

/* Cell position of pixel coordinate v, as vlfeat.c's cell_pos. */
static inline void cell_pos(size_t v, size_t cs, long *bin, float *w2)
{
    float h = (float)(((double)v + 0.5) / (double)cs - 0.5);
    long b = (long)floorf(h);
    *bin = b;
    *w2 = h - (float)b;
}

/* One vote of pixel x into the cell at cellp (rows la and la + 1). */
#define VOTE(cellp, x)                                                         \
    do {                                                                       \
        float *e_ = (cellp) + b0[x];                                           \
        const float v0_ = p0[x];                                               \
        e_[0] += v0_ * wy1;                                                    \
        e_[down] += v0_ * wy2;                                                 \
        if (bilinear) {                                                        \
            const float v1_ = p1[x];                                           \
            e_ = (cellp) + b1[x];                                              \
            e_[0] += v1_ * wy1;                                                \
            e_[down] += v1_ * wy2;                                             \
        }                                                                      \
    } while (0)

/* The votes of one row into local rows la (weight wy1) and la + 1 (wy2):
 * first every vote into the right neighbour cell, then every vote into the
 * pixel's own cell, the spans walked in step (k-th pixel of every span, then
 * the k+1-th). The band-local histogram is cell-major (the 2n bins of a cell
 * together), so the walk moves through memory in order. Spans [ra, rb) are
 * regular (same length, back to back) and walked without the tables. */
static inline void scatter_votes(const job *j, const hk_vlf_row *r, float *h, size_t la,
                                 size_t sa, size_t sb, const int bilinear)
{
    const size_t hw = j->hw, nb = 2u * (size_t)j->n, down = hw * nb + ROW_SKEW;
    const size_t ra = j->reg_a, rb = j->reg_b, L = j->max_len;
    float *row = h + la * down;
    for (int side = 0; side < 2; side++) {
        /* side 0: span s (c = s - 1 = -1 .. hw - 2) into cell s with wx2;
         * side 1: span s (c = s - 1 = 0 .. hw - 1) into cell s - 1 with wx1 */
        size_t s0 = side == 0 ? 0 : 1, s1 = side == 0 ? hw : hw + 1;
        s0 = s0 > sa ? s0 : sa; /* this strip's spans */
        s1 = s1 < sb ? s1 : sb;
        if (s0 >= s1)
            continue;
        const int pa = side == 0 ? 1 : 0; /* wx2 or wx1 products */
        const int32_t *restrict b0 = r->bin[0], *restrict b1 = r->bin[1];
        const float *restrict p0 = r->p[0][pa], *restrict p1 = r->p[1][pa];
        const float wy1 = r->wy1, wy2 = r->wy2;
        float *base = row - (size_t)side * nb; /* cell of span s: base + s * nb */
        const size_t a = ra > s0 ? ra : s0, b = rb < s1 ? rb : s1;
        for (size_t k = 0; k < L; k++) {
            for (size_t s = s0; s < s1 && s < a; s++)
                if (k < j->len[s])
                    VOTE(base + s * nb, j->start[s] + k);
            if (a < b) {
                size_t x = j->start[a] + k;
                float *cellp = base + a * nb;
                for (size_t s = a; s < b; s++, x += L, cellp += nb)
                    VOTE(cellp, x);
            }
            for (size_t s = b > s0 ? b : s0; s < s1; s++)
                if (k < j->len[s])
                    VOTE(base + s * nb, j->start[s] + k);
        }
    }
}

/* A row in strips of spans, left to right, each binned then scattered: the
 * votes and the touched histogram cells of a strip stay in L1. Element c
 * takes its "right" votes from span c and its "left" votes from span c + 1,
 * a later or the same strip, so strips keep every element's order. */
static void row_strips(const job *j, hk_vlf_row *r, float *h, size_t la)
{
    for (size_t t = 0; t < j->n_strips; t++) {
        const size_t sa = j->strip_s[t], sb = j->strip_s[t + 1];
        r->x0 = j->strip_x[t];
        r->x1 = j->strip_x[t + 1];
        if (r->x0 < r->x1)
            j->k->orient(r);
        if (j->bilinear)
            scatter_votes(j, r, h, la, sa, sb, 1);
        else
            scatter_votes(j, r, h, la, sa, sb, 0);
    }
}

static void band_task(void *arg, size_t band, int worker)
{
    job *j = arg;
    const size_t hw = j->hw, W = j->W, H = j->im->height;
    const size_t cy0 = band * j->band_rows;
    const size_t cy1 = cy0 + j->band_rows < j->hh ? cy0 + j->band_rows : j->hh;
    const size_t lrows = cy1 - cy0 + 2, lrow = hw * 2u * (size_t)j->n + ROW_SKEW;
    const band_layout L = layout(j->band_rows, hw, j->n, W, j->C);
    unsigned char *base = j->bases[worker];
    float *h = (float *)(base + L.hist);
    memset(h, 0, (lrows * lrow + HK_VLF_PAD) * sizeof(float));

    /* pixel rows with cy0 - 1 <= by <= cy1 - 1 (by rises with y) */
    size_t ys = 1, ye;
    while (ys + 1 < H && j->rowbin[ys] < (long)cy0 - 1)
        ys++;
    ye = ys;
    while (ye + 1 < H && j->rowbin[ye] <= (long)cy1 - 1)
        ye++;

    const size_t rowf = j->C * W + HK_VLF_PAD;
    float *rb[3] = {(float *)(base + L.rows), (float *)(base + L.rows) + rowf,
                    (float *)(base + L.rows) + 2 * rowf};
    hk_vlf_row r = {0};
    r.width = W;
    r.channels = j->C;
    r.n = j->n;
    r.ux = j->ux;
    r.uy = j->uy;
    r.bilinear = j->bilinear;
    r.wx1 = j->wx1;
    r.wx2 = j->wx2;
    for (int v = 0; v < 2; v++) {
        r.bin[v] = (int32_t *)(base + L.bin[v]);
        for (int i = 0; i < 2; i++)
            r.p[v][i] = (float *)(base + L.p[v][i]);
    }
    for (int i = 0; i < 3; i++) /* the pads, read by vectors past the last pixel */
        memset(rb[i] + j->C * W, 0, HK_VLF_PAD * sizeof(float));
    if (ys < ye) {
        j->k->convert(j->im, ys - 1, rb[0]);
        j->k->convert(j->im, ys, rb[1]);
    }
    for (size_t y = ys; y < ye; y++) {
        j->k->convert(j->im, y + 1, rb[2]);
        r.up = rb[0];
        r.mid = rb[1];
        r.dn = rb[2];
        r.wy2 = j->roww2[y];
        r.wy1 = 1.0f - r.wy2;
        row_strips(j, &r, h, (size_t)(j->rowbin[y] - ((long)cy0 - 1)));
        float *t = rb[0];
        rb[0] = rb[1];
        rb[1] = rb[2];
        rb[2] = t;
    }

    /* the band's rows into the shared planar histogram */
    const size_t nb = 2u * (size_t)j->n;
    for (size_t cy = cy0; cy < cy1; cy++) {
        const float *src = h + (cy - cy0 + 1) * lrow;
        float *dst = j->hist + cy * hw;
        for (size_t c = 0; c < hw; c++)
            for (size_t b = 0; b < nb; b++)
                dst[b * j->plane + c] = src[c * nb + b];
    }
}

/* Cell energies of a band's rows, once the whole histogram is there (the
 * kernel reads whole vectors, past a row's end into the next row). */
static void norm_task(void *arg, size_t band, int worker)
{
    job *j = arg;
    const size_t cy0 = band * j->band_rows, hw = j->hw;
    const size_t cy1 = cy0 + j->band_rows < j->hh ? cy0 + j->band_rows : j->hh;
    for (size_t cy = cy0; cy < cy1; cy++) {
        float *nr = j->norm + cy * j->nstride + 1;
        j->k->norm(j->hist + cy * hw, j->plane, hw, j->n, nr);
        nr[-1] = nr[0];
        nr[hw] = nr[hw - 1];
    }
}

static void extract_task(void *arg, size_t band, int worker)
{
    job *j = arg;
    const size_t cy0 = band * j->band_rows;
    const size_t cy1 = cy0 + j->band_rows < j->hh ? cy0 + j->band_rows : j->hh;
    const size_t hw = j->hw, hh = j->hh, ns = j->nstride;
    /* two rows of block factors per band, the lower one reused as the next
     * row's upper one */
    double *up = j->factors + band * 2 * j->fstride, *down = up + j->fstride;
    for (size_t y = cy0; y < cy1; y++) {
        const size_t ym = y > 0 ? y - 1 : 0, yp = y + 1 < hh ? y + 1 : hh - 1;
        const float *nm = j->norm + ym * ns + 1, *n0 = j->norm + y * ns + 1,
                    *np = j->norm + yp * ns + 1;
        if (y == cy0)
            j->k->blocks(nm, n0, hw, up);
        j->k->blocks(n0, np, hw, down);
        j->k->extract(j->hist + y * hw, j->plane, up, down, hw, j->n, j->uoctti,
                      j->out + y * hw, hw * hh);
        double *t = up;
        up = down;
        down = t;
    }
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
    const size_t cs = (size_t)p->cell_size, W = j.W, H = im->height, hw = j.hw, hh = j.hh;

    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;
    j.band_rows = hh;
    if (threads > 1 && hh >= 2 * MIN_BAND_ROWS) {
        size_t want = (hh + 3 * (size_t)threads - 1) / (3 * (size_t)threads);
        j.band_rows = want < MIN_BAND_ROWS ? MIN_BAND_ROWS : want;
    }
    /* a big image is banded on one thread too, so the band histogram (a
     * second copy of the cells) stays small */
    if (j.band_rows > BIG_BAND_ROWS && hw * hh > BIG_CELLS)
        j.band_rows = BIG_BAND_ROWS;
    j.n_bands = (hh + j.band_rows - 1) / j.band_rows;
    if (j.n_bands < 2)
        threads = 1;

    /* shared scratch: tables, norm rows, and the shared histogram (several
     * bands) or the one band's scratch */
    size_t cells, nrows;
    j.nstride = hw + 2 + HK_VLF_PAD;
    if (!hk_mul_size(hw, hh, &cells) || !hk_mul_size(j.nstride, hh, &nrows) ||
        !hk_add_size(nrows, HK_VLF_PAD, &nrows))
        return HK_ERR_OVERFLOW;
    hk_carve cv = {0, 1};
    const size_t o_u = hk_carve_take(&cv, 2u * (size_t)j.n, sizeof(float));
    const size_t o_wx = hk_carve_take(&cv, W + HK_VLF_PAD, 2u * sizeof(float));
    const size_t o_rb = hk_carve_take(&cv, H, sizeof(long));
    const size_t o_rw = hk_carve_take(&cv, H, sizeof(float));
    const size_t o_sp = hk_carve_take(&cv, hw + 1, 2u * sizeof(size_t));
    /* strips of about STRIP_PIXELS pixels (whole spans) */
    const size_t strip_spans = cs >= STRIP_PIXELS ? 1 : STRIP_PIXELS / cs;
    j.n_strips = (hw + 1 + strip_spans - 1) / strip_spans;
    const size_t o_st = hk_carve_take(&cv, j.n_strips + 1, 2u * sizeof(size_t));
    const size_t o_norm = hk_carve_take(&cv, nrows, sizeof(float));
    j.fstride = hw + 1 + HK_VLF_PAD;
    size_t frows;
    if (!hk_mul_size(j.n_bands * 2, j.fstride, &frows))
        return HK_ERR_OVERFLOW;
    const size_t o_fac = hk_carve_take(&cv, frows, sizeof(double));
    size_t hist_n = 0;
    if (!hk_mul_size(cells, 2u * (size_t)j.n, &hist_n) ||
        !hk_add_size(hist_n, HK_VLF_PAD, &hist_n))
        return HK_ERR_OVERFLOW;
    const size_t o_hist = hk_carve_take(&cv, hist_n, sizeof(float));
    const band_layout L = layout(j.band_rows, hw, j.n, W, j.C);
    if (!L.ok)
        return HK_ERR_OVERFLOW;
    const size_t o_band = hk_carve_take(&cv, j.n_bands > 1 ? 0 : L.used, 1);
    if (!cv.ok)
        return HK_ERR_OVERFLOW;
    unsigned char *base = hk_ctx_scratch(ctx, cv.used);
    if (!base)
        return HK_ERR_NOMEM;

    float *ux = (float *)(base + o_u), *uy = ux + j.n;
    for (int i = 0; i < j.n; i++) {
        double angle = i * VL_PI / j.n;
        ux[i] = (float)cos(angle);
        uy[i] = (float)sin(angle);
    }
    j.ux = ux;
    j.uy = uy;
    float *wx1 = (float *)(base + o_wx), *wx2 = wx1 + W + HK_VLF_PAD;
    memset(wx1, 0, 2u * (W + HK_VLF_PAD) * sizeof(float)); /* the pads, read by vectors */
    size_t *start = (size_t *)(base + o_sp), *len = start + hw + 1;
    for (size_t s = 0; s <= hw; s++)
        start[s] = len[s] = 0;
    for (size_t x = 0; x < W; x++) {
        long bx;
        cell_pos(x, cs, &bx, &wx2[x]);
        wx1[x] = 1.0f - wx2[x];
        /* spans over interior pixels; bx < hw always (the grid covers the
         * image), checked so a surprise cannot write out of bounds */
        if (x >= 1 && x + 1 < W && bx >= -1 && bx < (long)hw) {
            const size_t s = (size_t)(bx + 1);
            if (len[s] == 0)
                start[s] = x;
            len[s]++;
        }
    }
    j.max_len = 0;
    for (size_t s = 0; s <= hw; s++)
        j.max_len = len[s] > j.max_len ? len[s] : j.max_len;
    /* the longest run of regular spans */
    j.reg_a = j.reg_b = 0;
    for (size_t s = 0; s <= hw;) {
        if (len[s] != j.max_len) {
            s++;
            continue;
        }
        size_t e = s + 1;
        while (e <= hw && len[e] == j.max_len && start[e] == start[e - 1] + j.max_len)
            e++;
        if (e - s > j.reg_b - j.reg_a) {
            j.reg_a = s;
            j.reg_b = e;
        }
        s = e;
    }
    size_t *strip_s = (size_t *)(base + o_st), *strip_x = strip_s + j.n_strips + 1;
    for (size_t t = 0; t <= j.n_strips; t++) {
        const size_t sp = t * strip_spans < hw + 1 ? t * strip_spans : hw + 1;
        strip_s[t] = sp;
        /* first pixel of span sp or later (spans tile the interior in order) */
        size_t x = W > 1 ? W - 1 : 1;
        for (size_t q = sp; q <= hw; q++)
            if (len[q] > 0) {
                x = start[q];
                break;
            }
        strip_x[t] = x;
    }
    strip_x[0] = 1;
    j.strip_s = strip_s;
    j.strip_x = strip_x;
    j.wx1 = wx1;
    j.wx2 = wx2;
    j.start = start;
    j.len = len;
    long *rowbin = (long *)(base + o_rb);
    float *roww2 = (float *)(base + o_rw);
    for (size_t y = 0; y < H; y++)
        cell_pos(y, cs, &rowbin[y], &roww2[y]);
    j.rowbin = rowbin;
    j.roww2 = roww2;
    j.norm = (float *)(base + o_norm);
    j.out = out;
    j.factors = (double *)(base + o_fac);

    j.hist = (float *)(base + o_hist);
    j.plane = cells;
    memset(j.hist + hist_n - HK_VLF_PAD, 0, HK_VLF_PAD * sizeof(float));
    if (j.n_bands == 1) {
        j.bases[0] = base + o_band;
        band_task(&j, 0, 0);
        norm_task(&j, 0, 0);
        extract_task(&j, 0, 0);
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
    hk_parallel_run(workers, j.n_bands, norm_task, &j);
    hk_parallel_run(workers, j.n_bands, extract_task, &j);
    return HK_OK;
}
