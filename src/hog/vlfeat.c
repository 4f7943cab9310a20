/*
 * VLFeat variants: reproduce vl_hog_put_image + vl_hog_extract of VLFeat
 * 0.9.21 (the Debian libvl binary), VlHogVariantDalalTriggs and
 * VlHogVariantUoctti, transposed = false (spec: shared/spec/hog-variants.md
 * section 3; docs/variants/vlfeat.md).
 *
 * The reference works on a float32 planar image; hogkit reads the
 * interleaved samples and converts each to float32 on the fly (exact for
 * u8/u16/f32, rounded for f64, as single() would). Every arithmetic step is
 * done in the same type and order as the reference, because the outputs are
 * compared element by element:
 *  - gradient dx, dy, dx^2+dy^2 and the orientation scores in float; the
 *    scores use the raw (unnormalised) gradient in the 0.9.21 binary;
 *  - the bilinear orientation weight divides by |g| in double inside acosf;
 *  - cell positions hx = (x+0.5)/cs - 0.5 in double, stored as float;
 *  - votes ((|g| * w_o) * wx) * wy in float, accumulated in raster order;
 *  - normalisation factors and clipping in double, output rounded to float.
 */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"

#define VL_PI 3.141592653589793 /* VLFeat's constant (vl/generic.h) */

size_t hk_vlfeat_dimension(int uoctti, int n)
{
    return uoctti ? 3u * (size_t)n + 4u : 4u * (size_t)n;
}

hk_status hk_vlfeat_shape(const hk_vlfeat_params *p, int uoctti, uint32_t width,
                          uint32_t height, hk_shape *shape)
{
    const size_t cs = (size_t)p->cell_size;
    /* vl_hog_prepare_buffers asserts width > 3, height > 3 and a non-empty
     * cell grid; hogkit reports those cases instead. */
    if (width < 4 || height < 4)
        return HK_ERR_TOO_SMALL;
    size_t hog_w = ((size_t)width + cs / 2) / cs;
    size_t hog_h = ((size_t)height + cs / 2) / cs;
    if (hog_w == 0 || hog_h == 0)
        return HK_ERR_TOO_SMALL;
    shape->ndim = 3;
    shape->dims[0] = hk_vlfeat_dimension(uoctti, p->orientations);
    shape->dims[1] = hog_h;
    shape->dims[2] = hog_w;
    if (!hk_mul_sizes(shape->dims, 3, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Sample (x, y, c) as the float32 VLFeat would be given. */
static inline float sample_f(const hk_image *im, size_t x, size_t y, unsigned c)
{
    return (float)hk_sample_at(im, x, y, c);
}

/* Orientation of one pixel: up to two directed bins and their weights
 * (bins[i] < 0: no vote), as vl_hog_put_image 0.9.21 assigns them. */
static void assign_orientation(const float *ux, const float *uy, int n, int bilinear,
                               float gx, float gy, float grad, long bins[2], float w[2])
{
    bins[0] = bins[1] = -1;
    w[0] = w[1] = 0;
    for (int k = 0; k < n; k++) {
        float score = gx * ux[k] + gy * uy[k];
        long bin = k;
        if (score < 0) {
            score = -score;
            bin += n;
        }
        if (score > w[0]) {
            bins[1] = bins[0];
            w[1] = w[0];
            bins[0] = bin;
            w[0] = score;
        } else if (score > w[1]) {
            bins[1] = bin;
            w[1] = score;
        }
    }
    if (bilinear) {
        /* 0.9.21: the score is unnormalised, the ratio is taken in double */
        double ratio = (double)w[0] / fmax((double)grad, 1e-10);
        float angle0 = acosf((float)fmin(ratio, 1.0));
        w[1] = (float)((double)angle0 / (VL_PI / n));
        w[0] = 1 - w[1];
    } else {
        w[0] = 1;
        bins[1] = -1;
    }
}

/* Cell position of pixel coordinate v: first cell index and the weight of
 * the next cell, as VLFeat computes them (double, then float). */
static inline void cell_pos(size_t v, size_t cs, long *bin, float *w2)
{
    float h = (float)(((double)v + 0.5) / (double)cs - 0.5);
    long b = (long)floorf(h);
    *bin = b;
    *w2 = h - (float)b;
}

/* vl_hog_put_image: fills hist (2n planes of hog_w x hog_h, float). */
static void put_image(const hk_image *im, size_t cs, int n, int bilinear, const float *ux,
                      const float *uy, size_t hog_w, size_t hog_h, float *hist)
{
    const size_t stride = hog_w * hog_h;
    const long hw = (long)hog_w, hh = (long)hog_h;
    for (size_t y = 1; y + 1 < im->height; y++) {
        long by;
        float wy2;
        cell_pos(y, cs, &by, &wy2);
        const float wy1 = 1.0f - wy2;
        for (size_t x = 1; x + 1 < im->width; x++) {
            float gx = 0, gy = 0, g2 = 0;
            for (unsigned c = 0; c < im->channels; c++) {
                float gx_ = sample_f(im, x + 1, y, c) - sample_f(im, x - 1, y, c);
                float gy_ = sample_f(im, x, y + 1, c) - sample_f(im, x, y - 1, c);
                float g2_ = gx_ * gx_ + gy_ * gy_;
                if (g2_ > g2) {
                    gx = gx_;
                    gy = gy_;
                    g2 = g2_;
                }
            }
            const float grad = sqrtf(g2);
            long bins[2];
            float w[2];
            assign_orientation(ux, uy, n, bilinear, gx, gy, grad, bins, w);
            long bx;
            float wx2;
            cell_pos(x, cs, &bx, &wx2);
            const float wx1 = 1.0f - wx2;
            for (int o = 0; o < 2; o++) {
                if (bins[o] < 0)
                    continue;
                float *h = hist + (size_t)bins[o] * stride;
                const float gw = grad * w[o];
                /* the reference's order of the four updates and its bounds */
                if (bx >= 0 && by >= 0)
                    h[(size_t)bx + (size_t)by * hog_w] += gw * wx1 * wy1;
                if (bx < hw - 1 && by >= 0)
                    h[(size_t)(bx + 1) + (size_t)by * hog_w] += gw * wx2 * wy1;
                if (bx < hw - 1 && by < hh - 1)
                    h[(size_t)(bx + 1) + (size_t)(by + 1) * hog_w] += gw * wx2 * wy2;
                if (bx >= 0 && by < hh - 1)
                    h[(size_t)bx + (size_t)(by + 1) * hog_w] += gw * wx1 * wy2;
            }
        }
    }
}

/* vl_hog_extract: cell energies, then the four clamped 2x2 neighbourhoods. */
static void extract(const float *hist, float *norm, int n, int uoctti, size_t hog_w,
                    size_t hog_h, float *out)
{
    const size_t stride = hog_w * hog_h;
    memset(norm, 0, stride * sizeof(float));
    for (int k = 0; k < n; k++) {
        const float *a = hist + (size_t)k * stride, *b = hist + (size_t)(k + n) * stride;
        for (size_t i = 0; i < stride; i++) {
            float h = a[i] + b[i];
            norm[i] += h * h;
        }
    }
    /* 1/sqrtf(18) in float, as the reference writes it, used for any n */
    const float texture_scale = 1.0f / sqrtf(18.0f);
    for (size_t y = 0; y < hog_h; y++) {
        const size_t ym = y > 0 ? y - 1 : 0, yp = y + 1 < hog_h ? y + 1 : hog_h - 1;
        for (size_t x = 0; x < hog_w; x++) {
            const size_t xm = x > 0 ? x - 1 : 0, xp = x + 1 < hog_w ? x + 1 : hog_w - 1;
            const double n1 = norm[xm + ym * hog_w], n2 = norm[x + ym * hog_w],
                         n3 = norm[xp + ym * hog_w], n4 = norm[xm + y * hog_w],
                         n5 = norm[x + y * hog_w], n6 = norm[xp + y * hog_w],
                         n7 = norm[xm + yp * hog_w], n8 = norm[x + yp * hog_w],
                         n9 = norm[xp + yp * hog_w];
            /* UL, UR, LL, LR */
            const double f[4] = {1.0 / sqrt(n1 + n2 + n4 + n5 + 1e-4),
                                 1.0 / sqrt(n2 + n3 + n5 + n6 + 1e-4),
                                 1.0 / sqrt(n4 + n5 + n7 + n8 + 1e-4),
                                 1.0 / sqrt(n5 + n6 + n8 + n9 + 1e-4)};
            double t[4] = {0, 0, 0, 0};
            const size_t cell = x + y * hog_w;
            for (int k = 0; k < n; k++) {
                const double ha = hist[cell + (size_t)k * stride];
                const double hb = hist[cell + (size_t)(k + n) * stride];
                double a[4], b[4], c[4];
                for (int i = 0; i < 4; i++) {
                    a[i] = f[i] * ha;
                    b[i] = f[i] * hb;
                    c[i] = a[i] + b[i]; /* summed after scaling, before clipping */
                    a[i] = fmin(0.2, a[i]);
                    b[i] = fmin(0.2, b[i]);
                    c[i] = fmin(0.2, c[i]);
                    t[i] += c[i];
                }
                float *o = out + cell + (size_t)k * stride;
                const size_t plane_n = (size_t)n * stride;
                if (uoctti) {
                    o[0] = (float)(0.5 * (a[0] + a[1] + a[2] + a[3]));
                    o[plane_n] = (float)(0.5 * (b[0] + b[1] + b[2] + b[3]));
                    o[2 * plane_n] = (float)(0.5 * (c[0] + c[1] + c[2] + c[3]));
                } else {
                    for (int i = 0; i < 4; i++)
                        o[(size_t)i * plane_n] = (float)c[i];
                }
            }
            if (uoctti)
                for (int i = 0; i < 4; i++)
                    out[cell + (size_t)(3 * n + i) * stride] = (float)(texture_scale * t[i]);
        }
    }
}

hk_status hk_vlfeat_extract(hk_hog_ctx *ctx, const hk_vlfeat_params *p, int uoctti,
                            const hk_image *im, float *out)
{
    hk_shape shape;
    hk_status st = hk_vlfeat_shape(p, uoctti, im->width, im->height, &shape);
    if (st != HK_OK)
        return st;
    const int n = p->orientations;
    const size_t hog_h = shape.dims[1], hog_w = shape.dims[2];
    /* scratch: 2n histogram planes, one norm plane, 2n unit-vector floats */
    size_t cells, floats, bytes;
    if (!hk_mul_size(hog_w, hog_h, &cells) || !hk_mul_size(cells, 2u * (size_t)n + 1u, &floats) ||
        !hk_add_size(floats, 2u * (size_t)n, &floats) ||
        !hk_mul_size(floats, sizeof(float), &bytes))
        return HK_ERR_OVERFLOW;
    float *hist = hk_ctx_scratch(ctx, bytes);
    if (!hist)
        return HK_ERR_NOMEM;
    float *norm = hist + cells * 2u * (size_t)n;
    float *ux = norm + cells, *uy = ux + n;
    memset(hist, 0, cells * 2u * (size_t)n * sizeof(float));
    for (int k = 0; k < n; k++) {
        double angle = k * VL_PI / n;
        ux[k] = (float)cos(angle);
        uy[k] = (float)sin(angle);
    }
    put_image(im, (size_t)p->cell_size, n, p->bilinear_orientations, ux, uy, hog_w, hog_h, hist);
    extract(hist, norm, n, uoctti, hog_w, hog_h, out);
    return HK_OK;
}
