/*
 * OpenCV variant, stage 2: gradient, channel choice, fast atan and the two
 * orientation votes of every pixel of the padded image
 * (HOGDescriptor::computeGradient + cartToPolar of OpenCV 4.6).
 *
 * Everything is float32 in OpenCV's order of operations; the C is compiled
 * with -std=c11 so GCC does not contract a*b+c into fused multiply-adds,
 * which OpenCV's scalar path does not use either.
 */
#include <math.h>
#include <string.h>

#include "hog/hog_internal.h"
#include "hog/opencv.h"
#include "hog/opencv_channel.h"

/* atan coefficients of OpenCV's fastAtan, scaled to degrees in float32. */
#define HK_OCV_RAD2DEG 57.295779513082323
static const float P1 = (float)0.9997878412794807 * (float)HK_OCV_RAD2DEG;
static const float P3 = (float)-0.3258083974640975 * (float)HK_OCV_RAD2DEG;
static const float P5 = (float)0.1555786518463281 * (float)HK_OCV_RAD2DEG;
static const float P7 = (float)-0.04432655554792128 * (float)HK_OCV_RAD2DEG;
/* float(DBL_EPSILON) keeps 0/0 finite */
#define HK_OCV_EPS ((float)2.220446049250313080847e-16)

static inline float fast_atan_deg(float y, float x)
{
    float ax = fabsf(x), ay = fabsf(y);
    float a, c, c2;
    if (ax >= ay) {
        c = ay / (ax + HK_OCV_EPS);
        c2 = c * c;
        a = (((P7 * c2 + P5) * c2 + P3) * c2 + P1) * c;
    } else {
        c = ax / (ay + HK_OCV_EPS);
        c2 = c * c;
        a = 90.f - (((P7 * c2 + P5) * c2 + P3) * c2 + P1) * c;
    }
    if (x < 0)
        a = 180.f - a;
    if (y < 0)
        a = 360.f - a;
    return a;
}

float hk_ocv_fast_atan_deg(float y, float x)
{
    return fast_atan_deg(y, x);
}

static inline void bin_votes(float mag, float angle_rad, float scale, int nbins, int *b0,
                             int *b1, float *w0, float *w1)
{
    float t = angle_rad * scale - 0.5f;
    /* cvFloor: truncate, then step down for negatives (floorf is a libm
     * call on baseline x86-64) */
    int k = (int)t;
    k -= t < (float)k;
    t -= (float)k;
    *w0 = mag * (1.f - t);
    *w1 = mag * t;
    /* t in [-0.5, 2*nbins): one wrap is enough (unsigned folds 0..360 twice) */
    if (k < 0)
        k += nbins;
    else if (k >= nbins)
        k -= nbins;
    *b0 = k;
    *b1 = k + 1 < nbins ? k + 1 : 0;
}

void hk_ocv_bin(float mag, float angle_rad, float scale, int nbins, int *b0, int *b1,
                float *w0, float *w1)
{
    bin_votes(mag, angle_rad, scale, nbins, b0, b1, w0, w1);
}

size_t hk_ocv_reflect101(long p, size_t len)
{
    if (len == 1)
        return 0;
    long n = (long)len;
    /* reflect about the first and last sample (without repeating them)
     * until inside: padding may be wider than the image */
    while (p < 0 || p >= n) {
        if (p < 0)
            p = -p;
        else
            p = 2 * n - 2 - p;
    }
    return (size_t)p;
}

/* One channel's derivative at (x, y): [-1, 0, 1] on the LUT values. */
static inline void channel_diff(const float *lut, const uint8_t *prev, const uint8_t *cur,
                                const uint8_t *next, size_t xm, size_t x0, size_t xp,
                                unsigned c, float *dx, float *dy)
{
    *dx = lut[cur[xp + c]] - lut[cur[xm + c]];
    *dy = lut[next[x0 + c]] - lut[prev[x0 + c]];
}

void hk_ocv_gradient(const hk_ocv_geometry *g, const hk_image *im, hk_ocv_work *w)
{
    const size_t pw = g->pwidth, ph = g->pheight;
    const unsigned cn = im->channels;
    float lut[256];
    for (int i = 0; i < 256; i++)
        lut[i] = g->gamma_correction ? sqrtf((float)i) : (float)i;
    const float scale = g->signed_gradient ? (float)(g->nbins / (2.0 * 3.14159265358979323846))
                                           : (float)(g->nbins / 3.14159265358979323846);
    const float deg2rad = (float)(3.14159265358979323846 / 180.0);
    /* OpenCV picks the colour channel with 4-lane SIMD over the first
     * 4*floor(width/4) columns (ties to the lowest channel) and a scalar
     * loop over the rest (ties to the highest channel). */
    const size_t simd_end = pw & ~(size_t)3;
    size_t *xmap = w->xmap + 1; /* xmap[-1 .. pw] */
    for (long x = -1; x <= (long)pw; x++)
        xmap[x] = hk_ocv_reflect101(x - g->pad_x, g->width) * cn;

    for (size_t y = 0; y < ph; y++) {
        long iy = (long)y - g->pad_y;
        const uint8_t *base = (const uint8_t *)im->data;
        const uint8_t *prev = base + hk_ocv_reflect101(iy - 1, g->height) * im->stride;
        const uint8_t *cur = base + hk_ocv_reflect101(iy, g->height) * im->stride;
        const uint8_t *next = base + hk_ocv_reflect101(iy + 1, g->height) * im->stride;
        float *votes = w->votes + y * pw * 2;
        uint8_t *bins = w->bins + y * pw * 2;
        for (size_t x = 0; x < pw; x++) {
            size_t xm = xmap[(long)x - 1], x0 = xmap[x], xp = xmap[x + 1];
            float dx, dy;
            if (cn == 1) {
                channel_diff(lut, prev, cur, next, xm, x0, xp, 0, &dx, &dy);
            } else {
                float dx0, dy0, dx1, dy1, dx2, dy2;
                channel_diff(lut, prev, cur, next, xm, x0, xp, 0, &dx0, &dy0);
                channel_diff(lut, prev, cur, next, xm, x0, xp, 1, &dx1, &dy1);
                channel_diff(lut, prev, cur, next, xm, x0, xp, 2, &dx2, &dy2);
                float m0 = dx0 * dx0 + dy0 * dy0;
                float m1 = dx1 * dx1 + dy1 * dy1;
                float m2 = dx2 * dx2 + dy2 * dy2;
                /* OpenCV's channel choice and its path-dependent tie rule */
                int best = hk_opencv_best_channel(m0, m1, m2, x < simd_end);
                dx = best == 0 ? dx0 : best == 1 ? dx1 : dx2;
                dy = best == 0 ? dy0 : best == 1 ? dy1 : dy2;
            }
            float mag = sqrtf(dx * dx + dy * dy);
            float angle = fast_atan_deg(dy, dx) * deg2rad;
            int b0, b1;
            bin_votes(mag, angle, scale, g->nbins, &b0, &b1, &votes[2 * x], &votes[2 * x + 1]);
            bins[2 * x] = (uint8_t)b0;
            bins[2 * x + 1] = (uint8_t)b1;
        }
    }
}
