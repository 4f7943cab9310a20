"""README's promises: the C example compiles against the tree and runs, and
the two set-up commands come first."""
import os
import re
import subprocess

import numpy as np
from skimage.feature import hog as sk_hog
from skimage.io import imread

SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("HK_BUILD_DIR", os.path.join(SRC, "build"))
PHOTO = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"


def readme():
    with open(os.path.join(SRC, "README.md")) as f:
        return f.read()


def test_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", readme(), re.S).group(1)
    cmds = [l.split("#")[0].strip() for l in first_block.splitlines() if l.strip()]
    assert cmds == ["make demo", "make test"]


def test_c_example_compiles_and_runs(tmp_path):
    library = readme().split("\n## Library\n", 1)[1]
    code = re.search(r"```c\n(.*?)```", library, re.S).group(1)
    src = tmp_path / "example.c"
    src.write_text(code)
    exe = tmp_path / "example"
    libs = subprocess.run(["pkg-config", "--libs", "spng", "libjpeg", "zlib"],
                          capture_output=True, text=True, check=True).stdout.split()
    flags = ["-fsanitize=address,undefined"] if os.environ.get("HK_SANITIZE") == "1" else []
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *flags, str(src),
                    "-I", os.path.join(SRC, "include"), os.path.join(BUILD, "libhogkit.a"),
                    *libs, "-lpthread", "-lm", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe), PHOTO], capture_output=True, text=True, check=True).stdout
    ref = sk_hog(imread(PHOTO), cells_per_block=(2, 2), channel_axis=-1, feature_vector=False)
    assert out.strip() == f"{ref.size} values, shape {ref.shape}"
