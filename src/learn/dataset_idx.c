/* IDX reader (the MNIST / Fashion-MNIST layout): big-endian header of magic
 * 0x0000 08 NDIM (unsigned bytes), NDIM big-endian u32 sizes, then the data.
 * Files may be gzip-compressed; zlib's gzread passes plain files through.
 * Sizes come from the (hostile) header and are checked against the limits
 * before anything is allocated. Kept in src/learn/ so it does not clash with
 * a batch IDX reader elsewhere; the two can be folded together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

static hk_status read_exact(gzFile f, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(f, p, chunk);
        if (got < 0)
            return HK_ERR_FORMAT;
        if (got == 0)
            return HK_ERR_TRUNCATED;
        p += got;
        n -= (size_t)got;
    }
    return HK_OK;
}

/* Reads the header; dims[] receives ndim sizes. */
static hk_status read_header(gzFile f, int want_ndim, uint32_t *dims)
{
    uint8_t h[4];
    hk_status st = read_exact(f, h, 4);
    if (st != HK_OK)
        return st == HK_ERR_TRUNCATED ? HK_ERR_FORMAT : st;
    if (h[0] != 0 || h[1] != 0 || h[2] != 0x08 || h[3] != want_ndim)
        return h[0] == 0 && h[1] == 0 && h[3] == want_ndim ? HK_ERR_UNSUPPORTED : HK_ERR_FORMAT;
    for (int i = 0; i < want_ndim; i++) {
        uint8_t b[4];
        st = read_exact(f, b, 4);
        if (st != HK_OK)
            return st;
        dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    }
    return HK_OK;
}

static int at_end(gzFile f)
{
    uint8_t b;
    return gzread(f, &b, 1) == 0;
}

static hk_status read_images(const char *path, const hk_limits *lim, hk_dataset *ds)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    uint32_t d[3];
    hk_status st = read_header(f, 3, d);
    if (st == HK_OK) {
        size_t total;
        if (!hk_mul_size(d[0], d[1], &total) || !hk_mul_size(total, d[2], &total))
            st = HK_ERR_OVERFLOW;
        else if (total > lim->max_file_bytes || (uint64_t)d[1] * d[2] > lim->max_pixels)
            st = HK_ERR_LIMIT;
        else if (d[1] == 0 || d[2] == 0)
            st = HK_ERR_FORMAT;
        else
            st = hk__dataset_alloc(ds, d[0], d[2], d[1], 0, 0);
        if (st == HK_OK)
            st = read_exact(f, ds->pixels, total);
        if (st == HK_OK && !at_end(f))
            st = HK_ERR_FORMAT;
    }
    gzclose(f);
    return st;
}

static hk_status read_labels(const char *path, const hk_limits *lim, hk_dataset *ds)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    uint32_t n;
    hk_status st = read_header(f, 1, &n);
    if (st == HK_OK && n != ds->count)
        st = HK_ERR_FORMAT;
    uint8_t *b = NULL;
    if (st == HK_OK && n > lim->max_file_bytes)
        st = HK_ERR_LIMIT;
    if (st == HK_OK && !(b = malloc(n ? n : 1)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK)
        st = read_exact(f, b, n);
    if (st == HK_OK && !at_end(f))
        st = HK_ERR_FORMAT;
    if (st == HK_OK) {
        ds->labels = malloc((size_t)(n ? n : 1) * sizeof(int32_t));
        if (!ds->labels)
            st = HK_ERR_NOMEM;
        for (uint32_t i = 0; st == HK_OK && i < n; i++)
            ds->labels[i] = b[i];
    }
    free(b);
    gzclose(f);
    return st;
}

/* The labels file of an MNIST-named images file, if one exists: the images
 * part of the name swapped for the labels part, with or without ".gz". */
static int find_labels(const char *images, char *out, size_t cap)
{
    static const char *from[] = {"-images-idx3-ubyte", "-images.idx3-ubyte", "images-idx3"};
    static const char *to[] = {"-labels-idx1-ubyte", "-labels.idx1-ubyte", "labels-idx1"};
    for (int k = 0; k < 3; k++) {
        const char *at = strstr(images, from[k]);
        if (!at)
            continue;
        const char *rest = at + strlen(from[k]);
        static const char *ext[] = {NULL, ".gz", ""};
        for (int e = 0; e < 3; e++) {
            char tail[64];
            if (e == 0)
                snprintf(tail, sizeof tail, "%.60s", rest);
            else if (strcmp(rest, ".gz") == 0 || rest[0] == 0)
                snprintf(tail, sizeof tail, "%s", ext[e]);
            else
                continue;
            int w = snprintf(out, cap, "%.*s%s%s", (int)(at - images), images, to[k], tail);
            if (w <= 0 || (size_t)w >= cap)
                continue;
            FILE *f = fopen(out, "rb");
            if (f) {
                fclose(f);
                return 1;
            }
        }
    }
    return 0;
}

hk_status hk_dataset_load_idx(const char *images, const char *labels, const hk_limits *limits,
                              hk_dataset *ds)
{
    if (!ds)
        return HK_ERR_INVALID_ARG;
    memset(ds, 0, sizeof(*ds));
    if (!images)
        return HK_ERR_INVALID_ARG;
    hk_limits def;
    if (!limits) {
        hk_limits_default(&def);
        limits = &def;
    }
    char found[4096];
    if (!labels && find_labels(images, found, sizeof found))
        labels = found;
    hk_status st = read_images(images, limits, ds);
    if (st == HK_OK && labels)
        st = read_labels(labels, limits, ds);
    if (st == HK_OK)
        st = hk__dataset_name_classes(ds);
    if (st != HK_OK)
        hk_dataset_free(ds);
    return st;
}
