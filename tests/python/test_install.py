"""Installing like a real C library: into a temporary prefix, then a consumer
program built twice (pkg-config, CMake find_package) and run; only public
hk_ symbols exported; the Debian package carries what it should."""
import os
import re
import subprocess

import pytest

SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("HK_BUILD_DIR", os.path.join(SRC, "build"))
PHOTO = "/usr/lib/python3/dist-packages/skimage/data/camera.png"

pytestmark = pytest.mark.skipif(os.environ.get("HK_SANITIZE") == "1",
                                reason="installing the sanitizer build is not meaningful")

CONSUMER = r"""
#include <stdio.h>
#include <hogkit.h>
int main(int argc, char **argv)
{
    hk_image img;
    if (hk_image_load(argv[1], NULL, &img) != HK_OK) return 1;
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_SKIMAGE);
    hk_shape s;
    hk_status st = hk_hog_shape(&p, img.width, img.height, img.channels, &s);
    printf("%s %zu %s\n", hk_version_string(), s.count, hk_strerror(st));
    hk_image_free(&img);
    return st != HK_OK;
}
"""


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    root = tmp_path_factory.mktemp("prefix")
    subprocess.run(["cmake", "--install", BUILD, "--prefix", str(root)], check=True,
                   capture_output=True)
    return root


def find(root, pattern):
    for d, _, files in os.walk(root):
        for f in files:
            if re.fullmatch(pattern, f):
                return os.path.join(d, f)
    raise AssertionError(f"{pattern} not installed under {root}")


def test_layout(prefix):
    for pat in [r"hogkit", r"hogkit\.h", r"libhogkit\.a", r"libhogkit\.so\.0\.\d+\.\d+",
                r"hogkit\.pc", r"hogkitConfig\.cmake", r"hogkit\.1"]:
        find(prefix, pat)
    so = find(prefix, r"libhogkit\.so\.0\.\d+\.\d+")
    soname = subprocess.run(["objdump", "-p", so], capture_output=True, text=True).stdout
    assert re.search(r"SONAME\s+libhogkit\.so\.0\n", soname)
    assert os.readlink(os.path.join(os.path.dirname(so), "libhogkit.so.0")) == os.path.basename(so)


def run_consumer(exe, prefix):
    libdir = os.path.dirname(find(prefix, r"libhogkit\.so\.0"))
    env = dict(os.environ, LD_LIBRARY_PATH=libdir)
    out = subprocess.run([str(exe), PHOTO], capture_output=True, text=True, env=env, check=True)
    version = re.search(r'HK_VERSION_STRING "(.*)"', open(find(prefix, r"hogkit\.h")).read())[1]
    assert out.stdout.split()[0] == version
    assert int(out.stdout.split()[1]) > 0


def test_pkg_config_consumer(prefix, tmp_path):
    pcdir = os.path.dirname(find(prefix, r"hogkit\.pc"))
    env = dict(os.environ, PKG_CONFIG_PATH=pcdir)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "hogkit"], env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    src = tmp_path / "consumer.c"
    src.write_text(CONSUMER)
    exe = tmp_path / "consumer"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", str(src), *flags, "-o", str(exe)],
                   check=True)
    run_consumer(exe, prefix)
    # static linking through pkg-config --static
    static = subprocess.run(["pkg-config", "--static", "--libs", "hogkit"], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert "-lspng" in static and "-ljpeg" in static


def test_cmake_consumer(prefix, tmp_path):
    (tmp_path / "consumer.c").write_text(CONSUMER)
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.18)\nproject(consumer C)\n"
        "find_package(hogkit 0 REQUIRED)\nadd_executable(consumer consumer.c)\n"
        "target_link_libraries(consumer PRIVATE hogkit::hogkit)\n")
    b = tmp_path / "b"
    subprocess.run(["cmake", "-S", str(tmp_path), "-B", str(b), f"-DCMAKE_PREFIX_PATH={prefix}"],
                   check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(b)], check=True, capture_output=True)
    run_consumer(b / "consumer", prefix)


def test_only_public_symbols_exported(prefix):
    so = find(prefix, r"libhogkit\.so\.0\.\d+\.\d+")
    nm = subprocess.run(["nm", "-D", "--defined-only", so], capture_output=True, text=True,
                        check=True).stdout
    exported = {l.split()[-1] for l in nm.splitlines() if l.strip()}
    header = open(os.path.join(SRC, "include", "hogkit.h")).read()
    declared = set(re.findall(r"HK_API\s+[^;(]*?\b(hk_\w+)\s*\(", header, re.S))
    assert exported, "nothing exported"
    assert all(s.startswith("hk_") and not s.startswith("hk__") for s in exported), exported
    assert exported == declared, (exported ^ declared)


def test_debian_package(tmp_path):
    deb = subprocess.run([os.path.join(SRC, "scripts", "make-deb"), BUILD], capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    assert re.search(r"hogkit_\d+\.\d+\.\d+_\w+\.deb$", deb)
    info = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True, text=True,
                          check=True).stdout
    assert "libspng0" in info and "libjpeg62-turbo" in info
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", deb, str(root)], check=True)
    out = subprocess.run([str(root / "usr" / "bin" / "hogkit"), "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("hogkit ")
    assert find(root, r"hogkit\.pc") and find(root, r"hogkit\.1\.gz")
