/* The RBF SVM's threaded one-versus-one training (src/learn/rbf_ovo.c) must
 * build, bit for bit, the model of libsvm's own multi-class svm_train:
 * same classes in the same order, same support vectors, same coefficients
 * and rho, for any thread count; and its matrix-product prediction
 * (rbf_decide.c) must give svm_predict's labels. libsvm runs here. */
#include <libsvm/svm.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "learn/rbf_ovo.h"

#define N 360
#define NT 400
#define D 6
#define K 4

static uint32_t lcg = 4242;
static double uni(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) / 16777216.0;
}

/* Overlapping blobs (many support vectors, some bounded), labels not in
 * sorted order of first appearance, one feature often exactly zero. */
static void make_data(float *X, int32_t *y, size_t n)
{
    static const int32_t order[K] = {2, 0, 3, 1};
    for (size_t i = 0; i < n; i++) {
        int32_t c = order[(i * 7 + i / 5) % K];
        y[i] = c;
        for (int j = 0; j < D; j++)
            X[i * D + j] = (float)((j == 5 && uni() < 0.5) ? 0.0
                                   : 1.4 * (uni() - 0.5) + 0.6 * (j % K == c) + 0.2 * c);
    }
}

static void quiet(const char *s)
{
    (void)s;
}

static struct svm_model *libsvm_train(struct svm_node **rows, const int32_t *y, size_t n,
                                      double gamma, double C, double *yy)
{
    for (size_t i = 0; i < n; i++)
        yy[i] = y[i];
    struct svm_problem prob = {.l = (int)n, .y = yy, .x = rows};
    struct svm_parameter param;
    memset(&param, 0, sizeof param);
    param.svm_type = C_SVC;
    param.kernel_type = RBF;
    param.gamma = gamma;
    param.C = C;
    param.cache_size = 10;
    param.eps = 1e-3;
    param.shrinking = 1;
    svm_set_print_string_function(quiet);
    return svm_train(&prob, &param);
}

static void compare(const hk__rbf_model *m, const struct svm_model *ref, struct svm_node **rows)
{
    CHECK(m->k == ref->nr_class);
    CHECK(m->l == ref->l);
    if (m->k != ref->nr_class || m->l != ref->l)
        return;
    int k = m->k, l = m->l, same = 1;
    for (int c = 0; c < k; c++)
        same &= m->label[c] == ref->label[c] && m->nSV[c] == ref->nSV[c];
    CHECK(same);
    same = 1;
    for (int p = 0; p < k * (k - 1) / 2; p++)
        same &= memcmp(&m->rho[p], &ref->rho[p], sizeof(double)) == 0;
    CHECK(same);
    same = 1;
    for (int c = 0; c + 1 < k; c++)
        for (int t = 0; t < l; t++)
            same &= memcmp(&m->coef[(size_t)c * l + t], &ref->sv_coef[c][t], sizeof(double)) == 0;
    CHECK(same);
    same = 1;
    for (int t = 0; t < l; t++)
        same &= rows[m->sv_row[t]] == ref->SV[t];
    CHECK(same);
}

int main(void)
{
    float *X = malloc(N * D * sizeof(float)), *T = malloc(NT * D * sizeof(float));
    int32_t *y = malloc(N * sizeof(int32_t)), *yt = malloc(NT * sizeof(int32_t));
    int32_t *pred = malloc(NT * sizeof(int32_t));
    double *yy = malloc(N * sizeof(double));
    make_data(X, y, N);
    make_data(T, yt, NT);
    hk__sparse sp, sq;
    CHECK(hk__sparse_build(X, N, D, -1.0, &sp) == HK_OK);
    CHECK(hk__sparse_build(T, NT, D, -1.0, &sq) == HK_OK);
    const double gammas[] = {0.3, 2.0}, Cs[] = {1.0, 50.0};
    for (int g = 0; g < 2; g++) {
        struct svm_model *ref = libsvm_train((struct svm_node **)sp.rows, y, N, gammas[g], Cs[g], yy);
        CHECK(ref != NULL);
        if (!ref)
            continue;
        CHECK(ref->l > K && ref->l < N); /* a real problem: some rows are not SVs */
        for (int threads = 1; threads <= 3; threads++) {
            hk__rbf_model m;
            CHECK(hk__rbf_ovo_train(sp.rows, y, N, gammas[g], Cs[g], threads, &m) == HK_OK);
            compare(&m, ref, (struct svm_node **)sp.rows);
            if (threads != 2) {
                hk__rbf_model_free(&m);
                continue;
            }
            float *sv = malloc((size_t)m.l * D * sizeof(float));
            for (int t = 0; t < m.l; t++)
                memcpy(sv + (size_t)t * D, X + m.sv_row[t] * D, D * sizeof(float));
            CHECK(hk__rbf_decide(&m, sv, gammas[g], T, NT, D, pred) == HK_OK);
            int agree = 0, correct = 0;
            for (int i = 0; i < NT; i++) {
                agree += pred[i] == (int32_t)svm_predict(ref, (struct svm_node *)sq.rows[i]);
                correct += pred[i] == yt[i];
            }
            CHECK(agree == NT);
            CHECK(correct > NT / 2);
            printf("gamma %g C %g: %d SVs, %d/%d test rows right, %d agree with svm_predict\n",
                   gammas[g], Cs[g], m.l, correct, NT, agree);
            free(sv);
            hk__rbf_model_free(&m);
        }
        svm_free_and_destroy_model(&ref);
    }
    /* one class, or hostile arguments: refused, nothing allocated */
    hk__rbf_model m;
    int32_t one[N];
    for (int i = 0; i < N; i++)
        one[i] = 5;
    CHECK(hk__rbf_ovo_train(sp.rows, one, N, 0.5, 1.0, 2, &m) == HK_ERR_INVALID_ARG);
    CHECK(m.label == NULL && m.coef == NULL);
    CHECK(hk__rbf_ovo_train(sp.rows, y, N, -1.0, 1.0, 2, &m) == HK_ERR_INVALID_ARG);
    CHECK(hk__rbf_ovo_train(sp.rows, y, N, 0.5, 0.0 / 0.0, 2, &m) == HK_ERR_INVALID_ARG);
    hk__sparse_free(&sp);
    hk__sparse_free(&sq);
    free(X);
    free(T);
    free(y);
    free(yt);
    free(pred);
    free(yy);
    return check_report("test_rbf_ovo");
}
