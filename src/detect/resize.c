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

typedef hk_resize_axis axis;

void hk__resize_axis(int ssize, int dsize, hk_resize_axis *a)
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

size_t hk__resize_scratch(int sw, int dw, int dh, int cn)
{
    size_t scalar = (size_t)(dw + dh) * sizeof(axis) +
                    (size_t)dw * 2 * (sizeof(int) + sizeof(uint32_t)) +
                    (size_t)sw * cn * sizeof(uint16_t) + 256;
    /* AVX2 (resize_avx2.c): axes, then offsets, weights and two rows of
     * int32 per output element */
    size_t avx2 = (size_t)(dw + dh) * sizeof(axis) + (size_t)(dw + 8) * 24 +
                  (size_t)(dw * 3 + 16) * 2 * sizeof(uint16_t) + 256;
    return scalar > avx2 ? scalar : avx2;
}

/* The arithmetic is exact integer arithmetic until the final rounding, so
 * the vertical pass may come first: V = cy0 * row0 + cy1 * row1 (at most
 * 256 * 255, a uint16), then out = (cx0 * V[a] + cx1 * V[b] + 0x8000) >> 16.
 * Edge rows and columns are the weights (256, 0) on the edge pixel, which
 * is what OpenCV's replicated values amount to ((h + 128) >> 8 for a row
 * past the edge equals (256 h + 0x8000) >> 16). */
void hk__resize_rows_geometry(hk_resize_rows *r, const uint8_t *src, int sw, int sh,
                              size_t sstride, int cn, int dw, int dh)
{
    memset(r, 0, sizeof *r);
    r->src = src;
    r->sstride = sstride;
    r->sw = sw;
    r->sh = sh;
    r->dw = dw;
    r->dh = dh;
    r->cn = cn;
}

void hk__resize_rows_init(hk_resize_rows *r, const uint8_t *src, int sw, int sh, size_t sstride,
                          int cn, int dw, int dh, void *scratch)
{
    hk__resize_rows_geometry(r, src, sw, sh, sstride, cn, dw, dh);
    axis *ax = scratch;
    axis *ay = ax + dw;
    int *xa = (int *)(ay + dh), *xb = xa + dw;
    uint32_t *cx0 = (uint32_t *)(xb + dw), *cx1 = cx0 + dw;
    r->ax = ax;
    r->ay = ay;
    r->xa = xa;
    r->xb = xb;
    r->cx0 = cx0;
    r->cx1 = cx1;
    r->V = (uint16_t *)(cx1 + dw);
    hk__resize_axis(sw, dw, ax);
    hk__resize_axis(sh, dh, ay);
    for (int x = 0; x < dw; x++) {
        if (ax[x].mode == 0) {
            xa[x] = ax[x].ofs * cn;
            xb[x] = (ax[x].ofs + 1) * cn;
            cx0[x] = ax[x].c0;
            cx1[x] = ax[x].c1;
        } else {
            xa[x] = xb[x] = ax[x].ofs * cn;
            cx0[x] = 256;
            cx1[x] = 0;
        }
    }
}

void hk__resize_row(hk_resize_rows *r, int y, uint8_t *d)
{
    if (r->avx2) {
        hk__resize_row_avx2(r, y, d);
        return;
    }
    const int cn = r->cn, dw = r->dw;
    const int *xa = r->xa, *xb = r->xb;
    const uint32_t *cx0 = r->cx0, *cx1 = r->cx1;
    uint16_t *V = r->V;
    const axis *a = &r->ay[y];
    const uint8_t *r0 = r->src + (size_t)a->ofs * r->sstride;
    const uint8_t *r1 = a->mode == 0 ? r0 + r->sstride : r0;
    uint16_t c0 = (uint16_t)(a->mode == 0 ? a->c0 : 256), c1 = (uint16_t)(a->mode == 0 ? a->c1 : 0);
    size_t srclen = (size_t)r->sw * cn;
    for (size_t t = 0; t < srclen; t++)
        V[t] = (uint16_t)(c0 * r0[t] + c1 * r1[t]);
    if (cn == 3) {
        for (int x = 0; x < dw; x++) {
            const uint16_t *pa = V + xa[x], *pb = V + xb[x];
            uint32_t w0 = cx0[x], w1 = cx1[x];
            d[3 * x] = (uint8_t)((w0 * pa[0] + w1 * pb[0] + 0x8000u) >> 16);
            d[3 * x + 1] = (uint8_t)((w0 * pa[1] + w1 * pb[1] + 0x8000u) >> 16);
            d[3 * x + 2] = (uint8_t)((w0 * pa[2] + w1 * pb[2] + 0x8000u) >> 16);
        }
    } else {
        for (int x = 0; x < dw; x++)
            for (int c = 0; c < cn; c++)
                d[x * cn + c] =
                    (uint8_t)((cx0[x] * V[xa[x] + c] + cx1[x] * V[xb[x] + c] + 0x8000u) >> 16);
    }
}

void hk__resize_u8(const uint8_t *src, int sw, int sh, size_t sstride, int cn, uint8_t *dst,
                   int dw, int dh, void *scratch)
{
    hk_resize_rows r;
    hk__resize_rows_init(&r, src, sw, sh, sstride, cn, dw, dh, scratch);
    for (int y = 0; y < dh; y++)
        hk__resize_row(&r, y, dst + (size_t)y * dw * cn);
}
