/* MaskFeat batch API and the 4-D .npy stack reader: agreement between the
 * batch path and hk_hog_extract, error statuses, hostile headers. (Values
 * are checked against the NumPy definition in tests/python/test_maskfeat.py.) */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hogkit.h"

static float sample(size_t i, size_t c, size_t y, size_t x)
{
    unsigned v = (unsigned)(i * 7919 + c * 104729 + y * 131 + x * 17 + y * x);
    return (float)((v % 1000) / 250.0 - 2.0);
}

static void batch_matches_single(size_t n, size_t c, size_t h, size_t w, int gw)
{
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_MASKFEAT);
    p.maskfeat.gaussian_window = gw;
    size_t plane = h * w;
    float *batch = malloc(n * c * plane * sizeof(float));
    float *hwc = malloc(c * plane * sizeof(float));
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c; k++)
            for (size_t y = 0; y < h; y++)
                for (size_t x = 0; x < w; x++)
                    batch[((i * c + k) * h + y) * w + x] = sample(i, k, y, x);
    hk_shape bs, is;
    CHECK(hk_maskfeat_targets_shape(&p, n, c, h, w, &bs) == HK_OK);
    CHECK(bs.ndim == 3 && bs.dims[0] == n);
    CHECK(hk_hog_shape(&p, (uint32_t)w, (uint32_t)h, (uint32_t)c, &is) == HK_OK);
    CHECK(is.ndim == 2 && is.dims[0] == bs.dims[1] && is.dims[1] == bs.dims[2]);
    float *out = malloc(bs.count * sizeof(float) + 1);
    float *one = malloc(is.count * sizeof(float) + 1);
    CHECK(hk_maskfeat_targets(NULL, &p, batch, n, c, h, w, out, bs.count - 1) ==
          HK_ERR_BUFFER_TOO_SMALL);
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    CHECK(hk_maskfeat_targets(ctx, &p, batch, n, c, h, w, out, bs.count) == HK_OK);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < c; k++)
            for (size_t y = 0; y < plane; y++)
                hwc[y * c + k] = batch[(i * c + k) * plane + y];
        hk_image im = {(uint32_t)w, (uint32_t)h, (uint32_t)c, HK_F32, w * c * sizeof(float), hwc};
        CHECK(hk_hog_extract(ctx, &p, &im, one, is.count) == HK_OK);
        CHECK(memcmp(one, out + i * is.count, is.count * sizeof(float)) == 0);
    }
    hk_hog_ctx_free(ctx);
    free(batch);
    free(hwc);
    free(out);
    free(one);
}

static void errors(void)
{
    hk_hog_params p;
    hk_shape s;
    float buf[4] = {0};
    hk_hog_params_default(&p, HK_VARIANT_MASKFEAT);
    CHECK(hk_maskfeat_targets_shape(&p, 1, 3, 1, 64, &s) == HK_ERR_TOO_SMALL);
    CHECK(hk_maskfeat_targets_shape(&p, 1, 0, 64, 64, &s) == HK_ERR_INVALID_ARG);
    CHECK(hk_maskfeat_targets_shape(&p, 0, 3, 64, 64, &s) == HK_OK && s.count == 0);
    CHECK(hk_maskfeat_targets_shape(&p, (size_t)1 << 62, 3, 64, 64, &s) == HK_ERR_OVERFLOW);
    CHECK(hk_maskfeat_targets_shape(&p, 1, 3, 8, 8, &s) == HK_OK && s.dims[1] == 0);
    p.maskfeat.gaussian_window = 16;
    CHECK(hk_maskfeat_targets_shape(&p, 1, 3, 64, 48, &s) == HK_ERR_UNSUPPORTED);
    CHECK(hk_maskfeat_targets_shape(&p, 1, 3, 40, 40, &s) == HK_ERR_UNSUPPORTED);
    p.maskfeat.gaussian_window = 1;
    CHECK(hk_maskfeat_targets_shape(&p, 1, 3, 64, 64, &s) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_MASKFEAT);
    p.maskfeat.patch = 12;
    CHECK(hk_hog_params_check(&p) == HK_ERR_INVALID_ARG);
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    CHECK(hk_maskfeat_targets_shape(&p, 1, 3, 64, 64, &s) == HK_ERR_INVALID_ARG);
    /* float32 overflow in the gradient: finite input, non-finite magnitude */
    hk_hog_params_default(&p, HK_VARIANT_MASKFEAT);
    p.maskfeat.pool = 2;
    p.maskfeat.patch = 2;
    float big[16];
    for (int i = 0; i < 16; i++)
        big[i] = (i % 2) ? 3e38f : -3e38f;
    CHECK(hk_maskfeat_targets(NULL, &p, big, 1, 1, 4, 4, buf, 4) == HK_ERR_BUFFER_TOO_SMALL);
    float out[4 * 9];
    CHECK(hk_maskfeat_targets(NULL, &p, big, 1, 1, 4, 4, out, 4 * 9) == HK_ERR_NONFINITE);
    CHECK(hk_maskfeat_targets(NULL, &p, NULL, 1, 1, 4, 4, out, 4 * 9) == HK_ERR_INVALID_ARG);
}

/* A .npy v1 file with the given dict text, followed by `data` bytes. */
static size_t make_npy(unsigned char *buf, const char *dict, size_t data)
{
    size_t len = strlen(dict);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(len & 0xff);
    buf[9] = (unsigned char)(len >> 8);
    memcpy(buf + 10, dict, len);
    memset(buf + 10 + len, 0, data);
    return 10 + len + data;
}

static void stack_reader(void)
{
    static unsigned char buf[1 << 16];
    size_t shape[4];
    float out[64];
    size_t n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 2, 3), }\n",
                        48);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_OK);
    CHECK(shape[0] == 2 && shape[1] == 1 && shape[2] == 2 && shape[3] == 3);
    CHECK(hk_npy_stack_decode(buf, n, NULL, out, 11) == HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_npy_stack_decode(buf, n, NULL, out, 12) == HK_OK);
    CHECK(hk_npy_stack_info(buf, n - 1, NULL, shape) == HK_ERR_TRUNCATED);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1), }", 8);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,1,1,1), }", 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1), }", 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '<f4', 'shape': (1,1,1,1), }", 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_FORMAT);
    n = make_npy(buf, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1)}",
                 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_FORMAT);
    n = make_npy(buf,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,1,1,1)}",
                 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_LIMIT);
    n = make_npy(buf,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,1,1,2)}",
                 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_OVERFLOW);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,65,1,1)}", 260);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_LIMIT);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1)} x", 4);
    CHECK(hk_npy_stack_info(buf, n, NULL, shape) == HK_ERR_FORMAT);
    /* every prefix of a valid file fails cleanly */
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2), }", 16);
    for (size_t k = 0; k < n; k++)
        CHECK(hk_npy_stack_info(buf, k, NULL, shape) != HK_OK);
    /* random byte flips in a valid file: any status, never a crash or an
     * out-of-bounds read (the sanitizer run checks), and a success only
     * with a shape the data covers */
    unsigned long long r = 12345;
    size_t ok = 0;
    static unsigned char m[256];
    for (int it = 0; it < 20000; it++) {
        memcpy(m, buf, n);
        for (int f = 0; f < 1 + it % 4; f++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            m[r % n] = (unsigned char)(r >> 40);
        }
        if (hk_npy_stack_info(m, n, NULL, shape) == HK_OK) {
            ok++;
            size_t cnt = shape[0] * shape[1] * shape[2] * shape[3];
            CHECK(cnt <= 16);
            CHECK(hk_npy_stack_decode(m, n, NULL, out, 64) == HK_OK);
        }
    }
    CHECK(ok > 0);
}

int main(void)
{
    batch_matches_single(3, 3, 32, 48, 0);
    batch_matches_single(2, 13, 28, 28, 0);
    batch_matches_single(2, 2, 64, 64, 16);
    batch_matches_single(1, 1, 17, 35, 0);
    errors();
    stack_reader();
    return check_report("test_maskfeat_api");
}
