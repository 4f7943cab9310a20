/* AVX2 build of the VLFeat image-per-lane kernel (simd/vlfeat_lanes.inc.h):
 * compiled with -mavx2 -ffp-contract=off and no FMA (the reference rounds
 * every product). Blends, square roots and minimums are the single AVX
 * instructions with the scalar operations' semantics; 8-bit rows go into
 * the lanes by 8x8 byte transposes, and the features leave by streaming
 * stores. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hog/vlfeat_lanes.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#include "simd/snap18_u8_avx2.h"
#include "simd/vlfeat_tan9.h"

#include "simd/stream_avx2.h"

#define LV_SEL(m, a, b) ((lv_f8)_mm256_blendv_ps((__m256)(b), (__m256)(a), (__m256)(m)))
#define LV_SELI(m, a, b) ((lv_i8)_mm256_blendv_ps((__m256)(b), (__m256)(a), (__m256)(m)))
#define LV_SQRTF(v) ((lv_f8)_mm256_sqrt_ps((__m256)(v)))
#define LV_SQRTD(v) ((lv_d4)_mm256_sqrt_pd((__m256d)(v)))
/* minpd(c, v) is c < v ? c : v, as VL_MIN(c, v) */
#define LV_MIND(c, v) ((lv_d4)_mm256_min_pd((__m256d)(c), (__m256d)(v)))
/* the pair as one 8-byte load, add (the upper two lanes are ignored) and
 * store; h is only float-aligned (the unaligned 64-bit forms) */
#define LV_ADD_PAIR(h, v)                                                                    \
    _mm_storel_epi64((__m128i *)(h),                                                          \
                     _mm_castps_si128(_mm_add_ps(                                             \
                         _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(h))),             \
                         _mm_loadu_ps(v))))
#define LV_ANY(m) (_mm256_movemask_ps((__m256)(m)) != 0)
/* 8-bit grey, 9 orientations: the bin from four comparisons, as the
 * one-image kernel's bins9_u8_v (exact on [-255, 255]^2, check_bins9 in
 * tests/unit/test_vlfeat_paths.c) */
static const float lv_tan9[4] = HK_VLF_TAN9;
#define LV_BIN9_U8(gx, gy) ((lv_i8)hk__snap18_u8((__m256)(gx), (__m256)(gy), lv_tan9))
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


/* The features of a batch are written once and not read again here: in a
 * large batch (70,000 x 7 KB) they go past every cache, and plain stores
 * would first read each line from memory. Streaming stores skip that read;
 * a line an image shares with its neighbour is stored plainly. */
static void lv_flush(const float *stage, float *out, size_t dim)
{
    hk__stream_lines(out, stage, dim);
}

static void lv_flush_end(void)
{
    _mm_sfence(); /* the streamed lines are ordered before whatever follows */
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
