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
 * Sums keep their order: the block norms run one block per lane, each lane
 * summing its own block sequentially, as the scalar code does. */
#include <string.h>

#include "hog/hog_internal.h"
#include "simd/kernels.h"

typedef double hk_vd __attribute__((vector_size(HK_VW * 8)));
typedef long long hk_vl __attribute__((vector_size(HK_VW * 8)));
typedef int hk_vi __attribute__((vector_size(HK_VW * 4)));
typedef float hk_vf __attribute__((vector_size(HK_VW * 4)));

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

/* atan(z) for z in [0, 1], odd polynomial fitted on Chebyshev nodes: within
 * 4e-7 degrees of the true value, far inside HK_BIN_MARGIN_DEG. */
static inline hk_vd HK_FN(atan01)(hk_vd z)
{
    hk_vd s = z * z;
    hk_vd p = HK_FN(splat)(0.0024682234263795344);
    p = p * s + -0.014458605261964214;
    p = p * s + 0.03989941137268459;
    p = p * s + -0.07247937985918795;
    p = p * s + 0.10507313691403353;
    p = p * s + -0.14164331734190996;
    p = p * s + 0.19986537259375042;
    p = p * s + -0.3333265783861471;
    p = p * s + 0.9999999055434061;
    return p * z;
}

static void HK_FN(bins)(const double *g_row, const double *g_col, size_t n_px,
                        const hk_skbin_consts *k, int32_t *bin, double *mag)
{
    const double rad2deg = 180.0 / 3.14159265358979323846;
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
        a = HK_FN(sel)(q < 0.0, 180.0 - a, a);
        a = HK_FN(sel)(r < 0.0, 180.0 - a, a);
        hk_vd t = a * k->n_over_180;
        hk_vl inside = (t >= 0.0) & (t < k->n);
        t = HK_FN(sel)(inside, t, HK_FN(splat)(0.0));
        hk_vd ti = __builtin_convertvector(__builtin_convertvector(t, hk_vi), hk_vd);
        hk_vd f = t - ti;
        hk_vl sure = inside & (f >= k->margin) & (f <= 1.0 - k->margin);
        hk_vd code = HK_FN(sel)(sure, ti, HK_FN(splat)(HK_BIN_EXACT));

        /* Axis directions: exact bins from the table, no atan2 needed. */
        hk_vl r0 = ar == 0.0, q0 = aq == 0.0;
        hk_vl rs = (hk_vl)r < 0, qs = (hk_vl)q < 0;
        hk_vd row0 = HK_FN(sel)(rs, HK_FN(sel)(qs, HK_FN(splat)(k->row0[3]), HK_FN(splat)(k->row0[2])),
                                HK_FN(sel)(qs, HK_FN(splat)(k->row0[1]), HK_FN(splat)(k->row0[0])));
        hk_vd col0 = HK_FN(sel)(r < 0.0, HK_FN(splat)(k->col0[1]), HK_FN(splat)(k->col0[0]));
        code = HK_FN(sel)(q0, col0, code);
        code = HK_FN(sel)(r0, row0, code);
        code = HK_FN(sel)(slow, HK_FN(splat)(HK_BIN_EXACT), code);
        code = HK_FN(sel)(r0 & q0, HK_FN(splat)(HK_BIN_SKIP), code);
        hk_vi ci = __builtin_convertvector(code, hk_vi);
        memcpy(bin + x, &ci, sizeof ci);
    }
    for (; x < n_px; x++)
        bin[x] = HK_BIN_EXACT; /* the few pixels left: scalar code */
}

/* Sequential sums per lane, exactly as block_norm.c sums one block. */
static hk_vd HK_FN(sum_sq)(const double *v, size_t bn)
{
    hk_vd s = HK_FN(splat)(0.0);
    for (size_t j = 0; j < bn; j++) {
        hk_vd x = HK_FN(load)(v + j * HK_VW);
        s += x * x;
    }
    return s;
}

static void HK_FN(divide)(double *v, size_t bn, hk_vd d)
{
    for (size_t j = 0; j < bn; j++)
        HK_FN(store)(v + j * HK_VW, HK_FN(load)(v + j * HK_VW) / d);
}

static void HK_FN(normalize)(double *v, size_t bn, hk_block_norm norm)
{
    const double eps = 1e-5;
    hk_vd s;
    switch (norm) {
    case HK_NORM_L1:
    case HK_NORM_L1_SQRT:
        s = HK_FN(splat)(0.0);
        for (size_t j = 0; j < bn; j++)
            s += HK_FN(vabs)(HK_FN(load)(v + j * HK_VW));
        HK_FN(divide)(v, bn, s + eps);
        if (norm == HK_NORM_L1_SQRT)
            for (size_t j = 0; j < bn; j++)
                HK_FN(store)(v + j * HK_VW, HK_VSQRT(HK_FN(load)(v + j * HK_VW)));
        break;
    case HK_NORM_L2:
        HK_FN(divide)(v, bn, HK_VSQRT(HK_FN(sum_sq)(v, bn) + eps * eps));
        break;
    case HK_NORM_L2_HYS:
        HK_FN(divide)(v, bn, HK_VSQRT(HK_FN(sum_sq)(v, bn) + eps * eps));
        for (size_t j = 0; j < bn; j++) {
            hk_vd x = HK_FN(load)(v + j * HK_VW);
            /* fmin(x, 0.2): x < 0.2 is false for NaN, giving 0.2 as fmin does */
            HK_FN(store)(v + j * HK_VW, HK_FN(sel)(x < 0.2, x, HK_FN(splat)(0.2)));
        }
        HK_FN(divide)(v, bn, HK_VSQRT(HK_FN(sum_sq)(v, bn) + eps * eps));
        break;
    }
}

static void HK_FN(blocks)(const float *hist, size_t stride, size_t nbc, size_t br, size_t bc,
                          size_t n, hk_block_norm norm, double *scratch, float *out)
{
    const size_t run = bc * n, bn = br * run;
    size_t c = 0;
    /* HK_VW blocks side by side, transposed so that lane l holds block c + l. */
    for (; c + HK_VW <= nbc; c += HK_VW) {
        for (size_t l = 0; l < HK_VW; l++)
            for (size_t i = 0; i < br; i++) {
                const float *src = hist + i * stride + (c + l) * n;
                double *dst = scratch + i * run * HK_VW + l;
                for (size_t j = 0; j < run; j++)
                    dst[j * HK_VW] = src[j];
            }
        HK_FN(normalize)(scratch, bn, norm);
        for (size_t l = 0; l < HK_VW; l++) {
            float *o = out + (c + l) * bn;
            for (size_t j = 0; j < bn; j++)
                o[j] = (float)scratch[j * HK_VW + l];
        }
    }
    for (; c < nbc; c++) { /* the last blocks of the row: scalar code */
        for (size_t i = 0; i < br; i++)
            for (size_t j = 0; j < run; j++)
                scratch[i * run + j] = hist[i * stride + c * n + j];
        hk_skimage_normalize_block(scratch, bn, norm);
        for (size_t j = 0; j < bn; j++)
            out[c * bn + j] = (float)scratch[j];
    }
}
