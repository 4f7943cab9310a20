/* `hogkit hog --variant skimage` options, named as skimage.feature.hog's arguments. */
#include <string.h>

#include "cli.h"
#include "hog_options.h"

static int parse_norm(const char *text, hk_block_norm *norm)
{
    static const struct { const char *name; hk_block_norm norm; } names[] = {
        {"L1", HK_NORM_L1}, {"L1-sqrt", HK_NORM_L1_SQRT}, {"L2", HK_NORM_L2},
        {"L2-Hys", HK_NORM_L2_HYS}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(text, names[i].name) == 0) {
            *norm = names[i].norm;
            return 1;
        }
    cli_error("--block-norm: expected L1, L1-sqrt, L2 or L2-Hys, got '%s'", text);
    return 0;
}

static int parse_skimage(int argc, char **argv, int *i, hk_hog_params *params)
{
    hk_skimage_params *s = &params->skimage;
    const char *a = argv[*i], *val;
    long v, pair[2];
    if (cli_is_option(a, "--orientations")) {
        if (!(val = cli_option_value(argc, argv, i, "--orientations")) ||
            !cli_parse_int("--orientations", val, 1, 4096, &v))
            return -1;
        s->orientations = (int)v;
    } else if (cli_is_option(a, "--pixels-per-cell")) {
        if (!(val = cli_option_value(argc, argv, i, "--pixels-per-cell")) ||
            !cli_parse_pair("--pixels-per-cell", val, 1, 65536, pair))
            return -1;
        s->cell_rows = (int)pair[0];
        s->cell_cols = (int)pair[1];
    } else if (cli_is_option(a, "--cells-per-block")) {
        if (!(val = cli_option_value(argc, argv, i, "--cells-per-block")) ||
            !cli_parse_pair("--cells-per-block", val, 1, 4096, pair))
            return -1;
        s->block_rows = (int)pair[0];
        s->block_cols = (int)pair[1];
    } else if (cli_is_option(a, "--block-norm")) {
        if (!(val = cli_option_value(argc, argv, i, "--block-norm")) ||
            !parse_norm(val, &s->block_norm))
            return -1;
    } else if (strcmp(a, "--transform-sqrt") == 0) {
        s->transform_sqrt = 1;
    } else {
        return 0;
    }
    return 1;
}

const hog_option_set hog_skimage_options = {
    HK_VARIANT_SKIMAGE, "skimage",
    "skimage (skimage.feature.hog, scikit-image 0.19.3; output\n"
    "  (n_blocks_row, n_blocks_col, n_cells_row, n_cells_col, orientations)):\n"
    "  --orientations N          number of orientation bins (default 9)\n"
    "  --pixels-per-cell R,C     cell size in pixels (default 8,8)\n"
    "  --cells-per-block R,C     block size in cells (default 3,3)\n"
    "  --block-norm NORM         L1, L1-sqrt, L2 or L2-Hys (default L2-Hys)\n"
    "  --transform-sqrt          square root of every sample first (power-law compression)\n"
    "  Colour images use, per pixel, the channel with the largest gradient (channel_axis=-1).\n",
    parse_skimage};
