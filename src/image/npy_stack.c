/* Reader for 4-D float32 .npy stacks (N, C, H, W): a batch of planar images
 * as PyTorch and NumPy pipelines save them. Kept apart from the image
 * reader (npy.c), which takes only 2-D/3-D images, so hk_image_decode keeps
 * its meaning. Every byte is hostile: the header is parsed by a small strict
 * grammar (exactly the keys descr '<f4', fortran_order False and a 4-tuple
 * shape, each once), sizes are checked before the caller allocates. */
#include <string.h>

#include "common/checked.h"
#include "image/decoders.h"

typedef struct cursor {
    const uint8_t *p;
    size_t n, pos;
} cursor;

static void ws(cursor *c)
{
    while (c->pos < c->n && (c->p[c->pos] == ' ' || c->p[c->pos] == '\t' ||
                             c->p[c->pos] == '\n' || c->p[c->pos] == '\r'))
        c->pos++;
}

static int eat(cursor *c, const char *tok)
{
    size_t len = strlen(tok);
    ws(c);
    if (c->n - c->pos >= len && memcmp(c->p + c->pos, tok, len) == 0) {
        c->pos += len;
        return 1;
    }
    return 0;
}

/* A quoted literal equal to `word`, with either quote. */
static int eat_quoted(cursor *c, const char *word)
{
    ws(c);
    if (c->pos >= c->n || (c->p[c->pos] != '\'' && c->p[c->pos] != '"'))
        return 0;
    uint8_t q = c->p[c->pos];
    size_t len = strlen(word);
    if (c->n - c->pos < len + 2 || memcmp(c->p + c->pos + 1, word, len) != 0 ||
        c->p[c->pos + 1 + len] != q)
        return 0;
    c->pos += len + 2;
    return 1;
}

static hk_status shape4(cursor *c, uint64_t dims[4])
{
    if (!eat(c, "("))
        return HK_ERR_FORMAT;
    int n = 0;
    while (!eat(c, ")")) {
        uint64_t v = 0;
        int digits = 0;
        ws(c);
        while (c->pos < c->n && c->p[c->pos] >= '0' && c->p[c->pos] <= '9') {
            if (__builtin_mul_overflow(v, 10, &v) ||
                __builtin_add_overflow(v, (uint64_t)(c->p[c->pos] - '0'), &v))
                return HK_ERR_LIMIT;
            c->pos++;
            digits++;
        }
        if (!digits)
            return HK_ERR_FORMAT;
        if (n == 4)
            return HK_ERR_UNSUPPORTED; /* not a 4-D stack */
        dims[n++] = v;
        if (!eat(c, ",")) {
            if (!eat(c, ")"))
                return HK_ERR_FORMAT;
            break;
        }
    }
    return n == 4 ? HK_OK : HK_ERR_UNSUPPORTED;
}

/* Parses the header; *offset = start of the data. */
static hk_status header(const uint8_t *d, size_t size, const hk_limits *lim, uint64_t dims[4],
                        size_t *offset)
{
    if (size < 10 || memcmp(d, "\x93NUMPY", 6) != 0)
        return size < 10 ? HK_ERR_TRUNCATED : HK_ERR_FORMAT;
    size_t prefix, hlen;
    if (d[6] == 1 && d[7] == 0) {
        prefix = 10;
        hlen = (size_t)d[8] | (size_t)d[9] << 8;
    } else if ((d[6] == 2 || d[6] == 3) && d[7] == 0) {
        prefix = 12;
        if (size < 12)
            return HK_ERR_TRUNCATED;
        hlen = (size_t)d[8] | (size_t)d[9] << 8 | (size_t)d[10] << 16 | (size_t)d[11] << 24;
    } else {
        return HK_ERR_UNSUPPORTED;
    }
    if (hlen > lim->max_npy_header)
        return HK_ERR_LIMIT;
    if (size - prefix < hlen)
        return HK_ERR_TRUNCATED;
    cursor c = {d + prefix, hlen, 0};
    int seen[3] = {0, 0, 0};
    hk_status st;
    if (!eat(&c, "{"))
        return HK_ERR_FORMAT;
    while (!eat(&c, "}")) {
        if (eat_quoted(&c, "descr") && !seen[0] && eat(&c, ":")) {
            seen[0] = 1;
            if (!eat_quoted(&c, "<f4"))
                return HK_ERR_UNSUPPORTED; /* only float32 stacks */
        } else if (eat_quoted(&c, "fortran_order") && !seen[1] && eat(&c, ":")) {
            seen[1] = 1;
            if (!eat(&c, "False"))
                return eat(&c, "True") ? HK_ERR_UNSUPPORTED : HK_ERR_FORMAT;
        } else if (eat_quoted(&c, "shape") && !seen[2] && eat(&c, ":")) {
            seen[2] = 1;
            if ((st = shape4(&c, dims)) != HK_OK)
                return st;
        } else {
            return HK_ERR_FORMAT;
        }
        if (!eat(&c, ",")) {
            if (!eat(&c, "}"))
                return HK_ERR_FORMAT;
            break;
        }
    }
    ws(&c);
    if (c.pos != c.n || !seen[0] || !seen[1] || !seen[2])
        return HK_ERR_FORMAT;
    *offset = prefix + hlen;
    return HK_OK;
}

hk_status hk_npy_stack_info(const void *bytes, size_t size, const hk_limits *limits,
                            size_t shape[4])
{
    hk_limits defaults;
    uint64_t dims[4];
    size_t offset, count, nbytes;
    if (!bytes || !shape)
        return HK_ERR_INVALID_ARG;
    if (!limits) {
        hk_limits_default(&defaults);
        limits = &defaults;
    }
    hk_status st = header(bytes, size, limits, dims, &offset);
    if (st != HK_OK)
        return st;
    for (int i = 0; i < 4; i++) {
        if (dims[i] > SIZE_MAX)
            return HK_ERR_LIMIT;
        shape[i] = (size_t)dims[i];
    }
    /* One image (H x W) and its channels obey the image limits; the batch as
     * a whole is bounded by the file, which must hold every sample. */
    if (shape[1] > limits->max_channels || shape[1] > HK_MAX_CHANNELS)
        return HK_ERR_LIMIT;
    if (!hk_mul_size(shape[2], shape[3], &count) || count > limits->max_pixels)
        return HK_ERR_LIMIT;
    if (!hk_mul_sizes(shape, 4, &count) || !hk_mul_size(count, 4, &nbytes))
        return HK_ERR_OVERFLOW;
    if (size - offset < nbytes)
        return HK_ERR_TRUNCATED;
    return HK_OK;
}

hk_status hk_npy_stack_decode(const void *bytes, size_t size, const hk_limits *limits,
                              float *out, size_t capacity)
{
    size_t shape[4], count, offset;
    uint64_t dims[4];
    hk_limits defaults;
    hk_status st = hk_npy_stack_info(bytes, size, limits, shape);
    if (st != HK_OK)
        return st;
    if (!limits) {
        hk_limits_default(&defaults);
        limits = &defaults;
    }
    if (header(bytes, size, limits, dims, &offset) != HK_OK || !hk_mul_sizes(shape, 4, &count))
        return HK_ERR_FORMAT; /* cannot happen: info succeeded */
    if (capacity < count)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (count && !out)
        return HK_ERR_INVALID_ARG;
    const uint8_t *src = (const uint8_t *)bytes + offset;
    if (hk__host_is_le()) {
        memcpy(out, src, count * 4);
    } else {
        uint8_t *dst = (uint8_t *)out;
        for (size_t i = 0; i < count * 4; i += 4)
            for (int k = 0; k < 4; k++)
                dst[i + k] = src[i + 3 - k];
    }
    return HK_OK;
}
