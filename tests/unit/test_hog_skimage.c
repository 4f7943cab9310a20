/* Unit tests of the scikit-image variant, stage by stage: binning edges,
 * NumPy's remainder, block norms, cell sums and shapes. The differential test
 * against the real skimage lives in tests/python/test_skimage_diff.py. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"
#include "hog/skimage_bins.h"

static void test_binning(void)
{
    CHECK(hk_skimage_bin(0.0, 9) == 0);
    CHECK(hk_skimage_bin(19.999, 9) == 0);
    CHECK(hk_skimage_bin(20.0, 9) == 1);
    CHECK(hk_skimage_bin(179.9999, 9) == 8);
    CHECK(hk_skimage_bin(180.0, 9) == -1); /* the reference drops it */
    /* 45 and 90 are bin edges with 8 orientations: the upper bin takes them */
    CHECK(hk_skimage_bin(hk_skimage_angle(1, 1), 8) == 2);
    CHECK(hk_skimage_bin(hk_skimage_angle(5, 0), 8) == 4);
    CHECK(hk_skimage_bin(hk_skimage_angle(-3, 3), 8) == 6);   /* -45 -> 135 */
    CHECK(hk_skimage_bin(hk_skimage_angle(0, -2), 8) == 0);   /* 180 -> 0 */
    CHECK(hk_skimage_bin(hk_skimage_angle(-0.0, 1), 8) == 0); /* -0 -> +0 */
    /* a tiny negative row gradient gives exactly 180: no bin */
    CHECK(hk_skimage_angle(-1e-300, 1.0) == 180.0);
    CHECK(hk_skimage_bin(hk_skimage_angle(-1e-300, 1.0), 9) == -1);
    /* 1 orientation: everything below 180 in bin 0 */
    CHECK(hk_skimage_bin(hk_skimage_angle(3, -1), 1) == 0);
    CHECK(hk_numpy_mod(-90.0, 180.0) == 90.0);
    CHECK(hk_numpy_mod(-180.0, 180.0) == 0.0 && !signbit(hk_numpy_mod(-180.0, 180.0)));
}

static void test_norms(void)
{
    double v[4] = {1, 2, 3, 4}, w[4];
    memcpy(w, v, sizeof(v));
    hk_skimage_normalize_block(w, 4, HK_NORM_L1);
    CHECK_NEAR(w[3], 4 / (10 + 1e-5), 1e-15);
    memcpy(w, v, sizeof(v));
    hk_skimage_normalize_block(w, 4, HK_NORM_L1_SQRT);
    CHECK_NEAR(w[1], sqrt(2 / (10 + 1e-5)), 1e-15);
    memcpy(w, v, sizeof(v));
    hk_skimage_normalize_block(w, 4, HK_NORM_L2);
    CHECK_NEAR(w[2], 3 / sqrt(30 + 1e-10), 1e-15);
    /* L2-Hys: clip at 0.2 after L2, then L2 again */
    memcpy(w, v, sizeof(v));
    hk_skimage_normalize_block(w, 4, HK_NORM_L2_HYS);
    double n1 = sqrt(30 + 1e-10), c[4], s = 0;
    for (int i = 0; i < 4; i++) {
        c[i] = fmin(v[i] / n1, 0.2);
        s += c[i] * c[i];
    }
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(w[i], c[i] / sqrt(s + 1e-10), 1e-15);
    double z[3] = {0, 0, 0};
    hk_skimage_normalize_block(z, 3, HK_NORM_L2_HYS);
    CHECK(z[0] == 0 && z[1] == 0 && z[2] == 0);
}

static hk_image view(const void *data, uint32_t w, uint32_t h, uint32_t ch, hk_sample_type t)
{
    hk_image im = {w, h, ch, t, (size_t)w * ch * hk_sample_size(t), data};
    return im;
}

static void test_shapes(void)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    hk_shape s;
    CHECK(hk_hog_shape(&p, 64, 128, 1, &s) == HK_OK);
    CHECK(s.ndim == 5 && s.dims[0] == 14 && s.dims[1] == 6 && s.count == 14 * 6 * 81);
    CHECK(hk_hog_shape(&p, 23, 23, 1, &s) == HK_OK && s.count == 0);
    CHECK(hk_hog_shape(&p, 7, 7, 1, &s) == HK_ERR_TOO_SMALL);
    CHECK(hk_hog_shape(&p, 0, 7, 1, &s) == HK_ERR_INVALID_ARG);
    p.skimage.orientations = 0;
    CHECK(hk_hog_shape(&p, 64, 64, 1, &s) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.skimage.block_norm = (hk_block_norm)7;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
}

/* A horizontal ramp I = 3x: g_col = 6 inside, 0 on the first and last column,
 * g_row = 0: every vote is bin 0, so each 4x4 cell holds sum(mag)/16. */
static void test_ramp_cells(void)
{
    enum { W = 8, H = 8 };
    uint8_t px[H][W];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            px[y][x] = (uint8_t)(3 * x);
    hk_image im = view(px, W, H, 1, HK_U8);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.skimage.cell_rows = p.skimage.cell_cols = 4;
    p.skimage.block_rows = p.skimage.block_cols = 1;
    p.skimage.orientations = 4;
    p.skimage.block_norm = HK_NORM_L1;
    float out[2 * 2 * 4];
    CHECK(hk_hog_extract(NULL, &p, &im, out, 16) == HK_OK);
    /* left cells: column 0 votes 0, columns 1..3 vote 6 -> 4 rows * 18 / 16 */
    double left = 4 * 18 / 16.0, right = 4 * 18 / 16.0;
    CHECK_NEAR(out[0], left / (left + 1e-5), 1e-7);
    CHECK_NEAR(out[4], right / (right + 1e-5), 1e-7);
    for (int b = 1; b < 4; b++)
        CHECK(out[b] == 0 && out[4 + b] == 0);
    /* buffer too small, NaN input, sqrt of negative */
    CHECK(hk_hog_extract(NULL, &p, &im, out, 15) == HK_ERR_BUFFER_TOO_SMALL);
    float f[H][W];
    memset(f, 0, sizeof(f));
    f[3][3] = NAN;
    hk_image fi = view(f, W, H, 1, HK_F32);
    CHECK(hk_hog_extract(NULL, &p, &fi, out, 16) == HK_ERR_NONFINITE);
    f[3][3] = -1;
    p.skimage.transform_sqrt = 1;
    CHECK(hk_hog_extract(NULL, &p, &fi, out, 16) == HK_ERR_DOMAIN);
}

/* Colour: the channel with the larger gradient is used, the first on ties. */
static void test_colour_choice(void)
{
    enum { W = 8, H = 8 };
    uint8_t px[H][W][2];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            px[y][x][0] = (uint8_t)(2 * x); /* horizontal, weak */
            px[y][x][1] = (uint8_t)(5 * y); /* vertical, strong */
        }
    hk_image im = view(px, W, H, 2, HK_U8);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.skimage.cell_rows = p.skimage.cell_cols = 8;
    p.skimage.block_rows = p.skimage.block_cols = 1;
    p.skimage.orientations = 2; /* bin 0: [0,90), bin 1: [90,180) */
    p.skimage.block_norm = HK_NORM_L1;
    float out[2];
    CHECK(hk_hog_extract(NULL, &p, &im, out, 2) == HK_OK);
    /* rows 1..6: channel 1 wins (|g_row| 10 > |g_col| <= 4), angle 90 -> bin 1;
     * rows 0 and 7 have g_row = 0, so channel 0 wins there (g_col 4 in columns
     * 1..6) -> bin 0 */
    double b0 = 2 * 6 * 4 / 64.0, b1 = 6 * 8 * 10 / 64.0;
    CHECK_NEAR(out[0], b0 / (b0 + b1 + 1e-5), 1e-7);
    CHECK_NEAR(out[1], b1 / (b0 + b1 + 1e-5), 1e-7);
}

int main(void)
{
    test_binning();
    test_norms();
    test_shapes();
    test_ramp_cells();
    test_colour_choice();
    return check_report("test_hog_skimage");
}
