/* Exact k nearest neighbours, Euclidean. Squared distances come from one
 * matrix product per block of queries, |q|^2 - 2 q.x + |x|^2 (OpenBLAS
 * cblas_sgemm); the k smallest per query vote, uniformly or with weight
 * 1/distance (sklearn's "distance": if some neighbours are at distance 0 only
 * they vote). Ties go to the smallest label. The blob is the training set. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

#define HK_KNN_BLOCK 256

hk_status hk__knn_train(const hk_learner_params *p, const float *X, size_t n, size_t dim,
                        const int32_t *y, uint32_t n_classes, hk__blob *out)
{
    if (p->k < 1 || (size_t)p->k > n || n > INT32_MAX || dim > INT32_MAX)
        return HK_ERR_INVALID_ARG;
    hk__wbuf w = {0};
    hk__w_u32(&w, (uint32_t)p->k);
    hk__w_u32(&w, (uint32_t)(p->distance_weighted != 0));
    hk__w_u32(&w, n_classes);
    hk__w_u64(&w, n);
    hk__w_u64(&w, dim);
    for (size_t i = 0; i < n; i++)
        hk__w_u32(&w, (uint32_t)y[i]);
    size_t bytes;
    if (!hk_mul_size(n, dim, &bytes) || !hk_mul_size(bytes, sizeof(float), &bytes)) {
        free(w.data);
        return HK_ERR_OVERFLOW;
    }
    hk__w_bytes(&w, X, bytes);
    if (w.failed) {
        free(w.data);
        return HK_ERR_NOMEM;
    }
    out->data = w.data;
    out->size = w.size;
    return HK_OK;
}

hk_status hk__knn_predict(const hk__blob *b, const float *X, size_t n, size_t dim,
                          int32_t *out)
{
    hk__rbuf r = {.data = b->data, .size = b->size};
    uint32_t k = hk__r_u32(&r), weighted = hk__r_u32(&r), n_classes = hk__r_u32(&r);
    uint64_t nt = hk__r_u64(&r), d = hk__r_u64(&r);
    if (r.failed || d != dim || k < 1 || nt < k || nt > b->size / 4 || n_classes < 1 ||
        n_classes > 65536 || nt > INT32_MAX)
        return HK_ERR_FORMAT;
    const uint8_t *lab_raw = hk__r_bytes(&r, (size_t)nt * 4);
    size_t tbytes;
    if (!lab_raw || !hk_mul_size(nt, dim, &tbytes) || tbytes > b->size / 4)
        return HK_ERR_FORMAT;
    const uint8_t *train_raw = hk__r_bytes(&r, tbytes * sizeof(float));
    if (!train_raw || r.pos != r.size)
        return HK_ERR_FORMAT;
    float *T = malloc((tbytes ? tbytes : 1) * sizeof(float));
    int32_t *ty = malloc(nt * sizeof(int32_t));
    float *tn = malloc(nt * sizeof(float));
    float *D = malloc((size_t)HK_KNN_BLOCK * nt * sizeof(float));
    float *bd = malloc(k * sizeof(float));
    int32_t *bl = malloc(k * sizeof(int32_t));
    double *votes = malloc(n_classes * sizeof(double));
    hk_status st = (!T || !ty || !tn || !D || !bd || !bl || !votes) ? HK_ERR_NOMEM : HK_OK;
    if (st == HK_OK) {
        memcpy(T, train_raw, tbytes * sizeof(float));
        for (uint64_t i = 0; i < nt; i++) {
            uint32_t v = (uint32_t)lab_raw[4 * i] | (uint32_t)lab_raw[4 * i + 1] << 8 |
                         (uint32_t)lab_raw[4 * i + 2] << 16 | (uint32_t)lab_raw[4 * i + 3] << 24;
            if (v >= n_classes) {
                st = HK_ERR_FORMAT;
                break;
            }
            ty[i] = (int32_t)v;
            double s = 0;
            for (size_t j = 0; j < dim; j++)
                s += (double)T[i * dim + j] * T[i * dim + j];
            tn[i] = (float)s;
        }
    }
    for (size_t q0 = 0; st == HK_OK && q0 < n; q0 += HK_KNN_BLOCK) {
        size_t qn = n - q0 < HK_KNN_BLOCK ? n - q0 : HK_KNN_BLOCK;
        /* D = Q T^T (qn x nt) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)qn, (int)nt, (int)dim, 1.0f,
                    X + q0 * dim, (int)dim, T, (int)dim, 0.0f, D, (int)nt);
        for (size_t qi = 0; qi < qn; qi++) {
            const float *q = X + (q0 + qi) * dim;
            double qq = 0;
            for (size_t j = 0; j < dim; j++)
                qq += (double)q[j] * q[j];
            const float *row = D + qi * nt;
            uint32_t m = 0; /* sorted insertion of the k smallest */
            for (uint64_t t = 0; t < nt; t++) {
                float dist = (float)qq - 2.0f * row[t] + tn[t];
                if (dist < 0)
                    dist = 0;
                if (m == k && !(dist < bd[k - 1]))
                    continue;
                uint32_t pos = m < k ? m++ : k - 1;
                while (pos > 0 && bd[pos - 1] > dist) {
                    bd[pos] = bd[pos - 1];
                    bl[pos] = bl[pos - 1];
                    pos--;
                }
                bd[pos] = dist;
                bl[pos] = ty[t];
            }
            memset(votes, 0, n_classes * sizeof(double));
            int exact = 0;
            for (uint32_t i = 0; i < m; i++)
                exact |= bd[i] == 0;
            for (uint32_t i = 0; i < m; i++) {
                if (!weighted)
                    votes[bl[i]] += 1;
                else if (exact)
                    votes[bl[i]] += bd[i] == 0;
                else
                    votes[bl[i]] += 1.0 / sqrt((double)bd[i]);
            }
            uint32_t best = 0;
            for (uint32_t c = 1; c < n_classes; c++)
                if (votes[c] > votes[best])
                    best = c;
            out[q0 + qi] = (int32_t)best;
        }
    }
    free(T);
    free(ty);
    free(tn);
    free(D);
    free(bd);
    free(bl);
    free(votes);
    return st;
}
