"""hogkit render: the skimage picture against skimage.feature.hog(...,
visualize=True)[1] itself, the glyph renderer against VLFeat's vl_hog_render
(a small C program compiled here, linked with libvl), the PNG output and the
error paths."""
import os
import shutil
import subprocess

import numpy as np
import pytest
from skimage import data, feature

from conftest import BUILD, run_cli

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(HERE, "..", ".."))


def skimage_picture(img, **kw):
    channel_axis = -1 if img.ndim == 3 else None
    return feature.hog(img, visualize=True, channel_axis=channel_axis, **kw)[1]


def render_raw(tmp_path, img, *args):
    src = tmp_path / "in.npy"
    np.save(src, img)
    raw, png = tmp_path / "raw.npy", tmp_path / "out.png"
    run_cli("render", src, "-o", png, "--raw", raw, *args, check=True)
    return np.load(raw), png


def blurred_noise(shape, seed, dtype):
    rng = np.random.default_rng(seed)
    a = rng.random(shape)
    a = (a + np.roll(a, 1, 0) + np.roll(a, 1, 1)) / 3
    return (a * 255).astype(dtype) if dtype == np.uint8 else a.astype(dtype)


CASES = [
    # image, skimage kwargs, CLI args
    ("astronaut", {}, []),
    ("camera", {}, []),
    ("camera", {"orientations": 12, "pixels_per_cell": (16, 16)},
     ["--orientations", 12, "--pixels-per-cell", "16,16"]),
    ("coffee", {"orientations": 4, "pixels_per_cell": (7, 5)},
     ["--orientations", 4, "--pixels-per-cell", "7,5"]),
    ("noise_f32", {"pixels_per_cell": (6, 10)}, ["--pixels-per-cell", "6,10"]),
    ("noise_f64", {"orientations": 7, "transform_sqrt": True},
     ["--orientations", 7, "--transform-sqrt"]),
    ("noise_u8_rgb", {"pixels_per_cell": (3, 3)}, ["--pixels-per-cell", "3,3"]),
    ("noise_u8_rgb", {"pixels_per_cell": (2, 9)}, ["--pixels-per-cell", "2,9"]),
    ("tiny", {"pixels_per_cell": (4, 4)}, ["--pixels-per-cell", "4,4"]),  # < one block
]


def make(name):
    if name in ("astronaut", "camera", "coffee"):
        return getattr(data, name)()
    if name == "noise_f32":
        return blurred_noise((61, 83), 1, np.float32)
    if name == "noise_f64":
        return blurred_noise((50, 45), 2, np.float64)
    if name == "noise_u8_rgb":
        return blurred_noise((40, 57, 3), 3, np.uint8)
    if name == "tiny":
        return blurred_noise((9, 10), 4, np.float64)
    raise KeyError(name)


@pytest.mark.parametrize("name,kw,args", CASES)
def test_matches_skimage(tmp_path, name, kw, args):
    img = make(name)
    ref = skimage_picture(img, **kw)
    got, png = render_raw(tmp_path, img, *args)
    assert got.shape == ref.shape
    assert np.abs(got - ref.astype(np.float64)).max() <= 1e-5
    assert png.exists()


def test_png_is_scaled_by_max(tmp_path):
    import cv2
    img = data.camera()
    got, png = render_raw(tmp_path, img)
    pic = cv2.imread(str(png), cv2.IMREAD_UNCHANGED)
    assert pic.dtype == np.uint8 and pic.shape == img.shape
    assert np.array_equal(pic, np.round(255 * got / got.max()).astype(np.uint8))
    # --gain 3 clips at 255
    run_cli("render", tmp_path / "in.npy", "-o", tmp_path / "g.png", "--gain", 3, check=True)
    pic3 = cv2.imread(str(tmp_path / "g.png"), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(pic3, np.round(255 * np.minimum(1, 3 * got / got.max())).astype(np.uint8))


def test_over_blend(tmp_path):
    import cv2
    img = data.camera()
    src = tmp_path / "cam.png"
    cv2.imwrite(str(src), img)
    run_cli("render", src, "-o", tmp_path / "o.png", "--over", "--raw", tmp_path / "r.npy",
            check=True)
    over = cv2.imread(str(tmp_path / "o.png"), cv2.IMREAD_UNCHANGED)[:, :, ::-1]  # BGR->RGB
    raw = np.load(tmp_path / "r.npy")
    a = np.round(255 * raw / raw.max()) / 255
    base = (1 - a) * 0.6 * img.astype(np.float64)
    assert over.shape == img.shape + (3,)
    assert np.abs(over[:, :, 2] - np.round(base)).max() <= 1
    assert np.abs(over[:, :, 0] - np.round(base + a * 255)).max() <= 1
    assert np.array_equal(over[:, :, 0], over[:, :, 1])


def test_readme_picture_command(tmp_path):
    """The command docs/README-maskfeat.md gives for the README picture."""
    import cv2
    astronaut = os.path.join(os.path.dirname(data.__file__), "astronaut.png")
    out = tmp_path / "hog-astronaut.png"
    run_cli("render", astronaut, "-o", out, "--pixels-per-cell", "16,16", "--gain", 3, check=True)
    pic = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert pic.shape == (512, 512)
    committed = os.path.join(SRC, "docs", "img", "hog-astronaut.png")
    assert np.array_equal(pic, cv2.imread(committed, cv2.IMREAD_UNCHANGED))


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_glyphs_match_vlfeat(tmp_path):
    lib = os.path.join(BUILD, "libhogkit.a")
    exe = tmp_path / "glyph_vs_vlfeat"
    flags = ["-fsanitize=address,undefined"] if os.environ.get("HK_SANITIZE") in ("1", "ON") else []
    subprocess.run(["cc", "-std=c11", "-O1", *flags, "-I", os.path.join(SRC, "include"),
                    os.path.join(HERE, "glyph_vs_vlfeat.c"), lib, "-lvl", "-lspng", "-ljpeg",
                    "-lz", "-lm", "-lpthread", "-o", str(exe)], check=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" 0 pixels differ") == 9


@pytest.mark.parametrize("args,msg", [
    ([], "missing -o"),
    (["-o", "{tmp}/x.png", "--variant", "nope"], "expected skimage"),
    (["-o", "{tmp}/x.png", "--variant", "maskfeat"], "expected skimage"),
    (["-o", "{tmp}/x.png", "--gain", "-1"], "--gain"),
    (["-o", "{tmp}/x.png", "--gain", "abc"], "--gain"),
    (["-o", "{tmp}/x.png", "--orientations", "0"], "--orientations"),
    (["-o", "{tmp}/x.png", "--bogus"], "unknown option"),
    (["-o", "{tmp}/x.png", "{tmp}/second.png"], "one input"),
])
def test_usage_errors(tmp_path, args, msg):
    src = tmp_path / "in.npy"
    np.save(src, np.zeros((16, 16), np.float32))
    proc = run_cli("render", src, *[str(a).format(tmp=tmp_path) for a in args])
    assert proc.returncode == 2
    assert msg.lower() in proc.stderr.lower()
    assert not (tmp_path / "x.png").exists()


def test_data_errors(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    proc = run_cli("render", bad, "-o", tmp_path / "x.png")
    assert proc.returncode == 1 and "cannot read image" in proc.stderr
    nan = tmp_path / "nan.npy"
    a = np.zeros((16, 16), np.float32)
    a[3, 3] = np.nan
    np.save(nan, a)
    proc = run_cli("render", nan, "-o", tmp_path / "x.png")
    assert proc.returncode == 1 and "cannot render" in proc.stderr
    src = tmp_path / "ok.npy"
    np.save(src, np.zeros((16, 16), np.float32))
    proc = run_cli("render", src, "-o", tmp_path / "no" / "such" / "dir.png")
    assert proc.returncode == 1 and "cannot write" in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_glyph_picture_obeys_max_pixels(tmp_path):
    if "dlib" not in run_cli("hog", "--help").stdout:
        pytest.skip("dlib variant not in this build")
    src = tmp_path / "cam.npy"
    np.save(src, data.camera())
    # 62x62 cells of 21x21 pixels = 1.7 Mpx > 1 Mpx, although the photo is 0.26 Mpx
    proc = run_cli("render", src, "-o", tmp_path / "x.png", "--variant", "dlib",
                   "--max-pixels", 1000000)
    assert proc.returncode == 1 and "limit" in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_flat_image_is_black(tmp_path):
    got, png = render_raw(tmp_path, np.full((32, 32), 7, np.uint8))
    import cv2
    assert got.max() == 0
    assert cv2.imread(str(png), cv2.IMREAD_UNCHANGED).max() == 0


def _libvl():
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("vl") or "libvl.so"
    vl = ctypes.CDLL(name)
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    fp = ctypes.POINTER(ctypes.c_float)
    vl.vl_hog_new.restype = vp
    vl.vl_hog_new.argtypes = [ctypes.c_int, sz, ctypes.c_int]
    vl.vl_hog_put_image.argtypes = [vp, fp, sz, sz, sz, sz]
    vl.vl_hog_get_width.restype = sz
    vl.vl_hog_get_width.argtypes = [vp]
    vl.vl_hog_get_height.restype = sz
    vl.vl_hog_get_height.argtypes = [vp]
    vl.vl_hog_get_dimension.restype = sz
    vl.vl_hog_get_dimension.argtypes = [vp]
    vl.vl_hog_extract.argtypes = [vp, fp]
    vl.vl_hog_render.argtypes = [vp, fp, fp, sz, sz]
    vl.vl_hog_delete.argtypes = [vp]
    return vl


def _ptr(a):
    import ctypes
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


def vl_render(vl, hog, features, w, h):
    img = np.zeros((h * 21, w * 21), np.float32)
    vl.vl_hog_render(hog, _ptr(img), _ptr(np.ascontiguousarray(features, np.float32)), w, h)
    return img


@pytest.mark.parametrize("variant,vl_variant,cell", [("vlfeat-uoctti", 1, 8),
                                                     ("vlfeat-dt", 0, 6)])
def test_glyph_picture_end_to_end_vlfeat(tmp_path, variant, vl_variant, cell):
    """HOG by VLFeat itself, rendered by vl_hog_render, against hogkit render."""
    probe = run_cli("hog", "--help")
    if variant not in probe.stdout:
        pytest.skip(f"{variant} not in this build")
    img = data.camera()[100:260, 150:350].astype(np.float32)
    vl = _libvl()
    hog = vl.vl_hog_new(vl_variant, 9, 0)
    vl.vl_hog_put_image(hog, _ptr(np.ascontiguousarray(img)), img.shape[1], img.shape[0], 1, cell)
    w, h, d = vl.vl_hog_get_width(hog), vl.vl_hog_get_height(hog), vl.vl_hog_get_dimension(hog)
    feats = np.zeros((d, h, w), np.float32)
    vl.vl_hog_extract(hog, _ptr(feats))
    ref = vl_render(vl, hog, feats, w, h)
    vl.vl_hog_delete(hog)
    got, _ = render_raw(tmp_path, img, "--variant", variant, "--cell-size", cell)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-5


def test_glyph_picture_dlib(tmp_path):
    """dlib FHOG features (hogkit hog --variant dlib, tested against dlib on
    branch fhog) rendered by VLFeat's own vl_hog_render: planes d, d+9, d+18
    are UoCTTI's three groups."""
    probe = run_cli("hog", "--help")
    if "dlib" not in probe.stdout:
        pytest.skip("dlib variant not in this build")
    img = data.camera()[:200, :240]
    src = tmp_path / "in.npy"
    np.save(src, img)
    run_cli("hog", src, "-o", tmp_path / "f.npy", "--variant", "dlib", check=True)
    feats = np.load(tmp_path / "f.npy")
    assert feats.shape[0] == 31
    vl = _libvl()
    hog = vl.vl_hog_new(1, 9, 0)
    ref = vl_render(vl, hog, feats, feats.shape[2], feats.shape[1])
    vl.vl_hog_delete(hog)
    got, png = render_raw(tmp_path, img, "--variant", "dlib")
    assert np.array_equal(got.astype(np.float32), ref)
