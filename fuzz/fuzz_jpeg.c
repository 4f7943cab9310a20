/* Fuzz target: the jpeg reader (src/image/jpeg.c), see fuzz_reader.h. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one_reader(data, size, HK_FORMAT_JPEG, hk__jpeg_read);
    return 0;
}
