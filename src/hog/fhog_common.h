/* Helpers shared by the VLFeat and dlib variants (internal). */
#ifndef HK_HOG_FHOG_COMMON_H
#define HK_HOG_FHOG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Row y of an interleaved image as planar float32 (dst[c*width + x]) for its
 * first `channels` channels: exact for u8/u16/f32, rounded for f64 — what
 * single() gives VLFeat. */
void hk_fhog_row_f32(const hk_image *im, size_t y, unsigned channels, float *dst);

/* Row y as planar ints, float samples truncated toward zero as dlib's (int)
 * cast does. The caller has checked that every sample fits. */
void hk_fhog_row_i32(const hk_image *im, size_t y, unsigned channels, int32_t *dst);

/* dst[0 .. n) = src[0 .. n) with streaming (non-temporal) stores, then a
 * store fence: for outputs far larger than the caches, whose lines would
 * otherwise be read from memory before being overwritten. Plain copy where
 * the instruction set lacks them. */
void hk_fhog_stream_copy(float *dst, const float *src, size_t n);

/* Outputs of at least this many bytes are written with hk_fhog_stream_copy
 * (they cannot stay in the caches anyway; smaller ones are better left
 * there for the caller). */
#define HK_FHOG_STREAM_BYTES ((size_t)64 << 20)

/* Carves aligned pieces out of one scratch block. Sizes are checked: `ok`
 * turns 0 on overflow and stays 0. */
typedef struct hk_carve {
    size_t used;
    int ok;
} hk_carve;

/* Reserves n elements of `size` bytes; returns their offset. */
size_t hk_carve_take(hk_carve *c, size_t n, size_t size);

#endif
