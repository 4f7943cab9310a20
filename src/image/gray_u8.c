/* Colour to grey in 8 bits as OpenCV 4.6's cvtColor(COLOR_RGB2GRAY) does,
 * so `--gray` with the OpenCV variant feeds HOG what cv2 would. */
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"

/* OpenCV's 15-bit fixed-point weights (0.299, 0.587, 0.114) with rounding
 * (checked against cv2.cvtColor on every pixel of random images). */
#define GRAY_R 9798u
#define GRAY_G 19235u
#define GRAY_B 3735u
#define GRAY_SHIFT 15

hk_status hk_image_rgb2gray_u8(const hk_image *im, void *buffer, size_t capacity,
                               hk_image *gray)
{
    hk_status st = hk_image_check(im);
    if (st != HK_OK)
        return st;
    if (!buffer || !gray)
        return HK_ERR_INVALID_ARG;
    if (im->type != HK_U8 || (im->channels != 1 && im->channels != 3 && im->channels != 4))
        return HK_ERR_UNSUPPORTED;
    size_t n;
    if (!hk_mul_size(im->width, im->height, &n))
        return HK_ERR_OVERFLOW;
    if (capacity < n)
        return HK_ERR_BUFFER_TOO_SMALL;
    uint8_t *dst = buffer;
    for (size_t y = 0; y < im->height; y++) {
        const uint8_t *row = (const uint8_t *)im->data + y * im->stride;
        uint8_t *d = dst + y * im->width;
        if (im->channels == 1) {
            memcpy(d, row, im->width);
            continue;
        }
        for (size_t x = 0; x < im->width; x++) {
            const uint8_t *p = row + x * im->channels;
            uint32_t v = p[0] * GRAY_R + p[1] * GRAY_G + p[2] * GRAY_B + (1u << (GRAY_SHIFT - 1));
            d[x] = (uint8_t)(v >> GRAY_SHIFT);
        }
    }
    *gray = (hk_image){.width = im->width, .height = im->height, .channels = 1, .type = HK_U8,
                       .stride = im->width, .data = buffer};
    return HK_OK;
}
