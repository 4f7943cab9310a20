/* `hogkit train`: features of a labelled dataset, a cross-validated grid
 * search, the final fit on every training image, and a model file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "recog.h"

static void usage(void)
{
    printf("usage: hogkit train DATA --features SPEC --learner NAME -o MODEL [options]\n"
           "\n"
           "Trains a classifier of DATA's images: descriptors (HOG, LBP or Gabor), a k-fold\n"
           "cross-validated grid search on DATA, then a fit on all of DATA. MODEL keeps the\n"
           "feature parameters, so `hogkit predict MODEL DATA` needs nothing else.\n"
           "\n"
           "  --features SPEC     hog, lbp or gabor with options (below)\n"
           "  --learner NAME      svm-linear (liblinear), svm-rbf (libsvm), knn (exact,\n"
           "                      OpenBLAS), forest or gbdt (XGBoost)\n"
           "  -o, --output MODEL  model file to write (.hkm)\n"
           "  -q, --quiet         no search log on stderr\n"
           "\n%s\n%s\n%s",
           RECOG_FIT_HELP, RECOG_DATA_HELP, RECOG_FEATURE_HELP);
}

int cmd_train(int argc, char **argv)
{
    recog_args args;
    recog_args_init(&args, "train", 1, "expected one DATA");
    args.named[0] = "--features";
    args.named[1] = "--learner";
    args.fit_opts = 1;
    int exit_code;
    if (recog_parse_args(argc, argv, &args, usage, &exit_code))
        return exit_code;
    const char *data = args.pos[0], *output = args.output;
    const char *fspec = args.value[0], *lname = args.value[1];
    recog_data_opts dopt = args.data;
    recog_fit_opts fopt = args.fit;
    if (!data || !output || !fspec || !lname) {
        cli_error("train: needs DATA, --features, --learner and -o (see hogkit train --help)");
        return HK_EXIT_USAGE;
    }
    hk_feature_params f;
    hk_learner_kind kind;
    if (!recog_parse_feature(fspec, &f) || !recog_parse_learner(lname, &kind))
        return HK_EXIT_USAGE;
    fopt.threads = dopt.threads;

    hk_dataset ds;
    if (!recog_load(data, &dopt, 0, &ds))
        return HK_EXIT_DATA;
    int rc = HK_EXIT_DATA;
    float *X = NULL;
    hk_model *m = NULL;
    if (!ds.labels) {
        cli_error("%s: no labels (give --labels FILE)", data);
        goto done;
    }
    recog_resolve_cells(&f, ds.width, ds.height);
    size_t dim;
    double t0 = recog_now();
    if (!(X = recog_features(&f, &ds, dopt.threads, &dim, "features")))
        goto done;
    double t_feat = recog_now() - t0;
    printf("data: %s, %u images of %ux%u, %u classes\n", data, ds.count, ds.width, ds.height,
           ds.n_classes);
    printf("features: %s, %zu values per image, %.2f s\n", fspec, dim, t_feat);
    fflush(stdout);
    double cv, fit_s;
    hk_learner_params chosen;
    m = recog_fit(kind, &fopt, X, ds.count, dim, ds.labels, ds.n_classes, &cv, &chosen, &fit_s);
    if (!m)
        goto done;
    char desc[256];
    recog_describe(&chosen, dim, desc, sizeof desc);
    if (isnan(cv))
        printf("learner: %s %s (no search)\n", hk_learner_name(kind), desc);
    else
        printf("learner: %s %s, %d-fold cv accuracy %.4f\n", hk_learner_name(kind), desc,
               fopt.folds, cv);
    printf("training: %.2f s\n", fit_s);
    hk_status st = hk_model_set_pipeline(m, &f, ds.width, ds.height,
                                         (const char *const *)ds.class_names);
    if (st == HK_OK)
        st = hk_model_save(m, output);
    if (st != HK_OK) {
        cli_error("%s: cannot write model: %s", output, hk_strerror(st));
        goto done;
    }
    printf("model: %s\n", output);
    rc = HK_EXIT_OK;
done:
    hk_model_free(m);
    free(X);
    hk_dataset_free(&ds);
    return rc;
}
