/* Portable kernels of the VLFeat fast path: the arithmetic of vlfeat.c, one
 * pixel or cell at a time, in the layout the banded driver wants. The AVX2
 * set (vlfeat_avx2.c) does the same work eight pixels / four cells at once;
 * the span reduction is shared (simd/vlfeat_reduce.inc.h). */
#include <math.h>

#include "hog/fhog_common.h"
#include "hog/vlfeat_fast.h"


static void convert(const hk_image *im, size_t y, float *dst)
{
    hk_fhog_row_f32(im, y, im->channels, dst);
}

static void orient(const hk_vlf_row *r)
{
    const size_t W = r->width, C = r->channels;
    for (size_t x = r->x0; x < r->x1; x++) {
        float gx = 0, gy = 0, g2 = 0;
        for (size_t c = 0; c < C; c++) {
            const float *up = r->up + c * W, *mid = r->mid + c * W, *dn = r->dn + c * W;
            float gx_ = mid[x + 1] - mid[x - 1];
            float gy_ = dn[x] - up[x];
            float g2_ = gx_ * gx_ + gy_ * gy_;
            if (g2_ > g2) {
                gx = gx_;
                gy = gy_;
                g2 = g2_;
            }
        }
        int32_t bins[2] = {-1, -1};
        float w[2] = {1, 0};
        const float grad = sqrtf(g2);
        if (g2 != 0) {
            hk_vlf_best_two(r->ux, r->uy, r->n, gx, gy, bins, w);
            if (r->bilinear) {
                w[1] = hk_vlf_second_weight(w[0], grad, r->n);
                w[0] = 1 - w[1];
            } else {
                w[0] = 1;
            }
        }
        for (int v = 0; v < 1 + r->bilinear; v++) {
            const int vote = bins[v] >= 0;
            const float gw = grad * w[v];
            const float a = gw * r->wy1, b = gw * r->wy2;
            r->bin[v][x] = vote ? bins[v] : 0;
            r->pair[v][2 * x] = vote ? a : 0;
            r->pair[v][2 * x + 1] = vote ? b : 0;
        }
    }
}

#define HK_VLF_MADD(acc, e, w) ((acc) + (e) * (w))
#define HK_VLF_REDUCE_ATTR
#include "simd/vlfeat_reduce.inc.h"

static void norm(const float *hist, size_t plane, size_t width, int n, float *nrm)
{
    for (size_t x = 0; x < width; x++)
        nrm[x] = 0;
    for (int k = 0; k < n; k++) {
        const float *a = hist + (size_t)k * plane, *b = hist + (size_t)(k + n) * plane;
        for (size_t x = 0; x < width; x++) {
            float h = a[x] + b[x];
            nrm[x] += h * h;
        }
    }
}

static void blocks(const float *a, const float *b, size_t width, double *f)
{
    for (size_t i = 0; i <= width; i++) {
        const double n1 = a[(ptrdiff_t)i - 1], n2 = a[i], n3 = b[(ptrdiff_t)i - 1], n4 = b[i];
        f[i] = 1.0 / sqrt(n1 + n2 + n3 + n4 + 1e-4);
    }
}

static void extract(const float *hist, size_t plane, const double *up, const double *down,
                    size_t width, int n, int uoctti, float *out, size_t out_plane)
{
    const float texture_scale = 1.0f / sqrtf(18.0f);
    const size_t plane_n = (size_t)n * out_plane;
    for (size_t x = 0; x < width; x++) {
        /* UL, UR, LL, LR */
        const double f[4] = {up[x], up[x + 1], down[x], down[x + 1]};
        double t[4] = {0, 0, 0, 0};
        for (int k = 0; k < n; k++) {
            const double ha = hist[x + (size_t)k * plane];
            const double hb = hist[x + (size_t)(k + n) * plane];
            double a[4], b[4], c[4];
            for (int i = 0; i < 4; i++) {
                a[i] = f[i] * ha;
                b[i] = f[i] * hb;
                c[i] = a[i] + b[i];
                a[i] = VL_MIN(0.2, a[i]);
                b[i] = VL_MIN(0.2, b[i]);
                c[i] = VL_MIN(0.2, c[i]);
                t[i] += c[i];
            }
            float *o = out + x + (size_t)k * out_plane;
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
                out[x + (size_t)(3 * n + i) * out_plane] = (float)(texture_scale * t[i]);
    }
}

static const hk_vlf_kernels table = {HK_SIMD_AUTO, "generic", convert, orient, strip_reduce,
                                     norm, blocks, extract, NULL};

const hk_vlf_kernels *hk_vlf_kernels_generic(void)
{
    return &table;
}
