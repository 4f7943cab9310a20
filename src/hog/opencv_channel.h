/* OpenCV's choice of colour channel per pixel (largest dx^2+dy^2), whose tie
 * rule depends on the code path OpenCV takes for that column: its 4-lane SIMD
 * loop gives ties to the lowest channel, its scalar tail to the highest.
 * Shared by the OpenCV variant and the detector's gradients. */
#ifndef HK_HOG_OPENCV_CHANNEL_H
#define HK_HOG_OPENCV_CHANNEL_H

/* m0..m2: squared magnitudes of channels 0..2; simd_lane: the column lies in
 * OpenCV's SIMD part (x < width & ~3). Returns the channel index. */
static inline int hk_opencv_best_channel(float m0, float m1, float m2, int simd_lane)
{
    if (simd_lane) {
        float ms = m2 > m1 ? m2 : m1;
        return ms > m0 ? (m2 > m1 ? 2 : 1) : 0;
    }
    int best = 2;
    float m = m2;
    if (m < m1) {
        best = 1;
        m = m1;
    }
    if (m < m0)
        best = 0;
    return best;
}

#endif
