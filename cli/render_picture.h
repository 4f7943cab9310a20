/* Turning a float HOG picture into 8-bit pixels, alone or over the photo. */
#ifndef HK_CLI_RENDER_PICTURE_H
#define HK_CLI_RENDER_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "hogkit.h"

/* How picture pixel (x, y) maps to the photo: photo column
 * floor((x / glyph + cell_offset_x) * cell) where glyph = cell = 1 and
 * offsets 0 mean "same size". */
typedef struct picture_map {
    double glyph, cell_x, cell_y, offset_x, offset_y;
} picture_map;

/* Grey: v8 = round(255 * min(1, gain * max(v, 0) / max)), max the largest
 * value of the picture (all zero when max <= 0). */
void picture_to_gray(const double *v, size_t count, double gain, uint8_t *out);

/* Over the photo (RGB): a = v8 / 255, P = the photo as 8-bit grey;
 * R = G = round((1 - a) * 0.6 * P + a * 255), B = round((1 - a) * 0.6 * P).
 * The photo's grey is skimage's rgb2gray (integers scaled to [0, 1], floats
 * min-max scaled), times 255. Returns an hk_status. */
hk_status picture_over(const uint8_t *gray8, uint32_t width, uint32_t height,
                       const hk_image *photo, const picture_map *map, uint8_t *rgb);

#endif
