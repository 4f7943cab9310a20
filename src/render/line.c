/* skimage.draw.line, step for step: the same error term and the same
 * tie-breaking, so every pixel skimage draws is drawn here and no other. */
#include "render/render_internal.h"

static long labs_(long v) { return v < 0 ? -v : v; }

void hk_draw_line(long r0, long c0, long r1, long c1,
                  void (*visit)(void *ctx, long r, long c), void *ctx)
{
    long r = r0, c = c0;
    long dr = labs_(r1 - r0), dc = labs_(c1 - c0);
    long sc = (c1 - c) > 0 ? 1 : -1;
    long sr = (r1 - r) > 0 ? 1 : -1;
    int steep = 0;
    if (dr > dc) {
        long t;
        steep = 1;
        t = c; c = r; r = t;
        t = dc; dc = dr; dr = t;
        t = sc; sc = sr; sr = t;
    }
    long d = 2 * dr - dc;
    for (long i = 0; i < dc; i++) {
        if (steep)
            visit(ctx, c, r);
        else
            visit(ctx, r, c);
        while (d >= 0) {
            r += sr;
            d -= 2 * dc;
        }
        c += sc;
        d += 2 * dr;
    }
    visit(ctx, r1, c1);
}
