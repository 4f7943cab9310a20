/* Unit tests of the VLFeat and dlib variants: cell grids and output shapes,
 * parameter checks, the normalisation on hand-computed tiny images, padding
 * layout, flip permutations and error paths. The differential tests against
 * the real libraries are tests/python/test_vlfeat_diff.py and
 * test_dlib_diff.py. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hog/hog_internal.h"

static hk_image view(const void *data, uint32_t w, uint32_t h, uint32_t c, hk_sample_type t)
{
    hk_image im = {w, h, c, t, (size_t)w * c * hk_sample_size(t), data};
    return im;
}

static hk_status shape_of(hk_variant v, int cell, uint32_t w, uint32_t h, uint32_t c,
                          hk_shape *s)
{
    hk_hog_params p;
    hk_hog_params_default(&p, v);
    p.vlfeat.cell_size = cell;
    p.dlib.cell_size = cell;
    return hk_hog_shape(&p, w, h, c, s);
}

static void test_vlfeat_grid(void)
{
    hk_shape s;
    /* hogW = (W + cs/2) / cs: the last cell is at least half inside */
    CHECK(shape_of(HK_VARIANT_VLFEAT_UOCTTI, 8, 53, 37, 1, &s) == HK_OK);
    CHECK(s.ndim == 3 && s.dims[0] == 31 && s.dims[1] == 5 && s.dims[2] == 7);
    CHECK(s.count == 31 * 5 * 7);
    CHECK(shape_of(HK_VARIANT_VLFEAT_DT, 8, 53, 37, 3, &s) == HK_OK);
    CHECK(s.dims[0] == 36 && s.dims[1] == 5 && s.dims[2] == 7);
    CHECK(shape_of(HK_VARIANT_VLFEAT_DT, 8, 12, 11, 1, &s) == HK_OK);
    CHECK(s.dims[1] == 1 && s.dims[2] == 2); /* (11+4)/8 = 1, (12+4)/8 = 2 */
    CHECK(shape_of(HK_VARIANT_VLFEAT_DT, 5, 4, 4, 1, &s) == HK_OK);
    CHECK(s.dims[1] == 1 && s.dims[2] == 1); /* (4+2)/5 */
    CHECK(shape_of(HK_VARIANT_VLFEAT_DT, 16, 4, 4, 1, &s) == HK_ERR_TOO_SMALL); /* (4+8)/16 = 0 */
    CHECK(shape_of(HK_VARIANT_VLFEAT_DT, 1, 3, 10, 1, &s) == HK_ERR_TOO_SMALL); /* width < 4 */
    CHECK(shape_of(HK_VARIANT_VLFEAT_DT, 1, 10, 3, 1, &s) == HK_ERR_TOO_SMALL);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_VLFEAT_UOCTTI);
    p.vlfeat.orientations = 4;
    CHECK(hk_hog_shape(&p, 64, 64, 1, &s) == HK_OK && s.dims[0] == 16);
    p.vlfeat.orientations = 0;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    p.vlfeat.orientations = 9;
    p.vlfeat.cell_size = 0;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    p.vlfeat.cell_size = 8;
    p.vlfeat.bilinear_orientations = 2;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
}

static void test_dlib_grid(void)
{
    long nr, nc;
    /* cells = (int)(n / cs + 0.5): round half up */
    hk_dlib_cells(8, 128, 64, &nr, &nc);
    CHECK(nr == 16 && nc == 8);
    hk_dlib_cells(8, 36, 35, &nr, &nc);
    CHECK(nr == 5 && nc == 4); /* 4.5 -> 5, 4.375 -> 4 */
    hk_dlib_cells(3, 1, 2, &nr, &nc);
    CHECK(nr == 0 && nc == 1);
    hk_shape s;
    CHECK(shape_of(HK_VARIANT_DLIB, 8, 64, 128, 1, &s) == HK_OK);
    CHECK(s.ndim == 3 && s.dims[0] == 31 && s.dims[1] == 14 && s.dims[2] == 6);
    CHECK(shape_of(HK_VARIANT_DLIB, 8, 20, 20, 3, &s) == HK_OK); /* 3 cells -> 1 */
    CHECK(s.dims[1] == 1 && s.dims[2] == 1);
    CHECK(shape_of(HK_VARIANT_DLIB, 8, 19, 19, 1, &s) == HK_OK); /* 2 cells -> empty */
    CHECK(s.dims[0] == 31 && s.dims[1] == 0 && s.dims[2] == 0 && s.count == 0);
    /* cell_size 1: (H-2) x (W-2), empty at 2 pixels */
    CHECK(shape_of(HK_VARIANT_DLIB, 1, 5, 4, 1, &s) == HK_OK);
    CHECK(s.dims[1] == 2 && s.dims[2] == 3);
    CHECK(shape_of(HK_VARIANT_DLIB, 1, 2, 9, 1, &s) == HK_OK && s.count == 0);
    /* padding adds p - 1 rows / columns, not to an empty result */
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_DLIB);
    p.dlib.filter_rows_padding = 3;
    p.dlib.filter_cols_padding = 2;
    CHECK(hk_hog_shape(&p, 64, 128, 1, &s) == HK_OK && s.dims[1] == 16 && s.dims[2] == 7);
    CHECK(hk_hog_shape(&p, 16, 16, 1, &s) == HK_OK && s.count == 0 && s.dims[1] == 0);
    CHECK(hk_hog_shape(&p, 16, 16, 5, &s) == HK_ERR_UNSUPPORTED);
    p.dlib.filter_rows_padding = 0;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    p.dlib.filter_rows_padding = 1;
    p.dlib.cell_size = 0;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
}

/* 4x4 ramp I = 10x, one 4-pixel cell: every interior pixel has gradient
 * (20, 0) -> bin 0 with cell weights 0.875 * 0.875, so h0 = 4 * 20 * 0.765625
 * = 61.25; the clamped neighbours are the cell itself, each factor is
 * 1/sqrt(4 h0^2 + 1e-4), f*h0 ~ 0.5 is clipped to 0.2. */
static void test_vlfeat_single_cell(void)
{
    uint8_t img[16];
    for (int i = 0; i < 16; i++)
        img[i] = (uint8_t)(10 * (i % 4));
    hk_image im = view(img, 4, 4, 1, HK_U8);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_VLFEAT_DT);
    p.vlfeat.cell_size = 4;
    p.vlfeat.orientations = 9;
    float out[36];
    CHECK(hk_hog_extract(NULL, &p, &im, out, 36) == HK_OK);
    for (int d = 0; d < 36; d++)
        CHECK_NEAR(out[d], d % 9 == 0 ? 0.2 : 0.0, 1e-7);
    p.variant = HK_VARIANT_VLFEAT_UOCTTI;
    float u[31];
    CHECK(hk_hog_extract(NULL, &p, &im, u, 31) == HK_OK);
    CHECK_NEAR(u[0], 0.4, 1e-7);  /* 0.5 * 4 clipped blocks, directed 0 deg */
    CHECK_NEAR(u[9], 0.0, 0);     /* directed 180 deg: no vote */
    CHECK_NEAR(u[18], 0.4, 1e-7); /* undirected */
    for (int i = 27; i < 31; i++)
        CHECK_NEAR(u[i], 0.2 / sqrt(18.0), 1e-7);
    /* the mirrored ramp votes 180 degrees instead */
    for (int i = 0; i < 16; i++)
        img[i] = (uint8_t)(10 * (3 - i % 4));
    CHECK(hk_hog_extract(NULL, &p, &im, u, 31) == HK_OK);
    CHECK_NEAR(u[0], 0.0, 0);
    CHECK_NEAR(u[9], 0.4, 1e-7);
    /* a flat image gives zeros (eps keeps the factors finite) */
    memset(img, 7, sizeof(img));
    CHECK(hk_hog_extract(NULL, &p, &im, u, 31) == HK_OK);
    for (int i = 0; i < 31; i++)
        CHECK(u[i] == 0.0f);
}

/* dlib cell_size 1 on 3x3: one output cell whose block energies are its own
 * |g|^2 plus zeros, so each of the 4 blocks clips to 0.1: the bin gets 0.4,
 * texture 0.1 * 2 * 0.2357. With padding (3, 2) it sits at row 1, col 0. */
static void test_dlib_cell1(void)
{
    float img[9] = {0, 10, 20, 0, 10, 20, 0, 10, 20};
    hk_image im = view(img, 3, 3, 1, HK_F32);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_DLIB);
    p.dlib.cell_size = 1;
    p.dlib.filter_rows_padding = 3;
    p.dlib.filter_cols_padding = 2;
    hk_shape s;
    CHECK(hk_hog_shape(&p, 3, 3, 1, &s) == HK_OK && s.dims[1] == 3 && s.dims[2] == 2);
    float out[31 * 6];
    memset(out, 0xff, sizeof(out));
    CHECK(hk_hog_extract(NULL, &p, &im, out, s.count) == HK_OK);
    for (int d = 0; d < 31; d++)
        for (int i = 0; i < 6; i++) {
            float v = out[d * 6 + i];
            if (i != 2) { /* row 1, col 0 */
                CHECK(v == 0.0f);
                continue;
            }
            double want = d == 0 || d == 18 ? 0.4 : d >= 27 ? 0.1 * 0.4714 : 0.0;
            CHECK_NEAR(v, want, 1e-7);
        }
    /* float samples are truncated: +0.9 changes nothing, -0.5 -> 0 too */
    float img2[9] = {0.9f, 10.5f, 20.99f, -0.5f, 10.2f, 20.1f, 0.3f, 10.9f, 20.4f};
    im.data = img2;
    float out2[31 * 6];
    CHECK(hk_hog_extract(NULL, &p, &im, out2, s.count) == HK_OK);
    CHECK(memcmp(out, out2, sizeof(out)) == 0);
    /* too large for int */
    img2[4] = 3e9f;
    CHECK(hk_hog_extract(NULL, &p, &im, out2, s.count) == HK_ERR_DOMAIN);
}

static void test_errors_and_ctx(void)
{
    enum { W = 40, H = 33 };
    float img[W * H];
    for (int i = 0; i < W * H; i++)
        img[i] = (float)((i * 7919) % 251);
    hk_image im = view(img, W, H, 1, HK_F32);
    const hk_variant vs[3] = {HK_VARIANT_VLFEAT_DT, HK_VARIANT_VLFEAT_UOCTTI, HK_VARIANT_DLIB};
    hk_hog_ctx *ctx = NULL;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    for (int k = 0; k < 3; k++) {
        hk_hog_params p;
        hk_hog_params_default(&p, vs[k]);
        p.vlfeat.cell_size = p.dlib.cell_size = 4;
        hk_shape s;
        CHECK(hk_hog_shape(&p, W, H, 1, &s) == HK_OK && s.count > 0);
        float *a = malloc(s.count * sizeof(float)), *b = malloc(s.count * sizeof(float));
        CHECK(hk_hog_extract(NULL, &p, &im, a, s.count - 1) == HK_ERR_BUFFER_TOO_SMALL);
        CHECK(hk_hog_extract(NULL, &p, &im, a, s.count) == HK_OK);
        /* a context reused after a different size gives the same result */
        hk_image small = view(img, 9, 9, 1, HK_F32);
        small.stride = W * sizeof(float);
        hk_shape s2;
        CHECK(hk_hog_shape(&p, 9, 9, 1, &s2) == HK_OK);
        float tmp[31 * 9 * 9 * 2];
        CHECK(hk_hog_extract(ctx, &p, &small, tmp, sizeof(tmp) / sizeof(tmp[0])) == HK_OK);
        CHECK(hk_hog_extract(ctx, &p, &im, b, s.count) == HK_OK);
        CHECK(memcmp(a, b, s.count * sizeof(float)) == 0);
        img[5] = NAN;
        CHECK(hk_hog_extract(ctx, &p, &im, b, s.count) == HK_ERR_NONFINITE);
        img[5] = 3;
        free(a);
        free(b);
    }
    hk_hog_ctx_free(ctx);
    /* VLFeat: float64 beyond float32's range is refused, not turned into Inf */
    double big[16] = {0};
    big[5] = 1e300;
    hk_image bim = view(big, 4, 4, 1, HK_F64);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_VLFEAT_DT);
    p.vlfeat.cell_size = 4;
    float o[36];
    CHECK(hk_hog_extract(NULL, &p, &bim, o, 36) == HK_ERR_DOMAIN);
    big[5] = 1e30; /* rounds to a finite float */
    CHECK(hk_hog_extract(NULL, &p, &bim, o, 36) == HK_OK);
}

static int is_involution(const size_t *perm, size_t d)
{
    for (size_t i = 0; i < d; i++)
        if (perm[i] >= d || perm[perm[i]] != i)
            return 0;
    return 1;
}

static void test_flip(void)
{
    size_t perm[64], d = 0;
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_DLIB, 0, NULL, 0, &d) == HK_ERR_BUFFER_TOO_SMALL);
    CHECK(d == 31);
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_DLIB, 0, perm, 64, &d) == HK_OK);
    CHECK(is_involution(perm, 31));
    CHECK(perm[0] == 9 && perm[4] == 5 && perm[18] == 18 && perm[27] == 29);
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_VLFEAT_UOCTTI, 9, perm, 64, &d) == HK_OK);
    CHECK(d == 31 && is_involution(perm, 31) && perm[0] == 9 && perm[27] == 28);
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_VLFEAT_DT, 12, perm, 64, &d) == HK_OK);
    CHECK(d == 48 && is_involution(perm, 48) && perm[0] == 12 && perm[13] == 11);
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_VLFEAT_DT, 0, perm, 64, &d) == HK_ERR_INVALID_ARG);
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_SKIMAGE, 9, perm, 64, &d) == HK_ERR_INVALID_ARG);
    CHECK(hk_fhog_flip_permutation(HK_VARIANT_DLIB, 0, perm, 64, NULL) == HK_ERR_INVALID_ARG);
}

int main(void)
{
    test_vlfeat_grid();
    test_dlib_grid();
    test_vlfeat_single_cell();
    test_dlib_cell1();
    test_errors_and_ctx();
    test_flip();
    return check_report("test_hog_fhog");
}
