/* skimage's _hog_normalize_block, in double with eps = 1e-5.
 *
 * The sums are NumPy's: np.sum over a contiguous float64 array (block ** 2
 * and np.abs(block) are fresh C-ordered arrays) runs pairwise_sum of
 * numpy/core/src/umath/loops_utils.h.src over the block's values in C order:
 * below 8 values a plain running sum; up to 128 eight running sums over
 * i % 8, combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)),
 * then the last n % 8 values added one by one; above 128 the two halves
 * (the first rounded down to a multiple of 8) summed apart and added. With
 * this order every block is bit-identical to skimage's float64 result
 * (tests/python/test_skimage_blocks.py), and the eight sums vectorise. */
#include <math.h>

#include "hog/hog_internal.h"

#define PW_BLOCK 128

static inline double term(double x, int l1)
{
    return l1 ? fabs(x) : x * x;
}

double hk_skimage_pairwise_sum(const double *v, size_t n, int l1)
{
    if (n < 8) {
        double s = 0.;
        for (size_t i = 0; i < n; i++)
            s += term(v[i], l1);
        return s;
    }
    if (n <= PW_BLOCK) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = term(v[j], l1);
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += term(v[i + (size_t)j], l1);
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            s += term(v[i], l1);
        return s;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return hk_skimage_pairwise_sum(v, n2, l1) + hk_skimage_pairwise_sum(v + n2, n - n2, l1);
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
        scale(v, n, hk_skimage_pairwise_sum(v, n, 1) + eps);
        break;
    case HK_NORM_L1_SQRT:
        scale(v, n, hk_skimage_pairwise_sum(v, n, 1) + eps);
        for (size_t i = 0; i < n; i++)
            v[i] = sqrt(v[i]);
        break;
    case HK_NORM_L2:
        scale(v, n, sqrt(hk_skimage_pairwise_sum(v, n, 0) + eps * eps));
        break;
    case HK_NORM_L2_HYS:
        scale(v, n, sqrt(hk_skimage_pairwise_sum(v, n, 0) + eps * eps));
        for (size_t i = 0; i < n; i++)
            v[i] = fmin(v[i], 0.2);
        scale(v, n, sqrt(hk_skimage_pairwise_sum(v, n, 0) + eps * eps));
        break;
    }
}
