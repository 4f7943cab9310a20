/* Fuzz target: the stack reader hk_stack_load (src/image/stack.c), which
 * dispatches to IDX (plain or gzip, src/image/idx.c) and 3-D/4-D .npy
 * (src/image/npy_stack.c). The reader takes a path, so each input is put in
 * an in-memory file (memfd) and read back through /proc/self/fd/N.
 *
 * Properties: only documented statuses; on success the stack is consistent
 * (count >= 1, image_bytes = w*h*c*sample size, hk_image_check passes, every
 * byte of every image readable under ASan) and within the limits (pixels,
 * channels, whole decoded size <= max_file_bytes); on error it is zeroed. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    if (memfd < 0) {
        memfd = memfd_create("hk_fuzz_idx", 0);
        FUZZ_CHECK(memfd >= 0);
    }
    FUZZ_CHECK(ftruncate(memfd, 0) == 0);
    FUZZ_CHECK(size == 0 || pwrite(memfd, data, size, 0) == (ssize_t)size);
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);

    hk_limits limits;
    fuzz_limits(&limits);
    /* A stack's decoded size is bounded by max_file_bytes; keep it well
     * under libFuzzer's RSS limit. */
    limits.max_file_bytes = (uint64_t)64 << 20;
    hk_stack stack;
    hk_status st = hk_stack_load(path, &limits, &stack);
    FUZZ_CHECK(fuzz_reader_status_ok(st) || st == HK_ERR_IO);
    if (st != HK_OK) {
        hk_stack zero;
        memset(&zero, 0, sizeof zero);
        FUZZ_CHECK(memcmp(&stack, &zero, sizeof zero) == 0);
        return 0;
    }
    const hk_image *im = &stack.first;
    FUZZ_CHECK(stack.count >= 1 && hk_image_check(im) == HK_OK);
    FUZZ_CHECK((uint64_t)im->width * im->height <= limits.max_pixels);
    FUZZ_CHECK(im->channels <= limits.max_channels);
    FUZZ_CHECK(stack.image_bytes ==
               (size_t)im->width * im->height * im->channels * hk_sample_size(im->type));
    FUZZ_CHECK(stack.image_bytes * stack.count <= limits.max_file_bytes);
    /* Touch every byte (ASan: the buffer really is that long). */
    const uint8_t *p = im->data;
    unsigned sum = 0;
    for (size_t i = 0; i < stack.image_bytes * stack.count; i++)
        sum += p[i];
    (void)sum;
    hk_stack_free(&stack);
    FUZZ_CHECK(stack.first.data == NULL && stack.count == 0);
    return 0;
}
