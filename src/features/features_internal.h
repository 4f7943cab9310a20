/* Internal helpers shared by the LBP and Gabor features. */
#ifndef HK_FEATURES_INTERNAL_H
#define HK_FEATURES_INTERNAL_H

#include "hogkit.h"

/* Largest image side the features accept; keeps every product far from overflow. */
#define HK_FEAT_MAX_SIDE (1u << 16)

/* Checks a one-channel image for the features (type, sizes, finite values). */
hk_status hk__feat_check_gray(const hk_image *im);

/* The caller's output buffer against a shape: HK_ERR_BUFFER_TOO_SMALL, or
 * HK_ERR_INVALID_ARG for a NULL buffer when there is something to write. */
hk_status hk__feat_check_output(const hk_shape *shape, const float *out, size_t capacity);

/* Copies a one-channel image into a float64 buffer of h*w samples; when
 * `as_float` integers are scaled to [0, 1] (img_as_float), else kept as is.
 * Returns NULL on allocation failure; free() the result. */
double *hk__feat_to_double(const hk_image *im, int as_float);

/* Cells of `cell` pixels along a side of `n` pixels (partial cells dropped). */
static inline uint32_t hk__feat_cells(uint32_t n, int cell)
{
    return cell > 0 ? n / (uint32_t)cell : 0;
}

#endif
