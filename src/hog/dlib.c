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

/* Pixel access as dlib sees it: integer samples (float ones truncated). */
typedef struct dlib_view {
    const hk_image *im;
    int rgb; /* 3 or 4 channels: rgb_pixel; 1 or 2: grey (alpha ignored) */
} dlib_view;

static inline long sample_i(const dlib_view *v, size_t x, size_t y, unsigned c)
{
    return (long)hk_sample_at(v->im, x, y, c); /* C truncation, as (int) in dlib */
}

/* Gradient of one channel at (x, y): integer differences. */
static inline void channel_grad(const dlib_view *v, size_t x, size_t y, unsigned c, long *gx,
                                long *gy)
{
    *gx = sample_i(v, x + 1, y, c) - sample_i(v, x - 1, y, c);
    *gy = sample_i(v, x, y + 1, c) - sample_i(v, x, y - 1, c);
}

/* dlib's get_gradient: the gradient (as floats) and its squared length.
 * `simd` selects the tie rule of the 8-wide loop for colour images. */
static void pixel_grad(const dlib_view *v, size_t x, size_t y, int simd, float *gx, float *gy,
                       float *len)
{
    long rx, ry;
    channel_grad(v, x, y, 0, &rx, &ry);
    if (!v->rgb) {
        *gx = (float)rx;
        *gy = (float)ry;
        *len = *gx * *gx + *gy * *gy;
        return;
    }
    long gx_[3] = {rx, 0, 0}, gy_[3] = {ry, 0, 0};
    long long l[3];
    channel_grad(v, x, y, 1, &gx_[1], &gy_[1]);
    channel_grad(v, x, y, 2, &gx_[2], &gy_[2]);
    for (int c = 0; c < 3; c++)
        l[c] = (long long)gx_[c] * gx_[c] + (long long)gy_[c] * gy_[c];
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

/* Snaps a gradient to one of 18 directed bins (best starts at 0, bin 0). */
static int snap18(float gx, float gy)
{
    float best_dot = 0;
    int best_o = 0;
    for (int o = 0; o < 9; o++) {
        const float dot = gx * DIR_X[o] + gy * DIR_Y[o];
        if (dot > best_dot) {
            best_dot = dot;
            best_o = o;
        } else if (-dot > best_dot) {
            best_dot = -dot;
            best_o = o + 9;
        }
    }
    return best_o;
}

/* First column of the scalar tail: dlib's SIMD loop runs x = 1, 9, 17, ...
 * while x < visible_nc - 7. */
static size_t simd_end(long visible_nc)
{
    long x = 1;
    while (x < visible_nc - 7)
        x += 8;
    return (size_t)x;
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

/* Main path (cell_size >= 2): histograms of (cells_nr+2) x (cells_nc+2)
 * cells with a one-cell border, 18 bins each. */
static void histograms(const dlib_view *v, int cs, long cells_nr, long cells_nc, float *hist)
{
    const hk_image *im = v->im;
    const size_t hstride = (size_t)(cells_nc + 2);
    long vnr = cells_nr * cs < (long)im->height ? cells_nr * cs : (long)im->height;
    long vnc = cells_nc * cs < (long)im->width ? cells_nc * cs : (long)im->width;
    const long visible_nr = vnr - 1, visible_nc = vnc - 1;
    const size_t split = simd_end(visible_nc);
    const float csf = (float)cs;
    for (long y = 1; y < visible_nr; y++) {
        const float yp = (float)(((double)(float)y + 0.5) / (double)csf - 0.5);
        const long iyp = (long)floorf(yp);
        const float vy0 = yp - (float)iyp;
        const float vy1 = 1.0f - vy0;
        float *row0 = hist + (size_t)(iyp + 1) * hstride * 18;
        float *row1 = row0 + hstride * 18;
        for (long x = 1; x < visible_nc; x++) {
            const int simd = (size_t)x < split;
            float gx, gy, len;
            pixel_grad(v, (size_t)x, (size_t)y, simd, &gx, &gy, &len);
            const int o = snap18(gx, gy);
            const float m = sqrtf(len);
            size_t ix; /* hist column of the left cell (border included) */
            float w00, w01, w10, w11;
            if (simd) {
                const float xp = ((float)x + 0.5f) / csf + 0.5f;
                const long ixp = (long)xp;
                const float vx0 = xp - (float)ixp;
                const float vx1 = 1.0f - vx0;
                const float a1 = vx1 * m, a0 = vx0 * m;
                w11 = vy1 * a1;
                w01 = vy0 * a1;
                w10 = vy1 * a0;
                w00 = vy0 * a0;
                ix = (size_t)ixp;
            } else {
                const float xp = (float)(((double)x + 0.5) / (double)cs - 0.5);
                const long ixp = (long)floorf(xp);
                const float vx0 = xp - (float)ixp;
                const float vx1 = 1.0f - vx0;
                w11 = vy1 * vx1 * m;
                w01 = vy0 * vx1 * m;
                w10 = vy1 * vx0 * m;
                w00 = vy0 * vx0 * m;
                ix = (size_t)(ixp + 1);
            }
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
static void features_cell1(const dlib_view *v, float *norm, unsigned char *angle, size_t off_r,
                           size_t off_c, size_t out_rows, size_t out_cols, float *out)
{
    const hk_image *im = v->im;
    const size_t nr = im->height, nc = im->width;
    const size_t split = simd_end((long)nc - 1);
    const size_t plane = out_rows * out_cols;
    memset(norm, 0, nr * nc * sizeof(float));
    memset(angle, 0, nr * nc);
    for (size_t y = 1; y + 1 < nr; y++)
        for (size_t x = 1; x + 1 < nc; x++) {
            float gx, gy, len;
            pixel_grad(v, x, y, x < split, &gx, &gy, &len);
            norm[y * nc + x] = len;
            angle[y * nc + x] = (unsigned char)snap18(gx, gy);
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

static hk_status check_samples(const hk_image *im)
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
    st = check_samples(im);
    if (st != HK_OK)
        return st;
    const dlib_view v = {im, im->channels >= 3};
    const size_t out_rows = shape.dims[1], out_cols = shape.dims[2];
    const size_t off_r = (size_t)(p->filter_rows_padding - 1) / 2;
    const size_t off_c = (size_t)(p->filter_cols_padding - 1) / 2;
    /* padding borders are zero, as init_hog leaves them */
    memset(out, 0, shape.count * sizeof(float));

    size_t bytes;
    if (p->cell_size == 1) {
        size_t px;
        if (!hk_mul_size(im->width, im->height, &px) ||
            !hk_mul_size(px, sizeof(float) + 1u, &bytes))
            return HK_ERR_OVERFLOW;
        float *norm = hk_ctx_scratch(ctx, bytes);
        if (!norm)
            return HK_ERR_NOMEM;
        features_cell1(&v, norm, (unsigned char *)(norm + px), off_r, off_c, out_rows, out_cols,
                       out);
        return HK_OK;
    }
    long cells_nr, cells_nc;
    hk_dlib_cells(p->cell_size, im->height, im->width, &cells_nr, &cells_nc);
    size_t hcells, ncells, floats;
    if (!hk_mul_size((size_t)cells_nr + 2u, (size_t)cells_nc + 2u, &hcells) ||
        !hk_mul_size((size_t)cells_nr, (size_t)cells_nc, &ncells) ||
        !hk_mul_size(hcells, 18, &floats) || !hk_add_size(floats, ncells, &floats) ||
        !hk_mul_size(floats, sizeof(float), &bytes))
        return HK_ERR_OVERFLOW;
    float *hist = hk_ctx_scratch(ctx, bytes);
    if (!hist)
        return HK_ERR_NOMEM;
    float *norm = hist + hcells * 18;
    memset(hist, 0, bytes);
    histograms(&v, p->cell_size, cells_nr, cells_nc, hist);
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
    return HK_OK;
}
