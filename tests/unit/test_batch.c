/* Batches and stacks: hk_hog_extract_batch / _stack equal image-by-image
 * hk_hog_extract for every thread count; IDX and .npy stack readers on
 * well-formed and hostile files (limits before allocation, truncation,
 * unsupported types). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "hogkit.h"

static uint64_t rng = 12345;
static unsigned next8(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 56);
}

static void test_batch_equals_single(void)
{
    enum { N = 150, W = 28, H = 28 };
    static uint8_t pix[N][H][W];
    for (int i = 0; i < N; i++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                pix[i][y][x] = (uint8_t)(next8() % 4 == 0 ? next8() : (x * 9 + y * (i % 7)) & 255);
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    p.skimage.cell_rows = p.skimage.cell_cols = 4;
    p.skimage.block_rows = p.skimage.block_cols = 2;
    hk_shape bs, one;
    CHECK(hk_hog_batch_shape(&p, N, W, H, 1, &bs) == HK_OK);
    CHECK(hk_hog_shape(&p, W, H, 1, &one) == HK_OK);
    CHECK(bs.ndim == 2 && bs.dims[0] == N && bs.dims[1] == one.count && bs.count == N * one.count);
    float *want = malloc(bs.count * sizeof(float)), *got = malloc(bs.count * sizeof(float));
    hk_image ims[N];
    p.simd = HK_SIMD_SCALAR;
    for (int i = 0; i < N; i++) {
        ims[i] = (hk_image){W, H, 1, HK_U8, W, pix[i]};
        CHECK(hk_hog_extract(NULL, &p, &ims[i], want + i * one.count, one.count) == HK_OK);
    }
    hk_hog_ctx *ctx;
    CHECK(hk_hog_ctx_new(&ctx) == HK_OK);
    for (int simd = 0; simd < 2; simd++)
        for (int t = 0; t <= 5; t++) {
            p.simd = simd ? HK_SIMD_SCALAR : HK_SIMD_AUTO;
            p.threads = t;
            memset(got, 0, bs.count * sizeof(float));
            CHECK(hk_hog_extract_batch(ctx, &p, ims, N, got, bs.count) == HK_OK);
            CHECK(memcmp(want, got, bs.count * sizeof(float)) == 0);
            memset(got, 0, bs.count * sizeof(float));
            CHECK(hk_hog_extract_stack(t ? ctx : NULL, &p, &ims[0], W * H, N, got, bs.count) ==
                  HK_OK);
            CHECK(memcmp(want, got, bs.count * sizeof(float)) == 0);
        }
    /* errors: capacity, mixed sizes, bad stride between images, first failing status */
    CHECK(hk_hog_extract_stack(ctx, &p, &ims[0], W * H, N, got, bs.count - 1) ==
          HK_ERR_BUFFER_TOO_SMALL);
    CHECK(hk_hog_extract_stack(ctx, &p, &ims[0], W * H - 1, N, got, bs.count) ==
          HK_ERR_INVALID_ARG);
    hk_image saved = ims[7];
    ims[7].width = 27;
    CHECK(hk_hog_extract_batch(ctx, &p, ims, N, got, bs.count) == HK_ERR_INVALID_ARG);
    ims[7] = saved;
    float bad[W * H];
    for (int i = 0; i < W * H; i++)
        bad[i] = 1;
    bad[5] = -1;
    hk_image fims[2] = {{W, H, 1, HK_F32, W * 4, bad}, {W, H, 1, HK_F32, W * 4, bad}};
    p.skimage.transform_sqrt = 1;
    CHECK(hk_hog_extract_batch(ctx, &p, fims, 2, got, bs.count) == HK_ERR_DOMAIN);
    CHECK(hk_hog_extract_batch(ctx, &p, ims, 0, NULL, 0) == HK_OK);
    hk_hog_ctx_free(ctx);
    free(want);
    free(got);
}

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    const char *dir = getenv("TMPDIR");
    snprintf(buf[k], sizeof buf[k], "%s/hk_test_batch_%d_%s", dir ? dir : "/tmp", (int)getpid(),
             name);
    return buf[k];
}

static void write_file(const char *path, const void *data, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, data, (unsigned)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static size_t idx_header(uint8_t *h, uint8_t type, int nd, const uint32_t *dims)
{
    h[0] = h[1] = 0;
    h[2] = type;
    h[3] = (uint8_t)nd;
    for (int i = 0; i < nd; i++) {
        h[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
        h[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
        h[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
        h[7 + 4 * i] = (uint8_t)dims[i];
    }
    return 4 + 4 * (size_t)nd;
}

static void test_idx(void)
{
    uint8_t buf[4096];
    const uint32_t dims[3] = {3, 5, 4};
    for (int gz = 0; gz < 2; gz++) {
        size_t h = idx_header(buf, 0x08, 3, dims);
        for (int i = 0; i < 60; i++)
            buf[h + i] = (uint8_t)i;
        const char *path = tmp_path(gz ? "a.idx.gz" : "a.idx");
        write_file(path, buf, h + 60, gz);
        hk_stack s;
        CHECK(hk_stack_load(path, NULL, &s) == HK_OK);
        CHECK(s.count == 3 && s.first.height == 5 && s.first.width == 4 && s.first.channels == 1 &&
              s.first.type == HK_U8 && s.image_bytes == 20);
        CHECK(s.first.data && ((const uint8_t *)s.first.data)[59] == 59);
        hk_stack_free(&s);
        /* truncated samples */
        write_file(path, buf, h + 59, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_TRUNCATED && s.first.data == NULL);
        /* over the limits: checked from the header alone, before allocating */
        const uint32_t huge[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
        h = idx_header(buf, 0x08, 3, huge);
        write_file(path, buf, h, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_LIMIT);
        const uint32_t many[3] = {0xffffffffu, 64, 64};
        h = idx_header(buf, 0x08, 3, many);
        write_file(path, buf, h, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_LIMIT); /* 2^44 bytes > max_file_bytes */
        /* floats, big-endian */
        const uint32_t fd[3] = {1, 1, 2};
        h = idx_header(buf, 0x0D, 3, fd);
        const uint8_t one_be[4] = {0x3f, 0x80, 0, 0}, two_be[4] = {0x40, 0, 0, 0};
        memcpy(buf + h, one_be, 4);
        memcpy(buf + h + 4, two_be, 4);
        write_file(path, buf, h + 8, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_OK && s.first.type == HK_F32 &&
              ((const float *)s.first.data)[0] == 1.0f && ((const float *)s.first.data)[1] == 2.0f);
        hk_stack_free(&s);
        /* signed types, labels, zero dims, garbage */
        h = idx_header(buf, 0x0B, 3, dims);
        write_file(path, buf, h + 120, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_UNSUPPORTED);
        h = idx_header(buf, 0x08, 1, dims);
        write_file(path, buf, h + 3, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_UNSUPPORTED);
        const uint32_t zero[3] = {2, 0, 4};
        h = idx_header(buf, 0x08, 3, zero);
        write_file(path, buf, h, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_FORMAT);
        h = idx_header(buf, 0x77, 3, dims);
        write_file(path, buf, h + 60, gz);
        CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_FORMAT);
        write_file(path, buf, 3, gz);
        CHECK(hk_stack_load(path, NULL, &s) != HK_OK);
        unlink(path);
    }
    /* a corrupt gzip stream */
    const char *path = tmp_path("bad.gz");
    const uint8_t junk[16] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2};
    write_file(path, junk, sizeof junk, 0);
    hk_stack s;
    CHECK(hk_stack_load(path, NULL, &s) != HK_OK && s.first.data == NULL);
    unlink(path);
    CHECK(hk_stack_load(tmp_path("missing"), NULL, &s) == HK_ERR_IO);
}

static void write_npy(const char *path, const char *dict, const void *data, size_t n)
{
    char head[128];
    size_t dl = strlen(dict), hl = 10 + dl + 1;
    size_t pad = (64 - hl % 64) % 64;
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (char)((dl + 1 + pad) & 255);
    head[9] = (char)((dl + 1 + pad) >> 8);
    FILE *f = fopen(path, "wb");
    fwrite(head, 1, 10, f);
    fwrite(dict, 1, dl, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    fputc('\n', f);
    fwrite(data, 1, n, f);
    fclose(f);
}

static void test_npy_stack(void)
{
    const char *path = tmp_path("s.npy");
    uint16_t px[2 * 3 * 4 * 2];
    for (int i = 0; i < 48; i++)
        px[i] = (uint16_t)(i * 1000);
    write_npy(path, "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3, 4, 2), }", px,
              sizeof px);
    hk_stack s;
    CHECK(hk_stack_load(path, NULL, &s) == HK_OK);
    CHECK(s.count == 2 && s.first.height == 3 && s.first.width == 4 && s.first.channels == 2 &&
          s.first.type == HK_U16 && s.image_bytes == 48);
    CHECK(s.first.data && memcmp(s.first.data, px, sizeof px) == 0);
    hk_stack_free(&s);
    write_npy(path, "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3, 4, 2), }", px,
              sizeof px - 1);
    CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_TRUNCATED);
    write_npy(path, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", px, 6);
    CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_UNSUPPORTED);
    write_npy(path, "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999, 99999, 99999), }",
              px, 6);
    CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_LIMIT);
    write_npy(path, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3, 4), }", px, 96);
    CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_UNSUPPORTED);
    write_npy(path, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 3, 4), }", px, 0);
    CHECK(hk_stack_load(path, NULL, &s) == HK_ERR_FORMAT);
    unlink(path);
}

int main(void)
{
    test_batch_equals_single();
    test_idx();
    test_npy_stack();
    return check_report("test_batch");
}
