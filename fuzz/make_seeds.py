#!/usr/bin/python3
"""Writes the seed corpora fuzz/corpus/<target>/ (small valid files and
deliberately broken ones). Run from anywhere with Debian's python3 (numpy,
cv2); the output is committed, so this only needs rerunning to change seeds.
Regression inputs found by fuzzing are added next to these under names
starting with "regress-", and inputs merged from fuzzing runs
(libFuzzer -merge=1) under their SHA-1; this script never removes them."""
import io
import os
import struct
import zlib

import cv2
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
rng = np.random.default_rng(8)


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def enc(ext, img, params=()):
    ok, buf = cv2.imencode(ext, img, list(params))
    assert ok
    return buf.tobytes()


def img(h, w, c=None, dtype=np.uint8):
    shape = (h, w) if c is None else (h, w, c)
    hi = 256 if dtype == np.uint8 else 65536
    return rng.integers(0, hi, shape).astype(dtype)


# ---- PNG -------------------------------------------------------------
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def png(w, h, depth, ctype, raw, extra=b"", interlace=0):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def rows(a, bpp_bytes):
    """Filter type 0 scanlines of a uint8 array (h, row_bytes)."""
    return b"".join(b"\0" + bytes(r) for r in a)


put("png", "gray8.png", enc(".png", img(8, 12)))
put("png", "rgb8.png", enc(".png", img(6, 10, 3)))
put("png", "rgba8.png", enc(".png", img(5, 7, 4)))
put("png", "gray16.png", enc(".png", img(6, 9, dtype=np.uint16)))
put("png", "rgb16.png", enc(".png", img(4, 5, 3, np.uint16)))
pal = bytes(rng.integers(0, 256, 3 * 4).astype(np.uint8))
idx = rng.integers(0, 4, (6, 8)).astype(np.uint8)
put("png", "palette.png", png(8, 6, 8, 3, rows(idx, 1), chunk(b"PLTE", pal)))
put("png", "palette-trns.png", png(8, 6, 8, 3, rows(idx, 1),
                                   chunk(b"PLTE", pal) + chunk(b"tRNS", b"\x00\x80")))
bits = np.packbits(rng.integers(0, 2, (5, 16)).astype(np.uint8), axis=1)
put("png", "gray1.png", png(16, 5, 1, 0, rows(bits, 1)))
ga = img(4, 6 * 2)
put("png", "gray-alpha.png", png(6, 4, 8, 4, rows(ga, 2)))
# Adam7 interlaced 8x8 grey: each pass is its own filtered sub-image.
full = img(8, 8)
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
raw = b"".join(rows(full[y0::dy, x0::dx], 1) for x0, y0, dx, dy in passes)
put("png", "adam7.png", png(8, 8, 8, 0, raw, interlace=1))
put("png", "text.png", png(4, 4, 8, 0, rows(img(4, 4), 1),
                           chunk(b"tEXt", b"k\0v") + chunk(b"zTXt", b"k\0\0" + zlib.compress(b"x" * 4096))))
good = enc(".png", img(8, 8))
put("png", "truncated.png", good[: len(good) // 2])
put("png", "no-iend.png", good[:-12])
put("png", "huge-ihdr.png", png(0x7fffffff, 0x7fffffff, 8, 0, b"\0" * 10))
put("png", "huge-pixels.png", png(65535, 65535, 16, 6, zlib.compress(b"")))
bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
put("png", "chunk-len-ffffffff.png", bomb + struct.pack(">I", 0xffffffff) + b"IDAT" + b"\0" * 16)
put("png", "chunk-len-7fffffff.png", bomb + struct.pack(">I", 0x7fffffff) + b"tEXt" + b"\0" * 16)
put("png", "bad-crc.png", good[:33] + b"\0\0\0\0" + good[37:])
put("png", "empty", b"")

# ---- JPEG ------------------------------------------------------------
photo = cv2.GaussianBlur(img(16, 24, 3), (5, 5), 0)
put("jpeg", "gray.jpg", enc(".jpg", photo[:, :, 0], [cv2.IMWRITE_JPEG_QUALITY, 50]))
put("jpeg", "rgb.jpg", enc(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 50]))
put("jpeg", "progressive.jpg", enc(".jpg", photo, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]))
put("jpeg", "restart.jpg", enc(".jpg", photo, [cv2.IMWRITE_JPEG_RST_INTERVAL, 1]))
put("jpeg", "opt.jpg", enc(".jpg", photo, [cv2.IMWRITE_JPEG_OPTIMIZE, 1]))
j = enc(".jpg", photo[:8, :8])
put("jpeg", "truncated.jpg", j[: len(j) // 2])
sof = j.find(b"\xff\xc0")
put("jpeg", "huge-sof.jpg", j[: sof + 5] + b"\xff\xff\xff\xff" + j[sof + 9:])
put("jpeg", "soi-only.jpg", b"\xff\xd8\xff\xd9")


def resize_sof(data, marker, w, h):
    s = data.find(marker)
    return data[: s + 5] + struct.pack(">HH", h, w) + data[s + 9:]


# Decompression bombs: a few hundred bytes claiming 1000x1000 (within the
# fuzz pixel budget), baseline and progressive; must fail at the first block.
put("jpeg", "bomb-baseline.jpg", resize_sof(enc(".jpg", np.zeros((8, 8), np.uint8)), b"\xff\xc0", 1000, 1000))
put("jpeg", "bomb-progressive.jpg", resize_sof(enc(".jpg", np.zeros((8, 8, 3), np.uint8),
                                                   [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]), b"\xff\xc2", 1000, 1000))

# ---- PNM -------------------------------------------------------------
a = img(3, 4)
put("pnm", "p5.pgm", b"P5\n4 3\n255\n" + a.tobytes())
put("pnm", "p5-16.pgm", b"P5 # c\n4 3\n# c\n65535\n" + img(3, 4, dtype=np.uint16).astype(">u2").tobytes())
put("pnm", "p6.ppm", b"P6\n2 2\n255\n" + img(2, 2, 3).tobytes())
put("pnm", "p6-16.ppm", b"P6\n2 1\n1000\n" + (img(1, 2, 3, np.uint16) % 1001).astype(">u2").tobytes())
put("pnm", "p2.pgm", b"P2\n3 2\n15\n" + b" ".join(b"%d" % v for v in range(6)) + b"\n")
put("pnm", "p3.ppm", b"P3\n# comment\n2 1\n300\n1 2 3 299 300 0")
put("pnm", "huge.pgm", b"P5\n4294967295 4294967295\n255\n\0")
put("pnm", "over-maxval.pgm", b"P5\n2 1\n7\n\x08\x01")
put("pnm", "truncated.ppm", b"P6\n8 8\n255\n" + b"\x10" * 20)

# ---- NPY -------------------------------------------------------------
def npy(arr, version=None):
    b = io.BytesIO()
    if version:
        np.lib.format.write_array(b, arr, version=version)
    else:
        np.save(b, arr)
    return b.getvalue()


def npy_raw(header, body=b"", version=1):
    h = header.encode()
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + body
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h)) + h + body


put("npy", "u1.npy", npy(img(3, 4)))
put("npy", "u2-rgb.npy", npy(img(2, 3, 3, np.uint16)))
put("npy", "f4.npy", npy(rng.random((3, 3)).astype(np.float32)))
put("npy", "f8-4ch.npy", npy(rng.random((2, 2, 4))))
put("npy", "v2.npy", npy(img(2, 2), (2, 0)))
put("npy", "v3.npy", npy(img(2, 2), (3, 0)))
put("npy", "fortran.npy", npy(np.asfortranarray(img(3, 4))))
put("npy", "big-endian.npy", npy(rng.random((2, 2)).astype(">f4")))
put("npy", "structured.npy", npy(np.zeros((2, 2), dtype=[("a", "u1"), ("b", "<f4")])))
put("npy", "huge-shape.npy", npy_raw("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"))
put("npy", "shape-2-64.npy", npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551616, 1), }\n"))
put("npy", "4d.npy", npy(np.zeros((1, 2, 2, 1), np.uint8)))
put("npy", "huge-header-len.npy", b"\x93NUMPY\x02\x00\xff\xff\xff\xff{")
put("npy", "truncated.npy", npy(img(8, 8))[:100])
put("npy", "nan.npy", npy(np.array([[np.nan, np.inf], [-np.inf, 1]], np.float32)))

# ---- HOG (see the layout in fuzz_hog.c) -------------------------------
put("hog", "default-u8", bytes([0, 0, 31, 31, 0, 0, 0, 0]) + bytes([8, 7, 7, 2, 2, 3, 0]) + img(1, 256).tobytes())
put("hog", "rgb-u16", bytes([0, 1, 40, 20, 2, 1, 0, 0]) + bytes([8, 3, 5, 1, 0, 0, 1]) + img(1, 512).tobytes())
put("hog", "f32-scaled", bytes([0, 2, 15, 15, 0, 0, 0, 0]) + bytes([5, 3, 3, 1, 1, 1, 1]) + img(1, 64).tobytes())
put("hog", "f64-nan", bytes([0, 3, 15, 15, 0, 0, 1, 5]) + bytes([8, 3, 3, 1, 1, 2, 0]) + img(1, 64).tobytes())
put("hog", "f32-negative-sqrt", bytes([0, 2, 15, 15, 0, 0, 3, 9]) + bytes([8, 3, 3, 1, 1, 2, 1]) + img(1, 64).tobytes())
put("hog", "raw-knobs", bytes([0, 4 | 8, 7, 7, 0, 0, 0, 0]) + struct.pack(">7i", 9, 8, 8, 3, 3, 3, 0))
put("hog", "raw-floats", bytes([0, 16 | 2, 9, 9, 3, 0, 0, 0]) + bytes([1, 1, 1, 1, 1, 0, 0]) + img(1, 97).tobytes())
put("hog", "tiny", bytes([0, 0, 0, 0, 0, 0, 0, 0]))
# Finite float32 samples whose gradients overflow: Inf cell sums that
# L2-Hys's clip (fmin) would turn into 0.2; must give HK_ERR_DOMAIN.
put("hog", "f32-overflow-l2hys", bytes([0, 16 | 2, 15, 15, 0, 0, 0, 0]) + bytes([8, 7, 7, 0, 0, 3, 0]) +
    np.array([3e38, 0, -3e38, 0], "<f4").tobytes())

# One u8 grey and one float RGB seed per further variant (CASES order in
# fuzz_hog.c): opencv, vlfeat-dt, vlfeat-uoctti, dlib, maskfeat.
for case, name, knobs in [(1, "opencv", [7, 7, 1, 1, 7, 7, 3, 3, 8, 1, 0, 0, 0, 0, 0]),
                          (2, "vlfeat-dt", [7, 8, 0]), (3, "vlfeat-uoctti", [3, 8, 1]),
                          (4, "dlib", [7, 0, 0]), (5, "maskfeat", [8, 3, 0, 1, 1])]:
    put("hog", name + "-u8", bytes([case, 0, 47, 39, 0, 1, 0, 0]) + bytes(knobs) + img(1, 300).tobytes())
    put("hog", name + "-f32-rgb", bytes([case, 2, 31, 31, 2, 1, 0, 0]) + bytes(knobs) + img(1, 300).tobytes())

# ---- CLI (NUL-separated arguments after "hog") -------------------------
def args(*a):
    return b"\0".join(x.encode() for x in a)


put("cli", "basic", args("in.png", "-o", "out.npy"))
put("cli", "all-skimage", args("a.png", "b.pgm", "-o", "d", "--variant=skimage", "--orientations", "12",
                               "--pixels-per-cell=4,6", "--cells-per-block", "2,2", "--block-norm", "L1-sqrt",
                               "--transform-sqrt", "--gray", "--flat", "-v", "--max-pixels", "1000"))
put("cli", "help", args("--help"))
put("cli", "bad-variant", args("x", "--variant", "nope", "-o", "y"))
put("cli", "missing-value", args("x", "-o"))
put("cli", "bad-pair", args("x", "-o", "y", "--pixels-per-cell", "4,,4"))
put("cli", "overflow", args("x", "-o", "y", "--orientations", "99999999999999999999", "--max-pixels", "-1"))
put("cli", "variant-last", args("x", "-o", "y", "--variant"))


# ---- IDX and .npy stacks (hk_stack_load) -------------------------------
import gzip
import tempfile


def idx(arr, code):
    head = b"\0\0" + bytes([code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


put("idx", "u8.idx", idx(img(2, 4, 5), 0x08))
put("idx", "f32.idx", idx(rng.random((2, 3, 3)).astype(np.float32), 0x0D))
put("idx", "f64-4d.idx", idx(rng.random((1, 2, 3, 2)), 0x0E))
put("idx", "u8.idx.gz", gzip.compress(idx(img(3, 4, 4), 0x08), mtime=0))
put("idx", "labels.idx", idx(np.arange(5, dtype=np.uint8), 0x08))
put("idx", "signed.idx", b"\0\0\x09\x03" + struct.pack(">III", 1, 2, 2) + b"\0" * 4)
put("idx", "huge-dims.idx", b"\0\0\x08\x03" + struct.pack(">III", 0xffffffff, 0xffffffff, 0xffffffff))
put("idx", "huge-count.idx", b"\0\0\x0e\x03" + struct.pack(">III", 0xffffffff, 16, 16) + b"\0" * 64)
put("idx", "truncated.idx", idx(img(2, 8, 8), 0x08)[:50])
put("idx", "gz-bomb.idx.gz", gzip.compress(b"\0\0\x08\x03" + struct.pack(">III", 64, 1024, 1024) + b"\0" * (1 << 16), mtime=0))
put("idx", "stack.npy", npy(img(3, 4, 5)))
put("idx", "stack4.npy", npy(rng.random((2, 3, 3, 2)).astype(np.float32)))
put("idx", "stack-huge.npy", npy_raw("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967295, 1024, 1024), }\n"))

# ---- detector models (cv2.HOGDescriptor.save, XML and YAML) -------------
hd = cv2.HOGDescriptor((16, 16), (8, 8), (8, 8), (8, 8), 9)
hd.setSVMDetector(rng.standard_normal(hd.getDescriptorSize() + 1).astype(np.float32))
with tempfile.TemporaryDirectory() as t:
    for ext in ("xml", "yml"):
        path = os.path.join(t, "m." + ext)
        hd.save(path)
        data = open(path, "rb").read()
        put("model", "small." + ext, data)
        put("model", "truncated." + ext, data[: len(data) * 2 // 3])
        put("model", "big-window." + ext, data.replace(b"16", b"99999", 2))
        put("model", "nan." + ext, data.replace(b"e-01", b"nan", 1))
    nodet = cv2.HOGDescriptor((16, 16), (8, 8), (8, 8), (8, 8), 9)
    nodet.save(os.path.join(t, "n.yml"))
    put("model", "no-detector.yml", open(os.path.join(t, "n.yml"), "rb").read())
put("model", "empty", b"")
put("model", "garbage-xml", b"<?xml version=\"1.0\"?><opencv_storage><x>" * 3)
