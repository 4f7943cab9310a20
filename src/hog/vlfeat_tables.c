/* Geometry tables of the VLFeat fast path, kept in the context and rebuilt
 * only when the image size, cell size or orientation count changes: a batch
 * of small images (70,000 Fashion-MNIST 28x28) would otherwise spend a
 * large share of each call on cos/sin, per-column and per-row double
 * divisions and the span and strip tables. Read-only while threads run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "hog/fhog_common.h"
#include "hog/hog_internal.h"
#include "hog/vlfeat_fast.h"


/* Pixels per strip of a span (whole cell spans): the strip's column slots
 * (pixels x 4n floats, rounded up to 8) stay in L1 while its rows are added. */
#define STRIP_PIXELS 128

/* Cell position of pixel coordinate v, as vlfeat.c's cell_pos. */
static inline void cell_pos(size_t v, size_t cs, long *bin, float *w2)
{
    float h = (float)(((double)v + 0.5) / (double)cs - 0.5);
    long b = (long)floorf(h);
    *bin = b;
    *w2 = h - (float)b;
}

void hk_vlf_tables_free(hk_vlf_tables *t)
{
    if (t)
        free(t->block);
    free(t);
}

static hk_status build(hk_vlf_tables *t, size_t W, size_t H, size_t cs, int n, size_t hw,
                       size_t hh)
{
    const size_t strip_spans = cs >= STRIP_PIXELS ? 1 : STRIP_PIXELS / cs;
    const size_t n_strips = (hw + 1 + strip_spans - 1) / strip_spans;
    hk_carve cv = {0, 1};
    const size_t o_u = hk_carve_take(&cv, 2u * (size_t)n, sizeof(float));
    const size_t o_wx = hk_carve_take(&cv, W + HK_VLF_PAD, 2u * sizeof(float));
    const size_t o_rw = hk_carve_take(&cv, H, sizeof(float));
    const size_t o_sy = hk_carve_take(&cv, hh + 2, sizeof(size_t));
    const size_t o_sp = hk_carve_take(&cv, hw + 1, 2u * sizeof(size_t));
    const size_t o_st = hk_carve_take(&cv, n_strips + 1, 2u * sizeof(size_t));
    if (!cv.ok)
        return HK_ERR_OVERFLOW;
    unsigned char *base = malloc(cv.used);
    if (!base)
        return HK_ERR_NOMEM;
    free(t->block);
    t->block = base;
    t->W = W;
    t->H = H;
    t->cs = cs;
    t->n = n;
    t->hw = hw;
    t->hh = hh;
    t->n_strips = n_strips;

    float *ux = (float *)(base + o_u), *uy = ux + n;
    for (int i = 0; i < n; i++) {
        double angle = i * VL_PI / n;
        ux[i] = (float)cos(angle);
        uy[i] = (float)sin(angle);
    }
    t->sym = 1;
    for (int k = 1; k < n; k++)
        t->sym = t->sym && ux[n - k] == -ux[k] && uy[n - k] == uy[k];
    float *wx1 = (float *)(base + o_wx), *wx2 = wx1 + W + HK_VLF_PAD;
    memset(wx1, 0, 2u * (W + HK_VLF_PAD) * sizeof(float)); /* the pads */
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
    size_t *strip_s = (size_t *)(base + o_st), *strip_x = strip_s + n_strips + 1;
    t->strip_cap = 1;
    for (size_t k = 0; k <= n_strips; k++) {
        const size_t sp = k * strip_spans < hw + 1 ? k * strip_spans : hw + 1;
        strip_s[k] = sp;
        /* first pixel of span sp or later (spans tile the interior in order) */
        size_t x = W > 1 ? W - 1 : 1;
        for (size_t q = sp; q <= hw; q++)
            if (len[q] > 0) {
                x = start[q];
                break;
            }
        strip_x[k] = x;
    }
    strip_x[0] = 1;
    for (size_t k = 0; k < n_strips; k++)
        if (strip_x[k + 1] > strip_x[k] && strip_x[k + 1] - strip_x[k] > t->strip_cap)
            t->strip_cap = strip_x[k + 1] - strip_x[k];
    /* pixel rows of each cell row by in [-1, hh): interior rows, by rising */
    float *roww2 = (float *)(base + o_rw);
    size_t *span_y = (size_t *)(base + o_sy);
    for (size_t i = 0; i < hh + 2; i++)
        span_y[i] = 1;
    for (size_t y = 0; y < H; y++) {
        long by;
        cell_pos(y, cs, &by, &roww2[y]);
        if (y >= 1 && y + 1 < H && by >= -1 && by < (long)hh)
            span_y[by + 2] = y + 1; /* one past the span's last row */
    }
    t->max_span_rows = 1;
    for (size_t i = 1; i < hh + 2; i++) { /* empty spans start where the last ended */
        if (span_y[i] < span_y[i - 1])
            span_y[i] = span_y[i - 1];
        if (span_y[i] - span_y[i - 1] > t->max_span_rows)
            t->max_span_rows = span_y[i] - span_y[i - 1];
    }
    t->ux = ux;
    t->uy = uy;
    t->wx1 = wx1;
    t->wx2 = wx2;
    t->roww2 = roww2;
    t->span_y = span_y;
    t->start = start;
    t->len = len;
    t->strip_s = strip_s;
    t->strip_x = strip_x;
    return HK_OK;
}

hk_status hk_vlf_tables_get(hk_hog_ctx *ctx, size_t W, size_t H, size_t cs, int n, size_t hw,
                            size_t hh, const hk_vlf_tables **out)
{
    hk_vlf_tables *t = ctx->vlf_tables;
    if (t && t->block && t->W == W && t->H == H && t->cs == cs && t->n == n) {
        *out = t;
        return HK_OK;
    }
    if (!t && !(t = ctx->vlf_tables = calloc(1, sizeof(*t))))
        return HK_ERR_NOMEM;
    hk_status st = build(t, W, H, cs, n, hw, hh);
    if (st != HK_OK) {
        free(t->block);
        t->block = NULL; /* no stale key */
        return st;
    }
    *out = t;
    return HK_OK;
}
