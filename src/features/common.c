/* Shared input handling of the LBP and Gabor features. */
#include <math.h>
#include <stdlib.h>

#include "common/checked.h"
#include "features/features_internal.h"
#include "hog/hog_internal.h"

hk_status hk__feat_check_gray(const hk_image *im)
{
    hk_status st = hk_image_check(im);
    if (st != HK_OK)
        return st;
    if (im->channels != 1 || im->width > HK_FEAT_MAX_SIDE || im->height > HK_FEAT_MAX_SIDE)
        return HK_ERR_INVALID_ARG;
    return hk_image_check_values(im, 0);
}

double *hk__feat_to_double(const hk_image *im, int as_float)
{
    size_t n;
    if (!hk_mul_size(im->width, im->height, &n) || !hk_mul_size(n, sizeof(double), &n))
        return NULL;
    double *d = malloc(n ? n : 1);
    if (!d)
        return NULL;
    double scale = 1.0;
    if (as_float && im->type == HK_U8)
        scale = 255.0;
    else if (as_float && im->type == HK_U16)
        scale = 65535.0;
    for (uint32_t y = 0; y < im->height; y++)
        for (uint32_t x = 0; x < im->width; x++) {
            double v = hk_sample_at(im, x, y, 0);
            d[(size_t)y * im->width + x] = scale == 1.0 ? v : v / scale;
        }
    return d;
}

hk_status hk__feat_check_output(const hk_shape *shape, const float *out, size_t capacity)
{
    if (capacity < shape->count)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (shape->count > 0 && !out)
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}
