/* Internal helpers of the recognition pipeline (datasets, learners, models). */
#ifndef HK_LEARN_INTERNAL_H
#define HK_LEARN_INTERNAL_H

#include <stdint.h>

#include "hogkit.h"

/* The most images one dataset may hold; far above MNIST's 70,000. */
#define HK_DATASET_MAX_COUNT (1u << 26)

/* Allocates an empty dataset of count images of width x height with labels
 * and n_classes decimal class names ("0", "1", ...). */
hk_status hk__dataset_alloc(hk_dataset *ds, uint32_t count, uint32_t width, uint32_t height,
                            uint32_t n_classes, int labelled);

/* Sets n_classes from the labels (max + 1) and names them in decimal. */
hk_status hk__dataset_name_classes(hk_dataset *ds);

/* The trained part of a model, one per learner kind (learner_*.c). */
typedef struct hk__blob {
    uint8_t *data;
    size_t size;
} hk__blob;

/* Per learner: train on standardised (or raw) rows, serialise to a blob,
 * predict from a blob. Each returns an hk_status. */
hk_status hk__linear_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                           const int32_t *y, uint32_t n_classes, hk__blob *out);
hk_status hk__linear_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                             int32_t *out);
hk_status hk__rbf_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                        const int32_t *y, uint32_t n_classes, hk__blob *out);
hk_status hk__rbf_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                          int32_t *out);
hk_status hk__knn_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                        const int32_t *y, uint32_t n_classes, hk__blob *out);
hk_status hk__knn_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                          int32_t *out);
hk_status hk__xgb_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                        const int32_t *y, uint32_t n_classes, hk__blob *out);
hk_status hk__xgb_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                          int32_t *out);

/* PCA (pca.c): mean[dim] and the top k principal axes comp[dim * k]
 * (row j holds coordinate j of each axis, axes by decreasing variance);
 * project writes out[n * k] = (X - mean) comp. */
hk_status hk__pca_fit(const float *X, size_t n, size_t dim, size_t k, float *mean, float *comp);
hk_status hk__pca_project(const float *X, size_t n, size_t dim, size_t k, const float *mean,
                          const float *comp, float *out);

/* Little-endian byte writer/reader for blobs and model files. */
typedef struct hk__wbuf {
    uint8_t *data;
    size_t size, cap;
    int failed;
} hk__wbuf;
void hk__w_bytes(hk__wbuf *w, const void *p, size_t n);
void hk__w_u32(hk__wbuf *w, uint32_t v);
void hk__w_u64(hk__wbuf *w, uint64_t v);
void hk__w_f64(hk__wbuf *w, double v);

typedef struct hk__rbuf {
    const uint8_t *data;
    size_t size, pos;
    int failed;
} hk__rbuf;
const uint8_t *hk__r_bytes(hk__rbuf *r, size_t n);
uint32_t hk__r_u32(hk__rbuf *r);
uint64_t hk__r_u64(hk__rbuf *r);
double hk__r_f64(hk__rbuf *r);

/* The optional PCA step in front of a learner (pca_stage.c). Training
 * writes u32 k [+ mean, axes] to the blob, then calls fit on the rows
 * projected onto k = p->pca axes (row_len k), or on X itself (row_len dim)
 * when no projection applies; dim is always the original length. Prediction
 * reads that prefix, projects the same way and calls predict with the
 * reader positioned on the learner's own part. */
typedef hk_status (*hk__fit_rows)(const hk_learner_params *p, const float *X, size_t n,
                                  size_t row_len, size_t dim, const int32_t *y,
                                  uint32_t n_classes, hk__wbuf *w);
typedef hk_status (*hk__predict_rows)(hk__rbuf r, const float *X, size_t n, size_t row_len,
                                      int32_t *out);
hk_status hk__train_with_pca(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                             const int32_t *y, uint32_t n_classes, hk__fit_rows fit,
                             hk__blob *out);
hk_status hk__predict_with_pca(const hk__blob *b, const float *X, size_t n, size_t dim,
                               hk__predict_rows predict, int32_t *out);

/* Number of threads to use for a request of `threads` (0: all cores). */
int hk__threads(int threads);

#endif
