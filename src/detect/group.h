/* Merging of overlapping windows (src/detect/group.c). */
#ifndef HK_DETECT_GROUP_H
#define HK_DETECT_GROUP_H

#include <stddef.h>

#include "hogkit.h"

/* A raw hit: rectangle, score and the pyramid scale that produced it. */
typedef struct hk_cand {
    int x, y, w, h;
    double score, scale;
} hk_cand;

/* Each returns the number of boxes written to out (at most n: out must hold
 * n boxes); HK_ERR_NOMEM through *st. */
size_t hk__group_opencv(const hk_cand *c, size_t n, int group_threshold, double eps,
                        hk_box *out, hk_status *st);
size_t hk__group_meanshift(const hk_cand *c, size_t n, double threshold, int win_w, int win_h,
                           hk_box *out, hk_status *st);
size_t hk__group_nms(const hk_cand *c, size_t n, double iou, hk_box *out, hk_status *st);

/* cv::clipObjects: intersect with the image, drop empty boxes; returns the
 * new count. */
size_t hk__clip_boxes(hk_box *b, size_t n, int width, int height);

/* Sorts by score, highest first (ties: y, x, w, h) so output is canonical. */
void hk__sort_boxes(hk_box *b, size_t n);

#endif
