/* Dense float rows as the {int index; double value} node lists that
 * liblinear and libsvm read (1-based indices, zeros skipped, index -1 ends a
 * row). Both libraries' node structs have this layout; sparse.c checks it. */
#ifndef HK_LEARN_SPARSE_H
#define HK_LEARN_SPARSE_H

#include <stddef.h>

#include "hogkit.h"

typedef struct hk__node {
    int index;
    double value;
} hk__node;

typedef struct hk__sparse {
    hk__node *nodes;
    hk__node **rows;
} hk__sparse;

/* bias >= 0 appends a feature dim+1 of that value (liblinear's bias term);
 * bias < 0 appends none. */
hk_status hk__sparse_build(const float *X, size_t n, size_t dim, double bias, hk__sparse *out);
void hk__sparse_free(hk__sparse *s);

#endif
