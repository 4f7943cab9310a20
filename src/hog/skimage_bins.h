/* scikit-image's orientation binning, shared by the scalar kernel, the SIMD
 * kernels (for their edge cases) and the unit tests. */
#ifndef HK_HOG_SKIMAGE_BINS_H
#define HK_HOG_SKIMAGE_BINS_H

#include <math.h>

/* NumPy's float64 remainder for a positive divisor (npy_divmod): the result
 * takes the divisor's sign and an exact zero becomes +0. So a tiny negative
 * angle becomes exactly 180.0, which no bin takes. */
static inline double hk_numpy_mod(double a, double b)
{
    double m = fmod(a, b);
    if (m != 0) {
        if (m < 0)
            m += b;
    } else {
        m = copysign(0.0, b);
    }
    return m;
}

/* skimage's angle in [0, 180] of a gradient: rad2deg(arctan2(g_row, g_col)) % 180. */
static inline double hk_skimage_angle(double g_row, double g_col)
{
    return hk_numpy_mod(atan2(g_row, g_col) * (180.0 / 3.14159265358979323846), 180.0);
}

/* skimage's bin of an angle, or -1 when no bin takes it: bin i holds
 * width*i <= angle < width*(i+1), width = 180.0/n, bounds in double exactly
 * as _hoghistogram.pyx computes them, so angles on an edge land where the
 * reference puts them. */
static inline int hk_skimage_bin(double angle, int n)
{
    const double width = 180. / n;
    int i = (int)(angle / width);
    if (i < 0)
        i = 0;
    if (i > n - 1)
        i = n - 1;
    while (i > 0 && angle < width * i)
        i--;
    while (i < n - 1 && angle >= width * (i + 1))
        i++;
    if (angle >= width * (i + 1) || angle < width * i)
        return -1;
    return i;
}

#endif
