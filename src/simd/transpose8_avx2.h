/* 8x8 float transpose in AVX2 registers (include only from a unit compiled
 * with -mavx2): out[j] lane k = in[k] lane j. Shared by the image-per-lane
 * kernels, which turn 8 images' rows into lanes and back. */
#ifndef HK_SIMD_TRANSPOSE8_AVX2_H
#define HK_SIMD_TRANSPOSE8_AVX2_H

#include <immintrin.h>

static inline void hk__transpose8_ps(const __m256 in[8], __m256 out[8])
{
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(in[i], in[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(in[i], in[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
    }
    for (int i = 0; i < 4; i++) {
        out[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        out[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

#endif
