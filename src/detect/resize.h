/* Image pyramid resize, bit-exact with cv::resize(INTER_LINEAR_EXACT) on
 * 8-bit images (the interpolation cv::HOGDescriptor::detectMultiScale uses). */
#ifndef HK_DETECT_RESIZE_H
#define HK_DETECT_RESIZE_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Resizes src (sw x sh, cn interleaved channels, row stride sstride bytes)
 * into dst (dw x dh, packed rows of dw*cn bytes). Needs scratch of
 * hk__resize_scratch(sw, dw, dh, cn) bytes. */
size_t hk__resize_scratch(int sw, int dw, int dh, int cn);
void hk__resize_u8(const uint8_t *src, int sw, int sh, size_t sstride, int cn, uint8_t *dst,
                   int dw, int dh, void *scratch);

/* The same result with AVX2 (resize_avx2.c), for cn = 3; other channel
 * counts, or a build without AVX2, run hk__resize_u8. Same scratch. Call
 * it only where hk__cpu_has_avx2() (detect/level.h) says so. */
void hk__resize_u8_avx2(const uint8_t *src, int sw, int sh, size_t sstride, int cn,
                        uint8_t *dst, int dw, int dh, void *scratch);

/* One output coordinate along an axis: OpenCV's source index and 8-bit
 * weights (c0 + c1 = 256), or a replicated edge. */
typedef struct hk_resize_axis {
    int ofs;     /* first source index */
    uint16_t c0, c1;
    int mode;    /* 0 interpolate, -1 before the start, 1 past the end */
} hk_resize_axis;

void hk__resize_axis(int ssize, int dsize, hk_resize_axis *a);

#endif
