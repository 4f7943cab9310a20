/* Fast path of the dlib variant (internal): a driver (dlib_fast.c) that
 * splits one image into bands of histogram rows for threads, and kernels per
 * instruction set (src/simd/dlib_avx2.c). The scalar specification is
 * src/hog/dlib.c; the fast path has its bins exactly and its features
 * within 1e-5 (another order of the sums, and for 8-bit grey with cell
 * sizes 2, 4, 8, 16 one rounding per vote instead of two), as
 * tests/unit/test_dlib_paths.c checks.
 *
 * Layout of the fast path: histogram row R (cell row R of dlib's grid with
 * its one-cell border) is 18 planes of `hs` floats, bin o of cell C at
 * [o * hs + C], so cells C and C + 1 of one bin are adjacent (a pixel's two
 * horizontal votes are one 8-byte add) and eight cells of one bin are one
 * vector (normalisation runs across cells). */
#ifndef HK_HOG_DLIB_FAST_H
#define HK_HOG_DLIB_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Per column x (indexed by x, padded to whole vectors): cell index with the
 * border, bilinear weights as a quad vx4[4x .. 4x+3] = vx1, vx0, vx1, vx0
 * (the weights of cells ix, ix + 1, for the upper and the lower histogram
 * row: times the pixel's magnitude and then (vy1, vy1, vy0, vy0) it is the
 * pixel's vote quad), and -1 where dlib's scalar tail loop handles the
 * column (its rounding and colour tie rule), 0 in its 8-wide loop. */
typedef struct hk_dlib_cols {
    const int32_t *ix;
    const uint16_t *ix16; /* ix mod 2^16 (differences of nearby cells are exact) */
    const float *vx4;
    const int32_t *tail;
    /* 1 when the weights of column x depend on x mod cell_size only, bit
     * for bit (cell sizes 2, 4, 8, 16 and columns below 2^22: every
     * quotient is exact) */
    int periodic;
} hk_dlib_cols;

/* One image row for the histogram kernel. */
typedef struct hk_dlib_row {
    const int32_t *r[3]; /* planar int rows y-1, y, y+1; channel c at c * cstride */
    const uint8_t *r8[3]; /* instead, for 8-bit grey (u8 set): the samples */
    int u8;
    size_t cstride;      /* ints per channel plane (>= width + 16, zero padded) */
    int rgb;             /* 3 channels (u8 range: squared lengths fit int32) */
    float vy0, vy1;      /* row weights */
} hk_dlib_row;

/* Cells per strip: a strip's cell accumulators (18 bins x slots x 4
 * floats) and the kernel's work arrays stay in L1. Pixels per strip at
 * most HK_DLIB_STRIP_MAX. */
#define HK_DLIB_STRIP_CELLS 48
#define HK_DLIB_STRIP_MAX 1024

typedef struct hk_dlib_kernels {
    const char *name;
    /* Pixels xs <= x < xe of one image row into a strip's accumulators: for
     * the pixel's bin o and slot s = ix - ixbase, ab[(o << ps_shift) + 4 s + i] +=
     * its votes into (upper row, cell ix), (upper, ix + 1), (lower, ix),
     * (lower, ix + 1). ab has a 19th plane (o = 18) that is never read:
     * kernels working in whole steps may add there for pixels past xe.
     * Rows: 8-bit rows are read up to 16 bytes past xe, int rows up to 8
     * ints; column tables up to xe + 16. work: 5 * (xe - xs + 16) ints. */
    void (*acc)(const hk_dlib_row *v, const hk_dlib_cols *cols, size_t xs, size_t xe,
                int32_t ixbase, int ps_shift, int cs, float *ab, int32_t *work);
    /* Slots 0 .. nslots - 1 of the accumulators into histogram rows row0 and
     * row1 (either may be NULL: not this band's), cells ixbase + s and
     * ixbase + s + 1; zeroes them (whole vectors of 8 slots). hs: floats per
     * bin plane of a histogram row. */
    void (*flush)(float *ab, int32_t ixbase, int32_t nslots, int32_t ps, float *row0,
                  float *row1, int32_t hs);
    /* norm[c] = sum over o < 9 of (h[o][c+1] + h[o+9][c+1])^2 for c < n
     * (may write up to the next multiple of 8). h: histogram row. */
    void (*energy)(const float *h, int32_t hs, size_t n, float *norm);
    /* One output row: x < n cells, norm rows n0, n1, n2 (cell rows y .. y+2),
     * h = histogram row y + 2; writes out[d * plane + x] for the 31 planes. */
    void (*features)(const float *n0, const float *n1, const float *n2, const float *h,
                     int32_t hs, size_t n, float *out, size_t plane);
    /* The bins of n (a multiple of 8) gradients, for the tests: snap for
     * any gradient, snap8 for integer components in [-255, 255] (8-bit
     * samples, grey or colour: the kernels use it for them). */
    void (*snap)(const float *gx, const float *gy, size_t n, int32_t *bin);
    void (*snap8)(const float *gx, const float *gy, size_t n, int32_t *bin);
    /* The same bins from 16-bit components in [-255, 255], n a multiple
     * of 16: the 16-lane form the kernels use for 8-bit grey rows. */
    void (*snap8i)(const int16_t *gx, const int16_t *gy, size_t n, int32_t *bin);
} hk_dlib_kernels;

/* NULL when the build left the set out. The CPU check is hk_simd_resolve's. */
const hk_dlib_kernels *hk_dlib_kernels_avx2(void);

/* Shared with the scalar specification (dlib.c). */
size_t hk_dlib_simd_end(long visible_nc);
void hk_dlib_column(int cell_size, long x, int simd, long *ix, float *vx0);
void hk_dlib_row_pos(int cell_size, long y, long *iyp, float *vy0);
hk_status hk_dlib_check_samples(const hk_image *im);
int hk_dlib_energies_finite(const float *e, size_t n);
/* The specification's 18-direction snap (bin 0 .. 17), for the tests. */
int hk_dlib_snap18(float gx, float gy);

/* The fast path for cell_size >= 2 and grey or 8-bit colour images. */
hk_status hk_dlib_fast(hk_hog_ctx *ctx, const hk_dlib_params *p, const hk_image *im,
                       float *out, const hk_dlib_kernels *k, int threads);

/* Frees a context's cached tables (ctx_workers.c). */
struct hk_dlib_tables;
void hk_dlib_tables_free(struct hk_dlib_tables *t);

/* Entry from hog.c: picks the scalar specification or the fast path. */
hk_status hk_dlib_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                      float *out);

#endif
