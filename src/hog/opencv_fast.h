/*
 * OpenCV variant, AVX2 path (opencv_avx2.c): the block grid of
 * hk_ocv_block_grid computed in one streaming pass over the padded image,
 * without the per-pixel table of the scalar reference (opencv_block.c).
 *
 * A block's histogram is separable: pixel (j, i) of a block adds its two
 * votes times U[cx][j] * V[cy][i] to cell (cx, cy), where U and V are the
 * cell-interpolation weights times the Gaussian along one axis
 * (hk_ocv_axis_weights). So each padded row, once its gradient is known
 * (the detector's AVX2 gradient kernel, src/detect/grad_avx2.c), is added
 * lane-wise (lane = image column) with weight V[cy][py] into the per-bin
 * column sums of every block row that contains it; when a block row is
 * complete, cell (cx, cy) bin b of block gx is the dot product of U[cx]
 * with those column sums over the block's columns. Every block is computed
 * once, and only ceil(block_h / cs_y) block rows are in memory at a time.
 *
 * The result equals the scalar path's up to float rounding (the Gaussian
 * is split in two factors, the sums run in another order, and the gradient
 * uses fused multiply-adds like OpenCV's own AVX2 build): about 1e-7
 * relative, far inside the 1e-4 agreement with OpenCV. The normalisation is
 * the scalar one, vectorised in the same order.
 */
#ifndef HK_HOG_OPENCV_FAST_H
#define HK_HOG_OPENCV_FAST_H

#include "hog/opencv.h"

/* 1 when this build has the AVX2 path and the CPU runs AVX2 + FMA. */
int hk_ocv_avx2_usable(void);

/* 1 when the AVX2 path's working memory for g stays small next to the
 * scalar path's (geometries with very many overlapping block rows keep the
 * scalar path). */
int hk_ocv_avx2_fits(const hk_ocv_geometry *g);

/* Computes every grid block (see opencv.h) of a u8 1- or 3-channel image.
 * Block (gx, gy) goes to out + gx*sx + gy*sy (block_len floats); with
 * out == NULL the grid is carved out of ctx's scratch, laid out as
 * hk_ocv_block_grid does, and returned in *grid. */
hk_status hk_ocv_avx2_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                           float *out, size_t sx, size_t sy, float **grid);

/* The same on up to `threads` threads (hk_threads_resolve'd): tasks of
 * whole block rows, each block computed as the one-thread walk computes it,
 * so the output has the same bits for any thread count. Small images and
 * staged descriptors run on the calling thread. */
hk_status hk_ocv_avx2_grid_threads(hk_hog_ctx *ctx, const hk_ocv_geometry *g,
                                   const hk_image *im, float *out, size_t sx, size_t sy,
                                   float **grid, int threads);

/* Tables and band schedule of one geometry, kept by a context
 * (hk_hog_ctx.ocv_plan) and freed with it. */
struct hk_ocv_plan;
void hk_ocv_plan_free(struct hk_ocv_plan *p);

/* The per-axis weights of a block (portable, opencv_block.c): for the x
 * axis (axis 0) u[cx*stride + j] = cell weight of column j to cell cx times
 * exp(-(j - bw/2)^2 / (2 sigma^2)), j < block_w, zero past block_w up to
 * stride; the y axis (axis 1) likewise with rows and cells cy. */
void hk_ocv_axis_weights(const hk_ocv_geometry *g, int axis, size_t stride, float *u);

#endif
