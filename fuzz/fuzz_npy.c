/* Fuzz target: the npy reader (src/image/npy.c), see fuzz_reader.h. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one_reader(data, size, HK_FORMAT_NPY, hk__npy_read);
    return 0;
}
