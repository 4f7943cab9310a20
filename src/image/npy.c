/* .npy reader (format versions 1.0, 2.0, 3.0).
 *
 * Layout: "\x93NUMPY", major, minor, header length (u16 LE for v1, u32 LE
 * for v2/v3), then a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (480, 640, 3), }
 * padded with spaces and a newline, then the raw array.
 *
 * The header is parsed by a small strict grammar instead of anything like
 * eval: exactly the three keys, each once; descr one of '|u1' '<u2' '<f4'
 * '<f8'; fortran_order True or False; shape a tuple of non-negative
 * integers. Images are (H, W) or (H, W, C) in C order. */
#include <string.h>

#include "image/decoders.h"

typedef struct parser {
    const uint8_t *p;
    size_t n, pos;
} parser;

/* Python allows only ASCII whitespace between tokens of a literal. */
static void skip_ws(parser *ps)
{
    while (ps->pos < ps->n && (ps->p[ps->pos] == ' ' || ps->p[ps->pos] == '\t' ||
                               ps->p[ps->pos] == '\n' || ps->p[ps->pos] == '\r'))
        ps->pos++;
}

static int accept(parser *ps, uint8_t ch)
{
    skip_ws(ps);
    if (ps->pos < ps->n && ps->p[ps->pos] == ch) {
        ps->pos++;
        return 1;
    }
    return 0;
}

/* A quoted string of printable ASCII without escapes, copied to out; one
 * that does not fit is HK_ERR_UNSUPPORTED (no name we accept is that long). */
static hk_status parse_string(parser *ps, char *out, size_t cap)
{
    uint8_t q;
    size_t len = 0;

    skip_ws(ps);
    if (ps->pos >= ps->n || (ps->p[ps->pos] != '\'' && ps->p[ps->pos] != '"'))
        return HK_ERR_FORMAT;
    q = ps->p[ps->pos++];
    while (ps->pos < ps->n && ps->p[ps->pos] != q) {
        uint8_t ch = ps->p[ps->pos++];
        if (ch < 0x20 || ch > 0x7e || ch == '\\')
            return HK_ERR_FORMAT;
        if (len + 1 >= cap) /* longer than any name we know */
            return HK_ERR_UNSUPPORTED;
        out[len++] = (char)ch;
    }
    if (ps->pos >= ps->n)
        return HK_ERR_FORMAT;
    ps->pos++;
    out[len] = '\0';
    return HK_OK;
}

static int accept_word(parser *ps, const char *word)
{
    size_t len = strlen(word);
    skip_ws(ps);
    if (ps->n - ps->pos >= len && memcmp(ps->p + ps->pos, word, len) == 0) {
        ps->pos += len;
        return 1;
    }
    return 0;
}

/* (d0, d1, ...) with an optional trailing comma; "3L" (Python 2) accepted.
 * Keeps the first 4 dims and counts the rest: more than 4 is unsupported
 * anyway (images use 3, stacks 4), and counting needs no storage. Values
 * over 2^64 are HK_ERR_LIMIT. */
static hk_status parse_shape(parser *ps, uint64_t dims[4], int *ndim)
{
    int n = 0;

    if (!accept(ps, '('))
        return HK_ERR_FORMAT;
    for (;;) {
        uint64_t v = 0;
        int digits = 0, big = 0;
        if (accept(ps, ')'))
            break;
        skip_ws(ps);
        while (ps->pos < ps->n && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9') {
            if (__builtin_mul_overflow(v, 10, &v) ||
                __builtin_add_overflow(v, (uint64_t)(ps->p[ps->pos] - '0'), &v))
                big = 1;
            ps->pos++;
            digits++;
        }
        if (!digits)
            return HK_ERR_FORMAT;
        if (ps->pos < ps->n && ps->p[ps->pos] == 'L')
            ps->pos++;
        if (big)
            return HK_ERR_LIMIT;
        if (n < 4)
            dims[n] = v;
        if (n < 1000) /* bounded so the count cannot overflow */
            n++;
        if (accept(ps, ','))
            continue;
        if (accept(ps, ')'))
            break;
        return HK_ERR_FORMAT;
    }
    *ndim = n;
    return HK_OK;
}

static hk_status parse_dict(parser *ps, npy_header *h)
{
    int seen_descr = 0, seen_order = 0, seen_shape = 0;
    hk_status st;

    if (!accept(ps, '{'))
        return HK_ERR_FORMAT;
    for (;;) {
        char key[16];
        if (accept(ps, '}'))
            break;
        st = parse_string(ps, key, sizeof key);
        if (st != HK_OK)
            return HK_ERR_FORMAT; /* not a key we know, whatever its length */
        if (!accept(ps, ':'))
            return HK_ERR_FORMAT;
        if (strcmp(key, "descr") == 0 && !seen_descr) {
            seen_descr = 1;
            skip_ws(ps);
            /* A list here is a structured dtype: valid .npy, not an image. */
            if (ps->pos < ps->n && ps->p[ps->pos] == '[')
                return HK_ERR_UNSUPPORTED;
            st = parse_string(ps, h->descr, sizeof h->descr);
            if (st != HK_OK)
                return st;
        } else if (strcmp(key, "fortran_order") == 0 && !seen_order) {
            seen_order = 1;
            if (accept_word(ps, "True"))
                h->fortran = 1;
            else if (accept_word(ps, "False"))
                h->fortran = 0;
            else
                return HK_ERR_FORMAT;
        } else if (strcmp(key, "shape") == 0 && !seen_shape) {
            seen_shape = 1;
            st = parse_shape(ps, h->dims, &h->ndim);
            if (st != HK_OK)
                return st;
        } else {
            return HK_ERR_FORMAT; /* unknown or repeated key */
        }
        if (accept(ps, ','))
            continue;
        if (accept(ps, '}'))
            break;
        return HK_ERR_FORMAT;
    }
    /* Only padding may follow the dict. */
    skip_ws(ps);
    if (ps->pos != ps->n || !seen_descr || !seen_order || !seen_shape)
        return HK_ERR_FORMAT;
    return HK_OK;
}

static hk_status dtype_of(const char *descr, hk_sample_type *type)
{
    if (strcmp(descr, "|u1") == 0) *type = HK_U8;
    else if (strcmp(descr, "<u2") == 0) *type = HK_U16;
    else if (strcmp(descr, "<f4") == 0) *type = HK_F32;
    else if (strcmp(descr, "<f8") == 0) *type = HK_F64;
    else return HK_ERR_UNSUPPORTED;
    return HK_OK;
}

/* Little-endian samples to host order; a plain copy on little-endian hosts. */
static void copy_le(uint8_t *dst, const uint8_t *src, size_t bytes, size_t ss)
{
    if (ss == 1 || hk__host_is_le()) {
        memcpy(dst, src, bytes);
        return;
    }
    for (size_t i = 0; i < bytes; i += ss)
        for (size_t k = 0; k < ss; k++)
            dst[i + k] = src[i + ss - 1 - k];
}

hk_status hk__npy_header(const uint8_t *data, size_t size, const hk_limits *limits,
                         npy_header *h)
{
    parser ps;
    size_t prefix, hlen;
    hk_status st;

    if (size < 8)
        return HK_ERR_TRUNCATED;
    if (data[6] == 1 && data[7] == 0)
        prefix = 10;
    else if ((data[6] == 2 || data[6] == 3) && data[7] == 0)
        prefix = 12;
    else
        return HK_ERR_UNSUPPORTED; /* a format version we do not know */
    if (size < prefix)
        return HK_ERR_TRUNCATED;
    if (prefix == 10)
        hlen = (size_t)data[8] | (size_t)data[9] << 8;
    else
        hlen = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 |
               (size_t)data[11] << 24;
    if (hlen > limits->max_npy_header)
        return HK_ERR_LIMIT;
    if (size - prefix < hlen)
        return HK_ERR_TRUNCATED;
    memset(h, 0, sizeof *h);
    h->offset = prefix + hlen;
    ps.p = data + prefix;
    ps.n = hlen;
    ps.pos = 0;
    st = parse_dict(&ps, h);
    if (st != HK_OK)
        return st;
    if (dtype_of(h->descr, &h->type) != HK_OK || h->fortran)
        return HK_ERR_UNSUPPORTED;
    return HK_OK;
}

void hk__npy_copy_le(uint8_t *dst, const uint8_t *src, size_t bytes, size_t ss)
{
    copy_le(dst, src, bytes, ss);
}

hk_status hk__npy_read(const uint8_t *data, size_t size,
                       const hk_limits *limits, hk_image_info *info,
                       void *buffer, size_t capacity)
{
    npy_header h;
    hk_sample_type type;
    size_t offset;
    hk_status st;

    st = hk__npy_header(data, size, limits, &h);
    if (st != HK_OK)
        return st;
    type = h.type;
    offset = h.offset;
    if (h.ndim != 2 && h.ndim != 3)
        return HK_ERR_UNSUPPORTED;
    st = hk__image_info_set(info, HK_FORMAT_NPY, h.dims[1], h.dims[0],
                            h.ndim == 3 ? h.dims[2] : 1, type, limits);
    if (st != HK_OK || !buffer)
        return st;
    st = hk__image_capacity(info, capacity);
    if (st != HK_OK)
        return st;
    /* Bytes after the array are tolerated, as numpy.load does. */
    if (size - offset < info->bytes)
        return HK_ERR_TRUNCATED;
    copy_le(buffer, data + offset, info->bytes, hk_sample_size(type));
    return HK_OK;
}
