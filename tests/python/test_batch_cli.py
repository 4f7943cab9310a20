"""`hogkit hog --batch`: IDX (Fashion-MNIST, plain and .gz) and .npy stacks into
one N x D matrix, checked against skimage.feature.hog image by image; thread
counts and instruction sets give identical bytes; errors leave no output."""
import gzip
import os

import numpy as np
import pytest
from skimage.feature import hog as sk_hog

from conftest import run_cli

FMNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
TOL = 1e-5
GEOM = ["--pixels-per-cell", "4,4", "--cells-per-block", "2,2"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, h, w = np.frombuffer(data[4:16], dtype=">u4")
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(n, h, w)


def batch(tmp_path, stack, *args, name="out.npy"):
    out = tmp_path / name
    run_cli("hog", "--batch", stack, "-o", out, *args, check=True)
    return np.load(out)


@pytest.mark.skipif(not os.path.exists(FMNIST), reason="dataset-fashion-mnist not installed")
def test_fashion_mnist_idx_gz_against_skimage(tmp_path):
    images = read_idx(FMNIST)
    got = batch(tmp_path, FMNIST, *GEOM)
    assert got.shape == (len(images), 1296) and got.dtype == np.float32
    for i in list(range(40)) + [len(images) - 1]:
        ref = sk_hog(images[i], pixels_per_cell=(4, 4), cells_per_block=(2, 2))
        np.testing.assert_allclose(got[i], ref, atol=TOL, rtol=0)


@pytest.mark.skipif(not os.path.exists(FMNIST), reason="dataset-fashion-mnist not installed")
def test_plain_idx_threads_and_simd_identical(tmp_path):
    raw = tmp_path / "sub.idx"
    with gzip.open(FMNIST, "rb") as f:
        head = bytearray(f.read(16))
        body = f.read(500 * 28 * 28)
    head[4:8] = (500).to_bytes(4, "big")
    raw.write_bytes(bytes(head) + body)
    outs = [batch(tmp_path, raw, *GEOM, *extra, name=f"o{k}.npy")
            for k, extra in enumerate([["--threads", "1"], ["--threads", "2"], ["--threads", "0"],
                                       ["--simd", "scalar"], ["--threads", "3", "--simd", "auto"]])]
    for o in outs[1:]:
        assert o.tobytes() == outs[0].tobytes()
    images = np.frombuffer(body, np.uint8).reshape(500, 28, 28)
    ref = sk_hog(images[123], pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    np.testing.assert_allclose(outs[0][123], ref, atol=TOL, rtol=0)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_npy_stacks_against_skimage(tmp_path, dtype):
    rng = np.random.default_rng(7)
    scale = 255 if dtype == np.uint8 else 65535 if dtype == np.uint16 else 1.0
    grey = (rng.random((5, 40, 33)) * scale).astype(dtype)
    colour = (rng.random((4, 24, 31, 3)) * scale).astype(dtype)
    np.save(tmp_path / "g.npy", grey)
    np.save(tmp_path / "c.npy", colour)
    got = batch(tmp_path, tmp_path / "g.npy", "--orientations", "7", "--block-norm", "L1")
    for i in range(len(grey)):
        ref = sk_hog(grey[i], orientations=7, block_norm="L1")
        np.testing.assert_allclose(got[i], ref, atol=TOL, rtol=0)
    got = batch(tmp_path, tmp_path / "c.npy", "--pixels-per-cell", "6,5", "--threads", "2")
    for i in range(len(colour)):
        ref = sk_hog(colour[i], pixels_per_cell=(6, 5), channel_axis=-1)
        np.testing.assert_allclose(got[i], ref, atol=TOL, rtol=0)


def test_batch_errors(tmp_path):
    out = tmp_path / "o.npy"
    p = run_cli("hog", "--batch", tmp_path / "missing.idx", "-o", out)
    assert p.returncode == 1 and "cannot read stack" in p.stderr and not out.exists()
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x1c\x00\x00\x00\x1c" + b"\x00" * 50)
    p = run_cli("hog", "--batch", bad, "-o", out)
    assert p.returncode == 1 and "truncated" in p.stderr.lower() and not out.exists()
    np.save(tmp_path / "s.npy", np.zeros((2, 30, 30), np.uint8))
    p = run_cli("hog", "--batch", tmp_path / "s.npy", "extra.png", "-o", out)
    assert p.returncode == 2 and not out.exists()
    p = run_cli("hog", "--batch", tmp_path / "s.npy", "-o", out, "--simd", "mmx")
    assert p.returncode == 2 and "--simd" in p.stderr
    p = run_cli("hog", "--batch", tmp_path / "s.npy", "-o", out, "--threads", "-1")
    assert p.returncode == 2
    flags = open("/proc/cpuinfo").read()
    if "avx512bw" not in flags:
        p = run_cli("hog", "--batch", tmp_path / "s.npy", "-o", out, "--simd", "avx512")
        assert p.returncode == 2 and "instruction set" in p.stderr and not out.exists()
    p = run_cli("hog", "--batch", tmp_path / "s.npy", "-o", out, "--simd", "scalar")
    assert p.returncode == 0 and np.load(out).shape == (2, 81)
