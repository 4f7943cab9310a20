/* Whole-or-nothing file writes (internal). A failed write must never leave a
 * half-written file where a user expects a result, so data goes to a
 * temporary file in the destination's folder (same filesystem, so rename is
 * atomic) and only a complete, fsynced file is renamed over the target. */
#ifndef HK_COMMON_ATOMIC_FILE_H
#define HK_COMMON_ATOMIC_FILE_H

#include <stddef.h>

#include "hogkit.h"

/* Writes the concatenation of n chunks (chunks[i] of sizes[i] bytes; a chunk
 * of size 0 may be NULL) to `path`, replacing any existing file. On failure
 * the temporary file is removed, `path` is untouched, and HK_ERR_IO is
 * returned (HK_ERR_INVALID_ARG for bad arguments, HK_ERR_NOMEM if the
 * temporary name cannot be allocated). The new file gets mode 0644. */
hk_status hk_atomic_write(const char *path, const void *const *chunks,
                          const size_t *sizes, int n);

#endif
