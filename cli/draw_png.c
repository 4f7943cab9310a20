/* Pictures of detections: the input as RGB with each box outlined, written
 * as PNG through libspng (whole or nothing). */
#include <spng.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "draw_png.h"
#include "out_file.h"

static void put_px(uint8_t *rgb, uint32_t w, uint32_t h, long x, long y, const uint8_t c[3])
{
    if (x < 0 || y < 0 || x >= (long)w || y >= (long)h)
        return;
    memcpy(rgb + ((size_t)y * w + (size_t)x) * 3, c, 3);
}

int cli_draw_boxes_png(const hk_image *im, const hk_box *boxes, size_t n, const char *path)
{
    if (im->type != HK_U8 || im->channels < 1 || im->channels > 4)
        return 0;
    uint32_t w = im->width, h = im->height;
    size_t bytes = (size_t)w * h * 3;
    uint8_t *rgb = malloc(bytes ? bytes : 1);
    if (!rgb)
        return 0;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *s = (const uint8_t *)im->data + y * im->stride;
        for (uint32_t x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                rgb[((size_t)y * w + x) * 3 + c] =
                    s[x * im->channels + (im->channels >= 3 ? (unsigned)c : 0)];
    }
    static const uint8_t green[3] = {0, 255, 0};
    for (size_t i = 0; i < n; i++) {
        const hk_box *b = &boxes[i];
        for (int t = 0; t < 2; t++) {
            long x0 = b->x + t, y0 = b->y + t, x1 = (long)b->x + b->w - 1 - t,
                 y1 = (long)b->y + b->h - 1 - t;
            for (long x = x0; x <= x1; x++) {
                put_px(rgb, w, h, x, y0, green);
                put_px(rgb, w, h, x, y1, green);
            }
            for (long y = y0; y <= y1; y++) {
                put_px(rgb, w, h, x0, y, green);
                put_px(rgb, w, h, x1, y, green);
            }
        }
    }
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    int ok = 0;
    if (ctx) {
        struct spng_ihdr ihdr = {0};
        ihdr.width = w;
        ihdr.height = h;
        ihdr.bit_depth = 8;
        ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
        spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
        if (spng_set_ihdr(ctx, &ihdr) == 0 &&
            spng_encode_image(ctx, rgb, bytes, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE) == 0) {
            size_t len = 0;
            int err = 0;
            void *png = spng_get_png_buffer(ctx, &len, &err);
            if (png && !err) {
                ok = cli_write_atomic(path, png, len);
                free(png);
            }
        }
        spng_ctx_free(ctx);
    }
    free(rgb);
    return ok;
}
