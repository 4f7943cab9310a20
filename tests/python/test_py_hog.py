"""hogkit.hog / hog_batch (the extension module) against the real
skimage.feature.hog on made and real images: same shapes, dtypes, values
(within 1e-5; hogkit computes in float32 where skimage's last step is
float64) and the same exceptions."""
import itertools
import threading
import time

import numpy as np
import pytest
from skimage import data as skdata
from skimage.feature import hog as sk_hog

import hogkit

TOL = 1e-5
CV_DATA = "/usr/share/doc/opencv-doc/examples/data"


def made(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 70000), shape).astype(dtype)
    return (rng.random(shape) * 3).astype(dtype)


def same(img, **kw):
    """hogkit.hog(img, **kw) equals skimage's, including visualize's tuple."""
    ref = sk_hog(img, **kw)
    got = hogkit.hog(img, **kw)
    if isinstance(ref, tuple):
        assert isinstance(got, tuple) and len(got) == 2
        pairs = list(zip(got, ref))
    else:
        pairs = [(got, ref)]
    for g, r in pairs:
        assert type(g) is np.ndarray
        assert g.dtype == r.dtype, (g.dtype, r.dtype, kw)
        assert g.shape == r.shape, (g.shape, r.shape, kw)
        if r.size:
            err = np.abs(g.astype(np.float64) - r).max()
            assert err <= TOL * max(1.0, np.abs(r).max()), (err, kw)
    return got


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64, np.float16,
                                   np.int16, np.int32, np.int64, np.uint32, np.bool_])
def test_dtypes(dtype):
    same(made((61, 75), dtype))


@pytest.mark.parametrize("norm", ["L1", "L1-sqrt", "L2", "L2-Hys"])
@pytest.mark.parametrize("sqrt", [False, True])
def test_norms_and_sqrt(norm, sqrt):
    img = made((70, 90), np.uint8, seed=1)
    same(img, block_norm=norm, transform_sqrt=sqrt)
    same(img.astype(np.float32) / 255, block_norm=norm, transform_sqrt=sqrt)


@pytest.mark.parametrize("ppc,cpb,orient", [((8, 8), (3, 3), 9), ((6, 10), (2, 1), 7),
                                            ((5, 5), (1, 1), 12), ((16, 16), (2, 2), 4),
                                            ((3, 7), (4, 2), 1)])
def test_geometry_and_layout(ppc, cpb, orient):
    img = made((83, 97), np.float64, seed=2)
    for fv in (True, False):
        same(img, orientations=orient, pixels_per_cell=ppc, cells_per_block=cpb,
             feature_vector=fv)


def test_signature_is_skimages():
    import inspect
    assert inspect.signature(hogkit.hog) == inspect.signature(sk_hog)


def test_positional_arguments_as_skimage():
    img = made((64, 64), np.uint8)
    ref = sk_hog(img, 8, (6, 6), (2, 2), "L1", False, True, False)
    got = hogkit.hog(img, 8, (6, 6), (2, 2), "L1", False, True, False)
    assert got.shape == ref.shape and np.abs(got - ref).max() <= TOL


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3, (2,)])
def test_channel_axis(axis):
    rgb = made((57, 66, 3), np.uint8, seed=3)
    img = np.moveaxis(rgb, -1, axis[0] if isinstance(axis, tuple) else axis)
    same(img, channel_axis=axis)


def test_many_channels_and_ties():
    same(made((40, 48, 5), np.float32, seed=4), channel_axis=-1)
    # identical channels: every pixel is a tie, the first channel wins
    g = made((40, 48), np.uint8, seed=5)
    same(np.stack([g, g, g], axis=-1), channel_axis=-1)


def test_multichannel_deprecated_keyword():
    rgb = made((48, 48, 3), np.uint8)
    with pytest.warns(FutureWarning):
        ref = sk_hog(rgb, multichannel=True)
    with pytest.warns(FutureWarning):
        got = hogkit.hog(rgb, multichannel=True)
    assert np.abs(got - ref).max() <= TOL


def test_non_contiguous_views():
    base = made((130, 170, 3), np.float64, seed=6)
    same(base[::2, ::3, 0])                      # strided in both axes
    same(base[5:100, 7:150, 1])                  # channel slice of interleaved data
    same(base[10:90, 20:120], channel_axis=-1)   # a crop keeps the row stride
    same(base[:, :, 0].T)                        # Fortran order
    same(base[::-1, ::-1, 2])                    # negative strides
    same(np.asfortranarray(base), channel_axis=2)
    big = made((64, 64), np.float64).astype(">f8")  # non-native byte order
    same(big)


def test_lists_and_1d():
    img = made((24, 32), np.uint8).tolist()
    same(img, pixels_per_cell=(4, 4))
    # np.atleast_2d turns a row into a 1-row image: too small -> both raise
    with pytest.raises(ValueError):
        sk_hog(np.arange(50.0))
    with pytest.raises(ValueError):
        hogkit.hog(np.arange(50.0))


def test_zero_blocks_gives_empty_array():
    same(made((23, 23), np.uint8))              # 2x2 cells, 3x3 blocks -> 0 blocks
    same(made((23, 40), np.uint8), feature_vector=False)


def test_visualize():
    img = made((67, 85), np.uint8, seed=7)
    for kw in ({}, {"pixels_per_cell": (6, 10), "orientations": 5},
               {"pixels_per_cell": (16, 16), "cells_per_block": (1, 1)}):
        same(img, visualize=True, **kw)
        same(img.astype(np.float32), visualize=True, **kw)
    same(made((40, 50, 3), np.uint8), visualize=True, channel_axis=-1)


@pytest.mark.parametrize("name", ["astronaut", "camera", "coins", "chelsea", "coffee",
                                  "rocket", "page", "text", "moon"])
def test_skimage_sample_images(name):
    img = getattr(skdata, name)()
    axis = -1 if img.ndim == 3 else None
    same(img, channel_axis=axis)
    same(img, channel_axis=axis, pixels_per_cell=(16, 16), cells_per_block=(2, 2),
         block_norm="L1", transform_sqrt=True)


@pytest.mark.parametrize("name", ["baboon.jpg", "fruits.jpg", "HappyFish.jpg", "box.png", "opencv-logo.png"])
def test_opencv_sample_photos(name):
    cv2 = pytest.importorskip("cv2")
    img = cv2.imread(f"{CV_DATA}/{name}", cv2.IMREAD_UNCHANGED)
    assert img is not None
    same(img, channel_axis=-1 if img.ndim == 3 else None)
    same(img.astype(np.float32) / 255, channel_axis=-1 if img.ndim == 3 else None,
         transform_sqrt=True)


def test_hog_batch_equals_hog():
    imgs = np.stack([made((48, 56), np.uint8, seed=s) for s in range(7)])
    got = hogkit.hog_batch(imgs, pixels_per_cell=(8, 8), cells_per_block=(2, 2))
    assert got.shape[0] == 7 and got.dtype == np.float64
    for i in range(7):
        ref = sk_hog(imgs[i], pixels_per_cell=(8, 8), cells_per_block=(2, 2))
        assert np.abs(got[i] - ref).max() <= TOL
    f32 = hogkit.hog_batch(imgs.astype(np.float32), threads=1)
    assert f32.dtype == np.float32
    assert np.abs(f32[3] - sk_hog(imgs[3].astype(np.float32))).max() <= TOL
    # colour, channel axis first in each image
    col = np.stack([made((3, 40, 40), np.uint16, seed=s) for s in range(3)])
    got = hogkit.hog_batch(col, channel_axis=0, block_norm="L2")
    for i in range(3):
        ref = sk_hog(col[i], channel_axis=0, block_norm="L2")
        assert np.abs(got[i] - ref).max() <= TOL
    # a list of images and an empty batch
    assert np.array_equal(hogkit.hog_batch(list(imgs[:2])), hogkit.hog_batch(imgs[:2]))
    empty = hogkit.hog_batch(imgs[:0])
    assert empty.shape == (0, got.shape[1] * 0 + hogkit.hog(imgs[0]).size)


def test_hog_batch_releases_gil():
    """While one thread runs a long hog_batch, another keeps counting."""
    imgs = np.stack([made((480, 640), np.uint8, seed=s) for s in range(24)])
    counts = []
    done = threading.Event()

    def work():
        hogkit.hog_batch(imgs, threads=1)
        done.set()

    def count():
        n = 0
        while not done.is_set():
            n += 1
            time.sleep(0)
        counts.append(n)

    t1 = threading.Thread(target=work)
    t2 = threading.Thread(target=count)
    t2.start()
    t1.start()
    t1.join()
    t2.join()
    # with the GIL held for the whole batch the counter could only run in the
    # interpreter's switch slots before the C call started (a handful)
    assert counts[0] > 1000, counts


def test_hog_batch_fashion_mnist():
    """Real data: 300 Fashion-MNIST test images (Debian's dataset-fashion-mnist)."""
    import gzip
    path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    with gzip.open(path, "rb") as f:
        head = np.frombuffer(f.read(16), ">u4")
        assert head[0] == 2051
        n = 300
        imgs = np.frombuffer(f.read(n * 28 * 28), np.uint8).reshape(n, 28, 28)
    kw = dict(orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2))
    got = hogkit.hog_batch(imgs, **kw)
    ref = np.stack([sk_hog(im, **kw) for im in imgs])
    assert got.shape == ref.shape and got.dtype == ref.dtype
    assert np.abs(got - ref).max() <= TOL
    got = hogkit.hog_batch(imgs.astype(np.float32) / 255, block_norm="L1-sqrt", **kw)
    ref = np.stack([sk_hog(im.astype(np.float32) / 255, block_norm="L1-sqrt", **kw)
                    for im in imgs])
    assert got.dtype == np.float32 and np.abs(got - ref).max() <= TOL
