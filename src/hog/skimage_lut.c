/* Bin and magnitude tables of the 8-bit skimage path. */
#include <math.h>
#include <stdlib.h>

#include "hog/skimage_bins.h"
#include "hog/skimage_fast.h"
#include "hog/skimage_lut.h"

static void fill(hk_skimage_lut *lut, int n, const hk_skimage_kernels *k)
{
    double gr[511], gc[511], mag[511];
    int32_t code[511];
    hk_skbin_consts c;
    hk_skbin_consts_init(&c, n);
    for (int q = -255; q <= 255; q++)
        gc[q + 255] = q;
    for (int r = -255; r <= 255; r++) {
        for (int i = 0; i < 511; i++)
            gr[i] = r;
        k->bins(gr, gc, 511, &c, code, mag);
        for (int i = 0; i < 511; i++) {
            int b = code[i];
            double m = mag[i];
            if (b < 0) { /* the kernel's exact path, as accumulate does it */
                b = hk_skimage_bin(hk_skimage_angle(gr[i], gc[i]), n);
                m = hypot(gc[i], gr[i]);
            }
            lut->bin[(r + 255) * 511 + i] = (uint8_t)(b < 0 ? n : b);
            if (r >= 0 && i >= 255)
                lut->mag[r * 256 + (i - 255)] = m;
        }
    }
    lut->n = n;
}

const hk_skimage_lut *hk_skimage_lut_get(hk_hog_ctx *ctx, int n, const hk_skimage_kernels *k)
{
    if (n > HK_LUT_MAX_ORIENTATIONS)
        return NULL;
    if (!ctx->skimage_lut && !(ctx->skimage_lut = calloc(1, sizeof(hk_skimage_lut))))
        return NULL;
    if (ctx->skimage_lut->n != n || n == 0) {
        ctx->skimage_lut->n = 0;
        fill(ctx->skimage_lut, n, k);
    }
    return ctx->skimage_lut;
}

void hk_skimage_lut_free(hk_skimage_lut *lut)
{
    free(lut);
}
