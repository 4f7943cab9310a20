/*
 * OpenCV variant, AVX2 path: the interface between its three units (design
 * in opencv_fast.h).
 *
 *   opencv_avx2.c        the driver: the plan of a geometry (tables and the
 *                        band schedule, kept by the context), input rows and
 *                        gradients, the walk over the bands
 *   opencv_avx2_band.c   block accumulation: a band's votes into the
 *                        column sums of its block rows
 *   opencv_avx2_block.c  a completed block row: dot products with the
 *                        horizontal weights, L2-Hys, the descriptor stores
 *
 * The two kernel units are compiled with -mavx2 -mfma; without them
 * (HK_SCALAR_ONLY, other compilers) they are empty and the driver reports
 * the path unusable.
 */
#ifndef HK_HOG_OPENCV_AVX2_H
#define HK_HOG_OPENCV_AVX2_H

#include <stddef.h>
#include <stdint.h>

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

#endif
