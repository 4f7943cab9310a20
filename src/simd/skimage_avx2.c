/* AVX2 fast kernels: four doubles per vector. Built with -mavx2 -mfma
 * (CMakeLists.txt); when those flags are absent (HK_SCALAR_ONLY) the unit
 * only says that the set is not there. */
#include <stddef.h>
#include <string.h>

#include "simd/kernels.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#include "simd/stream_avx2.h"

#define HK_VW 4
#define HK_KNAME avx2_
#define HK_VSQRT(v) ((hk_vd)_mm256_sqrt_pd((__m256d)(v)))
/* a true fused multiply-add: the blocks may divide by FMA steps */
#define HK_FUSED 1
#define HK_VFMA(a, b, c) ((hk_vd)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
/* the blocks' output: whole lines by non-temporal stores */
#define HK_STREAM_OUT(dst, src, n) hk__stream_lines(dst, src, n)
#define HK_STREAM_FENCE() _mm_sfence()
#define HK_LOAD_F32(p) ((hk_vd)_mm256_cvtps_pd(_mm_loadu_ps(p)))
#define HK_VMIN(a, b) ((hk_vd)_mm256_min_pd((__m256d)(a), (__m256d)(b)))
#define HK_LOAD_U8(p) ((hk_vi2)_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))))
#include "simd/skimage_kernels.inc.h"

static const hk_skimage_kernels table = {
    HK_SIMD_AVX2, "avx2", HK_VW, avx2_gradient, avx2_bins, avx2_u8_index, avx2_blocks,
};

const hk_skimage_kernels *hk_skimage_kernels_avx2(void)
{
    return &table;
}

void hk__skimage_qdiv_avx2(const double *a, size_t n, const double *b, double *q)
{
    size_t i = 0;
    for (; i + HK_VW <= n; i += HK_VW) { /* the blocks kernel's vector steps */
        hk_vd x, d;
        memcpy(&x, a + i, sizeof x);
        memcpy(&d, b + i, sizeof d);
        avx2_wdiv w;
        if (!avx2_wdiv_init(&w, d, 1)) { /* a divisor out of the theorem's range */
            for (size_t k = 0; k < HK_VW; k++)
                q[i + k] = a[i + k] / b[i + k];
            continue;
        }
        hk_vd r = avx2_wdiv_do(x, &w, 1);
        memcpy(q + i, &r, sizeof r);
    }
    for (; i < n; i++) { /* and its scalar steps */
        if (!HK_TAME_B(b[i])) {
            q[i] = a[i] / b[i];
            continue;
        }
        const avx2_recip k = avx2_recip_of(b[i]);
        q[i] = avx2_qdiv(a[i], &k);
    }
}
#else
void hk__skimage_qdiv_avx2(const double *a, size_t n, const double *b, double *q)
{
    for (size_t i = 0; i < n; i++)
        q[i] = a[i] / b[i];
}

const hk_skimage_kernels *hk_skimage_kernels_avx2(void)
{
    return NULL;
}
#endif
