/* Shared parts of the recognition commands (train, predict, study, features). */
#ifndef HK_CLI_RECOG_H
#define HK_CLI_RECOG_H

#include <stdio.h>

#include "hogkit.h"

/* --features values: "hog[:key=value...]", "lbp[:...]", "gabor[:...]".
 * Returns 0 after a usage error. */
int recog_parse_feature(const char *spec, hk_feature_params *f);
/* A comma-separated list of feature specs (commas inside values are kept:
 * a new item starts only at ",hog", ",lbp" or ",gabor"). Returns the count
 * (up to max), 0 after a usage error. */
int recog_parse_feature_list(const char *list, hk_feature_params *out, char names[][256],
                             int max);
/* Help text of the feature specs. */
extern const char RECOG_FEATURE_HELP[];

int recog_parse_learner(const char *name, hk_learner_kind *kind);

/* Which images of DATA a command uses. */
typedef struct recog_data_opts {
    const char *labels;
    long shuffle;       /* -1: keep file order; else numpy RandomState seed */
    double split;       /* 0: all; else first int(split * n) train, the rest test */
    unsigned long limit;/* 0: all; else the first N (after shuffle and split) */
    int deskew;
    int threads;
} recog_data_opts;

void recog_data_opts_default(recog_data_opts *o);
/* Parses one dataset option at argv[*i]: 1 consumed, 0 not one, -1 error. */
int recog_parse_data_opt(int argc, char **argv, int *i, recog_data_opts *o);
extern const char RECOG_DATA_HELP[];

/* Loads DATA and applies shuffle, split (part 0: train, 1: test) and limit.
 * Prints an error naming the path and returns 0 on failure. */
int recog_load(const char *path, const recog_data_opts *o, int part, hk_dataset *ds);

/* Features of every image; prints progress on a terminal. NULL on error. */
float *recog_features(const hk_feature_params *f, const hk_dataset *ds, int threads,
                      size_t *dim, const char *what);

/* Resolves cell = 0 ("auto": a 4 x 4 grid) for images of this size. */
void recog_resolve_cells(hk_feature_params *f, uint32_t w, uint32_t h);

/* Progress line on stderr when it is a terminal. */
void recog_progress(void *user, size_t done, size_t total);

double recog_now(void);

/* Learner grids: "LEARNER PARAM VALUE..." lines; see docs/recognition.md. */
#define RECOG_MAX_PARAMS 8
#define RECOG_MAX_VALUES 16
typedef struct recog_grid {
    int n;
    char name[RECOG_MAX_PARAMS][32];
    int n_values[RECOG_MAX_PARAMS];
    double values[RECOG_MAX_PARAMS][RECOG_MAX_VALUES];
} recog_grid;

/* The built-in grid for a learner, then lines of `file` (NULL: none) for it
 * replace whole parameters. Returns 0 after an error message. */
int recog_grid_load(hk_learner_kind kind, const char *file, recog_grid *g);
/* Sets one named parameter; 0 if the name is unknown or the value invalid. */
int recog_set_param(hk_learner_params *p, const char *name, double value, size_t dim);
/* Fixes a parameter from "NAME=VALUE" (--param): drops it from the grid. */
int recog_fix_param(recog_grid *g, hk_learner_params *p, const char *assign);
/* Whether "NAME=VALUE" names a valid parameter of this learner. */
int recog_param_applies(hk_learner_kind kind, const char *assign);
/* Names the learner settings that differ from the defaults, for reports. */
void recog_describe(const hk_learner_params *p, size_t dim, char *buf, size_t cap);

/* Grid search by k-fold CV on (X, y) (subsampled to `budget` rows when
 * budget > 0), leaving the best in *best. Progress on a terminal. */
int recog_search(const recog_grid *g, hk_learner_params *best, const float *X, size_t n,
                 size_t dim, const int32_t *y, uint32_t n_classes, int folds,
                 unsigned long budget, uint32_t seed, double *best_cv, int verbose);

/* Search options shared by train and study. */
typedef struct recog_fit_opts {
    const char *grid_file;
    const char *params[RECOG_MAX_PARAMS]; /* --param NAME=VALUE */
    int n_params;
    int folds;              /* 3 */
    unsigned long budget;   /* 0: search on every training image */
    uint32_t seed;
    int verbose;
    int threads;
    int lenient;            /* study: a --param another learner takes is skipped */
} recog_fit_opts;

void recog_fit_opts_default(recog_fit_opts *o);
/* Parses one of --grid, --param, --folds, --budget, --seed: 1, 0 or -1. */
int recog_parse_fit_opt(int argc, char **argv, int *i, recog_fit_opts *o);
extern const char RECOG_FIT_HELP[];
/* Grid search then the final fit on all rows; *cv is the best CV accuracy
 * (NaN when there was nothing to search). NULL after an error message. */
hk_model *recog_fit(hk_learner_kind kind, const recog_fit_opts *o, const float *X, size_t n,
                    size_t dim, const int32_t *y, uint32_t n_classes, double *cv,
                    hk_learner_params *chosen, double *seconds);

/* Accuracy and macro F1 of predictions. */
void recog_scores(const int32_t *truth, const int32_t *pred, size_t n, uint32_t n_classes,
                  double *accuracy, double *macro_f1);

/* The arguments of train, predict and study (recog_args.c). */
#define RECOG_ARGS_NAMED 2
typedef struct recog_args {
    const char *cmd;                        /* "train": names the command in messages */
    const char *named[RECOG_ARGS_NAMED];    /* value options besides -o, e.g. "--features" */
    const char *value[RECOG_ARGS_NAMED];    /* their values (preset = default) */
    int fit_opts;                           /* accept -q and the search options */
    int max_pos, n_pos;                     /* positional arguments accepted, given */
    const char *pos[2];
    const char *pos_hint;                   /* "expected MODEL DATA" */
    const char *output;                     /* -o / --output */
    recog_data_opts data;
    recog_fit_opts fit;                     /* verbose by default */
} recog_args;

void recog_args_init(recog_args *a, const char *cmd, int max_pos, const char *pos_hint);
/* Parses argv[1..]: 0 to go on, or 1 to stop with *exit_code (after --help
 * HK_EXIT_OK, after a usage error, already reported, HK_EXIT_USAGE). */
int recog_parse_args(int argc, char **argv, recog_args *a, void (*usage)(void), int *exit_code);

#endif
