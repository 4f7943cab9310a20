/* Dense rows to liblinear / libsvm node lists. */
#include <linear.h>
#include <libsvm/svm.h>
#include <stddef.h>
#include <stdlib.h>

#include "common/checked.h"
#include "learn/sparse.h"

_Static_assert(sizeof(hk__node) == sizeof(struct feature_node) &&
                   offsetof(hk__node, value) == offsetof(struct feature_node, value),
               "liblinear feature_node layout");
_Static_assert(sizeof(hk__node) == sizeof(struct svm_node) &&
                   offsetof(hk__node, value) == offsetof(struct svm_node, value),
               "libsvm svm_node layout");

hk_status hk__sparse_build(const float *X, size_t n, size_t dim, double bias, hk__sparse *out)
{
    out->nodes = NULL;
    out->rows = NULL;
    size_t nnz = 0;
    for (size_t i = 0; i < n * dim; i++)
        nnz += X[i] != 0.0f;
    size_t total;
    if (!hk_mul_size(n, bias >= 0 ? 2 : 1, &total) || !hk_add_size(total, nnz, &total) ||
        total > SIZE_MAX / sizeof(hk__node))
        return HK_ERR_OVERFLOW;
    out->nodes = malloc((total ? total : 1) * sizeof(hk__node));
    out->rows = malloc((n ? n : 1) * sizeof(hk__node *));
    if (!out->nodes || !out->rows) {
        hk__sparse_free(out);
        return HK_ERR_NOMEM;
    }
    hk__node *p = out->nodes;
    for (size_t i = 0; i < n; i++) {
        out->rows[i] = p;
        const float *row = X + i * dim;
        for (size_t j = 0; j < dim; j++)
            if (row[j] != 0.0f)
                *p++ = (hk__node){(int)j + 1, row[j]};
        if (bias >= 0)
            *p++ = (hk__node){(int)dim + 1, bias};
        *p++ = (hk__node){-1, 0.0};
    }
    return HK_OK;
}

void hk__sparse_free(hk__sparse *s)
{
    free(s->nodes);
    free(s->rows);
    s->nodes = NULL;
    s->rows = NULL;
}
