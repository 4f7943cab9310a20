/* Image views, limits, format detection, and the decode dispatcher.
 * The format readers live in png.c, jpeg.c, pnm.c and npy.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/checked.h"
#include "image/decoders.h"

static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static const uint8_t jpeg_magic[3] = {0xff, 0xd8, 0xff};
static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

size_t hk_sample_size(hk_sample_type type)
{
    switch (type) {
    case HK_U8: return 1;
    case HK_U16: return 2;
    case HK_F32: return 4;
    case HK_F64: return 8;
    }
    return 0;
}

hk_status hk_image_check(const hk_image *image)
{
    size_t ss, row, span;

    if (!image || !image->data || image->width == 0 || image->height == 0 ||
        image->channels == 0 || image->channels > HK_MAX_CHANNELS)
        return HK_ERR_INVALID_ARG;
    ss = hk_sample_size(image->type);
    if (ss == 0)
        return HK_ERR_INVALID_ARG;
    if (!hk_mul_size(image->width, image->channels, &row) ||
        !hk_mul_size(row, ss, &row) || image->stride < row)
        return HK_ERR_INVALID_ARG;
    /* Kernels index samples as typed pointers, so misaligned data would be
     * undefined behaviour, and the last row must be addressable. */
    if ((uintptr_t)image->data % ss != 0 || image->stride % ss != 0)
        return HK_ERR_INVALID_ARG;
    if (!hk_mul_size(image->height - 1, image->stride, &span) ||
        !hk_add_size(span, row, &span) ||
        (uintptr_t)image->data > UINTPTR_MAX - span)
        return HK_ERR_INVALID_ARG;
    return HK_OK;
}

void hk_limits_default(hk_limits *limits)
{
    if (!limits)
        return;
    limits->max_pixels = (uint64_t)1 << 28;
    limits->max_channels = 64;
    limits->max_file_bytes = (uint64_t)1 << 32;
    limits->max_npy_header = 65536;
}

static int has_prefix(const uint8_t *p, size_t n, const uint8_t *magic, size_t m)
{
    return n >= m && memcmp(p, magic, m) == 0;
}

/* Netpbm whitespace; '#' starts a comment and may follow the magic too. */
static int pnm_sep(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r' || c == '#';
}

hk_format hk_format_detect(const void *bytes, size_t size)
{
    const uint8_t *p = bytes;

    if (!p)
        return HK_FORMAT_UNKNOWN;
    if (has_prefix(p, size, png_magic, sizeof png_magic))
        return HK_FORMAT_PNG;
    if (has_prefix(p, size, jpeg_magic, sizeof jpeg_magic))
        return HK_FORMAT_JPEG;
    if (has_prefix(p, size, npy_magic, sizeof npy_magic))
        return HK_FORMAT_NPY;
    if (size >= 2 && p[0] == 'P' &&
        (p[1] == '2' || p[1] == '3' || p[1] == '5' || p[1] == '6') &&
        (size == 2 || pnm_sep(p[2])))
        return HK_FORMAT_PNM;
    return HK_FORMAT_UNKNOWN;
}

/* A strict prefix of a magic number is a truncated file, not a foreign one. */
static int is_magic_prefix(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    return (n < sizeof png_magic && memcmp(p, png_magic, n) == 0) ||
           (n < sizeof jpeg_magic && memcmp(p, jpeg_magic, n) == 0) ||
           (n < sizeof npy_magic && memcmp(p, npy_magic, n) == 0) ||
           (n == 1 && p[0] == 'P');
}

hk_status hk__image_info_set(hk_image_info *info, hk_format format,
                             uint64_t width, uint64_t height,
                             uint64_t channels, hk_sample_type type,
                             const hk_limits *limits)
{
    uint64_t pixels;
    size_t bytes;

    if (width == 0 || height == 0 || channels == 0)
        return HK_ERR_FORMAT;
    if (width > UINT32_MAX || height > UINT32_MAX ||
        __builtin_mul_overflow(width, height, &pixels) ||
        pixels > limits->max_pixels)
        return HK_ERR_LIMIT;
    if (channels > limits->max_channels || channels > HK_MAX_CHANNELS)
        return HK_ERR_LIMIT;
    if (pixels > SIZE_MAX || !hk_mul_size((size_t)pixels, (size_t)channels, &bytes) ||
        !hk_mul_size(bytes, hk_sample_size(type), &bytes))
        return HK_ERR_OVERFLOW;
    info->format = format;
    info->width = (uint32_t)width;
    info->height = (uint32_t)height;
    info->channels = (uint32_t)channels;
    info->type = type;
    info->bytes = bytes;
    return HK_OK;
}

hk_status hk__image_capacity(const hk_image_info *info, size_t capacity)
{
    return capacity >= info->bytes ? HK_OK : HK_ERR_BUFFER_TOO_SMALL;
}

/* One path for header queries (buffer NULL) and full decodes. */
static hk_status decode_any(const void *bytes, size_t size,
                            const hk_limits *limits, hk_image_info *info,
                            void *buffer, size_t capacity)
{
    hk_limits defaults;
    hk_image_info tmp;
    hk_status st;

    memset(&tmp, 0, sizeof tmp);
    if (!bytes && size > 0)
        return HK_ERR_INVALID_ARG;
    if (!limits) {
        hk_limits_default(&defaults);
        limits = &defaults;
    }
    if ((uint64_t)size > limits->max_file_bytes)
        return HK_ERR_LIMIT;
    switch (hk_format_detect(bytes, size)) {
    case HK_FORMAT_PNG: st = hk__png_read(bytes, size, limits, &tmp, buffer, capacity); break;
    case HK_FORMAT_JPEG: st = hk__jpeg_read(bytes, size, limits, &tmp, buffer, capacity); break;
    case HK_FORMAT_PNM: st = hk__pnm_read(bytes, size, limits, &tmp, buffer, capacity); break;
    case HK_FORMAT_NPY: st = hk__npy_read(bytes, size, limits, &tmp, buffer, capacity); break;
    default:
        st = is_magic_prefix(bytes, size) ? HK_ERR_TRUNCATED : HK_ERR_FORMAT;
        break;
    }
    if (st == HK_OK)
        *info = tmp;
    return st;
}

hk_status hk_image_decode_info(const void *bytes, size_t size,
                               const hk_limits *limits, hk_image_info *info)
{
    hk_status st;

    if (!info)
        return HK_ERR_INVALID_ARG;
    memset(info, 0, sizeof *info);
    st = decode_any(bytes, size, limits, info, NULL, 0);
    if (st != HK_OK)
        memset(info, 0, sizeof *info);
    return st;
}

hk_status hk_image_decode(const void *bytes, size_t size,
                          const hk_limits *limits, void *buffer,
                          size_t capacity, hk_image *image)
{
    hk_image_info info;
    hk_status st;

    if (!image)
        return HK_ERR_INVALID_ARG;
    memset(image, 0, sizeof *image);
    /* A NULL buffer would select the header-only path in the readers. */
    if (!buffer)
        return capacity > 0 ? HK_ERR_INVALID_ARG : HK_ERR_BUFFER_TOO_SMALL;
    st = decode_any(bytes, size, limits, &info, buffer, capacity);
    if (st != HK_OK)
        return st;
    image->width = info.width;
    image->height = info.height;
    image->channels = info.channels;
    image->type = info.type;
    image->stride = info.bytes / info.height;
    image->data = buffer;
    return HK_OK;
}

/* Reads a whole file, never more than max_file_bytes (+1 to detect excess).
 * Works for pipes too, so st_size is only a hint for the first allocation. */
static hk_status read_file(const char *path, uint64_t max_bytes,
                           uint8_t **out, size_t *out_size)
{
    FILE *f;
    struct stat sb;
    uint8_t *buf;
    size_t cap = 1 << 16, len = 0;
    hk_status st = HK_OK;

    f = fopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((uint64_t)sb.st_size > max_bytes) {
            fclose(f);
            return HK_ERR_LIMIT;
        }
        if ((uint64_t)sb.st_size >= SIZE_MAX) {
            fclose(f);
            return HK_ERR_OVERFLOW;
        }
        cap = (size_t)sb.st_size + 1; /* +1 so EOF is seen without growing */
    }
    buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return HK_ERR_NOMEM;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            size_t ncap;
            uint8_t *nb;
            if (!hk_mul_size(cap, 2, &ncap)) {
                st = HK_ERR_OVERFLOW;
                break;
            }
            nb = realloc(buf, ncap);
            if (!nb) {
                st = HK_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if ((uint64_t)len > max_bytes) {
            st = HK_ERR_LIMIT;
            break;
        }
        if (got == 0) {
            if (ferror(f))
                st = HK_ERR_IO;
            break;
        }
    }
    if (fclose(f) != 0 && st == HK_OK)
        st = HK_ERR_IO;
    if (st != HK_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_size = len;
    return HK_OK;
}

hk_status hk_image_load(const char *path, const hk_limits *limits,
                        hk_image *image)
{
    hk_limits defaults;
    hk_image_info info;
    uint8_t *file = NULL;
    size_t size = 0;
    void *pixels;
    hk_status st;

    if (!image)
        return HK_ERR_INVALID_ARG;
    memset(image, 0, sizeof *image);
    if (!path)
        return HK_ERR_INVALID_ARG;
    if (!limits) {
        hk_limits_default(&defaults);
        limits = &defaults;
    }
    st = read_file(path, limits->max_file_bytes, &file, &size);
    if (st != HK_OK)
        return st;
    /* The header decides the allocation, after the limits have been applied. */
    st = hk_image_decode_info(file, size, limits, &info);
    if (st == HK_OK) {
        pixels = malloc(info.bytes);
        if (!pixels) {
            st = HK_ERR_NOMEM;
        } else {
            st = hk_image_decode(file, size, limits, pixels, info.bytes, image);
            if (st != HK_OK)
                free(pixels);
        }
    }
    free(file);
    if (st != HK_OK)
        memset(image, 0, sizeof *image);
    return st;
}

void hk_image_free(hk_image *image)
{
    if (!image)
        return;
    free((void *)image->data);
    memset(image, 0, sizeof *image);
}
