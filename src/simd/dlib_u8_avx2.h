/* The dlib variant's vector pass for 8-bit grey rows, sixteen pixels per
 * step in 16-bit lanes (include only from src/simd/dlib_avx2.c, built with
 * -mavx2).
 *
 * Gradients of 8-bit samples are integers in [-255, 255]: they, their
 * absolute values, the bins and the accumulator offsets all fit 16-bit
 * lanes, so that part costs half the instructions of 8 float lanes. Only
 * |g| needs floats: vpmaddwd of the interleaved (gx, gy) pairs gives the
 * exact squared lengths of 8 pixels (pixels 0-3 and 8-11, or 4-7 and
 * 12-15: AVX2 unpacks work per 128-bit half), so the votes of one step
 * are stored in the order 0-3, 8-11, 4-7, 12-15 and the offsets permuted
 * to match. */
#ifndef HK_SIMD_DLIB_U8_AVX2_H
#define HK_SIMD_DLIB_U8_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "hog/dlib_fast.h"

/* dlib's decision between first-quadrant directions t and t + 1 (t = 0..3)
 * for an 8-bit gradient is ay > ax T_t with T_t = 603/3420, 1737/3008,
 * 2660/2232, 3264/1188 (its four-decimal unit vectors; see snap8 in
 * dlib_avx2.c). ay is an integer, so that is ay > floor(ax T_t), and for
 * ax in [0, 255] floor(ax T_t) = i_t ax + ((ax K_t) >> 16) with these
 * integer parts i_t and 16-bit multipliers K_t (found by search, each in
 * the middle of its range of valid values; the exhaustive test in
 * tests/unit/test_dlib_paths.c compares the bins with the specification's
 * on all of [-255, 255]^2). */
#define HK_DLIB_U8_K0 11557
#define HK_DLIB_U8_K1 37842
#define HK_DLIB_U8_K2 12566 /* plus ax */
#define HK_DLIB_U8_K3 48988 /* plus 2 ax */

/* The bins (0 .. 17) of 16 gradients with components in [-255, 255].
 * The first-quadrant direction j of (|gx|, |gy|) is the number of
 * boundaries it lies beyond; then, as hk__snap18_u8 has it, the bin is
 * j (+ 9 when gx or gy is negative) for components of one sign or zero,
 * and (9 - j + 9 [gy < 0]) mod 18 for opposite signs. In one formula:
 * (9 f + s j) mod 18 with s = -1 for opposite signs (else 1) and f = 1
 * exactly when gx < 0, or gx = 0 and gy < 0, i.e. 2 gx - [gy < 0] < 0. */
static inline __m256i hk__dlib_bins16(__m256i gx, __m256i gy)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i ax = _mm256_abs_epi16(gx), ay = _mm256_abs_epi16(gy);
    const __m256i f0 = _mm256_mulhi_epu16(ax, _mm256_set1_epi16((short)HK_DLIB_U8_K0));
    const __m256i f1 = _mm256_mulhi_epu16(ax, _mm256_set1_epi16((short)HK_DLIB_U8_K1));
    const __m256i f2 = _mm256_add_epi16(
        ax, _mm256_mulhi_epu16(ax, _mm256_set1_epi16((short)HK_DLIB_U8_K2)));
    const __m256i f3 = _mm256_add_epi16(
        _mm256_add_epi16(ax, ax), _mm256_mulhi_epu16(ax, _mm256_set1_epi16((short)HK_DLIB_U8_K3)));
    /* -j: the masks are -1 (all values below 2^15: signed compares) */
    const __m256i nj = _mm256_add_epi16(
        _mm256_add_epi16(_mm256_cmpgt_epi16(ay, f0), _mm256_cmpgt_epi16(ay, f1)),
        _mm256_add_epi16(_mm256_cmpgt_epi16(ay, f2), _mm256_cmpgt_epi16(ay, f3)));
    /* s: gx sign(gy) is negative exactly for opposite signs; | 1 makes
     * the zero cases positive */
    const __m256i s = _mm256_or_si256(_mm256_sign_epi16(gx, gy), _mm256_set1_epi16(1));
    const __m256i sy = _mm256_cmpgt_epi16(zero, gy);
    const __m256i f = _mm256_cmpgt_epi16(zero, _mm256_add_epi16(_mm256_add_epi16(gx, gx), sy));
    /* 9 f + s j = 9 f - s (-j), in [-4, 13]; + 18 where negative */
    const __m256i v =
        _mm256_sub_epi16(_mm256_and_si256(f, _mm256_set1_epi16(9)), _mm256_sign_epi16(nj, s));
    return _mm256_min_epu16(v, _mm256_add_epi16(v, _mm256_set1_epi16(18)));
}

/* Samples x .. x+15 of an 8-bit row as 16-bit lanes. */
static inline __m256i hk__dlib_load16(const uint8_t *p)
{
    return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p));
}

/* One step of 16 pixels of an 8-bit grey row: the gradients (into *gx,
 * *gy) and each pixel's accumulator offset, bin << shift plus its cell slot
 * (cell index - base) << slot_shift; lanes past xe get dummy. */
static inline __attribute__((always_inline)) __m256i
hk__dlib_ids16(const uint8_t *b0, const uint8_t *b1, const uint8_t *b2, const uint16_t *ix16,
               size_t x, size_t xe, __m256i base, __m128i shift, const int slot_shift,
               uint16_t dummy, __m256i *gx, __m256i *gy)
{
    *gx = _mm256_sub_epi16(hk__dlib_load16(b1 + x + 1), hk__dlib_load16(b1 + x - 1));
    *gy = _mm256_sub_epi16(hk__dlib_load16(b2 + x), hk__dlib_load16(b0 + x));
    const __m256i slot = _mm256_slli_epi16(
        _mm256_sub_epi16(_mm256_loadu_si256((const __m256i *)(ix16 + x)), base), slot_shift);
    __m256i id = _mm256_add_epi16(_mm256_sll_epi16(hk__dlib_bins16(*gx, *gy), shift), slot);
    if (xe - x < 16) { /* lanes xe - x .. 15 are past the strip */
        const __m256i past = _mm256_cmpgt_epi16(
            _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm256_set1_epi16((short)(xe - x - 1)));
        id = _mm256_blendv_epi8(id, _mm256_set1_epi16((short)dummy), past);
    }
    return id;
}

/* Pixels xs <= x < xe of an 8-bit grey row: per pixel its accumulator
 * offset (bin << ps_shift) + 4 (ix - ixbase) into idx and its vote quad
 * (vx4 quad * |g|) * (vy1, vy1, vy0, vy0) into quads, in steps of 16
 * pixels stored in the order 0-3, 8-11, 4-7, 12-15. Pixels at or past xe in
 * the last step get offset `dummy` (an accumulator plane nobody reads).
 * Reads the rows up to x + 16 and the column tables up to x + 15 for the
 * last step's x. */
static inline void hk__dlib_votes_u8(const hk_dlib_row *v, const hk_dlib_cols *k, size_t xs,
                                     size_t xe, int32_t ixbase, int ps_shift, uint16_t dummy,
                                     uint16_t *restrict idx, float *restrict quads)
{
    const __m256 vyq = _mm256_setr_ps(v->vy1, v->vy1, v->vy0, v->vy0, v->vy1, v->vy1, v->vy0,
                                      v->vy0);
    const __m256i p0 = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1),
                  p1 = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3),
                  p2 = _mm256_setr_epi32(4, 4, 4, 4, 5, 5, 5, 5),
                  p3 = _mm256_setr_epi32(6, 6, 6, 6, 7, 7, 7, 7);
    const uint8_t *b0 = v->r8[0], *b1 = v->r8[1], *b2 = v->r8[2];
    const uint16_t *restrict ix16 = k->ix16;
    const float *restrict vx4 = k->vx4;
    /* ix16 holds the cell indices mod 2^16: the difference is exact */
    const __m256i base = _mm256_set1_epi16((short)(uint16_t)ixbase);
    const __m128i shift = _mm_cvtsi32_si128(ps_shift);
    for (size_t x = xs; x < xe; x += 16) {
        __m256i gx, gy;
        const __m256i id =
            hk__dlib_ids16(b0, b1, b2, ix16, x, xe, base, shift, 2, dummy, &gx, &gy);
        _mm256_storeu_si256((__m256i *)(idx + (x - xs)), _mm256_permute4x64_epi64(id, 0xd8));
        /* exact squared lengths (< 2^17), then dlib's sqrtf */
        const __m256i lo = _mm256_unpacklo_epi16(gx, gy), hi = _mm256_unpackhi_epi16(gx, gy);
        const __m256 mlo = _mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(lo, lo)));
        const __m256 mhi = _mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(hi, hi)));
        const float *w = vx4 + 4 * x;
        float *q = quads + 4 * (x - xs);
#define QUAD(m, p, wo, qo)                                                                   \
    _mm256_storeu_ps(q + (qo), _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(w + (wo)),        \
                                                           _mm256_permutevar8x32_ps(m, p)), \
                                             vyq))
        QUAD(mlo, p0, 0, 0);   /* pixels 0, 1 */
        QUAD(mlo, p1, 8, 8);   /* 2, 3 */
        QUAD(mlo, p2, 32, 16); /* 8, 9 */
        QUAD(mlo, p3, 40, 24); /* 10, 11 */
        QUAD(mhi, p0, 16, 32); /* 4, 5 */
        QUAD(mhi, p1, 24, 40); /* 6, 7 */
        QUAD(mhi, p2, 48, 48); /* 12, 13 */
        QUAD(mhi, p3, 56, 56); /* 14, 15 */
#undef QUAD
    }
}

/* The same pass for cell sizes 2, 4, 8 and 16 (see avx2_acc): per step
 * of 16 pixels the offsets of pixels j and j + 8 side by side (j = 0 ..
 * 7) into idx, in bytes (the adds address ab + offset without a scale;
 * dummy also in bytes), and |g| into mag as computed (pixels 0-3, 8-11,
 * 4-7, 12-15); the weights are applied by the adds. */
static inline void hk__dlib_mags_u8(const hk_dlib_row *v, const hk_dlib_cols *k, size_t xs,
                                    size_t xe, int32_t ixbase, int ps_shift, uint16_t dummy,
                                    uint16_t *restrict idx, float *restrict mag)
{
    const uint8_t *b0 = v->r8[0], *b1 = v->r8[1], *b2 = v->r8[2];
    const uint16_t *restrict ix16 = k->ix16;
    const __m256i base = _mm256_set1_epi16((short)(uint16_t)ixbase);
    const __m128i shift = _mm_cvtsi32_si128(ps_shift + 2);
    for (size_t x = xs; x < xe; x += 16) {
        __m256i gx, gy;
        const __m256i id =
            hk__dlib_ids16(b0, b1, b2, ix16, x, xe, base, shift, 4, dummy, &gx, &gy);
        /* offsets of pixels j, j + 8 side by side (j = 0 .. 7), as the adds
         * take them */
        const __m256i pairs = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15,
                                               0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
        _mm256_storeu_si256((__m256i *)(idx + (x - xs)),
                            _mm256_shuffle_epi8(_mm256_permute4x64_epi64(id, 0xd8), pairs));
        const __m256i lo = _mm256_unpacklo_epi16(gx, gy), hi = _mm256_unpackhi_epi16(gx, gy);
        _mm256_storeu_ps(mag + (x - xs),
                         _mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(lo, lo))));
        _mm256_storeu_ps(mag + (x - xs) + 8,
                         _mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(hi, hi))));
    }
}

#endif
