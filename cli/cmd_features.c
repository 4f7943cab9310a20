/* `hogkit features`: one descriptor (or raw LBP codes / Gabor responses) per
 * image file, as .npy; and `hogkit data`: a dataset as the recognition
 * commands see it (after shuffle, split, limit, deskew), as .npy + labels. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "recog.h"

static void features_usage(void)
{
    printf("usage: hogkit features IMAGE... --features SPEC -o OUT [--raw]\n"
           "\n"
           "Writes each image's descriptor as float32 .npy: hog as `hogkit hog`, lbp as\n"
           "(cells_down, cells_across, bins) histograms, gabor as (cells_down, cells_across,\n"
           "filters, 2) mean and std of the magnitude. Colour is converted to grey first\n"
           "(skimage rgb2gray). With --raw: lbp writes the per-pixel codes (H, W) of\n"
           "skimage's local_binary_pattern, gabor the responses (filters, 2, H, W), real then\n"
           "imaginary, of skimage.filters.gabor on img_as_float(image). One IMAGE: OUT is\n"
           "the file; several: OUT is a folder.\n\n%s",
           RECOG_FEATURE_HELP);
}

static hk_status raw_lbp(const hk_feature_params *f, const hk_image *g, float **out,
                         size_t *shape, int *ndim)
{
    size_t n = (size_t)g->width * g->height;
    double *codes = malloc(n * sizeof(double));
    *out = malloc(n * sizeof(float));
    if (!codes || !*out) {
        free(codes);
        return HK_ERR_NOMEM;
    }
    hk_status st = hk_lbp_codes(&f->lbp, g, codes, n);
    for (size_t i = 0; st == HK_OK && i < n; i++)
        (*out)[i] = (float)codes[i];
    free(codes);
    shape[0] = g->height;
    shape[1] = g->width;
    *ndim = 2;
    return st;
}

static hk_status raw_gabor(const hk_feature_params *f, const hk_image *g, float **out,
                           size_t *shape, int *ndim)
{
    const hk_gabor_params *p = &f->gabor;
    size_t n = (size_t)g->width * g->height, nf = (size_t)p->n_frequencies * p->n_orientations;
    double *re = malloc(n * sizeof(double)), *im = malloc(n * sizeof(double));
    *out = malloc(nf * 2 * n * sizeof(float));
    hk_status st = (!re || !im || !*out) ? HK_ERR_NOMEM : HK_OK;
    for (int fi = 0; st == HK_OK && fi < p->n_frequencies; fi++)
        for (int oi = 0; st == HK_OK && oi < p->n_orientations; oi++) {
            double theta = oi * 3.141592653589793 / p->n_orientations;
            st = hk_gabor_response(p->frequencies[fi], theta, p->bandwidth, p->n_stds, g, re, im,
                                   n);
            float *o = *out + ((size_t)fi * p->n_orientations + oi) * 2 * n;
            for (size_t i = 0; st == HK_OK && i < n; i++) {
                o[i] = (float)re[i];
                o[n + i] = (float)im[i];
            }
        }
    free(re);
    free(im);
    shape[0] = nf;
    shape[1] = 2;
    shape[2] = g->height;
    shape[3] = g->width;
    *ndim = 4;
    return st;
}

static hk_status one_image(const hk_feature_params *fin, int raw, const char *in,
                           const char *out)
{
    hk_image im, g;
    hk_status st = hk_image_load(in, NULL, &im);
    if (st != HK_OK)
        return st;
    void *gbuf = NULL;
    float *vals = NULL;
    size_t shape[HK_MAX_DIMS];
    int ndim = 0;
    hk_feature_params f = *fin;
    recog_resolve_cells(&f, im.width, im.height);
    if (f.kind == HK_FEATURE_HOG) {
        g = im;
    } else {
        size_t bytes;
        st = hk_image_gray_bytes(&im, &bytes);
        if (st == HK_OK && !(gbuf = malloc(bytes)))
            st = HK_ERR_NOMEM;
        if (st == HK_OK)
            st = hk_image_rgb2gray(&im, gbuf, bytes, &g);
        if (st == HK_OK && g.channels != 1)
            st = HK_ERR_UNSUPPORTED; /* grey + alpha */
    }
    if (st == HK_OK && f.deskew)
        st = HK_ERR_UNSUPPORTED; /* deskew is a dataset step (hogkit data --deskew) */
    if (st == HK_OK && raw && f.kind == HK_FEATURE_LBP) {
        st = raw_lbp(&f, &g, &vals, shape, &ndim);
    } else if (st == HK_OK && raw && f.kind == HK_FEATURE_GABOR) {
        st = raw_gabor(&f, &g, &vals, shape, &ndim);
    } else if (st == HK_OK) {
        hk_shape s;
        if (f.kind == HK_FEATURE_HOG)
            st = hk_hog_shape(&f.hog, g.width, g.height, g.channels, &s);
        else if (f.kind == HK_FEATURE_LBP)
            st = hk_lbp_shape(&f.lbp, g.width, g.height, &s);
        else
            st = hk_gabor_shape(&f.gabor, g.width, g.height, &s);
        if (st == HK_OK && !(vals = malloc((s.count ? s.count : 1) * sizeof(float))))
            st = HK_ERR_NOMEM;
        if (st == HK_OK) {
            if (f.kind == HK_FEATURE_HOG)
                st = hk_hog_extract(NULL, &f.hog, &g, vals, s.count);
            else if (f.kind == HK_FEATURE_LBP)
                st = hk_lbp_extract(&f.lbp, &g, vals, s.count);
            else
                st = hk_gabor_extract(&f.gabor, &g, vals, s.count);
        }
        ndim = s.ndim;
        for (int d = 0; d < s.ndim; d++)
            shape[d] = s.dims[d];
    }
    if (st == HK_OK)
        st = hk_npy_write_f32(out, vals, shape, ndim);
    free(vals);
    free(gbuf);
    hk_image_free(&im);
    return st;
}

int cmd_features(int argc, char **argv)
{
    const char *out = NULL, *spec = NULL;
    int raw = 0, n_in = 0;
    const char **inputs = calloc((size_t)argc, sizeof(char *));
    if (!inputs)
        return HK_EXIT_DATA;
    int rc = HK_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            features_usage();
            free(inputs);
            return HK_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            if (!(out = cli_option_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output")))
                goto done;
        } else if (cli_is_option(a, "--features")) {
            if (!(spec = cli_option_value(argc, argv, &i, "--features")))
                goto done;
        } else if (strcmp(a, "--raw") == 0) {
            raw = 1;
        } else if (a[0] == '-' && a[1]) {
            cli_error("features: unknown option '%s'", a);
            goto done;
        } else {
            inputs[n_in++] = a;
        }
    }
    hk_feature_params f;
    if (!n_in || !out || !spec) {
        cli_error("features: needs IMAGE..., --features and -o (see hogkit features --help)");
        goto done;
    }
    if (!recog_parse_feature(spec, &f))
        goto done;
    if (n_in > 1 && mkdir(out, 0755) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create folder", out);
        rc = HK_EXIT_DATA;
        goto done;
    }
    rc = HK_EXIT_OK;
    for (int k = 0; k < n_in; k++) {
        char path[4096];
        if (n_in > 1 && !cli_output_in_dir(out, inputs[k], path, sizeof path)) {
            cli_error("%s: output path too long", inputs[k]);
            rc = HK_EXIT_DATA;
            continue;
        }
        hk_status st = one_image(&f, raw, inputs[k], n_in > 1 ? path : out);
        if (st != HK_OK) {
            cli_error("%s: %s", inputs[k], hk_strerror(st));
            rc = HK_EXIT_DATA;
        }
    }
done:
    free(inputs);
    return rc;
}

int cmd_data(int argc, char **argv)
{
    const char *data = NULL, *out = NULL;
    int deskew = 0;
    recog_data_opts dopt;
    recog_data_opts_default(&dopt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf("usage: hogkit data DATA [-o DIR] [--deskew] [data options]\n\n"
                   "Prints what DATA holds; with -o writes DIR/images.npy (float32, N x H x W,\n"
                   "0..255), DIR/labels.txt (class index per line) and DIR/classes.txt.\n\n%s"
                   "  --split F selects the first part (the training images).\n",
                   RECOG_DATA_HELP);
            return HK_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            if (!(out = cli_option_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output")))
                return HK_EXIT_USAGE;
        } else if (strcmp(a, "--deskew") == 0) {
            deskew = 1;
        } else if ((r = recog_parse_data_opt(argc, argv, &i, &dopt)) != 0) {
            if (r < 0)
                return HK_EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            cli_error("data: unknown option '%s'", a);
            return HK_EXIT_USAGE;
        } else if (!data) {
            data = a;
        } else {
            cli_error("data: one DATA only");
            return HK_EXIT_USAGE;
        }
    }
    if (!data) {
        cli_error("data: needs DATA");
        return HK_EXIT_USAGE;
    }
    hk_dataset ds;
    if (!recog_load(data, &dopt, 0, &ds))
        return HK_EXIT_DATA;
    int rc = HK_EXIT_DATA;
    hk_status st = deskew ? hk_dataset_deskew(&ds) : HK_OK;
    printf("%u images of %ux%u, %u classes%s\n", ds.count, ds.width, ds.height, ds.n_classes,
           ds.labels ? "" : " (unlabelled)");
    if (st == HK_OK && out) {
        if (mkdir(out, 0755) != 0 && errno != EEXIST) {
            cli_error("%s: cannot create folder", out);
            goto done;
        }
        size_t n = (size_t)ds.count * ds.width * ds.height;
        float *v = malloc(n * sizeof(float));
        if (!v) {
            st = HK_ERR_NOMEM;
            goto fail;
        }
        for (size_t i = 0; i < n; i++)
            v[i] = ds.pixels[i];
        char path[4096];
        size_t shape[3] = {ds.count, ds.height, ds.width};
        snprintf(path, sizeof path, "%s/images.npy", out);
        st = hk_npy_write_f32(path, v, shape, 3);
        free(v);
        FILE *f;
        snprintf(path, sizeof path, "%s/labels.txt", out);
        if (st == HK_OK && ds.labels && (f = fopen(path, "w"))) {
            for (uint32_t i = 0; i < ds.count; i++)
                fprintf(f, "%d\n", ds.labels[i]);
            if (fclose(f) != 0)
                st = HK_ERR_IO;
        }
        snprintf(path, sizeof path, "%s/classes.txt", out);
        if (st == HK_OK && (f = fopen(path, "w"))) {
            for (uint32_t c = 0; c < ds.n_classes; c++)
                fprintf(f, "%s\n", ds.class_names[c]);
            if (fclose(f) != 0)
                st = HK_ERR_IO;
        }
    }
fail:
    if (st != HK_OK)
        cli_error("%s: %s", data, hk_strerror(st));
    else
        rc = HK_EXIT_OK;
done:
    hk_dataset_free(&ds);
    return rc;
}
