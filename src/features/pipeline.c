/* One descriptor per dataset image (HOG, LBP or Gabor), for the recognition
 * pipeline. Threads take fixed contiguous chunks of a batch, so results do
 * not depend on the thread count; progress is reported between batches from
 * the calling thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/checked.h"
#include "features/features_internal.h"

#define HK_FEAT_BATCH 2048
#define HK_FEAT_MAX_THREADS 64

void hk_feature_params_default(hk_feature_params *p, hk_feature_kind kind)
{
    if (!p)
        return;
    memset(p, 0, sizeof(*p));
    p->kind = kind;
    hk_hog_params_default(&p->hog, HK_VARIANT_SKIMAGE);
    p->hog.threads = 1; /* the pipeline parallelises across images */
    hk_lbp_params_default(&p->lbp);
    hk_gabor_params_default(&p->gabor);
}

const char *hk_feature_name(hk_feature_kind kind)
{
    switch (kind) {
    case HK_FEATURE_HOG: return "hog";
    case HK_FEATURE_LBP: return "lbp";
    case HK_FEATURE_GABOR: return "gabor";
    }
    return "unknown";
}

hk_status hk_features_dim(const hk_feature_params *p, uint32_t width, uint32_t height,
                          size_t *dim)
{
    if (!p || !dim)
        return HK_ERR_INVALID_ARG;
    hk_shape s;
    hk_status st;
    switch (p->kind) {
    case HK_FEATURE_HOG: st = hk_hog_shape(&p->hog, width, height, 1, &s); break;
    case HK_FEATURE_LBP: st = hk_lbp_shape(&p->lbp, width, height, &s); break;
    case HK_FEATURE_GABOR: st = hk_gabor_shape(&p->gabor, width, height, &s); break;
    default: return HK_ERR_INVALID_ARG;
    }
    if (st != HK_OK)
        return st;
    if (s.count == 0)
        return HK_ERR_TOO_SMALL;
    *dim = s.count;
    return HK_OK;
}

typedef struct job {
    const hk_feature_params *p;
    const hk_dataset *ds;
    size_t dim;
    float *out;
    uint32_t first, count;
    hk_status st;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    hk_hog_ctx *ctx = NULL;
    j->st = HK_OK;
    if (j->p->kind == HK_FEATURE_HOG && (j->st = hk_hog_ctx_new(&ctx)) != HK_OK)
        return NULL;
    size_t px = (size_t)j->ds->width * j->ds->height;
    uint8_t *tmp = NULL;
    if (j->p->deskew && !(tmp = malloc(px))) {
        hk_hog_ctx_free(ctx);
        j->st = HK_ERR_NOMEM;
        return NULL;
    }
    for (uint32_t i = j->first; j->st == HK_OK && i < j->first + j->count; i++) {
        hk_image im = {.width = j->ds->width, .height = j->ds->height, .channels = 1,
                       .type = HK_U8, .stride = j->ds->width, .data = j->ds->pixels + i * px};
        if (tmp) {
            j->st = hk_deskew_u8(j->ds->pixels + i * px, j->ds->width, j->ds->height, tmp);
            im.data = tmp;
            if (j->st != HK_OK)
                break;
        }
        float *o = j->out + (size_t)i * j->dim;
        switch (j->p->kind) {
        case HK_FEATURE_HOG: j->st = hk_hog_extract(ctx, &j->p->hog, &im, o, j->dim); break;
        case HK_FEATURE_LBP: j->st = hk_lbp_extract(&j->p->lbp, &im, o, j->dim); break;
        default: j->st = hk_gabor_extract(&j->p->gabor, &im, o, j->dim); break;
        }
    }
    free(tmp);
    hk_hog_ctx_free(ctx);
    return NULL;
}

hk_status hk_features_extract(const hk_feature_params *p, const hk_dataset *ds, int threads,
                              float *out, size_t capacity, hk_progress_fn progress, void *user)
{
    if (!p || !ds || threads < 0 || (ds->count && !ds->pixels))
        return HK_ERR_INVALID_ARG;
    size_t dim, total;
    hk_status st = hk_features_dim(p, ds->width, ds->height, &dim);
    if (st != HK_OK)
        return st;
    if (!hk_mul_size(dim, ds->count, &total))
        return HK_ERR_OVERFLOW;
    if (capacity < total)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (total && !out)
        return HK_ERR_INVALID_ARG;
    int nt = threads;
    if (nt == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        nt = c > 0 ? (int)c : 1;
    }
    if (nt > HK_FEAT_MAX_THREADS)
        nt = HK_FEAT_MAX_THREADS;
    job jobs[HK_FEAT_MAX_THREADS];
    pthread_t tid[HK_FEAT_MAX_THREADS];
    for (uint32_t b0 = 0; st == HK_OK && b0 < ds->count; b0 += HK_FEAT_BATCH) {
        uint32_t bn = ds->count - b0 < HK_FEAT_BATCH ? ds->count - b0 : HK_FEAT_BATCH;
        int used = 0;
        uint32_t per = (bn + (uint32_t)nt - 1) / (uint32_t)nt;
        for (int t = 0; t < nt; t++) {
            uint32_t first = b0 + (uint32_t)t * per;
            if (first >= b0 + bn)
                break;
            uint32_t cnt = b0 + bn - first < per ? b0 + bn - first : per;
            jobs[t] = (job){p, ds, dim, out, first, cnt, HK_OK};
            used++;
        }
        int started = 0;
        for (int t = 1; t < used; t++) {
            if (pthread_create(&tid[t], NULL, run_job, &jobs[t]) != 0)
                break;
            started = t;
        }
        run_job(&jobs[0]);
        /* Chunks whose thread could not start run here. */
        for (int t = started + 1; t < used; t++)
            run_job(&jobs[t]);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        for (int t = 0; t < used; t++)
            if (jobs[t].st != HK_OK && st == HK_OK)
                st = jobs[t].st;
        if (progress)
            progress(user, (size_t)b0 + bn, ds->count);
    }
    return st;
}
