"""Shared fixtures: where the built CLI is, and a helper to run it."""
import os
import subprocess

import pytest

try:
    import cv2
    # OpenCV 4.6's detectMultiScale appends a pyramid level's boxes and its
    # scores under two separate lock sections, so with several threads the
    # scores can be paired with another level's boxes. The references the
    # tests compare against must be deterministic: one OpenCV thread.
    cv2.setNumThreads(1)
except ImportError:
    pass

BUILD = os.environ.get("HK_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
CLI = os.path.join(BUILD, "hogkit")


def run_cli(*args, check=False):
    """Runs the hogkit CLI; returns CompletedProcess with text output."""
    proc = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"hogkit {' '.join(map(str, args))} failed "
                             f"({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture
def cli():
    return run_cli
