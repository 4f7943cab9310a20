/* 8-bit conversion and the --over blend of `hogkit render`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render_picture.h"

void picture_to_gray(const double *v, size_t count, double gain, uint8_t *out)
{
    double max = 0;
    for (size_t i = 0; i < count; i++)
        if (v[i] > max)
            max = v[i];
    for (size_t i = 0; i < count; i++) {
        double a = max > 0 && v[i] > 0 ? gain * v[i] / max : 0;
        out[i] = (uint8_t)lround(255.0 * (a < 1 ? a : 1));
    }
}

/* The photo as grey in [0, 1] (double), width*height. */
static hk_status photo_gray(const hk_image *photo, double *g)
{
    size_t bytes;
    hk_image gray;
    hk_status st = hk_image_gray_bytes(photo, &bytes);
    void *buf = st == HK_OK ? malloc(bytes) : NULL;
    if (st == HK_OK && !buf)
        st = HK_ERR_NOMEM;
    if (st == HK_OK)
        st = hk_image_rgb2gray(photo, buf, bytes, &gray);
    if (st != HK_OK) {
        free(buf);
        return st;
    }
    size_t n = (size_t)gray.width * gray.height;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t y = 0; y < gray.height; y++)
        for (size_t x = 0; x < gray.width; x++) {
            const unsigned char *row = (const unsigned char *)gray.data + y * gray.stride;
            size_t i = x * gray.channels; /* grey + alpha passes through: take grey */
            double v;
            switch (gray.type) {
            case HK_U8: v = ((const uint8_t *)row)[i] / 255.0; break;
            case HK_U16: v = ((const uint16_t *)row)[i] / 65535.0; break;
            case HK_F32: v = ((const float *)row)[i]; break;
            default: v = ((const double *)row)[i]; break;
            }
            g[y * gray.width + x] = v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    /* rgb2gray scales integer photos to [0, 1]; float photos have any range. */
    int integer_source = photo->type == HK_U8 || photo->type == HK_U16;
    if (!integer_source || lo < 0 || hi > 1)
        for (size_t i = 0; i < n; i++)
            g[i] = hi > lo ? (g[i] - lo) / (hi - lo) : 0;
    free(buf);
    return HK_OK;
}

hk_status picture_over(const uint8_t *gray8, uint32_t width, uint32_t height,
                       const hk_image *photo, const picture_map *map, uint8_t *rgb)
{
    double *g = malloc((size_t)photo->width * photo->height * sizeof(double));
    if (!g)
        return HK_ERR_NOMEM;
    hk_status st = photo_gray(photo, g);
    if (st != HK_OK) {
        free(g);
        return st;
    }
    for (uint32_t y = 0; y < height; y++)
        for (uint32_t x = 0; x < width; x++) {
            double px = floor(((double)x / map->glyph + map->offset_x) * map->cell_x);
            double py = floor(((double)y / map->glyph + map->offset_y) * map->cell_y);
            double p = 0;
            if (px >= 0 && py >= 0 && px < photo->width && py < photo->height)
                p = 255.0 * g[(size_t)py * photo->width + (size_t)px];
            double a = gray8[(size_t)y * width + x] / 255.0;
            double base = (1 - a) * 0.6 * p;
            uint8_t *o = rgb + ((size_t)y * width + x) * 3;
            o[0] = o[1] = (uint8_t)lround(base + a * 255.0);
            o[2] = (uint8_t)lround(base);
        }
    free(g);
    return HK_OK;
}
