/* The detector object: geometry checks, construction, accessors. */
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "detect/detector.h"

void hk_detector_limits_default(hk_detector_limits *limits)
{
    if (!limits)
        return;
    limits->max_file_bytes = 64u << 20;
    limits->max_coefficients = (size_t)1 << 22;
    limits->max_window = 4096;
}

hk_status hk__detector_geometry(const hk_opencv_params *g, int max_window, size_t *desc_len)
{
    if (g->win_width <= 0 || g->win_height <= 0 || g->block_width <= 0 ||
        g->block_height <= 0 || g->block_stride_x <= 0 || g->block_stride_y <= 0 ||
        g->cell_width <= 0 || g->cell_height <= 0 || g->nbins <= 0)
        return HK_ERR_INVALID_ARG;
    if (g->win_width > max_window || g->win_height > max_window || g->nbins > 256)
        return HK_ERR_LIMIT;
    if (g->block_width > g->win_width || g->block_height > g->win_height ||
        g->block_width % g->cell_width || g->block_height % g->cell_height ||
        (g->win_width - g->block_width) % g->block_stride_x ||
        (g->win_height - g->block_height) % g->block_stride_y)
        return HK_ERR_INVALID_ARG;
    if (!(g->l2hys_threshold > 0 && g->l2hys_threshold < 1e30) ||
        !(g->win_sigma == g->win_sigma) || g->win_sigma > 1e30)
        return HK_ERR_INVALID_ARG;
    size_t v[5] = {(size_t)g->nbins, (size_t)(g->block_width / g->cell_width),
                   (size_t)(g->block_height / g->cell_height),
                   (size_t)((g->win_width - g->block_width) / g->block_stride_x + 1),
                   (size_t)((g->win_height - g->block_height) / g->block_stride_y + 1)};
    if (!hk_mul_sizes(v, 5, desc_len))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

hk_status hk__detector_make(const hk_opencv_params *g, int deriv_aperture, int norm_type,
                            int nlevels, float *coef, size_t n, hk_detector **out)
{
    hk_detector_limits lim;
    hk_detector_limits_default(&lim);
    size_t len = 0;
    hk_status st = hk__detector_geometry(g, lim.max_window, &len);
    if (st == HK_OK && n != len && n != len + 1)
        st = HK_ERR_INVALID_ARG;
    if (st == HK_OK && (nlevels <= 0 || nlevels > 4096))
        st = HK_ERR_INVALID_ARG;
    for (size_t i = 0; st == HK_OK && i < n; i++)
        if (!(coef[i] - coef[i] == 0.0f))
            st = HK_ERR_NONFINITE;
    hk_detector *d = st == HK_OK ? calloc(1, sizeof *d) : NULL;
    if (st == HK_OK && !d)
        st = HK_ERR_NOMEM;
    if (st != HK_OK) {
        free(coef);
        return st;
    }
    d->hog = *g;
    d->hog.win_stride_x = d->hog.win_stride_y = 0;
    d->hog.pad_x = d->hog.pad_y = 0;
    d->deriv_aperture = deriv_aperture;
    d->norm_type = norm_type;
    d->nlevels = nlevels;
    d->desc_len = len;
    d->n_coef = n;
    d->coef = coef;
    *out = d;
    return HK_OK;
}

hk_status hk_detector_new(const hk_opencv_params *hog, const float *coef, size_t n,
                          hk_detector **out)
{
    if (!hog || !out || (!coef && n))
        return HK_ERR_INVALID_ARG;
    *out = NULL;
    hk_detector_limits lim;
    hk_detector_limits_default(&lim);
    if (n > lim.max_coefficients)
        return HK_ERR_LIMIT;
    float *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return HK_ERR_NOMEM;
    if (n)
        memcpy(c, coef, n * sizeof *c);
    return hk__detector_make(hog, 1, 0, 64, c, n, out);
}

void hk_detector_free(hk_detector *det)
{
    if (!det)
        return;
    free(det->coef);
    free(det);
}

hk_status hk_detector_info(const hk_detector *det, hk_opencv_params *hog, int *nlevels,
                           size_t *n_coef)
{
    if (!det)
        return HK_ERR_INVALID_ARG;
    if (hog)
        *hog = det->hog;
    if (nlevels)
        *nlevels = det->nlevels;
    if (n_coef)
        *n_coef = det->n_coef;
    return HK_OK;
}

hk_status hk_detector_coefficients(const hk_detector *det, float *out, size_t capacity)
{
    if (!det || (!out && det->n_coef))
        return HK_ERR_INVALID_ARG;
    if (capacity < det->n_coef)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (det->n_coef)
        memcpy(out, det->coef, det->n_coef * sizeof *out);
    return HK_OK;
}
