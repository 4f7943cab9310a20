/* Internal helpers of the HOG renderers. */
#ifndef HK_RENDER_INTERNAL_H
#define HK_RENDER_INTERNAL_H

#include <stddef.h>

/* Calls visit(ctx, r, c) for each pixel of skimage.draw.line(r0, c0, r1, c1)
 * of scikit-image 0.19.3 (_draw.pyx _line), in its order: Bresenham from
 * (r0, c0), max(|dr|, |dc|) steps, the end point written last. */
void hk_draw_line(long r0, long c0, long r1, long c1,
                  void (*visit)(void *ctx, long r, long c), void *ctx);

#endif
