/*
 * OpenCV variant, AVX2 path: the driver (method in opencv_fast.h, units in
 * opencv_avx2.h). Compiled with -mavx2 -mfma (CMakeLists.txt); without them
 * (HK_SCALAR_ONLY, other CPUs) only the sizes and stubs are built and the
 * scalar reference path runs.
 *
 * Everything that depends only on the geometry is a plan kept by the
 * context and reused while the geometry stays the same (a batch, a video):
 * the gamma table, the column map, the weights U and V, the entry tables of
 * the block dot products, and the band schedule (per band of cs_y rows, the
 * column-sum rows it adds to, with which weights, cut into runs of rows
 * with the same nonzero targets; the rows it zeroes; the block rows it
 * completes). A call then only walks the pixels: per padded row the
 * gamma-corrected planar row (a ring of three), the gradient and votes
 * (hk__grad_row_avx2, shared with the detector); per band the runs
 * (opencv_avx2_band.c); per completed block row the dot products and the
 * normalisation (opencv_avx2_block.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "detect/level.h"
#include "hog/hog_internal.h"
#include "hog/opencv_avx2.h"
#include "hog/opencv_fast.h"

/* The AVX2 path never needs much more memory than the scalar path (10
 * bytes per padded pixel); below this it is always taken. */
#define FAST_MIN_BUDGET ((size_t)64 << 20)

/* Sizes of the working areas; 0 from fast_sizes means "does not fit". */
typedef struct fast_sizes {
    size_t wacc;    /* lanes of one column-sum row: padded width + 8, rounded up to 8 */
    size_t bwp;     /* block width rounded up to 8: the dot length */
    size_t ring;    /* block rows in memory: ceil(block_h / cs_y) */
    size_t rowlen;  /* floats of one planar input row (index -1 .. pwidth) */
    size_t nbp;     /* bin rows per cell row: nbins + 7 (bins go up to 8 at a time) */
    size_t slot;    /* floats of one block row's column sums: ncells_y * nbp * wacc */
    size_t acc;     /* ring * slot */
    size_t brows;   /* rows of a band held: cs_y, or fewer when the image has fewer */
    size_t rows;    /* padded rows the blocks cover */
    size_t nbands;  /* bands of cs_y rows over them */
    size_t nt;      /* most targets of a band: ring * ncells_y */
    size_t sched;   /* bytes of the band schedule, at most */
} fast_sizes;

typedef struct band_info band_info;

static int fast_sizes_get(const hk_ocv_geometry *g, fast_sizes *s)
{
    /* the gradient kernel indexes rows with an int */
    if (g->pwidth > ((size_t)1 << 30) || g->pheight > ((size_t)1 << 30))
        return 0;
    s->wacc = (g->pwidth + 8 + 7) & ~(size_t)7; /* >= pwidth + 8: see the row loop */
    s->bwp = ((size_t)g->block_w + 7) & ~(size_t)7;
    s->ring = ((size_t)g->block_h + (size_t)g->cs_y - 1) / (size_t)g->cs_y;
    s->rowlen = g->pwidth + 16;
    size_t t;
    s->nbp = (size_t)g->nbins + 7;
    if (!hk_mul_size(g->ncells_y, s->nbp, &t) || !hk_mul_size(t, s->wacc, &s->slot) ||
        !hk_mul_size(s->slot, s->ring, &s->acc) || !hk_mul_size(s->ring, g->ncells_y, &s->nt))
        return 0;
    /* rows the blocks cover, at most the padded height by construction */
    s->rows = (g->grid_y - 1) * (size_t)g->cs_y + (size_t)g->block_h;
    s->brows = s->rows < (size_t)g->cs_y ? s->rows : (size_t)g->cs_y;
    s->nbands = (s->rows + (size_t)g->cs_y - 1) / (size_t)g->cs_y;
    /* the schedule: per row at most nt target offsets and weights and one
     * run, per band at most nt rows to zero (see build_schedule) */
    size_t per_row, per_band, a, b;
    if (!hk_mul_size(s->nt, sizeof(size_t) + sizeof(float), &per_row) ||
        !hk_add_size(per_row, sizeof(hk__ocv_run), &per_row) ||
        !hk_mul_size(s->nt, sizeof(size_t), &per_band) ||
        !hk_add_size(per_band, 64, &per_band) || !hk_mul_size(per_row, s->rows, &a) ||
        !hk_mul_size(per_band, s->nbands, &b) || !hk_add_size(a, b, &s->sched))
        return 0;
    /* memory: the column sums, a band of votes and the schedule against
     * the scalar path's gradient image */
    size_t acc_b, band_b, npix, scalar_b;
    if (!hk_mul_size(s->acc, sizeof(float), &acc_b) ||
        !hk_mul_size(s->brows, s->wacc * 9 + 16, &band_b) || !hk_add_size(acc_b, band_b, &acc_b) ||
        !hk_add_size(acc_b, s->sched, &acc_b))
        return 0;
    if (!hk_mul_size(g->pwidth, g->pheight, &npix) || !hk_mul_size(npix, 10, &scalar_b))
        scalar_b = SIZE_MAX;
    return acc_b <= FAST_MIN_BUDGET || acc_b <= scalar_b;
}

int hk_ocv_avx2_fits(const hk_ocv_geometry *g)
{
    fast_sizes s;
    return fast_sizes_get(g, &s);
}

/* What a band does (see the top of the file). */
struct band_info {
    size_t nr;             /* rows: cs_y, fewer for the last band */
    size_t run0, nruns;    /* its runs in plan->runs */
    size_t zero0, nzero;   /* column-sum rows it zeroes first, in plan->zoff */
    size_t fin_lo, fin_hi; /* block rows it completes (none when fin_lo > fin_hi) */
};

/* The plan of one geometry and channel count (the key). */
struct hk_ocv_plan {
    hk_ocv_geometry g;
    unsigned cn;
    int ready;
    fast_sizes s;
    size_t lanes;   /* lanes the blocks read: up to the last block's dot */
    size_t work;    /* bytes of per-call scratch (before the grid) */
    size_t at[10];  /* where each per-call area starts (see work_get) */
    float lut[256]; /* gamma, or the identity */
    int *xmap;      /* pwidth + 2: image column of padded -1 .. pwidth */
    float *u, *v;   /* (ncells_x + 1) x bwp (the last row zero), ncells_y x block_h */
    size_t *koff;   /* per entry (block_len rounded up to 8): its column-sum row */
    int *kcx;       /* and its cell x (ncells_x: the zero row, past the end) */
    band_info *bands;
    hk__ocv_run *runs;
    size_t *toff;   /* the runs' targets: offsets of column-sum rows in the ring */
    float *tw;      /* and their weights */
    size_t *zoff;   /* rows the bands zero */
    unsigned char *mem;
    size_t bytes;
};

void hk_ocv_plan_free(struct hk_ocv_plan *p)
{
    if (p)
        free(p->mem);
    free(p);
}

/* Adds `bytes` (rounded up to 64) to *total; *at is where it starts. */
static int carve(size_t *total, size_t bytes, size_t *at)
{
    *at = *total;
    size_t a;
    return hk_add_size(bytes, 63, &a) && hk_add_size(*total, a & ~(size_t)63, total);
}

static int mul3(size_t a, size_t b, size_t c, size_t *r)
{
    return hk_mul_size(a, b, r) && hk_mul_size(*r, c, r);
}

#ifdef __AVX2__
#include <immintrin.h>

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

/* The band schedule (see the top of the file): the targets of each band
 * and their weights V per row, cut into runs of rows that have the same
 * targets with nonzero weight: a row usually lies in fewer cells than the
 * band's targets (16x16 blocks of 8x8 cells: 3 of 4), and a zero weight
 * would cost as much as any other. tmp_off (nt) and tmp_w (nt x brows):
 * scratch. */
static void build_schedule(struct hk_ocv_plan *p, size_t *tmp_off, float *tmp_w)
{
    const hk_ocv_geometry *g = &p->g;
    const fast_sizes *s = &p->s;
    const size_t cs = (size_t)g->cs_y, bh = (size_t)g->block_h, ws = s->brows;
    size_t nruns = 0, ntgt = 0, nwt = 0, nzero = 0;
    for (size_t k = 0, y0 = 0; y0 < s->rows; k++, y0 += cs) {
        band_info *b = &p->bands[k];
        const size_t nr = s->rows - y0 < cs ? s->rows - y0 : cs, ylast = y0 + nr - 1;
        size_t gy_lo = y0 + 1 > bh ? (y0 + 1 - bh + cs - 1) / cs : 0, gy_hi = ylast / cs;
        if (gy_hi > g->grid_y - 1)
            gy_hi = g->grid_y - 1;
        /* targets: (block row, cell row) pairs, weight V per band row */
        int T = 0;
        uint64_t fresh = 0; /* targets of block rows starting here */
        b->nr = nr;
        b->fin_lo = 1;
        b->fin_hi = 0;
        b->zero0 = nzero;
        for (size_t gy = gy_lo; gy <= gy_hi; gy++) {
            const size_t slot = (gy % s->ring) * s->slot;
            const int starts = gy * cs == y0;
            const size_t end = gy * cs + bh - 1; /* its last row */
            if (end >= y0 && end <= ylast) {
                b->fin_lo = b->fin_hi >= b->fin_lo ? b->fin_lo : gy;
                b->fin_hi = gy;
            }
            for (size_t cy = 0; cy < g->ncells_y; cy++) {
                float *wt = tmp_w + (size_t)T * ws;
                int any = 0;
                for (size_t r = 0; r < nr; r++) {
                    size_t y = y0 + r;
                    wt[r] = y >= gy * cs && y <= end ? p->v[cy * bh + (y - gy * cs)] : 0.f;
                    any |= wt[r] != 0.f;
                }
                const size_t row = slot + cy * s->nbp * s->wacc;
                if (any && starts && T < 64)
                    fresh |= (uint64_t)1 << T;
                else if (starts) /* the bins read later, zeroed */
                    p->zoff[nzero++] = row;
                if (any)
                    tmp_off[T++] = row;
            }
        }
        b->run0 = nruns;
        if (T > 64) { /* masks are 64 bits: such a band is one run, zeroed first */
            for (int t = 0; t < 64; t++)
                if (fresh >> t & 1)
                    p->zoff[nzero++] = tmp_off[t];
            hk__ocv_run *run = &p->runs[nruns++];
            *run = (hk__ocv_run){0, nr, ntgt, nwt, T, 0};
            for (int t = 0; t < T; t++) {
                p->toff[ntgt++] = tmp_off[t];
                for (size_t r = 0; r < nr; r++)
                    p->tw[nwt++] = tmp_w[(size_t)t * ws + r];
            }
        }
        for (size_t r = 0; T <= 64 && r < nr;) {
            uint64_t mask[2] = {0, 0};
            size_t r2 = r;
            for (; r2 < nr; r2++) {
                uint64_t m = 0;
                for (int t = 0; t < T; t++)
                    m |= (uint64_t)(tmp_w[(size_t)t * ws + r2] != 0.f) << t;
                mask[r2 == r] = m;
                if (r2 > r && m != mask[1])
                    break;
            }
            hk__ocv_run *run = &p->runs[nruns];
            *run = (hk__ocv_run){r, r2 - r, ntgt, nwt, 0, 0};
            for (int t = 0; t < T; t++)
                if (mask[1] >> t & 1) {
                    /* the first run to reach a new block row's target writes it */
                    run->fresh |= (fresh >> t & 1) << run->n;
                    fresh &= ~((uint64_t)1 << t);
                    p->toff[ntgt++] = tmp_off[t];
                    for (size_t k2 = r; k2 < r2; k2++)
                        p->tw[nwt++] = tmp_w[(size_t)t * ws + k2];
                    run->n++;
                }
            nruns += run->n > 0;
            r = r2;
        }
        b->nruns = nruns - b->run0;
        b->nzero = nzero - b->zero0;
    }
}

/* The constant tables: gamma, column map, U, V, entry offsets. */
static void build_tables(struct hk_ocv_plan *p)
{
    const hk_ocv_geometry *g = &p->g;
    const fast_sizes *s = &p->s;
    for (int i = 0; i < 256; i++) /* sqrtf is correctly rounded, as OpenCV's table */
        p->lut[i] = g->gamma_correction ? sqrtf((float)i) : (float)i;
    /* only the padding and the two outer columns reflect */
    const long lo = g->pad_x, hi = g->pad_x + (long)g->width;
    for (long x = -1; x <= (long)g->pwidth; x++)
        p->xmap[x] = x >= lo && x < hi ? (int)(x - lo) : (int)hk_ocv_reflect101(x - lo, g->width);
    hk_ocv_axis_weights(g, 0, s->bwp, p->u);
    memset(p->u + g->ncells_x * s->bwp, 0, s->bwp * sizeof(float));
    hk_ocv_axis_weights(g, 1, (size_t)g->block_h, p->v);
    /* histogram entry k = (cx*ncells_y + cy)*nbins + b reads column-sum row
     * (cy*nbins + b) with U[cx]; entries past the block read the zero row */
    const size_t nb = (size_t)g->nbins, n8 = (g->block_len + 7) & ~(size_t)7;
    size_t k = 0;
    for (size_t cx = 0; cx < g->ncells_x; cx++)
        for (size_t cy = 0; cy < g->ncells_y; cy++)
            for (size_t b = 0; b < nb; b++, k++) {
                p->kcx[k] = (int)cx;
                p->koff[k] = (cy * s->nbp + b) * s->wacc;
            }
    for (; k < n8; k++) {
        p->kcx[k] = (int)g->ncells_x;
        p->koff[k] = 0;
    }
}

/* Per-call scratch areas, in the order of plan->at. */
enum { W_CONV, W_DX, W_DY, W_A0, W_A1, W_H0, W_ACC, W_TMP, W_TG, W_N };

/* Fills the per-call layout of p; 0 on overflow. */
static int work_layout(struct hk_ocv_plan *p)
{
    const hk_ocv_geometry *g = &p->g;
    const fast_sizes *s = &p->s;
    const size_t blen8 = (g->block_len + 7) & ~(size_t)7, cs = s->brows;
    size_t sz[W_N];
    int ok = mul3(s->rowlen, 3 * (size_t)p->cn, sizeof(float), &sz[W_CONV]) &&
             mul3(g->pwidth + 8, 1, sizeof(float), &sz[W_DX]) &&
             mul3(cs, s->wacc, sizeof(float), &sz[W_A0]) &&
             mul3(cs, s->wacc + 16, 1, &sz[W_H0]) && mul3(s->acc, 1, sizeof(float), &sz[W_ACC]) &&
             mul3(blen8, 8, sizeof(float), &sz[W_TMP]) &&
             mul3(s->nt, 1, sizeof(float *), &sz[W_TG]);
    sz[W_DY] = sz[W_DX];
    sz[W_A1] = sz[W_A0];
    p->work = 0;
    for (int i = 0; ok && i < W_N; i++)
        ok = carve(&p->work, sz[i], &p->at[i]);
    return ok;
}

/* The plan of g and cn into *out, from ctx's cache or made (replacing it):
 * HK_ERR_UNSUPPORTED when the geometry does not fit the fast path,
 * HK_ERR_NOMEM, HK_ERR_OVERFLOW. */
static hk_status plan_get(hk_hog_ctx *ctx, const hk_ocv_geometry *g, unsigned cn,
                          const struct hk_ocv_plan **out)
{
    struct hk_ocv_plan *p = ctx->ocv_plan;
    *out = p;
    if (p && p->ready && p->cn == cn && memcmp(&p->g, g, sizeof(*g)) == 0)
        return HK_OK;
    fast_sizes fs;
    if (!fast_sizes_get(g, &fs))
        return HK_ERR_UNSUPPORTED;
    if (!p && !(p = ctx->ocv_plan = calloc(1, sizeof(*p))))
        return HK_ERR_NOMEM;
    p->ready = 0; /* until filled */
    p->g = *g;
    p->cn = cn;
    p->s = fs;
    const fast_sizes *s = &p->s;
    if (!work_layout(p))
        return HK_ERR_OVERFLOW;
    enum { XMAP, U, V, KOFF, KCX, BANDS, RUNS, TOFF, TW, ZOFF, TOFF_TMP, TW_TMP, N };
    const size_t blen8 = (g->block_len + 7) & ~(size_t)7;
    size_t sz[N], at[N], total = 0, rn;
    int ok = mul3(g->pwidth + 2, 1, sizeof(int), &sz[XMAP]) &&
             mul3(g->ncells_x + 1, s->bwp, sizeof(float), &sz[U]) &&
             mul3(g->ncells_y, (size_t)g->block_h, sizeof(float), &sz[V]) &&
             mul3(blen8, 1, sizeof(size_t), &sz[KOFF]) && mul3(blen8, 1, sizeof(int), &sz[KCX]) &&
             mul3(s->nbands, 1, sizeof(band_info), &sz[BANDS]) &&
             mul3(s->rows, 1, sizeof(hk__ocv_run), &sz[RUNS]) &&
             hk_mul_size(s->rows, s->nt, &rn) && mul3(rn, 1, sizeof(size_t), &sz[TOFF]) &&
             mul3(rn, 1, sizeof(float), &sz[TW]) &&
             mul3(s->nbands, s->nt, sizeof(size_t), &sz[ZOFF]) &&
             mul3(s->nt, 1, sizeof(size_t), &sz[TOFF_TMP]) &&
             mul3(s->nt, s->brows, sizeof(float), &sz[TW_TMP]);
    for (int i = 0; ok && i < N; i++)
        ok = carve(&total, sz[i], &at[i]);
    if (!ok)
        return HK_ERR_OVERFLOW;
    if (p->bytes < total) {
        free(p->mem);
        p->bytes = 0;
        if (!(p->mem = malloc(total)))
            return HK_ERR_NOMEM;
        p->bytes = total;
    }
    unsigned char *m = p->mem;
    p->xmap = (int *)(m + at[XMAP]) + 1;
    p->u = (float *)(m + at[U]);
    p->v = (float *)(m + at[V]);
    p->koff = (size_t *)(m + at[KOFF]);
    p->kcx = (int *)(m + at[KCX]);
    p->bands = (band_info *)(m + at[BANDS]);
    p->runs = (hk__ocv_run *)(m + at[RUNS]);
    p->toff = (size_t *)(m + at[TOFF]);
    p->tw = (float *)(m + at[TW]);
    p->zoff = (size_t *)(m + at[ZOFF]);
    build_tables(p);
    build_schedule(p, (size_t *)(m + at[TOFF_TMP]), (float *)(m + at[TW_TMP]));
    /* the lanes the blocks read: up to the last block's dot */
    p->lanes = ((g->grid_x - 1) * (size_t)g->cs_x + s->bwp + 7) & ~(size_t)7;
    p->ready = 1;
    *out = p;
    return HK_OK;
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

/* Copies n floats to dst: whole 64-byte lines with streaming stores, the
 * partial lines at both ends with ordinary ones (a neighbour may share
 * them). */
static void stream_out(float *dst, const float *src, size_t n)
{
    size_t i = 0;
    while (i < n && ((uintptr_t)(dst + i) & 63) != 0) {
        dst[i] = src[i];
        i++;
    }
    for (; i + 16 <= n; i += 16) {
        _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
        _mm256_stream_ps(dst + i + 8, _mm256_loadu_ps(src + i + 8));
    }
    for (; i < n; i++)
        dst[i] = src[i];
    _mm_sfence(); /* ordered before any later store, as ordinary stores are */
}

hk_status hk_ocv_avx2_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                           float *out, size_t sx, size_t sy, float **grid)
{
    const unsigned cn = im->channels;
    size_t grid_n = 0, total, grid_at = 0;
    const struct hk_ocv_plan *p;
    hk_status st = plan_get(ctx, g, cn, &p);
    if (st != HK_OK)
        return st;
    if (!out && (st = hk_ocv_grid_count(g, &grid_n)) != HK_OK)
        return st;
    total = p->work;
    if (grid_n && !carve(&total, grid_n * sizeof(float), &grid_at))
        return HK_ERR_OVERFLOW;
    /* the descriptor's span: from the first block to the end of the last */
    const size_t span = out ? (g->grid_x - 1) * sx + (g->grid_y - 1) * sy + g->block_len : 0;
    size_t stage_at = 0;
    /* (only when the blocks tile it: no gap of the caller's left unwritten) */
    const int stage = out && span <= STAGE_MAX / sizeof(float) &&
                      span == g->grid_x * g->grid_y * g->block_len &&
                      carve(&total, span * sizeof(float), &stage_at);
    unsigned char *m = hk_ctx_scratch(ctx, total);
    if (!m)
        return HK_ERR_NOMEM;
    const fast_sizes *s = &p->s;
    float *conv = (float *)(m + p->at[W_CONV]), *dx = (float *)(m + p->at[W_DX]);
    float *dy = (float *)(m + p->at[W_DY]), *acc = (float *)(m + p->at[W_ACC]);
    float *va0 = (float *)(m + p->at[W_A0]), *va1 = (float *)(m + p->at[W_A1]);
    uint8_t *vh0 = m + p->at[W_H0];
    float *tmp = (float *)(m + p->at[W_TMP]), **tg = (float **)(m + p->at[W_TG]);
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
    const size_t pw = g->pwidth, wacc = s->wacc, cs = (size_t)g->cs_y, bh = (size_t)g->block_h;
    const size_t h0len = wacc + 16, lanes = p->lanes;
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
    /* Bands of cs_y rows: block rows start at band starts, so a band's
     * targets are known (and zeroed) before anything is added to them. */
    for (size_t k = 0; k < s->nbands; k++) {
        const band_info *b = &p->bands[k];
        const size_t y0 = k * cs, nr = b->nr;
        for (size_t z = 0; z < b->nzero; z++)
            memset(acc + p->zoff[b->zero0 + z], 0, (size_t)nbins * wacc * sizeof(float));
        for (size_t r = 0; r < nr; r++) {
            const size_t y = y0 + r;
            float *a0 = va0 + r * wacc, *a1 = va1 + r * wacc;
            uint8_t *h0 = vh0 + r * h0len;
            size_t ry_lo = y + 1 > bh ? (y + 1 - bh + cs - 1) / cs : 0, ry_hi = y / cs;
            if (ry_lo > ry_hi || ry_lo >= g->grid_y) {
                /* a row outside every block (block stride > block) */
                memset(a0, 0, wacc * sizeof(float));
                memset(a1, 0, wacc * sizeof(float));
                memset(h0, 0, h0len);
                continue;
            }
            const float *const *pl[3];
            for (int j = 0; j < 3; j++) {
                long want = (long)y - 1 + j;
                int slot = (int)((want + 3) % 3);
                if (conv_row[slot] != want) {
                    size_t iy = hk_ocv_reflect101(want - g->pad_y, g->height);
                    float *f[3];
                    for (unsigned c = 0; c < cn; c++) {
                        f[c] = conv + ((size_t)slot * cn + c) * s->rowlen + 1;
                        rowp[slot][c] = f[c];
                    }
                    convert_row(g, (const uint8_t *)im->data + iy * im->stride, cn, p->xmap,
                                p->lut, f);
                    conv_row[slot] = want;
                }
                pl[j] = rowp[slot];
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
                for (int t = 0; t < run->n; t++)
                    tg[t] = acc + p->toff[run->tgt + (size_t)t] + xs;
                const hk__ocv_votes v = {vh0 + run->r0 * h0len + xs, h0len,
                                         va0 + run->r0 * wacc + xs, va1 + run->r0 * wacc + xs,
                                         wacc};
                hk__ocv_band_add(&v, run->len, wacc, n, nbins, tg, p->tw + run->wt, run->len,
                                 run->fresh, run->n);
            }
        }
        for (size_t gy = b->fin_lo; gy <= b->fin_hi; gy++)
            bad |= hk__ocv_finish_row(&fin, acc + (gy % s->ring) * s->slot, tmp, out + gy * sy,
                                      sx);
    }
    /* a value overflowed (hostile weights or threshold): refused, as the
     * front end refuses non-finite output of the other variants */
    if (stage)
        stream_out(final, out, span);
    return bad ? HK_ERR_DOMAIN : HK_OK;
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

#endif
