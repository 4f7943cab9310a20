/* Deskewing by image moments, as OpenCV's samples/python/digits.py does it:
 *   m = cv.moments(img); skew = m['mu11'] / m['mu02'] (skip if |mu02| < 1e-2)
 *   M = np.float32([[1, skew, -0.5 * SZ * skew], [0, 1, 0]])
 *   cv.warpAffine(img, M, (SZ, SZ), flags=cv.WARP_INVERSE_MAP | cv.INTER_LINEAR)
 * reproduced with OpenCV 4.6's own arithmetic: moments from exact integer
 * sums and cv::completeMomentState's formulas (centre = m10 * (1 / m00));
 * warpAffine's fixed-point mapping (AB_BITS 10, INTER_BITS 5, rounding delta
 * 16, cvRound = round half to even) and remap's bilinear table (weights of
 * 1/32 steps scaled to 2^15, exact) with (sum + 2^14) >> 15 and a constant
 * zero border, so the output matches cv2 byte for byte. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/learn_internal.h"

static void moments_skew(const uint8_t *s, uint32_t w, uint32_t h, double *mu11, double *mu02)
{
    double m00 = 0, m10 = 0, m01 = 0, m11 = 0, m02 = 0;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double v = s[(size_t)y * w + x];
            m00 += v;
            m10 += (double)x * v;
            m01 += (double)y * v;
            m11 += (double)x * y * v;
            m02 += (double)y * y * v;
        }
    double cy = 0;
    if (fabs(m00) > 2.220446049250313e-16)
        cy = m01 * (1.0 / m00);
    *mu11 = m11 - m10 * cy;
    *mu02 = m02 - m01 * cy;
}

static int cv_round(double v)
{
    if (!(v > -2147483648.0))
        return INT32_MIN;
    if (!(v < 2147483647.0))
        return INT32_MAX;
    return (int)lrint(v);
}

static int pixel(const uint8_t *s, uint32_t w, uint32_t h, int x, int y)
{
    return x >= 0 && y >= 0 && (uint32_t)x < w && (uint32_t)y < h ? s[(size_t)y * w + x] : 0;
}

hk_status hk_deskew_u8(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst)
{
    if (!src || !dst || w == 0 || h == 0 || w > 32767 || h > 32767)
        return HK_ERR_INVALID_ARG;
    double mu11, mu02;
    moments_skew(src, w, h, &mu11, &mu02);
    if (fabs(mu02) < 1e-2) {
        memcpy(dst, src, (size_t)w * h);
        return HK_OK;
    }
    double skew = mu11 / mu02;
    const double M[6] = {1.0, (double)(float)skew, (double)(float)(-0.5 * w * skew),
                         0.0, 1.0, 0.0};
    enum { AB_BITS = 10, AB_SCALE = 1 << AB_BITS, INTER_BITS = 5, TAB = 1 << INTER_BITS };
    const int round_delta = AB_SCALE / TAB / 2;
    for (uint32_t y = 0; y < h; y++) {
        int X0 = cv_round((M[1] * y + M[2]) * AB_SCALE) + round_delta;
        int Y0 = cv_round((M[4] * y + M[5]) * AB_SCALE) + round_delta;
        for (uint32_t x = 0; x < w; x++) {
            int adelta = cv_round(M[0] * x * AB_SCALE);
            int bdelta = cv_round(M[3] * x * AB_SCALE);
            int X = (int)(((int64_t)X0 + adelta) >> (AB_BITS - INTER_BITS));
            int Y = (int)(((int64_t)Y0 + bdelta) >> (AB_BITS - INTER_BITS));
            int sx = X >> INTER_BITS, sy = Y >> INTER_BITS;
            int fx = X & (TAB - 1), fy = Y & (TAB - 1);
            /* bilinear weights in units of 2^-15: (32 - f) * 32 etc. */
            int w00 = (TAB - fy) * (TAB - fx), w01 = (TAB - fy) * fx;
            int w10 = fy * (TAB - fx), w11 = fy * fx;
            int v = pixel(src, w, h, sx, sy) * w00 + pixel(src, w, h, sx + 1, sy) * w01 +
                    pixel(src, w, h, sx, sy + 1) * w10 + pixel(src, w, h, sx + 1, sy + 1) * w11;
            v *= 32; /* weights were in units of 2^-10 */
            v = (v + (1 << 14)) >> 15;
            dst[(size_t)y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    return HK_OK;
}

hk_status hk_dataset_deskew(hk_dataset *ds)
{
    if (!ds || (ds->count && !ds->pixels))
        return HK_ERR_INVALID_ARG;
    size_t px = (size_t)ds->width * ds->height;
    uint8_t *tmp = malloc(px ? px : 1);
    if (!tmp)
        return HK_ERR_NOMEM;
    hk_status st = HK_OK;
    for (uint32_t i = 0; st == HK_OK && i < ds->count; i++) {
        st = hk_deskew_u8(ds->pixels + i * px, ds->width, ds->height, tmp);
        if (st == HK_OK)
            memcpy(ds->pixels + i * px, tmp, px);
    }
    free(tmp);
    return st;
}
