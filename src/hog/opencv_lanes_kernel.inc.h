/*
 * OpenCV variant, the image-per-lane kernel (method in opencv_lanes.h),
 * written once with GCC vector extensions and compiled once per instruction
 * set: the including unit defines OCVL_FN(name) (a prefix for its static
 * functions), OCVL_SQRT(v) (lane-wise IEEE square root) and then includes
 * this file. Units build with -ffp-contract=off and without -mfma: every
 * operation below is one IEEE float operation, as in the scalar path.
 *
 * Vectors hold 8 floats, lane k = image k of the group.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hog/opencv_lanes.h"

typedef float ocvl_vf __attribute__((vector_size(32)));
typedef int32_t ocvl_vi __attribute__((vector_size(32)));
typedef uint8_t ocvl_vb __attribute__((vector_size(16)));
typedef uint8_t ocvl_vb8 __attribute__((vector_size(8)));
typedef int16_t ocvl_vw __attribute__((vector_size(16)));
typedef int32_t ocvl_vd __attribute__((vector_size(16)));
typedef uint64_t ocvl_vq __attribute__((vector_size(16)));

/* OpenCV's fastAtan coefficients in degrees, as opencv_grad.c has them. */
#define OCVL_RAD2DEG 57.295779513082323
#define OCVL_P1 ((float)0.9997878412794807 * (float)OCVL_RAD2DEG)
#define OCVL_P3 ((float)-0.3258083974640975 * (float)OCVL_RAD2DEG)
#define OCVL_P5 ((float)0.1555786518463281 * (float)OCVL_RAD2DEG)
#define OCVL_P7 ((float)-0.04432655554792128 * (float)OCVL_RAD2DEG)
#define OCVL_EPS ((float)2.220446049250313080847e-16)

static inline ocvl_vf OCVL_FN(ld)(const float *p)
{
    ocvl_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void OCVL_FN(st)(float *p, ocvl_vf v)
{
    memcpy(p, &v, sizeof v);
}

static inline ocvl_vf OCVL_FN(splat)(float x)
{
    return (ocvl_vf){x, x, x, x, x, x, x, x};
}

/* Comparisons lane by lane, as all-ones / zero int lanes. A unit without
 * 32-byte vectors defines OCVL_HALVES: GCC lowers a 32-byte comparison
 * there to scalar code, so two 16-byte halves are compared instead. */
#ifdef OCVL_HALVES
typedef float ocvl_hf __attribute__((vector_size(16)));
typedef int32_t ocvl_hi __attribute__((vector_size(16)));
#define OCVL_CMP(name, T, H, op)                                  \
    static inline ocvl_vi OCVL_FN(name)(T a, T b)                 \
    {                                                             \
        H a2[2], b2[2];                                           \
        ocvl_hi r[2];                                             \
        ocvl_vi o;                                                \
        memcpy(a2, &a, sizeof a);                                 \
        memcpy(b2, &b, sizeof b);                                 \
        r[0] = a2[0] op b2[0];                                    \
        r[1] = a2[1] op b2[1];                                    \
        memcpy(&o, r, sizeof o);                                  \
        return o;                                                 \
    }
#else
#define OCVL_CMP(name, T, H, op)                                  \
    static inline ocvl_vi OCVL_FN(name)(T a, T b)                 \
    {                                                             \
        return a op b;                                            \
    }
#endif
OCVL_CMP(flt, ocvl_vf, ocvl_hf, <)
OCVL_CMP(fgt, ocvl_vf, ocvl_hf, >)
OCVL_CMP(fge, ocvl_vf, ocvl_hf, >=)
OCVL_CMP(ilt, ocvl_vi, ocvl_hi, <)
OCVL_CMP(ige, ocvl_vi, ocvl_hi, >=)
OCVL_CMP(ieq, ocvl_vi, ocvl_hi, ==)
#undef OCVL_CMP

/* m ? a : b lane by lane (m lanes all ones or all zeros). */
static inline ocvl_vf OCVL_FN(sel)(ocvl_vi m, ocvl_vf a, ocvl_vf b)
{
    return (ocvl_vf)((m & (ocvl_vi)a) | (~m & (ocvl_vi)b));
}

/* ---- 1. the lane image ---- */

#ifndef OCVL_STREAM
#define OCVL_STREAM(dst, src, n) memcpy(dst, src, (n) * sizeof(float))
#define OCVL_FENCE() ((void)0)
#endif

#ifndef OCVL_CVT8
/* Bytes 8*hi .. 8*hi+7 of v as float lanes. */
static inline ocvl_vf OCVL_FN(cvt8)(ocvl_vb v, int hi)
{
    ocvl_vf r;
    for (int i = 0; i < 8; i++)
        r[i] = (float)v[i + 8 * hi];
    return r;
}
#define OCVL_CVT8(v, hi) OCVL_FN(cvt8)(v, hi)
#endif

/* Eight runs of 8 bytes (lane k: src[k] + c0) transposed into eight float
 * vectors: col[i] lane k = src[k][c0 + i]. */
static inline void OCVL_FN(columns8)(const uint8_t *const *src, size_t c0, ocvl_vf *col)
{
    ocvl_vb a[8];
    for (int k = 0; k < 8; k++) {
        uint64_t q;
        memcpy(&q, src[k] + c0, 8);
        a[k] = (ocvl_vb)(ocvl_vq){q, 0};
    }
    /* bytes, then 16-bit pairs, then 32-bit quads interleaved */
    const ocvl_vb lo8 = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23};
    ocvl_vw t0 = (ocvl_vw)__builtin_shuffle(a[0], a[1], lo8);
    ocvl_vw t1 = (ocvl_vw)__builtin_shuffle(a[2], a[3], lo8);
    ocvl_vw t2 = (ocvl_vw)__builtin_shuffle(a[4], a[5], lo8);
    ocvl_vw t3 = (ocvl_vw)__builtin_shuffle(a[6], a[7], lo8);
    const ocvl_vw lo16 = {0, 8, 1, 9, 2, 10, 3, 11}, hi16 = {4, 12, 5, 13, 6, 14, 7, 15};
    ocvl_vd u0 = (ocvl_vd)__builtin_shuffle(t0, t1, lo16);
    ocvl_vd u1 = (ocvl_vd)__builtin_shuffle(t0, t1, hi16);
    ocvl_vd u2 = (ocvl_vd)__builtin_shuffle(t2, t3, lo16);
    ocvl_vd u3 = (ocvl_vd)__builtin_shuffle(t2, t3, hi16);
    const ocvl_vd lo32 = {0, 4, 1, 5}, hi32 = {2, 6, 3, 7};
    /* w[i]: columns 2i (low 8 bytes) and 2i+1 (high 8 bytes) */
    const ocvl_vb w[4] = {(ocvl_vb)__builtin_shuffle(u0, u2, lo32),
                          (ocvl_vb)__builtin_shuffle(u0, u2, hi32),
                          (ocvl_vb)__builtin_shuffle(u1, u3, lo32),
                          (ocvl_vb)__builtin_shuffle(u1, u3, hi32)};
    for (int i = 0; i < 4; i++) {
        col[2 * i] = OCVL_CVT8(w[i], 0);
        col[2 * i + 1] = OCVL_CVT8(w[i], 1);
    }
}

/* The padded image plus a one-pixel reflect-101 border, lane-interleaved:
 * limg[(y*lw + x)*8 + k] = LUT(image k at lane-image (x, y)). The image's
 * columns are transposed 8 at a time straight from the rows (an 8-byte
 * load per image); the border and padding columns are copies of them. */
static __attribute__((noinline)) void OCVL_FN(lane_image)(const hk__ocvl_job *j,
                                                          const hk_image *const *images, size_t n)
{
    const hk_ocv_geometry *g = j->g;
    const size_t lw = j->lw, lo = 1 + (size_t)g->pad_x, wd = g->width, V = HK_OCVL_LANES;
    /* lanes past n read zeros (their results are dropped) */
    uint8_t *zeros = j->bytes;
    memset(zeros, 0, wd > 8 ? wd : 8);
    for (size_t y = 0; y < j->lh; y++) {
        const size_t iy = (size_t)j->ysrc[y];
        const uint8_t *src[8];
        for (size_t k = 0; k < 8; k++)
            src[k] = k < n ? (const uint8_t *)images[k]->data + iy * images[k]->stride : zeros;
        float *dst = j->limg + y * lw * V;
        ocvl_vf col[8];
        if (wd >= 8) {
            /* the last run overlaps the one before: same values again */
            for (size_t c0 = 0;; c0 += 8) {
                if (c0 + 8 > wd)
                    c0 = wd - 8;
                OCVL_FN(columns8)(src, c0, col);
                for (size_t i = 0; i < 8; i++)
                    OCVL_FN(st)(dst + (lo + c0 + i) * V,
                                g->gamma_correction ? OCVL_SQRT(col[i]) : col[i]);
                if (c0 + 8 >= wd)
                    break;
            }
        } else { /* narrower than a run: through a zeroed copy */
            uint8_t buf[8][8];
            const uint8_t *bp[8];
            memset(buf, 0, sizeof buf);
            for (size_t k = 0; k < 8; k++) {
                memcpy(buf[k], src[k], wd);
                bp[k] = buf[k];
            }
            OCVL_FN(columns8)(bp, 0, col);
            for (size_t i = 0; i < wd; i++)
                OCVL_FN(st)(dst + (lo + i) * V, g->gamma_correction ? OCVL_SQRT(col[i]) : col[i]);
        }
        for (size_t x = 0; x < lw; x = x + 1 == lo ? lo + wd : x + 1)
            OCVL_FN(st)(dst + x * V, OCVL_FN(ld)(dst + (lo + (size_t)j->xsrc[x]) * V));
    }
}

/* ---- 2. gradient, angle, votes: the plane values of every pixel ---- */

#ifndef OCVL_BLEND
/* Lanes of a where the sign bit of m is set, of b elsewhere. */
static inline ocvl_vf OCVL_FN(blend)(ocvl_vf m, ocvl_vf a, ocvl_vf b)
{
    return OCVL_FN(sel)((ocvl_vi)m >> 31, a, b);
}
static inline ocvl_vf OCVL_FN(vmin)(ocvl_vf a, ocvl_vf b)
{
    return OCVL_FN(sel)(OCVL_FN(flt)(a, b), a, b);
}
static inline ocvl_vf OCVL_FN(vmax)(ocvl_vf a, ocvl_vf b)
{
    return OCVL_FN(sel)(OCVL_FN(fgt)(a, b), a, b);
}
/* floor, as a float (the arguments here are far inside the int range) */
static inline ocvl_vf OCVL_FN(vfloor)(ocvl_vf t)
{
    ocvl_vi k = __builtin_convertvector(t, ocvl_vi);
    k += OCVL_FN(flt)(t, __builtin_convertvector(k, ocvl_vf)); /* -1 where true */
    return __builtin_convertvector(k, ocvl_vf);
}
#define OCVL_BLEND(m, a, b) OCVL_FN(blend)(m, a, b)
#define OCVL_MIN(a, b) OCVL_FN(vmin)(a, b)
#define OCVL_MAX(a, b) OCVL_FN(vmax)(a, b)
#define OCVL_FLOOR(t) OCVL_FN(vfloor)(t)
#endif

/* OpenCV's fast atan in degrees, [0, 360), exactly as fast_atan_deg:
 * c = min/(max + eps) is its branch's quotient either way, and the sign
 * tests read the sign bits (dx, dy are never -0: a - b of values >= 0 is
 * +0 when they are equal). */
static inline ocvl_vf OCVL_FN(atan_deg)(ocvl_vf y, ocvl_vf x)
{
    const ocvl_vi abs_mask = (ocvl_vi){0, 0, 0, 0, 0, 0, 0, 0} + 0x7fffffff;
    ocvl_vf ax = (ocvl_vf)((ocvl_vi)x & abs_mask), ay = (ocvl_vf)((ocvl_vi)y & abs_mask);
    ocvl_vf ge = (ocvl_vf)OCVL_FN(fge)(ax, ay);
    ocvl_vf c = OCVL_MIN(ax, ay) / (OCVL_MAX(ax, ay) + OCVL_FN(splat)(OCVL_EPS));
    ocvl_vf c2 = c * c;
    ocvl_vf a = (((OCVL_FN(splat)(OCVL_P7) * c2 + OCVL_FN(splat)(OCVL_P5)) * c2 +
                  OCVL_FN(splat)(OCVL_P3)) * c2 + OCVL_FN(splat)(OCVL_P1)) * c;
    a = OCVL_BLEND(ge, a, OCVL_FN(splat)(90.f) - a);
    a = OCVL_BLEND(x, OCVL_FN(splat)(180.f) - a, a);
    a = OCVL_BLEND(y, OCVL_FN(splat)(360.f) - a, a);
    return a;
}

/* The plane values of pixels (x, y .. y+U-1) of the padded image (one
 * column): dx, dy, magnitude, angle and bin_votes, then what pixel (x, y)
 * of image k adds to bin b (times the cell weight):
 *     pl[((x*pheight + y)*nbins + b)*8 + k] = w1 = mag*f in bin k0+1 mod n,
 *                                              w0 = mag*(1-f) in bin k0,
 *                                              +0 elsewhere
 * (with one bin only w1: the scalar path's second store wins). Columns
 * outer, as the blocks read them (the pixel table runs x outer, y inner).
 * U pixels in lock step: each pixel is one long dependency chain (division,
 * square root, polynomial, bin), and interleaving independent chains in the
 * code keeps the units busy where the out-of-order window is too short to.
 * NB: nbins (a constant where inlined). */
static inline __attribute__((always_inline)) void
OCVL_FN(planes_u)(const hk__ocvl_job *j, size_t x, size_t y, float *pl, const int U,
                  const int NB)
{
    const size_t V = HK_OCVL_LANES, lw = j->lw;
    const ocvl_vf deg2rad = OCVL_FN(splat)((float)(3.14159265358979323846 / 180.0));
    const ocvl_vf scale = OCVL_FN(splat)(j->bin_scale), half = OCVL_FN(splat)(0.5f);
    const ocvl_vf one = OCVL_FN(splat)(1.f);
    const ocvl_vi vn = (ocvl_vi){0, 0, 0, 0, 0, 0, 0, 0} + NB;
    const ocvl_vi izero = {0, 0, 0, 0, 0, 0, 0, 0};
    ocvl_vf dx[4], dy[4], mag[4], t[4];
    ocvl_vi k[4];
    /* padded (x, y) is lane-image (x + 1, y + 1) */
    const float *c = j->limg + (y * lw + x + 1) * V;
    for (int u = 0; u < U; u++) {
        const float *up = c + (size_t)u * lw * V, *mid = up + lw * V, *down = mid + lw * V;
        dx[u] = OCVL_FN(ld)(mid + V) - OCVL_FN(ld)(mid - V);
        dy[u] = OCVL_FN(ld)(down) - OCVL_FN(ld)(up);
    }
    for (int u = 0; u < U; u++)
        mag[u] = OCVL_SQRT(dx[u] * dx[u] + dy[u] * dy[u]);
    for (int u = 0; u < U; u++)
        t[u] = OCVL_FN(atan_deg)(dy[u], dx[u]) * deg2rad;
    /* bin_votes: cvFloor, the fraction, the two weights, one wrap */
    for (int u = 0; u < U; u++) {
        t[u] = t[u] * scale - half;
        ocvl_vf f = OCVL_FLOOR(t[u]);
        k[u] = __builtin_convertvector(f, ocvl_vi);
        t[u] = t[u] - f;
    }
    for (int u = 0; u < U; u++) {
        const ocvl_vi w0 = (ocvl_vi)(mag[u] * (one - t[u])), w1 = (ocvl_vi)(mag[u] * t[u]);
        float *p = pl + (size_t)u * (size_t)NB * V;
        if (NB == 1) {
            OCVL_FN(st)(p, (ocvl_vf)w1);
            continue;
        }
        k[u] += OCVL_FN(ilt)(k[u], izero) & vn;
        k[u] -= OCVL_FN(ige)(k[u], vn) & vn;
        /* the second vote lands in b where the first landed in b - 1 */
        ocvl_vi prev = OCVL_FN(ieq)(k[u], izero + (NB - 1));
        for (int b = 0; b < NB; b++) {
            ocvl_vi e = OCVL_FN(ieq)(k[u], izero + b);
            OCVL_FN(st)(p + (size_t)b * V,
                        OCVL_BLEND((ocvl_vf)prev, (ocvl_vf)w1, (ocvl_vf)(e & w0)));
            prev = e;
        }
    }
}

/* One padded column x of planes (at pl). */
static inline __attribute__((always_inline)) void
OCVL_FN(plane_col)(const hk__ocvl_job *j, size_t x, float *pl, const int NB)
{
    const size_t ph = j->g->pheight, step = (size_t)NB * HK_OCVL_LANES;
    size_t y = 0;
    for (; y + 4 <= ph; y += 4)
        OCVL_FN(planes_u)(j, x, y, pl + y * step, 4, NB);
    for (; y < ph; y++)
        OCVL_FN(planes_u)(j, x, y, pl + y * step, 1, NB);
}

/* The plane values of every padded pixel, column by column:
 * planes[((x*pheight + y)*nbins + b)*8 + k]. */
static __attribute__((noinline)) void OCVL_FN(plane_rows)(const hk__ocvl_job *j)
{
    const hk_ocv_geometry *g = j->g;
    const size_t nb = (size_t)g->nbins, colv = g->pheight * nb * HK_OCVL_LANES;
    for (size_t x = 0; x < g->pwidth; x++) {
        float *pl = j->planes + x * colv;
        switch (nb) {
        case 1:
            OCVL_FN(plane_col)(j, x, pl, 1);
            break;
        case 9:
            OCVL_FN(plane_col)(j, x, pl, 9);
            break;
        case 18:
            OCVL_FN(plane_col)(j, x, pl, 18);
            break;
        default:
            OCVL_FN(plane_col)(j, x, pl, (int)nb);
            break;
        }
    }
}

/* ---- 3. the blocks ---- */

/* Bins b0 .. b0+G-1 of one cell: its pixels in the scalar table's order,
 * each adding plane[b] * weight (a product then a sum, as vote()). The
 * sums start from the first product: 0 + x is x for the x >= +0 here. */
static inline __attribute__((always_inline)) void
OCVL_FN(cell_bins)(const hk__ocvl_tap *t, size_t m, const float *base, float *dst, const int G)
{
    ocvl_vf acc[12];
    const ocvl_vf w = OCVL_FN(splat)(t[0].w);
    const float *p = base + (size_t)t[0].off * HK_OCVL_LANES;
    for (int b = 0; b < G; b++)
        acc[b] = OCVL_FN(ld)(p + b * HK_OCVL_LANES) * w;
    for (size_t i = 1; i < m; i++) {
        const ocvl_vf wi = OCVL_FN(splat)(t[i].w);
        const float *pi = base + (size_t)t[i].off * HK_OCVL_LANES;
        for (int b = 0; b < G; b++)
            acc[b] = acc[b] + OCVL_FN(ld)(pi + b * HK_OCVL_LANES) * wi;
    }
    for (int b = 0; b < G; b++)
        OCVL_FN(st)(dst + b * HK_OCVL_LANES, acc[b]);
}

#define OCVL_CELL_CASE(G)                                                   \
    case G:                                                                 \
        OCVL_FN(cell_bins)(t, m, base + b0 * HK_OCVL_LANES, dst, G);        \
        break

/* Bins b0 .. b0+G-1 (G <= 12) with G a constant of the inner loop. */
static void OCVL_FN(cell_any)(const hk__ocvl_tap *t, size_t m, const float *base, size_t b0,
                              float *dst, int G)
{
    switch (G) {
        OCVL_CELL_CASE(1);
        OCVL_CELL_CASE(2);
        OCVL_CELL_CASE(3);
        OCVL_CELL_CASE(4);
        OCVL_CELL_CASE(5);
        OCVL_CELL_CASE(6);
        OCVL_CELL_CASE(7);
        OCVL_CELL_CASE(8);
        OCVL_CELL_CASE(9);
        OCVL_CELL_CASE(10);
        OCVL_CELL_CASE(11);
        OCVL_CELL_CASE(12);
    default:
        break;
    }
}
#undef OCVL_CELL_CASE

/* hk_ocv_normalize_block lane by lane on P blocks in lock step (their
 * chains of sums, square roots and divisions overlap): 4 partial sums over
 * 4*floor(n/4) values added pairwise, the tail one by one, +0.1*n on the
 * norm, the clip, then 1/(norm + 1e-3). */
static inline __attribute__((always_inline)) void
OCVL_FN(normalize_p)(float *const *hs, size_t n, float add, float thr, const int P)
{
    const size_t V = HK_OCVL_LANES, body = n & ~(size_t)3;
    ocvl_vf scale[2];
    for (int pass = 0; pass < 2; pass++) {
        ocvl_vf part[2][4], sum[2];
        for (int p = 0; p < P; p++)
            for (size_t l = 0; l < 4; l++) {
                ocvl_vf v = OCVL_FN(ld)(hs[p] + l * V);
                part[p][l] = v * v;
            }
        for (size_t i = 4; i < body; i += 4)
            for (int p = 0; p < P; p++)
                for (size_t l = 0; l < 4; l++) {
                    ocvl_vf v = OCVL_FN(ld)(hs[p] + (i + l) * V);
                    part[p][l] = part[p][l] + v * v;
                }
        for (int p = 0; p < P; p++)
            sum[p] = (part[p][0] + part[p][1]) + (part[p][2] + part[p][3]);
        for (size_t i = body; i < n; i++)
            for (int p = 0; p < P; p++) {
                ocvl_vf v = OCVL_FN(ld)(hs[p] + i * V);
                sum[p] = sum[p] + v * v;
            }
        for (int p = 0; p < P; p++)
            scale[p] = OCVL_FN(splat)(1.f) /
                       (OCVL_SQRT(sum[p]) + OCVL_FN(splat)(pass == 0 ? add : 1e-3f));
        if (pass == 1)
            break;
        const ocvl_vf vt = OCVL_FN(splat)(thr);
        for (size_t i = 0; i < n; i++)
            for (int p = 0; p < P; p++) {
                ocvl_vf v = OCVL_FN(ld)(hs[p] + i * V) * scale[p];
                OCVL_FN(st)(hs[p] + i * V, OCVL_FN(sel)(OCVL_FN(flt)(v, vt), v, vt));
            }
    }
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < P; p++)
            OCVL_FN(st)(hs[p] + i * V, OCVL_FN(ld)(hs[p] + i * V) * scale[p]);
}

static __attribute__((noinline)) void OCVL_FN(normalize)(float *const *hs, size_t nh, size_t n,
                                                         float add, float thr)
{
    if (nh == 2)
        OCVL_FN(normalize_p)(hs, n, add, thr, 2);
    else
        OCVL_FN(normalize_p)(hs, n, add, thr, 1);
}

/* 8x8 transpose: r[i] lane k -> o[k] lane i. */
static inline void OCVL_FN(transpose8)(const ocvl_vf *r, ocvl_vf *o)
{
    const ocvl_vi ulo = {0, 8, 1, 9, 4, 12, 5, 13}, uhi = {2, 10, 3, 11, 6, 14, 7, 15};
    const ocvl_vi slo = {0, 1, 8, 9, 4, 5, 12, 13}, shi = {2, 3, 10, 11, 6, 7, 14, 15};
    const ocvl_vi plo = {0, 1, 2, 3, 8, 9, 10, 11}, phi = {4, 5, 6, 7, 12, 13, 14, 15};
    ocvl_vf t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = __builtin_shuffle(r[2 * i], r[2 * i + 1], ulo);
        t[2 * i + 1] = __builtin_shuffle(r[2 * i], r[2 * i + 1], uhi);
    }
    for (int i = 0; i < 2; i++) {
        s[4 * i] = __builtin_shuffle(t[4 * i], t[4 * i + 2], slo);
        s[4 * i + 1] = __builtin_shuffle(t[4 * i], t[4 * i + 2], shi);
        s[4 * i + 2] = __builtin_shuffle(t[4 * i + 1], t[4 * i + 3], slo);
        s[4 * i + 3] = __builtin_shuffle(t[4 * i + 1], t[4 * i + 3], shi);
    }
    for (int i = 0; i < 4; i++) {
        o[i] = __builtin_shuffle(s[i], s[i + 4], plo);
        o[i + 4] = __builtin_shuffle(s[i], s[i + 4], phi);
    }
}

/* Lanes whose value is Inf or NaN (exponent all ones), as all ones. */
static inline ocvl_vi OCVL_FN(nonfinite)(ocvl_vf v)
{
    const ocvl_vi e = (ocvl_vi){0, 0, 0, 0, 0, 0, 0, 0} + 0x7f800000;
    return OCVL_FN(ieq)((ocvl_vi)v & e, e);
}

/* Entries 0 .. n-1 of the block in h (n rounded up to 8 vectors, the rest
 * zero) into the staged rows: stage + k*sstride + at for the 8 lanes. The
 * last 8 may run up to 7 floats past the block, into the next block's place
 * (written after) or the row's padding. Returns nonzero when a value is not
 * finite. */
static int OCVL_FN(store_block)(const float *h, size_t n, float *stage, size_t sstride,
                                size_t at)
{
    ocvl_vi bad = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t e0 = 0; e0 < n; e0 += 8) {
        ocvl_vf r[8], o[8];
        for (int i = 0; i < 8; i++) {
            r[i] = OCVL_FN(ld)(h + (e0 + (size_t)i) * HK_OCVL_LANES);
            bad |= OCVL_FN(nonfinite)(r[i]);
        }
        OCVL_FN(transpose8)(r, o);
        for (size_t k = 0; k < 8; k++)
            OCVL_FN(st)(stage + k * sstride + at + e0, o[k]);
    }
    for (int i = 0; i < 8; i++)
        if (bad[i])
            return 1;
    return 0;
}

/* Every block of the window, in the descriptor's order (x outer). */
/* The cells of one block (its corner at `base` in the planes) into h. */
static void OCVL_FN(block_cells)(const hk__ocvl_job *j, const float *base, float *h)
{
    const size_t nb = (size_t)j->g->nbins, V = HK_OCVL_LANES;
    const size_t ncells = j->g->ncells_x * j->g->ncells_y;
    for (size_t c = 0; c < ncells; c++) {
        const hk__ocvl_tap *t = j->taps + j->cell0[c];
        const size_t m = j->cell0[c + 1] - j->cell0[c];
        float *dst = h + c * nb * V;
        if (m == 0) { /* (every cell has its own pixels) */
            memset(dst, 0, nb * V * sizeof(float));
            continue;
        }
        if (nb <= 12) {
            OCVL_FN(cell_any)(t, m, base, 0, dst, (int)nb);
            continue;
        }
        size_t b0 = 0;
        for (; b0 + 8 <= nb; b0 += 8)
            OCVL_FN(cell_any)(t, m, base, b0, dst + b0 * V, 8);
        if (b0 < nb)
            OCVL_FN(cell_any)(t, m, base, b0, dst + b0 * V, (int)(nb - b0));
    }
}

/* Every block of the window, in the descriptor's order (x outer), two at a
 * time: both accumulated, then normalised together and stored. */
static int OCVL_FN(blocks)(const hk__ocvl_job *j)
{
    const hk_ocv_geometry *g = j->g;
    const size_t nb = (size_t)g->nbins, L = g->block_len;
    const size_t n8 = (L + 7) & ~(size_t)7, V = HK_OCVL_LANES;
    const size_t nblocks = g->nblocks_x * g->nblocks_y;
    float *hs[2] = {j->hist, j->hist + n8 * V};
    int bad = 0;
    memset(hs[0] + L * V, 0, (n8 - L) * V * sizeof(float));
    memset(hs[1] + L * V, 0, (n8 - L) * V * sizeof(float));
    for (size_t i = 0; i < nblocks; i += 2) {
        const size_t nh = nblocks - i < 2 ? 1 : 2;
        for (size_t q = 0; q < nh; q++) {
            const size_t bx = (i + q) / g->nblocks_y, by = (i + q) % g->nblocks_y;
            OCVL_FN(block_cells)(j,
                                 j->planes + ((bx * (size_t)g->bstride_x) * g->pheight +
                                              by * (size_t)g->bstride_y) * nb * V,
                                 hs[q]);
        }
        OCVL_FN(normalize)(hs, nh, L, j->norm_add, g->threshold);
        for (size_t q = 0; q < nh; q++)
            bad |= OCVL_FN(store_block)(hs[q], L, j->stage, j->sstride, (i + q) * L);
    }
    return bad;
}

/* Small images (a batch of thumbnails) are not streamed long enough for
 * the hardware prefetcher: every line of the group's images is asked for
 * first, so that the misses overlap instead of stalling row by row. */
static void OCVL_FN(prefetch)(const hk_image *const *images, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const hk_image *im = images[k];
        const size_t span = im->stride * (im->height - 1) + im->width;
        if (span > ((size_t)16 << 10))
            return;
        const uintptr_t a = (uintptr_t)im->data;
        for (uintptr_t l = a & ~(uintptr_t)63; l < a + span; l += 64)
            __builtin_prefetch((const void *)l, 0, 3);
    }
}

static int OCVL_FN(group)(const hk__ocvl_job *job, const hk_image *const *images, size_t n,
                          float *out, size_t dim)
{
    OCVL_FN(prefetch)(images, n);
    OCVL_FN(lane_image)(job, images, n);
    OCVL_FN(plane_rows)(job);
    int bad = OCVL_FN(blocks)(job);
    /* the descriptors, 5 KB each for Fashion-MNIST, go out with streaming
     * stores where the unit has them: a batch writes far more than it
     * reads, and ordinary stores would first fetch every line */
    for (size_t k = 0; k < n; k++)
        OCVL_STREAM(out + k * dim, job->stage + k * job->sstride, dim);
    OCVL_FENCE();
    return bad;
}
