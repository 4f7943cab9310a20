/*
 * MaskFeat HOG targets: parameters, geometry, the single-image path of
 * hk_hog_extract and the batch API hk_maskfeat_targets. The kernel is in
 * maskfeat_kernel.c; the definition in docs/variants/maskfeat.md.
 *
 * Memory: one float32 copy of a channel plane (single-image path only: the
 * batch is already planar float32), one plane of cell histograms and the
 * Gaussian window, all in the context's scratch.
 */
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"
#include "hog/maskfeat.h"

#define HK_MF_MAX_BINS 4096
#define HK_MF_MAX_SIZE 65536

hk_status hk_maskfeat_params_check(const hk_maskfeat_params *p)
{
    if (p->nbins < 1 || p->nbins > HK_MF_MAX_BINS)
        return HK_ERR_INVALID_ARG;
    if (p->pool < 1 || p->pool > HK_MF_MAX_SIZE || p->patch < 1 || p->patch > HK_MF_MAX_SIZE)
        return HK_ERR_INVALID_ARG;
    /* A patch is u x u whole cells. */
    if (p->patch % p->pool != 0)
        return HK_ERR_INVALID_ARG;
    /* k = 1 has sigma = 1 // 2 = 0: the reference divides by zero (NaN). */
    if (p->gaussian_window < 0 || p->gaussian_window == 1 ||
        p->gaussian_window > HK_MF_MAX_SIZE)
        return HK_ERR_INVALID_ARG;
    if (p->normalize != 0 && p->normalize != 1)
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

hk_status hk_maskfeat_geometry(const hk_maskfeat_params *p, size_t channels, size_t width,
                               size_t height, hk_mf_geom *g)
{
    hk_status st = hk_maskfeat_params_check(p);
    if (st != HK_OK)
        return st;
    if (channels == 0 || width == 0 || height == 0)
        return HK_ERR_INVALID_ARG;
    if (width < 2 || height < 2)
        return HK_ERR_TOO_SMALL;
    memset(g, 0, sizeof(*g));
    g->width = width;
    g->height = height;
    g->channels = channels;
    g->nbins = (size_t)p->nbins;
    g->pool = (size_t)p->pool;
    g->u = (size_t)(p->patch / p->pool);
    g->window = (size_t)p->gaussian_window;
    if (g->window && (width != height || height % g->window != 0))
        return HK_ERR_UNSUPPORTED;
    g->patches_h = height / g->pool / g->u;
    g->patches_w = width / g->pool / g->u;
    g->cells_h = g->patches_h * g->u; /* <= height / pool: no overflow */
    g->cells_w = g->patches_w * g->u;
    size_t uu;
    if (!hk_mul_size(g->patches_h, g->patches_w, &g->patches) ||
        !hk_mul_size(g->u, g->u, &uu) || !hk_mul_size(channels * 1, g->nbins, &g->dims) ||
        !hk_mul_size(g->dims, uu, &g->dims) ||
        !hk_mul_size(g->cells_h, g->cells_w, &g->plane_cells) ||
        !hk_mul_size(g->plane_cells, g->nbins, &g->plane_cells))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

hk_status hk_maskfeat_shape(const hk_maskfeat_params *p, uint32_t width, uint32_t height,
                            uint32_t channels, hk_shape *shape)
{
    hk_mf_geom g;
    hk_status st = hk_maskfeat_geometry(p, channels, width, height, &g);
    if (st != HK_OK)
        return st;
    shape->ndim = 2;
    shape->dims[0] = g.patches;
    shape->dims[1] = g.dims;
    if (!hk_mul_sizes(shape->dims, 2, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Scratch layout: [plane floats][cells][window]; sizes overflow-checked. */
static hk_status scratch_for(hk_hog_ctx *ctx, const hk_mf_geom *g, size_t plane_floats,
                             float **plane, float **cells, float **gkern)
{
    size_t kk = 0, floats, bytes;
    if (!hk_mul_size(g->window, g->window, &kk) ||
        !hk_add_size(plane_floats, g->plane_cells, &floats) ||
        !hk_add_size(floats, kk, &floats) || !hk_mul_size(floats, sizeof(float), &bytes))
        return HK_ERR_OVERFLOW;
    float *base = hk_ctx_scratch(ctx, bytes);
    if (!base)
        return HK_ERR_NOMEM;
    *plane = base;
    *cells = base + plane_floats;
    *gkern = g->window ? *cells + g->plane_cells : NULL;
    if (*gkern)
        hk_maskfeat_gkern(g->window, *gkern);
    return HK_OK;
}

hk_status hk_maskfeat_extract(hk_hog_ctx *ctx, const hk_maskfeat_params *p, const hk_image *im,
                              float *out)
{
    hk_mf_geom g;
    hk_status st = hk_maskfeat_geometry(p, im->channels, im->width, im->height, &g);
    if (st != HK_OK)
        return st;
    size_t npix;
    if (!hk_mul_size(g.width, g.height, &npix))
        return HK_ERR_OVERFLOW;
    float *plane, *cells, *gkern;
    st = scratch_for(ctx, &g, npix, &plane, &cells, &gkern);
    if (st != HK_OK)
        return st;
    for (unsigned c = 0; c < im->channels; c++) {
        /* The reference takes a float32 tensor: every type becomes float32. */
        for (size_t y = 0; y < g.height; y++)
            for (size_t x = 0; x < g.width; x++)
                plane[y * g.width + x] = (float)hk_sample_at(im, x, y, c);
        st = hk_maskfeat_plane_cells(&g, plane, gkern, cells);
        if (st != HK_OK)
            return st;
        hk_maskfeat_cells_out(&g, c, cells, p->normalize, out);
    }
    return HK_OK;
}

/* ---- batch API ---- */

static hk_status batch_geometry(const hk_hog_params *params, size_t n, size_t c, size_t h,
                                size_t w, hk_mf_geom *g, size_t *per_image)
{
    if (!params || params->variant != HK_VARIANT_MASKFEAT || c > HK_MAX_CHANNELS)
        return HK_ERR_INVALID_ARG;
    hk_status st = hk_hog_params_check(params);
    if (st != HK_OK)
        return st;
    st = hk_maskfeat_geometry(&params->maskfeat, c, w, h, g);
    if (st != HK_OK)
        return st;
    if (!hk_mul_size(g->patches, g->dims, per_image))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

hk_status hk_maskfeat_targets_shape(const hk_hog_params *params, size_t n, size_t c, size_t h,
                                    size_t w, hk_shape *shape)
{
    if (!shape)
        return HK_ERR_INVALID_ARG;
    shape->ndim = 0;
    shape->count = 0;
    hk_mf_geom g;
    size_t per_image;
    hk_status st = batch_geometry(params, n, c, h, w, &g, &per_image);
    if (st != HK_OK)
        return st;
    shape->ndim = 3;
    shape->dims[0] = n;
    shape->dims[1] = g.patches;
    shape->dims[2] = g.dims;
    if (!hk_mul_size(n, per_image, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

hk_status hk_maskfeat_targets(hk_hog_ctx *ctx, const hk_hog_params *params, const float *batch,
                              size_t n, size_t c, size_t h, size_t w, float *out,
                              size_t capacity)
{
    hk_shape shape;
    hk_status st = hk_maskfeat_targets_shape(params, n, c, h, w, &shape);
    if (st != HK_OK)
        return st;
    if (capacity < shape.count)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!batch || (shape.count > 0 && !out))
        return HK_ERR_INVALID_ARG;
    hk_mf_geom g;
    size_t per_image, plane_n, image_n;
    st = batch_geometry(params, n, c, h, w, &g, &per_image);
    if (st != HK_OK)
        return st;
    if (!hk_mul_size(h, w, &plane_n) || !hk_mul_size(plane_n, c, &image_n) ||
        !hk_mul_size(image_n, n, &image_n))
        return HK_ERR_OVERFLOW;
    if (shape.count == 0)
        return HK_OK;
    hk_hog_ctx *own = NULL;
    if (!ctx) {
        st = hk_hog_ctx_new(&own);
        if (st != HK_OK)
            return st;
        ctx = own;
    }
    float *plane, *cells, *gkern;
    st = scratch_for(ctx, &g, 0, &plane, &cells, &gkern);
    for (size_t i = 0; st == HK_OK && i < n; i++)
        for (size_t ch = 0; st == HK_OK && ch < c; ch++) {
            st = hk_maskfeat_plane_cells(&g, batch + (i * c + ch) * plane_n, gkern, cells);
            if (st == HK_OK)
                hk_maskfeat_cells_out(&g, ch, cells, params->maskfeat.normalize,
                                      out + i * per_image);
        }
    hk_hog_ctx_free(own);
    return st;
}
