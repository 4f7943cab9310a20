/* Minimal test harness: CHECK records a failure and goes on; main returns
 * check_report() so ctest sees a non-zero exit on any failure. */
#ifndef HK_TEST_CHECK_H
#define HK_TEST_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* Test data from a fixed xorshift64 sequence: the same numbers in every run. */
static inline uint64_t check_next(void)
{
    static uint64_t s = 0x2545f4914f6cdd1dull;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                           \
    do {                                                                                \
        double a_ = (a), b_ = (b);                                                      \
        check_count++;                                                                  \
        if (!(fabs(a_ - b_) <= (tol))) {                                                \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g\n", __FILE__, __LINE__, #a, \
                    a_, b_);                                                            \
        }                                                                               \
    } while (0)

static inline int check_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
