"""`pip install .`: builds the wowflow Python module with CMake (no network: Debian's setuptools, cmake, g++).

    pip install --no-build-isolation .            # into the active interpreter or virtual environment

CMake configures a build tree for the running interpreter (build/pip-py<X><Y>, reused by later installs) and builds
the target wowflow_package: the module _core, the core library libwowcore.so and every plugin. They are packed into
the wowflow package beside its Python files (wowflow/plugins/ for the plugins; _core finds libwowcore.so through
its $ORIGIN run path).

Environment: CMAKE_ARGS (extra configure options, e.g. "-DWOW_WITH_CUDA=OFF"); WOWFLOW_BUILD_DIR (an existing build
tree configured for this interpreter's Python version, built in place instead: the tests use the CI tree);
CMAKE_BUILD_PARALLEL_LEVEL (build jobs).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def _version():
    with open(os.path.join(HERE, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(WoWFlow VERSION ([0-9.]+)", f.read()).group(1)


def _cached_module_suffix(build_dir):
    """The extension-module suffix (ABI) an existing build tree builds for, or None."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
            match = re.search(r"^PYTHON_MODULE_EXTENSION:[A-Z]+=(.*)$", f.read(), re.MULTILINE)
    except OSError:
        return None
    return match.group(1).strip() if match else None


class CMakeBuild(build_ext):
    """Builds wowflow._core (and the core library and plugins it loads) with the project's CMake build."""

    def build_extension(self, ext):
        build_dir = os.environ.get("WOWFLOW_BUILD_DIR")
        if build_dir:
            mine, cached = sysconfig.get_config_var("EXT_SUFFIX"), _cached_module_suffix(build_dir)
            if cached != mine:
                raise RuntimeError(f"WOWFLOW_BUILD_DIR={build_dir} builds modules *{cached}, this Python needs *{mine}")
        else:
            build_dir = os.path.join(HERE, "build", "pip-py%d%d" % sys.version_info[:2])
            configure = ["cmake", "-S", HERE, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                         f"-DPython3_EXECUTABLE={sys.executable}", "-DWOW_BUILD_TESTS=OFF",
                         "-DWOW_BUILD_BENCHMARKS=OFF"]
            if shutil.which("ccache"):
                configure += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_C_COMPILER_LAUNCHER=ccache"]
            configure += shlex.split(os.environ.get("CMAKE_ARGS", ""))
            subprocess.check_call(configure)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "wowflow_package", "-j", jobs])
        manifest = os.path.join(build_dir, "python", "wowflow_package.txt")
        if not os.path.exists(manifest):
            raise RuntimeError(f"{manifest} is missing: CMake left the Python module out (see its configure "
                               "output: python3-dev, pybind11-dev and NumPy are needed)")
        module_path = self.get_ext_fullpath(ext.name)
        package_dir = os.path.dirname(module_path)
        # Nothing from an earlier build of another configuration (setuptools keeps its build folder).
        shutil.rmtree(os.path.join(package_dir, "plugins"), ignore_errors=True)
        if os.path.isdir(package_dir):
            for name in os.listdir(package_dir):
                if name.endswith(".so"):
                    os.remove(os.path.join(package_dir, name))
        with open(manifest, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                kind, folder, path = line.strip().split(" ", 2)
                if kind == "module":
                    destination = module_path
                elif kind == "library":
                    destination = os.path.join(package_dir, os.path.basename(path))
                else:  # a plugin, or a library a plugin opens, in its folder of wowflow/plugins
                    destination = os.path.join(package_dir, "plugins", folder, os.path.basename(path))
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                shutil.copy2(path, destination)


os.makedirs(os.path.join(HERE, "build"), exist_ok=True)  # egg_info's folder, beside the CMake trees
setup(
    name="wowflow",
    version=_version(),
    description="Wasserstein-over-Wasserstein gradient flows of labeled datasets (the WoWFlow C++ core)",
    packages=["wowflow"],
    package_dir={"wowflow": "python/wowflow"},
    package_data={"wowflow": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("wowflow._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.8",
    install_requires=["numpy"],
    zip_safe=False,
    options={"build": {"build_base": os.path.join("build", "setuptools")}, "egg_info": {"egg_base": "build"}},
)
