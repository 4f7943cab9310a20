/* AVX2 kernels of the VLFeat fast path: eight pixels (float) or four cells
 * (double) per vector, doing exactly the scalar operations of vlfeat.c in the
 * same order (the per-pixel decisions and products; the driver regroups the
 * sums, see hog/vlfeat_fast.h). Built with -mavx2 -ffp-contract=off and no FMA anywhere: the
 * reference rounds every product before the sum. The bilinear weights call
 * acosf per pixel (the reference's libm result). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "hog/fhog_common.h"
#include "hog/vlfeat_fast.h"

#if defined(__AVX2__) && !defined(HK_SCALAR_ONLY)
#include <immintrin.h>

#include "simd/snap18_u8_avx2.h"
#include "simd/vlfeat_tan9.h"

#define HK_VLF_SYM_MAX 32 /* orientations whose products are kept in registers */

static void convert(const hk_image *im, size_t y, float *dst)
{
    if (im->type != HK_U8 || im->channels != 1) {
        hk_fhog_row_f32(im, y, im->channels, dst);
        return;
    }
    const uint8_t *s = (const uint8_t *)im->data + y * im->stride;
    const size_t w = im->width;
    size_t x = 0;
    for (; x + 8 <= w; x += 8) {
        __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(s + x)));
        _mm256_storeu_ps(dst + x, _mm256_cvtepi32_ps(v));
    }
    for (; x < w; x++)
        dst[x] = (float)s[x];
}

/* The common case: one channel, hard assignment, symmetric unit vectors.
 * The same operations as the general loop of orient() below, in the same
 * order; with n a constant (9) every loop unrolls and the products stay in
 * registers. */
static inline __attribute__((always_inline)) void orient_hard1(const hk_vlf_row *r, const int n)
{
    const __m256 zero = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 wy1 = _mm256_set1_ps(r->wy1), wy2 = _mm256_set1_ps(r->wy2);
    __m256 ux[HK_VLF_SYM_MAX / 2 + 1], uy[HK_VLF_SYM_MAX / 2 + 1];
    for (int k = 0; k <= n / 2; k++) {
        ux[k] = _mm256_set1_ps(r->ux[k]);
        uy[k] = _mm256_set1_ps(r->uy[k]);
    }
    for (size_t x = r->x0; x < r->x1; x += 8) {
        const __m256 gx =
            _mm256_sub_ps(_mm256_loadu_ps(r->mid + x + 1), _mm256_loadu_ps(r->mid + x - 1));
        const __m256 gy = _mm256_sub_ps(_mm256_loadu_ps(r->dn + x), _mm256_loadu_ps(r->up + x));
        const __m256 g2 = _mm256_add_ps(_mm256_mul_ps(gx, gx), _mm256_mul_ps(gy, gy));
        const __m256 grad = _mm256_sqrt_ps(g2);
        __m256 pk[HK_VLF_SYM_MAX / 2 + 1], qk[HK_VLF_SYM_MAX / 2 + 1];
        __m256 w0 = zero, sb = zero;
        __m256 kb = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
        for (int k = 0; k < n; k++) {
            __m256 sc;
            if (k > n / 2) {
                sc = _mm256_sub_ps(qk[n - k], pk[n - k]);
            } else {
                pk[k] = _mm256_mul_ps(gx, ux[k]);
                qk[k] = _mm256_mul_ps(gy, uy[k]);
                sc = _mm256_add_ps(pk[k], qk[k]);
            }
            const __m256 a = _mm256_andnot_ps(sign, sc);
            const __m256 gt0 = _mm256_cmp_ps(a, w0, _CMP_GT_OQ);
            w0 = _mm256_max_ps(a, w0);
            kb = _mm256_blendv_ps(kb, _mm256_castsi256_ps(_mm256_set1_epi32(k)), gt0);
            sb = _mm256_blendv_ps(sb, sc, gt0);
        }
        const __m256i plus = _mm256_and_si256(
            _mm256_castps_si256(_mm256_cmp_ps(sb, zero, _CMP_LT_OQ)), _mm256_set1_epi32(n));
        const __m256i bi = _mm256_add_epi32(_mm256_castps_si256(kb), plus);
        const __m256 nz = _mm256_cmp_ps(g2, zero, _CMP_NEQ_UQ);
        const __m256 vote =
            _mm256_and_ps(nz, _mm256_castsi256_ps(_mm256_cmpgt_epi32(bi, _mm256_set1_epi32(-1))));
        const __m256 a = _mm256_and_ps(vote, _mm256_mul_ps(grad, wy1));
        const __m256 b = _mm256_and_ps(vote, _mm256_mul_ps(grad, wy2));
        _mm256_storeu_si256((__m256i *)(r->bin[0] + x),
                            _mm256_castps_si256(_mm256_and_ps(vote, _mm256_castsi256_ps(bi))));
        const __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b);
        _mm256_storeu_ps(r->pair[0] + 2 * x, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(r->pair[0] + 2 * x + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
}

/* The hard bin of 8-bit gradients with 9 orientations, the reference's
 * decision bit for bit without its nine scores (as the dlib variant's
 * snap8, src/simd/dlib_avx2.c). The reference takes the first k with the
 * largest |gx ux[k] + gy uy[k]|, directions k * 20 deg; with ax = |gx|,
 * ay = |gy| the first-quadrant direction j (0, 20, .., 80 deg) nearest to
 * (ax, ay) is the number of bisectors (10, 30, 50, 70 deg) it lies beyond,
 * ay > ax tan(bisector) in float, then: gx, gy of one sign, k = j;
 * opposite signs, k = 9 - j (0 for j = 0); the bin is k + 9 when the
 * winning score is negative: for one sign when gx or gy is, for opposite
 * signs when gy is (for j = 0, when gx is), i.e. (9 - j + 9 [gy < 0]) mod
 * 18. Exact wherever the scores' rounding cannot reorder them, which an
 * exhaustive test shows for every integer gradient in [-255, 255]^2
 * (tests/unit/test_vlfeat_paths.c; there are ties beyond, and the
 * reference's unit vectors are what tables.c makes for n = 9). -1 for a
 * zero gradient. */
static inline __m256i bins9_u8_v(__m256 gx, __m256 gy)
{
    const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
    const __m256 ax = _mm256_andnot_ps(sign, gx), ay = _mm256_andnot_ps(sign, gy);
    /* tan(10, 30, 50, 70 deg) rounded to float */
    static const float T[4] = HK_VLF_TAN9;
    const __m256i bin = hk__snap18_u8(gx, gy, T);
    const __m256i none = _mm256_castps_si256(
        _mm256_cmp_ps(_mm256_or_ps(ax, ay), zero, _CMP_EQ_OQ)); /* zero gradient */
    return _mm256_or_si256(bin, none);
}

static void bins9_u8(const float *gx, const float *gy, size_t n, int32_t *bin)
{
    for (size_t i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_si256((__m256i *)(bin + i),
                            bins9_u8_v(_mm256_loadu_ps(gx + i), _mm256_loadu_ps(gy + i)));
}

/* orient_hard1 for 8-bit grey rows and n = 9: the bins from bins9_u8_v. */
static void orient_u8_9(const hk_vlf_row *r)
{
    const __m256 zero = _mm256_setzero_ps();
    const __m256 wy1 = _mm256_set1_ps(r->wy1), wy2 = _mm256_set1_ps(r->wy2);
    const float *up = r->up, *mid = r->mid, *dn = r->dn;
    int32_t *restrict bo = r->bin[0];
    float *restrict po = r->pair[0];
    for (size_t x = r->x0; x < r->x1; x += 8) {
        const __m256 gx = _mm256_sub_ps(_mm256_loadu_ps(mid + x + 1), _mm256_loadu_ps(mid + x - 1));
        const __m256 gy = _mm256_sub_ps(_mm256_loadu_ps(dn + x), _mm256_loadu_ps(up + x));
        const __m256 g2 = _mm256_add_ps(_mm256_mul_ps(gx, gx), _mm256_mul_ps(gy, gy));
        const __m256 grad = _mm256_sqrt_ps(g2);
        const __m256i bi = bins9_u8_v(gx, gy);
        /* a zero gradient votes nothing: bin 0, pair {0, 0} (grad is 0) */
        const __m256 vote = _mm256_cmp_ps(g2, zero, _CMP_NEQ_UQ);
        const __m256 a = _mm256_mul_ps(grad, wy1), b = _mm256_mul_ps(grad, wy2);
        _mm256_storeu_si256((__m256i *)(bo + x),
                            _mm256_castps_si256(_mm256_and_ps(vote, _mm256_castsi256_ps(bi))));
        const __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b);
        _mm256_storeu_ps(po + 2 * x, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(po + 2 * x + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
}

static void orient(const hk_vlf_row *r)
{
    const size_t W = r->width, C = r->channels;
    const int n = r->n, bil = r->bilinear;
    const __m256 zero = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    /* ux[n-k] == -ux[k] and uy[n-k] == uy[k] (as the float tables are for
     * every n tried; r->sym says): the products of k serve n - k too */
    const int sym = r->sym && n <= HK_VLF_SYM_MAX;
    if (C == 1 && !bil && sym) {
        if (n == 9 && r->u8)
            orient_u8_9(r);
        else if (n == 9)
            orient_hard1(r, 9);
        else
            orient_hard1(r, n);
        return;
    }
    __m256 pk[HK_VLF_SYM_MAX], qk[HK_VLF_SYM_MAX];
    for (size_t x = r->x0; x < r->x1; x += 8) {
        __m256 gx, gy, g2;
        if (C == 1) {
            /* one channel: taken even when g2 == 0, where the reference keeps
             * (0, 0); such a pixel votes nothing either way (mask nz) */
            gx = _mm256_sub_ps(_mm256_loadu_ps(r->mid + x + 1), _mm256_loadu_ps(r->mid + x - 1));
            gy = _mm256_sub_ps(_mm256_loadu_ps(r->dn + x), _mm256_loadu_ps(r->up + x));
            g2 = _mm256_add_ps(_mm256_mul_ps(gx, gx), _mm256_mul_ps(gy, gy));
        } else {
            gx = gy = g2 = zero;
        }
        for (size_t c = 0; C > 1 && c < C; c++) {
            const float *up = r->up + c * W, *mid = r->mid + c * W, *dn = r->dn + c * W;
            __m256 gx_ = _mm256_sub_ps(_mm256_loadu_ps(mid + x + 1), _mm256_loadu_ps(mid + x - 1));
            __m256 gy_ = _mm256_sub_ps(_mm256_loadu_ps(dn + x), _mm256_loadu_ps(up + x));
            __m256 g2_ = _mm256_add_ps(_mm256_mul_ps(gx_, gx_), _mm256_mul_ps(gy_, gy_));
            __m256 better = _mm256_cmp_ps(g2_, g2, _CMP_GT_OQ);
            gx = _mm256_blendv_ps(gx, gx_, better);
            gy = _mm256_blendv_ps(gy, gy_, better);
            g2 = _mm256_blendv_ps(g2, g2_, better);
        }
        const __m256 grad = _mm256_sqrt_ps(g2);
        __m256 w0 = zero, w1 = zero;
        __m256 b0 = _mm256_castsi256_ps(_mm256_set1_epi32(-1)), b1 = b0;
        if (!bil) {
            /* hard: track the best |score|, its k and its signed score;
             * max_ps(a, w0) is (a > w0) ? a : w0, the strict-> update */
            __m256 kb = b0, sb = zero;
            for (int k = 0; k < n; k++) {
                __m256 s;
                if (sym && k > n / 2) {
                    /* score of n - k from the products of k: the reference's
                     * (-P) + Q is exactly Q - P */
                    s = _mm256_sub_ps(qk[n - k], pk[n - k]);
                } else {
                    pk[k] = _mm256_mul_ps(gx, _mm256_set1_ps(r->ux[k]));
                    qk[k] = _mm256_mul_ps(gy, _mm256_set1_ps(r->uy[k]));
                    s = _mm256_add_ps(pk[k], qk[k]);
                }
                const __m256 a = _mm256_andnot_ps(sign, s);
                const __m256 gt0 = _mm256_cmp_ps(a, w0, _CMP_GT_OQ);
                w0 = _mm256_max_ps(a, w0);
                kb = _mm256_blendv_ps(kb, _mm256_castsi256_ps(_mm256_set1_epi32(k)), gt0);
                sb = _mm256_blendv_ps(sb, s, gt0);
            }
            /* a negative best score means bin k + n (kb stays -1 without a
             * best, and then sb is 0) */
            const __m256i plus = _mm256_and_si256(
                _mm256_castps_si256(_mm256_cmp_ps(sb, zero, _CMP_LT_OQ)), _mm256_set1_epi32(n));
            b0 = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(kb), plus));
        }
        for (int k = 0; bil && k < n; k++) {
            const __m256 s = _mm256_add_ps(_mm256_mul_ps(gx, _mm256_set1_ps(r->ux[k])),
                                           _mm256_mul_ps(gy, _mm256_set1_ps(r->uy[k])));
            const __m256 a = _mm256_andnot_ps(sign, s);
            const __m256 neg = _mm256_cmp_ps(s, zero, _CMP_LT_OQ);
            const __m256 bin = _mm256_blendv_ps(_mm256_castsi256_ps(_mm256_set1_epi32(k)),
                                                _mm256_castsi256_ps(_mm256_set1_epi32(k + n)),
                                                neg);
            const __m256 gt0 = _mm256_cmp_ps(a, w0, _CMP_GT_OQ);
            /* second best: the old best when a beats it, else a if it beats
             * the second */
            const __m256 gt1 = _mm256_cmp_ps(a, w1, _CMP_GT_OQ);
            w1 = _mm256_blendv_ps(_mm256_blendv_ps(w1, a, gt1), w0, gt0);
            b1 = _mm256_blendv_ps(_mm256_blendv_ps(b1, bin, gt1), b0, gt0);
            w0 = _mm256_blendv_ps(w0, a, gt0);
            b0 = _mm256_blendv_ps(b0, bin, gt0);
        }
        const __m256 nz = _mm256_cmp_ps(g2, zero, _CMP_NEQ_UQ); /* g2 != 0 */
        __m256 gw[2] = {grad, zero};
        if (bil) {
            float bw[8], gr[8], f0[8], f1[8];
            _mm256_storeu_ps(bw, w0);
            _mm256_storeu_ps(gr, grad);
            for (int i = 0; i < 8; i++) {
                f1[i] = hk_vlf_second_weight(bw[i], gr[i], n);
                f0[i] = 1 - f1[i];
            }
            gw[0] = _mm256_mul_ps(grad, _mm256_loadu_ps(f0));
            gw[1] = _mm256_mul_ps(grad, _mm256_loadu_ps(f1));
        }
        const __m256 wy1 = _mm256_set1_ps(r->wy1), wy2 = _mm256_set1_ps(r->wy2);
        const __m256 bins[2] = {b0, b1};
        for (int v = 0; v < 1 + bil; v++) {
            const __m256i bi = _mm256_castps_si256(bins[v]);
            const __m256 vote = _mm256_and_ps(
                nz, _mm256_castsi256_ps(_mm256_cmpgt_epi32(bi, _mm256_set1_epi32(-1))));
            const __m256 a = _mm256_and_ps(vote, _mm256_mul_ps(gw[v], wy1));
            const __m256 b = _mm256_and_ps(vote, _mm256_mul_ps(gw[v], wy2));
            _mm256_storeu_si256((__m256i *)(r->bin[v] + x),
                                _mm256_castps_si256(_mm256_and_ps(vote, bins[v])));
            /* {a, b} pairs of pixels x .. x + 7, in column order */
            const __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b);
            _mm256_storeu_ps(r->pair[v] + 2 * x, _mm256_permute2f128_ps(lo, hi, 0x20));
            _mm256_storeu_ps(r->pair[v] + 2 * x + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
        }
    }
}

/* the reduction's sums are regrouped anyway: one FMA per product and add */
#define HK_VLF_MADD(acc, e, w) ((hk_vlf_v8)_mm256_fmadd_ps((__m256)(e), _mm256_set1_ps(w), (__m256)(acc)))
#define HK_VLF_REDUCE_ATTR __attribute__((target("fma")))
#include "simd/vlfeat_reduce.inc.h"

static void norm(const float *hist, size_t plane, size_t width, int n, float *nrm)
{
    for (size_t x = 0; x < width; x += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int k = 0; k < n; k++) {
            const __m256 h = _mm256_add_ps(_mm256_loadu_ps(hist + (size_t)k * plane + x),
                                           _mm256_loadu_ps(hist + (size_t)(k + n) * plane + x));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(h, h));
        }
        _mm256_storeu_ps(nrm + x, acc);
    }
}

static inline __m256d ld(const float *p)
{
    return _mm256_cvtps_pd(_mm_loadu_ps(p));
}

static void blocks(const float *a, const float *b, size_t width, double *f)
{
    const __m256d eps = _mm256_set1_pd(1e-4), one = _mm256_set1_pd(1.0);
    for (size_t i = 0; i <= width; i += 4) {
        const __m256d s = _mm256_add_pd(
            _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(ld(a + i - 1), ld(a + i)), ld(b + i - 1)),
                          ld(b + i)),
            eps);
        _mm256_storeu_pd(f + i, _mm256_div_pd(one, _mm256_sqrt_pd(s)));
    }
}

/* The output rows in float, eight cells per vector: the block factors are
 * the reference's doubles rounded to float, the products, clipping and sums
 * are float operations (the reference works in double and rounds the result
 * to float: a few 1e-8 apart, inside the fast path's tolerance), which
 * halves the work of the double version and drops its conversions. */
static inline __m256 fac8(const double *p)
{
    const __m128 lo = _mm256_cvtpd_ps(_mm256_loadu_pd(p));
    const __m128 hi = _mm256_cvtpd_ps(_mm256_loadu_pd(p + 4));
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}

/* A row's last, partial vector is stored in pieces of 4, 2 and 1: AMD's
 * masked stores (vmaskmovps) are microcoded and were a fifth of a 28x28
 * image's time. */
static inline void put(float *o, __m256 v, int left)
{
    if (left >= 8) {
        _mm256_storeu_ps(o, v);
        return;
    }
    __m128 part = _mm256_castps256_ps128(v);
    if (left >= 4) {
        _mm_storeu_ps(o, part);
        part = _mm256_extractf128_ps(v, 1);
        o += 4;
        left -= 4;
    }
    if (left >= 2) {
        _mm_storel_pi((__m64 *)o, part);
        part = _mm_movehl_ps(part, part);
        o += 2;
        left -= 2;
    }
    if (left)
        _mm_store_ss(o, part);
}

static inline __m256 sum4(const __m256 v[4])
{
    return _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(v[0], v[1]), v[2]), v[3]);
}

static inline void extract_row(const float *hist, size_t plane, const double *up,
                               const double *down, size_t width, int n, const int uoctti,
                               float *out, size_t out_plane)
{
    const float texture_scale = 1.0f / sqrtf(18.0f);
    const __m256 cap = _mm256_set1_ps(0.2f), half = _mm256_set1_ps(0.5f);
    const __m256 ts = _mm256_set1_ps(texture_scale);
    const size_t plane_n = (size_t)n * out_plane;
    for (size_t x = 0; x < width; x += 8) {
        const int left = width - x < 8 ? (int)(width - x) : 8;
        /* UL, UR, LL, LR */
        const __m256 f[4] = {fac8(up + x), fac8(up + x + 1), fac8(down + x), fac8(down + x + 1)};
        __m256 t[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                       _mm256_setzero_ps()};
        for (int k = 0; k < n; k++) {
            const __m256 ha = _mm256_loadu_ps(hist + (size_t)k * plane + x);
            const __m256 hb = _mm256_loadu_ps(hist + (size_t)(k + n) * plane + x);
            float *o = out + x + (size_t)k * out_plane;
            __m256 a[4], b[4], c[4];
            for (int i = 0; i < 4; i++) {
                a[i] = _mm256_mul_ps(f[i], ha);
                b[i] = _mm256_mul_ps(f[i], hb);
                c[i] = _mm256_min_ps(cap, _mm256_add_ps(a[i], b[i])); /* VL_MIN(0.2, .) */
            }
            if (uoctti) {
                for (int i = 0; i < 4; i++) {
                    a[i] = _mm256_min_ps(cap, a[i]);
                    b[i] = _mm256_min_ps(cap, b[i]);
                    t[i] = _mm256_add_ps(t[i], c[i]);
                }
                put(o, _mm256_mul_ps(half, sum4(a)), left);
                put(o + plane_n, _mm256_mul_ps(half, sum4(b)), left);
                put(o + 2 * plane_n, _mm256_mul_ps(half, sum4(c)), left);
            } else {
                for (int i = 0; i < 4; i++)
                    put(o + (size_t)i * plane_n, c[i], left);
            }
        }
        if (uoctti)
            for (int i = 0; i < 4; i++)
                put(out + x + (size_t)(3 * n + i) * out_plane, _mm256_mul_ps(ts, t[i]), left);
    }
}

static void extract(const float *hist, size_t plane, const double *up, const double *down,
                    size_t width, int n, int uoctti, float *out, size_t out_plane)
{
    if (uoctti)
        extract_row(hist, plane, up, down, width, n, 1, out, out_plane);
    else
        extract_row(hist, plane, up, down, width, n, 0, out, out_plane);
}

static const hk_vlf_kernels table = {HK_SIMD_AVX2, "avx2", convert, orient, strip_reduce,
                                     norm, blocks, extract, bins9_u8};

const hk_vlf_kernels *hk_vlf_kernels_avx2(void)
{
    return &table;
}
#else
const hk_vlf_kernels *hk_vlf_kernels_avx2(void)
{
    return NULL;
}
#endif
