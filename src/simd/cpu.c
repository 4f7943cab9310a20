/* CPU feature probe, done once per process and then read-only. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "simd/cpu.h"
#include "simd/kernels.h"

static hk_cpu_features features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static void probe(void)
{
#if defined(__x86_64__) || defined(__i386__)
    /* __builtin_cpu_supports also checks that the OS saves the wide
     * registers (XCR0), so a feature reported here is usable. */
    __builtin_cpu_init();
    features.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    features.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
#endif
}

const hk_cpu_features *hk_cpu_features_get(void)
{
    pthread_once(&features_once, probe);
    return &features;
}

static int available(hk_simd isa)
{
    const hk_cpu_features *f = hk_cpu_features_get();
    switch (isa) {
    case HK_SIMD_SCALAR: return 1;
    case HK_SIMD_AVX2: return f->avx2 && hk_skimage_kernels_avx2() != NULL;
    case HK_SIMD_AVX512: return f->avx512 && hk_skimage_kernels_avx512() != NULL;
    default: return 0;
    }
}

hk_status hk_simd_resolve(hk_simd requested, hk_simd *resolved)
{
    if (requested == HK_SIMD_AUTO) {
        /* The environment may force a set for a whole process (tests,
         * benchmarks, bug reports); an unknown value is ignored. */
        const char *env = getenv("HK_SIMD");
        if (env && strcmp(env, "scalar") == 0)
            requested = HK_SIMD_SCALAR;
        else if (env && strcmp(env, "avx2") == 0)
            requested = HK_SIMD_AVX2;
        else if (env && strcmp(env, "avx512") == 0)
            requested = HK_SIMD_AVX512;
    }
    if (requested == HK_SIMD_AUTO) {
        *resolved = available(HK_SIMD_AVX512) ? HK_SIMD_AVX512
                    : available(HK_SIMD_AVX2) ? HK_SIMD_AVX2
                                              : HK_SIMD_AUTO; /* the portable fast path */
        return HK_OK;
    }
    if (requested < HK_SIMD_SCALAR || requested > HK_SIMD_AVX512)
        return HK_ERR_INVALID_ARG;
    if (!available(requested))
        return HK_ERR_UNSUPPORTED;
    *resolved = requested;
    return HK_OK;
}
