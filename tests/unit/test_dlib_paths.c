/* Every fast path of the dlib variant against its scalar specification
 * (src/hog/dlib.c, HK_SIMD_SCALAR): tiny and odd sizes, every cell size
 * class, paddings, grey of every sample type, 8-bit colour with channel
 * ties, smooth images (long runs of equal bins), strided rows, and images
 * large enough to be split between 1..5 threads and into several strips.
 * The fast path sums the votes in another order and takes |g| from rsqrt
 * and a Newton step, so its features may differ from the specification's
 * in the last bits: at most TOL (features lie in [0, 1]; a vote in a wrong
 * bin would move a value by ~1e-2). Its bins must be the specification's
 * exactly: the snap kernel is checked on every integer gradient in
 * [-300, 300]^2 and on random ones up to 2^31. Different thread counts must
 * give the same bytes. Instruction sets the build or CPU lacks are skipped
 * with a message. The agreement of the scalar path with dlib itself is
 * tests/python/test_dlib_diff.py. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/dlib_fast.h"
#include "hog/fhog_common.h"
#include "hogkit.h"

/* Largest |fast - specification| accepted for a feature value. */
#define TOL 1e-5


enum pattern { NOISE, SMOOTH, TIES };

/* Sample (x, y, c) of a test image as a double in the type's range. */
static double sample(enum pattern pat, uint32_t x, uint32_t y, uint32_t c, hk_sample_type t)
{
    double v;
    switch (pat) {
    case SMOOTH: /* slow ramps and rings: neighbours share bins */
        v = 128 + 60 * sin(x * 0.05 + y * 0.031) + 40 * cos((x * x + y * y) * 0.0007);
        break;
    case TIES: /* equal channel gradients: the column-dependent tie rule */
        v = (double)((x * 7 + y * 13) % 256);
        break;
    default:
        v = (double)(check_next() % 256);
    }
    (void)c;
    if (t == HK_U16)
        return v * 257 + (double)(check_next() % 200);
    if (t == HK_F32 || t == HK_F64) /* negative and fractional: truncation */
        return (v - 128) * 3.7 + (double)(check_next() % 1000) / 1000.0;
    return v;
}

/* An image of w x h x ch samples of type t, rows `pad` samples longer than
 * needed (a stride that is not the row length). */
static void *make(enum pattern pat, uint32_t w, uint32_t h, uint32_t ch, hk_sample_type t,
                  uint32_t pad, hk_image *im)
{
    const size_t ss = hk_sample_size(t), stride = ((size_t)w * ch + pad) * ss;
    unsigned char *d = malloc(stride * h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double base = sample(pat, x, y, 0, t);
            for (uint32_t c = 0; c < ch; c++) {
                double v = pat == TIES ? base : sample(pat, x, y, c, t);
                if (pat != TIES && c > 0 && (x + y) % 5 == 0)
                    v = base; /* some colour pixels with equal channels */
                unsigned char *p = d + y * stride + ((size_t)x * ch + c) * ss;
                switch (t) {
                case HK_U8: *p = (uint8_t)v; break;
                case HK_U16: *(uint16_t *)(void *)p = (uint16_t)v; break;
                case HK_F32: *(float *)(void *)p = (float)v; break;
                case HK_F64: *(double *)(void *)p = v; break;
                }
            }
        }
    *im = (hk_image){w, h, ch, t, stride, d};
    return d;
}

static int n_runs, n_mismatch;
static double worst; /* largest difference seen */

/* Index of the first value farther than TOL from ref (NaN: never near),
 * or n. */
static size_t far_from(const float *ref, const float *got, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)got[i] - (double)ref[i]);
        if (!(d <= TOL))
            return i;
        if (d > worst)
            worst = d;
    }
    return n;
}

/* Runs the image through the scalar path and through `isa` on each of the
 * n thread counts: within TOL of the scalar path, and the same bytes for
 * every thread count. */
static void compare_n(hk_hog_ctx *ctx, const hk_image *im, int cell, int pr, int pc, hk_simd isa,
                      const int *threads, int n_threads)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_DLIB);
    p.dlib.cell_size = cell;
    p.dlib.filter_rows_padding = pr;
    p.dlib.filter_cols_padding = pc;
    hk_shape s;
    CHECK(hk_hog_shape(&p, im->width, im->height, im->channels, &s) == HK_OK);
    const size_t n = s.count ? s.count : 1;
    float *ref = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float)),
          *first = malloc(n * sizeof(float));
    memset(ref, 0x55, n * sizeof(float));
    p.simd = HK_SIMD_SCALAR;
    p.threads = 1;
    hk_status a = hk_hog_extract(ctx, &p, im, ref, s.count);
    CHECK(a == HK_OK);
    for (int t = 0; t < n_threads; t++) {
        const int th = threads[t];
        memset(got, 0xff, n * sizeof(float)); /* NaN: every value must be written */
        p.simd = isa;
        p.threads = th;
        hk_status b = hk_hog_extract(ctx, &p, im, got, s.count);
        CHECK(b == HK_OK);
        n_runs++;
        const size_t i = far_from(ref, got, s.count);
        if (i < s.count) {
            if (n_mismatch++ < 10)
                fprintf(stderr,
                        "%s: %ux%ux%u type %d cell %d pad %d,%d threads %d: element %zu = %a, "
                        "scalar %a\n",
                        hk_simd_name(isa), im->width, im->height, im->channels, (int)im->type,
                        cell, pr, pc, th, i, got[i], ref[i]);
            CHECK(0);
        }
        if (t == 0)
            memcpy(first, got, n * sizeof(float));
        else if (s.count && memcmp(first, got, s.count * sizeof(float)) != 0) {
            if (n_mismatch++ < 10)
                fprintf(stderr, "%s: %ux%u cell %d: threads %d differ from threads %d\n",
                        hk_simd_name(isa), im->width, im->height, cell, th, threads[0]);
            CHECK(0);
        }
    }
    free(ref);
    free(got);
    free(first);
}

typedef void (*snap_fn)(const float *gx, const float *gy, size_t n, int32_t *bin);

/* fn against the specification's snap18 on every integer gradient in
 * [-r, r]^2; counts into *total and *bad. */
static void snap_grid(snap_fn fn, long r, size_t *total, size_t *bad)
{
    enum { N = 1024 };
    float gx[N], gy[N];
    int32_t bin[N];
    size_t fill = 0;
    for (long y = -r; y <= r + 1; y++)
        for (long x = -r; x <= r; x++) {
            const int last = y > r;
            if (!last) {
                gx[fill] = (float)x;
                gy[fill] = (float)y;
                fill++;
            }
            if (fill == N || (last && fill > 0)) {
                while (fill % 8) { /* pad to whole vectors */
                    gx[fill] = gy[fill] = 0;
                    fill++;
                }
                fn(gx, gy, fill, bin);
                for (size_t i = 0; i < fill; i++, (*total)++)
                    if (bin[i] != hk_dlib_snap18(gx[i], gy[i]) && (*bad)++ < 5)
                        fprintf(stderr, "snap(%g, %g) = %d, spec %d\n", gx[i], gy[i], bin[i],
                                hk_dlib_snap18(gx[i], gy[i]));
                fill = 0;
            }
            if (last)
                break;
        }
}

/* The 8-bit snap kernel against the specification's snap18 on every
 * gradient 8-bit samples can give: all of [-255, 255]^2. */
static void check_snap8(const hk_dlib_kernels *k)
{
    size_t total = 0, bad = 0;
    snap_grid(k->snap8, 255, &total, &bad);
    printf("  snap8: %zu gradients, %zu different bins\n", total, bad);
    CHECK(total >= 511u * 511u && bad == 0);
}

/* The 16-lane 8-bit snap (8-bit grey rows) against the specification's
 * snap18 on all of [-255, 255]^2. */
static void check_snap8i(const hk_dlib_kernels *k)
{
    enum { N = 512 }; /* one row of gx (511 values) and a padding lane */
    int16_t gx[N], gy[N];
    int32_t bin[N];
    size_t total = 0, bad = 0;
    for (int y = -255; y <= 255; y++) {
        for (int i = 0; i < N; i++) {
            gx[i] = (int16_t)(i < 511 ? i - 255 : 0);
            gy[i] = (int16_t)y;
        }
        k->snap8i(gx, gy, N, bin);
        for (int i = 0; i < 511; i++, total++)
            if (bin[i] != hk_dlib_snap18(gx[i], gy[i]) && bad++ < 5)
                fprintf(stderr, "snap8i(%d, %d) = %d, spec %d\n", gx[i], gy[i], bin[i],
                        hk_dlib_snap18(gx[i], gy[i]));
    }
    printf("  snap8i: %zu gradients, %zu different bins\n", total, bad);
    CHECK(total == 511u * 511u && bad == 0);
}

/* The snap kernel against the specification's snap18 on every integer
 * gradient in [-300, 300]^2 and on 2^20 random ones below 2^31. */
static void check_snap(const hk_dlib_kernels *k)
{
    enum { N = 1024 };
    float gx[N], gy[N];
    int32_t bin[N];
    size_t bad = 0, total = 0;
    snap_grid(k->snap, 300, &total, &bad);
    for (int r = 0; r < 1024; r++) {
        for (size_t i = 0; i < N; i++) {
            const int sh = (int)(check_next() % 31);
            gx[i] = (float)((int64_t)(check_next() % (2u << sh)) - (int64_t)(1u << sh));
            gy[i] = (float)((int64_t)(check_next() % (2u << sh)) - (int64_t)(1u << sh));
            if (i % 7 == 0) /* on an axis */
                gy[i] = 0;
        }
        k->snap(gx, gy, N, bin);
        for (size_t i = 0; i < N; i++, total++)
            if (bin[i] != hk_dlib_snap18(gx[i], gy[i]) && bad++ < 5)
                fprintf(stderr, "snap(%g, %g) = %d, spec %d\n", gx[i], gy[i], bin[i],
                        hk_dlib_snap18(gx[i], gy[i]));
    }
    printf("  snap: %zu gradients, %zu different bins\n", total, bad);
    CHECK(total > 360000 && bad == 0);
}

static void compare(hk_hog_ctx *ctx, const hk_image *im, int cell, int pr, int pc, hk_simd isa,
                    int threads)
{
    compare_n(ctx, im, cell, pr, pc, isa, &threads, 1);
}

static void run_set(hk_simd isa)
{
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    static const uint32_t sizes[][2] = {{3, 3},   {4, 4},   {5, 5},   {9, 2},   {7, 9},
                                        {24, 24}, {28, 28}, {80, 17}, {53, 37}, {77, 100},
                                        {130, 66}, {201, 9}};
    static const int cells[] = {1, 2, 3, 4, 5, 7, 8, 16};
    static const int pads[][2] = {{1, 1}, {2, 3}, {4, 1}};
    hk_image im;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int pat = NOISE; pat <= SMOOTH; pat++) {
            void *d = make((enum pattern)pat, sizes[i][0], sizes[i][1], 1, HK_U8, 0, &im);
            for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
                for (size_t q = 0; q < sizeof pads / sizeof pads[0]; q++)
                    compare(ctx, &im, cells[c], pads[q][0], pads[q][1], isa, 1);
            free(d);
        }
    /* sample types, channels (colour ties), strided rows */
    static const hk_sample_type types[] = {HK_U8, HK_U16, HK_F32, HK_F64};
    static const uint32_t chans[] = {1, 2, 3, 4};
    for (size_t t = 0; t < 4; t++)
        for (size_t c = 0; c < 4; c++)
            for (int pat = NOISE; pat <= TIES; pat++) {
                void *d = make((enum pattern)pat, 61, 43, chans[c], types[t], 3, &im);
                static const int cs[] = {2, 4, 5, 8};
                for (int k = 0; k < 4; k++)
                    compare(ctx, &im, cs[k], 1 + k % 2, 1, isa, 1);
                free(d);
            }
    /* large images: bands on several threads, two streams per band */
    static const uint32_t big[][3] = {{700, 400, 1}, {1001, 703, 1}, {613, 517, 3}};
    for (size_t i = 0; i < 3; i++)
        for (int pat = NOISE; pat <= SMOOTH; pat++) {
            void *d = make((enum pattern)pat, big[i][0], big[i][1], big[i][2], HK_U8, 0, &im);
            static const int cs[] = {2, 3, 4, 8}, th[] = {1, 2, 3, 5, 0};
            for (int k = 0; k < 4; k++)
                compare_n(ctx, &im, cs[k], 1, 2, isa, th, k == 3 ? 5 : 2);
            free(d);
        }
    /* an output over HK_FHOG_STREAM_BYTES: streamed out plane by plane */
    {
        void *dd = make(NOISE, 1600, 1400, 1, HK_U8, 0, &im);
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_DLIB);
        p.dlib.cell_size = 2;
        hk_shape s;
        CHECK(hk_hog_shape(&p, im.width, im.height, 1, &s) == HK_OK);
        CHECK(s.count * sizeof(float) >= HK_FHOG_STREAM_BYTES);
        static const int th[] = {1, 2};
        compare_n(ctx, &im, 2, 1, 1, isa, th, 2);
        free(dd);
    }
    /* float grey, large: the fast path with converted rows on threads */
    void *d = make(NOISE, 800, 500, 1, HK_F32, 0, &im);
    compare(ctx, &im, 8, 1, 1, isa, 3);
    compare(ctx, &im, 4, 3, 3, isa, 1);
    free(d);
    hk_hog_ctx_free(ctx);
}

int main(void)
{
    /* HK_SIMD_AUTO runs one of these sets, or the scalar path */
    static const hk_simd sets[] = {HK_SIMD_AVX2, HK_SIMD_AVX512};
    static const char *names[] = {"avx2", "avx512"};
    for (size_t i = 0; i < 2; i++) {
        hk_hog_params p;
        hk_hog_params_default(&p, HK_VARIANT_DLIB);
        p.simd = sets[i];
        if (hk_hog_params_check(&p) != HK_OK) {
            printf("SKIP %s: not available on this build or CPU\n", names[i]);
            continue;
        }
        printf("checking %s\n", names[i]);
        n_runs = 0;
        worst = 0;
        check_snap(hk_dlib_kernels_avx2());
        check_snap8(hk_dlib_kernels_avx2());
        check_snap8i(hk_dlib_kernels_avx2());
        run_set(sets[i]);
        printf("  %d comparisons, %d mismatches, largest difference %.3g (TOL %g)\n", n_runs,
               n_mismatch, worst, TOL);
    }
    return check_report("test_dlib_paths");
}
