/* Per-thread worker contexts kept by a context, so threaded calls and batches
 * reuse their scratch instead of allocating per image. */
#include <stdlib.h>

#include "hog/dlib_fast.h"
#include "hog/opencv_fast.h"
#include "hog/opencv_lanes.h"
#include "hog/skimage_lut.h"
#include "hog/vlfeat_fast.h"

#include "hog/hog_internal.h"

hk_hog_ctx *hk_ctx_worker(hk_hog_ctx *ctx, int i)
{
    if (i < 0 || i >= HK_MAX_WORKERS)
        return NULL;
    if (!ctx->workers[i] && hk_hog_ctx_new(&ctx->workers[i]) != HK_OK)
        return NULL;
    return ctx->workers[i];
}

void hk_ctx_workers_free(hk_hog_ctx *ctx)
{
    for (int i = 0; i < HK_MAX_WORKERS; i++) {
        hk_hog_ctx_free(ctx->workers[i]);
        ctx->workers[i] = NULL;
    }
    hk_skimage_lut_free(ctx->skimage_lut);
    ctx->skimage_lut = NULL;
    hk_dlib_tables_free(ctx->dlib_tables);
    ctx->dlib_tables = NULL;
    hk_vlf_tables_free(ctx->vlf_tables);
    ctx->vlf_tables = NULL;
    hk_ocv_plan_free(ctx->ocv_plan);
    ctx->ocv_plan = NULL;
    hk_ocv_lanes_plan_free(ctx->ocv_lanes);
    ctx->ocv_lanes = NULL;
}
