/*
 * OpenCV variant, image-per-lane batch kernel: which batches take it, the
 * tables of a geometry (kept by the context), and the call of one group
 * (method in opencv_lanes.h; the kernels are opencv_lanes_kernel.inc.h,
 * built portable in opencv_lanes_generic.c and with AVX2 in
 * opencv_lanes_avx2.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"
#include "hog/opencv_avx2.h"
#include "hog/opencv_lanes.h"
#include "simd/cpu.h"

struct hk_ocv_lanes_plan {
    hk_ocv_geometry g; /* the key */
    int ready;
    int finite;        /* every weight finite: else the images go one by one */
    size_t lw, lh, lw8;
    int *xsrc, *ysrc;
    hk__ocvl_tap *taps;
    uint32_t *cell0;
    float bin_scale, norm_add;
    size_t at_limg, at_planes, at_hist, at_stage, sstride, at_bytes, work; /* scratch layout */
    unsigned char *mem;
    size_t bytes;
};

void hk_ocv_lanes_plan_free(struct hk_ocv_lanes_plan *p)
{
    if (p)
        free(p->mem);
    free(p);
}

/* The geometry of a batch like im0 when the kernel takes it; 0 otherwise. */
static int taken(const hk_hog_params *p, const hk_image *im0, hk_ocv_geometry *g)
{
    if (p->variant != HK_VARIANT_OPENCV || im0->type != HK_U8 || im0->channels != 1)
        return 0;
    if (hk_ocv_geometry_init(&p->opencv, im0->width, im0->height, g) != HK_OK)
        return 0;
    if (g->nwin_x != 1 || g->nwin_y != 1)
        return 0;
    size_t planes;
    return g->desc_len <= HK_OCVL_MAX_DIM && hk_mul_size(g->pwidth, g->pheight, &planes) &&
           hk_mul_size(planes, (size_t)g->nbins, &planes) && planes <= HK_OCVL_MAX_PLANES;
}

int hk_ocv_lanes_avx2_usable(void)
{
    const hk_cpu_features *f = hk_cpu_features_get();
    return hk__ocvl_avx2_kernel() != NULL && f->avx2;
}

static hk_status run_generic(hk_hog_ctx *ctx, const hk_hog_params *p,
                             const hk_image *const *images, size_t n, float *out, size_t dim)
{
    return hk_ocv_lanes_extract(ctx, p, images, n, out, dim, 0);
}

static hk_status run_avx2(hk_hog_ctx *ctx, const hk_hog_params *p,
                          const hk_image *const *images, size_t n, float *out, size_t dim)
{
    return hk_ocv_lanes_extract(ctx, p, images, n, out, dim, 1);
}

int hk_ocv_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes)
{
    hk_ocv_geometry g;
    if (p->simd == HK_SIMD_SCALAR || !taken(p, im0, &g))
        return 0;
    int avx2 = (p->simd == HK_SIMD_AVX2 || p->simd == HK_SIMD_AVX512) &&
               hk_ocv_lanes_avx2_usable();
    lanes->run = avx2 ? run_avx2 : run_generic;
    lanes->group = HK_OCVL_LANES;
    return 1;
}

/* The cells' pixel lists from the scalar path's pixel table (same order,
 * same float weights); 0 when a weight is not finite (a hostile winSigma). */
static int build_taps(const hk_ocv_geometry *g, const hk_ocv_work *w, hk__ocvl_tap *taps,
                      uint32_t *cell0)
{
    const size_t ncells = g->ncells_x * g->ncells_y, nb = (size_t)g->nbins;
    int finite = 1;
    memset(cell0, 0, (ncells + 1) * sizeof(*cell0));
    /* counts, then starts, then the lists in table order */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < w->n4; k++) {
            const hk_ocv_pix *px = &w->pix[k];
            int cells = k < w->n1 ? 1 : k < w->n2 ? 2 : 4;
            for (int t = 0; t < cells; t++) {
                size_t c = (size_t)px->hist[t] / nb;
                if (pass == 0) {
                    cell0[c + 1]++;
                    finite &= isfinite(px->w[t]) != 0;
                } else {
                    hk__ocvl_tap *tp = &taps[cell0[c]++];
                    /* planes run column by column (opencv_lanes_kernel.inc.h) */
                    size_t i = px->off / g->pwidth, jx = px->off % g->pwidth;
                    tp->off = (uint32_t)((jx * g->pheight + i) * nb);
                    tp->w = px->w[t];
                }
            }
        }
        if (pass == 0)
            for (size_t c = 0; c < ncells; c++)
                cell0[c + 1] += cell0[c];
    }
    /* the fill moved each start to the next cell's: shift back */
    for (size_t c = ncells; c > 0; c--)
        cell0[c] = cell0[c - 1];
    cell0[0] = 0;
    return finite;
}

/* Plan for g in ctx->ocv_lanes, made when missing or for another geometry. */
static hk_status plan_get(hk_hog_ctx *ctx, const hk_ocv_geometry *g,
                          struct hk_ocv_lanes_plan **out)
{
    struct hk_ocv_lanes_plan *p = ctx->ocv_lanes;
    if (p && p->ready && memcmp(&p->g, g, sizeof(*g)) == 0) {
        *out = p;
        return HK_OK;
    }
    if (!p && !(p = ctx->ocv_lanes = calloc(1, sizeof(*p))))
        return HK_ERR_NOMEM;
    p->ready = 0;
    p->g = *g;
    /* sizes are bounded by HK_OCVL_MAX_PLANES (taken): no product below
     * overflows, and the pixel offsets fit in 32 bits */
    const size_t nb = (size_t)g->nbins, ncells = g->ncells_x * g->ncells_y;
    const size_t npix = (size_t)g->block_w * (size_t)g->block_h;
    p->lw = g->pwidth + 2;
    p->lh = g->pheight + 2;
    p->lw8 = (p->lw + 7) & ~(size_t)7;
    enum { XSRC, YSRC, TAPS, CELL0, N };
    size_t sz[N] = {p->lw8 * sizeof(int), p->lh * sizeof(int), 4 * npix * sizeof(hk__ocvl_tap),
                    (ncells + 1) * sizeof(uint32_t)};
    size_t at[N], total = 0;
    for (int i = 0; i < N; i++)
        if (!hk__ocv_carve(&total, sz[i], &at[i]))
            return HK_ERR_OVERFLOW;
    if (p->bytes < total) {
        free(p->mem);
        p->bytes = 0;
        if (!(p->mem = malloc(total)))
            return HK_ERR_NOMEM;
        p->bytes = total;
    }
    p->xsrc = (int *)(p->mem + at[XSRC]);
    p->ysrc = (int *)(p->mem + at[YSRC]);
    p->taps = (hk__ocvl_tap *)(p->mem + at[TAPS]);
    p->cell0 = (uint32_t *)(p->mem + at[CELL0]);
    /* lane-image column x is padded column x - 1 (reflect-101 of the image
     * beyond it, as the scalar path's xmap); the columns past lw read 0 */
    for (size_t x = 0; x < p->lw8; x++)
        p->xsrc[x] = x < p->lw ? (int)hk_ocv_reflect101((long)x - 1 - g->pad_x, g->width) : 0;
    for (size_t y = 0; y < p->lh; y++)
        p->ysrc[y] = (int)hk_ocv_reflect101((long)y - 1 - g->pad_y, g->height);
    hk_ocv_work w;
    hk_status st = hk_ocv_work_init(ctx, g, 0, &w);
    if (st != HK_OK)
        return st;
    p->finite = build_taps(g, &w, p->taps, p->cell0);
    /* as opencv_grad.c and hk_ocv_normalize_block compute them */
    p->bin_scale = g->signed_gradient ? (float)(g->nbins / (2.0 * 3.14159265358979323846))
                                      : (float)(g->nbins / 3.14159265358979323846);
    p->norm_add = (float)g->block_len * 0.1f;
    const size_t vec = HK_OCVL_LANES * sizeof(float);
    p->sstride = (g->desc_len + 8 + 15) & ~(size_t)15;
    p->work = 0;
    if (!hk__ocv_carve(&p->work, p->lw * p->lh * vec, &p->at_limg) ||
        !hk__ocv_carve(&p->work, g->pwidth * g->pheight * nb * vec, &p->at_planes) ||
        !hk__ocv_carve(&p->work, 2 * ((g->block_len + 7) & ~(size_t)7) * vec, &p->at_hist) ||
        !hk__ocv_carve(&p->work, HK_OCVL_LANES * p->sstride * sizeof(float), &p->at_stage) ||
        !hk__ocv_carve(&p->work, HK_OCVL_LANES * p->lw8, &p->at_bytes) ||
        !hk_add_size(p->work, 64, &p->work)) /* room to align the start */
        return HK_ERR_OVERFLOW;
    p->ready = 1;
    *out = p;
    return HK_OK;
}

hk_status hk_ocv_lanes_extract(hk_hog_ctx *ctx, const hk_hog_params *p,
                               const hk_image *const *images, size_t n, float *out,
                               size_t dim, int avx2)
{
    hk__ocvl_kernel kernel = hk__ocvl_group_generic;
    if (avx2) {
        if (!hk_ocv_lanes_avx2_usable())
            return HK_ERR_UNSUPPORTED;
        kernel = hk__ocvl_avx2_kernel();
    }
    hk_ocv_geometry g;
    if (n == 0 || n > HK_OCVL_LANES || !taken(p, images[0], &g))
        return HK_ERR_INVALID_ARG;
    struct hk_ocv_lanes_plan *pl;
    hk_status st = plan_get(ctx, &g, &pl);
    if (st != HK_OK)
        return st;
    if (!pl->finite) { /* the image-by-image path reports it */
        for (size_t k = 0; k < n && st == HK_OK; k++)
            st = hk_ocv_extract_simd(ctx, &p->opencv, p->simd, images[k], out + k * dim);
        return st;
    }
    unsigned char *m = hk_ctx_scratch(ctx, pl->work);
    if (!m)
        return HK_ERR_NOMEM;
    m += (64 - ((uintptr_t)m & 63)) & 63;
    const hk__ocvl_job job = {&pl->g,
                              pl->lw,
                              pl->lh,
                              pl->lw8,
                              pl->xsrc,
                              pl->ysrc,
                              pl->taps,
                              pl->cell0,
                              pl->bin_scale,
                              pl->norm_add,
                              (float *)(m + pl->at_limg),
                              (float *)(m + pl->at_planes),
                              (float *)(m + pl->at_hist),
                              (float *)(m + pl->at_stage),
                              pl->sstride,
                              m + pl->at_bytes};
    /* a value overflowed: refused, as the single-image paths refuse it */
    return kernel(&job, images, n, out, dim) ? HK_ERR_DOMAIN : HK_OK;
}
