/* Detection's AVX2 kernels against their scalar references, bit for bit:
 * the INTER_LINEAR_EXACT resize (down and up, 1 to 3 channels, odd sizes,
 * row strides with slack), the gamma rows and gradients (bins and votes),
 * and the window scores (OpenCV's lane order, any number of windows per
 * row). Runs only where the CPU has AVX2 (and FMA for the gradients). */
#include <math.h>
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

static int reflect101(int p, int len)
{
    if (p < 0)
        return -p;
    if (p >= len)
        return 2 * len - 2 - p;
    return p;
}

/* Gradients of every row of a w x h picture without padding, AVX2 (from
 * AVX2 gamma rows) against the scalar reference. */
static void grad_case(const hk_detector *det, int w, int h, int cn, int gamma)
{
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    hk_level_plan p;
    CHECK(hk__plan_init(&p, det, &dp) == HK_OK);
    for (int i = 0; i < 256; i++)
        p.lut[i] = gamma ? sqrtf((float)i) : (float)i;
    uint8_t *img = malloc((size_t)w * h * cn);
    for (size_t i = 0; i < (size_t)w * h * cn; i++)
        img[i] = (i / 7919) % 2 ? rnd8() : (uint8_t)((rnd8() & 3) * 85); /* and channel ties */
    int *xm = malloc(sizeof(int) * (w + 2)), *ym = malloc(sizeof(int) * (h + 2));
    for (int x = -1; x <= w; x++)
        xm[x + 1] = reflect101(x, w);
    for (int y = -1; y <= h; y++)
        ym[y + 1] = reflect101(y, h);
    /* gamma rows y - 1, y, y + 1 of each row: planes with one column each side */
    size_t fw = (size_t)w + 2;
    float *g = malloc(sizeof(float) * fw * 3 * cn);
    size_t n = (size_t)w + 8;
    float *b = malloc(sizeof(float) * n * 8);
    float *dx = b, *dy = b + n, *a0 = b + 2 * n, *a1 = b + 3 * n, *dx2 = b + 4 * n,
          *dy2 = b + 5 * n, *c0 = b + 6 * n, *c1 = b + 7 * n;
    uint8_t *h0 = malloc(n), *h1 = malloc(n);
    int same_gamma = 1, same = 1;
    for (int y = 0; y < h; y++) {
        const float *rows[3][3];
        for (int r = 0; r < 3; r++) {
            const uint8_t *src = img + (size_t)ym[y + r] * w * cn;
            float *f[3];
            for (int k = 0; k < cn; k++) {
                f[k] = g + ((size_t)r * cn + k) * fw + 1;
                rows[r][k] = f[k];
            }
            hk__gamma_row_avx2(src, w, cn, gamma, p.lut, f);
            for (int x = 0; x < w; x++)
                for (int k = 0; k < cn; k++)
                    same_gamma &= f[k][x] == p.lut[src[(size_t)x * cn + (cn == 3 ? 2 - k : 0)]];
            for (int k = 0; k < cn; k++) {
                int c = cn == 3 ? 2 - k : 0;
                f[k][-1] = p.lut[src[(size_t)xm[0] * cn + c]];
                f[k][w] = p.lut[src[(size_t)xm[w + 1] * cn + c]];
            }
        }
        hk__grad_row_scalar(&p, img, cn, (size_t)w * cn, xm + 1, ym + 1, y, w, dx, dy, h0, a0, a1);
        hk__grad_row_avx2(rows[0], rows[1], rows[2], cn, w, det->hog.nbins,
                          det->hog.signed_gradient, dx2, dy2, h1, c0, c1);
        same &= memcmp(h0, h1, w) == 0 && memcmp(a0, c0, sizeof(float) * w) == 0 &&
                memcmp(a1, c1, sizeof(float) * w) == 0;
    }
    if (!same || !same_gamma)
        fprintf(stderr, "gradients %dx%d cn %d gamma %d differ\n", w, h, cn, gamma);
    CHECK(same_gamma);
    CHECK(same);
    free(img);
    free(xm);
    free(ym);
    free(g);
    free(b);
    free(h0);
    free(h1);
    hk__plan_free(&p);
}

static void grad_avx2_equals_scalar(void)
{
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    size_t len = 3780;
    float *c = calloc(len + 1, sizeof *c);
    hk_detector *det = NULL;
    CHECK(hk_detector_new(&hp.opencv, c, len + 1, &det) == HK_OK);
    static const int sz[][2] = {{64, 20}, {65, 9}, {70, 11}, {77, 6}, {731, 5}, {8, 8}, {13, 7}};
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
        for (int cn = 1; cn <= 3; cn += 2)
            for (int gamma = 0; gamma < 2; gamma++)
                grad_case(det, sz[i][0], sz[i][1], cn, gamma);
    hk_detector_free(det);
    /* signed gradients with 18 bins */
    hp.opencv.nbins = 18;
    hp.opencv.signed_gradient = 1;
    c = realloc(c, (7560 + 1) * sizeof *c);
    memset(c, 0, (7560 + 1) * sizeof *c);
    CHECK(hk_detector_new(&hp.opencv, c, 7561, &det) == HK_OK);
    grad_case(det, 99, 7, 3, 1);
    hk_detector_free(det);
    free(c);
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
    const float **rows = malloc(sizeof(*rows) * (size_t)nby);
    for (int wy = 0; wy < nwy; wy++) {
        for (int r = 0; wy * p.wky + r < nby; r++)
            rows[r] = planes + (size_t)(wy * p.wky + r) * nbx;
        hk__score_row_scalar(&p, rows, plane, nwx, a + (size_t)wy * nwx);
        if (p.wkx == 1)
            hk__score_row_avx2(&p, rows, plane, nwx, b + (size_t)wy * nwx);
        else
            memcpy(b + (size_t)wy * nwx, a + (size_t)wy * nwx, sizeof(double) * nwx);
    }
    free(rows);
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

/* One band of eight rows of nseg segments: the AVX2 band histogram against
 * its scalar reference (same fused multiply-adds in the same order). */
static void band_case(int nseg, int nbins, const float *v)
{
    size_t rs = (size_t)nseg * 8 + 8;
    size_t seg_acc = (size_t)(nseg + 9) * nbins * 8;
    uint8_t *h0 = malloc(rs * 8);
    float *a0 = malloc(sizeof(float) * rs * 8), *a1 = malloc(sizeof(float) * rs * 8);
    for (size_t i = 0; i < rs * 8; i++) {
        h0[i] = (uint8_t)(rnd8() % nbins);
        a0[i] = (float)rnd8() / 7.f;
        a1[i] = (float)rnd8() / 13.f;
    }
    float *buf = malloc(sizeof(float) * seg_acc * 8);
    float *top = buf, *done = buf + 2 * seg_acc, *top2 = buf + 4 * seg_acc, *done2 = buf + 6 * seg_acc;
    for (size_t i = 0; i < 2 * seg_acc; i++)
        top[i] = top2[i] = (float)rnd8() / 3.f;
    hk__hist_band_scalar(h0, a0, a1, rs, nseg, nbins, v, top, done, seg_acc);
    hk__hist_band_avx2(h0, a0, a1, rs, nseg, nbins, v, top2, done2, seg_acc);
    size_t used = (size_t)nseg * nbins * 8;
    int same = 1;
    for (int t = 0; t < 2; t++)
        same &= memcmp(top + t * seg_acc, top2 + t * seg_acc, sizeof(float) * used) == 0 &&
                memcmp(done + t * seg_acc, done2 + t * seg_acc, sizeof(float) * used) == 0;
    /* the first band of a level has no finished block row */
    hk__hist_band_scalar(h0, a0, a1, rs, nseg, nbins, v, top, NULL, seg_acc);
    hk__hist_band_avx2(h0, a0, a1, rs, nseg, nbins, v, top2, NULL, seg_acc);
    for (int t = 0; t < 2; t++)
        same &= memcmp(top + t * seg_acc, top2 + t * seg_acc, sizeof(float) * used) == 0;
    if (!same)
        fprintf(stderr, "band histogram nseg %d nbins %d differs\n", nseg, nbins);
    CHECK(same);
    free(h0);
    free(a0);
    free(a1);
    free(buf);
}

static void band_avx2_equals_scalar(void)
{
    /* the default detector's vertical weights (sparse), then dense ones */
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    float *c = calloc(3781, sizeof *c);
    hk_detector *det = NULL;
    CHECK(hk_detector_new(&hp.opencv, c, 3781, &det) == HK_OK);
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    hk_level_plan p;
    CHECK(hk__plan_init(&p, det, &dp) == HK_OK);
    float dense[32];
    for (int i = 0; i < 32; i++)
        dense[i] = (float)(rnd8() + 1) / 251.f;
    static const int nbins[] = {9, 2, 3, 4, 5, 7, 8, 18, 32};
    for (size_t i = 0; i < sizeof nbins / sizeof nbins[0]; i++)
        for (int nseg = 1; nseg <= 97; nseg += 24) {
            band_case(nseg, nbins[i], p.v);
            band_case(nseg, nbins[i], dense);
        }
    hk__plan_free(&p);
    hk_detector_free(det);
    free(c);
}

/* The screening's kernels (quantised block rows, int32 window sums), AVX2
 * against scalar, on random block rows in [0, 1]. */
static void screen_kernels_case(const hk_level_plan *p, int nbx)
{
    size_t ks = ((size_t)nbx + 16 + 15) & ~(size_t)15;
    int span = p->nby_w;
    float *planes = calloc(ks * p->hist * span, sizeof *planes);
    int32_t *q1 = calloc(ks * (p->hist / 2) * span, sizeof *q1);
    int32_t *q2 = calloc(ks * (p->hist / 2) * span, sizeof *q2);
    for (int r = 0; r < span; r++)
        for (int k = 0; k < p->hist; k++)
            for (int i = 0; i < nbx; i++)
                planes[((size_t)r * p->hist + k) * ks + i] =
                    rnd8() < 30 ? 0.f : (float)rnd8() / 255.f * (rnd8() < 10 ? 1.f : 0.3f);
    int same = 1;
    for (int r = 0; r < span; r++) {
        size_t po = (size_t)r * p->hist * ks, qo = (size_t)r * (p->hist / 2) * ks;
        hk__screen_quantize_scalar(p, planes + po, ks, q1 + qo);
        hk__screen_quantize_avx2(p, planes + po, ks, q2 + qo);
    }
    same &= memcmp(q1, q2, sizeof(int32_t) * ks * (p->hist / 2) * span) == 0;
    int nwx = nbx - p->nbx_w + 1;
    const int32_t **qr = malloc(sizeof(*qr) * span);
    for (int r = 0; r < span; r++)
        qr[r] = q1 + (size_t)r * (p->hist / 2) * ks;
    int32_t *a = malloc(sizeof(int32_t) * (nwx + 16)), *b = malloc(sizeof(int32_t) * (nwx + 16));
    hk__screen_row_scalar(p, qr, ks, nwx, a);
    hk__screen_row_avx2(p, qr, ks, nwx, b);
    same &= memcmp(a, b, sizeof(int32_t) * nwx) == 0;
    if (!same)
        fprintf(stderr, "screening kernels, %d blocks, differ\n", nbx);
    CHECK(same);
    free(planes);
    free(q1);
    free(q2);
    free(qr);
    free(a);
    free(b);
}

/* Hits of one level with and without screening: the same windows with the
 * same scores (the screening only skips windows that cannot reach the
 * threshold). A random detector, the threshold at several levels of its
 * score distribution, a random picture with some structure. */
static void screen_hits_case(hk_detector *det, double thr, const uint8_t *img, int w, int h)
{
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    dp.hit_threshold = thr;
    hk_level_plan p;
    CHECK(hk__plan_init(&p, det, &dp) == HK_OK);
    CHECK(p.screen == 1);
    hk_level_scratch scr = {0, 0};
    hk_hits h1 = {0, 0, 0}, h2 = {0, 0, 0};
    CHECK(hk__detect_level(&p, img, w, h, 3, (size_t)w * 3, &scr, &h1) == HK_OK);
    p.screen = 0;
    CHECK(hk__detect_level(&p, img, w, h, 3, (size_t)w * 3, &scr, &h2) == HK_OK);
    int same = h1.n == h2.n;
    for (size_t i = 0; same && i < h1.n; i++)
        same = h1.v[i].x == h2.v[i].x && h1.v[i].y == h2.v[i].y && h1.v[i].score == h2.v[i].score;
    if (!same)
        fprintf(stderr, "screened hits differ at threshold %g: %zu / %zu\n", thr, h1.n, h2.n);
    CHECK(same);
    free(h1.v);
    free(h2.v);
    free(scr.p);
    p.screen = 1;
    hk__plan_free(&p);
}

static void screening(void)
{
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    size_t len = 3780;
    float *c = malloc((len + 1) * sizeof *c);
    for (size_t i = 0; i < len; i++)
        c[i] = (float)((int)(rnd8() % 200) - 100) / 1500.f;
    c[len] = -0.2f;
    hk_detector *det = NULL;
    CHECK(hk_detector_new(&hp.opencv, c, len + 1, &det) == HK_OK);
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    hk_level_plan p;
    CHECK(hk__plan_init(&p, det, &dp) == HK_OK);
    CHECK(p.screen == 1);
    static const int nbx[] = {7, 8, 22, 23, 40, 95};
    for (size_t i = 0; i < sizeof nbx / sizeof nbx[0]; i++)
        screen_kernels_case(&p, nbx[i]);
    hk__plan_free(&p);
    int w = 203, h = 187;
    uint8_t *img = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < 3; k++)
                img[((size_t)y * w + x) * 3 + k] =
                    (uint8_t)((((x / 9) ^ (y / 13)) & 1) * 160 + (rnd8() & 63) + k * 10);
    /* the scores of every window, then thresholds among them */
    dp.hit_threshold = -1e9;
    CHECK(hk__plan_init(&p, det, &dp) == HK_OK);
    p.screen = 0;
    hk_level_scratch scr = {0, 0};
    hk_hits all = {0, 0, 0};
    CHECK(hk__detect_level(&p, img, w, h, 3, (size_t)w * 3, &scr, &all) == HK_OK);
    hk__plan_free(&p);
    free(scr.p);
    CHECK(all.n > 100);
    double lo = 1e300, hi = -1e300;
    for (size_t i = 0; i < all.n; i++) {
        lo = all.v[i].score < lo ? all.v[i].score : lo;
        hi = all.v[i].score > hi ? all.v[i].score : hi;
    }
    for (int t = 0; t <= 8; t++)
        screen_hits_case(det, lo + (hi - lo) * t / 8.0, img, w, h);
    /* a threshold exactly at a window's score (ties decided exactly) */
    screen_hits_case(det, all.v[all.n / 2].score, img, w, h);
    free(all.v);
    free(img);
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
    screening();
    if (hk__cpu_has_avx2_fma()) {
        grad_avx2_equals_scalar();
        band_avx2_equals_scalar();
    }
    return check_report("test_detect_simd");
}
