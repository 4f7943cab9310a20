/* Search-then-fit shared by `hogkit train` and `hogkit study`. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "recog.h"

const char RECOG_FIT_HELP[] =
    "tuning options:\n"
    "  --grid FILE         grid file (lines 'LEARNER PARAM VALUE...'; see\n"
    "                      docs/recognition.md); replaces the built-in values it names\n"
    "  --param NAME=VALUE  fix one parameter (no search over it); repeatable\n"
    "                      (e.g. C=0.1, gamma-scale=1, k=5, trees=200, max_depth=6;\n"
    "                      pca=128: svm-rbf, forest and gbdt on the first 128\n"
    "                      principal components)\n"
    "  --folds K           k-fold cross-validation (default 3)\n"
    "  --budget N          search on a random N-image subsample (default: all)\n"
    "  --seed S            seed of the folds and the subsample (default 0)\n";

void recog_fit_opts_default(recog_fit_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->folds = 3;
}

int recog_parse_fit_opt(int argc, char **argv, int *i, recog_fit_opts *o)
{
    const char *a = argv[*i], *v;
    long n;
    unsigned long long u;
    if (cli_is_option(a, "--grid")) {
        if (!(o->grid_file = cli_option_value(argc, argv, i, "--grid")))
            return -1;
    } else if (cli_is_option(a, "--param")) {
        if (!(v = cli_option_value(argc, argv, i, "--param")))
            return -1;
        if (o->n_params >= RECOG_MAX_PARAMS) {
            cli_error("--param: at most %d", RECOG_MAX_PARAMS);
            return -1;
        }
        o->params[o->n_params++] = v;
    } else if (cli_is_option(a, "--folds")) {
        if (!(v = cli_option_value(argc, argv, i, "--folds")) ||
            !cli_parse_int("--folds", v, 2, 20, &n))
            return -1;
        o->folds = (int)n;
    } else if (cli_is_option(a, "--budget")) {
        if (!(v = cli_option_value(argc, argv, i, "--budget")) || !cli_parse_u64("--budget", v, &u))
            return -1;
        o->budget = (unsigned long)u;
    } else if (cli_is_option(a, "--seed")) {
        if (!(v = cli_option_value(argc, argv, i, "--seed")) ||
            !cli_parse_int("--seed", v, 0, 4294967295L, &n))
            return -1;
        o->seed = (uint32_t)n;
    } else {
        return 0;
    }
    return 1;
}

hk_model *recog_fit(hk_learner_kind kind, const recog_fit_opts *o, const float *X, size_t n,
                    size_t dim, const int32_t *y, uint32_t n_classes, double *cv,
                    hk_learner_params *chosen, double *seconds)
{
    recog_grid g;
    if (!recog_grid_load(kind, o->grid_file, &g))
        return NULL;
    hk_learner_params p;
    hk_learner_params_default(&p, kind);
    p.threads = o->threads;
    p.seed = o->seed;
    for (int i = 0; i < o->n_params; i++) {
        if (o->lenient && !recog_param_applies(kind, o->params[i]))
            continue;
        if (!recog_fix_param(&g, &p, o->params[i]))
            return NULL;
    }
    if (kind == HK_LEARNER_KNN) {
        /* k cannot exceed the rows of a training fold */
        size_t rows = (o->budget && o->budget < n ? o->budget : n) * (size_t)(o->folds - 1) /
                      (size_t)o->folds;
        for (int i = 0; i < g.n; i++)
            if (strcmp(g.name[i], "k") == 0)
                for (int v = 0; v < g.n_values[i]; v++)
                    if (g.values[i][v] > (double)rows && rows >= 1) {
                        cli_error("knn: k=%g is more than the %zu training rows of a fold",
                                  g.values[i][v], rows);
                        return NULL;
                    }
    }
    if (!recog_search(&g, &p, X, n, dim, y, n_classes, o->folds, o->budget, o->seed, cv,
                      o->verbose, o->tag))
        return NULL;
    hk_model *m = NULL;
    double t0 = recog_now(); /* the final fit alone */
    hk_status st = hk_model_train(&p, X, n, dim, y, n_classes, &m);
    if (st != HK_OK) {
        cli_error("training %s: %s", hk_learner_name(kind), hk_strerror(st));
        return NULL;
    }
    if (chosen)
        *chosen = p;
    if (seconds)
        *seconds = recog_now() - t0;
    return m;
}
