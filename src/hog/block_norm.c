/* skimage's _hog_normalize_block, in double with eps = 1e-5. */
#include <math.h>

#include "hog/hog_internal.h"

static double sum_abs(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs(v[i]);
    return s;
}

static double sum_sq(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return s;
}

static void scale(double *v, size_t n, double d)
{
    for (size_t i = 0; i < n; i++)
        v[i] /= d;
}

void hk_skimage_normalize_block(double *v, size_t n, hk_block_norm norm)
{
    const double eps = 1e-5;
    switch (norm) {
    case HK_NORM_L1:
        scale(v, n, sum_abs(v, n) + eps);
        break;
    case HK_NORM_L1_SQRT:
        scale(v, n, sum_abs(v, n) + eps);
        for (size_t i = 0; i < n; i++)
            v[i] = sqrt(v[i]);
        break;
    case HK_NORM_L2:
        scale(v, n, sqrt(sum_sq(v, n) + eps * eps));
        break;
    case HK_NORM_L2_HYS:
        scale(v, n, sqrt(sum_sq(v, n) + eps * eps));
        for (size_t i = 0; i < n; i++)
            v[i] = fmin(v[i], 0.2);
        scale(v, n, sqrt(sum_sq(v, n) + eps * eps));
        break;
    }
}
