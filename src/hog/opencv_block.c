/*
 * OpenCV variant, stages 3-4: per-block Gaussian x bilinear accumulation,
 * OpenCV's L2-Hys, and the block grid that windows are views of
 * (HOGCache::init, getBlock and normalizeBlockHistogram of OpenCV 4.6).
 */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"
#include "hog/opencv.h"
#include "hog/opencv_fast.h"

/* Weight and cell index of one pixel along one axis: the pixel's centre is
 * (j+0.5)/cell - 0.5 cells from the first cell centre; it goes to the two
 * nearest cells with linear weights, and a neighbour outside the block is
 * dropped without renormalising (so edge pixels weigh < 1). Returns how many
 * of the two cells are inside (1 or 2). */
static int axis_cells(int j, int cell, size_t ncells, int idx[2], float wt[2])
{
    float c = ((float)j + 0.5f) / (float)cell - 0.5f;
    int i0 = (int)floorf(c);
    c -= (float)i0;
    int in0 = i0 >= 0 && (size_t)i0 < ncells;
    int in1 = i0 + 1 >= 0 && (size_t)(i0 + 1) < ncells;
    if (in0 && in1) {
        idx[0] = i0;
        wt[0] = 1.f - c;
        idx[1] = i0 + 1;
        wt[1] = c;
        return 2;
    }
    /* OpenCV rewrites c as 1 - c when only the lower cell is inside */
    idx[0] = in0 ? i0 : i0 + 1;
    wt[0] = in0 ? 1.f - c : c;
    return 1;
}

void hk_ocv_axis_weights(const hk_ocv_geometry *g, int axis, size_t stride, float *u)
{
    const int n = axis == 0 ? g->block_w : g->block_h;
    const int cell = axis == 0 ? g->cell_w : g->cell_h;
    const size_t ncells = axis == 0 ? g->ncells_x : g->ncells_y;
    const float scale = 1.f / (g->sigma * g->sigma * 2);
    const float centre = (float)n * 0.5f;
    memset(u, 0, ncells * stride * sizeof(float));
    for (int j = 0; j < n; j++) {
        int idx[2];
        float wt[2];
        int k = axis_cells(j, cell, ncells, idx, wt);
        /* OpenCV's exp(-(di^2 + dj^2) * scale) split into its two factors */
        float d = (float)j - centre;
        float gauss = expf(-(d * d) * scale);
        for (int t = 0; t < k; t++)
            u[(size_t)idx[t] * stride + (size_t)j] = gauss * wt[t];
    }
}

/* The pixel table, in OpenCV's order: pixels touching 1 cell, then 2, then
 * 4, each group with x outer and y inner. Float sums depend on that order. */
static void build_pixels(const hk_ocv_geometry *g, hk_ocv_work *w)
{
    const int bw = g->block_w, bh = g->block_h;
    const float sigma = g->sigma;
    const float scale = 1.f / (sigma * sigma * 2);
    const float cy = (float)bh * 0.5f, cx = (float)bw * 0.5f; /* 8.0, not 7.5, for 16 */
    size_t count[3] = {0, 0, 0};
    for (int pass = 0; pass < 3; pass++) {
        for (int j = 0; j < bw; j++) {
            for (int i = 0; i < bh; i++) {
                int ix[2], iy[2];
                float wx[2], wy[2];
                int nx = axis_cells(j, g->cell_w, g->ncells_x, ix, wx);
                int ny = axis_cells(i, g->cell_h, g->ncells_y, iy, wy);
                int group = nx * ny == 1 ? 0 : nx * ny == 2 ? 1 : 2;
                if (group != pass)
                    continue;
                float di = (float)i - cy, dj = (float)j - cx;
                di *= di;
                dj *= dj;
                float gauss = expf(-(di + dj) * scale);
                size_t start = pass == 0 ? 0 : pass == 1 ? count[0] : count[0] + count[1];
                hk_ocv_pix *p = &w->pix[start + count[pass]++];
                memset(p, 0, sizeof(*p));
                p->off = (size_t)i * g->pwidth + (size_t)j;
                /* cells in OpenCV's order: (x0,y0), (x1,y0), (x0,y1), (x1,y1) */
                int k = 0;
                for (int b = 0; b < ny; b++)
                    for (int a = 0; a < nx; a++) {
                        p->hist[k] = (ix[a] * (int)g->ncells_y + iy[b]) * g->nbins;
                        p->w[k] = gauss * (wx[a] * wy[b]);
                        k++;
                    }
            }
        }
    }
    w->n1 = count[0];
    w->n2 = count[0] + count[1];
    w->n4 = w->n2 + count[2];
}

hk_status hk_ocv_grid_count(const hk_ocv_geometry *g, size_t *count)
{
    size_t n;
    if (!hk_mul_size(g->grid_x, g->grid_y, &n) || !hk_mul_size(n, g->block_len, count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Rounds a byte count up to a multiple of 16 so every area stays aligned. */
static int align16(size_t *v)
{
    return hk_add_size(*v, 15, v) ? (*v &= ~(size_t)15, 1) : 0;
}

hk_status hk_ocv_work_init(hk_hog_ctx *ctx, const hk_ocv_geometry *g, size_t extra_floats,
                           hk_ocv_work *w)
{
    size_t npix, vote_b, pix_b, xmap_b, extra_b, bins_b, total;
    if (!hk_mul_size(g->pwidth, g->pheight, &npix) ||
        !hk_mul_size(npix, 2 * sizeof(float), &vote_b) || !align16(&vote_b) ||
        !hk_mul_size((size_t)g->block_w * (size_t)g->block_h, sizeof(hk_ocv_pix), &pix_b) ||
        !align16(&pix_b) || !hk_add_size(g->pwidth, 2, &xmap_b) ||
        !hk_mul_size(xmap_b, sizeof(size_t), &xmap_b) || !align16(&xmap_b) ||
        !hk_mul_size(extra_floats, sizeof(float), &extra_b) || !align16(&extra_b) ||
        !hk_mul_size(npix, 2, &bins_b))
        return HK_ERR_OVERFLOW;
    if (!hk_add_size(vote_b, pix_b, &total) || !hk_add_size(total, xmap_b, &total) ||
        !hk_add_size(total, extra_b, &total) || !hk_add_size(total, bins_b, &total))
        return HK_ERR_OVERFLOW;
    unsigned char *mem = hk_ctx_scratch(ctx, total);
    if (!mem)
        return HK_ERR_NOMEM;
    w->votes = (float *)mem;
    w->pix = (hk_ocv_pix *)(mem + vote_b);
    w->xmap = (size_t *)(mem + vote_b + pix_b);
    w->extra = extra_floats ? (float *)(mem + vote_b + pix_b + xmap_b) : NULL;
    w->bins = mem + vote_b + pix_b + xmap_b + extra_b;
    build_pixels(g, w);
    return HK_OK;
}

void hk_ocv_normalize_block(float *h, size_t n, float thr)
{
    /* OpenCV sums squares in 4 lanes over the first 4*floor(n/4) values,
     * adds the lanes pairwise, then the tail one by one. */
    float part[4];
    size_t i, body = n & ~(size_t)3;
    for (int l = 0; l < 4; l++)
        part[l] = h[l] * h[l];
    for (i = 4; i < body; i += 4)
        for (int l = 0; l < 4; l++)
            part[l] = part[l] + h[i + l] * h[i + l];
    float sum = (part[0] + part[1]) + (part[2] + part[3]);
    for (i = body; i < n; i++)
        sum += h[i] * h[i];

    /* the +0.1*n goes on the norm, not its square */
    float scale = 1.f / (sqrtf(sum) + (float)n * 0.1f);
    for (i = 0; i < n; i++) {
        float v = h[i] * scale;
        h[i] = v < thr ? v : thr;
    }
    for (int l = 0; l < 4; l++)
        part[l] = h[l] * h[l];
    for (i = 4; i < body; i += 4)
        for (int l = 0; l < 4; l++)
            part[l] = part[l] + h[i + l] * h[i + l];
    sum = (part[0] + part[1]) + (part[2] + part[3]);
    for (i = body; i < n; i++)
        sum += h[i] * h[i];
    scale = 1.f / (sqrtf(sum) + 1e-3f);
    for (i = 0; i < n; i++)
        h[i] *= scale;
}

/* Adds one pixel's two votes to `cells` of its cells. OpenCV reads both
 * bins before writing either, so with nbins = 1 (both votes in bin 0) the
 * second store wins; kept for fidelity. */
static inline void vote(float *out, const hk_ocv_pix *p, int cells, const float *a,
                        const uint8_t *b)
{
    int h0 = b[0], h1 = b[1];
    for (int k = 0; k < cells; k++) {
        float *hist = out + p->hist[k];
        float t0 = hist[h0] + a[0] * p->w[k];
        float t1 = hist[h1] + a[1] * p->w[k];
        hist[h0] = t0;
        hist[h1] = t1;
    }
}

void hk_ocv_block(const hk_ocv_geometry *g, const hk_ocv_work *w, size_t px, size_t py,
                  float *out)
{
    memset(out, 0, g->block_len * sizeof(float));
    const size_t base = py * g->pwidth + px;
    const float *votes = w->votes + 2 * base;
    const uint8_t *bins = w->bins + 2 * base;
    size_t k = 0;
    for (; k < w->n1; k++)
        vote(out, &w->pix[k], 1, votes + 2 * w->pix[k].off, bins + 2 * w->pix[k].off);
    for (; k < w->n2; k++)
        vote(out, &w->pix[k], 2, votes + 2 * w->pix[k].off, bins + 2 * w->pix[k].off);
    for (; k < w->n4; k++)
        vote(out, &w->pix[k], 4, votes + 2 * w->pix[k].off, bins + 2 * w->pix[k].off);
    hk_ocv_normalize_block(out, g->block_len, g->threshold);
}

void hk_ocv_fill_grid(const hk_ocv_geometry *g, const hk_ocv_work *w, float *grid)
{
    for (size_t gy = 0; gy < g->grid_y; gy++)
        for (size_t gx = 0; gx < g->grid_x; gx++)
            hk_ocv_block(g, w, gx * (size_t)g->cs_x, gy * (size_t)g->cs_y,
                         grid + (gy * g->grid_x + gx) * g->block_len);
}

hk_status hk_ocv_block_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                            float *grid)
{
    hk_ocv_work w;
    hk_status st = hk_ocv_work_init(ctx, g, 0, &w);
    if (st != HK_OK)
        return st;
    hk_ocv_gradient(g, im, &w);
    hk_ocv_fill_grid(g, &w, grid);
    return HK_OK;
}

void hk_ocv_window_copy(const hk_ocv_geometry *g, const float *grid, size_t ix, size_t iy,
                        float *out)
{
    const size_t wsx = (size_t)(g->wstride_x / g->cs_x), wsy = (size_t)(g->wstride_y / g->cs_y);
    const size_t bsx = (size_t)(g->bstride_x / g->cs_x), bsy = (size_t)(g->bstride_y / g->cs_y);
    /* blocks x outer, y inner, as OpenCV lays out a window */
    for (size_t bx = 0; bx < g->nblocks_x; bx++)
        for (size_t by = 0; by < g->nblocks_y; by++) {
            size_t gx = ix * wsx + bx * bsx, gy = iy * wsy + by * bsy;
            memcpy(out + (bx * g->nblocks_y + by) * g->block_len,
                   grid + (gy * g->grid_x + gx) * g->block_len, g->block_len * sizeof(float));
        }
}
