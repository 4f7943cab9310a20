/* The OpenCV variant's kernel paths against its scalar reference path: every
 * path this build and CPU have (today: AVX2) on many geometries (odd sizes,
 * colour, signed gradients, gamma on and off, winSigma, one bin, blocks not
 * a multiple of 8 wide, block stride above the block size, many overlapping
 * block rows, padding, window strides, several windows), the selection by
 * hk_hog_params.simd and HK_SIMD, thread counts and batches, and
 * compute(locations) against the windows of the full compute. The scalar
 * path itself is checked against the real cv2 in tests/python. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "opencv_geo.h"
#include "hog/hog_internal.h"
#include "hog/opencv.h"
#include "hog/opencv_fast.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
static unsigned next_u8(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 56);
}

/* A noisy image with smooth parts and flat runs (ties between channels and
 * zero gradients happen, as in photos). */
static uint8_t *make_image(hk_image *im, uint32_t w, uint32_t h, uint32_t cn)
{
    size_t stride = (size_t)w * cn + 3; /* rows not packed */
    uint8_t *px = malloc(stride * h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t c = 0; c < cn; c++) {
                unsigned v = (x * 7 + y * 3 + c * 50) & 255;
                if ((x / 5 + y / 3) % 4 == 0)
                    v = 128; /* flat */
                else if ((x + y) % 3 == 0)
                    v = next_u8();
                px[y * stride + (size_t)x * cn + c] = (uint8_t)v;
            }
    im->width = w;
    im->height = h;
    im->channels = cn;
    im->type = HK_U8;
    im->stride = stride;
    im->data = px;
    return px;
}

static size_t make_geos(geo *g)
{
    size_t n = 0;
    g[n++] = (geo){"whole 64x48", 64, 48, 1, whole(64, 48, 16, 8, 8)};
    g[n++] = (geo){"whole odd 61x45", 61, 45, 1, whole(56, 40, 16, 8, 8)};
    g[n++] = (geo){"fashion 28x28", 28, 28, 1, whole(28, 28, 8, 4, 4)};
    g[n++] = (geo){"colour 61x45", 61, 45, 3, whole(56, 40, 16, 8, 8)};
    g[n++] = (geo){"colour 45x37 (tail columns)", 45, 37, 3, whole(40, 32, 16, 8, 8)};
    geo t = {"gamma + signed", 53, 41, 1, whole(48, 40, 16, 8, 8)};
    t.p.gamma_correction = 1;
    t.p.signed_gradient = 1;
    t.p.nbins = 18;
    g[n++] = t;
    t = (geo){"colour gamma", 50, 34, 3, whole(48, 32, 16, 8, 8)};
    t.p.gamma_correction = 1;
    g[n++] = t;
    t = (geo){"winSigma 2.5, threshold 0.1", 40, 40, 1, whole(40, 40, 16, 8, 8)};
    t.p.win_sigma = 2.5;
    t.p.l2hys_threshold = 0.1;
    g[n++] = t;
    t = (geo){"one bin", 33, 33, 1, whole(32, 32, 16, 8, 4)};
    t.p.nbins = 1;
    g[n++] = t;
    t = (geo){"12x12 blocks of 6x6 cells, 7 bins", 47, 39, 1, whole(42, 36, 12, 6, 6)};
    t.p.nbins = 7;
    g[n++] = t;
    /* blocks 4 apart: four block rows overlap, 8 targets per band */
    g[n++] = (geo){"stride 4 under 16x16 blocks", 44, 36, 1, whole(40, 32, 16, 4, 8)};
    /* stride above the block: rows and columns in no block */
    g[n++] = (geo){"stride 12 over 8x8 blocks", 50, 50, 1, whole(44, 44, 8, 12, 4)};
    g[n++] = (geo){"rectangular 24x16 blocks", 70, 50, 1,
                   {.win_width = 48, .win_height = 48, .block_width = 24, .block_height = 16,
                    .block_stride_x = 8, .block_stride_y = 16, .cell_width = 8, .cell_height = 8,
                    .nbins = 9, .win_sigma = -1, .l2hys_threshold = 0.2}};
    /* detector-style: small windows, window stride, padding */
    t = (geo){"64x128 windows, stride 8, pad 16", 90, 150, 1, whole(64, 128, 16, 8, 8)};
    t.p.win_stride_x = t.p.win_stride_y = 8;
    t.p.pad_x = t.p.pad_y = 16;
    t.p.gamma_correction = 1;
    g[n++] = t;
    t = (geo){"window stride 12 (grid 4), pad 5", 80, 70, 3, whole(32, 32, 16, 8, 8)};
    t.p.win_stride_x = 12;
    t.p.win_stride_y = 4;
    t.p.pad_x = 5;
    t.p.pad_y = 3;
    g[n++] = t;
    /* a grid step far above the image: one band, fewer rows than cs_y */
    t = (geo){"block stride 4096 down", 40, 30, 1, whole(16, 16, 16, 8, 8)};
    t.p.block_stride_y = 4096;
    t.p.win_stride_x = 8;
    t.p.win_stride_y = 4096;
    g[n++] = t;
    t = (geo){"tiny image, big padding", 9, 7, 1, whole(32, 32, 16, 8, 8)};
    t.p.pad_x = t.p.pad_y = 16;
    g[n++] = t;
    return n;
}

static float max_diff(const float *a, const float *b, size_t n)
{
    float m = 0;
    for (size_t i = 0; i < n; i++) {
        float d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
        if (!(d <= m))
            m = d; /* NaN shows as a failure */
    }
    return m;
}

static void test_paths(void)
{
    geo gs[32];
    size_t ng = make_geos(gs);
    const hk_simd sets[] = {HK_SIMD_AVX2};
    int any_fast = 0;
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    for (size_t i = 0; i < ng; i++) {
        hk_image im;
        uint8_t *px = make_image(&im, gs[i].w, gs[i].h, gs[i].cn);
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_OPENCV);
        p.opencv = gs[i].p;
        p.simd = HK_SIMD_SCALAR;
        hk_shape shape;
        CHECK(hk_hog_shape(&p, im.width, im.height, im.channels, &shape) == HK_OK);
        float *ref = malloc(shape.count * sizeof(float));
        float *got = malloc(shape.count * sizeof(float));
        CHECK(hk_hog_extract(ctx, &p, &im, ref, shape.count) == HK_OK);
        for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
            p.simd = sets[k];
            if (hk_hog_params_check(&p) != HK_OK)
                continue; /* this build or CPU lacks the set */
            memset(got, 0xff, shape.count * sizeof(float));
            CHECK(hk_hog_extract(ctx, &p, &im, got, shape.count) == HK_OK);
            float d = max_diff(ref, got, shape.count);
            if (!(d <= 2e-5f))
                fprintf(stderr, "%s, %s: max |fast - scalar| = %g\n", gs[i].name,
                        hk_simd_name(sets[k]), (double)d);
            CHECK(d <= 2e-5f);
            any_fast = 1;
            /* the threads a call is given never change a value */
            p.threads = 2;
            float *t2 = malloc(shape.count * sizeof(float));
            CHECK(hk_hog_extract(ctx, &p, &im, t2, shape.count) == HK_OK);
            CHECK(memcmp(t2, got, shape.count * sizeof(float)) == 0);
            free(t2);
            p.threads = 0;
        }
        /* the grid itself, where the fast path takes the geometry */
        hk_ocv_geometry g;
        CHECK(hk_ocv_geometry_init(&gs[i].p, im.width, im.height, &g) == HK_OK);
        size_t gn;
        CHECK(hk_ocv_grid_count(&g, &gn) == HK_OK);
        if (hk_ocv_avx2_usable() && hk_ocv_avx2_fits(&g)) {
            float *gref = malloc(gn * sizeof(float)), *gfast = NULL;
            CHECK(hk_ocv_block_grid(ctx, &g, &im, gref) == HK_OK);
            CHECK(hk_ocv_avx2_grid(ctx, &g, &im, NULL, 0, 0, &gfast) == HK_OK);
            CHECK(gfast != NULL);
            if (gfast)
                CHECK(max_diff(gref, gfast, gn) <= 2e-5f);
            free(gref);
        }
        free(ref);
        free(got);
        free(px);
    }
    hk_hog_ctx_free(ctx);
    if (hk_ocv_avx2_usable())
        CHECK(any_fast);
}

/* HK_SIMD chooses the path of HK_SIMD_AUTO calls; scalar forces the
 * reference path, byte for byte. */
static void test_selection(void)
{
    hk_image im;
    uint8_t *px = make_image(&im, 61, 45, 3);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv = whole(56, 40, 16, 8, 8);
    hk_shape shape;
    CHECK(hk_hog_shape(&p, im.width, im.height, im.channels, &shape) == HK_OK);
    size_t bytes = shape.count * sizeof(float);
    float *scalar = malloc(bytes), *fast = malloc(bytes), *got = malloc(bytes);
    p.simd = HK_SIMD_SCALAR;
    CHECK(hk_hog_extract(NULL, &p, &im, scalar, shape.count) == HK_OK);
    int have = 0;
    p.simd = HK_SIMD_AVX2;
    if (hk_hog_params_check(&p) == HK_OK) {
        CHECK(hk_hog_extract(NULL, &p, &im, fast, shape.count) == HK_OK);
        have = hk_ocv_avx2_usable();
        /* the two paths round differently: if they agreed bit for bit the
         * selection below would prove nothing */
        if (have)
            CHECK(memcmp(fast, scalar, bytes) != 0);
    }
    p.simd = HK_SIMD_AUTO;
    setenv("HK_SIMD", "scalar", 1);
    CHECK(hk_hog_extract(NULL, &p, &im, got, shape.count) == HK_OK);
    CHECK(memcmp(got, scalar, bytes) == 0);
    unsetenv("HK_SIMD");
    CHECK(hk_hog_extract(NULL, &p, &im, got, shape.count) == HK_OK);
    CHECK(memcmp(got, have ? fast : scalar, bytes) == 0);
    free(scalar);
    free(fast);
    free(got);
    free(px);
}

/* A batch gives each image the same result for any thread count:
 * grey one-window images like these go through the image-per-lane kernel
 * (opencv_lanes.h), which is the scalar path's arithmetic, so the result
 * is the scalar one (tests/unit/test_opencv_lanes.c covers the rest). */
static void test_batch(void)
{
    enum { N = 70, W = 28, H = 28 };
    uint8_t *stack = malloc((size_t)N * W * H);
    for (size_t i = 0; i < (size_t)N * W * H; i++)
        stack[i] = (uint8_t)(next_u8() & (i % 5 == 0 ? 255 : 63));
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv = whole(28, 28, 8, 4, 4);
    hk_image first = {W, H, 1, HK_U8, W, stack};
    hk_shape shape;
    CHECK(hk_hog_batch_shape(&p, N, W, H, 1, &shape) == HK_OK);
    float *a = malloc(shape.count * sizeof(float)), *b = malloc(shape.count * sizeof(float));
    p.threads = 1;
    CHECK(hk_hog_extract_stack(NULL, &p, &first, W * H, N, a, shape.count) == HK_OK);
    p.threads = 3;
    CHECK(hk_hog_extract_stack(NULL, &p, &first, W * H, N, b, shape.count) == HK_OK);
    CHECK(memcmp(a, b, shape.count * sizeof(float)) == 0);
    size_t dim = shape.dims[1];
    p.simd = HK_SIMD_SCALAR;
    for (size_t i = 0; i < N; i += 23) {
        hk_image one = first;
        one.data = stack + i * W * H;
        CHECK(hk_hog_extract(NULL, &p, &one, b, dim) == HK_OK);
        CHECK(memcmp(a + i * dim, b, dim * sizeof(float)) == 0);
    }
    free(a);
    free(b);
    free(stack);
}

/* compute(locations) (scalar blocks at any position) against the windows of
 * the full compute (the fast path's grid) at the same window positions. */
static void test_locations(void)
{
    hk_image im;
    uint8_t *px = make_image(&im, 90, 70, 1);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv = whole(32, 32, 16, 8, 8);
    p.opencv.win_stride_x = p.opencv.win_stride_y = 8;
    p.opencv.pad_x = p.opencv.pad_y = 8;
    hk_shape shape;
    CHECK(hk_hog_shape(&p, im.width, im.height, 1, &shape) == HK_OK);
    float *all = malloc(shape.count * sizeof(float));
    CHECK(hk_hog_extract(NULL, &p, &im, all, shape.count) == HK_OK);
    hk_ocv_geometry g;
    CHECK(hk_ocv_geometry_init(&p.opencv, im.width, im.height, &g) == HK_OK);
    int32_t xy[6] = {-8, -8, 16, 8, (int32_t)((g.nwin_x - 1) * 8) - 8,
                     (int32_t)((g.nwin_y - 1) * 8) - 8};
    float *loc = malloc(3 * g.desc_len * sizeof(float));
    CHECK(hk_opencv_compute_locations(NULL, &p, &im, xy, 3, loc, 3 * g.desc_len) == HK_OK);
    for (int i = 0; i < 3; i++) {
        size_t ix = (size_t)(xy[2 * i] + 8) / 8, iy = (size_t)(xy[2 * i + 1] + 8) / 8;
        const float *win = all + (iy * g.nwin_x + ix) * g.desc_len;
        CHECK(max_diff(win, loc + i * g.desc_len, g.desc_len) <= 2e-5f);
    }
    free(all);
    free(loc);
    free(px);
}

/* The fast path keeps a plan per context (tables, band schedule): a context
 * that alternates geometries, or whose scratch another variant has grown
 * and moved in between, gives the bytes of a fresh context every time. */
static void test_plan_cache(void)
{
    geo gs[32];
    size_t ng = make_geos(gs);
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    const size_t pick[] = {0, 2, 0, 2, 3, 3, 10, 2, 14, 0};
    for (size_t k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
        const geo *gi = &gs[pick[k] < ng ? pick[k] : 0];
        hk_image im;
        uint8_t *px = make_image(&im, gi->w, gi->h, gi->cn);
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_OPENCV);
        p.opencv = gi->p;
        p.simd = HK_SIMD_AVX2;
        if (hk_hog_params_check(&p) != HK_OK) { /* no AVX2 here: the scalar path */
            p.simd = HK_SIMD_AUTO;
        }
        hk_shape shape;
        CHECK(hk_hog_shape(&p, im.width, im.height, im.channels, &shape) == HK_OK);
        size_t bytes = shape.count * sizeof(float);
        float *fresh = malloc(bytes), *got = malloc(bytes);
        CHECK(hk_hog_extract(NULL, &p, &im, fresh, shape.count) == HK_OK);
        CHECK(hk_hog_extract(ctx, &p, &im, got, shape.count) == HK_OK);
        CHECK(memcmp(fresh, got, bytes) == 0);
        if (k % 3 == 2) { /* another variant grows the shared scratch */
            hk_hog_params q;
            hk_hog_params_default(&q, HK_VARIANT_SKIMAGE);
            hk_image big;
            uint8_t *bp = make_image(&big, 300 + 40 * (uint32_t)k, 200, 1);
            hk_shape qs;
            CHECK(hk_hog_shape(&q, big.width, big.height, 1, &qs) == HK_OK);
            float *qo = malloc(qs.count * sizeof(float));
            CHECK(hk_hog_extract(ctx, &q, &big, qo, qs.count) == HK_OK);
            free(qo);
            free(bp);
        }
        memset(got, 0xff, bytes);
        CHECK(hk_hog_extract(ctx, &p, &im, got, shape.count) == HK_OK);
        CHECK(memcmp(fresh, got, bytes) == 0);
        free(fresh);
        free(got);
        free(px);
    }
    hk_hog_ctx_free(ctx);
}

/* A threshold that is -Inf as a float makes non-finite values: every path
 * refuses them with HK_ERR_DOMAIN and leaves zeros, as the front end
 * promises (the fast path checks the values it stores, the scalar path its
 * grid). A winSigma whose square is 0 makes a NaN weight, which the clip
 * (min, as OpenCV's) turns into the threshold: finite, on every path; a
 * huge finite negative threshold gives finite values too. */
static void test_nonfinite(void)
{
    hk_image im;
    uint8_t *px = make_image(&im, 40, 40, 1);
    const hk_simd sets[] = {HK_SIMD_SCALAR, HK_SIMD_AVX2};
    for (int kind = 0; kind < 3; kind++) {
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_OPENCV);
        p.opencv = whole(40, 40, 16, 8, 8);
        if (kind == 0)
            p.opencv.l2hys_threshold = -1e300;
        else if (kind == 1)
            p.opencv.win_sigma = 1e-30;
        else
            p.opencv.l2hys_threshold = -1e30; /* finite: a valid (odd) result */
        hk_shape shape;
        CHECK(hk_hog_shape(&p, im.width, im.height, 1, &shape) == HK_OK);
        float *out = malloc(shape.count * sizeof(float));
        for (size_t k = 0; k < 2; k++) {
            p.simd = sets[k];
            if (hk_hog_params_check(&p) != HK_OK)
                continue;
            memset(out, 0x7f, shape.count * sizeof(float));
            hk_status st = hk_hog_extract(NULL, &p, &im, out, shape.count);
            if (kind == 0) {
                if (st != HK_ERR_DOMAIN)
                    fprintf(stderr, "kind %d, %s: status %d\n", kind, hk_simd_name(sets[k]), (int)st);
                CHECK(st == HK_ERR_DOMAIN);
                int zero = 1;
                for (size_t i = 0; i < shape.count; i++)
                    zero &= out[i] == 0.f;
                CHECK(zero);
            } else {
                CHECK(st == HK_OK);
                int finite = 1;
                for (size_t i = 0; i < shape.count; i++)
                    finite &= isfinite(out[i]) != 0;
                CHECK(finite);
            }
        }
        free(out);
    }
    free(px);
}

int main(void)
{
    test_paths();
    test_selection();
    test_batch();
    test_locations();
    test_plan_cache();
    test_nonfinite();
    return check_report("test_opencv_simd");
}
