/* .npy stacks for batches: (N, H, W) or (N, H, W, C) arrays (channels last,
 * like the images hk_image_load reads; MaskFeat's planar (N, C, H, W)
 * float32 batches are npy_stack.c's), header parsed by npy.c.
 * The array is read straight into the stack's buffer (no second copy), after
 * the header's geometry passed the limits. */
#include <stdio.h>
#include <stdlib.h>

#include "image/decoders.h"
#include "image/stack.h"

hk_status hk__npy_batch_load(const char *path, const hk_limits *limits, hk_stack *stack)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    size_t cap = 12 + (size_t)limits->max_npy_header;
    uint8_t *head = malloc(cap);
    hk_status st = head ? HK_OK : HK_ERR_NOMEM;
    npy_header h;
    if (st == HK_OK) {
        size_t got = fread(head, 1, cap, f);
        st = hk__npy_header(head, got, limits, &h);
    }
    free(head);
    if (st == HK_OK && h.ndim != 3 && h.ndim != 4)
        st = HK_ERR_UNSUPPORTED;
    if (st == HK_OK && (h.dims[1] == 0 || h.dims[2] == 0 || (h.ndim == 4 && h.dims[3] == 0)))
        st = HK_ERR_FORMAT;
    if (st == HK_OK)
        st = hk__stack_alloc(stack, h.dims[0], h.dims[1], h.dims[2], h.ndim == 4 ? h.dims[3] : 1,
                             h.type, limits);
    if (st == HK_OK) {
        size_t total = stack->count * stack->image_bytes;
        if (fseek(f, (long)h.offset, SEEK_SET) != 0)
            st = HK_ERR_IO;
        else if (fread((void *)stack->first.data, 1, total, f) != total)
            st = ferror(f) ? HK_ERR_IO : HK_ERR_TRUNCATED;
        const uint16_t one = 1;
        if (st == HK_OK && *(const uint8_t *)&one != 1) /* .npy data is little-endian */
            hk__swap_samples((void *)stack->first.data, total, hk_sample_size(h.type));
    }
    fclose(f);
    return st;
}
