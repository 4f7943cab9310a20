/* IDX datasets (the MNIST / Fashion-MNIST layout): images and labels files
 * read by hogkit's one IDX reader (src/image/idx.c, gzip or plain, sizes
 * checked against the limits before anything is allocated), here asked for
 * unsigned bytes only, 3-D images and 1-D labels, and nothing after the
 * samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/stack.h"
#include "learn/learn_internal.h"

static hk_status read_images(const char *path, const hk_limits *lim, hk_dataset *ds)
{
    hk_stack s;
    int nd = 0;
    hk_status st = hk__idx_read(path, lim, HK__IDX_EXACT, &s, &nd);
    if (st != HK_OK)
        return st;
    if (nd != 3 || s.first.type != HK_U8 || s.first.channels != 1)
        st = HK_ERR_UNSUPPORTED; /* datasets are grey uint8 images */
    else if (s.count > HK_DATASET_MAX_COUNT || s.first.width > 65536 ||
             s.first.height > 65536)
        st = HK_ERR_LIMIT;
    if (st != HK_OK) {
        hk_stack_free(&s);
        return st;
    }
    /* the dataset takes the stack's buffer over (both are malloc'ed, packed) */
    memset(ds, 0, sizeof(*ds));
    ds->pixels = (uint8_t *)s.first.data;
    ds->count = (uint32_t)s.count;
    ds->width = s.first.width;
    ds->height = s.first.height;
    return HK_OK;
}

static hk_status read_labels(const char *path, const hk_limits *lim, hk_dataset *ds)
{
    hk_stack s;
    int nd = 0;
    hk_status st = hk__idx_read(path, lim, HK__IDX_VECTORS | HK__IDX_EXACT, &s, &nd);
    if (st != HK_OK)
        return st;
    if (nd != 1 || s.first.type != HK_U8 || s.count != ds->count)
        st = HK_ERR_FORMAT;
    else if (!(ds->labels = malloc((s.count ? s.count : 1) * sizeof(int32_t))))
        st = HK_ERR_NOMEM;
    for (size_t i = 0; st == HK_OK && i < s.count; i++)
        ds->labels[i] = ((const uint8_t *)s.first.data)[i];
    hk_stack_free(&s);
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
