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

/* L2-Hys: the first L2 step and the clip in place; returns the second
 * divisor. */
static inline double HK_FN(hys)(double *v, size_t bn, double ds)
{
    const double eps = 1e-5;
    const hk_vd d = HK_FN(splat)(ds), clip = HK_FN(splat)(0.2);
    size_t j;
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
                                 float *o)
{
    const hk_vd d = HK_FN(splat)(ds);
    size_t j;
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

/* Blocks c = 0 .. nbc-1, each exactly as hk_skimage_normalize_block, in a
 * three-stage software pipeline: iteration c gathers and sums block c,
 * divides, clips and re-sums block c - 1 and finishes block c - 2. A block
 * is a chain (sum -> sqrt -> divisions -> sum -> sqrt -> divisions) during
 * whose sums and roots the divider would idle; with three blocks in flight
 * in program order, the divisions of one overlap the sums of the others.
 * Each block's own operations and their order are unchanged. Scratch: three
 * buffers of bn + 8 doubles (HK_BLOCK_SCRATCH has eight). */
static void HK_FN(blocks)(const float *hist, size_t stride, size_t nbc, size_t br, size_t bc,
                          size_t n, hk_block_norm norm, double *scratch, float *out)
{
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
            ds[(c - 1) % 3] = HK_FN(hys)(buf[(c - 1) % 3], bn, ds[(c - 1) % 3]);
        if (c >= 2)
            HK_FN(finish)(buf[(c - 2) % 3], bn, ds[(c - 2) % 3], norm, out + (c - 2) * bn);
    }
}
