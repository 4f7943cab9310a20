/* Times hk_detector_detect on PNG frames: bench_detect MODEL THREADS REPEAT
 * FRAME... prints "frames N ms_per_frame X boxes B cpu_ms_per_frame C" (the
 * best of REPEAT runs over all frames, wall clock and process CPU time;
 * decoding is outside the timed region). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hogkit.h"

static double clock_ms(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    hk_detector *det = NULL;
    if (hk_detector_load(argv[1], NULL, &det) != HK_OK)
        return 1;
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    dp.threads = atoi(argv[2]);
    int repeat = atoi(argv[3]);
    int n = argc - 4;
    hk_image *im = calloc((size_t)n, sizeof *im);
    for (int i = 0; i < n; i++)
        if (hk_image_load(argv[4 + i], NULL, &im[i]) != HK_OK)
            return 1;
    hk_box boxes[4096];
    double best = 1e30, best_cpu = 1e30;
    size_t total = 0;
    for (int r = 0; r < repeat; r++) {
        double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        total = 0;
        for (int i = 0; i < n; i++) {
            size_t c = 0;
            if (hk_detector_detect(det, &dp, &im[i], boxes, 4096, &c) != HK_OK)
                return 1;
            total += c;
        }
        double t = clock_ms(CLOCK_MONOTONIC) - t0, c = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (t < best)
            best = t;
        if (c < best_cpu)
            best_cpu = c;
    }
    printf("frames %d ms_per_frame %.2f boxes %zu cpu_ms_per_frame %.2f\n", n, best / n, total,
           best_cpu / n);
    for (int i = 0; i < n; i++)
        hk_image_free(&im[i]);
    free(im);
    hk_detector_free(det);
    return 0;
}
