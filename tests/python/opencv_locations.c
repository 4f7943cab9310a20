/* Test driver for hk_opencv_compute_locations (compiled by
 * test_opencv_diff.py against the built static library):
 *   opencv_locations IN.npy OUT.npy winW winH blockW blockH strideX strideY
 *       cellW cellH nbins sigma threshold gamma signed winStrideX winStrideY
 *       padX padY [x y]...
 * writes the descriptors of the listed windows as one float32 vector. */
#include <stdio.h>
#include <stdlib.h>

#include "hogkit.h"

int main(int argc, char **argv)
{
    if (argc < 20 || (argc - 20) % 2 != 0) {
        fprintf(stderr, "usage: see the source\n");
        return 2;
    }
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    hk_opencv_params *o = &p.opencv;
    int *fields[] = {&o->win_width, &o->win_height, &o->block_width, &o->block_height,
                     &o->block_stride_x, &o->block_stride_y, &o->cell_width, &o->cell_height,
                     &o->nbins};
    for (int i = 0; i < 9; i++)
        *fields[i] = atoi(argv[3 + i]);
    o->win_sigma = atof(argv[12]);
    o->l2hys_threshold = atof(argv[13]);
    o->gamma_correction = atoi(argv[14]);
    o->signed_gradient = atoi(argv[15]);
    o->win_stride_x = atoi(argv[16]);
    o->win_stride_y = atoi(argv[17]);
    o->pad_x = atoi(argv[18]);
    o->pad_y = atoi(argv[19]);
    size_t n = (size_t)(argc - 20) / 2, d;
    int32_t *xy = malloc((n ? n : 1) * 2 * sizeof(int32_t));
    for (size_t i = 0; xy && i < 2 * n; i++)
        xy[i] = atoi(argv[20 + i]);
    hk_image im;
    hk_status st = hk_opencv_descriptor_size(o, &d);
    if (st == HK_OK)
        st = hk_image_load(argv[1], NULL, &im);
    if (st != HK_OK || !xy) {
        fprintf(stderr, "setup failed: %s\n", hk_strerror(st));
        return 1;
    }
    float *out = malloc(n * d * sizeof(float) + 1);
    hk_hog_ctx *ctx = NULL;
    st = out ? hk_hog_ctx_new(&ctx) : HK_ERR_NOMEM;
    if (st == HK_OK)
        st = hk_opencv_compute_locations(ctx, &p, &im, xy, n, out, n * d);
    size_t shape[1] = {n * d};
    if (st == HK_OK)
        st = hk_npy_write_f32(argv[2], out, shape, 1);
    hk_hog_ctx_free(ctx);
    hk_image_free(&im);
    free(out);
    free(xy);
    if (st != HK_OK) {
        fprintf(stderr, "compute_locations failed: %s\n", hk_strerror(st));
        return 1;
    }
    return 0;
}
