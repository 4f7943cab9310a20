/* Dataset options, loading, feature extraction with progress, and scores
 * for the recognition commands. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "recog.h"

const char RECOG_DATA_HELP[] =
    "data options (DATA is a folder with one subfolder per class, OpenCV's digits.png,\n"
    "or an IDX images file whose labels file is found by MNIST naming):\n"
    "  --labels FILE       IDX labels file for DATA\n"
    "  --shuffle SEED      reorder as numpy.random.RandomState(SEED).permutation\n"
    "  --split F           first int(F*n) images train, the rest test (digits.py: 0.9)\n"
    "  --limit N           use only the first N images (after shuffle and split)\n"
    "  --threads N         threads for features and learners (default: all cores)\n";

void recog_data_opts_default(recog_data_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->shuffle = -1;
}

int recog_parse_data_opt(int argc, char **argv, int *i, recog_data_opts *o)
{
    const char *a = argv[*i], *v;
    long n;
    if (cli_is_option(a, "--labels")) {
        if (!(o->labels = cli_option_value(argc, argv, i, "--labels")))
            return -1;
    } else if (cli_is_option(a, "--shuffle")) {
        if (!(v = cli_option_value(argc, argv, i, "--shuffle")) ||
            !cli_parse_int("--shuffle", v, 0, 4294967295L, &n))
            return -1;
        o->shuffle = n;
    } else if (cli_is_option(a, "--split")) {
        char *end;
        if (!(v = cli_option_value(argc, argv, i, "--split")))
            return -1;
        o->split = strtod(v, &end);
        if (end == v || *end || !(o->split > 0 && o->split < 1)) {
            cli_error("--split: expected a fraction in (0, 1), got '%s'", v);
            return -1;
        }
    } else if (cli_is_option(a, "--limit")) {
        unsigned long long u;
        if (!(v = cli_option_value(argc, argv, i, "--limit")) || !cli_parse_u64("--limit", v, &u))
            return -1;
        o->limit = (unsigned long)u;
    } else if (cli_is_option(a, "--threads")) {
        if (!(v = cli_option_value(argc, argv, i, "--threads")) ||
            !cli_parse_int("--threads", v, 0, 1024, &n))
            return -1;
        o->threads = (int)n;
    } else {
        return 0;
    }
    return 1;
}

int recog_load(const char *path, const recog_data_opts *o, int part, hk_dataset *ds)
{
    hk_status st = hk_dataset_load(path, o->labels, NULL, ds);
    if (st != HK_OK) {
        cli_error("%s: cannot read dataset: %s", path, hk_strerror(st));
        return 0;
    }
    if (o->shuffle >= 0 && (st = hk_dataset_shuffle(ds, (uint32_t)o->shuffle)) != HK_OK) {
        cli_error("%s: %s", path, hk_strerror(st));
        hk_dataset_free(ds);
        return 0;
    }
    uint32_t first = 0, count = ds->count;
    if (o->split > 0) {
        uint32_t cut = (uint32_t)(o->split * ds->count);
        first = part ? cut : 0;
        count = part ? ds->count - cut : cut;
    }
    if (o->limit && o->limit < count)
        count = (uint32_t)o->limit;
    if (first != 0 || count != ds->count) {
        hk_dataset sub;
        st = hk_dataset_slice(ds, first, count, &sub);
        hk_dataset_free(ds);
        if (st != HK_OK) {
            cli_error("%s: %s", path, hk_strerror(st));
            return 0;
        }
        *ds = sub;
    }
    if (ds->count == 0) {
        cli_error("%s: no images selected", path);
        hk_dataset_free(ds);
        return 0;
    }
    return 1;
}

double recog_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void recog_progress(void *user, size_t done, size_t total)
{
    if (!isatty(2))
        return;
    int width = 30, filled = total ? (int)(width * done / total) : width;
    fprintf(stderr, "\r%-24s [%.*s%*s] %zu/%zu", user ? (const char *)user : "", filled,
            "##############################", width - filled, "", done, total);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* cell = 0 means "a 4 x 4 grid" for this image size. */
static void resolve_cells(hk_feature_params *f, uint32_t w, uint32_t h)
{
    int r = h / 4 ? (int)(h / 4) : 1, c = w / 4 ? (int)(w / 4) : 1;
    if (f->lbp.cell_rows == 0)
        f->lbp.cell_rows = r, f->lbp.cell_cols = c;
    if (f->gabor.cell_rows == 0)
        f->gabor.cell_rows = r, f->gabor.cell_cols = c;
    /* the OpenCV HOG variant's window 0x0 is the whole image */
    if (f->hog.opencv.win_width == 0 && f->hog.opencv.win_height == 0)
        f->hog.opencv.win_width = (int)w, f->hog.opencv.win_height = (int)h;
}

float *recog_features(const hk_feature_params *fin, const hk_dataset *ds, int threads,
                      size_t *dim, const char *what)
{
    hk_feature_params f = *fin;
    resolve_cells(&f, ds->width, ds->height);
    hk_status st = hk_features_dim(&f, ds->width, ds->height, dim);
    if (st != HK_OK) {
        cli_error("features for %ux%u images: %s", ds->width, ds->height, hk_strerror(st));
        return NULL;
    }
    size_t n = (size_t)ds->count * *dim;
    if (n / *dim != ds->count || n > ((size_t)1 << 34)) {
        cli_error("features: %u images x %zu values is too large", ds->count, *dim);
        return NULL;
    }
    float *X = malloc(n * sizeof(float));
    if (!X) {
        cli_error("features: out of memory");
        return NULL;
    }
    st = hk_features_extract(&f, ds, threads, X, n, recog_progress, (void *)what);
    if (st != HK_OK) {
        cli_error("features: %s", hk_strerror(st));
        free(X);
        return NULL;
    }
    return X;
}

/* Callers that store the parameters use the resolved ones. */
void recog_resolve_cells(hk_feature_params *f, uint32_t w, uint32_t h)
{
    resolve_cells(f, w, h);
}

void recog_scores(const int32_t *truth, const int32_t *pred, size_t n, uint32_t n_classes,
                  double *accuracy, double *macro_f1)
{
    size_t correct = 0;
    double f1 = 0;
    int counted = 0;
    for (size_t i = 0; i < n; i++)
        correct += truth[i] == pred[i];
    for (uint32_t c = 0; c < n_classes; c++) {
        size_t tp = 0, fp = 0, fn = 0;
        for (size_t i = 0; i < n; i++) {
            tp += truth[i] == (int32_t)c && pred[i] == (int32_t)c;
            fp += truth[i] != (int32_t)c && pred[i] == (int32_t)c;
            fn += truth[i] == (int32_t)c && pred[i] != (int32_t)c;
        }
        if (tp + fp + fn == 0)
            continue; /* class absent from both: sklearn's labels= would skip it too */
        f1 += 2.0 * tp / (double)(2 * tp + fp + fn);
        counted++;
    }
    *accuracy = n ? (double)correct / (double)n : 0;
    *macro_f1 = counted ? f1 / counted : 0;
}
