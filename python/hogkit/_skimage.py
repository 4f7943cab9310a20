"""scikit-image 0.19's feature.hog, computed by libhogkit."""
import operator
import warnings

import numpy as np

from . import _hogkit
from ._common import check_pixels, for_library, single_channel_axis, skimage_float_type

_NORMS = {"L1": 0, "L1-sqrt": 1, "L2": 2, "L2-Hys": 3}
# Below this many pixels hog() runs on the calling thread (starting threads
# costs more than they save on e.g. 28x28 or 64x128 images).
_ONE_THREAD_PIXELS = 1 << 16


def _geometry(orientations, pixels_per_cell, cells_per_block, block_norm):
    c_row, c_col = pixels_per_cell
    b_row, b_col = cells_per_block
    if block_norm not in _NORMS:
        raise ValueError("Selected block normalization method is invalid.")
    return (operator.index(orientations), operator.index(c_row), operator.index(c_col),
            operator.index(b_row), operator.index(b_col), _NORMS[block_norm])


def _batch_dim(shape, geometry):
    """Feature length for (H, W) images without computing any (N = 0)."""
    n, c_row, c_col, b_row, b_col, _ = geometry
    nb_r = shape[0] // c_row - b_row + 1
    nb_c = shape[1] // c_col - b_col + 1
    if nb_r < 0 or nb_c < 0:
        raise ValueError("hogkit: image too small for the requested geometry")
    return nb_r * nb_c * b_row * b_col * n


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
        # skimage 0.19.3 fails here with an IndexError from its gradient
        raise ValueError(f"hogkit: cannot compute HOG of an empty image (shape {image.shape})")
    check_pixels(image.shape[:2])
    image = for_library(image, float_type)
    # Threads pay off on big images only; results never depend on the count.
    threads = 1 if image.shape[0] * image.shape[1] < _ONE_THREAD_PIXELS else 0
    out = _hogkit.hog_skimage(image, *geometry, bool(transform_sqrt),
                              float_type == np.float64, threads)
    if visualize:
        hog_image = _render(image, geometry, bool(transform_sqrt), float_type)
    if feature_vector:
        out = out.ravel()
    if visualize:
        return out, hog_image
    return out


def _render(image, geometry, transform_sqrt, float_type):
    """skimage's hog_image (visualize=True), drawn by hk_skimage_render."""
    n, c_row, c_col = geometry[:3]
    out = _hogkit.render_skimage(image, n, c_row, c_col, transform_sqrt)
    return out.astype(float_type, copy=False)


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
        if images.shape[0] != 0:
            raise ValueError(f"hogkit: cannot compute HOG of empty images (shape {images.shape})")
        return np.zeros((0, _batch_dim(images.shape[1:3], geometry)), dtype=float_type)
    check_pixels(images.shape[1:3])
    images = for_library(images, float_type)
    return _hogkit.hog_skimage_batch(images, *geometry, bool(transform_sqrt),
                                     float_type == np.float64, threads)
