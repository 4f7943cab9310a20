/*
 * OpenCV variant, AVX2 path: the interface between its three units (design
 * in opencv_fast.h).
 *
 *   opencv_avx2_plan.c   the plan of a geometry: tables and the band
 *                        schedule, kept by the context (portable code)
 *   opencv_avx2.c        the driver: input rows and gradients, the walk over
 *                        the bands, the descriptor stores
 *   opencv_avx2_band.c   block accumulation: a band's votes into the
 *                        column sums of its block rows
 *   opencv_avx2_block.c  a completed block row: dot products with the
 *                        horizontal weights, L2-Hys, the descriptor stores
 *
 * The driver and the two kernel units are compiled with -mavx2 -mfma;
 * without them
 * (HK_SCALAR_ONLY, other compilers) they are empty and the driver reports
 * the path unusable.
 */
#ifndef HK_HOG_OPENCV_AVX2_H
#define HK_HOG_OPENCV_AVX2_H

#include <stddef.h>
#include <stdint.h>

#include "hog/opencv.h"

/* A run of rows of a band that add to the same targets with nonzero weight:
 * band rows r0 .. r0+len-1, targets toff[tgt .. tgt+n) (offsets of
 * column-sum rows from the start of the ring), weights tw[wt + t*len + k]
 * for target t and row r0+k. Target t with bit t of `fresh` set (n <= 64)
 * starts its block row here: it is written, not added to. */
typedef struct hk__ocv_run {
    size_t r0, len;
    size_t tgt, wt;
    int n;
    uint64_t fresh;
} hk__ocv_run;

/* Rows of votes of one band, lane = padded column. */
typedef struct hk__ocv_votes {
    const uint8_t *h0; /* bin of the first vote, rows h0s bytes apart */
    size_t h0s;
    const float *a0, *a1; /* the two votes, rows `as` floats apart */
    size_t as;
} hk__ocv_votes;

/* Adds rows 0 .. nr-1 of `v` into T column-sum rows tgt[t] (bin b at
 * tgt[t] + b*wacc, lanes 0 .. lanes-1, a multiple of 8): tgt[t][b*wacc+x]
 * += sum over r of wts[t*ws + r] * (vote of column x of row r into bin b).
 * A pixel votes a0 into bin h0 and a1 into h0+1 (mod nbins); with one bin
 * only a1 counts (OpenCV's order of the two writes). Bit t of `fresh`:
 * target t is written instead (only bits below 64 are read). */
void hk__ocv_band_add(const hk__ocv_votes *v, size_t nr, size_t wacc, size_t lanes, int nbins,
                      float *const *tgt, const float *wts, size_t ws, uint64_t fresh, int T);

/* What finishing a block row needs (tables owned by the plan). */
typedef struct hk__ocv_finish {
    size_t grid_x;    /* blocks in a row */
    size_t cs_x;      /* columns between blocks */
    size_t block_len; /* floats per block */
    size_t bwp;       /* dot length: block width rounded up to 8 */
    const float *u;   /* horizontal weights U[cx] (bwp floats each), then a zero row */
    const int *kcx;   /* per entry (block_len rounded up to 8): its cell x, or the zero row */
    const size_t *koff; /* and its column-sum row, from the block row's start */
    float threshold;  /* L2-Hys clip */
} hk__ocv_finish;

/* Block row `slot` complete: block gx's entry k is the dot product of
 * U[kcx[k]] with column-sum row koff[k] from column gx*cs_x; each block is
 * normalised (OpenCV's L2-Hys) and stored at out + gx*sx. `tmp`: 8 blocks
 * of block_len rounded up to 8 floats. Returns nonzero when a stored value
 * is not finite. */
int hk__ocv_finish_row(const hk__ocv_finish *f, const float *slot, float *tmp, float *out,
                       size_t sx);


/* ---- the plan (opencv_avx2_plan.c) ---- */

/* Sizes of the working areas of one geometry. */
typedef struct hk__ocv_sizes {
    size_t wacc;    /* lanes of one column-sum row: padded width + 8, rounded up to 8 */
    size_t bwp;     /* block width rounded up to 8: the dot length */
    size_t ring;    /* block rows in memory: ceil(block_h / cs_y) */
    size_t rowlen;  /* floats of one planar input row (index -1 .. pwidth) */
    size_t nbp;     /* bin rows per cell row: nbins + 7 (bins go up to 8 at a time) */
    size_t slot;    /* floats of one block row's column sums: ncells_y * nbp * wacc */
    size_t acc;     /* ring * slot */
    size_t brows;   /* rows of a band held: cs_y, or fewer when the image has fewer */
    size_t rows;    /* padded rows the blocks cover */
    size_t nbands;  /* bands of cs_y rows over them */
    size_t nt;      /* most targets of a band: ring * ncells_y */
    size_t sched;   /* bytes of the band schedule, at most */
} hk__ocv_sizes;

/* What a band does (see opencv_avx2_plan.c). */
typedef struct hk__ocv_band {
    size_t nr;             /* rows: cs_y, fewer for the last band */
    size_t run0, nruns;    /* its runs in plan->runs */
    size_t zero0, nzero;   /* column-sum rows it zeroes first, in plan->zoff */
    size_t fin_lo, fin_hi; /* block rows it completes (none when fin_lo > fin_hi) */
} hk__ocv_band;

/* Per-call scratch areas of the driver, in the order of plan->at. */
enum { HK__OCV_CONV, HK__OCV_DX, HK__OCV_DY, HK__OCV_A0, HK__OCV_A1, HK__OCV_H0, HK__OCV_ACC,
       HK__OCV_TMP, HK__OCV_TG, HK__OCV_NWORK };

/* The plan of one geometry and channel count (the key). */
struct hk_ocv_plan {
    hk_ocv_geometry g;
    unsigned cn;
    int ready;
    hk__ocv_sizes s;
    size_t lanes;   /* lanes the blocks read: up to the last block's dot */
    size_t work;    /* bytes of per-call scratch (before the grid) */
    size_t at[HK__OCV_NWORK]; /* where each per-call area starts */
    float lut[256]; /* gamma, or the identity */
    int *xmap;      /* pwidth + 2: image column of padded -1 .. pwidth */
    float *u, *v;   /* (ncells_x + 1) x bwp (the last row zero), ncells_y x block_h */
    size_t *koff;   /* per entry (block_len rounded up to 8): its column-sum row */
    int *kcx;       /* and its cell x (ncells_x: the zero row, past the end) */
    hk__ocv_band *bands;
    hk__ocv_run *runs;
    size_t *toff;   /* the runs' targets: offsets of column-sum rows in the ring */
    float *tw;      /* and their weights */
    size_t *zoff;   /* rows the bands zero */
    unsigned char *mem;
    size_t bytes;
};

/* The plan of g and cn into *out, from ctx's cache (ctx->ocv_plan) or made
 * (replacing it): HK_ERR_UNSUPPORTED when the geometry's working memory is
 * too large for the fast path (hk_ocv_avx2_fits), HK_ERR_NOMEM,
 * HK_ERR_OVERFLOW. */
hk_status hk__ocv_plan_get(hk_hog_ctx *ctx, const hk_ocv_geometry *g, unsigned cn,
                           const struct hk_ocv_plan **out);

/* Adds `bytes` (rounded up to 64) to *total; *at is where it starts. 0 on
 * overflow. */
int hk__ocv_carve(size_t *total, size_t bytes, size_t *at);

#endif
