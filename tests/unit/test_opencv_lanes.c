/* The OpenCV variant's image-per-lane batch kernel (src/hog/opencv_lanes.h)
 * against the scalar reference path (HK_SIMD_SCALAR), bit for bit: both
 * kernels (portable, and AVX2 where the CPU has it) on groups of 1 .. 8
 * images, and batches (stack and list forms, 1 .. 20 and 67 images so that
 * groups are partial, 1, 2 and 3 threads) on many one-window geometries:
 * sizes, cells, blocks, strides, bin counts (1, 9, 13, 18, 20), signed
 * gradients, gamma, winSigma, threshold, padding. Geometries the kernel
 * declines (colour, several windows, large images, hostile winSigma) still
 * give each image's single-image result. The scalar path itself is checked
 * against the real cv2 in tests/python/test_opencv_diff.py. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"
#include "hog/lanes.h"
#include "hog/opencv_lanes.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned next_u8(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 56);
}

/* count images of w x h x cn, `pitch` bytes apart, rows w*cn + extra apart:
 * noise, smooth ramps, flat runs (zero gradients, ties), and saturated
 * edges (the largest gradients). */
static uint8_t *make_stack(size_t count, uint32_t w, uint32_t h, uint32_t cn, size_t extra,
                           size_t *pitch)
{
    size_t stride = (size_t)w * cn + extra;
    *pitch = stride * h + 5;
    uint8_t *px = malloc(*pitch * count);
    for (size_t i = 0; i < *pitch * count; i++)
        px[i] = 0;
    for (size_t n = 0; n < count; n++)
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w * cn; x++) {
                unsigned v = (unsigned)(x * (3 + n % 5) + y * 7 + n * 11) & 255;
                unsigned r = next_u8();
                if ((x / 4 + y / 3 + n) % 5 == 0)
                    v = 90; /* flat */
                else if (r < 40)
                    v = r & 1 ? 255 : 0; /* saturated */
                else if (r < 140)
                    v = next_u8();
                px[n * *pitch + y * stride + x] = (uint8_t)v;
            }
    return px;
}

typedef struct geo {
    const char *name;
    uint32_t w, h, cn;
    hk_opencv_params p;
    int lanes; /* 1: the kernel takes it; 2: takes it but hands the images
                * to the single-image path (a weight is not finite) */
} geo;

static hk_opencv_params ocv(int win_w, int win_h, int block_w, int block_h, int stride_x,
                            int stride_y, int cell_w, int cell_h, int nbins)
{
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    hk_opencv_params p = hp.opencv;
    p.win_width = win_w;
    p.win_height = win_h;
    p.block_width = block_w;
    p.block_height = block_h;
    p.block_stride_x = stride_x;
    p.block_stride_y = stride_y;
    p.cell_width = cell_w;
    p.cell_height = cell_h;
    p.nbins = nbins;
    p.gamma_correction = 0;
    return p;
}

static size_t make_geos(geo *g)
{
    size_t n = 0;
    g[n++] = (geo){"fashion 28x28", 28, 28, 1, ocv(28, 28, 8, 8, 4, 4, 4, 4, 9), 1};
    geo t = {"fashion + gamma", 28, 28, 1, ocv(28, 28, 8, 8, 4, 4, 4, 4, 9), 1};
    t.p.gamma_correction = 1;
    g[n++] = t;
    g[n++] = (geo){"odd 33x21, window 32x20", 33, 21, 1, ocv(32, 20, 8, 8, 4, 4, 4, 4, 9), 1};
    t = (geo){"signed 18 bins, 12x12 blocks", 25, 24, 1, ocv(24, 24, 12, 12, 6, 6, 6, 6, 18), 1};
    t.p.signed_gradient = 1;
    g[n++] = t;
    g[n++] = (geo){"one bin", 16, 16, 1, ocv(16, 16, 8, 8, 4, 4, 4, 4, 1), 1};
    g[n++] = (geo){"13 bins", 20, 20, 1, ocv(20, 20, 8, 8, 4, 4, 4, 4, 13), 1};
    t = (geo){"20 bins signed + gamma", 24, 16, 1, ocv(24, 16, 8, 8, 8, 8, 4, 4, 20), 1};
    t.p.signed_gradient = 1;
    t.p.gamma_correction = 1;
    g[n++] = t;
    g[n++] = (geo){"block stride 12 > block", 32, 32, 1, ocv(32, 32, 8, 8, 12, 12, 4, 4, 9), 1};
    g[n++] = (geo){"3x3 cells, 12x12 blocks", 28, 28, 1, ocv(28, 28, 12, 12, 4, 4, 4, 4, 9), 1};
    g[n++] = (geo){"cells 4x8, blocks 8x16", 24, 40, 1, ocv(24, 40, 8, 16, 4, 8, 4, 8, 9), 1};
    t = (geo){"winSigma 1.5, threshold 0.1", 28, 28, 1, ocv(28, 28, 8, 8, 4, 4, 4, 4, 9), 1};
    t.p.win_sigma = 1.5;
    t.p.l2hys_threshold = 0.1;
    g[n++] = t;
    t = (geo){"padding 4, window 36x36", 28, 28, 1, ocv(36, 36, 8, 8, 4, 4, 4, 4, 9), 1};
    t.p.pad_x = t.p.pad_y = 4;
    t.p.win_stride_x = t.p.win_stride_y = 4;
    g[n++] = t;
    g[n++] = (geo){"one block 8x8", 8, 8, 1, ocv(8, 8, 8, 8, 8, 8, 4, 4, 9), 1};
    g[n++] = (geo){"tiny 3x5 image, 2x2 cells", 3, 5, 1, ocv(3, 4, 2, 4, 1, 1, 1, 2, 2), 1};
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    g[n++] = (geo){"pedestrian 64x128 (defaults, gamma)", 64, 128, 1, hp.opencv, 1};
    /* declined: image by image, as before */
    g[n++] = (geo){"colour 28x28", 28, 28, 3, ocv(28, 28, 8, 8, 4, 4, 4, 4, 9), 0};
    g[n++] = (geo){"two windows", 32, 28, 1, ocv(28, 28, 8, 8, 4, 4, 4, 4, 9), 0};
    g[n++] = (geo){"large 160x160", 160, 160, 1, ocv(160, 160, 16, 16, 8, 8, 8, 8, 9), 0};
    /* the centre weight is NaN: the scalar path's clip turns the NaN bins
     * into the threshold, the kernel would spread the NaN over every bin */
    t = (geo){"hostile winSigma 1e-20", 16, 16, 1, ocv(16, 16, 8, 8, 4, 4, 4, 4, 9), 2};
    t.p.win_sigma = 1e-20;
    g[n++] = t;
    return n;
}

static hk_image image_at(const geo *gm, const uint8_t *px, size_t pitch, size_t extra, size_t i)
{
    hk_image im = {gm->w, gm->h, gm->cn, HK_U8, (size_t)gm->w * gm->cn + extra, px + i * pitch};
    return im;
}

/* Both kernels on groups of 1 .. 8 images against the scalar path. */
static void test_kernels(const geo *gm, const hk_hog_params *p, const uint8_t *px, size_t pitch,
                         size_t extra, const float *ref, size_t dim)
{
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    float *got = malloc(HK_OCVL_LANES * dim * sizeof(float));
    hk_image ims[HK_OCVL_LANES];
    const hk_image *ptrs[HK_OCVL_LANES];
    for (int avx2 = 0; avx2 < 2; avx2++) {
        if (avx2 && !hk_ocv_lanes_avx2_usable()) {
            CHECK(hk_ocv_lanes_extract(ctx, p, ptrs, 1, got, dim, 1) == HK_ERR_UNSUPPORTED);
            continue;
        }
        for (size_t n = 1; n <= HK_OCVL_LANES; n++) {
            /* a different start per n: every image meets other neighbours */
            size_t i0 = n * 3 % 5;
            for (size_t k = 0; k < n; k++) {
                ims[k] = image_at(gm, px, pitch, extra, i0 + k);
                ptrs[k] = &ims[k];
            }
            for (size_t i = 0; i < n * dim; i++)
                got[i] = -1.f;
            CHECK(hk_ocv_lanes_extract(ctx, p, ptrs, n, got, dim, avx2) == HK_OK);
            int same = memcmp(got, ref + i0 * dim, n * dim * sizeof(float)) == 0;
            if (!same)
                fprintf(stderr, "%s: kernel %s, %zu images differ from the scalar path\n",
                        gm->name, avx2 ? "avx2" : "generic", n);
            CHECK(same);
        }
    }
    free(got);
    hk_hog_ctx_free(ctx);
}

enum { MAXN = 67 };

static void test_geometry(const geo *gm)
{
    size_t pitch, extra = gm->w % 3; /* rows not always packed */
    uint8_t *px = make_stack(MAXN, gm->w, gm->h, gm->cn, extra, &pitch);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv = gm->p;
    hk_shape one;
    CHECK(hk_hog_shape(&p, gm->w, gm->h, gm->cn, &one) == HK_OK);
    const size_t dim = one.count;

    /* the kernel takes exactly the geometries it should */
    hk_image im0 = image_at(gm, px, pitch, extra, 0);
    hk_hog_params q = p;
    q.simd = HK_SIMD_AVX2;
    hk_lanes lanes;
    CHECK(hk_lanes_pick(&q, &im0, &lanes) == (gm->lanes != 0));
    q.simd = HK_SIMD_SCALAR;
    CHECK(hk_lanes_pick(&q, &im0, &lanes) == 0);

    /* the reference: the scalar path, image by image */
    float *ref = malloc(MAXN * dim * sizeof(float));
    hk_hog_params sp = p;
    sp.simd = HK_SIMD_SCALAR;
    hk_status want = HK_OK;
    for (size_t i = 0; i < MAXN; i++) {
        hk_image im = image_at(gm, px, pitch, extra, i);
        hk_status st = hk_hog_extract(NULL, &sp, &im, ref + i * dim, dim);
        if (i == 0)
            want = st;
        CHECK(st == want);
    }
    /* declined geometries give the default single-image path instead */
    if (gm->lanes != 1)
        for (size_t i = 0; i < MAXN; i++) {
            hk_image im = image_at(gm, px, pitch, extra, i);
            CHECK(hk_hog_extract(NULL, &p, &im, ref + i * dim, dim) == want);
        }
    if (gm->lanes == 1 && want == HK_OK)
        test_kernels(gm, &p, px, pitch, extra, ref, dim);

    float *got = malloc(MAXN * dim * sizeof(float));
    hk_image list[MAXN];
    for (size_t i = 0; i < MAXN; i++)
        list[i] = image_at(gm, px, pitch, extra, i);
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    int bad = 0;
    for (size_t count = 1; count <= MAXN; count = count < 20 ? count + 1 : MAXN) {
        for (int threads = 1; threads <= 3; threads++) {
            p.threads = threads;
            for (int form = 0; form < 2; form++) {
                for (size_t i = 0; i < count * dim; i++)
                    got[i] = -1.f;
                hk_status st =
                    form == 0
                        ? hk_hog_extract_stack(ctx, &p, &list[0], pitch, count, got, count * dim)
                        : hk_hog_extract_batch(ctx, &p, list, count, got, count * dim);
                CHECK(st == want);
                if (st == HK_OK && memcmp(got, ref, count * dim * sizeof(float)) != 0 && !bad++)
                    fprintf(stderr, "%s: batch of %zu (%s, %d threads) differs\n", gm->name,
                            count, form ? "list" : "stack", threads);
            }
        }
        if (count == MAXN)
            break;
    }
    CHECK(bad == 0);
    hk_hog_ctx_free(ctx);
    free(got);
    free(ref);
    free(px);
}

/* A list whose images have different row strides (one geometry). */
static void test_mixed_strides(void)
{
    enum { N = 11, W = 28, H = 28 };
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    p.opencv = ocv(28, 28, 8, 8, 4, 4, 4, 4, 9);
    hk_image list[N];
    uint8_t *bufs[N];
    for (size_t i = 0; i < N; i++) {
        size_t pitch, extra = i * 7;
        bufs[i] = make_stack(1, W, H, 1, extra, &pitch);
        list[i] = (hk_image){W, H, 1, HK_U8, W + extra, bufs[i]};
    }
    size_t dim;
    CHECK(hk_opencv_descriptor_size(&p.opencv, &dim) == HK_OK);
    float *got = malloc(N * dim * sizeof(float)), *ref = malloc(dim * sizeof(float));
    CHECK(hk_hog_extract_batch(NULL, &p, list, N, got, N * dim) == HK_OK);
    hk_hog_params sp = p;
    sp.simd = HK_SIMD_SCALAR;
    for (size_t i = 0; i < N; i++) {
        CHECK(hk_hog_extract(NULL, &sp, &list[i], ref, dim) == HK_OK);
        CHECK(memcmp(got + i * dim, ref, dim * sizeof(float)) == 0);
        free(bufs[i]);
    }
    free(got);
    free(ref);
}

int main(void)
{
    geo g[32];
    size_t n = make_geos(g);
    for (size_t i = 0; i < n; i++)
        test_geometry(&g[i]);
    test_mixed_strides();
    return check_report("test_opencv_lanes");
}
