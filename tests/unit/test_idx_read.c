/* hogkit's one IDX reader (src/image/idx.c) with the options the datasets
 * use: 1-D files (labels) only with HK__IDX_VECTORS, bytes after the samples
 * refused only with HK__IDX_EXACT; the dataset loader on top of it keeps
 * grey uint8 3-D images, 1-D uint8 labels of the same count. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hogkit.h"
#include "image/stack.h"

static char path_buf[2][64];

static const char *path_of(int which)
{
    snprintf(path_buf[which], sizeof path_buf[which], "test_idx_read_%ld_%s", (long)getpid(),
             which ? "t-labels-idx1-ubyte" : "t-images-idx3-ubyte");
    return path_buf[which];
}

static void write_idx(const char *path, uint8_t type, int nd, const uint32_t *dims,
                      const uint8_t *data, size_t n, size_t extra)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    uint8_t h[4] = {0, 0, type, (uint8_t)nd};
    fwrite(h, 1, 4, f);
    for (int i = 0; i < nd; i++) {
        uint8_t b[4] = {(uint8_t)(dims[i] >> 24), (uint8_t)(dims[i] >> 16),
                        (uint8_t)(dims[i] >> 8), (uint8_t)dims[i]};
        fwrite(b, 1, 4, f);
    }
    fwrite(data, 1, n, f);
    for (size_t i = 0; i < extra; i++)
        fputc(0, f);
    fclose(f);
}

int main(void)
{
    const char *img = path_of(0), *lab = path_of(1);
    uint8_t px[4 * 3 * 2], labels[4] = {2, 0, 1, 2};
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(i * 7);
    const uint32_t idims[3] = {4, 3, 2}, ldims[1] = {4};
    hk_stack s;
    int nd = 0;

    write_idx(lab, 0x08, 1, ldims, labels, 4, 0);
    CHECK(hk__idx_read(lab, NULL, 0, &s, &nd) == HK_ERR_UNSUPPORTED && !s.first.data);
    hk_limits lim;
    hk_limits_default(&lim);
    CHECK(hk__idx_read(lab, &lim, HK__IDX_VECTORS, &s, &nd) == HK_OK);
    CHECK(nd == 1 && s.count == 4 && s.first.width == 1 && s.first.height == 1);
    CHECK(s.first.data && memcmp(s.first.data, labels, 4) == 0);
    hk_stack_free(&s);

    write_idx(img, 0x08, 3, idims, px, sizeof px, 1);
    CHECK(hk__idx_read(img, &lim, 0, &s, &nd) == HK_OK && nd == 3 && s.count == 4);
    hk_stack_free(&s);
    CHECK(hk__idx_read(img, &lim, HK__IDX_EXACT, &s, &nd) == HK_ERR_FORMAT && !s.first.data);

    /* the dataset: exact images + labels found by MNIST naming */
    write_idx(img, 0x08, 3, idims, px, sizeof px, 0);
    hk_dataset ds;
    CHECK(hk_dataset_load_idx(img, NULL, NULL, &ds) == HK_OK);
    CHECK(ds.count == 4 && ds.width == 2 && ds.height == 3 && ds.labels && ds.n_classes == 3);
    CHECK(ds.pixels && memcmp(ds.pixels, px, sizeof px) == 0);
    for (int i = 0; ds.labels && i < 4; i++)
        CHECK(ds.labels[i] == labels[i]);
    hk_dataset_free(&ds);
    /* labels: wrong count, trailing byte, 3-D, floats */
    const uint32_t five[1] = {5};
    write_idx(lab, 0x08, 1, five, (const uint8_t *)"\1\1\1\1\1", 5, 0);
    CHECK(hk_dataset_load_idx(img, NULL, NULL, &ds) == HK_ERR_FORMAT && !ds.pixels);
    write_idx(lab, 0x08, 1, ldims, labels, 4, 1);
    CHECK(hk_dataset_load_idx(img, NULL, NULL, &ds) == HK_ERR_FORMAT);
    const uint32_t cube[3] = {4, 1, 1};
    write_idx(lab, 0x08, 3, cube, labels, 4, 0);
    CHECK(hk_dataset_load_idx(img, NULL, NULL, &ds) == HK_ERR_FORMAT);
    /* images: float samples and colour (4-D) are not datasets */
    write_idx(lab, 0x08, 1, ldims, labels, 4, 0);
    const uint32_t fdims[3] = {4, 1, 1};
    uint8_t f32[16] = {0};
    write_idx(img, 0x0D, 3, fdims, f32, sizeof f32, 0);
    CHECK(hk_dataset_load_idx(img, NULL, NULL, &ds) == HK_ERR_UNSUPPORTED);
    const uint32_t cdims[4] = {4, 1, 2, 3};
    write_idx(img, 0x08, 4, cdims, px, sizeof px, 0);
    CHECK(hk_dataset_load_idx(img, NULL, NULL, &ds) == HK_ERR_UNSUPPORTED);
    unlink(img);
    unlink(lab);
    return check_report("test_idx_read");
}
