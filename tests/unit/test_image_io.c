/* Image input/output: round trips through files this test writes itself
 * (libspng's encoder, libjpeg's compressor, hand-written PNM and .npy, and
 * hk_npy_write_f32), plus every error path: truncation at every prefix,
 * bad magic, zero sizes, limits, hostile .npy headers. When Debian's python3
 * with numpy is present it also checks that numpy and hogkit agree on .npy
 * files both ways (byte-identical output to numpy.save). */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <spng.h>
#include <zlib.h>

#include "common/atomic_file.h"
#include "hogkit.h"

static int failures;
static char tmpdir[256];

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                   \
            failures++;                                                       \
        }                                                                     \
    } while (0)

#define CHECK_ST(expr, want)                                                  \
    do {                                                                      \
        hk_status got_ = (expr);                                              \
        if (got_ != (want)) {                                                 \
            fprintf(stderr, "%s:%d: %s gave %d (%s), want %d (%s)\n",         \
                    __FILE__, __LINE__, #expr, (int)got_,                     \
                    hk_strerror(got_), (int)(want), hk_strerror(want));       \
            failures++;                                                       \
        }                                                                     \
    } while (0)

static uint32_t rng = 12345;
static uint8_t rnd8(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

static const char *tmp_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(p, 1, n, f) == n);
    fclose(f);
}

/* Decodes bytes into a fresh buffer; returns the status of the first failing
 * step. *out must be freed by the caller on success. */
static hk_status decode_mem(const void *bytes, size_t n, const hk_limits *lim,
                            hk_image *img, void **out)
{
    hk_image_info info;
    hk_status st = hk_image_decode_info(bytes, n, lim, &info);
    *out = NULL;
    if (st != HK_OK)
        return st;
    *out = malloc(info.bytes);
    if (!*out)
        return HK_ERR_NOMEM;
    st = hk_image_decode(bytes, n, lim, *out, info.bytes, img);
    if (st == HK_OK) {
        CHECK(img->width == info.width && img->height == info.height);
        CHECK(img->channels == info.channels && img->type == info.type);
        CHECK(img->stride * img->height == info.bytes);
        CHECK(hk_image_check(img) == HK_OK);
    } else {
        free(*out);
        *out = NULL;
    }
    return st;
}

/* Every strict prefix of a valid file must fail cleanly: `want` for
 * lengths from `from` on (0 = accept any error), some error below that.
 * `allow_ok_at` names one prefix length that may decode (ASCII PNM cut
 * after a whole last number is indistinguishable from a complete file). */
static void check_prefixes(const char *what, const uint8_t *p, size_t n,
                           size_t from, hk_status want, size_t allow_ok_at)
{
    for (size_t len = 0; len < n; len++) {
        hk_image img;
        void *buf;
        hk_status st;
        /* A fresh allocation of exactly len bytes lets ASan see overreads. */
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, p, len);
        st = decode_mem(exact, len, NULL, &img, &buf);
        free(buf);
        free(exact);
        if (len == allow_ok_at && st == HK_OK)
            continue;
        if (st == HK_OK || (len >= from && want != HK_OK && st != want)) {
            fprintf(stderr, "%s: prefix %zu/%zu gave %s\n", what, len, n,
                    hk_strerror(st));
            failures++;
        }
    }
}

/* ---------------------------------------------------------------- basics */

static void test_basics(void)
{
    hk_limits lim;
    hk_image im;
    static uint16_t px[64];

    CHECK(hk_sample_size(HK_U8) == 1 && hk_sample_size(HK_U16) == 2);
    CHECK(hk_sample_size(HK_F32) == 4 && hk_sample_size(HK_F64) == 8);
    CHECK(hk_sample_size((hk_sample_type)0) == 0);

    hk_limits_default(&lim);
    CHECK(lim.max_pixels == (uint64_t)1 << 28 && lim.max_channels == 64);
    CHECK(lim.max_file_bytes == (uint64_t)1 << 32 && lim.max_npy_header == 65536);
    hk_limits_default(NULL);

    im = (hk_image){4, 2, 3, HK_U16, 24, px};
    CHECK_ST(hk_image_check(&im), HK_OK);
    CHECK_ST(hk_image_check(NULL), HK_ERR_INVALID_ARG);
    im.stride = 23;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.stride = 25; /* not a multiple of the sample size */
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.stride = 24;
    im.data = (const uint8_t *)px + 1;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.data = NULL;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.data = px;
    im.channels = 0;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.channels = HK_MAX_CHANNELS + 1;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.channels = 3;
    im.type = (hk_sample_type)9;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im.type = HK_U16;
    im.width = 0;
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);
    im = (hk_image){UINT32_MAX, UINT32_MAX, HK_MAX_CHANNELS, HK_F64, SIZE_MAX, px};
    CHECK_ST(hk_image_check(&im), HK_ERR_INVALID_ARG);

    CHECK(hk_format_detect("\x89PNG\r\n\x1a\n", 8) == HK_FORMAT_PNG);
    CHECK(hk_format_detect("\xff\xd8\xff", 3) == HK_FORMAT_JPEG);
    CHECK(hk_format_detect("\x93NUMPY", 6) == HK_FORMAT_NPY);
    CHECK(hk_format_detect("P5\n", 3) == HK_FORMAT_PNM);
    CHECK(hk_format_detect("P3 ", 3) == HK_FORMAT_PNM);
    CHECK(hk_format_detect("P4\n", 3) == HK_FORMAT_UNKNOWN);
    CHECK(hk_format_detect("P5x", 3) == HK_FORMAT_UNKNOWN);
    CHECK(hk_format_detect("GIF89a", 6) == HK_FORMAT_UNKNOWN);
    CHECK(hk_format_detect(NULL, 10) == HK_FORMAT_UNKNOWN);
    CHECK(hk_format_detect("\x89PNG", 4) == HK_FORMAT_UNKNOWN);

    {
        hk_image_info info;
        hk_image img;
        uint8_t b[4];
        CHECK_ST(hk_image_decode_info("GIF89a", 6, NULL, &info), HK_ERR_FORMAT);
        CHECK_ST(hk_image_decode_info("", 0, NULL, &info), HK_ERR_FORMAT);
        CHECK_ST(hk_image_decode_info("\x89PN", 3, NULL, &info), HK_ERR_TRUNCATED);
        CHECK_ST(hk_image_decode_info(NULL, 5, NULL, &info), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_image_decode_info("P5 1 1 255\n\x01", 12, NULL, NULL), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_image_decode("P5 1 1 255\n\x01", 12, NULL, NULL, 0, &img), HK_ERR_BUFFER_TOO_SMALL);
        CHECK_ST(hk_image_decode("P5 1 1 255\n\x01", 12, NULL, NULL, 4, &img), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_image_decode("P5 1 1 255\n\x01", 12, NULL, b, 4, NULL), HK_ERR_INVALID_ARG);
        lim.max_file_bytes = 11;
        CHECK_ST(hk_image_decode_info("P5 1 1 255\n\x01", 12, &lim, &info), HK_ERR_LIMIT);
    }
}

/* ------------------------------------------------------------------- PNG */

/* fmt SPNG_FMT_PNG takes host-order 16-bit samples, SPNG_FMT_RAW big-endian. */
static uint8_t *png_encode_fmt(uint32_t w, uint32_t h, int color, int depth,
                               const void *img, size_t len, struct spng_plte *plte,
                               struct spng_trns *trns, int interlace, int fmt,
                               size_t *out)
{
    struct spng_ihdr ihdr = {w, h, (uint8_t)depth, (uint8_t)color, 0, 0, (uint8_t)interlace};
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    uint8_t *buf;
    int err;

    spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    spng_set_ihdr(ctx, &ihdr);
    if (plte)
        spng_set_plte(ctx, plte);
    if (trns)
        spng_set_trns(ctx, trns);
    err = spng_encode_image(ctx, img, len, fmt, SPNG_ENCODE_FINALIZE);
    CHECK(err == 0);
    buf = spng_get_png_buffer(ctx, out, &err);
    CHECK(buf != NULL);
    spng_ctx_free(ctx);
    return buf;
}

static uint8_t *png_encode(uint32_t w, uint32_t h, int color, int depth,
                           const void *img, size_t len, struct spng_plte *plte,
                           struct spng_trns *trns, int interlace, size_t *out)
{
    return png_encode_fmt(w, h, color, depth, img, len, plte, trns, interlace,
                          SPNG_FMT_PNG, out);
}

/* Rewrites IHDR's width and height and fixes its CRC. */
static void png_patch_size(uint8_t *png, uint32_t w, uint32_t h)
{
    uint32_t crc;
    for (int i = 0; i < 4; i++) {
        png[16 + i] = (uint8_t)(w >> (24 - 8 * i));
        png[20 + i] = (uint8_t)(h >> (24 - 8 * i));
    }
    crc = (uint32_t)crc32(0, png + 12, 17);
    for (int i = 0; i < 4; i++)
        png[29 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

static void test_png(void)
{
    static const struct { int color, depth, channels; } kinds[] = {
        {SPNG_COLOR_TYPE_GRAYSCALE, 8, 1}, {SPNG_COLOR_TYPE_GRAYSCALE, 16, 1},
        {SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, 8, 2}, {SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, 16, 2},
        {SPNG_COLOR_TYPE_TRUECOLOR, 8, 3}, {SPNG_COLOR_TYPE_TRUECOLOR, 16, 3},
        {SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 8, 4}, {SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 16, 4},
    };
    const uint32_t w = 7, h = 5;
    uint8_t px[7 * 5 * 8];
    hk_image img;
    void *buf;

    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (int interlace = 0; interlace < 2; interlace++) {
            size_t bytes = w * h * (size_t)kinds[k].channels * (size_t)(kinds[k].depth / 8), n;
            uint8_t *png;
            for (size_t i = 0; i < bytes; i++)
                px[i] = rnd8();
            png = png_encode(w, h, kinds[k].color, kinds[k].depth, px, bytes,
                             NULL, NULL, interlace, &n);
            CHECK_ST(decode_mem(png, n, NULL, &img, &buf), HK_OK);
            if (buf) {
                CHECK(img.width == w && img.height == h);
                CHECK(img.channels == (uint32_t)kinds[k].channels);
                CHECK(img.type == (kinds[k].depth == 16 ? HK_U16 : HK_U8));
                /* spng's encoder took host-order 16-bit, so bytes match. */
                CHECK(memcmp(buf, px, bytes) == 0);
                free(buf);
            }
            free(png);
        }
    }

    /* Palette -> RGB, palette + tRNS -> RGBA. */
    {
        struct spng_plte plte = {0};
        struct spng_trns trns = {0};
        uint8_t idx[7 * 5], *png;
        size_t n;
        plte.n_entries = 4;
        for (int i = 0; i < 4; i++) {
            plte.entries[i].red = (uint8_t)(10 * i + 1);
            plte.entries[i].green = (uint8_t)(20 * i + 2);
            plte.entries[i].blue = (uint8_t)(30 * i + 3);
        }
        for (size_t i = 0; i < sizeof idx; i++)
            idx[i] = rnd8() % 4;
        png = png_encode(w, h, SPNG_COLOR_TYPE_INDEXED, 8, idx, sizeof idx, &plte, NULL, 0, &n);
        CHECK_ST(decode_mem(png, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            const uint8_t *o = buf;
            CHECK(img.channels == 3 && img.type == HK_U8);
            for (size_t i = 0; i < sizeof idx; i++)
                CHECK(o[3 * i] == plte.entries[idx[i]].red &&
                      o[3 * i + 1] == plte.entries[idx[i]].green &&
                      o[3 * i + 2] == plte.entries[idx[i]].blue);
            free(buf);
        }
        free(png);
        trns.n_type3_entries = 2;
        trns.type3_alpha[0] = 0;
        trns.type3_alpha[1] = 128;
        png = png_encode(w, h, SPNG_COLOR_TYPE_INDEXED, 8, idx, sizeof idx, &plte, &trns, 0, &n);
        CHECK_ST(decode_mem(png, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            const uint8_t *o = buf;
            static const uint8_t alpha[4] = {0, 128, 255, 255};
            CHECK(img.channels == 4);
            for (size_t i = 0; i < sizeof idx; i++)
                CHECK(o[4 * i] == plte.entries[idx[i]].red && o[4 * i + 3] == alpha[idx[i]]);
            free(buf);
        }
        free(png);
    }

    /* 16-bit samples come out in host order whatever the host: the file
     * (big-endian, written raw) holds 0x1234 and 0xfe01. */
    {
        static const uint8_t be[4] = {0x12, 0x34, 0xfe, 0x01};
        size_t n;
        uint8_t *png = png_encode_fmt(2, 1, SPNG_COLOR_TYPE_GRAYSCALE, 16, be, 4,
                                      NULL, NULL, 0, SPNG_FMT_RAW, &n);
        CHECK_ST(decode_mem(png, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            CHECK(((uint16_t *)buf)[0] == 0x1234 && ((uint16_t *)buf)[1] == 0xfe01);
            free(buf);
        }
        free(png);
    }

    /* 1-bit grey is widened to 0/255. */
    {
        uint8_t bits[2] = {0xa0, 0x40}, *png; /* 3x2: 1 0 1 / 0 1 0 */
        static const uint8_t want[6] = {255, 0, 255, 0, 255, 0};
        size_t n;
        png = png_encode(3, 2, SPNG_COLOR_TYPE_GRAYSCALE, 1, bits, 2, NULL, NULL, 0, &n);
        CHECK_ST(decode_mem(png, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            CHECK(img.type == HK_U8 && img.channels == 1);
            CHECK(memcmp(buf, want, 6) == 0);
            free(buf);
        }
        free(png);
    }

    /* Errors on one RGB file. */
    {
        size_t n, bytes = w * h * 3;
        uint8_t *png, *bad;
        hk_image_info info;
        hk_limits lim;
        uint8_t small[16];
        for (size_t i = 0; i < bytes; i++)
            px[i] = rnd8();
        png = png_encode(w, h, SPNG_COLOR_TYPE_TRUECOLOR, 8, px, bytes, NULL, NULL, 0, &n);
        bad = malloc(n);

        check_prefixes("png", png, n, 1, HK_ERR_TRUNCATED, (size_t)-1);

        memcpy(bad, png, n);
        bad[1] = 'Q';
        CHECK_ST(hk_image_decode_info(bad, n, NULL, &info), HK_ERR_FORMAT);

        memcpy(bad, png, n);
        png_patch_size(bad, 100000, 100000);
        CHECK_ST(hk_image_decode_info(bad, n, NULL, &info), HK_ERR_LIMIT);
        CHECK_ST(decode_mem(bad, n, NULL, &img, &buf), HK_ERR_LIMIT);

        memcpy(bad, png, n);
        png_patch_size(bad, 0, h);
        CHECK_ST(hk_image_decode_info(bad, n, NULL, &info), HK_ERR_FORMAT);

        memcpy(bad, png, n);
        bad[n - 20] ^= 0x55; /* inside IDAT: breaks its CRC */
        CHECK_ST(decode_mem(bad, n, NULL, &img, &buf), HK_ERR_FORMAT);

        hk_limits_default(&lim);
        lim.max_pixels = w * h - 1;
        CHECK_ST(hk_image_decode_info(png, n, &lim, &info), HK_ERR_LIMIT);
        hk_limits_default(&lim);
        lim.max_channels = 2;
        CHECK_ST(hk_image_decode_info(png, n, &lim, &info), HK_ERR_LIMIT);

        CHECK_ST(hk_image_decode(png, n, NULL, small, sizeof small, &img), HK_ERR_BUFFER_TOO_SMALL);
        CHECK(img.data == NULL && img.width == 0);

        /* The same file from disk. */
        write_file(tmp_path("rgb.png"), png, n);
        CHECK_ST(hk_image_load(tmp_path("rgb.png"), NULL, &img), HK_OK);
        CHECK(img.width == w && img.channels == 3 && img.data != NULL);
        if (img.data)
            CHECK(memcmp(img.data, px, bytes) == 0);
        hk_image_free(&img);
        CHECK(img.data == NULL);
        hk_limits_default(&lim);
        lim.max_file_bytes = n - 1;
        CHECK_ST(hk_image_load(tmp_path("rgb.png"), &lim, &img), HK_ERR_LIMIT);
        CHECK(img.data == NULL && img.width == 0);

        free(bad);
        free(png);
    }
}

/* ------------------------------------------------------------------ JPEG */

static uint8_t *jpeg_encode(int w, int h, int comps, J_COLOR_SPACE cs,
                            const uint8_t *px, int progressive, size_t *out)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    unsigned char *buf = NULL;
    unsigned long len = 0;

    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &buf, &len);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = cs;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 98, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)px + (size_t)c.next_scanline * (size_t)(w * comps);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *out = len;
    return buf;
}

/* Offset of the SOFn marker's height field, or 0. */
static size_t jpeg_sof(const uint8_t *p, size_t n)
{
    for (size_t i = 2; i + 9 < n; i++)
        if (p[i] == 0xff && (p[i + 1] == 0xc0 || p[i + 1] == 0xc2))
            return i + 5;
    return 0;
}

static void test_jpeg(void)
{
    enum { W = 24, H = 16 };
    uint8_t px[W * H * 4];
    hk_image img;
    void *buf;
    size_t n;
    uint8_t *jpg;

    for (int comps = 1; comps <= 3; comps += 2) {
        for (int prog = 0; prog < 2; prog++) {
            /* Smooth content so a high-quality JPEG stays within a few levels. */
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    for (int c = 0; c < comps; c++)
                        px[(y * W + x) * comps + c] = (uint8_t)(40 + 4 * x + 3 * y + 30 * c);
            jpg = jpeg_encode(W, H, comps, comps == 1 ? JCS_GRAYSCALE : JCS_RGB, px, prog, &n);
            CHECK_ST(decode_mem(jpg, n, NULL, &img, &buf), HK_OK);
            if (buf) {
                const uint8_t *o = buf;
                int worst = 0;
                CHECK(img.width == W && img.height == H && img.type == HK_U8);
                CHECK(img.channels == (uint32_t)comps);
                for (int i = 0; i < W * H * comps; i++) {
                    int d = abs((int)o[i] - (int)px[i]);
                    worst = d > worst ? d : worst;
                }
                CHECK(worst <= 6);
                free(buf);
            }
            if (comps == 3 && prog == 0) {
                uint8_t *bad = malloc(n);
                size_t sof = jpeg_sof(jpg, n);
                hk_image_info info;
                CHECK(sof != 0);
                check_prefixes("jpeg", jpg, n, 1, HK_ERR_TRUNCATED, (size_t)-1);
                memcpy(bad, jpg, n);
                bad[sof] = 0xfd; /* 65000 x 65000 */
                bad[sof + 1] = 0xe8;
                bad[sof + 2] = 0xfd;
                bad[sof + 3] = 0xe8;
                CHECK_ST(hk_image_decode_info(bad, n, NULL, &info), HK_ERR_LIMIT);
                CHECK_ST(decode_mem(bad, n, NULL, &img, &buf), HK_ERR_LIMIT);
                memcpy(bad, jpg, n);
                bad[sof + 2] = 0;
                bad[sof + 3] = 0;
                CHECK_ST(hk_image_decode_info(bad, n, NULL, &info), HK_ERR_FORMAT);
                memcpy(bad, jpg, n);
                bad[sof - 3] = 0x40; /* marker length: garbage */
                CHECK(decode_mem(bad, n, NULL, &img, &buf) != HK_OK);
                free(buf);
                free(bad);
            }
            free(jpg);
        }
    }

    /* CMYK is valid JPEG that hogkit does not handle. */
    for (int i = 0; i < W * H * 4; i++)
        px[i] = rnd8();
    jpg = jpeg_encode(W, H, 4, JCS_CMYK, px, 0, &n);
    {
        hk_image_info info;
        CHECK_ST(hk_image_decode_info(jpg, n, NULL, &info), HK_ERR_UNSUPPORTED);
    }
    free(jpg);
}

/* ------------------------------------------------------------------- PNM */

static size_t pnm_bytes(char *dst, const char *text)
{
    size_t n = strlen(text);
    memcpy(dst, text, n);
    return n;
}

static void expect_u8(const char *what, const void *file, size_t n,
                      uint32_t w, uint32_t h, uint32_t c, const uint8_t *want)
{
    hk_image img;
    void *buf;
    hk_status st = decode_mem(file, n, NULL, &img, &buf);
    if (st != HK_OK) {
        fprintf(stderr, "%s: %s\n", what, hk_strerror(st));
        failures++;
        return;
    }
    CHECK(img.width == w && img.height == h && img.channels == c && img.type == HK_U8);
    CHECK(memcmp(buf, want, (size_t)w * h * c) == 0);
    free(buf);
}

static void test_pnm(void)
{
    char f[256];
    size_t n;
    hk_image img;
    hk_image_info info;
    void *buf;

    /* P5 / P6, with a comment in the header. */
    {
        static const uint8_t g[6] = {0, 1, 2, 253, 254, 255};
        n = pnm_bytes(f, "P5\n# made by hand\n3 2\n255\n");
        memcpy(f + n, g, 6);
        expect_u8("P5", f, n + 6, 3, 2, 1, g);
        check_prefixes("P5", (uint8_t *)f, n + 6, 1, HK_ERR_TRUNCATED, (size_t)-1);

        n = pnm_bytes(f, "P6 2 1 255 ");
        memcpy(f + n, g, 6);
        expect_u8("P6", f, n + 6, 2, 1, 3, g);
        check_prefixes("P6", (uint8_t *)f, n + 6, 1, HK_ERR_TRUNCATED, (size_t)-1);
        /* 253..255 are over maxval 200: binary values are checked too. */
        n = pnm_bytes(f, "P6 2 1 200 ");
        memcpy(f + n, g, 6);
        CHECK_ST(decode_mem(f, n + 6, NULL, &img, &buf), HK_ERR_FORMAT);
    }

    /* 16-bit binary, values as stored (no rescaling), host order. */
    {
        static const uint8_t be[8] = {0x00, 0x01, 0x03, 0xe8, 0x01, 0x00, 0x00, 0x00};
        static const uint16_t want[4] = {1, 1000, 256, 0};
        n = pnm_bytes(f, "P5 2 2 1000\n");
        memcpy(f + n, be, 8);
        CHECK_ST(decode_mem(f, n + 8, NULL, &img, &buf), HK_OK);
        if (buf) {
            CHECK(img.type == HK_U16 && img.channels == 1);
            CHECK(memcmp(buf, want, 8) == 0);
            free(buf);
        }
        check_prefixes("P5/16", (uint8_t *)f, n + 8, 1, HK_ERR_TRUNCATED, (size_t)-1);
        f[n + 2] = 0x03;
        f[n + 3] = 0xe9; /* 1001 > maxval */
        CHECK_ST(decode_mem(f, n + 8, NULL, &img, &buf), HK_ERR_FORMAT);
    }

    /* ASCII, comments anywhere between tokens. */
    {
        static const uint8_t want[6] = {0, 7, 15, 1, 2, 3};
        static const uint16_t want16[2] = {65535, 300};
        static const char p2[] = "P2 # c\n3 # width\n2\n15\n0 7 15\n# row two\n1 2 3\n";
        static const char p3[] = "P3\n1 2\n255\n0 7 15 1 2 3";
        expect_u8("P2", p2, strlen(p2), 3, 2, 1, want);
        expect_u8("P3", p3, strlen(p3), 1, 2, 3, want);
        check_prefixes("P2", (const uint8_t *)p2, strlen(p2), 1, HK_ERR_TRUNCATED,
                       strlen(p2) - 1);
        n = pnm_bytes(f, "P2 2 1 65535 65535 300\n");
        CHECK_ST(decode_mem(f, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            CHECK(img.type == HK_U16 && memcmp(buf, want16, 4) == 0);
            free(buf);
        }
    }

#define PNM_ERR(text, want)                                                   \
    do {                                                                      \
        CHECK_ST(decode_mem(text, sizeof(text) - 1, NULL, &img, &buf), want); \
        free(buf);                                                            \
    } while (0)
    PNM_ERR("P2 2 1 15 0 16\n", HK_ERR_FORMAT);     /* over maxval */
    PNM_ERR("P2 2 1 15 0 x\n", HK_ERR_FORMAT);      /* not a number */
    PNM_ERR("P2 2 1 15 0 -1\n", HK_ERR_FORMAT);
    PNM_ERR("P2 2 1 15 0 1x\n", HK_ERR_FORMAT);
    PNM_ERR("P2 2 1 15 0\n", HK_ERR_TRUNCATED);
    PNM_ERR("P5 2 1 0\n\x01\x01", HK_ERR_FORMAT);   /* maxval 0 */
    PNM_ERR("P5 2 1 65536\n\x01\x01\x01\x01", HK_ERR_FORMAT);
    PNM_ERR("P5 0 1 255\n", HK_ERR_FORMAT);
    PNM_ERR("P5 1 0 255\n", HK_ERR_FORMAT);
    PNM_ERR("P5 100000 100000 255\n", HK_ERR_LIMIT);
    PNM_ERR("P5 99999999999999999999 1 255\n", HK_ERR_LIMIT);
    PNM_ERR("P5 1 1 255#\n\x01", HK_ERR_FORMAT);
    PNM_ERR("P5 a 1 255\n\x01", HK_ERR_FORMAT);
    PNM_ERR("P5 1 1 255", HK_ERR_TRUNCATED);
    PNM_ERR("Q5 1 1 255\n\x01", HK_ERR_FORMAT);     /* bad magic */
    PNM_ERR("P7 1 1 255\n\x01", HK_ERR_FORMAT);
#undef PNM_ERR
    CHECK_ST(hk_image_decode_info("P6 100000 100000 255\n", 21, NULL, &info), HK_ERR_LIMIT);
    {
        hk_limits lim;
        hk_limits_default(&lim);
        lim.max_channels = 1;
        CHECK_ST(hk_image_decode_info("P6 1 1 255\n\x01\x02\x03", 14, &lim, &info), HK_ERR_LIMIT);
    }
}

/* ------------------------------------------------------------------- NPY */

/* A v1 (or v2/v3) .npy with the given dict text and payload. */
static size_t make_npy(uint8_t *dst, int major, const char *dict,
                       const void *payload, size_t n)
{
    size_t d = strlen(dict), pre = major == 1 ? 10 : 12;
    memcpy(dst, "\x93NUMPY", 6);
    dst[6] = (uint8_t)major;
    dst[7] = 0;
    dst[8] = (uint8_t)(d & 0xff);
    dst[9] = (uint8_t)(d >> 8);
    if (major != 1) {
        dst[10] = (uint8_t)(d >> 16);
        dst[11] = (uint8_t)(d >> 24);
    }
    memcpy(dst + pre, dict, d);
    memcpy(dst + pre + d, payload, n);
    return pre + d + n;
}

static int have_numpy(void)
{
    return system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_npy(void)
{
    uint8_t f[1024];
    size_t n;
    hk_image img;
    hk_image_info info;
    void *buf;

    /* u8, u16, f64 by hand; v1, v2, v3 headers; trailing-comma variants. */
    {
        static const uint8_t u8[6] = {1, 2, 3, 4, 5, 6};
        static const uint8_t u16le[4] = {0x34, 0x12, 0xff, 0xff};
        static const uint16_t u16[2] = {0x1234, 0xffff};
        double f64[3] = {0.5, -2.25, 1e300};
        n = make_npy(f, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }  \n", u8, 6);
        expect_u8("npy u1", f, n, 3, 2, 1, u8);
        check_prefixes("npy u1", f, n, 1, HK_ERR_TRUNCATED, (size_t)-1);
        n = make_npy(f, 2, "{\"shape\":(1,1,6),\"fortran_order\":False,\"descr\":\"|u1\"}", u8, 6);
        expect_u8("npy v2", f, n, 1, 1, 6, u8);
        n = make_npy(f, 3, "{'descr': '<u2', 'fortran_order': False, 'shape': (1L, 2L)}\n", u16le, 4);
        CHECK_ST(decode_mem(f, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            CHECK(img.type == HK_U16 && memcmp(buf, u16, 4) == 0);
            free(buf);
        }
        n = make_npy(f, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 1, 1), }\n", f64, sizeof f64);
        CHECK_ST(decode_mem(f, n, NULL, &img, &buf), HK_OK);
        if (buf) {
            CHECK(img.type == HK_F64 && img.width == 1 && img.height == 3 && img.channels == 1);
            CHECK(memcmp(buf, f64, sizeof f64) == 0);
            free(buf);
        }
    }

#define NPY_ERR(dict, want)                                                   \
    do {                                                                      \
        static const uint8_t zeros_[64];                                      \
        n = make_npy(f, 1, dict, zeros_, sizeof zeros_);                      \
        CHECK_ST(decode_mem(f, n, NULL, &img, &buf), want);                   \
        free(buf);                                                            \
    } while (0)
    NPY_ERR("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '<f4aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'fortran_order': False, 'shape': (2, 2), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1), }", HK_ERR_UNSUPPORTED);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 0), }", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 0), }", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", HK_ERR_LIMIT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 65), }", HK_ERR_LIMIT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 1), }", HK_ERR_LIMIT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 1), }", HK_ERR_LIMIT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", HK_OK);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 5), }", HK_ERR_TRUNCATED);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} x", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2 2)}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 2)}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': false, 'shape': (2, 2)}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 2)}", HK_ERR_FORMAT);
    NPY_ERR("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2, 2)}", HK_ERR_FORMAT);
    NPY_ERR("", HK_ERR_FORMAT);
    NPY_ERR("{", HK_ERR_FORMAT);
    NPY_ERR("{'descr", HK_ERR_FORMAT);
#undef NPY_ERR
    {
        /* A NUL inside the header text (make_npy cannot carry one). */
        static const char d[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)}";
        n = make_npy(f, 1, d, "\0\0\0\0", 4);
        f[10 + 5] = 0;
        CHECK_ST(decode_mem(f, n, NULL, &img, &buf), HK_ERR_FORMAT);
        n = make_npy(f, 1, d, "\0\0\0\0", 4);
        f[6] = 4; /* version 4.0 */
        CHECK_ST(hk_image_decode_info(f, n, NULL, &info), HK_ERR_UNSUPPORTED);
        f[6] = 1;
        f[7] = 1; /* version 1.1 */
        CHECK_ST(hk_image_decode_info(f, n, NULL, &info), HK_ERR_UNSUPPORTED);
    }
    /* Header lengths: over the default limit (v2 can say 4 GiB) and a
     * caller's smaller limit. */
    {
        hk_limits lim;
        memcpy(f, "\x93NUMPY\x02\x00\x71\x11\x01\x00{", 13); /* 70001 bytes */
        CHECK_ST(hk_image_decode_info(f, 13, NULL, &info), HK_ERR_LIMIT);
        memcpy(f, "\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13);
        CHECK_ST(hk_image_decode_info(f, 13, NULL, &info), HK_ERR_LIMIT);
        n = make_npy(f, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1)}", "\x05", 1);
        hk_limits_default(&lim);
        lim.max_npy_header = 20;
        CHECK_ST(hk_image_decode_info(f, n, &lim, &info), HK_ERR_LIMIT);
        CHECK_ST(hk_image_decode_info(f, 12, NULL, &info), HK_ERR_TRUNCATED);
    }
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long len;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc(len > 0 ? (size_t)len : 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

static void test_npy_write(void)
{
    float a[4 * 3 * 2];
    size_t n;
    uint8_t *file;
    hk_image img;

    for (int i = 0; i < 24; i++)
        a[i] = (float)i * 0.25f - 1.0f;

    /* Round trips through our own reader. */
    {
        size_t s2[2] = {4, 6}, s3[3] = {4, 3, 2};
        CHECK_ST(hk_npy_write_f32(tmp_path("a2.npy"), a, s2, 2), HK_OK);
        CHECK_ST(hk_image_load(tmp_path("a2.npy"), NULL, &img), HK_OK);
        CHECK(img.type == HK_F32 && img.width == 6 && img.height == 4 && img.channels == 1);
        if (img.data)
            CHECK(memcmp(img.data, a, sizeof a) == 0);
        hk_image_free(&img);
        CHECK_ST(hk_npy_write_f32(tmp_path("a3.npy"), a, s3, 3), HK_OK);
        CHECK_ST(hk_image_load(tmp_path("a3.npy"), NULL, &img), HK_OK);
        CHECK(img.width == 3 && img.height == 4 && img.channels == 2);
        if (img.data)
            CHECK(memcmp(img.data, a, sizeof a) == 0);
        hk_image_free(&img);
    }

    /* Header layout: 1-D tuple "(3,)", 64-byte alignment, zero-size dims. */
    {
        size_t s1[1] = {3}, s0[2] = {0, 5}, s8[8] = {1, 1, 1, 1, 1, 1, 1, 3};
        CHECK_ST(hk_npy_write_f32(tmp_path("a1.npy"), a, s1, 1), HK_OK);
        file = slurp(tmp_path("a1.npy"), &n);
        CHECK(file != NULL);
        if (file) {
            size_t hl = (size_t)file[8] | (size_t)file[9] << 8;
            CHECK(memcmp(file, "\x93NUMPY\x01\x00", 8) == 0);
            CHECK((10 + hl) % 64 == 0 && n == 10 + hl + 12);
            CHECK(file[10 + hl - 1] == '\n');
            CHECK(strstr((char *)file + 10, "'shape': (3,), }") != NULL);
            free(file);
        }
        CHECK_ST(hk_npy_write_f32(tmp_path("z.npy"), NULL, s0, 2), HK_OK);
        file = slurp(tmp_path("z.npy"), &n);
        if (file) {
            CHECK(strstr((char *)file + 10, "'shape': (0, 5), }") != NULL);
            CHECK(n % 64 == 0);
            free(file);
        }
        CHECK_ST(hk_npy_write_f32(tmp_path("s.npy"), a, NULL, 0), HK_OK);
        CHECK_ST(hk_npy_write_f32(tmp_path("e.npy"), a, s8, 8), HK_OK);
        CHECK_ST(hk_npy_write_f32(tmp_path("x.npy"), a, s8, 9), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_npy_write_f32(tmp_path("x.npy"), a, s8, -1), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_npy_write_f32(tmp_path("x.npy"), NULL, s1, 1), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_npy_write_f32(NULL, a, s1, 1), HK_ERR_INVALID_ARG);
        {
            size_t huge[2] = {SIZE_MAX / 2, 3};
            CHECK_ST(hk_npy_write_f32(tmp_path("x.npy"), a, huge, 2), HK_ERR_OVERFLOW);
        }
    }

    /* Whole or nothing: a failed write leaves no file and no temp file. */
    {
        char sub[600];
        size_t s1[1] = {3};
        int before;
        snprintf(sub, sizeof sub, "%s/missing/a.npy", tmpdir);
        CHECK_ST(hk_npy_write_f32(sub, a, s1, 1), HK_ERR_IO);
        snprintf(sub, sizeof sub, "%s", tmpdir); /* a folder as target */
        before = dir_entries(tmpdir);
        CHECK_ST(hk_npy_write_f32(sub, a, s1, 1), HK_ERR_IO);
        CHECK(dir_entries(tmpdir) == before);
        /* Replacing an existing file works and leaves nothing behind. */
        CHECK_ST(hk_npy_write_f32(tmp_path("a1.npy"), a, s1, 1), HK_OK);
        CHECK(dir_entries(tmpdir) == before);
    }
    {
        const void *chunks[2] = {"ab", NULL};
        size_t sizes[2] = {2, 0};
        uint8_t *back;
        CHECK_ST(hk_atomic_write(tmp_path("raw"), chunks, sizes, 2), HK_OK);
        back = slurp(tmp_path("raw"), &n);
        CHECK(back && n == 2 && memcmp(back, "ab", 2) == 0);
        free(back);
        sizes[1] = 1;
        CHECK_ST(hk_atomic_write(tmp_path("raw"), chunks, sizes, 2), HK_ERR_INVALID_ARG);
        CHECK_ST(hk_atomic_write(tmp_path("raw"), chunks, sizes, -1), HK_ERR_INVALID_ARG);
    }

    /* numpy agrees both ways, when it is installed. */
    if (!have_numpy()) {
        fprintf(stderr, "numpy not available: skipping the numpy cross-checks\n");
        return;
    }
    {
        static const size_t shapes[][3] = {{3, 0, 0}, {4, 6, 0}, {0, 5, 0}, {4, 3, 2}, {12345, 1, 0}};
        static const int ndims[] = {1, 2, 2, 3, 1};
        char cmd[2048];
        float *big = calloc(12345, sizeof(float));
        for (int k = 0; k < 5; k++) {
            char name[64], ref[64];
            uint8_t *ours, *theirs;
            size_t n1 = 0, n2 = 0;
            const float *src = k == 4 ? big : a;
            snprintf(name, sizeof name, "ours%d.npy", k);
            snprintf(ref, sizeof ref, "ref%d.npy", k);
            CHECK_ST(hk_npy_write_f32(tmp_path(name), src, shapes[k], ndims[k]), HK_OK);
            /* numpy writes the same values; then loads ours and compares. */
            snprintf(cmd, sizeof cmd,
                     "cd '%s' && /usr/bin/python3 -c \"import numpy as np; "
                     "s=tuple(%zu for _ in [0])+tuple(x for x in (%zu,%zu)[:%d-1]); n=int(np.prod(s)); "
                     "a=(np.arange(n,dtype='<f4')*0.25-1) if %d!=4 else np.zeros(n,'<f4'); "
                     "a=a.reshape(s); np.save('%s', a); b=np.load('%s'); "
                     "assert b.dtype==np.float32 and b.shape==s and (b==a).all(), (b.shape, s)\"",
                     tmpdir, shapes[k][0], shapes[k][1], shapes[k][2], ndims[k], k, ref, name);
            CHECK(system(cmd) == 0);
            ours = slurp(tmp_path(name), &n1);
            theirs = slurp(tmp_path(ref), &n2);
            CHECK(ours && theirs && n1 == n2 && memcmp(ours, theirs, n1) == 0);
            free(ours);
            free(theirs);
        }
        free(big);

        /* numpy's own files: u1, u2, f8, v2 headers, Fortran order. */
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && /usr/bin/python3 -c \"import numpy as np; from numpy.lib import format as F; "
                 "np.save('u1.npy', np.arange(12,dtype='u1').reshape(3,4)); "
                 "np.save('u2.npy', (np.arange(24,dtype='<u2')*1000).reshape(2,4,3)); "
                 "np.save('f8.npy', np.linspace(-1,1,6).reshape(2,3)); "
                 "np.save('fo.npy', np.asfortranarray(np.ones((2,3),'<f4'))); "
                 "np.save('i4.npy', np.ones((2,3),'<i4')); "
                 "f=open('v2.npy','wb'); a=np.arange(6,dtype='<f4').reshape(3,2); "
                 "F.write_array(f, a, version=(2,0)); f.close()\"",
                 tmpdir);
        CHECK(system(cmd) == 0);
        CHECK_ST(hk_image_load(tmp_path("u1.npy"), NULL, &img), HK_OK);
        CHECK(img.type == HK_U8 && img.width == 4 && img.height == 3);
        if (img.data)
            CHECK(((const uint8_t *)img.data)[11] == 11);
        hk_image_free(&img);
        CHECK_ST(hk_image_load(tmp_path("u2.npy"), NULL, &img), HK_OK);
        CHECK(img.type == HK_U16 && img.width == 4 && img.height == 2 && img.channels == 3);
        if (img.data)
            CHECK(((const uint16_t *)img.data)[23] == 23000);
        hk_image_free(&img);
        CHECK_ST(hk_image_load(tmp_path("f8.npy"), NULL, &img), HK_OK);
        if (img.data)
            CHECK(img.type == HK_F64 && ((const double *)img.data)[5] == 1.0 &&
                  ((const double *)img.data)[0] == -1.0);
        hk_image_free(&img);
        CHECK_ST(hk_image_load(tmp_path("v2.npy"), NULL, &img), HK_OK);
        if (img.data)
            CHECK(img.type == HK_F32 && img.width == 2 && ((const float *)img.data)[5] == 5.0f);
        hk_image_free(&img);
        CHECK_ST(hk_image_load(tmp_path("fo.npy"), NULL, &img), HK_ERR_UNSUPPORTED);
        CHECK(img.data == NULL);
        CHECK_ST(hk_image_load(tmp_path("i4.npy"), NULL, &img), HK_ERR_UNSUPPORTED);
    }
}

static void test_load(void)
{
    hk_image img;
    CHECK_ST(hk_image_load(tmp_path("no-such-file.png"), NULL, &img), HK_ERR_IO);
    CHECK(img.data == NULL && img.width == 0);
    CHECK_ST(hk_image_load(tmpdir, NULL, &img), HK_ERR_IO);
    CHECK_ST(hk_image_load(NULL, NULL, &img), HK_ERR_INVALID_ARG);
    CHECK_ST(hk_image_load(tmp_path("a1.npy"), NULL, NULL), HK_ERR_INVALID_ARG);
    write_file(tmp_path("empty"), "", 0);
    CHECK_ST(hk_image_load(tmp_path("empty"), NULL, &img), HK_ERR_FORMAT);
    write_file(tmp_path("t.pgm"), "P5 2 1 255\n\x07", 12);
    CHECK_ST(hk_image_load(tmp_path("t.pgm"), NULL, &img), HK_ERR_TRUNCATED);
    CHECK(img.data == NULL);
    /* A header claiming 10^10 pixels is refused before any allocation. */
    write_file(tmp_path("huge.pgm"), "P5 100000 100000 255\n\0", 23);
    CHECK_ST(hk_image_load(tmp_path("huge.pgm"), NULL, &img), HK_ERR_LIMIT);
    CHECK(img.data == NULL);
    hk_image_free(NULL);
    hk_image_free(&img);
}

/* Removes the scratch folder (flat: the test creates no subfolders). */
static void cleanup(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(tmp_path(e->d_name));
    closedir(d);
    rmdir(tmpdir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/hk_image_io_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_basics();
    test_png();
    test_jpeg();
    test_pnm();
    test_npy();
    test_npy_write();
    test_load();
    cleanup();
    if (failures) {
        fprintf(stderr, "test_image_io: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_image_io: all passed\n");
    return 0;
}
