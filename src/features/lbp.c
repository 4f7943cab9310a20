/* Local Binary Patterns, a line-by-line port of scikit-image 0.19.3's
 * _local_binary_pattern (feature/_texture.pyx), pooled into cell histograms.
 * Exactness notes: R is a C float in skimage's signature, so it is rounded
 * to float32 first; offsets are np.round(v, 5) = rint(v * 1e5) / 1e5; the
 * bilinear formula keeps skimage's operation order; the "uniform" change
 * count runs over P - 1 neighbour pairs (not circularly), as skimage does. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "features/features_internal.h"

#define HK_LBP_MAX_POINTS 24

void hk_lbp_params_default(hk_lbp_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof(*p));
    p->points = 8;
    p->radius = 1.0;
    p->method = HK_LBP_UNIFORM;
    p->cell_rows = p->cell_cols = 8;
    p->var_bins = 16;
    p->var_max = 0.0;
}

hk_status hk_lbp_params_check(const hk_lbp_params *p)
{
    if (!p || p->points < 1 || p->points > HK_LBP_MAX_POINTS)
        return HK_ERR_INVALID_ARG;
    if (!(p->radius > 0.0) || !(p->radius <= 1e4))
        return HK_ERR_INVALID_ARG;
    if (p->method < HK_LBP_DEFAULT || p->method > HK_LBP_VAR)
        return HK_ERR_INVALID_ARG;
    if (p->cell_rows < 1 || p->cell_cols < 1 || p->cell_rows > 65536 || p->cell_cols > 65536)
        return HK_ERR_INVALID_ARG;
    if (p->method == HK_LBP_VAR &&
        (p->var_bins < 1 || p->var_bins > 4096 || !(p->var_max >= 0.0) || !isfinite(p->var_max)))
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

hk_status hk_lbp_bins(const hk_lbp_params *p, size_t *bins)
{
    hk_status st = hk_lbp_params_check(p);
    if (st != HK_OK || !bins)
        return st != HK_OK ? st : HK_ERR_INVALID_ARG;
    size_t P = (size_t)p->points;
    switch (p->method) {
    case HK_LBP_DEFAULT:
    case HK_LBP_ROR: *bins = (size_t)1 << P; break;
    case HK_LBP_UNIFORM: *bins = P + 2; break;
    case HK_LBP_NRI_UNIFORM: *bins = P * (P - 1) + 3; break;
    case HK_LBP_VAR: *bins = (size_t)p->var_bins; break;
    }
    return HK_OK;
}

/* skimage's get_pixel2d in mode 'C' with cval 0. */
static double pixel_or_zero(const double *im, long rows, long cols, long r, long c)
{
    if (r < 0 || r >= rows || c < 0 || c >= cols)
        return 0.0;
    return im[r * cols + c];
}

static double bilinear(const double *im, long rows, long cols, double r, double c)
{
    long minr = (long)floor(r), minc = (long)floor(c);
    long maxr = (long)ceil(r), maxc = (long)ceil(c);
    double dr = r - (double)minr, dc = c - (double)minc;
    double tl = pixel_or_zero(im, rows, cols, minr, minc);
    double tr = pixel_or_zero(im, rows, cols, minr, maxc);
    double bl = pixel_or_zero(im, rows, cols, maxr, minc);
    double br = pixel_or_zero(im, rows, cols, maxr, maxc);
    double top = (1 - dc) * tl + dc * tr;
    double bottom = (1 - dc) * bl + dc * br;
    return (1 - dr) * top + dr * bottom;
}

static double code_of(const double *tex, const signed char *bit, int P, hk_lbp_method m)
{
    double lbp = 0;
    if (m == HK_LBP_VAR) {
        double sum = 0.0, var = 0.0;
        for (int i = 0; i < P; i++) {
            sum += tex[i];
            var += tex[i] * tex[i];
        }
        var = (var - (sum * sum) / P) / P;
        return var != 0 ? var : NAN;
    }
    if (m == HK_LBP_UNIFORM || m == HK_LBP_NRI_UNIFORM) {
        int changes = 0;
        for (int i = 0; i < P - 1; i++)
            changes += (bit[i] - bit[i + 1]) != 0;
        if (m == HK_LBP_NRI_UNIFORM) {
            if (changes > 2)
                return (double)(P * (P - 1) + 2);
            int n_ones = 0, first_one = -1, first_zero = -1;
            for (int i = 0; i < P; i++) {
                if (bit[i]) {
                    n_ones++;
                    if (first_one == -1)
                        first_one = i;
                } else if (first_zero == -1) {
                    first_zero = i;
                }
            }
            if (n_ones == 0)
                return 0;
            if (n_ones == P)
                return (double)(P * (P - 1) + 1);
            int rot = first_one == 0 ? n_ones - first_zero : P - first_one;
            return (double)(1 + (n_ones - 1) * P + rot);
        }
        if (changes > 2)
            return (double)(P + 1);
        for (int i = 0; i < P; i++)
            lbp += bit[i];
        return lbp;
    }
    int32_t v = 0;
    for (int i = 0; i < P; i++)
        v += (int32_t)bit[i] << i;
    if (m == HK_LBP_ROR) {
        int32_t best = v, cur = v;
        for (int i = 1; i < P; i++) {
            cur = (cur >> 1) | ((cur & 1) << (P - 1));
            if (cur < best)
                best = cur;
        }
        v = best;
    }
    return (double)v;
}

/* Codes of a float64 image (h x w) into out. */
static void lbp_codes_f64(const hk_lbp_params *p, const double *im, long rows, long cols,
                          double *out)
{
    int P = p->points;
    double rp[HK_LBP_MAX_POINTS], cp[HK_LBP_MAX_POINTS], tex[HK_LBP_MAX_POINTS];
    signed char bit[HK_LBP_MAX_POINTS];
    double R = (double)(float)p->radius;
    for (int i = 0; i < P; i++) {
        double a = 2 * 3.141592653589793 * (double)i / P;
        rp[i] = rint(-R * sin(a) * 1e5) / 1e5;
        cp[i] = rint(R * cos(a) * 1e5) / 1e5;
    }
    for (long r = 0; r < rows; r++)
        for (long c = 0; c < cols; c++) {
            double centre = im[r * cols + c];
            for (int i = 0; i < P; i++) {
                tex[i] = bilinear(im, rows, cols, (double)r + rp[i], (double)c + cp[i]);
                bit[i] = tex[i] - centre >= 0 ? 1 : 0;
            }
            out[r * cols + c] = code_of(tex, bit, P, p->method);
        }
}

hk_status hk_lbp_codes(const hk_lbp_params *p, const hk_image *im, double *out,
                       size_t capacity)
{
    hk_status st = hk_lbp_params_check(p);
    if (st == HK_OK)
        st = hk__feat_check_gray(im);
    if (st != HK_OK)
        return st;
    size_t n = (size_t)im->width * im->height;
    if (capacity < n)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!out)
        return HK_ERR_INVALID_ARG;
    double *d = hk__feat_to_double(im, 0);
    if (!d)
        return HK_ERR_NOMEM;
    lbp_codes_f64(p, d, im->height, im->width, out);
    free(d);
    return HK_OK;
}

hk_status hk_lbp_shape(const hk_lbp_params *p, uint32_t width, uint32_t height,
                       hk_shape *shape)
{
    if (!shape)
        return HK_ERR_INVALID_ARG;
    memset(shape, 0, sizeof(*shape));
    size_t bins;
    hk_status st = hk_lbp_bins(p, &bins);
    if (st != HK_OK)
        return st;
    if (width == 0 || height == 0 || width > HK_FEAT_MAX_SIDE || height > HK_FEAT_MAX_SIDE)
        return HK_ERR_INVALID_ARG;
    shape->ndim = 3;
    shape->dims[0] = hk__feat_cells(height, p->cell_rows);
    shape->dims[1] = hk__feat_cells(width, p->cell_cols);
    shape->dims[2] = bins;
    if (!hk_mul_sizes(shape->dims, 3, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* The histogram bin of one code; -1 for none. */
static long bin_of(const hk_lbp_params *p, double code, double var_max, size_t bins)
{
    if (p->method != HK_LBP_VAR)
        return (long)code;
    if (isnan(code))
        return 0; /* flat neighbourhood: variance 0 */
    double s = sqrt(code) / var_max * (double)bins;
    if (!(s >= 0))
        return 0;
    return s >= (double)bins ? (long)bins - 1 : (long)s;
}

hk_status hk_lbp_extract(const hk_lbp_params *p, const hk_image *im, float *out,
                         size_t capacity)
{
    hk_shape shape;
    hk_status st = hk__feat_check_gray(im);
    if (st == HK_OK)
        st = hk_lbp_shape(p, im->width, im->height, &shape);
    if (st == HK_OK)
        st = hk__feat_check_output(&shape, out, capacity);
    if (st != HK_OK || shape.count == 0)
        return st;
    size_t n = (size_t)im->width * im->height;
    double *d = hk__feat_to_double(im, 0);
    double *codes = malloc(n * sizeof(double));
    if (!d || !codes) {
        free(d);
        free(codes);
        return HK_ERR_NOMEM;
    }
    lbp_codes_f64(p, d, im->height, im->width, codes);
    double var_max = p->var_max;
    if (var_max == 0.0)
        var_max = im->type == HK_U8 ? 127.5 : im->type == HK_U16 ? 32767.5 : 0.5;
    size_t bins = shape.dims[2];
    memset(out, 0, shape.count * sizeof(float));
    float inv = 1.0f / (float)((size_t)p->cell_rows * (size_t)p->cell_cols);
    for (size_t cy = 0; cy < shape.dims[0]; cy++)
        for (size_t cx = 0; cx < shape.dims[1]; cx++) {
            float *h = out + (cy * shape.dims[1] + cx) * bins;
            for (int y = 0; y < p->cell_rows; y++) {
                const double *row = codes + (cy * p->cell_rows + y) * im->width +
                                    cx * p->cell_cols;
                for (int x = 0; x < p->cell_cols; x++) {
                    long b = bin_of(p, row[x], var_max, bins);
                    if (b >= 0 && (size_t)b < bins)
                        h[b] += inv;
                }
            }
        }
    free(d);
    free(codes);
    return HK_OK;
}
