/* Driver for test_skimage_blocks.py: normalises blocks of doubles with
 * hk_skimage_normalize_block (the scalar specification) and writes the
 * doubles back, so the test can compare them bit for bit with skimage's
 * float64 _hog_normalize_block.
 *   skimage_block_driver IN OUT
 * IN: records of (uint32 n, int32 norm, n doubles); OUT: n doubles each. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hog/hog_internal.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    if (!in || !out)
        return 1;
    uint32_t n;
    int32_t norm;
    while (fread(&n, sizeof n, 1, in) == 1 && fread(&norm, sizeof norm, 1, in) == 1) {
        double *v = malloc((n ? n : 1) * sizeof *v);
        if (!v || fread(v, sizeof *v, n, in) != n)
            return 1;
        hk_skimage_normalize_block(v, n, (hk_block_norm)norm);
        if (fwrite(v, sizeof *v, n, out) != n)
            return 1;
        free(v);
    }
    return fclose(out) != 0 || fclose(in) != 0;
}
