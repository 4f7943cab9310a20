/* AVX2 kernels of the dlib variant: eight pixels (or eight cells) per
 * vector. Built with -mavx2 and -ffp-contract=off (CMakeLists.txt): every
 * product and sum is rounded on its own, in the order of the scalar
 * specification (src/hog/dlib.c), so results are bit-identical to it. When
 * the flags are absent (HK_SCALAR_ONLY) the unit only says the set is not
 * there. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hog/dlib_fast.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#include "simd/dlib_u8_avx2.h"
#include "simd/snap18_u8_avx2.h"

/* dlib's unit vectors, rounded to four decimals in its source (as dlib.c). */
static const float DIR_X[9] = {1.0000f, 0.9397f, 0.7660f, 0.500f, 0.1736f,
                               -0.1736f, -0.5000f, -0.7660f, -0.9397f};
static const float DIR_Y[9] = {0.0000f, 0.3420f, 0.6428f, 0.8660f, 0.9848f,
                               0.9848f, 0.8660f, 0.6428f, 0.3420f};

static inline __m256i loadi(const int32_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* Samples x .. x+7 of an 8-bit row as ints. */
static inline __m256i load8(const uint8_t *p)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
}

/* Gradient of grey pixels x .. x+7 (int rows): float differences. */
static inline void grad_grey(const hk_dlib_row *v, size_t x, __m256 *gx, __m256 *gy, __m256 *len)
{
    *gx = _mm256_cvtepi32_ps(_mm256_sub_epi32(loadi(v->r[1] + x + 1), loadi(v->r[1] + x - 1)));
    *gy = _mm256_cvtepi32_ps(_mm256_sub_epi32(loadi(v->r[2] + x), loadi(v->r[0] + x)));
    *len = _mm256_add_ps(_mm256_mul_ps(*gx, *gx), _mm256_mul_ps(*gy, *gy));
}

static inline __m256i pick(__m256i mask, __m256i a, __m256i b) /* mask ? a : b */
{
    return _mm256_blendv_epi8(b, a, mask);
}

/* Colour: the channel with the largest squared length (exact ints), ties
 * broken per column as dlib's two loops do (`tail` lanes: scalar rule). */
static inline void grad_rgb(const hk_dlib_row *v, size_t x, __m256i tail, __m256 *gx,
                            __m256 *gy, __m256 *len)
{
    __m256i cx[3], cy[3], l[3];
    for (int c = 0; c < 3; c++) {
        const int32_t *r0 = v->r[0] + c * v->cstride, *r1 = v->r[1] + c * v->cstride,
                      *r2 = v->r[2] + c * v->cstride;
        cx[c] = _mm256_sub_epi32(loadi(r1 + x + 1), loadi(r1 + x - 1));
        cy[c] = _mm256_sub_epi32(loadi(r2 + x), loadi(r0 + x));
        l[c] = _mm256_add_epi32(_mm256_mullo_epi32(cx[c], cx[c]), _mm256_mullo_epi32(cy[c], cy[c]));
    }
    /* 8-wide loop: select(r > g, r, g), then select(t > b, t, b) */
    __m256i m = _mm256_cmpgt_epi32(l[0], l[1]);
    __m256i sx = pick(m, cx[0], cx[1]), sy = pick(m, cy[0], cy[1]), sl = pick(m, l[0], l[1]);
    m = _mm256_cmpgt_epi32(sl, l[2]);
    sx = pick(m, sx, cx[2]);
    sy = pick(m, sy, cy[2]);
    sl = pick(m, sl, l[2]);
    /* scalar loop: replace the running best (red first) only on strict > */
    __m256i n = _mm256_cmpgt_epi32(l[1], l[0]);
    __m256i tx = pick(n, cx[1], cx[0]), ty = pick(n, cy[1], cy[0]), tl = pick(n, l[1], l[0]);
    n = _mm256_cmpgt_epi32(l[2], tl);
    tx = pick(n, cx[2], tx);
    ty = pick(n, cy[2], ty);
    tl = pick(n, l[2], tl);
    *gx = _mm256_cvtepi32_ps(pick(tail, tx, sx));
    *gy = _mm256_cvtepi32_ps(pick(tail, ty, sy));
    *len = _mm256_cvtepi32_ps(pick(tail, tl, sl));
}

/* The 18-direction snap, with dlib's bin decisions but without its nine dot
 * products. dlib takes the first o (0..8) with the largest |dot_o|, dot_o =
 * gx * DIR_X[o] + gy * DIR_Y[o] (two rounded products, rounded sum), then
 * bin o if dot_o > 0, o + 9 if dot_o < 0. The unit vectors are mirror pairs
 * (DIR_X[9-o] = -DIR_X[o], DIR_Y[9-o] = DIR_Y[o]) and rounding is symmetric,
 * so with ax = |gx|, ay = |gy|:
 *  - gx, gy of one sign (or zero): |dot_j(gx, gy)| = dot_j(ax, ay), j = o;
 *  - opposite signs: |dot_o(gx, gy)| = |dot_j(ax, ay)| with o = 9 - j
 *    (o = 0 for j = 0),
 * bit for bit. The winner lies within 10 degrees of the gradient's line, so
 * it is one of the two first-quadrant directions j = k, k + 1 around it,
 * where k = floor(angle / 20 deg) of (ax, ay) is found by comparing ay with
 * ax * tan(20, 40, 60, 80 deg): those comparisons may be off by one only
 * next to a multiple of 20 deg, where the direction at that angle wins and
 * is in both candidate pairs. The two candidates' dot products are computed
 * exactly as dlib does, so ties resolve as in dlib: the lower o wins. The
 * sign: dot_0 = gx; otherwise the winner's dot has the sign of gy for
 * opposite signs, and is negative when gx or gy is for one sign. A zero
 * gradient gives bin 0, as in dlib. tests/unit/test_dlib_paths.c checks
 * every integer gradient in [-300, 300]^2 and random ones up to 2^31. */
static inline __m256i snap18(__m256 gx, __m256 gy)
{
    const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
    const __m256 ax = _mm256_andnot_ps(sign, gx), ay = _mm256_andnot_ps(sign, gy);
    /* k = #{t in 20, 40, 60, 80 deg : ay > ax tan t} (masks are -1) */
    static const float TAN[4] = {0.36397023f, 0.83909963f, 1.7320508f, 5.6712818f};
    __m256i k = _mm256_setzero_si256();
    for (int t = 0; t < 4; t++)
        k = _mm256_sub_epi32(k, _mm256_castps_si256(_mm256_cmp_ps(
                                    ay, _mm256_mul_ps(ax, _mm256_set1_ps(TAN[t])), _CMP_GT_OQ)));
    const __m256i k1 = _mm256_add_epi32(k, _mm256_set1_epi32(1));
    const __m256 qx = _mm256_setr_ps(DIR_X[0], DIR_X[1], DIR_X[2], DIR_X[3], DIR_X[4], DIR_X[5],
                                     0, 0);
    const __m256 qy = _mm256_setr_ps(DIR_Y[0], DIR_Y[1], DIR_Y[2], DIR_Y[3], DIR_Y[4], DIR_Y[5],
                                     0, 0);
    const __m256 d1 = _mm256_add_ps(_mm256_mul_ps(ax, _mm256_permutevar8x32_ps(qx, k)),
                                    _mm256_mul_ps(ay, _mm256_permutevar8x32_ps(qy, k)));
    const __m256 d2 = _mm256_andnot_ps(
        sign, _mm256_add_ps(_mm256_mul_ps(ax, _mm256_permutevar8x32_ps(qx, k1)),
                            _mm256_mul_ps(ay, _mm256_permutevar8x32_ps(qy, k1))));
    const __m256 opp = _mm256_cmp_ps(_mm256_mul_ps(gx, gy), zero, _CMP_LT_OQ);
    /* second candidate: larger, or equal with the lower o (opposite signs,
     * k >= 1: o = 8 - k against 9 - k) */
    const __m256i kpos = _mm256_cmpgt_epi32(k, _mm256_setzero_si256());
    const __m256 pick2 = _mm256_or_ps(
        _mm256_cmp_ps(d2, d1, _CMP_GT_OQ),
        _mm256_and_ps(_mm256_and_ps(_mm256_cmp_ps(d2, d1, _CMP_EQ_OQ), opp),
                      _mm256_castsi256_ps(kpos)));
    const __m256i j = _mm256_sub_epi32(k, _mm256_castps_si256(pick2));
    const __m256i jz = _mm256_cmpeq_epi32(j, _mm256_setzero_si256());
    const __m256i mirrored = _mm256_andnot_si256(jz, _mm256_sub_epi32(_mm256_set1_epi32(9), j));
    const __m256i o = _mm256_castps_si256(_mm256_blendv_ps(
        _mm256_castsi256_ps(j), _mm256_castsi256_ps(mirrored), opp));
    const __m256 nx = _mm256_cmp_ps(gx, zero, _CMP_LT_OQ), ny = _mm256_cmp_ps(gy, zero, _CMP_LT_OQ);
    const __m256 neg = _mm256_blendv_ps(_mm256_or_ps(nx, ny),
                                        _mm256_blendv_ps(ny, nx, _mm256_castsi256_ps(jz)), opp);
    return _mm256_add_epi32(o, _mm256_and_si256(_mm256_castps_si256(neg), _mm256_set1_epi32(9)));
}

/* The snap for gradients with integer components in [-255, 255] (8-bit
 * samples), bit for bit dlib's bins there with about half snap18's
 * operations. The first-quadrant direction j of (ax, ay) = (|gx|, |gy|) is
 * the number of boundaries between directions j and j + 1 it lies beyond:
 * dot_{j+1} > dot_j, taken with dlib's four-decimal unit vectors, is
 * ay (DIR_Y[j+1] - DIR_Y[j]) > ax (DIR_X[j] - DIR_X[j+1]), an integer
 * comparison in units of 1e-4 (ay 3420 > ax 603, ay 3008 > ax 1737, ay 2232
 * > ax 2660, ay 1188 > ax 3264). Where the two sides differ they differ by
 * 1e-4 at least, more than the rounding of dlib's float dot products (below
 * 3e-5 for these lengths); where they are equal (none in this range but on
 * the axes) it would not hold, hence the range. In floats, ay > ax T with T
 * the rounded ratio gives the same answers on [0, 255]^2 (exhaustive test:
 * tests/unit/test_dlib_paths.c). Then, as in snap18: one sign, bin j (+ 9
 * when gx or gy is negative); opposite signs, o = 9 - j (0 for j = 0) and
 * + 9 when gy < 0 (for j = 0, when gx < 0), i.e. (9 - j + 9 [gy < 0]) mod 18. */
static inline __m256i snap8(__m256 gx, __m256 gy)
{
    static const float T[4] = {(float)(603.0 / 3420.0), (float)(1737.0 / 3008.0),
                               (float)(2660.0 / 2232.0), (float)(3264.0 / 1188.0)};
    return hk__snap18_u8(gx, gy, T);
}

static void avx2_snap8(const float *gx, const float *gy, size_t n, int32_t *bin)
{
    for (size_t i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_si256((__m256i *)(bin + i),
                            snap8(_mm256_loadu_ps(gx + i), _mm256_loadu_ps(gy + i)));
}

static void avx2_snap(const float *gx, const float *gy, size_t n, int32_t *bin)
{
    for (size_t i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_si256((__m256i *)(bin + i),
                            snap18(_mm256_loadu_ps(gx + i), _mm256_loadu_ps(gy + i)));
}

/* The adds of n pixels' vote quads, in the order p, p + c, p + 2c, ... for
 * p = 0 .. c - 1 (c = cell size: consecutive adds go to different cells).
 * Offsets are 32-bit (idx32) or, for 8-bit grey rows, 16-bit (idx16); the
 * other is NULL, a constant after inlining. */
static inline __attribute__((always_inline)) void
scatter_any(float *ab, const int32_t *idx32, const uint16_t *idx16, const float *quads, size_t n,
            size_t c)
{
#define AT(k) (idx16 ? (ptrdiff_t)idx16[k] : (ptrdiff_t)idx32[k])
    for (size_t p = 0; p < c; p++) {
        const float *q = quads + 4 * p;
        size_t i = p;
        for (; i + 3 * c < n; i += 4 * c, q += 16 * c) {
            const ptrdiff_t j0 = AT(i), j1 = AT(i + c), j2 = AT(i + 2 * c), j3 = AT(i + 3 * c);
            const __m128 q0 = _mm_loadu_ps(q), q1 = _mm_loadu_ps(q + 4 * c);
            const __m128 q2 = _mm_loadu_ps(q + 8 * c), q3 = _mm_loadu_ps(q + 12 * c);
            _mm_storeu_ps(ab + j0, _mm_add_ps(_mm_loadu_ps(ab + j0), q0));
            _mm_storeu_ps(ab + j1, _mm_add_ps(_mm_loadu_ps(ab + j1), q1));
            _mm_storeu_ps(ab + j2, _mm_add_ps(_mm_loadu_ps(ab + j2), q2));
            _mm_storeu_ps(ab + j3, _mm_add_ps(_mm_loadu_ps(ab + j3), q3));
        }
        for (; i < n; i += c, q += 4 * c)
            _mm_storeu_ps(ab + AT(i), _mm_add_ps(_mm_loadu_ps(ab + AT(i)), _mm_loadu_ps(q)));
    }
#undef AT
}

/* The adds of one pixel pair j, j + 8 of every 16-pixel step (j = 0 .. 7,
 * a constant after inlining): |g| of both broadcast to the two halves of
 * one vector (vpermilps within the halves of mag's 8-pixel vector), times
 * their weight quads w2 (per column phase, constant for the row), added
 * at the two byte offsets (one 32-bit load). Steps in order: adds 8 pixels
 * apart, then 16. */
static inline __attribute__((always_inline)) void pair_add(char *ab, const uint16_t *id,
                                                           const float *m, __m256 w2,
                                                           const int j)
{
    const __m256 mm = _mm256_loadu_ps(m);
    __m256 q;
    switch (j & 3) { /* the immediate broadcasts lane j & 3 of each half */
    case 0: q = _mm256_permute_ps(mm, 0x00); break;
    case 1: q = _mm256_permute_ps(mm, 0x55); break;
    case 2: q = _mm256_permute_ps(mm, 0xaa); break;
    default: q = _mm256_permute_ps(mm, 0xff); break;
    }
    q = _mm256_mul_ps(w2, q);
    uint32_t both;
    memcpy(&both, id, sizeof both);
    float *a = (float *)(void *)(ab + (both & 0xffffu)), *c = (float *)(void *)(ab + (both >> 16));
    _mm_storeu_ps(a, _mm_add_ps(_mm_loadu_ps(a), _mm256_castps256_ps128(q)));
    _mm_storeu_ps(c, _mm_add_ps(_mm_loadu_ps(c), _mm256_extractf128_ps(q, 1)));
}

static inline __attribute__((always_inline)) void scatter_pair(float *ab, const uint16_t *idx,
                                                               const float *mag, size_t steps,
                                                               __m256 w2, const int j)
{
    const float *m = mag + (j < 4 ? 0 : 8);
    const uint16_t *id = idx + 2 * j;
    char *abc = (char *)ab;
    size_t b = 0;
    for (; b + 2 <= steps; b += 2, m += 32, id += 32) {
        pair_add(abc, id, m, w2, j);
        pair_add(abc, id + 16, m + 16, w2, j);
    }
    if (b < steps)
        pair_add(abc, id, m, w2, j);
}

/* All adds of a strip row for cell sizes dividing 16 (8-bit grey rows):
 * pixel k of every step has column phase x mod cs fixed, so its weight
 * quad (vy1 vx1, vy1 vx0, vy0 vx1, vy0 vx0) is one constant for the row,
 * and each pixel adds quad * |g| (one product per vote: dlib's scalar-loop
 * rounding). w[k]: the quads of the strip's first step. */
static void scatter_w(float *ab, const uint16_t *idx, const float *mag, size_t steps,
                      const __m128 *w)
{
#define PAIR(j)                                                                               \
    scatter_pair(ab, idx, mag, steps, _mm256_insertf128_ps(_mm256_castps128_ps256(w[j]),      \
                                                           w[(j) + 8], 1),                    \
                 j)
    PAIR(0);
    PAIR(1);
    PAIR(2);
    PAIR(3);
    PAIR(4);
    PAIR(5);
    PAIR(6);
    PAIR(7);
#undef PAIR
}

enum { KIND_U8, KIND_RGB, KIND_GREY };

/* The vector pass of avx2_acc for one kind of row (a constant after
 * inlining: no per-vector dispatch; the row pointers are locals, which the
 * stores into `work` cannot change). */
static inline __attribute__((always_inline)) void votes(const int kind, const hk_dlib_row *v,
                                                        const hk_dlib_cols *k, size_t xs,
                                                        size_t xe, int32_t ixbase, int ps_shift,
                                                        int32_t *restrict idx,
                                                        float *restrict quads)
{
    const __m256 vyq = _mm256_setr_ps(v->vy1, v->vy1, v->vy0, v->vy0, v->vy1, v->vy1, v->vy0,
                                      v->vy0);
    const __m256i pairs[4] = {_mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1),
                              _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3),
                              _mm256_setr_epi32(4, 4, 4, 4, 5, 5, 5, 5),
                              _mm256_setr_epi32(6, 6, 6, 6, 7, 7, 7, 7)};
    const uint8_t *b0 = v->r8[0], *b1 = v->r8[1], *b2 = v->r8[2];
    const int32_t *restrict cix = k->ix;
    const float *restrict vx4 = k->vx4;
    const __m256i base = _mm256_set1_epi32(ixbase);
    const __m128i shift = _mm_cvtsi32_si128(ps_shift);
    for (size_t x = xs; x < xe; x += 8) {
        __m256 gx, gy, len;
        __m256i bin;
        if (kind == KIND_U8) {
            const __m256i ix = _mm256_sub_epi32(load8(b1 + x + 1), load8(b1 + x - 1));
            const __m256i iy = _mm256_sub_epi32(load8(b2 + x), load8(b0 + x));
            gx = _mm256_cvtepi32_ps(ix);
            gy = _mm256_cvtepi32_ps(iy);
            len = _mm256_add_ps(_mm256_mul_ps(gx, gx), _mm256_mul_ps(gy, gy));
            bin = snap8(gx, gy);
        } else if (kind == KIND_RGB) { /* 8-bit colour: components in [-255, 255] */
            grad_rgb(v, x, loadi(k->tail + x), &gx, &gy, &len);
            bin = snap8(gx, gy);
        } else {
            grad_grey(v, x, &gx, &gy, &len);
            bin = snap18(gx, gy);
        }
        /* |g| as dlib: the exact sqrt (vsqrtps runs in its own unit,
         * beside the other operations; the rsqrt estimate and a Newton
         * step took six of them) */
        const __m256 m = _mm256_sqrt_ps(len);
        const __m256i slot = _mm256_slli_epi32(_mm256_sub_epi32(loadi(cix + x), base), 2);
        _mm256_storeu_si256((__m256i *)(idx + (x - xs)),
                            _mm256_add_epi32(_mm256_sll_epi32(bin, shift), slot));
        /* pixels 2i, 2i + 1: (vx4 quads * m) * (vy1, vy1, vy0, vy0) */
        const float *w = vx4 + 4 * x;
        float *q = quads + 4 * (x - xs);
        for (int i = 0; i < 4; i++) {
            const __m256 mm = _mm256_permutevar8x32_ps(m, pairs[i]);
            _mm256_storeu_ps(q + 8 * i,
                             _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(w + 8 * i), mm), vyq));
        }
    }
}

/* Pixels [xs, xe) of one image row into the strip's cell accumulators: for
 * bin o of the pixel and slot s = ix - ixbase of its cell,
 * ab[(o << ps_shift) + 4 s + {0, 1, 2, 3}] += vy1 vx1 m, vy1 vx0 m, vy0 vx1 m,
 * vy0 vx0 m (the votes into cells ix, ix + 1 of the upper and lower
 * histogram rows, each rounded as dlib's 8-wide loop does: vy * (vx * m)).
 * Vectors first (slot offsets and vote quads into `work`), then one 16-byte
 * add per pixel, taken in the order x = xs + p, xs + p + cs, ... for p = 0 ..
 * cs - 1: consecutive adds go to different cells, so they never wait for
 * each other. */
static void avx2_acc(const hk_dlib_row *v, const hk_dlib_cols *k, size_t xs, size_t xe,
                     int32_t ixbase, int ps_shift, int cs, float *ab, int32_t *work)
{
    const size_t n = xe - xs, nr = (n + 15u) & ~(size_t)15u;
    int32_t *idx = work;                 /* [x - xs] */
    float *quads = (float *)(work + nr); /* [4 (x - xs)] */
    if (v->u8 && ps_shift <= 9 && k->periodic) { /* 19 planes < 2^16 bytes */
        /* cell sizes dividing 16: the weights of a column depend on x mod cs
         * only, so one weight quad per position of a step (positions past
         * xe: any quad, their adds go to the dummy plane), and vy vx is
         * exact (multiples of 1 / (2 cs) each) */
        uint16_t *idx16 = (uint16_t *)work;
        float *mag = (float *)(work + nr / 2u);
        hk__dlib_mags_u8(v, k, xs, xe, ixbase, ps_shift, (uint16_t)(18u << (ps_shift + 2)), idx16,
                         mag);
        const __m128 vyq4 = _mm_setr_ps(v->vy1, v->vy1, v->vy0, v->vy0);
        __m128 w[16];
        for (size_t p = 0; p < 16; p++)
            w[p] = _mm_mul_ps(_mm_loadu_ps(k->vx4 + 4 * (xs + p)), vyq4);
        scatter_w(ab, idx16, mag, nr / 16u, w);
        return;
    }
    if (v->u8 && ps_shift <= 11) { /* 16-bit offsets: 19 planes < 2^16 floats */
        uint16_t *idx16 = (uint16_t *)work;
        hk__dlib_votes_u8(v, k, xs, xe, ixbase, ps_shift, (uint16_t)(18u << ps_shift), idx16,
                          quads);
        /* whole steps of 16 (the last one's extra lanes add to the dummy
         * plane); adds 16 or more pixels apart go to different cells */
        if (cs <= 16)
            scatter_any(ab, NULL, idx16, quads, nr, 16);
        else
            scatter_any(ab, NULL, idx16, quads, nr, ((size_t)cs + 15u) & ~(size_t)15u);
        return;
    }
    if (v->u8)
        votes(KIND_U8, v, k, xs, xe, ixbase, ps_shift, idx, quads);
    else if (v->rgb)
        votes(KIND_RGB, v, k, xs, xe, ixbase, ps_shift, idx, quads);
    else
        votes(KIND_GREY, v, k, xs, xe, ixbase, ps_shift, idx, quads);
    /* cell sizes 4 and 8 with a constant stride: fewer registers, shorter
     * address arithmetic */
    if (cs == 8)
        scatter_any(ab, idx, NULL, quads, n, 8);
    else if (cs == 4)
        scatter_any(ab, idx, NULL, quads, n, 4);
    else
        scatter_any(ab, idx, NULL, quads, n, (size_t)cs);
}

/* Adds lanes 0 .. n - 1 of v to a[0 .. n) (a == NULL: nothing). */
static inline void add_to(float *a, __m256 v, int n)
{
    if (!a)
        return;
    if (n >= 8) {
        _mm256_storeu_ps(a, _mm256_add_ps(_mm256_loadu_ps(a), v));
        return;
    }
    float t[8];
    _mm256_storeu_ps(t, v);
    for (int i = 0; i < n; i++)
        a[i] += t[i];
}

/* v moved up one lane, lane 0 taken from lane 7 of prev. */
static inline __m256 shift_in(__m256 v, __m256 prev)
{
    const __m256i rot = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6);
    return _mm256_blend_ps(_mm256_permutevar8x32_ps(v, rot), _mm256_permutevar8x32_ps(prev, rot),
                           1);
}

/* The strip's accumulators (slots 0 .. nslots - 1, left zeroed) into
 * histogram rows row0, row1 (NULL: a row of another band): slot s adds its
 * votes a, c to cell ixbase + s and b, d to cell ixbase + s + 1. Per bin,
 * eight slots per step: cell ixbase + s gets a[s] + b[s - 1] in one add. */
static void avx2_flush(float *ab, int32_t ixbase, int32_t nslots, int32_t ps, float *row0,
                       float *row1, int32_t hs)
{
    const __m256 zero = _mm256_setzero_ps();
    for (int o = 0; o < 18; o++) {
        float *plane = ab + o * ps;
        float *h0 = row0 ? row0 + o * hs + ixbase : NULL;
        float *h1 = row1 ? row1 + o * hs + ixbase : NULL;
        __m256 pb = zero, pd = zero;
        int32_t s = 0;
        for (; s < nslots; s += 8) {
            float *q = plane + 4 * s;
            /* 16-byte loads, as the scatter stored them (a wider load of
             * recent 16-byte stores would wait for them to reach the cache) */
#define SLOTS(a, b) _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(q + 4 * (a))), \
                                         _mm_loadu_ps(q + 4 * (b)), 1)
            const __m256 u0 = SLOTS(0, 4), u1 = SLOTS(2, 6), u2 = SLOTS(1, 5), u3 = SLOTS(3, 7);
#undef SLOTS
            _mm256_storeu_ps(q, zero);
            _mm256_storeu_ps(q + 8, zero);
            _mm256_storeu_ps(q + 16, zero);
            _mm256_storeu_ps(q + 24, zero);
            /* 8 slots x 4 votes -> 4 x 8 (a 4x4 transpose per half) */
            const __m256 t0 = _mm256_unpacklo_ps(u0, u2), t1 = _mm256_unpackhi_ps(u0, u2);
            const __m256 t2 = _mm256_unpacklo_ps(u1, u3), t3 = _mm256_unpackhi_ps(u1, u3);
            const __m256 a = _mm256_shuffle_ps(t0, t2, 0x44), b = _mm256_shuffle_ps(t0, t2, 0xee);
            const __m256 c = _mm256_shuffle_ps(t1, t3, 0x44), d = _mm256_shuffle_ps(t1, t3, 0xee);
            const int n = nslots - s < 8 ? nslots - s : 8;
            add_to(h0 ? h0 + s : NULL, _mm256_add_ps(a, shift_in(b, pb)), n);
            add_to(h1 ? h1 + s : NULL, _mm256_add_ps(c, shift_in(d, pd)), n);
            pb = b;
            pd = d;
        }
        /* the last slot's b, d go to the cell after it */
        const __m256i last = _mm256_set1_epi32((nslots - 1) % 8);
        if (h0)
            h0[nslots] += _mm256_cvtss_f32(_mm256_permutevar8x32_ps(pb, last));
        if (h1)
            h1[nslots] += _mm256_cvtss_f32(_mm256_permutevar8x32_ps(pd, last));
    }
}

static void avx2_energy(const float *h, int32_t hs, size_t n, float *norm)
{
    for (size_t c = 0; c < n; c += 8) {
        __m256 e = _mm256_setzero_ps();
        for (int o = 0; o < 9; o++) {
            const __m256 s = _mm256_add_ps(_mm256_loadu_ps(h + o * hs + c + 1),
                                           _mm256_loadu_ps(h + (o + 9) * hs + c + 1));
            e = _mm256_add_ps(e, _mm256_mul_ps(s, s));
        }
        _mm256_storeu_ps(norm + c, e);
    }
}

/* Stores 8 lanes, or the first n of them (the row's last, partial chunk). */
static inline void put(float *out, __m256 v, size_t n)
{
    if (n >= 8) {
        _mm256_storeu_ps(out, v);
        return;
    }
    /* plain stores (masked stores are slow on some CPUs): n >= 4 as two
     * overlapping 4-lane stores, else 2 + 1 lanes */
    const __m128 lo = _mm256_castps256_ps128(v);
    if (n >= 4) {
        _mm_storeu_ps(out, lo);
        const __m256i tail = _mm256_add_epi32(_mm256_set1_epi32((int)n - 4),
                                              _mm256_setr_epi32(0, 1, 2, 3, 0, 0, 0, 0));
        _mm_storeu_ps(out + n - 4, _mm256_castps256_ps128(_mm256_permutevar8x32_ps(v, tail)));
        return;
    }
    if (n & 2)
        _mm_storel_pi((__m64 *)out, lo);
    if (n & 1)
        _mm_store_ss(out + (n & 2), (n & 2) ? _mm_movehl_ps(lo, lo) : lo);
}

static void avx2_features(const float *n0, const float *n1, const float *n2, const float *h,
                          int32_t hs, size_t n, float *out, size_t plane)
{
    const __m256 eps = _mm256_set1_ps(0.0001f), k02 = _mm256_set1_ps(0.2f),
                 k01 = _mm256_set1_ps(0.1f), tscale = _mm256_set1_ps((float)(2 * 0.2357));
    for (size_t x = 0; x < n; x += 8) {
        const size_t left = n - x;
#define N(r, dc) _mm256_loadu_ps(n##r + x + (dc))
        const __m256 N00 = N(0, 0), N01 = N(0, 1), N02 = N(0, 2);
        const __m256 N10 = N(1, 0), N11 = N(1, 1), N12 = N(1, 2);
        const __m256 N20 = N(2, 0), N21 = N(2, 1), N22 = N(2, 2);
#undef N
        /* block energies in dlib's lane order BR, TR, BL, TL */
        const __m256 z1[4] = {N11, N01, N10, N00}, z2[4] = {N12, N02, N11, N01},
                     z3[4] = {N21, N11, N20, N10}, z4[4] = {N22, N12, N21, N11};
        __m256 nn[4], nv[4], t[4];
        for (int i = 0; i < 4; i++) {
            const __m256 z = _mm256_add_ps(
                _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(z1[i], z2[i]), z3[i]), z4[i]), eps);
            nn[i] = _mm256_mul_ps(k02, _mm256_sqrt_ps(z));
            nv[i] = _mm256_div_ps(k01, nn[i]);
            t[i] = _mm256_setzero_ps();
        }
        const float *hx = h + x + 2;
        /* directed bins; texture t += (s0 + s1) + s2 over groups of three */
        __m256 g[4] = {t[0], t[1], t[2], t[3]}; /* set at o = 0 */
        for (int o = 0; o < 18; o++) {
            const __m256 hv = _mm256_loadu_ps(hx + o * hs);
            const __m256 s0 = _mm256_mul_ps(_mm256_min_ps(hv, nn[0]), nv[0]);
            const __m256 s1 = _mm256_mul_ps(_mm256_min_ps(hv, nn[1]), nv[1]);
            const __m256 s2 = _mm256_mul_ps(_mm256_min_ps(hv, nn[2]), nv[2]);
            const __m256 s3 = _mm256_mul_ps(_mm256_min_ps(hv, nn[3]), nv[3]);
            put(out + (size_t)o * plane + x,
                _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s1, s3)), left);
            if (o % 3 == 0) {
                g[0] = s0;
                g[1] = s1;
                g[2] = s2;
                g[3] = s3;
            } else {
                g[0] = _mm256_add_ps(g[0], s0);
                g[1] = _mm256_add_ps(g[1], s1);
                g[2] = _mm256_add_ps(g[2], s2);
                g[3] = _mm256_add_ps(g[3], s3);
            }
            if (o % 3 == 2)
                for (int i = 0; i < 4; i++)
                    t[i] = _mm256_add_ps(t[i], g[i]);
        }
        for (int o = 0; o < 9; o++) {
            const __m256 sum = _mm256_add_ps(_mm256_loadu_ps(hx + o * hs),
                                             _mm256_loadu_ps(hx + (o + 9) * hs));
            const __m256 s0 = _mm256_mul_ps(_mm256_min_ps(sum, nn[0]), nv[0]);
            const __m256 s1 = _mm256_mul_ps(_mm256_min_ps(sum, nn[1]), nv[1]);
            const __m256 s2 = _mm256_mul_ps(_mm256_min_ps(sum, nn[2]), nv[2]);
            const __m256 s3 = _mm256_mul_ps(_mm256_min_ps(sum, nn[3]), nv[3]);
            put(out + (size_t)(18 + o) * plane + x,
                _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s1, s3)), left);
        }
        for (int i = 0; i < 4; i++)
            put(out + (size_t)(27 + i) * plane + x, _mm256_mul_ps(t[i], tscale), left);
    }
}

static void avx2_snap8i(const int16_t *gx, const int16_t *gy, size_t n, int32_t *bin)
{
    for (size_t i = 0; i + 16 <= n; i += 16) {
        const __m256i b = hk__dlib_bins16(_mm256_loadu_si256((const __m256i *)(gx + i)),
                                          _mm256_loadu_si256((const __m256i *)(gy + i)));
        _mm256_storeu_si256((__m256i *)(bin + i),
                            _mm256_cvtepi16_epi32(_mm256_castsi256_si128(b)));
        _mm256_storeu_si256((__m256i *)(bin + i + 8),
                            _mm256_cvtepi16_epi32(_mm256_extracti128_si256(b, 1)));
    }
}

static const hk_dlib_kernels table = {"avx2",    avx2_acc,   avx2_flush, avx2_energy,
                                      avx2_features, avx2_snap, avx2_snap8, avx2_snap8i};

const hk_dlib_kernels *hk_dlib_kernels_avx2(void)
{
    return &table;
}
#else
const hk_dlib_kernels *hk_dlib_kernels_avx2(void)
{
    return NULL;
}
#endif
