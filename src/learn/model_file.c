/* Model files. Layout (little-endian):
 *   "HKMODEL\n" | u32 format version (2) | u64 payload bytes | payload | u32 CRC-32 of payload
 * payload: learner parameters, dim, classes, scaling, the pipeline (feature
 * parameters, image size, class names) and the learner's blob. Written
 * through hk_atomic_write (whole or nothing); read with every size checked
 * against what is left, so a foreign, truncated or corrupt file is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common/atomic_file.h"
#include "learn/model_internal.h"

static const uint8_t magic[8] = {'H', 'K', 'M', 'O', 'D', 'E', 'L', '\n'};
#define HK_MODEL_VERSION 2u /* 2: tree learners' blobs start with the PCA prefix */
#define HK_MODEL_MAX_BYTES ((uint64_t)1 << 36)

static void w_i(hk__wbuf *w, int v) { hk__w_u32(w, (uint32_t)v); }
static int r_i(hk__rbuf *r) { return (int)hk__r_u32(r); }

static void w_features(hk__wbuf *w, const hk_feature_params *f)
{
    w_i(w, f->kind);
    w_i(w, f->deskew);
    const hk_hog_params *h = &f->hog;
    w_i(w, h->variant);
    w_i(w, h->threads);
    w_i(w, h->simd);
    const hk_skimage_params *s = &h->skimage;
    int sk[] = {s->orientations, s->cell_rows, s->cell_cols, s->block_rows, s->block_cols,
                s->block_norm, s->transform_sqrt};
    for (size_t i = 0; i < sizeof sk / sizeof sk[0]; i++)
        w_i(w, sk[i]);
    const hk_opencv_params *o = &h->opencv;
    int oc[] = {o->win_width, o->win_height, o->block_width, o->block_height,
                o->block_stride_x, o->block_stride_y, o->cell_width, o->cell_height, o->nbins,
                o->gamma_correction, o->signed_gradient, o->win_stride_x, o->win_stride_y,
                o->pad_x, o->pad_y};
    for (size_t i = 0; i < sizeof oc / sizeof oc[0]; i++)
        w_i(w, oc[i]);
    hk__w_f64(w, o->win_sigma);
    hk__w_f64(w, o->l2hys_threshold);
    w_i(w, h->vlfeat.cell_size);
    w_i(w, h->vlfeat.orientations);
    w_i(w, h->vlfeat.bilinear_orientations);
    w_i(w, h->dlib.cell_size);
    w_i(w, h->dlib.filter_rows_padding);
    w_i(w, h->dlib.filter_cols_padding);
    const hk_maskfeat_params *m = &h->maskfeat;
    int mf[] = {m->nbins, m->pool, m->gaussian_window, m->patch, m->normalize};
    for (size_t i = 0; i < sizeof mf / sizeof mf[0]; i++)
        w_i(w, mf[i]);
    const hk_lbp_params *l = &f->lbp;
    w_i(w, l->points);
    hk__w_f64(w, l->radius);
    w_i(w, l->method);
    w_i(w, l->cell_rows);
    w_i(w, l->cell_cols);
    w_i(w, l->var_bins);
    hk__w_f64(w, l->var_max);
    const hk_gabor_params *g = &f->gabor;
    w_i(w, g->n_frequencies);
    for (int i = 0; i < HK_GABOR_MAX_FREQUENCIES; i++)
        hk__w_f64(w, g->frequencies[i]);
    w_i(w, g->n_orientations);
    hk__w_f64(w, g->bandwidth);
    hk__w_f64(w, g->n_stds);
    w_i(w, g->cell_rows);
    w_i(w, g->cell_cols);
}

static void r_features(hk__rbuf *r, hk_feature_params *f)
{
    memset(f, 0, sizeof(*f));
    f->kind = (hk_feature_kind)r_i(r);
    f->deskew = r_i(r);
    hk_hog_params *h = &f->hog;
    h->variant = (hk_variant)r_i(r);
    h->threads = r_i(r);
    h->simd = (hk_simd)r_i(r);
    hk_skimage_params *s = &h->skimage;
    s->orientations = r_i(r);
    s->cell_rows = r_i(r);
    s->cell_cols = r_i(r);
    s->block_rows = r_i(r);
    s->block_cols = r_i(r);
    s->block_norm = (hk_block_norm)r_i(r);
    s->transform_sqrt = r_i(r);
    hk_opencv_params *o = &h->opencv;
    int *oc[] = {&o->win_width, &o->win_height, &o->block_width, &o->block_height,
                 &o->block_stride_x, &o->block_stride_y, &o->cell_width, &o->cell_height,
                 &o->nbins, &o->gamma_correction, &o->signed_gradient, &o->win_stride_x,
                 &o->win_stride_y, &o->pad_x, &o->pad_y};
    for (size_t i = 0; i < sizeof oc / sizeof oc[0]; i++)
        *oc[i] = r_i(r);
    o->win_sigma = hk__r_f64(r);
    o->l2hys_threshold = hk__r_f64(r);
    h->vlfeat.cell_size = r_i(r);
    h->vlfeat.orientations = r_i(r);
    h->vlfeat.bilinear_orientations = r_i(r);
    h->dlib.cell_size = r_i(r);
    h->dlib.filter_rows_padding = r_i(r);
    h->dlib.filter_cols_padding = r_i(r);
    hk_maskfeat_params *m = &h->maskfeat;
    int *mf[] = {&m->nbins, &m->pool, &m->gaussian_window, &m->patch, &m->normalize};
    for (size_t i = 0; i < sizeof mf / sizeof mf[0]; i++)
        *mf[i] = r_i(r);
    hk_lbp_params *l = &f->lbp;
    l->points = r_i(r);
    l->radius = hk__r_f64(r);
    l->method = (hk_lbp_method)r_i(r);
    l->cell_rows = r_i(r);
    l->cell_cols = r_i(r);
    l->var_bins = r_i(r);
    l->var_max = hk__r_f64(r);
    hk_gabor_params *g = &f->gabor;
    g->n_frequencies = r_i(r);
    for (int i = 0; i < HK_GABOR_MAX_FREQUENCIES; i++)
        g->frequencies[i] = hk__r_f64(r);
    g->n_orientations = r_i(r);
    g->bandwidth = hk__r_f64(r);
    g->n_stds = hk__r_f64(r);
    g->cell_rows = r_i(r);
    g->cell_cols = r_i(r);
}

static void w_learner(hk__wbuf *w, const hk_learner_params *p)
{
    w_i(w, p->kind);
    hk__w_f64(w, p->C);
    hk__w_f64(w, p->gamma);
    w_i(w, p->k);
    w_i(w, p->distance_weighted);
    w_i(w, p->trees);
    w_i(w, p->max_depth);
    hk__w_f64(w, p->eta);
    hk__w_f64(w, p->subsample);
    hk__w_f64(w, p->colsample);
    w_i(w, p->standardize);
    w_i(w, p->threads);
    hk__w_u32(w, p->seed);
}

static void r_learner(hk__rbuf *r, hk_learner_params *p)
{
    p->kind = (hk_learner_kind)r_i(r);
    p->C = hk__r_f64(r);
    p->gamma = hk__r_f64(r);
    p->k = r_i(r);
    p->distance_weighted = r_i(r);
    p->trees = r_i(r);
    p->max_depth = r_i(r);
    p->eta = hk__r_f64(r);
    p->subsample = hk__r_f64(r);
    p->colsample = hk__r_f64(r);
    p->standardize = r_i(r);
    p->threads = r_i(r);
    p->seed = hk__r_u32(r);
}

hk_status hk_model_save(const hk_model *m, const char *path)
{
    if (!m || !path)
        return HK_ERR_INVALID_ARG;
    hk__wbuf w = {0};
    w_learner(&w, &m->learner);
    hk__w_u64(&w, m->dim);
    hk__w_u32(&w, m->n_classes);
    hk__w_u32(&w, (uint32_t)m->scaled);
    for (size_t j = 0; j < m->dim; j++) {
        hk__w_f64(&w, m->mean[j]);
        hk__w_f64(&w, m->scale[j]);
    }
    hk__w_u32(&w, (uint32_t)m->has_pipeline);
    if (m->has_pipeline) {
        w_features(&w, &m->features);
        hk__w_u32(&w, m->width);
        hk__w_u32(&w, m->height);
        for (uint32_t c = 0; c < m->n_classes; c++) {
            size_t n = strlen(m->class_names[c]);
            hk__w_u32(&w, (uint32_t)n);
            hk__w_bytes(&w, m->class_names[c], n);
        }
    }
    hk__w_u64(&w, m->blob.size);
    hk__w_bytes(&w, m->blob.data, m->blob.size);
    if (w.failed) {
        free(w.data);
        return HK_ERR_NOMEM;
    }
    uint8_t head[20], tail[4];
    memcpy(head, magic, 8);
    hk__wbuf h = {0};
    hk__w_u32(&h, HK_MODEL_VERSION);
    hk__w_u64(&h, w.size);
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < w.size;) {
        uInt chunk = w.size - off > (1u << 30) ? (1u << 30) : (uInt)(w.size - off);
        crc = crc32(crc, w.data + off, chunk);
        off += chunk;
    }
    hk__wbuf t = {0};
    hk__w_u32(&t, (uint32_t)crc);
    hk_status st = HK_ERR_NOMEM;
    if (!h.failed && !t.failed) {
        memcpy(head + 8, h.data, 12);
        memcpy(tail, t.data, 4);
        const void *chunks[3] = {head, w.data, tail};
        size_t sizes[3] = {20, w.size, 4};
        st = hk_atomic_write(path, chunks, sizes, 3);
    }
    free(h.data);
    free(t.data);
    free(w.data);
    return st;
}

static hk_status parse(const uint8_t *p, size_t size, hk_model *m)
{
    hk__rbuf r = {.data = p, .size = size};
    r_learner(&r, &m->learner);
    uint64_t dim = hk__r_u64(&r);
    m->n_classes = hk__r_u32(&r);
    m->scaled = (int)hk__r_u32(&r);
    if (r.failed || hk__learner_check(&m->learner) != HK_OK || dim < 1 || dim > (1u << 24) ||
        dim > size / 16 || m->n_classes < 2 || m->n_classes > 65536 || m->scaled > 1)
        return HK_ERR_FORMAT;
    m->dim = (size_t)dim;
    m->mean = malloc(m->dim * sizeof(double));
    m->scale = malloc(m->dim * sizeof(double));
    if (!m->mean || !m->scale)
        return HK_ERR_NOMEM;
    for (size_t j = 0; j < m->dim; j++) {
        m->mean[j] = hk__r_f64(&r);
        m->scale[j] = hk__r_f64(&r);
        if (!(m->scale[j] > 0) || m->mean[j] != m->mean[j])
            return HK_ERR_FORMAT;
    }
    m->has_pipeline = (int)hk__r_u32(&r);
    if (r.failed || m->has_pipeline > 1)
        return HK_ERR_FORMAT;
    if (m->has_pipeline) {
        r_features(&r, &m->features);
        m->width = hk__r_u32(&r);
        m->height = hk__r_u32(&r);
        size_t fdim;
        if (r.failed || hk_features_dim(&m->features, m->width, m->height, &fdim) != HK_OK ||
            fdim != m->dim)
            return HK_ERR_FORMAT;
        if (m->n_classes > size - r.pos)
            return HK_ERR_FORMAT;
        m->class_names = calloc(m->n_classes, sizeof(char *));
        if (!m->class_names)
            return HK_ERR_NOMEM;
        for (uint32_t c = 0; c < m->n_classes; c++) {
            uint32_t n = hk__r_u32(&r);
            const uint8_t *s = n <= 4096 ? hk__r_bytes(&r, n) : NULL;
            if (!s || memchr(s, 0, n))
                return HK_ERR_FORMAT;
            if (!(m->class_names[c] = malloc((size_t)n + 1)))
                return HK_ERR_NOMEM;
            memcpy(m->class_names[c], s, n);
            m->class_names[c][n] = 0;
        }
    }
    uint64_t bsize = hk__r_u64(&r);
    if (r.failed || bsize != size - r.pos || bsize == 0)
        return HK_ERR_FORMAT;
    m->blob.data = malloc((size_t)bsize);
    if (!m->blob.data)
        return HK_ERR_NOMEM;
    memcpy(m->blob.data, p + r.pos, (size_t)bsize);
    m->blob.size = (size_t)bsize;
    return HK_OK;
}

hk_status hk_model_load(const char *path, hk_model **out)
{
    if (!out)
        return HK_ERR_INVALID_ARG;
    *out = NULL;
    if (!path)
        return HK_ERR_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    uint8_t head[20];
    hk_status st = HK_OK;
    size_t got = fread(head, 1, 20, f);
    if (got < 8 || memcmp(head, magic, 8) != 0)
        st = HK_ERR_FORMAT;
    else if (got < 20)
        st = HK_ERR_TRUNCATED;
    hk__rbuf hr = {.data = head + 8, .size = 12};
    uint32_t version = hk__r_u32(&hr);
    uint64_t size = hk__r_u64(&hr);
    if (st == HK_OK && version != HK_MODEL_VERSION)
        st = HK_ERR_UNSUPPORTED;
    if (st == HK_OK && size > HK_MODEL_MAX_BYTES)
        st = HK_ERR_LIMIT;
    struct stat sb;
    if (st == HK_OK && (fstat(fileno(f), &sb) != 0 || (uint64_t)sb.st_size < 24 + size))
        st = HK_ERR_TRUNCATED;
    if (st == HK_OK && (uint64_t)sb.st_size > 24 + size)
        st = HK_ERR_FORMAT;
    uint8_t *payload = NULL, tail[4];
    if (st == HK_OK && !(payload = malloc(size ? (size_t)size : 1)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK && (fread(payload, 1, (size_t)size, f) != size || fread(tail, 1, 4, f) != 4))
        st = HK_ERR_TRUNCATED;
    fclose(f);
    if (st == HK_OK) {
        uLong crc = crc32(0L, Z_NULL, 0);
        for (size_t off = 0; off < size;) {
            uInt chunk = size - off > (1u << 30) ? (1u << 30) : (uInt)(size - off);
            crc = crc32(crc, payload + off, chunk);
            off += chunk;
        }
        hk__rbuf tr = {.data = tail, .size = 4};
        if (hk__r_u32(&tr) != (uint32_t)crc)
            st = HK_ERR_FORMAT;
    }
    hk_model *m = NULL;
    if (st == HK_OK)
        st = hk__model_new(&m);
    if (st == HK_OK)
        st = parse(payload, (size_t)size, m);
    free(payload);
    if (st != HK_OK) {
        hk_model_free(m);
        return st;
    }
    *out = m;
    return HK_OK;
}
