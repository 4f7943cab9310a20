/* bench_hog: times hogkit on one input, for bench/run_bench.py (a benchmark,
 * not a test: nothing here checks anything; the driver compares outputs).
 *
 *   bench_hog image IN.npy  OUT.npy [options]   one image, best of --reps
 *   bench_hog stack STACK   OUT.npy [options]   a batch (IDX or .npy stack)
 * options: --threads N (0 = all cores), --simd NAME, --reps R,
 *          --cell R,C  --block R,C  --orientations N  (skimage variant),
 *          --variant opencv|vlfeat-dt|vlfeat-uoctti|dlib with --cell C: the
 *          geometry refs.cpp gives the reference (OpenCV: one window over the
 *          image, blocks of 2x2 cells, stride one cell, no gamma). Exit 3 when
 *          this build lacks the variant.
 * Prints one JSON line: {"seconds": best wall, "median": ..., "cpu": best
 * process CPU time, "pixels": ...}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hogkit.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* CPU time of the process: the time the work ran, whatever else the machine
 * runs (for one thread; with several it adds them up). */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_hog image|stack IN OUT.npy [--threads N] [--simd NAME] "
                    "[--reps R] [--cell R,C] [--block R,C] [--orientations N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *mode = argv[1], *in = argv[2], *out = argv[3];
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    int reps = 5, cell = 8;
    const char *variant = "skimage";
    for (int i = 4; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--variant") == 0)
            variant = v;
        else if (strcmp(a, "--threads") == 0)
            p.threads = atoi(v);
        else if (strcmp(a, "--reps") == 0)
            reps = atoi(v) > 0 ? atoi(v) : 1;
        else if (strcmp(a, "--simd") == 0)
            p.simd = strcmp(v, "scalar") == 0   ? HK_SIMD_SCALAR
                     : strcmp(v, "avx2") == 0   ? HK_SIMD_AVX2
                     : strcmp(v, "avx512") == 0 ? HK_SIMD_AVX512
                                                : HK_SIMD_AUTO;
        else if (strcmp(a, "--cell") == 0) {
            sscanf(v, "%d,%d", &p.skimage.cell_rows, &p.skimage.cell_cols);
            cell = p.skimage.cell_rows;
        }
        else if (strcmp(a, "--block") == 0)
            sscanf(v, "%d,%d", &p.skimage.block_rows, &p.skimage.block_cols);
        else if (strcmp(a, "--orientations") == 0)
            p.skimage.orientations = atoi(v);
        else
            return usage();
    }
    hk_limits lim;
    hk_limits_default(&lim);
    lim.max_pixels = (uint64_t)1 << 32;
    lim.max_file_bytes = (uint64_t)1 << 34;

    int is_stack = strcmp(mode, "stack") == 0;
    hk_stack stack;
    hk_image img;
    hk_status st = is_stack ? hk_stack_load(in, &lim, &stack) : hk_image_load(in, &lim, &img);
    if (st != HK_OK) {
        fprintf(stderr, "bench_hog: %s: %s\n", in, hk_strerror(st));
        return 1;
    }
    const hk_image *im = is_stack ? &stack.first : &img;
    size_t count = is_stack ? stack.count : 1;
    if (strcmp(variant, "skimage") != 0) {
        hk_hog_params q = p;
        if (strcmp(variant, "opencv") == 0) {
            hk_hog_params_default(&q, (hk_variant)1);
            q.opencv.win_width = (int)im->width / cell * cell;
            q.opencv.win_height = (int)im->height / cell * cell;
            q.opencv.block_width = q.opencv.block_height = 2 * cell;
            q.opencv.block_stride_x = q.opencv.block_stride_y = cell;
            q.opencv.cell_width = q.opencv.cell_height = cell;
            q.opencv.gamma_correction = 0;
        } else if (strncmp(variant, "vlfeat", 6) == 0) {
            hk_hog_params_default(&q, strcmp(variant, "vlfeat-dt") == 0 ? (hk_variant)2
                                                                        : (hk_variant)3);
            q.vlfeat.cell_size = cell;
        } else if (strcmp(variant, "dlib") == 0) {
            hk_hog_params_default(&q, (hk_variant)4);
            q.dlib.cell_size = cell;
        } else {
            return usage();
        }
        q.threads = p.threads;
        q.simd = p.simd;
        p = q;
        if (hk_hog_params_check(&p) != HK_OK) {
            fprintf(stderr, "bench_hog: this build has no variant %s\n", variant);
            return 3;
        }
    }
    hk_shape shape;
    st = hk_hog_batch_shape(&p, count, im->width, im->height, im->channels, &shape);
    float *feat = st == HK_OK ? malloc(shape.count * sizeof(float) + 1) : NULL;
    hk_hog_ctx *ctx = NULL;
    if (!feat || hk_hog_ctx_new(&ctx) != HK_OK) {
        fprintf(stderr, "bench_hog: %s\n", hk_strerror(st != HK_OK ? st : HK_ERR_NOMEM));
        return 1;
    }
    double *t = malloc((size_t)(reps + 1) * sizeof(double));
    double *c = malloc((size_t)(reps + 1) * sizeof(double));
    for (int r = 0; r <= reps && st == HK_OK; r++) { /* round 0 warms up */
        double t0 = now(), c0 = cpu_now();
        st = is_stack ? hk_hog_extract_stack(ctx, &p, im, stack.image_bytes, count, feat,
                                             shape.count)
                      : hk_hog_extract(ctx, &p, im, feat, shape.count);
        t[r] = now() - t0;
        c[r] = cpu_now() - c0;
    }
    if (st != HK_OK) {
        fprintf(stderr, "bench_hog: %s\n", hk_strerror(st));
        return 1;
    }
    qsort(t + 1, (size_t)reps, sizeof(double), cmp_double);
    qsort(c + 1, (size_t)reps, sizeof(double), cmp_double);
    if (strcmp(out, "-") != 0)
        hk_npy_write_f32(out, feat, shape.dims, 2);
    printf("{\"seconds\": %.9g, \"median\": %.9g, \"cpu\": %.9g, \"pixels\": %.0f, "
           "\"images\": %zu, \"simd\": \"%s\", \"threads\": %d}\n",
           t[1], t[1 + reps / 2], c[1], (double)im->width * im->height * (double)count, count,
           hk_simd_name(p.simd), p.threads);
    free(t);
    free(c);
    free(feat);
    hk_hog_ctx_free(ctx);
    if (is_stack)
        hk_stack_free(&stack);
    else
        hk_image_free(&img);
    return 0;
}
