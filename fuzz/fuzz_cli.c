/* Fuzz target: `hogkit hog` option parsing (cmd_hog_parse in cli/cmd_hog.c),
 * every variant's option set included. The input is the argument list,
 * NUL-separated (argv[0] is "hog"). No file is read or written.
 *
 * Properties: the parser returns one of the documented exit statuses, and
 * when it would go on to run, the parameters it built pass
 * hk_hog_params_check and the limits are usable (max_pixels > 0). */
#include <string.h>

#include "../cli/cli.h"
#include "fuzz.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private NUL-terminated copy: argv strings must be writable and end. */
    char *copy = malloc(size + 1);
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    FUZZ_CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    copy[size] = 0;
    argv[argc++] = "hog";
    for (size_t i = 0; i <= size && argc < MAX_ARGS;) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    argv[argc] = NULL;

    hk_hog_params params;
    hk_limits limits;
    memset(&params, 0, sizeof params);
    memset(&limits, 0, sizeof limits);
    int rc = cmd_hog_parse(argc, argv, &params, &limits);
    FUZZ_CHECK(rc == -1 || rc == HK_EXIT_OK || rc == HK_EXIT_USAGE);
    if (rc == -1) {
        FUZZ_CHECK(hk_hog_params_check(&params) == HK_OK);
        FUZZ_CHECK(limits.max_pixels > 0 && limits.max_channels > 0 && limits.max_file_bytes > 0 &&
                   limits.max_npy_header > 0);
    }
    free(copy);
    return 0;
}
