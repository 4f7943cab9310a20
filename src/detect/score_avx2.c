/* AVX2 window scores: sixteen neighbouring windows per step, eight per
 * vector (the block grid is planar, so their blocks are consecutive
 * floats). Each lane does
 * exactly the float operations of cv::HOGDescriptor::detect for its window
 * (four partial float sums per block, added pairwise, then accumulated in
 * double in OpenCV's block order), so results equal the scalar kernel's.
 * Compiled with -mavx2 only: no FMA, so no contraction changes rounding. */
#include "detect/level.h"

#ifdef __AVX2__
#include <immintrin.h>

int hk__cpu_has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

/* Float dot products of the first k4 (a multiple of 4) values of one block
 * with the detector, for 16 windows at once (two 8-lane halves): four
 * interleaved partial sums per half, added as ((0 + 1) + (2 + 3)). */
static inline void block_dot16(const float *v, const float *svm, int k4, size_t ps, __m256 *sa,
                               __m256 *sb)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (int k = 0; k < k4; k += 4) {
        const float *r = v + (size_t)k * ps;
        __m256 w0 = _mm256_set1_ps(svm[k]), w1 = _mm256_set1_ps(svm[k + 1]);
        __m256 w2 = _mm256_set1_ps(svm[k + 2]), w3 = _mm256_set1_ps(svm[k + 3]);
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(r), w0));
        b0 = _mm256_add_ps(b0, _mm256_mul_ps(_mm256_loadu_ps(r + 8), w0));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(r + ps), w1));
        b1 = _mm256_add_ps(b1, _mm256_mul_ps(_mm256_loadu_ps(r + ps + 8), w1));
        a2 = _mm256_add_ps(a2, _mm256_mul_ps(_mm256_loadu_ps(r + 2 * ps), w2));
        b2 = _mm256_add_ps(b2, _mm256_mul_ps(_mm256_loadu_ps(r + 2 * ps + 8), w2));
        a3 = _mm256_add_ps(a3, _mm256_mul_ps(_mm256_loadu_ps(r + 3 * ps), w3));
        b3 = _mm256_add_ps(b3, _mm256_mul_ps(_mm256_loadu_ps(r + 3 * ps + 8), w3));
    }
    *sa = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    *sb = _mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3));
}

/* Sixteen windows wx .. wx + 15 of window row wy (two vectors of eight
 * lanes; every lane keeps OpenCV's four partial sums of its window). */
static inline void score16(const hk_level_plan *p, const float *const *rows, size_t ps, int wx,
                           double *out)
{
    const int hist = p->hist, nbxw = p->nbx_w, nbyw = p->nby_w;
    const int k4 = hist & ~3;
    __m256d s0 = _mm256_set1_pd(p->rho), s1 = s0, s2 = s0, s3 = s0;
    const float *svm = p->svm;
    for (int bx = 0; bx < nbxw; bx++)
        for (int by = 0; by < nbyw; by++, svm += hist) {
            const float *v = rows[by * p->bky] + wx + bx * p->bkx;
            __m256 sa, sb;
            int k = k4;
            block_dot16(v, svm, k4, ps, &sa, &sb);
            __m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(sa));
            __m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(sa, 1));
            __m256d d2 = _mm256_cvtps_pd(_mm256_castps256_ps128(sb));
            __m256d d3 = _mm256_cvtps_pd(_mm256_extractf128_ps(sb, 1));
            for (; k < hist; k++) {
                const float *r = v + (size_t)k * ps;
                __m256 w = _mm256_set1_ps(svm[k]);
                __m256 ta = _mm256_mul_ps(_mm256_loadu_ps(r), w);
                __m256 tb = _mm256_mul_ps(_mm256_loadu_ps(r + 8), w);
                d0 = _mm256_add_pd(d0, _mm256_cvtps_pd(_mm256_castps256_ps128(ta)));
                d1 = _mm256_add_pd(d1, _mm256_cvtps_pd(_mm256_extractf128_ps(ta, 1)));
                d2 = _mm256_add_pd(d2, _mm256_cvtps_pd(_mm256_castps256_ps128(tb)));
                d3 = _mm256_add_pd(d3, _mm256_cvtps_pd(_mm256_extractf128_ps(tb, 1)));
            }
            s0 = _mm256_add_pd(s0, d0);
            s1 = _mm256_add_pd(s1, d1);
            s2 = _mm256_add_pd(s2, d2);
            s3 = _mm256_add_pd(s3, d3);
        }
    _mm256_storeu_pd(out, s0);
    _mm256_storeu_pd(out + 4, s1);
    _mm256_storeu_pd(out + 8, s2);
    _mm256_storeu_pd(out + 12, s3);
}

/* The same sixteen windows for the common geometries (at most 256 blocks
 * per window, block length a multiple of 4), in a cache-friendlier order:
 * each block's float sums are computed block row by block row (by outer,
 * so a block row's data stays in L1 while the window slides over its
 * columns) into a small table, then added in double in OpenCV's block
 * order. Every float and double operation is the one score16 does. */
static inline void score16_rows(const hk_level_plan *p, const float *const *rows, size_t ps,
                                int wx, double *out)
{
    const int hist = p->hist, nbxw = p->nbx_w, nbyw = p->nby_w;
    float bs[256 * 16] __attribute__((aligned(32)));
    for (int by = 0; by < nbyw; by++) {
        const float *row = rows[by * p->bky] + wx;
        for (int bx = 0; bx < nbxw; bx++) {
            const float *v = row + bx * p->bkx;
            const float *svm = p->svm + (size_t)(bx * nbyw + by) * hist;
            __m256 sa, sb;
            block_dot16(v, svm, hist, ps, &sa, &sb);
            float *o = bs + (size_t)(bx * nbyw + by) * 16;
            _mm256_store_ps(o, sa);
            _mm256_store_ps(o + 8, sb);
        }
    }
    __m256d s0 = _mm256_set1_pd(p->rho), s1 = s0, s2 = s0, s3 = s0;
    for (int b = 0; b < nbxw * nbyw; b++) {
        const float *o = bs + (size_t)b * 16;
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_load_ps(o)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_load_ps(o + 4)));
        s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm_load_ps(o + 8)));
        s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm_load_ps(o + 12)));
    }
    _mm256_storeu_pd(out, s0);
    _mm256_storeu_pd(out + 4, s1);
    _mm256_storeu_pd(out + 8, s2);
    _mm256_storeu_pd(out + 12, s3);
}

/* Eight windows, as score16_rows (the last few windows of a row). */
static void score8_rows(const hk_level_plan *p, const float *const *rows, size_t ps, int wx,
                        double *out)
{
    const int hist = p->hist, nbxw = p->nbx_w, nbyw = p->nby_w;
    float bs[256 * 8] __attribute__((aligned(32)));
    for (int by = 0; by < nbyw; by++) {
        const float *row = rows[by * p->bky] + wx;
        for (int bx = 0; bx < nbxw; bx++) {
            const float *v = row + bx * p->bkx;
            const float *svm = p->svm + (size_t)(bx * nbyw + by) * hist;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < hist; k += 4) {
                const float *r = v + (size_t)k * ps;
                a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(r), _mm256_set1_ps(svm[k])));
                a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(r + ps), _mm256_set1_ps(svm[k + 1])));
                a2 = _mm256_add_ps(a2, _mm256_mul_ps(_mm256_loadu_ps(r + 2 * ps), _mm256_set1_ps(svm[k + 2])));
                a3 = _mm256_add_ps(a3, _mm256_mul_ps(_mm256_loadu_ps(r + 3 * ps), _mm256_set1_ps(svm[k + 3])));
            }
            _mm256_store_ps(bs + (size_t)(bx * nbyw + by) * 8,
                            _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        }
    }
    __m256d s0 = _mm256_set1_pd(p->rho), s1 = s0;
    for (int b = 0; b < nbxw * nbyw; b++) {
        const float *o = bs + (size_t)b * 8;
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_load_ps(o)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_load_ps(o + 4)));
    }
    _mm256_storeu_pd(out, s0);
    _mm256_storeu_pd(out + 4, s1);
}

/* Needs wkx == 1 (window stride = grid stride in x) and 16 readable
 * floats after each row of blocks: the last group of sixteen windows also
 * scores up to 15 windows past the row's end, and those scores are
 * dropped. */
void hk__score_row_avx2(const hk_level_plan *p, const float *const *rows, size_t ps, int nwx,
                        double *scores)
{
    const int fast = p->nbx_w * p->nby_w <= 256 && p->hist % 4 == 0;
    void (*const f)(const hk_level_plan *, const float *const *, size_t, int, double *) =
        fast ? score16_rows : score16;
    int wx = 0;
    for (; wx + 16 <= nwx; wx += 16)
        f(p, rows, ps, wx, scores + wx);
    if (wx < nwx) {
        double tmp[16];
        if (fast && nwx - wx <= 8)
            score8_rows(p, rows, ps, wx, tmp);
        else
            f(p, rows, ps, wx, tmp);
        for (int t = wx; t < nwx; t++)
            scores[t] = tmp[t - wx];
    }
}
#else
int hk__cpu_has_avx2(void)
{
    return 0;
}

void hk__score_row_avx2(const hk_level_plan *p, const float *const *rows, size_t ps, int nwx,
                        double *scores)
{
    hk__score_row_scalar(p, rows, ps, nwx, scores);
}
#endif
