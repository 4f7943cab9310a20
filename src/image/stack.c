/* Stacks of same-size images (batches): format detection, limits, buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "image/decoders.h"
#include "image/stack.h"

hk_status hk__stack_alloc(hk_stack *stack, uint64_t count, uint64_t height, uint64_t width,
                          uint64_t channels, hk_sample_type type, const hk_limits *limits)
{
    hk_image_info info;
    size_t total;
    if (count == 0)
        return HK_ERR_FORMAT; /* nothing to compute on */
    hk_status st = hk__image_info_set(&info, HK_FORMAT_UNKNOWN, width, height, channels, type,
                                      limits);
    if (st != HK_OK)
        return st;
    if (count > SIZE_MAX || !hk_mul_size((size_t)count, info.bytes, &total))
        return HK_ERR_OVERFLOW;
    if (total > limits->max_file_bytes)
        return HK_ERR_LIMIT;
    void *data = malloc(total);
    if (!data)
        return HK_ERR_NOMEM;
    stack->count = (size_t)count;
    stack->image_bytes = info.bytes;
    stack->first = (hk_image){info.width, info.height, info.channels, type,
                              (size_t)info.width * info.channels * hk_sample_size(type), data};
    return HK_OK;
}

void hk__swap_samples(void *data, size_t bytes, size_t ss)
{
    uint8_t *p = data;
    for (size_t i = 0; i + ss <= bytes; i += ss)
        for (size_t k = 0; k < ss / 2; k++) {
            uint8_t t = p[i + k];
            p[i + k] = p[i + ss - 1 - k];
            p[i + ss - 1 - k] = t;
        }
}

hk_status hk_stack_load(const char *path, const hk_limits *limits, hk_stack *stack)
{
    hk_limits defaults;
    uint8_t magic[6];
    if (!stack)
        return HK_ERR_INVALID_ARG;
    memset(stack, 0, sizeof(*stack));
    if (!path)
        return HK_ERR_INVALID_ARG;
    if (!limits) {
        hk_limits_default(&defaults);
        limits = &defaults;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    hk_status st;
    static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (got == sizeof magic && memcmp(magic, npy_magic, 6) == 0)
        st = hk__npy_batch_load(path, limits, stack);
    else if (got >= 2 && ((magic[0] == 0x1f && magic[1] == 0x8b) || (magic[0] == 0 && magic[1] == 0)))
        st = hk__idx_load(path, limits, stack); /* gzip or plain IDX */
    else
        st = got < 2 ? HK_ERR_TRUNCATED : HK_ERR_FORMAT;
    if (st != HK_OK)
        hk_stack_free(stack);
    return st;
}

void hk_stack_free(hk_stack *stack)
{
    if (!stack)
        return;
    free((void *)stack->first.data);
    memset(stack, 0, sizeof(*stack));
}
