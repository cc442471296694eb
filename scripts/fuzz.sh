#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) in build-fuzz/ and runs each for SECONDS (default 45)
# from the seed corpus in tests/fuzz/corpus (new inputs go to a scratch copy; the repo corpus is left as is).
# A crash fails the script and leaves the input in build-fuzz/crashes/<target>/: add it to the corpus and a test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-45}"
CXX=clang++-14 CC=clang-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWOW_FUZZ=ON \
  -DWOW_BUILD_TESTS=OFF -DWOW_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j2 >/dev/null
status=0
for target in npy spec idx mnist_json; do
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$target/." "$work/"
  if [[ $target == spec ]]; then
    # Seeds too large for the repository: 200 000 levels of nesting (a stack overflow before the depth limit) and a
    # spec of about 1 MB (a long "notes" text).
    /usr/bin/python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
deep = 200000
open(work + "/deep_200k.json", "w").write('{"notes":' + "[" * deep + "]" * deep + "}")
open(work + "/long_notes.json", "w").write('{"notes":"' + "x" * 1000000 + '","source":{"type":"rings_source"},'
                                           '"target":{"type":"rings"}}')
PY
  fi
  mkdir -p "build-fuzz/crashes/$target"
  if WOW_PLUGIN_PATH="$PWD/build-fuzz/plugins" ./build-fuzz/fuzz_$target -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=1100000 \
      -artifact_prefix="build-fuzz/crashes/$target/" "$work" >"build-fuzz/fuzz_$target.log" 2>&1; then
    echo "fuzz_$target: $(grep -E '^Done' "build-fuzz/fuzz_$target.log" || echo done), no crash"
  else
    echo "fuzz_$target: CRASH, see build-fuzz/fuzz_$target.log and build-fuzz/crashes/$target/" >&2
    grep -E 'ERROR|what\(\)|SUMMARY' "build-fuzz/fuzz_$target.log" | head -5 >&2
    status=1
  fi
  rm -rf "$work"
done
exit $status
