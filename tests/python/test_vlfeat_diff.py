"""Differential test: `hogkit hog --variant vlfeat-dt|vlfeat-uoctti` against
the real VLFeat 0.9.21 (libvl, vl_hog_put_image + vl_hog_extract), compiled
and run here. Every element must agree within TOL (observed: about 1e-7 for the
default fast path, which regroups the sums; 0 for `--simd scalar`)."""
import os

import numpy as np
import pytest
from skimage import io

import fhog_ref as F
from conftest import run_cli

TOL = 1e-6
SK_DATA = "/usr/lib/python3/dist-packages/skimage/data"
CV_DATA = "/usr/share/doc/opencv-doc/examples/data"

pytestmark = pytest.mark.skipif(not F.have_vlfeat(), reason="libvlfeat-dev not installed")


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return F.compile_vlfeat(str(tmp_path_factory.mktemp("vlref")))


def made_images():
    tie_a, tie_b = F.tie_colour(41, 59, seed=3)
    imgs = {
        "noise_37x53": F.noise((37, 53), seed=1),
        "noise_100x77": F.noise((100, 77), seed=2),
        "noise_5x5": F.noise((5, 5), seed=3),
        "noise_4x4": F.noise((4, 4), seed=4),
        "noise_4x9": F.noise((4, 9), seed=5),
        "rgb_37x53": F.noise((37, 53, 3), seed=6),
        "tie_a": tie_a,
        "tie_b": tie_b,
        "u16_45x67": F.noise((45, 67), np.uint16, seed=7),
        "f32_45x67": F.noise((45, 67), np.float32, seed=8),
        "f64_33x40": F.noise((33, 40), np.float64, seed=9),
        "two_channel": F.noise((30, 31, 2), seed=10),
    }
    for a in (0, 20, 45, 90, 135, 160, 200, 290):
        imgs[f"edge_{a}"] = F.angle_edges(48, 64, a)
    return imgs


def too_small(img, cell):
    h, w = img.shape[:2]
    return h < 4 or w < 4 or (w + cell // 2) // cell == 0 or (h + cell // 2) // cell == 0


def compare(tmp_path, ref, images, variant, n, bilinear, cell, extra=(), tol=TOL):
    opts = ["--cell-size", cell, "--orientations", n, *extra]
    if bilinear:
        opts.append("--bilinear-orientations")
    ok = {k: v for k, v in images.items()
          if not too_small(v if not isinstance(v, str) else io.imread(v), cell)}
    got = F.hk_batch(str(tmp_path), ok, "vlfeat-" + variant, *opts)
    worst = 0.0
    for name, img in ok.items():
        arr = io.imread(img) if isinstance(img, str) else img
        r = F.vlfeat_ref(ref, str(tmp_path), arr, variant, n, bilinear, cell)
        d = F.max_diff(got[name], r)
        assert d <= tol, f"{name}: max abs diff {d} ({variant}, n={n}, bil={bilinear}, cs={cell})"
        worst = max(worst, d)
    return worst


@pytest.mark.parametrize("variant", ["dt", "uoctti"])
@pytest.mark.parametrize("bilinear", [0, 1])
def test_made_images(tmp_path, ref, variant, bilinear):
    imgs = made_images()
    # every cell size and every orientation count, each several times
    for cell, n in [(3, 4), (3, 12), (4, 7), (4, 9), (5, 9), (5, 4), (8, 12), (8, 9), (16, 7),
                    (16, 9)]:
        compare(tmp_path, ref, imgs, variant, n, bilinear, cell)


@pytest.mark.parametrize("variant", ["dt", "uoctti"])
def test_photos(tmp_path, ref, variant):
    imgs = {
        "astronaut": os.path.join(SK_DATA, "astronaut.png"),
        "camera": os.path.join(SK_DATA, "camera.png"),
        "coffee": os.path.join(SK_DATA, "coffee.png"),
        "chelsea": os.path.join(SK_DATA, "chelsea.png"),
    }
    imgs = {k: v for k, v in imgs.items() if os.path.exists(v)}
    for k in ("baboon.png", "fruits.png", "pic1.png"):
        p = os.path.join(CV_DATA, k)
        if os.path.exists(p):
            imgs["cv_" + k[:-4]] = p
    assert imgs
    for cell, n, bil in [(8, 9, 0), (8, 9, 1), (4, 12, 1), (16, 7, 0)]:
        compare(tmp_path, ref, imgs, variant, n, bil, cell)


@pytest.mark.parametrize("variant", ["dt", "uoctti"])
def test_scalar_path_bit_exact(tmp_path, ref, variant):
    """The scalar specification (--simd scalar) reproduces libvl bit for bit;
    the fast path (above) only within TOL, as it regroups the sums."""
    imgs = made_images()
    imgs["astronaut"] = os.path.join(SK_DATA, "astronaut.png")
    for cell, n, bil in [(8, 9, 0), (4, 9, 1), (5, 7, 0), (3, 12, 1)]:
        compare(tmp_path, ref, imgs, variant, n, bil, cell, extra=("--simd", "scalar"), tol=0.0)


def test_default_params(tmp_path, ref):
    img = F.noise((64, 48, 3), seed=11)
    got = F.hk_batch(str(tmp_path), {"a": img}, "vlfeat-uoctti")["a"]
    assert got.shape == (31, 8, 6)
    assert F.max_diff(got, F.vlfeat_ref(ref, str(tmp_path), img, "uoctti", 9, 0, 8)) <= TOL
    got = F.hk_batch(str(tmp_path), {"a": img}, "vlfeat-dt")["a"]
    assert got.shape == (36, 8, 6)
    assert F.max_diff(got, F.vlfeat_ref(ref, str(tmp_path), img, "dt", 9, 0, 8)) <= TOL


@pytest.mark.parametrize("shape,cell", [((3, 10), 2), ((10, 3), 2), ((4, 4), 16), ((20, 5), 12)])
def test_too_small(tmp_path, shape, cell):
    p = tmp_path / "s.npy"
    np.save(p, F.noise(shape))
    out = tmp_path / "o.npy"
    proc = run_cli("hog", p, "-o", out, "--variant", "vlfeat-dt", "--cell-size", cell)
    assert proc.returncode == 1 and "too small" in proc.stderr and not out.exists()


def test_bad_options(tmp_path):
    p = tmp_path / "s.npy"
    np.save(p, F.noise((16, 16)))
    for opts in (["--cell-size", "0"], ["--orientations", "0"], ["--padding", "1,1"]):
        proc = run_cli("hog", p, "-o", tmp_path / "o.npy", "--variant", "vlfeat-uoctti", *opts)
        assert proc.returncode == 2, opts


@pytest.mark.parametrize("variant", ["dt", "uoctti"])
@pytest.mark.parametrize("n", [1, 2, 4, 9, 12])
def test_flip_permutation(tmp_path, variant, n):
    check = F.compile_flip_check(str(tmp_path))
    ours = F.run_lines(check, variant, n)
    vl = F.compile_vlfeat(str(tmp_path))
    assert ours == F.run_lines(vl, "perm", variant, n)
