/* The image-per-lane batch kernel of the VLFeat variants
 * (hog/vlfeat_lanes.h, simd/vlfeat_lanes.inc.h) against the scalar
 * specification (vlfeat.c), image by image, bit for bit:
 *  - each kernel build this binary has and the CPU runs (portable, AVX2),
 *    called directly on groups of 1..8 images;
 *  - the batch API (stack and list forms) with 1..20 and 67 images (partial
 *    groups), on 1, 2 and 3 threads, which must also agree with each other;
 * over small and odd sizes, cells 1..8, 1..13 orientations, both variants,
 * 8- and 16-bit samples, 1..4 channels and contents with many ties and zero
 * gradients, with the kernels' scratch full of NaNs beforehand (no value of
 * padding or spare vector lanes may reach a feature). The scalar path
 * itself is checked against libvl by
 * tests/python/test_vlfeat_diff.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"
#include "hog/vlfeat_fast.h"
#include "hog/vlfeat_lanes.h"
#include "simd/cpu.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Contents: 0 noise over the type's range, 1 three levels (ties, zero
 * gradients), 2 a blob on black (Fashion-MNIST-like), 3 ramp with noise. */
static void fill(void *data, size_t n_samples, size_t w, size_t c, hk_sample_type t, int kind)
{
    const size_t h = n_samples / (w * c);
    for (size_t i = 0; i < n_samples; i++) {
        const uint64_t r = next();
        const size_t x = (i / c) % w, y = i / (w * c);
        double v;
        switch (kind) {
        case 0: v = (double)(r % 256); break;
        case 1: v = (double)(r % 3) * 40; break;
        case 2: {
            const double dx = (double)x - w / 2.0, dy = (double)y - h / 2.0;
            v = dx * dx + dy * dy < (double)(w * h) / 8 ? (double)(100 + r % 156) : 0;
            break;
        }
        default: v = (double)x * 3.7 + (double)(r % 5); break;
        }
        if (v > 255)
            v = 255;
        if (t == HK_U8)
            ((uint8_t *)data)[i] = (uint8_t)v;
        else
            ((uint16_t *)data)[i] = (uint16_t)(v * 257 - (double)(r % 200) * (v > 0));
    }
}

#define MAX_IMAGES 67

static int cases, taken_cases, runs, failures;

/* count images of one geometry: scalar one by one, then the kernels and the
 * batch API */
static void check_case(uint32_t w, uint32_t h, uint32_t c, hk_sample_type t, int cell, int n,
                       int uoctti, size_t count, hk_hog_ctx *ctx)
{
    hk_hog_params p;
    hk_hog_params_default(&p, uoctti ? HK_VARIANT_VLFEAT_UOCTTI : HK_VARIANT_VLFEAT_DT);
    p.vlfeat.cell_size = cell;
    p.vlfeat.orientations = n;
    hk_shape shape;
    if (hk_hog_shape(&p, w, h, c, &shape) != HK_OK)
        return;
    const size_t dim = shape.count, ss = t == HK_U8 ? 1 : 2;
    const size_t bytes = (size_t)w * h * c * ss;
    unsigned char *data = malloc(bytes * count);
    float *ref = malloc(dim * count * sizeof(float));
    float *got = malloc(dim * count * sizeof(float));
    float *first = malloc(dim * count * sizeof(float));
    hk_image *ims = malloc(count * sizeof(hk_image));
    const hk_image **ptrs = malloc(count * sizeof(hk_image *));
    CHECK(data && ref && got && first && ims && ptrs);
    const int kind = (int)(next() % 4);
    for (size_t i = 0; i < count; i++) {
        fill(data + i * bytes, (size_t)w * h * c, w, c, t, i % 5 == 4 ? (int)(next() % 4) : kind);
        ims[i] = (hk_image){.width = w, .height = h, .channels = c, .type = t,
                            .data = data + i * bytes, .stride = (size_t)w * c * ss};
        ptrs[i] = &ims[i];
        CHECK(hk_vlfeat_extract(ctx, &p.vlfeat, uoctti, &ims[i], ref + i * dim) == HK_OK);
    }
    cases++;
    hk_lanes lanes;
    const int taken = hk_vlf_lanes_pick(&p, &ims[0], &lanes);
    taken_cases += taken;

    /* the kernels themselves, groups of 1..8 */
    hk_lanes_fn fns[2] = {hk_vlf_lanes_generic(),
                          hk_cpu_features_get()->avx2 ? hk_vlf_lanes_avx2() : NULL};
    for (int f = 0; f < 2 && taken; f++) {
        if (!fns[f])
            continue;
        hk_hog_params q = p;
        q.threads = 1;
        q.simd = f ? HK_SIMD_AVX2 : HK_SIMD_AUTO;
        memset(got, 0xff, dim * count * sizeof(float));
        /* scratch full of NaNs: the kernel reads padding and vector lanes
         * past the cells it keeps, and none of them may reach a feature */
        unsigned char *scratch = hk_ctx_scratch(ctx, HK_VLF_LANES_MAX_SCRATCH + 64);
        CHECK(scratch != NULL);
        memset(scratch, 0xff, HK_VLF_LANES_MAX_SCRATCH + 64);
        for (size_t g = 0; g < count; g += 1 + g % HK_VLF_LANES) {
            size_t m = 1 + g % HK_VLF_LANES;
            if (m > count - g)
                m = count - g;
            CHECK(fns[f](ctx, &q, ptrs + g, m, got + g * dim, dim) == HK_OK);
        }
        runs++;
        if (memcmp(got, ref, dim * count * sizeof(float)) != 0) {
            failures++;
            for (size_t i = 0; i < dim * count; i++)
                if (memcmp(&got[i], &ref[i], sizeof(float)) != 0) {
                    fprintf(stderr,
                            "%s kernel: %ux%ux%u type %d cell %d n %d uoctti %d: image %zu "
                            "value %zu is %.9g, scalar %.9g\n",
                            f ? "avx2" : "generic", w, h, c, (int)t, cell, n, uoctti, i / dim,
                            i % dim, got[i], ref[i]);
                    break;
                }
        }
    }

    /* the batch API: stack and list forms, 1..3 threads, any instruction set */
    static const int threads[] = {1, 2, 3};
    for (int form = 0; form < 2; form++)
        for (int ti = 0; ti < 3; ti++) {
            p.threads = threads[ti];
            memset(got, 0xff, dim * count * sizeof(float));
            if (form == 0)
                CHECK(hk_hog_extract_stack(ctx, &p, &ims[0], bytes, count, got, dim * count) ==
                      HK_OK);
            else
                CHECK(hk_hog_extract_batch(ctx, &p, ims, count, got, dim * count) == HK_OK);
            runs++;
            if (form == 0 && ti == 0)
                memcpy(first, got, dim * count * sizeof(float));
            else if (memcmp(first, got, dim * count * sizeof(float)) != 0) {
                failures++;
                fprintf(stderr, "batch %ux%u cell %d n %d: form %d, %d threads differ\n", w, h,
                        cell, n, form, threads[ti]);
            }
            /* the lanes kernel is bit-exact; without it the images go
             * through the fast path, within its tolerance */
            for (size_t i = 0; i < dim * count; i++) {
                const double d = (double)got[i] - (double)ref[i];
                if (taken ? memcmp(&got[i], &ref[i], sizeof(float)) != 0
                          : !(d <= hk_vlf_tol((size_t)cell) && -d <= hk_vlf_tol((size_t)cell))) {
                    failures++;
                    fprintf(stderr,
                            "batch %ux%ux%u type %d cell %d n %d uoctti %d count %zu threads "
                            "%d form %d (lanes %d): image %zu value %zu is %.9g, scalar %.9g\n",
                            w, h, c, (int)t, cell, n, uoctti, count, threads[ti], form, taken,
                            i / dim, i % dim, got[i], ref[i]);
                    break;
                }
            }
        }
    free(data);
    free(ref);
    free(got);
    free(first);
    free(ims);
    free(ptrs);
}

/* What the kernel takes and declines. */
static void check_pick(void)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_VLFEAT_DT);
    p.vlfeat.cell_size = 4;
    p.simd = HK_SIMD_AUTO;
    hk_image im = {.width = 28, .height = 28, .channels = 1, .type = HK_U8, .stride = 28};
    hk_lanes l;
    CHECK(hk_vlf_lanes_pick(&p, &im, &l) && l.run && l.group == HK_VLF_LANES);
    CHECK(l.run == hk_vlf_lanes_generic());
    if (hk_vlf_lanes_avx2()) {
        p.simd = HK_SIMD_AVX2;
        CHECK(hk_vlf_lanes_pick(&p, &im, &l) && l.run == hk_vlf_lanes_avx2());
        p.simd = HK_SIMD_AVX512;
        CHECK(hk_vlf_lanes_pick(&p, &im, &l) && l.run == hk_vlf_lanes_avx2());
    }
    p.simd = HK_SIMD_SCALAR; /* the scalar specification, forced, stays one by one */
    CHECK(!hk_lanes_pick(&p, &im, &l) && !l.run);
    p.simd = HK_SIMD_AUTO;
    CHECK(hk_lanes_pick(&p, &im, &l) && l.run);
    p.vlfeat.bilinear_orientations = 1;
    CHECK(!hk_vlf_lanes_pick(&p, &im, &l));
    p.vlfeat.bilinear_orientations = 0;
    im.type = HK_F32;
    im.stride = 28 * 4;
    CHECK(!hk_vlf_lanes_pick(&p, &im, &l));
    im.type = HK_U8;
    im.width = 640;
    im.height = 480;
    im.stride = 640;
    CHECK(!hk_vlf_lanes_pick(&p, &im, &l));
}

int main(void)
{
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    check_pick();
    /* the benchmark's geometry, both variants, full and partial groups */
    for (int uoctti = 0; uoctti < 2; uoctti++) {
        check_case(28, 28, 1, HK_U8, 4, 9, uoctti, 67, ctx);
        check_case(28, 28, 1, HK_U8, 4, 9, uoctti, 13, ctx);
    }
    static const uint32_t sizes[][2] = {{8, 8},   {9, 7},   {4, 4},   {5, 11},  {13, 8},
                                        {16, 16}, {21, 19}, {28, 28}, {31, 17}, {37, 45},
                                        {64, 48}, {48, 64}, {63, 41}, {7, 64},  {64, 64}};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
        for (int i = 0; i < 6; i++) {
            const int cell = 1 + (int)(next() % 8);
            const int n = 1 + (int)(next() % 13);
            const uint32_t c = i < 3 ? 1 : 1 + (uint32_t)(next() % 4);
            const hk_sample_type t = i % 3 == 2 ? HK_U16 : HK_U8;
            const size_t count = 1 + (size_t)(next() % 20);
            check_case(sizes[s][0], sizes[s][1], c, t, cell, n, i % 2, count, ctx);
        }
    /* every orientation count and cell of the brief once on a mid size */
    for (int n = 1; n <= 13; n++)
        check_case(23, 27, 1, HK_U8, 2 + n % 7, n, n % 2, 9, ctx);
    /* cell grids of every width mod 8 and cell count mod 4 (the
     * normalisation's vectors run over rows and cells with partial ends),
     * both variants, full and partial groups */
    for (int cell = 1; cell <= 12; cell++)
        check_case(61, 37, 1, HK_U8, cell, 9, cell % 2, 8 + (size_t)cell % 3, ctx);
    hk_hog_ctx_free(ctx);
    printf("%d cases (%d through the lanes kernel), %d kernel and batch runs, %d not bit-exact "
           "with the scalar path (or differing between thread counts)\n",
           cases, taken_cases, runs, failures);
    CHECK(cases > 100);
    CHECK(taken_cases > 90);
    CHECK(failures == 0);
    return check_report("test_vlfeat_lanes");
}
