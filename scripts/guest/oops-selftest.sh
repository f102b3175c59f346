#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: boot a guest whose kernel oopses in a kworker in the
# middle of a "test" (tests/guest/oops/nvvb_oops.ko) and check that
# boot.py stops the boot within 10 s of the Oops, names the test that was
# running and counts the tests that never ran as failures.
#
#   oops-selftest.sh --qemu QEMU [--tap FILE] [--log FILE]
#
# Kernel: as for the suites (NVVB_KERNEL, NVVB_KERNEL_ABI, NVVB_KERNEL_DIR).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

qemu= tap=/dev/stdout logf=
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--tap) tap=$2; shift ;;
	--log) logf=$2; shift ;;
	*) die "oops-selftest.sh: unknown argument $1" ;;
	esac
	shift
done
[ -x "$qemu" ] || die "oops-selftest.sh: --qemu QEMU is required"

kdir=$("$NVVB_TOP/scripts/guest/kernel.sh")
kver=$(cat "$kdir/version")
work="$NVVB_CACHE/guest/oops/$kver"
mkdir -p "$work"
# contents compared, rewritten files get the current time (nvvb-suite.sh)
rsync -rlD --checksum "$NVVB_TOP/tests/guest/oops/" "$work/src/"
kcc=()
if [ -n "${NVVB_KERNEL_DIR:-}" ]; then
	kbuild=${NVVB_KERNEL_BUILD:-$kdir/build}
else
	kbuild=$("$NVVB_TOP/scripts/guest/kheaders.sh" -k "$kdir")
	kcc=("$NVVB_TOP/scripts/guest/kcc.sh" -k "$kdir" --)
fi
"${kcc[@]}" make -C "$work/src" KDIR="$kbuild" >"$work/module.log" 2>&1 ||
	{ tail -20 "$work/module.log" >&2; die "nvvb_oops.ko did not build ($work/module.log)"; }

# The "suite": one test passes, the second is running when the Oops comes
# (it would take 200 s), a third never runs.  The module is loaded by
# /init before /run-test starts; its Oops comes 3 s later.
cat > "$work/run-test" <<'RUN'
#!/bin/sh
echo "1..3"
echo "ok 1 - before the Oops"
echo "# running: victim"
sleep 200
echo "ok 2 - victim"
echo "ok 3 - never reached"
RUN
initrd=$("$NVVB_TOP/scripts/guest/initramfs.sh" -k "$kdir" \
	-x "$work/src/nvvb_oops.ko:delay_ms=3000" -r "$work/run-test")
out="$work/boot.tap" log=${logf:-$work/boot.log}
log "harness self-test: an Oops in a kworker on $kver must end the boot within 10 s"
read -ra fw <<< "$(guest_firmware "$qemu")"
python3 "$NVVB_TOP/scripts/guest/boot.py" --qemu "$qemu" --kernel "$(guest_kernel "$kdir")" \
	--initrd "$initrd" --timeout 150 --qmp --tap "$out" --log "$log" --quiet -- "${fw[@]}" || true

# Seconds from the first Oops line to the end of the boot, from the log.
secs=$(python3 - "$log" <<'PY'
import re, sys
oops = end = None
for line in open(sys.argv[1], errors='replace'):
    m = re.match(r'^\[ *([0-9.]+)s\] (.*)', line)
    if not m:
        continue
    t, text = float(m.group(1)), m.group(2)
    if oops is None and re.search(r'Oops[: ]|BUG: |unable to handle', text):
        oops = t
    if text.startswith('boot: '):
        end = t
print('%.1f' % (end - oops) if oops is not None and end is not None else 'none')
PY
)
{
	n=0
	check() {
		n=$((n + 1))
		if eval "$2"; then echo "ok $n - harness: $1"; else echo "not ok $n - harness: $1"; fi
	}
	check "an Oops in a kworker ends the boot within 10 s (took ${secs} s)" \
		'[ "$secs" != none ] && awk -v s="$secs" "BEGIN { exit !(s <= 10) }"'
	check "the boot is reported with the test that was running" \
		'grep -q "^not ok .* - interrupted during test \"victim\"" "$out"'
	check "the test that never ran is counted as a failure" \
		'grep -q "^not ok .* - 1 further planned test(s) did not run" "$out"'
	check "the Oops is a failure of the kernel log" \
		'grep -q "^not ok .* - guest kernel log has no Oops" "$out"'
	check "the test before the Oops still passed" \
		'grep -q "^ok 1 - before the Oops" "$out"'
	echo "1..$n"
} > "$tap"
