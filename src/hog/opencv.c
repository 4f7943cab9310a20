/*
 * OpenCV variant: reproduces cv::HOGDescriptor::compute of OpenCV 4.6 (the
 * CPU path every NumPy/Mat input takes). This file holds the parameters,
 * the geometry, and the public entry points; the stages are in
 * opencv_grad.c (gradient, votes) and opencv_block.c (blocks, grid).
 * The design (block grid, windows as views) is described in opencv.h.
 */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "common/parallel.h"
#include "hog/hog_internal.h"
#include "hog/opencv.h"
#include "hog/opencv_fast.h"
#include "simd/cpu.h"

/* Bounds that keep every int product below far from overflow. */
#define OCV_MAX_SIDE 65536   /* window, strides, padding, cell */
#define OCV_MAX_BLOCK 4096   /* block side: the pixel table is block_w*block_h */
#define OCV_MAX_BINS 256     /* bins are stored in a byte, as OpenCV's qangle */
#define OCV_MAX_BLOCK_LEN (1L << 24) /* floats in one block histogram */

static int gcd(int a, int b)
{
    while (b > 0) {
        int r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static int in_range(int v, int lo, int hi)
{
    return v >= lo && v <= hi;
}

hk_status hk_ocv_params_check(const hk_opencv_params *p)
{
    if (!in_range(p->win_width, 1, OCV_MAX_SIDE) || !in_range(p->win_height, 1, OCV_MAX_SIDE) ||
        !in_range(p->block_width, 1, OCV_MAX_BLOCK) ||
        !in_range(p->block_height, 1, OCV_MAX_BLOCK) ||
        !in_range(p->block_stride_x, 1, OCV_MAX_SIDE) ||
        !in_range(p->block_stride_y, 1, OCV_MAX_SIDE) ||
        !in_range(p->cell_width, 1, OCV_MAX_BLOCK) || !in_range(p->cell_height, 1, OCV_MAX_BLOCK) ||
        !in_range(p->nbins, 1, OCV_MAX_BINS))
        return HK_ERR_INVALID_ARG;
    /* getDescriptorSize's asserts, plus a block that fits in the window
     * (OpenCV lets a larger one through and then describes nothing) */
    if (p->block_width % p->cell_width != 0 || p->block_height % p->cell_height != 0 ||
        p->block_width > p->win_width || p->block_height > p->win_height ||
        (p->win_width - p->block_width) % p->block_stride_x != 0 ||
        (p->win_height - p->block_height) % p->block_stride_y != 0)
        return HK_ERR_INVALID_ARG;
    /* OpenCV's normalisation loads 4 floats at once: fewer crash it; the
     * upper bound keeps in-block offsets in an int */
    long block_len =
        (long)p->nbins * (p->block_width / p->cell_width) * (p->block_height / p->cell_height);
    if (block_len < 4 || block_len > OCV_MAX_BLOCK_LEN)
        return HK_ERR_INVALID_ARG;
    if (!isfinite(p->win_sigma) || !isfinite(p->l2hys_threshold))
        return HK_ERR_INVALID_ARG;
    if ((p->gamma_correction != 0 && p->gamma_correction != 1) ||
        (p->signed_gradient != 0 && p->signed_gradient != 1))
        return HK_ERR_INVALID_ARG;
    /* winStride: both 0 (= cellSize) or both positive; OpenCV divides by
     * zero on a half-empty size */
    int ws_zero = p->win_stride_x == 0 && p->win_stride_y == 0;
    if (!ws_zero && (!in_range(p->win_stride_x, 1, OCV_MAX_SIDE) ||
                     !in_range(p->win_stride_y, 1, OCV_MAX_SIDE)))
        return HK_ERR_INVALID_ARG;
    if (!in_range(p->pad_x, 0, OCV_MAX_SIDE) || !in_range(p->pad_y, 0, OCV_MAX_SIDE))
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

/* Fills every field that does not depend on the image. */
static void geometry_params(const hk_opencv_params *p, hk_ocv_geometry *g)
{
    memset(g, 0, sizeof(*g));
    g->win_w = p->win_width;
    g->win_h = p->win_height;
    g->block_w = p->block_width;
    g->block_h = p->block_height;
    g->bstride_x = p->block_stride_x;
    g->bstride_y = p->block_stride_y;
    g->cell_w = p->cell_width;
    g->cell_h = p->cell_height;
    g->nbins = p->nbins;
    g->wstride_x = p->win_stride_x ? p->win_stride_x : p->cell_width;
    g->wstride_y = p->win_stride_y ? p->win_stride_y : p->cell_height;
    g->cs_x = gcd(g->wstride_x, g->bstride_x);
    g->cs_y = gcd(g->wstride_y, g->bstride_y);
    /* alignSize(padding, cacheStride) = (pad + cs - 1) & -cs: a power-of-two
     * round-up, so for other strides (e.g. cs = 3) the result is not always
     * a multiple of cs (2 -> 4 for cs 3); reproduced as is */
    g->pad_x = (p->pad_x + g->cs_x - 1) & -g->cs_x;
    g->pad_y = (p->pad_y + g->cs_y - 1) & -g->cs_y;
    g->signed_gradient = p->signed_gradient;
    g->gamma_correction = p->gamma_correction;
    /* getWinSigma() is double, HOGCache casts it to float */
    g->sigma = (float)(p->win_sigma > 0 ? p->win_sigma
                                        : (p->block_width + p->block_height) / 8.);
    g->threshold = (float)p->l2hys_threshold;
    g->ncells_x = (size_t)(p->block_width / p->cell_width);
    g->ncells_y = (size_t)(p->block_height / p->cell_height);
    g->nblocks_x = (size_t)((p->win_width - p->block_width) / p->block_stride_x + 1);
    g->nblocks_y = (size_t)((p->win_height - p->block_height) / p->block_stride_y + 1);
    g->block_len = (size_t)p->nbins * g->ncells_x * g->ncells_y;
    g->desc_len = g->block_len * g->nblocks_x * g->nblocks_y;
}

hk_status hk_ocv_geometry_init(const hk_opencv_params *p, uint32_t width, uint32_t height,
                               hk_ocv_geometry *g)
{
    geometry_params(p, g);
    g->width = width;
    g->height = height;
    g->pwidth = (size_t)width + 2 * (size_t)g->pad_x;
    g->pheight = (size_t)height + 2 * (size_t)g->pad_y;
    /* OpenCV's window count truncates toward zero, so a padded image up to
     * one stride smaller than the window still gets a window that reads
     * outside the gradient buffer: refused here */
    if (g->pwidth < (size_t)g->win_w || g->pheight < (size_t)g->win_h)
        return HK_ERR_TOO_SMALL;
    g->nwin_x = (g->pwidth - (size_t)g->win_w) / (size_t)g->wstride_x + 1;
    g->nwin_y = (g->pheight - (size_t)g->win_h) / (size_t)g->wstride_y + 1;
    g->grid_x = ((g->nwin_x - 1) * (size_t)g->wstride_x + (size_t)(g->win_w - g->block_w)) /
                    (size_t)g->cs_x + 1;
    g->grid_y = ((g->nwin_y - 1) * (size_t)g->wstride_y + (size_t)(g->win_h - g->block_h)) /
                    (size_t)g->cs_y + 1;
    return HK_OK;
}

hk_status hk_ocv_shape(const hk_opencv_params *p, uint32_t width, uint32_t height,
                       uint32_t channels, hk_shape *shape)
{
    if (channels != 1 && channels != 3)
        return HK_ERR_UNSUPPORTED;
    hk_ocv_geometry g;
    hk_status st = hk_ocv_geometry_init(p, width, height, &g);
    if (st != HK_OK)
        return st;
    size_t n;
    if (!hk_mul_size(g.nwin_x, g.nwin_y, &n) || !hk_mul_size(n, g.desc_len, &shape->count))
        return HK_ERR_OVERFLOW;
    shape->ndim = 1;
    shape->dims[0] = shape->count;
    return HK_OK;
}

/* OpenCV takes CV_8UC1 and CV_8UC3 only. */
static hk_status check_image_kind(const hk_image *im)
{
    if (im->type != HK_U8 || (im->channels != 1 && im->channels != 3))
        return HK_ERR_UNSUPPORTED;
    return HK_OK;
}

/* 1 when `simd` (after HK_SIMD and the CPU are consulted) selects the AVX2
 * path: AVX2, or AVX-512 (which has AVX2; the variant has no AVX-512 code). */
static int want_avx2(hk_simd simd)
{
    hk_simd r;
    if (hk_simd_resolve(simd, &r) != HK_OK)
        return 0;
    return (r == HK_SIMD_AVX2 || r == HK_SIMD_AVX512) && hk_ocv_avx2_usable();
}

/* HK_OK when every value of v[0 .. n) is finite, else HK_ERR_DOMAIN: the
 * front end promises finite output, and a hostile threshold or winSigma can
 * overflow OpenCV's arithmetic. The AVX2 path checks its values as it
 * stores them; this pass is the scalar path's. */
static hk_status finite_or_domain(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return HK_ERR_DOMAIN;
    return HK_OK;
}

/* Copies every window of a grid to out, row-major over the padded image. */
static void copy_windows(const hk_ocv_geometry *g, const float *grid, float *out)
{
    for (size_t iy = 0; iy < g->nwin_y; iy++)
        for (size_t ix = 0; ix < g->nwin_x; ix++)
            hk_ocv_window_copy(g, grid, ix, iy, out + (iy * g->nwin_x + ix) * g->desc_len);
}

/* The window copies of one call, a row of windows per task. */
typedef struct copy_job {
    const hk_ocv_geometry *g;
    const float *grid;
    float *out;
} copy_job;

static void copy_task(void *arg, size_t iy, int worker)
{
    const copy_job *j = arg;
    (void)worker;
    for (size_t ix = 0; ix < j->g->nwin_x; ix++)
        hk_ocv_window_copy(j->g, j->grid, ix, iy,
                           j->out + (iy * j->g->nwin_x + ix) * j->g->desc_len);
}

/* Fewer floats than this are copied on the calling thread. */
#define COPY_MIN_PER_THREAD ((size_t)1 << 18)

/* copy_windows on up to `threads` threads (copies: the same bytes). */
static void copy_windows_threads(const hk_ocv_geometry *g, const float *grid, float *out,
                                 int threads)
{
    const size_t n = g->nwin_x * g->nwin_y * g->desc_len; /* fits: hk_ocv_shape */
    if ((size_t)threads > n / COPY_MIN_PER_THREAD)
        threads = (int)(n / COPY_MIN_PER_THREAD);
    if (threads < 2 || g->nwin_y < 2) {
        copy_windows(g, grid, out);
        return;
    }
    copy_job j = {g, grid, out};
    hk_parallel_run(threads, g->nwin_y, copy_task, &j);
}

hk_status hk_ocv_extract_simd(hk_hog_ctx *ctx, const hk_opencv_params *p, hk_simd simd,
                              const hk_image *im, float *out)
{
    return hk_ocv_extract_threads(ctx, p, simd, 1, im, out);
}

hk_status hk_ocv_extract_threads(hk_hog_ctx *ctx, const hk_opencv_params *p, hk_simd simd,
                                 int threads, const hk_image *im, float *out)
{
    hk_status st = check_image_kind(im);
    if (st != HK_OK)
        return st;
    hk_ocv_geometry g;
    if ((st = hk_ocv_geometry_init(p, im->width, im->height, &g)) != HK_OK)
        return st;
    if (simd == HK_SIMD_SCALAR || !want_avx2(simd))
        return hk_ocv_extract(ctx, p, im, out);
    /* one window whose blocks are the grid (the whole-image case): the
     * blocks go straight to their places in the descriptor, x outer */
    if (g.nwin_x == 1 && g.nwin_y == 1 && g.bstride_x == g.cs_x && g.bstride_y == g.cs_y) {
        st = hk_ocv_avx2_grid_threads(ctx, &g, im, out, g.nblocks_y * g.block_len, g.block_len,
                                      NULL, hk_threads_resolve(threads));
    } else {
        float *grid = NULL;
        if ((st = hk_ocv_avx2_grid_threads(ctx, &g, im, NULL, 0, 0, &grid,
                                           hk_threads_resolve(threads))) == HK_OK)
            copy_windows_threads(&g, grid, out, hk_threads_resolve(threads));
    }
    /* a geometry whose working memory the fast path will not take
     * (hk_ocv_avx2_fits; nothing written) */
    if (st == HK_ERR_UNSUPPORTED)
        return hk_ocv_extract(ctx, p, im, out);
    return st;
}

hk_status hk_ocv_extract(hk_hog_ctx *ctx, const hk_opencv_params *p, const hk_image *im,
                         float *out)
{
    hk_status st = check_image_kind(im);
    if (st != HK_OK)
        return st;
    hk_ocv_geometry g;
    if ((st = hk_ocv_geometry_init(p, im->width, im->height, &g)) != HK_OK)
        return st;
    size_t grid_n;
    if ((st = hk_ocv_grid_count(&g, &grid_n)) != HK_OK)
        return st;
    hk_ocv_work w;
    if ((st = hk_ocv_work_init(ctx, &g, grid_n, &w)) != HK_OK)
        return st;
    hk_ocv_gradient(&g, im, &w);
    hk_ocv_fill_grid(&g, &w, w.extra);
    copy_windows(&g, w.extra, out);
    return finite_or_domain(w.extra, grid_n);
}

/* ---- public entry points of this variant ---- */

hk_status hk_opencv_descriptor_size(const hk_opencv_params *params, size_t *size)
{
    if (!params || !size)
        return HK_ERR_INVALID_ARG;
    hk_status st = hk_ocv_params_check(params);
    if (st != HK_OK)
        return st;
    hk_ocv_geometry g;
    geometry_params(params, &g);
    *size = g.desc_len;
    return HK_OK;
}

hk_status hk_opencv_compute_locations(hk_hog_ctx *ctx, const hk_hog_params *params,
                                      const hk_image *im, const int32_t *xy,
                                      size_t n_locations, float *out, size_t capacity)
{
    if (!params || params->variant != HK_VARIANT_OPENCV)
        return HK_ERR_INVALID_ARG;
    hk_status st = hk_hog_params_check(params);
    if (st != HK_OK || (st = hk_image_check(im)) != HK_OK)
        return st;
    if ((st = check_image_kind(im)) != HK_OK)
        return st;
    const hk_opencv_params *p = &params->opencv;
    hk_ocv_geometry g;
    geometry_params(p, &g);
    size_t need;
    if (!hk_mul_size(n_locations, g.desc_len, &need))
        return HK_ERR_OVERFLOW;
    if (capacity < need)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (n_locations == 0)
        return HK_OK;
    if (!xy || !out)
        return HK_ERR_INVALID_ARG;
    memset(out, 0, need * sizeof(float));
    st = hk_ocv_geometry_init(p, im->width, im->height, &g);
    if (st == HK_ERR_TOO_SMALL)
        return HK_OK; /* no window fits: every location is out of range */
    if (st != HK_OK)
        return st;

    hk_hog_ctx *own = NULL;
    if (!ctx) {
        if ((st = hk_hog_ctx_new(&own)) != HK_OK)
            return st;
        ctx = own;
    }
    hk_ocv_work w;
    st = hk_ocv_work_init(ctx, &g, 0, &w);
    if (st == HK_OK) {
        hk_ocv_gradient(&g, im, &w);
        /* the range OpenCV accepts, in image coordinates */
        const long x_lo = -(long)g.pad_x, y_lo = -(long)g.pad_y;
        const long x_hi = (long)g.width + g.pad_x - g.win_w;
        const long y_hi = (long)g.height + g.pad_y - g.win_h;
        for (size_t i = 0; i < n_locations; i++) {
            long x = xy[2 * i], y = xy[2 * i + 1];
            if (x < x_lo || x > x_hi || y < y_lo || y > y_hi)
                continue; /* left as zeros, as OpenCV does */
            float *desc = out + i * g.desc_len;
            for (size_t bx = 0; bx < g.nblocks_x; bx++)
                for (size_t by = 0; by < g.nblocks_y; by++)
                    hk_ocv_block(&g, &w, (size_t)(x - x_lo) + bx * (size_t)g.bstride_x,
                                 (size_t)(y - y_lo) + by * (size_t)g.bstride_y,
                                 desc + (bx * g.nblocks_y + by) * g.block_len);
        }
    }
    hk_hog_ctx_free(own);
    return st;
}
