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
static inline __m256i load8(const uint8_t *p)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
}

static inline void grad_grey(const hk_dlib_row *v, size_t x, __m256 *gx, __m256 *gy, __m256 *len)
{
    if (v->u8) {
        *gx = _mm256_cvtepi32_ps(_mm256_sub_epi32(load8(v->r8[1] + x + 1), load8(v->r8[1] + x - 1)));
        *gy = _mm256_cvtepi32_ps(_mm256_sub_epi32(load8(v->r8[2] + x), load8(v->r8[0] + x)));
    } else {
        *gx = _mm256_cvtepi32_ps(
            _mm256_sub_epi32(loadi(v->r[1] + x + 1), loadi(v->r[1] + x - 1)));
        *gy = _mm256_cvtepi32_ps(_mm256_sub_epi32(loadi(v->r[2] + x), loadi(v->r[0] + x)));
    }
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
 * it: bin o if dot > best, else bin o + 9 if -dot > best (best from 0).
 * Since best >= 0 that is: |dot| > best takes o when dot > 0, o + 9 when
 * dot < 0. The unit vectors are mirror pairs (DIR_X[9-o] = -DIR_X[o],
 * DIR_Y[9-o] = DIR_Y[o]), so dot[9-o] = q - p where dot[o] = q + p, with
 * the same roundings as the scalar products; dot[0] = gx (times 1, plus
 * gy * 0). */
static inline __m256i snap18(__m256 gx, __m256 gy, int32_t hs)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 dot[9];
    dot[0] = _mm256_add_ps(gx, _mm256_mul_ps(gy, _mm256_setzero_ps()));
    for (int o = 1; o <= 4; o++) {
        const __m256 p = _mm256_mul_ps(gx, _mm256_set1_ps(DIR_X[o]));
        const __m256 q = _mm256_mul_ps(gy, _mm256_set1_ps(DIR_Y[o]));
        dot[o] = _mm256_add_ps(p, q);
        dot[9 - o] = _mm256_add_ps(_mm256_xor_ps(p, sign), q);
    }
    __m256 best = _mm256_setzero_ps(), win = _mm256_setzero_ps();
    __m256 off = _mm256_setzero_ps(); /* int bit patterns carried by blends */
    for (int o = 0; o < 9; o++) {
        const __m256 a = _mm256_andnot_ps(sign, dot[o]);
        const __m256 m = _mm256_cmp_ps(a, best, _CMP_GT_OQ);
        best = _mm256_max_ps(a, best);
        off = _mm256_blendv_ps(off, _mm256_castsi256_ps(_mm256_set1_epi32(o * hs)), m);
        win = _mm256_blendv_ps(win, dot[o], m);
    }
    const __m256 neg = _mm256_cmp_ps(win, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_add_epi32(_mm256_castps_si256(off),
                            _mm256_and_si256(_mm256_castps_si256(neg),
                                             _mm256_set1_epi32(9 * hs)));
}

/* Adds the pair p[0], p[1] to a[0], a[1] (one 8-byte load, add, store: the
 * same two float additions as two scalar ones). */
static inline void add_pair(float *a, const float *p)
{
    __m128 s = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)a));
    s = _mm_add_ps(s, _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p)));
    _mm_storel_epi64((__m128i *)a, _mm_castps_si128(s));
}

/* The vectors of pixels [x0, x1) of one row: bin offsets (relative to the
 * row's col_base) and vote pairs into `work`, for scatter() to add in pixel
 * order. */
static void votes(const hk_dlib_row *v, const hk_dlib_cols *k, int32_t hs, size_t x0,
                  size_t x1)
{
    const __m256 vy0 = _mm256_set1_ps(v->vy0), vy1 = _mm256_set1_ps(v->vy1);
    const __m256i base = _mm256_set1_epi32(v->col_base);
    int32_t *idx = v->work;                                /* [x - x0] */
    float *pairs = (float *)(v->work + HK_DLIB_SEGMENT + 8); /* [4 (x - x0)] */
    for (size_t x = x0; x < x1; x += 8) {
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
        _mm256_storeu_si256((__m256i *)(idx + (x - x0)),
                            _mm256_add_epi32(off, _mm256_sub_epi32(loadi(k->ix + x), base)));
        /* per pixel: w11, w10 (row0 pair), w01, w00 (row1 pair) */
        const __m256 a = _mm256_unpacklo_ps(w11, w10), b = _mm256_unpackhi_ps(w11, w10);
        const __m256 c = _mm256_unpacklo_ps(w01, w00), d = _mm256_unpackhi_ps(w01, w00);
        /* a = px 0,1 | 4,5 of row0; c likewise row1: interleave as 64-bit units */
        const __m256d e = _mm256_unpacklo_pd(_mm256_castps_pd(a), _mm256_castps_pd(c));
        const __m256d f = _mm256_unpackhi_pd(_mm256_castps_pd(a), _mm256_castps_pd(c));
        const __m256d g = _mm256_unpacklo_pd(_mm256_castps_pd(b), _mm256_castps_pd(d));
        const __m256d h = _mm256_unpackhi_pd(_mm256_castps_pd(b), _mm256_castps_pd(d));
        /* e = px 0 | 4, f = px 1 | 5, g = px 2 | 6, h = px 3 | 7 */
        float *q = pairs + 4 * (x - x0);
        _mm256_storeu_pd((double *)q, _mm256_permute2f128_pd(e, f, 0x20));
        _mm256_storeu_pd((double *)(q + 8), _mm256_permute2f128_pd(g, h, 0x20));
        _mm256_storeu_pd((double *)(q + 16), _mm256_permute2f128_pd(e, f, 0x31));
        _mm256_storeu_pd((double *)(q + 24), _mm256_permute2f128_pd(g, h, 0x31));
    }
}

static inline void vote(float *r0, float *r1, const int32_t *idx, const float *pairs, size_t i)
{
    const int32_t j = idx[i];
    add_pair(r0 + j, pairs + 4 * i);
    add_pair(r1 + j, pairs + 4 * i + 2);
}

/* Adds the votes made by votes(): cnt[r] pixels of row v[r], r < n (up to
 * 4, each into its own histogram rows), in pixel order per row. The rows are
 * interleaved pixel by pixel, so that the chains of adds to one bin
 * (neighbouring pixels often share a bin) of different rows overlap. */
static void scatter(const hk_dlib_row *const *v, const size_t *cnt, int n)
{
    const int32_t *id[4];
    const float *pr[4];
    float *h0[4], *h1[4];
    size_t both = cnt[0];
    for (int r = 0; r < n; r++) {
        id[r] = v[r]->work;
        pr[r] = (const float *)(v[r]->work + HK_DLIB_SEGMENT + 8);
        h0[r] = v[r]->row0;
        h1[r] = v[r]->row1;
        if (cnt[r] < both)
            both = cnt[r];
    }
    size_t i = 0;
    if (n == 4) {
        for (; i < both; i++) {
            vote(h0[0], h1[0], id[0], pr[0], i);
            vote(h0[1], h1[1], id[1], pr[1], i);
            vote(h0[2], h1[2], id[2], pr[2], i);
            vote(h0[3], h1[3], id[3], pr[3], i);
        }
    } else if (n == 2) {
        for (; i < both; i++) {
            vote(h0[0], h1[0], id[0], pr[0], i);
            vote(h0[1], h1[1], id[1], pr[1], i);
        }
    }
    for (int r = 0; r < n; r++) /* the rest of each row, in order */
        for (size_t j = i; j < cnt[r]; j++)
            vote(h0[r], h1[r], id[r], pr[r], j);
}

static size_t seg_end(const hk_dlib_row *v, size_t x0)
{
    return v->x_end - x0 > HK_DLIB_SEGMENT ? x0 + HK_DLIB_SEGMENT : v->x_end;
}

/* Segments of HK_DLIB_SEGMENT pixels, left to right, the rows in lockstep:
 * the vectors of each row, then the votes; the pairs are read back from L1
 * long after they were stored (no store-forwarding stalls). */
static void avx2_rows(const hk_dlib_row *const *v, int n, const hk_dlib_cols *k, int32_t hs)
{
    size_t x[4];
    for (int r = 0; r < n; r++)
        x[r] = v[r]->x_begin;
    for (;;) {
        const hk_dlib_row *act[4];
        size_t cnt[4];
        int m = 0;
        for (int r = 0; r < n; r++)
            if (x[r] < v[r]->x_end) {
                const size_t e = seg_end(v[r], x[r]);
                votes(v[r], k, hs, x[r], e);
                act[m] = v[r];
                cnt[m++] = e - x[r];
                x[r] = e;
            }
        if (m == 0)
            return;
        scatter(act, cnt, m == 3 ? 2 : m);
        if (m == 3)
            scatter(act + 2, cnt + 2, 1);
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
    float t[8];
    _mm256_storeu_ps(t, v);
    for (size_t i = 0; i < n; i++)
        out[i] = t[i];
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

static const hk_dlib_kernels table = {"avx2", avx2_rows, avx2_energy, avx2_features};

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
