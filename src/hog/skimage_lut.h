/* Tables for 8-bit grey images without transform_sqrt (internal): their
 * gradients are integers in [-255, 255], so the bin of every (g_row, g_col)
 * and the magnitude of every (|g_row|, |g_col|) can be looked up instead of
 * computed per pixel. The tables are filled by the same exact code as the
 * general path, so looking up changes no result. */
#ifndef HK_HOG_SKIMAGE_LUT_H
#define HK_HOG_SKIMAGE_LUT_H

#include <stdint.h>

#include "hog/hog_internal.h"
#include "simd/kernels.h"

/* Largest orientation count the one-byte bin table holds. */
#define HK_LUT_MAX_ORIENTATIONS 254
/* Images smaller than this do not pay for building the tables (about a
 * millisecond) unless the context keeps them for a batch. */
#define HK_LUT_MIN_PIXELS (1u << 18)

typedef struct hk_skimage_lut {
    int n;
    int failed_n; /* the last n whose tables failed the check */
    /* [((g_row ^ g_col) < 0) * 65536 + |g_row| * 256 + |g_col|]: the bin, or
     * n (one past the last bin) where skimage casts no vote: the driver adds
     * those to a discarded slot, so its loop has no branch (adding a zero
     * magnitude changes nothing). Two gradients share an entry only when the
     * exact code gives them the same bin (checked entry by entry when the
     * table is filled; a table that fails the check is not used). */
    uint8_t bin[2 * 65536];
    /* [hi * (hi + 1) / 2 + lo], hi/lo the larger/smaller of |g_row|, |g_col|:
     * hypot(g_col, g_row) (symmetric, also checked). 391 KB in all, so the
     * tables stay in a core's L2 cache (the 767 KB full tables did not). */
    double mag[256 * 257 / 2];
} hk_skimage_lut;

/* 1 when a cell's area is a power of two. Then 1.0f / area is exact and
 * x * (1.0f / area) is x / area correctly rounded, as the division gives it
 * (both round the same real number once, subnormal results included): a
 * multiplication instead of a float division per cell value. */
static inline int hk_pow2_area(size_t area)
{
    return area > 0 && (area & (area - 1)) == 0 && area <= (1u << 24);
}

/* The tables for n orientations, kept in ctx (rebuilt when n changes);
 * NULL when out of memory or when the compact layout does not hold for n
 * (the kernels then run, with the same result). */
const hk_skimage_lut *hk_skimage_lut_get(hk_hog_ctx *ctx, int n, const hk_skimage_kernels *k);
void hk_skimage_lut_free(hk_skimage_lut *lut);

#endif
