/* hk_png_write_u8: 8-bit PNG through libspng's encoder into memory, then one
 * atomic write, so a failed command never leaves a partial picture. */
#include <spng.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/checked.h"
#include "hogkit.h"

hk_status hk_png_write_u8(const char *path, const uint8_t *pixels, uint32_t width,
                          uint32_t height, uint32_t channels, size_t stride)
{
    static const uint8_t color_types[5] = {0, SPNG_COLOR_TYPE_GRAYSCALE,
                                           SPNG_COLOR_TYPE_GRAYSCALE_ALPHA,
                                           SPNG_COLOR_TYPE_TRUECOLOR,
                                           SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
    size_t row, bytes;
    if (!path || !pixels || width == 0 || height == 0 || channels < 1 || channels > 4 ||
        width > 0x7fffffffu || height > 0x7fffffffu) /* PNG's limit */
        return HK_ERR_INVALID_ARG;
    if (!hk_mul_size(width, channels, &row) || stride < row ||
        !hk_mul_size(row, height, &bytes))
        return stride < row ? HK_ERR_INVALID_ARG : HK_ERR_OVERFLOW;

    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx)
        return HK_ERR_NOMEM;
    struct spng_ihdr ihdr;
    memset(&ihdr, 0, sizeof ihdr);
    ihdr.width = width;
    ihdr.height = height;
    ihdr.bit_depth = 8;
    ihdr.color_type = color_types[channels];
    hk_status st = HK_ERR_FORMAT;
    int err = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    if (!err)
        err = spng_set_ihdr(ctx, &ihdr);
    /* Row by row, so any stride works without a packed copy. */
    if (!err)
        err = spng_encode_image(ctx, NULL, 0, SPNG_FMT_PNG,
                                SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
    for (uint32_t y = 0; !err && y < height; y++) {
        err = spng_encode_row(ctx, pixels + (size_t)y * stride, row);
        if (err == SPNG_EOI && y + 1 == height)
            err = 0;
    }
    if (!err) {
        size_t len = 0;
        void *png = spng_get_png_buffer(ctx, &len, &err);
        if (png && !err) {
            const void *chunks[1] = {png};
            size_t sizes[1] = {len};
            st = hk_atomic_write(path, chunks, sizes, 1);
        } else {
            st = err == SPNG_EMEM ? HK_ERR_NOMEM : HK_ERR_FORMAT;
        }
        free(png);
    } else if (err == SPNG_EMEM) {
        st = HK_ERR_NOMEM;
    }
    spng_ctx_free(ctx);
    return st;
}
