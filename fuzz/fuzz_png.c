/* Fuzz target: the png reader (src/image/png.c), see fuzz_reader.h. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one_reader(data, size, HK_FORMAT_PNG, hk__png_read);
    return 0;
}
