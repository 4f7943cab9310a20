/* PNG reader on libspng. Keeps the bit depth (16-bit samples come out in
 * host order), expands palettes to RGB or RGBA (when tRNS is present) and
 * 1/2/4-bit grey to 8 bits. Gamma and tRNS of non-palette images are not
 * applied: HOG wants the stored samples. */
#include <string.h>

#include <spng.h>

#include "image/decoders.h"

/* spng's own guards, on top of ours: ancillary chunks can carry compressed
 * text or ICC profiles that inflate to much more than the file; HOG needs
 * none of them, so a tight budget only costs metadata we ignore. */
#define HK_PNG_CHUNK_LIMIT ((size_t)1 << 24)
#define HK_PNG_CACHE_LIMIT ((size_t)1 << 26)

static hk_status map_spng(int err)
{
    switch (err) {
    case SPNG_OK: return HK_OK;
    case SPNG_IO_EOF: return HK_ERR_TRUNCATED;
    case SPNG_IO_ERROR: return HK_ERR_IO;
    case SPNG_EMEM: return HK_ERR_NOMEM;
    case SPNG_EOVERFLOW: return HK_ERR_OVERFLOW;
    case SPNG_EUSER_WIDTH:
    case SPNG_EUSER_HEIGHT:
    case SPNG_ECHUNK_LIMITS: return HK_ERR_LIMIT;
    default: return HK_ERR_FORMAT;
    }
}

/* The spng output format for a header, and what it produces. */
static hk_status pick_format(spng_ctx *ctx, const struct spng_ihdr *ihdr,
                             int *fmt, int *flags, uint32_t *channels,
                             hk_sample_type *type)
{
    struct spng_trns trns;
    int wide = ihdr->bit_depth == 16;

    *flags = 0;
    *type = wide ? HK_U16 : HK_U8;
    /* SPNG_FMT_PNG is the stored layout in host order: exactly "keep the
     * bit depth" for every case but palettes and sub-byte grey. */
    *fmt = SPNG_FMT_PNG;
    switch (ihdr->color_type) {
    case SPNG_COLOR_TYPE_GRAYSCALE:
        *channels = 1;
        if (ihdr->bit_depth < 8)
            *fmt = SPNG_FMT_G8; /* scales 1/2/4-bit values to 0..255 */
        return HK_OK;
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA: *channels = 2; return HK_OK;
    case SPNG_COLOR_TYPE_TRUECOLOR: *channels = 3; return HK_OK;
    case SPNG_COLOR_TYPE_TRUECOLOR_ALPHA: *channels = 4; return HK_OK;
    case SPNG_COLOR_TYPE_INDEXED: {
        /* spng_get_trns reads the chunks before IDAT; an error other than
         * "no such chunk" is a malformed file. */
        int err = spng_get_trns(ctx, &trns);
        *type = HK_U8;
        if (err == SPNG_OK) {
            *fmt = SPNG_FMT_RGBA8;
            *flags = SPNG_DECODE_TRNS;
            *channels = 4;
        } else if (err == SPNG_ECHUNKAVAIL) {
            *fmt = SPNG_FMT_RGB8;
            *channels = 3;
        } else {
            return map_spng(err);
        }
        return HK_OK;
    }
    }
    return HK_ERR_FORMAT;
}

/* spng stops at IEND's type and never reads its CRC, so a file missing its
 * last bytes would pass. Walk the chunk lengths (bounds-checked) and
 * require a complete IEND chunk; bytes after it are tolerated, as by libpng. */
static hk_status check_iend(const uint8_t *data, size_t size)
{
    size_t pos = 8; /* after the signature */
    for (;;) {
        uint32_t len;
        if (size - pos < 12)
            return HK_ERR_TRUNCATED;
        len = (uint32_t)data[pos] << 24 | (uint32_t)data[pos + 1] << 16 |
              (uint32_t)data[pos + 2] << 8 | data[pos + 3];
        if (len > 0x7fffffff)
            return HK_ERR_FORMAT;
        if (size - pos - 12 < len)
            return HK_ERR_TRUNCATED;
        if (memcmp(data + pos + 4, "IEND", 4) == 0)
            return HK_OK;
        pos += 12 + (size_t)len;
    }
}

hk_status hk__png_read(const uint8_t *data, size_t size,
                       const hk_limits *limits, hk_image_info *info,
                       void *buffer, size_t capacity)
{
    struct spng_ihdr ihdr;
    spng_ctx *ctx;
    uint64_t dim_limit;
    uint32_t channels = 0;
    hk_sample_type type = HK_U8;
    int fmt = 0, flags = 0, err;
    size_t need;
    hk_status st;

    ctx = spng_ctx_new(0);
    if (!ctx)
        return HK_ERR_NOMEM;
    /* spng rejects a side over the limit while reading IHDR; our pixel
     * limit bounds each side too (a side can be at most max_pixels). */
    dim_limit = limits->max_pixels;
    if (dim_limit > 0x7fffffff)
        dim_limit = 0x7fffffff;
    if (dim_limit == 0)
        dim_limit = 1;
    err = spng_set_image_limits(ctx, (uint32_t)dim_limit, (uint32_t)dim_limit);
    if (!err)
        err = spng_set_chunk_limits(ctx, HK_PNG_CHUNK_LIMIT, HK_PNG_CACHE_LIMIT);
    if (!err)
        err = spng_set_png_buffer(ctx, data, size);
    if (!err)
        err = spng_get_ihdr(ctx, &ihdr);
    st = map_spng(err);
    if (st == HK_OK)
        st = pick_format(ctx, &ihdr, &fmt, &flags, &channels, &type);
    if (st == HK_OK)
        st = hk__image_info_set(info, HK_FORMAT_PNG, ihdr.width, ihdr.height,
                                channels, type, limits);
    if (st != HK_OK || !buffer)
        goto done;
    st = hk__image_capacity(info, capacity);
    if (st != HK_OK)
        goto done;
    /* Our arithmetic and spng's must agree before spng writes the buffer. */
    err = spng_decoded_image_size(ctx, fmt, &need);
    st = map_spng(err);
    if (st == HK_OK && need != info->bytes)
        st = HK_ERR_FORMAT;
    if (st == HK_OK)
        st = map_spng(spng_decode_image(ctx, buffer, need, fmt, flags));
    /* Read on to IEND so a file cut after the last IDAT is not accepted. */
    if (st == HK_OK)
        st = map_spng(spng_decode_chunks(ctx));
    if (st == HK_OK)
        st = check_iend(data, size);
done:
    spng_ctx_free(ctx);
    return st;
}
