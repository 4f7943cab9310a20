/* Datasets: allocation, release, the reader dispatcher, slices, shuffles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

void hk_dataset_free(hk_dataset *ds)
{
    if (!ds)
        return;
    if (ds->class_names)
        for (uint32_t i = 0; i < ds->n_classes; i++)
            free(ds->class_names[i]);
    free(ds->class_names);
    free(ds->pixels);
    free(ds->labels);
    memset(ds, 0, sizeof(*ds));
}

static hk_status name_classes(hk_dataset *ds, uint32_t n_classes)
{
    ds->n_classes = 0;
    if (n_classes == 0)
        return HK_OK;
    ds->class_names = calloc(n_classes, sizeof(char *));
    if (!ds->class_names)
        return HK_ERR_NOMEM;
    ds->n_classes = n_classes;
    for (uint32_t c = 0; c < n_classes; c++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", c);
        ds->class_names[c] = strdup(buf);
        if (!ds->class_names[c])
            return HK_ERR_NOMEM;
    }
    return HK_OK;
}

hk_status hk__dataset_alloc(hk_dataset *ds, uint32_t count, uint32_t width, uint32_t height,
                            uint32_t n_classes, int labelled)
{
    memset(ds, 0, sizeof(*ds));
    size_t bytes;
    if (count > HK_DATASET_MAX_COUNT || width == 0 || height == 0 || width > 65536 ||
        height > 65536)
        return HK_ERR_LIMIT;
    if (!hk_mul_size(width, height, &bytes) || !hk_mul_size(bytes, count, &bytes))
        return HK_ERR_OVERFLOW;
    ds->pixels = malloc(bytes ? bytes : 1);
    ds->labels = labelled ? calloc(count ? count : 1, sizeof(int32_t)) : NULL;
    if (!ds->pixels || (labelled && !ds->labels)) {
        hk_dataset_free(ds);
        return HK_ERR_NOMEM;
    }
    ds->count = count;
    ds->width = width;
    ds->height = height;
    hk_status st = name_classes(ds, n_classes);
    if (st != HK_OK)
        hk_dataset_free(ds);
    return st;
}

hk_status hk__dataset_name_classes(hk_dataset *ds)
{
    int32_t max = -1;
    if (ds->labels)
        for (uint32_t i = 0; i < ds->count; i++) {
            if (ds->labels[i] < 0 || ds->labels[i] > 65535)
                return HK_ERR_FORMAT;
            if (ds->labels[i] > max)
                max = ds->labels[i];
        }
    return name_classes(ds, (uint32_t)(max + 1));
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

hk_status hk_dataset_load(const char *path, const char *labels, const hk_limits *limits,
                          hk_dataset *ds)
{
    if (!ds)
        return HK_ERR_INVALID_ARG;
    memset(ds, 0, sizeof(*ds));
    if (!path)
        return HK_ERR_INVALID_ARG;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return HK_ERR_IO;
    if (S_ISDIR(sb.st_mode))
        return hk_dataset_load_folder(path, limits, ds);
    if (ends_with(path, ".png") || ends_with(path, ".PNG"))
        return hk_dataset_load_digits(path, limits, ds);
    return hk_dataset_load_idx(path, labels, limits, ds);
}

static hk_status copy_names(const hk_dataset *ds, hk_dataset *out)
{
    if (ds->n_classes == 0)
        return HK_OK;
    out->class_names = calloc(ds->n_classes, sizeof(char *));
    if (!out->class_names)
        return HK_ERR_NOMEM;
    out->n_classes = ds->n_classes;
    for (uint32_t c = 0; c < ds->n_classes; c++)
        if (!(out->class_names[c] = strdup(ds->class_names[c])))
            return HK_ERR_NOMEM;
    return HK_OK;
}

hk_status hk_dataset_slice(const hk_dataset *ds, uint32_t first, uint32_t count, hk_dataset *out)
{
    if (!out)
        return HK_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));
    if (!ds || first > ds->count || count > ds->count - first)
        return HK_ERR_INVALID_ARG;
    hk_status st = hk__dataset_alloc(out, count, ds->width, ds->height, 0, ds->labels != NULL);
    if (st != HK_OK)
        return st;
    size_t px = (size_t)ds->width * ds->height;
    if (count)
        memcpy(out->pixels, ds->pixels + (size_t)first * px, (size_t)count * px);
    if (ds->labels && count)
        memcpy(out->labels, ds->labels + first, (size_t)count * sizeof(int32_t));
    st = copy_names(ds, out);
    if (st != HK_OK)
        hk_dataset_free(out);
    return st;
}

hk_status hk_dataset_shuffle(hk_dataset *ds, uint32_t seed)
{
    if (!ds || (ds->count && !ds->pixels))
        return HK_ERR_INVALID_ARG;
    if (ds->count < 2)
        return HK_OK;
    size_t px = (size_t)ds->width * ds->height;
    uint32_t *perm = malloc((size_t)ds->count * sizeof(uint32_t));
    uint8_t *pix = malloc((size_t)ds->count * px);
    int32_t *lab = ds->labels ? malloc((size_t)ds->count * sizeof(int32_t)) : NULL;
    if (!perm || !pix || (ds->labels && !lab)) {
        free(perm);
        free(pix);
        free(lab);
        return HK_ERR_NOMEM;
    }
    hk_numpy_permutation(seed, ds->count, perm);
    /* digits[shuffle]: new[i] = old[perm[i]] */
    for (uint32_t i = 0; i < ds->count; i++) {
        memcpy(pix + (size_t)i * px, ds->pixels + (size_t)perm[i] * px, px);
        if (lab)
            lab[i] = ds->labels[perm[i]];
    }
    free(ds->pixels);
    free(ds->labels);
    ds->pixels = pix;
    ds->labels = lab;
    free(perm);
    return HK_OK;
}
