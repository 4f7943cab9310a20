/* Compiled and run by test_render.py: hk_hog_glyph_render against VLFeat's own
 * vl_hog_render (libvl 0.9.21) on random descriptor arrays, UoCTTI and
 * Dalal-Triggs, several orientation counts and grid sizes. Prints one line
 * per case and exits non-zero on any difference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vl/hog.h>

#include "hogkit.h"

static unsigned long long state = 88172645463325252ull;
static float rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (float)((state >> 11) % 100000) / 100000.0f;
}

static int run(VlHogVariant variant, int n, size_t w, size_t h, int allow_negative)
{
    VlHog *hog = vl_hog_new(variant, (vl_size)n, VL_FALSE);
    size_t dims = vl_hog_get_dimension(hog), g = vl_hog_get_glyph_size(hog);
    size_t count = dims * w * h, pix = w * g * h * g;
    float *desc = malloc(count * sizeof(float));
    float *ref = calloc(pix, sizeof(float));
    float *got = malloc(pix * sizeof(float));
    for (size_t i = 0; i < count; i++)
        desc[i] = allow_negative ? rnd() - 0.4f : rnd() * 0.3f;
    /* some all-zero cells */
    for (size_t d = 0; d < dims; d++)
        desc[d * w * h] = 0;
    vl_hog_render(hog, ref, desc, (vl_size)w, (vl_size)h);
    hk_variant v = variant == VlHogVariantUoctti ? HK_VARIANT_VLFEAT_UOCTTI : HK_VARIANT_VLFEAT_DT;
    hk_status st = hk_hog_glyph_render(v, desc, dims, h, w, n, got, pix);
    size_t bad = 0;
    for (size_t i = 0; i < pix; i++)
        bad += memcmp(&ref[i], &got[i], sizeof(float)) != 0;
    printf("variant %d n %d %zux%zu dims %zu glyph %zu: status %d, %zu pixels differ\n",
           (int)variant, n, w, h, dims, g, (int)st, bad);
    vl_hog_delete(hog);
    free(desc);
    free(ref);
    free(got);
    return st == HK_OK && bad == 0 && g == HK_GLYPH_SIZE;
}

int main(void)
{
    int ok = 1;
    ok &= run(VlHogVariantUoctti, 9, 7, 5, 0);
    ok &= run(VlHogVariantUoctti, 9, 1, 1, 1);
    ok &= run(VlHogVariantUoctti, 4, 6, 3, 1);
    ok &= run(VlHogVariantUoctti, 13, 3, 8, 0);
    ok &= run(VlHogVariantDalalTriggs, 9, 5, 4, 0);
    ok &= run(VlHogVariantDalalTriggs, 6, 4, 7, 1);
    ok &= run(VlHogVariantDalalTriggs, 4, 3, 3, 1); /* 16-D, like UoCTTI n = 4 */
    ok &= run(VlHogVariantUoctti, 1, 2, 2, 1);
    ok &= run(VlHogVariantUoctti, 2, 2, 3, 0);
    return ok ? 0 : 1;
}
