/* HOG front end: parameters, shapes, contexts and dispatch to the variants. */
#include <stdlib.h>
#include <math.h>

#include "hog/hog_internal.h"

void hk_hog_params_default(hk_hog_params *p, hk_variant variant)
{
    if (!p)
        return;
    p->variant = variant;
    p->orientations = 9;
    p->cell_rows = 8;
    p->cell_cols = 8;
    p->block_rows = 3;
    p->block_cols = 3;
    p->block_norm = HK_NORM_L2_HYS;
    p->transform_sqrt = 0;
}

/* Upper bounds that keep every size product far from overflow. */
#define HK_MAX_ORIENTATIONS 4096
#define HK_MAX_CELL 65536
#define HK_MAX_BLOCK 4096

hk_status hk_hog_params_check(const hk_hog_params *p)
{
    if (!p)
        return HK_ERR_INVALID_ARG;
    if (p->orientations < 1 || p->orientations > HK_MAX_ORIENTATIONS)
        return HK_ERR_INVALID_ARG;
    if (p->cell_rows < 1 || p->cell_cols < 1 || p->cell_rows > HK_MAX_CELL ||
        p->cell_cols > HK_MAX_CELL)
        return HK_ERR_INVALID_ARG;
    switch (p->variant) {
    case HK_VARIANT_SKIMAGE:
        if (p->block_rows < 1 || p->block_cols < 1 || p->block_rows > HK_MAX_BLOCK ||
            p->block_cols > HK_MAX_BLOCK)
            return HK_ERR_INVALID_ARG;
        if (p->block_norm < HK_NORM_L1 || p->block_norm > HK_NORM_L2_HYS)
            return HK_ERR_INVALID_ARG;
        return HK_OK;
    }
    return HK_ERR_INVALID_ARG;
}

hk_status hk_hog_shape(const hk_hog_params *p, uint32_t width, uint32_t height,
                       uint32_t channels, hk_shape *shape)
{
    if (!shape)
        return HK_ERR_INVALID_ARG;
    shape->ndim = 0;
    shape->count = 0;
    hk_status st = hk_hog_params_check(p);
    if (st != HK_OK)
        return st;
    if (width == 0 || height == 0 || channels == 0 || channels > HK_MAX_CHANNELS)
        return HK_ERR_INVALID_ARG;
    switch (p->variant) {
    case HK_VARIANT_SKIMAGE:
        return hk_skimage_shape(p, width, height, shape);
    }
    return HK_ERR_INVALID_ARG;
}

hk_status hk_hog_ctx_new(hk_hog_ctx **ctx)
{
    if (!ctx)
        return HK_ERR_INVALID_ARG;
    *ctx = calloc(1, sizeof(**ctx));
    return *ctx ? HK_OK : HK_ERR_NOMEM;
}

void hk_hog_ctx_free(hk_hog_ctx *ctx)
{
    if (!ctx)
        return;
    free(ctx->scratch);
    free(ctx);
}

void *hk_ctx_scratch(hk_hog_ctx *ctx, size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    if (ctx->scratch_bytes >= bytes)
        return ctx->scratch;
    free(ctx->scratch);
    ctx->scratch = malloc(bytes);
    ctx->scratch_bytes = ctx->scratch ? bytes : 0;
    return ctx->scratch;
}

hk_status hk_image_check_values(const hk_image *im, int no_negative)
{
    if (im->type != HK_F32 && im->type != HK_F64)
        return HK_OK;
    size_t n = (size_t)im->width * im->channels;
    for (size_t y = 0; y < im->height; y++) {
        const unsigned char *row = (const unsigned char *)im->data + y * im->stride;
        for (size_t i = 0; i < n; i++) {
            double v = im->type == HK_F32 ? ((const float *)row)[i] : ((const double *)row)[i];
            if (!isfinite(v))
                return HK_ERR_NONFINITE;
            if (no_negative && v < 0)
                return HK_ERR_DOMAIN;
        }
    }
    return HK_OK;
}

hk_status hk_hog_extract(hk_hog_ctx *ctx, const hk_hog_params *p, const hk_image *im,
                         float *out, size_t capacity)
{
    hk_status st = hk_image_check(im);
    if (st != HK_OK)
        return st;
    hk_shape shape;
    st = hk_hog_shape(p, im->width, im->height, im->channels, &shape);
    if (st != HK_OK)
        return st;
    if (capacity < shape.count)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (shape.count > 0 && !out)
        return HK_ERR_INVALID_ARG;
    st = hk_image_check_values(im, p->transform_sqrt);
    if (st != HK_OK)
        return st;
    if (shape.count == 0)
        return HK_OK;

    hk_hog_ctx *own = NULL;
    if (!ctx) {
        st = hk_hog_ctx_new(&own);
        if (st != HK_OK)
            return st;
        ctx = own;
    }
    switch (p->variant) {
    case HK_VARIANT_SKIMAGE:
        st = hk_skimage_extract(ctx, p, im, out);
        break;
    default:
        st = HK_ERR_INVALID_ARG;
    }
    hk_hog_ctx_free(own);
    return st;
}
