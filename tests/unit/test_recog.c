/* Recognition library: each learner on separable synthetic data, model files
 * round-trip with identical predictions, damaged files are refused, and the
 * feature / dataset entry points reject bad arguments. (Agreement with the
 * references is tested in tests/python: LBP/Gabor vs skimage, datasets and
 * deskew vs cv2, KNN vs numpy.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "check.h"
#include "hogkit.h"

#define N 240
#define DIM 6
#define K 3

/* Per-process file names: the plain and the sanitizer build of this test
 * may run at the same time in the same folder. */
static const char *tmp_name(char *buf, size_t cap, const char *what)
{
    snprintf(buf, cap, "test_recog_%ld_%s", (long)getpid(), what);
    return buf;
}

/* Three Gaussian-ish blobs from a fixed LCG (no typed expected numbers). */
static uint32_t lcg = 12345;
static double uni(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) / 16777216.0;
}

static void make_blobs(float *X, int32_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int32_t)(i % K);
        for (int j = 0; j < DIM; j++) {
            double noise = uni() + uni() + uni() - 1.5;
            X[i * DIM + j] = (float)((j % K == y[i] ? 4.0 : 0.0) + noise + 10.0 * (j == 5));
        }
    }
}

static void test_learners(void)
{
    static float X[N * DIM], Xt[N * DIM];
    static int32_t y[N], yt[N], p1[N], p2[N];
    make_blobs(X, y, N);
    make_blobs(Xt, yt, N);
    char name[64];
    const char *path = tmp_name(name, sizeof name, "model.hkm");
    for (int k = HK_LEARNER_SVM_LINEAR; k <= HK_LEARNER_GBDT; k++) {
        hk_learner_params p;
        hk_learner_params_default(&p, (hk_learner_kind)k);
        p.trees = 20;
        p.threads = 1;
        hk_model *m = NULL;
        CHECK(hk_model_train(&p, X, N, DIM, y, K, &m) == HK_OK);
        if (!m)
            continue;
        CHECK(hk_model_predict(m, Xt, N, p1) == HK_OK);
        int correct = 0;
        for (int i = 0; i < N; i++)
            correct += p1[i] == yt[i];
        if (correct < N * 95 / 100)
            fprintf(stderr, "%s: %d/%d\n", hk_learner_name((hk_learner_kind)k), correct, N);
        CHECK(correct >= N * 95 / 100);

        /* a pipeline is needed only to classify images; save works without */
        CHECK(hk_model_save(m, path) == HK_OK);
        hk_model *m2 = NULL;
        CHECK(hk_model_load(path, &m2) == HK_OK);
        if (m2) {
            CHECK(hk_model_predict(m2, Xt, N, p2) == HK_OK);
            CHECK(memcmp(p1, p2, sizeof p1) == 0);
            hk_learner_params back;
            uint32_t nc = 0;
            CHECK(hk_model_pipeline(m2, NULL, NULL, NULL, &nc, &back) == HK_ERR_INVALID_ARG);
            CHECK(nc == K && back.kind == (hk_learner_kind)k);
        }
        hk_model_free(m2);

        /* the cross-validation of a good learner is good too */
        double acc = 0;
        CHECK(hk_cross_validate(&p, X, N, DIM, y, K, 3, 1, &acc) == HK_OK);
        CHECK(acc >= 0.9);
        hk_model_free(m);
    }
    remove(path);
}

static void test_bad_training_input(void)
{
    float X[8 * 2] = {0};
    int32_t y[8] = {0, 1, 0, 1, 0, 1, 0, 3};
    hk_learner_params p;
    hk_learner_params_default(&p, HK_LEARNER_SVM_LINEAR);
    hk_model *m = NULL;
    CHECK(hk_model_train(&p, X, 8, 2, y, 2, &m) == HK_ERR_INVALID_ARG); /* label 3 */
    CHECK(m == NULL);
    y[7] = 1;
    X[3] = NAN;
    CHECK(hk_model_train(&p, X, 8, 2, y, 2, &m) == HK_ERR_NONFINITE);
    X[3] = 0;
    p.C = -1;
    CHECK(hk_model_train(&p, X, 8, 2, y, 2, &m) == HK_ERR_INVALID_ARG);
    hk_learner_params_default(&p, HK_LEARNER_KNN);
    p.k = 9; /* more neighbours than rows */
    CHECK(hk_model_train(&p, X, 8, 2, y, 2, &m) == HK_ERR_INVALID_ARG);
    CHECK(hk_model_load("/nonexistent/model.hkm", &m) == HK_ERR_IO);
}

static void write_file(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        if (n)
            fwrite(d, 1, n, f);
        fclose(f);
    }
}

static void test_damaged_models(void)
{
    float X[60 * 2];
    int32_t y[60];
    for (int i = 0; i < 60; i++) {
        y[i] = i % 2;
        X[2 * i] = (float)(y[i] * 3 + (i % 7) * 0.1);
        X[2 * i + 1] = (float)(i % 5);
    }
    hk_learner_params p;
    hk_learner_params_default(&p, HK_LEARNER_SVM_RBF);
    hk_model *m = NULL;
    CHECK(hk_model_train(&p, X, 60, 2, y, 2, &m) == HK_OK);
    char name[64];
    const char *path = tmp_name(name, sizeof name, "damaged.hkm");
    CHECK(hk_model_save(m, path) == HK_OK);
    hk_model_free(m);
    FILE *f = fopen(path, "rb");
    static unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 100 && n < sizeof buf);
    /* every single-bit flip anywhere is refused (magic, version, size, CRC) */
    int refused = 0, tried = 0;
    for (size_t i = 0; i < n; i += n / 97 + 1) {
        buf[i] ^= 0x10;
        write_file(path, buf, n);
        hk_model *d = NULL;
        hk_status st = hk_model_load(path, &d);
        refused += st != HK_OK && d == NULL;
        tried++;
        hk_model_free(d);
        buf[i] ^= 0x10;
    }
    CHECK(refused == tried);
    for (size_t cut = 0; cut < n; cut += n / 13 + 1) {
        write_file(path, buf, cut);
        hk_model *d = NULL;
        hk_status st = hk_model_load(path, &d);
        CHECK(st == (cut < 8 ? HK_ERR_FORMAT : HK_ERR_TRUNCATED));
        CHECK(d == NULL);
    }
    remove(path);
}

static void test_features_api(void)
{
    hk_lbp_params lp;
    hk_lbp_params_default(&lp);
    size_t bins = 0;
    CHECK(hk_lbp_bins(&lp, &bins) == HK_OK && bins == (size_t)lp.points + 2);
    lp.method = HK_LBP_NRI_UNIFORM;
    CHECK(hk_lbp_bins(&lp, &bins) == HK_OK && bins == (size_t)(8 * 7 + 3));
    lp.points = 0;
    CHECK(hk_lbp_params_check(&lp) == HK_ERR_INVALID_ARG);
    lp.points = 8;
    lp.radius = NAN;
    CHECK(hk_lbp_params_check(&lp) == HK_ERR_INVALID_ARG);

    hk_gabor_params gp;
    hk_gabor_params_default(&gp);
    hk_shape s;
    CHECK(hk_gabor_shape(&gp, 28, 28, &s) == HK_OK);
    CHECK(s.ndim == 4 && s.dims[0] == 3 && s.dims[2] == 8 && s.dims[3] == 2);
    gp.frequencies[0] = 1e-9; /* kernel far too large */
    CHECK(hk_gabor_params_check(&gp) == HK_ERR_LIMIT);
    uint32_t r, c;
    CHECK(hk_gabor_kernel_size(0.25, 0, 1, 3, &r, &c) == HK_OK && r == c && r % 2 == 1);
    CHECK(hk_gabor_kernel_size(-1, 0, 1, 3, &r, &c) == HK_ERR_INVALID_ARG);

    /* a colour image is refused by the grey-only features */
    uint8_t px[4 * 4 * 3] = {0};
    hk_image im = {4, 4, 3, HK_U8, 12, px};
    double codes[16];
    hk_lbp_params_default(&lp);
    CHECK(hk_lbp_codes(&lp, &im, codes, 16) == HK_ERR_INVALID_ARG);
    im.channels = 1;
    im.stride = 4;
    CHECK(hk_lbp_codes(&lp, &im, codes, 15) == HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_lbp_codes(&lp, &im, codes, 16) == HK_OK);
    float fim[16];
    for (int i = 0; i < 16; i++)
        fim[i] = i == 5 ? INFINITY : (float)i;
    hk_image fi = {4, 4, 1, HK_F32, 16, fim};
    CHECK(hk_lbp_codes(&lp, &fi, codes, 16) == HK_ERR_NONFINITE);

    hk_feature_params fp;
    hk_feature_params_default(&fp, HK_FEATURE_HOG);
    size_t dim;
    CHECK(hk_features_dim(&fp, 4, 4, &dim) == HK_ERR_TOO_SMALL);
    CHECK(hk_features_dim(&fp, 64, 64, &dim) == HK_OK && dim > 0);
}

static void test_permutation_and_deskew(void)
{
    uint32_t perm[1000];
    int seen[1000] = {0};
    CHECK(hk_numpy_permutation(321, 1000, perm) == HK_OK);
    int ok = 1, moved = 0;
    for (int i = 0; i < 1000; i++) {
        ok &= perm[i] < 1000 && !seen[perm[i]];
        if (perm[i] < 1000)
            seen[perm[i]] = 1;
        moved += perm[i] != (uint32_t)i;
    }
    CHECK(ok && moved > 900);
    /* an upright image is left as it is; an empty one too */
    uint8_t src[20 * 20] = {0}, dst[20 * 20];
    for (int y = 3; y < 17; y++)
        src[y * 20 + 9] = src[y * 20 + 10] = 200;
    CHECK(hk_deskew_u8(src, 20, 20, dst) == HK_OK);
    CHECK(memcmp(src, dst, sizeof src) == 0);
    memset(src, 0, sizeof src);
    CHECK(hk_deskew_u8(src, 20, 20, dst) == HK_OK && memcmp(src, dst, sizeof src) == 0);
    CHECK(hk_deskew_u8(NULL, 20, 20, dst) == HK_ERR_INVALID_ARG);
}

static void test_dataset_errors(void)
{
    hk_dataset ds;
    CHECK(hk_dataset_load("/nonexistent/path", NULL, NULL, &ds) == HK_ERR_IO);
    CHECK(ds.count == 0 && ds.pixels == NULL);
    /* IDX with a header beyond the caller's limits is refused before allocating */
    unsigned char head[16] = {0, 0, 8, 3, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 1, 0};
    char name[64];
    tmp_name(name, sizeof name, "x-images-idx3-ubyte");
    write_file(name, head, sizeof head);
    hk_limits lim;
    hk_limits_default(&lim);
    lim.max_file_bytes = 1 << 20;
    CHECK(hk_dataset_load_idx(name, NULL, &lim, &ds) == HK_ERR_LIMIT);
    remove(name);
    hk_dataset_free(&ds);
    hk_dataset_free(NULL);
}

int main(void)
{
    test_learners();
    test_bad_training_input();
    test_damaged_models();
    test_features_api();
    test_permutation_and_deskew();
    test_dataset_errors();
    return check_report("test_recog");
}
