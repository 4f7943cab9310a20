/* Gabor filter bank, reproducing scikit-image 0.19.3's filters/_gabor.py
 * (gabor_kernel, and gabor's ndi.convolve(..., mode='reflect')) in float64,
 * pooled into per-cell mean and standard deviation of the magnitude.
 * Exactness notes: the kernel keeps skimage's operation order, so it matches
 * to the last bit but for exp/sin/cos rounding; scipy accumulates the
 * convolution in another order, so responses agree to ~1e-15 relative. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "features/features_internal.h"

#define HK_PI 3.141592653589793
/* Largest kernel half size accepted: keeps kernels (and padding) bounded. */
#define HK_GABOR_MAX_HALF 1024

void hk_gabor_params_default(hk_gabor_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof(*p));
    p->n_frequencies = 2;
    p->frequencies[0] = 0.25;
    p->frequencies[1] = 0.5;
    p->n_orientations = 4;
    p->bandwidth = 1.0;
    p->n_stds = 3.0;
    p->cell_rows = p->cell_cols = 8;
}

static double sigma_of(double frequency, double b)
{
    /* _sigma_prefactor(b) / frequency, left to right as Python evaluates it. */
    double pre = 1.0 / HK_PI * sqrt(log(2.0) / 2.0) * (pow(2.0, b) + 1) / (pow(2.0, b) - 1);
    return pre / frequency;
}

static hk_status half_sizes(double f, double theta, double b, double n_stds, long *x0, long *y0)
{
    if (!(f > 0) || !isfinite(f) || !(b > 0) || !isfinite(b) || !(n_stds > 0) ||
        !isfinite(n_stds) || !isfinite(theta))
        return HK_ERR_INVALID_ARG;
    double s = sigma_of(f, b);
    double ct = cos(theta), st = sin(theta);
    double ax = fmax(fmax(fabs(n_stds * s * ct), fabs(n_stds * s * st)), 1);
    double ay = fmax(fmax(fabs(n_stds * s * ct), fabs(n_stds * s * st)), 1);
    if (!(ax <= HK_GABOR_MAX_HALF) || !(ay <= HK_GABOR_MAX_HALF))
        return HK_ERR_LIMIT;
    *x0 = (long)ceil(ax);
    *y0 = (long)ceil(ay);
    return HK_OK;
}

hk_status hk_gabor_kernel_size(double f, double theta, double b, double n_stds, uint32_t *rows,
                               uint32_t *cols)
{
    long x0, y0;
    hk_status st = half_sizes(f, theta, b, n_stds, &x0, &y0);
    if (st != HK_OK)
        return st;
    if (!rows || !cols)
        return HK_ERR_INVALID_ARG;
    *rows = (uint32_t)(2 * y0 + 1);
    *cols = (uint32_t)(2 * x0 + 1);
    return HK_OK;
}

hk_status hk_gabor_kernel(double f, double theta, double b, double n_stds, double *re,
                          double *im, size_t capacity)
{
    long x0, y0;
    hk_status st = half_sizes(f, theta, b, n_stds, &x0, &y0);
    if (st != HK_OK)
        return st;
    size_t rows = (size_t)(2 * y0 + 1), cols = (size_t)(2 * x0 + 1);
    if (capacity < rows * cols)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!re || !im)
        return HK_ERR_INVALID_ARG;
    double s = sigma_of(f, b);
    double ct = cos(theta), stt = sin(theta);
    double norm = 1 / (2 * HK_PI * s * s);
    for (long y = -y0; y <= y0; y++)
        for (long x = -x0; x <= x0; x++) {
            double rotx = (double)x * ct + (double)y * stt;
            double roty = -(double)x * stt + (double)y * ct;
            double a = -0.5 * (rotx * rotx / (s * s) + roty * roty / (s * s));
            double ph = 2 * HK_PI * f * rotx + 0;
            double e = exp(a);
            size_t i = (size_t)(y + y0) * cols + (size_t)(x + x0);
            re[i] = e * cos(ph) * norm;
            im[i] = e * sin(ph) * norm;
        }
    return HK_OK;
}

/* scipy.ndimage 'reflect' (half-sample symmetric) index into [0, n). */
static long reflect(long i, long n)
{
    long period = 2 * n;
    long m = i % period;
    if (m < 0)
        m += period;
    return m < n ? m : period - 1 - m;
}

/* Responses of one filter on a float64 image (rows x cols). Scratch holds
 * the reflect-padded image. */
static hk_status respond(double f, double theta, double b, double n_stds, const double *img,
                         long rows, long cols, double *re, double *im)
{
    long x0, y0;
    hk_status st = half_sizes(f, theta, b, n_stds, &x0, &y0);
    if (st != HK_OK)
        return st;
    long kr = 2 * y0 + 1, kc = 2 * x0 + 1;
    long pr = rows + 2 * y0, pc = cols + 2 * x0;
    double *kre = malloc((size_t)(kr * kc) * sizeof(double));
    double *kim = malloc((size_t)(kr * kc) * sizeof(double));
    double *pad = malloc((size_t)pr * (size_t)pc * sizeof(double));
    if (!kre || !kim || !pad) {
        free(kre);
        free(kim);
        free(pad);
        return HK_ERR_NOMEM;
    }
    hk_gabor_kernel(f, theta, b, n_stds, kre, kim, (size_t)(kr * kc));
    for (long y = 0; y < pr; y++)
        for (long x = 0; x < pc; x++)
            pad[y * pc + x] = img[reflect(y - y0, rows) * cols + reflect(x - x0, cols)];
    memset(re, 0, (size_t)(rows * cols) * sizeof(double));
    memset(im, 0, (size_t)(rows * cols) * sizeof(double));
    /* out[i][j] = sum w[k][l] in[i + y0 - k][j + x0 - l]: convolution, the
     * kernel flipped; padded row of in[i + y0 - k] is i + 2 y0 - k. */
    for (long k = 0; k < kr; k++)
        for (long l = 0; l < kc; l++) {
            double wr = kre[k * kc + l], wi = kim[k * kc + l];
            for (long i = 0; i < rows; i++) {
                const double *src = pad + (i + 2 * y0 - k) * pc + (2 * x0 - l);
                double *orow = re + i * cols, *irow = im + i * cols;
                for (long j = 0; j < cols; j++) {
                    orow[j] += wr * src[j];
                    irow[j] += wi * src[j];
                }
            }
        }
    free(kre);
    free(kim);
    free(pad);
    return HK_OK;
}

hk_status hk_gabor_response(double f, double theta, double b, double n_stds,
                            const hk_image *image, double *re, double *im, size_t capacity)
{
    hk_status st = hk__feat_check_gray(image);
    if (st != HK_OK)
        return st;
    long x0, y0;
    st = half_sizes(f, theta, b, n_stds, &x0, &y0);
    if (st != HK_OK)
        return st;
    size_t n = (size_t)image->width * image->height;
    if (capacity < n)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!re || !im)
        return HK_ERR_INVALID_ARG;
    double *d = hk__feat_to_double(image, 1);
    if (!d)
        return HK_ERR_NOMEM;
    st = respond(f, theta, b, n_stds, d, image->height, image->width, re, im);
    free(d);
    return st;
}

hk_status hk_gabor_params_check(const hk_gabor_params *p)
{
    if (!p || p->n_frequencies < 1 || p->n_frequencies > HK_GABOR_MAX_FREQUENCIES ||
        p->n_orientations < 1 || p->n_orientations > 64)
        return HK_ERR_INVALID_ARG;
    if (p->cell_rows < 1 || p->cell_cols < 1 || p->cell_rows > 65536 || p->cell_cols > 65536)
        return HK_ERR_INVALID_ARG;
    for (int i = 0; i < p->n_frequencies; i++) {
        long x0, y0;
        hk_status st = half_sizes(p->frequencies[i], 0, p->bandwidth, p->n_stds, &x0, &y0);
        if (st != HK_OK)
            return st;
    }
    return HK_OK;
}

hk_status hk_gabor_shape(const hk_gabor_params *p, uint32_t width, uint32_t height,
                         hk_shape *shape)
{
    if (!shape)
        return HK_ERR_INVALID_ARG;
    memset(shape, 0, sizeof(*shape));
    hk_status st = hk_gabor_params_check(p);
    if (st != HK_OK)
        return st;
    if (width == 0 || height == 0 || width > HK_FEAT_MAX_SIDE || height > HK_FEAT_MAX_SIDE)
        return HK_ERR_INVALID_ARG;
    shape->ndim = 4;
    shape->dims[0] = hk__feat_cells(height, p->cell_rows);
    shape->dims[1] = hk__feat_cells(width, p->cell_cols);
    shape->dims[2] = (size_t)p->n_frequencies * (size_t)p->n_orientations;
    shape->dims[3] = 2;
    if (!hk_mul_sizes(shape->dims, 4, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

hk_status hk_gabor_extract(const hk_gabor_params *p, const hk_image *image, float *out,
                           size_t capacity)
{
    hk_shape shape;
    hk_status st = hk__feat_check_gray(image);
    if (st == HK_OK)
        st = hk_gabor_shape(p, image->width, image->height, &shape);
    if (st == HK_OK)
        st = hk__feat_check_output(&shape, out, capacity);
    if (st != HK_OK || shape.count == 0)
        return st;
    long rows = image->height, cols = image->width;
    size_t n = (size_t)rows * (size_t)cols;
    double *d = hk__feat_to_double(image, 1);
    double *re = malloc(n * sizeof(double)), *im = malloc(n * sizeof(double));
    if (!d || !re || !im) {
        st = HK_ERR_NOMEM;
        goto done;
    }
    size_t nf = shape.dims[2];
    double cnt = (double)p->cell_rows * p->cell_cols;
    for (int fi = 0; fi < p->n_frequencies; fi++)
        for (int oi = 0; oi < p->n_orientations; oi++) {
            double theta = (double)oi * HK_PI / p->n_orientations;
            st = respond(p->frequencies[fi], theta, p->bandwidth, p->n_stds, d, rows, cols, re,
                         im);
            if (st != HK_OK)
                goto done;
            for (size_t i = 0; i < n; i++)
                re[i] = sqrt(re[i] * re[i] + im[i] * im[i]);
            size_t filt = (size_t)fi * p->n_orientations + oi;
            for (size_t cy = 0; cy < shape.dims[0]; cy++)
                for (size_t cx = 0; cx < shape.dims[1]; cx++) {
                    double s = 0, s2 = 0;
                    for (int y = 0; y < p->cell_rows; y++) {
                        const double *row = re + (cy * p->cell_rows + y) * cols +
                                            cx * p->cell_cols;
                        for (int x = 0; x < p->cell_cols; x++) {
                            s += row[x];
                            s2 += row[x] * row[x];
                        }
                    }
                    double mean = s / cnt, var = s2 / cnt - mean * mean;
                    float *o = out + ((cy * shape.dims[1] + cx) * nf + filt) * 2;
                    o[0] = (float)mean;
                    o[1] = (float)sqrt(var > 0 ? var : 0);
                }
        }
done:
    free(d);
    free(re);
    free(im);
    return st;
}
