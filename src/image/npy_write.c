/* hk_npy_write_f32 / _f64: float arrays as .npy version 1.0, byte for byte
 * what numpy.save (1.24) writes for the same array, so files diff cleanly
 * against references. Written whole or not at all via hk_atomic_write.
 * float64 serves exact renderings (`hogkit render --raw`), where float32
 * would round values away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/checked.h"
#include "image/decoders.h"

/* numpy leaves room for the first axis to grow to this many digits, so a
 * writer can append rows in place without moving the data. */
#define NPY_GROWTH_AXIS_MAX_DIGITS 21
#define NPY_ARRAY_ALIGN 64
#define NPY_PREFIX 10 /* magic (6) + version (2) + u16 header length */

/* Appends printf output to buf at *len (cap bytes); 0 if it did not fit. */
static int append(char *buf, size_t cap, size_t *len, const char *fmt, size_t v,
                  int with_value)
{
    int k = with_value ? snprintf(buf + *len, cap - *len, fmt, v)
                       : snprintf(buf + *len, cap - *len, "%s", fmt);
    if (k < 0 || (size_t)k >= cap - *len)
        return 0;
    *len += (size_t)k;
    return 1;
}

/* Builds magic, version, length and the padded dict into hdr (the tuple is
 * Python's repr: "()", "(3,)", "(3, 4)"). Returns the total length or 0. */
static size_t build_header(const char *descr, const size_t *shape, int ndim, char *hdr,
                           size_t cap)
{
    size_t len = NPY_PREFIX, dict_len, pad;
    int ok = append(hdr, cap, &len, "{'descr': '", 0, 0) && append(hdr, cap, &len, descr, 0, 0) &&
             append(hdr, cap, &len, "', 'fortran_order': False, 'shape': (", 0, 0);

    for (int i = 0; ok && i < ndim; i++)
        ok = append(hdr, cap, &len, i ? ", %zu" : "%zu", shape[i], 1);
    if (ok && ndim == 1)
        ok = append(hdr, cap, &len, ",", 0, 0);
    ok = ok && append(hdr, cap, &len, "), }", 0, 0);
    if (ok && ndim > 0) {
        char digits[32];
        int d = snprintf(digits, sizeof digits, "%zu", shape[0]);
        for (int i = d; ok && i < NPY_GROWTH_AXIS_MAX_DIGITS; i++)
            ok = append(hdr, cap, &len, " ", 0, 0);
    }
    if (!ok)
        return 0;
    /* numpy's rule: 1..64 spaces then '\n' so data starts 64-aligned. */
    pad = NPY_ARRAY_ALIGN - ((len + 1) % NPY_ARRAY_ALIGN);
    if (len + pad + 1 > cap)
        return 0;
    memset(hdr + len, ' ', pad);
    len += pad;
    hdr[len++] = '\n';
    dict_len = len - NPY_PREFIX;
    if (dict_len > 0xffff)
        return 0;
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)(dict_len & 0xff);
    hdr[9] = (char)(dict_len >> 8);
    return len;
}

/* Writes little-endian elements of `esize` bytes under dtype `descr`. */
static hk_status write_npy(const char *path, const void *data, size_t esize, const char *descr,
                           const size_t *shape, int ndim)
{
    /* 8 dims of 20 digits plus the fixed text stay far below 512 bytes. */
    char hdr[512];
    size_t hlen, count, bytes;
    const void *chunks[2];
    size_t sizes[2];
    void *swapped = NULL;
    hk_status st;

    if (!path || ndim < 0 || ndim > HK_MAX_DIMS || (ndim > 0 && !shape))
        return HK_ERR_INVALID_ARG;
    if (!hk_mul_sizes(shape, ndim, &count) || !hk_mul_size(count, esize, &bytes))
        return HK_ERR_OVERFLOW;
    if (bytes > 0 && !data)
        return HK_ERR_INVALID_ARG;
    hlen = build_header(descr, shape, ndim, hdr, sizeof hdr);
    if (hlen == 0)
        return HK_ERR_OVERFLOW;

    chunks[0] = hdr;
    sizes[0] = hlen;
    chunks[1] = data;
    sizes[1] = bytes;
    if (!hk__host_is_le() && bytes > 0) {
        /* '<f4' / '<f8' are little-endian whatever the host. */
        uint8_t *d = malloc(bytes);
        const uint8_t *s = (const uint8_t *)data;
        if (!d)
            return HK_ERR_NOMEM;
        for (size_t i = 0; i < bytes; i += esize)
            for (size_t k = 0; k < esize; k++)
                d[i + k] = s[i + esize - 1 - k];
        swapped = d;
        chunks[1] = d;
    }
    st = hk_atomic_write(path, chunks, sizes, 2);
    free(swapped);
    return st;
}

hk_status hk_npy_write_f32(const char *path, const float *data, const size_t *shape, int ndim)
{
    return write_npy(path, data, 4, "<f4", shape, ndim);
}

hk_status hk_npy_write_f64(const char *path, const double *data, const size_t *shape, int ndim)
{
    return write_npy(path, data, 8, "<f8", shape, ndim);
}
