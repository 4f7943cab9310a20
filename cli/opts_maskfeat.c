/* `hogkit hog --variant maskfeat` options, named as HOGLayerC's arguments
 * (and FG-MAE's --hog_norm, inverted). */
#include <string.h>

#include "cli.h"
#include "hog_options.h"

static int parse_maskfeat(int argc, char **argv, int *i, hk_hog_params *params)
{
    hk_maskfeat_params *m = &params->maskfeat;
    const char *a = argv[*i], *val;
    long v;
    if (cli_is_option(a, "--nbins")) {
        if (!(val = cli_option_value(argc, argv, i, "--nbins")) ||
            !cli_parse_int("--nbins", val, 1, 4096, &v))
            return -1;
        m->nbins = (int)v;
    } else if (cli_is_option(a, "--pool")) {
        if (!(val = cli_option_value(argc, argv, i, "--pool")) ||
            !cli_parse_int("--pool", val, 1, 65536, &v))
            return -1;
        m->pool = (int)v;
    } else if (cli_is_option(a, "--gaussian-window")) {
        if (!(val = cli_option_value(argc, argv, i, "--gaussian-window")) ||
            !cli_parse_int("--gaussian-window", val, 0, 65536, &v))
            return -1;
        if (v == 1) {
            cli_error("--gaussian-window: 1 is not allowed (sigma = 1 // 2 = 0); use 0 for none");
            return -1;
        }
        m->gaussian_window = (int)v;
    } else if (cli_is_option(a, "--patch")) {
        if (!(val = cli_option_value(argc, argv, i, "--patch")) ||
            !cli_parse_int("--patch", val, 1, 65536, &v))
            return -1;
        m->patch = (int)v;
    } else if (strcmp(a, "--no-normalize") == 0) {
        m->normalize = 0;
    } else {
        return 0;
    }
    return 1;
}

const hog_option_set hog_maskfeat_options = {
    HK_VARIANT_MASKFEAT, "maskfeat",
    "maskfeat (MaskFeat HOG targets, SlowFast HOGLayerC + per-patch labels; output\n"
    "  (patches, C*nbins*u*u) with u = patch/pool; a 4-D .npy (N,C,H,W) float32\n"
    "  batch gives (N, patches, C*nbins*u*u)):\n"
    "  --nbins N                 orientation bins (default 9)\n"
    "  --pool N                  cell size in pixels (default 8; FG-MAE ViT-14: 7)\n"
    "  --gaussian-window K       tiled Gaussian window, sigma K/2 (default 0 = off;\n"
    "                            mmselfsup/FG-MAE: 16); square images, side a multiple of K\n"
    "  --patch N                 patch size in pixels, a multiple of --pool (default 16)\n"
    "  --no-normalize            skip the per channel and cell L2 step (FG-MAE unless\n"
    "                            its hog_norm flag is given)\n"
    "  Every channel is kept (any number: RGB, SAR, multispectral); samples are float32.\n",
    parse_maskfeat};
