/* Core of the dlib variant's image-per-lane kernel (hog/dlib_lanes.h),
 * written once with GCC vector extensions and built twice: with -mavx2
 * (dlib_lanes_avx2.c; vectors of 8 floats are ymm registers) and for the
 * baseline (dlib_lanes_generic.c; the compiler splits them). Both units are
 * compiled with -ffp-contract=off: every product and sum below is rounded on
 * its own, in the order of the scalar specification (src/hog/dlib.c), lane
 * by lane, so every image gets the scalar path's bits.
 *
 * Lane data: value i of lane k at [i * 8 + k]. The histograms are first
 * made in the layout of the votes (hk_dlib_lanes_plan.vote), then turned to
 * lane data, 18 bins of 8 lanes per cell (a cell is 144 floats). */
#include <math.h>
#include <string.h>

#include "hog/dlib_lanes.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include "simd/transpose8_avx2.h"
#else
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* 32-byte vectors passed between static functions of this unit only: the
 * ABI note for targets without AVX does not concern them */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float vf __attribute__((vector_size(32), may_alias));
typedef int32_t vi __attribute__((vector_size(32), may_alias));

#define L HK_DLIB_LANES
#define CELL (18 * L) /* floats per histogram cell */

/* Lane data from the histograms on (hist, norm, feat): the image whose
 * value is at position p of a vector. The AVX2 core takes the lanes out of
 * the vote pairs in the order one shuffle gives; the image rows and the
 * votes keep image k at lane k. */
#if defined(__AVX2__)
static const size_t LANE_AT[L] = {0, 1, 4, 5, 2, 3, 6, 7};
#else
static const size_t LANE_AT[L] = {0, 1, 2, 3, 4, 5, 6, 7};
#endif

static inline vf ld(const float *p) /* 32-byte aligned */
{
    return *(const vf *)p;
}

static inline void st(float *p, vf v)
{
    *(vf *)p = v;
}

#if !defined(__AVX2__) && defined(__SSE2__)
/* The baseline x86-64 build: two SSE halves by hand (GCC lowers a select on
 * 32-byte vectors lane by lane, with branches, for a 16-byte target). */
typedef union halves {
    vf v;
    __m128 h[2];
} halves;
#define HALVES(expr_lo, expr_hi)                                                 \
    do {                                                                       \
        halves r_;                                                             \
        r_.h[0] = (expr_lo);                                                   \
        r_.h[1] = (expr_hi);                                                   \
        return r_.v;                                                           \
    } while (0)
#endif

/* a == b and a < b per lane as masks */
static inline vi veq(vf a, vf b)
{
#if !defined(__AVX2__) && defined(__SSE2__)
    const halves A = {a}, B = {b};
    const halves r = {.h = {_mm_cmpeq_ps(A.h[0], B.h[0]), _mm_cmpeq_ps(A.h[1], B.h[1])}};
    return (vi)r.v;
#else
    return a == b;
#endif
}

static inline vi vlt(vf a, vf b)
{
#if !defined(__AVX2__) && defined(__SSE2__)
    const halves A = {a}, B = {b};
    const halves r = {.h = {_mm_cmplt_ps(A.h[0], B.h[0]), _mm_cmplt_ps(A.h[1], B.h[1])}};
    return (vi)r.v;
#else
    return a < b;
#endif
}

/* m ? a : b, m all ones or all zeros per lane */
static inline vf sel(vi m, vf a, vf b)
{
#if !defined(__AVX2__) && defined(__SSE2__)
    const halves M = {(vf)m}, A = {a}, B = {b};
    HALVES(_mm_or_ps(_mm_and_ps(M.h[0], A.h[0]), _mm_andnot_ps(M.h[0], B.h[0])),
           _mm_or_ps(_mm_and_ps(M.h[1], A.h[1]), _mm_andnot_ps(M.h[1], B.h[1])));
#else
    return (vf)(((vi)a & m) | ((vi)b & ~m));
#endif
}

/* s < 0 ? a : b by the sign bit (s is never -0 where this is used) */
static inline vf sel_neg(vf s, vf a, vf b)
{
#if defined(__AVX2__)
    return (vf)_mm256_blendv_ps((__m256)b, (__m256)a, (__m256)s);
#else
    return sel((vi)s >> 31, a, b);
#endif
}

/* _mm_min_ps(a, b) as dlib's simd4f min: a if a < b, else b */
static inline vf vmin(vf a, vf b)
{
#if defined(__AVX2__)
    return (vf)_mm256_min_ps((__m256)a, (__m256)b);
#elif defined(__SSE2__)
    const halves A = {a}, B = {b};
    HALVES(_mm_min_ps(A.h[0], B.h[0]), _mm_min_ps(A.h[1], B.h[1]));
#else
    return sel(vlt(a, b), a, b);
#endif
}

static inline vf vmax(vf a, vf b) /* no NaN here: any max will do */
{
#if defined(__AVX2__)
    return (vf)_mm256_max_ps((__m256)a, (__m256)b);
#elif defined(__SSE2__)
    const halves A = {a}, B = {b};
    HALVES(_mm_max_ps(A.h[0], B.h[0]), _mm_max_ps(A.h[1], B.h[1]));
#else
    return sel(vlt(b, a), a, b);
#endif
}

/* s in every lane (a scalar operand would be built through memory on
 * targets narrower than the vector) */
static inline vf bcast(float s)
{
#if defined(__AVX2__)
    return (vf)_mm256_set1_ps(s);
#elif defined(__SSE2__)
    HALVES(_mm_set1_ps(s), _mm_set1_ps(s));
#else
    return (vf){s, s, s, s, s, s, s, s};
#endif
}

static inline vf vabs(vf a)
{
    return (vf)((vi)a & 0x7fffffff);
}

static inline vf vsqrt(vf a) /* correctly rounded, as sqrtf */
{
#if defined(__AVX2__)
    return (vf)_mm256_sqrt_ps((__m256)a);
#elif defined(__SSE2__)
    const halves A = {a};
    HALVES(_mm_sqrt_ps(A.h[0]), _mm_sqrt_ps(A.h[1]));
#else
    vf r;
    for (int i = 0; i < L; i++)
        r[i] = sqrtf(a[i]);
    return r;
#endif
}

/* Row y of every lane's image as lane data (floats of the 8-bit samples;
 * channel 0 of grey + alpha). */
static void load_row(const hk_dlib_lanes_plan *pl, const uint8_t *const *rows,
                     const size_t *strides, size_t y, float *dst)
{
    const uint8_t *src[L];
    for (int k = 0; k < L; k++)
        src[k] = rows[k] + y * strides[k];
    const size_t w = pl->width;
    size_t x = 0;
#if defined(__AVX2__)
    if (pl->channels == 1) {
        /* 8 pixels of 8 images: an 8x8 byte transpose, then to floats */
        uint8_t tail[L][8];
        for (; x < w; x += 8) {
            /* the last chunk ends at the row's end (it may overlap the one
             * before; no read past the row); rows under 8 pixels: copies */
            if (x + 8 > w && w >= 8)
                x = w - 8;
            __m128i r[L];
            for (int k = 0; k < L; k++) {
                const uint8_t *s = src[k] + x;
                if (x + 8 > w) {
                    memset(tail[k], 0, 8);
                    memcpy(tail[k], s, w - x);
                    s = tail[k];
                }
                r[k] = _mm_loadl_epi64((const __m128i *)s);
            }
            const __m128i t0 = _mm_unpacklo_epi8(r[0], r[1]), t1 = _mm_unpacklo_epi8(r[2], r[3]);
            const __m128i t2 = _mm_unpacklo_epi8(r[4], r[5]), t3 = _mm_unpacklo_epi8(r[6], r[7]);
            const __m128i u0 = _mm_unpacklo_epi16(t0, t1), u1 = _mm_unpackhi_epi16(t0, t1);
            const __m128i u2 = _mm_unpacklo_epi16(t2, t3), u3 = _mm_unpackhi_epi16(t2, t3);
            const __m128i v[4] = {_mm_unpacklo_epi32(u0, u2), _mm_unpackhi_epi32(u0, u2),
                                  _mm_unpacklo_epi32(u1, u3), _mm_unpackhi_epi32(u1, u3)};
            float *d = dst + x * L;
            for (int i = 0; i < 4; i++) { /* pixels x + 2i, x + 2i + 1 */
                _mm256_store_ps(d + 2 * i * L, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(v[i])));
                _mm256_store_ps(d + (2 * i + 1) * L,
                                _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(v[i], 8))));
            }
        }
        return;
    }
#endif
    const size_t ch = pl->channels;
    for (; x < w; x++)
        for (int k = 0; k < L; k++)
            dst[x * L + k] = (float)src[k][x * ch];
}

/* dlib's unit vectors (dlib.c's DIR_X, DIR_Y) for o = 1 .. 4; directions
 * 9 - o have the same y and the negated x. */
#define DX1 0.9397f
#define DX2 0.7660f
#define DX3 0.500f
#define DX4 0.1736f
#define DY1 0.3420f
#define DY2 0.6428f
#define DY3 0.8660f
#define DY4 0.9848f

/* The specification's snap18 bin (0 .. 17) as integers.
 *
 * snap18 takes the first element greater than all before it (and than 0) of
 * d0, -d0, d1, -d1, ..., d8, -d8, d_o = gx * DIR_X[o] + gy * DIR_Y[o]: bin o
 * for the first direction with the largest |d_o|, o + 9 when d_o < 0; bin 0
 * when all are 0. Here d0 = gx, and for o = 1 .. 4 with a = gx * DX_o,
 * b = gy * DY_o (both rounded; DX_o, DY_o > 0, so a has gx's sign and b
 * gy's): d_o = a + b and d_{9-o} = b - a (DIR_X[9-o] = -DX_o exactly and
 * -a + b rounds as b - a). With round-to-nearest, the larger of |a + b| and
 * |b - a| is |a| + |b| rounded, p_o = |gx| DX_o + |gy| DY_o computed so;
 * it is d_o's when gx and gy do not have opposite signs, else d_{9-o}'s,
 * and the other is strictly smaller unless a or b is 0, when they tie and
 * o (the earlier) wins. So with q = (gx gy < 0) the candidates are d0
 * (value |gx|, first) then, by index, o = 1, 2, 3, 4 (q false) or
 * 9 - o = 5, 6, 7, 8 for o = 4, 3, 2, 1 (q true): the first of the
 * candidates with the largest value wins.
 *
 * p_0 = |gx|, p_1, .., p_4 are the projections of (|gx|, |gy|) on five
 * directions 20 degrees apart: they rise to their largest value and fall
 * after it, and no two neighbours are equal unless both are 0 (for 8-bit
 * gradients, the only ones this kernel takes: the test below checks them
 * all). So the winner is o = the number of rises p_{o-1} < p_o, o = 1 .. 4
 * (bin o when q is false, 9 - o when q is true, 0 when o = 0), and its d
 * has the sign of gx (d0) else of gy (gy is not 0 then: with gy = 0 every
 * p_o < p_0). Each rise, exactly |gx| (DX_{o-1} - DX_o) < |gy| (DY_o -
 * DY_{o-1}), is |gx| U_o < |gy| with U_o the quotient in float: for 8-bit
 * gradients the two sides are at least 3e-4 apart (against rounding errors
 * under 1e-4), so the rounded comparisons of the specification, the exact
 * ones and these agree. tests/unit/test_dlib_lanes.c checks
 * every 8-bit (gx, gy) against the specification. */
#define RISE(dx0, dy0, dx1, dy1) \
    ((float)(((double)(dx0) - (double)(dx1)) / ((double)(dy1) - (double)(dy0))))
static inline __attribute__((always_inline)) vi snap_bin(vf gx, vf gy)
{
    const vf ax = vabs(gx), ay = vabs(gy);
    /* masks, -1 when true: rises 1 .. 4 */
    const vi c1 = vlt(ax * RISE(1.0f, 0.0f, DX1, DY1), ay);
    const vi c2 = vlt(ax * RISE(DX1, DY1, DX2, DY2), ay);
    const vi c3 = vlt(ax * RISE(DX2, DY2, DX3, DY3), ay);
    const vi c4 = vlt(ax * RISE(DX3, DY3, DX4, DY4), ay);
    const vi s = (c1 + c2) + (c3 + c4); /* -o */
    const vf z = {};
    const vi q = vlt(gx * gy, z);
    const vi bin = (vi)sel(q, (vf)(9 + s), (vf)(0 - s)) & c1;
    const vi neg = (vi)sel(c1, gy, gx) >> 31;
    return bin + (neg & 9);
}
#undef RISE

#if defined(__AVX2__)
/* Compaction: entry `mask` holds in byte j the lane of the j-th set bit
 * of mask (the lanes to keep, in order). */
static const uint64_t COMPACT[256] = {
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000001u, 0x0000000000000100u,
    0x0000000000000002u, 0x0000000000000200u, 0x0000000000000201u, 0x0000000000020100u,
    0x0000000000000003u, 0x0000000000000300u, 0x0000000000000301u, 0x0000000000030100u,
    0x0000000000000302u, 0x0000000000030200u, 0x0000000000030201u, 0x0000000003020100u,
    0x0000000000000004u, 0x0000000000000400u, 0x0000000000000401u, 0x0000000000040100u,
    0x0000000000000402u, 0x0000000000040200u, 0x0000000000040201u, 0x0000000004020100u,
    0x0000000000000403u, 0x0000000000040300u, 0x0000000000040301u, 0x0000000004030100u,
    0x0000000000040302u, 0x0000000004030200u, 0x0000000004030201u, 0x0000000403020100u,
    0x0000000000000005u, 0x0000000000000500u, 0x0000000000000501u, 0x0000000000050100u,
    0x0000000000000502u, 0x0000000000050200u, 0x0000000000050201u, 0x0000000005020100u,
    0x0000000000000503u, 0x0000000000050300u, 0x0000000000050301u, 0x0000000005030100u,
    0x0000000000050302u, 0x0000000005030200u, 0x0000000005030201u, 0x0000000503020100u,
    0x0000000000000504u, 0x0000000000050400u, 0x0000000000050401u, 0x0000000005040100u,
    0x0000000000050402u, 0x0000000005040200u, 0x0000000005040201u, 0x0000000504020100u,
    0x0000000000050403u, 0x0000000005040300u, 0x0000000005040301u, 0x0000000504030100u,
    0x0000000005040302u, 0x0000000504030200u, 0x0000000504030201u, 0x0000050403020100u,
    0x0000000000000006u, 0x0000000000000600u, 0x0000000000000601u, 0x0000000000060100u,
    0x0000000000000602u, 0x0000000000060200u, 0x0000000000060201u, 0x0000000006020100u,
    0x0000000000000603u, 0x0000000000060300u, 0x0000000000060301u, 0x0000000006030100u,
    0x0000000000060302u, 0x0000000006030200u, 0x0000000006030201u, 0x0000000603020100u,
    0x0000000000000604u, 0x0000000000060400u, 0x0000000000060401u, 0x0000000006040100u,
    0x0000000000060402u, 0x0000000006040200u, 0x0000000006040201u, 0x0000000604020100u,
    0x0000000000060403u, 0x0000000006040300u, 0x0000000006040301u, 0x0000000604030100u,
    0x0000000006040302u, 0x0000000604030200u, 0x0000000604030201u, 0x0000060403020100u,
    0x0000000000000605u, 0x0000000000060500u, 0x0000000000060501u, 0x0000000006050100u,
    0x0000000000060502u, 0x0000000006050200u, 0x0000000006050201u, 0x0000000605020100u,
    0x0000000000060503u, 0x0000000006050300u, 0x0000000006050301u, 0x0000000605030100u,
    0x0000000006050302u, 0x0000000605030200u, 0x0000000605030201u, 0x0000060503020100u,
    0x0000000000060504u, 0x0000000006050400u, 0x0000000006050401u, 0x0000000605040100u,
    0x0000000006050402u, 0x0000000605040200u, 0x0000000605040201u, 0x0000060504020100u,
    0x0000000006050403u, 0x0000000605040300u, 0x0000000605040301u, 0x0000060504030100u,
    0x0000000605040302u, 0x0000060504030200u, 0x0000060504030201u, 0x0006050403020100u,
    0x0000000000000007u, 0x0000000000000700u, 0x0000000000000701u, 0x0000000000070100u,
    0x0000000000000702u, 0x0000000000070200u, 0x0000000000070201u, 0x0000000007020100u,
    0x0000000000000703u, 0x0000000000070300u, 0x0000000000070301u, 0x0000000007030100u,
    0x0000000000070302u, 0x0000000007030200u, 0x0000000007030201u, 0x0000000703020100u,
    0x0000000000000704u, 0x0000000000070400u, 0x0000000000070401u, 0x0000000007040100u,
    0x0000000000070402u, 0x0000000007040200u, 0x0000000007040201u, 0x0000000704020100u,
    0x0000000000070403u, 0x0000000007040300u, 0x0000000007040301u, 0x0000000704030100u,
    0x0000000007040302u, 0x0000000704030200u, 0x0000000704030201u, 0x0000070403020100u,
    0x0000000000000705u, 0x0000000000070500u, 0x0000000000070501u, 0x0000000007050100u,
    0x0000000000070502u, 0x0000000007050200u, 0x0000000007050201u, 0x0000000705020100u,
    0x0000000000070503u, 0x0000000007050300u, 0x0000000007050301u, 0x0000000705030100u,
    0x0000000007050302u, 0x0000000705030200u, 0x0000000705030201u, 0x0000070503020100u,
    0x0000000000070504u, 0x0000000007050400u, 0x0000000007050401u, 0x0000000705040100u,
    0x0000000007050402u, 0x0000000705040200u, 0x0000000705040201u, 0x0000070504020100u,
    0x0000000007050403u, 0x0000000705040300u, 0x0000000705040301u, 0x0000070504030100u,
    0x0000000705040302u, 0x0000070504030200u, 0x0000070504030201u, 0x0007050403020100u,
    0x0000000000000706u, 0x0000000000070600u, 0x0000000000070601u, 0x0000000007060100u,
    0x0000000000070602u, 0x0000000007060200u, 0x0000000007060201u, 0x0000000706020100u,
    0x0000000000070603u, 0x0000000007060300u, 0x0000000007060301u, 0x0000000706030100u,
    0x0000000007060302u, 0x0000000706030200u, 0x0000000706030201u, 0x0000070603020100u,
    0x0000000000070604u, 0x0000000007060400u, 0x0000000007060401u, 0x0000000706040100u,
    0x0000000007060402u, 0x0000000706040200u, 0x0000000706040201u, 0x0000070604020100u,
    0x0000000007060403u, 0x0000000706040300u, 0x0000000706040301u, 0x0000070604030100u,
    0x0000000706040302u, 0x0000070604030200u, 0x0000070604030201u, 0x0007060403020100u,
    0x0000000000070605u, 0x0000000007060500u, 0x0000000007060501u, 0x0000000706050100u,
    0x0000000007060502u, 0x0000000706050200u, 0x0000000706050201u, 0x0000070605020100u,
    0x0000000007060503u, 0x0000000706050300u, 0x0000000706050301u, 0x0000070605030100u,
    0x0000000706050302u, 0x0000070605030200u, 0x0000070605030201u, 0x0007060503020100u,
    0x0000000007060504u, 0x0000000706050400u, 0x0000000706050401u, 0x0000070605040100u,
    0x0000000706050402u, 0x0000070605040200u, 0x0000070605040201u, 0x0007060504020100u,
    0x0000000706050403u, 0x0000070605040300u, 0x0000070605040301u, 0x0007060504030100u,
    0x0000070605040302u, 0x0007060504030200u, 0x0007060504030201u, 0x0706050403020100u,
};
#endif

/* Image row y (1 <= y < visible_nr) into the two histogram rows it votes
 * for, R = iyp[y] + 1 and R + 1 (with the border), which the ring holds:
 * votes of every lane's pixels computed together and kept for the lanes
 * whose gradient is not zero (a zero vote leaves a bin's bits as they are),
 * then added one lane at a time (each lane's bins differ), in raster order
 * per lane as the specification adds them. A pixel's two rows of one cell
 * are the two slots of its pair, so its four votes are two adds of two
 * floats; slot 0 is the even row. */
static void hist_row(const hk_dlib_lanes_plan *pl, const float *r0, const float *r1,
                     const float *r2, long y)
{
    const long nc = pl->visible_nc;
    const size_t split = pl->split;
    /* vy1 weighs row R, vy0 row R + 1: named here by slot instead */
    const float vr = pl->vy0[y], vr1 = 1.0f - vr;
    const int odd = (pl->iyp[y] + 1) & 1;
    const float vy0 = odd ? vr1 : vr, vy1 = odd ? vr : vr1;
    const float *vx0 = pl->vx0, *vx1 = pl->vx1;
    int32_t *voff = pl->voff;
    float *vw = pl->vw;
    /* lane k, bin o, cell c: ((c * 18 + o) * 8 + k) * 2 (the pair); the
     * part of cell ix[x] and lane k in xoff */
    const int32_t *xoff = pl->xoff;
    const int32_t cell_step = (int32_t)CELL * 2;
#if !defined(__AVX2__)
    const vf Vy0 = bcast(vy0), Vy1 = bcast(vy1);
#endif
    size_t n = 0;
#define GRAD(x, len, m, off)                                                                \
    do {                                                                                 \
        const vf gx_ = ld(r1 + ((x) + 1) * L) - ld(r1 + ((x)-1) * L);                        \
        const vf gy_ = ld(r2 + (x) * L) - ld(r0 + (x) * L);                                  \
        len = gx_ * gx_ + gy_ * gy_;                                                      \
        m = vsqrt(len);                                                                   \
        off = snap_bin(gx_, gy_) * (int32_t)(L * 2) + *(const vi *)(xoff + (x) * L);       \
    } while (0)
#if defined(__AVX2__)
    /* pixel x + 1's gradient while pixel x's votes are made: the square
     * root's latency hides behind them */
    vf len_n, m_n;
    vi off_n;
    if (nc > 1)
        GRAD(1, len_n, m_n, off_n);
#endif
    for (long x = 1; x < nc; x++) {
#if defined(__AVX2__)
        const vf len = len_n, m = m_n;
        const vi off = off_n;
        if (x + 1 < nc)
            GRAD(x + 1, len_n, m_n, off_n);
        /* the lanes with a vote, in order; then per vote its four weights
         * (w11, w01, w10, w00 of the specification) */
        const unsigned keep = (unsigned)_mm256_movemask_ps(
            _mm256_cmp_ps((__m256)len, _mm256_setzero_ps(), _CMP_GT_OQ));
        const __m256i perm = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)COMPACT[keep]));
        _mm256_storeu_si256((__m256i *)(voff + n), _mm256_permutevar8x32_epi32((__m256i)off, perm));
        const __m256 mc = _mm256_permutevar8x32_ps((__m256)m, perm);
        __m256 e04, e15, e26, e37; /* votes 0 and 4, 1 and 5, ... */
        if ((size_t)x < split) { /* dlib's 8-wide loop: vy * (vx * |g|) */
            const __m256 a1 = _mm256_mul_ps(_mm256_set1_ps(vx1[x]), mc);
            const __m256 a0 = _mm256_mul_ps(_mm256_set1_ps(vx0[x]), mc);
            const __m256 t = _mm256_unpacklo_ps(a1, a0), u = _mm256_unpackhi_ps(a1, a0);
            const __m256 vy = _mm256_setr_ps(vy1, vy0, vy1, vy0, vy1, vy0, vy1, vy0);
            e04 = _mm256_mul_ps(_mm256_permute_ps(t, 0x50), vy);
            e15 = _mm256_mul_ps(_mm256_permute_ps(t, 0xfa), vy);
            e26 = _mm256_mul_ps(_mm256_permute_ps(u, 0x50), vy);
            e37 = _mm256_mul_ps(_mm256_permute_ps(u, 0xfa), vy);
        } else { /* its scalar tail: (vy * vx) * |g| */
            const float c11 = vy1 * vx1[x], c01 = vy0 * vx1[x];
            const float c10 = vy1 * vx0[x], c00 = vy0 * vx0[x];
            const __m256 c = _mm256_setr_ps(c11, c01, c10, c00, c11, c01, c10, c00);
            const __m256 t = _mm256_unpacklo_ps(mc, mc), u = _mm256_unpackhi_ps(mc, mc);
            e04 = _mm256_mul_ps(c, _mm256_permute_ps(t, 0x00));
            e15 = _mm256_mul_ps(c, _mm256_permute_ps(t, 0xaa));
            e26 = _mm256_mul_ps(c, _mm256_permute_ps(u, 0x00));
            e37 = _mm256_mul_ps(c, _mm256_permute_ps(u, 0xaa));
        }
        float *wv = vw + 4 * n;
        _mm256_storeu2_m128(wv + 16, wv, e04);
        _mm256_storeu2_m128(wv + 20, wv + 4, e15);
        _mm256_storeu2_m128(wv + 24, wv + 8, e26);
        _mm256_storeu2_m128(wv + 28, wv + 12, e37);
        n += (size_t)__builtin_popcount(keep);
#else
        vf len, m;
        vi off;
        GRAD(x, len, m, off);
        vf w11, w01, w10, w00;
        if ((size_t)x < split) { /* dlib's 8-wide loop: vy * (vx * |g|) */
            const vf a1 = bcast(vx1[x]) * m, a0 = bcast(vx0[x]) * m;
            w11 = Vy1 * a1;
            w01 = Vy0 * a1;
            w10 = Vy1 * a0;
            w00 = Vy0 * a0;
        } else { /* its scalar tail: (vy * vx) * |g| */
            w11 = bcast(vy1 * vx1[x]) * m;
            w01 = bcast(vy0 * vx1[x]) * m;
            w10 = bcast(vy1 * vx0[x]) * m;
            w00 = bcast(vy0 * vx0[x]) * m;
        }
        float t[5][L] __attribute__((aligned(32)));
        int32_t to[L] __attribute__((aligned(32)));
        st(t[0], w11);
        st(t[1], w01);
        st(t[2], w10);
        st(t[3], w00);
        st(t[4], len);
        *(vi *)to = off;
        for (int k = 0; k < L; k++) { /* no branch: always written, kept or not */
            voff[n] = to[k];
            vw[4 * n] = t[0][k];
            vw[4 * n + 1] = t[1][k];
            vw[4 * n + 2] = t[2][k];
            vw[4 * n + 3] = t[3][k];
            n += t[4][k] > 0.0f;
        }
#endif
    }
#undef GRAD
    float *vote = pl->vote;
#if defined(__AVX2__)
    /* two floats at a time (8-byte loads and stores of any alignment:
     * movq; the upper lanes of the sums are dropped); two votes per turn */
#define VOTE(i)                                                                      \
    do {                                                                             \
        float *q_ = vote + voff[i];                                                  \
        const float *w_ = vw + 4 * (i);                                              \
        const __m128 a_ = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)w_));      \
        const __m128 b_ = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(w_ + 2))); \
        const __m128 u_ = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)q_));      \
        _mm_storel_epi64((__m128i *)q_, _mm_castps_si128(_mm_add_ps(u_, a_)));         \
        const __m128 v_ =                                                            \
            _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(q_ + cell_step)));     \
        _mm_storel_epi64((__m128i *)(q_ + cell_step), _mm_castps_si128(_mm_add_ps(v_, b_))); \
    } while (0)
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        VOTE(i);
        VOTE(i + 1);
    }
    if (i < n)
        VOTE(i);
#undef VOTE
#else
    for (size_t i = 0; i < n; i++) {
        float *q = vote + voff[i];
        const float *w = vw + 4 * i;
        q[0] += w[0]; /* cell ix: its two rows */
        q[1] += w[1];
        q[cell_step] += w[2]; /* cell ix + 1 */
        q[cell_step + 1] += w[3];
    }
#endif
}

/* Histogram row B (with the border; slot B & 1 of the ring) is complete:
 * unless it is a border row, to lane data (hist ring row (B - 1) % 3) with
 * its cells' energies sum_{o<9} (h_o + h_{o+9})^2; then its slot is zeroed
 * for row B + 2. The border columns are never read: they are left as they
 * are (core zeroes the ring once per group). */
static void finish_row(const hk_dlib_lanes_plan *pl, long B)
{
    const size_t nc = (size_t)pl->cells_nc, s = (size_t)B & 1u;
    const int keep = B >= 1 && B <= pl->cells_nr;
    float *h = pl->hist + (size_t)((B - 1 + 3) % 3) * nc * CELL;
    float *nrm = pl->norm + (size_t)(keep ? B - 1 : 0) * nc * L;
    for (size_t c = 0; c < nc; c++) {
        float *v = pl->vote + (c + 1u) * CELL * 2u;
        float *hc = h + c * CELL;
        for (int o = 0; o < 18; o++) {
            float *q = v + o * L * 2;
#if defined(__AVX2__)
            const __m256 a = _mm256_load_ps(q), b = _mm256_load_ps(q + L);
            /* slot s of lanes 0, 1, 4, 5 | 2, 3, 6, 7: the order of lane
             * data in this core (LANE_AT) */
            if (keep)
                _mm256_store_ps(hc + (size_t)o * L,
                                s ? _mm256_shuffle_ps(a, b, 0xdd) : _mm256_shuffle_ps(a, b, 0x88));
            const __m256 zero = _mm256_setzero_ps();
            _mm256_store_ps(q, s ? _mm256_blend_ps(a, zero, 0xaa) : _mm256_blend_ps(a, zero, 0x55));
            _mm256_store_ps(q + L, s ? _mm256_blend_ps(b, zero, 0xaa) : _mm256_blend_ps(b, zero, 0x55));
#else
            for (int k = 0; k < L; k++) {
                if (keep)
                    hc[o * L + k] = q[2 * k + s];
                q[2 * k + s] = 0.0f;
            }
#endif
        }
        if (keep) {
            vf e = {};
            for (int o = 0; o < 9; o++) {
                const vf t = ld(hc + o * L) + ld(hc + (o + 9) * L);
                e = e + t * t;
            }
            st(nrm + c * L, e);
        }
    }
}

/* dlib's sum() of four lanes (SSE2): (l0 + l2) + (l1 + l3) */
static inline vf lane_sum(vf s0, vf s1, vf s2, vf s3)
{
    return (s0 + s2) + (s1 + s3);
}

/* The 31 features of output row y (its histogram row y + 1 and energy rows
 * y .. y + 2 done) into pl->feat. */
/* Block row i (cells i, i + 1 and two columns each; ring row i % 2): the
 * clip level 0.2 sqrt(z) and the scale 0.1 / it of each block, z its
 * energy summed as dlib does for every block (TL + TR + BL + BR + eps): a
 * block's four output cells share them. */
static void block_row(const hk_dlib_lanes_plan *pl, size_t i)
{
    const size_t nc = (size_t)pl->cells_nc;
    float *b = pl->blk + (i % 2) * (nc - 1u) * 2u * L;
    const float *n0 = pl->norm + i * nc * L, *n1 = n0 + nc * L;
    for (size_t j = 0; j + 1 < nc; j++) {
        const vf z = ld(n0 + j * L) + ld(n0 + (j + 1) * L) + ld(n1 + j * L) +
                     ld(n1 + (j + 1) * L) + 0.0001f;
        const vf nn = 0.2f * vsqrt(z);
        st(b + j * 2 * L, nn);
        st(b + (j * 2 + 1) * L, 0.1f / nn);
    }
}

static void features_row(const hk_dlib_lanes_plan *pl, size_t y)
{
    const size_t nc = (size_t)pl->cells_nc;
    const float tscale = (float)(2 * 0.2357);
    if (y == 0)
        block_row(pl, 0);
    block_row(pl, y + 1);
    const float *b0 = pl->blk + (y % 2) * (nc - 1u) * 2u * L;
    const float *b1 = pl->blk + ((y + 1) % 2) * (nc - 1u) * 2u * L;
    for (size_t x = 0; x < pl->hog_nc; x++) {
        /* the blocks in dlib's lane order BR, TR, BL, TL */
        const vf nn[4] = {ld(b1 + (x + 1) * 2 * L), ld(b0 + (x + 1) * 2 * L), ld(b1 + x * 2 * L),
                          ld(b0 + x * 2 * L)};
        const vf nv[4] = {ld(b1 + ((x + 1) * 2 + 1) * L), ld(b0 + ((x + 1) * 2 + 1) * L),
                          ld(b1 + (x * 2 + 1) * L), ld(b0 + (x * 2 + 1) * L)};
        vf t[4] = {{}, {}, {}, {}};
        const float *h = pl->hist + (((y + 1) % 3) * nc + x + 1) * CELL;
        float *f = pl->feat + ((y + pl->off_r) * pl->out_cols + x + pl->off_c) * L;
        const size_t pl8 = pl->plane * L;
        for (int o = 0; o < 18; o += 3) {
            vf s[3][4];
            for (int j = 0; j < 3; j++) {
                const vf hv = ld(h + (o + j) * L);
                for (int i = 0; i < 4; i++)
                    s[j][i] = vmin(hv, nn[i]) * nv[i];
                st(f + (size_t)(o + j) * pl8, lane_sum(s[j][0], s[j][1], s[j][2], s[j][3]));
            }
            for (int i = 0; i < 4; i++)
                t[i] = t[i] + (s[0][i] + s[1][i] + s[2][i]);
        }
        for (int o = 0; o < 9; o++) {
            const vf sum = ld(h + o * L) + ld(h + (o + 9) * L);
            vf s[4];
            for (int i = 0; i < 4; i++)
                s[i] = vmin(sum, nn[i]) * nv[i];
            st(f + (size_t)(18 + o) * pl8, lane_sum(s[0], s[1], s[2], s[3]));
        }
        for (int i = 0; i < 4; i++)
            st(f + (size_t)(27 + i) * pl8, t[i] * tscale);
    }
}

/* Lane data of dim values to images 0 .. n-1 at out + k * dim. */
/* Lane data of dim values to images 0 .. n-1 at out + k * dim. */
static void store_out(const float *feat, size_t dim, size_t n, float *out)
{
    size_t j = 0;
#if defined(__AVX2__)
    for (; j + 8 <= dim; j += 8) { /* 8x8 transposes */
        const float *f = feat + j * L;
        __m256 r[8], c[8];
        for (int i = 0; i < 8; i++)
            r[i] = _mm256_load_ps(f + i * L);
        hk__transpose8_ps(r, c);
        for (size_t p = 0; p < L; p++)
            if (LANE_AT[p] < n)
                _mm256_storeu_ps(out + LANE_AT[p] * dim + j, c[p]);
    }
#endif
    for (; j < dim; j++)
        for (size_t p = 0; p < L; p++)
            if (LANE_AT[p] < n)
                out[LANE_AT[p] * dim + j] = feat[j * L + p];
}

/* Row B complete: to lane data; then the output row it completes. */
static void finish(const hk_dlib_lanes_plan *pl, long B)
{
    finish_row(pl, B);
    /* unbordered row B - 1 done: output row B - 3 has all it needs */
    if (B >= 3 && (size_t)(B - 3) < pl->hog_nr)
        features_row(pl, (size_t)(B - 3));
}

static void core(const hk_dlib_lanes_plan *pl, const uint8_t *const *rows, const size_t *strides,
                 size_t n, float *out)
{
    const size_t row8 = pl->tw * L;
    /* Memory: the group's output (written last) and the next group's
     * images (when the images lie one after another, as in a stack; a
     * prefetch past the batch is harmless) are requested a slice per image
     * row, while the rows are computed: at once, most requests would be
     * dropped. */
    /* addresses as integers: the slices may lie past the buffers */
    const uintptr_t o = (uintptr_t)out;
    const size_t obytes = n * pl->dim * sizeof(float), span = strides[0] * pl->height;
    int seq = 1;
    for (int k = 1; k < L; k++)
        seq &= (uintptr_t)rows[k] == (uintptr_t)rows[k - 1] + span;
    const uintptr_t next = seq ? (uintptr_t)rows[L - 1] + span : 0;
    const size_t nrows = (size_t)pl->visible_nr;
    const size_t oslice = (obytes / 64 / nrows + 1) * 64, islice = (L * span / 64 / nrows + 1) * 64;
    memset(pl->vote, 0, ((size_t)pl->cells_nc + 2u) * CELL * 2u * sizeof(float));
    float *ring[3] = {pl->trow, pl->trow + row8, pl->trow + 2 * row8};
    long done = 0; /* next histogram row (with the border) to finish */
    load_row(pl, rows, strides, 0, ring[0]);
    load_row(pl, rows, strides, 1, ring[1]);
    for (long y = 1; y < pl->visible_nr; y++) {
        float *r0 = ring[(y - 1) % 3], *r1 = ring[y % 3], *r2 = ring[(y + 1) % 3];
        for (size_t i = 0; i < oslice; i += 64)
            __builtin_prefetch((const void *)(o + (size_t)(y - 1) * oslice + i), 1);
        if (next)
            for (size_t i = 0; i < islice; i += 64)
                __builtin_prefetch((const void *)(next + (size_t)(y - 1) * islice + i));
        load_row(pl, rows, strides, (size_t)y + 1, r2);
        /* rows before R = iyp[y] + 1 are complete (R grows by at most 1) */
        for (; done <= pl->iyp[y]; done++)
            finish(pl, done);
        hist_row(pl, r0, r1, r2, y);
    }
    for (; done <= pl->cells_nr; done++)
        finish(pl, done);
    store_out(pl->feat, pl->dim, n, out);
}
