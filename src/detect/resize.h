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

/* The same resize one output row at a time, so that a pyramid level can be
 * streamed into the rows that use it instead of being stored whole. Rows
 * may be asked for in any order (the AVX2 form caches the last two
 * horizontally interpolated source rows, which makes a top-to-bottom pass
 * interpolate each source row once). hk__resize_rows_init sets up the
 * scalar form; hk__resize_rows_init_avx2 the AVX2 form for cn = 3 (other
 * channel counts, or a build without AVX2, get the scalar one; call it
 * only where hk__cpu_has_avx2() says so). scratch: hk__resize_scratch
 * bytes, 32-byte aligned, kept for as long as rows are made. */
typedef struct hk_resize_rows hk_resize_rows;
struct hk_resize_rows {
    const uint8_t *src;
    size_t sstride;
    int sw, sh, dw, dh, cn;
    int avx2;
    hk_resize_axis *ax, *ay;
    int *xa, *xb;              /* scalar */
    uint32_t *cx0, *cx1;
    uint16_t *V;
    int32_t *A;                /* AVX2 */
    uint16_t *W, *w0, *w1, *Hs[2];
    int tag[2], vquads;
};

/* Clears r and records the source and destination geometry (both forms). */
void hk__resize_rows_geometry(hk_resize_rows *r, const uint8_t *src, int sw, int sh,
                              size_t sstride, int cn, int dw, int dh);
void hk__resize_rows_init(hk_resize_rows *r, const uint8_t *src, int sw, int sh, size_t sstride,
                          int cn, int dw, int dh, void *scratch);
void hk__resize_rows_init_avx2(hk_resize_rows *r, const uint8_t *src, int sw, int sh,
                               size_t sstride, int cn, int dw, int dh, void *scratch);
/* Output row y (0 <= y < dh) into dst (dw * cn bytes). */
void hk__resize_row(hk_resize_rows *r, int y, uint8_t *dst);
/* resize_avx2.c: the AVX2 row (r->avx2 set) */
void hk__resize_row_avx2(hk_resize_rows *r, int y, uint8_t *dst);

#endif
