/*
 * dlib variant: reproduces dlib::extract_fhog_features of dlib 19.24 (planar
 * output, dlib::array<array2d<float>>), as compiled by g++ -O2 for x86-64
 * without extra -m flags: SSE2, simd8f emulated by two SSE registers, no FMA
 * (spec: shared/spec/hog-variants.md section 4; docs/variants/dlib.md).
 *
 * dlib processes each row in two parts: an 8-wide SIMD loop over columns
 * 1, 9, 17, ... while x < visible_nc - 7, then a scalar loop for the rest.
 * The two parts round differently (cell position and vote products) and
 * break colour ties differently, so hogkit keeps the same split:
 *  - SIMD columns: xp = (x + 0.5f)/cs + 0.5f in float, cell = (int)xp,
 *    votes vy * (vx * |g|); colour ties go to the later channel (B > G > R);
 *  - scalar columns: xp = (float)((x + 0.5)/cs - 0.5) in double, cell =
 *    floor(xp) + 1, votes (vy * vx) * |g|; colour ties go to red.
 * Block sums, clipping and the horizontal sum of four lanes follow dlib's
 * simd4f code: ((z1 + z2) + z3) + z4 + eps per lane and (l0 + l2) + (l1 + l3)
 * for sum() (SSE2 _mm_movehl_ps reduction).
 */
#include <math.h>
#include <string.h>

#include "common/checked.h"
#include "hog/dlib_fast.h"
#include "hog/fhog_common.h"
#include "hog/hog_internal.h"

#define DLIB_PLANES 31

/* dlib's unit vectors, rounded to four decimals in its source. */
static const float DIR_X[9] = {1.0000f, 0.9397f, 0.7660f, 0.500f, 0.1736f,
                               -0.1736f, -0.5000f, -0.7660f, -0.9397f};
static const float DIR_Y[9] = {0.0000f, 0.3420f, 0.6428f, 0.8660f, 0.9848f,
                               0.9848f, 0.8660f, 0.6428f, 0.3420f};

/* Largest |sample| accepted for float input: keeps int differences of the
 * truncated samples inside int's range, as dlib needs them. */
#define DLIB_MAX_SAMPLE 1073741824.0

void hk_dlib_cells(int cell_size, uint32_t height, uint32_t width, long *cells_nr,
                   long *cells_nc)
{
    /* (int)((float)n / (float)cell_size + 0.5): float quotient, double +0.5 */
    *cells_nr = (long)((double)((float)height / (float)cell_size) + 0.5);
    *cells_nc = (long)((double)((float)width / (float)cell_size) + 0.5);
}

/* Rows and columns of the HOG cell grid without padding (0 when empty). */
static void hog_grid(const hk_dlib_params *p, uint32_t width, uint32_t height, size_t *rows,
                     size_t *cols)
{
    *rows = *cols = 0;
    if (p->cell_size == 1) {
        if (height > 2 && width > 2) {
            *rows = height - 2u;
            *cols = width - 2u;
        }
        return;
    }
    long nr, nc;
    hk_dlib_cells(p->cell_size, height, width, &nr, &nc);
    if (nr > 2 && nc > 2) {
        *rows = (size_t)(nr - 2);
        *cols = (size_t)(nc - 2);
    }
}

hk_status hk_dlib_shape(const hk_dlib_params *p, uint32_t width, uint32_t height,
                        uint32_t channels, hk_shape *shape)
{
    if (channels < 1 || channels > 4)
        return HK_ERR_UNSUPPORTED;
    size_t rows, cols;
    hog_grid(p, width, height, &rows, &cols);
    shape->ndim = 3;
    shape->dims[0] = DLIB_PLANES;
    /* an empty result is 31 empty planes whatever the padding, as dlib gives */
    shape->dims[1] = rows ? rows + (size_t)p->filter_rows_padding - 1u : 0;
    shape->dims[2] = cols ? cols + (size_t)p->filter_cols_padding - 1u : 0;
    if (!hk_mul_sizes(shape->dims, 3, &shape->count))
        return HK_ERR_OVERFLOW;
    return HK_OK;
}

/* Three converted rows (y-1, y, y+1), planar ints, `nch` channels each. */
typedef struct dlib_rows {
    const int32_t *r[3];
    size_t width;
    int rgb; /* 3 or 4 channels: rgb_pixel; 1 or 2: grey (alpha ignored) */
} dlib_rows;

/* dlib's get_gradient at column x: the gradient (as floats) and its squared
 * length. `simd` selects the tie rule of the 8-wide loop for colour. */
static inline void pixel_grad(const dlib_rows *v, size_t x, int simd, float *gx, float *gy,
                              float *len)
{
    const size_t w = v->width;
    if (!v->rgb) {
        *gx = (float)(v->r[1][x + 1] - v->r[1][x - 1]);
        *gy = (float)(v->r[2][x] - v->r[0][x]);
        *len = *gx * *gx + *gy * *gy;
        return;
    }
    long long gx_[3], gy_[3], l[3];
    for (size_t c = 0; c < 3; c++) {
        gx_[c] = (long long)v->r[1][c * w + x + 1] - v->r[1][c * w + x - 1];
        gy_[c] = (long long)v->r[2][c * w + x] - v->r[0][c * w + x];
        l[c] = gx_[c] * gx_[c] + gy_[c] * gy_[c];
    }
    int best;
    if (simd) {
        /* select(r > g, r, g), then select(t > b, t, b): ties to the later */
        best = l[0] > l[1] ? 0 : 1;
        best = l[best] > l[2] ? best : 2;
    } else {
        /* strict > against the running best, starting from red */
        best = 0;
        if (l[1] > l[best])
            best = 1;
        if (l[2] > l[best])
            best = 2;
    }
    *gx = (float)gx_[best];
    *gy = (float)gy_[best];
    *len = (float)l[best];
}

/* Loads row y+1 into the ring and rotates it so r[0..2] = rows y-1..y+1. */
static void next_row(const hk_image *im, dlib_rows *v, int32_t *ring[3], size_t y)
{
    int32_t *t = ring[0];
    ring[0] = ring[1];
    ring[1] = ring[2];
    ring[2] = t;
    hk_fhog_row_i32(im, y + 1, v->rgb ? 3u : 1u, ring[2]);
    for (int i = 0; i < 3; i++)
        v->r[i] = ring[i];
}

/* Fills the ring with rows 0, 1 (ready for next_row(…, 1)). */
static void first_rows(const hk_image *im, dlib_rows *v, int32_t *rows, int32_t *ring[3])
{
    const size_t n = (v->rgb ? 3u : 1u) * (size_t)im->width;
    ring[0] = rows + 2 * n; /* dropped by the first rotation */
    ring[1] = rows;
    ring[2] = rows + n;
    hk_fhog_row_i32(im, 0, v->rgb ? 3u : 1u, ring[1]);
    hk_fhog_row_i32(im, 1, v->rgb ? 3u : 1u, ring[2]);
}

/* Snaps a gradient to one of 18 directed bins (best starts at 0, bin 0):
 * bin o if dot > best, else bin o+9 if -dot > best. Written as dlib's SIMD
 * loop does (two selects per direction), which gives the same bins. */
static inline int snap18(float gx, float gy)
{
    float best_dot = 0;
    int best_o = 0;
    for (int o = 0; o < 9; o++) {
        const float dot = gx * DIR_X[o] + gy * DIR_Y[o];
        /* masks instead of branches: the winners are unpredictable */
        const int m1 = -(int)(dot > best_dot);
        best_dot = dot > best_dot ? dot : best_dot; /* maxss */
        best_o += (o - best_o) & m1;
        const int m2 = -(int)(-dot > best_dot);
        best_dot = -dot > best_dot ? -dot : best_dot;
        best_o += (o + 9 - best_o) & m2;
    }
    return best_o;
}

int hk_dlib_snap18(float gx, float gy)
{
    return snap18(gx, gy);
}

/* First column of the scalar tail: dlib's SIMD loop runs x = 1, 9, 17, ...
 * while x < visible_nc - 7. */
size_t hk_dlib_simd_end(long visible_nc)
{
    long x = 1;
    while (x < visible_nc - 7)
        x += 8;
    return (size_t)x;
}
#define simd_end hk_dlib_simd_end

/* Cell index (border included) and weight vx0 of column x, in the rounding
 * of the loop (SIMD or scalar) that handles the column. */
void hk_dlib_column(int cell_size, long x, int simd, long *ix, float *vx0)
{
    if (simd) {
        const float xp = ((float)x + 0.5f) / (float)cell_size + 0.5f;
        *ix = (long)xp;
        *vx0 = xp - (float)*ix;
    } else {
        const float xp = (float)(((double)x + 0.5) / (double)cell_size - 0.5);
        const long ixp = (long)floorf(xp);
        *vx0 = xp - (float)ixp;
        *ix = ixp + 1;
    }
}

/* Row y: iyp (histogram rows iyp + 1 and iyp + 2 take its votes) and vy0. */
void hk_dlib_row_pos(int cell_size, long y, long *iyp, float *vy0)
{
    const float yp = (float)(((double)(float)y + 0.5) / (double)(float)cell_size - 0.5);
    *iyp = (long)floorf(yp);
    *vy0 = yp - (float)*iyp;
}

/* The four 2x2 block energies around norm cell (r, c) in dlib's lane order
 * (BR, TR, BL, TL), each summed as dlib's z1 + z2 + z3 + z4 + eps. */
static void block_energies(const float *norm, size_t nstride, size_t r, size_t c, float z[4])
{
#define N(dr, dc) norm[(r + (dr) - 1) * nstride + (c + (dc) - 1)]
    const float z1[4] = {N(1, 1), N(0, 1), N(1, 0), N(0, 0)};
    const float z2[4] = {N(1, 2), N(0, 2), N(1, 1), N(0, 1)};
    const float z3[4] = {N(2, 1), N(1, 1), N(2, 0), N(1, 0)};
    const float z4[4] = {N(2, 2), N(1, 2), N(2, 1), N(1, 1)};
#undef N
    for (int i = 0; i < 4; i++)
        z[i] = z1[i] + z2[i] + z3[i] + z4[i] + 0.0001f;
}

/* dlib's sum(simd4f) with SSE2: (l0 + l2) + (l1 + l3). */
static inline float lane_sum(const float h[4])
{
    return (h[0] + h[2]) + (h[1] + h[3]);
}

/* _mm_min_ps(a, b): b unless a < b. */
static inline float min_ps(float a, float b)
{
    return a < b ? a : b;
}

/* Per column: the cell index (border included) and bilinear weights, in
 * the rounding of the loop (SIMD or scalar) that handles the column. */
typedef struct dlib_col {
    long ix;
    float vx0, vx1;
    int simd;
} dlib_col;

/* Main path (cell_size >= 2): histograms of (cells_nr+2) x (cells_nc+2)
 * cells with a one-cell border, 18 bins each. */
static void histograms(const hk_image *im, dlib_rows *v, int32_t *rows, dlib_col *cols, int cs,
                       long cells_nr, long cells_nc, float *hist)
{
    const size_t hstride = (size_t)(cells_nc + 2);
    long vnr = cells_nr * cs < (long)im->height ? cells_nr * cs : (long)im->height;
    long vnc = cells_nc * cs < (long)im->width ? cells_nc * cs : (long)im->width;
    const long visible_nr = vnr - 1, visible_nc = vnc - 1;
    const size_t split = simd_end(visible_nc);
    for (long x = 1; x < visible_nc; x++) {
        dlib_col *k = &cols[x];
        k->simd = (size_t)x < split;
        hk_dlib_column(cs, x, k->simd, &k->ix, &k->vx0);
        k->vx1 = 1.0f - k->vx0;
    }
    int32_t *ring[3];
    first_rows(im, v, rows, ring);
    for (long y = 1; y < visible_nr; y++) {
        next_row(im, v, ring, (size_t)y);
        long iyp;
        float vy0;
        hk_dlib_row_pos(cs, y, &iyp, &vy0);
        const float vy1 = 1.0f - vy0;
        float *row0 = hist + (size_t)(iyp + 1) * hstride * 18;
        float *row1 = row0 + hstride * 18;
        for (long x = 1; x < visible_nc; x++) {
            const dlib_col *k = &cols[x];
            float gx, gy, len;
            pixel_grad(v, (size_t)x, k->simd, &gx, &gy, &len);
            const int o = snap18(gx, gy);
            const float m = sqrtf(len);
            float w00, w01, w10, w11;
            if (k->simd) {
                const float a1 = k->vx1 * m, a0 = k->vx0 * m;
                w11 = vy1 * a1;
                w01 = vy0 * a1;
                w10 = vy1 * a0;
                w00 = vy0 * a0;
            } else {
                w11 = vy1 * k->vx1 * m;
                w01 = vy0 * k->vx1 * m;
                w10 = vy1 * k->vx0 * m;
                w00 = vy0 * k->vx0 * m;
            }
            const size_t ix = (size_t)k->ix;
            row0[ix * 18 + (size_t)o] += w11;
            row1[ix * 18 + (size_t)o] += w01;
            row0[(ix + 1) * 18 + (size_t)o] += w10;
            row1[(ix + 1) * 18 + (size_t)o] += w00;
        }
    }
}

/* Writes one output value at plane `d`, grid cell (r, c) (padding offset
 * already applied). */
static inline void put(float *out, size_t plane, size_t ncols, size_t d, size_t r, size_t c,
                       float value)
{
    out[d * plane + r * ncols + c] = value;
}

static void features(const float *hist, const float *norm, long cells_nc, size_t hog_nr,
                     size_t hog_nc, size_t off_r, size_t off_c, size_t out_rows,
                     size_t out_cols, float *out)
{
    const size_t hstride = (size_t)(cells_nc + 2), nstride = (size_t)cells_nc;
    const size_t plane = out_rows * out_cols;
    const float texture_scale = (float)(2 * 0.2357);
    for (size_t y = 0; y < hog_nr; y++) {
        for (size_t x = 0; x < hog_nc; x++) {
            float z[4], nn[4], n[4], t[4] = {0, 0, 0, 0};
            block_energies(norm, nstride, y + 1, x + 1, z);
            for (int i = 0; i < 4; i++) {
                nn[i] = 0.2f * sqrtf(z[i]);
                n[i] = 0.1f / nn[i];
            }
            const float *h = hist + ((y + 2) * hstride + (x + 2)) * 18;
            const size_t r = y + off_r, c = x + off_c;
            for (int o = 0; o < 18; o += 3) {
                float s[3][4];
                for (int j = 0; j < 3; j++) {
                    for (int i = 0; i < 4; i++)
                        s[j][i] = min_ps(h[o + j], nn[i]) * n[i];
                    put(out, plane, out_cols, (size_t)(o + j), r, c, lane_sum(s[j]));
                }
                for (int i = 0; i < 4; i++)
                    t[i] += s[0][i] + s[1][i] + s[2][i];
            }
            for (int o = 0; o < 9; o++) {
                const float sum = h[o] + h[o + 9];
                float s[4];
                for (int i = 0; i < 4; i++)
                    s[i] = min_ps(sum, nn[i]) * n[i];
                put(out, plane, out_cols, (size_t)(18 + o), r, c, lane_sum(s));
            }
            for (int i = 0; i < 4; i++)
                put(out, plane, out_cols, (size_t)(27 + i), r, c, t[i] * texture_scale);
        }
    }
}

/* cell_size == 1: dlib's separate path, one pixel per cell, no
 * interpolation; norm holds squared gradient lengths (zero border). */
static void features_cell1(const hk_image *im, dlib_rows *v, int32_t *rows, float *norm,
                           unsigned char *angle, size_t off_r, size_t off_c, size_t out_rows,
                           size_t out_cols, float *out)
{
    const size_t nr = im->height, nc = im->width;
    const size_t split = simd_end((long)nc - 1);
    const size_t plane = out_rows * out_cols;
    memset(norm, 0, nr * nc * sizeof(float));
    memset(angle, 0, nr * nc);
    int32_t *ring[3];
    first_rows(im, v, rows, ring);
    for (size_t y = 1; y + 1 < nr; y++) {
        next_row(im, v, ring, y);
        for (size_t x = 1; x + 1 < nc; x++) {
            float gx, gy, len;
            pixel_grad(v, x, x < split, &gx, &gy, &len);
            norm[y * nc + x] = len;
            angle[y * nc + x] = (unsigned char)snap18(gx, gy);
        }
    }
    const float texture_scale = (float)(2 * 0.2357);
    for (size_t y = 0; y + 2 < nr; y++)
        for (size_t x = 0; x + 2 < nc; x++) {
            float z[4], h[4];
            block_energies(norm, nc, y + 1, x + 1, z);
            const float m = sqrtf(norm[(y + 1) * nc + x + 1]);
            for (int i = 0; i < 4; i++) {
                const float nn = 0.2f * sqrtf(z[i]);
                h[i] = min_ps(m, nn) * (0.1f / nn);
            }
            const float vv = lane_sum(h);
            const unsigned a = angle[(y + 1) * nc + x + 1];
            const size_t r = y + off_r, c = x + off_c;
            put(out, plane, out_cols, a, r, c, vv);
            put(out, plane, out_cols, a % 9 + 18, r, c, vv);
            for (int i = 0; i < 4; i++)
                put(out, plane, out_cols, (size_t)(27 + i), r, c, h[i] * texture_scale);
        }
}

/* Finite cell energies make every feature finite: each histogram value is
 * then finite (its square is part of an energy); a block sum z that
 * overflows gives nn = inf and n = 0.1 / nn = 0, so min(h, nn) * n = 0; a
 * finite z >= 1e-4 gives finite nn > 0 and n. cell_size 1 needs no check:
 * squared lengths of gradients below 2^31 stay below 2^63. So hk_hog_extract
 * need not scan the dlib variant's output. */
int hk_dlib_energies_finite(const float *e, size_t n)
{
    uint32_t bad = 0; /* no early exit: vectorises */
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &e[i], sizeof u);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}

hk_status hk_dlib_check_samples(const hk_image *im)
{
    if (im->type != HK_F32 && im->type != HK_F64)
        return HK_OK;
    for (size_t y = 0; y < im->height; y++)
        for (size_t x = 0; x < im->width; x++)
            for (unsigned c = 0; c < im->channels; c++)
                if (fabs(hk_sample_at(im, x, y, c)) >= DLIB_MAX_SAMPLE)
                    return HK_ERR_DOMAIN;
    return HK_OK;
}

hk_status hk_dlib_extract(hk_hog_ctx *ctx, const hk_dlib_params *p, const hk_image *im,
                          float *out)
{
    hk_shape shape;
    hk_status st = hk_dlib_shape(p, im->width, im->height, im->channels, &shape);
    if (st != HK_OK)
        return st;
    if (shape.count == 0)
        return HK_OK;
    st = hk_dlib_check_samples(im);
    if (st != HK_OK)
        return st;
    dlib_rows v = {{NULL, NULL, NULL}, im->width, im->channels >= 3};
    const size_t out_rows = shape.dims[1], out_cols = shape.dims[2];
    const size_t off_r = (size_t)(p->filter_rows_padding - 1) / 2;
    const size_t off_c = (size_t)(p->filter_cols_padding - 1) / 2;
    /* padding borders are zero, as init_hog leaves them */
    memset(out, 0, shape.count * sizeof(float));

    size_t row_n; /* ints in one converted row */
    if (!hk_mul_size(v.rgb ? 3u : 1u, im->width, &row_n))
        return HK_ERR_OVERFLOW;
    hk_carve cv = {0, 1};
    const size_t o_rows = hk_carve_take(&cv, row_n, 3u * sizeof(int32_t));
    if (p->cell_size == 1) {
        size_t px;
        if (!hk_mul_size(im->width, im->height, &px))
            return HK_ERR_OVERFLOW;
        const size_t o_norm = hk_carve_take(&cv, px, sizeof(float));
        const size_t o_angle = hk_carve_take(&cv, px, 1);
        if (!cv.ok)
            return HK_ERR_OVERFLOW;
        unsigned char *base = hk_ctx_scratch(ctx, cv.used);
        if (!base)
            return HK_ERR_NOMEM;
        features_cell1(im, &v, (int32_t *)(base + o_rows), (float *)(base + o_norm),
                       base + o_angle, off_r, off_c, out_rows, out_cols, out);
        return HK_OK;
    }
    long cells_nr, cells_nc;
    hk_dlib_cells(p->cell_size, im->height, im->width, &cells_nr, &cells_nc);
    size_t hcells, ncells;
    if (!hk_mul_size((size_t)cells_nr + 2u, (size_t)cells_nc + 2u, &hcells) ||
        !hk_mul_size((size_t)cells_nr, (size_t)cells_nc, &ncells))
        return HK_ERR_OVERFLOW;
    const size_t o_hist = hk_carve_take(&cv, hcells, 18 * sizeof(float));
    const size_t o_norm = hk_carve_take(&cv, ncells, sizeof(float));
    const size_t o_cols = hk_carve_take(&cv, im->width, sizeof(dlib_col));
    if (!cv.ok)
        return HK_ERR_OVERFLOW;
    unsigned char *base = hk_ctx_scratch(ctx, cv.used);
    if (!base)
        return HK_ERR_NOMEM;
    float *hist = (float *)(base + o_hist), *norm = (float *)(base + o_norm);
    memset(hist, 0, hcells * 18 * sizeof(float));
    histograms(im, &v, (int32_t *)(base + o_rows), (dlib_col *)(base + o_cols), p->cell_size,
               cells_nr, cells_nc, hist);
    const size_t hstride = (size_t)cells_nc + 2u;
    for (long r = 0; r < cells_nr; r++)
        for (long c = 0; c < cells_nc; c++) {
            const float *h = hist + ((size_t)(r + 1) * hstride + (size_t)(c + 1)) * 18;
            float e = 0;
            for (int o = 0; o < 9; o++)
                e += (h[o] + h[o + 9]) * (h[o] + h[o + 9]);
            norm[(size_t)r * (size_t)cells_nc + (size_t)c] = e;
        }
    features(hist, norm, cells_nc, (size_t)cells_nr - 2u, (size_t)cells_nc - 2u, off_r, off_c,
             out_rows, out_cols, out);
    return hk_dlib_energies_finite(norm, ncells) ? HK_OK : HK_ERR_DOMAIN;
}
