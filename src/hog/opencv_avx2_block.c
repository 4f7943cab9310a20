/*
 * OpenCV variant, AVX2 path: a completed block row (interface in
 * opencv_avx2.h, method in opencv_fast.h). Each entry (cell x, cell y, bin)
 * of a block is the dot product of the horizontal weights U[cell x] with
 * the column sums of (cell y, bin) over the block's columns; eight blocks
 * are then normalised at once and stored into the descriptor. Compiled
 * with -mavx2 -mfma; empty otherwise.
 */
#include "hog/opencv_avx2.h"

#ifdef __AVX2__
#include <immintrin.h>

/* Eight horizontal sums at once: lane i of the result is the sum of d[i]. */
static inline __m256 hsum8(const __m256 *d)
{
    __m256 h01 = _mm256_hadd_ps(d[0], d[1]), h23 = _mm256_hadd_ps(d[2], d[3]);
    __m256 h45 = _mm256_hadd_ps(d[4], d[5]), h67 = _mm256_hadd_ps(d[6], d[7]);
    __m256 a = _mm256_hadd_ps(h01, h23), b = _mm256_hadd_ps(h45, h67);
    return _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));
}

/* Lanes of x that are Inf or NaN (exponent bits all ones), as all-ones. */
static inline __m256i nonfinite(__m256 x)
{
    const __m256i e = _mm256_set1_epi32(0x7f800000);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(x), e), e);
}

/* OpenCV's L2-Hys of nb <= 8 blocks at once (blocks at h + i*n8, zero
 * past n; sq0[i]: 8-lane partial sums of squares of block i, zero past nb),
 * lane i of the norms being block i, into out + i*sx. The sums of squares
 * run 8 lanes wide, so they round differently from the scalar path's 4-lane
 * sums (about 1e-7 relative). Returns nonzero when a stored value is not
 * finite (the front end promises finite output; checking here, on values
 * already in registers, replaces a pass over the descriptor). */
static int normalize8(float *h, size_t n, size_t nb, const __m256 *sq0, float thr, float *out,
                      size_t sx)
{
    const size_t n8 = (n + 7) & ~(size_t)7, full = n & ~(size_t)7;
    __m256 sq[8];
    for (size_t i = 0; i < 8; i++)
        sq[i] = sq0[i];
    __m256 scale = _mm256_div_ps(_mm256_set1_ps(1.f),
                                 _mm256_add_ps(_mm256_sqrt_ps(hsum8(sq)),
                                               _mm256_set1_ps((float)n * 0.1f)));
    const __m256 vt = _mm256_set1_ps(thr);
    for (size_t i = 0; i < 8; i++) {
        __m256 si = _mm256_permutevar8x32_ps(scale, _mm256_set1_epi32((int)i));
        sq[i] = _mm256_setzero_ps();
        if (i < nb)
            for (size_t k = 0; k < n8; k += 8) {
                float *p = h + i * n8 + k;
                __m256 x = _mm256_min_ps(_mm256_mul_ps(_mm256_loadu_ps(p), si), vt);
                _mm256_storeu_ps(p, x);
                sq[i] = _mm256_fmadd_ps(x, x, sq[i]);
            }
    }
    scale = _mm256_div_ps(_mm256_set1_ps(1.f),
                          _mm256_add_ps(_mm256_sqrt_ps(hsum8(sq)), _mm256_set1_ps(1e-3f)));
    __m256i bad = _mm256_setzero_si256();
    for (size_t i = 0; i < nb; i++) {
        __m256 si = _mm256_permutevar8x32_ps(scale, _mm256_set1_epi32((int)i));
        const float *p = h + i * n8;
        float *o = out + i * sx;
        size_t k = 0;
        for (; k < full; k += 8) {
            __m256 x = _mm256_mul_ps(_mm256_loadu_ps(p + k), si);
            bad = _mm256_or_si256(bad, nonfinite(x));
            _mm256_storeu_ps(o + k, x);
        }
        if (k < n) {
            /* the last 1..7 values in pieces of 4, 2 and 1 (masked stores
             * are slow on AMD); the lanes past n are 0 * scale, finite
             * unless the stored ones are not */
            __m256 x = _mm256_mul_ps(_mm256_loadu_ps(p + k), si);
            bad = _mm256_or_si256(bad, nonfinite(x));
            __m128 q = _mm256_castps256_ps128(x);
            if (n - k >= 4) {
                _mm_storeu_ps(o + k, q);
                q = _mm256_extractf128_ps(x, 1);
                k += 4;
            }
            if (n - k >= 2) {
                _mm_storel_pi((__m64 *)(void *)(o + k), q);
                q = _mm_movehl_ps(q, q);
                k += 2;
            }
            if (k < n)
                _mm_store_ss(o + k, q);
        }
    }
    return !_mm256_testz_si256(bad, bad);
}

/* Dot products of the U rows uu[i] with the column sums at a[i] + x for
 * eight entries; nv = dot length / 8. */
static inline __attribute__((always_inline)) __m256
dots8(const float *const *uu, const float *const *a, size_t x, size_t nv)
{
    __m256 d[8];
    for (int i = 0; i < 8; i++) {
        const float *pu = uu[i], *pa = a[i] + x;
        __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(pu), _mm256_loadu_ps(pa));
        for (size_t v = 1; v < nv; v++)
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(pu + 8 * v), _mm256_loadu_ps(pa + 8 * v), acc);
        d[i] = acc;
    }
    return hsum8(d);
}

/* Entries k0 .. k0+7 of blocks gx0 .. gx0+nb-1 (block i's at tmp + i*n8),
 * their squares added to sq[i]. The entries' U rows and column-sum rows are
 * looked up once for all the blocks of the group. */
static inline __attribute__((always_inline)) void
entries8(const hk__ocv_finish *f, const float *slot, size_t gx0, size_t nb, size_t k0,
         size_t n8, float *tmp, __m256 *sq, size_t nv)
{
    const float *uu[8], *a[8];
    for (int i = 0; i < 8; i++) {
        uu[i] = f->u + (size_t)f->kcx[k0 + (size_t)i] * f->bwp;
        a[i] = slot + f->koff[k0 + (size_t)i] + gx0 * f->cs_x;
    }
    for (size_t i = 0; i < nb; i++) {
        __m256 r = dots8(uu, a, i * f->cs_x, nv);
        _mm256_storeu_ps(tmp + i * n8 + k0, r);
        sq[i] = _mm256_fmadd_ps(r, r, sq[i]);
    }
}

/* Blocks of C = 8/R cells across (the usual 2), one block at a time: R
 * column-sum rows (cell y, bin) are read once each and dotted with all C
 * horizontal weight rows U[cx] (kept in registers), so that one load
 * serves C entries, and the 8 dots of R rows x C cells go through one
 * horizontal sum: lane cx*R + i is entry cx*rows + r0 + i. `rows` =
 * ncells_y * nbins; the entries of block i go to tmp + i*n8 (zero from n
 * to n8), their squares' 8-lane partial sums to sq[i], from the registers
 * (reading tmp back would wait on the narrower stores). */
static inline __attribute__((always_inline)) void
rows_dots(const hk__ocv_finish *f, const float *slot, size_t gx0, size_t nb, size_t n8,
          float *tmp, __m256 *sq, const int C, const size_t nv)
{
    const int R = 8 / C;
    const size_t rows = f->block_len / (size_t)C;
    __m256 u[8][2];
    for (int cx = 0; cx < C; cx++)
        for (size_t v = 0; v < 2; v++)
            u[cx][v] = v < nv ? _mm256_loadu_ps(f->u + (size_t)cx * f->bwp + 8 * v)
                              : _mm256_setzero_ps();
    for (size_t i = 0; i < nb; i++) {
        float *t = tmp + i * n8;
        const float *base = slot + (gx0 + i) * f->cs_x;
        /* the entries overwrite all but the zeros past n */
        _mm256_storeu_ps(t + n8 - 8, _mm256_setzero_ps());
        __m256 q = _mm256_setzero_ps();
        for (size_t r0 = 0; r0 < rows; r0 += (size_t)R) {
            const size_t nr = rows - r0 < (size_t)R ? rows - r0 : (size_t)R;
            __m256 d[8];
            for (int rr = 0; rr < R; rr++) {
                /* rows past the last repeat it (their lanes are dropped) */
                const float *a = base + f->koff[r0 + ((size_t)rr < nr ? (size_t)rr : 0)];
                __m256 s0 = _mm256_loadu_ps(a), s1 = nv > 1 ? _mm256_loadu_ps(a + 8) : s0;
                for (int cx = 0; cx < C; cx++) {
                    __m256 x = _mm256_mul_ps(u[cx][0], s0);
                    d[cx * R + rr] = nv > 1 ? _mm256_fmadd_ps(u[cx][1], s1, x) : x;
                }
            }
            __m256 h = hsum8(d);
            if (nr == (size_t)R) {
                if (C == 2) {
                    _mm_storeu_ps(t + r0, _mm256_castps256_ps128(h));
                    _mm_storeu_ps(t + rows + r0, _mm256_extractf128_ps(h, 1));
                } else {
                    float o[8];
                    _mm256_storeu_ps(o, h);
                    for (int cx = 0; cx < C; cx++)
                        for (int rr = 0; rr < R; rr++)
                            t[(size_t)cx * rows + r0 + (size_t)rr] = o[cx * R + rr];
                }
            } else {
                /* a partial group: only lanes cx*R + rr, rr < nr, count */
                float o[8];
                _mm256_storeu_ps(o, h);
                for (int l = 0; l < 8; l++)
                    if ((size_t)(l % R) >= nr)
                        o[l] = 0.f;
                    else
                        t[(size_t)(l / R) * rows + r0 + (size_t)(l % R)] = o[l];
                h = _mm256_loadu_ps(o);
            }
            q = _mm256_fmadd_ps(h, h, q);
        }
        sq[i] = q;
    }
}

int hk__ocv_finish_row(const hk__ocv_finish *f, const float *slot, float *tmp, float *out,
                       size_t sx)
{
    const size_t n = f->block_len, n8 = (n + 7) & ~(size_t)7, nv = f->bwp / 8;
    /* koff[k] for k below rows is the column-sum row of (cell y, bin) k
     * (cell x 0), as rows_dots reads it */
    const size_t C = n8 ? (size_t)f->kcx[n - 1] + 1 : 0;
    int bad = 0;
    for (size_t gx0 = 0; gx0 < f->grid_x; gx0 += 8) {
        const size_t nb = f->grid_x - gx0 < 8 ? f->grid_x - gx0 : 8;
        __m256 sq[8];
        for (size_t i = 0; i < 8; i++)
            sq[i] = _mm256_setzero_ps();
        if (C == 2 && nv == 2)
            rows_dots(f, slot, gx0, nb, n8, tmp, sq, 2, 2);
        else if (C == 2 && nv == 1)
            rows_dots(f, slot, gx0, nb, n8, tmp, sq, 2, 1);
        else if (C == 1 && nv <= 2)
            rows_dots(f, slot, gx0, nb, n8, tmp, sq, 1, nv);
        else if (C == 4 && nv <= 2)
            rows_dots(f, slot, gx0, nb, n8, tmp, sq, 4, nv);
        else
            /* same sums, in the same order, as one block at a time */
            for (size_t k0 = 0; k0 < n8; k0 += 8) {
                if (nv == 1)
                    entries8(f, slot, gx0, nb, k0, n8, tmp, sq, 1);
                else if (nv == 2)
                    entries8(f, slot, gx0, nb, k0, n8, tmp, sq, 2);
                else
                    entries8(f, slot, gx0, nb, k0, n8, tmp, sq, nv);
            }
        bad |= normalize8(tmp, n, nb, sq, f->threshold, out + gx0 * sx, sx);
    }
    return bad;
}

#else
/* ISO C wants a declaration in every unit */
typedef int hk__ocv_block_unused;
#endif
