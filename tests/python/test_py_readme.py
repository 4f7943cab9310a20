"""The Python example of docs/README-python.md (and of README.md once the
section is folded in) runs, and prints what its comments say."""
import contextlib
import io
import os
import re

import pytest

SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def python_blocks():
    blocks = []
    for name in ("docs/README-python.md", "README.md"):
        path = os.path.join(SRC, name)
        if os.path.exists(path):
            with open(path) as f:
                blocks += [(name, b) for b in re.findall(r"```python\n(.*?)```", f.read(), re.S)
                           if re.search(r"^\s*(import|from) hogkit\b", b, re.M)]
    return blocks


@pytest.mark.parametrize("name,code", python_blocks())
def test_python_example(name, code):
    expected = [m.group(1).strip() for m in re.finditer(r"^print\(.*\)\s*#\s*(.*)$", code, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, name, "exec"), {})
    assert out.getvalue().strip().splitlines() == expected
