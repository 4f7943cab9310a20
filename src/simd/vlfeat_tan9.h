/* The boundaries of VLFeat's hard bin for 8-bit gradients and 9
 * orientations: tan(10, 30, 50, 70 deg) rounded to float, the bisectors of
 * the directions k * 20 deg (hk__snap18_u8, simd/snap18_u8_avx2.h). Shared
 * by the one-image AVX2 kernel (vlfeat_avx2.c) and the image-per-lane one
 * (vlfeat_lanes_avx2.c); tests/unit/test_vlfeat_paths.c (check_bins9)
 * proves them exact for every integer gradient in [-255, 255]^2. */
#ifndef HK_SIMD_VLFEAT_TAN9_H
#define HK_SIMD_VLFEAT_TAN9_H

#define HK_VLF_TAN9 {0.176326975f, 0.577350259f, 1.19175363f, 2.74747753f}

#endif
