"""Differential test: `hogkit hog` against the real skimage.feature.hog.

Images are made here (noise, exact-angle edges, odd sizes, 16-bit, float,
colour) or come from Debian packages (scikit-image's and OpenCV's sample
photos); every element must agree within 1e-5.
"""
import itertools
import os

import numpy as np
import pytest
from skimage.feature import hog as sk_hog
from skimage.color import rgb2gray

from conftest import run_cli

TOL = 1e-5
SK_DATA = "/usr/lib/python3/dist-packages/skimage/data"
CV_DATA = "/usr/share/doc/opencv-doc/examples/data"


def hk_hog(tmp_path, image_path, **kw):
    out = tmp_path / "out.npy"
    args = ["hog", image_path, "-o", out]
    for k, v in kw.items():
        flag = "--" + k.replace("_", "-")
        if v is True:
            args.append(flag)
        elif v is False or v is None:
            continue
        elif isinstance(v, tuple):
            args += [flag, f"{v[0]},{v[1]}"]
        else:
            args += [flag, v]
    run_cli(*args, check=True)
    return np.load(out)


def reference(img, gray=False, flat=False, **kw):
    if gray and img.ndim == 3:
        img = rgb2gray(img)
    channel_axis = -1 if img.ndim == 3 else None
    return sk_hog(img, feature_vector=flat, channel_axis=channel_axis, **kw)


def check(tmp_path, img, path=None, gray=False, flat=False, **kw):
    if path is None:
        path = tmp_path / "in.npy"
        np.save(path, img)
    try:
        ref = reference(img, gray=gray, flat=flat, **kw)
    except ValueError as e:  # skimage 0.19.3: "negative dimensions" for tiny images
        assert "negative dimensions" in str(e)
        out = tmp_path / "fail.npy"
        args = ["hog", path, "-o", out] + (["--gray"] if gray else [])
        for k, v in kw.items():
            if isinstance(v, tuple):
                args += ["--" + k.replace("_", "-"), f"{v[0]},{v[1]}"]
        proc = run_cli(*args)
        assert proc.returncode == 1 and "too small" in proc.stderr and not out.exists()
        return None
    got = hk_hog(tmp_path, path, gray=gray, flat=flat, **kw)
    assert got.dtype == np.float32
    assert got.shape == ref.shape, (got.shape, ref.shape)
    if ref.size:
        err = np.abs(got.astype(np.float64) - ref).max()
        assert err <= TOL, f"max abs error {err} with {kw}"
    return ref


def rng_image(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if dtype == np.uint16:
        return rng.integers(0, 65536, shape, dtype=np.uint16)
    return rng.random(shape).astype(dtype)


def angle_edges(h, w, angles_deg):
    """Straight edges at exact angles: each block of rows a step edge."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w), np.float64)
    for i, a in enumerate(angles_deg):
        t = np.deg2rad(a)
        img += ((x * np.cos(t) + y * np.sin(t)) % 16 < 8) * (i + 1) * 20
    return np.clip(img, 0, 255).astype(np.uint8)


NORMS = ["L1", "L1-sqrt", "L2", "L2-Hys"]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("ppc,cpb", [((8, 8), (3, 3)), ((4, 4), (2, 2)), ((5, 7), (1, 3)),
                                     ((3, 3), (1, 1)), ((16, 8), (2, 1))])
def test_noise_uint8(tmp_path, norm, ppc, cpb):
    img = rng_image((67, 93), np.uint8, seed=1)
    check(tmp_path, img, orientations=9, pixels_per_cell=ppc, cells_per_block=cpb,
          block_norm=norm)


@pytest.mark.parametrize("orientations", [1, 2, 3, 4, 6, 7, 8, 9, 12, 18, 36])
@pytest.mark.parametrize("sqrt", [False, True])
def test_orientations_and_sqrt(tmp_path, orientations, sqrt):
    img = rng_image((48, 40), np.uint8, seed=orientations)
    check(tmp_path, img, orientations=orientations, pixels_per_cell=(4, 4),
          cells_per_block=(2, 2), transform_sqrt=sqrt)


@pytest.mark.parametrize("orientations", [4, 8, 9, 6, 12])
def test_exact_angle_edges(tmp_path, orientations):
    # gradients at exactly 0, 45, 90, 135 degrees (and all 8 directions)
    img = angle_edges(64, 64, [0, 45, 90, 135])
    check(tmp_path, img, orientations=orientations, pixels_per_cell=(8, 8),
          cells_per_block=(2, 2), block_norm="L1")
    img2 = np.zeros((32, 32), np.uint8)
    img2[8:24, 8:24] = 200          # axis-aligned square: 0 and 90 degrees
    img2[np.arange(32), np.arange(32)] = 100  # diagonal: 45 / 135 degrees
    check(tmp_path, img2, orientations=orientations, pixels_per_cell=(4, 4),
          cells_per_block=(1, 1), block_norm="L1")


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("size", [(37, 53), (8, 8), (24, 24), (130, 67)])
def test_dtypes_odd_sizes(tmp_path, dtype, size):
    img = rng_image(size, dtype, seed=3)
    check(tmp_path, img, pixels_per_cell=(8, 8), cells_per_block=(3, 3))
    check(tmp_path, img, pixels_per_cell=(3, 5), cells_per_block=(2, 2), block_norm="L2")


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("channels", [2, 3, 4])
def test_colour_max_channel(tmp_path, dtype, channels):
    img = rng_image((40, 56, channels), dtype, seed=channels)
    check(tmp_path, img, pixels_per_cell=(8, 8), cells_per_block=(2, 2))
    # equal channels: ties go to the first channel
    same = np.repeat(rng_image((40, 56, 1), dtype, seed=9), channels, axis=2)
    check(tmp_path, same, pixels_per_cell=(4, 8), cells_per_block=(2, 2), transform_sqrt=True)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_gray_option(tmp_path, dtype):
    img = rng_image((40, 48, 3), dtype, seed=5)
    check(tmp_path, img, gray=True, pixels_per_cell=(8, 8), cells_per_block=(2, 2))


def test_flat(tmp_path):
    img = rng_image((64, 64), np.uint8)
    ref = check(tmp_path, img, flat=True)
    assert ref.ndim == 1


@pytest.mark.parametrize("size", [(23, 23), (16, 40), (24, 23)])
def test_no_whole_block_is_empty(tmp_path, size):
    img = rng_image(size, np.uint8)
    ref = check(tmp_path, img)
    assert ref.size == 0


def test_smaller_than_reference_allows_is_an_error(tmp_path):
    img = rng_image((7, 7), np.uint8)
    with pytest.raises(ValueError):
        reference(img)  # NumPy: negative dimensions
    np.save(tmp_path / "tiny.npy", img)
    out = tmp_path / "o.npy"
    proc = run_cli("hog", tmp_path / "tiny.npy", "-o", out)
    assert proc.returncode == 1
    assert "tiny.npy" in proc.stderr and "too small" in proc.stderr
    assert not out.exists()


def photos():
    names = [os.path.join(SK_DATA, n) for n in ("astronaut.png", "camera.png", "chelsea.png",
                                                "coffee.png", "brick.png")]
    names += [os.path.join(CV_DATA, n) for n in ("baboon.jpg", "fruits.jpg", "lena.jpg")]
    return [n for n in names if os.path.exists(n)]


def decode_like_hogkit(path):
    import cv2
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img.ndim == 3:
        img = img[..., ::-1] if img.shape[2] == 3 else img[..., [2, 1, 0, 3]]
    return np.ascontiguousarray(img)


@pytest.mark.parametrize("path", photos())
@pytest.mark.parametrize("opts", [
    dict(),
    dict(orientations=8, pixels_per_cell=(16, 16), cells_per_block=(2, 2), block_norm="L1-sqrt",
         transform_sqrt=True),
    dict(gray=True, orientations=12, pixels_per_cell=(6, 6), cells_per_block=(2, 3)),
])
def test_photos(tmp_path, path, opts):
    img = decode_like_hogkit(path)
    check(tmp_path, img, path=path, **opts)
