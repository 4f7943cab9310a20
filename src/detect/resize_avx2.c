/* AVX2 cv::resize(INTER_LINEAR_EXACT) for 8-bit 3-channel images (the
 * pyramid of colour frames), equal to hk__resize_u8 bit for bit; other
 * channel counts run hk__resize_u8.
 *
 * The arithmetic is exact integer arithmetic until the final rounding, so
 * the passes may run in either order; here the horizontal pass comes first,
 * once per source row that some output row needs (two rows are cached):
 * H = cx0 * s[a] + cx1 * s[a + 3] (at most 65280, a uint16), then
 * out = (cy0 * H0 + cy1 * H1 + 0x8000) >> 16, which is the same integer as
 * the scalar path's (cx0 * V[a] + cx1 * V[b] + 0x8000) >> 16 with
 * V = cy0 * r0 + cy1 * r1. Horizontally, one 8-byte load at an output
 * pixel's left source pixel holds both source pixels (bytes 0-2 and 3-5);
 * two output pixels share a 128-bit lane, a byte shuffle widens the left
 * and right values to 16 bits, and 16-bit multiplies (exact: products stay
 * below 65536) apply the weights. Edge columns have the weights (256, 0),
 * so the right pixel is ignored there; pixels whose load would reach past
 * the row are done in scalar code. */
#include "detect/resize.h"

#ifdef __AVX2__
#include <immintrin.h>
#include <string.h>

static inline __m128i load8(const uint8_t *p)
{
    long long v;
    memcpy(&v, p, 8);
    return _mm_cvtsi64_si128(v);
}

/* H[3x + c] for one source row; A: byte offset of each output pixel's left
 * pixel; W: per four output pixels, 16 uint16 left weights then 16 right
 * weights in the lane layout of the shuffle (two pixels per 128-bit lane,
 * three values each, two unused). */
static void hrow3(const uint8_t *s, const int32_t *A, const uint16_t *W, const uint16_t *w0,
                  const uint16_t *w1, int dw, int vquads, uint16_t *H)
{
    const __m256i sa = _mm256_setr_epi8(0, -1, 1, -1, 2, -1, 8, -1, 9, -1, 10, -1, -1, -1, -1, -1,
                                        0, -1, 1, -1, 2, -1, 8, -1, 9, -1, 10, -1, -1, -1, -1, -1);
    const __m256i sb = _mm256_setr_epi8(3, -1, 4, -1, 5, -1, 11, -1, 12, -1, 13, -1, -1, -1, -1, -1,
                                        3, -1, 4, -1, 5, -1, 11, -1, 12, -1, 13, -1, -1, -1, -1, -1);
    int q = 0;
    for (; q < vquads; q++) {
        const int32_t *a = A + 4 * q;
        __m128i p0 = _mm_unpacklo_epi64(load8(s + a[0]), load8(s + a[1]));
        __m128i p1 = _mm_unpacklo_epi64(load8(s + a[2]), load8(s + a[3]));
        __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(p0), p1, 1);
        __m256i l = _mm256_mullo_epi16(_mm256_shuffle_epi8(v, sa),
                                       _mm256_loadu_si256((const __m256i *)(W + 32 * q)));
        __m256i r = _mm256_mullo_epi16(_mm256_shuffle_epi8(v, sb),
                                       _mm256_loadu_si256((const __m256i *)(W + 32 * q + 16)));
        __m256i h = _mm256_add_epi16(l, r);
        _mm_storeu_si128((__m128i *)(H + 12 * q), _mm256_castsi256_si128(h));
        _mm_storeu_si128((__m128i *)(H + 12 * q + 6), _mm256_extracti128_si256(h, 1));
    }
    for (int x = 4 * q; x < dw; x++)
        for (int c = 0; c < 3; c++)
            H[3 * x + c] = (uint16_t)(w0[x] * s[A[x] + c] + (w1[x] ? w1[x] * s[A[x] + 3 + c] : 0));
}

void hk__resize_rows_init_avx2(hk_resize_rows *r, const uint8_t *src, int sw, int sh,
                               size_t sstride, int cn, int dw, int dh, void *scratch)
{
    if (cn != 3) {
        hk__resize_rows_init(r, src, sw, sh, sstride, cn, dw, dh, scratch);
        return;
    }
    hk__resize_rows_geometry(r, src, sw, sh, sstride, cn, dw, dh);
    r->avx2 = 1;
    hk_resize_axis *ax = scratch, *ay = ax + dw;
    uintptr_t q = ((uintptr_t)(ay + dh) + 31) & ~(uintptr_t)31;
    const int n = dw * 3;
    const int nq = (dw + 3) / 4;
    int32_t *A = (int32_t *)q;
    uint16_t *W = (uint16_t *)(A + dw + 8);                 /* nq * 32 */
    uint16_t *w0 = W + (size_t)nq * 32, *w1 = w0 + dw + 8;   /* per pixel */
    r->ax = ax;
    r->ay = ay;
    r->A = A;
    r->W = W;
    r->w0 = w0;
    r->w1 = w1;
    r->Hs[0] = w1 + dw + 8;
    r->Hs[1] = w1 + dw + 8 + n + 16;
    r->tag[0] = r->tag[1] = -1;
    hk__resize_axis(sw, dw, ax);
    hk__resize_axis(sh, dh, ay);
    const size_t srclen = (size_t)sw * 3;
    int vquads = 0;
    for (int x = 0; x < dw; x++) {
        A[x] = ax[x].ofs * 3;
        w0[x] = ax[x].mode == 0 ? ax[x].c0 : 256;
        w1[x] = ax[x].mode == 0 ? ax[x].c1 : 0;
    }
    memset(W, 0, sizeof(uint16_t) * (size_t)nq * 32);
    for (int q = 0; q < dw / 4; q++) {
        int inside = 1;
        for (int t = 0; t < 4; t++) {
            /* pixel 4q + t: lane t / 2, slot t % 2 */
            uint16_t *l = W + 32 * q + 8 * (t / 2) + 3 * (t % 2);
            for (int c = 0; c < 3; c++) {
                l[c] = w0[4 * q + t];
                l[16 + c] = w1[4 * q + t];
            }
            inside &= (size_t)A[4 * q + t] + 8 <= srclen; /* whole 8-byte load in the row */
        }
        if (q == vquads && inside)
            vquads = q + 1;
    }
    r->vquads = vquads;
}

void hk__resize_row_avx2(hk_resize_rows *r, int y, uint8_t *d)
{
    const int dw = r->dw, n = dw * 3;
    const hk_resize_axis *a = &r->ay[y];
    int need[2] = {a->ofs, a->mode == 0 ? a->ofs + 1 : a->ofs};
    int slot[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        for (int t = 0; t < 2; t++)
            if (r->tag[t] == need[k])
                slot[k] = t;
        if (slot[k] < 0) {
            /* keep the row the other weight needs */
            int t = k == 0 ? (r->tag[0] == need[1] ? 1 : 0) : 1 - slot[0];
            hrow3(r->src + (size_t)need[k] * r->sstride, r->A, r->W, r->w0, r->w1, dw, r->vquads,
                  r->Hs[t]);
            r->tag[t] = need[k];
            slot[k] = t;
        }
    }
    const uint16_t *H0 = r->Hs[slot[0]], *H1 = r->Hs[slot[1]];
    const int32_t c0 = a->mode == 0 ? a->c0 : 256, c1 = a->mode == 0 ? a->c1 : 0;
    const __m256i vc0 = _mm256_set1_epi32(c0), vc1 = _mm256_set1_epi32(c1);
    const __m256i round = _mm256_set1_epi32(0x8000);
    /* sixteen values per step with pmaddwd: H - 32768 fits an int16 and
     * c0 + c1 = 256, so c0 H0 + c1 H1 = pmaddwd(H - 32768, c) + 2^23 (below
     * 2^24, exact), rounded as below */
    const __m256i bias = _mm256_set1_epi16((short)0x8000);
    const __m256i cc = _mm256_set1_epi32((int32_t)(((uint32_t)c1 << 16) | (uint32_t)c0));
    const __m256i add = _mm256_set1_epi32((1 << 23) + 0x8000);
    int e = 0;
    for (; e + 16 <= n; e += 16) {
        __m256i h0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(H0 + e)), bias);
        __m256i h1 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(H1 + e)), bias);
        __m256i lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(h0, h1), cc);
        __m256i hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(h0, h1), cc);
        lo = _mm256_srli_epi32(_mm256_add_epi32(lo, add), 16);
        hi = _mm256_srli_epi32(_mm256_add_epi32(hi, add), 16);
        __m256i w = _mm256_packus_epi32(lo, hi); /* values 0..255, in order within each lane */
        __m256i b = _mm256_permute4x64_epi64(_mm256_packus_epi16(w, w), 0x08);
        _mm_storeu_si128((__m128i *)(d + e), _mm256_castsi256_si128(b));
    }
    for (; e + 8 <= n; e += 8) {
        __m256i h0 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(H0 + e)));
        __m256i h1 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(H1 + e)));
        __m256i v = _mm256_add_epi32(_mm256_mullo_epi32(h0, vc0), _mm256_mullo_epi32(h1, vc1));
        v = _mm256_srli_epi32(_mm256_add_epi32(v, round), 16);
        __m128i p16 = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64((__m128i *)(d + e), _mm_packus_epi16(p16, p16));
    }
    for (; e < n; e++)
        d[e] = (uint8_t)(((uint32_t)(c0 * H0[e] + c1 * H1[e]) + 0x8000u) >> 16);
}

void hk__resize_u8_avx2(const uint8_t *src, int sw, int sh, size_t sstride, int cn,
                        uint8_t *dst, int dw, int dh, void *scratch)
{
    hk_resize_rows r;
    hk__resize_rows_init_avx2(&r, src, sw, sh, sstride, cn, dw, dh, scratch);
    for (int y = 0; y < dh; y++)
        hk__resize_row(&r, y, dst + (size_t)y * dw * cn);
}
#else
void hk__resize_rows_init_avx2(hk_resize_rows *r, const uint8_t *src, int sw, int sh,
                               size_t sstride, int cn, int dw, int dh, void *scratch)
{
    hk__resize_rows_init(r, src, sw, sh, sstride, cn, dw, dh, scratch);
}

void hk__resize_row_avx2(hk_resize_rows *r, int y, uint8_t *dst)
{
    (void)r, (void)y, (void)dst; /* never called: r->avx2 is only set above */
}

void hk__resize_u8_avx2(const uint8_t *src, int sw, int sh, size_t sstride, int cn,
                        uint8_t *dst, int dw, int dh, void *scratch)
{
    hk__resize_u8(src, sw, sh, sstride, cn, dst, dw, dh, scratch);
}
#endif
