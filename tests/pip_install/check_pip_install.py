"""`pip install .` from the checkout into a fresh virtual environment, then `import wowflow` there (ctest
python.pip_install). Offline: --no-build-isolation (Debian's setuptools), --no-index (never the network); the venv
sees Debian's NumPy through --system-site-packages.

    python3 tests/pip_install/check_pip_install.py SOURCE_DIR SCRATCH_DIR [BUILD_DIR]

BUILD_DIR (the CI's build tree, configured for this Python) is built in place instead of a tree of its own, so the
check takes seconds (WOWFLOW_BUILD_DIR, see setup.py). Exits 0 when the installed module imports, runs a flow and
finds its plugins, and is not the build tree's copy.
"""
import os
import shutil
import subprocess
import sys


def run(command, **kwargs):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def main():
    source, scratch = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    build = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    venv = os.path.join(scratch, "venv")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    run([sys.executable, "-m", "venv", "--system-site-packages", venv])
    python = os.path.join(venv, "bin", "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WOWFLOW_BUILD_DIR")}
    env["PIP_NO_INDEX"] = "1"  # no network, ever
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if build:
        env["WOWFLOW_BUILD_DIR"] = build
    run([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", source], env=env, cwd=scratch)
    check = ("import os, sys, numpy as np, wowflow\n"
             "folder = os.path.dirname(wowflow.__file__)\n"
             "assert folder.startswith(sys.prefix), folder\n"
             "assert os.path.exists(os.path.join(folder, 'py.typed'))\n"
             "kernels = {p['type'] for p in wowflow.plugins('kernel')}\n"
             "assert {'riesz_sw', 'gaussian_sw', 'laplace_sw', 'imq_sw'} <= kernels, kernels\n"
             "rng = np.random.default_rng(0)\n"
             "r = wowflow.run({'solver': {'type': 'momentum', 'params': {'step_size': 0.1, 'steps': 5}},\n"
             "                 'projections': {'type': 'tbb', 'params': {'count': 16}}},\n"
             "                source=rng.normal(size=(2, 10, 3)), target=rng.normal(size=(2, 10, 3)), progress=False)\n"
             "assert r.final.shape == (2, 10, 3) and len(r.loss) == 5\n"
             "print('wowflow', wowflow.__version__, 'from', folder)\n")
    run([python, "-c", "import wowflow"], env=env, cwd=scratch)
    run([python, "-c", check], env=env, cwd=scratch)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
