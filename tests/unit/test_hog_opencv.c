/* Unit tests of the OpenCV variant's kernels: fast atan, the two-bin votes,
 * reflect-101, OpenCV's L2-Hys, geometry, and the public entry points'
 * argument handling. The differential test against the real cv2 lives in
 * tests/python/test_opencv_diff.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"
#include "hog/opencv.h"

static const double PI = 3.14159265358979323846;

static void test_fast_atan(void)
{
    /* the axes and diagonals come out exact */
    CHECK(hk_ocv_fast_atan_deg(0.f, 1.f) == 0.f);
    CHECK(hk_ocv_fast_atan_deg(1.f, 0.f) == 90.f);
    CHECK(hk_ocv_fast_atan_deg(0.f, -1.f) == 180.f);
    CHECK(hk_ocv_fast_atan_deg(-1.f, 0.f) == 270.f);
    CHECK(hk_ocv_fast_atan_deg(0.f, 0.f) == 0.f); /* 0/(0+eps): no NaN */
    /* -0 is not negative: a zero difference never flips the quadrant */
    CHECK(hk_ocv_fast_atan_deg(-0.f, 3.f) == 0.f);
    /* within OpenCV's stated accuracy of libm atan2 (about 0.01 degrees)
     * everywhere, and range [0, 360) */
    double worst = 0;
    for (int dy = -40; dy <= 40; dy++)
        for (int dx = -40; dx <= 40; dx++) {
            float a = hk_ocv_fast_atan_deg((float)dy, (float)dx);
            CHECK(a >= 0.f && a <= 360.f);
            if (dx == 0 && dy == 0)
                continue;
            double ref = atan2((double)dy, (double)dx) * 180.0 / PI;
            if (ref < 0)
                ref += 360.0;
            double d = fabs(a - ref);
            if (d > 180)
                d = 360 - d;
            if (d > worst)
                worst = d;
        }
    CHECK(worst < 0.01);
    CHECK(worst > 1e-4); /* it is the polynomial, not libm */
    /* mirror symmetries hold exactly: the polynomial is evaluated on |y|,|x| */
    float a = hk_ocv_fast_atan_deg(3.f, 7.f);
    CHECK(hk_ocv_fast_atan_deg(3.f, -7.f) == 180.f - a);
    CHECK(hk_ocv_fast_atan_deg(-3.f, 7.f) == 360.f - a);
}

static void test_bins(void)
{
    const int n = 9;
    const float su = (float)(n / PI), ss = (float)(n / (2 * PI));
    int b0, b1;
    float w0, w1;
    /* a horizontal gradient splits 50/50 between the last and first bins,
     * because bin centres are at (k + 0.5) * 180/n */
    hk_ocv_bin(2.f, 0.f, su, n, &b0, &b1, &w0, &w1);
    CHECK(b0 == 8 && b1 == 0);
    CHECK(w0 == 1.f && w1 == 1.f);
    /* at a bin centre all the weight goes to that bin */
    for (int k = 0; k < n; k++) {
        float ang = (float)((k + 0.5) * PI / n);
        hk_ocv_bin(1.f, ang, su, n, &b0, &b1, &w0, &w1);
        CHECK(b0 == k || (b0 == (k + n - 1) % n && w1 > 0.9999f));
        CHECK_NEAR(b0 == k ? w0 : w1, 1.0, 1e-5);
        CHECK(b1 == (b0 + 1) % n);
    }
    /* unsigned: theta and theta + 180 degrees vote the same */
    for (int d = 0; d < 180; d += 7) {
        int c0, c1;
        float v0, v1;
        hk_ocv_bin(1.f, (float)(d * PI / 180), su, n, &b0, &b1, &w0, &w1);
        hk_ocv_bin(1.f, (float)((d + 180) * PI / 180), su, n, &c0, &c1, &v0, &v1);
        CHECK(b0 == c0 && b1 == c1);
        CHECK_NEAR(w0, v0, 1e-5);
    }
    /* signed: bins 40 degrees wide centred at 20, 60, ..., 340; 270 degrees
     * is a quarter of the way from 260 (bin 6) to 300 (bin 7) */
    hk_ocv_bin(1.f, (float)(270 * PI / 180), ss, n, &b0, &b1, &w0, &w1);
    CHECK(b0 == 6 && b1 == 7);
    CHECK_NEAR(w1, 0.25, 1e-5);
    /* just below 360 wraps into the last/first pair */
    hk_ocv_bin(1.f, 6.2831850f, ss, n, &b0, &b1, &w0, &w1);
    CHECK(b0 == 8 && b1 == 0);
    /* votes always sum to the magnitude */
    for (int d = 0; d < 360; d += 13) {
        hk_ocv_bin(5.f, (float)(d * PI / 180), su, 12, &b0, &b1, &w0, &w1);
        CHECK(b0 >= 0 && b0 < 12 && b1 == (b0 + 1) % 12);
        CHECK_NEAR(w0 + w1, 5.0, 1e-5);
    }
}

static void test_reflect(void)
{
    /* BORDER_REFLECT_101: ... 2 1 | 0 1 2 3 4 | 3 2 ... */
    CHECK(hk_ocv_reflect101(-1, 5) == 1);
    CHECK(hk_ocv_reflect101(-2, 5) == 2);
    CHECK(hk_ocv_reflect101(5, 5) == 3);
    CHECK(hk_ocv_reflect101(6, 5) == 2);
    CHECK(hk_ocv_reflect101(3, 5) == 3);
    /* wider than the image: keeps reflecting */
    CHECK(hk_ocv_reflect101(-9, 5) == 1);
    CHECK(hk_ocv_reflect101(13, 5) == 3);
    CHECK(hk_ocv_reflect101(-7, 1) == 0);
    CHECK(hk_ocv_reflect101(-1, 2) == 1 && hk_ocv_reflect101(2, 2) == 0);
}

static void test_normalize(void)
{
    /* against a double-precision reading of the same rule */
    float h[36];
    double d[36], s = 0;
    for (int i = 0; i < 36; i++) {
        h[i] = (float)((i * 37 % 11) * 0.7 + (i == 5 ? 40 : 0));
        d[i] = h[i];
        s += d[i] * d[i];
    }
    hk_ocv_normalize_block(h, 36, 0.2f);
    double sc = 1 / (sqrt(s) + 3.6), s2 = 0;
    for (int i = 0; i < 36; i++) {
        d[i] = fmin(d[i] * sc, 0.2);
        s2 += d[i] * d[i];
    }
    for (int i = 0; i < 36; i++)
        CHECK_NEAR(h[i], d[i] / (sqrt(s2) + 1e-3), 1e-6);
    /* a zero block stays zero (no NaN) */
    float z[9] = {0};
    hk_ocv_normalize_block(z, 9, 0.2f);
    for (int i = 0; i < 9; i++)
        CHECK(z[i] == 0.f);
}

static void test_geometry(void)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    hk_ocv_geometry g;
    CHECK(hk_ocv_geometry_init(&p.opencv, 64, 128, &g) == HK_OK);
    CHECK(g.desc_len == 3780 && g.nwin_x == 1 && g.nwin_y == 1);
    CHECK(g.grid_x == 7 && g.grid_y == 15);
    /* 125 rows: OpenCV would make one window reading outside the image */
    CHECK(hk_ocv_geometry_init(&p.opencv, 64, 125, &g) == HK_ERR_TOO_SMALL);
    p.opencv.pad_y = 2; /* rounded to 8: 141 rows */
    CHECK(hk_ocv_geometry_init(&p.opencv, 64, 125, &g) == HK_OK);
    CHECK(g.pad_y == 8 && g.nwin_y == 2 && g.nwin_x == 1);
    /* alignSize's power-of-two mask with cache stride 3: 2 -> 4 */
    p.opencv.win_stride_x = 9;
    p.opencv.win_stride_y = 8;
    p.opencv.block_stride_x = 6;
    p.opencv.block_width = 12;
    p.opencv.cell_width = 6;
    p.opencv.win_width = 48;
    p.opencv.pad_x = 2;
    CHECK(hk_ocv_params_check(&p.opencv) == HK_OK);
    CHECK(hk_ocv_geometry_init(&p.opencv, 100, 130, &g) == HK_OK);
    CHECK(g.cs_x == 3 && g.pad_x == 4);

    size_t d = 0;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    CHECK(hk_opencv_descriptor_size(&p.opencv, &d) == HK_OK && d == 3780);
    p.opencv.block_width = 12; /* not a multiple of the cell */
    CHECK(hk_opencv_descriptor_size(&p.opencv, &d) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv.win_width = 72; /* (72 - 16) % 8 == 0: fine */
    CHECK(hk_hog_params_check(&p) == HK_OK);
    p.opencv.block_stride_x = 16; /* 56 % 16 != 0 */
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv.win_stride_x = 8; /* only one of the two */
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv.nbins = 257;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv.block_width = p.opencv.block_height = 4096; /* 4096^2 cells x 256 bins */
    p.opencv.win_width = p.opencv.win_height = 4096;
    p.opencv.cell_width = p.opencv.cell_height = 1;
    p.opencv.nbins = 256;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv.l2hys_threshold = NAN;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
}

/* The public calls on a small synthetic image: shapes, errors, and windows
 * computed through locations equal the windows of the full extract. */
static void test_public(void)
{
    enum { W = 80, H = 136 };
    static uint8_t px[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        px[i] = (uint8_t)((i * 2654435761u) >> 24);
    hk_image im = {W, H, 3, HK_U8, W * 3, px};
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv.win_stride_x = 8;
    p.opencv.win_stride_y = 8;
    hk_shape s;
    CHECK(hk_hog_shape(&p, W, H, 3, &s) == HK_OK);
    CHECK(s.ndim == 1 && s.count == 3 * 2 * 3780 && s.dims[0] == s.count);
    CHECK(hk_hog_shape(&p, W, H, 4, &s) == HK_ERR_UNSUPPORTED);
    CHECK(hk_hog_shape(&p, W, 120, 1, &s) == HK_ERR_TOO_SMALL);

    float *all = malloc(3 * 2 * 3780 * sizeof(float));
    float *loc = malloc(4 * 3780 * sizeof(float));
    CHECK(all && loc);
    if (!all || !loc)
        goto out;
    CHECK(hk_hog_extract(NULL, &p, &im, all, 3780) == HK_ERR_BUFFER_TOO_SMALL);
    /* compute(locations) runs the scalar path: compared with it exactly
     * (tests/unit/test_opencv_simd.c compares the paths) */
    p.simd = HK_SIMD_SCALAR;
    CHECK(hk_hog_extract(NULL, &p, &im, all, 6 * 3780) == HK_OK);
    int32_t xy[8] = {8, 8, 0, 0, 16, 0, 17, 0}; /* last: outside (80 - 64 = 16) */
    CHECK(hk_opencv_compute_locations(NULL, &p, &im, xy, 4, loc, 4 * 3780 - 1) ==
          HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_opencv_compute_locations(NULL, &p, &im, xy, 4, loc, 4 * 3780) == HK_OK);
    CHECK(memcmp(loc, all + 4 * 3780, 3780 * sizeof(float)) == 0);      /* (1, 1) */
    CHECK(memcmp(loc + 3780, all, 3780 * sizeof(float)) == 0);         /* (0, 0) */
    CHECK(memcmp(loc + 2 * 3780, all + 2 * 3780, 3780 * sizeof(float)) == 0);
    int zeros = 1;
    for (int i = 0; i < 3780; i++)
        zeros &= loc[3 * 3780 + i] == 0.f;
    CHECK(zeros);

    /* 8-bit only, like CV_8UC1 / CV_8UC3 */
    static uint16_t px16[W * H];
    hk_image im16 = {W, H, 1, HK_U16, W * 2, px16};
    CHECK(hk_hog_extract(NULL, &p, &im16, all, 6 * 3780) == HK_ERR_UNSUPPORTED);
    CHECK(hk_opencv_compute_locations(NULL, &p, &im16, xy, 1, loc, 3780) == HK_ERR_UNSUPPORTED);
    hk_hog_params sk;
    hk_hog_params_default(&sk, HK_VARIANT_SKIMAGE);
    CHECK(hk_opencv_compute_locations(NULL, &sk, &im, xy, 1, loc, 3780) == HK_ERR_INVALID_ARG);

    /* cvtColor's fixed-point grey */
    uint8_t rgb[6] = {255, 0, 0, 10, 200, 30}, grey[2];
    hk_image c = {2, 1, 3, HK_U8, 6, rgb}, g;
    CHECK(hk_image_rgb2gray_u8(&c, grey, 1, &g) == HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_image_rgb2gray_u8(&c, grey, 2, &g) == HK_OK);
    CHECK(g.channels == 1 && g.type == HK_U8 && g.width == 2);
    CHECK(grey[0] == (255 * 9798 + 16384) >> 15);
    CHECK(grey[1] == (10 * 9798 + 200 * 19235 + 30 * 3735 + 16384) >> 15);
out:
    free(all);
    free(loc);
}

/* The detector's view: windows read from the block grid equal the windows
 * of hk_hog_extract, including strides that are not multiples of the block
 * stride (grid step gcd = 3) and padding. */
static void test_grid_views(void)
{
    enum { W = 97, H = 83 };
    static uint8_t px[W * H];
    for (int i = 0; i < W * H; i++)
        px[i] = (uint8_t)((i * 40503u) >> 7);
    hk_image im = {W, H, 1, HK_U8, W, px};
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    hk_opencv_params *o = &p.opencv;
    o->win_width = 48;
    o->win_height = 36;
    o->block_width = o->block_height = 12;
    o->block_stride_x = o->block_stride_y = 6;
    o->cell_width = o->cell_height = 6;
    o->win_stride_x = 9;
    o->win_stride_y = 12;
    o->pad_x = 2;
    o->pad_y = 5;
    hk_ocv_geometry g;
    CHECK(hk_ocv_params_check(o) == HK_OK);
    CHECK(hk_ocv_geometry_init(o, W, H, &g) == HK_OK);
    CHECK(g.cs_x == 3 && g.cs_y == 6);
    size_t grid_n, n = g.nwin_x * g.nwin_y * g.desc_len;
    CHECK(hk_ocv_grid_count(&g, &grid_n) == HK_OK);
    float *grid = malloc(grid_n * sizeof(float)), *all = malloc(n * sizeof(float)),
          *win = malloc(g.desc_len * sizeof(float));
    hk_hog_ctx *ctx = NULL;
    CHECK(grid && all && win && hk_hog_ctx_new(&ctx) == HK_OK);
    if (grid && all && win && ctx) {
        p.simd = HK_SIMD_SCALAR; /* hk_ocv_block_grid is the scalar path */
        CHECK(hk_hog_extract(ctx, &p, &im, all, n) == HK_OK);
        CHECK(hk_ocv_block_grid(ctx, &g, &im, grid) == HK_OK);
        int same = 1;
        for (size_t iy = 0; iy < g.nwin_y; iy++)
            for (size_t ix = 0; ix < g.nwin_x; ix++) {
                hk_ocv_window_copy(&g, grid, ix, iy, win);
                same &= memcmp(win, all + (iy * g.nwin_x + ix) * g.desc_len,
                               g.desc_len * sizeof(float)) == 0;
            }
        CHECK(same);
    }
    hk_hog_ctx_free(ctx);
    free(grid);
    free(all);
    free(win);
}

int main(void)
{
    test_grid_views();
    test_fast_atan();
    test_bins();
    test_reflect();
    test_normalize();
    test_geometry();
    test_public();
    return check_report("test_hog_opencv");
}
