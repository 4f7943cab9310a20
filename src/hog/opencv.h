/*
 * OpenCV variant, internal interface: reproduces cv::HOGDescriptor::compute of
 * OpenCV 4.6 (CPU path). Spec: shared/spec/hog-variants.md section 2.
 *
 * The computation is split the way a detector wants it:
 *
 *  1. geometry (hk_ocv_geometry_init): every size derived from the
 *     parameters and the image size, checked once. The padding is rounded
 *     with OpenCV's alignSize to the "cache stride" cs = gcd(winStride,
 *     blockStride) per axis ((pad + cs - 1) & -cs), and the padded image is
 *     W + 2*pad_x by H + 2*pad_y. Everything below is in padded coordinates.
 *  2. gradient (hk_ocv_gradient): for every pixel of the padded image
 *     (reflect-101 borders) two weighted votes, mag*(1-f) and mag*f, and
 *     their two bins, like OpenCV's grad/qangle matrices.
 *  3. block grid (hk_ocv_block_grid): the normalised histogram of the block
 *     whose top-left corner is at padded pixel (gx*cs_x, gy*cs_y), for
 *     gx < grid_x, gy < grid_y, stored row-major by block:
 *         grid[(gy*grid_x + gx)*block_len + k]
 *     with k in OpenCV's in-block order (cells x outer, y inner, then bin).
 *     Every block any window uses is on this grid, because window origins
 *     are multiples of winStride and block offsets multiples of blockStride,
 *     both multiples of cs. The grid stops at the last block the last window
 *     uses.
 *  4. windows are views over the grid: block (bx, by) of window (ix, iy) is
 *     grid block
 *         gx = ix*(win_stride_x/cs_x) + bx*(block_stride_x/cs_x),
 *         gy = iy*(win_stride_y/cs_y) + by*(block_stride_y/cs_y)
 *     (hk_ocv_window_copy builds one descriptor; a linear SVM can instead
 *     dot its weights with the grid blocks directly). When the window stride
 *     is a multiple of the block stride, cs = block stride and the step is
 *     simply (win_stride/block_stride, 1) grid blocks.
 *
 * A block is computed exactly once however many windows share it, which is
 * what OpenCV's own block cache achieves; values do not depend on which
 * window asks, so the result equals OpenCV's.
 *
 * Memory: the gradient of the padded image (10 bytes per padded pixel), the
 * per-block pixel table (block_w*block_h entries) and the grid
 * (grid_x*grid_y*block_len floats); all sizes overflow-checked.
 */
#ifndef HK_HOG_OPENCV_H
#define HK_HOG_OPENCV_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Derived sizes of one computation (image + parameters). */
typedef struct hk_ocv_geometry {
    int win_w, win_h;            /* winSize */
    int block_w, block_h;        /* blockSize */
    int bstride_x, bstride_y;    /* blockStride */
    int cell_w, cell_h;          /* cellSize */
    int nbins;
    int wstride_x, wstride_y;    /* winStride, 0 resolved to cellSize */
    int cs_x, cs_y;              /* gcd(winStride, blockStride): grid step */
    int pad_x, pad_y;            /* padding after alignSize(pad, cs) */
    int signed_gradient, gamma_correction;
    float sigma;                 /* Gaussian window sigma (winSigma or (bw+bh)/8) */
    float threshold;             /* L2HysThreshold as float */
    size_t width, height;        /* image */
    size_t pwidth, pheight;      /* padded image */
    size_t ncells_x, ncells_y;   /* cells per block */
    size_t nblocks_x, nblocks_y; /* blocks per window */
    size_t block_len;            /* nbins * ncells_x * ncells_y */
    size_t desc_len;             /* block_len * nblocks_x * nblocks_y (getDescriptorSize) */
    size_t nwin_x, nwin_y;       /* windows over the padded image */
    size_t grid_x, grid_y;       /* blocks on the grid (see above) */
} hk_ocv_geometry;

/* Parameter checks of getDescriptorSize and the ranges hogkit supports
 * (HK_ERR_INVALID_ARG). */
hk_status hk_ocv_params_check(const hk_opencv_params *p);

/* Fills g for a width x height image (after hk_ocv_params_check).
 * HK_ERR_TOO_SMALL when the padded image is smaller than the window (OpenCV
 * gives one window that reads outside its buffer, or errors); HK_ERR_OVERFLOW
 * when a size does not fit. */
hk_status hk_ocv_geometry_init(const hk_opencv_params *p, uint32_t width, uint32_t height,
                               hk_ocv_geometry *g);

/* hk_hog_shape for this variant: (nwindows * desc_len,). */
hk_status hk_ocv_shape(const hk_opencv_params *p, uint32_t width, uint32_t height,
                       uint32_t channels, hk_shape *shape);

/* Number of floats of the block grid. */
hk_status hk_ocv_grid_count(const hk_ocv_geometry *g, size_t *count);

/* One precomputed pixel of a block: where it is relative to the block's
 * top-left corner and the cells it votes into (OpenCV's PixData). */
typedef struct hk_ocv_pix {
    size_t off;     /* row*pwidth + col in the padded image */
    int hist[4];    /* (cellX*ncells_y + cellY)*nbins of up to 4 cells */
    float w[4];     /* gaussian * bilinear cell weight, multiplied as OpenCV does */
} hk_ocv_pix;

/* Scratch of one computation, carved out of the context's buffer. */
typedef struct hk_ocv_work {
    float *votes;       /* pwidth*pheight*2: mag*(1-f), mag*f per padded pixel */
    uint8_t *bins;      /* pwidth*pheight*2: the two bins */
    hk_ocv_pix *pix;    /* block_w*block_h, cells-1 pixels, then 2, then 4 */
    size_t n1, n2, n4;  /* ends of the three groups in pix */
    size_t *xmap;       /* pwidth+2: image column * channels of padded x-1 .. pwidth */
    float *extra;       /* the caller's extra floats (the grid), or NULL */
} hk_ocv_work;

/* Carves the work areas (and `extra_floats` more, for the grid) out of
 * ctx's scratch and builds the pixel table. */
hk_status hk_ocv_work_init(hk_hog_ctx *ctx, const hk_ocv_geometry *g, size_t extra_floats,
                           hk_ocv_work *w);

/* Stage 2: votes and bins of the whole padded image (u8, 1 or 3 channels). */
void hk_ocv_gradient(const hk_ocv_geometry *g, const hk_image *im, hk_ocv_work *w);

/* Stage 3 for one block whose top-left corner is padded pixel (px, py):
 * accumulate and normalise into out[block_len]. */
void hk_ocv_block(const hk_ocv_geometry *g, const hk_ocv_work *w, size_t px, size_t py,
                  float *out);

/* Stage 3 for every grid block, from a gradient already computed. */
void hk_ocv_fill_grid(const hk_ocv_geometry *g, const hk_ocv_work *w, float *grid);

/* Computes the whole block grid of a u8 1- or 3-channel image into `grid`
 * (hk_ocv_grid_count floats); scratch from ctx. */
hk_status hk_ocv_block_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                            float *grid);

/* Copies the descriptor of window (ix, iy) from the grid into out[desc_len]. */
void hk_ocv_window_copy(const hk_ocv_geometry *g, const float *grid, size_t ix, size_t iy,
                        float *out);

/* The full compute() (all windows, row-major) into out: the scalar
 * reference path. */
hk_status hk_ocv_extract(hk_hog_ctx *ctx, const hk_opencv_params *p, const hk_image *im,
                         float *out);

/* The same with the kernel set chosen by `simd` (hk_hog_params.simd, the
 * HK_SIMD environment variable for HK_SIMD_AUTO): the AVX2 path
 * (opencv_fast.h) where the CPU has it, else the scalar one. */
hk_status hk_ocv_extract_simd(hk_hog_ctx *ctx, const hk_opencv_params *p, hk_simd simd,
                              const hk_image *im, float *out);
/* The same on up to `threads` threads (hk_hog_params.threads: 0 = one per
 * core); the AVX2 path
 * splits the block rows (same bits for any count), the scalar path runs on
 * one thread. */
hk_status hk_ocv_extract_threads(hk_hog_ctx *ctx, const hk_opencv_params *p, hk_simd simd,
                                 int threads, const hk_image *im, float *out);

/* ---- kernels, exposed for the unit tests ---- */

/* OpenCV's polynomial atan2(y, x) in degrees, [0, 360), float32 throughout. */
float hk_ocv_fast_atan_deg(float y, float x);

/* Splits a gradient into OpenCV's two votes: `angle_rad` as cartToPolar gives
 * it, `scale` = nbins/pi (unsigned) or nbins/(2 pi) (signed), as float.
 * Writes bins b0, b1 = (b0+1) mod nbins and weights w0 = mag*(1-f), w1 = mag*f. */
void hk_ocv_bin(float mag, float angle_rad, float scale, int nbins, int *b0, int *b1,
                float *w0, float *w1);

/* OpenCV's L2-Hys of one block of n >= 4 floats (4-lane partial sums,
 * +0.1*n on the norm, clip at thr, then 1/(norm + 1e-3)). */
void hk_ocv_normalize_block(float *h, size_t n, float thr);

/* BORDER_REFLECT_101 index of p into [0, len). */
size_t hk_ocv_reflect101(long p, size_t len);

#endif
