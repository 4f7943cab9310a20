/*
 * MaskFeat HOG kernel (scalar reference): SlowFast operators.HOGLayerC and
 * its copies (mmselfsup HOGGenerator, FG-MAE), one channel plane at a time.
 *
 * Every float32 operation is written in the order the reference performs it
 * (spec: shared/spec/hog-variants.md section 5 and 5.1, and
 * docs/variants/maskfeat.md). The order matters: a separable Sobel filter,
 * float64 sums or an fma in the wrong place move a few pixels per million to
 * another bin. This file is compiled with -std=c11, where GCC does not
 * contract a*b+c into an fma, so the expressions below are evaluated as
 * written.
 */
#include <math.h>
#include <string.h>

#include "hog/maskfeat.h"

/* float32(pi), the value of torch's `self.pi` buffer. */
#define HK_PI_F 3.14159265358979323846f

void hk_maskfeat_gkern(size_t k, float *kern)
{
    /* _gaussian_fn: n = arange(k) - mean, n /= std, w = exp(-0.5 n^2), all
     * float32; mean of 0..k-1 is (k-1)/2 exactly. */
    const float mean = (float)(k - 1) / 2.0f;
    const float std = (float)(k / 2);
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        float n = ((float)i - mean) / std;
        kern[i] = expf(-0.5f * (n * n));
    }
    /* Outer product in place from the back (row 0 last, as it holds the 1-D
     * kernel), then normalised to sum 1 with a float32 division. */
    for (size_t i = k; i-- > 0;)
        for (size_t j = k; j-- > 0;)
            kern[i * k + j] = kern[i] * kern[j];
    for (size_t i = 0; i < k * k; i++)
        sum += kern[i];
    const float s = (float)sum;
    for (size_t i = 0; i < k * k; i++)
        kern[i] = kern[i] / s;
}

/* Bin of a gradient: phase = atan2(gx, gy) (arguments swapped, as the
 * reference calls it), t = phase / float32(pi) * nbins in float32,
 * bin = floor(t) mod nbins with a non-negative remainder. The float32 atan2
 * is the correctly rounded one (float64 atan2 rounded once). */
static inline size_t phase_bin(float gx, float gy, size_t nbins)
{
    float phase = (float)atan2((double)gx, (double)gy);
    float t = (phase / HK_PI_F) * (float)nbins;
    long b = (long)floorf(t) % (long)nbins; /* |t| <= nbins: no overflow */
    return (size_t)(b < 0 ? b + (long)nbins : b);
}

hk_status hk_maskfeat_plane_cells(const hk_mf_geom *g, const float *plane, const float *gkern,
                                  float *cells)
{
    const size_t w = g->width, h = g->height, pool = g->pool, nbins = g->nbins;
    const size_t k = g->window;
    const size_t used_h = g->cells_h * pool, used_w = g->cells_w * pool;

    memset(cells, 0, g->plane_cells * sizeof(float));
    for (size_t y = 0; y < used_h; y++) {
        /* Reflect-101 padding by one (PyTorch 'reflect'); h, w >= 2. */
        const size_t ym = y > 0 ? y - 1 : 1, yp = y + 1 < h ? y + 1 : h - 2;
        const float *r0 = plane + ym * w, *r1 = plane + y * w, *r2 = plane + yp * w;
        float *cell_row = cells + (y / pool) * g->cells_w * nbins;
        const float *krow = gkern ? gkern + (y % k) * k : NULL;
        for (size_t x = 0; x < used_w; x++) {
            const size_t xm = x > 0 ? x - 1 : 1, xp = x + 1 < w ? x + 1 : w - 2;
            /* Cross-correlation with Kx = [[1,0,-1],[2,0,-2],[1,0,-1]] and
             * Ky = Kx^T, summed in torch's CPU order (row by row, left to
             * right, zero taps skipped). */
            float gx = ((((r0[xm] - r0[xp]) + 2.0f * r1[xm]) - 2.0f * r1[xp]) + r2[xm]) - r2[xp];
            float gy = ((((r0[xm] + 2.0f * r0[x]) + r0[xp]) - r2[xm]) - 2.0f * r2[x]) - r2[xp];
            float m = sqrtf(fmaf(gy, gy, gx * gx));
            if (!isfinite(m))
                return HK_ERR_NONFINITE;
            if (krow)
                m = m * krow[x % k];
            cell_row[(x / pool) * nbins + phase_bin(gx, gy, nbins)] += m;
        }
    }
    return HK_OK;
}

void hk_maskfeat_cells_out(const hk_mf_geom *g, size_t c, float *cells, int normalize,
                           float *out)
{
    const size_t nbins = g->nbins, u = g->u;
    if (normalize) {
        /* F.normalize(p=2, dim=bins): v / max(||v||, 1e-12), per cell. */
        for (size_t i = 0; i < g->cells_h * g->cells_w; i++) {
            float *v = cells + i * nbins;
            double ss = 0;
            for (size_t b = 0; b < nbins; b++)
                ss += (double)v[b] * v[b];
            float norm = (float)sqrt(ss);
            if (norm < 1e-12f)
                norm = 1e-12f;
            for (size_t b = 0; b < nbins; b++)
                v[b] = v[b] / norm;
        }
    }
    /* Patch (py, px) gets index ((c*nbins + b)*u + cy)*u + cx from cell
     * (py*u + cy, px*u + cx). */
    for (size_t py = 0; py < g->patches_h; py++)
        for (size_t px = 0; px < g->patches_w; px++) {
            float *o = out + (py * g->patches_w + px) * g->dims + c * nbins * u * u;
            for (size_t b = 0; b < nbins; b++)
                for (size_t cy = 0; cy < u; cy++)
                    for (size_t cx = 0; cx < u; cx++)
                        o[(b * u + cy) * u + cx] =
                            cells[((py * u + cy) * g->cells_w + px * u + cx) * nbins + b];
        }
}
