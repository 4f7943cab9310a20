/* The dlib variant's image-per-lane batch kernel (src/hog/dlib_lanes.c,
 * src/simd/dlib_lanes_*.c) against the scalar specification (src/hog/dlib.c,
 * HK_SIMD_SCALAR image by image), byte for byte:
 *  - both cores (AVX2 when the build and CPU have it, portable) called
 *    directly on groups of 1..8 images, at many geometries: cell sizes 2..8,
 *    odd sizes, sizes that leave dlib's 8-wide loop empty or whole, paddings,
 *    grey + alpha, rows with their own strides;
 *  - every 8-bit gradient (gx, gy) in [-255, 255]^2, each at the centre of a
 *    pixel whose four neighbours nothing else uses (the bins, ties included);
 *  - real Fashion-MNIST images;
 *  - the batch API (list and stack forms, counts 1..20 and 67: partial
 *    groups; 1..3 threads), whose output must also be the same bytes for
 *    every thread count;
 *  - which batches the kernel takes (pick), and the hostile ones it declines
 *    (1x1, smaller than a cell, cell size 1, other sample types). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "hog/dlib_lanes.h"
#include "hogkit.h"
#include "simd/cpu.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned next8(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 56);
}

typedef struct geo {
    uint32_t w, h, ch;
    int cs, pr, pc;
} geo;

/* w x h x ch 8-bit images, rows `pad` bytes longer than needed; a mix of
 * noise, flat areas (zero gradients) and ramps (long runs of one bin). */
static uint8_t *make(const geo *g, uint32_t pad, int seed, hk_image *im)
{
    const size_t stride = (size_t)g->w * g->ch + pad;
    uint8_t *d = malloc(stride * g->h + 1);
    for (uint32_t y = 0; y < g->h; y++)
        for (uint32_t x = 0; x < g->w * g->ch; x++) {
            unsigned v;
            switch ((seed + (int)(x / 5) + (int)(y / 7)) % 4) {
            case 0: v = next8(); break;
            case 1: v = 0; break;
            case 2: v = (x * 9 + y * (unsigned)seed) & 255; break;
            default: v = (x * x + y * 3) & 255;
            }
            d[y * stride + x] = (uint8_t)v;
        }
    *im = (hk_image){g->w, g->h, g->ch, HK_U8, stride, d};
    return d;
}

static void params(const geo *g, hk_hog_params *p)
{
    hk_hog_params_default(p, HK_VARIANT_DLIB);
    p->dlib.cell_size = g->cs;
    p->dlib.filter_rows_padding = g->pr;
    p->dlib.filter_cols_padding = g->pc;
    p->threads = 1;
}

/* Features of ims[0 .. n) by the scalar specification, one by one. */
static float *scalar_features(const hk_hog_params *p0, const hk_image *ims, size_t n, size_t dim)
{
    hk_hog_params p = *p0;
    p.simd = HK_SIMD_SCALAR;
    float *f = calloc(n * dim + 1, sizeof(float));
    for (size_t i = 0; i < n; i++)
        CHECK(hk_hog_extract(NULL, &p, &ims[i], f + i * dim, dim) == HK_OK);
    return f;
}

static size_t dim_of(const hk_hog_params *p, const hk_image *im)
{
    hk_shape s;
    CHECK(hk_hog_shape(p, im->width, im->height, im->channels, &s) == HK_OK);
    return s.count;
}

typedef hk_status (*run_fn)(hk_hog_ctx *, const hk_hog_params *, const hk_image *const *, size_t,
                            float *, size_t);

/* Runs `fn` on ims[0 .. count) in groups of up to 8 (group sizes cycling
 * through 1..8, so every partial group occurs) and compares with want. */
static int run_groups(run_fn fn, hk_hog_ctx *ctx, const hk_hog_params *p, const hk_image *ims,
                      size_t count, size_t dim, const float *want)
{
    float *got = malloc((count * dim + 1) * sizeof(float));
    memset(got, 0xff, (count * dim + 1) * sizeof(float));
    size_t i = 0, g = 1;
    int ok = 1;
    while (i < count) {
        size_t n = count - i < g ? count - i : g;
        const hk_image *ptrs[HK_DLIB_LANES];
        for (size_t k = 0; k < n; k++)
            ptrs[k] = &ims[i + k];
        if (fn(ctx, p, ptrs, n, got + i * dim, dim) != HK_OK)
            ok = 0;
        i += n;
        g = g % HK_DLIB_LANES + 1;
    }
    if (ok && memcmp(got, want, count * dim * sizeof(float)) != 0) {
        ok = 0;
        for (size_t j = 0; j < count * dim; j++)
            if (memcmp(&got[j], &want[j], sizeof(float)) != 0) {
                fprintf(stderr, "  image %zu value %zu: %.9g, want %.9g\n", j / dim, j % dim,
                        got[j], want[j]);
                break;
            }
    }
    free(got);
    return ok;
}

static int have_avx2(void)
{
    hk_simd r;
    return hk_dlib_lanes_core_avx2() && hk_simd_resolve(HK_SIMD_AVX2, &r) == HK_OK;
}

/* Both cores (those this machine runs) on `count` images of geometry g. */
static void cores_vs_scalar(const geo *g, size_t count, uint32_t pad)
{
    hk_hog_params p;
    params(g, &p);
    hk_image *ims = calloc(count, sizeof(hk_image));
    uint8_t **data = calloc(count, sizeof(uint8_t *));
    for (size_t i = 0; i < count; i++)
        data[i] = make(g, pad + (uint32_t)(i % 3), (int)i, &ims[i]); /* own strides */
    const size_t dim = dim_of(&p, &ims[0]);
    float *want = scalar_features(&p, ims, count, dim);
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    if (have_avx2()) {
        p.simd = HK_SIMD_AVX2;
        const int ok = run_groups(hk_dlib_lanes_run_avx2, ctx, &p, ims, count, dim, want);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  avx2 core, %ux%ux%u cell %d padding %d,%d\n", g->w, g->h, g->ch,
                    g->cs, g->pr, g->pc);
    }
    p.simd = HK_SIMD_AUTO;
    const int ok = run_groups(hk_dlib_lanes_run_generic, ctx, &p, ims, count, dim, want);
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  portable core, %ux%ux%u cell %d padding %d,%d\n", g->w, g->h, g->ch,
                g->cs, g->pr, g->pc);
    hk_hog_ctx_free(ctx);
    for (size_t i = 0; i < count; i++)
        free(data[i]);
    free(data);
    free(ims);
    free(want);
}

static const geo GEOS[] = {
    {28, 28, 1, 4, 1, 1}, {16, 16, 1, 2, 1, 1}, {64, 48, 1, 8, 1, 1}, {64, 48, 1, 4, 3, 2},
    {33, 17, 1, 3, 1, 1}, {17, 33, 1, 3, 2, 4}, {13, 29, 1, 5, 1, 1}, {40, 40, 1, 6, 1, 1},
    {50, 30, 1, 7, 1, 1}, {21, 21, 1, 2, 1, 1}, {9, 9, 1, 3, 1, 1},   {6, 6, 1, 2, 1, 1},
    {7, 10, 1, 2, 5, 5},  {30, 8, 1, 2, 1, 1},  {8, 30, 1, 2, 1, 1},  {100, 20, 1, 4, 1, 1},
    {64, 64, 1, 8, 1, 1}, {128, 32, 1, 4, 1, 1}, {32, 128, 1, 2, 1, 1}, {29, 31, 2, 4, 1, 1}, {45, 23, 2, 3, 2, 2}, {28, 28, 1, 5, 1, 1},
    {28, 28, 1, 2, 1, 1}, {28, 28, 1, 8, 1, 1}, {27, 27, 1, 4, 1, 1}, {24, 24, 1, 4, 1, 1},
    {37, 12, 1, 4, 1, 1}, {12, 12, 1, 4, 1, 1}, {11, 19, 1, 3, 1, 1},
};

static void test_cores(void)
{
    for (size_t i = 0; i < sizeof(GEOS) / sizeof(GEOS[0]); i++)
        cores_vs_scalar(&GEOS[i], 19, (uint32_t)(i % 2) * 5);
}

/* Every 8-bit gradient: at centres (3a + 1, 3b + 1) of 28 x 28 images, whose
 * neighbours (3a, 3b + 1), (3a + 2, 3b + 1), (3a + 1, 3b), (3a + 1, 3b + 2)
 * no other centre uses, set to give (gx, gy); 81 per image. */
static void test_all_gradients(void)
{
    const geo g = {28, 28, 1, 4, 1, 1};
    const size_t per = 81, total = 511u * 511u, count = (total + per - 1) / per;
    uint8_t *pix = calloc(count, 28 * 28);
    hk_image *ims = calloc(count, sizeof(hk_image));
    for (size_t i = 0; i < count; i++) {
        uint8_t *d = pix + i * 28 * 28;
        for (size_t j = 0; j < 28 * 28; j++)
            d[j] = (uint8_t)(next8() & 7); /* small noise elsewhere */
        for (size_t c = 0; c < per; c++) {
            const size_t q = (i * per + c) % total;
            const int gx = (int)(q % 511) - 255, gy = (int)(q / 511) - 255;
            const size_t x = 3 * (c % 9) + 1, y = 3 * (c / 9) + 1;
            d[y * 28 + x - 1] = (uint8_t)(gx < 0 ? -gx : 0);
            d[y * 28 + x + 1] = (uint8_t)(gx > 0 ? gx : 0);
            d[(y - 1) * 28 + x] = (uint8_t)(gy < 0 ? -gy : 0);
            d[(y + 1) * 28 + x] = (uint8_t)(gy > 0 ? gy : 0);
        }
        ims[i] = (hk_image){28, 28, 1, HK_U8, 28, d};
    }
    hk_hog_params p;
    params(&g, &p);
    const size_t dim = dim_of(&p, &ims[0]);
    float *want = scalar_features(&p, ims, count, dim);
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    if (have_avx2()) {
        p.simd = HK_SIMD_AVX2;
        CHECK(run_groups(hk_dlib_lanes_run_avx2, ctx, &p, ims, count, dim, want));
    }
    p.simd = HK_SIMD_AUTO;
    CHECK(run_groups(hk_dlib_lanes_run_generic, ctx, &p, ims, count, dim, want));
    hk_hog_ctx_free(ctx);
    free(want);
    free(ims);
    free(pix);
}

/* The first images of Fashion-MNIST's test set, when the data is installed. */
static uint8_t *fashion(size_t *count)
{
    gzFile f = gzopen("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb");
    *count = 0;
    if (!f) {
        printf("Fashion-MNIST not installed: its check skipped\n");
        return NULL;
    }
    unsigned char head[16];
    const size_t n = 203;
    uint8_t *pix = malloc(n * 784);
    if (gzread(f, head, 16) == 16 && head[2] == 8 && head[3] == 3 &&
        gzread(f, pix, (unsigned)(n * 784)) == (int)(n * 784))
        *count = n;
    gzclose(f);
    return pix;
}

/* The batch API on `count` images: list and stack forms, 1..3 threads,
 * the instruction sets this machine has; equal to the scalar features. */
static void batch_vs_scalar(const geo *g, const uint8_t *pix, size_t count)
{
    hk_hog_params p;
    params(g, &p);
    const size_t bytes = (size_t)g->w * g->h * g->ch;
    hk_image *ims = calloc(count, sizeof(hk_image));
    for (size_t i = 0; i < count; i++)
        ims[i] = (hk_image){g->w, g->h, g->ch, HK_U8, (size_t)g->w * g->ch, pix + i * bytes};
    const size_t dim = dim_of(&p, &ims[0]);
    float *want = scalar_features(&p, ims, count, dim);
    float *got = malloc((count * dim + 1) * sizeof(float));
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    const hk_simd sets[] = {HK_SIMD_AUTO, HK_SIMD_AVX2, HK_SIMD_AVX512};
    for (size_t s = 0; s < 3; s++) {
        hk_simd r;
        if (hk_simd_resolve(sets[s], &r) != HK_OK)
            continue;
        p.simd = sets[s];
        for (int t = 1; t <= 3; t++) {
            p.threads = t;
            memset(got, 0xff, count * dim * sizeof(float));
            CHECK(hk_hog_extract_batch(t == 2 ? NULL : ctx, &p, ims, count, got, count * dim) ==
                  HK_OK);
            CHECK(memcmp(got, want, count * dim * sizeof(float)) == 0);
            memset(got, 0xff, count * dim * sizeof(float));
            CHECK(hk_hog_extract_stack(ctx, &p, &ims[0], bytes, count, got, count * dim) == HK_OK);
            CHECK(memcmp(got, want, count * dim * sizeof(float)) == 0);
        }
    }
    hk_hog_ctx_free(ctx);
    free(got);
    free(want);
    free(ims);
}

static void test_batches(void)
{
    size_t nf;
    uint8_t *fm = fashion(&nf);
    if (fm) {
        const geo g = {28, 28, 1, 4, 1, 1};
        batch_vs_scalar(&g, fm, nf);
        const geo g8 = {28, 28, 1, 8, 1, 1};
        batch_vs_scalar(&g8, fm, 67);
        free(fm);
    }
    const geo gs[] = {{28, 28, 1, 4, 1, 1}, {33, 17, 1, 3, 2, 1}, {31, 31, 2, 2, 1, 1}};
    for (size_t i = 0; i < 3; i++) {
        const geo *g = &gs[i];
        const size_t bytes = (size_t)g->w * g->h * g->ch;
        uint8_t *pix = malloc(67 * bytes);
        for (size_t j = 0; j < 67; j++) {
            hk_image im;
            uint8_t *d = make(g, 0, (int)j, &im);
            memcpy(pix + j * bytes, d, bytes);
            free(d);
        }
        for (size_t count = 1; count <= 20; count++)
            batch_vs_scalar(g, pix, count);
        batch_vs_scalar(g, pix, 67);
        free(pix);
    }
}

static int picks(const hk_image *im, hk_simd simd, int cs)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_DLIB);
    p.dlib.cell_size = cs;
    p.simd = simd;
    hk_lanes l = {NULL, 1};
    return hk_lanes_pick(&p, im, &l) && l.run && l.group == HK_DLIB_LANES;
}

/* Which batches take the kernel; hostile ones still give the scalar bytes. */
static void test_pick_and_hostile(void)
{
    static uint8_t buf[256 * 256 * 4];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)next8();
    const hk_image grey = {28, 28, 1, HK_U8, 28, buf};
    CHECK(picks(&grey, HK_SIMD_AUTO, 4)); /* resolved AUTO: the portable core */
    if (have_avx2()) {
        CHECK(picks(&grey, HK_SIMD_AVX2, 4));
        CHECK(picks(&grey, HK_SIMD_AVX512, 4));
    }
    CHECK(!picks(&grey, HK_SIMD_SCALAR, 4));
    CHECK(!picks(&grey, HK_SIMD_AUTO, 1)); /* dlib's separate cell_size 1 path */
    const hk_image f32 = {28, 28, 1, HK_F32, 28 * 4, buf}, rgb = {28, 28, 3, HK_U8, 84, buf};
    const hk_image big = {200, 200, 1, HK_U8, 200, buf}, tiny = {1, 1, 1, HK_U8, 1, buf};
    const hk_image small = {7, 7, 1, HK_U8, 7, buf}, u16 = {28, 28, 1, HK_U16, 56, buf};
    CHECK(!picks(&f32, HK_SIMD_AUTO, 4) && !picks(&u16, HK_SIMD_AUTO, 4));
    CHECK(!picks(&rgb, HK_SIMD_AUTO, 4));
    CHECK(!picks(&big, HK_SIMD_AUTO, 4));
    const hk_image wide = {129, 8, 1, HK_U8, 129, buf}, mid = {65, 64, 1, HK_U8, 65, buf};
    CHECK(!picks(&wide, HK_SIMD_AUTO, 2) && !picks(&mid, HK_SIMD_AUTO, 8));
    CHECK(!picks(&tiny, HK_SIMD_AUTO, 2));
    CHECK(!picks(&small, HK_SIMD_AUTO, 4)); /* 2 x 2 cells: no output */
    /* the kernels refuse what they were not picked for */
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_DLIB);
    p.dlib.cell_size = 4;
    float out[31 * 25 * 9];
    const hk_image *one[9] = {&grey, &grey, &grey, &grey, &grey, &grey, &grey, &grey, &grey};
    CHECK(hk_dlib_lanes_run_generic(ctx, &p, one, 1, out, 31 * 25 + 1) == HK_ERR_INVALID_ARG);
    CHECK(hk_dlib_lanes_run_generic(ctx, &p, one, 0, out, 31 * 25) == HK_ERR_INVALID_ARG);
    CHECK(hk_dlib_lanes_run_generic(ctx, &p, one, 9, out, 31 * 25) == HK_ERR_INVALID_ARG);
    const hk_image *mixed[2] = {&grey, &small};
    CHECK(hk_dlib_lanes_run_generic(ctx, &p, mixed, 2, out, 31 * 25) == HK_ERR_INVALID_ARG);
    const hk_image *bad[1] = {&f32};
    CHECK(hk_dlib_lanes_run_generic(ctx, &p, bad, 1, out, 31 * 25) == HK_ERR_INVALID_ARG);
    hk_hog_ctx_free(ctx);
    /* batches of declined geometries: the same bytes as the scalar path
     * (an empty output is fine) */
    const geo hostile[] = {{1, 1, 1, 2, 1, 1}, {3, 3, 1, 4, 1, 1}, {7, 7, 1, 4, 1, 1},
                           {5, 5, 1, 8, 3, 3}, {12, 12, 1, 1, 1, 1}, {4, 4, 1, 2, 1, 1}};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        const geo *g = &hostile[i];
        batch_vs_scalar(g, buf, 11);
    }
}

int main(void)
{
    test_cores();
    test_all_gradients();
    test_batches();
    test_pick_and_hostile();
    return check_report("test_dlib_lanes");
}
