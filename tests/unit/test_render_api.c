/* Rendering API: argument checks of hk_skimage_render and
 * hk_hog_glyph_render, and hk_png_write_u8 / hk_npy_write_f64 round trips
 * through the library's own readers. (Pixel values are checked against
 * skimage and VLFeat in tests/python/test_render.py.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hogkit.h"

static void skimage_render_args(void)
{
    uint8_t px[24 * 16];
    for (int i = 0; i < 24 * 16; i++)
        px[i] = (uint8_t)(i * 37 % 251);
    hk_image im = {24, 16, 1, HK_U8, 24, px};
    hk_hog_params p;
    double out[24 * 16];
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    CHECK(hk_skimage_render(&p, &im, out, 24 * 16 - 1) == HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_skimage_render(&p, &im, NULL, 24 * 16) == HK_ERR_INVALID_ARG);
    CHECK(hk_skimage_render(NULL, &im, out, 24 * 16) == HK_ERR_INVALID_ARG);
    CHECK(hk_skimage_render(&p, &im, out, 24 * 16) == HK_OK);
    double sum = 0;
    for (int i = 0; i < 24 * 16; i++)
        sum += out[i];
    CHECK(sum > 0);
    p.skimage.orientations = 0;
    CHECK(hk_skimage_render(&p, &im, out, 24 * 16) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_MASKFEAT);
    CHECK(hk_skimage_render(&p, &im, out, 24 * 16) == HK_ERR_INVALID_ARG);
    float neg[4] = {-1, 0, 0, 0};
    hk_image fim = {2, 2, 1, HK_F32, 8, neg};
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.skimage.transform_sqrt = 1;
    CHECK(hk_skimage_render(&p, &fim, out, 4) == HK_ERR_DOMAIN);
}

static void glyph_args(void)
{
    float hog[31 * 2 * 3] = {0};
    float *out = malloc(2 * 21 * 3 * 21 * sizeof(float));
    size_t cap = 2 * 21 * 3 * 21;
    CHECK(hk_hog_glyph_render(HK_VARIANT_VLFEAT_UOCTTI, hog, 31, 2, 3, 9, out, cap) == HK_OK);
    CHECK(hk_hog_glyph_render(HK_VARIANT_DLIB, hog, 31, 2, 3, 9, out, cap) == HK_OK);
    CHECK(hk_hog_glyph_render(HK_VARIANT_VLFEAT_DT, hog, 31, 2, 3, 9, out, cap) ==
          HK_ERR_INVALID_ARG);
    CHECK(hk_hog_glyph_render(HK_VARIANT_SKIMAGE, hog, 31, 2, 3, 9, out, cap) ==
          HK_ERR_INVALID_ARG);
    CHECK(hk_hog_glyph_render(HK_VARIANT_VLFEAT_UOCTTI, hog, 31, 2, 3, 9, out, cap - 1) ==
          HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_hog_glyph_render(HK_VARIANT_VLFEAT_UOCTTI, hog, 31, 0, 3, 9, out, cap) ==
          HK_ERR_INVALID_ARG);
    CHECK(hk_hog_glyph_render(HK_VARIANT_VLFEAT_UOCTTI, hog, 31, (size_t)1 << 40,
                              (size_t)1 << 40, 9, out, cap) == HK_ERR_OVERFLOW);
    free(out);
}

static void writers(void)
{
    char dir[] = "/tmp/hk_render_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    uint8_t rgb[16 * 4];
    for (int i = 0; i < 64; i++)
        rgb[i] = (uint8_t)(i * 11);
    snprintf(path, sizeof path, "%s/a.png", dir);
    /* stride 16 > 5 * 3: padding bytes are not written */
    CHECK(hk_png_write_u8(path, rgb, 5, 4, 3, 16) == HK_OK);
    hk_image im;
    CHECK(hk_image_load(path, NULL, &im) == HK_OK);
    CHECK(im.width == 5 && im.height == 4 && im.channels == 3 && im.type == HK_U8);
    int same = 1;
    for (int y = 0; y < 4; y++)
        same &= memcmp((const uint8_t *)im.data + y * im.stride, rgb + y * 16, 15) == 0;
    CHECK(same);
    hk_image_free(&im);
    CHECK(hk_png_write_u8(path, rgb, 5, 4, 3, 14) == HK_ERR_INVALID_ARG);
    CHECK(hk_png_write_u8(path, rgb, 5, 4, 5, 40) == HK_ERR_INVALID_ARG);
    CHECK(hk_png_write_u8(path, rgb, 0, 4, 1, 5) == HK_ERR_INVALID_ARG);
    snprintf(path, sizeof path, "%s/no/such.png", dir);
    CHECK(hk_png_write_u8(path, rgb, 5, 4, 1, 5) == HK_ERR_IO);

    double v[6] = {1.5, -2, 1e-300, 3, 4, 5};
    size_t shape[2] = {2, 3};
    snprintf(path, sizeof path, "%s/a.npy", dir);
    CHECK(hk_npy_write_f64(path, v, shape, 2) == HK_OK);
    CHECK(hk_image_load(path, NULL, &im) == HK_OK);
    CHECK(im.width == 3 && im.height == 2 && im.type == HK_F64);
    CHECK(memcmp(im.data, v, sizeof v) == 0);
    hk_image_free(&im);
    unlink(path);
    snprintf(path, sizeof path, "%s/a.png", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    skimage_render_args();
    glyph_args();
    writers();
    return check_report("test_render_api");
}
