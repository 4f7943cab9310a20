/* `hogkit study`: every feature x learner pair on one train/test split, with
 * a table, report.json and the confusion matrix of the best pair. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "recog.h"

#define MAX_FEATURES 8
#define N_LEARNERS 5

static void usage(void)
{
    printf("usage: hogkit study TRAIN [TEST] --features LIST --learners LIST -o DIR [options]\n"
           "\n"
           "Compares descriptors x learners: for each pair a cross-validated grid search on\n"
           "TRAIN, a fit on all of TRAIN and one evaluation on TEST (or, with one DATA and\n"
           "--split F, on the images after the first int(F*n)). Writes DIR/table.md (also\n"
           "printed), DIR/report.json and DIR/confusion.png (+ confusion.txt) of the best pair.\n"
           "\n"
           "  --features LIST     comma-separated specs, e.g. hog,lbp,gabor (default)\n"
           "  --learners LIST     comma-separated learners, or all (default)\n"
           "  -o, --output DIR    report folder (created if missing)\n"
           "  --jobs N            pairs run side by side, the threads split between them\n"
           "                      (default: 2 with 2 or more threads)\n"
           "  -q, --quiet         no search log on stderr\n"
           "A --param applies to the learners that have that parameter.\n"
           "\n%s\n%s\n%s",
           RECOG_FIT_HELP, RECOG_DATA_HELP, RECOG_FEATURE_HELP);
}

typedef struct result {
    int feature, learner, ok;
    char params[256];
    double cv, accuracy, f1, train_s, predict_s;
    uint32_t *confusion;
} result;

static int parse_learners(const char *list, int *use)
{
    memset(use, 0, N_LEARNERS * sizeof(int));
    if (strcmp(list, "all") == 0) {
        for (int k = 0; k < N_LEARNERS; k++)
            use[k] = 1;
        return 1;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        hk_learner_kind k;
        if (!recog_parse_learner(t, &k))
            return 0;
        use[k] = 1;
        n++;
    }
    return n > 0;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

/* The confusion matrix as an image: one 16-pixel square per (true, predicted)
 * cell, darker blue for a larger share of the true class, 1-pixel grid lines. */
static hk_status confusion_png(const char *path, const uint32_t *cm, uint32_t k)
{
    const uint32_t cell = 16, side = k * cell + 1;
    uint8_t *px = malloc((size_t)side * side * 3);
    if (!px)
        return HK_ERR_NOMEM;
    memset(px, 160, (size_t)side * side * 3);
    for (uint32_t t = 0; t < k; t++) {
        uint64_t row = 0;
        for (uint32_t p = 0; p < k; p++)
            row += cm[t * k + p];
        for (uint32_t p = 0; p < k; p++) {
            double s = row ? (double)cm[t * k + p] / (double)row : 0;
            s = sqrt(s); /* small confusions stay visible */
            uint8_t rgb[3] = {(uint8_t)(255 - 247 * s), (uint8_t)(255 - 207 * s),
                              (uint8_t)(255 - 148 * s)};
            for (uint32_t y = 1; y < cell; y++)
                for (uint32_t x = 1; x < cell; x++)
                    memcpy(px + (((size_t)t * cell + y) * side + p * cell + x) * 3, rgb, 3);
        }
    }
    hk_status st = hk_png_write_u8(path, px, side, side, 3, (size_t)side * 3);
    free(px);
    return st;
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    return fopen(path, "w");
}

/* What the workers share: every feature matrix, the results in report
 * order, and the order the pairs are handed out in. */
typedef struct study {
    recog_fit_opts fopt; /* threads: per pair */
    float *Xtr[MAX_FEATURES], *Xte[MAX_FEATURES];
    size_t dims[MAX_FEATURES];
    char (*fnames)[256];
    const hk_dataset *tr, *te;
    result *res;
    int order[MAX_FEATURES * N_LEARNERS];
    int n, next;
    pthread_mutex_t lock;
} study;

/* Longest first (measured on Fashion-MNIST), so the last pairs to finish
 * are short ones and no core waits long at the end. */
static int cost_rank(int learner)
{
    static const int rank[N_LEARNERS] = {[HK_LEARNER_SVM_RBF] = 0, [HK_LEARNER_FOREST] = 1,
                                         [HK_LEARNER_GBDT] = 2, [HK_LEARNER_KNN] = 3,
                                         [HK_LEARNER_SVM_LINEAR] = 4};
    return rank[learner];
}

/* Search, final fit, test predictions and scores of one pair. */
static void run_pair(const study *s, result *r, int32_t *pred)
{
    const hk_dataset *tr = s->tr, *te = s->te;
    uint32_t k = tr->n_classes;
    const char *fname = s->fnames[r->feature], *lname = hk_learner_name((hk_learner_kind)r->learner);
    char tag[300];
    snprintf(tag, sizeof tag, "%s x %s", fname, lname);
    recog_fit_opts fopt = s->fopt;
    fopt.tag = tag;
    if (fopt.verbose)
        fprintf(stderr, "%s: started\n", tag);
    size_t dim = s->dims[r->feature];
    hk_learner_params chosen;
    hk_model *m = recog_fit((hk_learner_kind)r->learner, &fopt, s->Xtr[r->feature], tr->count,
                            dim, tr->labels, k, &r->cv, &chosen, &r->train_s);
    if (!m)
        return; /* reported; the other pairs still run */
    recog_describe(&chosen, dim, r->params, sizeof r->params);
    double t1 = recog_now();
    hk_status st = hk_model_predict(m, s->Xte[r->feature], te->count, pred);
    r->predict_s = recog_now() - t1;
    hk_model_free(m);
    if (st != HK_OK) {
        cli_error("predict %s: %s", tag, hk_strerror(st));
        return;
    }
    recog_scores(te->labels, pred, te->count, k, &r->accuracy, &r->f1);
    r->confusion = calloc((size_t)k * k, sizeof(uint32_t));
    if (r->confusion)
        for (uint32_t i = 0; i < te->count; i++)
            r->confusion[(size_t)te->labels[i] * k + (uint32_t)pred[i]]++;
    r->ok = r->confusion != NULL;
    /* the whole row, so a long study's log keeps what finished */
    if (fopt.verbose)
        fprintf(stderr, "%s: test accuracy %.4f, macro F1 %.4f (%s; train %.2f s, predict %.2f s)\n",
                tag, r->accuracy, r->f1, r->params, r->train_s, r->predict_s);
}

static void *pair_worker(void *arg)
{
    study *s = arg;
    int32_t *pred = malloc((s->te->count ? s->te->count : 1) * sizeof(int32_t));
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int j = s->next++;
        pthread_mutex_unlock(&s->lock);
        if (j >= s->n)
            break;
        if (pred)
            run_pair(s, &s->res[s->order[j]], pred);
        else
            cli_error("study: out of memory for the test predictions");
    }
    free(pred);
    return NULL;
}

/* Runs every pair, `jobs` at a time (the calling thread is one of them). */
static void run_pairs(study *s, int jobs)
{
    for (int i = 0; i < s->n; i++)
        s->order[i] = i;
    for (int i = 1; i < s->n; i++) /* stable insertion sort by cost rank */
        for (int j = i; j > 0 && cost_rank(s->res[s->order[j]].learner) <
                                     cost_rank(s->res[s->order[j - 1]].learner); j--) {
            int t = s->order[j];
            s->order[j] = s->order[j - 1];
            s->order[j - 1] = t;
        }
    pthread_t th[MAX_FEATURES * N_LEARNERS];
    int started = 0;
    for (int w = 1; w < jobs && w < s->n; w++)
        if (pthread_create(&th[started], NULL, pair_worker, s) == 0)
            started++;
    pair_worker(s);
    for (int w = 0; w < started; w++)
        pthread_join(th[w], NULL);
}

int cmd_study(int argc, char **argv)
{
    recog_args args;
    recog_args_init(&args, "study", 2, "expected TRAIN [TEST]");
    args.named[0] = "--features";
    args.named[1] = "--learners";
    args.value[0] = "hog,lbp,gabor";
    args.value[1] = "all";
    args.named[2] = "--jobs";
    args.fit_opts = 1;
    args.fit.lenient = 1;
    int exit_code;
    if (recog_parse_args(argc, argv, &args, usage, &exit_code))
        return exit_code;
    const char *train_path = args.pos[0], *test_path = args.pos[1], *out = args.output;
    const char *flist = args.value[0], *llist = args.value[1];
    int n_jobs = 0;
    if (args.value[2]) {
        char *end;
        long v = strtol(args.value[2], &end, 10);
        if (*end || end == args.value[2] || v < 1 || v > MAX_FEATURES * N_LEARNERS) {
            cli_error("study: --jobs takes 1 to %d", MAX_FEATURES * N_LEARNERS);
            return HK_EXIT_USAGE;
        }
        n_jobs = (int)v;
    }
    recog_data_opts dopt = args.data;
    recog_fit_opts fopt = args.fit;
    if (!train_path || !out) {
        cli_error("study: needs TRAIN and -o DIR (see hogkit study --help)");
        return HK_EXIT_USAGE;
    }
    if (!test_path && dopt.split == 0) {
        cli_error("study: give TEST, or --split F to test on part of TRAIN");
        return HK_EXIT_USAGE;
    }
    if (test_path && dopt.split != 0) {
        cli_error("study: --split is for a single DATA; TEST was given");
        return HK_EXIT_USAGE;
    }
    hk_feature_params feats[MAX_FEATURES];
    char fnames[MAX_FEATURES][256];
    int use[N_LEARNERS];
    int nf = recog_parse_feature_list(flist, feats, fnames, MAX_FEATURES);
    if (!nf || !parse_learners(llist, use))
        return HK_EXIT_USAGE;
    fopt.threads = dopt.threads;
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create folder", out);
        return HK_EXIT_DATA;
    }

    hk_dataset tr, te;
    memset(&te, 0, sizeof te);
    if (!recog_load(train_path, &dopt, 0, &tr))
        return HK_EXIT_DATA;
    recog_data_opts topt = dopt;
    topt.labels = NULL; /* --labels names TRAIN's labels */
    if (!recog_load(test_path ? test_path : train_path, test_path ? &topt : &dopt, 1, &te)) {
        hk_dataset_free(&tr);
        return HK_EXIT_DATA;
    }
    int rc = HK_EXIT_DATA;
    result res[MAX_FEATURES * N_LEARNERS];
    memset(res, 0, sizeof res);
    int nres = 0;
    double feat_s[MAX_FEATURES] = {0};
    size_t dims[MAX_FEATURES] = {0};
    if (!tr.labels || !te.labels) {
        cli_error("study: TRAIN and TEST must be labelled");
        goto done;
    }
    if (tr.width != te.width || tr.height != te.height || tr.n_classes != te.n_classes) {
        cli_error("study: TRAIN and TEST differ in image size or classes");
        goto done;
    }
    uint32_t k = tr.n_classes;
    study *sy = calloc(1, sizeof *sy);
    if (!sy) {
        cli_error("study: out of memory");
        goto done;
    }
    int features_ok = 1;
    for (int fi = 0; fi < nf && features_ok; fi++) {
        recog_resolve_cells(&feats[fi], tr.width, tr.height);
        double t0 = recog_now();
        size_t dim2;
        char what[300];
        snprintf(what, sizeof what, "%s train", fnames[fi]);
        sy->Xtr[fi] = recog_features(&feats[fi], &tr, dopt.threads, &dims[fi], what);
        snprintf(what, sizeof what, "%s test", fnames[fi]);
        sy->Xte[fi] = sy->Xtr[fi] ? recog_features(&feats[fi], &te, dopt.threads, &dim2, what)
                                  : NULL;
        feat_s[fi] = recog_now() - t0;
        sy->dims[fi] = dims[fi];
        features_ok = sy->Xtr[fi] && sy->Xte[fi];
    }
    if (features_ok) {
        for (int fi = 0; fi < nf; fi++)
            for (int li = 0; li < N_LEARNERS; li++)
                if (use[li]) {
                    res[nres].feature = fi;
                    res[nres++].learner = li;
                }
        /* libsvm and liblinear use one core; so pairs run side by side,
         * the threads split between them (no result depends on that) */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        int threads = dopt.threads > 0 ? dopt.threads : (cores > 0 && cores < 1024 ? (int)cores : 1);
        int jobs = n_jobs > 0 ? n_jobs : (threads >= 2 ? 2 : 1);
        if (jobs > threads)
            jobs = threads;
        sy->fopt = fopt;
        sy->fopt.threads = threads / jobs;
        sy->fnames = fnames;
        sy->tr = &tr;
        sy->te = &te;
        sy->res = res;
        sy->n = nres;
        pthread_mutex_init(&sy->lock, NULL);
        run_pairs(sy, jobs);
        pthread_mutex_destroy(&sy->lock);
    }
    for (int fi = 0; fi < nf; fi++) {
        free(sy->Xtr[fi]);
        free(sy->Xte[fi]);
    }
    free(sy);
    if (!features_ok)
        goto done;
    int best = -1;
    for (int i = 0; i < nres; i++)
        if (res[i].ok && (best < 0 || res[i].accuracy > res[best].accuracy))
            best = i;
    char path[4096];
    FILE *md = open_in(out, "table.md", path, sizeof path);
    FILE *js = md ? open_in(out, "report.json", path, sizeof path) : NULL;
    if (!md || !js) {
        cli_error("%s: cannot write the report", path);
        if (md)
            fclose(md);
        goto done;
    }
    FILE *outs[2] = {stdout, md};
    for (int o = 0; o < 2; o++) {
        FILE *f = outs[o];
        fprintf(f, "| features | learner | parameters | cv acc | test acc | macro F1 | train s | "
                   "predict s |\n|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < nres; i++) {
            result *r = &res[i];
            if (!r->ok) {
                fprintf(f, "| %s | %s | failed | | | | | |\n", fnames[r->feature],
                        hk_learner_name((hk_learner_kind)r->learner));
                continue;
            }
            char cvs[32];
            if (isnan(r->cv))
                snprintf(cvs, sizeof cvs, "-");
            else
                snprintf(cvs, sizeof cvs, "%.4f", r->cv);
            fprintf(f, "| %s | %s | %s | %s | %s%.4f%s | %.4f | %.2f | %.2f |\n",
                    fnames[r->feature], hk_learner_name((hk_learner_kind)r->learner), r->params,
                    cvs, i == best ? "**" : "", r->accuracy, i == best ? "**" : "", r->f1,
                    r->train_s, r->predict_s);
        }
        fprintf(f, "\nfeature extraction (train + test):");
        for (int fi = 0; fi < nf; fi++)
            fprintf(f, " %s %zu values %.2f s;", fnames[fi], dims[fi], feat_s[fi]);
        fprintf(f, "\ntrain %u images, test %u images, %u classes\n", tr.count, te.count, k);
    }
    fprintf(js, "{\n  \"train\": ");
    json_string(js, train_path);
    fprintf(js, ",\n  \"test\": ");
    json_string(js, test_path ? test_path : train_path);
    fprintf(js, ",\n  \"train_images\": %u,\n  \"test_images\": %u,\n  \"classes\": [", tr.count,
            te.count);
    for (uint32_t c = 0; c < k; c++) {
        fputs(c ? ", " : "", js);
        json_string(js, tr.class_names[c]);
    }
    fprintf(js, "],\n  \"folds\": %d,\n  \"budget\": %lu,\n  \"features\": [", fopt.folds,
            fopt.budget);
    for (int fi = 0; fi < nf; fi++) {
        fprintf(js, "%s{\"spec\": ", fi ? ", " : "");
        json_string(js, fnames[fi]);
        fprintf(js, ", \"dim\": %zu, \"seconds\": ", dims[fi]);
        json_number(js, feat_s[fi]);
        fputc('}', js);
    }
    fprintf(js, "],\n  \"results\": [\n");
    for (int i = 0; i < nres; i++) {
        result *r = &res[i];
        fprintf(js, "    {\"features\": ");
        json_string(js, fnames[r->feature]);
        fprintf(js, ", \"learner\": \"%s\", \"ok\": %s, \"parameters\": ",
                hk_learner_name((hk_learner_kind)r->learner), r->ok ? "true" : "false");
        json_string(js, r->params);
        fprintf(js, ", \"cv_accuracy\": ");
        json_number(js, r->ok ? r->cv : NAN);
        fprintf(js, ", \"accuracy\": ");
        json_number(js, r->ok ? r->accuracy : NAN);
        fprintf(js, ", \"macro_f1\": ");
        json_number(js, r->ok ? r->f1 : NAN);
        fprintf(js, ", \"train_seconds\": ");
        json_number(js, r->train_s);
        fprintf(js, ", \"predict_seconds\": ");
        json_number(js, r->predict_s);
        fprintf(js, "}%s\n", i + 1 < nres ? "," : "");
    }
    fprintf(js, "  ],\n  \"best\": ");
    if (best >= 0) {
        fprintf(js, "{\"features\": ");
        json_string(js, fnames[res[best].feature]);
        fprintf(js, ", \"learner\": \"%s\", \"confusion\": [",
                hk_learner_name((hk_learner_kind)res[best].learner));
        for (uint32_t t = 0; t < k; t++) {
            fprintf(js, "%s[", t ? ", " : "");
            for (uint32_t p = 0; p < k; p++)
                fprintf(js, "%s%u", p ? ", " : "", res[best].confusion[t * k + p]);
            fputc(']', js);
        }
        fprintf(js, "]}\n}\n");
    } else {
        fprintf(js, "null\n}\n");
    }
    int ok = !ferror(md) && !ferror(js);
    ok = (fclose(md) == 0) && ok;
    ok = (fclose(js) == 0) && ok;
    if (!ok) {
        cli_error("%s: cannot write the report", out);
        goto done;
    }
    if (best >= 0) {
        FILE *ct = open_in(out, "confusion.txt", path, sizeof path);
        if (ct) {
            fprintf(ct, "# rows: true class, columns: predicted (%s x %s)\n",
                    fnames[res[best].feature], hk_learner_name((hk_learner_kind)res[best].learner));
            for (uint32_t t = 0; t < k; t++) {
                fprintf(ct, "%-12s", tr.class_names[t]);
                for (uint32_t p = 0; p < k; p++)
                    fprintf(ct, " %6u", res[best].confusion[t * k + p]);
                fputc('\n', ct);
            }
            fclose(ct);
        }
        snprintf(path, sizeof path, "%s/confusion.png", out);
        hk_status st = confusion_png(path, res[best].confusion, k);
        if (st != HK_OK) {
            cli_error("%s: %s", path, hk_strerror(st));
            goto done;
        }
        printf("best: %s x %s, test accuracy %.4f\n", fnames[res[best].feature],
               hk_learner_name((hk_learner_kind)res[best].learner), res[best].accuracy);
    }
    rc = best >= 0 ? HK_EXIT_OK : HK_EXIT_DATA;
    for (int i = 0; i < nres; i++)
        if (!res[i].ok)
            rc = HK_EXIT_DATA;
done:
    for (int i = 0; i < nres; i++)
        free(res[i].confusion);
    hk_dataset_free(&tr);
    hk_dataset_free(&te);
    return rc;
}
