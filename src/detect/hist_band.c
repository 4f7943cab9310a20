/* Scalar reference of hist_band_avx2.c: the same band of eight padded rows
 * into the same accumulators, lane by lane, with the same fused
 * multiply-adds (fmaf) in the same order (rows ascending; with the sparse
 * weights of 8x8 cells in 16x16 blocks, rows 0-3 skip the top block's
 * second cell row and rows 4-7 the bottom block's first). The AVX2 kernel
 * equals it bit for bit (tests/unit/test_detect_simd.c). */
#include <math.h>

#include "detect/level.h"

int hk__hist_band_sparse(const float *v)
{
    int sparse = 1;
    for (int r = 0; r < 4; r++)
        sparse &= v[16 + r] == 0.f && v[8 + 4 + r] == 0.f;
    return sparse;
}

void hk__hist_band_scalar(const uint8_t *h0, const float *a0, const float *a1, size_t rs,
                          int nseg, int nbins, const float *v, float *top, float *done,
                          size_t seg_acc)
{
    const int sparse = hk__hist_band_sparse(v);
    for (int s = 0; s < nseg; s++)
        for (int b = 0; b < nbins; b++) {
            int bm1 = b ? b - 1 : nbins - 1;
            size_t at = ((size_t)s * nbins + b) * 8;
            for (int l = 0; l < 8; l++) {
                float t0 = 0.f, t1 = 0.f, d0 = 0.f, d1 = 0.f;
                for (int r = 0; r < 8; r++) {
                    size_t i = (size_t)r * rs + 8 * (size_t)s + l;
                    /* the vote of bin b: a0 where b0 == b, a1 where b0 == b - 1 */
                    float m = h0[i] == b ? a0[i] : h0[i] == bm1 ? a1[i] : 0.f;
                    t0 = fmaf(m, v[r], t0);
                    if (!sparse || r >= 4)
                        t1 = fmaf(m, v[16 + r], t1);
                    if (!sparse || r < 4)
                        d0 = fmaf(m, v[8 + r], d0);
                    d1 = fmaf(m, v[24 + r], d1);
                }
                if (done) {
                    done[at + l] = top[at + l] + d0;
                    done[seg_acc + at + l] = top[seg_acc + at + l] + d1;
                }
                top[at + l] = t0;
                top[seg_acc + at + l] = t1;
            }
        }
}
