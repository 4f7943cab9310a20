/* `hogkit hog --variant vlfeat-dt|vlfeat-uoctti` options, named as
 * vl_hog's arguments. */
#include <string.h>

#include "cli.h"
#include "hog_options.h"

static int parse_vlfeat(int argc, char **argv, int *i, hk_hog_params *params)
{
    hk_vlfeat_params *v = &params->vlfeat;
    const char *a = argv[*i], *val;
    long n;
    if (cli_is_option(a, "--cell-size")) {
        if (!(val = cli_option_value(argc, argv, i, "--cell-size")) ||
            !cli_parse_int("--cell-size", val, 1, 65536, &n))
            return -1;
        v->cell_size = (int)n;
    } else if (cli_is_option(a, "--orientations")) {
        if (!(val = cli_option_value(argc, argv, i, "--orientations")) ||
            !cli_parse_int("--orientations", val, 1, 4096, &n))
            return -1;
        v->orientations = (int)n;
    } else if (strcmp(a, "--bilinear-orientations") == 0) {
        v->bilinear_orientations = 1;
    } else {
        return 0;
    }
    return 1;
}

#define VLFEAT_COMMON_HELP                                                                  \
    "  --cell-size N             cell size in pixels (default 8)\n"                         \
    "  --orientations N          undirected orientations (default 9)\n"                     \
    "  --bilinear-orientations   split each vote between the two nearest orientations\n"   \
    "  Samples are used as they are (0..255 for 8-bit); colour: per pixel the channel\n"   \
    "  with the largest gradient. Images must be at least 4x4.\n"

const hog_option_set hog_vlfeat_dt_options = {
    HK_VARIANT_VLFEAT_DT, "vlfeat-dt",
    "vlfeat-dt (vl_hog, VlHogVariantDalalTriggs, VLFeat 0.9.21; output\n"
    "  (4*orientations, (H + cs/2)/cs, (W + cs/2)/cs)):\n" VLFEAT_COMMON_HELP,
    parse_vlfeat};

const hog_option_set hog_vlfeat_uoctti_options = {
    HK_VARIANT_VLFEAT_UOCTTI, "vlfeat-uoctti",
    "vlfeat-uoctti (vl_hog, VlHogVariantUoctti, VLFeat 0.9.21; output\n"
    "  (3*orientations + 4, (H + cs/2)/cs, (W + cs/2)/cs)):\n" VLFEAT_COMMON_HELP,
    parse_vlfeat};
