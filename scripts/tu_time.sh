#!/usr/bin/env bash
# Compiler launcher that records the time of each translation unit (docs/perf.md, "Build time"):
#   cmake -S . -B build -DCMAKE_CXX_COMPILER_LAUNCHER=$PWD/scripts/tu_time.sh ... && cmake --build build -j2
# appends "wall_s user_s sys_s max_rss_kb object" per compiler call to $WOW_TU_LOG (default /tmp/wow_tu_times.log);
#   sort -k2 -n -r /tmp/wow_tu_times.log | head   # the slowest objects by CPU time
set -u
log=${WOW_TU_LOG:-/tmp/wow_tu_times.log}
out=unknown
prev=
for a in "$@"; do
  [ "$prev" = "-o" ] && out=$a
  prev=$a
done
tmp=$(mktemp)
/usr/bin/time -f "%e %U %S %M" -o "$tmp" "$@"
rc=$?
echo "$(tail -n 1 "$tmp") $out" >>"$log"
rm -f "$tmp"
exit $rc
