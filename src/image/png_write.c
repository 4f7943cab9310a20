/* PNG writer (libspng encoder) for 8-bit grey or RGB images, used for
 * reports such as confusion matrices. Encoded in memory, then written
 * atomically. */
#include <spng.h>
#include <stdlib.h>

#include "common/atomic_file.h"
#include "common/checked.h"
#include "hogkit.h"

hk_status hk_png_write_u8(const char *path, const uint8_t *pixels, uint32_t width,
                          uint32_t height, uint32_t channels)
{
    if (!path || !pixels || width == 0 || height == 0 || width > (1u << 24) ||
        height > (1u << 24) || (channels != 1 && channels != 3))
        return HK_ERR_INVALID_ARG;
    size_t bytes;
    if (!hk_mul_size(width, height, &bytes) || !hk_mul_size(bytes, channels, &bytes))
        return HK_ERR_OVERFLOW;
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx)
        return HK_ERR_NOMEM;
    hk_status st = HK_OK;
    struct spng_ihdr ihdr = {.width = width, .height = height, .bit_depth = 8,
                             .color_type = channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE
                                                         : SPNG_COLOR_TYPE_TRUECOLOR};
    if (spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1) || spng_set_ihdr(ctx, &ihdr) ||
        spng_encode_image(ctx, pixels, bytes, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE))
        st = HK_ERR_NOMEM;
    size_t len = 0;
    int err = 0;
    void *png = st == HK_OK ? spng_get_png_buffer(ctx, &len, &err) : NULL;
    if (st == HK_OK && (!png || err))
        st = HK_ERR_NOMEM;
    if (st == HK_OK) {
        const void *chunks[1] = {png};
        size_t sizes[1] = {len};
        st = hk_atomic_write(path, chunks, sizes, 1);
    }
    free(png);
    spng_ctx_free(ctx);
    return st;
}
