/* Grey conversion for commands that take --gray. */
#include <stdlib.h>

#include "cli.h"

int cli_to_gray(const char *in, const hk_image *img, void **buf, hk_image *out)
{
    size_t bytes;
    hk_status st = hk_image_gray_bytes(img, &bytes);
    if (st == HK_OK && !(*buf = malloc(bytes)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK)
        st = hk_image_rgb2gray(img, *buf, bytes, out);
    if (st != HK_OK) {
        cli_error("%s: cannot convert to grey: %s", in, hk_strerror(st));
        return 0;
    }
    return 1;
}
