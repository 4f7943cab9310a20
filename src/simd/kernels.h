/* Fast kernels of the scikit-image variant, one table per instruction set
 * (internal). The scalar specification is src/hog/skimage.c; every kernel
 * here gives bit-identical results to it (tests/unit/test_simd_paths.c).
 *
 * A row of pixels goes through three stages (src/hog/skimage_fast.c):
 *  gradient: g_row, g_col of grey work rows (kernel),
 *  bins:     magnitude and bin code per pixel (kernel),
 *  accumulate: per cell and bin in pixel order (scalar, in the driver),
 * and blocks are normalised a block row at a time (kernel). */
#ifndef HK_SIMD_KERNELS_H
#define HK_SIMD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Bin codes written by the bins kernel besides a bin index 0..n-1. */
#define HK_BIN_SKIP (-1)  /* zero gradient, or an angle no bin takes: no vote */
#define HK_BIN_EXACT (-2) /* compute angle and magnitude with the scalar code */

/* Constants of the bins kernel for n orientations. */
typedef struct hk_skbin_consts {
    double n;          /* orientations */
    double n_over_180; /* degrees to bin units */
    double margin;     /* in bin units: closer than this to an edge -> exact */
    /* Exact bins of the axis directions, whose angles do not depend on the
     * magnitude (C Annex F atan2): g_row == 0 indexed by
     * signbit(g_row) * 2 + signbit(g_col); g_col == 0 indexed by g_row < 0. */
    double row0[4];
    double col0[2];
} hk_skbin_consts;

/* Degrees of margin around every bin edge. The polynomial angle is within
 * 4e-7 degrees of atan2 (checked in the tests); everything closer than this
 * to an edge is decided by the scalar code, so bins never differ. */
#define HK_BIN_MARGIN_DEG 1e-5

/* Doubles of scratch the blocks kernel needs for blocks of bn values
 * (8 blocks, each padded to whole vectors of up to 8 lanes). */
#define HK_BLOCK_SCRATCH(bn) (8 * ((bn) + 8))
/* Blocks of HK_BLOCK_WIDE_MIN .. HK_BLOCK_WIDE_MAX values go HK_VW at a
 * time (one per lane), from cell rows transposed: value k of cell x of a
 * row at k * pitch + x, pitch = stride / n >= cells + 8, zeros past the
 * last cell. Their scratch is HK_BLOCK_WIDE_DOUBLES doubles (128 vectors of
 * up to 8 lanes and the floats of 8 blocks). */
#define HK_BLOCK_WIDE_MIN 8
/* hints of the blocks kernel: TAME, the caller knows every value is 0 or in
 * [2^-300, 2^300] (integer samples), so sets with an FMA may divide by FMA
 * steps, bit-identically (skimage_kernels.inc.h); STREAM, the whole output
 * is far larger than the caches, so sets that have them write it with
 * non-temporal stores (no read of each line before it is written). */
#define HK_BLOCKS_TAME 1
#define HK_BLOCKS_STREAM 2
#define HK_BLOCK_WIDE_MAX 128
#define HK_BLOCK_WIDE_DOUBLES (2 * 128 * 8)

typedef struct hk_skimage_kernels {
    hk_simd isa;       /* HK_SIMD_AUTO for the portable set */
    const char *name;
    size_t lanes;      /* doubles per vector */
    /* g_row = below - above (0 when either is NULL), g_col = row[x+1] -
     * row[x-1] (0 at x = 0 and x = width - 1) for x < n_px, in double, or in
     * float when f32 (values are floats held in doubles). */
    void (*gradient)(const double *above, const double *row, const double *below,
                     size_t width, size_t n_px, int f32, double *g_row, double *g_col);
    /* mag = hypot(g_col, g_row) exactly as glibc computes it, bin code. */
    void (*bins)(const double *g_row, const double *g_col, size_t n_px,
                 const hk_skbin_consts *k, int32_t *bin, double *mag);
    /* One row of blocks: block c takes cells [c, c + bc) of rows hist,
     * hist + stride, ... (br rows), n values per cell, normalised as
     * hk_skimage_normalize_block does; writes nbc * br * bc * n floats.
     * hist in the transposed layout when br * bc * n is HK_BLOCK_WIDE_MIN ..
     * HK_BLOCK_WIDE_MAX (above), else cells of n adjacent values.
     * scratch: HK_BLOCK_WIDE_DOUBLES + HK_BLOCK_SCRATCH(br * bc * n) doubles,
     * 64-byte aligned.
     * hints: HK_BLOCKS_TAME, HK_BLOCKS_STREAM or both (below). */
    /* 8-bit grey without sqrt: integer gradients r = below - above, q =
     * row[x+1] - row[x-1] (zero where skimage.c makes them zero) as indices
     * of the compact tables (skimage_lut.h): bidx = ((r ^ q) < 0) * 65536 +
     * |r| * 256 + |q|, midx = hi * (hi + 1) / 2 + lo with hi = max(|r|, |q|),
     * lo = min(|r|, |q|). */
    void (*u8_index)(const uint8_t *above, const uint8_t *row, const uint8_t *below,
                     size_t width, size_t n_px, int32_t *bidx, int32_t *midx);
    void (*blocks)(const float *hist, size_t stride, size_t nbc, size_t br, size_t bc,
                   size_t n, hk_block_norm norm, int hints, double *scratch, float *out);
} hk_skimage_kernels;

/* Each returns its table, or NULL when the build left that set out
 * (HK_SCALAR_ONLY, or a compiler without the flags). The CPU check is
 * hk_simd_resolve's (cpu.h). */
const hk_skimage_kernels *hk_skimage_kernels_generic(void);
const hk_skimage_kernels *hk_skimage_kernels_avx2(void);
const hk_skimage_kernels *hk_skimage_kernels_avx512(void);

/* For the tests: q[i] = a[i] / b[i] by the AVX2 blocks kernel's division
 * without the divider (skimage_kernels.inc.h: vector steps for whole
 * vectors, scalar steps for the rest; plain division where b[i] is out of
 * the theorem's range). Call only where the CPU has AVX2 and FMA. */
void hk__skimage_qdiv_avx2(const double *a, size_t n, const double *b, double *q);

#endif
