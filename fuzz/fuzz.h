/* Shared helpers of the fuzz targets (fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput and is linked twice: with
 * libFuzzer (clang -fsanitize=fuzzer) to search for bugs, and with
 * replay_main.c (any compiler) so ctest replays fuzz/corpus/<target>/ as an
 * ordinary test. A target checks properties, not only "no crash": when one
 * fails, FUZZ_CHECK aborts, which both drivers report as a failure. */
#ifndef HK_FUZZ_H
#define HK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hogkit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                               \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                            \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* Limits for fuzzing: the defaults, with a pixel budget small enough that
 * an image-sized allocation stays far below libFuzzer's -rss_limit_mb and
 * each input runs in milliseconds. The readers apply the limits before any
 * allocation, so a smaller budget hides no code path. */
static inline void fuzz_limits(hk_limits *limits)
{
    hk_limits_default(limits);
    limits->max_pixels = (uint64_t)1 << 20;
}

/* A status the readers may return for hostile bytes. */
static inline int fuzz_reader_status_ok(hk_status st)
{
    return st == HK_OK || st == HK_ERR_FORMAT || st == HK_ERR_TRUNCATED ||
           st == HK_ERR_LIMIT || st == HK_ERR_UNSUPPORTED || st == HK_ERR_OVERFLOW ||
           st == HK_ERR_NOMEM;
}

#endif
