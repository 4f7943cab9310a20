/*
 * OpenCV variant, AVX2 path: the plan of one geometry (interface in
 * opencv_avx2.h, method in opencv_fast.h). Everything that depends only on
 * the geometry is made once and kept by the context while the geometry
 * stays the same (a batch, a video): the gamma table, the column map, the
 * weights U and V, the entry tables of the block dot products, and the
 * band schedule (per band of cs_y rows, the column-sum rows it adds to,
 * with which weights, cut into runs of rows with the same nonzero targets;
 * the rows it zeroes; the block rows it completes). Portable code: the
 * driver's calls then only walk the pixels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"
#include "hog/opencv_avx2.h"
#include "hog/opencv_fast.h"

/* The AVX2 path never needs much more memory than the scalar path (10
 * bytes per padded pixel); below this it is always taken. */
#define FAST_MIN_BUDGET ((size_t)64 << 20)

static int fast_sizes_get(const hk_ocv_geometry *g, hk__ocv_sizes *s)
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
    hk__ocv_sizes s;
    return fast_sizes_get(g, &s);
}

void hk_ocv_plan_free(struct hk_ocv_plan *p)
{
    if (p)
        free(p->mem);
    free(p);
}

int hk__ocv_carve(size_t *total, size_t bytes, size_t *at)
{
    *at = *total;
    size_t a;
    return hk_add_size(bytes, 63, &a) && hk_add_size(*total, a & ~(size_t)63, total);
}

static int mul3(size_t a, size_t b, size_t c, size_t *r)
{
    return hk_mul_size(a, b, r) && hk_mul_size(*r, c, r);
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
    const hk__ocv_sizes *s = &p->s;
    const size_t cs = (size_t)g->cs_y, bh = (size_t)g->block_h, ws = s->brows;
    size_t nruns = 0, ntgt = 0, nwt = 0, nzero = 0;
    for (size_t k = 0, y0 = 0; y0 < s->rows; k++, y0 += cs) {
        hk__ocv_band *b = &p->bands[k];
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
    const hk__ocv_sizes *s = &p->s;
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


/* Fills the per-call layout of p; 0 on overflow. */
static int work_layout(struct hk_ocv_plan *p)
{
    const hk_ocv_geometry *g = &p->g;
    const hk__ocv_sizes *s = &p->s;
    const size_t blen8 = (g->block_len + 7) & ~(size_t)7, cs = s->brows;
    size_t sz[HK__OCV_NWORK];
    int ok = mul3(s->rowlen, 3 * (size_t)p->cn, sizeof(float), &sz[HK__OCV_CONV]) &&
             mul3(g->pwidth + 8, 1, sizeof(float), &sz[HK__OCV_DX]) &&
             mul3(cs, s->wacc, sizeof(float), &sz[HK__OCV_A0]) &&
             mul3(cs, s->wacc + 16, 1, &sz[HK__OCV_H0]) && mul3(s->acc, 1, sizeof(float), &sz[HK__OCV_ACC]) &&
             mul3(blen8, 8, sizeof(float), &sz[HK__OCV_TMP]) &&
             mul3(s->nt, 1, sizeof(float *), &sz[HK__OCV_TG]);
    sz[HK__OCV_DY] = sz[HK__OCV_DX];
    sz[HK__OCV_A1] = sz[HK__OCV_A0];
    p->work = 0;
    for (int i = 0; ok && i < HK__OCV_NWORK; i++)
        ok = hk__ocv_carve(&p->work, sz[i], &p->at[i]);
    return ok;
}

hk_status hk__ocv_plan_get(hk_hog_ctx *ctx, const hk_ocv_geometry *g, unsigned cn,
                           const struct hk_ocv_plan **out)
{
    struct hk_ocv_plan *p = ctx->ocv_plan;
    *out = p;
    if (p && p->ready && p->cn == cn && memcmp(&p->g, g, sizeof(*g)) == 0)
        return HK_OK;
    hk__ocv_sizes fs;
    if (!fast_sizes_get(g, &fs))
        return HK_ERR_UNSUPPORTED;
    if (!p && !(p = ctx->ocv_plan = calloc(1, sizeof(*p))))
        return HK_ERR_NOMEM;
    p->ready = 0; /* until filled */
    p->g = *g;
    p->cn = cn;
    p->s = fs;
    const hk__ocv_sizes *s = &p->s;
    if (!work_layout(p))
        return HK_ERR_OVERFLOW;
    enum { XMAP, U, V, KOFF, KCX, BANDS, RUNS, TOFF, TW, ZOFF, TOFF_TMP, TW_TMP, N };
    const size_t blen8 = (g->block_len + 7) & ~(size_t)7;
    size_t sz[N], at[N], total = 0, rn;
    int ok = mul3(g->pwidth + 2, 1, sizeof(int), &sz[XMAP]) &&
             mul3(g->ncells_x + 1, s->bwp, sizeof(float), &sz[U]) &&
             mul3(g->ncells_y, (size_t)g->block_h, sizeof(float), &sz[V]) &&
             mul3(blen8, 1, sizeof(size_t), &sz[KOFF]) && mul3(blen8, 1, sizeof(int), &sz[KCX]) &&
             mul3(s->nbands, 1, sizeof(hk__ocv_band), &sz[BANDS]) &&
             mul3(s->rows, 1, sizeof(hk__ocv_run), &sz[RUNS]) &&
             hk_mul_size(s->rows, s->nt, &rn) && mul3(rn, 1, sizeof(size_t), &sz[TOFF]) &&
             mul3(rn, 1, sizeof(float), &sz[TW]) &&
             mul3(s->nbands, s->nt, sizeof(size_t), &sz[ZOFF]) &&
             mul3(s->nt, 1, sizeof(size_t), &sz[TOFF_TMP]) &&
             mul3(s->nt, s->brows, sizeof(float), &sz[TW_TMP]);
    for (int i = 0; ok && i < N; i++)
        ok = hk__ocv_carve(&total, sz[i], &at[i]);
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
    p->bands = (hk__ocv_band *)(m + at[BANDS]);
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
