/* `hogkit hog --variant maskfeat` on a 4-D (N, C, H, W) float32 .npy batch. */
#ifndef HK_CLI_MASKFEAT_STACK_H
#define HK_CLI_MASKFEAT_STACK_H

#include "hogkit.h"

/* Returns -1 when `in` is not a 4-D .npy stack (the caller reads it as an
 * image), otherwise 1 after writing (N, patches, dims) to out_path or 0 after
 * printing an error. */
int maskfeat_stack_one(const hk_hog_params *params, const hk_limits *limits, hk_hog_ctx *ctx,
                       const char *in, const char *out_path, int verbose);

#endif
