/* AVX2 kernels of the dlib variant: eight pixels (or eight cells) per
 * vector. Built with -mavx2 and -ffp-contract=off (CMakeLists.txt): every
 * product and sum is rounded on its own, in the order of the scalar
 * specification (src/hog/dlib.c), so results are bit-identical to it. When
 * the flags are absent (HK_SCALAR_ONLY) the unit only says the set is not
 * there. */
#include <stddef.h>
#include <stdint.h>

#include "hog/dlib_fast.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

/* dlib's unit vectors, rounded to four decimals in its source (as dlib.c). */
static const float DIR_X[9] = {1.0000f, 0.9397f, 0.7660f, 0.500f, 0.1736f,
                               -0.1736f, -0.5000f, -0.7660f, -0.9397f};
static const float DIR_Y[9] = {0.0000f, 0.3420f, 0.6428f, 0.8660f, 0.9848f,
                               0.9848f, 0.8660f, 0.6428f, 0.3420f};

static inline __m256i loadi(const int32_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* Gradient of grey pixels x .. x+7: float differences of the int rows. */
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

/* Bin offset o * hs of the best of the 18 directions, as dlib's loop picks
 * it: bin o if dot > best, else bin o + 9 if -dot > best (best from 0). */
static inline __m256i snap18(__m256 gx, __m256 gy, int32_t hs)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 best = _mm256_setzero_ps();
    __m256 off = _mm256_setzero_ps(); /* int bit patterns carried by blends */
    for (int o = 0; o < 9; o++) {
        const __m256 dot = _mm256_add_ps(_mm256_mul_ps(gx, _mm256_set1_ps(DIR_X[o])),
                                         _mm256_mul_ps(gy, _mm256_set1_ps(DIR_Y[o])));
        __m256 m = _mm256_cmp_ps(dot, best, _CMP_GT_OQ);
        best = _mm256_max_ps(dot, best); /* dot > best ? dot : best */
        off = _mm256_blendv_ps(off, _mm256_castsi256_ps(_mm256_set1_epi32(o * hs)), m);
        const __m256 neg = _mm256_xor_ps(dot, sign);
        m = _mm256_cmp_ps(neg, best, _CMP_GT_OQ);
        best = _mm256_max_ps(neg, best);
        off = _mm256_blendv_ps(off, _mm256_castsi256_ps(_mm256_set1_epi32((o + 9) * hs)), m);
    }
    return _mm256_castps_si256(off);
}

/* Adds the pair p[0], p[1] to a[0], a[1] (one 8-byte load, add, store: the
 * same two float additions as two scalar ones). */
static inline void add_pair(float *a, const float *p)
{
    __m128 s = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)a));
    s = _mm_add_ps(s, _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p)));
    _mm_storel_epi64((__m128i *)a, _mm_castps_si128(s));
}

static void avx2_row(const hk_dlib_row *v, const hk_dlib_cols *k, int32_t hs)
{
    const __m256 vy0 = _mm256_set1_ps(v->vy0), vy1 = _mm256_set1_ps(v->vy1);
    float p0[16], p1[16];
    int32_t idx[8];
    for (size_t x = 1; x < v->x_end; x += 8) {
        const __m256i tail = loadi(k->tail + x);
        __m256 gx, gy, len;
        if (v->rgb)
            grad_rgb(v, x, tail, &gx, &gy, &len);
        else
            grad_grey(v, x, &gx, &gy, &len);
        const __m256i off = snap18(gx, gy, hs);
        const __m256 m = _mm256_sqrt_ps(len);
        const __m256 vx0 = _mm256_loadu_ps(k->vx0 + x), vx1 = _mm256_loadu_ps(k->vx1 + x);
        /* 8-wide columns: vy * (vx * m) */
        const __m256 a1 = _mm256_mul_ps(vx1, m), a0 = _mm256_mul_ps(vx0, m);
        __m256 w11 = _mm256_mul_ps(vy1, a1), w01 = _mm256_mul_ps(vy0, a1);
        __m256 w10 = _mm256_mul_ps(vy1, a0), w00 = _mm256_mul_ps(vy0, a0);
        if (!_mm256_testz_si256(tail, tail)) {
            /* scalar tail columns: (vy * vx) * m */
            const __m256 t = _mm256_castsi256_ps(tail);
            w11 = _mm256_blendv_ps(w11, _mm256_mul_ps(_mm256_mul_ps(vy1, vx1), m), t);
            w01 = _mm256_blendv_ps(w01, _mm256_mul_ps(_mm256_mul_ps(vy0, vx1), m), t);
            w10 = _mm256_blendv_ps(w10, _mm256_mul_ps(_mm256_mul_ps(vy1, vx0), m), t);
            w00 = _mm256_blendv_ps(w00, _mm256_mul_ps(_mm256_mul_ps(vy0, vx0), m), t);
        }
        _mm256_storeu_si256((__m256i *)idx, _mm256_add_epi32(off, loadi(k->ix + x)));
        /* pairs (w11, w10) for row0 and (w01, w00) for row1, pixel order */
        const __m256 lo0 = _mm256_unpacklo_ps(w11, w10), hi0 = _mm256_unpackhi_ps(w11, w10);
        const __m256 lo1 = _mm256_unpacklo_ps(w01, w00), hi1 = _mm256_unpackhi_ps(w01, w00);
        _mm256_storeu_ps(p0, _mm256_permute2f128_ps(lo0, hi0, 0x20));
        _mm256_storeu_ps(p0 + 8, _mm256_permute2f128_ps(lo0, hi0, 0x31));
        _mm256_storeu_ps(p1, _mm256_permute2f128_ps(lo1, hi1, 0x20));
        _mm256_storeu_ps(p1 + 8, _mm256_permute2f128_ps(lo1, hi1, 0x31));
        const size_t n = v->x_end - x < 8 ? v->x_end - x : 8;
        for (size_t j = 0; j < n; j++) {
            add_pair(v->row0 + idx[j], p0 + 2 * j);
            add_pair(v->row1 + idx[j], p1 + 2 * j);
        }
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

/* dlib's sum() of four lanes with SSE2: (l0 + l2) + (l1 + l3). */
static inline __m256 lane_sum(const __m256 s[4])
{
    return _mm256_add_ps(_mm256_add_ps(s[0], s[2]), _mm256_add_ps(s[1], s[3]));
}

static inline void put(float *out, __m256 v, __m256i mask, int full)
{
    if (full)
        _mm256_storeu_ps(out, v);
    else
        _mm256_maskstore_ps(out, mask, v);
}

static void avx2_features(const float *n0, const float *n1, const float *n2, const float *h,
                          int32_t hs, size_t n, float *out, size_t plane)
{
    const __m256 eps = _mm256_set1_ps(0.0001f), k02 = _mm256_set1_ps(0.2f),
                 k01 = _mm256_set1_ps(0.1f), tscale = _mm256_set1_ps((float)(2 * 0.2357));
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (size_t x = 0; x < n; x += 8) {
        const int full = n - x >= 8;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - x < 8 ? n - x : 8)),
                                                lane);
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
        for (int o = 0; o < 18; o += 3) {
            __m256 s[3][4];
            for (int j = 0; j < 3; j++) {
                const __m256 hv = _mm256_loadu_ps(hx + (o + j) * hs);
                for (int i = 0; i < 4; i++)
                    s[j][i] = _mm256_mul_ps(_mm256_min_ps(hv, nn[i]), nv[i]);
                put(out + (size_t)(o + j) * plane + x, lane_sum(s[j]), mask, full);
            }
            for (int i = 0; i < 4; i++)
                t[i] = _mm256_add_ps(t[i],
                                     _mm256_add_ps(_mm256_add_ps(s[0][i], s[1][i]), s[2][i]));
        }
        for (int o = 0; o < 9; o++) {
            const __m256 sum = _mm256_add_ps(_mm256_loadu_ps(hx + o * hs),
                                             _mm256_loadu_ps(hx + (o + 9) * hs));
            __m256 s[4];
            for (int i = 0; i < 4; i++)
                s[i] = _mm256_mul_ps(_mm256_min_ps(sum, nn[i]), nv[i]);
            put(out + (size_t)(18 + o) * plane + x, lane_sum(s), mask, full);
        }
        for (int i = 0; i < 4; i++)
            put(out + (size_t)(27 + i) * plane + x, _mm256_mul_ps(t[i], tscale), mask, full);
    }
}

static const hk_dlib_kernels table = {"avx2", avx2_row, avx2_energy, avx2_features};

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
