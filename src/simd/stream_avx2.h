/* Streaming copy of a float run (include only from a unit compiled with
 * -mavx2): whole 64-byte lines with non-temporal stores, so a large output
 * does not evict the caller's working set; the partial lines at both ends
 * with ordinary stores (a neighbour may share them). No fence: the caller
 * issues _mm_sfence() before anything that must see the data in order
 * (once per call, or once per group of calls). */
#ifndef HK_SIMD_STREAM_AVX2_H
#define HK_SIMD_STREAM_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

static inline void hk__stream_lines(float *dst, const float *src, size_t n)
{
    size_t i = 0;
    while (i < n && ((uintptr_t)(dst + i) & 63) != 0) {
        dst[i] = src[i];
        i++;
    }
    for (; i + 16 <= n; i += 16) {
        _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
        _mm256_stream_ps(dst + i + 8, _mm256_loadu_ps(src + i + 8));
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

#endif
