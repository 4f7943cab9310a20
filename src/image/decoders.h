/* Internal interface shared by the image readers (png.c, jpeg.c, pnm.c,
 * npy.c) and the dispatcher in image.c.
 *
 * Every reader has the same shape so the dispatcher stays trivial:
 *   - it parses the header of `data[0 .. size)` (hostile bytes),
 *   - fills *info through hk__image_info_set, which applies the limits and
 *     computes the packed size with overflow checks, before anything is
 *     allocated,
 *   - returns there if buffer is NULL (header-only query),
 *   - otherwise checks capacity >= info->bytes (HK_ERR_BUFFER_TOO_SMALL) and
 *     decodes packed rows into buffer.
 * `limits` is never NULL here: the dispatcher substitutes the defaults. */
#ifndef HK_IMAGE_DECODERS_H
#define HK_IMAGE_DECODERS_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* Validates a header's geometry and fills *info: width, height or channels 0
 * -> HK_ERR_FORMAT; over max_pixels, max_channels, HK_MAX_CHANNELS or 32 bits
 * -> HK_ERR_LIMIT; bytes not representable -> HK_ERR_OVERFLOW. */
hk_status hk__image_info_set(hk_image_info *info, hk_format format,
                             uint64_t width, uint64_t height,
                             uint64_t channels, hk_sample_type type,
                             const hk_limits *limits);

/* HK_OK if buffer can take info->bytes, else HK_ERR_BUFFER_TOO_SMALL. */
hk_status hk__image_capacity(const hk_image_info *info, size_t capacity);

hk_status hk__png_read(const uint8_t *data, size_t size,
                       const hk_limits *limits, hk_image_info *info,
                       void *buffer, size_t capacity);
hk_status hk__jpeg_read(const uint8_t *data, size_t size,
                        const hk_limits *limits, hk_image_info *info,
                        void *buffer, size_t capacity);
hk_status hk__pnm_read(const uint8_t *data, size_t size,
                       const hk_limits *limits, hk_image_info *info,
                       void *buffer, size_t capacity);
hk_status hk__npy_read(const uint8_t *data, size_t size,
                       const hk_limits *limits, hk_image_info *info,
                       void *buffer, size_t capacity);

/* A parsed .npy header (npy.c), shared with the stack reader (npy_stack.c). */
typedef struct npy_header {
    char descr[16];
    int fortran;
    uint64_t dims[4]; /* the first 4 of ndim */
    int ndim;
    hk_sample_type type;
    size_t offset; /* where the array starts */
} npy_header;

/* Parses the prefix and header of a .npy held in data[0 .. size) (the array
 * itself need not be there): supported dtype, C order, else an error. */
hk_status hk__npy_header(const uint8_t *data, size_t size, const hk_limits *limits,
                         npy_header *h);
/* Copies little-endian samples of ss bytes into host order. */
void hk__npy_copy_le(uint8_t *dst, const uint8_t *src, size_t bytes, size_t ss);

/* 1 on a little-endian host (files store little- or big-endian samples). */
static inline int hk__host_is_le(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

#endif
