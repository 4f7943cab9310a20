"""Dataset readers against the references: OpenCV's digits.py steps run here
with cv2 and numpy (split2d, RandomState(321).permutation, deskew with
cv2.moments + cv2.warpAffine) must give byte-identical images; IDX files
(plain and gzip) and class folders made here must read back exactly; hostile
IDX headers are refused."""
import gzip
import os
import struct

import cv2
import numpy as np
import pytest

from conftest import run_cli

DIGITS = "/usr/share/doc/opencv-doc/examples/data/digits.png"


def export(tmp_path, *args):
    out = tmp_path / "ds"
    run_cli("data", *args, "-o", out, check=True)
    imgs = np.load(out / "images.npy")
    labels = (np.loadtxt(out / "labels.txt", dtype=int, ndmin=1)
              if (out / "labels.txt").exists() else None)
    classes = (out / "classes.txt").read_text().split("\n")[:-1]
    return imgs, labels, classes


def digits_py(deskew_it):
    """OpenCV's samples/python/digits.py, load_digits + shuffle + deskew."""
    sz = 20
    img = cv2.imread(DIGITS, 0)
    h, w = img.shape
    cells = [np.hsplit(row, w // sz) for row in np.vsplit(img, h // sz)]
    digits = np.array(cells).reshape(-1, sz, sz)
    labels = np.repeat(np.arange(10), len(digits) / 10)
    shuffle = np.random.RandomState(321).permutation(len(digits))
    digits, labels = digits[shuffle], labels[shuffle]

    def deskew(im):
        m = cv2.moments(im)
        if abs(m["mu02"]) < 1e-2:
            return im.copy()
        skew = m["mu11"] / m["mu02"]
        M = np.float32([[1, skew, -0.5 * sz * skew], [0, 1, 0]])
        return cv2.warpAffine(im, M, (sz, sz), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)
    if deskew_it:
        digits = np.array([deskew(d) for d in digits])
    return digits, labels


@pytest.mark.skipif(not os.path.exists(DIGITS), reason="opencv-doc not installed")
def test_digits_shuffle_deskew_match_opencv(tmp_path):
    imgs, labels, classes = export(tmp_path, DIGITS, "--shuffle", 321, "--deskew")
    ref, ref_labels = digits_py(True)
    assert classes == [str(c) for c in range(10)]
    assert np.array_equal(labels, ref_labels)
    assert np.array_equal(imgs, ref.astype(np.float32))
    # the training part of digits.py's 90/10 split
    imgs, labels, _ = export(tmp_path, DIGITS, "--shuffle", 321, "--split", 0.9)
    ref, ref_labels = digits_py(False)
    n = int(0.9 * len(ref))
    assert np.array_equal(imgs, ref[:n].astype(np.float32))
    assert np.array_equal(labels, ref_labels[:n])


def test_deskew_synthetic_matches_cv2(tmp_path):
    """Deskew of slanted strokes of many angles and sizes, via a class folder."""
    rng = np.random.default_rng(3)
    root = tmp_path / "slant"
    (root / "a").mkdir(parents=True)
    refs = []
    for k in range(40):
        im = np.zeros((20, 20), np.uint8)
        x0, slope = rng.integers(4, 16), rng.uniform(-0.8, 0.8)
        for y in range(2, 18):
            x = int(round(x0 + slope * (y - 10)))
            im[y, max(0, x - 1):min(20, x + 2)] = rng.integers(120, 256)
        cv2.imwrite(str(root / "a" / f"{k:03d}.png"), im)
        m = cv2.moments(im)
        if abs(m["mu02"]) < 1e-2:
            refs.append(im.copy())
            continue
        skew = m["mu11"] / m["mu02"]
        M = np.float32([[1, skew, -0.5 * 20 * skew], [0, 1, 0]])
        refs.append(cv2.warpAffine(im, M, (20, 20), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR))
    imgs, _, _ = export(tmp_path, root, "--deskew")
    assert np.array_equal(imgs, np.array(refs).astype(np.float32))


def write_idx(path, arr, gz):
    arr = np.asarray(arr, np.uint8)
    head = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    data = head + arr.tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, gz):
    rng = np.random.default_rng(1)
    imgs = rng.integers(0, 256, (37, 9, 7), dtype=np.uint8)
    labels = rng.integers(0, 5, 37)
    ext = ".gz" if gz else ""
    write_idx(tmp_path / f"toy-images-idx3-ubyte{ext}", imgs, gz)
    write_idx(tmp_path / f"toy-labels-idx1-ubyte{ext}", labels, gz)
    got, got_labels, classes = export(tmp_path, tmp_path / f"toy-images-idx3-ubyte{ext}")
    assert np.array_equal(got, imgs.astype(np.float32))
    assert np.array_equal(got_labels, labels)
    assert classes == [str(c) for c in range(labels.max() + 1)]
    # explicit --labels, a limit and a shuffle (numpy's permutation)
    write_idx(tmp_path / "other.idx1", labels[::-1], False)
    got, got_labels, _ = export(tmp_path, tmp_path / f"toy-images-idx3-ubyte{ext}",
                                "--labels", tmp_path / "other.idx1", "--shuffle", 7, "--limit", 11)
    perm = np.random.RandomState(7).permutation(37)[:11]
    assert np.array_equal(got, imgs[perm].astype(np.float32))
    assert np.array_equal(got_labels, labels[::-1][perm])


def test_idx_hostile(tmp_path):
    bad = {
        "magic": b"\x00\x00\x09\x03" + struct.pack(">III", 1, 2, 2) + b"\0" * 4,
        "huge": b"\x00\x00\x08\x03" + struct.pack(">III", 0xFFFFFFFF, 0xFFFF, 0xFFFF),
        "short": b"\x00\x00\x08\x03" + struct.pack(">III", 5, 28, 28) + b"\0" * 100,
        "long": b"\x00\x00\x08\x03" + struct.pack(">III", 1, 2, 2) + b"\0" * 5,
        "empty": b"",
        "dims": b"\x00\x00\x08\x02" + struct.pack(">II", 3, 3) + b"\0" * 9,
    }
    for name, data in bad.items():
        p = tmp_path / f"{name}-images-idx3-ubyte"
        p.write_bytes(data)
        r = run_cli("data", p)
        assert r.returncode == 1, name
        assert "cannot read dataset" in r.stderr, name
    # labels whose count does not match the images
    write_idx(tmp_path / "m-images-idx3-ubyte", np.zeros((4, 3, 3)), False)
    write_idx(tmp_path / "m-labels-idx1-ubyte", np.zeros(5), False)
    assert run_cli("data", tmp_path / "m-images-idx3-ubyte").returncode == 1
    # unlabelled images are fine for `dataset`
    os.remove(tmp_path / "m-labels-idx1-ubyte")
    r = run_cli("data", tmp_path / "m-images-idx3-ubyte", check=True)
    assert "unlabelled" in r.stdout


def test_class_folders(tmp_path):
    rng = np.random.default_rng(2)
    root = tmp_path / "folders"
    want = []
    for cls in ["cat", "dog", "emu"]:
        (root / cls).mkdir(parents=True)
        for k in range(3):
            img = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
            cv2.imwrite(str(root / cls / f"{k}.png"), img)   # BGR on disk
            rgb = img[..., ::-1].astype(np.float64) / 255
            gray = rgb @ np.array([0.2125, 0.7154, 0.0721])  # skimage rgb2gray
            want.append(np.rint(gray * 255))
    (root / ".hidden").mkdir()
    imgs, labels, classes = export(tmp_path, root)
    assert classes == ["cat", "dog", "emu"]
    assert list(labels) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    np.testing.assert_array_equal(imgs, np.array(want, np.float32))
    # images of different sizes are refused
    cv2.imwrite(str(root / "emu" / "big.png"), np.zeros((9, 9), np.uint8))
    assert run_cli("data", root).returncode == 1
