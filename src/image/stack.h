/* Stack readers (internal): idx.c and npy_batch.c, dispatched by stack.c. */
#ifndef HK_IMAGE_STACK_H
#define HK_IMAGE_STACK_H

#include <stdint.h>

#include "hogkit.h"

/* Checks a stack's geometry against the limits (per image, then the whole
 * decoded size against max_file_bytes) and allocates its buffer; fills
 * everything in *stack but the samples. */
hk_status hk__stack_alloc(hk_stack *stack, uint64_t count, uint64_t height, uint64_t width,
                          uint64_t channels, hk_sample_type type, const hk_limits *limits);

/* Reverses the bytes of each ss-byte sample in place (big-endian files). */
void hk__swap_samples(void *data, size_t bytes, size_t ss);

hk_status hk__idx_load(const char *path, const hk_limits *limits, hk_stack *stack);

/* The IDX reader with options (idx.c): HK__IDX_VECTORS also accepts 1-D
 * files (labels), read as N images of 1 x 1; HK__IDX_EXACT refuses bytes
 * after the samples (HK_ERR_FORMAT). *ndim (may be NULL) gets the file's
 * number of dimensions. On error *stack is zeroed. */
#define HK__IDX_VECTORS 1
#define HK__IDX_EXACT 2
hk_status hk__idx_read(const char *path, const hk_limits *limits, int flags, hk_stack *stack,
                       int *ndim);
hk_status hk__npy_batch_load(const char *path, const hk_limits *limits, hk_stack *stack);

#endif
