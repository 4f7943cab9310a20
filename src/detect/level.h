/* One pyramid level of cv::HOGDescriptor::detect: gradients of the padded
 * image, the grid of normalised blocks (each block computed once and shared
 * by every window that contains it), and the linear SVM over windows. */
#ifndef HK_DETECT_LEVEL_H
#define HK_DETECT_LEVEL_H

#include <stddef.h>
#include <stdint.h>

#include "detect/detector.h"

/* Per-detector constants, computed once per detection call. */
typedef struct hk_level_plan {
    const hk_detector *det;
    int gsx, gsy;          /* grid (cache) stride: gcd(win stride, block stride) */
    int wsx, wsy;          /* window stride */
    int padx, pady;        /* padding, rounded up to the grid stride */
    int ncx, ncy;          /* cells per block */
    int hist;              /* floats per block: ncx * ncy * nbins */
    int nbx_w, nby_w;      /* blocks per window */
    int bkx, bky;          /* block stride / grid stride */
    int wkx, wky;          /* window stride / grid stride */
    float lut[256];        /* gamma: sqrt(i) or i */
    float *u;              /* [ncx][block_width] x weight (Gaussian x cell) */
    float *v;              /* [ncy][block_height] */
    /* nonzero x weights of block column j: tn[j] entries (at most 2, as cell
     * interpolation reaches two cells), cell tcx[2j+t] with weight tw[2j+t] */
    int *tn, *tcx;
    float *tw;
    float *svm;            /* detector, OpenCV's order: [bx][by][hist] */
    double rho;            /* bias */
    double hit_threshold;
    int simd;              /* 1: AVX2 window scores and resize */
    int simd_grad;         /* 1: AVX2 + FMA gradients */
    int simd_hist;         /* 1: AVX2 histograms (16x16 blocks, 8x8 cells, 8-pixel grid) */
    /* screening of window scores (screen.c): int16 pairs of the detector,
     * [bx][by][hist / 2], the block scale QB, and the int32 sum above which
     * a window may reach the hit threshold */
    int screen;
    int32_t *qsvm;
    float qb;
    int32_t qthr;
} hk_level_plan;

hk_status hk__plan_init(hk_level_plan *p, const hk_detector *det, const hk_detect_params *dp);
/* Sets up the screening (screen.c) when the geometry allows it; leaves
 * p->screen 0 otherwise. */
void hk__screen_plan(hk_level_plan *p);
/* A block row (planar floats, entry k at planes[k * ks + i], ks a multiple
 * of 16) quantised: pair kp of block i at q[kp * ks + i] (entry 2kp in the
 * low 16 bits). */
void hk__screen_quantize_scalar(const hk_level_plan *p, const float *planes, size_t ks,
                                int32_t *q);
void hk__screen_quantize_avx2(const hk_level_plan *p, const float *planes, size_t ks,
                              int32_t *q);
/* The int32 sums of nwx windows of one window row (qrows as rows in
 * hk__score_row_*); the AVX2 form writes up to 15 sums past nwx. */
void hk__screen_row_scalar(const hk_level_plan *p, const int32_t *const *qrows, size_t ks,
                           int nwx, int32_t *acc);
void hk__screen_row_avx2(const hk_level_plan *p, const int32_t *const *qrows, size_t ks,
                         int nwx, int32_t *acc);
void hk__plan_free(hk_level_plan *p);

/* A hit in level pixel coordinates (window top-left, unpadded). */
typedef struct hk_hit {
    int x, y;
    double score;
} hk_hit;

/* Growable hit list. */
typedef struct hk_hits {
    hk_hit *v;
    size_t n, cap;
} hk_hits;

hk_status hk__hits_push(hk_hits *h, int x, int y, double s);

/* Scratch reused across levels by one thread. */
typedef struct hk_level_scratch {
    void *p;
    size_t bytes;
} hk_level_scratch;

/* Runs detection on one level: an 8-bit image of w x h pixels with cn = 1
 * or 3 channels (RGB order), rows `stride` bytes apart. Appends hits. */
hk_status hk__detect_level(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                           size_t stride, hk_level_scratch *scratch, hk_hits *out);

/* The same with the level's rows made on demand by rr (the pyramid's
 * resize streamed into the gamma rows, no level image): row y of the level
 * is resized into rowbuf (w * cn bytes) when the gradients first need it;
 * img and stride are unused. Needs p->simd_grad (the AVX2 gradients). */
struct hk_resize_rows;
hk_status hk__detect_level_rows(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                                size_t stride, struct hk_resize_rows *rr, uint8_t *rowbuf,
                                hk_level_scratch *scratch, hk_hits *out);

/* The block grid alone (tests and training use it): blocks at padded
 * positions (i*gsx, j*gsy), layout [j][i][hist]. */
hk_status hk__level_blocks(const hk_level_plan *p, const uint8_t *img, int w, int h, int cn,
                           size_t stride, hk_level_scratch *scratch, float **grid, int *nbx,
                           int *nby);

/* Window scores of one window row (nwx windows): rows[r] is the grid row
 * r block rows below the window row's first (r = by * bky), and entry k of
 * the block at column i of a grid row is row[k * plane_stride + i]. The
 * AVX2 kernel needs wkx == 1 and 16 readable floats after each row of
 * blocks; it equals the scalar one bit for bit. */
void hk__score_row_scalar(const hk_level_plan *p, const float *const *rows, size_t plane_stride,
                          int nwx, double *scores);
void hk__score_row_avx2(const hk_level_plan *p, const float *const *rows, size_t plane_stride,
                        int nwx, double *scores);
int hk__cpu_has_avx2(void);
int hk__cpu_has_avx2_fma(void);
/* hist_avx2.c: see there. */
/* hist_band_avx2.c: eight padded rows (h0/a0/a1 rows rs apart) into the
 * top halves of block row c (top, [cy][seg][bin][8]) and, when done is not
 * NULL, block row c - 1 completed from its stored top half into done. */
void hk__hist_band_avx2(const uint8_t *h0, const float *a0, const float *a1, size_t rs,
                        int nseg, int nbins, const float *v, float *top, float *done,
                        size_t seg_acc);
/* 1 when the band weights v are those of 8x8 cells in 16x16 blocks: rows
 * 0-3 have no weight in the top block's second cell row and rows 4-7 none
 * in the bottom block's first, so both kernels skip those (+0) terms. */
int hk__hist_band_sparse(const float *v);
/* hk__hist_band_avx2's scalar reference (hist_band.c), equal bit for bit. */
void hk__hist_band_scalar(const uint8_t *h0, const float *a0, const float *a1, size_t rs,
                          int nseg, int nbins, const float *v, float *top, float *done,
                          size_t seg_acc);
/* The same blocks, eight at a time, normalised (bit for bit as the scalar
 * normalisation does it) and stored planar: entry k of block i at
 * planes[k * plane + i]. Reads up to 8 segments past nbx + 1 in cyacc
 * (keep them finite) and writes up to 7 blocks past nbx. nbins <= 32. */
void hk__hist_blocks_norm_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                               float thresh, float *planes, size_t plane);
void hk__hist_blocks_avx2(const float *const *cyacc, int nbx, int nbins, const float *u,
                          float *out, int hist);
/* The scalar reference gradient of padded row y (level.c): image columns
 * and rows of padded x (-1 .. wp) and y (-1 .. hp) are xmap[x], ymap[y]. */
void hk__grad_row_scalar(const hk_level_plan *p, const uint8_t *img, int cn, size_t stride,
                         const int *xmap, const int *ymap, int y, int wp, float *dx, float *dy,
                         uint8_t *h0, float *a0, float *a1);
/* Gamma table of n pixels (cn = 1 or 3, RGB) into planes f[k] in OpenCV's
 * channel order: sqrt computed as the table holds it (sqrtf of the value,
 * correctly rounded either way) when gamma, else the value. */
void hk__gamma_row_avx2(const uint8_t *src, int n, int cn, int gamma, const float *lut,
                        float *const *f);
/* Gradient of one padded row from gamma-corrected planar rows (index -1..wp),
 * planes in OpenCV's channel order; identical to the scalar reference. */
void hk__grad_row_avx2(const float *const *prev, const float *const *cur,
                       const float *const *next, int cn, int wp, int nbins, int signed_grad,
                       float *dx, float *dy, uint8_t *h0, float *a0, float *a1);

#endif
