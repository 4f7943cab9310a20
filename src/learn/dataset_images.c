/* Datasets made of image files: a folder with one subfolder per class, and
 * OpenCV's digits.png grid. Both go through hk_image_load and end as grey
 * uint8 images of one size. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/checked.h"
#include "learn/learn_internal.h"

/* A grey uint8 copy of an image: grey as hk_image_rgb2gray, floats in [0, 1]
 * scaled to 0..255 and rounded, 16-bit divided by 257 and rounded. */
static hk_status to_gray_u8(const hk_image *im, uint8_t *dst)
{
    size_t bytes;
    hk_status st = hk_image_gray_bytes(im, &bytes);
    if (st != HK_OK)
        return st;
    void *buf = malloc(bytes ? bytes : 1);
    if (!buf)
        return HK_ERR_NOMEM;
    hk_image g;
    st = hk_image_rgb2gray(im, buf, bytes, &g);
    if (st == HK_OK) {
        for (uint32_t y = 0; y < g.height; y++) {
            const uint8_t *row = (const uint8_t *)g.data + y * g.stride;
            for (uint32_t x = 0; x < g.width; x++) {
                double v;
                size_t i = (size_t)x * g.channels;
                switch (g.type) {
                case HK_U8: v = row[i]; break;
                case HK_U16: v = ((const uint16_t *)row)[i] / 257.0; break;
                case HK_F32: v = ((const float *)row)[i] * 255.0; break;
                default: v = ((const double *)row)[i] * 255.0; break;
                }
                v = v < 0 ? 0 : v > 255 ? 255 : v;
                dst[(size_t)y * g.width + x] = (uint8_t)lrint(isnan(v) ? 0 : v);
            }
        }
    }
    free(buf);
    return st;
}

hk_status hk_dataset_load_digits(const char *png, const hk_limits *limits, hk_dataset *ds)
{
    if (!ds)
        return HK_ERR_INVALID_ARG;
    memset(ds, 0, sizeof(*ds));
    if (!png)
        return HK_ERR_INVALID_ARG;
    hk_image im;
    hk_status st = hk_image_load(png, limits, &im);
    if (st != HK_OK)
        return st;
    const uint32_t sz = 20, classes = 10;
    uint32_t across = im.width / sz, down = im.height / sz;
    uint8_t *gray = NULL;
    if (im.width % sz || im.height % sz || across == 0 || down % classes)
        st = HK_ERR_FORMAT;
    if (st == HK_OK && !(gray = malloc((size_t)im.width * im.height)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK)
        st = to_gray_u8(&im, gray);
    if (st == HK_OK)
        st = hk__dataset_alloc(ds, across * down, sz, sz, classes, 1);
    if (st == HK_OK) {
        /* split2d: grid rows top to bottom, each left to right. */
        uint32_t per_class = across * down / classes;
        for (uint32_t gy = 0; gy < down; gy++)
            for (uint32_t gx = 0; gx < across; gx++) {
                uint32_t k = gy * across + gx;
                for (uint32_t y = 0; y < sz; y++)
                    memcpy(ds->pixels + ((size_t)k * sz + y) * sz,
                           gray + ((size_t)gy * sz + y) * im.width + (size_t)gx * sz, sz);
                ds->labels[k] = (int32_t)(k / per_class);
            }
    }
    free(gray);
    hk_image_free(&im);
    return st;
}

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a folder (no dot files); want_dirs picks folders or files. */
static hk_status list_dir(const char *dir, int want_dirs, name_list *out)
{
    memset(out, 0, sizeof(*out));
    DIR *d = opendir(dir);
    if (!d)
        return HK_ERR_IO;
    hk_status st = HK_OK;
    struct dirent *e;
    while (st == HK_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        int w = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (w <= 0 || (size_t)w >= sizeof path || stat(path, &sb) != 0)
            continue;
        if (want_dirs ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode))
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 64;
            char **v = realloc(out->v, cap * sizeof(char *));
            if (!v) {
                st = HK_ERR_NOMEM;
                break;
            }
            out->v = v;
            out->cap = cap;
        }
        if (!(out->v[out->n] = strdup(e->d_name)))
            st = HK_ERR_NOMEM;
        else
            out->n++;
        if (out->n > (1u << 26))
            st = HK_ERR_LIMIT;
    }
    closedir(d);
    if (st == HK_OK && out->n)
        qsort(out->v, out->n, sizeof(char *), cmp_str);
    if (st != HK_OK)
        names_free(out);
    return st;
}

hk_status hk_dataset_load_folder(const char *dir, const hk_limits *limits, hk_dataset *ds)
{
    if (!ds)
        return HK_ERR_INVALID_ARG;
    memset(ds, 0, sizeof(*ds));
    if (!dir)
        return HK_ERR_INVALID_ARG;
    name_list classes, *files = NULL;
    hk_status st = list_dir(dir, 1, &classes);
    if (st != HK_OK)
        return st;
    if (classes.n == 0 || classes.n > 65536)
        st = HK_ERR_FORMAT;
    size_t total = 0;
    if (st == HK_OK && !(files = calloc(classes.n, sizeof(name_list))))
        st = HK_ERR_NOMEM;
    for (size_t c = 0; st == HK_OK && c < classes.n; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, classes.v[c]);
        st = list_dir(path, 0, &files[c]);
        total += files[c].n;
    }
    if (st == HK_OK && (total == 0 || total > (1u << 26)))
        st = total == 0 ? HK_ERR_FORMAT : HK_ERR_LIMIT;
    uint32_t k = 0;
    for (size_t c = 0; st == HK_OK && c < classes.n; c++)
        for (size_t i = 0; st == HK_OK && i < files[c].n; i++, k++) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s/%s", dir, classes.v[c], files[c].v[i]);
            hk_image im;
            st = hk_image_load(path, limits, &im);
            if (st != HK_OK)
                break;
            if (k == 0)
                st = hk__dataset_alloc(ds, (uint32_t)total, im.width, im.height, 0, 1);
            else if (im.width != ds->width || im.height != ds->height)
                st = HK_ERR_FORMAT; /* every image of a dataset must have one size */
            if (st == HK_OK)
                st = to_gray_u8(&im, ds->pixels + (size_t)k * ds->width * ds->height);
            if (st == HK_OK)
                ds->labels[k] = (int32_t)c;
            hk_image_free(&im);
        }
    if (st == HK_OK) {
        ds->class_names = calloc(classes.n, sizeof(char *));
        if (!ds->class_names)
            st = HK_ERR_NOMEM;
        else {
            ds->n_classes = (uint32_t)classes.n;
            for (size_t c = 0; c < classes.n; c++) {
                ds->class_names[c] = classes.v[c];
                classes.v[c] = NULL;
            }
        }
    }
    if (files)
        for (size_t c = 0; c < classes.n; c++)
            names_free(&files[c]);
    free(files);
    names_free(&classes);
    if (st != HK_OK)
        hk_dataset_free(ds);
    return st;
}
