#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Style and documentation checks of our code with the upstream projects' own
# tools, one TAP line each (scripts/nvvb test counts them with the other
# results):
#
#   qemu-checkpatch    QEMU's scripts/checkpatch.pl --strict on our QEMU code
#                      (hw/display/nv-vmbind/, include/hw/display/, the
#                      qtests, libqos node and device benchmark): fails on
#                      any error or warning (there are none).
#   kernel-checkpatch  the kernel's scripts/checkpatch.pl --strict on our
#                      kernel code (nvvb.ko, the harness's oops module):
#                      fails on any error, warning or check (none today).
#   guest-checkpatch   the kernel's checkpatch.pl, default level, on the
#                      guest uAPI header and userspace programs
#                      (linux-guest-driver/tests/nvvb/, tests/guest/nouveau/):
#                      fails on any error or warning.  Not --strict: its
#                      checks (u64 for uint64_t, BIT(), CamelCase) are advice
#                      for kernel code that a uAPI header and programs
#                      linked with libc and libdrm cannot follow.  Ignored,
#                      each for a reason: ENOSYS (the tests check that
#                      nouveau answers ENOSYS, its documented uAPI error) and
#                      MACRO_WITH_FLOW_CONTROL (test assertions that end the
#                      test, as kselftest_harness.h's ASSERT_* do).
#   kernel-doc         QEMU's scripts/kernel-doc -none on our QEMU code, all
#                      in QEMU's dialect ('name: text', '@param: text'):
#                      fails on any error or warning (an undescribed
#                      parameter or member, a malformed comment).
#
# Files are checked at the path they have in QEMU's tree (the overlay of
# scripts/build-qemu.sh), so QEMU's rules for tests/ apply to the qtests and
# to bench/qtest/nv-vmbind-bench.c.
#
# Usage: scripts/lint.sh [--qemu-src DIR] [--linux-src DIR]
#   --qemu-src   QEMU source tree (default: the one scripts/build-qemu.sh
#                unpacked under $NVVB_CACHE)
#   --linux-src  directory from scripts/fetch-linux-source.sh (default: run it)
# Prints TAP on stdout; exits 1 if a check failed.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

qsrc= lsrc=
while [ $# -gt 0 ]; do
	case $1 in
	--qemu-src) qsrc=$2; shift ;;
	--linux-src) lsrc=$2; shift ;;
	*) die "lint.sh: unknown argument $1" ;;
	esac
	shift
done
if [ -z "$qsrc" ]; then
	for d in "$NVVB_CACHE"/qemu-*/src; do
		[ -f "$d/scripts/checkpatch.pl" ] && qsrc=$d
	done
fi
if [ -z "$lsrc" ]; then
	lsrc=$("$NVVB_TOP/scripts/fetch-linux-source.sh") || lsrc=
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Tracked files matching the patterns (every file without git).
files() {
	if git -C "$NVVB_TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$NVVB_TOP" ls-files -- "$@"
	else
		(cd "$NVVB_TOP" && for p in "$@"; do
			find . -path "./$p" -type f | sed 's|^\./||'
		done | sort -u)
	fi
}

# Our QEMU code as QEMU's tree has it: links under $work/qemu.
mkdir -p "$work/qemu"
qemu_files=()
while read -r f; do
	[ -n "$f" ] || continue
	case $f in
	bench/qtest/*) q=tests/qtest/${f#bench/qtest/} ;;
	*) q=$f ;;
	esac
	mkdir -p "$work/qemu/$(dirname "$q")"
	ln -s "$NVVB_TOP/$f" "$work/qemu/$q"
	qemu_files+=("$q")
done < <(files 'hw/display/nv-vmbind/*.[ch]' 'include/hw/display/*.h' \
		'tests/qtest/nv-vmbind*.c' 'tests/qtest/libqos/nv-vmbind.[ch]' \
		'tests/qtest/fuzz/nv_vmbind_*.c' \
		'bench/qtest/*.c')
mapfile -t kernel_files < <(files 'linux-guest-driver/*.[ch]' 'tests/guest/oops/*.c' |
	grep -v '^linux-guest-driver/\(include\|tests\)/')
mapfile -t guest_files < <(files 'linux-guest-driver/include/uapi/*.h' \
	'linux-guest-driver/tests/*.[ch]' 'tests/guest/nouveau/*.[ch]')

n=0 failed=0
# tap OK DESCRIPTION [DETAILS FILE]: one result, details as TAP comments.
tap() {
	local ok=$1 desc=$2 details=${3:-}
	n=$((n + 1))
	if [ "$ok" = 1 ]; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
	[ -n "$details" ] && [ -s "$details" ] && sed 's/^/# /' "$details"
	return 0
}

# Findings of one severity (ERROR, WARNING, CHECK) in checkpatch's output.
count() { grep -c "^$1:" "$2" || true; }

# run_checkpatch OUT SCRIPT DIR ARGS... -- FILES: checkpatch from DIR into
# OUT (the kernel's writes CamelCase caches into its working directory: a
# scratch one keeps them out of the tree).
run_checkpatch() {
	local out=$1 script=$2 dir=$3 args=()
	shift 3
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	[ $# -gt 0 ] || return 0
	(cd "$dir" && perl "$script" --no-tree -f "${args[@]}" "$@") > "$out" 2>&1 || true
}

# checkpatch_result NAME FAIL_ON NFILES: one result from $work/NAME.out;
# FAIL_ON is "all" (errors, warnings and checks) or "warn" (no checks).
checkpatch_result() {
	local name=$1 fail_on=$2 nfiles=$3 out="$work/$1.out" e w c bad=0
	touch "$out"
	# Each finding with the "#N: FILE: path:line:" line that follows it.
	awk '/^(ERROR|WARNING|CHECK):/ { print; getline; print }' "$out" \
		> "$work/$name.findings"
	e=$(count ERROR "$out") w=$(count WARNING "$out") c=$(count CHECK "$out")
	case $fail_on in
	all) [ $((e + w + c)) -eq 0 ] || bad=1 ;;
	warn) [ $((e + w)) -eq 0 ] || bad=1 ;;
	esac
	# Every file must have been checked (one "total:" line each): a perl
	# that died or a missing file is a failure too.
	if [ "$(grep -c '^total: ' "$out")" != "$nfiles" ]; then
		bad=1
		{ echo "checked $(grep -c '^total: ' "$out") of $nfiles files:"; cat "$out"; } \
			> "$work/$name.findings"
	fi
	tap $((1 - bad)) "$name: $nfiles files, $e errors, $w warnings, $c checks" \
		"$([ $bad = 1 ] && echo "$work/$name.findings")"
}

qcp=${qsrc:+$qsrc/scripts/checkpatch.pl}
kcp=${lsrc:+$lsrc/scripts/checkpatch.pl}
kdoc=${qsrc:+$qsrc/scripts/kernel-doc}
[ -n "$qcp" ] && [ -f "$qcp" ] || qcp=
[ -n "$kcp" ] && [ -f "$kcp" ] || kcp=
[ -n "$kdoc" ] && [ -f "$kdoc" ] || kdoc=

# The runs, in parallel (QEMU's checkpatch, the slowest, in two halves);
# the results below, in a fixed order.
half=$(( (${#qemu_files[@]} + 1) / 2 ))
if [ -n "$qcp" ]; then
	run_checkpatch "$work/q1.out" "$qcp" "$work/qemu" --strict -- \
		"${qemu_files[@]:0:$half}" &
	run_checkpatch "$work/q2.out" "$qcp" "$work/qemu" --strict -- \
		"${qemu_files[@]:$half}" &
fi
(
	mkdir -p "$work/kernel"
	if [ -n "$kcp" ]; then
		run_checkpatch "$work/kernel-checkpatch.out" "$kcp" "$work/kernel" \
			--strict -- "${kernel_files[@]/#/$NVVB_TOP/}"
		run_checkpatch "$work/guest-checkpatch.out" "$kcp" "$work/kernel" \
			--ignore ENOSYS,MACRO_WITH_FLOW_CONTROL -- \
			"${guest_files[@]/#/$NVVB_TOP/}"
	fi
	if [ -n "$kdoc" ]; then
		(cd "$work/qemu" && perl "$kdoc" -none "${qemu_files[@]}") \
			> "$work/kernel-doc.out" 2>&1 || true
	fi
) &
wait

if [ -n "$qcp" ]; then
	cat "$work/q1.out" "$work/q2.out" > "$work/qemu-checkpatch.out" 2>/dev/null || true
	checkpatch_result qemu-checkpatch warn ${#qemu_files[@]}
else
	tap 0 "qemu-checkpatch: QEMU's scripts/checkpatch.pl not found (scripts/build-qemu.sh unpacks QEMU under $NVVB_CACHE)"
fi
if [ -n "$kcp" ]; then
	checkpatch_result kernel-checkpatch all ${#kernel_files[@]}
	checkpatch_result guest-checkpatch warn ${#guest_files[@]}
else
	tap 0 "kernel-checkpatch: the kernel's scripts/checkpatch.pl not found (scripts/fetch-linux-source.sh fetches it)"
	tap 0 "guest-checkpatch: the kernel's scripts/checkpatch.pl not found"
fi
if [ -n "$kdoc" ]; then
	out="$work/kernel-doc.out"
	e=$(grep -c ': error: ' "$out" || true)
	w=$(grep -c ': warning: ' "$out" || true)
	# Per-file warning counts; the warnings themselves: run kernel-doc -none.
	grep ': warning: ' "$out" | cut -d: -f1 | sort | uniq -c |
		awk '{ printf "%s: %d warnings\n", $2, $1 }' > "$work/kernel-doc.files" || true
	if [ "$e" = 0 ] && [ "$w" = 0 ]; then
		tap 1 "kernel-doc: ${#qemu_files[@]} files, 0 errors, 0 warnings"
	else
		grep -E ': (error|warning): ' "$out" > "$work/kernel-doc.errors"
		tap 0 "kernel-doc: ${#qemu_files[@]} files, $e errors, $w warnings" "$work/kernel-doc.errors"
	fi
else
	tap 0 "kernel-doc: QEMU's scripts/kernel-doc not found (scripts/build-qemu.sh unpacks QEMU under $NVVB_CACHE)"
fi

echo "1..$n"
exit $failed
