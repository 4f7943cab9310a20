"""Differential test: `hogkit hog --variant dlib` against the real dlib 19.24
extract_fhog_features (libdlib-dev headers, g++ -O2), compiled and run here.
Every element must agree within TOL on the default (AVX2) path, which sums
each cell's votes in another order (observed ~2e-7); the scalar
specification (`--simd scalar`) must be bit-exact."""
import os

import numpy as np
import pytest
from skimage import io

import fhog_ref as F
from conftest import run_cli

TOL = 1e-6
SK_DATA = "/usr/lib/python3/dist-packages/skimage/data"
CV_DATA = "/usr/share/doc/opencv-doc/examples/data"

pytestmark = pytest.mark.skipif(not F.have_dlib(), reason="libdlib-dev not installed")


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return F.compile_dlib(str(tmp_path_factory.mktemp("dlibref")))


def made_images():
    tie_a, tie_b = F.tie_colour(41, 59, seed=3)
    f32 = F.noise((45, 67), np.float32, seed=8)  # negative and fractional: truncation
    imgs = {
        "noise_37x53": F.noise((37, 53), seed=1),
        "noise_100x77": F.noise((100, 77), seed=2),
        "noise_17x80": F.noise((17, 80), seed=12),  # SIMD loop / scalar tail split
        "noise_24x24": F.noise((24, 24), seed=13),
        "noise_5x5": F.noise((5, 5), seed=3),
        "noise_4x4": F.noise((4, 4), seed=4),
        "noise_3x3": F.noise((3, 3), seed=14),
        "noise_2x9": F.noise((2, 9), seed=15),
        "rgb_37x53": F.noise((37, 53, 3), seed=6),
        "rgb_19x90": F.noise((19, 90, 3), seed=16),
        "tie_a": tie_a,
        "tie_b": tie_b,
        "u16_45x67": F.noise((45, 67), np.uint16, seed=7),
        "f32_45x67": f32,
        "f64_33x40": F.noise((33, 40), np.float64, seed=9),
    }
    for a in (0, 20, 45, 90, 135, 160, 200, 290):
        imgs[f"edge_{a}"] = F.angle_edges(48, 64, a)
        imgs[f"cedge_{a}"] = np.stack([F.angle_edges(40, 51, a, v) for v in (90, 90, 200)], -1)
    return imgs


def compare(tmp_path, ref, images, cell, pad, as_ref=lambda a: a, extra=(), tol=TOL):
    got = F.hk_batch(str(tmp_path), images, "dlib", "--cell-size", cell,
                     "--padding", f"{pad[0]},{pad[1]}", *extra)
    worst = 0.0
    for name, img in images.items():
        arr = io.imread(img) if isinstance(img, str) else img
        r = F.dlib_ref(ref, str(tmp_path), as_ref(arr), cell, pad)
        d = F.max_diff(got[name], r)
        assert d <= tol, f"{name}: max abs diff {d} (cs={cell}, pad={pad})"
        worst = max(worst, d)
    return worst


@pytest.mark.parametrize("cell", [1, 2, 3, 4, 5, 8, 16])
def test_made_images(tmp_path, ref, cell):
    imgs = made_images()
    for pad in [(1, 1), (2, 3), (4, 4)]:
        compare(tmp_path, ref, imgs, cell, pad)


@pytest.mark.parametrize("cell", [1, 4, 8])
def test_scalar_path_bit_exact(tmp_path, ref, cell):
    """The scalar specification reproduces dlib bit for bit (the fast path
    only regroups sums, so this is what keeps the decisions honest)."""
    compare(tmp_path, ref, made_images(), cell, (1, 1), extra=("--simd", "scalar"), tol=0.0)


def test_photos(tmp_path, ref):
    imgs = {
        "astronaut": os.path.join(SK_DATA, "astronaut.png"),
        "camera": os.path.join(SK_DATA, "camera.png"),
        "coffee": os.path.join(SK_DATA, "coffee.png"),
    }
    for k in ("baboon.jpg", "fruits.jpg", "messi5.jpg"):
        p = os.path.join(CV_DATA, k)
        if os.path.exists(p):  # decoded here, so both sides see the same pixels
            imgs["cv_" + k[:-4]] = io.imread(p)
    for cell, pad in [(8, (1, 1)), (4, (3, 3)), (16, (2, 1)), (1, (1, 1))]:
        compare(tmp_path, ref, imgs, cell, pad)


def test_alpha_is_dropped(tmp_path, ref):
    """Grey+alpha and RGBA: hogkit ignores the alpha channel (documented)."""
    ga = F.noise((30, 41, 2), seed=20)
    rgba = F.noise((30, 41, 4), seed=21)
    compare(tmp_path, ref, {"ga": ga}, 4, (1, 1), as_ref=lambda a: np.ascontiguousarray(a[..., 0]))
    compare(tmp_path, ref, {"rgba": rgba}, 4, (1, 1),
            as_ref=lambda a: np.ascontiguousarray(a[..., :3]))


def test_default_shape(tmp_path, ref):
    img = F.noise((128, 64), seed=22)  # dlib's example: 8x16 cells -> 14 x 6
    got = F.hk_batch(str(tmp_path), {"a": img}, "dlib")["a"]
    assert got.shape == (31, 14, 6)
    assert F.max_diff(got, F.dlib_ref(ref, str(tmp_path), img, 8)) <= TOL


def test_unsupported_channels(tmp_path):
    p = tmp_path / "five.npy"
    np.save(p, F.noise((20, 20, 5)))
    proc = run_cli("hog", p, "-o", tmp_path / "o.npy", "--variant", "dlib")
    assert proc.returncode == 1 and not (tmp_path / "o.npy").exists()


def test_out_of_range_float(tmp_path):
    img = F.noise((20, 20), np.float32)
    img[3, 4] = 3e9  # beyond int: dlib's (int) cast would be undefined
    p = tmp_path / "big.npy"
    np.save(p, img)
    proc = run_cli("hog", p, "-o", tmp_path / "o.npy", "--variant", "dlib")
    assert proc.returncode == 1 and not (tmp_path / "o.npy").exists()


def test_bad_options(tmp_path):
    p = tmp_path / "s.npy"
    np.save(p, F.noise((16, 16)))
    for opts in (["--cell-size", "0"], ["--padding", "0,1"], ["--padding", "3"],
                 ["--orientations", "9"]):
        proc = run_cli("hog", p, "-o", tmp_path / "o.npy", "--variant", "dlib", *opts)
        assert proc.returncode == 2, opts


def test_flip_permutation(tmp_path, ref):
    """Mirroring the image permutes each cell's 31 values as
    hk_fhog_flip_permutation says. The image avoids dlib's tie quirk (a
    vertical gradient scores equally on 80 and 100 degrees; the first wins
    both before and after mirroring): every gradient has dx != 0 (a ramp in x
    plus 0/1 noise), with large random dy for all angles. W is a multiple of
    the cell size so the cell grid is symmetric; summation order differs,
    hence 1e-5."""
    perm = [int(v) for v in F.run_lines(F.compile_flip_check(str(tmp_path)), "dlib", 0)]
    assert sorted(perm) == list(range(31))
    rng = np.random.default_rng(23)
    yy, xx = np.mgrid[0:64, 0:72]
    img = (2 * xx + rng.integers(0, 100, (64, 1)) + rng.integers(0, 2, (64, 72))).astype(np.uint8)
    a = F.dlib_ref(ref, str(tmp_path), img, 8)
    b = F.dlib_ref(ref, str(tmp_path), np.ascontiguousarray(img[:, ::-1]), 8)
    assert np.abs(b - a[perm][:, :, ::-1]).max() <= 1e-5
    assert (a[:18].sum(axis=(1, 2)) > 0).sum() >= 5  # the test sees several bins
