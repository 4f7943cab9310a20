/* The RBF SVM's PCA projection (src/learn/pca.c, learner param pca): the
 * axes are orthonormal eigenvectors of the data's covariance, computed here
 * directly in double precision, by decreasing eigenvalue; the projected data
 * are centred and uncorrelated. An RBF model with pca < dim classifies
 * blobs, round-trips through a file with identical predictions, and
 * pca >= dim trains exactly the model of pca = 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hogkit.h"
#include "learn/learn_internal.h"

#define N 300
#define D 7
#define K 3

static uint32_t lcg = 777;
static double uni(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) / 16777216.0;
}

/* Correlated columns with clearly different variances. */
static void make_data(float *X, int32_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double a = uni() - 0.5, b = uni() - 0.5, c = uni() - 0.5;
        y[i] = (int32_t)(i % K);
        for (int j = 0; j < D; j++)
            X[i * D + j] = (float)(8 * a * (j + 1) + 3 * b * (j % 3) - 2 * c * (j == 4) +
                                   0.1 * (uni() - 0.5) + 6.0 * (j % K == y[i]) + 1.5);
    }
}

static void test_axes(void)
{
    static float X[N * D], mean[D], comp[D * D];
    static int32_t y[N];
    make_data(X, y, N);
    const size_t k = 4;
    CHECK(hk__pca_fit(X, N, D, k, mean, comp) == HK_OK);
    /* covariance in double, here */
    double mu[D] = {0}, cov[D][D] = {{0}};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++)
            mu[j] += X[i * D + j] / (double)N;
    for (int i = 0; i < N; i++)
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++)
                cov[a][b] += (X[i * D + a] - mu[a]) * (X[i * D + b] - mu[b]) / N;
    for (int j = 0; j < D; j++)
        CHECK_NEAR(mean[j], mu[j], 1e-4 * (1 + fabs(mu[j])));
    double prev = INFINITY, trace = 0;
    for (int j = 0; j < D; j++)
        trace += cov[j][j];
    for (size_t c = 0; c < k; c++) {
        /* lambda = v' C v; C v = lambda v; |v| = 1; orthogonal to the others */
        double lam = 0, norm = 0;
        for (int a = 0; a < D; a++) {
            norm += comp[a * k + c] * comp[a * k + c];
            for (int b = 0; b < D; b++)
                lam += comp[a * k + c] * cov[a][b] * comp[b * k + c];
        }
        CHECK_NEAR(norm, 1.0, 1e-5);
        for (int a = 0; a < D; a++) {
            double cv = 0;
            for (int b = 0; b < D; b++)
                cv += cov[a][b] * comp[b * k + c];
            CHECK_NEAR(cv, lam * comp[a * k + c], 1e-4 * trace);
        }
        CHECK(lam <= prev * (1 + 1e-6));
        prev = lam;
        for (size_t o = 0; o < c; o++) {
            double dot = 0;
            for (int a = 0; a < D; a++)
                dot += comp[a * k + c] * comp[a * k + o];
            CHECK_NEAR(dot, 0.0, 1e-5);
        }
    }
    /* the first axis carries most of the variance of this data */
    double lam0 = 0;
    for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++)
            lam0 += comp[a * k] * cov[a][b] * comp[b * k];
    CHECK(lam0 > 0.5 * trace);
    /* projections: centred, uncorrelated */
    static float Z[N * D];
    CHECK(hk__pca_project(X, N, D, k, mean, comp, Z) == HK_OK);
    for (size_t c = 0; c < k; c++) {
        double m = 0, cross = 0;
        for (int i = 0; i < N; i++) {
            m += Z[i * k + c] / N;
            if (c > 0)
                cross += Z[i * k + c] * Z[i * k] / N;
        }
        CHECK_NEAR(m, 0.0, 1e-3 * sqrt(trace));
        CHECK_NEAR(cross, 0.0, 1e-3 * trace);
    }
    CHECK(hk__pca_fit(X, N, D, D + 1, mean, comp) == HK_ERR_INVALID_ARG);
    CHECK(hk__pca_fit(X, 1, D, 2, mean, comp) == HK_ERR_INVALID_ARG);
    CHECK(hk__pca_project(X, N, D, 0, mean, comp, Z) == HK_ERR_INVALID_ARG);
}

static void test_rbf_with_pca(void)
{
    static float X[N * D], Xt[N * D];
    static int32_t y[N], yt[N], p1[N], p2[N], p3[N];
    make_data(X, y, N);
    make_data(Xt, yt, N);
    hk_learner_params p;
    hk_learner_params_default(&p, HK_LEARNER_SVM_RBF);
    p.threads = 1;
    p.pca = 3;
    hk_model *m = NULL;
    CHECK(hk_model_train(&p, X, N, D, y, K, &m) == HK_OK);
    CHECK(m && hk_model_predict(m, Xt, N, p1) == HK_OK);
    int correct = 0;
    for (int i = 0; i < N; i++)
        correct += p1[i] == yt[i];
    CHECK(correct >= N * 9 / 10);
    char path[64];
    snprintf(path, sizeof path, "test_recog_pca_%ld.hkm", (long)getpid());
    CHECK(hk_model_save(m, path) == HK_OK);
    hk_model *m2 = NULL;
    CHECK(hk_model_load(path, &m2) == HK_OK);
    CHECK(m2 && hk_model_predict(m2, Xt, N, p2) == HK_OK);
    CHECK(memcmp(p1, p2, sizeof p1) == 0);
    hk_model_free(m);
    hk_model_free(m2);
    remove(path);

    /* pca >= dim: no projection, the plain model */
    p.pca = D;
    CHECK(hk_model_train(&p, X, N, D, y, K, &m) == HK_OK);
    CHECK(m && hk_model_predict(m, Xt, N, p2) == HK_OK);
    hk_model_free(m);
    p.pca = 0;
    CHECK(hk_model_train(&p, X, N, D, y, K, &m) == HK_OK);
    CHECK(m && hk_model_predict(m, Xt, N, p3) == HK_OK);
    hk_model_free(m);
    CHECK(memcmp(p2, p3, sizeof p2) == 0);
    p.pca = -1;
    CHECK(hk_model_train(&p, X, N, D, y, K, &m) == HK_ERR_INVALID_ARG);
}

int main(void)
{
    test_axes();
    test_rbf_with_pca();
    return check_report("test_recog_pca");
}
