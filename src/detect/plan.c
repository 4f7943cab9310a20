/* Per-call constants of detection: gamma table, Gaussian-times-cell weights
 * of a block (separable: OpenCV's per-pixel weight exp(-(di + dj) * s) *
 * wx * wy, split into an x factor and a y factor), and the detector vector
 * reordered so that a block row of a window is contiguous. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/level.h"

static int gcd(int a, int b)
{
    if (a < b) {
        int t = a;
        a = b;
        b = t;
    }
    while (b > 0) {
        int r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static int align_up(int v, int a)
{
    return (v + a - 1) / a * a;
}

/* Weights of one block axis: for pixel j of n (cells of size c), the cell
 * interpolation weight to cell `cell` times the Gaussian factor, computed
 * with OpenCV's float expressions. */
static void axis_weights(int n, int c, int ncell, float scale, float *out)
{
    float half = n * 0.5f;
    for (int cell = 0; cell < ncell; cell++)
        for (int j = 0; j < n; j++) {
            float d = (float)j - half;
            d *= d;
            float g = expf(-d * scale);
            float cx = (j + 0.5f) / c - 0.5f;
            int i0 = (int)floorf(cx);
            float f = cx - i0;
            float w = 0.f;
            if (cell == i0)
                w = 1.f - f;
            else if (cell == i0 + 1)
                w = f;
            out[cell * n + j] = w * g;
        }
}

hk_status hk__plan_init(hk_level_plan *p, const hk_detector *det, const hk_detect_params *dp)
{
    memset(p, 0, sizeof *p);
    const hk_opencv_params *g = &det->hog;
    p->det = det;
    p->wsx = dp->win_stride_x > 0 ? dp->win_stride_x : g->block_stride_x;
    p->wsy = dp->win_stride_y > 0 ? dp->win_stride_y : g->block_stride_y;
    if (p->wsx > 4096 || p->wsy > 4096)
        return HK_ERR_INVALID_ARG;
    p->gsx = gcd(p->wsx, g->block_stride_x);
    p->gsy = gcd(p->wsy, g->block_stride_y);
    if (dp->pad_x < 0 || dp->pad_y < 0 || dp->pad_x > 4096 || dp->pad_y > 4096)
        return HK_ERR_INVALID_ARG;
    p->padx = align_up(dp->pad_x, p->gsx);
    p->pady = align_up(dp->pad_y, p->gsy);
    p->bkx = g->block_stride_x / p->gsx;
    p->bky = g->block_stride_y / p->gsy;
    p->wkx = p->wsx / p->gsx;
    p->wky = p->wsy / p->gsy;
    p->ncx = g->block_width / g->cell_width;
    p->ncy = g->block_height / g->cell_height;
    p->hist = p->ncx * p->ncy * g->nbins;
    p->nbx_w = (g->win_width - g->block_width) / g->block_stride_x + 1;
    p->nby_w = (g->win_height - g->block_height) / g->block_stride_y + 1;
    for (int i = 0; i < 256; i++)
        p->lut[i] = g->gamma_correction ? sqrtf((float)i) : (float)i;
    double sigma = g->win_sigma > 0 ? g->win_sigma : (g->block_width + g->block_height) / 8.0;
    float fs = (float)sigma;
    float scale = 1.f / (fs * fs * 2);
    p->u = malloc(sizeof(float) * (size_t)p->ncx * g->block_width);
    p->v = malloc(sizeof(float) * (size_t)p->ncy * g->block_height);
    p->svm = malloc(sizeof(float) * det->desc_len);
    if (!p->u || !p->v || !p->svm) {
        hk__plan_free(p);
        return HK_ERR_NOMEM;
    }
    axis_weights(g->block_width, g->cell_width, p->ncx, scale, p->u);
    p->tn = calloc((size_t)g->block_width, sizeof *p->tn);
    p->tcx = calloc((size_t)g->block_width * 2, sizeof *p->tcx);
    p->tw = calloc((size_t)g->block_width * 2, sizeof *p->tw);
    if (!p->tn || !p->tcx || !p->tw) {
        hk__plan_free(p);
        return HK_ERR_NOMEM;
    }
    for (int j = 0; j < g->block_width; j++)
        for (int cx = 0; cx < p->ncx; cx++) {
            float w = p->u[cx * g->block_width + j];
            if (w != 0.f && p->tn[j] < 2) {
                p->tcx[2 * j + p->tn[j]] = cx;
                p->tw[2 * j + p->tn[j]] = w;
                p->tn[j]++;
            }
        }
    axis_weights(g->block_height, g->cell_height, p->ncy, scale, p->v);
    /* OpenCV's order: block (bx, by) at (bx * nby + by) * hist; scores add
     * blocks in that order so that the double sums match OpenCV's. */
    memcpy(p->svm, det->coef, sizeof(float) * det->desc_len);
    p->rho = det->n_coef > det->desc_len ? det->coef[det->desc_len] : 0.0;
    p->hit_threshold = dp->hit_threshold;
    p->simd = (dp->simd == HK_SIMD_AUTO || dp->simd == HK_SIMD_AVX2 ||
               dp->simd == HK_SIMD_AVX512) && hk__cpu_has_avx2();
    p->simd_grad = p->simd && hk__cpu_has_avx2_fma();
    p->simd_hist = p->simd_grad && g->nbins <= 32 && g->block_width == 16 &&
                   g->block_height == 16 && g->cell_width == 8 && g->cell_height == 8 &&
                   p->gsx == 8 && p->gsy == 8;
    hk__screen_plan(p);
    return HK_OK;
}

void hk__plan_free(hk_level_plan *p)
{
    free(p->u);
    free(p->v);
    free(p->svm);
    free(p->tn);
    free(p->tcx);
    free(p->tw);
    free(p->qsvm);
    p->qsvm = NULL;
    p->screen = 0;
    p->u = p->v = p->svm = p->tw = NULL;
    p->tn = p->tcx = NULL;
}

hk_status hk__hits_push(hk_hits *h, int x, int y, double s)
{
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 64;
        hk_hit *nv = realloc(h->v, nc * sizeof *nv);
        if (!nv)
            return HK_ERR_NOMEM;
        h->v = nv;
        h->cap = nc;
    }
    h->v[h->n].x = x;
    h->v[h->n].y = y;
    h->v[h->n].score = s;
    h->n++;
    return HK_OK;
}
