"""Helpers for the VLFeat and dlib differential tests: build the reference
drivers in tests/ref against the real libraries, run them, run hogkit's CLI
on a batch of images."""
import os
import shutil
import subprocess

import numpy as np

from conftest import BUILD, run_cli

SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
REF = os.path.join(SRC, "tests", "ref")
SANITIZE = os.environ.get("HK_SANITIZE", "0") in ("1", "ON", "TRUE", "true")


def have_vlfeat():
    return os.path.exists("/usr/include/vl/hog.h") and shutil.which("gcc")


def have_dlib():
    return os.path.exists("/usr/include/dlib/image_transforms/fhog.h") and shutil.which("g++")


def compile_vlfeat(out_dir):
    exe = os.path.join(out_dir, "vlfeat_ref")
    subprocess.run(["gcc", "-O2", "-o", exe, os.path.join(REF, "vlfeat_ref.c"), "-lvl"],
                   check=True)
    return exe


def compile_dlib(out_dir):
    # The reference build: g++ -O2 with no -m flags (SSE2 on x86-64), which
    # fixes dlib's SIMD code paths that hogkit reproduces.
    exe = os.path.join(out_dir, "dlib_ref")
    subprocess.run(["g++", "-O2", "-DDLIB_NO_GUI_SUPPORT", "-DDLIB_DISABLE_ASSERTS",
                    "-I/usr/include", "-o", exe, os.path.join(REF, "dlib_ref.cpp")], check=True)
    return exe


def compile_flip_check(out_dir):
    """hogkit's hk_fhog_flip_permutation as a program (static library of the
    build under test)."""
    exe = os.path.join(out_dir, "flip_check")
    san = ["-fsanitize=address,undefined"] if SANITIZE else []
    subprocess.run(["gcc", "-O1", *san, "-I", os.path.join(SRC, "include"), "-o", exe,
                    os.path.join(REF, "flip_check.c"), os.path.join(BUILD, "libhogkit.a"),
                    "-lspng", "-ljpeg", "-lz", "-lm", "-lpthread"], check=True)
    return exe


def run_lines(*args):
    out = subprocess.run(list(map(str, args)), check=True, capture_output=True, text=True)
    return out.stdout.split()


def vlfeat_ref(exe, tmp, img, variant, n, bilinear, cell):
    """vl_hog on img (H, W) or (H, W, C) as single(img) would give it."""
    im = img if img.ndim == 3 else img[:, :, None]
    h, w, c = im.shape
    src, dst = os.path.join(tmp, "vl_in.f32"), os.path.join(tmp, "vl_out.f32")
    np.ascontiguousarray(np.transpose(im, (2, 0, 1)).astype(np.float32)).tofile(src)
    d, hh, ww = map(int, run_lines(exe, variant, n, int(bilinear), cell, w, h, c, src, dst))
    return np.fromfile(dst, np.float32).reshape(d, hh, ww)


DLIB_TYPES = {np.uint8: "u8", np.uint16: "u16", np.float32: "f32", np.float64: "f64"}


def dlib_ref(exe, tmp, img, cell, pad=(1, 1)):
    """extract_fhog_features on array2d<T> (grey) or array2d<rgb_pixel>."""
    kind = "rgb" if img.ndim == 3 else DLIB_TYPES[img.dtype.type]
    assert kind != "rgb" or (img.dtype == np.uint8 and img.shape[2] == 3)
    h, w = img.shape[:2]
    src, dst = os.path.join(tmp, "dl_in.raw"), os.path.join(tmp, "dl_out.f32")
    np.ascontiguousarray(img).tofile(src)
    d, hh, ww = map(int, run_lines(exe, kind, cell, pad[0], pad[1], w, h, src, dst))
    return np.fromfile(dst, np.float32).reshape(d, hh, ww)


def hk_batch(tmp, images, variant, *opts):
    """Runs `hogkit hog` once on every image (name -> array or file path);
    returns name -> result (or the CompletedProcess when the run failed)."""
    paths = []
    for name, img in images.items():
        if isinstance(img, str):
            paths.append(img)
        else:
            p = os.path.join(tmp, name + ".npy")
            np.save(p, img)
            paths.append(p)
    out = os.path.join(tmp, "hk_out")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    run_cli("hog", *paths, "-o", out, "--variant", variant, *opts, check=True)
    res = {}
    for name, p in zip(images, paths):
        stem = os.path.splitext(os.path.basename(p))[0]
        res[name] = np.load(os.path.join(out, stem + ".npy"))
    return res


def max_diff(got, ref):
    assert got.dtype == np.float32
    assert got.shape == ref.shape, (got.shape, ref.shape)
    if ref.size == 0:
        return 0.0
    return float(np.abs(got.astype(np.float64) - ref.astype(np.float64)).max())


def noise(shape, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if dtype == np.uint16:
        return rng.integers(0, 65536, shape, dtype=np.uint16)
    return (rng.standard_normal(shape) * 100).astype(dtype)


def angle_edges(h, w, angle_deg, value=200):
    """A straight step edge whose gradient points at angle_deg."""
    yy, xx = np.mgrid[0:h, 0:w]
    t = np.deg2rad(angle_deg)
    return ((np.cos(t) * (xx - w / 2) + np.sin(t) * (yy - h / 2)) > 0).astype(np.uint8) * value


def tie_colour(h, w, seed=0):
    """RGB with many exactly equal channel gradients (colour tie-breaks)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 4, (h, w), dtype=np.uint8) * 60
    a = np.stack([base, np.roll(base, 1, 1), base[::-1]], -1)
    b = np.repeat(base[:, :, None], 3, -1)
    b[..., 2] = np.roll(base, 1, 0)
    return a, b
