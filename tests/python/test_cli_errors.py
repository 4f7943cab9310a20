"""`hogkit hog` on bad input and bad options: one clear line naming the file
and the problem, exit 1 for data errors and 2 for usage errors, and never an
output file left behind."""
import os
import stat

import cv2
import numpy as np
import pytest

from conftest import run_cli


@pytest.fixture
def good_png(tmp_path):
    img = (np.arange(64 * 48) % 251).astype(np.uint8).reshape(48, 64)
    p = tmp_path / "good.png"
    cv2.imwrite(str(p), img)
    return p


def encoded(ext, shape=(48, 64, 3)):
    img = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    ok, buf = cv2.imencode(ext, img)
    assert ok
    return buf.tobytes()


def assert_data_error(proc, name, *words):
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert name in lines[0]
    for w in words:
        assert w in lines[0].lower(), lines[0]


@pytest.mark.parametrize("ext", [".png", ".jpg", ".ppm", ".pgm"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated(tmp_path, ext, keep):
    data = encoded(ext, (48, 64) if ext == ".pgm" else (48, 64, 3))
    p = tmp_path / ("cut" + ext)
    p.write_bytes(data[: int(len(data) * keep)])
    out = tmp_path / "o.npy"
    proc = run_cli("hog", p, "-o", out)
    assert_data_error(proc, p.name)
    assert not out.exists()


def test_truncated_npy(tmp_path):
    p = tmp_path / "cut.npy"
    np.save(p, np.zeros((64, 64), np.float32))
    p.write_bytes(p.read_bytes()[:-100])
    out = tmp_path / "o.npy"
    assert_data_error(run_cli("hog", p, "-o", out), "cut.npy", "truncated")
    assert not out.exists()


@pytest.mark.parametrize("content", [b"", b"GIF89a" + b"\0" * 100, b"hello world\n" * 10])
def test_bad_magic(tmp_path, content):
    p = tmp_path / "bad.png"
    p.write_bytes(content)
    out = tmp_path / "o.npy"
    assert_data_error(run_cli("hog", p, "-o", out), "bad.png")
    assert not out.exists()


@pytest.mark.parametrize("header", [b"P5\n0 10\n255\n", b"P5\n10 0\n255\n", b"P6\n0 0\n255\n"])
def test_zero_size(tmp_path, header):
    p = tmp_path / "zero.pgm"
    p.write_bytes(header)
    out = tmp_path / "o.npy"
    assert_data_error(run_cli("hog", p, "-o", out), "zero.pgm")
    assert not out.exists()


def test_zero_size_npy(tmp_path):
    p = tmp_path / "zero.npy"
    np.save(p, np.zeros((0, 16), np.uint8))
    out = tmp_path / "o.npy"
    assert_data_error(run_cli("hog", p, "-o", out), "zero.npy")
    assert not out.exists()


def test_over_pixel_limit(tmp_path, good_png):
    out = tmp_path / "o.npy"
    proc = run_cli("hog", good_png, "-o", out, "--max-pixels", 1000)
    assert_data_error(proc, good_png.name, "limit")
    assert not out.exists()
    # a header claiming a huge image is refused before anything is allocated
    p = tmp_path / "huge.pgm"
    p.write_bytes(b"P5\n100000 100000\n255\n" + b"\0" * 64)
    assert_data_error(run_cli("hog", p, "-o", out), "huge.pgm", "limit")
    assert not out.exists()


def test_unreadable_and_missing(tmp_path, good_png):
    out = tmp_path / "o.npy"
    assert_data_error(run_cli("hog", tmp_path / "nope.png", "-o", out), "nope.png")
    assert_data_error(run_cli("hog", tmp_path, "-o", out), tmp_path.name)
    if os.geteuid() != 0:  # root reads anything
        good_png.chmod(0)
        assert_data_error(run_cli("hog", good_png, "-o", out), good_png.name)
    assert not out.exists()


def test_unwritable_output(tmp_path, good_png):
    out = tmp_path / "no" / "such" / "dir" / "o.npy"
    proc = run_cli("hog", good_png, "-o", out)
    assert proc.returncode == 1 and "o.npy" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["--orientations", "0"], ["--orientations", "x"], ["--orientations", "9x"],
    ["--pixels-per-cell", "8"], ["--pixels-per-cell", "0,8"], ["--pixels-per-cell", "8,8,8"],
    ["--cells-per-block", "-1,2"], ["--block-norm", "L3"], ["--max-pixels", "0"],
    ["--variant", "nope"], ["--frobnicate"], ["--orientations"],
])
def test_bad_options(tmp_path, good_png, args):
    out = tmp_path / "o.npy"
    proc = run_cli("hog", good_png, "-o", out, *args)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_usage_without_output_or_input(tmp_path, good_png):
    assert run_cli("hog", good_png).returncode == 2
    assert run_cli("hog", "-o", tmp_path / "o.npy").returncode == 2
    assert run_cli().returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_help(tmp_path):
    for args in (["--help"], ["hog", "--help"]):
        proc = run_cli(*args)
        assert proc.returncode == 0 and "usage:" in proc.stdout
    hog_help = run_cli("hog", "--help").stdout
    for opt in ("--orientations", "--pixels-per-cell", "--cells-per-block", "--block-norm",
                "--transform-sqrt", "--gray", "--flat", "-o"):
        assert opt in hog_help


def test_several_inputs_one_bad(tmp_path, good_png):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(encoded(".jpg")[:200])
    other = tmp_path / "other.npy"
    np.save(other, np.ones((32, 32), np.uint16))
    outdir = tmp_path / "outs"
    proc = run_cli("hog", good_png, bad, other, "-o", outdir)
    assert proc.returncode == 1
    assert "bad.jpg" in proc.stderr and "good.png" not in proc.stderr
    assert sorted(os.listdir(outdir)) == ["good.npy", "other.npy"]
    assert np.load(outdir / "good.npy").dtype == np.float32


def test_same_output_name_is_refused(tmp_path, good_png):
    (tmp_path / "b").mkdir()
    twin = tmp_path / "b" / "good.png"
    twin.write_bytes(good_png.read_bytes())
    proc = run_cli("hog", good_png, twin, "-o", tmp_path / "outs")
    assert proc.returncode == 2 and "good.npy" in proc.stderr
    assert not (tmp_path / "outs").exists()
