#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a core fuzz target (tests/fuzz/fuzz-TARGET.c) with clang +
# libFuzzer + ASan + UBSan and fuzz it for SECONDS (default 60), starting
# from its checked-in corpus.  Work happens in $NVVB_FUZZ_DIR (default
# <repo>/build-fuzz): the binary, the growing corpus and any crash-* files.
#
#   tests/fuzz/run-fuzz.sh [TARGET] [SECONDS]    (TARGET: gmmu-walk,
#                                                 copy-engine, vm, pbdma;
#                                                 default gmmu-walk)
# Extra libFuzzer options: NVVB_FUZZ_ARGS.  The last line printed is
# 'fuzz-TARGET: N executions in S s'.
#
# Exit status: 0 if no crash was found, libFuzzer's status otherwise.
set -euo pipefail

target=gmmu-walk
case "${1:-}" in
[a-z]*) target=$1; shift ;;
esac
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${NVVB_FUZZ_DIR:-$root/build-fuzz}
core=("$root"/hw/display/nv-vmbind/core/*.c)
# Test helpers a target shares with the unit tests.
extra=()
case $target in
vm) extra=("$root/tests/unit/vm-oracle.c") ;;
esac
[ -f "$here/fuzz-$target.c" ] || { echo "run-fuzz.sh: no target $target" >&2; exit 2; }

command -v clang >/dev/null || { echo "run-fuzz.sh: clang not found" >&2; exit 2; }
mkdir -p "$out/corpus-$target"
cp -n "$here"/corpus/$target/* "$out/corpus-$target/" 2>/dev/null || true

# shellcheck disable=SC2046
clang -g -O1 -std=gnu11 -fno-omit-frame-pointer \
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -DNVVB_ASAN \
      -I"$root/include" -I"$root/hw/display/nv-vmbind/core" \
      -I"$root/tests/unit" $(pkg-config --cflags glib-2.0) \
      "$here/fuzz-$target.c" "${core[@]}" ${extra[@]+"${extra[@]}"} \
      $(pkg-config --libs glib-2.0) -o "$out/fuzz-$target"

cd "$out"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
set +e
# shellcheck disable=SC2086
./fuzz-$target -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	-timeout=10 ${NVVB_FUZZ_ARGS:-} corpus-$target > "fuzz-$target.log" 2>&1
st=$?
set -e
[ $st = 0 ] || tail -40 "fuzz-$target.log" >&2
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-$target.log" | tail -1)
echo "fuzz-$target: ${runs:-0} executions in $secs s"
exit $st
