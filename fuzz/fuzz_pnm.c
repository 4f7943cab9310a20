/* Fuzz target: the pnm reader (src/image/pnm.c), see fuzz_reader.h. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one_reader(data, size, HK_FORMAT_PNM, hk__pnm_read);
    return 0;
}
