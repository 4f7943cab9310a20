/* Colour to grey with scikit-image's rgb2gray weights and scaling. */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"

/* Grey images (one channel, or grey + alpha) pass through unchanged. */
static int is_gray(const hk_image *im)
{
    return im->channels < 3;
}

static hk_sample_type gray_type(const hk_image *im)
{
    if (is_gray(im))
        return im->type;
    return im->type == HK_F32 ? HK_F32 : HK_F64;
}

hk_status hk_image_gray_bytes(const hk_image *im, size_t *bytes)
{
    hk_status st = hk_image_check(im);
    if (st != HK_OK)
        return st;
    if (!bytes)
        return HK_ERR_INVALID_ARG;
    if (im->channels > 4)
        return HK_ERR_UNSUPPORTED;
    size_t n;
    if (!hk_mul_size((size_t)im->width, im->height, &n) ||
        !hk_mul_size(n, hk_sample_size(gray_type(im)), bytes))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Y of one RGB pixel, rounded as skimage's `rgb @ coeffs` rounds it. */
static void rgb_pixel(const hk_image *im, size_t x, size_t y, void *dst)
{
    if (im->type == HK_F32) {
        /* float32: NumPy's plain loop, left to right, no fused multiply-add */
        float r = (float)hk_sample_at(im, x, y, 0), g = (float)hk_sample_at(im, x, y, 1),
              b = (float)hk_sample_at(im, x, y, 2);
        *(float *)dst = r * 0.2125f + g * 0.7154f + b * 0.0721f;
        return;
    }
    /* img_as_float multiplies integers by 1/max. For float64 NumPy hands the
     * product to OpenBLAS's dgemv, whose x86-64 kernel rounds exactly like
     * this fused order (checked bit for bit against Debian 12's numpy). The
     * last bit matters: it decides which gradients sit exactly on a bin edge. */
    double inv = im->type == HK_U8 ? 1.0 / 255.0 : im->type == HK_U16 ? 1.0 / 65535.0 : 1.0;
    double r = hk_sample_at(im, x, y, 0) * inv, g = hk_sample_at(im, x, y, 1) * inv,
           b = hk_sample_at(im, x, y, 2) * inv;
    *(double *)dst = fma(b, 0.0721, fma(r, 0.2125, g * 0.7154));
}

hk_status hk_image_rgb2gray(const hk_image *im, void *buffer, size_t capacity, hk_image *gray)
{
    size_t bytes;
    hk_status st = hk_image_gray_bytes(im, &bytes);
    if (st != HK_OK)
        return st;
    if (!buffer || !gray)
        return HK_ERR_INVALID_ARG;
    if (capacity < bytes)
        return HK_ERR_BUFFER_TOO_SMALL;
    hk_sample_type t = gray_type(im);
    size_t ss = hk_sample_size(t);
    unsigned char *dst = buffer;
    for (size_t y = 0; y < im->height; y++) {
        const unsigned char *row = (const unsigned char *)im->data + y * im->stride;
        for (size_t x = 0; x < im->width; x++, dst += ss) {
            if (is_gray(im))
                memcpy(dst, row + x * im->channels * ss, ss);
            else
                rgb_pixel(im, x, y, dst);
        }
    }
    gray->width = im->width;
    gray->height = im->height;
    gray->channels = 1;
    gray->type = t;
    gray->stride = (size_t)im->width * ss;
    gray->data = buffer;
    return HK_OK;
}
