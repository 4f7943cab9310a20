/* Batches: many images of one size through per-thread contexts. Threads
 * split the images (each image whole on one thread, on one core), so a batch
 * never multiplies its threads by an image's threads. */
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/hog_internal.h"
#include "hog/lanes.h"
#include "hog/skimage_lut.h"
#include "hog/vlfeat_fast.h"
#include "simd/cpu.h"

/* Images per task: large enough to amortise handing out tasks, small enough
 * to balance; fixed, so which thread runs what never changes a result. */
#define BATCH_CHUNK 64 /* a multiple of HK_LANES_MAX */

const char *hk_simd_name(hk_simd requested)
{
    hk_simd r;
    if (hk_simd_resolve(requested, &r) != HK_OK)
        return NULL;
    switch (r) {
    case HK_SIMD_SCALAR: return "scalar";
    case HK_SIMD_AVX2: return "avx2";
    case HK_SIMD_AVX512: return "avx512";
    default: return "generic";
    }
}

hk_status hk_hog_batch_shape(const hk_hog_params *params, size_t count, uint32_t width,
                             uint32_t height, uint32_t channels, hk_shape *shape)
{
    hk_shape one;
    if (!shape)
        return HK_ERR_INVALID_ARG;
    memset(shape, 0, sizeof(*shape));
    hk_status st = hk_hog_shape(params, width, height, channels, &one);
    if (st != HK_OK)
        return st;
    shape->ndim = 2;
    shape->dims[0] = count;
    shape->dims[1] = one.count;
    if (!hk_mul_size(count, one.count, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

typedef struct batch {
    const hk_hog_params *params; /* threads = 1 */
    const hk_image *images;      /* list form, or NULL */
    hk_image first;              /* stack form */
    size_t image_bytes, count, dim;
    float *out;
    hk_hog_ctx *workers[HK_MAX_WORKERS];
    hk_status *status; /* per task */
    int direct;        /* VLFeat variants on integer samples: see run_batch */
    hk_lanes lanes;    /* image-per-lane kernel of the variant, if any */
} batch;

static hk_image batch_image(const batch *b, size_t i)
{
    if (b->images)
        return b->images[i];
    hk_image im = b->first;
    im.data = (const unsigned char *)b->first.data + i * b->image_bytes;
    return im;
}

/* Images i0 .. i1 through the variant's lanes kernel, `group` at a time. */
static hk_status lanes_task(batch *b, size_t i0, size_t i1, hk_hog_ctx *ctx)
{
    hk_image ims[HK_LANES_MAX];
    const hk_image *ptrs[HK_LANES_MAX];
    for (size_t g = i0; g < i1; g += b->lanes.group) {
        size_t n = i1 - g < b->lanes.group ? i1 - g : b->lanes.group;
        for (size_t k = 0; k < n; k++) {
            ims[k] = batch_image(b, g + k);
            ptrs[k] = &ims[k];
        }
        hk_status st = HK_OK;
        for (size_t k = 0; k < n && st == HK_OK; k++)
            st = hk_image_check(&ims[k]); /* a list's images are checked one by one */
        if (st == HK_OK)
            st = b->lanes.run(ctx, b->params, ptrs, n, b->out + g * b->dim, b->dim);
        if (st != HK_OK) { /* as hk_hog_extract: no half-written features */
            memset(b->out + g * b->dim, 0, n * b->dim * sizeof(float));
            return st;
        }
    }
    return HK_OK;
}

static void batch_task(void *arg, size_t task, int worker)
{
    batch *b = arg;
    size_t i0 = task * BATCH_CHUNK, i1 = i0 + BATCH_CHUNK;
    if (i1 > b->count)
        i1 = b->count;
    hk_status st = HK_OK;
    if (b->lanes.run) {
        b->status[task] = lanes_task(b, i0, i1, b->workers[worker]);
        return;
    }
    for (size_t i = i0; i < i1 && st == HK_OK; i++) {
        hk_image im = batch_image(b, i);
        if (!b->direct) {
            st = hk_hog_extract(b->workers[worker], b->params, &im, b->out + i * b->dim, b->dim);
            continue;
        }
        st = hk_image_check(&im);
        if (st == HK_OK)
            st = hk_vlfeat_run(b->workers[worker], b->params, &im, b->out + i * b->dim);
        if (st != HK_OK) /* as hk_hog_extract: no half-written features */
            memset(b->out + i * b->dim, 0, b->dim * sizeof(float));
    }
    b->status[task] = st;
}

static int same_geometry(const hk_image *a, const hk_image *b)
{
    return a->width == b->width && a->height == b->height && a->channels == b->channels &&
           a->type == b->type;
}

static hk_status run_batch(hk_hog_ctx *ctx, const hk_hog_params *params, batch *b,
                           size_t capacity)
{
    const hk_image *im0 = b->images ? &b->images[0] : &b->first;
    hk_shape shape;
    hk_status st = hk_hog_batch_shape(params, b->count, im0->width, im0->height, im0->channels,
                                      &shape);
    if (st != HK_OK)
        return st;
    if (capacity < shape.count)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (shape.count > 0 && !b->out)
        return HK_ERR_INVALID_ARG;
    b->dim = shape.dims[1];
    if (b->images)
        for (size_t i = 0; i < b->count; i++)
            if (!same_geometry(&b->images[i], im0))
                return HK_ERR_INVALID_ARG;
    if (b->count == 0)
        return HK_OK;

    hk_hog_params one = *params;
    one.threads = 1;
    /* the instruction set once for the batch, not once per image (getenv) */
    hk_simd isa;
    if (one.simd == HK_SIMD_AUTO && hk_simd_resolve(HK_SIMD_AUTO, &isa) == HK_OK &&
        isa != HK_SIMD_AUTO)
        one.simd = isa;
    b->params = &one;
    /* The VLFeat variants on 8/16-bit samples skip hk_hog_extract's per-image
     * work, a large share of a 28x28 image's time: the parameters and the
     * geometry were checked above for the whole batch, the samples need no
     * value check, and the output no finite check (hk_vlfeat_output_finite).
     * (The instruction set is resolved above, for every variant.) */
    b->direct = hk_vlfeat_output_finite(params, im0);
    hk_lanes_pick(&one, im0, &b->lanes);
    size_t tasks = (b->count + BATCH_CHUNK - 1) / BATCH_CHUNK;
    int threads = hk_threads_resolve(params->threads);
    if ((size_t)threads > tasks)
        threads = (int)tasks;
    if (threads > HK_MAX_WORKERS)
        threads = HK_MAX_WORKERS;

    hk_hog_ctx *own = NULL;
    if (!ctx) {
        if ((st = hk_hog_ctx_new(&own)) != HK_OK)
            return st;
        ctx = own;
    }
    b->status = calloc(tasks, sizeof(hk_status));
    st = b->status ? HK_OK : HK_ERR_NOMEM;
    /* Tables of the 8-bit path pay off over a batch even for small images. */
    int eager = (uint64_t)im0->width * im0->height * b->count >= HK_LUT_MIN_PIXELS;
    for (int w = 0; w < threads && st == HK_OK; w++) {
        b->workers[w] = hk_ctx_worker(ctx, w);
        if (!b->workers[w])
            st = HK_ERR_NOMEM;
        else
            b->workers[w]->lut_eager = eager;
    }
    if (st == HK_OK) {
        hk_parallel_run(threads, tasks, batch_task, b);
        for (size_t t = 0; t < tasks && st == HK_OK; t++)
            st = b->status[t];
    }
    free(b->status);
    hk_hog_ctx_free(own);
    return st;
}

hk_status hk_hog_extract_batch(hk_hog_ctx *ctx, const hk_hog_params *params,
                               const hk_image *images, size_t count, float *out, size_t capacity)
{
    if (!params || (count > 0 && !images))
        return HK_ERR_INVALID_ARG;
    if (count == 0)
        return hk_hog_params_check(params);
    batch b;
    memset(&b, 0, sizeof(b));
    b.images = images;
    b.count = count;
    b.out = out;
    return run_batch(ctx, params, &b, capacity);
}

hk_status hk_hog_extract_stack(hk_hog_ctx *ctx, const hk_hog_params *params,
                               const hk_image *first, size_t image_bytes, size_t count,
                               float *out, size_t capacity)
{
    if (!params || !first)
        return HK_ERR_INVALID_ARG;
    hk_status st = hk_image_check(first);
    if (st != HK_OK)
        return st;
    if (count == 0)
        return hk_hog_params_check(params);
    /* every image must be addressable: data + (count-1) * image_bytes + span */
    size_t ss = hk_sample_size(first->type), last, span, row;
    if (!hk_mul_size(count - 1, image_bytes, &last) ||
        !hk_mul_size(first->height - 1, first->stride, &span) ||
        !hk_mul_size((size_t)first->width * first->channels, ss, &row) ||
        !hk_add_size(span, row, &span) || !hk_add_size(last, span, &last) ||
        (uintptr_t)first->data > UINTPTR_MAX - last || image_bytes % ss != 0 ||
        (count > 1 && image_bytes < span))
        return HK_ERR_INVALID_ARG;
    batch b;
    memset(&b, 0, sizeof(b));
    b.first = *first;
    b.image_bytes = image_bytes;
    b.count = count;
    b.out = out;
    return run_batch(ctx, params, &b, capacity);
}
