/* HOG front end: parameters, shapes, contexts and dispatch to the variants. */
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "hog/dlib_fast.h"
#include "hog/hog_internal.h"
#include "hog/maskfeat.h"
#include "hog/opencv.h"
#include "hog/skimage_fast.h"
#include "hog/vlfeat_fast.h"
#include "simd/cpu.h"

void hk_hog_params_default(hk_hog_params *p, hk_variant variant)
{
    if (!p)
        return;
    memset(p, 0, sizeof(*p));
    p->variant = variant;
    p->threads = 0;
    p->simd = HK_SIMD_AUTO;
    p->skimage = (hk_skimage_params){.orientations = 9, .cell_rows = 8, .cell_cols = 8,
                                     .block_rows = 3, .block_cols = 3,
                                     .block_norm = HK_NORM_L2_HYS, .transform_sqrt = 0};
    p->opencv = (hk_opencv_params){.win_width = 64, .win_height = 128, .block_width = 16,
                                   .block_height = 16, .block_stride_x = 8, .block_stride_y = 8,
                                   .cell_width = 8, .cell_height = 8, .nbins = 9,
                                   .win_sigma = -1, .l2hys_threshold = 0.2,
                                   .gamma_correction = 1, .signed_gradient = 0,
                                   .win_stride_x = 0, .win_stride_y = 0, .pad_x = 0, .pad_y = 0};
    p->vlfeat = (hk_vlfeat_params){.cell_size = 8, .orientations = 9, .bilinear_orientations = 0};
    p->dlib = (hk_dlib_params){.cell_size = 8, .filter_rows_padding = 1, .filter_cols_padding = 1};
    p->maskfeat = (hk_maskfeat_params){.nbins = 9, .pool = 8, .gaussian_window = 0, .patch = 16,
                                       .normalize = 1};
}

/* Upper bounds that keep every size product far from overflow. */
#define HK_MAX_ORIENTATIONS 4096
#define HK_MAX_CELL 65536
#define HK_MAX_BLOCK 4096

static hk_status skimage_params_check(const hk_skimage_params *s)
{
    if (s->orientations < 1 || s->orientations > HK_MAX_ORIENTATIONS)
        return HK_ERR_INVALID_ARG;
    if (s->cell_rows < 1 || s->cell_cols < 1 || s->cell_rows > HK_MAX_CELL ||
        s->cell_cols > HK_MAX_CELL)
        return HK_ERR_INVALID_ARG;
    if (s->block_rows < 1 || s->block_cols < 1 || s->block_rows > HK_MAX_BLOCK ||
        s->block_cols > HK_MAX_BLOCK)
        return HK_ERR_INVALID_ARG;
    if (s->block_norm < HK_NORM_L1 || s->block_norm > HK_NORM_L2_HYS)
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

static hk_status vlfeat_params_check(const hk_vlfeat_params *v)
{
    if (v->cell_size < 1 || v->cell_size > HK_MAX_CELL || v->orientations < 1 ||
        v->orientations > HK_MAX_ORIENTATIONS ||
        (v->bilinear_orientations != 0 && v->bilinear_orientations != 1))
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

static hk_status dlib_params_check(const hk_dlib_params *d)
{
    if (d->cell_size < 1 || d->cell_size > HK_MAX_CELL || d->filter_rows_padding < 1 ||
        d->filter_rows_padding > HK_MAX_CELL || d->filter_cols_padding < 1 ||
        d->filter_cols_padding > HK_MAX_CELL)
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

hk_status hk_hog_params_check(const hk_hog_params *p)
{
    if (!p || p->threads < 0 || p->threads > 4096 || p->simd < HK_SIMD_AUTO ||
        p->simd > HK_SIMD_AVX512)
        return HK_ERR_INVALID_ARG;
    hk_simd resolved; /* an instruction set this build or CPU lacks */
    if (p->simd != HK_SIMD_AUTO && hk_simd_resolve(p->simd, &resolved) != HK_OK)
        return HK_ERR_UNSUPPORTED;
    switch (p->variant) {
    case HK_VARIANT_SKIMAGE:
        return skimage_params_check(&p->skimage);
    case HK_VARIANT_MASKFEAT:
        return hk_maskfeat_params_check(&p->maskfeat);
    case HK_VARIANT_OPENCV:
        return hk_ocv_params_check(&p->opencv);
    case HK_VARIANT_VLFEAT_DT:
    case HK_VARIANT_VLFEAT_UOCTTI:
        return vlfeat_params_check(&p->vlfeat);
    case HK_VARIANT_DLIB:
        return dlib_params_check(&p->dlib);
    default:
        break;
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
        return hk_skimage_shape(&p->skimage, width, height, shape);
    case HK_VARIANT_MASKFEAT:
        return hk_maskfeat_shape(&p->maskfeat, width, height, channels, shape);
    case HK_VARIANT_OPENCV:
        return hk_ocv_shape(&p->opencv, width, height, channels, shape);
    case HK_VARIANT_VLFEAT_DT:
    case HK_VARIANT_VLFEAT_UOCTTI:
        return hk_vlfeat_shape(&p->vlfeat, p->variant == HK_VARIANT_VLFEAT_UOCTTI, width, height,
                               shape);
    case HK_VARIANT_DLIB:
        return hk_dlib_shape(&p->dlib, width, height, channels, shape);
    default:
        break;
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
    hk_ctx_workers_free(ctx);
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

/* 1 when every value of v[0 .. n) is finite. */
static int hk_all_finite(const float *v, size_t n)
{
    /* blocks of 8 without an early exit (Inf/NaN: exponent bits all ones),
     * which the compiler vectorises: small batch images pay for this scan */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t u[8], bad = 0;
        memcpy(u, v + i, sizeof u);
        for (int j = 0; j < 8; j++)
            bad |= (u[j] & 0x7f800000u) == 0x7f800000u;
        if (bad)
            return 0;
    }
    for (; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* 1 when the variant itself guarantees finite output (or refuses the input),
 * so hk_hog_extract needs no pass over it (a tenth of the skimage variant's
 * time at 1080p, a large share of a 28x28 image's). */
static int output_checked_by_variant(const hk_hog_params *p, const hk_image *im)
{
    switch (p->variant) {
    case HK_VARIANT_SKIMAGE: /* refuses non-finite cell histograms; finite
                                non-negative cells normalise into [0, 1] */
    case HK_VARIANT_DLIB:    /* checks its cell energies (dlib.c) */
    case HK_VARIANT_OPENCV:  /* checks its own output (opencv.c, opencv_avx2_block.c) */
        return 1;
    case HK_VARIANT_VLFEAT_DT: /* finite by construction on 8/16-bit samples */
    case HK_VARIANT_VLFEAT_UOCTTI:
        return hk_vlfeat_output_finite(p, im);
    default: /* maskfeat */
        return 0;
    }
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
    st = hk_image_check_values(im, p->variant == HK_VARIANT_SKIMAGE && p->skimage.transform_sqrt);
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
        st = hk_skimage_run(ctx, p, im, out);
        break;
    case HK_VARIANT_MASKFEAT:
        st = hk_maskfeat_extract(ctx, &p->maskfeat, im, out);
        break;
    case HK_VARIANT_OPENCV:
        st = hk_ocv_extract_threads(ctx, &p->opencv, p->simd, p->threads, im, out);
        break;
    case HK_VARIANT_VLFEAT_DT:
    case HK_VARIANT_VLFEAT_UOCTTI:
        st = hk_vlfeat_run(ctx, p, im, out);
        break;
    case HK_VARIANT_DLIB:
        st = hk_dlib_run(ctx, p, im, out);
        break;
    default:
        st = HK_ERR_INVALID_ARG;
    }
    hk_hog_ctx_free(own);
    /* Finite samples so large that the reference's arithmetic overflows
     * (float32 gradients past ~3e38, sums of squares past ~1e308) would give
     * Inf or NaN features, as the reference does; we promise finite output
     * instead, so such an input is refused and nothing non-finite is left. */
    if (st == HK_OK && !output_checked_by_variant(p, im) && !hk_all_finite(out, shape.count))
        st = HK_ERR_DOMAIN;
    /* A computation that failed part-way leaves no half-written features. */
    if (st != HK_OK)
        memset(out, 0, shape.count * sizeof(float));
    return st;
}
