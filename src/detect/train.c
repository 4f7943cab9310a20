/* Training a linear HOG detector: descriptors of positive crops (resized to
 * the window) and random negative windows, a linear SVM (liblinear, L2-loss
 * dual), then rounds of hard-negative mining (false detections of the
 * current detector on the negative images, added to the training set) and
 * retraining. The result is an OpenCV-layout detector with the bias last. */
#include <linear.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "detect/detector.h"
#include "detect/level.h"
#include "detect/resize.h"

void hk_train_params_default(hk_train_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    p->hog = hp.opencv;
    p->neg_per_image = 10;
    p->mining_rounds = 2;
    p->max_hard_per_image = 20;
    p->C = 0.1;
    p->seed = 1;
    p->max_samples = 6000;
    hk_detect_params_default(&p->detect);
    p->detect.grouping = HK_GROUP_NONE;
    /* mine every window inside the SVM margin, not only outright mistakes */
    p->detect.hit_threshold = -1.0;
}

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* 8-bit image packed to 1 or 3 channels (alpha dropped). */
typedef struct packed {
    uint8_t *p;
    int w, h, cn;
} packed;

static hk_status pack(const hk_image *im, packed *o)
{
    if (hk_image_check(im) != HK_OK || im->type != HK_U8 || im->channels < 1 || im->channels > 4)
        return HK_ERR_UNSUPPORTED;
    if (im->width > 1u << 16 || im->height > 1u << 16)
        return HK_ERR_LIMIT;
    int cn = im->channels >= 3 ? 3 : 1;
    o->w = (int)im->width;
    o->h = (int)im->height;
    o->cn = cn;
    o->p = malloc((size_t)o->w * o->h * cn + 1);
    if (!o->p)
        return HK_ERR_NOMEM;
    for (int y = 0; y < o->h; y++) {
        const uint8_t *s = (const uint8_t *)im->data + (size_t)y * im->stride;
        for (int x = 0; x < o->w; x++)
            for (int c = 0; c < cn; c++)
                o->p[((size_t)y * o->w + x) * cn + c] = s[(size_t)x * im->channels + c];
    }
    return HK_OK;
}

typedef struct set {
    float *x;       /* n rows of d floats */
    double *y;
    size_t n, cap, d;
} set;

static float *set_add(set *s, double label)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        size_t bytes;
        if (!hk_mul_size(nc, s->d * sizeof(float), &bytes))
            return NULL;
        float *nx = realloc(s->x, bytes);
        if (!nx)
            return NULL;
        s->x = nx;
        double *ny = realloc(s->y, nc * sizeof *ny);
        if (!ny)
            return NULL;
        s->y = ny;
        s->cap = nc;
    }
    s->y[s->n] = label;
    return s->x + s->d * s->n++;
}

/* Descriptor of the window whose top-left block is grid (gx, gy). */
static void window_from_grid(const hk_level_plan *p, const float *grid, int nbx, int gx, int gy,
                             float *out)
{
    for (int bx = 0; bx < p->nbx_w; bx++)
        for (int by = 0; by < p->nby_w; by++, out += p->hist)
            memcpy(out, grid + ((size_t)(gy + by * p->bky) * nbx + gx + bx * p->bkx) * p->hist,
                   sizeof(float) * p->hist);
}

/* Descriptor of a region of an image, resized to the window (bilinear). */
static hk_status region_desc(const hk_level_plan *p, const packed *im, int x, int y, int w, int h,
                             hk_level_scratch *scr, float *out)
{
    const hk_opencv_params *g = &p->det->hog;
    int ww = g->win_width, wh = g->win_height;
    uint8_t *buf = malloc((size_t)ww * wh * im->cn + hk__resize_scratch(w, ww, wh, im->cn) + 64);
    if (!buf)
        return HK_ERR_NOMEM;
    void *rs = (void *)(((uintptr_t)(buf + (size_t)ww * wh * im->cn) + 31) & ~(uintptr_t)31);
    const uint8_t *src = im->p + ((size_t)y * im->w + x) * im->cn;
    hk__resize_u8(src, w, h, (size_t)im->w * im->cn, im->cn, buf, ww, wh, rs);
    float *grid = NULL;
    int nbx, nby;
    hk_status st = hk__level_blocks(p, buf, ww, wh, im->cn, (size_t)ww * im->cn, scr, &grid, &nbx, &nby);
    if (st == HK_OK && grid)
        window_from_grid(p, grid, nbx, 0, 0, out);
    free(grid);
    free(buf);
    return st;
}

static void quiet(const char *s)
{
    (void)s;
}

/* Trains on the set; writes desc_len weights and the bias into coef. */
static hk_status fit(const set *s, double C, size_t d, float *coef)
{
    size_t per = d + 2, nodes;
    if (!hk_mul_size(s->n, per, &nodes))
        return HK_ERR_OVERFLOW;
    struct feature_node *space = malloc(nodes * sizeof *space);
    struct feature_node **rows = malloc(s->n * sizeof *rows);
    if (!space || !rows) {
        free(space);
        free(rows);
        return HK_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct feature_node *r = space + i * per;
        rows[i] = r;
        for (size_t k = 0; k < d; k++) {
            r[k].index = (int)k + 1;
            r[k].value = s->x[i * d + k];
        }
        r[d].index = (int)d + 1; /* the bias feature */
        r[d].value = 1.0;
        r[d + 1].index = -1;
    }
    struct problem prob;
    prob.l = (int)s->n;
    prob.n = (int)d + 1;
    prob.y = s->y;
    prob.x = rows;
    prob.bias = 1.0;
    struct parameter par;
    memset(&par, 0, sizeof par);
    par.solver_type = L2R_L2LOSS_SVC_DUAL;
    par.eps = 0.01;
    par.C = C;
    /* liblinear prints progress to stdout unless told otherwise */
    set_print_string_function(quiet);
    hk_status st = HK_OK;
    if (check_parameter(&prob, &par)) {
        st = HK_ERR_INVALID_ARG;
    } else {
        struct model *m = train(&prob, &par);
        if (!m) {
            st = HK_ERR_NOMEM;
        } else {
            int labels[2];
            get_labels(m, labels);
            int li = labels[0] == 1 ? 0 : 1;
            for (size_t k = 0; k < d; k++)
                coef[k] = (float)get_decfun_coef(m, (int)k + 1, li);
            /* with prob.bias = 1 the model's last weight is the bias */
            coef[d] = (float)get_decfun_coef(m, (int)d + 1, li);
            free_and_destroy_model(&m);
        }
    }
    free(space);
    free(rows);
    return st;
}

hk_status hk_detector_train(const hk_train_params *params, const hk_image *pos, size_t npos,
                            const hk_image *neg, size_t nneg, hk_detector **out)
{
    if (!params || !out || (!pos && npos) || (!neg && nneg))
        return HK_ERR_INVALID_ARG;
    *out = NULL;
    if (!npos || !nneg)
        return HK_ERR_INVALID_ARG;
    if (params->neg_per_image < 0 || params->mining_rounds < 0 || params->max_hard_per_image < 0 ||
        !(params->C > 0 && params->C < 1e6) || params->max_samples < 2)
        return HK_ERR_INVALID_ARG;
    hk_detector_limits lim;
    hk_detector_limits_default(&lim);
    size_t d;
    hk_status st = hk__detector_geometry(&params->hog, lim.max_window, &d);
    if (st != HK_OK)
        return st;
    if (d > lim.max_coefficients || d > (1u << 24))
        return HK_ERR_LIMIT;
    float *coef = calloc(d + 1, sizeof *coef);
    if (!coef)
        return HK_ERR_NOMEM;
    /* A detector with zero weights gives the geometry to the block code. */
    hk_detector *det = NULL;
    st = hk__detector_make(&params->hog, 1, 0, 64, coef, d + 1, &det);
    if (st != HK_OK)
        return st;
    hk_detect_params dp = params->detect;
    dp.pad_x = dp.pad_y = 0;
    dp.win_stride_x = dp.win_stride_y = 0;
    hk_level_plan plan;
    if ((st = hk__plan_init(&plan, det, &dp)) != HK_OK) {
        hk_detector_free(det);
        return st;
    }
    set s = {NULL, NULL, 0, 0, d};
    hk_level_scratch scr = {0, 0};
    uint64_t rng = params->seed;
    size_t maxn = (size_t)params->max_samples;
    packed im = {0};
    /* positives: the whole image, resized to the window */
    for (size_t i = 0; i < npos && st == HK_OK && s.n < maxn / 2; i++) {
        if ((st = pack(&pos[i], &im)) != HK_OK)
            break;
        float *row = set_add(&s, 1.0);
        st = row ? region_desc(&plan, &im, 0, 0, im.w, im.h, &scr, row) : HK_ERR_NOMEM;
        free(im.p);
        im.p = NULL;
    }
    /* random negatives from the block grid of each negative image */
    for (size_t i = 0; i < nneg && st == HK_OK; i++) {
        if ((st = pack(&neg[i], &im)) != HK_OK)
            break;
        float *grid = NULL;
        int nbx = 0, nby = 0;
        st = hk__level_blocks(&plan, im.p, im.w, im.h, im.cn, (size_t)im.w * im.cn, &scr, &grid,
                              &nbx, &nby);
        int spanx = (plan.nbx_w - 1) * plan.bkx + 1, spany = (plan.nby_w - 1) * plan.bky + 1;
        if (st == HK_OK && grid && nbx >= spanx && nby >= spany)
            for (int k = 0; k < params->neg_per_image && s.n < maxn; k++) {
                int gx = (int)(next_rand(&rng) % (uint64_t)(nbx - spanx + 1));
                int gy = (int)(next_rand(&rng) % (uint64_t)(nby - spany + 1));
                float *row = set_add(&s, -1.0);
                if (!row) {
                    st = HK_ERR_NOMEM;
                    break;
                }
                window_from_grid(&plan, grid, nbx, gx, gy, row);
            }
        free(grid);
        free(im.p);
        im.p = NULL;
    }
    if (st == HK_OK)
        st = fit(&s, params->C, d, det->coef);
    /* hard negatives: every window the detector fires on is a mistake */
    hk_box *boxes = NULL;
    size_t cap = 0;
    for (int round = 0; round < params->mining_rounds && st == HK_OK; round++) {
        size_t added = 0;
        for (size_t i = 0; i < nneg && st == HK_OK && s.n < maxn; i++) {
            size_t n = 0;
            st = hk_detector_detect(det, &dp, &neg[i], boxes, cap, &n);
            if (st == HK_ERR_BUFFER_TOO_SMALL) {
                hk_box *nb = realloc(boxes, n * sizeof *nb);
                if (!nb) {
                    st = HK_ERR_NOMEM;
                    break;
                }
                boxes = nb;
                cap = n;
                st = hk_detector_detect(det, &dp, &neg[i], boxes, cap, &n);
            }
            if (st != HK_OK || n == 0)
                continue;
            if ((st = pack(&neg[i], &im)) != HK_OK)
                break;
            size_t take = n < (size_t)params->max_hard_per_image ? n : (size_t)params->max_hard_per_image;
            for (size_t k = 0; k < take && st == HK_OK && s.n < maxn; k++) {
                float *row = set_add(&s, -1.0);
                st = row ? region_desc(&plan, &im, boxes[k].x, boxes[k].y, boxes[k].w, boxes[k].h,
                                       &scr, row)
                         : HK_ERR_NOMEM;
                added++;
            }
            free(im.p);
            im.p = NULL;
        }
        if (st == HK_OK && added)
            st = fit(&s, params->C, d, det->coef);
        if (!added)
            break;
    }
    free(boxes);
    free(scr.p);
    free(s.x);
    free(s.y);
    hk__plan_free(&plan);
    if (st != HK_OK) {
        hk_detector_free(det);
        return st;
    }
    *out = det;
    return HK_OK;
}
