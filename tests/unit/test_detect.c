/* Detection internals: the detector's block grid (separable, streamed, AVX2
 * gradients) against the OpenCV variant's block grid (hk_ocv_block_grid,
 * OpenCV's own per-block PixData algorithm), scalar vs SIMD scores, the
 * resize's fixed points, grouping, and the model parser on damaged input. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detect/detector.h"
#include "detect/group.h"
#include "detect/level.h"
#include "detect/resize.h"
#include "hog/hog_internal.h"
#include "hog/opencv.h"

static uint32_t rng = 12345;
static uint8_t rnd8(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (uint8_t)(rng >> 24);
}

/* A picture with structure (gradients in every direction) plus noise. */
static void make_image(uint8_t *p, int w, int h, int cn)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < cn; c++) {
                int v = ((x * 7 + y * 3 * (c + 1)) % 97) * 2 + ((x / 9 + y / 13) % 2) * 40;
                v += rnd8() % 16;
                p[((size_t)y * w + x) * cn + c] = (uint8_t)(v > 255 ? 255 : v);
            }
}

static hk_detector *make_detector(void)
{
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    size_t len = 3780;
    float *c = malloc((len + 1) * sizeof *c);
    for (size_t i = 0; i <= len; i++)
        c[i] = (float)((int)(rnd8() % 200) - 100) / 1000.f;
    hk_detector *d = NULL;
    CHECK(hk_detector_new(&hp.opencv, c, len + 1, &d) == HK_OK);
    free(c);
    return d;
}

static void grid_vs_opencv_variant(int cn, int pad, int simd)
{
    const int w = 150, h = 170;
    uint8_t *img = malloc((size_t)w * h * cn), *flip = malloc((size_t)w * h * cn);
    make_image(img, w, h, cn);
    /* detection takes RGB (flipped to OpenCV's BGR); the variant takes
     * OpenCV's channel order as is */
    for (size_t i = 0; i < (size_t)w * h; i++)
        for (int c = 0; c < cn; c++)
            flip[i * cn + c] = img[i * cn + (cn == 3 ? 2 - c : 0)];
    hk_detector *det = make_detector();
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    dp.pad_x = dp.pad_y = pad;
    dp.simd = simd ? HK_SIMD_AUTO : HK_SIMD_SCALAR;
    hk_level_plan plan;
    CHECK(hk__plan_init(&plan, det, &dp) == HK_OK);
    hk_level_scratch scr = {0, 0};
    float *grid = NULL;
    int nbx = 0, nby = 0;
    CHECK(hk__level_blocks(&plan, img, w, h, cn, (size_t)w * cn, &scr, &grid, &nbx, &nby) == HK_OK);

    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    hp.opencv.pad_x = hp.opencv.pad_y = pad;
    hp.opencv.win_stride_x = hp.opencv.win_stride_y = 8;
    hk_ocv_geometry g;
    CHECK(hk_ocv_geometry_init(&hp.opencv, (uint32_t)w, (uint32_t)h, &g) == HK_OK);
    size_t count = 0;
    CHECK(hk_ocv_grid_count(&g, &count) == HK_OK);
    float *ref = malloc(count * sizeof *ref);
    hk_hog_ctx *ctx = NULL;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    hk_image im = {(uint32_t)w, (uint32_t)h, (uint32_t)cn, HK_U8, (size_t)w * cn, flip};
    CHECK(hk_ocv_block_grid(ctx, &g, &im, ref) == HK_OK);
    /* the variant's grid stops at the last block a window uses; ours covers
     * the image: compare the common part */
    CHECK((size_t)nbx >= g.grid_x && (size_t)nby >= g.grid_y);
    double maxdiff = 0;
    size_t blen = g.block_len;
    for (size_t j = 0; j < g.grid_y; j++)
        for (size_t i = 0; i < g.grid_x; i++)
            for (size_t k = 0; k < blen; k++) {
                double a = grid[((size_t)j * nbx + i) * blen + k];
                double b = ref[(j * g.grid_x + i) * blen + k];
                if (fabs(a - b) > maxdiff)
                    maxdiff = fabs(a - b);
            }
    /* same arithmetic per pixel, different summation order: float noise */
    CHECK(maxdiff < 2e-6);
    if (!(maxdiff < 2e-6))
        fprintf(stderr, "cn %d pad %d simd %d: max |diff| %g\n", cn, pad, simd, maxdiff);
    hk_hog_ctx_free(ctx);
    free(ref);
    free(grid);
    free(scr.p);
    hk__plan_free(&plan);
    hk_detector_free(det);
    free(img);
    free(flip);
}

static int by_pos(const void *p, const void *q)
{
    const hk_box *a = p, *b = q;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->w != b->w)
        return a->w < b->w ? -1 : 1;
    return a->h < b->h ? -1 : a->h > b->h;
}

/* The AVX2 kernels give the same windows with the same scores (up to the
 * float noise of the histogram summation order). */
static void simd_equals_scalar(void)
{
    const int w = 240, h = 300;
    uint8_t *img = malloc((size_t)w * h * 3);
    make_image(img, w, h, 3);
    hk_detector *det = make_detector();
    hk_image im = {(uint32_t)w, (uint32_t)h, 3, HK_U8, (size_t)w * 3, img};
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    dp.grouping = HK_GROUP_NONE;
    dp.hit_threshold = -1e9; /* every window */
    size_t n1 = 0, n2 = 0;
    hk_status s1 = hk_detector_detect(det, &dp, &im, NULL, 0, &n1);
    CHECK(s1 == HK_ERR_BUFFER_TOO_SMALL && n1 > 100);
    hk_box *a = malloc(n1 * sizeof *a), *b = malloc(n1 * sizeof *b);
    CHECK(hk_detector_detect(det, &dp, &im, a, n1, &n1) == HK_OK);
    dp.simd = HK_SIMD_SCALAR;
    dp.threads = 3;
    CHECK(hk_detector_detect(det, &dp, &im, b, n1, &n2) == HK_OK);
    CHECK(n1 == n2);
    /* the AVX2 histograms sum in another order: equal up to float noise */
    qsort(a, n1, sizeof *a, by_pos);
    qsort(b, n2, sizeof *b, by_pos);
    double maxd = 0;
    int same_pos = 1;
    for (size_t i = 0; i < n1 && i < n2; i++) {
        same_pos &= a[i].x == b[i].x && a[i].y == b[i].y && a[i].w == b[i].w && a[i].h == b[i].h;
        if (fabs(a[i].score - b[i].score) > maxd)
            maxd = fabs(a[i].score - b[i].score);
    }
    CHECK(same_pos);
    CHECK(maxd < 1e-5);
    free(a);
    free(b);
    hk_detector_free(det);
    free(img);
}

static void resize_identity_and_constant(void)
{
    uint8_t src[37 * 23 * 3], dst[20 * 11 * 3];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = 77;
    void *scr = malloc(hk__resize_scratch(37, 20, 11, 3));
    hk__resize_u8(src, 37, 23, 37 * 3, 3, dst, 20, 11, scr);
    int ok = 1;
    for (size_t i = 0; i < sizeof dst; i++)
        ok &= dst[i] == 77;
    CHECK(ok);
    free(scr);
}

static void grouping(void)
{
    hk_cand c[4] = {{10, 10, 64, 128, 1.0, 1}, {12, 10, 64, 128, 2.0, 1}, {11, 12, 64, 128, 0.5, 1},
                    {300, 300, 64, 128, 3.0, 1}};
    hk_box out[4];
    hk_status st;
    size_t n = hk__group_opencv(c, 4, 2, 0.2, out, &st);
    CHECK(st == HK_OK && n == 1);
    CHECK(out[0].x == 11 && out[0].y == 11 && out[0].w == 64 && out[0].h == 128);
    CHECK(out[0].score == 2.0);
    n = hk__group_opencv(c, 4, 1, 0.2, out, &st);
    CHECK(n == 1); /* the lone box needs more than one member */
    n = hk__group_nms(c, 4, 0.5, out, &st);
    CHECK(n == 2 && out[0].score == 3.0 && out[1].score == 2.0);
    hk_box b[2] = {{-5, -5, 20, 20, 1}, {1000, 0, 5, 5, 1}};
    CHECK(hk__clip_boxes(b, 2, 100, 100) == 1 && b[0].x == 0 && b[0].w == 15);
}

static void parser_damage(void)
{
    const char *ok_yml =
        "%YAML:1.0\n---\nd: !!opencv-object-detector-hog\n   winSize: [ 16, 16 ]\n"
        "   blockSize: [ 16, 16 ]\n   blockStride: [ 8, 8 ]\n   cellSize: [ 8, 8 ]\n"
        "   nbins: 2\n   derivAperture: 1\n   winSigma: 4.\n   histogramNormType: 0\n"
        "   L2HysThreshold: 2.0000000000000001e-01\n   gammaCorrection: 1\n   nlevels: 64\n"
        "   signedGradient: 0\n   SVMDetector: [ 1, 2, 3, 4, 5, 6, 7, 8, -1.5 ]\n";
    hk_detector *d = NULL;
    CHECK(hk_detector_parse(ok_yml, strlen(ok_yml), NULL, &d) == HK_OK);
    size_t n = 0;
    CHECK(d && hk_detector_info(d, NULL, NULL, &n) == HK_OK && n == 9);
    hk_detector_free(d);
    /* every prefix is rejected cleanly (and never read past its end) */
    size_t len = strlen(ok_yml);
    int bad = 0;
    for (size_t k = 0; k < len - 3; k++) {
        char *copy = malloc(k ? k : 1);
        memcpy(copy, ok_yml, k);
        d = NULL;
        if (hk_detector_parse(copy, k, NULL, &d) == HK_OK)
            bad++;
        hk_detector_free(d);
        free(copy);
    }
    CHECK(bad == 0);
    /* limits apply before allocation */
    hk_detector_limits lim;
    hk_detector_limits_default(&lim);
    lim.max_coefficients = 4;
    CHECK(hk_detector_parse(ok_yml, len, &lim, &d) == HK_ERR_LIMIT);
    lim.max_coefficients = 1000;
    lim.max_file_bytes = 10;
    CHECK(hk_detector_parse(ok_yml, len, &lim, &d) == HK_ERR_LIMIT);
    /* random byte damage never crashes */
    char *m = malloc(len);
    for (int t = 0; t < 2000; t++) {
        memcpy(m, ok_yml, len);
        for (int e = 0; e < 3; e++)
            m[rnd8() % len] = (char)rnd8();
        d = NULL;
        hk_detector_parse(m, len, NULL, &d);
        hk_detector_free(d);
    }
    free(m);
}

int main(void)
{
    grid_vs_opencv_variant(1, 0, 0);
    grid_vs_opencv_variant(3, 0, 0);
    grid_vs_opencv_variant(3, 8, 1);
    grid_vs_opencv_variant(1, 16, 1);
    simd_equals_scalar();
    resize_identity_and_constant();
    grouping();
    parser_damage();
    return check_report("test_detect");
}
