/* `hogkit predict`: labels for a dataset from a model file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "recog.h"

static void usage(void)
{
    printf("usage: hogkit predict MODEL DATA [-o PREDICTIONS] [options]\n"
           "\n"
           "Classifies DATA's images with MODEL (from hogkit train): one label per line, in\n"
           "DATA's order, into PREDICTIONS (default stdout). With labelled DATA it also\n"
           "prints 'accuracy: 0.xxxx' as the last line of stdout.\n"
           "\n"
           "  -o, --output FILE   predictions file (written whole or not at all)\n"
           "\n%s\n"
           "With --split F the images after the first int(F*n) are classified.\n",
           RECOG_DATA_HELP);
}

/* Writes the lines to path via a temporary file and rename. */
static int write_predictions(const char *path, const hk_model *m, const int32_t *pred, size_t n)
{
    FILE *f = stdout;
    char tmp[4096];
    struct stat sb;
    /* A device or pipe (e.g. /dev/null) is written in place, never replaced. */
    if (path && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if (!(f = fopen(path, "wb")))
            return 0;
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s\n", hk_model_class_name(m, (uint32_t)pred[i]));
        int ok = !ferror(f);
        return (fclose(f) == 0) && ok;
    }
    if (path) {
        if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
            return 0;
        if (!(f = fopen(tmp, "wb")))
            return 0;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n", hk_model_class_name(m, (uint32_t)pred[i]));
    if (!path)
        return fflush(f) == 0;
    int ok = !ferror(f);
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return 0;
    }
    return 1;
}

int cmd_predict(int argc, char **argv)
{
    recog_args args;
    recog_args_init(&args, "predict", 2, "expected MODEL DATA");
    int exit_code;
    if (recog_parse_args(argc, argv, &args, usage, &exit_code))
        return exit_code;
    const char *model_path = args.pos[0], *data = args.pos[1], *output = args.output;
    recog_data_opts dopt = args.data;
    if (!model_path || !data) {
        cli_error("predict: needs MODEL and DATA (see hogkit predict --help)");
        return HK_EXIT_USAGE;
    }
    hk_model *m = NULL;
    hk_status st = hk_model_load(model_path, &m);
    if (st != HK_OK) {
        cli_error("%s: not a usable hogkit model (%s)", model_path,
                  st == HK_ERR_FORMAT      ? "not a model file, or corrupt: checksum or layout "
                                             "does not match"
                  : st == HK_ERR_TRUNCATED ? "the file is truncated"
                  : st == HK_ERR_UNSUPPORTED ? "written by a newer hogkit"
                                             : hk_strerror(st));
        return HK_EXIT_DATA;
    }
    hk_feature_params f;
    uint32_t w, h, n_classes;
    if (hk_model_pipeline(m, &f, &w, &h, &n_classes, NULL) != HK_OK) {
        cli_error("%s: the model has no feature pipeline", model_path);
        hk_model_free(m);
        return HK_EXIT_DATA;
    }
    hk_dataset ds;
    if (!recog_load(data, &dopt, 1, &ds)) {
        hk_model_free(m);
        return HK_EXIT_DATA;
    }
    int rc = HK_EXIT_DATA;
    float *X = NULL;
    int32_t *pred = NULL;
    if (ds.width != w || ds.height != h) {
        cli_error("%s: images are %ux%u, the model was trained on %ux%u", data, ds.width,
                  ds.height, w, h);
        goto done;
    }
    size_t dim;
    if (!(X = recog_features(&f, &ds, dopt.threads, &dim, "features")))
        goto done;
    if (!(pred = malloc((size_t)ds.count * sizeof(int32_t)))) {
        cli_error("out of memory");
        goto done;
    }
    if ((st = hk_model_predict(m, X, ds.count, pred)) != HK_OK) {
        cli_error("predict: %s", hk_strerror(st));
        goto done;
    }
    if (!write_predictions(output, m, pred, ds.count)) {
        cli_error("%s: cannot write predictions", output ? output : "stdout");
        goto done;
    }
    if (ds.labels) {
        size_t correct = 0;
        for (uint32_t i = 0; i < ds.count; i++) {
            const char *truth = ds.class_names[ds.labels[i]];
            correct += strcmp(truth, hk_model_class_name(m, (uint32_t)pred[i])) == 0;
        }
        printf("accuracy: %.4f\n", (double)correct / ds.count);
    }
    rc = HK_EXIT_OK;
done:
    free(X);
    free(pred);
    hk_dataset_free(&ds);
    hk_model_free(m);
    return rc;
}
