/* Overflow-checked size arithmetic (internal). Every size that comes from
 * input goes through these before it reaches malloc or an index. */
#ifndef HK_COMMON_CHECKED_H
#define HK_COMMON_CHECKED_H

#include <stddef.h>
#include <stdint.h>

/* *out = a * b; returns 0 on overflow (and leaves *out unspecified). */
static inline int hk_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

static inline int hk_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Product of n sizes with overflow check. */
static inline int hk_mul_sizes(const size_t *v, int n, size_t *out)
{
    size_t p = 1;
    for (int i = 0; i < n; i++)
        if (!hk_mul_size(p, v[i], &p))
            return 0;
    *out = p;
    return 1;
}

#endif
