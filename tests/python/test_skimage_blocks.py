"""Block normalisation in skimage's own order of operations.

skimage.feature.hog works in float64 and hogkit returns float32; hogkit's
blocks sum as np.sum does (NumPy's pairwise summation, src/hog/block_norm.c),
so every element must equal skimage's float64 result rounded to float32,
exactly, on every kernel set. Block sizes cover NumPy's three cases: fewer
than 8 values (a plain running sum), 8 to 128 (eight running sums) and more
than 128 (halves summed apart).
"""
import os
import subprocess

import numpy as np
import pytest
from skimage.feature import hog as sk_hog
from skimage.feature._hog import _hog_normalize_block

from conftest import BUILD, run_cli

NORMS = ["L1", "L1-sqrt", "L2", "L2-Hys"]
DRIVER = os.path.join(os.path.dirname(__file__), "skimage_block_driver.c")

CASES = [  # orientations, cells per block: block values
    (4, (1, 1)),    # 4
    (9, (1, 1)),    # 9
    (9, (2, 2)),    # 36
    (9, (3, 3)),    # 81
    (12, (3, 4)),   # 144: halves 72 + 72
    (9, (5, 5)),    # 225: halves 112 + 113
    (18, (4, 5)),   # 360: 176 + 184, each halved again
]


def hk(tmp_path, img, simd, orientations, cpb, norm):
    src, out = tmp_path / "in.npy", tmp_path / f"out_{simd}.npy"
    np.save(src, img)
    run_cli("hog", src, "-o", out, "--orientations", orientations, "--pixels-per-cell", "4,4",
            "--cells-per-block", f"{cpb[0]},{cpb[1]}", "--block-norm", norm, "--simd", simd,
            check=True)
    return np.load(out).ravel()


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("orientations,cpb", CASES)
def test_blocks_equal_skimage_rounded(tmp_path, norm, orientations, cpb):
    rng = np.random.default_rng(orientations * 10 + cpb[0])
    # noise with a gradient of contrast: cells of very different weights,
    # where the order of a block's sums shows in the last bits
    img = (rng.random((72, 88)) * np.linspace(0.05, 1, 88)) * 255
    img = img.round().astype(np.uint8)
    ref = sk_hog(img, orientations=orientations, pixels_per_cell=(4, 4), cells_per_block=cpb,
                 block_norm=norm, feature_vector=True)
    assert ref.dtype == np.float64
    want = ref.astype(np.float32)
    for simd in ("scalar", "auto"):
        got = hk(tmp_path, img, simd, orientations, cpb, norm)
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, f"{simd}: {bad.size} of {want.size} differ, first at {bad[:5]}"


# ---- the scalar specification in float64, through a small C driver


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    src_dir = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    exe = tmp_path_factory.mktemp("drv") / "skimage_block_driver"
    san = ["-fsanitize=address,undefined"] if os.environ.get("HK_SANITIZE") == "1" else []
    subprocess.run(["cc", "-std=c11", "-O1", *san, "-I", os.path.join(src_dir, "include"),
                    "-I", os.path.join(src_dir, "src"), DRIVER,
                    os.path.join(BUILD, "libhogkit.a"), "-lm", "-lpthread", "-o", str(exe)],
                   check=True)
    return str(exe)


def sequential(block, norm):
    """The same formulas with a plain running sum: the order hogkit used before."""
    def total(a):
        s = 0.0
        for x in a.ravel():
            s += x
        return s
    eps = 1e-5
    if norm in ("L1", "L1-sqrt"):
        out = block / (total(np.abs(block)) + eps)
        return np.sqrt(out) if norm == "L1-sqrt" else out
    out = block / np.sqrt(total(block ** 2) + eps ** 2)
    if norm == "L2-Hys":
        out = np.minimum(out, 0.2)
        out = out / np.sqrt(total(out ** 2) + eps ** 2)
    return out


@pytest.mark.parametrize("norm", NORMS)
def test_normalize_block_bitwise_float64(tmp_path, driver, norm):
    rng = np.random.default_rng(7)
    blocks = []
    for orientations, (br, bc) in CASES * 8:
        # cell means as skimage stores them: float32 values in a float64 array;
        # cells of very different scales, so that even sums of absolute
        # values (exact for float32 values of one scale) round
        scale = 2.0 ** rng.integers(-40, 6, (br, bc, 1))
        hist = rng.random((br, bc, orientations)) * scale
        blocks.append(hist.astype(np.float32).astype(np.float64))
    with open(tmp_path / "in.bin", "wb") as f:
        for b in blocks:
            f.write(np.array([b.size, NORMS.index(norm)], np.int32).tobytes())
            f.write(b.tobytes())
    subprocess.run([driver, tmp_path / "in.bin", tmp_path / "out.bin"], check=True)
    got = np.fromfile(tmp_path / "out.bin", np.float64)
    ref = np.concatenate([_hog_normalize_block(b, method=norm).ravel() for b in blocks])
    assert got.shape == ref.shape
    bad = np.flatnonzero(got.view(np.int64) != ref.view(np.int64))
    assert bad.size == 0, f"{bad.size} of {ref.size} differ from skimage, first at {bad[:5]}"
    # the check can fail: a plain running sum (the old order) differs here
    seq = np.concatenate([sequential(b, norm).ravel() for b in blocks])
    assert np.any(seq.view(np.int64) != ref.view(np.int64))
