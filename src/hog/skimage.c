/*
 * scikit-image variant: reproduces skimage.feature.hog of scikit-image 0.19.3.
 *
 * The reference, step by step (spec: shared/spec/hog-variants.md section 1):
 *  1. integer images become float64, float32 stays float32 ("working type");
 *     transform_sqrt takes sqrt in that type;
 *  2. g_row = I(y+1,x) - I(y-1,x), g_col = I(y,x+1) - I(y,x-1) in the working
 *     type, zero on the first/last row (g_row) and first/last column (g_col);
 *  3. colour: per pixel the channel with the largest hypot(g_row, g_col),
 *     computed in the working type, first channel on ties;
 *  4. gradients are cast to float64; magnitude = hypot, angle =
 *     rad2deg(atan2(g_row, g_col)) mod 180 (NumPy's mod, so tiny negative
 *     angles become exactly 180 and fall in no bin);
 *  5. bin i takes i*w <= angle < (i+1)*w with w = 180.0/n, both bounds double;
 *     each cell sums its pixels per bin in a C float (each add done in
 *     double, then rounded), then divides by the cell area in float;
 *  6. blocks of cells (stride one cell) normalised in double (block_norm.c);
 *  7. layout (n_blocks_row, n_blocks_col, block_rows, block_cols, n).
 *
 * Work is done one image row at a time, so memory is the cell histograms plus
 * two rows of gradients, whatever the image size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"
#include "hog/skimage_bins.h"

hk_status hk_skimage_shape(const hk_skimage_params *p, uint32_t width, uint32_t height,
                           hk_shape *shape)
{
    long n_cells_r = (long)(height / (uint32_t)p->cell_rows);
    long n_cells_c = (long)(width / (uint32_t)p->cell_cols);
    long n_blocks_r = n_cells_r - p->block_rows + 1;
    long n_blocks_c = n_cells_c - p->block_cols + 1;
    /* skimage 0.19.3 returns an empty array for 0 blocks and fails inside
     * NumPy ("negative dimensions") below that: we give a clear error. */
    if (n_blocks_r < 0 || n_blocks_c < 0)
        return HK_ERR_TOO_SMALL;
    shape->ndim = 5;
    shape->dims[0] = (size_t)n_blocks_r;
    shape->dims[1] = (size_t)n_blocks_c;
    shape->dims[2] = (size_t)p->block_rows;
    shape->dims[3] = (size_t)p->block_cols;
    shape->dims[4] = (size_t)p->orientations;
    if (!hk_mul_sizes(shape->dims, 5, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* One sample in the working type, as a double (exact), sqrt applied. */
static inline double work_sample(const hk_image *im, size_t x, size_t y, unsigned c,
                                 int f32, int use_sqrt)
{
    double v = hk_sample_at(im, x, y, c);
    if (!use_sqrt)
        return v;
    return f32 ? (double)sqrtf((float)v) : sqrt(v);
}

/* Gradient of one channel at (x, y) in the working type, returned as double. */
static inline void channel_gradient(const hk_image *im, size_t x, size_t y, unsigned c,
                                    int f32, int use_sqrt, double *g_row, double *g_col)
{
    double r = 0, q = 0;
    if (y > 0 && y + 1 < im->height) {
        double a = work_sample(im, x, y + 1, c, f32, use_sqrt);
        double b = work_sample(im, x, y - 1, c, f32, use_sqrt);
        r = f32 ? (double)((float)a - (float)b) : a - b;
    }
    if (x > 0 && x + 1 < im->width) {
        double a = work_sample(im, x + 1, y, c, f32, use_sqrt);
        double b = work_sample(im, x - 1, y, c, f32, use_sqrt);
        q = f32 ? (double)((float)a - (float)b) : a - b;
    }
    *g_row = r;
    *g_col = q;
}

/* Gradient of the strongest channel at (x, y) (skimage's argmax: first wins). */
static void pixel_gradient(const hk_image *im, size_t x, size_t y, int f32, int use_sqrt,
                           double *g_row, double *g_col)
{
    channel_gradient(im, x, y, 0, f32, use_sqrt, g_row, g_col);
    if (im->channels == 1)
        return;
    double best = f32 ? (double)hypotf((float)*g_row, (float)*g_col) : hypot(*g_row, *g_col);
    for (unsigned c = 1; c < im->channels; c++) {
        double r, q;
        channel_gradient(im, x, y, c, f32, use_sqrt, &r, &q);
        double m = f32 ? (double)hypotf((float)r, (float)q) : hypot(r, q);
        if (m > best) {
            best = m;
            *g_row = r;
            *g_col = q;
        }
    }
}

/* Cell histograms (n_cells_r x n_cells_c x n, double) of skimage's stage 5. */
static void cell_histograms(const hk_skimage_params *p, const hk_image *im, size_t n_cells_r,
                            size_t n_cells_c, float *acc, double *hist)
{
    const int n = p->orientations;
    const size_t cr = (size_t)p->cell_rows, cc = (size_t)p->cell_cols;
    const int f32 = im->type == HK_F32;
    const float area = (float)(p->cell_rows * p->cell_cols);
    const size_t row_len = n_cells_c * (size_t)n;

    for (size_t r = 0; r < n_cells_r; r++) {
        memset(acc, 0, row_len * sizeof(float));
        for (size_t y = r * cr; y < (r + 1) * cr; y++) {
            for (size_t x = 0; x < n_cells_c * cc; x++) {
                double g_row, g_col;
                pixel_gradient(im, x, y, f32, p->transform_sqrt, &g_row, &g_col);
                int b = hk_skimage_bin(hk_skimage_angle(g_row, g_col), n);
                if (b < 0)
                    continue;
                float *a = &acc[(x / cc) * (size_t)n + (size_t)b];
                *a = (float)((double)*a + hypot(g_col, g_row));
            }
        }
        double *h = hist + r * row_len;
        for (size_t i = 0; i < row_len; i++)
            h[i] = (double)(acc[i] / area);
    }
}

hk_status hk_skimage_extract(hk_hog_ctx *ctx, const hk_skimage_params *p, const hk_image *im,
                             float *out)
{
    const size_t n = (size_t)p->orientations;
    const size_t n_cells_r = im->height / (uint32_t)p->cell_rows;
    const size_t n_cells_c = im->width / (uint32_t)p->cell_cols;
    const size_t br = (size_t)p->block_rows, bc = (size_t)p->block_cols;
    const size_t nbr = n_cells_r - br + 1, nbc = n_cells_c - bc + 1;

    /* scratch: cell histograms (double), one row of float accumulators, one block */
    size_t hist_n, acc_n, block_n, bytes;
    if (!hk_mul_size(n_cells_r * n_cells_c, n, &hist_n) || !hk_mul_size(n_cells_c, n, &acc_n) ||
        !hk_mul_size(br * bc, n, &block_n))
        return HK_ERR_OVERFLOW;
    size_t doubles = hist_n + block_n;
    if (!hk_mul_size(doubles, sizeof(double), &bytes) ||
        !hk_add_size(bytes, acc_n * sizeof(float), &bytes))
        return HK_ERR_OVERFLOW;
    double *hist = hk_ctx_scratch(ctx, bytes);
    if (!hist)
        return HK_ERR_NOMEM;
    double *block = hist + hist_n;
    float *acc = (float *)(block + block_n);

    cell_histograms(p, im, n_cells_r, n_cells_c, acc, hist);

    for (size_t r = 0; r < nbr; r++) {
        for (size_t c = 0; c < nbc; c++) {
            double *v = block;
            for (size_t i = 0; i < br; i++) {
                memcpy(v, hist + ((r + i) * n_cells_c + c) * n, bc * n * sizeof(double));
                v += bc * n;
            }
            hk_skimage_normalize_block(block, block_n, p->block_norm);
            float *o = out + (r * nbc + c) * block_n;
            for (size_t i = 0; i < block_n; i++)
                o[i] = (float)block[i];
        }
    }
    return HK_OK;
}

/* Stage 5 alone, for hk_skimage_render: the un-normalised cell histograms
 * (n_cells_r x n_cells_c x n, double) that skimage draws with visualize=True. */
hk_status hk_skimage_cells(const hk_skimage_params *p, const hk_image *im, double *hist)
{
    const size_t n_cells_r = im->height / (uint32_t)p->cell_rows;
    const size_t n_cells_c = im->width / (uint32_t)p->cell_cols;
    size_t acc_n;
    if (!hk_mul_size(n_cells_c + 1, (size_t)p->orientations, &acc_n) ||
        acc_n > SIZE_MAX / sizeof(float))
        return HK_ERR_OVERFLOW;
    float *acc = malloc(acc_n * sizeof(float));
    if (!acc)
        return HK_ERR_NOMEM;
    cell_histograms(p, im, n_cells_r, n_cells_c, acc, hist);
    free(acc);
    return HK_OK;
}
