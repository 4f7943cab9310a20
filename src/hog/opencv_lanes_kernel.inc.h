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

/* m ? a : b lane by lane (m lanes all ones or all zeros). */
static inline ocvl_vf OCVL_FN(sel)(ocvl_vi m, ocvl_vf a, ocvl_vf b)
{
    return (ocvl_vf)((m & (ocvl_vi)a) | (~m & (ocvl_vi)b));
}

/* ---- 1. the lane image ---- */

/* Columns x0 .. x0+7 of eight byte rows (rows lw8 bytes apart) as eight
 * vectors of lane bytes: col[i*8 + k] = row k, column x0 + i. */
static inline void OCVL_FN(transpose8x8)(const uint8_t *rows, size_t lw8, size_t x0,
                                         uint8_t *col)
{
    ocvl_vb a[8];
    for (int k = 0; k < 8; k++) {
        uint64_t q;
        memcpy(&q, rows + (size_t)k * lw8 + x0, 8);
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
    ocvl_vd w[4] = {__builtin_shuffle(u0, u2, lo32), __builtin_shuffle(u0, u2, hi32),
                    __builtin_shuffle(u1, u3, lo32), __builtin_shuffle(u1, u3, hi32)};
    memcpy(col, w, 64);
}

/* The padded image plus a one-pixel reflect-101 border, lane-interleaved:
 * limg[(y*lw + x)*8 + k] = LUT(image k at lane-image (x, y)). */
static void OCVL_FN(lane_image)(const hk__ocvl_job *j, const hk_image *const *images, size_t n)
{
    const hk_ocv_geometry *g = j->g;
    const size_t lw = j->lw, lw8 = j->lw8, lo = 1 + (size_t)g->pad_x, wd = g->width;
    uint8_t *rows = j->bytes;
    /* lanes past n stay zero (their results are dropped) */
    memset(rows, 0, HK_OCVL_LANES * lw8);
    for (size_t y = 0; y < j->lh; y++) {
        const size_t iy = (size_t)j->ysrc[y];
        for (size_t k = 0; k < n; k++) {
            const uint8_t *src = (const uint8_t *)images[k]->data + iy * images[k]->stride;
            uint8_t *r = rows + k * lw8;
            for (size_t x = 0; x < lo; x++)
                r[x] = src[j->xsrc[x]];
            memcpy(r + lo, src, wd);
            for (size_t x = lo + wd; x < lw; x++)
                r[x] = src[j->xsrc[x]];
        }
        float *dst = j->limg + y * lw * HK_OCVL_LANES;
        for (size_t x0 = 0; x0 < lw; x0 += 8) {
            uint8_t col[64];
            OCVL_FN(transpose8x8)(rows, lw8, x0, col);
            const size_t nx = lw - x0 < 8 ? lw - x0 : 8;
            for (size_t i = 0; i < nx; i++) {
                ocvl_vb8 b;
                memcpy(&b, col + i * 8, 8);
                ocvl_vf v = __builtin_convertvector(__builtin_convertvector(b, ocvl_vi), ocvl_vf);
                if (g->gamma_correction)
                    v = OCVL_SQRT(v); /* sqrtf((float)i), the scalar LUT */
                OCVL_FN(st)(dst + (x0 + i) * HK_OCVL_LANES, v);
            }
        }
    }
}

/* ---- 2. gradient, angle, votes: the plane values of every pixel ---- */

/* OpenCV's fast atan in degrees, [0, 360), exactly as fast_atan_deg. */
static inline ocvl_vf OCVL_FN(atan_deg)(ocvl_vf y, ocvl_vf x)
{
    const ocvl_vi abs_mask = (ocvl_vi){0, 0, 0, 0, 0, 0, 0, 0} + 0x7fffffff;
    ocvl_vf ax = (ocvl_vf)((ocvl_vi)x & abs_mask), ay = (ocvl_vf)((ocvl_vi)y & abs_mask);
    ocvl_vi ge = ax >= ay;
    ocvl_vf num = OCVL_FN(sel)(ge, ay, ax), den = OCVL_FN(sel)(ge, ax, ay);
    ocvl_vf c = num / (den + OCVL_FN(splat)(OCVL_EPS));
    ocvl_vf c2 = c * c;
    ocvl_vf a = (((OCVL_FN(splat)(OCVL_P7) * c2 + OCVL_FN(splat)(OCVL_P5)) * c2 +
                  OCVL_FN(splat)(OCVL_P3)) * c2 + OCVL_FN(splat)(OCVL_P1)) * c;
    a = OCVL_FN(sel)(ge, a, OCVL_FN(splat)(90.f) - a);
    const ocvl_vf zero = OCVL_FN(splat)(0.f);
    a = OCVL_FN(sel)(x < zero, OCVL_FN(splat)(180.f) - a, a);
    a = OCVL_FN(sel)(y < zero, OCVL_FN(splat)(360.f) - a, a);
    return a;
}

/* planes[((y*pwidth + x)*nbins + b)*8 + k]: what pixel (x, y) of image k
 * adds to bin b (times the cell weight): mag*f in bin k1 = k0+1 mod n,
 * mag*(1-f) in bin k0, +0 elsewhere. */
static void OCVL_FN(plane_rows)(const hk__ocvl_job *j)
{
    const hk_ocv_geometry *g = j->g;
    const size_t pw = g->pwidth, ph = g->pheight, lw = j->lw, V = HK_OCVL_LANES;
    const int nbins = g->nbins;
    const ocvl_vf deg2rad = OCVL_FN(splat)((float)(3.14159265358979323846 / 180.0));
    const ocvl_vf scale = OCVL_FN(splat)(j->bin_scale), half = OCVL_FN(splat)(0.5f);
    const ocvl_vf one = OCVL_FN(splat)(1.f);
    const ocvl_vi vn = (ocvl_vi){0, 0, 0, 0, 0, 0, 0, 0} + nbins;
    const ocvl_vi izero = {0, 0, 0, 0, 0, 0, 0, 0};
    float *pl = j->planes;
    for (size_t y = 0; y < ph; y++) {
        const float *up = j->limg + y * lw * V, *mid = up + lw * V, *down = mid + lw * V;
        for (size_t x = 0; x < pw; x++, pl += (size_t)nbins * V) {
            ocvl_vf dx = OCVL_FN(ld)(mid + (x + 2) * V) - OCVL_FN(ld)(mid + x * V);
            ocvl_vf dy = OCVL_FN(ld)(down + (x + 1) * V) - OCVL_FN(ld)(up + (x + 1) * V);
            ocvl_vf mag = OCVL_SQRT(dx * dx + dy * dy);
            ocvl_vf angle = OCVL_FN(atan_deg)(dy, dx) * deg2rad;
            /* bin_votes */
            ocvl_vf t = angle * scale - half;
            ocvl_vi k = __builtin_convertvector(t, ocvl_vi);
            k += (ocvl_vi)(t < __builtin_convertvector(k, ocvl_vf)); /* -1 where true */
            t = t - __builtin_convertvector(k, ocvl_vf);
            ocvl_vf w0 = mag * (one - t), w1 = mag * t;
            k += (k < izero) & vn;
            k -= (k >= vn) & vn;
            ocvl_vi k1 = k + 1;
            k1 &= k1 < vn;
            if (nbins == 1) { /* both votes in bin 0: the second store wins */
                OCVL_FN(st)(pl, w1);
                continue;
            }
            for (int b = 0; b < nbins; b++) {
                ocvl_vi vb = izero + b;
                ocvl_vi e0 = k == vb, e1 = k1 == vb; /* never both */
                OCVL_FN(st)(pl + (size_t)b * V,
                            (ocvl_vf)((e0 & (ocvl_vi)w0) | (e1 & (ocvl_vi)w1)));
            }
        }
    }
}

/* ---- 3. the blocks ---- */

/* Bins b0 .. b0+G-1 of one cell: its pixels in the scalar table's order,
 * each adding plane[b] * weight (a product then a sum, as vote()). */
static inline __attribute__((always_inline)) void
OCVL_FN(cell_bins)(const hk__ocvl_tap *t, size_t m, const float *base, float *dst, const int G)
{
    ocvl_vf acc[12];
    for (int b = 0; b < G; b++)
        acc[b] = OCVL_FN(splat)(0.f);
    for (size_t i = 0; i < m; i++) {
        const ocvl_vf w = OCVL_FN(splat)(t[i].w);
        const float *p = base + (size_t)t[i].off * HK_OCVL_LANES;
        for (int b = 0; b < G; b++)
            acc[b] = acc[b] + OCVL_FN(ld)(p + b * HK_OCVL_LANES) * w;
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

/* hk_ocv_normalize_block lane by lane: 4 partial sums over 4*floor(n/4)
 * values added pairwise, the tail one by one, +0.1*n on the norm, the
 * clip, then 1/(norm + 1e-3). */
static void OCVL_FN(normalize)(float *h, size_t n, float add, float thr)
{
    const size_t V = HK_OCVL_LANES, body = n & ~(size_t)3;
    ocvl_vf scale = OCVL_FN(splat)(0.f);
    for (int pass = 0; pass < 2; pass++) {
        ocvl_vf part[4];
        for (size_t l = 0; l < 4; l++) {
            ocvl_vf v = OCVL_FN(ld)(h + l * V);
            part[l] = v * v;
        }
        for (size_t i = 4; i < body; i += 4)
            for (size_t l = 0; l < 4; l++) {
                ocvl_vf v = OCVL_FN(ld)(h + (i + l) * V);
                part[l] = part[l] + v * v;
            }
        ocvl_vf sum = (part[0] + part[1]) + (part[2] + part[3]);
        for (size_t i = body; i < n; i++) {
            ocvl_vf v = OCVL_FN(ld)(h + i * V);
            sum = sum + v * v;
        }
        scale = OCVL_FN(splat)(1.f) / (OCVL_SQRT(sum) + OCVL_FN(splat)(pass == 0 ? add : 1e-3f));
        if (pass == 1)
            break;
        const ocvl_vf vt = OCVL_FN(splat)(thr);
        for (size_t i = 0; i < n; i++) {
            ocvl_vf v = OCVL_FN(ld)(h + i * V) * scale;
            OCVL_FN(st)(h + i * V, OCVL_FN(sel)(v < vt, v, vt));
        }
    }
    for (size_t i = 0; i < n; i++)
        OCVL_FN(st)(h + i * V, OCVL_FN(ld)(h + i * V) * scale);
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
    return ((ocvl_vi)v & e) == e;
}

/* Entries 0 .. n-1 of the block in h (n rounded up to 8 vectors, the rest
 * zero) into out + k*dim + at for the lanes k < nimg; returns nonzero when
 * a stored value is not finite. */
static int OCVL_FN(store_block)(const float *h, size_t n, size_t nimg, float *out, size_t dim,
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
        const size_t ne = n - e0 < 8 ? n - e0 : 8;
        for (size_t k = 0; k < nimg; k++)
            memcpy(out + k * dim + at + e0, &o[k], ne * sizeof(float));
    }
    for (int i = 0; i < 8; i++)
        if (bad[i])
            return 1;
    return 0;
}

/* Every block of the window, in the descriptor's order (x outer). */
static int OCVL_FN(blocks)(const hk__ocvl_job *j, size_t nimg, float *out, size_t dim)
{
    const hk_ocv_geometry *g = j->g;
    const size_t nb = (size_t)g->nbins, ncells = g->ncells_x * g->ncells_y;
    const size_t n8 = (g->block_len + 7) & ~(size_t)7, V = HK_OCVL_LANES;
    float *h = j->hist;
    int bad = 0;
    memset(h + g->block_len * V, 0, (n8 - g->block_len) * V * sizeof(float));
    for (size_t bx = 0; bx < g->nblocks_x; bx++)
        for (size_t by = 0; by < g->nblocks_y; by++) {
            const float *base =
                j->planes + ((by * (size_t)g->bstride_y) * g->pwidth + bx * (size_t)g->bstride_x) *
                                nb * V;
            for (size_t c = 0; c < ncells; c++) {
                const hk__ocvl_tap *t = j->taps + j->cell0[c];
                const size_t m = j->cell0[c + 1] - j->cell0[c];
                float *dst = h + c * nb * V;
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
            OCVL_FN(normalize)(h, g->block_len, j->norm_add, g->threshold);
            bad |= OCVL_FN(store_block)(h, g->block_len, nimg, out, dim,
                                        (bx * g->nblocks_y + by) * g->block_len);
        }
    return bad;
}

static int OCVL_FN(group)(const hk__ocvl_job *job, const hk_image *const *images, size_t n,
                          float *out, size_t dim)
{
    OCVL_FN(lane_image)(job, images, n);
    OCVL_FN(plane_rows)(job);
    return OCVL_FN(blocks)(job, n, out, dim);
}
