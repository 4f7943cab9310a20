/* `hogkit hog --batch`: a stack of images into one N x D matrix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_parse_simd(const char *text, hk_simd *simd)
{
    static const struct { const char *name; hk_simd simd; } names[] = {
        {"auto", HK_SIMD_AUTO}, {"scalar", HK_SIMD_SCALAR}, {"avx2", HK_SIMD_AVX2},
        {"avx512", HK_SIMD_AVX512}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(text, names[i].name) == 0) {
            *simd = names[i].simd;
            return 1;
        }
    cli_error("--simd: expected auto, scalar, avx2 or avx512, got '%s'", text);
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int cli_hog_batch(const hk_hog_params *params, const hk_limits *limits, const char *stack_path,
                  const char *output, int verbose)
{
    hk_stack stack;
    double t0 = now_s();
    hk_status st = hk_stack_load(stack_path, limits, &stack);
    if (st != HK_OK) {
        cli_error("%s: cannot read stack: %s", stack_path, hk_strerror(st));
        return HK_EXIT_DATA;
    }
    const hk_image *im = &stack.first;
    hk_shape shape;
    st = hk_hog_batch_shape(params, stack.count, im->width, im->height, im->channels, &shape);
    if (st != HK_OK) {
        cli_error("%s: %zu images of %ux%u: %s", stack_path, stack.count, im->width, im->height,
                  hk_strerror(st));
        hk_stack_free(&stack);
        return HK_EXIT_DATA;
    }
    int rc = HK_EXIT_DATA;
    float *feat = malloc(shape.count ? shape.count * sizeof(float) : 1);
    hk_hog_ctx *ctx = NULL;
    if (!feat || hk_hog_ctx_new(&ctx) != HK_OK) {
        cli_error("%s", hk_strerror(HK_ERR_NOMEM));
        goto done;
    }
    double t1 = now_s();
    st = hk_hog_extract_stack(ctx, params, im, stack.image_bytes, stack.count, feat, shape.count);
    double t2 = now_s();
    if (st != HK_OK) {
        cli_error("%s: HOG failed: %s", stack_path, hk_strerror(st));
        goto done;
    }
    st = hk_npy_write_f32(output, feat, shape.dims, 2);
    if (st != HK_OK) {
        cli_error("%s: cannot write %s: %s (%s)", stack_path, output, hk_strerror(st),
                  strerror(errno));
        goto done;
    }
    if (verbose)
        printf("%s -> %s: shape (%zu, %zu) from %zu images of %ux%ux%u; read %.3f s, "
               "HOG %.3f s (%s)\n",
               stack_path, output, shape.dims[0], shape.dims[1], stack.count, im->width,
               im->height, im->channels, t1 - t0, t2 - t1, hk_simd_name(params->simd));
    rc = HK_EXIT_OK;
done:
    hk_hog_ctx_free(ctx);
    free(feat);
    hk_stack_free(&stack);
    return rc;
}
