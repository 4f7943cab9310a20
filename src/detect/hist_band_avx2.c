/* AVX2 + FMA block histograms by bands of eight padded rows, for OpenCV's
 * default block geometry (16x16 blocks of 8x8 cells on an 8-pixel grid).
 *
 * Band c (rows 8c .. 8c+7) is the top half of block row c and the bottom
 * half of block row c - 1. For every 8-pixel column segment and bin, the
 * eight rows' votes (one lane per pixel) are summed in registers with the
 * four vertical weights v[cy][r] (top) and v[cy][8 + r] (bottom), so the
 * accumulators in memory are touched once per band instead of once per row
 * and target: block row c - 1 is then complete (its stored top half plus
 * this bottom half), and block row c's top half is stored for the next
 * band. A pixel votes into bins b0 and b0 + 1 (mod nbins), so the vote
 * vector of bin b is a0 where b0 == b, else a1 where b0 == b - 1, else 0.
 * The sums are the
 * scalar path's, in another order (float rounding differs by ~1e-7). */
#include "detect/level.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

/* Vote vector of bin b for a row: a0 where b0 == b, a1 where b0 == b - 1
 * (bm1 = b - 1 mod nbins). */
static inline __m256 votes(__m256i bins, __m256 v0, __m256 v1, __m256i vb, __m256i vbm1)
{
    __m256 eq = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bins, vb));
    __m256 eqm1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bins, vbm1));
    return _mm256_blendv_ps(_mm256_and_ps(eqm1, v1), v0, eq);
}

/* Any weights: bins outer, rows inner. */
static void band_dense(const uint8_t *h0, const float *a0, const float *a1, size_t rs, int nseg,
                       int nbins, const float *v, float *top, float *done, size_t seg_acc,
                       int sparse)
{
    for (int s = 0; s < nseg; s++) {
        __m256i bins[8];
        __m256 v0[8], v1[8];
        for (int r = 0; r < 8; r++) {
            bins[r] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(h0 + r * rs + 8 * s)));
            v0[r] = _mm256_loadu_ps(a0 + r * rs + 8 * s);
            v1[r] = _mm256_loadu_ps(a1 + r * rs + 8 * s);
        }
        for (int b = 0; b < nbins; b++) {
            __m256i vb = _mm256_set1_epi32(b), vbm1 = _mm256_set1_epi32(b ? b - 1 : nbins - 1);
            __m256 t0 = _mm256_setzero_ps(), t1 = t0, d0 = t0, d1 = t0;
            if (sparse) {
                for (int r = 0; r < 4; r++) {
                    __m256 m = votes(bins[r], v0[r], v1[r], vb, vbm1);
                    t0 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[r]), t0);
                    d0 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[8 + r]), d0);
                    d1 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[24 + r]), d1);
                }
                for (int r = 4; r < 8; r++) {
                    __m256 m = votes(bins[r], v0[r], v1[r], vb, vbm1);
                    t0 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[r]), t0);
                    t1 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[16 + r]), t1);
                    d1 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[24 + r]), d1);
                }
            } else {
                for (int r = 0; r < 8; r++) {
                    __m256 m = votes(bins[r], v0[r], v1[r], vb, vbm1);
                    t0 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[r]), t0);
                    t1 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[16 + r]), t1);
                    d0 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[8 + r]), d0);
                    d1 = _mm256_fmadd_ps(m, _mm256_set1_ps(v[24 + r]), d1);
                }
            }
            size_t at = ((size_t)s * nbins + b) * 8;
            if (done) {
                _mm256_storeu_ps(done + at, _mm256_add_ps(_mm256_loadu_ps(top + at), d0));
                _mm256_storeu_ps(done + seg_acc + at,
                                 _mm256_add_ps(_mm256_loadu_ps(top + seg_acc + at), d1));
            }
            _mm256_storeu_ps(top + at, t0);
            _mm256_storeu_ps(top + seg_acc + at, t1);
        }
    }
}

/* The sparse weights (the usual case), rows outer and three bins at a time:
 * a row's bins and votes are loaded once per three bins, the equality mask
 * of bin b serves as the "b0 == b - 1" mask of bin b + 1, and the weights
 * are broadcast once per call. Every accumulator gets the same fused
 * multiply-adds in the same order (rows ascending) as band_dense, so the
 * results are identical. */
static inline void group(const __m256i *bins, const float *a0, const float *a1, size_t rs, int s,
                         int b, int nb, int nbins, const __m256 (*W)[8], float *top, float *done,
                         size_t seg_acc)
{
    /* rows 0-3 feed t0, d0, d1 and rows 4-7 t0, t1, d1: d0 is finished (and
     * block row c - 1's first cell row stored) before t1 starts, so nine
     * accumulators are live at a time */
    __m256 t0[3], t1[3], d[3];
    for (int j = 0; j < 3; j++)
        t0[j] = t1[j] = d[j] = _mm256_setzero_ps();
    __m256i vb[3];
    for (int j = 0; j < 3; j++)
        vb[j] = _mm256_set1_epi32(b + j);
    const __m256i vbm1 = _mm256_set1_epi32(b ? b - 1 : nbins - 1);
#define HK_BAND_VOTE(j)                                                                         \
    __m256 eq##j = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bn, vb[j]));                          \
    __m256 m##j = _mm256_blendv_ps(_mm256_and_ps(eq##j##p, v1), v0, eq##j)
#define HK_BAND_ROW(r)                                                                          \
    const __m256i bn = bins[r];                                                                 \
    const __m256 v0 = _mm256_loadu_ps(a0 + (r) * rs + 8 * s);                                  \
    const __m256 v1 = _mm256_loadu_ps(a1 + (r) * rs + 8 * s);                                   \
    __m256 eq0p = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bn, vbm1));                            \
    HK_BAND_VOTE(0);                                                                            \
    __m256 eq1p = eq0;                                                                          \
    HK_BAND_VOTE(1);                                                                            \
    __m256 eq2p = eq1;                                                                          \
    HK_BAND_VOTE(2);                                                                            \
    (void)eq2
    __m256 d0[3] = {d[0], d[1], d[2]};
    for (int r = 0; r < 4; r++) {
        HK_BAND_ROW(r);
        t0[0] = _mm256_fmadd_ps(m0, W[0][r], t0[0]);
        t0[1] = _mm256_fmadd_ps(m1, W[0][r], t0[1]);
        t0[2] = _mm256_fmadd_ps(m2, W[0][r], t0[2]);
        d0[0] = _mm256_fmadd_ps(m0, W[2][r], d0[0]);
        d0[1] = _mm256_fmadd_ps(m1, W[2][r], d0[1]);
        d0[2] = _mm256_fmadd_ps(m2, W[2][r], d0[2]);
        d[0] = _mm256_fmadd_ps(m0, W[3][r], d[0]);
        d[1] = _mm256_fmadd_ps(m1, W[3][r], d[1]);
        d[2] = _mm256_fmadd_ps(m2, W[3][r], d[2]);
    }
    if (done)
        for (int j = 0; j < nb; j++) {
            size_t at = ((size_t)s * nbins + b + j) * 8;
            _mm256_storeu_ps(done + at, _mm256_add_ps(_mm256_loadu_ps(top + at), d0[j]));
        }
    for (int r = 4; r < 8; r++) {
        HK_BAND_ROW(r);
        t0[0] = _mm256_fmadd_ps(m0, W[0][r], t0[0]);
        t0[1] = _mm256_fmadd_ps(m1, W[0][r], t0[1]);
        t0[2] = _mm256_fmadd_ps(m2, W[0][r], t0[2]);
        t1[0] = _mm256_fmadd_ps(m0, W[1][r], t1[0]);
        t1[1] = _mm256_fmadd_ps(m1, W[1][r], t1[1]);
        t1[2] = _mm256_fmadd_ps(m2, W[1][r], t1[2]);
        d[0] = _mm256_fmadd_ps(m0, W[3][r], d[0]);
        d[1] = _mm256_fmadd_ps(m1, W[3][r], d[1]);
        d[2] = _mm256_fmadd_ps(m2, W[3][r], d[2]);
    }
#undef HK_BAND_ROW
#undef HK_BAND_VOTE
    for (int j = 0; j < nb; j++) {
        size_t at = ((size_t)s * nbins + b + j) * 8;
        if (done)
            _mm256_storeu_ps(done + seg_acc + at,
                             _mm256_add_ps(_mm256_loadu_ps(top + seg_acc + at), d[j]));
        _mm256_storeu_ps(top + at, t0[j]);
        _mm256_storeu_ps(top + seg_acc + at, t1[j]);
    }
}

void hk__hist_band_avx2(const uint8_t *h0, const float *a0, const float *a1, size_t rs,
                        int nseg, int nbins, const float *v, float *top, float *done,
                        size_t seg_acc)
{
    const int sparse = hk__hist_band_sparse(v);
    if (!sparse || nbins < 2) {
        band_dense(h0, a0, a1, rs, nseg, nbins, v, top, done, seg_acc, sparse);
        return;
    }
    /* W[0]: top cy 0, W[1]: top cy 1, W[2]: bottom cy 0, W[3]: bottom cy 1 */
    __m256 W[4][8];
    for (int r = 0; r < 8; r++) {
        W[0][r] = _mm256_set1_ps(v[r]);
        W[1][r] = _mm256_set1_ps(v[16 + r]);
        W[2][r] = _mm256_set1_ps(v[8 + r]);
        W[3][r] = _mm256_set1_ps(v[24 + r]);
    }
    for (int s = 0; s < nseg; s++) {
        __m256i bins[8];
        for (int r = 0; r < 8; r++)
            bins[r] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(h0 + r * rs + 8 * s)));
        int b = 0;
        for (; b + 3 <= nbins; b += 3)
            group(bins, a0, a1, rs, s, b, 3, nbins, (const __m256(*)[8])W, top, done, seg_acc);
        if (b < nbins)
            group(bins, a0, a1, rs, s, b, nbins - b, nbins, (const __m256(*)[8])W, top, done,
                  seg_acc);
    }
}
#else
void hk__hist_band_avx2(const uint8_t *h0, const float *a0, const float *a1, size_t rs,
                        int nseg, int nbins, const float *v, float *top, float *done,
                        size_t seg_acc)
{
    (void)h0, (void)a0, (void)a1, (void)rs, (void)nseg, (void)nbins, (void)v, (void)top;
    (void)done, (void)seg_acc;
}
#endif
