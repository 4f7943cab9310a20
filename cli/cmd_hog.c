/* `hogkit hog`: HOG of image files into .npy files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "hog_options.h"
#include "maskfeat_stack.h"

/* Every variant's options; the first is the default variant. */
static const hog_option_set *const OPTION_SETS[] = {
    &hog_skimage_options,
    &hog_maskfeat_options,
    &hog_opencv_options,
    &hog_vlfeat_dt_options,
    &hog_vlfeat_uoctti_options,
    &hog_dlib_options,
};
#define N_OPTION_SETS (sizeof(OPTION_SETS) / sizeof(OPTION_SETS[0]))

static void print_usage(void)
{
    fputs("usage: hogkit hog INPUT... -o OUT [--variant NAME] [options]\n"
          "\n"
          "Computes HOG of each INPUT image (PNG, JPEG, PGM/PPM, .npy) exactly as the\n"
          "reference library of the chosen variant does, and writes float32 .npy files.\n"
          "With one INPUT, OUT is the .npy file (or an existing folder); with several,\n"
          "OUT is a folder (created if missing) that receives NAME.npy per input.\n"
          "\n"
          "options:\n"
          "  -o, --output OUT          output .npy file or folder (required)\n"
          "  --variant NAME            ",
          stdout);
    for (size_t k = 0; k < N_OPTION_SETS; k++)
        printf(k ? "|%s" : "%s", OPTION_SETS[k]->name);
    fputs(" (default skimage)\n"
          "  --gray                    convert colour to grey first (skimage rgb2gray weights)\n"
          "  --flat                    write a 1-D vector (feature_vector=True)\n"
          "  --max-pixels N            refuse images with more pixels (default 268435456)\n"
          "  --max-channels N          refuse images with more channels (default 64)\n"
          "  --max-file-bytes N        refuse larger input files (default 4294967296)\n"
          "  --max-npy-header N        refuse .npy headers longer than N bytes (default 65536)\n"
          "  --batch STACK             HOG of every image of STACK (IDX, plain or .gz, or a\n"
          "                            3-D/4-D .npy: N x H x W (x C)) into one N x D .npy\n"
          "  --threads N               threads (default 0: all cores; 1: this thread only)\n"
          "  --simd NAME               auto|scalar|avx2|avx512 (default auto; also env HK_SIMD)\n"
          "  -v, --verbose             print each output's shape and time\n"
          "  -h, --help                show this help\n"
          "\n"
          "variant options:\n",
          stdout);
    for (size_t k = 0; k < N_OPTION_SETS; k++)
        fputs(OPTION_SETS[k]->help, stdout);
    fputs("\nExit status: 0 success, 1 some input could not be processed (each is named on\n"
          "stderr, the others are still written), 2 usage error. A failed output is never\n"
          "left behind.\n",
          stdout);
    fputs("With several inputs, a last line 'hog: N of M inputs failed, K written' counts them.\n"
          "Limits apply to each input before anything is allocated for it (SECURITY.md).\n",
          stdout);
}

typedef struct hog_opts {
    hk_hog_params params;
    hk_limits limits;
    const char *output;
    int gray, flat, verbose;
    const char *batch;
} hog_opts;

/* The variant named by --variant (looked up before the other options, so
 * they may come in any order). Returns NULL after a usage error. */
static const hog_option_set *find_variant(int argc, char **argv)
{
    const char *name = "skimage";
    for (int i = 1; i < argc; i++)
        if (cli_is_option(argv[i], "--variant")) {
            if (!(name = cli_option_value(argc, argv, &i, "--variant")))
                return NULL;
        }
    for (size_t k = 0; k < N_OPTION_SETS; k++)
        if (strcmp(name, OPTION_SETS[k]->name) == 0)
            return OPTION_SETS[k];
    cli_error("--variant: unknown variant '%s' (see hogkit hog --help)", name);
    return NULL;
}

/* Parses options; collects inputs into `inputs`. Returns 0 on a usage error,
 * -1 after --help (printed; nothing more to do), 1 to go on. Never exits, so
 * the fuzz target (fuzz/fuzz_cli.c) can call it through cmd_hog_parse. */
static int parse_hog_args(int argc, char **argv, hog_opts *o, const char **inputs, int *n_in)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_usage();
            return -1;
        }
    const hog_option_set *set = find_variant(argc, argv);
    if (!set)
        return 0;
    hk_hog_params_default(&o->params, set->variant);
    hk_limits_default(&o->limits);
    unsigned long long u;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            if (!(val = cli_option_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output")))
                return 0;
            o->output = val;
        } else if (cli_is_option(a, "--variant")) {
            i += a[9] == '=' ? 0 : 1; /* already read by find_variant */
        } else if (cli_is_option(a, "--max-pixels")) {
            if (!(val = cli_option_value(argc, argv, &i, "--max-pixels")) ||
                !cli_parse_u64("--max-pixels", val, &u))
                return 0;
            o->limits.max_pixels = u;
        } else if (cli_is_option(a, "--max-channels")) {
            if (!(val = cli_option_value(argc, argv, &i, "--max-channels")) ||
                !cli_parse_u64("--max-channels", val, &u))
                return 0;
            o->limits.max_channels = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
        } else if (cli_is_option(a, "--max-file-bytes")) {
            if (!(val = cli_option_value(argc, argv, &i, "--max-file-bytes")) ||
                !cli_parse_u64("--max-file-bytes", val, &u))
                return 0;
            o->limits.max_file_bytes = u;
        } else if (cli_is_option(a, "--max-npy-header")) {
            if (!(val = cli_option_value(argc, argv, &i, "--max-npy-header")) ||
                !cli_parse_u64("--max-npy-header", val, &u))
                return 0;
            o->limits.max_npy_header = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
        } else if (cli_is_option(a, "--batch")) {
            if (!(o->batch = cli_option_value(argc, argv, &i, "--batch")))
                return 0;
        } else if (cli_is_option(a, "--threads")) {
            long t;
            if (!(val = cli_option_value(argc, argv, &i, "--threads")) ||
                !cli_parse_int("--threads", val, 0, 4096, &t))
                return 0;
            o->params.threads = (int)t;
        } else if (cli_is_option(a, "--simd")) {
            if (!(val = cli_option_value(argc, argv, &i, "--simd")) ||
                !cli_parse_simd(val, &o->params.simd))
                return 0;
        } else if (strcmp(a, "--gray") == 0) {
            o->gray = 1;
        } else if (strcmp(a, "--flat") == 0) {
            o->flat = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if (a[0] == '-' && a[1] != 0) {
            int r = set->parse(argc, argv, &i, &o->params);
            if (r < 0)
                return 0;
            if (r == 0) {
                cli_error("hog: unknown option '%s' for variant %s (see hogkit hog --help)", a,
                          set->name);
                return 0;
            }
        } else {
            inputs[(*n_in)++] = a;
        }
    }
    if (o->batch && (*n_in > 0 || o->gray)) {
        cli_error("hog: --batch takes no other inputs and no --gray (see hogkit hog --help)");
        return 0;
    }
    if (*n_in == 0 && !o->batch) {
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
    if (o->params.variant == HK_VARIANT_MASKFEAT) { /* a (N, C, H, W) batch? */
        int r = maskfeat_stack_one(&o->params, &o->limits, ctx, in, out_path, o->verbose);
        if (r >= 0)
            return r;
    }
    hk_status st = hk_image_load(in, &o->limits, &img);
    if (st != HK_OK) {
        cli_error("%s: cannot read image: %s", in, hk_strerror(st));
        return 0;
    }
    const hk_image *src = &img;
    if (o->gray && o->params.variant == HK_VARIANT_OPENCV) {
        /* OpenCV's HOG takes 8 bits: grey as cv2.cvtColor makes it */
        if (!hog_opencv_gray(in, &img, &gray_buf, &gray_img))
            goto done;
        src = &gray_img;
    } else if (o->gray) {
        if (!cli_to_gray(in, &img, &gray_buf, &gray_img))
            goto done;
        src = &gray_img;
    }
    if (o->params.variant == HK_VARIANT_OPENCV && !hog_opencv_image_ok(in, src, &o->params))
        goto done;
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
    int parsed = parse_hog_args(argc, argv, &o, inputs, &n_in);
    if (parsed <= 0) {
        free(inputs);
        return parsed < 0 ? HK_EXIT_OK : HK_EXIT_USAGE;
    }
    if (!hk_simd_name(o.params.simd)) {
        cli_error("hog: --simd: this CPU or build does not have that instruction set");
        free(inputs);
        return HK_EXIT_USAGE;
    }
    hk_status st = hk_hog_params_check(&o.params);
    if (st != HK_OK) {
        if (o.params.variant == HK_VARIANT_OPENCV)
            hog_opencv_explain(&o.params.opencv);
        cli_error("hog: invalid parameters: %s", hk_strerror(st));
        free(inputs);
        return HK_EXIT_USAGE;
    }
    if (o.batch) {
        free(inputs);
        return cli_hog_batch(&o.params, &o.limits, o.batch, o.output, o.verbose);
    }
    int to_dir = n_in > 1 || is_dir(o.output);
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
    if (rc == HK_EXIT_OK && to_dir && !is_dir(o.output) && mkdir(o.output, 0777) != 0) {
        cli_error("%s: cannot create output folder: %s", o.output, strerror(errno));
        rc = HK_EXIT_DATA;
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
            cli_error("hog: %d of %d inputs failed, %d written", failed, n_in, n_in - failed);
        rc = HK_EXIT_DATA;
    }
    hk_hog_ctx_free(ctx);
    for (int i = 0; outs && i < n_in; i++)
        free(outs[i]);
    free(outs);
    free(inputs);
    return rc;
}

int cmd_hog_parse(int argc, char **argv, hk_hog_params *params, hk_limits *limits)
{
    hog_opts o;
    memset(&o, 0, sizeof(o));
    const char **inputs = calloc((size_t)argc + 1, sizeof(*inputs));
    int n_in = 0;
    if (!inputs)
        return HK_EXIT_DATA;
    int parsed = parse_hog_args(argc, argv, &o, inputs, &n_in);
    free(inputs);
    if (parsed <= 0)
        return parsed < 0 ? HK_EXIT_OK : HK_EXIT_USAGE;
    if (!hk_simd_name(o.params.simd)) {
        cli_error("hog: --simd: this CPU or build does not have that instruction set");
        return HK_EXIT_USAGE;
    }
    if (hk_hog_params_check(&o.params) != HK_OK) {
        cli_error("hog: invalid parameters: %s", hk_strerror(hk_hog_params_check(&o.params)));
        return HK_EXIT_USAGE;
    }
    *params = o.params;
    *limits = o.limits;
    return -1;
}

/* The option set of the variant called `name`, or NULL: lets other
 * subcommands (render) take the same variant options as hog. */
const hog_option_set *hog_option_set_find(const char *name)
{
    for (size_t k = 0; k < N_OPTION_SETS; k++)
        if (strcmp(name, OPTION_SETS[k]->name) == 0)
            return OPTION_SETS[k];
    return NULL;
}
