/* One pyramid level: padded gradients -> block grid -> window scores.
 *
 * Blocks are computed once per level on the grid of the cache stride, the
 * way cv::HOGDescriptor's HOGCache would produce them, and stored planar
 * per block row (one row of floats per histogram entry) so that the SVM
 * runs over windows with contiguous loads. A block's histogram is
 * separable: pixel (j, i) adds mag * u[cx][j] * v[cy][i] to cell (cx, cy),
 * so each image row is first reduced across block columns (u), and rows are
 * then folded into the block rows that contain them (v). Rows are streamed:
 * only the block rows being filled are in memory, plus, for detection, the
 * finished block rows of one window row (a ring): a window row is scored as
 * soon as its last block row is done, while its blocks are still in cache. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "detect/level.h"
#include "detect/resize.h"

static int reflect101(int p, int len)
{
    if (len == 1)
        return 0;
    while (p < 0 || p >= len) {
        if (p < 0)
            p = -p;
        else
            p = 2 * len - 2 - p;
    }
    return p;
}

#include "detect/fast_atan.h"
#include "hog/opencv_channel.h"

/* Gradient of padded row y into h0 (first bin), a0/a1 (the two votes). */
void hk__grad_row_scalar(const hk_level_plan *p, const uint8_t *img, int cn, size_t stride,
                         const int *xmap, const int *ymap, int y, int wp, float *dx, float *dy,
                         uint8_t *h0, float *a0, float *a1)
{
    const float *lut = p->lut;
    const uint8_t *row = img + (size_t)ymap[y] * stride;
    const uint8_t *prev = img + (size_t)ymap[y - 1] * stride;
    const uint8_t *next = img + (size_t)ymap[y + 1] * stride;
    if (cn == 1) {
        for (int x = 0; x < wp; x++) {
            int xc = xmap[x];
            dx[x] = lut[row[xmap[x + 1]]] - lut[row[xmap[x - 1]]];
            dy[x] = lut[next[xc]] - lut[prev[xc]];
        }
    } else {
        /* OpenCV sees BGR: its channel k is our channel 2 - k. Its 4-wide
         * SIMD body and its scalar tail break magnitude ties differently. */
        int simd_end = wp & ~3;
        for (int x = 0; x < wp; x++) {
            int xl = xmap[x - 1] * 3, xr = xmap[x + 1] * 3, xc = xmap[x] * 3;
            float gx[3], gy[3], m[3];
            for (int k = 0; k < 3; k++) {
                int c = 2 - k;
                gx[k] = lut[row[xr + c]] - lut[row[xl + c]];
                gy[k] = lut[next[xc + c]] - lut[prev[xc + c]];
                m[k] = gx[k] * gx[k] + gy[k] * gy[k];
            }
            int best = hk_opencv_best_channel(m[0], m[1], m[2], x < simd_end);
            dx[x] = gx[best];
            dy[x] = gy[best];
        }
    }
    const int nbins = p->det->hog.nbins;
    const float ascale = p->det->hog.signed_gradient ? (float)(nbins / (2.0 * 3.14159265358979323846))
                                                    : (float)(nbins / 3.14159265358979323846);
    for (int x = 0; x < wp; x++) {
        hk__bin_votes(dx[x], dy[x], ascale, nbins, h0 + x, a0 + x, a1 + x);
    }
}

/* cv::HOGCache::normalizeBlockHistogram: L2-Hys with OpenCV's 4-lane sums. */
static void normalize_block(float *h, int sz, float thresh)
{
    float ps[4] = {0, 0, 0, 0};
    int i = 0;
    for (; i + 4 <= sz; i += 4)
        for (int l = 0; l < 4; l++)
            ps[l] += h[i + l] * h[i + l];
    float sum = (ps[0] + ps[1]) + (ps[2] + ps[3]);
    for (; i < sz; i++)
        sum += h[i] * h[i];
    float scale = 1.f / (sqrtf(sum) + (float)sz * 0.1f);
    ps[0] = ps[1] = ps[2] = ps[3] = 0;
    for (i = 0; i + 4 <= sz; i += 4)
        for (int l = 0; l < 4; l++) {
            float t = h[i + l] * scale;
            t = t < thresh ? t : thresh;
            h[i + l] = t;
            ps[l] += t * t;
        }
    sum = (ps[0] + ps[1]) + (ps[2] + ps[3]);
    for (; i < sz; i++) {
        float t = h[i] * scale;
        t = t < thresh ? t : thresh;
        h[i] = t;
        sum += t * t;
    }
    scale = 1.f / (sqrtf(sum) + 1e-3f);
    for (i = 0; i < sz; i++)
        h[i] *= scale;
}

typedef struct grid_geom {
    int wp, hp;       /* padded size */
    int nbx, nby;     /* blocks in the grid */
    /* entry k of block (j, i) is at j * rstride + k * ks + i: per block row,
     * one row of nbx floats per histogram entry, 16 floats of slack after
     * each (read by the AVX2 window scores, and kept zero) */
    size_t ks, rstride, total;
    /* block rows kept: all (nby), or a ring of the last `ring` rows when
     * windows are scored as soon as their rows are done; row j is at slot
     * j % ring */
    int ring;
} grid_geom;

static hk_status geometry(const hk_level_plan *p, int w, int h, grid_geom *g)
{
    const hk_opencv_params *o = &p->det->hog;
    g->wp = w + 2 * p->padx;
    g->hp = h + 2 * p->pady;
    if (g->wp < o->block_width || g->hp < o->block_height) {
        g->nbx = g->nby = 0;
    } else {
        g->nbx = (g->wp - o->block_width) / p->gsx + 1;
        g->nby = (g->hp - o->block_height) / p->gsy + 1;
    }
    g->ks = ((size_t)g->nbx + 16 + 15) & ~(size_t)15;
    g->ring = g->nby;
    if (!hk_mul_size((size_t)p->hist, g->ks, &g->rstride) ||
        !hk_mul_size(g->rstride, (size_t)g->nby, &g->total))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Called when block row j is complete (rows are completed in order). */
typedef hk_status (*row_done_fn)(void *ctx, const float *planes, int j);

static void geometry_ring(int ring, grid_geom *g)
{
    if (ring < g->nby) {
        g->ring = ring;
        g->total = g->rstride * (size_t)ring; /* smaller than the checked full size */
    }
}

/* Computes the block grid in the layout of grid_geom. */
static hk_status compute_grid(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                              size_t stride, const grid_geom *g, hk_level_scratch *scr,
                              float **planes_out, row_done_fn done_fn, void *done_ctx,
                              hk_resize_rows *rr, uint8_t *rowbuf)
{
    const hk_opencv_params *o = &p->det->hog;
    const int bw = o->block_width, bh = o->block_height, nbins = o->nbins;
    const int ncx = p->ncx, ncy = p->ncy, hist = p->hist;
    const int nbx = g->nbx, nby = g->nby, wp = g->wp;
    const int ring = (bh + p->gsy - 1) / p->gsy + 1;
    const size_t rowh = (size_t)nbx * ncx * nbins;       /* H of one image row */
    const size_t acc = (size_t)nbx * hist;               /* one block row */
    size_t need = 0, parts[10];
    parts[0] = sizeof(int) * (size_t)(wp + 2);            /* xmap */
    parts[1] = sizeof(int) * (size_t)(g->hp + 2);         /* ymap */
    /* dx dy, and a0 a1 h0: one row, or a band of eight rows (AVX2 path) */
    const size_t rs = ((size_t)wp + 15) & ~(size_t)7;
    const int band_rows = p->simd_hist ? 8 : 1;
    parts[2] = sizeof(float) * ((size_t)wp * 2 + rs * 2 * band_rows);
    parts[3] = rs * band_rows + 64;                       /* h0 */
    /* hist can be large for odd geometries (up to the coefficient limit):
     * the big products are checked */
    size_t planes_n, acc_n;
    if (!hk_mul_size((size_t)nbx, (size_t)hist, &acc_n) ||
        !hk_mul_size(acc_n, sizeof(float) * (size_t)(ring > 6 ? ring : 6), &acc_n) ||
        !hk_mul_size(g->total, sizeof(float), &planes_n))
        return HK_ERR_OVERFLOW;
    parts[4] = sizeof(float) * acc;                      /* H, or a finished block row */
    /* AVX2 path: one cy of a block row, nbx + 1 segments and 8 of slack */
    const size_t seg_acc = (size_t)(nbx + 9) * nbins * 8;
    parts[5] = sizeof(float) * (p->simd_hist ? 2 * seg_acc * 3 : acc * (size_t)ring);
    parts[6] = planes_n;                                  /* planes */
    parts[7] = sizeof(float) * (size_t)hist;
    parts[8] = 0;
    parts[9] = sizeof(float) * 3 * (size_t)cn * (size_t)(wp + 16); /* gamma rows */
    for (int i = 0; i < 10; i++) {
        size_t a = (parts[i] + 63) & ~(size_t)63;
        if (a < parts[i] || !hk_add_size(need, a, &need))
            return HK_ERR_OVERFLOW;
    }
    if (scr->bytes < need) {
        free(scr->p);
        scr->p = aligned_alloc(64, need); /* need is a multiple of 64 */
        scr->bytes = scr->p ? need : 0;
        if (!scr->p)
            return HK_ERR_NOMEM;
    }
    char *q = scr->p;
    int *xmap = (int *)q + 1;
    q += (parts[0] + 63) & ~(size_t)63;
    int *ymap = (int *)q + 1;
    q += (parts[1] + 63) & ~(size_t)63;
    float *dx = (float *)q, *dy = dx + wp, *a0 = dy + wp, *a1 = a0 + rs * band_rows;
    q += (parts[2] + 63) & ~(size_t)63;
    uint8_t *h0 = (uint8_t *)q;
    q += (parts[3] + 63) & ~(size_t)63;
    float *H = (float *)q;
    q += (parts[4] + 63) & ~(size_t)63;
    float *accs = (float *)q;
    q += (parts[5] + 63) & ~(size_t)63;
    float *planes = (float *)q;
    q += (parts[6] + 63) & ~(size_t)63;
    float *blk = (float *)q;
    q += (parts[7] + 63) & ~(size_t)63;
    float *conv = (float *)q;
    /* the slack after each row of a block row is read (and its scores
     * dropped) by the AVX2 window scores: keep it defined (the AVX2 blocks
     * write zeros into its first 7 floats) */
    for (size_t r = 0; r < (size_t)g->ring * hist; r++)
        memset(planes + r * g->ks + nbx, 0, sizeof(float) * (g->ks - (size_t)nbx));
    if (p->simd_hist) /* the slack segments of a finished block row are read */
        for (int t = 0; t < 2; t++)
            memset(accs + (2 + t) * seg_acc + (size_t)(nbx + 1) * nbins * 8, 0,
                   sizeof(float) * 8 * nbins * 8);
    /* ring of three gamma-corrected rows (padded y - 1, y, y + 1) */
    const float *rowp[3][3];
    int conv_row[3] = {-2, -2, -2};

    for (int x = -1; x <= wp; x++)
        xmap[x] = reflect101(x - p->padx, w);
    for (int y = -1; y <= g->hp; y++)
        ymap[y] = reflect101(y - p->pady, h);
    const float *v = p->v;
    const float thresh = (float)o->l2hys_threshold;
    const int rows_needed = (nby - 1) * p->gsy + bh;
    for (int y = 0; y < rows_needed; y++) {
        if (p->simd_grad) {
            const float *const *planes3[3];
            for (int r = 0; r < 3; r++) {
                int want = y - 1 + r, slot = (want + 3) % 3;
                if (conv_row[slot] != want) {
                    const uint8_t *src;
                    if (rr) { /* the level's row, resized now */
                        hk__resize_row(rr, ymap[want], rowbuf);
                        src = rowbuf;
                    } else {
                        src = img + (size_t)ymap[want] * stride;
                    }
                    float *f[3];
                    for (int k = 0; k < cn; k++) {
                        f[k] = conv + ((size_t)slot * cn + k) * (wp + 16) + 1;
                        rowp[slot][k] = f[k];
                    }
                    /* interior columns map to x - padx; only the borders reflect */
                    int lo = p->padx, hi = p->padx + w; /* [lo, hi) is inside */
                    for (int x = -1; x <= wp; x++) {
                        if (x == lo && hi <= wp) {
                            float *fx[3] = {f[0] + lo, cn == 3 ? f[1] + lo : NULL,
                                            cn == 3 ? f[2] + lo : NULL};
                            hk__gamma_row_avx2(src, w, cn, o->gamma_correction, p->lut, fx);
                            x = hi - 1;
                            continue;
                        }
                        const uint8_t *px = src + (size_t)xmap[x] * cn;
                        for (int k = 0; k < cn; k++)
                            f[k][x] = p->lut[px[cn == 3 ? 2 - k : 0]];
                    }
                    conv_row[slot] = want;
                }
                planes3[r] = rowp[slot];
            }
            size_t br = p->simd_hist ? (size_t)(y & 7) * rs : 0;
            hk__grad_row_avx2(planes3[0], planes3[1], planes3[2], cn, wp, nbins,
                              o->signed_gradient, dx, dy, h0 + br, a0 + br, a1 + br);
        } else {
            hk__grad_row_scalar(p, img, cn, stride, xmap, ymap, y, wp, dx, dy, h0, a0, a1);
        }
        if (p->simd_hist) {
            /* 16x16 blocks on an 8-pixel grid: a band of eight rows at a
             * time; band c completes block row c - 1 */
            if ((y & 7) != 7)
                continue;
            int c = y >> 3;
            float *top = accs, *done = accs + 2 * seg_acc;
            hk__hist_band_avx2(h0, a0, a1, rs, nbx + 1, nbins, v, top, c > 0 ? done : NULL,
                               seg_acc);
            if (c == 0)
                continue;
            int j = c - 1;
            const float *cyacc[2] = {done, done + seg_acc};
            hk__hist_blocks_norm_avx2(cyacc, nbx, nbins, p->u, thresh,
                                      planes + (size_t)(j % g->ring) * g->rstride, g->ks);
            if (done_fn) {
                hk_status st = done_fn(done_ctx, planes, j);
                if (st != HK_OK)
                    return st;
            }
            continue;
        }
        /* Row pass: H[i][cx][bin] = sum_j u[cx][j] * vote(i * gsx + j), skipping
         * the zero weights (adding +0 changes nothing). */
        memset(H, 0, sizeof(float) * rowh);
        for (int i = 0; i < nbx; i++) {
            float *Hi = H + (size_t)i * ncx * nbins;
            const uint8_t *hb = h0 + i * p->gsx;
            const float *v0 = a0 + i * p->gsx, *v1 = a1 + i * p->gsx;
            for (int j = 0; j < bw; j++) {
                int b0 = hb[j], b1 = b0 + 1 == nbins ? 0 : b0 + 1;
                float c0 = v0[j], c1 = v1[j];
                for (int t = 0; t < p->tn[j]; t++) {
                    float wgt = p->tw[2 * j + t];
                    float *hc = Hi + p->tcx[2 * j + t] * nbins;
                    hc[b0] += c0 * wgt;
                    hc[b1] += c1 * wgt;
                }
            }
        }
        /* Column pass into every block row that contains row y. */
        int jlo = y - bh + 1 <= 0 ? 0 : (y - bh + 1 + p->gsy - 1) / p->gsy;
        int jhi = y / p->gsy;
        if (jhi > nby - 1)
            jhi = nby - 1;
        for (int j = jlo; j <= jhi; j++) {
            float *A = accs + (size_t)(j % ring) * acc;
            int py = y - j * p->gsy;
            if (py == 0)
                memset(A, 0, sizeof(float) * acc);
            for (int cy = 0; cy < ncy; cy++) {
                float wgt = v[cy * bh + py];
                if (wgt == 0.f)
                    continue;
                float *restrict dst = A + (size_t)cy * rowh;
                const float *restrict src = H;
                for (size_t t = 0; t < rowh; t++)
                    dst[t] += src[t] * wgt;
            }
            if (py == bh - 1) {
                /* Block row j is complete: normalise, store planar. */
                for (int i = 0; i < nbx; i++) {
                    for (int cx = 0; cx < ncx; cx++)
                        for (int cy = 0; cy < ncy; cy++)
                            memcpy(blk + (cx * ncy + cy) * nbins,
                                   A + (size_t)cy * rowh + ((size_t)i * ncx + cx) * nbins,
                                   sizeof(float) * nbins);
                    normalize_block(blk, hist, thresh);
                    float *at = planes + (size_t)(j % g->ring) * g->rstride + i;
                    for (int k = 0; k < hist; k++)
                        at[(size_t)k * g->ks] = blk[k];
                }
                if (done_fn) {
                    hk_status st = done_fn(done_ctx, planes, j);
                    if (st != HK_OK)
                        return st;
                }
            }
        }
    }
    *planes_out = planes;
    return HK_OK;
}

void hk__score_row_scalar(const hk_level_plan *p, const float *const *rows, size_t plane_stride,
                          int nwx, double *scores)
{
    const int hist = p->hist, nbxw = p->nbx_w, nbyw = p->nby_w;
    for (int wx = 0; wx < nwx; wx++) {
        double s = p->rho;
        const float *svm = p->svm;
        for (int bx = 0; bx < nbxw; bx++)
            for (int by = 0; by < nbyw; by++, svm += hist) {
                const float *vec = rows[by * p->bky] + (size_t)wx * p->wkx + bx * p->bkx;
                float ps[4] = {0, 0, 0, 0};
                int k = 0;
                for (; k + 4 <= hist; k += 4)
                    for (int l = 0; l < 4; l++)
                        ps[l] += vec[(size_t)(k + l) * plane_stride] * svm[k + l];
                double sum = (ps[0] + ps[1]) + (ps[2] + ps[3]);
                for (; k < hist; k++)
                    sum += vec[(size_t)k * plane_stride] * svm[k];
                s += sum;
            }
        scores[wx] = s;
    }
}

hk_status hk__level_blocks(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                           size_t stride, hk_level_scratch *scratch, float **grid, int *nbx,
                           int *nby)
{
    grid_geom g;
    hk_status st = geometry(p, w, h, &g);
    if (st != HK_OK)
        return st;
    *nbx = g.nbx;
    *nby = g.nby;
    *grid = NULL;
    if (!g.nbx || !g.nby)
        return HK_OK;
    float *planes;
    st = compute_grid(p, img, w, h, cn, stride, &g, scratch, &planes, NULL, NULL, NULL, NULL);
    if (st != HK_OK)
        return st;
    size_t n = (size_t)g.nbx * g.nby;
    float *out = malloc(sizeof(float) * n * p->hist);
    if (!out)
        return HK_ERR_NOMEM;
    for (size_t b = 0; b < n; b++)
        for (int k = 0; k < p->hist; k++)
            out[b * p->hist + k] =
                planes[(b / g.nbx) * g.rstride + (size_t)k * g.ks + b % g.nbx];
    *grid = out;
    return HK_OK;
}

/* Scores window rows as soon as their block rows are done. */
typedef struct scorer {
    const hk_level_plan *p;
    const grid_geom *g;
    int nwx, nwy, next; /* next window row to score */
    double *scores;
    const float **rows; /* block rows of one window row */
    hk_hits *out;
    /* screening (screen.c): the quantised ring, its rows, the int32 sums */
    int32_t *q;
    const int32_t **qrows;
    int32_t *acc;
} scorer;

/* Window row wy with screening: groups of sixteen windows whose integer
 * bound cannot reach the threshold are skipped, the others scored exactly
 * (the same kernel, so the same scores, as without screening). */
static void score_screened(scorer *sc, int wy)
{
    const hk_level_plan *p = sc->p;
    const int span = (p->nby_w - 1) * p->bky;
    const size_t qrstride = (size_t)(p->hist / 2) * sc->g->ks;
    for (int r = 0; r <= span; r++)
        sc->qrows[r] = sc->q + (size_t)((wy * p->wky + r) % sc->g->ring) * qrstride;
    hk__screen_row_avx2(p, sc->qrows, sc->g->ks, sc->nwx, sc->acc);
    const float *shifted[256];
    for (int wx = 0; wx < sc->nwx; wx += 16) {
        int n = sc->nwx - wx < 16 ? sc->nwx - wx : 16, any = 0;
        for (int l = 0; l < n; l++)
            any |= sc->acc[wx + l] > p->qthr;
        if (!any) {
            for (int l = 0; l < n; l++)
                sc->scores[wx + l] = -HUGE_VAL;
            continue;
        }
        for (int r = 0; r <= span; r++)
            shifted[r] = sc->rows[r] + wx;
        hk__score_row_avx2(p, shifted, sc->g->ks, n, sc->scores + wx);
    }
}

static hk_status score_ready(void *ctx, const float *planes, int j)
{
    scorer *sc = ctx;
    const hk_level_plan *p = sc->p;
    const int span = (p->nby_w - 1) * p->bky; /* last block row of a window, relative */
    hk_status st = HK_OK;
    if (sc->q) /* block row j, quantised for the screening */
        hk__screen_quantize_avx2(p, planes + (size_t)(j % sc->g->ring) * sc->g->rstride,
                                 sc->g->ks,
                                 sc->q + (size_t)(j % sc->g->ring) * (p->hist / 2) * sc->g->ks);
    for (; sc->next < sc->nwy && sc->next * p->wky + span <= j && st == HK_OK; sc->next++) {
        int wy = sc->next;
        for (int r = 0; r <= span; r++)
            sc->rows[r] = planes + (size_t)((wy * p->wky + r) % sc->g->ring) * sc->g->rstride;
        if (sc->q)
            score_screened(sc, wy);
        else if (p->simd && p->wkx == 1)
            hk__score_row_avx2(p, sc->rows, sc->g->ks, sc->nwx, sc->scores);
        else
            hk__score_row_scalar(p, sc->rows, sc->g->ks, sc->nwx, sc->scores);
        for (int wx = 0; wx < sc->nwx && st == HK_OK; wx++)
            if (sc->scores[wx] >= p->hit_threshold)
                st = hk__hits_push(sc->out, wx * p->wsx - p->padx, wy * p->wsy - p->pady,
                                   sc->scores[wx]);
    }
    return st;
}

hk_status hk__detect_level(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                           size_t stride, hk_level_scratch *scratch, hk_hits *out)
{
    return hk__detect_level_rows(p, img, w, h, cn, stride, NULL, NULL, scratch, out);
}

hk_status hk__detect_level_rows(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                                size_t stride, hk_resize_rows *rr, uint8_t *rowbuf,
                                hk_level_scratch *scratch, hk_hits *out)
{
    if (rr && !p->simd_grad)
        return HK_ERR_INVALID_ARG; /* the scalar gradients read the level image whole */
    const hk_opencv_params *o = &p->det->hog;
    grid_geom g;
    hk_status st = geometry(p, w, h, &g);
    if (st != HK_OK)
        return st;
    if (g.wp < o->win_width || g.hp < o->win_height)
        return HK_OK;
    int nwx = (g.wp - o->win_width) / p->wsx + 1;
    int nwy = (g.hp - o->win_height) / p->wsy + 1;
    /* a window row is scored when its last block row is done, so only the
     * block rows of one window row are kept: row j replaces row j - span - 1,
     * which no unscored window row uses */
    const int span = (p->nby_w - 1) * p->bky;
    geometry_ring(span + 1, &g);
    double *scores = malloc(sizeof(double) * (size_t)nwx);
    const float **rows = malloc(sizeof(*rows) * (size_t)(span + 1));
    if (!scores || !rows) {
        free(scores);
        free(rows);
        return HK_ERR_NOMEM;
    }
    scorer sc = {p, &g, nwx, nwy, 0, scores, rows, out, NULL, NULL, NULL};
    size_t qbytes;
    /* screening: half the float ring's size (int16 pairs), already checked */
    if (p->screen && span + 1 <= 256 && g.ks % 16 == 0 &&
        hk_mul_size(g.total / 2, sizeof(int32_t), &qbytes)) {
        sc.q = aligned_alloc(64, (qbytes + 63) & ~(size_t)63);
        sc.qrows = malloc(sizeof(*sc.qrows) * (size_t)(span + 1));
        sc.acc = malloc(sizeof(int32_t) * ((size_t)nwx + 16));
        if (!sc.q || !sc.qrows || !sc.acc) {
            free(sc.q);
            free(sc.qrows);
            free(sc.acc);
            sc.q = NULL; /* without screening: every window is scored */
            sc.qrows = NULL;
            sc.acc = NULL;
        }
    }
    float *planes;
    st = compute_grid(p, img, w, h, cn, stride, &g, scratch, &planes, score_ready, &sc, rr,
                      rowbuf);
    free(scores);
    free(rows);
    free(sc.q);
    free(sc.qrows);
    free(sc.acc);
    return st;
}
