/* The scikit-image fast kernels, written once with GCC vector extensions and
 * compiled once per instruction set: the including file defines HK_VW
 * (doubles per vector), HK_VSQRT (vector square root), HK_KNAME (a prefix for
 * the static functions) and then includes this file. The same source in every
 * unit keeps the sets obviously parallel; the compiler flags of each unit
 * (CMakeLists.txt) choose the instructions.
 *
 * Bit-exactness with src/hog/skimage.c rests on three facts:
 *  - every operation is an IEEE operation on the same values in the same
 *    order (no FMA contraction: the units build with -ffp-contract=off);
 *  - the magnitude replicates glibc's hypot (sysdeps/ieee754/dbl-64/e_hypot.c,
 *    the kernel without FMA that x86-64 builds use) step by step, and falls
 *    back to hypot() where glibc rescales (huge or tiny inputs); the unit test
 *    compares it with hypot() on every integer pair of the 8-bit range and on
 *    random doubles;
 *  - the bin comes from a polynomial angle that is trusted only further than
 *    HK_BIN_MARGIN_DEG from every bin edge (including 0 and 180); nearer, the
 *    pixel is marked HK_BIN_EXACT and decided by the scalar atan2 code.
 * Sums keep their order: a block's sums are NumPy's pairwise sums, whose
 * eight running sums are the lanes of the vectors (block_norm.c). */
#include <math.h>
#include <string.h>

#include "hog/hog_internal.h"
#include "simd/kernels.h"

typedef double hk_vd __attribute__((vector_size(HK_VW * 8)));
typedef long long hk_vl __attribute__((vector_size(HK_VW * 8)));
typedef int hk_vi __attribute__((vector_size(HK_VW * 4)));
typedef float hk_vf __attribute__((vector_size(HK_VW * 4)));
/* 8-bit pixels, 2 * HK_VW of them, widened to int32 lanes */
typedef unsigned char hk_vb __attribute__((vector_size(HK_VW * 2)));
typedef int hk_vi2 __attribute__((vector_size(HK_VW * 8)));

#define HK_CAT2(a, b) a##b
#define HK_CAT(a, b) HK_CAT2(a, b)
#define HK_FN(name) HK_CAT(HK_KNAME, name)

static inline hk_vd HK_FN(load)(const double *p)
{
    hk_vd v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void HK_FN(store)(double *p, hk_vd v)
{
    memcpy(p, &v, sizeof v);
}

/* mask ? a : b, lane by lane (mask lanes are all ones or all zeros). */
static inline hk_vd HK_FN(sel)(hk_vl mask, hk_vd a, hk_vd b)
{
    return (hk_vd)(((hk_vl)a & mask) | ((hk_vl)b & ~mask));
}

static inline hk_vd HK_FN(vabs)(hk_vd a)
{
    return (hk_vd)((hk_vl)a & 0x7fffffffffffffffLL);
}

static inline hk_vd HK_FN(splat)(double x)
{
    hk_vd v;
    for (int i = 0; i < HK_VW; i++)
        v[i] = x;
    return v;
}

static void HK_FN(gradient)(const double *above, const double *row, const double *below,
                            size_t width, size_t n_px, int f32, double *g_row, double *g_col)
{
    size_t x = 0;
    if (above && below) {
        for (; x + HK_VW <= n_px; x += HK_VW) {
            hk_vd a = HK_FN(load)(above + x), b = HK_FN(load)(below + x);
            hk_vd d = f32 ? __builtin_convertvector(__builtin_convertvector(b, hk_vf) -
                                                        __builtin_convertvector(a, hk_vf),
                                                    hk_vd)
                          : b - a;
            HK_FN(store)(g_row + x, d);
        }
        for (; x < n_px; x++)
            g_row[x] = f32 ? (double)((float)below[x] - (float)above[x]) : below[x] - above[x];
    } else {
        memset(g_row, 0, n_px * sizeof(double));
    }
    /* Interior columns 1 .. width-2; the vector loop reads row[x+1 .. x+VW]. */
    size_t end = n_px < width - 1 ? n_px : width - 1;
    if (n_px > 0)
        g_col[0] = 0;
    for (x = 1; x + HK_VW <= end; x += HK_VW) {
        hk_vd a = HK_FN(load)(row + x - 1), b = HK_FN(load)(row + x + 1);
        hk_vd d = f32 ? __builtin_convertvector(__builtin_convertvector(b, hk_vf) -
                                                    __builtin_convertvector(a, hk_vf),
                                                hk_vd)
                      : b - a;
        HK_FN(store)(g_col + x, d);
    }
    for (; x < end; x++)
        g_col[x] = f32 ? (double)((float)row[x + 1] - (float)row[x - 1]) : row[x + 1] - row[x - 1];
    for (x = end > 1 ? end : 1; x < n_px; x++)
        g_col[x] = 0; /* the last column of the image */
}

static inline hk_vi2 HK_FN(load_u8)(const uint8_t *p)
{
#ifdef HK_LOAD_U8
    return HK_LOAD_U8(p); /* the unit's widening load */
#else
    hk_vb b;
    memcpy(&b, p, sizeof b);
    return __builtin_convertvector(b, hk_vi2);
#endif
}

static inline hk_vi2 HK_FN(iabs)(hk_vi2 v)
{
    return (v ^ (v >> 31)) - (v >> 31);
}

/* Table indices of one gradient (kernels.h, u8_index): the bin of (r, q)
 * by the class "signs differ" and |r|, |q|; the magnitude by the unordered
 * pair {|r|, |q|} (glibc's hypot orders its arguments first). */
static inline void HK_FN(u8_pair)(int r, int q, int32_t *bidx, int32_t *midx)
{
    int ar = r < 0 ? -r : r, aq = q < 0 ? -q : q;
    int hi = ar > aq ? ar : aq, lo = ar > aq ? aq : ar;
    *bidx = ((r ^ q) < 0 ? 65536 : 0) + ar * 256 + aq;
    *midx = hi * (hi + 1) / 2 + lo;
}

static void HK_FN(u8_index)(const uint8_t *above, const uint8_t *row, const uint8_t *below,
                            size_t width, size_t n_px, int32_t *bidx, int32_t *midx)
{
    const size_t L = 2 * HK_VW;
    const size_t end = n_px < width - 1 ? n_px : width - 1; /* interior columns */
    size_t x = 0;
    /* column 0 (and any column past the interior): g_col = 0 */
    for (; x < n_px && (x == 0 || x >= end); x++)
        HK_FN(u8_pair)(above && below ? below[x] - above[x] : 0, 0, bidx + x, midx + x);
    for (; x + L <= end; x += L) {
        hk_vi2 r = above && below ? HK_FN(load_u8)(below + x) - HK_FN(load_u8)(above + x)
                                  : HK_FN(load_u8)(row + x) * 0;
        hk_vi2 q = HK_FN(load_u8)(row + x + 1) - HK_FN(load_u8)(row + x - 1);
        hk_vi2 ar = HK_FN(iabs)(r), aq = HK_FN(iabs)(q);
        hk_vi2 gt = ar > aq;
        hk_vi2 hi = (ar & gt) | (aq & ~gt), lo = (aq & gt) | (ar & ~gt);
        hk_vi2 b = (((r ^ q) >> 31) & 65536) + ar * 256 + aq;
        hk_vi2 m = ((hi * (hi + 1)) >> 1) + lo;
        memcpy(bidx + x, &b, sizeof b);
        memcpy(midx + x, &m, sizeof m);
    }
    for (; x < n_px; x++)
        HK_FN(u8_pair)(above && below ? below[x] - above[x] : 0,
                       x > 0 && x < end ? row[x + 1] - row[x - 1] : 0, bidx + x, midx + x);
}

/* atan(z) for z in [0, 1], odd polynomial fitted on Chebyshev nodes: within
 * 4e-7 degrees of the true value, far inside HK_BIN_MARGIN_DEG. Only a guess
 * checked against the margin, so it may use FMA (HK_VFMA) where the exact
 * parts may not. */
static inline hk_vd HK_FN(atan01)(hk_vd z)
{
    hk_vd s = z * z;
    hk_vd p = HK_FN(splat)(0.0024682234263795344);
    p = HK_VFMA(p, s, HK_FN(splat)(-0.014458605261964214));
    p = HK_VFMA(p, s, HK_FN(splat)(0.03989941137268459));
    p = HK_VFMA(p, s, HK_FN(splat)(-0.07247937985918795));
    p = HK_VFMA(p, s, HK_FN(splat)(0.10507313691403353));
    p = HK_VFMA(p, s, HK_FN(splat)(-0.14164331734190996));
    p = HK_VFMA(p, s, HK_FN(splat)(0.19986537259375042));
    p = HK_VFMA(p, s, HK_FN(splat)(-0.3333265783861471));
    p = HK_VFMA(p, s, HK_FN(splat)(0.9999999055434061));
    return p * z;
}

static void HK_FN(bins)(const double *g_row, const double *g_col, size_t n_px,
                        const hk_skbin_consts *k, int32_t *bin, double *mag)
{
    const double rad2deg = 180.0 / 3.14159265358979323846;
    /* constants in locals: the stores below could alias *k otherwise */
    const hk_vd n = HK_FN(splat)(k->n), n_over_180 = HK_FN(splat)(k->n_over_180);
    const hk_vd lo = HK_FN(splat)(k->margin), hi = HK_FN(splat)(1.0 - k->margin);
    const hk_vd row0_0 = HK_FN(splat)(k->row0[0]), row0_1 = HK_FN(splat)(k->row0[1]);
    const hk_vd row0_2 = HK_FN(splat)(k->row0[2]), row0_3 = HK_FN(splat)(k->row0[3]);
    const hk_vd col0_0 = HK_FN(splat)(k->col0[0]), col0_1 = HK_FN(splat)(k->col0[1]);
    const hk_vd exact = HK_FN(splat)(HK_BIN_EXACT), skip = HK_FN(splat)(HK_BIN_SKIP);
    const hk_vd zero = HK_FN(splat)(0.0);
    size_t x = 0;
    for (; x + HK_VW <= n_px; x += HK_VW) {
        hk_vd r = HK_FN(load)(g_row + x), q = HK_FN(load)(g_col + x);
        hk_vd ar = HK_FN(vabs)(r), aq = HK_FN(vabs)(q);
        hk_vl row_major = ar > aq;
        hk_vd ax = HK_FN(sel)(row_major, ar, aq), ay = HK_FN(sel)(row_major, aq, ar);

        /* glibc hypot, non-FMA kernel (Borges' correction), same order. */
        hk_vd h = HK_VSQRT(ax * ax + ay * ay);
        hk_vl upper = h <= 2.0 * ay;
        hk_vd d1 = h - ay, d2 = h - ax;
        hk_vd t1 = HK_FN(sel)(upper, ax * (2.0 * d1 - ax), 2.0 * d2 * (ax - 2.0 * ay));
        hk_vd t2 = HK_FN(sel)(upper, (d1 - 2.0 * (ax - ay)) * d1,
                              (4.0 * d2 - ay) * ay + d2 * d2);
        hk_vd hk = h - (t1 + t2) / (2.0 * h);
        hk_vl tiny = ay < 0x1p-511, tiny_sum = ax >= ay * 0x1p54;
        hk_vl negligible = ay <= ax * 0x1p-54;
        hk_vd m = HK_FN(sel)(tiny | negligible, ax + ay, hk);
        hk_vl slow = (ax > 0x1p511) | (tiny & ~tiny_sum) | ~(ax == ax); /* rescaled, NaN */
        HK_FN(store)(mag + x, m);

        /* Angle in degrees, folded as rad2deg(atan2) mod 180 folds it. */
        hk_vd deg = HK_FN(atan01)(ay / ax) * rad2deg;
        hk_vd a = HK_FN(sel)(row_major, 90.0 - deg, deg);
        a = HK_FN(sel)(q < zero, 180.0 - a, a);
        a = HK_FN(sel)(r < zero, 180.0 - a, a);
        hk_vd t = a * n_over_180;
        hk_vl inside = (t >= zero) & (t < n);
        t = HK_FN(sel)(inside, t, zero);
        hk_vd ti = __builtin_convertvector(__builtin_convertvector(t, hk_vi), hk_vd);
        hk_vd f = t - ti;
        hk_vl sure = inside & (f >= lo) & (f <= hi);
        hk_vd code = HK_FN(sel)(sure, ti, exact);

        /* Axis directions: exact bins from the table, no atan2 needed. */
        hk_vl r0 = ar == zero, q0 = aq == zero;
        hk_vl rs = (hk_vl)r < 0, qs = (hk_vl)q < 0;
        hk_vd row0 = HK_FN(sel)(rs, HK_FN(sel)(qs, row0_3, row0_2), HK_FN(sel)(qs, row0_1, row0_0));
        hk_vd col0 = HK_FN(sel)(r < zero, col0_1, col0_0);
        code = HK_FN(sel)(q0, col0, code);
        code = HK_FN(sel)(r0, row0, code);
        code = HK_FN(sel)(slow, exact, code);
        code = HK_FN(sel)(r0 & q0, skip, code);
        hk_vi ci = __builtin_convertvector(code, hk_vi);
        memcpy(bin + x, &ci, sizeof ci);
    }
    for (; x < n_px; x++)
        bin[x] = HK_BIN_EXACT; /* the few pixels left: scalar code */
}

/* NumPy's pairwise sum of the squares (or absolute values) of v[0 .. n), in
 * the order of hk_skimage_pairwise_sum (block_norm.c): its eight running
 * sums over i % 8 are 8 / HK_VW vectors, each lane one of NumPy's sums, so
 * the order of every add is NumPy's. */
static inline __attribute__((always_inline)) double HK_FN(pw_leaf)(const double *v, size_t n,
                                                                   int l1)
{
    if (n < 8) {
        double s = 0.;
        for (size_t i = 0; i < n; i++)
            s += l1 ? fabs(v[i]) : v[i] * v[i];
        return s;
    }
    enum { K = 8 / HK_VW };
    hk_vd r[K];
    size_t i;
    for (int k = 0; k < K; k++) {
        hk_vd x = HK_FN(load)(v + k * HK_VW);
        r[k] = l1 ? HK_FN(vabs)(x) : x * x;
    }
    for (i = 8; i < n - n % 8; i += 8)
        for (int k = 0; k < K; k++) {
            hk_vd x = HK_FN(load)(v + i + (size_t)k * HK_VW);
            r[k] += l1 ? HK_FN(vabs)(x) : x * x;
        }
    double l[8];
    memcpy(l, r, sizeof l);
    double s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    for (; i < n; i++)
        s += l1 ? fabs(v[i]) : v[i] * v[i];
    return s;
}

/* Above 128 values: NumPy's halves, the first a multiple of 8. */
static double HK_FN(pw_split)(const double *v, size_t n, int l1)
{
    if (n <= 128)
        return HK_FN(pw_leaf)(v, n, l1);
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return HK_FN(pw_split)(v, n2, l1) + HK_FN(pw_split)(v + n2, n - n2, l1);
}

static inline double HK_FN(pairwise)(const double *v, size_t n, int l1)
{
    return n <= 128 ? HK_FN(pw_leaf)(v, n, l1) : HK_FN(pw_split)(v, n, l1);
}

/* A block's values in C order as doubles: br runs of `run` floats. */
static inline void HK_FN(gather)(const float *src, size_t stride, size_t br, size_t run,
                                 double *v)
{
    for (size_t i = 0; i < br; i++, src += stride, v += run) {
        size_t j = 0;
        for (; j + HK_VW <= run; j += HK_VW) {
            hk_vf f;
            memcpy(&f, src + j, sizeof f);
            HK_FN(store)(v + j, __builtin_convertvector(f, hk_vd));
        }
        for (; j < run; j++)
            v[j] = src[j];
    }
}

/* A block's first divisor: L2-Hys and L2 sqrt(sum v^2 + eps^2), the L1
 * norms sum |v| + eps. */
static inline double HK_FN(divisor)(const double *v, size_t bn, hk_block_norm norm)
{
    const double eps = 1e-5;
    if (norm == HK_NORM_L1 || norm == HK_NORM_L1_SQRT)
        return HK_FN(pairwise)(v, bn, 1) + eps;
    return sqrt(HK_FN(pairwise)(v, bn, 0) + eps * eps);
}

#ifdef HK_FUSED
/* Correctly rounded division by a block's divisor without the divider
 * (L2-Hys divides twice per output value; the two FMA pipes of this Zen 3
 * do the four operations below in less time than the divider one division).
 *
 * Per block (one division): yh = RN(1/b), e = 1 - b * yh by an FMA, which is
 * exact, and yl = RN(e * yh), so yh + yl is 1/b within a relative 2^-105.
 * Per value (a multiplication and three FMAs, no division):
 *   q = RN(a * yh + RN(a * yl))   within 1/2 ulp + 2^-51 ulp of a/b,
 *   r = RN(a - b * q)             exact: the remainder,
 *   q' = RN(q + r * yh)           == RN(a / b), what a / b gives.
 * The last two steps are Markstein's theorem (Markstein 1990; Handbook of
 * Floating-Point Arithmetic, division with an FMA; Brisebarre, Muller and
 * Raina, IEEE TC 53(8), 2004): binary64, round to nearest, yh within half an
 * ulp of 1/b and q within one ulp of a/b, no underflow or overflow in any
 * step. The plain q = RN(a * RN(1/b)) is not enough: with a's significand
 * below b's it is up to 1.5 ulp off (tests/unit/test_fma_div.c finds such
 * pairs), outside the theorem; the yl term brings it within the theorem.
 * Sketch, a and b scaled into [1, 2) (powers of two change no rounding in
 * the normal range), Q = a / b, u = ulp(Q), q one of Q's two neighbours:
 * a is a multiple of 2^-52 and b * q of 2^-104 (2^-105 when Q < 1), and
 * |a - b * q| < b * u < 2u fits 53 bits, so r is exact; then
 * q + r * yh = Q + (Q - q) * (b * yh - 1) with |b * yh - 1| <= b * 2^-54,
 * while Q is never a midpoint and at least 2^-105 / b (2^-106 / b) from
 * one, and |Q - q| <= u / 2 + that distance: the error stays on Q's side of
 * the midpoint because b^2 < 4, so q' rounds as Q does.
 * Where it holds: the caller vouches (`tame`) that every value is 0 or in
 * [2^-300, 2^300] (integer samples give cell means in [2^-75, 2^18]; float
 * images keep the division), and each block checks its divisor is in
 * [2^-200, 2^200]; then every step above (yl, a * yl, q, r, q') is a normal
 * number and nothing overflows. a >= 0; a == 0 gives +0 as 0 / b does. */
#define HK_TAME_B(b) ((b) >= 0x1p-200 && (b) <= 0x1p200)

typedef struct {
    double b, yh, yl;
} HK_FN(recip);

static inline HK_FN(recip) HK_FN(recip_of)(double b)
{
    HK_FN(recip) r;
    r.b = b;
    r.yh = 1.0 / b;
    r.yl = __builtin_fma(-b, r.yh, 1.0) * r.yh;
    return r;
}

static inline hk_vd HK_FN(vqdiv)(hk_vd a, hk_vd b, hk_vd yh, hk_vd yl)
{
    hk_vd q = HK_VFMA(a, yh, a * yl);
    hk_vd r = HK_VFMA(-q, b, a);
    return HK_VFMA(r, yh, q);
}

static inline double HK_FN(qdiv)(double a, const HK_FN(recip) *k)
{
    double q = __builtin_fma(a, k->yh, a * k->yl);
    return __builtin_fma(__builtin_fma(-q, k->b, a), k->yh, q);
}
#endif

/* L2-Hys: the first L2 step and the clip in place; returns the second
 * divisor. */
static inline double HK_FN(hys)(double *v, size_t bn, double ds, int tame)
{
    const double eps = 1e-5;
    const hk_vd d = HK_FN(splat)(ds), clip = HK_FN(splat)(0.2);
    size_t j;
#ifdef HK_FUSED
    if (tame && HK_TAME_B(ds)) {
        const HK_FN(recip) k = HK_FN(recip_of)(ds);
        const hk_vd yh = HK_FN(splat)(k.yh), yl = HK_FN(splat)(k.yl);
        for (j = 0; j + HK_VW <= bn; j += HK_VW) {
            hk_vd x = HK_FN(vqdiv)(HK_FN(load)(v + j), d, yh, yl);
            HK_FN(store)(v + j, HK_FN(sel)(x < clip, x, clip));
        }
        for (; j < bn; j++) {
            double x = HK_FN(qdiv)(v[j], &k);
            v[j] = x < 0.2 ? x : 0.2;
        }
        return sqrt(HK_FN(pairwise)(v, bn, 0) + eps * eps);
    }
#else
    (void)tame;
#endif
    for (j = 0; j + HK_VW <= bn; j += HK_VW) {
        /* fmin(x, 0.2) for finite x (the histograms are checked finite) */
        hk_vd x = HK_FN(load)(v + j) / d;
        HK_FN(store)(v + j, HK_FN(sel)(x < clip, x, clip));
    }
    for (; j < bn; j++) { /* as the vectors: fmin without libm's call */
        double x = v[j] / ds;
        v[j] = x < 0.2 ? x : 0.2;
    }
    return sqrt(HK_FN(pairwise)(v, bn, 0) + eps * eps);
}

/* The last division (and L1-sqrt's root) and the conversion to float. */
static inline void HK_FN(finish)(const double *v, size_t bn, double ds, hk_block_norm norm,
                                 int tame, float *o)
{
    const hk_vd d = HK_FN(splat)(ds);
    size_t j;
#ifdef HK_FUSED
    if (tame && HK_TAME_B(ds)) {
        const HK_FN(recip) k = HK_FN(recip_of)(ds);
        const hk_vd yh = HK_FN(splat)(k.yh), yl = HK_FN(splat)(k.yl);
        for (j = 0; j + HK_VW <= bn; j += HK_VW) {
            hk_vd x = HK_FN(vqdiv)(HK_FN(load)(v + j), d, yh, yl);
            if (norm == HK_NORM_L1_SQRT)
                x = HK_VSQRT(x);
            hk_vf f = __builtin_convertvector(x, hk_vf);
            memcpy(o + j, &f, sizeof f);
        }
        for (; j < bn; j++) {
            double x = HK_FN(qdiv)(v[j], &k);
            o[j] = (float)(norm == HK_NORM_L1_SQRT ? sqrt(x) : x);
        }
        return;
    }
#else
    (void)tame;
#endif
    for (j = 0; j + HK_VW <= bn; j += HK_VW) {
        hk_vd x = HK_FN(load)(v + j) / d;
        if (norm == HK_NORM_L1_SQRT)
            x = HK_VSQRT(x);
        hk_vf f = __builtin_convertvector(x, hk_vf);
        memcpy(o + j, &f, sizeof f);
    }
    for (; j < bn; j++) {
        double x = v[j] / ds;
        o[j] = (float)(norm == HK_NORM_L1_SQRT ? sqrt(x) : x);
    }
}

/* --- blocks of 8 .. 128 values, HK_VW blocks at a time, one per lane ---
 * Lane m of every vector below belongs to block c + m and does exactly the
 * scalar arithmetic of hk_skimage_normalize_block on that block: the eight
 * running sums of NumPy's pairwise sum (a leaf: bn <= 128) are eight
 * vectors, combined and followed by the last bn % 8 terms in the scalar
 * order; roots, divisions and the clip are lane-wise IEEE operations. So the
 * result is bit-identical, and a block's long chain (sum -> root ->
 * divisions -> sum -> root -> divisions) runs for HK_VW blocks at once
 * instead of one after another.
 * Value i = (rr, j, k) of block x (cell row rr, cell x + j, orientation k)
 * is loaded for the HK_VW blocks at once from the cell rows, which the
 * driver writes transposed (kernels.h): hist[rr * stride + k * pitch + x +
 * j], the lanes adjacent. */
#define HK_WIDE_MAX HK_BLOCK_WIDE_MAX

/* Streaming stores for a large output (HK_BLOCKS_STREAM) where the unit
 * defines them; elsewhere the hint is ignored. */
#ifdef HK_STREAM_OUT
#define HK_HAS_STREAM 1
#else
#define HK_HAS_STREAM 0
#define HK_STREAM_OUT(dst, src, n) memcpy(dst, src, (n) * sizeof(float))
#define HK_STREAM_FENCE() ((void)0)
#endif

/* ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)): NumPy's combination of
 * its eight running sums. */
static inline hk_vd HK_FN(wide_combine)(const hk_vd *r)
{
    return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
}

static inline hk_vd HK_FN(wload)(const float *p)
{
#ifdef HK_LOAD_F32
    return HK_LOAD_F32(p); /* the unit's widening load: one instruction */
#else
    hk_vf f;
    memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, hk_vd);
#endif
}

/* x < c ? x : c lane by lane (fmin for finite x) */
static inline hk_vd HK_FN(vmin)(hk_vd x, hk_vd c)
{
#ifdef HK_VMIN
    return HK_VMIN(x, c); /* minpd: the first operand where it is less */
#else
    return HK_FN(sel)(x < c, x, c);
#endif
}

/* x / ds lane by lane: by the FMA steps (fast; every lane's divisor tame)
 * or by the divider, the same bits either way. */
typedef struct {
    hk_vd d, yh, yl;
} HK_FN(wdiv);

static inline __attribute__((always_inline)) int HK_FN(wdiv_init)(HK_FN(wdiv) *w, hk_vd ds,
                                                                  const int fast)
{
    w->d = w->yh = w->yl = ds;
#ifdef HK_FUSED
    if (fast) {
        hk_vl ok = (ds >= 0x1p-200) & (ds <= 0x1p200);
        for (int i = 0; i < HK_VW; i++)
            if (!ok[i])
                return 0;
        w->yh = HK_FN(splat)(1.0) / ds;
        w->yl = HK_VFMA(-ds, w->yh, HK_FN(splat)(1.0)) * w->yh;
    }
#endif
    return 1;
}

static inline __attribute__((always_inline)) hk_vd HK_FN(wdiv_do)(hk_vd x, const HK_FN(wdiv) *w,
                                                                  const int fast)
{
#ifdef HK_FUSED
    if (fast)
        return HK_FN(vqdiv)(x, w->d, w->yh, w->yl);
#else
    (void)fast;
#endif
    return x / w->d;
}

/* The last division (and L1-sqrt's root) into floats. */
static inline __attribute__((always_inline)) hk_vf HK_FN(wfinal)(hk_vd x, const HK_FN(wdiv) *w,
                                                                 hk_block_norm norm, const int fast)
{
    x = HK_FN(wdiv_do)(x, w, fast);
    if (norm == HK_NORM_L1_SQRT)
        x = HK_VSQRT(x);
    return __builtin_convertvector(x, hk_vf);
}

/* Block c + m's value i to o[m * bn + i] for the lanes m < lanes. */
static inline __attribute__((always_inline)) void HK_FN(wstore)(float *o, size_t bn, size_t i,
                                                                const hk_vf *f, size_t lanes)
{
#if HK_VW == 4
    typedef int hk_vsel __attribute__((vector_size(16)));
    if (lanes == 4) { /* four values of four blocks: a 4 x 4 transpose */
        hk_vf t0 = __builtin_shuffle(f[0], f[1], (hk_vsel){0, 4, 1, 5});
        hk_vf t1 = __builtin_shuffle(f[0], f[1], (hk_vsel){2, 6, 3, 7});
        hk_vf t2 = __builtin_shuffle(f[2], f[3], (hk_vsel){0, 4, 1, 5});
        hk_vf t3 = __builtin_shuffle(f[2], f[3], (hk_vsel){2, 6, 3, 7});
        hk_vf r0 = __builtin_shuffle(t0, t2, (hk_vsel){0, 1, 4, 5});
        hk_vf r1 = __builtin_shuffle(t0, t2, (hk_vsel){2, 3, 6, 7});
        hk_vf r2 = __builtin_shuffle(t1, t3, (hk_vsel){0, 1, 4, 5});
        hk_vf r3 = __builtin_shuffle(t1, t3, (hk_vsel){2, 3, 6, 7});
        memcpy(o + i, &r0, sizeof r0);
        memcpy(o + bn + i, &r1, sizeof r1);
        memcpy(o + 2 * bn + i, &r2, sizeof r2);
        memcpy(o + 3 * bn + i, &r3, sizeof r3);
        return;
    }
#endif
    for (size_t m = 0; m < lanes; m++)
        for (size_t q = 0; q < HK_VW; q++)
            o[m * bn + i + q] = f[q][m];
}

/* One group of HK_VW blocks (lanes past nbc are zero blocks, not written).
 * fast: divide by FMA steps; 0 (nothing written) when a divisor is out of
 * the theorem's range, and the caller then runs the group with the divider. */
static inline __attribute__((always_inline)) int
HK_FN(wide_group)(const float *base, const size_t *off, size_t bn, hk_block_norm norm,
                  hk_vd *t, float *o, size_t lanes, const int fast)
{
    const int l1 = norm == HK_NORM_L1 || norm == HK_NORM_L1_SQRT, hys = norm == HK_NORM_L2_HYS;
    const double eps = 1e-5;
    const hk_vd clip = HK_FN(splat)(0.2), e2 = HK_FN(splat)(eps * eps);
    const size_t n8 = bn - bn % 8;
    /* NumPy's leaf: eight running sums over i % 8, lane by lane */
    hk_vd r[8], s;
    for (size_t l = 0; l < 8; l++) {
        hk_vd x = HK_FN(wload)(base + off[l]);
        r[l] = l1 ? HK_FN(vabs)(x) : x * x;
    }
    for (size_t i = 8; i < n8; i += 8)
        for (size_t l = 0; l < 8; l++) {
            hk_vd x = HK_FN(wload)(base + off[i + l]);
            r[l] += l1 ? HK_FN(vabs)(x) : x * x;
        }
    s = HK_FN(wide_combine)(r);
    for (size_t i = n8; i < bn; i++) {
        hk_vd x = HK_FN(wload)(base + off[i]);
        s += l1 ? HK_FN(vabs)(x) : x * x;
    }
    HK_FN(wdiv) dv;
    if (!HK_FN(wdiv_init)(&dv, l1 ? s + HK_FN(splat)(eps) : HK_VSQRT(s + e2), fast))
        return 0;
    if (hys) { /* first division and clip, kept in t, and the second sum */
        for (size_t l = 0; l < 8; l++) {
            hk_vd x = HK_FN(wdiv_do)(HK_FN(wload)(base + off[l]), &dv, fast);
            t[l] = x = HK_FN(vmin)(x, clip); /* fmin(x, 0.2): x is finite */
            r[l] = x * x;
        }
        for (size_t i = 8; i < n8; i += 8)
            for (size_t l = 0; l < 8; l++) {
                hk_vd x = HK_FN(wdiv_do)(HK_FN(wload)(base + off[i + l]), &dv, fast);
                t[i + l] = x = HK_FN(vmin)(x, clip);
                r[l] += x * x;
            }
        s = HK_FN(wide_combine)(r);
        for (size_t i = n8; i < bn; i++) {
            hk_vd x = HK_FN(wdiv_do)(HK_FN(wload)(base + off[i]), &dv, fast);
            t[i] = x = HK_FN(vmin)(x, clip);
            s += x * x;
        }
        if (!HK_FN(wdiv_init)(&dv, HK_VSQRT(s + e2), fast))
            return 0;
    }
    size_t i = 0;
    for (; i + HK_VW <= bn; i += HK_VW) {
        hk_vf f[HK_VW];
        for (size_t q = 0; q < HK_VW; q++)
            f[q] = HK_FN(wfinal)(hys ? t[i + q] : HK_FN(wload)(base + off[i + q]), &dv, norm, fast);
        HK_FN(wstore)(o, bn, i, f, lanes);
    }
    for (; i < bn; i++) {
        hk_vf g = HK_FN(wfinal)(hys ? t[i] : HK_FN(wload)(base + off[i]), &dv, norm, fast);
        for (size_t m = 0; m < lanes; m++)
            o[m * bn + i] = g[m];
    }
    return 1;
}

static void HK_FN(blocks_wide)(const float *hist, size_t stride, size_t nbc, size_t br,
                               size_t bc, size_t n, hk_block_norm norm, int hints,
                               double *scratch, float *out)
{
    const int tame = hints & HK_BLOCKS_TAME;
    const int stream = HK_HAS_STREAM && (hints & HK_BLOCKS_STREAM);
    const size_t run = bc * n, bn = br * run, pitch = stride / n;
    hk_vd *t = (hk_vd *)scratch; /* bn vectors: the clipped values (L2-Hys) */
    size_t off[HK_WIDE_MAX], i = 0;
    for (size_t rr = 0; rr < br; rr++) /* value i = (rr, j, k) of block x */
        for (size_t j = 0; j < bc; j++)
            for (size_t k = 0; k < n; k++)
                off[i++] = rr * stride + k * pitch + j;
    const float *tr = hist;
    float *stage = (float *)(scratch + HK_WIDE_MAX * HK_VW);
    for (size_t c = 0; c < nbc; c += HK_VW) {
        const size_t lanes = nbc - c < HK_VW ? nbc - c : HK_VW;
        float *o = stream ? stage : out + c * bn;
        if (!(tame && HK_FN(wide_group)(tr + c, off, bn, norm, t, o, lanes, 1)))
            HK_FN(wide_group)(tr + c, off, bn, norm, t, o, lanes, 0);
        if (stream)
            HK_STREAM_OUT(out + c * bn, stage, lanes * bn);
    }
    if (stream)
        HK_STREAM_FENCE();
}

/* Blocks c = 0 .. nbc-1, each exactly as hk_skimage_normalize_block, in a
 * three-stage software pipeline: iteration c gathers and sums block c,
 * divides, clips and re-sums block c - 1 and finishes block c - 2. A block
 * is a chain (sum -> sqrt -> divisions -> sum -> sqrt -> divisions) during
 * whose sums and roots the divider would idle; with three blocks in flight
 * in program order, the divisions of one overlap the sums of the others.
 * Each block's own operations and their order are unchanged. Scratch: three
 * buffers of bn + 8 doubles (HK_BLOCK_SCRATCH has eight). */
static void HK_FN(blocks)(const float *hist, size_t stride, size_t nbc, size_t br, size_t bc,
                          size_t n, hk_block_norm norm, int hints, double *scratch, float *out)
{
    const int tame = hints & HK_BLOCKS_TAME;
    if (br * bc * n >= HK_BLOCK_WIDE_MIN && br * bc * n <= HK_WIDE_MAX) {
        HK_FN(blocks_wide)(hist, stride, nbc, br, bc, n, norm, hints, scratch, out);
        return;
    }
    const size_t run = bc * n, bn = br * run, pitch = (bn + 8) / 8 * 8;
    double *buf[3] = {scratch, scratch + pitch, scratch + 2 * pitch};
    double ds[3] = {0, 0, 0};
    for (size_t c = 0; c < nbc + 2; c++) {
        if (c < nbc) {
            double *v = buf[c % 3];
            HK_FN(gather)(hist + c * n, stride, br, run, v);
            ds[c % 3] = HK_FN(divisor)(v, bn, norm);
        }
        if (c >= 1 && c - 1 < nbc && norm == HK_NORM_L2_HYS)
            ds[(c - 1) % 3] = HK_FN(hys)(buf[(c - 1) % 3], bn, ds[(c - 1) % 3], tame);
        if (c >= 2)
            HK_FN(finish)(buf[(c - 2) % 3], bn, ds[(c - 2) % 3], norm, tame,
                          out + (c - 2) * bn);
    }
}
