/* MaskFeat targets of a whole (N, C, H, W) float32 .npy batch in one call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "maskfeat_stack.h"

/* Reads a whole file of at most `max` bytes; 0 with errno on failure. */
static int slurp(const char *path, unsigned long long max, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap > max || cap > ((size_t)-1) / 2) {
                errno = EFBIG;
                break;
            }
            unsigned char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            if (ferror(f) || n > max)
                break;
            fclose(f);
            *data = buf;
            *size = n;
            return 1;
        }
    }
    free(buf);
    fclose(f);
    return 0;
}

int maskfeat_stack_one(const hk_hog_params *params, const hk_limits *limits, hk_hog_ctx *ctx,
                       const char *in, const char *out_path, int verbose)
{
    unsigned char head[16];
    FILE *f = fopen(in, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (hk_format_detect(head, got) != HK_FORMAT_NPY)
        return -1;
    unsigned char *data = NULL;
    size_t size = 0, shape[4];
    if (!slurp(in, limits->max_file_bytes, &data, &size)) {
        cli_error("%s: cannot read: %s", in, strerror(errno));
        return 0;
    }
    hk_status st = hk_npy_stack_info(data, size, limits, shape);
    if (st == HK_ERR_UNSUPPORTED) {
        free(data);
        return -1; /* a 2-D/3-D image (or a dtype the image reader handles) */
    }
    int ok = 0;
    float *batch = NULL, *out = NULL;
    hk_shape oshape;
    if (st == HK_OK)
        st = hk_maskfeat_targets_shape(params, shape[0], shape[1], shape[2], shape[3], &oshape);
    if (st != HK_OK) {
        cli_error("%s: (%zu, %zu, %zu, %zu) batch: %s", in, shape[0], shape[1], shape[2],
                  shape[3], hk_strerror(st));
        goto done;
    }
    size_t count = shape[0] * shape[1] * shape[2] * shape[3]; /* checked by info */
    batch = malloc(count ? count * sizeof(float) : 1);
    out = malloc(oshape.count ? oshape.count * sizeof(float) : 1);
    if (!batch || !out) {
        cli_error("%s: %s", in, hk_strerror(HK_ERR_NOMEM));
        goto done;
    }
    st = hk_npy_stack_decode(data, size, limits, batch, count);
    if (st == HK_OK)
        st = hk_maskfeat_targets(ctx, params, batch, shape[0], shape[1], shape[2], shape[3], out,
                                 oshape.count);
    if (st != HK_OK) {
        cli_error("%s: MaskFeat targets failed: %s", in, hk_strerror(st));
        goto done;
    }
    st = hk_npy_write_f32(out_path, out, oshape.dims, oshape.ndim);
    if (st != HK_OK) {
        cli_error("%s: cannot write %s: %s", in, out_path, hk_strerror(st));
        goto done;
    }
    if (verbose)
        printf("%s -> %s: shape (%zu, %zu, %zu) from batch (%zu, %zu, %zu, %zu)\n", in, out_path,
               oshape.dims[0], oshape.dims[1], oshape.dims[2], shape[0], shape[1], shape[2],
               shape[3]);
    ok = 1;
done:
    free(out);
    free(batch);
    free(data);
    return ok;
}
