/* Hyperparameter grids and the cross-validated grid search. A grid file has
 * lines "LEARNER PARAM VALUE..." ('#' starts a comment); a learner's lines in
 * the file replace the built-in values of those parameters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "recog.h"

/* Built-in grids: small, so that a search on a laptop stays in minutes.
 * gamma-scale s means gamma = s / dim (1 is libsvm's and sklearn's "scale"
 * default on standardised features); weights 0 uniform, 1 distance. */
static const char BUILTIN[] =
    "svm-linear C 0.01 0.1 1\n"
    "svm-rbf C 1 10\n"
    "svm-rbf gamma-scale 0.5 1 2\n"
    "knn k 1 3 5 7\n"
    "knn weights uniform distance\n"
    "forest trees 100\n"
    "forest max_depth 8 12\n"
    "gbdt trees 150\n"
    "gbdt max_depth 4 6\n"
    "gbdt eta 0.3\n";

static int parse_value(const char *param, const char *text, double *out)
{
    if (strcmp(param, "weights") == 0) {
        if (strcmp(text, "uniform") == 0 || strcmp(text, "0") == 0)
            return *out = 0, 1;
        if (strcmp(text, "distance") == 0 || strcmp(text, "1") == 0)
            return *out = 1, 1;
        return 0;
    }
    char *end;
    *out = strtod(text, &end);
    return end != text && !*end && isfinite(*out);
}

int recog_set_param(hk_learner_params *p, const char *name, double v, size_t dim)
{
    hk_learner_kind k = p->kind;
    int svm = k == HK_LEARNER_SVM_LINEAR || k == HK_LEARNER_SVM_RBF;
    int trees = k == HK_LEARNER_FOREST || k == HK_LEARNER_GBDT;
    if (svm && strcmp(name, "C") == 0 && v > 0)
        p->C = v;
    else if (k == HK_LEARNER_SVM_RBF && strcmp(name, "gamma") == 0 && v >= 0)
        p->gamma = v;
    else if (k == HK_LEARNER_SVM_RBF && strcmp(name, "gamma-scale") == 0 && v > 0)
        p->gamma = v / (double)(dim ? dim : 1);
    else if (k == HK_LEARNER_KNN && strcmp(name, "k") == 0 && v >= 1 && v <= 100000)
        p->k = (int)v;
    else if (k == HK_LEARNER_KNN && strcmp(name, "weights") == 0 && (v == 0 || v == 1))
        p->distance_weighted = (int)v;
    else if (trees && strcmp(name, "trees") == 0 && v >= 1 && v <= 100000)
        p->trees = (int)v;
    else if (trees && strcmp(name, "max_depth") == 0 && v >= 0 && v <= 64)
        p->max_depth = (int)v;
    else if (k == HK_LEARNER_GBDT && strcmp(name, "eta") == 0 && v > 0 && v <= 1)
        p->eta = v;
    else if (trees && strcmp(name, "subsample") == 0 && v > 0 && v <= 1)
        p->subsample = v;
    else if (trees && strcmp(name, "colsample") == 0 && v > 0 && v <= 1)
        p->colsample = v;
    else if ((k == HK_LEARNER_SVM_RBF || trees) && strcmp(name, "pca") == 0 && v >= 0 &&
             v <= 65536 &&
             v == floor(v))
        p->pca = (int)v;
    else if (strcmp(name, "standardize") == 0 && (v == 0 || v == 1))
        p->standardize = (int)v;
    else if (strcmp(name, "seed") == 0 && v >= 0 && v <= 4294967295.0)
        p->seed = (uint32_t)v;
    else
        return 0;
    return 1;
}

/* Applies the lines of `text` for `kind` to g (whole parameters replaced). */
static int apply_text(hk_learner_kind kind, const char *text, const char *origin, recog_grid *g)
{
    const char *line = text;
    int lineno = 0;
    hk_learner_params probe;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[1024];
        lineno++;
        if (len >= sizeof buf) {
            cli_error("%s:%d: line too long", origin, lineno);
            return 0;
        }
        memcpy(buf, line, len);
        buf[len] = 0;
        line = nl ? nl + 1 : NULL;
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = 0;
        char *save = NULL, *learner = strtok_r(buf, " \t\r", &save);
        if (!learner)
            continue;
        char *param = strtok_r(NULL, " \t\r", &save);
        hk_learner_kind lk = HK_LEARNER_SVM_LINEAR;
        int known = 0;
        for (int k = HK_LEARNER_SVM_LINEAR; k <= HK_LEARNER_GBDT; k++)
            if (strcmp(learner, hk_learner_name((hk_learner_kind)k)) == 0)
                lk = (hk_learner_kind)k, known = 1;
        if (!known || !param) {
            cli_error("%s:%d: expected 'LEARNER PARAM VALUE...'", origin, lineno);
            return 0;
        }
        if (lk != kind)
            continue;
        int slot = -1;
        for (int i = 0; i < g->n; i++)
            if (strcmp(g->name[i], param) == 0)
                slot = i;
        if (slot < 0) {
            if (g->n >= RECOG_MAX_PARAMS || strlen(param) >= sizeof g->name[0]) {
                cli_error("%s:%d: too many parameters", origin, lineno);
                return 0;
            }
            slot = g->n++;
            strcpy(g->name[slot], param);
        }
        g->n_values[slot] = 0;
        for (char *v; (v = strtok_r(NULL, " \t\r", &save));) {
            double d;
            hk_learner_params_default(&probe, kind);
            if (g->n_values[slot] >= RECOG_MAX_VALUES || !parse_value(param, v, &d) ||
                !recog_set_param(&probe, param, d, 100)) {
                cli_error("%s:%d: bad value '%s' for %s %s", origin, lineno, v, learner, param);
                return 0;
            }
            g->values[slot][g->n_values[slot]++] = d;
        }
        if (g->n_values[slot] == 0) {
            cli_error("%s:%d: %s %s has no values", origin, lineno, learner, param);
            return 0;
        }
    }
    return 1;
}

int recog_grid_load(hk_learner_kind kind, const char *file, recog_grid *g)
{
    memset(g, 0, sizeof(*g));
    if (!apply_text(kind, BUILTIN, "built-in grid", g))
        return 0;
    if (!file)
        return 1;
    FILE *f = fopen(file, "rb");
    if (!f) {
        cli_error("--grid %s: cannot open", file);
        return 0;
    }
    char *text = malloc(1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    int ok = text && !ferror(f) && feof(f);
    fclose(f);
    if (!ok) {
        cli_error("--grid %s: cannot read (or over 1 MiB)", file);
        free(text);
        return 0;
    }
    text[n] = 0;
    ok = apply_text(kind, text, file, g);
    free(text);
    return ok;
}

int recog_param_applies(hk_learner_kind kind, const char *assign)
{
    char name[32];
    const char *eq = strchr(assign, '=');
    double v;
    if (!eq || (size_t)(eq - assign) >= sizeof name)
        return 1; /* malformed: let recog_fix_param report it */
    memcpy(name, assign, (size_t)(eq - assign));
    name[eq - assign] = 0;
    hk_learner_params probe;
    hk_learner_params_default(&probe, kind);
    if (!parse_value(name, eq + 1, &v))
        return 1;
    return recog_set_param(&probe, name, v, 100);
}

int recog_fix_param(recog_grid *g, hk_learner_params *p, const char *assign)
{
    const char *eq = strchr(assign, '=');
    char name[32];
    double v;
    if (!eq || (size_t)(eq - assign) >= sizeof name) {
        cli_error("--param: expected NAME=VALUE, got '%s'", assign);
        return 0;
    }
    memcpy(name, assign, (size_t)(eq - assign));
    name[eq - assign] = 0;
    hk_learner_params probe = *p;
    if (!parse_value(name, eq + 1, &v) || !recog_set_param(&probe, name, v, 100)) {
        cli_error("--param: '%s' is not a valid %s parameter", assign, hk_learner_name(p->kind));
        return 0;
    }
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->name[i], name) == 0) {
            g->n_values[i] = 1;
            g->values[i][0] = v;
            return 1;
        }
    if (g->n >= RECOG_MAX_PARAMS)
        return 0;
    strcpy(g->name[g->n], name);
    g->n_values[g->n] = 1;
    g->values[g->n][0] = v;
    g->n++;
    return 1;
}

void recog_describe(const hk_learner_params *p, size_t dim, char *buf, size_t cap)
{
    switch (p->kind) {
    case HK_LEARNER_SVM_LINEAR: snprintf(buf, cap, "C=%g", p->C); break;
    case HK_LEARNER_SVM_RBF:
        if (p->pca > 0 && (size_t)p->pca < dim)
            snprintf(buf, cap, "C=%g gamma=%g pca=%d", p->C,
                     p->gamma > 0 ? p->gamma : 1.0 / (double)dim, p->pca);
        else
            snprintf(buf, cap, "C=%g gamma=%g", p->C,
                     p->gamma > 0 ? p->gamma : 1.0 / (double)dim);
        break;
    case HK_LEARNER_KNN:
        snprintf(buf, cap, "k=%d weights=%s", p->k, p->distance_weighted ? "distance" : "uniform");
        break;
    case HK_LEARNER_FOREST:
        snprintf(buf, cap, "trees=%d max_depth=%d", p->trees, p->max_depth ? p->max_depth : 12);
        break;
    case HK_LEARNER_GBDT:
        snprintf(buf, cap, "trees=%d max_depth=%d eta=%g", p->trees,
                 p->max_depth ? p->max_depth : 6, p->eta);
        break;
    }
    size_t len = strlen(buf);
    if (p->kind != HK_LEARNER_SVM_RBF && p->pca > 0 && (size_t)p->pca < dim && len < cap)
        snprintf(buf + len, cap - len, " pca=%d", p->pca);
}

int recog_search(const recog_grid *g, hk_learner_params *best, const float *X, size_t n,
                 size_t dim, const int32_t *y, uint32_t n_classes, int folds,
                 unsigned long budget, uint32_t seed, double *best_cv, int verbose,
                 const char *tag)
{
    size_t points = 1;
    for (int i = 0; i < g->n; i++)
        points *= (size_t)g->n_values[i];
    hk_learner_params base = *best;
    *best_cv = -1;
    /* the subsample for the search: a seeded permutation's first `budget` rows */
    const float *Xs = X;
    const int32_t *ys = y;
    float *Xb = NULL;
    int32_t *yb = NULL;
    size_t ns = n;
    if (budget && budget < n) {
        uint32_t *perm = malloc(n * sizeof(uint32_t));
        Xb = malloc(budget * dim * sizeof(float));
        yb = malloc(budget * sizeof(int32_t));
        if (!perm || !Xb || !yb) {
            free(perm);
            free(Xb);
            free(yb);
            cli_error("grid search: out of memory");
            return 0;
        }
        hk_numpy_permutation(seed, (uint32_t)n, perm);
        for (size_t i = 0; i < budget; i++) {
            memcpy(Xb + i * dim, X + (size_t)perm[i] * dim, dim * sizeof(float));
            yb[i] = y[perm[i]];
        }
        free(perm);
        Xs = Xb;
        ys = yb;
        ns = budget;
    }
    int ok = 1;
    if (points == 1) {
        /* nothing to choose: no cross-validation needed */
        for (int i = 0; i < g->n; i++)
            recog_set_param(best, g->name[i], g->values[i][0], dim);
        *best_cv = NAN;
        points = 0;
    }
    for (size_t pt = 0; pt < points; pt++) {
        hk_learner_params p = base;
        char desc[256] = "";
        size_t rest = pt;
        for (int i = 0; i < g->n; i++) {
            int vi = (int)(rest % (size_t)g->n_values[i]);
            rest /= (size_t)g->n_values[i];
            recog_set_param(&p, g->name[i], g->values[i][vi], dim);
            size_t len = strlen(desc);
            snprintf(desc + len, sizeof desc - len, "%s%s=%g", len ? " " : "", g->name[i],
                     g->values[i][vi]);
        }
        double acc;
        double t0 = recog_now();
        hk_status st = hk_cross_validate(&p, Xs, ns, dim, ys, n_classes, folds, seed, &acc);
        if (st != HK_OK) {
            cli_error("cross-validation of %s (%s): %s", hk_learner_name(p.kind), desc,
                      hk_strerror(st));
            ok = 0;
            break;
        }
        if (verbose)
            fprintf(stderr, "  %s%scv %zu/%zu %s %s: %.4f (%.1f s)\n", tag ? tag : "",
                    tag ? ": " : "", pt + 1, points, hk_learner_name(p.kind), desc, acc,
                    recog_now() - t0);
        if (acc > *best_cv) {
            *best_cv = acc;
            *best = p;
        }
    }
    free(Xb);
    free(yb);
    return ok;
}
