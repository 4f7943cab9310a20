/* One-versus-one C-SVC on threads. libsvm's svm_train solves the
 * k(k-1)/2 binary problems of a multi-class set one after the other on one
 * core; they are independent, so each pair here is its own task calling
 * svm_train on a two-class problem built exactly as svm_train builds it
 * internally: class i's rows (+1) then class j's (-1), each in data order.
 * For such a problem svm_train keeps that order (+1 appears first, so no
 * label swap) and runs the same solver, so every pair's coefficients and
 * rho are the ones the multi-class call computes; assemble() then groups
 * them the way svm_train does. svm_train keeps no state between calls
 * (its print hook is set once, before the threads start). */
#include <libsvm/svm.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"
#include "learn/rbf_ovo.h"

/* Total kernel cache of all threads; libsvm's default is 100 MB per
 * problem, far below the ~600 MB a 12,000-row pair of Fashion-MNIST needs. */
#define HK_RBF_CACHE_MB 2000.0

typedef struct pair_job {
    double *alpha;  /* [ci + cj], y_t * alpha_t as svm_train's f[p].alpha */
    double rho;
    hk_status st;
} pair_job;

typedef struct ovo {
    hk__node *const *rows;
    const size_t *perm;   /* rows grouped by class, data order within */
    const size_t *start, *count;
    const int *pi, *pj;   /* classes of pair p */
    struct svm_parameter param;
    pair_job *jobs;
} ovo;

static void quiet(const char *s)
{
    (void)s;
}

static void solve_pair(void *arg, size_t p, int worker)
{
    (void)worker;
    ovo *o = arg;
    pair_job *job = &o->jobs[p];
    size_t i = (size_t)o->pi[p], j = (size_t)o->pj[p];
    size_t ci = o->count[i], m = ci + o->count[j];
    struct svm_node **x = malloc(m * sizeof *x);
    double *yy = malloc(m * sizeof *yy);
    job->alpha = calloc(m, sizeof(double));
    job->st = (!x || !yy || !job->alpha) ? HK_ERR_NOMEM : HK_OK;
    for (size_t t = 0; job->st == HK_OK && t < m; t++) {
        size_t g = t < ci ? o->start[i] + t : o->start[j] + (t - ci);
        x[t] = (struct svm_node *)o->rows[o->perm[g]];
        yy[t] = t < ci ? 1.0 : -1.0;
        job->alpha[t] = 0.0 * yy[t]; /* libsvm's y * alpha of a non-vector: -0 on the -1 side */
    }
    struct svm_model *model = NULL;
    if (job->st == HK_OK) {
        struct svm_problem prob = {.l = (int)m, .y = yy, .x = x};
        model = svm_train(&prob, &o->param);
        if (!model)
            job->st = HK_ERR_NOMEM;
        else if (model->nr_class != 2 || model->label[0] != 1 || !model->sv_indices)
            job->st = HK_ERR_FORMAT; /* not the problem posed: never seen */
    }
    if (job->st == HK_OK) {
        for (int t = 0; t < model->l; t++) {
            int at = model->sv_indices[t] - 1;
            if (at >= 0 && (size_t)at < m)
                job->alpha[at] = model->sv_coef[0][t];
        }
        job->rho = model->rho[0];
    }
    svm_free_and_destroy_model(&model);
    free(x);
    free(yy);
}

/* Classes by first appearance and the rows grouped by class (stable), as
 * libsvm's svm_group_classes. */
static hk_status group(const int32_t *y, size_t n, int **label_out, int *k_out, size_t **start,
                       size_t **count, size_t **perm)
{
    int *label = malloc(n * sizeof(int));
    size_t *cnt = calloc(n, sizeof(size_t)), *st = malloc(n * sizeof(size_t));
    size_t *idx = malloc(n * sizeof(size_t)), *pos = malloc(n * sizeof(size_t));
    *perm = malloc(n * sizeof(size_t));
    if (!label || !cnt || !st || !idx || !pos || !*perm) {
        free(label);
        free(cnt);
        free(st);
        free(idx);
        free(pos);
        free(*perm);
        *perm = NULL;
        return HK_ERR_NOMEM;
    }
    int k = 0;
    for (size_t r = 0; r < n; r++) {
        int c = 0;
        while (c < k && label[c] != y[r])
            c++;
        if (c == k)
            label[k++] = y[r];
        idx[r] = (size_t)c;
        cnt[c]++;
    }
    st[0] = 0;
    for (int c = 1; c < k; c++)
        st[c] = st[c - 1] + cnt[c - 1];
    memcpy(pos, st, (size_t)k * sizeof(size_t));
    for (size_t r = 0; r < n; r++)
        (*perm)[pos[idx[r]]++] = r;
    free(idx);
    free(pos);
    *label_out = label;
    *k_out = k;
    *start = st;
    *count = cnt;
    return HK_OK;
}

/* svm_train's assembly: a row is a support vector if any of its pairs gave
 * it a non-zero coefficient; sv_coef[j-1] holds class i's side of pair
 * (i, j) and sv_coef[i] class j's side. */
static hk_status assemble(const ovo *o, const int *label, int k, size_t n, hk__rbf_model *out)
{
    unsigned char *nonzero = calloc(n ? n : 1, 1);
    size_t *nz_start = malloc((size_t)k * sizeof(size_t));
    out->label = malloc((size_t)k * sizeof(int));
    out->nSV = calloc((size_t)k, sizeof(int));
    out->rho = malloc((size_t)k * (size_t)(k - 1) / 2 * sizeof(double));
    if (!nonzero || !nz_start || !out->label || !out->nSV || !out->rho) {
        free(nonzero);
        free(nz_start);
        return HK_ERR_NOMEM;
    }
    size_t p = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, p++) {
            size_t ci = o->count[i], cj = o->count[j];
            for (size_t t = 0; t < ci; t++)
                nonzero[o->start[i] + t] |= fabs(o->jobs[p].alpha[t]) > 0;
            for (size_t t = 0; t < cj; t++)
                nonzero[o->start[j] + t] |= fabs(o->jobs[p].alpha[ci + t]) > 0;
            out->rho[p] = o->jobs[p].rho;
        }
    size_t l = 0;
    for (int c = 0; c < k; c++) {
        nz_start[c] = l;
        for (size_t t = 0; t < o->count[c]; t++)
            out->nSV[c] += nonzero[o->start[c] + t];
        l += (size_t)out->nSV[c];
    }
    memcpy(out->label, label, (size_t)k * sizeof(int));
    out->k = k;
    out->l = (int)l;
    out->coef = calloc((size_t)(k - 1) * (l ? l : 1), sizeof(double));
    out->sv_row = malloc((l ? l : 1) * sizeof(size_t));
    hk_status st = (!out->coef || !out->sv_row) ? HK_ERR_NOMEM : HK_OK;
    for (size_t g = 0, q = 0; st == HK_OK && g < n; g++)
        if (nonzero[g])
            out->sv_row[q++] = o->perm[g];
    p = 0;
    for (int i = 0; st == HK_OK && i < k; i++)
        for (int j = i + 1; j < k; j++, p++) {
            size_t ci = o->count[i], cj = o->count[j], q = nz_start[i];
            for (size_t t = 0; t < ci; t++)
                if (nonzero[o->start[i] + t])
                    out->coef[(size_t)(j - 1) * l + q++] = o->jobs[p].alpha[t];
            q = nz_start[j];
            for (size_t t = 0; t < cj; t++)
                if (nonzero[o->start[j] + t])
                    out->coef[(size_t)i * l + q++] = o->jobs[p].alpha[ci + t];
        }
    free(nonzero);
    free(nz_start);
    return st;
}

hk_status hk__rbf_ovo_train(hk__node *const *rows, const int32_t *y, size_t n, double gamma,
                            double C, int threads, hk__rbf_model *out)
{
    memset(out, 0, sizeof *out);
    if (!rows || !y || n < 2 || n > INT32_MAX || !(gamma > 0) || !(C > 0))
        return HK_ERR_INVALID_ARG;
    int *label = NULL, k = 0;
    size_t *start = NULL, *count = NULL, *perm = NULL;
    hk_status st = group(y, n, &label, &k, &start, &count, &perm);
    if (st != HK_OK)
        return st;
    size_t pairs = (size_t)k * (size_t)(k - 1) / 2;
    int *pi = malloc((pairs ? pairs : 1) * sizeof(int)), *pj = malloc((pairs ? pairs : 1) * sizeof(int));
    pair_job *jobs = calloc(pairs ? pairs : 1, sizeof(pair_job));
    if (k < 2)
        st = HK_ERR_INVALID_ARG; /* one class: nothing to separate */
    else if (!pi || !pj || !jobs)
        st = HK_ERR_NOMEM;
    if (st == HK_OK) {
        size_t p = 0;
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++, p++) {
                pi[p] = i;
                pj[p] = j;
            }
        int nt = hk_threads_resolve(threads);
        if ((size_t)nt > pairs)
            nt = (int)pairs;
        ovo o = {.rows = rows, .perm = perm, .start = start, .count = count, .pi = pi, .pj = pj,
                 .jobs = jobs};
        o.param.svm_type = C_SVC;
        o.param.kernel_type = RBF;
        o.param.gamma = gamma;
        o.param.C = C;
        o.param.cache_size = HK_RBF_CACHE_MB / nt;
        o.param.eps = 1e-3;
        o.param.shrinking = 1;
        /* libsvm prints through a library-wide hook; silence it before any
         * thread trains (every caller sets the same value). */
        svm_set_print_string_function(quiet);
        hk_parallel_run(nt, pairs, solve_pair, &o);
        for (size_t p2 = 0; p2 < pairs && st == HK_OK; p2++)
            st = jobs[p2].st;
        if (st == HK_OK)
            st = assemble(&o, label, k, n, out);
    }
    for (size_t p = 0; jobs && p < pairs; p++)
        free(jobs[p].alpha);
    free(jobs);
    free(pi);
    free(pj);
    free(label);
    free(start);
    free(count);
    free(perm);
    if (st != HK_OK)
        hk__rbf_model_free(out);
    return st;
}

void hk__rbf_model_free(hk__rbf_model *m)
{
    free(m->label);
    free(m->nSV);
    free(m->rho);
    free(m->coef);
    free(m->sv_row);
    memset(m, 0, sizeof *m);
}
