/* OpenCV's fastAtan32f as its AVX2 build computes it (fused multiply-adds),
 * in degrees [0, 360): shared by the scalar and AVX2 detection gradients so
 * both take exactly the same bin decisions. */
#ifndef HK_DETECT_FAST_ATAN_H
#define HK_DETECT_FAST_ATAN_H

#include <float.h>
#include <math.h>
#include <stdint.h>

static const float HK_ATAN_P1 = 0.9997878412794807f * (float)(180 / 3.14159265358979323846);
static const float HK_ATAN_P3 = -0.3258083974640975f * (float)(180 / 3.14159265358979323846);
static const float HK_ATAN_P5 = 0.1555786518463281f * (float)(180 / 3.14159265358979323846);
static const float HK_ATAN_P7 = -0.04432655554792128f * (float)(180 / 3.14159265358979323846);

static inline float fast_atan_deg(float y, float x)
{
    float ax = fabsf(x), ay = fabsf(y);
    float mn = ax < ay ? ax : ay, mx = ax < ay ? ay : ax;
    float c = mn / (mx + (float)DBL_EPSILON);
    float cc = c * c;
    float a = fmaf(fmaf(fmaf(cc, HK_ATAN_P7, HK_ATAN_P5), cc, HK_ATAN_P3), cc, HK_ATAN_P1) * c;
    if (!(ax >= ay))
        a = 90.f - a;
    if (x < 0)
        a = 180.f - a;
    if (y < 0)
        a = 360.f - a;
    return a;
}

/* OpenCV's two bin votes for one pixel's gradient (dx, dy): bin h0 and the
 * magnitude split a0 (bin h0) / a1 (bin h0 + 1); ascale = nbins / (pi or 2 pi). */
static inline void hk__bin_votes(float dx, float dy, float ascale, int nbins, uint8_t *h0,
                                 float *a0, float *a1)
{
    const float deg2rad = (float)(3.14159265358979323846 / 180);
    float mag = sqrtf(fmaf(dx, dx, dy * dy));
    float ang = fast_atan_deg(dy, dx) * deg2rad;
    ang = ang * ascale - 0.5f;
    int hidx = (int)floorf(ang);
    ang -= (float)hidx;
    *a0 = mag * (1.f - ang);
    *a1 = mag * ang;
    if (hidx < 0)
        hidx += nbins;
    else if (hidx >= nbins)
        hidx -= nbins;
    *h0 = (uint8_t)hidx;
}

#endif
