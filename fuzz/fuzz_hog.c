/* Fuzz target: hk_hog_extract with image and parameters taken from the input.
 *
 * Input layout: 8 header bytes, then one byte per parameter knob of the
 * chosen variant (four in raw mode), then pixel bytes (repeated to fill the
 * image; none means all zero).
 *   [0] variant case   [1] sample type (bits 0-1), raw knobs (bit 2),
 *   padded stride (bit 3), floats from raw bytes (bit 4; else bytes/255)
 *   [2] width - 1 (mod 64)  [3] height - 1 (mod 64)  [4] channels - 1 (mod 4)
 *   [5] threads (mod 3) and SIMD set (/3 mod 4)  [6] float special: NaN/Inf/-x at pixel [7] when set
 *
 * Properties: hk_hog_params_check, hk_hog_shape and hk_hog_extract agree; a
 * successful extract fills exactly shape.count finite values (the buffer is
 * exact-size so ASan sees any write past it), refuses a buffer one value
 * short, gives bit-identical results again with a reused context and with
 * the scalar reference kernels on one thread; float
 * input with NaN/Inf gives HK_ERR_NONFINITE, negative input under a square
 * root HK_ERR_DOMAIN, and finite input so large that the arithmetic
 * overflows HK_ERR_DOMAIN with a zeroed output, as documented.
 *
 * A new variant is one line in CASES (plus its knob list, and a fix-up when
 * its parameters must nest): the harness knows nothing else about any
 * variant but which ones take a square root (needs_non_negative). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "fuzz.h"
#include "hog/vlfeat_fast.h"

typedef struct knob {
    size_t offset; /* of an int field in hk_hog_params */
    int lo, hi;    /* the range a knob byte maps onto */
} knob;

#define KNOB(field, lo, hi) {offsetof(hk_hog_params, field), lo, hi}

/* Ranges cover each parameter's valid values that keep a 64x64 image cheap;
 * raw mode feeds any int instead, to exercise parameter validation. */
static const knob SKIMAGE_KNOBS[] = {
    KNOB(skimage.orientations, 1, 18),  KNOB(skimage.cell_rows, 1, 16),
    KNOB(skimage.cell_cols, 1, 16),     KNOB(skimage.block_rows, 1, 4),
    KNOB(skimage.block_cols, 1, 4),     KNOB(skimage.block_norm, 0, 3),
    KNOB(skimage.transform_sqrt, 0, 1),
};

/* OpenCV's geometry must nest (block = cells, window = block + strides):
 * its knobs are raw material that ocv_fix turns into a valid geometry most
 * of the time (block_* count cells, win_* count block strides). */
static const knob OPENCV_KNOBS[] = {
    KNOB(opencv.cell_width, 1, 8),      KNOB(opencv.cell_height, 1, 8),
    KNOB(opencv.block_width, 1, 4),     KNOB(opencv.block_height, 1, 4),
    KNOB(opencv.block_stride_x, 1, 8),  KNOB(opencv.block_stride_y, 1, 8),
    KNOB(opencv.win_width, 0, 3),       KNOB(opencv.win_height, 0, 3),
    KNOB(opencv.nbins, 1, 18),          KNOB(opencv.gamma_correction, 0, 1),
    KNOB(opencv.signed_gradient, 0, 1), KNOB(opencv.win_stride_x, 0, 8),
    KNOB(opencv.win_stride_y, 0, 8),    KNOB(opencv.pad_x, 0, 8),
    KNOB(opencv.pad_y, 0, 8),
};

static void ocv_fix(hk_hog_params *p)
{
    hk_opencv_params *o = &p->opencv;
    o->block_width *= o->cell_width;
    o->block_height *= o->cell_height;
    o->win_width = o->block_width + o->block_stride_x * o->win_width;
    o->win_height = o->block_height + o->block_stride_y * o->win_height;
}

static const knob VLFEAT_KNOBS[] = {
    KNOB(vlfeat.cell_size, 1, 16), KNOB(vlfeat.orientations, 1, 18),
    KNOB(vlfeat.bilinear_orientations, 0, 1),
};

static const knob DLIB_KNOBS[] = {
    KNOB(dlib.cell_size, 1, 16), KNOB(dlib.filter_rows_padding, 1, 8),
    KNOB(dlib.filter_cols_padding, 1, 8),
};

/* patch counts cells (mf_fix); gaussian_window 1 is invalid on purpose. */
static const knob MASKFEAT_KNOBS[] = {
    KNOB(maskfeat.nbins, 1, 18), KNOB(maskfeat.pool, 1, 8), KNOB(maskfeat.gaussian_window, 0, 16),
    KNOB(maskfeat.patch, 1, 4),  KNOB(maskfeat.normalize, 0, 1),
};

static void mf_fix(hk_hog_params *p)
{
    p->maskfeat.patch *= p->maskfeat.pool;
}

typedef struct variant_case {
    hk_variant variant;
    const knob *knobs;
    size_t n_knobs;
    void (*fix)(hk_hog_params *p); /* optional: knob values -> consistent params */
} variant_case;

#define CASE(v, knobs, fix) {v, knobs, sizeof(knobs) / sizeof(knobs[0]), fix}

/* Every implemented variant (hk_hog_params_check accepts its defaults). */
static const variant_case CASES[] = {
    CASE(HK_VARIANT_SKIMAGE, SKIMAGE_KNOBS, NULL),
    CASE(HK_VARIANT_OPENCV, OPENCV_KNOBS, ocv_fix),
    CASE(HK_VARIANT_VLFEAT_DT, VLFEAT_KNOBS, NULL),
    CASE(HK_VARIANT_VLFEAT_UOCTTI, VLFEAT_KNOBS, NULL),
    CASE(HK_VARIANT_DLIB, DLIB_KNOBS, NULL),
    CASE(HK_VARIANT_MASKFEAT, MASKFEAT_KNOBS, mf_fix),
};
#define N_CASES (sizeof(CASES) / sizeof(CASES[0]))

static const hk_sample_type TYPES[4] = {HK_U8, HK_U16, HK_F32, HK_F64};

typedef struct reader {
    const uint8_t *p;
    size_t n, pos;
} reader;

static uint8_t next_byte(reader *r)
{
    return r->pos < r->n ? r->p[r->pos++] : 0;
}

/* Fills the pixel buffer from the remaining input, cyclically. */
static void fill_pixels(uint8_t *pix, size_t bytes, const reader *r, hk_sample_type type,
                        int raw_floats)
{
    size_t left = r->n - r->pos, ss = hk_sample_size(type);
    const uint8_t *src = r->p + r->pos;
    if (left == 0) {
        memset(pix, 0, bytes);
        return;
    }
    if (raw_floats || type == HK_U8 || type == HK_U16) {
        for (size_t i = 0; i < bytes; i++)
            pix[i] = src[i % left];
        return;
    }
    for (size_t i = 0; i < bytes / ss; i++) {
        double v = src[i % left] / 255.0;
        if (type == HK_F32) {
            float f = (float)v;
            memcpy(pix + i * 4, &f, 4);
        } else {
            memcpy(pix + i * 8, &v, 8);
        }
    }
}

/* What hk_hog_extract must make of the samples: bit 0 set when some float
 * sample is NaN or infinite, bit 1 when some float sample is negative. */
static int value_flags(const hk_image *im)
{
    int flags = 0;
    if (im->type != HK_F32 && im->type != HK_F64)
        return 0;
    for (size_t y = 0; y < im->height; y++)
        for (size_t i = 0; i < (size_t)im->width * im->channels; i++) {
            const uint8_t *row = (const uint8_t *)im->data + y * im->stride;
            double v = im->type == HK_F32 ? ((const float *)row)[i] : ((const double *)row)[i];
            if (!isfinite(v))
                flags |= 1;
            else if (v < 0)
                flags |= 2;
        }
    return flags;
}

/* Variants that take a square root of the samples refuse negative ones. */
static int needs_non_negative(const hk_hog_params *p)
{
    return p->variant == HK_VARIANT_SKIMAGE && p->skimage.transform_sqrt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size, 0};
    uint8_t h[8];
    for (int i = 0; i < 8; i++)
        h[i] = next_byte(&r);
    const variant_case *vc = &CASES[h[0] % N_CASES];
    hk_sample_type type = TYPES[h[1] & 3];
    int raw_knobs = (h[1] >> 2) & 1, padded = (h[1] >> 3) & 1, raw_floats = (h[1] >> 4) & 1;

    hk_hog_params params;
    hk_hog_params_default(&params, vc->variant);
    FUZZ_CHECK(hk_hog_params_check(&params) == HK_OK);
    params.threads = h[5] % 3;
    params.simd = (hk_simd)((h[5] / 3) % 4); /* auto, scalar, avx2, avx512 */
    for (size_t k = 0; k < vc->n_knobs; k++) {
        int v;
        if (raw_knobs) {
            uint32_t u = 0;
            for (int b = 0; b < 4; b++)
                u = u << 8 | next_byte(&r);
            memcpy(&v, &u, sizeof v);
        } else {
            v = vc->knobs[k].lo + next_byte(&r) % (vc->knobs[k].hi - vc->knobs[k].lo + 1);
        }
        memcpy((uint8_t *)&params + vc->knobs[k].offset, &v, sizeof v);
    }
    if (vc->fix && !raw_knobs)
        vc->fix(&params);

    hk_image im;
    memset(&im, 0, sizeof im);
    im.width = 1u + h[2] % 64;
    im.height = 1u + h[3] % 64;
    im.channels = 1u + h[4] % 4;
    im.type = type;
    size_t ss = hk_sample_size(type), row = (size_t)im.width * im.channels * ss;
    im.stride = row + (padded ? ss * 3 : 0);
    size_t bytes = im.stride * im.height;
    uint8_t *pix = malloc(bytes);
    FUZZ_CHECK(pix != NULL);
    fill_pixels(pix, bytes, &r, type, raw_floats);
    if (h[6] && (type == HK_F32 || type == HK_F64)) {
        /* Plant a special value: NaN, +Inf, -Inf or a negative number. */
        static const double special[4] = {NAN, INFINITY, -INFINITY, -0.5};
        size_t at = (h[7] % im.height) * im.stride + (h[7] % im.width) * im.channels * ss;
        double v = special[h[6] % 4];
        float f = (float)v;
        if (type == HK_F32)
            memcpy(pix + at, &f, 4);
        else
            memcpy(pix + at, &v, 8);
    }
    im.data = pix;

    hk_status pst = hk_hog_params_check(&params);
    hk_shape shape;
    hk_status sst = hk_hog_shape(&params, im.width, im.height, im.channels, &shape);
    if (pst != HK_OK) {
        /* UNSUPPORTED: an instruction set this CPU or build lacks. */
        FUZZ_CHECK((pst == HK_ERR_INVALID_ARG || pst == HK_ERR_UNSUPPORTED) && sst == pst);
        FUZZ_CHECK(hk_hog_extract(NULL, &params, &im, NULL, 0) == pst);
        free(pix);
        return 0;
    }
    if (sst != HK_OK) {
        FUZZ_CHECK(sst == HK_ERR_TOO_SMALL || sst == HK_ERR_OVERFLOW || sst == HK_ERR_LIMIT ||
                   sst == HK_ERR_UNSUPPORTED || sst == HK_ERR_INVALID_ARG);
        FUZZ_CHECK(hk_hog_extract(NULL, &params, &im, NULL, 0) == sst);
        free(pix);
        return 0;
    }
    size_t count = 1;
    FUZZ_CHECK(shape.ndim >= 1 && shape.ndim <= HK_MAX_DIMS);
    for (int d = 0; d < shape.ndim; d++)
        count *= shape.dims[d];
    FUZZ_CHECK(count == shape.count);
    /* Keep each input cheap: a huge (valid) output is not what we hunt. */
    if (shape.count > ((size_t)1 << 24)) {
        free(pix);
        return 0;
    }

    float *out = malloc(shape.count ? shape.count * sizeof(float) : 1);
    float *again = malloc(shape.count ? shape.count * sizeof(float) : 1);
    FUZZ_CHECK(out && again);
    hk_hog_ctx *ctx = NULL;
    FUZZ_CHECK(hk_hog_ctx_new(&ctx) == HK_OK);

    if (shape.count > 0)
        FUZZ_CHECK(hk_hog_extract(ctx, &params, &im, out, shape.count - 1) ==
                   HK_ERR_BUFFER_TOO_SMALL);
    hk_status st = hk_hog_extract(ctx, &params, &im, out, shape.count);
    /* Documented: NaN/Inf -> HK_ERR_NONFINITE; negative under a square root
     * -> HK_ERR_DOMAIN; whichever the scan meets first when both occur. */
    int flags = value_flags(&im), neg = (flags & 2) && needs_non_negative(&params);
    if ((flags & 1) && neg)
        FUZZ_CHECK(st == HK_ERR_NONFINITE || st == HK_ERR_DOMAIN);
    else if (flags & 1)
        FUZZ_CHECK(st == HK_ERR_NONFINITE);
    else if (neg)
        FUZZ_CHECK(st == HK_ERR_DOMAIN);
    else if (type == HK_F32 || type == HK_F64) /* overflow of huge samples: DOMAIN
                                                  * (MaskFeat's kernel says NONFINITE) */
        FUZZ_CHECK(st == HK_OK || st == HK_ERR_DOMAIN || st == HK_ERR_NONFINITE ||
                   st == HK_ERR_UNSUPPORTED);
    else /* UNSUPPORTED: a sample type or channel count the variant refuses */
        FUZZ_CHECK(st == HK_OK || st == HK_ERR_UNSUPPORTED);
    if (st != HK_OK && !(flags & 1) && !neg)
        for (size_t i = 0; i < shape.count; i++)
            FUZZ_CHECK(out[i] == 0.0f); /* refused output is zeroed, never Inf/NaN */
    if (st == HK_OK) {
        for (size_t i = 0; i < shape.count; i++)
            FUZZ_CHECK(isfinite(out[i]));
        /* Same context, same input: the same bits (no stale scratch). */
        FUZZ_CHECK(hk_hog_extract(ctx, &params, &im, again, shape.count) == HK_OK);
        FUZZ_CHECK(memcmp(out, again, shape.count * sizeof(float)) == 0);
    }
    /* Every kernel set and thread count gives the scalar reference's bits
     * (and status): the fast paths promise bit-identical results, except the
     * OpenCV variant's AVX2 path, which promises float rounding (its values
     * are at most 1 after normalisation; docs/variants/opencv.md), and the
     * dlib variant's, which sums in another order (at most 1e-5 apart;
     * docs/performance.md), and the VLFeat variants', which do too (at most
     * hk_vlf_tol(cell size) apart). */
    if (params.simd != HK_SIMD_SCALAR || params.threads != 1) {
        hk_hog_params scalar = params;
        scalar.simd = HK_SIMD_SCALAR;
        scalar.threads = 1;
        hk_status sst2 = hk_hog_extract(ctx, &scalar, &im, again, shape.count);
        FUZZ_CHECK(sst2 == st);
        if (st == HK_OK && params.variant == HK_VARIANT_OPENCV)
            for (size_t i = 0; i < shape.count; i++)
                FUZZ_CHECK(fabsf(out[i] - again[i]) <= 1e-4f);
        else if (st == HK_OK && params.variant == HK_VARIANT_DLIB)
            for (size_t i = 0; i < shape.count; i++)
                FUZZ_CHECK(fabsf(out[i] - again[i]) <= 1e-5f);
        else if (st == HK_OK && (params.variant == HK_VARIANT_VLFEAT_DT ||
                                 params.variant == HK_VARIANT_VLFEAT_UOCTTI))
            for (size_t i = 0; i < shape.count; i++)
                FUZZ_CHECK(fabs((double)out[i] - again[i]) <= hk_vlf_tol((size_t)params.vlfeat.cell_size));
        else if (st == HK_OK)
            FUZZ_CHECK(memcmp(out, again, shape.count * sizeof(float)) == 0);
    }
    hk_hog_ctx_free(ctx);
    free(out);
    free(again);
    free(pix);
    return 0;
}
