"""Bad arrays and bad arguments: Python exceptions with hogkit's messages,
never a crash, and the same exception type as skimage where skimage raises."""
import numpy as np
import pytest
from skimage.feature import hog as sk_hog

import hogkit
from hogkit import _hogkit


def both_raise(img, exc=(ValueError, TypeError), **kw):
    with pytest.raises(exc) as ref:
        sk_hog(img, **kw)
    with pytest.raises(type(ref.value)):
        hogkit.hog(img, **kw)


def test_wrong_ndim():
    both_raise(np.zeros((32, 32, 3)))                   # colour without channel_axis
    both_raise(np.zeros((32, 32)), channel_axis=-1)     # grey with a channel axis
    both_raise(np.zeros((4, 32, 32, 3)), channel_axis=-1)
    both_raise(np.zeros((32, 32, 3)), channel_axis=3)   # axis out of range (AxisError)
    both_raise(np.zeros((32, 32, 3)), channel_axis=(0, 1))


def test_too_small_and_zero_size():
    both_raise(np.zeros((10, 10)))             # negative block count
    for shape in [(0, 0), (0, 40)]:   # skimage: IndexError or "negative dimensions"
        with pytest.raises(ValueError):
            hogkit.hog(np.zeros(shape))
    # skimage fails on any zero-length axis (IndexError); hogkit says why
    for shape in [(0, 16), (16, 0)]:
        with pytest.raises(IndexError):
            sk_hog(np.zeros(shape), cells_per_block=(1, 1))
        with pytest.raises(ValueError, match="empty"):
            hogkit.hog(np.zeros(shape), cells_per_block=(1, 1))
    with pytest.raises(ValueError, match="too small"):
        hogkit.hog(np.zeros((10, 10)))


def test_bad_parameters():
    img = np.zeros((64, 64), np.uint8)
    both_raise(img, block_norm="L3")
    both_raise(img, cells_per_block=(3, 3, 3))
    with pytest.raises(ValueError, match="hogkit: HOG parameters: invalid argument"):
        hogkit.hog(img, orientations=0)
    with pytest.raises(ValueError):
        hogkit.hog(img, pixels_per_cell=(0, 8))       # skimage: ZeroDivisionError
    with pytest.raises(ValueError):
        hogkit.hog(img, pixels_per_cell=(-8, 8))
    with pytest.raises(TypeError):
        hogkit.hog(img, orientations=2.5)
    with pytest.raises((ValueError, OverflowError)):
        hogkit.hog(img, orientations=2**40)


def test_nonfinite_and_domain():
    img = np.random.default_rng(0).random((40, 40))
    img[5, 7] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        hogkit.hog(img)
    img[5, 7] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        hogkit.hog(img.astype(np.float32))
    img[5, 7] = -1.0
    with pytest.raises(ValueError, match="domain"):
        hogkit.hog(img, transform_sqrt=True)


def test_bad_dtypes():
    both_raise(np.zeros((32, 32), np.complex128))
    for bad in (np.array([["a"] * 30] * 30), np.zeros((30, 30), "M8[s]"),
                np.zeros((30, 30), [("a", int)]), np.zeros((30, 30), "V8")):
        with pytest.raises(TypeError, match="dtype"):
            hogkit.hog(bad)
    objs = np.empty((30, 30), object)
    with pytest.raises(ValueError, match="NaN"):      # None becomes NaN, as in skimage
        hogkit.hog(objs)
    objs[:] = 1.5                                     # numbers in an object array work
    ref, got = sk_hog(objs, cells_per_block=(1, 1)), hogkit.hog(objs, cells_per_block=(1, 1))
    assert got.dtype == ref.dtype and np.array_equal(got.shape, ref.shape)


def test_huge_shapes_refused_before_allocation():
    for shape in [(2**33, 8), (70000, 70000), (8, 2**40)]:
        view = np.broadcast_to(np.uint8(1), shape)
        with pytest.raises(ValueError, match="limit|out of range"):
            hogkit.hog(view)
        with pytest.raises(ValueError, match="limit|out of range"):
            hogkit.hog(np.broadcast_to(np.int64(1), shape))
        with pytest.raises(ValueError, match="limit|out of range"):
            hogkit.hog_batch(np.broadcast_to(np.uint8(1), (2,) + shape))
    with pytest.raises(ValueError, match="channels"):
        hogkit.hog(np.zeros((16, 16, 2000), np.uint8), channel_axis=-1)
    with pytest.raises(ValueError, match="limit"):
        hogkit.maskfeat_targets(np.broadcast_to(np.float32(0), (2, 3, 2**20, 2**20)))
    with pytest.raises(ValueError, match="limit"):
        hogkit.fhog(np.broadcast_to(np.uint8(0), (2**31, 4)))
    with pytest.raises(ValueError, match="limit"):
        hogkit.HOGDescriptor().compute(np.broadcast_to(np.uint8(0), (2**20, 2**20)))


def test_extension_rejects_bad_arrays_directly():
    args = (9, 8, 8, 3, 3, 3, False, True)
    with pytest.raises(TypeError):
        _hogkit.hog_skimage([[1, 2], [3, 4]], *args)
    with pytest.raises(ValueError):
        _hogkit.hog_skimage(np.zeros((2, 3, 4, 5), np.uint8), *args)
    with pytest.raises(TypeError):
        _hogkit.hog_skimage(np.zeros((32, 32), np.int8), *args)
    with pytest.raises(TypeError):
        _hogkit.hog_skimage(np.zeros((32, 32), ">f8"), *args)
    with pytest.raises(ValueError):
        _hogkit.hog_skimage(np.zeros((0, 32), np.uint8), *args)
    with pytest.raises(ValueError):
        _hogkit.hog_skimage(np.zeros((32, 32), np.uint8), 9, 8, 8, 3, 3, 99, False, True)
    with pytest.raises(TypeError):
        _hogkit.hog_skimage_batch(np.zeros((2, 32, 32), np.int8), *args)
    with pytest.raises(ValueError):
        _hogkit.hog_skimage_batch(np.zeros((32, 32), np.uint8), *args)
    with pytest.raises(ValueError):
        _hogkit.maskfeat_targets(np.zeros((1, 3, 32, 32)), 9, 8, 0, 16, True)
    with pytest.raises(ValueError):
        hogkit.maskfeat_targets(np.zeros((1, 3, 1, 1), np.float32))
    with pytest.raises(ValueError):
        hogkit.maskfeat_targets(np.zeros((2, 2), np.float32))
    assert _hogkit.strerror(3) == "size overflow"


def test_batch_errors():
    with pytest.raises(ValueError, match="channel_axis"):
        hogkit.hog_batch(np.zeros((2, 32, 32, 3), np.uint8))
    with pytest.raises(ValueError):
        hogkit.hog_batch(np.zeros((32, 32), np.uint8))
    bad = np.random.default_rng(0).random((3, 32, 32))
    bad[2, 1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        hogkit.hog_batch(bad, cells_per_block=(1, 1))
    with pytest.raises(ValueError):
        hogkit.hog_batch(np.zeros((2, 32, 32), np.uint8), threads=-1)
