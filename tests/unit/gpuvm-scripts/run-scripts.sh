#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run every gpuvm-scripts/*.script through nvvb-gpuvm (op-list form and
# --callbacks form) and, if given, through nvvb-gpuvm-upstream (Linux's
# drm_gpuvm.c), comparing stdout with the hand-written *.expected.  Scripts
# whose first line is "# nvvb-only: REASON" test a documented divergence
# from raw drm_gpuvm and skip the upstream run.  TAP output.
#
# Usage: run-scripts.sh SCRIPT_DIR NVVB_GPUVM [NVVB_GPUVM_UPSTREAM]
set -u
dir=$1
tool=$2
upstream=${3:-}
n=0
fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

scripts=$(ls "$dir"/*.script)
count=0
for s in $scripts; do
	count=$((count + 2))
	if [ -n "$upstream" ] && ! head -n1 "$s" | grep -q '^# nvvb-only:'; then
		count=$((count + 1))
	fi
done
echo "1..$count"

check() {   # check NAME CMD...
	name=$1
	shift
	n=$((n + 1))
	if "$@" < "$s" > "$tmp" 2>&1 && diff -u "${s%.script}.expected" "$tmp" > "$tmp.diff"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$tmp.diff" 2>/dev/null
		sed 's/^/# out: /' "$tmp"
		fail=1
	fi
	rm -f "$tmp.diff"
}

for s in $scripts; do
	b=$(basename "$s" .script)
	check "$b (op list)" "$tool"
	check "$b (callbacks)" "$tool" --callbacks
	if [ -n "$upstream" ] && ! head -n1 "$s" | grep -q '^# nvvb-only:'; then
		check "$b (upstream drm_gpuvm)" "$upstream"
	fi
done
exit $fail
