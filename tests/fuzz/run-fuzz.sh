#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build tests/fuzz/fuzz-gmmu-walk.c with clang + libFuzzer + ASan + UBSan
# and fuzz the GMMU core for SECONDS (default 60), starting from the
# checked-in corpus.  Work happens in $NVVB_FUZZ_DIR (default
# <repo>/build-fuzz): the binary, the growing corpus and any crash-* files.
#
#   tests/fuzz/run-fuzz.sh [SECONDS]
#
# Exit status: 0 if no crash was found, libFuzzer's status otherwise.
set -euo pipefail

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${NVVB_FUZZ_DIR:-$root/build-fuzz}
core=("$root"/hw/display/nv-vmbind/core/gmmu-{walk,tlb,fault,dump}.c)

command -v clang >/dev/null || { echo "run-fuzz.sh: clang not found" >&2; exit 2; }
mkdir -p "$out/corpus-gmmu-walk"
cp -n "$here"/corpus/gmmu-walk/* "$out/corpus-gmmu-walk/" 2>/dev/null || true

# shellcheck disable=SC2046
clang -g -O1 -std=gnu11 -fno-omit-frame-pointer \
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I"$root/include" -I"$root/hw/display/nv-vmbind/core" \
      $(pkg-config --cflags glib-2.0) \
      "$here/fuzz-gmmu-walk.c" "${core[@]}" \
      $(pkg-config --libs glib-2.0) -o "$out/fuzz-gmmu-walk"

cd "$out"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec ./fuzz-gmmu-walk -max_total_time="$secs" -max_len=4096 \
     -print_final_stats=1 -timeout=10 corpus-gmmu-walk
