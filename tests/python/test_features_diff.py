"""Differential test: LBP and Gabor features against scikit-image 0.19.3.

`hogkit features --raw` gives the per-pixel LBP codes, which must equal
skimage.feature.local_binary_pattern exactly (the 'var' method: within float32
rounding, rtol 1e-6, NaN where skimage has NaN), and the Gabor responses,
which must match skimage.filters.gabor(img_as_float(image)) within 1e-5 of the
response's largest magnitude (scipy sums the convolution in another order;
the values are stored as float32). Pooled descriptors are checked against
the same pooling done here in numpy on skimage's output.
"""
import cv2
import numpy as np
import pytest
import skimage.io
from skimage import data, img_as_float
from skimage.feature import local_binary_pattern
from skimage.filters import gabor

from conftest import run_cli

METHODS = ["default", "ror", "uniform", "nri_uniform", "var"]
GABOR_TOL = 1e-5


def images():
    rng = np.random.default_rng(5)
    cam = data.camera()[120:168, 200:261]            # odd width
    noise = rng.integers(0, 256, (23, 31), dtype=np.uint8)
    flat = np.full((9, 12), 77, np.uint8)             # var method: all NaN
    steps = np.kron(rng.integers(0, 3, (5, 6)), np.ones((4, 4))).astype(np.uint8) * 100
    return {"cam": cam, "noise": noise, "flat": flat, "steps": steps}


@pytest.fixture(scope="module")
def image_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("img")
    out = {}
    for name, img in images().items():
        p = d / f"{name}.png"
        skimage.io.imsave(p, img, check_contrast=False)
        out[name] = (p, img)
    # a float image (.npy) keeps its values: LBP runs on them unscaled
    f = np.random.default_rng(9).random((17, 21))
    np.save(d / "float.npy", f)
    out["float"] = (d / "float.npy", f)
    return out


def hk(tmp_path, path, spec, raw=True):
    out = tmp_path / "out.npy"
    args = ["features", path, "--features", spec, "-o", out] + (["--raw"] if raw else [])
    run_cli(*args, check=True)
    return np.load(out)


@pytest.mark.parametrize("P,R", [(8, 1), (16, 2), (8, 1.5), (12, 2.7), (4, 1), (24, 3)])
def test_lbp_codes(tmp_path, image_files, P, R):
    for name, (path, img) in image_files.items():
        for method in METHODS:
            ours = hk(tmp_path, path, f"lbp:P={P}:R={R}:method={method}")
            ref = local_binary_pattern(img, P, R, method)
            assert ours.shape == ref.shape
            if method == "var":
                assert np.array_equal(np.isnan(ours), np.isnan(ref)), (name, method)
                np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=0, equal_nan=True)
            else:
                assert np.array_equal(ours, ref.astype(np.float32)), (name, P, R, method)


def pool_hist(codes, cell, bins, value_bin):
    ch, cw = codes.shape[0] // cell[0], codes.shape[1] // cell[1]
    out = np.zeros((ch, cw, bins), np.float64)
    for i in range(ch):
        for j in range(cw):
            block = codes[i * cell[0]:(i + 1) * cell[0], j * cell[1]:(j + 1) * cell[1]]
            for v in block.ravel():
                out[i, j, value_bin(v)] += 1
    return out / (cell[0] * cell[1])


def test_lbp_pooled(tmp_path, image_files):
    path, img = image_files["cam"]
    for method, bins in [("uniform", 10), ("nri_uniform", 59), ("default", 256), ("ror", 256)]:
        ours = hk(tmp_path, path, f"lbp:P=8:R=1:method={method}:cell=8,6", raw=False)
        ref = pool_hist(local_binary_pattern(img, 8, 1, method), (8, 6), bins, int)
        np.testing.assert_allclose(ours, ref, atol=1e-6)
    # var: histogram of sqrt(var) over [0, var_max) in `bins` bins, NaN in bin 0
    ours = hk(tmp_path, path, "lbp:P=8:R=1:method=var:cell=8:bins=8:var-max=60", raw=False)

    def vbin(v):
        if np.isnan(v):
            return 0
        return min(int(np.sqrt(v) / 60 * 8), 7)
    ref = pool_hist(local_binary_pattern(img, 8, 1, "var"), (8, 8), 8, vbin)
    np.testing.assert_allclose(ours, ref, atol=1e-6)


@pytest.mark.parametrize("freqs,orient,bw", [("0.1/0.25/0.4", 3, 1), ("0.05", 2, 1),
                                             ("0.3/0.6", 4, 0.5), ("0.2", 5, 2)])
def test_gabor_responses(tmp_path, image_files, freqs, orient, bw):
    for name, (path, img) in image_files.items():
        ours = hk(tmp_path, path, f"gabor:freq={freqs}:orient={orient}:bandwidth={bw}")
        fl = img if img.dtype.kind == "f" else img_as_float(img)
        k = 0
        for f in map(float, freqs.split("/")):
            for o in range(orient):
                re, im = gabor(fl, f, theta=o * np.pi / orient, bandwidth=bw)
                scale = max(np.abs(re).max(), np.abs(im).max(), 1e-12)
                assert np.abs(ours[k, 0] - re).max() <= GABOR_TOL * scale, (name, f, o)
                assert np.abs(ours[k, 1] - im).max() <= GABOR_TOL * scale, (name, f, o)
                k += 1
        assert k == ours.shape[0]


def test_gabor_pooled(tmp_path, image_files):
    path, img = image_files["cam"]
    ours = hk(tmp_path, path, "gabor:freq=0.2/0.4:orient=3:cell=8,10", raw=False)
    fl = img_as_float(img)
    ch, cw = img.shape[0] // 8, img.shape[1] // 10
    assert ours.shape == (ch, cw, 6, 2)
    k = 0
    for f in (0.2, 0.4):
        for o in range(3):
            re, im = gabor(fl, f, theta=o * np.pi / 3)
            mag = np.hypot(re, im)
            scale = mag.max()
            for i in range(ch):
                for j in range(cw):
                    cell = mag[i * 8:(i + 1) * 8, j * 10:(j + 1) * 10]
                    assert abs(ours[i, j, k, 0] - cell.mean()) <= GABOR_TOL * scale
                    assert abs(ours[i, j, k, 1] - cell.std()) <= GABOR_TOL * scale
            k += 1


def test_feature_spec_errors(tmp_path, image_files):
    path, _ = image_files["cam"]
    for spec in ["lbp:P=0", "lbp:method=magic", "gabor:freq=0", "sift", "hog:colour=1",
                 "lbp:R=-1", "gabor:orient=0"]:
        r = run_cli("features", path, "--features", spec, "-o", tmp_path / "x.npy")
        assert r.returncode == 2, spec
        assert "hogkit:" in r.stderr
        assert not (tmp_path / "x.npy").exists()


@pytest.mark.parametrize("variant,opts", [("skimage", ":orientations=6:cell=5:block=2"),
                                          ("vlfeat-dt", ":cell=6"), ("vlfeat-uoctti", ""),
                                          ("dlib", ":cell=4"), ("maskfeat", "")])
def test_hog_spec_equals_hog_command(tmp_path, image_files, variant, opts):
    """`--features hog:variant=V:...` computes what `hogkit hog --variant V ...` does."""
    path, _ = image_files["cam"]
    ours = hk(tmp_path, path, f"hog:variant={variant}{opts}", raw=False)
    args = ["hog", path, "--variant", variant, "-o", tmp_path / "ref.npy"]
    for kv in filter(None, opts.split(":")):
        k, v = kv.split("=")
        k = {"cell": "pixels-per-cell" if variant == "skimage" else "cell-size",
             "block": "cells-per-block"}.get(k, k)
        if k in ("pixels-per-cell", "cells-per-block"):
            v = f"{v},{v}"
        args += [f"--{k}", v]
    run_cli(*args, check=True)
    assert np.array_equal(ours, np.load(tmp_path / "ref.npy"))


@pytest.mark.parametrize("opts,ctor", [
    ("", ((28, 28), (8, 8), (4, 4), (4, 4), 9, 1, -1, 0, 0.2, False, 64, False)),
    (":cell=5:block=2:signed:orient=16",
     ((20, 20), (10, 10), (5, 5), (5, 5), 16, 1, -1, 0, 0.2, False, 64, True)),
    (":cell=4:block=3:transform-sqrt",
     ((28, 28), (12, 12), (4, 4), (4, 4), 9, 1, -1, 0, 0.2, True, 64, False)),
    (":cell=5:block-size=10:block-stride=10:nbins=12",
     ((20, 20), (10, 10), (10, 10), (5, 5), 12, 1, -1, 0, 0.2, False, 64, False)),
])
def test_hog_opencv_spec_is_one_whole_image_window(tmp_path, opts, ctor):
    """`hog:variant=opencv` describes the whole image as one window, with
    cells-per-block, signed and transform-sqrt keys, as cv2.HOGDescriptor."""
    w, h = ctor[0]
    rng = np.random.default_rng(11)
    img = (np.kron(rng.integers(0, 256, (h // 2, w // 2)), np.ones((2, 2)))
           + rng.integers(0, 40, (h, w))).clip(0, 255).astype(np.uint8)
    path = tmp_path / "img.png"
    skimage.io.imsave(path, img, check_contrast=False)
    ours = hk(tmp_path, path, f"hog:variant=opencv{opts}", raw=False).ravel()
    ref = cv2.HOGDescriptor(*ctor).compute(img).ravel()
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() <= 1e-4
