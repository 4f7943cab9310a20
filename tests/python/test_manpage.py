"""The man page and `--help` never drift: every command and option that the
help texts list is documented in docs/hogkit.1, and every command the man
page documents exists."""
import os
import re

from conftest import run_cli

SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def man_text():
    with open(os.path.join(SRC, "docs", "hogkit.1")) as f:
        # troff escapes: "\-" is a dash
        return f.read().replace("\\-", "-")


def commands():
    out = run_cli("--help", check=True).stdout
    block = out.split("commands:")[1].split("\n\n")[0]
    return [l.split()[0] for l in block.strip().splitlines()]


def options(text):
    return set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", text))


def test_every_command_documented():
    man = man_text()
    cmds = commands()
    assert "hog" in cmds
    for c in cmds:
        assert re.search(rf"^\.SS {re.escape(c)}\b", man, re.M), f"command {c} not in man page"
    documented = re.findall(r"^\.SS (\S+)", man, re.M)
    assert sorted(documented) == sorted(cmds)


def test_every_option_documented():
    man = man_text()
    man_opts = options(man)
    texts = [run_cli("--help", check=True).stdout]
    texts += [run_cli(c, "--help", check=True).stdout for c in commands()]
    missing = sorted(o for t in texts for o in options(t) if o not in man_opts)
    assert not missing, f"options in --help but not in docs/hogkit.1: {missing}"
