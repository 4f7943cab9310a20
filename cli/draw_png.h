#ifndef HK_CLI_DRAW_PNG_H
#define HK_CLI_DRAW_PNG_H

#include "hogkit.h"

/* Writes `im` (8-bit, 1-4 channels) as an RGB PNG with the boxes outlined in
 * green; returns 0 on failure (nothing left at path). */
int cli_draw_boxes_png(const hk_image *im, const hk_box *boxes, size_t n, const char *path);

#endif
