/* cv::HOGDescriptor::detectMultiScale: the pyramid, levels on threads, and
 * grouping. Levels are independent; each thread takes the next unclaimed
 * level and keeps its own scratch, and hits are merged in level order, so
 * the result never depends on the number of threads. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/checked.h"
#include "detect/group.h"
#include "detect/level.h"
#include "detect/resize.h"

void hk_detect_params_default(hk_detect_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->hit_threshold = 0;
    p->scale = 1.05;
    p->group_threshold = 2;
    p->grouping = HK_GROUP_OPENCV;
    p->eps = 0.2;
    p->nms_iou = 0.5;
    p->threads = 0;
    p->simd = HK_SIMD_AUTO;
}

/* cvRound: half to even (the default rounding mode). */
static int cv_round(double v)
{
    return (int)nearbyint(v);
}

typedef struct job {
    const hk_level_plan *plan;
    const uint8_t *img;
    int w, h, cn;
    size_t stride;
    const double *scales;
    int nlevels;
    hk_hits *hits;        /* one list per level */
    hk_status *status;    /* one per level */
    atomic_int next;
} job;

static void run_level(job *jb, int i, hk_level_scratch *scr, uint8_t **buf, size_t *bufcap)
{
    double scale = jb->scales[i];
    int sw = cv_round(jb->w / scale), sh = cv_round(jb->h / scale);
    const uint8_t *src = jb->img;
    size_t stride = jb->stride;
    if ((sw != jb->w || sh != jb->h) && jb->plan->simd_grad) {
        /* streamed: each level row is resized when the gradients need it */
        size_t row = (size_t)sw * jb->cn;
        size_t need = row + hk__resize_scratch(jb->w, sw, sh, jb->cn) + 128;
        if (*bufcap < need) {
            free(*buf);
            *buf = malloc(need);
            *bufcap = *buf ? need : 0;
            if (!*buf) {
                jb->status[i] = HK_ERR_NOMEM;
                return;
            }
        }
        uint8_t *rowbuf = *buf;
        void *rs = (void *)(((uintptr_t)(rowbuf + row) + 31) & ~(uintptr_t)31);
        hk_resize_rows rr;
        hk__resize_rows_init_avx2(&rr, jb->img, jb->w, jb->h, jb->stride, jb->cn, sw, sh, rs);
        jb->status[i] = hk__detect_level_rows(jb->plan, NULL, sw, sh, jb->cn, 0, &rr, rowbuf, scr,
                                              &jb->hits[i]);
        return;
    }
    if (sw != jb->w || sh != jb->h) {
        size_t pix = (size_t)sw * sh * jb->cn;
        size_t need = pix + hk__resize_scratch(jb->w, sw, sh, jb->cn) + 64;
        if (*bufcap < need) {
            free(*buf);
            *buf = malloc(need);
            *bufcap = *buf ? need : 0;
            if (!*buf) {
                jb->status[i] = HK_ERR_NOMEM;
                return;
            }
        }
        uint8_t *dst = *buf;
        void *rs = (void *)(((uintptr_t)(dst + pix) + 31) & ~(uintptr_t)31);
        if (jb->plan->simd)
            hk__resize_u8_avx2(jb->img, jb->w, jb->h, jb->stride, jb->cn, dst, sw, sh, rs);
        else
            hk__resize_u8(jb->img, jb->w, jb->h, jb->stride, jb->cn, dst, sw, sh, rs);
        src = dst;
        stride = (size_t)sw * jb->cn;
    }
    jb->status[i] = hk__detect_level(jb->plan, src, sw, sh, jb->cn, stride, scr, &jb->hits[i]);
}

static void *worker(void *arg)
{
    job *jb = arg;
    hk_level_scratch scr = {0, 0};
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (;;) {
        int i = atomic_fetch_add(&jb->next, 1);
        if (i >= jb->nlevels)
            break;
        run_level(jb, i, &scr, &buf, &cap);
    }
    free(scr.p);
    free(buf);
    return NULL;
}

static int ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* Packs an RGBA or grey+alpha image without its alpha (OpenCV's HOG takes
 * 1 or 3 channels). */
static hk_status drop_alpha(const hk_image *im, uint8_t **out, int *cn)
{
    int c = im->channels == 2 ? 1 : 3;
    size_t n;
    if (!hk_mul_size((size_t)im->width * im->height, (size_t)c, &n))
        return HK_ERR_OVERFLOW;
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return HK_ERR_NOMEM;
    for (uint32_t y = 0; y < im->height; y++) {
        const uint8_t *s = (const uint8_t *)im->data + y * im->stride;
        uint8_t *d = p + (size_t)y * im->width * c;
        for (uint32_t x = 0; x < im->width; x++)
            for (int k = 0; k < c; k++)
                d[x * c + k] = s[x * im->channels + k];
    }
    *out = p;
    *cn = c;
    return HK_OK;
}

hk_status hk_detector_detect(const hk_detector *det, const hk_detect_params *params,
                             const hk_image *image, hk_box *boxes, size_t capacity,
                             size_t *count)
{
    if (!det || !image || !count || (!boxes && capacity))
        return HK_ERR_INVALID_ARG;
    *count = 0;
    hk_detect_params dp;
    if (params)
        dp = *params;
    else
        hk_detect_params_default(&dp);
    hk_status st = hk_image_check(image);
    if (st != HK_OK)
        return st;
    if (image->type != HK_U8 || image->channels < 1 || image->channels > 4)
        return HK_ERR_UNSUPPORTED;
    if (!(dp.scale == dp.scale) || dp.scale > 100 || !(fabs(dp.hit_threshold) < 1e300) ||
        !(fabs(dp.group_threshold) < 1e9) || !(dp.eps >= 0 && dp.eps < 1e6) ||
        !(dp.nms_iou >= 0 && dp.nms_iou <= 1) || dp.nlevels < 0 || dp.nlevels > 4096 ||
        dp.threads < 0 || dp.win_stride_x < 0 || dp.win_stride_y < 0 ||
        (unsigned)dp.grouping > HK_GROUP_NONE)
        return HK_ERR_INVALID_ARG;
    if (image->width > 1u << 20 || image->height > 1u << 20 ||
        (uint64_t)image->width * image->height > (uint64_t)1 << 28)
        return HK_ERR_LIMIT;
    if (dp.simd == HK_SIMD_SCALAR)
        dp.simd = HK_SIMD_SCALAR;

    const hk_opencv_params *g = &det->hog;
    int w = (int)image->width, h = (int)image->height;
    /* OpenCV's level list: keep scaling while the image still holds a window. */
    int nlev_max = dp.nlevels > 0 ? dp.nlevels : det->nlevels;
    double *scales = malloc(sizeof(double) * (size_t)(nlev_max + 1));
    if (!scales)
        return HK_ERR_NOMEM;
    int levels = 0;
    double scale = 1.0;
    for (levels = 0; levels < nlev_max; levels++) {
        scales[levels] = scale;
        if (cv_round(w / scale) < g->win_width || cv_round(h / scale) < g->win_height ||
            dp.scale <= 1)
            break;
        scale *= dp.scale;
    }
    if (levels < 1)
        levels = 1;

    hk_level_plan plan;
    st = hk__plan_init(&plan, det, &dp);
    if (st != HK_OK) {
        free(scales);
        return st;
    }
    uint8_t *packed = NULL;
    int cn = (int)image->channels;
    const uint8_t *pix = image->data;
    size_t stride = image->stride;
    if (cn == 2 || cn == 4) {
        st = drop_alpha(image, &packed, &cn);
        pix = packed;
        stride = (size_t)w * cn;
    }
    job jb;
    memset(&jb, 0, sizeof jb);
    jb.plan = &plan;
    jb.img = pix;
    jb.w = w;
    jb.h = h;
    jb.cn = cn;
    jb.stride = stride;
    jb.scales = scales;
    jb.nlevels = levels;
    jb.hits = calloc((size_t)levels, sizeof *jb.hits);
    jb.status = calloc((size_t)levels, sizeof *jb.status);
    atomic_init(&jb.next, 0);
    if (st == HK_OK && (!jb.hits || !jb.status))
        st = HK_ERR_NOMEM;
    if (st == HK_OK) {
        int nt = dp.threads > 0 ? dp.threads : ncpu();
        if (nt > levels)
            nt = levels;
        pthread_t tid[256];
        int started = 0;
        for (int t = 1; t < nt && t < 256; t++)
            if (pthread_create(&tid[started], NULL, worker, &jb) == 0)
                started++;
        worker(&jb);
        for (int t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        for (int i = 0; i < levels && st == HK_OK; i++)
            st = jb.status[i];
    }
    hk_cand *cand = NULL;
    hk_box *res = NULL;
    size_t ncand = 0, nres = 0;
    if (st == HK_OK) {
        for (int i = 0; i < levels; i++)
            ncand += jb.hits[i].n;
        cand = malloc((ncand ? ncand : 1) * sizeof *cand);
        res = malloc((ncand ? ncand : 1) * sizeof *res);
        if (!cand || !res)
            st = HK_ERR_NOMEM;
    }
    if (st == HK_OK) {
        size_t k = 0;
        for (int i = 0; i < levels; i++) {
            double s = scales[i];
            int ww = cv_round(g->win_width * s), wh = cv_round(g->win_height * s);
            for (size_t j = 0; j < jb.hits[i].n; j++, k++) {
                cand[k].x = cv_round(jb.hits[i].v[j].x * s);
                cand[k].y = cv_round(jb.hits[i].v[j].y * s);
                cand[k].w = ww;
                cand[k].h = wh;
                cand[k].score = jb.hits[i].v[j].score;
                cand[k].scale = s;
            }
        }
        switch (dp.grouping) {
        case HK_GROUP_OPENCV:
            nres = hk__group_opencv(cand, ncand, (int)dp.group_threshold, dp.eps, res, &st);
            break;
        case HK_GROUP_MEANSHIFT:
            nres = hk__group_meanshift(cand, ncand, dp.group_threshold, g->win_width,
                                       g->win_height, res, &st);
            break;
        case HK_GROUP_NMS:
            nres = hk__group_nms(cand, ncand, dp.nms_iou, res, &st);
            break;
        case HK_GROUP_NONE:
            nres = hk__group_opencv(cand, ncand, 0, dp.eps, res, &st);
            break;
        }
    }
    if (st == HK_OK) {
        nres = hk__clip_boxes(res, nres, w, h);
        hk__sort_boxes(res, nres);
        size_t m = nres < capacity ? nres : capacity;
        if (m)
            memcpy(boxes, res, m * sizeof *boxes);
        *count = nres;
        if (nres > capacity)
            st = HK_ERR_BUFFER_TOO_SMALL;
    }
    if (jb.hits)
        for (int i = 0; i < levels; i++)
            free(jb.hits[i].v);
    free(jb.hits);
    free(jb.status);
    free(cand);
    free(res);
    free(packed);
    free(scales);
    hk__plan_free(&plan);
    return st;
}
