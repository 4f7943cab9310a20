/* `hogkit hog`: HOG of image files into .npy files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

static const char HOG_USAGE[] =
    "usage: hogkit hog INPUT... -o OUT [options]\n"
    "\n"
    "Computes HOG of each INPUT image (PNG, JPEG, PGM/PPM, .npy) as skimage.feature.hog\n"
    "(scikit-image 0.19.3) does, and writes float32 .npy files of shape\n"
    "(n_blocks_row, n_blocks_col, n_cells_row, n_cells_col, orientations).\n"
    "With one INPUT, OUT is the .npy file (or an existing folder); with several,\n"
    "OUT is a folder (created if missing) that receives NAME.npy per input.\n"
    "\n"
    "options:\n"
    "  -o, --output OUT          output .npy file or folder (required)\n"
    "  --orientations N          number of orientation bins (default 9)\n"
    "  --pixels-per-cell R,C     cell size in pixels (default 8,8)\n"
    "  --cells-per-block R,C     block size in cells (default 3,3)\n"
    "  --block-norm NORM         L1, L1-sqrt, L2 or L2-Hys (default L2-Hys)\n"
    "  --transform-sqrt          square root of every sample first (power-law compression)\n"
    "  --gray                    convert colour to grey first (skimage rgb2gray weights)\n"
    "  --flat                    write a 1-D vector (feature_vector=True)\n"
    "  --max-pixels N            refuse images with more pixels (default 268435456)\n"
    "  -v, --verbose             print each output's shape and time\n"
    "  -h, --help                show this help\n"
    "\n"
    "Colour images use, per pixel, the channel with the largest gradient (channel_axis=-1).\n"
    "Exit status: 0 success, 1 some input could not be processed (each is named on\n"
    "stderr, the others are still written), 2 usage error. A failed output is never\n"
    "left behind.\n";

typedef struct hog_opts {
    hk_hog_params params;
    hk_limits limits;
    const char *output;
    int gray, flat, verbose;
} hog_opts;

static int parse_norm(const char *text, hk_block_norm *norm)
{
    static const struct { const char *name; hk_block_norm norm; } names[] = {
        {"L1", HK_NORM_L1}, {"L1-sqrt", HK_NORM_L1_SQRT}, {"L2", HK_NORM_L2},
        {"L2-Hys", HK_NORM_L2_HYS}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(text, names[i].name) == 0) {
            *norm = names[i].norm;
            return 1;
        }
    cli_error("--block-norm: expected L1, L1-sqrt, L2 or L2-Hys, got '%s'", text);
    return 0;
}

/* Parses options; collects inputs into `inputs`. Returns 0 on a usage error. */
static int parse_hog_args(int argc, char **argv, hog_opts *o, const char **inputs, int *n_in)
{
    hk_hog_params_default(&o->params, HK_VARIANT_SKIMAGE);
    hk_limits_default(&o->limits);
    long v, pair[2];
    unsigned long long u;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(HOG_USAGE, stdout);
            exit(HK_EXIT_OK);
        } else if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            if (!(val = cli_option_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output")))
                return 0;
            o->output = val;
        } else if (cli_is_option(a, "--orientations")) {
            if (!(val = cli_option_value(argc, argv, &i, "--orientations")) ||
                !cli_parse_int("--orientations", val, 1, 4096, &v))
                return 0;
            o->params.orientations = (int)v;
        } else if (cli_is_option(a, "--pixels-per-cell")) {
            if (!(val = cli_option_value(argc, argv, &i, "--pixels-per-cell")) ||
                !cli_parse_pair("--pixels-per-cell", val, 1, 65536, pair))
                return 0;
            o->params.cell_rows = (int)pair[0];
            o->params.cell_cols = (int)pair[1];
        } else if (cli_is_option(a, "--cells-per-block")) {
            if (!(val = cli_option_value(argc, argv, &i, "--cells-per-block")) ||
                !cli_parse_pair("--cells-per-block", val, 1, 4096, pair))
                return 0;
            o->params.block_rows = (int)pair[0];
            o->params.block_cols = (int)pair[1];
        } else if (cli_is_option(a, "--block-norm")) {
            if (!(val = cli_option_value(argc, argv, &i, "--block-norm")) ||
                !parse_norm(val, &o->params.block_norm))
                return 0;
        } else if (cli_is_option(a, "--max-pixels")) {
            if (!(val = cli_option_value(argc, argv, &i, "--max-pixels")) ||
                !cli_parse_u64("--max-pixels", val, &u))
                return 0;
            o->limits.max_pixels = u;
        } else if (strcmp(a, "--transform-sqrt") == 0) {
            o->params.transform_sqrt = 1;
        } else if (strcmp(a, "--gray") == 0) {
            o->gray = 1;
        } else if (strcmp(a, "--flat") == 0) {
            o->flat = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if (a[0] == '-' && a[1] != 0) {
            cli_error("hog: unknown option '%s' (see hogkit hog --help)", a);
            return 0;
        } else {
            inputs[(*n_in)++] = a;
        }
    }
    if (*n_in == 0) {
        cli_error("hog: no input files (see hogkit hog --help)");
        return 0;
    }
    if (!o->output) {
        cli_error("hog: missing -o OUT (see hogkit hog --help)");
        return 0;
    }
    return 1;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* HOG of one file into `out_path`. Prints its own error; returns 0 on failure. */
static int hog_one(const hog_opts *o, hk_hog_ctx *ctx, const char *in, const char *out_path)
{
    hk_image img, gray_img;
    void *gray_buf = NULL;
    float *feat = NULL;
    int ok = 0;
    double t0 = now_ms();
    hk_status st = hk_image_load(in, &o->limits, &img);
    if (st != HK_OK) {
        cli_error("%s: cannot read image: %s", in, hk_strerror(st));
        return 0;
    }
    const hk_image *src = &img;
    if (o->gray) {
        size_t bytes;
        st = hk_image_gray_bytes(&img, &bytes);
        if (st == HK_OK && !(gray_buf = malloc(bytes)))
            st = HK_ERR_NOMEM;
        if (st == HK_OK)
            st = hk_image_rgb2gray(&img, gray_buf, bytes, &gray_img);
        if (st != HK_OK) {
            cli_error("%s: cannot convert to grey: %s", in, hk_strerror(st));
            goto done;
        }
        src = &gray_img;
    }
    hk_shape shape;
    st = hk_hog_shape(&o->params, src->width, src->height, src->channels, &shape);
    if (st != HK_OK) {
        cli_error("%s: %ux%u image: %s", in, src->width, src->height, hk_strerror(st));
        goto done;
    }
    feat = malloc(shape.count ? shape.count * sizeof(float) : 1);
    if (!feat) {
        cli_error("%s: %s", in, hk_strerror(HK_ERR_NOMEM));
        goto done;
    }
    st = hk_hog_extract(ctx, &o->params, src, feat, shape.count);
    if (st != HK_OK) {
        cli_error("%s: HOG failed: %s", in, hk_strerror(st));
        goto done;
    }
    size_t flat_dims[1] = {shape.count};
    st = o->flat ? hk_npy_write_f32(out_path, feat, flat_dims, 1)
                 : hk_npy_write_f32(out_path, feat, shape.dims, shape.ndim);
    if (st != HK_OK) {
        cli_error("%s: cannot write %s: %s (%s)", in, out_path, hk_strerror(st), strerror(errno));
        goto done;
    }
    if (o->verbose) {
        printf("%s -> %s: shape (", in, out_path);
        int nd = o->flat ? 1 : shape.ndim;
        const size_t *d = o->flat ? flat_dims : shape.dims;
        for (int i = 0; i < nd; i++)
            printf(i ? ", %zu" : "%zu", d[i]);
        printf(nd == 1 ? ",)" : ")");
        printf(" from %ux%ux%u in %.2f ms\n", img.width, img.height, img.channels, now_ms() - t0);
    }
    ok = 1;
done:
    free(feat);
    free(gray_buf);
    hk_image_free(&img);
    return ok;
}

static int is_dir(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

int cmd_hog(int argc, char **argv)
{
    hog_opts o;
    memset(&o, 0, sizeof(o));
    const char **inputs = calloc((size_t)argc, sizeof(*inputs));
    int n_in = 0;
    if (!inputs)
        return HK_EXIT_DATA;
    if (!parse_hog_args(argc, argv, &o, inputs, &n_in)) {
        free(inputs);
        return HK_EXIT_USAGE;
    }
    hk_status st = hk_hog_params_check(&o.params);
    if (st != HK_OK) {
        cli_error("hog: invalid parameters: %s", hk_strerror(st));
        free(inputs);
        return HK_EXIT_USAGE;
    }
    int to_dir = n_in > 1 || is_dir(o.output);
    if (to_dir && !is_dir(o.output) && mkdir(o.output, 0777) != 0) {
        cli_error("%s: cannot create output folder: %s", o.output, strerror(errno));
        free(inputs);
        return HK_EXIT_DATA;
    }
    char **outs = calloc((size_t)n_in, sizeof(*outs));
    int failed = 0, rc = HK_EXIT_OK;
    for (int i = 0; outs && i < n_in; i++) {
        size_t cap = strlen(o.output) + strlen(inputs[i]) + 8;
        outs[i] = malloc(cap);
        if (!outs[i] || (to_dir ? !cli_output_in_dir(o.output, inputs[i], outs[i], cap)
                                : snprintf(outs[i], cap, "%s", o.output) < 0)) {
            rc = HK_EXIT_DATA;
            break;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(outs[i], outs[j]) == 0) {
                cli_error("hog: inputs %s and %s would both write %s", inputs[j], inputs[i],
                          outs[i]);
                rc = HK_EXIT_USAGE;
            }
    }
    hk_hog_ctx *ctx = NULL;
    if (!outs || (rc == HK_EXIT_OK && hk_hog_ctx_new(&ctx) != HK_OK)) {
        cli_error("%s", hk_strerror(HK_ERR_NOMEM));
        rc = HK_EXIT_DATA;
    }
    for (int i = 0; rc == HK_EXIT_OK && i < n_in; i++)
        failed += !hog_one(&o, ctx, inputs[i], outs[i]);
    if (rc == HK_EXIT_OK && failed) {
        if (n_in > 1)
            cli_error("hog: %d of %d inputs failed", failed, n_in);
        rc = HK_EXIT_DATA;
    }
    hk_hog_ctx_free(ctx);
    for (int i = 0; outs && i < n_in; i++)
        free(outs[i]);
    free(outs);
    free(inputs);
    return rc;
}
