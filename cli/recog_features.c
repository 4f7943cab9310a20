/* --features specs of the recognition commands: NAME[:key=value]... */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hog_options.h"
#include "recog.h"

/* HOG option sets usable in "hog:variant=NAME:..." (the first is the default). */
static const hog_option_set *const HOG_SETS[] = {
    &hog_skimage_options,     &hog_maskfeat_options, &hog_vlfeat_dt_options,
    &hog_vlfeat_uoctti_options, &hog_dlib_options,     &hog_opencv_options,
};
#define N_HOG_SETS (sizeof(HOG_SETS) / sizeof(HOG_SETS[0]))

const char RECOG_FEATURE_HELP[] =
    "feature specs (NAME[:key=value]...; 'cell' takes N or R,C pixels):\n"
    "  hog[:variant=NAME][:OPTION=VALUE]...  a `hogkit hog` variant (skimage, maskfeat,\n"
    "        vlfeat-dt, vlfeat-uoctti, dlib, opencv) with any of its options, dashes\n"
    "        dropped (e.g. orientations=9:pixels-per-cell=4,4:cells-per-block=2,2:\n"
    "        block-norm=L2-Hys:transform-sqrt); aliases cell, block, orient, norm.\n"
    "        Default: skimage, 9 orientations, 4x4-pixel cells, 2x2 blocks.\n"
    "        opencv: the whole image is one window; cell=4, block=2 (cells, moved by\n"
    "        one cell), orient=9, signed (signed gradients), transform-sqrt (gamma\n"
    "        correction), or its own win-size, block-size, block-stride, nbins...\n"
    "        Best on Fashion-MNIST here: hog:variant=opencv:signed:orient=12\n"
    "  lbp[:P=8][:R=1][:method=uniform|default|ror|nri_uniform|var][:cell=auto]\n"
    "        [:bins=16][:var-max=0]  skimage local_binary_pattern, one histogram per cell\n"
    "  gabor[:freq=0.25/0.5][:orient=4][:bandwidth=1][:n-stds=3][:cell=auto]\n"
    "        skimage gabor bank, mean and std of |response| per cell\n"
    "  any feature: :deskew  deskew each image by its moments first (digits)\n"
    "  cell=auto (the default for lbp and gabor) makes a 4x4 grid of cells.\n";

static int bad(const char *spec, const char *what)
{
    cli_error("--features '%s': %s", spec, what);
    return 0;
}

/* "N" or "R,C" */
static int parse_cell(const char *spec, const char *v, int *r, int *c)
{
    if (strcmp(v, "auto") == 0) {
        *r = *c = 0;
        return 1;
    }
    long pair[2], one;
    if (strchr(v, ',')) {
        if (!cli_parse_pair("cell", v, 1, 65536, pair))
            return 0;
        *r = (int)pair[0];
        *c = (int)pair[1];
        return 1;
    }
    if (!cli_parse_int("cell", v, 1, 65536, &one))
        return bad(spec, "bad cell size");
    *r = *c = (int)one;
    return 1;
}

static int parse_double(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d >= lo && d <= hi))
        return 0;
    *out = d;
    return 1;
}

static int hog_option(const char *spec, const hog_option_set *set, const char *key,
                      const char *val, hk_hog_params *p)
{
    static const struct { const char *alias, *name; } aliases[] = {
        {"cell", "pixels-per-cell"}, {"block", "cells-per-block"},
        {"orient", "orientations"}, {"norm", "block-norm"}};
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (strcmp(key, aliases[k].alias) == 0)
            key = aliases[k].name;
    /* the VLFeat and dlib variants call their cell size --cell-size */
    if (set->variant != HK_VARIANT_SKIMAGE && strcmp(key, "pixels-per-cell") == 0)
        key = "cell-size";
    if (set->variant == HK_VARIANT_OPENCV && strcmp(key, "orientations") == 0)
        key = "nbins";
    char opt[128], value[128];
    snprintf(opt, sizeof opt, "--%s", key);
    /* a single number for a pair option means a square */
    if (val &&
        (strcmp(key, "pixels-per-cell") == 0 || strcmp(key, "cells-per-block") == 0 ||
         (set->variant == HK_VARIANT_OPENCV &&
          (strcmp(key, "cell-size") == 0 || strcmp(key, "block-size") == 0 ||
           strcmp(key, "block-stride") == 0 || strcmp(key, "win-size") == 0))) &&
        !strchr(val, ','))
        snprintf(value, sizeof value, "%s,%s", val, val);
    else
        snprintf(value, sizeof value, "%s", val ? val : "");
    char *argv[] = {"hog", opt, value, NULL};
    int argc = val ? 3 : 2, i = 1;
    int r = set->parse(argc, argv, &i, p);
    if (r == 0 || (r == 1 && val && i != 2) || (r == 1 && !val && i != 1)) {
        cli_error("--features '%s': unknown or malformed hog option '%s'", spec, key);
        return 0;
    }
    return r == 1;
}

/* Keys of the OpenCV variant that recog adds or reads differently from
 * `hogkit hog`: block=N (cells per block, as for skimage), signed (signed
 * gradients), transform-sqrt (OpenCV's gamma correction). Remembers whether
 * block size and stride were given in pixels. 1 handled, 0 not, -1 error. */
static int opencv_key(const char *spec, const char *key, const char *val, hk_opencv_params *o,
                      int block[2], int *block_px, int *stride)
{
    if (strcmp(key, "block") == 0 || strcmp(key, "cells-per-block") == 0) {
        int r, c;
        if (!val || !parse_cell(spec, val, &r, &c) || r < 1)
            return -1;
        block[0] = c;
        block[1] = r;
        return 1;
    }
    if (strcmp(key, "signed") == 0 || strcmp(key, "signed-gradient") == 0) {
        if (val)
            return bad(spec, "signed takes no value") - 1;
        o->signed_gradient = 1;
        return 1;
    }
    if (strcmp(key, "transform-sqrt") == 0 || strcmp(key, "gamma-correction") == 0) {
        if (val)
            return bad(spec, "transform-sqrt takes no value") - 1;
        o->gamma_correction = 1;
        return 1;
    }
    if (strcmp(key, "block-size") == 0)
        *block_px = 1;
    if (strcmp(key, "block-stride") == 0)
        *stride = 1;
    return 0;
}

int recog_parse_feature(const char *spec, hk_feature_params *f)
{
    char buf[1024];
    if (strlen(spec) >= sizeof buf)
        return bad(spec, "too long");
    strcpy(buf, spec);
    char *save = NULL, *name = strtok_r(buf, ":", &save);
    if (!name)
        return bad(spec, "empty");
    hk_feature_kind kind;
    if (strcmp(name, "hog") == 0)
        kind = HK_FEATURE_HOG;
    else if (strcmp(name, "lbp") == 0)
        kind = HK_FEATURE_LBP;
    else if (strcmp(name, "gabor") == 0)
        kind = HK_FEATURE_GABOR;
    else
        return bad(spec, "unknown feature (hog, lbp or gabor)");
    hk_feature_params_default(f, kind);
    f->lbp.cell_rows = f->lbp.cell_cols = 0;
    f->gabor.cell_rows = f->gabor.cell_cols = 0;
    const hog_option_set *set = HOG_SETS[0];
    /* the variant first, so its options can follow in any order */
    for (char *s = strstr(spec, ":variant="); s;) {
        char v[64];
        size_t n = strcspn(s + 9, ":");
        snprintf(v, sizeof v, "%.*s", (int)(n < 63 ? n : 63), s + 9);
        set = NULL;
        for (size_t k = 0; k < N_HOG_SETS; k++)
            if (strcmp(v, HOG_SETS[k]->name) == 0)
                set = HOG_SETS[k];
        if (!set)
            return bad(spec, "unknown hog variant");
        hk_hog_params_default(&f->hog, set->variant);
        f->hog.threads = 1;
        break;
    }
    /* small-image defaults of the skimage variant (the brief's study geometry) */
    f->hog.skimage.cell_rows = f->hog.skimage.cell_cols = 4;
    f->hog.skimage.block_rows = f->hog.skimage.block_cols = 2;
    /* The OpenCV variant describes the whole image as one window (win 0x0:
     * the image size, set by recog_resolve_cells) with the same geometry:
     * 4x4-pixel cells, 2x2-cell blocks moved by one cell, 9 bins, no gamma
     * correction (the values of cv2.HOGDescriptor's full constructor). */
    hk_opencv_params *ocv = &f->hog.opencv;
    int ocv_block[2] = {2, 2}, ocv_block_px = 0, ocv_stride = 0;
    if (set->variant == HK_VARIANT_OPENCV) {
        ocv->win_width = ocv->win_height = 0;
        ocv->cell_width = ocv->cell_height = 4;
        ocv->gamma_correction = 0;
    }
    for (char *kv; (kv = strtok_r(NULL, ":", &save));) {
        char *eq = strchr(kv, '=');
        const char *val = eq ? eq + 1 : NULL;
        if (eq)
            *eq = 0;
        if (strcmp(kv, "deskew") == 0) {
            f->deskew = 1;
            continue;
        }
        if (kind == HK_FEATURE_HOG) {
            if (strcmp(kv, "variant") == 0)
                continue;
            if (set->variant == HK_VARIANT_OPENCV) {
                int r = opencv_key(spec, kv, val, ocv, ocv_block, &ocv_block_px, &ocv_stride);
                if (r < 0)
                    return 0;
                if (r > 0)
                    continue;
            }
            if (!hog_option(spec, set, kv, val, &f->hog))
                return 0;
            continue;
        }
        if (!val)
            return bad(spec, "options are key=value");
        double d;
        if (strcmp(kv, "cell") == 0) {
            int *r = kind == HK_FEATURE_LBP ? &f->lbp.cell_rows : &f->gabor.cell_rows;
            int *c = kind == HK_FEATURE_LBP ? &f->lbp.cell_cols : &f->gabor.cell_cols;
            if (!parse_cell(spec, val, r, c))
                return 0;
        } else if (kind == HK_FEATURE_LBP && strcmp(kv, "P") == 0 && parse_double(val, 1, 24, &d)) {
            f->lbp.points = (int)d;
        } else if (kind == HK_FEATURE_LBP && strcmp(kv, "R") == 0 &&
                   parse_double(val, 1e-3, 1e4, &d)) {
            f->lbp.radius = d;
        } else if (kind == HK_FEATURE_LBP && strcmp(kv, "method") == 0) {
            static const char *m[] = {"default", "ror", "uniform", "nri_uniform", "var"};
            int found = -1;
            for (int k = 0; k < 5; k++)
                if (strcmp(val, m[k]) == 0)
                    found = k;
            if (found < 0)
                return bad(spec, "method is default, ror, uniform, nri_uniform or var");
            f->lbp.method = (hk_lbp_method)found;
        } else if (kind == HK_FEATURE_LBP && strcmp(kv, "bins") == 0 &&
                   parse_double(val, 1, 4096, &d)) {
            f->lbp.var_bins = (int)d;
        } else if (kind == HK_FEATURE_LBP && strcmp(kv, "var-max") == 0 &&
                   parse_double(val, 0, 1e300, &d)) {
            f->lbp.var_max = d;
        } else if (kind == HK_FEATURE_GABOR && strcmp(kv, "freq") == 0) {
            char fb[256];
            snprintf(fb, sizeof fb, "%s", val);
            f->gabor.n_frequencies = 0;
            char *s2 = NULL;
            for (char *t = strtok_r(fb, "/", &s2); t; t = strtok_r(NULL, "/", &s2)) {
                if (f->gabor.n_frequencies >= HK_GABOR_MAX_FREQUENCIES ||
                    !parse_double(t, 1e-3, 10, &d))
                    return bad(spec, "freq is up to 16 frequencies in (0, 10] joined by '/'");
                f->gabor.frequencies[f->gabor.n_frequencies++] = d;
            }
        } else if (kind == HK_FEATURE_GABOR && strcmp(kv, "orient") == 0 &&
                   parse_double(val, 1, 64, &d)) {
            f->gabor.n_orientations = (int)d;
        } else if (kind == HK_FEATURE_GABOR && strcmp(kv, "bandwidth") == 0 &&
                   parse_double(val, 1e-3, 100, &d)) {
            f->gabor.bandwidth = d;
        } else if (kind == HK_FEATURE_GABOR && strcmp(kv, "n-stds") == 0 &&
                   parse_double(val, 1e-3, 100, &d)) {
            f->gabor.n_stds = d;
        } else {
            cli_error("--features '%s': unknown option or bad value '%s=%s'", spec, kv, val);
            return 0;
        }
    }
    if (kind == HK_FEATURE_HOG && set->variant == HK_VARIANT_OPENCV) {
        if (!ocv_block_px) {
            ocv->block_width = ocv_block[0] * ocv->cell_width;
            ocv->block_height = ocv_block[1] * ocv->cell_height;
        }
        if (!ocv_stride) {
            ocv->block_stride_x = ocv->cell_width;
            ocv->block_stride_y = ocv->cell_height;
        }
    }
    return 1;
}

int recog_parse_feature_list(const char *list, hk_feature_params *out, char names[][256],
                             int max)
{
    int n = 0;
    const char *p = list;
    while (*p) {
        const char *end = p;
        for (;;) {
            end = strchr(end, ',');
            if (!end)
                break;
            const char *nx = end + 1;
            if ((strncmp(nx, "hog", 3) == 0 && (nx[3] == ':' || nx[3] == ',' || !nx[3])) ||
                (strncmp(nx, "lbp", 3) == 0 && (nx[3] == ':' || nx[3] == ',' || !nx[3])) ||
                (strncmp(nx, "gabor", 5) == 0 && (nx[5] == ':' || nx[5] == ',' || !nx[5])))
                break;
            end = nx;
        }
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n >= max || len == 0 || len >= 256) {
            cli_error("--features: expected up to %d specs separated by commas", max);
            return 0;
        }
        memcpy(names[n], p, len);
        names[n][len] = 0;
        if (!recog_parse_feature(names[n], &out[n]))
            return 0;
        n++;
        p = end ? end + 1 : p + len;
    }
    if (n == 0)
        cli_error("--features: empty list");
    return n;
}

int recog_parse_learner(const char *name, hk_learner_kind *kind)
{
    for (int k = HK_LEARNER_SVM_LINEAR; k <= HK_LEARNER_GBDT; k++)
        if (strcmp(name, hk_learner_name((hk_learner_kind)k)) == 0) {
            *kind = (hk_learner_kind)k;
            return 1;
        }
    cli_error("--learner: expected svm-linear, svm-rbf, knn, forest or gbdt, got '%s'", name);
    return 0;
}
