/* Screening of window scores with 16-bit integers (exact decisions).
 *
 * Most windows score far below the hit threshold. Before a group of windows
 * is scored exactly (OpenCV's float and double arithmetic, score_avx2.c),
 * its scores are bounded from above with integer dot products: block values
 * b (normalised, 0 <= b <= 1) rounded to q(b) = round(b * QB) and the
 * detector's s to q(s) = round(s * QS), both int16, summed in int32 (AVX2
 * pmaddwd does sixteen such products per instruction, twice the float
 * kernel's rate, and the grid is read at half the bytes). With
 * |q(b) - QB b| <= 1/2 and |q(s) - QS s| <= 1/2, for a window of blocks b
 *   |A / (QB QS) - sum b s| <= (1/2 QS) sum b + (1/2 QB) sum |s| + n / (4 QB QS)
 * where sum b <= sqrt(hist) * ||b|| per block and ||b|| <= 1 (L2-Hys ends
 * with an L2 normalisation; 1.001 is used). The exact score differs from
 * the real dot product by float rounding, bounded by 64 ulp of
 * sum |b s| <= sum over blocks of ||s_block||. The margin is the sum of both
 * bounds plus 1e-3. A window can be a hit only if
 *   rho + A / (QB QS) + margin >= hit_threshold,
 * so groups of windows where no window passes are skipped, and every other
 * group is scored exactly as before: the hits and their scores are exactly
 * those of the unscreened detector. QB and QS are powers of two chosen to
 * minimise the margin while no int32 sum can overflow
 * (sum |q(b) q(s)| <= (QB 1.001 + 1/2) sum ||q(s_block)|| + 1/2 sum |q(s)| <= 2^30). */
#include <math.h>
#include <stdlib.h>

#include "detect/level.h"

void hk__screen_plan(hk_level_plan *p)
{
    p->screen = 0;
    const int hist = p->hist, nblk = p->nbx_w * p->nby_w;
    const size_t n = (size_t)hist * nblk;
    if (!p->simd || p->wkx != 1 || hist % 4 || nblk > 256 || !(fabs(p->rho) < 1e30) ||
        !(fabs(p->hit_threshold) < 1e30))
        return;
    double s1 = 0, s2 = 0, smax = 0;
    for (int b = 0; b < nblk; b++) {
        double e = 0;
        for (int k = 0; k < hist; k++) {
            double s = p->svm[(size_t)b * hist + k];
            if (!(fabs(s) < 1e30))
                return;
            e += s * s;
            s1 += fabs(s);
            smax = fabs(s) > smax ? fabs(s) : smax;
        }
        s2 += sqrt(e);
    }
    if (smax == 0)
        return;
    const double bnorm = 1.001, sumb = sqrt((double)hist) * bnorm * nblk;
    double best = HUGE_VAL;
    int eb_best = 0, es_best = 0;
    for (int eb = 4; eb <= 14; eb++)
        for (int es = -20; es <= 30; es++) {
            double qb = ldexp(1, eb), qs = ldexp(1, es);
            if (smax * qs + 0.5 > 32767)
                continue;
            /* the int32 bound, with ||q(s_block)|| <= QS ||s_block|| + sqrt(hist) / 2
             * and sum |q(s)| <= QS sum |s| + n / 2 */
            double sq = qs * s2 + 0.5 * sqrt((double)hist) * nblk, sabs = qs * s1 + 0.5 * (double)n;
            if (qb * (bnorm + 0.5 / qb) * sq + 0.5 * sabs > 1073741824.0)
                continue;
            double err = sumb / (2 * qs) + s1 / (2 * qb) + (double)n / (4 * qb * qs);
            if (err < best) {
                best = err;
                eb_best = eb;
                es_best = es;
            }
        }
    if (!(best < 1e6))
        return;
    const double qb = ldexp(1, eb_best), qs = ldexp(1, es_best);
    p->qsvm = malloc(sizeof(int32_t) * (n / 2));
    if (!p->qsvm)
        return; /* screening is an optimisation: without it, every window is scored */
    for (size_t i = 0; i < n / 2; i++) {
        int lo = (int)nearbyint(p->svm[2 * i] * qs), hi = (int)nearbyint(p->svm[2 * i + 1] * qs);
        p->qsvm[i] = (int32_t)(((uint32_t)(uint16_t)(int16_t)hi << 16) | (uint16_t)(int16_t)lo);
    }
    p->qb = (float)qb;
    double margin = best + 64 * ldexp(1, -24) * s2 * bnorm + 1e-3;
    /* a window may hit iff A >= (thr - rho - margin) * QB QS */
    double t = ceil((p->hit_threshold - p->rho - margin) * qb * qs);
    if (!(t > -2147483647.0 && t < 2147483647.0)) {
        free(p->qsvm);
        p->qsvm = NULL;
        return;
    }
    p->qthr = (int32_t)t - 1; /* candidate iff A > qthr */
    p->screen = 1;
}

void hk__screen_quantize_scalar(const hk_level_plan *p, const float *planes, size_t ks,
                                int32_t *q)
{
    for (int kp = 0; kp < p->hist / 2; kp++)
        for (size_t i = 0; i < ks; i++) {
            int16_t v[2];
            for (int t = 0; t < 2; t++) {
                /* clamped as maxps/minps do (NaN gives the lower limit), then
                 * rounded as cvtps2dq does: to nearest, ties to even */
                float f = planes[(size_t)(2 * kp + t) * ks + i] * p->qb;
                f = f > -32768.f ? f : -32768.f;
                f = f < 32767.f ? f : 32767.f;
                v[t] = (int16_t)nearbyintf(f);
            }
            q[(size_t)kp * ks + i] = (int32_t)(((uint32_t)(uint16_t)v[1] << 16) | (uint16_t)v[0]);
        }
}

void hk__screen_row_scalar(const hk_level_plan *p, const int32_t *const *qrows, size_t ks,
                           int nwx, int32_t *acc)
{
    const int hp = p->hist / 2, nbxw = p->nbx_w, nbyw = p->nby_w;
    for (int wx = 0; wx < nwx; wx++) {
        uint32_t a = 0; /* wraps as the vector sums do (never, for real windows) */
        for (int by = 0; by < nbyw; by++)
            for (int bx = 0; bx < nbxw; bx++) {
                const int32_t *v = qrows[by * p->bky] + wx + bx * p->bkx;
                const int32_t *s = p->qsvm + (size_t)(bx * nbyw + by) * hp;
                for (int kp = 0; kp < hp; kp++) {
                    int32_t x = v[(size_t)kp * ks], w = s[kp];
                    int64_t m = (int64_t)(int16_t)(x & 0xffff) * (int16_t)(w & 0xffff) +
                                (int64_t)(int16_t)((uint32_t)x >> 16) *
                                    (int16_t)((uint32_t)w >> 16);
                    a += (uint32_t)m; /* pmaddwd's wrap-around, modulo 2^32 */
                }
            }
        acc[wx] = (int32_t)a;
    }
}
