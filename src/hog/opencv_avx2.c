/*
 * OpenCV variant, AVX2 path: the block grid in one streaming pass (the
 * method is described in opencv_fast.h). Compiled with -mavx2 -mfma
 * (CMakeLists.txt); without them (HK_SCALAR_ONLY, other CPUs) only the
 * stubs at the end are built and the scalar reference path runs.
 *
 * Per padded row: the gamma-corrected planar row (a ring of three), the
 * gradient and votes (hk__grad_row_avx2, shared with the detector), then
 * the lane-wise accumulation into the block rows containing the row. When
 * a block row is complete its blocks are reduced with U, normalised and
 * stored.
 */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "detect/level.h"
#include "hog/hog_internal.h"
#include "hog/opencv_fast.h"

/* The AVX2 path never needs much more memory than the scalar path (10
 * bytes per padded pixel); below this it is always taken. */
#define FAST_MIN_BUDGET ((size_t)64 << 20)

/* Sizes of the working areas; 0 from fast_sizes means "does not fit". */
typedef struct fast_sizes {
    size_t wacc;    /* lanes of one column-sum row: padded width + 7, rounded to 8 */
    size_t bwp;     /* block width rounded up to 8: the dot length */
    size_t ring;    /* block rows in memory: ceil(block_h / cs_y) */
    size_t rowlen;  /* floats of one planar input row (index -1 .. pwidth) */
    size_t nbp;     /* bin rows per cell row: nbins + 7 (bins go up to 8 at a time) */
    size_t slot;    /* floats of one block row's column sums: ncells_y * nbp * wacc */
    size_t acc;     /* ring * slot */
    size_t brows;   /* rows of a band held: cs_y, or fewer when the image has fewer */
} fast_sizes;

static int fast_sizes_get(const hk_ocv_geometry *g, fast_sizes *s)
{
    /* the gradient kernel indexes rows with an int */
    if (g->pwidth > ((size_t)1 << 30) || g->pheight > ((size_t)1 << 30))
        return 0;
    s->wacc = (g->pwidth + 7 + 7) & ~(size_t)7;
    s->bwp = ((size_t)g->block_w + 7) & ~(size_t)7;
    s->ring = ((size_t)g->block_h + (size_t)g->cs_y - 1) / (size_t)g->cs_y;
    s->rowlen = g->pwidth + 16;
    size_t t;
    s->nbp = (size_t)g->nbins + 7;
    if (!hk_mul_size(g->ncells_y, s->nbp, &t) || !hk_mul_size(t, s->wacc, &s->slot) ||
        !hk_mul_size(s->slot, s->ring, &s->acc))
        return 0;
    /* rows the blocks cover, at most the padded height by construction */
    const size_t rows = (g->grid_y - 1) * (size_t)g->cs_y + (size_t)g->block_h;
    s->brows = rows < (size_t)g->cs_y ? rows : (size_t)g->cs_y;
    /* memory: the column sums and a band of votes against the scalar path's
     * gradient image */
    size_t acc_b, band_b, npix, scalar_b;
    if (!hk_mul_size(s->acc, sizeof(float), &acc_b) ||
        !hk_mul_size(s->brows, s->wacc * 9 + 16, &band_b) || !hk_add_size(acc_b, band_b, &acc_b))
        return 0;
    if (!hk_mul_size(g->pwidth, g->pheight, &npix) || !hk_mul_size(npix, 10, &scalar_b))
        scalar_b = SIZE_MAX;
    return acc_b <= FAST_MIN_BUDGET || acc_b <= scalar_b;
}

int hk_ocv_avx2_fits(const hk_ocv_geometry *g)
{
    fast_sizes s;
    return fast_sizes_get(g, &s);
}

#ifdef __AVX2__
#include <immintrin.h>

int hk_ocv_avx2_usable(void)
{
    return hk__cpu_has_avx2_fma();
}

/* One planar, gamma-corrected input row for padded columns -1 .. pwidth
 * (f[-1] .. f[pwidth]) from image row `src` (reflect-101 at the sides). */
static void convert_row(const hk_ocv_geometry *g, const uint8_t *src, unsigned cn,
                        const int *xmap, const float *lut, float *const *f)
{
    const long pw = (long)g->pwidth, lo = g->pad_x, hi = g->pad_x + (long)g->width;
    for (long x = -1; x < lo; x++)
        for (unsigned c = 0; c < cn; c++)
            f[c][x] = lut[src[(size_t)xmap[x] * cn + c]];
    long x = lo;
    if (cn == 1 && !g->gamma_correction) {
        for (; x + 8 <= hi; x += 8) {
            __m128i b = _mm_loadl_epi64((const __m128i *)(src + (x - lo)));
            _mm256_storeu_ps(f[0] + x, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)));
        }
        for (; x < hi; x++)
            f[0][x] = (float)src[x - lo];
    } else if (cn == 1) {
        for (; x < hi; x++)
            f[0][x] = lut[src[x - lo]];
    } else {
        for (; x < hi; x++) {
            const uint8_t *px = src + (size_t)(x - lo) * 3;
            f[0][x] = lut[px[0]];
            f[1][x] = lut[px[1]];
            f[2][x] = lut[px[2]];
        }
    }
    for (x = hi; x <= pw; x++)
        for (unsigned c = 0; c < cn; c++)
            f[c][x] = lut[src[(size_t)xmap[x] * cn + c]];
}

/* Adds one band of rows (nr <= cs_y rows of votes, lane = column) into T
 * column-sum rows: tgt[t][b*wacc + x] += sum over band rows r of
 * wts[t*cs + r] * (vote of column x of row r into bin b). A pixel votes a0
 * into bin h0 and a1 into h0 + 1 (mod nbins); with one bin OpenCV keeps
 * only the second vote (drop_a0). Bins go G at a time, the T x G sums in
 * registers over the band, so each column-sum vector is read and written
 * once per band; a target with its bit set in `fresh` is written, not added
 * to (its block row starts here: no zeroing pass). T and G are constants in
 * the callers (band_any). */
static inline __attribute__((always_inline)) void
band_kernel(const uint8_t *h0, size_t h0s, const float *a0, const float *a1, size_t as,
            size_t nr, size_t wacc, size_t lanes, int nbins, int drop_a0, float *const *tgt,
            const float *wts, size_t cs, uint64_t fresh, const int T, const int G)
{
    for (size_t x0 = 0; x0 < lanes; x0 += 8) {
        for (int bs = 0; bs < nbins; bs += G) {
            __m256 acc[4][8];
            for (int t = 0; t < T; t++)
                for (int g = 0; g < G; g++)
                    acc[t][g] = _mm256_setzero_ps();
            /* lanes whose second vote lands in bin b are those whose first is b - 1 */
            const __m256i vprev = _mm256_set1_epi32(bs == 0 ? nbins - 1 : bs - 1);
            for (size_t r = 0; r < nr; r++) {
                __m256i b0 = _mm256_cvtepu8_epi32(
                    _mm_loadl_epi64((const __m128i *)(h0 + r * h0s + x0)));
                __m256 v1 = _mm256_loadu_ps(a1 + r * as + x0);
                __m256 v0 = drop_a0 ? v1 : _mm256_loadu_ps(a0 + r * as + x0);
                __m256 eprev = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b0, vprev));
                for (int g = 0; g < G; g++) {
                    __m256 e = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b0, _mm256_set1_epi32(bs + g)));
                    /* e and eprev never overlap (with one bin v0 is v1) */
                    __m256 m = _mm256_blendv_ps(_mm256_and_ps(eprev, v1), v0, e);
                    eprev = e;
                    for (int t = 0; t < T; t++)
                        acc[t][g] = _mm256_fmadd_ps(_mm256_broadcast_ss(wts + (size_t)t * cs + r), m, acc[t][g]);
                }
            }
            for (int t = 0; t < T; t++)
                for (int g = 0; g < G; g++) {
                    float *p = tgt[t] + (size_t)(bs + g) * wacc + x0;
                    _mm256_storeu_ps(p, fresh >> t & 1 ? acc[t][g]
                                                       : _mm256_add_ps(_mm256_loadu_ps(p), acc[t][g]));
                }
        }
    }
}

#define BAND(TT, GG)                                                                        \
    case TT:                                                                                \
        band_kernel(h0, h0s, a0, a1, as, nr, wacc, lanes, nbins, drop_a0, tgt, wts, cs, fresh, TT, GG); \
        return

/* band_kernel for any T, four targets at a time. */
static void band_any(const uint8_t *h0, size_t h0s, const float *a0, const float *a1, size_t as,
                     size_t nr, size_t wacc, size_t lanes, int nbins, int drop_a0, float *const *tgt,
                     const float *wts, size_t cs, uint64_t fresh, int T)
{
    for (; T > 4; T -= 4, tgt += 4, wts += 4 * cs, fresh >>= 4)
        band_any(h0, h0s, a0, a1, as, nr, wacc, lanes, nbins, drop_a0, tgt, wts, cs, fresh & 15, 4);
    /* bins per group: T x G sums plus the row's vectors fit the 16
     * registers; the last group may run past nbins into padding bin rows
     * (never read) */
    switch (T) {
        BAND(1, 8);
        BAND(2, 4);
        BAND(3, 3);
        BAND(4, 2);
    default:
        return; /* T == 0: nothing to add */
    }
}
#undef BAND

/* Eight horizontal sums at once: lane i of the result is the sum of d[i]. */
static inline __m256 hsum8(const __m256 *d)
{
    __m256 h01 = _mm256_hadd_ps(d[0], d[1]), h23 = _mm256_hadd_ps(d[2], d[3]);
    __m256 h45 = _mm256_hadd_ps(d[4], d[5]), h67 = _mm256_hadd_ps(d[6], d[7]);
    __m256 a = _mm256_hadd_ps(h01, h23), b = _mm256_hadd_ps(h45, h67);
    return _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));
}

/* OpenCV's L2-Hys of nb <= 8 blocks at once (blocks at h + i*n8, zero
 * past n; sq0[i]: 8-lane partial sums of squares of block i, zero past nb),
 * lane i of the norms being block i, into out + i*sx. The sums of squares
 * run 8 lanes wide, so they round differently from the scalar
 * path's 4-lane sums (about 1e-7 relative). */
static void normalize8(float *h, size_t n, size_t nb, const __m256 *sq0, float thr, float *out,
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
    for (size_t i = 0; i < nb; i++) {
        __m256 si = _mm256_permutevar8x32_ps(scale, _mm256_set1_epi32((int)i));
        const float *p = h + i * n8;
        float *o = out + i * sx;
        size_t k = 0;
        for (; k < full; k += 8)
            _mm256_storeu_ps(o + k, _mm256_mul_ps(_mm256_loadu_ps(p + k), si));
        if (k < n) { /* through memory: masked stores are slow on AMD */
            float t[8];
            _mm256_storeu_ps(t, _mm256_mul_ps(_mm256_loadu_ps(p + k), si));
            for (size_t j = 0; k + j < n; j++)
                o[k + j] = t[j];
        }
    }
}

/* A run of rows of a band with the same targets of nonzero weight. */
struct run {
    size_t r0, len;   /* band rows r0 .. r0+len-1 */
    size_t tgt, wt;   /* where its targets and weights start in rtgt, rtw */
    int n;            /* number of targets */
    uint64_t fresh;   /* targets it writes rather than adds to */
};

/* Scratch of one call. */
typedef struct fast_work {
    float *conv;      /* 3 slots x cn planes x rowlen */
    float *dx, *dy;   /* pwidth + 8 */
    float *a0, *a1;   /* one band of rows: cs_y x wacc */
    uint8_t *h0;      /* cs_y x (wacc + 16) */
    float *acc;       /* ring slots */
    float *u, *v;     /* (ncells_x + 1) x bwp (the last row zero), ncells_y x block_h */
    size_t *koff;     /* per histogram entry (rounded up to 8): its column-sum row */
    int *kcx;         /* and its cell x (ncells_x: the zero row, past the end) */
    float *tmp;       /* eight blocks, each rounded up to 8 floats */
    int *xmap;        /* pwidth + 2: image column of padded -1 .. pwidth */
    float **tgt;      /* per band row: ring * ncells_y accumulation targets */
    float *tw;        /* and their weights */
    float **rtgt;     /* the targets of the runs of rows of a band (see split_runs) */
    float *rtw;       /* and their weights, [target][row of the run] per run */
    struct run *runs; /* up to cs_y runs */
    float *grid;
} fast_work;

/* Adds `bytes` (rounded up to 64) to *total; *at is where it starts. */
static int carve(size_t *total, size_t bytes, size_t *at)
{
    *at = *total;
    size_t a;
    return hk_add_size(bytes, 63, &a) && hk_add_size(*total, a & ~(size_t)63, total);
}

static int mul3(size_t a, size_t b, size_t c, size_t *r)
{
    return hk_mul_size(a, b, r) && hk_mul_size(*r, c, r);
}

static hk_status fast_work_init(hk_hog_ctx *ctx, const hk_ocv_geometry *g, unsigned cn,
                                const fast_sizes *s, size_t grid_floats, fast_work *w)
{
    enum { CONV, DX, DY, A0, A1, H0, ACC, U, V, KOFF, KCX, TMP, XMAP, TGT, TW, RTGT, RTW, RUNS, GRID, N };
    const size_t blen8 = (g->block_len + 7) & ~(size_t)7, cs = s->brows;
    const size_t nt = s->ring * g->ncells_y;
    size_t sz[N], at[N], total = 0;
    int ok = mul3(s->rowlen, 3 * (size_t)cn, sizeof(float), &sz[CONV]) &&
             mul3(g->pwidth + 8, 1, sizeof(float), &sz[DX]) &&
             mul3(cs, s->wacc, sizeof(float), &sz[A0]) &&
             mul3(cs, s->wacc + 16, 1, &sz[H0]) &&
             mul3(s->acc, 1, sizeof(float), &sz[ACC]) &&
             mul3(g->ncells_x + 1, s->bwp, sizeof(float), &sz[U]) &&
             mul3(g->ncells_y, (size_t)g->block_h, sizeof(float), &sz[V]) &&
             mul3(blen8, 1, sizeof(size_t), &sz[KOFF]) &&
             mul3(blen8, 1, sizeof(int), &sz[KCX]) && mul3(blen8, 8, sizeof(float), &sz[TMP]) &&
             mul3(g->pwidth + 2, 1, sizeof(int), &sz[XMAP]) &&
             mul3(cs, nt, sizeof(float *), &sz[TGT]) && mul3(cs, nt, sizeof(float), &sz[TW]) &&
             mul3(cs, nt, sizeof(float *), &sz[RTGT]) && mul3(cs, nt, sizeof(float), &sz[RTW]) &&
             mul3(cs, 1, sizeof(struct run), &sz[RUNS]) &&
             mul3(grid_floats, 1, sizeof(float), &sz[GRID]);
    sz[DY] = sz[DX];
    sz[A1] = sz[A0];
    for (int i = 0; ok && i < N; i++)
        ok = carve(&total, sz[i], &at[i]);
    if (!ok)
        return HK_ERR_OVERFLOW;
    unsigned char *m = hk_ctx_scratch(ctx, total);
    if (!m)
        return HK_ERR_NOMEM;
    w->conv = (float *)(m + at[CONV]);
    w->dx = (float *)(m + at[DX]);
    w->dy = (float *)(m + at[DY]);
    w->a0 = (float *)(m + at[A0]);
    w->a1 = (float *)(m + at[A1]);
    w->h0 = m + at[H0];
    w->acc = (float *)(m + at[ACC]);
    w->u = (float *)(m + at[U]);
    w->v = (float *)(m + at[V]);
    w->koff = (size_t *)(m + at[KOFF]);
    w->kcx = (int *)(m + at[KCX]);
    w->tmp = (float *)(m + at[TMP]);
    w->xmap = (int *)(m + at[XMAP]) + 1;
    w->tgt = (float **)(m + at[TGT]);
    w->tw = (float *)(m + at[TW]);
    w->rtgt = (float **)(m + at[RTGT]);
    w->rtw = (float *)(m + at[RTW]);
    w->runs = (struct run *)(m + at[RUNS]);
    w->grid = grid_floats ? (float *)(m + at[GRID]) : NULL;
    return HK_OK;
}

/* Dot products of U rows with column sums for histogram entries k0 .. k0+7
 * of the block whose column sums start at `base`; nv = dot length / 8. */
static inline __attribute__((always_inline)) __m256
dots8(const float *u, size_t bwp, const int *kcx, const size_t *koff, const float *base,
      size_t nv)
{
    __m256 d[8];
    for (int i = 0; i < 8; i++) {
        const float *uu = u + (size_t)kcx[i] * bwp, *a = base + koff[i];
        __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(uu), _mm256_loadu_ps(a));
        for (size_t v = 1; v < nv; v++)
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(uu + 8 * v), _mm256_loadu_ps(a + 8 * v), acc);
        d[i] = acc;
    }
    return hsum8(d);
}

/* Cell (cx, cy) bin b of every block of the completed block row `slot`:
 * dot products of U[cx] with the column sums, then the normalisation. */
static void finish_block_row(const hk_ocv_geometry *g, const fast_sizes *s, const fast_work *w,
                             const float *slot, float *out, size_t sx)
{
    const size_t n = g->block_len, n8 = (n + 7) & ~(size_t)7, nv = s->bwp / 8;
    for (size_t gx0 = 0; gx0 < g->grid_x; gx0 += 8) {
        const size_t nb = g->grid_x - gx0 < 8 ? g->grid_x - gx0 : 8;
        __m256 sq[8];
        for (size_t i = 0; i < 8; i++)
            sq[i] = _mm256_setzero_ps();
        for (size_t i = 0; i < nb; i++) {
            const float *base = slot + (gx0 + i) * (size_t)g->cs_x;
            float *t = w->tmp + i * n8;
            __m256 q = _mm256_setzero_ps();
            for (size_t k0 = 0; k0 < n8; k0 += 8) {
                __m256 r = nv == 1   ? dots8(w->u, 8, w->kcx + k0, w->koff + k0, base, 1)
                           : nv == 2 ? dots8(w->u, 16, w->kcx + k0, w->koff + k0, base, 2)
                                     : dots8(w->u, s->bwp, w->kcx + k0, w->koff + k0, base, nv);
                _mm256_storeu_ps(t + k0, r);
                q = _mm256_fmadd_ps(r, r, q);
            }
            sq[i] = q;
        }
        normalize8(w->tmp, n, nb, sq, g->threshold, out + gx0 * sx, sx);
    }
}

/* Adds a band to its T targets, cut into runs of rows that have the same
 * targets with nonzero weight: a row usually lies in fewer cells than the
 * band's targets (16x16 blocks of 8x8 cells: 3 of 4), and a zero weight
 * would cost as much as any other. Strips of columns go outside the runs so
 * that the runs of a band meet their column sums in the L1 cache. */
static void split_runs(fast_work *w, size_t h0len, size_t wacc, size_t lanes, size_t nr, int nbins,
                       size_t cs, int T, uint64_t fresh)
{
    if (T > 64) { /* masks below are 64 bits; such geometries take it whole */
        band_any(w->h0, h0len, w->a0, w->a1, wacc, nr, wacc, lanes, nbins, nbins == 1, w->tgt,
                 w->tw, cs, 0, T);
        return;
    }
    size_t nruns = 0, tgt_at = 0, wt_at = 0;
    uint64_t mask[2] = {0, 0};
    for (size_t r = 0; r < nr;) {
        size_t r2 = r;
        for (; r2 < nr; r2++) {
            uint64_t m = 0;
            for (int t = 0; t < T; t++)
                m |= (uint64_t)(w->tw[(size_t)t * cs + r2] != 0.f) << t;
            mask[r2 == r] = m;
            if (r2 > r && m != mask[1])
                break;
        }
        struct run *run = &w->runs[nruns];
        run->r0 = r;
        run->len = r2 - r;
        run->tgt = tgt_at;
        run->wt = wt_at;
        run->n = 0;
        run->fresh = 0;
        for (int t = 0; t < T; t++)
            if (mask[1] >> t & 1) {
                /* the first run to reach a new block row's target writes it */
                run->fresh |= (fresh >> t & 1) << run->n;
                fresh &= ~((uint64_t)1 << t);
                w->rtgt[tgt_at++] = w->tgt[t];
                for (size_t k = r; k < r2; k++)
                    w->rtw[wt_at++] = w->tw[(size_t)t * cs + k];
                run->n++;
            }
        nruns += run->n > 0;
        r = r2;
    }
    const size_t strip = 64;
    for (size_t xs = 0; xs < lanes; xs += strip) {
        const size_t n = lanes - xs < strip ? lanes - xs : strip;
        for (size_t i = 0; i < nruns; i++) {
            const struct run *run = &w->runs[i];
            float *tg[64];
            for (int t = 0; t < run->n; t++)
                tg[t] = w->rtgt[run->tgt + (size_t)t] + xs;
            band_any(w->h0 + run->r0 * h0len + xs, h0len, w->a0 + run->r0 * wacc + xs,
                     w->a1 + run->r0 * wacc + xs, wacc, run->len, wacc, n, nbins, nbins == 1, tg,
                     w->rtw + run->wt, run->len, run->fresh, run->n);
        }
    }
}

/* The constant tables of a call: gamma, column map, U, V, entry offsets. */
static void fast_tables(const hk_ocv_geometry *g, const fast_sizes *s, fast_work *w, float *lut)
{
    if (g->gamma_correction) {
        for (int i = 0; i < 256; i += 8)
            _mm256_storeu_ps(lut + i, _mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(
                                          _mm256_set1_epi32(i), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)))));
    } else {
        for (int i = 0; i < 256; i++)
            lut[i] = (float)i;
    }
    /* only the padding and the two outer columns reflect */
    const long lo = g->pad_x, hi = g->pad_x + (long)g->width;
    for (long x = -1; x <= (long)g->pwidth; x++)
        w->xmap[x] = x >= lo && x < hi ? (int)(x - lo) : (int)hk_ocv_reflect101(x - lo, g->width);
    hk_ocv_axis_weights(g, 0, s->bwp, w->u);
    memset(w->u + g->ncells_x * s->bwp, 0, s->bwp * sizeof(float));
    hk_ocv_axis_weights(g, 1, (size_t)g->block_h, w->v);
    /* histogram entry k = (cx*ncells_y + cy)*nbins + b reads column-sum row
     * (cy*nbins + b) with U[cx]; entries past the block read the zero row */
    const size_t nb = (size_t)g->nbins, n8 = (g->block_len + 7) & ~(size_t)7;
    size_t k = 0;
    for (size_t cx = 0; cx < g->ncells_x; cx++)
        for (size_t cy = 0; cy < g->ncells_y; cy++)
            for (size_t b = 0; b < nb; b++, k++) {
                w->kcx[k] = (int)cx;
                w->koff[k] = (cy * s->nbp + b) * s->wacc;
            }
    for (; k < n8; k++) {
        w->kcx[k] = (int)g->ncells_x;
        w->koff[k] = 0;
    }
}

hk_status hk_ocv_avx2_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                           float *out, size_t sx, size_t sy, float **grid)
{
    fast_sizes s;
    if (!fast_sizes_get(g, &s))
        return HK_ERR_UNSUPPORTED;
    const unsigned cn = im->channels;
    size_t grid_n = 0;
    hk_status st;
    if (!out && (st = hk_ocv_grid_count(g, &grid_n)) != HK_OK)
        return st;
    fast_work w;
    if ((st = fast_work_init(ctx, g, cn, &s, grid_n, &w)) != HK_OK)
        return st;
    if (!out) {
        out = w.grid;
        sx = g->block_len;
        sy = g->grid_x * g->block_len;
        *grid = w.grid;
    }
    const size_t pw = g->pwidth, wacc = s.wacc, cs = (size_t)g->cs_y, bh = (size_t)g->block_h;
    const size_t h0len = wacc + 16;
    /* the lanes the blocks read: up to the last block's dot */
    const size_t lanes = ((g->grid_x - 1) * (size_t)g->cs_x + s.bwp + 7) & ~(size_t)7;
    const int nbins = g->nbins;
    float lut[256];
    fast_tables(g, &s, &w, lut);
    /* columns past the padded image vote nothing */
    for (size_t r = 0; r < s.brows; r++) {
        memset(w.a0 + r * wacc + pw, 0, (wacc - pw) * sizeof(float));
        memset(w.a1 + r * wacc + pw, 0, (wacc - pw) * sizeof(float));
        memset(w.h0 + r * h0len + pw, 0, h0len - pw);
    }
    /* The gradient runs over whole vectors (its scalar tail is slow) on
     * rows padded with zeros, unless that moves the end of OpenCV's 4-lane
     * colour-choice loop (pwidth & ~3), whose tie rule differs from its
     * tail's. */
    const size_t gw = cn == 1 || pw % 4 == 0 ? (pw + 7) & ~(size_t)7 : pw;
    memset(w.conv, 0, 3 * (size_t)cn * s.rowlen * sizeof(float));
    const float *rowp[3][3];
    long conv_row[3] = {-3, -3, -3};
    const size_t rows = (g->grid_y - 1) * cs + bh;
    /* Bands of cs_y rows: block rows start at band starts, so a band's
     * targets are known (and zeroed) before anything is added to them. */
    for (size_t y0 = 0; y0 < rows; y0 += cs) {
        const size_t nr = rows - y0 < cs ? rows - y0 : cs, ylast = y0 + nr - 1;
        size_t gy_lo = y0 + 1 > bh ? (y0 + 1 - bh + cs - 1) / cs : 0, gy_hi = ylast / cs;
        if (gy_hi > g->grid_y - 1)
            gy_hi = g->grid_y - 1;
        /* targets: (block row, cell row) pairs, weight V per band row */
        int T = 0;
        uint64_t fresh = 0; /* targets of block rows starting here (see band_kernel) */
        size_t fin_lo = 1, fin_hi = 0; /* block rows completed in this band */
        for (size_t gy = gy_lo; gy <= gy_hi; gy++) {
            float *slot = w.acc + (gy % s.ring) * s.slot;
            const int starts = gy * cs == y0;
            size_t end = gy * cs + bh - 1; /* its last row */
            if (end >= y0 && end <= ylast) {
                fin_lo = fin_hi >= fin_lo ? fin_lo : gy;
                fin_hi = gy;
            }
            for (size_t cy = 0; cy < g->ncells_y; cy++) {
                float *wt = w.tw + (size_t)T * s.brows;
                int any = 0;
                for (size_t r = 0; r < nr; r++) {
                    size_t y = y0 + r;
                    wt[r] = y >= gy * cs && y <= end ? w.v[cy * bh + (y - gy * cs)] : 0.f;
                    any |= wt[r] != 0.f;
                }
                float *row = slot + cy * s.nbp * wacc;
                if (any && starts && T < 64)
                    fresh |= (uint64_t)1 << T;
                else if (starts) /* the bins read later, zeroed */
                    memset(row, 0, (size_t)nbins * wacc * sizeof(float));
                if (any)
                    w.tgt[T++] = row;
            }
        }
        if (T > 64) { /* split_runs takes such a band whole: no fresh writes */
            for (int t = 0; t < 64; t++)
                if (fresh >> t & 1)
                    memset(w.tgt[t], 0, (size_t)nbins * wacc * sizeof(float));
            fresh = 0;
        }
        for (size_t r = 0; r < nr; r++) {
            const size_t y = y0 + r;
            float *a0 = w.a0 + r * wacc, *a1 = w.a1 + r * wacc;
            uint8_t *h0 = w.h0 + r * h0len;
            size_t ry_lo = y + 1 > bh ? (y + 1 - bh + cs - 1) / cs : 0, ry_hi = y / cs;
            if (ry_lo > ry_hi || ry_lo >= g->grid_y) {
                /* a row outside every block (block stride > block) */
                memset(a0, 0, wacc * sizeof(float));
                memset(a1, 0, wacc * sizeof(float));
                memset(h0, 0, h0len);
                continue;
            }
            const float *const *pl[3];
            for (int k = 0; k < 3; k++) {
                long want = (long)y - 1 + k;
                int slot = (int)((want + 3) % 3);
                if (conv_row[slot] != want) {
                    size_t iy = hk_ocv_reflect101(want - g->pad_y, g->height);
                    float *f[3];
                    for (unsigned c = 0; c < cn; c++) {
                        f[c] = w.conv + ((size_t)slot * cn + c) * s.rowlen + 1;
                        rowp[slot][c] = f[c];
                    }
                    convert_row(g, (const uint8_t *)im->data + iy * im->stride, cn, w.xmap, lut, f);
                    conv_row[slot] = want;
                }
                pl[k] = rowp[slot];
            }
            hk__grad_row_avx2(pl[0], pl[1], pl[2], (int)cn, (int)gw, nbins, g->signed_gradient,
                              w.dx, w.dy, h0, a0, a1);
            for (size_t x = pw; x < gw; x++) { /* the lanes past the image vote nothing */
                a0[x] = a1[x] = 0.f;
                h0[x] = 0;
            }
        }
        split_runs(&w, h0len, wacc, lanes, nr, nbins, s.brows, T, fresh);
        for (size_t gy = fin_lo; gy <= fin_hi; gy++)
            finish_block_row(g, &s, &w, w.acc + (gy % s.ring) * s.slot, out + gy * sy, sx);
    }
    return HK_OK;
}

#else

int hk_ocv_avx2_usable(void)
{
    return 0;
}

hk_status hk_ocv_avx2_grid(hk_hog_ctx *ctx, const hk_ocv_geometry *g, const hk_image *im,
                           float *out, size_t sx, size_t sy, float **grid)
{
    (void)ctx, (void)g, (void)im, (void)out, (void)sx, (void)sy, (void)grid;
    return HK_ERR_UNSUPPORTED;
}

#endif
