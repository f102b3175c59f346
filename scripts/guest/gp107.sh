#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot Debian's unmodified 6.12 kernel with nouveau on nv-vmbind-gp107,
# run the guest VM_BIND suite and check its page tables from the host.
#
#   gp107.sh --qemu QEMU --gpuvm NVVB_GPUVM [--tap FILE] [--log FILE]
#            [--corrupt N] [--only CASE] [--timeout S] [--trace]
#
# --corrupt N  run the device with x-corrupt-pte=N: the host check must
#              catch the corrupted PTE (one TAP line says whether it did)
# --trace      log the device's unhandled-register trace points to
#              FILE.trace (with --log FILE)
# Own kernel: NVVB_KERNEL_DIR=DIR with DIR/vmlinuz, DIR/version and
# DIR/root/lib/modules/<version> (see scripts/guest/README.md).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

qemu= gpuvm= tap= logf= corrupt=0 only= timeout=900 trace=0
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--gpuvm) gpuvm=$2; shift ;;
	--tap) tap=$2; shift ;;
	--log) logf=$2; shift ;;
	--corrupt) corrupt=$2; shift ;;
	--only) only=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--trace) trace=1 ;;
	*) die "gp107.sh: unknown argument $1" ;;
	esac
	shift
done
[ -x "$qemu" ] || die "gp107.sh: --qemu QEMU is required"
[ -x "$gpuvm" ] || die "gp107.sh: --gpuvm NVVB_GPUVM is required"

kdir=$("$NVVB_TOP/scripts/guest/kernel.sh")
inc="$kdir/include"
[ -f "$inc/drm/nouveau_drm.h" ] || inc=${NVVB_KERNEL_UAPI:-$inc}
[ -f "$inc/drm/nouveau_drm.h" ] || die "no drm/nouveau_drm.h under $inc"

work="$NVVB_CACHE/guest/gp107"
mkdir -p "$work"
bin="$work/nouveau-vmbind-test"
src="$NVVB_TOP/linux-guest-driver/tests/gp107/nouveau-vmbind-test.c"
log "building the guest test (static, nouveau uAPI from $(cat "$kdir/version"))"
gcc -static -O2 -Wall -Wextra -Werror -I"$inc" -o "$bin" "$src" ||
	die "could not build $src"

args="-c"
[ -n "$only" ] && args="$args -o $only"
cat > "$work/run-test" <<RUN
#!/bin/sh
# nouveau must have bound the GPU: its render node is the proof.
i=0
while [ ! -e /dev/dri/renderD128 ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
if [ ! -e /dev/dri/renderD128 ]; then
	echo "not ok - nouveau did not create /dev/dri/renderD128"
	dmesg | grep -i -E 'nouveau|drm' | tail -40
	exit 1
fi
echo "nvvb-guest: nouveau bound: \$(ls /dev/dri | tr '\n' ' ')"
dmesg | grep -E 'nouveau [0-9a-f:.]+: (NVIDIA|bios|fb|DRM|gsp)' | head -20
/bin/nouveau-vmbind-test $args
rc=\$?
echo "nvvb-guest: nouveau log (dmesg | grep nouveau):"
dmesg | grep -i nouveau | sed 's/^/  /'
exit \$rc
RUN
opts="noaccel=1 modeset=2 config=NvBios=PROM,MmuDebugBufferSize=4096,gr=0,ce0=0,ce1=0,ce2=0,ce3=0,disp=0,nvdec0=0,nvenc0=0,nvenc1=0,sec2=0,fifo=0,dma=0,sw=0"
initrd=$("$NVVB_TOP/scripts/guest/initramfs.sh" -k "$kdir" -m "nouveau:$opts" \
	-f "$bin:/bin/nouveau-vmbind-test" -r "$work/run-test")

dev="nv-vmbind-gp107,id=gpu0"
[ "$corrupt" != 0 ] && dev="$dev,x-corrupt-pte=$corrupt"
expect=ok
[ "$corrupt" != 0 ] && expect=corrupt
qargs=(-device "$dev")
if [ $trace = 1 ] && [ -n "$logf" ]; then
	qargs+=(-trace "nv_gp107_unhandled_*,file=$logf.trace")
fi
bargs=(--qemu "$qemu" --kernel "$kdir/vmlinuz" --initrd "$initrd"
       --timeout "$timeout" --hook "$NVVB_TOP/scripts/guest/gp107-check.py"
       --hook-arg "gpuvm=$gpuvm" --hook-arg "expect=$expect"
       --hook-arg device=gpu0)
[ -n "$tap" ] && bargs+=(--tap "$tap")
[ -n "$logf" ] && bargs+=(--log "$logf")
log "booting $(cat "$kdir/version") with nouveau on nv-vmbind-gp107${only:+ (case $only)}${corrupt:+ }$([ "$corrupt" != 0 ] && echo "(x-corrupt-pte=$corrupt)")"
exec python3 "$NVVB_TOP/scripts/guest/boot.py" "${bargs[@]}" -- "${qargs[@]}"
