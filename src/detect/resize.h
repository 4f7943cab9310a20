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

#endif
