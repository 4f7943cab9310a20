"""Felzenszwalb HOG: VLFeat's vl_hog (UoCTTI and Dalal-Triggs variants) and
dlib's extract_fhog_features, computed by libhogkit."""
import operator

import numpy as np

from . import _hogkit
from ._common import check_pixels, single_channel_axis

# hk_variant values
_VARIANTS = {"uoctti": 3, "dt": 2, "dalaltriggs": 2, "dlib": 4}


def fhog(image, cell_size=8, variant="uoctti", orientations=9, bilinear_orientations=False,
         filter_padding=(1, 1), *, channel_axis=None, channels_last=False, visualize=False):
    """HOG of `image` as VLFeat 0.9.21 or dlib 19.24 compute it.

    variant: 'uoctti' (VLFeat VlHogVariantUoctti, 3*orientations+4 = 31
    planes), 'dt' (VLFeat VlHogVariantDalalTriggs, 4*orientations planes) or
    'dlib' (dlib::extract_fhog_features, 31 planes; orientations must be 9).
    image: (H, W) or colour with channel_axis (VLFeat: any channel count, the
    strongest gradient wins; dlib: grey, or RGB/RGBA). uint8, uint16,
    float32 and float64 are read as they are; other dtypes become float64.
    bilinear_orientations: VLFeat's vl_hog_set_use_bilinear_orientation_assignments.
    filter_padding: dlib's (filter_rows_padding, filter_cols_padding).
    Returns float32 (D, rows, cols) as VLFeat stores it and dlib's planes
    come (channels_last=True: (rows, cols, D), cyvlfeat's layout); with
    visualize=True also the VLFeat glyph picture (rows*21, cols*21)."""
    key = str(variant).lower().replace("-", "").replace("_", "")
    if key not in _VARIANTS:
        raise ValueError(f"hogkit: unknown fhog variant {variant!r} (uoctti, dt or dlib)")
    axis = single_channel_axis(channel_axis)
    image = np.asarray(image)
    if axis is not None and axis != -1:
        image = np.moveaxis(image, axis, -1)
    want = 3 if axis is not None else 2
    if image.ndim != want:
        raise ValueError(f"hogkit: fhog takes an (H, W) image, or (H, W, C) with "
                         f"channel_axis; got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"hogkit: cannot compute HOG of an empty image (shape {image.shape})")
    check_pixels(image.shape[:2])
    if not (image.dtype.isnative and image.dtype in (np.uint8, np.uint16, np.float32,
                                                     np.float64)):
        if image.dtype.kind not in "biuf" and image.dtype != object:
            raise TypeError(f"hogkit: cannot compute HOG of an array of dtype {image.dtype}")
        image = image.astype(np.float64)
    pad_r, pad_c = filter_padding
    v = _VARIANTS[key]
    n = operator.index(orientations)
    out = _hogkit.fhog(image, v, operator.index(cell_size), n, bool(bilinear_orientations),
                       operator.index(pad_r), operator.index(pad_c))
    if visualize:
        picture = _hogkit.glyph_render(out, v, n)
    if channels_last:
        out = np.ascontiguousarray(np.moveaxis(out, 0, -1))
    if visualize:
        return out, picture
    return out
