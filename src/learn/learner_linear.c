/* Linear SVM through liblinear: L2-regularised squared-hinge loss solved in
 * the dual (L2R_L2LOSS_SVC_DUAL, the solver of sklearn's LinearSVC), one
 * versus rest, with a bias feature of 1 (LinearSVC's intercept_scaling).
 * The blob keeps liblinear's own weights; prediction rebuilds a struct model
 * around them and calls liblinear's predict. */
#include <linear.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"
#include "learn/sparse.h"

static void quiet(const char *s)
{
    (void)s;
}

/* liblinear's dual coordinate descent visits rows in an order drawn with
 * the C library's rand(), whose state is the process's. A model would then
 * depend on every rand() call before it, and, with fits on several threads
 * (hogkit study --jobs), on how their draws interleave. So each fit starts
 * from srand(1), the state of a fresh process (a `hogkit train` model equals
 * the study's), and fits take turns. This lock is the library's one piece of
 * process-wide state, forced by liblinear's; nothing else in hogkit or its
 * learners calls rand() (libsvm's C-SVC and XGBoost do not). */
static pthread_mutex_t liblinear_rand_lock = PTHREAD_MUTEX_INITIALIZER;

static struct model *train_seeded(const struct problem *prob, const struct parameter *param)
{
    pthread_mutex_lock(&liblinear_rand_lock);
    srand(1);
    struct model *m = train(prob, param);
    pthread_mutex_unlock(&liblinear_rand_lock);
    return m;
}

hk_status hk__linear_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                           const int32_t *y, uint32_t n_classes, hk__blob *out)
{
    if (n > INT32_MAX || dim >= INT32_MAX)
        return HK_ERR_LIMIT;
    hk__sparse sp;
    hk_status st = hk__sparse_build(X, n, dim, 1.0, &sp);
    if (st != HK_OK)
        return st;
    double *yy = malloc((n ? n : 1) * sizeof(double));
    if (!yy) {
        hk__sparse_free(&sp);
        return HK_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        yy[i] = y[i];
    struct problem prob = {.l = (int)n, .n = (int)dim + 1, .y = yy,
                           .x = (struct feature_node **)sp.rows, .bias = 1.0};
    struct parameter param;
    memset(&param, 0, sizeof param);
    param.solver_type = L2R_L2LOSS_SVC_DUAL;
    param.eps = 0.1;
    param.C = p->C;
    /* liblinear reports progress through a library-wide callback; silence it. */
    set_print_string_function(quiet);
    struct model *m = NULL;
    if (check_parameter(&prob, &param))
        st = HK_ERR_INVALID_ARG;
    else if (!(m = train_seeded(&prob, &param)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK) {
        int nr_w = m->nr_class == 2 ? 1 : m->nr_class;
        hk__wbuf w = {0};
        hk__w_u32(&w, (uint32_t)m->nr_class);
        hk__w_u32(&w, (uint32_t)m->nr_feature);
        hk__w_f64(&w, m->bias);
        for (int c = 0; c < m->nr_class; c++)
            hk__w_u32(&w, (uint32_t)m->label[c]);
        size_t nw = (size_t)(m->nr_feature + 1) * (size_t)nr_w;
        for (size_t i = 0; i < nw; i++)
            hk__w_f64(&w, m->w[i]);
        if (w.failed) {
            free(w.data);
            st = HK_ERR_NOMEM;
        } else {
            out->data = w.data;
            out->size = w.size;
        }
        free_and_destroy_model(&m);
    }
    (void)n_classes;
    free(yy);
    hk__sparse_free(&sp);
    return st;
}

hk_status hk__linear_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                             int32_t *out)
{
    hk__rbuf r = {.data = b->data, .size = b->size};
    struct model m;
    memset(&m, 0, sizeof m);
    m.param.solver_type = L2R_L2LOSS_SVC_DUAL;
    uint32_t nr_class = hk__r_u32(&r), nr_feature = hk__r_u32(&r);
    m.bias = hk__r_f64(&r);
    if (r.failed || nr_class < 1 || nr_class > 65536 || nr_feature != dim ||
        (size_t)nr_class * 4 > b->size)
        return HK_ERR_FORMAT;
    m.nr_class = (int)nr_class;
    m.nr_feature = (int)nr_feature;
    size_t nr_w = nr_class == 2 ? 1 : nr_class, nw;
    if (!hk_mul_size(nr_feature + (size_t)1, nr_w, &nw) || nw > b->size / 8)
        return HK_ERR_FORMAT;
    m.label = malloc(nr_class * sizeof(int));
    m.w = malloc(nw * sizeof(double));
    hk__sparse sp = {0};
    hk_status st = (!m.label || !m.w) ? HK_ERR_NOMEM : HK_OK;
    for (uint32_t c = 0; st == HK_OK && c < nr_class; c++)
        m.label[c] = (int)hk__r_u32(&r);
    for (size_t i = 0; st == HK_OK && i < nw; i++)
        m.w[i] = hk__r_f64(&r);
    if (st == HK_OK && r.failed)
        st = HK_ERR_FORMAT;
    if (st == HK_OK)
        st = hk__sparse_build(X, n, dim, m.bias, &sp);
    for (size_t i = 0; st == HK_OK && i < n; i++)
        out[i] = (int32_t)predict(&m, (const struct feature_node *)sp.rows[i]);
    hk__sparse_free(&sp);
    free(m.label);
    free(m.w);
    return st;
}
