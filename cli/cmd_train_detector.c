/* `hogkit train-detector`: a linear HOG detector from folders of positive
 * crops and negative pictures, written as an OpenCV model file. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_usage(void)
{
    fputs("usage: hogkit train-detector --pos DIR --neg DIR -o model.yml [options]\n"
          "\n"
          "Trains a linear SVM (liblinear) on HOG (cv::HOGDescriptor) of the positive images\n"
          "(each resized to the window) against random windows of the negative images, then\n"
          "mines hard negatives (false detections on the negative images) for a few rounds.\n"
          "Writes a model that cv2.HOGDescriptor.load and hogkit detect read (.xml or YAML).\n"
          "\n"
          "options:\n"
          "  --pos DIR               images of the object, one per file (required)\n"
          "  --neg DIR               images without the object (required)\n"
          "  -o, --output FILE       model file (required)\n"
          "  --win W,H               window size (64,128); block 16, stride 8, cell 8, 9 bins\n"
          "  --neg-per-image N       random negative windows per image (10)\n"
          "  --rounds N              hard-negative mining rounds (2)\n"
          "  --C V                   liblinear cost (0.1)\n"
          "  --seed N                random windows (1)\n"
          "  --threads N             threads for mining (0 = all cores)\n"
          "  -h, --help              show this help\n",
          stdout);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every image file of dir (sorted by name). Returns count or -1. */
static long load_dir(const char *dir, hk_image **out)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("%s: cannot open folder", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            break;
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    hk_image *ims = calloc(n ? n : 1, sizeof *ims);
    long k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ims) {
            hk_status st = hk_image_load(names[i], NULL, &ims[k]);
            if (st == HK_OK && ims[k].type == HK_U8)
                k++;
            else if (st == HK_OK) {
                hk_image_free(&ims[k]);
                cli_error("%s: not an 8-bit image, skipped", names[i]);
            } else {
                cli_error("%s: %s, skipped", names[i], hk_strerror(st));
            }
        }
        free(names[i]);
    }
    free(names);
    if (!ims)
        return -1;
    *out = ims;
    return k;
}

static void free_images(hk_image *ims, long n)
{
    for (long i = 0; i < n; i++)
        hk_image_free(&ims[i]);
    free(ims);
}

int cmd_train_detector(int argc, char **argv)
{
    hk_train_params tp;
    hk_train_params_default(&tp);
    const char *pos = NULL, *neg = NULL, *output = NULL;
    long pair[2], l;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
#define VAL(name) \
    if (!(v = cli_option_value(argc, argv, &i, name))) \
        return HK_EXIT_USAGE;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage();
            return HK_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            VAL(a[1] == 'o' ? "-o" : "--output")
            output = v;
        } else if (cli_is_option(a, "--pos")) {
            VAL("--pos")
            pos = v;
        } else if (cli_is_option(a, "--neg")) {
            VAL("--neg")
            neg = v;
        } else if (cli_is_option(a, "--win")) {
            VAL("--win")
            if (!cli_parse_pair("--win", v, 16, 4096, pair))
                return HK_EXIT_USAGE;
            if (pair[0] % 8 || pair[1] % 8) {
                cli_error("--win: sizes must be multiples of 8");
                return HK_EXIT_USAGE;
            }
            tp.hog.win_width = (int)pair[0];
            tp.hog.win_height = (int)pair[1];
        } else if (cli_is_option(a, "--neg-per-image")) {
            VAL("--neg-per-image")
            if (!cli_parse_int("--neg-per-image", v, 0, 100000, &l))
                return HK_EXIT_USAGE;
            tp.neg_per_image = (int)l;
        } else if (cli_is_option(a, "--rounds")) {
            VAL("--rounds")
            if (!cli_parse_int("--rounds", v, 0, 100, &l))
                return HK_EXIT_USAGE;
            tp.mining_rounds = (int)l;
        } else if (cli_is_option(a, "--seed")) {
            VAL("--seed")
            if (!cli_parse_int("--seed", v, 0, 2147483647, &l))
                return HK_EXIT_USAGE;
            tp.seed = (uint64_t)l;
        } else if (cli_is_option(a, "--threads")) {
            VAL("--threads")
            if (!cli_parse_int("--threads", v, 0, 256, &l))
                return HK_EXIT_USAGE;
            tp.detect.threads = (int)l;
        } else if (cli_is_option(a, "--C")) {
            VAL("--C")
            char *end;
            errno = 0;
            tp.C = strtod(v, &end);
            if (errno || *end || !(tp.C > 0 && tp.C < 1e6)) {
                cli_error("--C: expected a positive number, got '%s'", v);
                return HK_EXIT_USAGE;
            }
        } else {
            cli_error("train-detector: unknown argument '%s' (see --help)", a);
            return HK_EXIT_USAGE;
        }
#undef VAL
    }
    if (!pos || !neg || !output) {
        cli_error("train-detector: --pos, --neg and -o are required (see --help)");
        return HK_EXIT_USAGE;
    }
    hk_image *P = NULL, *N = NULL;
    long np = load_dir(pos, &P);
    long nn = np >= 0 ? load_dir(neg, &N) : -1;
    if (np <= 0 || nn <= 0) {
        if (np == 0 || nn == 0)
            cli_error("train-detector: no usable %s images", np == 0 ? "positive" : "negative");
        free_images(P, np > 0 ? np : 0);
        free_images(N, nn > 0 ? nn : 0);
        return HK_EXIT_DATA;
    }
    hk_detector *det = NULL;
    hk_status st = hk_detector_train(&tp, P, (size_t)np, N, (size_t)nn, &det);
    if (st == HK_OK)
        st = hk_detector_save(det, output);
    free_images(P, np);
    free_images(N, nn);
    hk_detector_free(det);
    if (st != HK_OK) {
        cli_error("train-detector: %s", hk_strerror(st));
        return HK_EXIT_DATA;
    }
    return HK_EXIT_OK;
}
