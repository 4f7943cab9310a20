/* OpenCV-variant test geometries shared by the unit tests (one window of
 * square blocks, cells and strides; gamma correction off). */
#ifndef HK_TEST_OPENCV_GEO_H
#define HK_TEST_OPENCV_GEO_H

#include <stdint.h>

#include "hogkit.h"

typedef struct geo {
    const char *name;
    uint32_t w, h, cn;
    hk_opencv_params p;
} geo;

/* One window of (win_w, win_h), square blocks, cells and strides. */
static hk_opencv_params whole(int win_w, int win_h, int block, int stride, int cell)
{
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    hk_opencv_params p = hp.opencv;
    p.win_width = win_w;
    p.win_height = win_h;
    p.block_width = p.block_height = block;
    p.block_stride_x = p.block_stride_y = stride;
    p.cell_width = p.cell_height = cell;
    p.gamma_correction = 0;
    return p;
}

#endif
