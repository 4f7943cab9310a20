"""scikit-image 0.19's feature.hog, computed by libhogkit."""
import operator
import warnings

import numpy as np

from . import _hogkit
from ._common import for_library, single_channel_axis, skimage_float_type

_NORMS = {"L1": 0, "L1-sqrt": 1, "L2": 2, "L2-Hys": 3}


def _geometry(orientations, pixels_per_cell, cells_per_block, block_norm):
    c_row, c_col = pixels_per_cell
    b_row, b_col = cells_per_block
    if block_norm not in _NORMS:
        raise ValueError("Selected block normalization method is invalid.")
    return (operator.index(orientations), operator.index(c_row), operator.index(c_col),
            operator.index(b_row), operator.index(b_col), _NORMS[block_norm])


def _empty_result(shape, geometry, float_type, visualize, feature_vector):
    """skimage on an image with a zero-length axis: an empty result when the
    block count is 0, NumPy's 'negative dimensions' error below that."""
    n, c_row, c_col, b_row, b_col, _ = geometry
    s_row, s_col = shape[:2]
    nb_r = s_row // c_row - b_row + 1
    nb_c = s_col // c_col - b_col + 1
    if nb_r < 0 or nb_c < 0:
        raise ValueError("negative dimensions are not allowed")
    out = np.zeros((nb_r, nb_c, b_row, b_col, n), dtype=float_type)
    if feature_vector:
        out = out.ravel()
    if visualize:
        return out, np.zeros((s_row, s_col), dtype=float_type)
    return out


def hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
        block_norm='L2-Hys', visualize=False, transform_sqrt=False,
        feature_vector=True, multichannel=None, *, channel_axis=None):
    """Histogram of Oriented Gradients exactly as skimage.feature.hog
    (scikit-image 0.19.3): same arguments, defaults, output shape and dtype
    (float32 for float16/float32 images, float64 otherwise).

    Differences: NaN/inf pixels, and negative pixels with transform_sqrt,
    raise ValueError instead of giving NaN features; an image too small for
    one block raises hogkit's "image too small" ValueError where skimage
    raises NumPy's "negative dimensions" ValueError.
    """
    if multichannel is not None:
        warnings.warn("`multichannel` is a deprecated argument name for `hog`. It will be "
                      "removed in version 1.0. Please use `channel_axis` instead.",
                      category=FutureWarning, stacklevel=2)
        channel_axis = -1 if multichannel else None
    axis = single_channel_axis(channel_axis)
    if axis is not None and axis != -1:
        image = np.moveaxis(image, axis, -1)
    image = np.atleast_2d(np.asarray(image))
    float_type = skimage_float_type(image.dtype)
    multi = axis is not None
    if (image.ndim - 1 if multi else image.ndim) != 2:
        raise ValueError('Only images with two spatial dimensions are '
                         'supported. If using with color/multichannel '
                         'images, specify `channel_axis`.')
    geometry = _geometry(orientations, pixels_per_cell, cells_per_block, block_norm)
    if image.size == 0:
        return _empty_result(image.shape, geometry, float_type, visualize, feature_vector)
    image = for_library(image, float_type)
    out = _hogkit.hog_skimage(image, *geometry, bool(transform_sqrt),
                              float_type == np.float64)
    if visualize:
        hog_image = _render(image, geometry, bool(transform_sqrt), float_type)
    if feature_vector:
        out = out.ravel()
    if visualize:
        return out, hog_image
    return out


def _render(image, geometry, transform_sqrt, float_type):
    raise NotImplementedError("hogkit: visualize=True is not available in this build")


def hog_batch(images, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
              block_norm='L2-Hys', transform_sqrt=False, *, channel_axis=None,
              threads=None):
    """HOG of every image of an (N, H, W) array, or (N, H, W, C) with
    channel_axis set (the axis of one image, as in hog), into an (N, D) array:
    row i equals hog(images[i], ...) with the same arguments. The GIL is
    released while the library works, so other Python threads keep running.
    threads: None or 0 lets the library use every core, 1 keeps it on the
    calling thread."""
    images = np.asarray(images)
    axis = single_channel_axis(channel_axis)
    if axis is not None and axis != -1:
        image_ndim = images.ndim - 1
        if not -image_ndim <= axis < image_ndim:
            raise np.AxisError(axis, image_ndim)
        images = np.moveaxis(images, axis + 1 if axis >= 0 else axis, -1)
    want = 4 if axis is not None else 3
    if images.ndim != want:
        raise ValueError(f"hog_batch takes an (N, H, W{', C' if axis is not None else ''}) "
                         f"array; got shape {images.shape}. For colour images, specify "
                         "`channel_axis`." if axis is None else
                         f"hog_batch takes an (N, H, W, C) array; got shape {images.shape}")
    float_type = skimage_float_type(images.dtype)
    geometry = _geometry(orientations, pixels_per_cell, cells_per_block, block_norm)
    threads = 0 if threads is None else operator.index(threads)
    if threads < 0:
        raise ValueError("threads must be None or >= 0")
    if images.size == 0:
        n = images.shape[0]
        one = _empty_result(images.shape[1:], geometry, float_type, False, True) \
            if 0 in images.shape[1:] else None
        if one is None:  # N == 0 with a real image size: ask the library for D
            d = _hogkit.hog_skimage(np.zeros(images.shape[1:], np.uint8), *geometry,
                                    bool(transform_sqrt), False).size
        else:
            d = one.size
        return np.zeros((n, d), dtype=float_type)
    images = for_library(images, float_type)
    return _hogkit.hog_skimage_batch(images, *geometry, bool(transform_sqrt),
                                     float_type == np.float64, threads)
