/* The scikit-image variant's image-per-lane batch kernel and its compact
 * 8-bit tables, against the scalar specification (skimage.c), bit for bit:
 *  - every entry of the compact bin and magnitude tables equals the exact
 *    code (atan2, NumPy's mod, the double bin edges, glibc's hypot) for every
 *    8-bit gradient pair, for many orientation counts;
 *  - the kernels (AVX2 where the CPU has it, and the portable one) on groups
 *    of 1 to 8 images, every image equal to its own scalar result whatever
 *    the others in its group;
 *  - hk_hog_extract_stack / _batch (which hand groups to the kernel) for
 *    1, 2 and 3 threads and counts that leave partial groups, all four block
 *    norms, geometries with blocks under 8, 8..128 and over 128 values,
 *    padded rows, flat and extreme images. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"
#include "hog/lanes.h"
#include "hog/skimage_bins.h"
#include "hog/skimage_lanes.h"
#include "hog/skimage_lut.h"
#include "hogkit.h"
#include "simd/cpu.h"

static uint64_t rng = 99;
static unsigned next8(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 56);
}

static const hk_skimage_kernels *some_kernels(void)
{
    hk_simd isa;
    if (hk_simd_resolve(HK_SIMD_AVX2, &isa) == HK_OK && hk_skimage_kernels_avx2())
        return hk_skimage_kernels_avx2();
    return hk_skimage_kernels_generic();
}

static void test_compact_tables(void)
{
    static const int ns[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 16, 18, 36, 45, 90, 180, 254};
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    int bin_bad = 0, mag_bad = 0, missing = 0;
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        int n = ns[t];
        const hk_skimage_lut *lut = hk_skimage_lut_get(ctx, n, some_kernels());
        if (!lut) {
            missing++;
            continue;
        }
        for (int r = -255; r <= 255; r++) {
            for (int q = -255; q <= 255; q++) {
                int want = hk_skimage_bin(hk_skimage_angle(r, q), n);
                int ar = abs(r), aq = abs(q), hi = ar > aq ? ar : aq, lo = ar > aq ? aq : ar;
                size_t bi = ((r ^ q) < 0 ? 65536u : 0u) + (size_t)ar * 256 + (size_t)aq;
                bin_bad += lut->bin[bi] != (want < 0 ? n : want);
                double m = hypot((double)q, (double)r);
                mag_bad += memcmp(&lut->mag[(size_t)hi * (hi + 1) / 2 + (size_t)lo], &m,
                                  sizeof m) != 0;
            }
        }
    }
    CHECK(missing == 0);
    CHECK(bin_bad == 0);
    CHECK(mag_bad == 0);
    hk_hog_ctx_free(ctx);
}

typedef struct geo {
    uint32_t w, h;
    int cr, cc, br, bc, n;
} geo;

/* Images: random, smooth, flat, or 0/255 checkers (largest gradients). */
static void fill_image(uint8_t *p, uint32_t w, uint32_t h, size_t stride, int kind)
{
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            unsigned v;
            switch (kind % 4) {
            case 0: v = next8(); break;
            case 1: v = (x * 7 + y * 3 + (unsigned)kind) & 255; break;
            case 2: v = (unsigned)kind * 37 & 255; break;
            default: v = (x + y) & 1 ? 255 : 0; break;
            }
            if (kind % 4 == 1 && next8() < 40)
                v = next8();
            p[y * stride + x] = (uint8_t)v;
        }
}

static void params_for(hk_hog_params *p, const geo *g, hk_block_norm norm)
{
    hk_hog_params_default(p, HK_VARIANT_SKIMAGE);
    p->skimage.cell_rows = g->cr;
    p->skimage.cell_cols = g->cc;
    p->skimage.block_rows = g->br;
    p->skimage.block_cols = g->bc;
    p->skimage.orientations = g->n;
    p->skimage.block_norm = norm;
}

static void test_geometry(const geo *g, hk_block_norm norm)
{
    enum { N = 21 };
    const size_t stride = g->w + 3, image_bytes = stride * g->h;
    /* a batch large enough for the 8-bit tables (batch.c: 2^18 pixels):
     * image i is image i % N */
    const size_t big = (1u << 18) / (g->w * g->h) + 11;
    uint8_t *pix = malloc(big * image_bytes);
    hk_image *ims = malloc(big * sizeof(hk_image));
    for (size_t i = 0; i < big; i++) {
        if (i < N)
            fill_image(pix + i * image_bytes, g->w, g->h, stride, (int)i);
        else
            memcpy(pix + i * image_bytes, pix + (i % N) * image_bytes, image_bytes);
        ims[i] = (hk_image){g->w, g->h, 1, HK_U8, stride, pix + i * image_bytes};
    }
    hk_hog_params p;
    params_for(&p, g, norm);
    hk_shape one;
    CHECK(hk_hog_shape(&p, g->w, g->h, 1, &one) == HK_OK);
    const size_t dim = one.count, total = big * dim + 1;
    float *want = calloc(total, sizeof(float)), *got = calloc(total, sizeof(float));
    p.simd = HK_SIMD_SCALAR;
    for (size_t i = 0; i < N; i++)
        CHECK(hk_hog_extract(NULL, &p, &ims[i], want + i * dim, dim) == HK_OK);
    for (size_t i = N; i < big; i++)
        memcpy(want + i * dim, want + (i % N) * dim, dim * sizeof(float));

    /* the batch hands these images to the lanes kernel */
    hk_hog_params q = p;
    hk_simd isa;
    CHECK(hk_simd_resolve(HK_SIMD_AUTO, &isa) == HK_OK);
    q.simd = isa;
    hk_lanes lanes;
    CHECK(hk_lanes_pick(&q, &ims[0], &lanes) == 1 && lanes.group == HK_SK_LANES);

    /* each kernel directly, groups of 1 .. 8, with the tables (eager) and
     * without (a fresh context: image by image) */
    hk_lanes_fn fns[2] = {hk__sk_lanes_generic(), hk__sk_lanes_avx2()};
    if (hk_simd_resolve(HK_SIMD_AVX2, &isa) != HK_OK)
        fns[1] = NULL; /* built, but this CPU lacks AVX2 */
    for (int f = 0; f < 4; f++) {
        if (!fns[f & 1])
            continue;
        hk_hog_ctx *ctx;
        CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
        ctx->lut_eager = f < 2;
        q.simd = f & 1 ? HK_SIMD_AVX2 : HK_SIMD_AUTO;
        for (size_t n = 1; n <= HK_SK_LANES; n++) {
            const hk_image *ptrs[HK_SK_LANES];
            for (size_t k = 0; k < n; k++)
                ptrs[k] = &ims[(k * 5 + n) % N];
            memset(got, 0xff, total * sizeof(float));
            CHECK(fns[f & 1](ctx, &q, ptrs, n, got, dim) == HK_OK);
            int same = 1;
            for (size_t k = 0; k < n; k++)
                same &= memcmp(got + k * dim, want + ((k * 5 + n) % N) * dim,
                               dim * sizeof(float)) == 0;
            CHECK(same);
            /* nothing written past the group's rows */
            uint32_t u;
            memcpy(&u, got + n * dim, sizeof u);
            CHECK(u == 0xffffffffu);
        }
        CHECK((ctx->skimage_lut != NULL) == (f < 2 && dim > 0));
        hk_hog_ctx_free(ctx);
    }

    /* through the batch API: stack and list, 1/2/3 threads, partial groups,
     * small batches (image by image) and a large one (the tables) */
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    p.simd = HK_SIMD_AUTO;
    const size_t counts[] = {1, 7, 9, 21, big - 5, big};
    for (int t = 1; t <= 3; t++) {
        p.threads = t;
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            size_t count = counts[c];
            memset(got, 0, total * sizeof(float));
            CHECK(hk_hog_extract_stack(t == 3 ? NULL : ctx, &p, &ims[0], image_bytes, count, got,
                                       count * dim) == HK_OK);
            CHECK(memcmp(got, want, count * dim * sizeof(float)) == 0);
            memset(got, 0, total * sizeof(float));
            CHECK(hk_hog_extract_batch(ctx, &p, ims, count, got, count * dim) == HK_OK);
            CHECK(memcmp(got, want, count * dim * sizeof(float)) == 0);
        }
    }
    hk_hog_ctx_free(ctx);
    free(want);
    free(got);
    free(ims);
    free(pix);
}

static void test_lanes_equal_scalar(void)
{
    static const geo geos[] = {
        {28, 28, 4, 4, 2, 2, 9},   /* Fashion-MNIST: blocks of 36 values */
        {28, 28, 4, 4, 2, 2, 1},   /* one orientation: blocks of 4 (< 8) */
        {28, 28, 4, 4, 1, 2, 3},   /* blocks of 6 */
        {33, 27, 3, 5, 3, 2, 7},   /* odd sizes, cells and blocks not square */
        {48, 40, 8, 8, 3, 3, 9},   /* skimage's default cells and blocks */
        {32, 32, 4, 4, 4, 4, 9},   /* 144 values: NumPy's pairwise split */
        {16, 16, 8, 8, 2, 2, 12},  /* one block */
        {20, 20, 4, 4, 1, 1, 254}, /* 254 orientations */
        {24, 24, 8, 8, 4, 4, 9},   /* fewer cells than a block: no features */
    };
    static const hk_block_norm norms[] = {HK_NORM_L2_HYS, HK_NORM_L1, HK_NORM_L1_SQRT,
                                          HK_NORM_L2};
    for (size_t i = 0; i < sizeof geos / sizeof geos[0]; i++)
        for (size_t j = 0; j < 4; j++)
            if (i == 0 || j == 0 || i == 5)
                test_geometry(&geos[i], norms[j]);
}

/* Images the kernel does not take go one by one (and still match). */
static void test_not_picked(void)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.simd = HK_SIMD_AUTO;
    hk_simd isa;
    CHECK(hk_simd_resolve(HK_SIMD_AUTO, &isa) == HK_OK);
    p.simd = isa;
    static uint8_t big[200 * 100];
    hk_image im = {200, 100, 1, HK_U8, 200, big}; /* over HK_SK_LANES_MAX_PIXELS */
    hk_lanes lanes;
    CHECK(hk_lanes_pick(&p, &im, &lanes) == 0);
    hk_image small = {28, 28, 1, HK_U8, 28, big};
    CHECK(hk_lanes_pick(&p, &small, &lanes) == 1);
    p.skimage.transform_sqrt = 1;
    CHECK(hk_lanes_pick(&p, &small, &lanes) == 0);
    p.skimage.transform_sqrt = 0;
    hk_image rgb = {28, 28, 3, HK_U8, 84, big};
    CHECK(hk_lanes_pick(&p, &rgb, &lanes) == 0);
    p.simd = HK_SIMD_SCALAR;
    CHECK(hk_lanes_pick(&p, &small, &lanes) == 0);
}

int main(void)
{
    test_compact_tables();
    test_lanes_equal_scalar();
    test_not_picked();
    return check_report("test_skimage_lanes");
}
