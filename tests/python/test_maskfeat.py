"""MaskFeat HOG targets (hogkit hog --variant maskfeat) against an independent
NumPy implementation written from docs/variants/maskfeat.md, in float32 with
the same operation order where it decides bins and sums.

There is no PyTorch in Debian; the definition itself was checked against the
original SlowFast HOGLayerC (torch 1.13.1) when the spec was written (spec
section 5.1). Here the library is checked against that definition."""
import os

import numpy as np
import pytest

from conftest import run_cli

F32 = np.float32


def gkern(k):
    """get_gkern(k, k // 2): 1-D Gaussian in float32, outer product, sum 1."""
    n = np.arange(k, dtype=F32)
    n = n - F32((k - 1) / 2)
    n = n / F32(k // 2)
    w = np.exp(F32(-0.5) * (n * n))
    g = w[:, None] * w[None, :]
    return (g / F32(g.astype(np.float64).sum())).astype(F32)


def reference(img, nbins=9, pool=8, gw=0, patch=16, normalize=True):
    """img: C x H x W float32. Returns (patches, C*nbins*u*u) float32."""
    img = np.asarray(img, dtype=F32)
    C, H, W = img.shape
    P = np.pad(img, ((0, 0), (1, 1), (1, 1)), mode="reflect")  # reflect-101

    def at(dy, dx):
        return P[:, 1 + dy:1 + dy + H, 1 + dx:1 + dx + W]

    two = F32(2)
    gx = ((((at(-1, -1) - at(-1, 1)) + two * at(0, -1)) - two * at(0, 1)) + at(1, -1)) - at(1, 1)
    gy = ((((at(-1, -1) + two * at(-1, 0)) + at(-1, 1)) - at(1, -1)) - two * at(1, 0)) - at(1, 1)
    assert gx.dtype == F32 and gy.dtype == F32
    # sqrt(fma(gy, gy, gx*gx)): gy*gy is exact in float64
    mag = np.sqrt((gy.astype(np.float64) * gy + (gx * gx).astype(np.float64)).astype(F32))
    phase = np.arctan2(gx.astype(np.float64), gy.astype(np.float64)).astype(F32)
    t = (phase / F32(np.pi)) * F32(nbins)
    b = np.floor(t).astype(np.int64) % nbins
    if gw:
        mag = mag * np.tile(gkern(gw), (H // gw, W // gw))
    u = patch // pool
    ph, pw = H // pool // u, W // pool // u
    ch, cw = ph * u, pw * u
    cells = np.zeros((C, nbins, ch, cw), F32)
    zero = F32(0)
    for dy in range(pool):          # pixels of a cell in row-major order
        for dx in range(pool):
            m = mag[:, dy:ch * pool:pool, dx:cw * pool:pool]
            bb = b[:, dy:ch * pool:pool, dx:cw * pool:pool]
            for k in range(nbins):
                cells[:, k] += np.where(bb == k, m, zero)
    if normalize:
        norm = np.sqrt((cells.astype(np.float64) ** 2).sum(axis=1, keepdims=True)).astype(F32)
        cells = cells / np.maximum(norm, F32(1e-12))
    out = cells.reshape(C, nbins, ph, u, pw, u).transpose(2, 4, 0, 1, 3, 5)
    return out.reshape(ph * pw, C * nbins * u * u)


def assert_close(got, ref):
    assert got.shape == ref.shape
    err = np.abs(got.astype(np.float64) - ref) / np.maximum(1.0, np.abs(ref))
    assert err.max() <= 1e-5, f"max rel err {err.max()} at {np.unravel_index(err.argmax(), err.shape)}"


def images(C, H, W, seed):
    """Normalised-looking float32 images: noise, smooth blobs, edges."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    out = []
    for i in range(C):
        smooth = np.sin(xx / (3 + i) + rng.uniform(0, 6)) * np.cos(yy / (5 + i)) * 2.0
        edges = ((xx + 2 * yy + 7 * i) % 23 < 11) * 1.7 - 0.8
        noise = rng.standard_normal((H, W)) * 0.3
        out.append(smooth + edges + noise)
    return np.stack(out).astype(F32)


def run_hog(tmp_path, img_chw, extra):
    src = tmp_path / "in.npy"
    hwc = np.ascontiguousarray(img_chw.transpose(1, 2, 0))
    np.save(src, hwc if hwc.shape[2] > 1 else hwc[:, :, 0])
    out = tmp_path / "out.npy"
    run_cli("hog", src, "-o", out, "--variant", "maskfeat", *extra, check=True)
    return np.load(out)


CASES = [
    # C, H, W, pool, patch, gaussian
    (1, 64, 64, 8, 16, 0),
    (2, 56, 56, 7, 14, 0),
    (3, 64, 64, 8, 16, 16),
    (13, 112, 112, 7, 14, 16),  # FG-MAE: period 16 does not line up with patches
    (3, 56, 56, 7, 14, 8),
    (2, 64, 64, 8, 16, 16),
    (3, 50, 77, 8, 16, 0),    # non-square, leftovers dropped
    (13, 45, 33, 7, 14, 0),
    (1, 16, 16, 8, 16, 16),   # H == k: kernel used as is
]


@pytest.mark.parametrize("C,H,W,pool,patch,gw", CASES)
@pytest.mark.parametrize("normalize", [True, False])
def test_against_definition(tmp_path, C, H, W, pool, patch, gw, normalize):
    img = images(C, H, W, seed=C * 1000 + H + W + gw)
    extra = ["--pool", pool, "--patch", patch, "--gaussian-window", gw]
    if not normalize:
        extra.append("--no-normalize")
    got = run_hog(tmp_path, img, extra)
    ref = reference(img, pool=pool, gw=gw, patch=patch, normalize=normalize)
    assert_close(got, ref)
    assert got.shape[1] == C * 9 * (patch // pool) ** 2


def test_dims_per_channel_count(tmp_path):
    """36 / 72 / 108 / 468 values per patch for 1 / 2 / 3 / 13 channels."""
    for C, dims in [(1, 36), (2, 72), (3, 108), (13, 468)]:
        got = run_hog(tmp_path, images(C, 32, 32, seed=C), [])
        assert got.shape == (4, dims)


def test_other_nbins_and_uint8(tmp_path):
    """Integer images become float32; nbins other than 9."""
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)
    src = tmp_path / "u8.npy"
    np.save(src, img)
    out = tmp_path / "o.npy"
    run_cli("hog", src, "-o", out, "--variant", "maskfeat", "--nbins", 6, "--pool", 4,
            "--patch", 8, check=True)
    ref = reference(img.transpose(2, 0, 1).astype(F32), nbins=6, pool=4, patch=8)
    assert_close(np.load(out), ref)


def test_bins_rotated_frame(tmp_path):
    """A horizontal intensity ramp (vertical edges: gradient along x) lands in
    bin 4 with 9 bins, a vertical ramp in bin 0 (swapped atan2)."""
    x = np.tile(np.arange(32, dtype=F32), (32, 1))
    for img, want in [(x, 4), (x.T.copy(), 0)]:
        got = run_hog(tmp_path, img[None], ["--no-normalize"])
        hist = got.reshape(4, 9, 2, 2).sum(axis=(0, 2, 3))
        assert hist.argmax() == want


def test_astronaut(tmp_path):
    """A real photo, mmselfsup settings (Gaussian 16, pool 8, patch 16)."""
    from skimage import data
    img = data.astronaut()[:224, :224].astype(F32) / 255.0
    img = (img - np.array([0.485, 0.456, 0.406], F32)) / np.array([0.229, 0.224, 0.225], F32)
    img = img.astype(F32)
    got = run_hog(tmp_path, img.transpose(2, 0, 1), ["--gaussian-window", 16])
    assert got.shape == (196, 108)
    assert_close(got, reference(img.transpose(2, 0, 1), gw=16))


def test_batch_npy(tmp_path):
    """A 4-D (N, C, H, W) float32 .npy gives (N, patches, dims)."""
    batch = np.stack([images(3, 32, 48, seed=s) for s in range(4)])
    src = tmp_path / "batch.npy"
    np.save(src, batch)
    out = tmp_path / "t.npy"
    run_cli("hog", src, "-o", out, "--variant", "maskfeat", check=True)
    got = np.load(out)
    assert got.shape == (4, 6, 108)
    for i in range(4):
        assert_close(got[i], reference(batch[i]))


def test_batch_npy_13_channels_gaussian(tmp_path):
    batch = np.stack([images(13, 28, 28, seed=s + 50) for s in range(2)])
    src = tmp_path / "b13.npy"
    np.save(src, batch)
    out = tmp_path / "t13.npy"
    run_cli("hog", src, "-o", out, "--variant", "maskfeat", "--pool", 7, "--patch", 14,
            "--gaussian-window", 14, check=True)
    got = np.load(out)
    assert got.shape == (2, 4, 468)
    for i in range(2):
        assert_close(got[i], reference(batch[i], pool=7, patch=14, gw=14))


@pytest.mark.parametrize("args,shape,msg", [
    (["--gaussian-window", 16], (40, 48), "unsupported"),     # non-square
    (["--gaussian-window", 16], (40, 40), "unsupported"),     # 40 % 16 != 0
    (["--pool", 7, "--patch", 16], (32, 32), "invalid"),      # patch not a multiple of pool
    (["--gaussian-window", 1], (32, 32), "not allowed"),
    (["--nbins", 0], (32, 32), "nbins"),
    ([], (1, 32), "too small"),
])
def test_errors(tmp_path, args, shape, msg):
    src = tmp_path / "e.npy"
    np.save(src, np.ones(shape, F32))
    out = tmp_path / "e_out.npy"
    proc = run_cli("hog", src, "-o", out, "--variant", "maskfeat", *args)
    assert proc.returncode != 0
    assert msg in proc.stderr.lower()
    assert not os.path.exists(out)


def test_nonfinite_batch(tmp_path):
    batch = np.zeros((1, 1, 16, 16), F32)
    batch[0, 0, 5, 5] = np.nan
    src = tmp_path / "nan.npy"
    np.save(src, batch)
    proc = run_cli("hog", src, "-o", tmp_path / "nan_out.npy", "--variant", "maskfeat")
    assert proc.returncode == 1
    assert not os.path.exists(tmp_path / "nan_out.npy")
