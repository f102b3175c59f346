#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU's own generic-fuzz on one of our devices, the way upstream documents
# it (docs/devel/testing/fuzzing.rst): qemu-fuzz-x86_64 from the sanitizer
# build (clang, ASan, UBSan, libFuzzer; scripts/build-qemu.sh --san), with
# QEMU_FUZZ_ARGS naming the device and QEMU_FUZZ_OBJECTS its MMIO regions
# and PCI function.  The same binary holds our own structured QEMU targets
# (tests/qtest/fuzz/nv_vmbind_*.c), run the same way.
#
# usage: tests/fuzz/generic-fuzz.sh WHAT SECONDS [libFuzzer options...]
#   WHAT     nv-vmbind | nv-vmbind-gp107          (generic-fuzz on a device)
#            gp107-bar   (nv-vmbind-gp107-bar: BAR0/PRAMIN/BAR1/BAR3 ops
#                         checked against walks)
#            migration   (nv-vmbind-migration: mutated device sections)
#   SECONDS  campaign length (CI runs a short smoke; long campaigns: hours)
#
# The corpus grows in $NVVB_CACHE/fuzz/NAME (NAME: generic-DEVICE, or WHAT
# for our targets), seeded from tests/fuzz/corpus/NAME.  A crash, leak, UB
# report or timeout stops the run: the input is kept in
# $NVVB_CACHE/fuzz/NAME-crashes and its qtest trace (QTEST_LOG) is printed,
# ready to become a qtest.
# With NVVB_FUZZ_COVERAGE=1 it then replays the corpus and prints how much of
# each layer of hw/display/nv-vmbind/ it reaches (edges and functions).
# The last line is 'generic-fuzz DEVICE: N executions in S s, COV' (our
# targets: 'nv-vmbind-WHAT: ...'); the exit
# status is non-zero on any finding.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib/common.sh"

dev=${1:-}
secs=${2:-}
shift 2 2>/dev/null || true
target=generic-fuzz
name=generic-$dev
args=
objects=
case "$dev" in
nv-vmbind)
	args="-machine q35 -device nv-vmbind,vram-size=64M"
	objects="nv-vmbind nv-vmbind-mmio"
	;;
nv-vmbind-gp107)
	args="-machine q35 -device nv-vmbind-gp107,vram-size=64M,bar1-size=16M,bar3-size=16M"
	objects="nv-vmbind-gp107 nv-gp107-bar*"
	;;
gp107-bar | migration)
	target=nv-vmbind-$dev
	name=$dev
	;;
*)
	die "usage: $0 nv-vmbind|nv-vmbind-gp107|gp107-bar|migration SECONDS [libFuzzer options]"
	;;
esac
case "$secs" in
'' | *[!0-9]*) die "SECONDS must be a number of seconds" ;;
esac

build=$("$NVVB_TOP/scripts/build-qemu.sh" --san --quiet)
fuzzer="$build/qemu-fuzz-x86_64"
[ -x "$fuzzer" ] || die "$fuzzer was not built"

work="$NVVB_CACHE/fuzz/$name"
crashes="$work-crashes"
seeds="$NVVB_TOP/tests/fuzz/corpus/$name"
mkdir -p "$work" "$crashes"
dirs=("$work")
[ -d "$seeds" ] && dirs+=("$seeds")
log="$work.log"

export QEMU_FUZZ_ARGS="$args" QEMU_FUZZ_OBJECTS="$objects"
# Leaks are findings; the suppressions are QEMU's own (not our code).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$NVVB_TOP/tests/fuzz/lsan-suppressions.txt"

log "$target on $dev for ${secs}s (corpus $work, log $log)"
set +e
"$fuzzer" --fuzz-target=$target -max_total_time="$secs" -timeout=10 \
	-rss_limit_mb=4096 -print_final_stats=1 -close_fd_mask=1 \
	-artifact_prefix="$crashes/" "$@" "${dirs[@]}" > "$log" 2>&1
st=$?
set -e

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
if [ "${NVVB_FUZZ_COVERAGE:-0}" = 1 ] && [ $st = 0 ]; then
	echo "coverage of hw/display/nv-vmbind/ by the corpus:"
	"$fuzzer" --fuzz-target=$target -runs=0 -print_coverage=1 "${dirs[@]}" 2>&1 |
		"$NVVB_TOP/tests/fuzz/fuzz-coverage.py" || true
fi
echo "$target${args:+ $dev}: ${runs:-0} executions in ${secs} s, ${cov:-no coverage line}"
if [ $st != 0 ]; then
	art=$(ls -t "$crashes"/* 2>/dev/null | head -1)
	grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$log" | head -20 >&2
	if [ -n "$art" ]; then
		log "finding kept as $art; its qtest trace (feed to qemu-system-x86_64 -qtest stdio $args):"
		QTEST_LOG=1 "$fuzzer" --fuzz-target=$target "$art" 2>&1 |
			grep -E '^\[[RS] \+[0-9.]+\] (outl|outw|outb|inl|inw|inb|readl|readw|readb|readq|writel|writew|writeb|writeq|write |clock_step)' |
			sed 's/^\[[RS] +[0-9.]*\] //' > "$art.qtest" || true
		cat "$art.qtest" >&2
	fi
	die "$target on $dev found a problem (exit $st, log $log)"
fi
