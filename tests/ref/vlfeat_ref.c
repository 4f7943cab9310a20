/* Reference driver for the differential tests: runs the real VLFeat
 * (libvl, vl_hog_*) on a float32 planar image read from a raw file.
 *   vlfeat_ref dt|uoctti N BILINEAR CELL W H C IN.f32 OUT.f32
 *     writes the features as VLFeat stores them and prints "D H W";
 *   vlfeat_ref perm dt|uoctti N
 *     prints vl_hog_get_permutation, one entry per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vl/hog.h>

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "perm") == 0) {
        VlHog *h = vl_hog_new(strcmp(argv[2], "uoctti") == 0 ? VlHogVariantUoctti
                                                             : VlHogVariantDalalTriggs,
                              (vl_size)atol(argv[3]), VL_FALSE);
        const vl_index *p = vl_hog_get_permutation(h);
        for (vl_size i = 0; i < vl_hog_get_dimension(h); i++)
            printf("%lld\n", (long long)p[i]);
        vl_hog_delete(h);
        return 0;
    }
    if (argc != 10) {
        fprintf(stderr, "usage: vlfeat_ref dt|uoctti N BILINEAR CELL W H C IN OUT\n");
        return 2;
    }
    VlHogVariant variant = strcmp(argv[1], "uoctti") == 0 ? VlHogVariantUoctti
                                                          : VlHogVariantDalalTriggs;
    vl_size n = (vl_size)atol(argv[2]), cell = (vl_size)atol(argv[4]);
    vl_size w = (vl_size)atol(argv[5]), h = (vl_size)atol(argv[6]), c = (vl_size)atol(argv[7]);
    float *im = malloc(w * h * c * sizeof(float));
    FILE *f = fopen(argv[8], "rb");
    if (!im || !f || fread(im, sizeof(float), w * h * c, f) != w * h * c)
        return 1;
    fclose(f);
    VlHog *hog = vl_hog_new(variant, n, VL_FALSE);
    vl_hog_set_use_bilinear_orientation_assignments(hog, atoi(argv[3]) != 0);
    vl_hog_put_image(hog, im, w, h, c, cell);
    vl_size hw = vl_hog_get_width(hog), hh = vl_hog_get_height(hog), d = vl_hog_get_dimension(hog);
    float *out = malloc(hw * hh * d * sizeof(float) + 1);
    vl_hog_extract(hog, out);
    f = fopen(argv[9], "wb");
    if (!out || !f || fwrite(out, sizeof(float), hw * hh * d, f) != hw * hh * d)
        return 1;
    fclose(f);
    printf("%zu %zu %zu\n", (size_t)d, (size_t)hh, (size_t)hw);
    vl_hog_delete(hog);
    free(out);
    free(im);
    return 0;
}
