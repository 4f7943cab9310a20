/* cv::resize(..., INTER_LINEAR_EXACT) for 8-bit images.
 *
 * OpenCV's bit-exact linear resize: source coordinates in double
 * (fx = (dx + 0.5) / (dw / sw) - 0.5, with the scale computed as 1 / (dw / sw)
 * exactly as OpenCV does), weights rounded to 8 fractional bits (half to
 * even) with the left weight 256 - right, a horizontal pass into 8.8 fixed
 * point, a vertical pass into 16.16 and rounding (+0x8000) >> 16. Outside the
 * source (fx < 0 or fx >= sw - 1) the edge pixel is replicated; those rows and
 * columns skip the multiplication, as OpenCV's min/max offsets do. */
#include <math.h>
#include <string.h>

#include "detect/resize.h"

typedef struct axis {
    int ofs;     /* first source index */
    uint16_t c0, c1;
    int mode;    /* 0 interpolate, -1 before the start, 1 past the end */
} axis;

static void make_axis(int ssize, int dsize, axis *a)
{
    double inv = (double)dsize / (double)ssize;
    double scale = 1.0 / inv;
    for (int d = 0; d < dsize; d++) {
        double f = scale * ((double)d + 0.5) - 0.5;
        int i = (int)floor(f);
        if (i >= 0 && ssize > 1) {
            if (i < ssize - 1) {
                double frac = (f - (double)i) * 256.0;
                int c1 = (int)nearbyint(frac); /* cvRound: half to even */
                a[d].ofs = i;
                a[d].c1 = (uint16_t)c1;
                a[d].c0 = (uint16_t)(256 - c1);
                a[d].mode = 0;
            } else {
                a[d].ofs = ssize - 1;
                a[d].mode = 1;
            }
        } else {
            a[d].ofs = 0;
            a[d].mode = -1;
        }
    }
}

size_t hk__resize_scratch(int dw, int dh, int cn)
{
    return (size_t)(dw + dh) * sizeof(axis) + (size_t)2 * dw * cn * sizeof(uint16_t) + 64;
}

static void hline(const uint8_t *s, int cn, const axis *ax, int dw, int sw, uint16_t *out)
{
    for (int x = 0; x < dw; x++) {
        const axis *a = &ax[x];
        for (int c = 0; c < cn; c++) {
            uint16_t v;
            if (a->mode == 0)
                v = (uint16_t)(a->c0 * s[a->ofs * cn + c] + a->c1 * s[(a->ofs + 1) * cn + c]);
            else if (a->mode < 0)
                v = (uint16_t)(s[c] << 8);
            else
                v = (uint16_t)(s[(sw - 1) * cn + c] << 8);
            out[x * cn + c] = v;
        }
    }
}

void hk__resize_u8(const uint8_t *src, int sw, int sh, size_t sstride, int cn, uint8_t *dst,
                   int dw, int dh, void *scratch)
{
    axis *ax = scratch;
    axis *ay = ax + dw;
    uint16_t *l0 = (uint16_t *)(ay + dh);
    uint16_t *l1 = l0 + (size_t)dw * cn;
    make_axis(sw, dw, ax);
    make_axis(sh, dh, ay);
    int have0 = -1, have1 = -1; /* source rows held in l0, l1 */
    size_t rowlen = (size_t)dw * cn;
    for (int y = 0; y < dh; y++) {
        const axis *a = &ay[y];
        uint8_t *d = dst + (size_t)y * rowlen;
        if (a->mode != 0) {
            int r = a->mode < 0 ? 0 : sh - 1;
            if (have0 != r) {
                hline(src + (size_t)r * sstride, cn, ax, dw, sw, l0);
                have0 = r;
            }
            for (size_t i = 0; i < rowlen; i++)
                d[i] = (uint8_t)((l0[i] + 128) >> 8);
            continue;
        }
        int r0 = a->ofs, r1 = a->ofs + 1;
        if (have0 != r0) {
            if (have1 == r0) {
                uint16_t *t = l0;
                l0 = l1;
                l1 = t;
                have0 = r0;
                have1 = -1;
            } else {
                hline(src + (size_t)r0 * sstride, cn, ax, dw, sw, l0);
                have0 = r0;
            }
        }
        if (have1 != r1) {
            hline(src + (size_t)r1 * sstride, cn, ax, dw, sw, l1);
            have1 = r1;
        }
        uint32_t c0 = a->c0, c1 = a->c1;
        for (size_t i = 0; i < rowlen; i++) {
            uint32_t v = (l0[i] * c0 + l1[i] * c1 + 0x8000u) >> 16;
            d[i] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
}
