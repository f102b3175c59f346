#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot a guest with -device nv-vmbind, load the nvvb driver (built here for
# the guest kernel) with drm_gpuvm, drm_exec, gpu-sched and
# drm_shmem_helper, run the guest VM_BIND suite, then check the device
# against the guest's drm_gpuvm over QMP (scripts/guest/nvvb-check.py).
#
#   nvvb-suite.sh --qemu QEMU [--tap FILE] [--log FILE] [--only SUBSTRING]
#                 [--timeout S] [--bench] [--device PROPS] [--quiet]
#                 [--corrupt-bind N]
#
# --only     run the tests whose name contains SUBSTRING (the host check
#            of the final state still runs)
# --bench    run nvvb-bench instead of the suite (VM_BIND latency and
#            throughput, boot-to-first-bind)
# --device   extra -device nv-vmbind properties, e.g. tlb=off
# --corrupt-bind N  load nvvb with x_corrupt_bind=N: every N-th MAP goes to
#            the device with a wrong BO offset, which the suite and the host
#            check must catch (negative control)
#
# Profiling (docs/user-guide.rst, "Guest VM_BIND benchmark"):
# NVVB_BENCH_ARGS=ARGS passes ARGS to nvvb-bench (e.g. "-n 30000" for a
# long synchronous phase); NVVB_PRINT_KALLSYMS=1 prints the guest's text
# symbols after the run ("KSYM <addr> <type> <name> [<module>]", a few
# seconds of console), which scripts/guest/tcg-profile.py needs to name the
# guest functions (Debian ships no System.map); NVVB_PRINT_DMESG=1 prints
# the kernel log after the run; NVVB_APPEND=ARGS adds to the kernel command
# line (e.g. initcall_debug).
#
# Kernel: Debian's newest 6.12 from scripts/guest/kernel.sh by default;
# NVVB_KERNEL=SERIES (7.3, 7.2, 7: the newest 7.x) or NVVB_KERNEL_ABI=ABI
# picks another.  Your own:
#   NVVB_KERNEL_DIR=DIR    DIR/vmlinuz, DIR/version, DIR/root/lib/modules/VER
#                          (see scripts/guest/README.md)
#   NVVB_KERNEL_BUILD=KDIR the tree to build nvvb.ko against (default:
#                          DIR/root/lib/modules/VER/build, then DIR/build)
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

# 300 s: the suite needs 10-25 s idle and took 70 s at load 14; boot.py also
# stops on an Oops and after 120 s of console silence.
qemu= tap= logf= only= timeout=300 bench=0 devprops= quiet= modopts=
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--tap) tap=$2; shift ;;
	--log) logf=$2; shift ;;
	--only) only=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--bench) bench=1 ;;
	--device) devprops=,$2; shift ;;
	--quiet) quiet=--quiet ;;
	--corrupt-bind) modopts=":x_corrupt_bind=$2"; shift ;;
	*) die "nvvb-suite.sh: unknown argument $1" ;;
	esac
	shift
done
[ -x "$qemu" ] || die "nvvb-suite.sh: --qemu QEMU is required"

kdir=$("$NVVB_TOP/scripts/guest/kernel.sh")
[ -f "$kdir/version" ] || die "no $kdir/version"
kver=$(cat "$kdir/version")
kbuild=${NVVB_KERNEL_BUILD:-}
if [ -z "$kbuild" ]; then
	if [ -n "${NVVB_KERNEL_DIR:-}" ]; then
		for c in "$kdir/root/lib/modules/$kver/build" "$kdir/build"; do
			[ -f "$c/Makefile" ] && { kbuild=$c; break; }
		done
		[ -n "$kbuild" ] || die "no build tree for $kver: set NVVB_KERNEL_BUILD"
	else
		kbuild=$("$NVVB_TOP/scripts/guest/kheaders.sh" -k "$kdir")
	fi
fi

# Build the module out of a copy (the tree needs the device header at
# ../include, and several kernels must not share object files), in a
# directory of this run's own, removed before the boot: the cache may be
# shared between worktrees and suites boot in parallel, and a shared build
# directory let make keep another tree's newer objects (seen: a bench and
# a full test ran an nvvb.ko without the change that was in the tree) or
# one run's build clobber another's.  A build takes a few seconds.
work="$NVVB_CACHE/guest/nvvb/$kver"
mkdir -p "$work"
work=$(mktemp -d "$work/run.XXXXXX")
src="$work/src"
mkdir -p "$src/linux-guest-driver" "$src/include/hw/display"
rsync -rlD --exclude tests/ --exclude '*.o' --exclude '*.ko' \
	--exclude '*.mod*' --exclude '.*.cmd' --exclude Module.symvers \
	--exclude modules.order "$NVVB_TOP/linux-guest-driver/" "$src/linux-guest-driver/"
rsync -rlD "$NVVB_TOP/include/hw/display/nv-vmbind-regs.h" "$src/include/hw/display/"
log "building nvvb.ko for $kver against $kbuild"
# Debian's kernels: with the compiler they were built with (kcc.sh: the
# host's gcc or a build root of their suite); own kernels: the host's.
kcc=()
[ -n "${NVVB_KERNEL_DIR:-}" ] || kcc=("$NVVB_TOP/scripts/guest/kcc.sh" -k "$kdir" --)
"${kcc[@]}" make -C "$src/linux-guest-driver" KDIR="$kbuild" >"$work/module.log" 2>&1 ||
	{ tail -40 "$work/module.log" >&2; die "nvvb.ko did not build (log: $work/module.log)"; }
grep -m1 "nvvb conftest:" "$work/module.log" |
	sed "s/^/  /" >&2 || true
log "building the guest tests (static, libdrm.a)"
make -C "$NVVB_TOP/linux-guest-driver/tests/nvvb" OUT="$work" \
	"$work/nvvb-test" "$work/nvvb-bench" >"$work/tests.log" 2>&1 ||
	{ tail -40 "$work/tests.log" >&2; die "the guest tests did not build (log: $work/tests.log)"; }

if [ $bench = 1 ]; then
	prog="/bin/nvvb-bench ${NVVB_BENCH_ARGS:-}"
	hook=()
else
	prog="/bin/nvvb-test -w${only:+ -o '$only'}"
	hook=(--hook "$NVVB_TOP/scripts/guest/nvvb-check.py" --hook-arg device=gpu0)
fi
cat > "$work/run-test" <<RUN
#!/bin/sh
if [ ! -e /dev/dri/renderD128 ]; then
	echo "not ok 1 - nvvb did not create a render node"
	dmesg | grep -i -E 'nvvb|drm' | tail -20
	exit 1
fi
echo "nvvb-guest: driver up at \$(cut -d' ' -f1 /proc/uptime)s: \$(dmesg | grep -o 'nv-vmbind [0-9].*' | head -1)"
$prog
rc=\$?
[ -n "${NVVB_PRINT_KALLSYMS:-}" ] && grep ' [tT] ' /proc/kallsyms | sed 's/^/KSYM /'
[ -n "${NVVB_PRINT_DMESG:-}" ] && dmesg | sed 's/^/DMESG /'
grep nvvb /proc/interrupts | sed 's/^/nvvb-guest: interrupts: /'
for f in /sys/kernel/debug/dri/*/nvvb_status; do
	echo "nvvb-guest: driver status (\$f):"
	sed 's/^/  /' "\$f"
	break
done
exit \$rc
RUN
# vgem gives the tests fences they signal themselves; without it those
# tests are skipped
vgem=()
if find "$kdir/root/lib/modules/$kver" -name 'vgem.ko*' | grep -q . ||
   grep -qs '/vgem.ko$' "$kdir/root/lib/modules/$kver/modules.builtin"; then
	vgem=(-m vgem)
else
	log "no vgem module in $kver: the out-of-order fence tests will be skipped"
fi
initrd=$("$NVVB_TOP/scripts/guest/initramfs.sh" -k "$kdir" "${vgem[@]}" \
	-x "$src/linux-guest-driver/nvvb.ko$modopts" -f "$work/nvvb-test:/bin/nvvb-test" \
	-f "$work/nvvb-bench:/bin/nvvb-bench" -r "$work/run-test")

kernel=$(guest_kernel "$kdir")
append=$(guest_lean_append)
append+=${NVVB_APPEND:+ $NVVB_APPEND}
read -ra qargs <<< "$(guest_firmware "$qemu")"
bargs=(--qemu "$qemu" --kernel "$kernel" --initrd "$initrd" --append "$append"
       --timeout "$timeout" --qmp "${hook[@]}")
[ -n "$tap" ] && bargs+=(--tap "$tap")
[ -n "$logf" ] && bargs+=(--log "$logf")
[ -n "$quiet" ] && bargs+=("$quiet")
log "booting $kver with -device nv-vmbind$devprops${only:+ (tests matching '$only')}${modopts:+ (nvvb$modopts)}"
rm -rf "$work"	# the initramfs holds what the boot needs
exec python3 "$NVVB_TOP/scripts/guest/boot.py" "${bargs[@]}" -- \
	"${qargs[@]}" -device "nv-vmbind,id=gpu0$devprops"
