/* `hogkit hog --variant dlib` options, named as extract_fhog_features's
 * arguments. */
#include <string.h>

#include "cli.h"
#include "hog_options.h"

static int parse_dlib(int argc, char **argv, int *i, hk_hog_params *params)
{
    hk_dlib_params *d = &params->dlib;
    const char *a = argv[*i], *val;
    long n, pair[2];
    if (cli_is_option(a, "--cell-size")) {
        if (!(val = cli_option_value(argc, argv, i, "--cell-size")) ||
            !cli_parse_int("--cell-size", val, 1, 65536, &n))
            return -1;
        d->cell_size = (int)n;
    } else if (cli_is_option(a, "--padding")) {
        if (!(val = cli_option_value(argc, argv, i, "--padding")) ||
            !cli_parse_pair("--padding", val, 1, 65536, pair))
            return -1;
        d->filter_rows_padding = (int)pair[0];
        d->filter_cols_padding = (int)pair[1];
    } else {
        return 0;
    }
    return 1;
}

const hog_option_set hog_dlib_options = {
    HK_VARIANT_DLIB, "dlib",
    "dlib (extract_fhog_features, dlib 19.24; output (31, rows, cols) with\n"
    "  rows = round(H/cs) - 2 + padding_rows - 1, likewise cols):\n"
    "  --cell-size N             cell size in pixels (default 8; 1 is dlib's per-pixel path)\n"
    "  --padding R,C             filter_rows_padding, filter_cols_padding (default 1,1)\n"
    "  Samples are truncated to integers; 3 or 4 channels are R,G,B(,alpha ignored).\n",
    parse_dlib};
