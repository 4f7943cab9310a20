/* hk_npy_write_f64: float64 arrays as .npy 1.0 (used for exact renderings,
 * e.g. `hogkit render --raw`, where float32 would round values away).
 * Same header rules as hk_npy_write_f32 (npy_write.c): numpy.save's dict,
 * padded with spaces so the data starts 64-byte aligned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/checked.h"
#include "image/decoders.h"

hk_status hk_npy_write_f64(const char *path, const double *data, const size_t *shape, int ndim)
{
    char hdr[512];
    size_t len = 10, count, bytes;
    if (!path || ndim < 0 || ndim > HK_MAX_DIMS || (ndim > 0 && !shape))
        return HK_ERR_INVALID_ARG;
    if (!hk_mul_sizes(shape, ndim, &count) || !hk_mul_size(count, 8, &bytes))
        return HK_ERR_OVERFLOW;
    if (count && !data)
        return HK_ERR_INVALID_ARG;
    len += (size_t)snprintf(hdr + len, sizeof hdr - len,
                            "{'descr': '<f8', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ndim; i++)
        len += (size_t)snprintf(hdr + len, sizeof hdr - len, i ? ", %zu" : "%zu", shape[i]);
    len += (size_t)snprintf(hdr + len, sizeof hdr - len, ndim == 1 ? ",), }" : "), }");
    /* Room for the first axis to grow to 21 digits, as numpy leaves it. */
    if (ndim > 0) {
        char digits[32];
        int d = snprintf(digits, sizeof digits, "%zu", shape[0]);
        for (int i = d; i < 21; i++)
            hdr[len++] = ' ';
    }
    size_t pad = 64 - ((len + 1) % 64);
    if (len + pad + 1 > sizeof hdr)
        return HK_ERR_OVERFLOW;
    memset(hdr + len, ' ', pad);
    len += pad;
    hdr[len++] = '\n';
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)((len - 10) & 0xff);
    hdr[9] = (char)((len - 10) >> 8);

    void *swapped = NULL;
    const void *payload = data;
    if (!hk__host_is_le() && bytes) {
        unsigned char *s = malloc(bytes);
        if (!s)
            return HK_ERR_NOMEM;
        const unsigned char *src = (const unsigned char *)data;
        for (size_t i = 0; i < bytes; i += 8)
            for (int k = 0; k < 8; k++)
                s[i + k] = src[i + 7 - k];
        payload = swapped = s;
    }
    const void *chunks[2] = {hdr, payload};
    size_t sizes[2] = {len, bytes};
    hk_status st = hk_atomic_write(path, chunks, sizes, 2);
    free(swapped);
    return st;
}
