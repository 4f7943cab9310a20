/* Every fast path of the skimage variant against the scalar specification
 * (skimage.c), bit for bit: the bins kernel on every integer gradient of the
 * 8-bit range and on hostile doubles, then whole images of every sample type,
 * channel count and option, on 1..7 threads. Kernel sets the CPU lacks are
 * skipped with a message (AVX-512 cannot be checked on a machine without it). */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/skimage_bins.h"
#include "hog/skimage_fast.h"
#include "simd/cpu.h"
#include "simd/kernels.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double unit(void) { return (double)(next() >> 11) * 0x1p-53; }
static int below(int n) { return (int)(next() % (uint64_t)n); }

#define MAX_SETS 3
static const hk_skimage_kernels *sets[MAX_SETS];
static int n_sets;

static void collect_sets(void)
{
    const hk_cpu_features *f = hk_cpu_features_get();
    sets[n_sets++] = hk_skimage_kernels_generic();
    if (hk_skimage_kernels_avx2() && f->avx2)
        sets[n_sets++] = hk_skimage_kernels_avx2();
    else
        printf("SKIP avx2: %s\n", hk_skimage_kernels_avx2() ? "CPU lacks AVX2" : "not built");
    if (hk_skimage_kernels_avx512() && f->avx512)
        sets[n_sets++] = hk_skimage_kernels_avx512();
    else
        printf("SKIP avx512: %s; the AVX-512 kernels are not checked on this machine\n",
               hk_skimage_kernels_avx512() ? "CPU lacks AVX-512 F/BW/VL/DQ" : "not built");
    for (int i = 0; i < n_sets; i++)
        printf("checking kernel set %s\n", sets[i]->name);
}

/* Runs the bins kernel and checks each pixel against atan2/hypot. Returns the
 * number of pixels the kernel sent to the exact path. */
static size_t check_bins(const hk_skimage_kernels *k, const double *gr, const double *gc,
                         size_t n_px, int n)
{
    hk_skbin_consts c;
    hk_skbin_consts_init(&c, n);
    int32_t *bin = malloc(n_px * sizeof(int32_t));
    double *mag = malloc(n_px * sizeof(double));
    size_t exact = 0, bad = 0;
    k->bins(gr, gc, n_px, &c, bin, mag);
    for (size_t i = 0; i < n_px; i++) {
        int want = hk_skimage_bin(hk_skimage_angle(gr[i], gc[i]), n);
        double want_m = hypot(gc[i], gr[i]);
        if (bin[i] == HK_BIN_EXACT) {
            exact++;
            continue;
        }
        if (bin[i] == HK_BIN_SKIP) {
            /* no vote: either no bin, or a zero magnitude (adds nothing) */
            if (!(want < 0 || want_m == 0) && bad++ < 5)
                fprintf(stderr, "%s n=%d (%a, %a): skipped, want bin %d\n", k->name, n, gr[i],
                        gc[i], want);
            continue;
        }
        if ((bin[i] != want || memcmp(&mag[i], &want_m, sizeof want_m) != 0) && bad++ < 5)
            fprintf(stderr, "%s n=%d (%a, %a): bin %d mag %a, want %d %a\n", k->name, n, gr[i],
                    gc[i], bin[i], mag[i], want, want_m);
    }
    CHECK(bad == 0);
    free(bin);
    free(mag);
    return exact;
}

static void test_bins_integer_range(void)
{
    /* every gradient of 8-bit grey images: g in [-255, 255]^2 */
    const size_t side = 511, n_px = side * side;
    double *gr = malloc(n_px * sizeof(double)), *gc = malloc(n_px * sizeof(double));
    for (size_t i = 0; i < n_px; i++) {
        gr[i] = (double)(long)(i / side) - 255;
        gc[i] = (double)(long)(i % side) - 255;
    }
    static const int ns[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 18, 30, 36, 90, 180, 360, 4096};
    for (int s = 0; s < n_sets; s++)
        for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            size_t exact = check_bins(sets[s], gr, gc, n_px, ns[j]);
            /* the exact path must stay rare or the kernel is pointless */
            CHECK(exact < n_px / 50);
        }
    free(gr);
    free(gc);
}

static void test_bins_hostile(void)
{
    enum { N = 4096 };
    double gr[N], gc[N];
    const double specials[] = {0.0, -0.0, 1.0, -1.0, DBL_MIN, -DBL_MIN, 4.9e-324, -4.9e-324,
                               1e-300, -1e-300, 0x1p-511, 0x1p-512, 0x1p511, 0x1p512, 1e300,
                               -1e300, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, 3.0, -3.0, 1e-20};
    const size_t ns = sizeof specials / sizeof specials[0];
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++) {
            switch (below(4)) {
            case 0: /* special pairs */
                gr[i] = specials[below((int)ns)];
                gc[i] = specials[below((int)ns)];
                break;
            case 1: /* random doubles over a wide exponent range */
                gr[i] = (unit() - 0.5) * ldexp(1, below(200) - 100);
                gc[i] = (unit() - 0.5) * ldexp(1, below(200) - 100);
                break;
            case 2: { /* right on an edge of some bin count: (sin, cos) of k degrees */
                double a = below(361) * 3.14159265358979323846 / 180, m = 1 + below(1000);
                gr[i] = m * sin(a);
                gc[i] = m * cos(a);
                break;
            }
            default: /* float32 differences */
                gr[i] = (double)((float)unit() - (float)unit());
                gc[i] = (double)((float)(unit() * 255) - (float)(unit() * 255));
            }
        }
        for (int s = 0; s < n_sets; s++)
            for (int n = 1; n <= 20; n++)
                check_bins(sets[s], gr, gc, N, n);
    }
}

/* A random image: noise, flat patches, ramps at exact angles, extremes. */
static void *random_image(hk_image *im, uint32_t w, uint32_t h, uint32_t ch, hk_sample_type t,
                          int nonneg)
{
    size_t ss = hk_sample_size(t), pad = (size_t)below(3) * ss;
    size_t stride = (size_t)w * ch * ss + pad;
    unsigned char *data = malloc(stride * h + 1);
    int style = below(4);
    double scale = t == HK_U8 ? 255 : t == HK_U16 ? 65535 : below(2) ? 1.0 : 1e6;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t c = 0; c < ch; c++) {
                double v;
                switch (style) {
                case 0: v = unit(); break;
                case 1: v = ((x / 3 + y / 5 + c) % 3) / 2.0; break;         /* flat patches */
                case 2: v = fmod((x * (c + 1) + y * below(3)) / 40.0, 1.0); break; /* ramps */
                default: v = below(8) ? (below(2) ? 0.5 : 0.25) : unit(); /* mostly flat */
                }
                v *= scale;
                if ((t == HK_F32 || t == HK_F64) && !nonneg && below(7) == 0)
                    v = -v;
                unsigned char *p = data + y * stride + ((size_t)x * ch + c) * ss;
                switch (t) {
                case HK_U8: *p = (uint8_t)v; break;
                case HK_U16: { uint16_t u = (uint16_t)v; memcpy(p, &u, 2); break; }
                case HK_F32: { float f = (float)v; memcpy(p, &f, 4); break; }
                case HK_F64: memcpy(p, &v, 8); break;
                }
            }
    *im = (hk_image){w, h, ch, t, stride, data};
    return data;
}

static void test_images(void)
{
    static const hk_sample_type types[] = {HK_U8, HK_U16, HK_F32, HK_F64};
    int compared = 0;
    for (int iter = 0; iter < 600; iter++) {
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
        hk_skimage_params *s = &p.skimage;
        s->orientations = 1 + below(iter % 10 == 0 ? 40 : 12);
        s->cell_rows = 1 + below(9);
        s->cell_cols = 1 + below(9);
        s->block_rows = 1 + below(4);
        s->block_cols = 1 + below(4);
        s->block_norm = (hk_block_norm)below(4);
        s->transform_sqrt = below(4) == 0;
        uint32_t w = 1 + (uint32_t)below(90), h = 1 + (uint32_t)below(70);
        uint32_t ch = below(3) ? 1 : 1 + (uint32_t)below(4);
        hk_image im;
        void *data = random_image(&im, w, h, ch, types[below(4)], s->transform_sqrt);
        hk_shape shape;
        if (hk_hog_shape(&p, w, h, ch, &shape) != HK_OK || shape.count == 0) {
            free(data);
            continue;
        }
        size_t bytes = shape.count * sizeof(float);
        float *want = malloc(bytes), *got = malloc(bytes);
        p.simd = HK_SIMD_SCALAR;
        CHECK(hk_hog_extract(NULL, &p, &im, want, shape.count) == HK_OK);
        hk_hog_ctx *ctx;
        CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
        ctx->lut_eager = iter & 1; /* 8-bit grey: tables on odd rounds, kernels on even */
        for (int k = 0; k < n_sets; k++) {
            static const int thread_counts[] = {1, 2, 3, 7};
            for (int t = 0; t < 4; t++) {
                memset(got, 0xff, bytes);
                CHECK(hk_skimage_fast(ctx, s, &im, got, sets[k], thread_counts[t]) == HK_OK);
                int same = memcmp(want, got, bytes) == 0;
                CHECK(same);
                if (!same)
                    fprintf(stderr, "%s, %d threads: %ux%ux%u type %d n=%d cell %dx%d block %dx%d "
                            "norm %d sqrt %d differs\n", sets[k]->name, thread_counts[t], w, h, ch,
                            im.type, s->orientations, s->cell_rows, s->cell_cols, s->block_rows,
                            s->block_cols, s->block_norm, s->transform_sqrt);
                compared++;
            }
        }
        hk_hog_ctx_free(ctx);
        free(want);
        free(got);
        free(data);
    }
    printf("compared %d fast results with the scalar path\n", compared);
    CHECK(compared > 1000);
}

/* Big enough for many bands: threads change nothing, through the public API. */
static void test_threads_public(void)
{
    hk_image im;
    void *data = random_image(&im, 711, 397, 1, HK_U8, 1); /* > HK_LUT_MIN_PIXELS */
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    hk_shape shape;
    CHECK(hk_hog_shape(&p, im.width, im.height, 1, &shape) == HK_OK);
    size_t bytes = shape.count * sizeof(float);
    float *want = malloc(bytes), *got = malloc(bytes);
    p.simd = HK_SIMD_SCALAR;
    CHECK(hk_hog_extract(NULL, &p, &im, want, shape.count) == HK_OK);
    p.simd = HK_SIMD_AUTO;
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    for (int t = 0; t <= 9; t++) {
        p.threads = t;
        memset(got, 0, bytes);
        CHECK(hk_hog_extract(ctx, &p, &im, got, shape.count) == HK_OK);
        CHECK(memcmp(want, got, bytes) == 0);
    }
    hk_hog_ctx_free(ctx);
    free(want);
    free(got);
    free(data);
}

static void test_selection(void)
{
    const hk_cpu_features *f = hk_cpu_features_get();
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.simd = HK_SIMD_AVX512;
    hk_status want512 = f->avx512 && hk_skimage_kernels_avx512() ? HK_OK : HK_ERR_UNSUPPORTED;
    CHECK(hk_hog_params_check(&p) == want512);
    p.simd = HK_SIMD_AVX2;
    CHECK(hk_hog_params_check(&p) == (f->avx2 && hk_skimage_kernels_avx2() ? HK_OK
                                                                            : HK_ERR_UNSUPPORTED));
    p.simd = HK_SIMD_SCALAR;
    CHECK(hk_hog_params_check(&p) == HK_OK);
    p.simd = (hk_simd)9;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    hk_simd r;
    CHECK(hk_simd_resolve(HK_SIMD_SCALAR, &r) == HK_OK && r == HK_SIMD_SCALAR);
    setenv("HK_SIMD", "scalar", 1);
    CHECK(hk_simd_resolve(HK_SIMD_AUTO, &r) == HK_OK && r == HK_SIMD_SCALAR);
    unsetenv("HK_SIMD");
    CHECK(hk_simd_resolve(HK_SIMD_AUTO, &r) == HK_OK && r != HK_SIMD_SCALAR);
}

int main(void)
{
    collect_sets();
    test_selection();
    test_bins_integer_range();
    test_bins_hostile();
    test_images();
    test_threads_public();
    return check_report("test_simd_paths");
}
