"""docs/README-fhog.md's promise: its C example compiles against the tree,
runs, and prints what the real VLFeat computes."""
import os
import re
import subprocess

import numpy as np
import pytest
from skimage.io import imread

import fhog_ref as F
from conftest import BUILD

PHOTO = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"


@pytest.mark.skipif(not F.have_vlfeat(), reason="libvlfeat-dev not installed")
def test_c_example(tmp_path):
    with open(os.path.join(F.SRC, "docs", "README-fhog.md")) as f:
        code = re.search(r"```c\n(.*?)```", f.read(), re.S).group(1)
    src = tmp_path / "example.c"
    src.write_text(code)
    exe = tmp_path / "example"
    flags = ["-fsanitize=address,undefined"] if F.SANITIZE else []
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *flags, str(src),
                    "-I", os.path.join(F.SRC, "include"), os.path.join(BUILD, "libhogkit.a"),
                    "-lspng", "-ljpeg", "-lz", "-lpthread", "-lm", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe), PHOTO], capture_output=True, text=True, check=True).stdout
    ref = F.vlfeat_ref(F.compile_vlfeat(str(tmp_path)), str(tmp_path), imread(PHOTO),
                       "uoctti", 9, 0, 8)
    m = re.fullmatch(r"shape \((\d+), (\d+), (\d+)\), first value (\S+)\n", out)
    assert m, out
    assert tuple(map(int, m.groups()[:3])) == ref.shape
    assert abs(float(m.group(4)) - float(ref.flat[0])) <= 1e-6
