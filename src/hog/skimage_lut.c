/* Bin and magnitude tables of the 8-bit skimage path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hog/skimage_bins.h"
#include "hog/skimage_fast.h"
#include "hog/skimage_lut.h"

/* Fills the compact tables from the exact code; 0 when two gradients that
 * share an entry differ (then the tables are not used). */
static int fill(hk_skimage_lut *lut, int n, const hk_skimage_kernels *k)
{
    double gr[511], gc[511], mag[511];
    int32_t code[511];
    /* per entry: bit 0 bin written, bit 1 magnitude written */
    static const size_t n_bin = sizeof(lut->bin);
    unsigned char *seen = calloc(n_bin, 1);
    if (!seen)
        return 0;
    int ok = 1;
    hk_skbin_consts c;
    hk_skbin_consts_init(&c, n);
    for (int q = -255; q <= 255; q++)
        gc[q + 255] = q;
    for (int r = -255; r <= 255 && ok; r++) {
        for (int i = 0; i < 511; i++)
            gr[i] = r;
        k->bins(gr, gc, 511, &c, code, mag);
        for (int i = 0; i < 511 && ok; i++) {
            int b = code[i], q = i - 255;
            double m = mag[i];
            if (b < 0) { /* the kernel's exact path, as accumulate does it */
                b = hk_skimage_bin(hk_skimage_angle(gr[i], gc[i]), n);
                m = hypot(gc[i], gr[i]);
            }
            uint8_t v = (uint8_t)(b < 0 ? n : b);
            int ar = r < 0 ? -r : r, aq = q < 0 ? -q : q;
            size_t bi = ((r ^ q) < 0 ? 65536u : 0u) + (size_t)ar * 256 + (size_t)aq;
            if (seen[bi] & 1 && lut->bin[bi] != v)
                ok = 0;
            seen[bi] |= 1;
            lut->bin[bi] = v;
            if (r >= 0 && q >= 0) {
                int hi = ar > aq ? ar : aq, lo = ar > aq ? aq : ar;
                size_t mi = (size_t)hi * (size_t)(hi + 1) / 2 + (size_t)lo;
                if (seen[mi] & 2 && memcmp(&lut->mag[mi], &m, sizeof m) != 0)
                    ok = 0;
                seen[mi] |= 2;
                lut->mag[mi] = m;
            }
        }
    }
    free(seen);
    lut->n = ok ? n : 0;
    lut->failed_n = ok ? 0 : n;
    return ok;
}

const hk_skimage_lut *hk_skimage_lut_get(hk_hog_ctx *ctx, int n, const hk_skimage_kernels *k)
{
    if (n > HK_LUT_MAX_ORIENTATIONS || n < 1)
        return NULL;
    if (!ctx->skimage_lut && !(ctx->skimage_lut = calloc(1, sizeof(hk_skimage_lut))))
        return NULL;
    hk_skimage_lut *lut = ctx->skimage_lut;
    if (lut->n != n && (lut->failed_n == n || !fill(lut, n, k)))
        return NULL; /* not refilled per image when the layout fails for n */
    return ctx->skimage_lut;
}

void hk_skimage_lut_free(hk_skimage_lut *lut)
{
    free(lut);
}
