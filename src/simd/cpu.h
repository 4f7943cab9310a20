/* Run-time CPU features and the choice of kernel set (internal). */
#ifndef HK_SIMD_CPU_H
#define HK_SIMD_CPU_H

#include "hogkit.h"

/* Instruction sets the running CPU (and OS) can execute. */
typedef struct hk_cpu_features {
    int avx2;   /* AVX2 + FMA */
    int avx512; /* AVX-512 F, BW, VL and DQ */
} hk_cpu_features;

/* The features, probed on the first call and cached read-only afterwards
 * (pthread_once), the only process-wide state of the library. */
const hk_cpu_features *hk_cpu_features_get(void);

/* Which kernel set a request resolves to: HK_SIMD_AUTO becomes the best set
 * this build and CPU have (or the one named by the HK_SIMD environment
 * variable: scalar, avx2, avx512); an explicit set the build or the CPU lacks
 * is HK_ERR_UNSUPPORTED. HK_SIMD_SCALAR always resolves to itself. */
hk_status hk_simd_resolve(hk_simd requested, hk_simd *resolved);

#endif
