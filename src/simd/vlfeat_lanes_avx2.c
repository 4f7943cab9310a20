/* AVX2 build of the VLFeat image-per-lane kernel (simd/vlfeat_lanes.inc.h):
 * compiled with -mavx2 -ffp-contract=off and no FMA (the reference rounds
 * every product). Blends, square roots and minimums are the single AVX
 * instructions with the scalar operations' semantics; 8-bit rows go into
 * the lanes by 8x8 byte transposes, and the outputs leave them by 8x8 float
 * transposes. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "hog/vlfeat_lanes.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#define LV_SEL(m, a, b) ((lv_f8)_mm256_blendv_ps((__m256)(b), (__m256)(a), (__m256)(m)))
#define LV_SELI(m, a, b) ((lv_i8)_mm256_blendv_ps((__m256)(b), (__m256)(a), (__m256)(m)))
#define LV_SQRTF(v) ((lv_f8)_mm256_sqrt_ps((__m256)(v)))
#define LV_SQRTD(v) ((lv_d4)_mm256_sqrt_pd((__m256d)(v)))
/* minpd(c, v) is c < v ? c : v, as VL_MIN(c, v) */
#define LV_MIND(c, v) ((lv_d4)_mm256_min_pd((__m256d)(c), (__m256d)(v)))
#define LV_ANY(m) (_mm256_movemask_ps((__m256)(m)) != 0)
#define LV_FN lanes_avx2
#include "simd/vlfeat_lanes.inc.h"

static inline lv_f8 u8x8(__m128i w)
{
    return (lv_f8)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(w));
}

static void lv_convert(const hk_vlf_lanes_geom *g, const hk_image *const *ims, size_t count,
                       size_t y, lv_f8 *dst)
{
    const size_t W = g->W;
    if (ims[0]->type != HK_U8 || g->C != 1 || W < 8) {
        lv_convert_scalar(g, ims, count, y, dst);
        return;
    }
    const uint8_t *row[HK_VLF_LANES];
    for (size_t k = 0; k < HK_VLF_LANES; k++) {
        const hk_image *im = ims[k < count ? k : 0];
        row[k] = (const uint8_t *)im->data + y * im->stride;
    }
    /* 8 pixels of 8 images at a time; the last block ends at the row's end */
    for (size_t x0 = 0; x0 < W; x0 += 8) {
        const size_t x = x0 + 8 <= W ? x0 : W - 8;
        __m128i a[8];
        for (int k = 0; k < 8; k++)
            a[k] = _mm_loadl_epi64((const __m128i *)(row[k] + x));
        const __m128i t0 = _mm_unpacklo_epi8(a[0], a[1]), t1 = _mm_unpacklo_epi8(a[2], a[3]);
        const __m128i t2 = _mm_unpacklo_epi8(a[4], a[5]), t3 = _mm_unpacklo_epi8(a[6], a[7]);
        const __m128i u0 = _mm_unpacklo_epi16(t0, t1), u1 = _mm_unpackhi_epi16(t0, t1);
        const __m128i u2 = _mm_unpacklo_epi16(t2, t3), u3 = _mm_unpackhi_epi16(t2, t3);
        /* pixel pairs (0, 1), (2, 3), (4, 5), (6, 7): 8 bytes, images 0..7, each */
        const __m128i w[4] = {_mm_unpacklo_epi32(u0, u2), _mm_unpackhi_epi32(u0, u2),
                              _mm_unpacklo_epi32(u1, u3), _mm_unpackhi_epi32(u1, u3)};
        for (int i = 0; i < 4; i++) {
            dst[x + 2 * i] = u8x8(w[i]);
            dst[x + 2 * i + 1] = u8x8(_mm_unpackhi_epi64(w[i], w[i]));
        }
    }
}

static void lv_put(const lv_f8 *v, size_t m, float *out, size_t dim, size_t count)
{
    if (m < HK_VLF_LANES) {
        for (size_t k = 0; k < count; k++)
            for (size_t j = 0; j < m; j++)
                out[k * dim + j] = v[j][k];
        return;
    }
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps((__m256)v[i], (__m256)v[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps((__m256)v[i], (__m256)v[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
    }
    for (size_t k = 0; k < count; k++) {
        const __m256 o = k < 4 ? _mm256_permute2f128_ps(s[k], s[k + 4], 0x20)
                               : _mm256_permute2f128_ps(s[k - 4], s[k], 0x31);
        _mm256_storeu_ps(out + k * dim, o);
    }
}

hk_lanes_fn hk_vlf_lanes_avx2(void)
{
    return lanes_avx2;
}
#else
hk_lanes_fn hk_vlf_lanes_avx2(void)
{
    return NULL;
}
#endif
