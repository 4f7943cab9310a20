/* Every fast path of the VLFeat variants against the scalar specification
 * (vlfeat.c): each kernel set this build has and the CPU runs, on images of
 * every sample type and channel count, tiny and odd sizes, several cell
 * sizes and orientation counts, hard and bilinear orientation assignment,
 * both variants, and 1..5 threads (several bands). The fast path regroups
 * the histogram sums (hog/vlfeat_fast.h), so it must agree with the scalar
 * path within hk_vlf_tol(cell) (absolute; the features lie in [0, 0.8]), and its
 * output must be bitwise the same for every thread count. The scalar path
 * itself is checked against VLFeat by tests/python/test_vlfeat_diff.py. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"
#include "hog/fhog_common.h"
#include "hog/vlfeat_fast.h"
#include "simd/cpu.h"


#define MAX_SETS 2
static const hk_vlf_kernels *sets[MAX_SETS];
static int n_sets;

static void collect_sets(void)
{
    sets[n_sets++] = hk_vlf_kernels_generic();
    if (hk_vlf_kernels_avx2() && hk_cpu_features_get()->avx2)
        sets[n_sets++] = hk_vlf_kernels_avx2();
    else
        printf("SKIP avx2: %s\n", hk_vlf_kernels_avx2() ? "CPU lacks AVX2" : "not built");
    for (int i = 0; i < n_sets; i++)
        printf("checking kernel set %s\n", sets[i]->name);
}

/* Image contents: 0 noise over the type's range, 1 few levels (many ties and
 * zero gradients), 2 constant, 3 smooth ramp with noise. */
static void fill(hk_image *im, void *data, int kind)
{
    const size_t n = (size_t)im->width * im->height * im->channels;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = check_next();
        double v;
        switch (kind) {
        case 0: v = (double)(r % 256); break;
        case 1: v = (double)(r % 3) * 40; break;
        case 2: v = 17; break;
        default: v = (double)((i / im->channels) % im->width) * 0.7 + (double)(r % 5); break;
        }
        switch (im->type) {
        case HK_U8: ((uint8_t *)data)[i] = (uint8_t)v; break;
        case HK_U16: ((uint16_t *)data)[i] = (uint16_t)(v * 257); break;
        case HK_F32: ((float *)data)[i] = (float)(v / 255.0 - 0.3); break;
        case HK_F64: ((double *)data)[i] = v / 255.0 * 1.3e3 - 7; break;
        }
    }
}

static size_t type_size(hk_sample_type t)
{
    return t == HK_U8 ? 1 : t == HK_U16 ? 2 : t == HK_F32 ? 4 : 8;
}

static int cases, mismatches, thread_mismatches, exact_cases;
static double worst;

/* Largest |a - b| (NaN or Inf anywhere: infinity); index of the first value
 * at that distance in *at. */
static double max_diff(const float *a, const float *b, size_t n, size_t *at)
{
    double m = 0;
    *at = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!isfinite(a[i]) || !isfinite(b[i]) || d != d)
            d = INFINITY;
        if (d > m) {
            m = d;
            *at = i;
        }
    }
    return m;
}

/* One image and parameter set: scalar once, then every set and thread count. */
static void check_case(uint32_t w, uint32_t h, uint32_t c, hk_sample_type t, int kind, int cell,
                       int n, int bilinear, int uoctti, hk_hog_ctx *ctx)
{
    hk_vlfeat_params p = {.cell_size = cell, .orientations = n,
                          .bilinear_orientations = bilinear};
    hk_shape shape;
    if (hk_vlfeat_shape(&p, uoctti, w, h, &shape) != HK_OK)
        return;
    void *data = malloc((size_t)w * h * c * type_size(t));
    hk_image im = {.width = w, .height = h, .channels = c, .type = t, .data = data,
                   .stride = (size_t)w * c * type_size(t)};
    fill(&im, data, kind);
    float *ref = malloc(shape.count * sizeof(float));
    float *got = malloc(shape.count * sizeof(float));
    CHECK(hk_vlfeat_extract(ctx, &p, uoctti, &im, ref) == HK_OK);
    static const int threads[] = {1, 2, 3, 5};
    float *one = malloc(shape.count * sizeof(float));
    for (int s = 0; s < n_sets; s++) {
        for (int ti = 0; ti < 4; ti++) {
            memset(got, 0xff, shape.count * sizeof(float));
            CHECK(hk_vlfeat_fast(ctx, &p, uoctti, &im, got, sets[s], threads[ti]) == HK_OK);
            cases++;
            size_t i;
            const double d = max_diff(ref, got, shape.count, &i);
            worst = d > worst ? d : worst;
            exact_cases += d == 0;
            if (!(d <= hk_vlf_tol((size_t)cell))) {
                mismatches++;
                fprintf(stderr,
                        "%s: %ux%ux%u type %d kind %d cell %d n %d bilinear %d uoctti %d "
                        "threads %d: element %zu is %.9g, scalar %.9g (diff %.3g)\n",
                        sets[s]->name, w, h, c, (int)t, kind, cell, n, bilinear, uoctti,
                        threads[ti], i, got[i], ref[i], d);
            }
            /* any thread count (band split): the very same bits */
            if (ti == 0) {
                memcpy(one, got, shape.count * sizeof(float));
            } else if (memcmp(one, got, shape.count * sizeof(float)) != 0) {
                thread_mismatches++;
                fprintf(stderr, "%s: %ux%u cell %d n %d: %d threads differ from 1 thread\n",
                        sets[s]->name, w, h, cell, n, threads[ti]);
            }
        }
    }
    free(one);
    free(ref);
    free(got);
    free(data);
}

/* A set's 8-bit 9-orientation bins against the reference's decision
 * (hk_vlf_best_two with the context's unit vectors) on every integer
 * gradient in [-255, 255]^2. */
static void check_bins9(hk_hog_ctx *ctx)
{
    hk_vlfeat_params p = {.cell_size = 8, .orientations = 9};
    hk_shape shape;
    const hk_vlf_tables *t;
    CHECK(hk_vlfeat_shape(&p, 0, 64, 64, &shape) == HK_OK);
    CHECK(hk_vlf_tables_get(ctx, 64, 64, 8, 9, shape.dims[2], shape.dims[1], &t) == HK_OK);
    enum { N = 512 };
    float gx[N], gy[N];
    int32_t bin[N];
    for (int s = 0; s < n_sets; s++) {
        if (!sets[s]->bins9_u8)
            continue;
        size_t total = 0, bad = 0;
        for (int y = -255; y <= 255; y++) {
            for (int x = -256; x < 256; x++) {
                gx[x + 256] = (float)(x < -255 ? 0 : x);
                gy[x + 256] = (float)y;
            }
            sets[s]->bins9_u8(gx, gy, N, bin);
            for (int i = 0; i < N; i++, total++) {
                int32_t ref[2];
                float w[2];
                hk_vlf_best_two(t->ux, t->uy, 9, gx[i], gy[i], ref, w);
                if (bin[i] != ref[0] && bad++ < 5)
                    fprintf(stderr, "%s: bins9_u8(%g, %g) = %d, reference %d\n", sets[s]->name,
                            gx[i], gy[i], bin[i], ref[0]);
            }
        }
        printf("%s: bins9_u8 on %zu gradients, %zu differ\n", sets[s]->name, total, bad);
        CHECK(total >= 511u * 511u && bad == 0);
    }
}

/* The public entry point picks the path from params.simd and HK_SIMD. */
static void check_api(hk_hog_ctx *ctx)
{
    uint8_t img[61 * 47];
    for (size_t i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)check_next();
    hk_image im = {.width = 61, .height = 47, .channels = 1, .type = HK_U8, .data = img,
                   .stride = 61};
    for (int v = HK_VARIANT_VLFEAT_DT; v <= HK_VARIANT_VLFEAT_UOCTTI; v++) {
        hk_hog_params p;
        hk_hog_params_default(&p, (hk_variant)v);
        p.vlfeat.cell_size = 4;
        hk_shape shape;
        CHECK(hk_hog_shape(&p, 61, 47, 1, &shape) == HK_OK);
        float *a = malloc(shape.count * sizeof(float)), *b = malloc(shape.count * sizeof(float));
        p.simd = HK_SIMD_SCALAR;
        p.threads = 1;
        CHECK(hk_hog_extract(ctx, &p, &im, a, shape.count) == HK_OK);
        p.simd = HK_SIMD_AUTO;
        p.threads = 2;
        CHECK(hk_hog_extract(ctx, &p, &im, b, shape.count) == HK_OK);
        size_t at;
        CHECK(max_diff(a, b, shape.count, &at) <= hk_vlf_tol(4));
        if (strcmp(hk_simd_name(HK_SIMD_AUTO), "scalar") != 0) /* the fast path did run */
            CHECK(max_diff(a, b, shape.count, &at) > 0);
        if (hk_simd_name(HK_SIMD_AVX2)) {
            float *c = malloc(shape.count * sizeof(float));
            p.simd = HK_SIMD_AVX2;
            p.threads = 1;
            CHECK(hk_hog_extract(ctx, &p, &im, c, shape.count) == HK_OK);
            CHECK(max_diff(a, c, shape.count, &at) <= hk_vlf_tol(4));
            if (strcmp(hk_simd_name(HK_SIMD_AUTO), "avx2") == 0 && !getenv("HK_SIMD"))
                CHECK(memcmp(b, c, shape.count * sizeof(float)) == 0);
            free(c);
        }
        /* the batch API: small 8-bit images go through the image-per-lane
         * kernel (hog/vlfeat_lanes.h), which gives the scalar path's bits
         * (tests/unit/test_vlfeat_lanes.c checks it in depth) */
        uint8_t two[2][61 * 47];
        memcpy(two[0], img, sizeof(img));
        for (size_t i = 0; i < sizeof(img); i++)
            two[1][i] = (uint8_t)(255 - img[i]);
        hk_image first = im;
        first.data = two[0];
        float *bat = malloc(2 * shape.count * sizeof(float));
        p.simd = HK_SIMD_AUTO;
        p.threads = 2;
        CHECK(hk_hog_extract_stack(ctx, &p, &first, sizeof(img), 2, bat, 2 * shape.count) ==
              HK_OK);
        CHECK(memcmp(bat, a, shape.count * sizeof(float)) == 0);
        hk_image second = first;
        second.data = two[1];
        p.threads = 1;
        p.simd = HK_SIMD_SCALAR;
        CHECK(hk_hog_extract(ctx, &p, &second, b, shape.count) == HK_OK);
        CHECK(memcmp(bat + shape.count, b, shape.count * sizeof(float)) == 0);
        free(bat);
        free(a);
        free(b);
    }
}

int main(void)
{
    collect_sets();
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    static const uint32_t sizes[][2] = {{4, 4},   {5, 7},   {4, 9},   {9, 4},   {13, 11},
                                        {28, 28}, {37, 53}, {64, 48}, {101, 67}, {130, 190}};
    static const int cells[] = {1, 2, 3, 4, 5, 8, 9};
    static const int orients[] = {1, 2, 3, 4, 9, 13};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (int i = 0; i < 6; i++) {
            const uint32_t c = (uint32_t)(check_next() % 4) + 1;
            const hk_sample_type t = (hk_sample_type)(check_next() % 4 + 1);
            const int kind = (int)(check_next() % 4);
            const int cell = cells[check_next() % 7];
            const int n = orients[check_next() % 6];
            check_case(sizes[s][0], sizes[s][1], i < 2 ? 1 : c, i % 3 == 0 ? HK_U8 : t, kind,
                       cell, n, i % 2, (i / 2) % 2, ctx);
        }
    }
    /* the benchmark's geometry and a few larger images, several bands */
    check_case(28, 28, 1, HK_U8, 0, 4, 9, 0, 0, ctx);
    check_case(28, 28, 1, HK_U8, 3, 4, 9, 0, 1, ctx);
    check_case(640, 480, 1, HK_U8, 3, 8, 9, 0, 0, ctx);
    check_case(640, 480, 1, HK_U8, 0, 8, 9, 0, 1, ctx);
    check_case(321, 243, 3, HK_U8, 3, 8, 9, 1, 1, ctx);
    check_case(257, 199, 2, HK_F32, 0, 4, 9, 1, 0, ctx);
    check_case(300, 311, 1, HK_U16, 1, 3, 7, 0, 1, ctx);
    /* more cells than the one-thread banding limit: bands on one thread too */
    check_case(700, 400, 1, HK_U8, 3, 1, 9, 0, 1, ctx);
    /* rows in several strips of spans */
    check_case(1100, 21, 1, HK_U8, 0, 1, 9, 0, 1, ctx);
    check_case(1301, 37, 2, HK_F32, 3, 2, 5, 1, 0, ctx);
    check_case(1207, 25, 1, HK_U8, 1, 7, 9, 0, 0, ctx);
    /* large cells: the tolerance grows with the cell (the reference's own
     * float sums over (2 cs)^2 votes) */
    check_case(700, 530, 1, HK_U8, 3, 64, 9, 0, 1, ctx);
    check_case(900, 700, 1, HK_U8, 0, 128, 9, 1, 1, ctx);
    check_case(1000, 1000, 1, HK_F32, 3, 200, 9, 0, 0, ctx);
    /* an output over HK_FHOG_STREAM_BYTES: rows through a buffer, streamed
     * out plane by plane */
    {
        hk_vlfeat_params big = {.cell_size = 2, .orientations = 9};
        hk_shape shape;
        CHECK(hk_vlfeat_shape(&big, 0, 1500, 1300, &shape) == HK_OK);
        CHECK(shape.count * sizeof(float) >= HK_FHOG_STREAM_BYTES);
        check_case(1500, 1300, 1, HK_U8, 3, 2, 9, 0, 0, ctx);
    }
    check_bins9(ctx);
    check_api(ctx);
    hk_hog_ctx_free(ctx);
    printf("%d path runs: %d beyond the tolerance (1e-6 for cells <= 64) of the scalar path "
           "(largest difference %.3g, %d runs bit-exact), %d differ between thread counts\n",
           cases, mismatches, worst, exact_cases, thread_mismatches);
    CHECK(cases > 0);
    CHECK(mismatches == 0);
    CHECK(thread_mismatches == 0);
    /* the regrouped sums are not the reference's: a test that cannot see a
     * difference would not test the tolerance */
    CHECK(worst > 0);
    return check_report("test_vlfeat_paths");
}
