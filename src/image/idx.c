/* IDX stacks (the MNIST / Fashion-MNIST format), plain or gzip.
 *
 * Layout (big-endian): two zero bytes, a type byte (0x08 unsigned byte,
 * 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double), the
 * number of dimensions, one u32 per dimension, then the samples in C order.
 * Images are (N, H, W) or (N, H, W, C); hogkit has no signed sample types,
 * so 0x09, 0x0B and 0x0C are HK_ERR_UNSUPPORTED, as are label files (1-D).
 *
 * zlib's gzread reads plain files as they are, so one path serves both; it
 * reads exactly the size the header promised after the limits allowed it,
 * so a compressed bomb decodes no further than that.
 *
 * The one IDX reader of hogkit: hk_stack_load uses it as is, the recognition
 * datasets (src/learn/dataset_idx.c) with HK__IDX_VECTORS for label files and
 * HK__IDX_EXACT to refuse bytes after the samples. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image/stack.h"

static hk_status read_exact(gzFile f, void *dst, size_t n)
{
    unsigned char *p = dst;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(f, p, chunk);
        if (got < 0) {
            int err;
            gzerror(f, &err);
            return err == Z_DATA_ERROR || err == Z_BUF_ERROR ? HK_ERR_FORMAT : HK_ERR_IO;
        }
        if (got == 0)
            return HK_ERR_TRUNCATED;
        p += got;
        n -= (size_t)got;
    }
    return HK_OK;
}

static hk_status parse_and_read(gzFile f, const hk_limits *limits, int flags, hk_stack *stack,
                                int *ndim)
{
    uint8_t head[4], raw[16];
    uint64_t dims[4] = {0, 0, 0, 1};
    hk_status st = read_exact(f, head, 4);
    if (st != HK_OK)
        return st;
    if (head[0] != 0 || head[1] != 0)
        return HK_ERR_FORMAT;
    hk_sample_type type;
    switch (head[2]) {
    case 0x08: type = HK_U8; break;
    case 0x0D: type = HK_F32; break;
    case 0x0E: type = HK_F64; break;
    case 0x09: case 0x0B: case 0x0C: return HK_ERR_UNSUPPORTED;
    default: return HK_ERR_FORMAT;
    }
    int nd = head[3];
    if (nd == 0)
        return HK_ERR_FORMAT;
    if (nd != 3 && nd != 4 && !(nd == 1 && (flags & HK__IDX_VECTORS)))
        return HK_ERR_UNSUPPORTED; /* labels (1-D), vectors (2-D), volumes */
    if ((st = read_exact(f, raw, (size_t)nd * 4)) != HK_OK)
        return st;
    for (int i = 0; i < nd; i++)
        dims[i] = (uint64_t)raw[4 * i] << 24 | (uint64_t)raw[4 * i + 1] << 16 |
                  (uint64_t)raw[4 * i + 2] << 8 | raw[4 * i + 3];
    if (nd == 1)
        dims[1] = dims[2] = 1; /* N values: N images of 1 x 1 */
    *ndim = nd;
    if (dims[1] == 0 || dims[2] == 0 || dims[3] == 0)
        return HK_ERR_FORMAT;
    st = hk__stack_alloc(stack, dims[0], dims[1], dims[2], dims[3], type, limits);
    if (st != HK_OK)
        return st;
    size_t total = stack->count * stack->image_bytes;
    if ((st = read_exact(f, (void *)stack->first.data, total)) != HK_OK)
        return st;
    /* IDX is big-endian whatever the host */
    const uint16_t one = 1;
    if (*(const uint8_t *)&one == 1 && type != HK_U8)
        hk__swap_samples((void *)stack->first.data, total, hk_sample_size(type));
    uint8_t extra;
    if ((flags & HK__IDX_EXACT) && gzread(f, &extra, 1) != 0)
        return HK_ERR_FORMAT; /* longer than its header says */
    return HK_OK;
}

hk_status hk__idx_read(const char *path, const hk_limits *limits, int flags, hk_stack *stack,
                       int *ndim)
{
    int nd = 0;
    memset(stack, 0, sizeof(*stack));
    gzFile f = gzopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    gzbuffer(f, 1u << 17);
    hk_status st = parse_and_read(f, limits, flags, stack, &nd);
    gzclose(f);
    if (st != HK_OK) {
        free((void *)stack->first.data);
        memset(stack, 0, sizeof(*stack));
    } else if (ndim) {
        *ndim = nd;
    }
    return st;
}

hk_status hk__idx_load(const char *path, const hk_limits *limits, hk_stack *stack)
{
    return hk__idx_read(path, limits, 0, stack, NULL);
}
