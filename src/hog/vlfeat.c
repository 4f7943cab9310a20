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
#include <float.h>
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/fhog_common.h"
#include "hog/hog_internal.h"
#include "hog/vlfeat_fast.h"
#include "simd/cpu.h"


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


/* Hard assignment: the bin of the largest score (strict >, first wins);
 * -1 when no score beats 0. Written without branches on the scores. */
static inline long best_bin(const float *ux, const float *uy, int n, float gx, float gy)
{
    float w0 = 0;
    long b0 = -1;
    for (int k = 0; k < n; k++) {
        const float sc = gx * ux[k] + gy * uy[k];
        const long bin = sc < 0 ? k + n : k;
        const float a = fabsf(sc); /* -score for negative scores */
        const int better = a > w0;
        w0 = better ? a : w0;
        b0 = better ? bin : b0;
    }
    return b0;
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

/* vl_hog_put_image: fills hist (2n planes of hog_w x hog_h, float). rows
 * holds three converted image rows (planar), colbin/colw2 the cell position
 * of every column. */
static void put_image(const hk_image *im, size_t cs, int n, int bilinear, const float *ux,
                      const float *uy, size_t hog_w, size_t hog_h, float *hist, float *rows,
                      long *colbin, float *colw2)
{
    const size_t stride = hog_w * hog_h, W = im->width, C = im->channels;
    const long hw = (long)hog_w, hh = (long)hog_h;
    for (size_t x = 0; x < W; x++)
        cell_pos(x, cs, &colbin[x], &colw2[x]);
    float *r[3] = {rows, rows + C * W, rows + 2 * C * W}; /* rows y-1, y, y+1 */
    hk_fhog_row_f32(im, 0, im->channels, r[0]);
    hk_fhog_row_f32(im, 1, im->channels, r[1]);
    for (size_t y = 1; y + 1 < im->height; y++) {
        hk_fhog_row_f32(im, y + 1, im->channels, r[2]);
        long by;
        float wy2;
        cell_pos(y, cs, &by, &wy2);
        const float wy1 = 1.0f - wy2;
        for (size_t x = 1; x + 1 < W; x++) {
            float gx = 0, gy = 0, g2 = 0;
            for (size_t c = 0; c < C; c++) {
                const float *up = r[0] + c * W, *mid = r[1] + c * W, *dn = r[2] + c * W;
                float gx_ = mid[x + 1] - mid[x - 1];
                float gy_ = dn[x] - up[x];
                float g2_ = gx_ * gx_ + gy_ * gy_;
                if (g2_ > g2) {
                    gx = gx_;
                    gy = gy_;
                    g2 = g2_;
                }
            }
            if (g2 == 0)
                continue; /* no orientation beats a zero score: no vote */
            const float grad = sqrtf(g2);
            int32_t bins[2] = {-1, -1};
            float w[2] = {1, 0};
            if (bilinear) {
                hk_vlf_best_two(ux, uy, n, gx, gy, bins, w);
                w[1] = hk_vlf_second_weight(w[0], grad, n);
                w[0] = 1 - w[1];
            } else {
                bins[0] = (int32_t)best_bin(ux, uy, n, gx, gy);
            }
            const long bx = colbin[x];
            const float wx2 = colw2[x];
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
        float *t = r[0];
        r[0] = r[1];
        r[1] = r[2];
        r[2] = t;
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
                    a[i] = VL_MIN(0.2, a[i]);
                    b[i] = VL_MIN(0.2, b[i]);
                    c[i] = VL_MIN(0.2, c[i]);
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

/* float64 samples beyond float32's range would become infinite (single()
 * gives Inf and VLFeat NaN features): refused instead. */
static hk_status check_f64_range(const hk_image *im)
{
    if (im->type != HK_F64)
        return HK_OK;
    for (size_t y = 0; y < im->height; y++) {
        const double *row = (const double *)((const unsigned char *)im->data + y * im->stride);
        for (size_t i = 0; i < (size_t)im->width * im->channels; i++)
            if (fabs(row[i]) > FLT_MAX)
                return HK_ERR_DOMAIN;
    }
    return HK_OK;
}

hk_status hk_vlfeat_extract(hk_hog_ctx *ctx, const hk_vlfeat_params *p, int uoctti,
                            const hk_image *im, float *out)
{
    hk_shape shape;
    hk_status st = hk_vlfeat_shape(p, uoctti, im->width, im->height, &shape);
    if (st != HK_OK)
        return st;
    st = check_f64_range(im);
    if (st != HK_OK)
        return st;
    const int n = p->orientations;
    const size_t hog_h = shape.dims[1], hog_w = shape.dims[2];
    const size_t W = im->width, C = im->channels;
    size_t cells, row_n;
    if (!hk_mul_size(hog_w, hog_h, &cells) || !hk_mul_size(C, W, &row_n))
        return HK_ERR_OVERFLOW;
    hk_carve cv = {0, 1};
    const size_t o_hist = hk_carve_take(&cv, cells, 2u * (size_t)n * sizeof(float));
    const size_t o_norm = hk_carve_take(&cv, cells, sizeof(float));
    const size_t o_u = hk_carve_take(&cv, 2u * (size_t)n, sizeof(float));
    const size_t o_rows = hk_carve_take(&cv, row_n, 3u * sizeof(float));
    const size_t o_bin = hk_carve_take(&cv, W, sizeof(long));
    const size_t o_w2 = hk_carve_take(&cv, W, sizeof(float));
    if (!cv.ok)
        return HK_ERR_OVERFLOW;
    unsigned char *base = hk_ctx_scratch(ctx, cv.used);
    if (!base)
        return HK_ERR_NOMEM;
    float *hist = (float *)(base + o_hist), *norm = (float *)(base + o_norm);
    float *ux = (float *)(base + o_u), *uy = ux + n;
    memset(hist, 0, cells * 2u * (size_t)n * sizeof(float));
    for (int k = 0; k < n; k++) {
        double angle = k * VL_PI / n;
        ux[k] = (float)cos(angle);
        uy[k] = (float)sin(angle);
    }
    put_image(im, (size_t)p->cell_size, n, p->bilinear_orientations, ux, uy, hog_w, hog_h, hist,
              (float *)(base + o_rows), (long *)(base + o_bin), (float *)(base + o_w2));
    extract(hist, norm, n, uoctti, hog_w, hog_h, out);
    return HK_OK;
}

int hk_vlfeat_output_finite(const hk_hog_params *p, const hk_image *im)
{
    /* A vote is at most 65535 * sqrt(2); at most 2^17 x 2^17 pixels vote
     * into a cell (the largest cell size is 2^16), so a cell sums to under
     * 2e15 and its energy to under 4e30 < FLT_MAX: every histogram, block
     * factor (1 / sqrt(... + 1e-4)) and feature is finite. */
    return (p->variant == HK_VARIANT_VLFEAT_DT || p->variant == HK_VARIANT_VLFEAT_UOCTTI) &&
           (im->type == HK_U8 || im->type == HK_U16);
}

/* Kernel set for a resolved instruction set: AVX2 serves AVX-512 CPUs too
 * (there is no AVX-512 set of these kernels). */
static const hk_vlf_kernels *vlf_kernels_for(hk_simd isa)
{
    const hk_vlf_kernels *k = NULL;
    if (isa == HK_SIMD_AVX2 || isa == HK_SIMD_AVX512)
        k = hk_vlf_kernels_avx2();
    return k ? k : hk_vlf_kernels_generic();
}

hk_status hk_vlfeat_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                        float *out)
{
    const int uoctti = params->variant == HK_VARIANT_VLFEAT_UOCTTI;
    hk_simd isa;
    hk_status st = hk_simd_resolve(params->simd, &isa);
    if (st != HK_OK)
        return st;
    if (isa == HK_SIMD_SCALAR)
        return hk_vlfeat_extract(ctx, &params->vlfeat, uoctti, im, out);
    st = check_f64_range(im);
    if (st != HK_OK)
        return st;
    return hk_vlfeat_fast(ctx, &params->vlfeat, uoctti, im, out, vlf_kernels_for(isa),
                          hk_threads_resolve(params->threads));
}
