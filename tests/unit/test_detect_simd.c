/* Detection's AVX2 kernels against their scalar references, bit for bit:
 * the INTER_LINEAR_EXACT resize (down and up, 1 to 3 channels, odd sizes,
 * row strides with slack) and the window scores (OpenCV's lane order, any
 * number of windows per row). Runs only where the CPU has AVX2. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detect/detector.h"
#include "detect/level.h"
#include "detect/resize.h"

static uint32_t rng = 777;
static uint8_t rnd8(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (uint8_t)(rng >> 24);
}

static void resize_case(int sw, int sh, int dw, int dh, int cn)
{
    size_t stride = (size_t)sw * cn + 5; /* slack after each row */
    /* the source ends exactly at its last pixel: over-reads would show in ASan */
    size_t n = stride * (sh - 1) + (size_t)sw * cn;
    uint8_t *src = malloc(n);
    for (size_t i = 0; i < n; i++)
        src[i] = rnd8();
    size_t out = (size_t)dw * dh * cn;
    uint8_t *a = malloc(out), *b = malloc(out);
    void *scr = aligned_alloc(32, (hk__resize_scratch(sw, dw, dh, cn) + 31) & ~(size_t)31);
    hk__resize_u8(src, sw, sh, stride, cn, a, dw, dh, scr);
    hk__resize_u8_avx2(src, sw, sh, stride, cn, b, dw, dh, scr);
    int same = memcmp(a, b, out) == 0;
    if (!same)
        fprintf(stderr, "resize %dx%d -> %dx%d cn %d differs\n", sw, sh, dw, dh, cn);
    CHECK(same);
    free(src);
    free(a);
    free(b);
    free(scr);
}

static void resize_avx2_equals_scalar(void)
{
    static const int sizes[][4] = {{768, 576, 731, 549}, {768, 576, 697, 522}, {768, 576, 64, 128},
                                   {100, 37, 95, 35},   {37, 23, 20, 11},     {9, 7, 31, 29},
                                   {1, 1, 8, 8},        {64, 128, 64, 128},   {300, 200, 17, 3}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int cn = 1; cn <= 3; cn++)
            resize_case(sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3], cn);
    /* the pyramid of a 768x576 frame (scale 1.05), as detection runs it */
    double s = 1.0;
    for (int l = 0; l < 40; l++, s *= 1.05) {
        int dw = (int)(768 / s + 0.5), dh = (int)(576 / s + 0.5);
        if (dw < 64 || dh < 128)
            break;
        resize_case(768, 576, dw, dh, 3);
    }
}

/* Window scores over a random planar block grid of nbx x nby blocks. */
static void scores_case(const hk_detector *det, int nbx, int nby, int wstride)
{
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    dp.win_stride_x = dp.win_stride_y = wstride;
    hk_level_plan p;
    CHECK(hk__plan_init(&p, det, &dp) == HK_OK);
    size_t plane = (size_t)nbx * nby + 16;
    float *planes = calloc(plane * p.hist, sizeof *planes);
    for (int k = 0; k < p.hist; k++)
        for (size_t i = 0; i < (size_t)nbx * nby; i++)
            planes[k * plane + i] = (float)rnd8() / 255.f * (rnd8() < 40 ? 0.f : 1.f);
    int nwx = (nbx - (p.nbx_w - 1) * p.bkx - 1) / p.wkx + 1;
    int nwy = (nby - (p.nby_w - 1) * p.bky - 1) / p.wky + 1;
    double *a = malloc(sizeof(double) * nwx * nwy), *b = malloc(sizeof(double) * nwx * nwy);
    hk__score_rows_scalar(&p, planes, plane, nbx, 0, nwy, nwx, a);
    if (p.wkx == 1)
        hk__score_rows_avx2(&p, planes, plane, nbx, 0, nwy, nwx, b);
    else
        memcpy(b, a, sizeof(double) * nwx * nwy);
    int same = memcmp(a, b, sizeof(double) * nwx * nwy) == 0;
    if (!same)
        fprintf(stderr, "scores %dx%d blocks differ\n", nbx, nby);
    CHECK(same);
    free(a);
    free(b);
    free(planes);
    hk__plan_free(&p);
}

static void scores_avx2_equal_scalar(void)
{
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    size_t len = 3780;
    float *c = malloc((len + 1) * sizeof *c);
    for (size_t i = 0; i <= len; i++)
        c[i] = (float)((int)(rnd8() % 200) - 100) / 997.f;
    hk_detector *det = NULL;
    CHECK(hk_detector_new(&hp.opencv, c, len + 1, &det) == HK_OK);
    /* window rows of 1, 15, 16, 17, 40 and 89 windows */
    static const int nb[][2] = {{7, 15}, {21, 16}, {22, 17}, {23, 20}, {46, 15}, {95, 71}};
    for (size_t i = 0; i < sizeof nb / sizeof nb[0]; i++)
        scores_case(det, nb[i][0], nb[i][1], 8);
    hk_detector_free(det);
    /* a geometry whose block has a length not a multiple of 4 (3 bins) */
    hp.opencv.nbins = 3;
    len = 7 * 15 * 12;
    c = realloc(c, (len + 1) * sizeof *c);
    for (size_t i = 0; i <= len; i++)
        c[i] = (float)((int)(rnd8() % 200) - 100) / 991.f;
    CHECK(hk_detector_new(&hp.opencv, c, len + 1, &det) == HK_OK);
    scores_case(det, 30, 19, 8);
    hk_detector_free(det);
    free(c);
}

int main(void)
{
    if (!hk__cpu_has_avx2()) {
        printf("test_detect_simd: no AVX2, nothing to compare\n");
        return check_report("test_detect_simd");
    }
    resize_avx2_equals_scalar();
    scores_avx2_equal_scalar();
    return check_report("test_detect_simd");
}
