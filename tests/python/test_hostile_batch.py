"""A batch of hostile files: `hogkit hog A B C ... -o DIR` writes every good
output, names every bad file on stderr with one line each, ends with a
"N of M inputs failed, K written" line and exits 1 (a data error), and leaves
nothing else in DIR (no partial output, no temporary file). Plus the single
cases of issue 8: a JPEG decompression bomb, PNGs with absurd chunk sizes,
float input that is NaN/Inf or overflows, and outputs that cannot be written
whole (file size limit hit mid-write, process killed mid-write)."""
import os
import resource
import signal
import struct
import zlib

import cv2
import numpy as np
import pytest

from conftest import run_cli, CLI
import subprocess

rng = np.random.default_rng(8)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(w, h, depth=8, ctype=0):
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))


def jpeg_with_size(w, h, progressive=False):
    params = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1] if progressive else []
    ok, buf = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8), params)
    data = buf.tobytes()
    s = data.find(b"\xff\xc2" if progressive else b"\xff\xc0")
    return data[: s + 5] + struct.pack(">HH", h, w) + data[s + 9:]


def npy_bytes(arr):
    import io
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def good_files():
    """name -> bytes of valid inputs, each with a distinct output name."""
    photo = cv2.GaussianBlur(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8), (5, 5), 0)
    return {
        "g_png.png": cv2.imencode(".png", photo)[1].tobytes(),
        "g_png16.png": cv2.imencode(".png", photo.astype(np.uint16) * 257)[1].tobytes(),
        "g_jpg.jpg": cv2.imencode(".jpg", photo)[1].tobytes(),
        "g_pgm.pgm": cv2.imencode(".pgm", photo[:, :, 0])[1].tobytes(),
        "g_ppm.ppm": cv2.imencode(".ppm", photo)[1].tobytes(),
        "g_npy.npy": npy_bytes(photo.astype(np.float32) / 255),
    }


def bad_files(good):
    """name -> bytes of truncated and malicious inputs."""
    return {
        "trunc_png.png": good["g_png.png"][: len(good["g_png.png"]) // 2],
        "trunc_jpg.jpg": good["g_jpg.jpg"][: len(good["g_jpg.jpg"]) // 2],
        "trunc_npy.npy": good["g_npy.npy"][:-100],
        "trunc_ppm.ppm": good["g_ppm.ppm"][:-1],
        # "zip bomb": tiny file, IHDR claiming 2^31-1 squared
        "bomb_png.png": png_header(0x7fffffff, 0x7fffffff) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""),
        "bomb_png_pixels.png": png_header(60000, 60000, 16, 6) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""),
        # within the default pixel limit (2 GB of samples) but 177 bytes: fails on the data
        "bomb_png_within.png": png_header(16000, 16000, 16, 6) + chunk(b"IDAT", zlib.compress(b"\0" * 100000)) + chunk(b"IEND", b""),
        "chunk_len.png": png_header(4, 4) + struct.pack(">I", 0x7fffffff) + b"IDAT" + b"\0" * 64,
        "huge_npy.npy": npy_bytes(np.zeros((1, 1), np.uint8)).replace(b"(1, 1)", b"(99999999, 99999999)", 1),
        "huge_pnm.pgm": b"P5\n4000000000 4000000000\n255\n" + b"\0" * 64,
        "huge_sof.jpg": jpeg_with_size(65535, 65535),
        "random.png": rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "noise.bin": rng.integers(0, 256, 333, dtype=np.uint8).tobytes(),
        "empty.jpg": b"",
        "nan.npy": npy_bytes(np.array([[np.nan] * 16] * 16, np.float32)),
        "overflow.npy": npy_bytes(np.tile([[3e38, 0, -3e38, 0]], (32, 8)).astype(np.float32)),
    }


def test_hostile_batch(tmp_path):
    good = good_files()
    bad = bad_files(good)
    src = tmp_path / "in"
    src.mkdir()
    for name, data in {**good, **bad}.items():
        (src / name).write_bytes(data)
    (src / "x.png").mkdir()  # a directory named like an image
    names = sorted(os.listdir(src))
    out = tmp_path / "out"
    proc = run_cli("hog", *[src / n for n in names], "-o", out)

    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    bad_names = sorted(list(bad) + ["x.png"])
    assert lines[-1] == f"hogkit: hog: {len(bad_names)} of {len(names)} inputs failed, {len(good)} written"
    # one line per bad file, naming it; good files are not mentioned
    assert len(lines) == len(bad_names) + 1, proc.stderr
    for n in bad_names:
        assert sum(n in ln for ln in lines[:-1]) == 1, (n, proc.stderr)
    for n in good:
        assert n not in proc.stderr
    # every good output written, complete and equal to a run on that file alone;
    # nothing else in the folder
    assert sorted(os.listdir(out)) == sorted(os.path.splitext(n)[0] + ".npy" for n in good)
    for n in good:
        one = tmp_path / ("one_" + n + ".npy")
        run_cli("hog", src / n, "-o", one, check=True)
        got = np.load(out / (os.path.splitext(n)[0] + ".npy"))
        assert got.dtype == np.float32 and np.isfinite(got).all()
        np.testing.assert_array_equal(got, np.load(one))


def test_messages_name_the_cause(tmp_path):
    good = good_files()
    bad = bad_files(good)
    want = {"trunc_npy.npy": "truncated", "bomb_png.png": "limit", "huge_npy.npy": "limit",
            "huge_pnm.pgm": "limit", "huge_sof.jpg": "limit", "nan.npy": "nan",
            "overflow.npy": "domain"}
    for name, word in want.items():
        p = tmp_path / name
        p.write_bytes(bad[name])
        proc = run_cli("hog", p, "-o", tmp_path / "o.npy")
        assert proc.returncode == 1 and name in proc.stderr, proc.stderr
        assert word in proc.stderr.lower(), proc.stderr
        assert not (tmp_path / "o.npy").exists()


def test_overflow_is_what_skimage_turns_into_nan(tmp_path):
    """Finite float32 samples whose differences overflow: the reference
    itself returns non-finite features; hogkit refuses (HK_ERR_DOMAIN)
    instead of writing Inf/NaN."""
    from skimage.feature import hog
    img = np.tile([[3e38, 0, -3e38, 0]], (16, 4)).astype(np.float32)
    with np.errstate(all="ignore"):
        ref = hog(img, pixels_per_cell=(8, 8), cells_per_block=(1, 1))
    assert not np.isfinite(ref).all()
    p = tmp_path / "o.npy"
    np.save(p, img)
    proc = run_cli("hog", p, "-o", tmp_path / "r.npy", "--pixels-per-cell", "8,8",
                   "--cells-per-block", "1,1")
    assert proc.returncode == 1 and "domain" in proc.stderr.lower()
    assert not (tmp_path / "r.npy").exists()


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_decompression_bomb(tmp_path, progressive):
    """A ~300-byte JPEG claiming 16000x16000 (within the default pixel limit):
    refused before allocation when the limit is lowered, and without the
    limit it fails at the first missing block instead of decoding 256M grey
    pixels (checked by the error, not by timing)."""
    p = tmp_path / "bomb.jpg"
    p.write_bytes(jpeg_with_size(16000, 16000, progressive))
    assert p.stat().st_size < 1000
    out = tmp_path / "o.npy"
    proc = run_cli("hog", p, "-o", out, "--max-pixels", 10_000_000)
    assert proc.returncode == 1 and "limit" in proc.stderr, proc.stderr
    proc = run_cli("hog", p, "-o", out)
    assert proc.returncode == 1 and "truncated" in proc.stderr, proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("length", [0x7fffffff, 0x80000000, 0xffffffff, 0x01000000])
@pytest.mark.parametrize("kind", [b"IDAT", b"tEXt", b"zTXt", b"iCCP", b"abCd"])
def test_png_absurd_chunk_sizes(tmp_path, length, kind):
    p = tmp_path / "chunk.png"
    p.write_bytes(png_header(8, 8) + struct.pack(">I", length) + kind + b"\0" * 100)
    proc = run_cli("hog", p, "-o", tmp_path / "o.npy")
    assert proc.returncode == 1 and "chunk.png" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.npy").exists()


def test_other_limit_options(tmp_path):
    img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    p = tmp_path / "a.npy"
    np.save(p, img)
    out = tmp_path / "o.npy"
    assert run_cli("hog", p, "-o", out, "--max-channels", 2).returncode == 1
    assert run_cli("hog", p, "-o", out, "--max-file-bytes", 1000).returncode == 1
    assert run_cli("hog", p, "-o", out, "--max-npy-header", 16).returncode == 1
    assert not out.exists()
    run_cli("hog", p, "-o", out, "--max-channels", 3, "--max-file-bytes", 10000,
            "--max-npy-header", 128, check=True)
    assert np.isfinite(np.load(out)).all()
    for opt in ("--max-channels", "--max-file-bytes", "--max-npy-header"):
        assert run_cli("hog", p, "-o", out, opt, 0).returncode == 2
        assert run_cli("hog", p, "-o", out, opt, "x").returncode == 2


def run_limited(args, fsize, kill):
    """The CLI with a file size limit: writes past it fail with EFBIG, or
    (kill) the process dies of SIGXFSZ in the middle of write()."""
    def pre():
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL if kill else signal.SIG_IGN)
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, preexec_fn=pre)


@pytest.mark.parametrize("kill", [False, True])
def test_output_never_partial(tmp_path, kill):
    img = rng.integers(0, 256, (256, 256), dtype=np.uint8)
    p = tmp_path / "big.npy"
    np.save(p, img)
    out = tmp_path / "out"
    out.mkdir()
    # 256x256, 1x1 cells and blocks, 32 orientations: 8 MiB of features
    args = ["hog", p, "-o", out / "f.npy", "--pixels-per-cell", "1,1", "--cells-per-block", "1,1",
            "--orientations", 32]
    proc = run_limited(args, 1 << 20, kill)
    if kill:
        assert proc.returncode == -signal.SIGXFSZ
        # only the writer's own temporary may remain, never f.npy
        assert all(n.startswith("f.npy.tmp.") for n in os.listdir(out))
    else:
        assert proc.returncode == 1 and "f.npy" in proc.stderr
        assert os.listdir(out) == []
    assert not (out / "f.npy").exists()
    # an older result is kept intact
    (out / "f.npy").write_bytes(b"old")
    run_limited(args, 1 << 20, kill)
    assert (out / "f.npy").read_bytes() == b"old"
