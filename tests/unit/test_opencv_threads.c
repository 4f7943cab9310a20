/* The OpenCV variant's AVX2 path split between threads (tasks of block
 * rows, src/hog/opencv_avx2.c): 1, 2, 3 and 5 threads give the same bytes
 * on odd image sizes large enough to be split, for the one-window layout
 * (blocks straight into the descriptor) and the grid + windows layout, grey
 * and colour, gamma, signed gradients, blocks of two and three block rows
 * deep (a task remakes the rows it shares with its neighbour), blocks not a
 * multiple of the block stride, a block stride above the block (rows in no
 * block), padding and several windows; a non-finite result is refused on
 * threads as on one. The one-thread path itself is checked against the
 * scalar reference path in test_opencv_simd.c, and that against cv2 in
 * tests/python. Skipped with a message where the build or CPU has no
 * AVX2. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "opencv_geo.h"
#include "hogkit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned next_u8(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 56);
}

/* Noise, smooth ramps and flat runs (zero gradients, channel ties), rows
 * not packed. */
static uint8_t *make_image(hk_image *im, uint32_t w, uint32_t h, uint32_t cn)
{
    const size_t stride = (size_t)w * cn + 5;
    uint8_t *px = malloc(stride * h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t c = 0; c < cn; c++) {
                unsigned v = (x * 5 + y * 3 + c * 70) & 255;
                if ((x / 7 + y / 5) % 5 == 0)
                    v = 90;
                else if ((x + 2 * y) % 3 == 0)
                    v = next_u8();
                px[y * stride + (size_t)x * cn + c] = (uint8_t)v;
            }
    *im = (hk_image){.width = w, .height = h, .channels = cn, .type = HK_U8,
                     .stride = stride, .data = px};
    return px;
}

static size_t make_geos(geo *g)
{
    size_t n = 0;
    /* the benchmark's layout: one window, 16x16 blocks, stride and cells 8 */
    g[n++] = (geo){"whole grey 1031x797", 1031, 797, 1, whole(1024, 792, 16, 8, 8)};
    geo t = {"colour, gamma, signed, 12 bins 803x611", 803, 611, 3,
             whole(800, 608, 16, 8, 8)};
    t.p.gamma_correction = 1;
    t.p.signed_gradient = 1;
    t.p.nbins = 12;
    g[n++] = t;
    /* three block rows deep: a task remakes two bands of its neighbour's */
    g[n++] = (geo){"blocks 24x24 of 8x8 cells 901x733", 901, 733, 1,
                   whole(896, 728, 24, 8, 8)};
    /* blocks 12 rows tall every 8 rows: not a whole number of bands */
    t = (geo){"block 12, stride 8 (cells 6) 967x701", 967, 701, 1, whole(956, 692, 12, 8, 6)};
    t.p.win_stride_x = t.p.win_stride_y = 8;
    g[n++] = t;
    /* the same with windows every 6: bands of gcd(6, 8) = 2 rows, six
     * block rows deep, the grid layout */
    t.name = "bands of 2 rows, six deep, 967x701";
    t.p.win_stride_x = t.p.win_stride_y = 6;
    g[n++] = t;
    /* block stride above the block: rows in no block */
    t = (geo){"block 8, stride 16 887x829", 887, 829, 1, whole(872, 824, 8, 16, 8)};
    t.p.win_stride_x = t.p.win_stride_y = 16;
    g[n++] = t;
    /* several windows (grid, then copies), padding, a Gaussian */
    t = (geo){"windows 64x128 every 32, padded, 733x911", 733, 911, 1, whole(64, 128, 16, 8, 8)};
    t.p.win_stride_x = t.p.win_stride_y = 32;
    t.p.pad_x = 12;
    t.p.pad_y = 20;
    t.p.win_sigma = 3.5;
    g[n++] = t;
    /* small: stays on one thread whatever it is given */
    g[n++] = (geo){"small 61x45", 61, 45, 1, whole(56, 40, 16, 8, 8)};
    return n;
}

static void test_threads(void)
{
    geo gs[12];
    const size_t ng = make_geos(gs);
    hk_hog_ctx *ctx = NULL;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    static const int threads[] = {1, 2, 3, 5};
    for (size_t i = 0; i < ng; i++) {
        hk_image im;
        uint8_t *px = make_image(&im, gs[i].w, gs[i].h, gs[i].cn);
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_OPENCV);
        p.opencv = gs[i].p;
        p.simd = HK_SIMD_AVX2;
        hk_shape shape;
        CHECK(hk_hog_shape(&p, im.width, im.height, im.channels, &shape) == HK_OK);
        float *ref = malloc(shape.count * sizeof(float));
        float *got = malloc(shape.count * sizeof(float));
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            p.threads = threads[t];
            float *dst = t == 0 ? ref : got;
            memset(dst, 0xff, shape.count * sizeof(float)); /* NaN: nothing left unwritten */
            CHECK(hk_hog_extract(ctx, &p, &im, dst, shape.count) == HK_OK);
            if (t > 0 && memcmp(ref, got, shape.count * sizeof(float)) != 0) {
                size_t k = 0;
                while (k < shape.count && memcmp(ref + k, got + k, sizeof(float)) == 0)
                    k++;
                fprintf(stderr, "%s: %d threads differ from 1 at %zu of %zu: %a vs %a\n",
                        gs[i].name, threads[t], k, shape.count, (double)got[k], (double)ref[k]);
                CHECK(0);
            }
        }
        /* a fresh context per thread count (worker scratch made on the way) */
        hk_hog_ctx *fresh = NULL;
        CHECK(hk_hog_ctx_new(&fresh) == HK_OK);
        p.threads = 3;
        CHECK(hk_hog_extract(fresh, &p, &im, got, shape.count) == HK_OK);
        CHECK(memcmp(ref, got, shape.count * sizeof(float)) == 0);
        hk_hog_ctx_free(fresh);
        free(ref);
        free(got);
        free(px);
    }
    hk_hog_ctx_free(ctx);
}

/* A threshold that is -Inf as a float makes every value non-finite: the
 * call is refused whichever worker stored them, and leaves zeros. */
static void test_nonfinite(void)
{
    hk_image im;
    uint8_t *px = make_image(&im, 801, 613, 1);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv = whole(800, 608, 16, 8, 8);
    p.opencv.l2hys_threshold = -1e300;
    p.simd = HK_SIMD_AVX2;
    hk_shape shape;
    CHECK(hk_hog_shape(&p, im.width, im.height, 1, &shape) == HK_OK);
    float *out = malloc(shape.count * sizeof(float));
    for (int t = 1; t <= 3; t++) {
        p.threads = t;
        memset(out, 0x7f, shape.count * sizeof(float));
        CHECK(hk_hog_extract(NULL, &p, &im, out, shape.count) == HK_ERR_DOMAIN);
        size_t nz = 0;
        for (size_t k = 0; k < shape.count; k++)
            nz += out[k] != 0.0f;
        CHECK(nz == 0);
    }
    free(out);
    free(px);
}

int main(void)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.simd = HK_SIMD_AVX2;
    if (hk_hog_params_check(&p) != HK_OK) {
        printf("test_opencv_threads: no AVX2 in this build or CPU: skipped\n");
        return 0;
    }
    test_threads();
    test_nonfinite();
    return check_report("test_opencv_threads");
}
