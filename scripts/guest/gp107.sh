#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot Debian's unmodified kernel with nouveau on nv-vmbind-gp107, run the
# guest VM_BIND suite and check its page tables from the host.
#
#   gp107.sh --qemu QEMU --gpuvm NVVB_GPUVM [--tap FILE] [--log FILE]
#            [--corrupt N | --corrupt-sweep "N..."] [--only CASE]
#            [--timeout S (300)] [--append ARGS] [--kmsg-noise]
#            [--nouveau-debug SPEC] [--console-proto] [--trace]
#
# --only CASE  run one case of the guest test: init, map, errors, sparse,
#              async, zoo-remap, zoo-client (the default suite runs
#              these), or one of the reproducers of the nouveau large-page
#              bug of 6.19+, which only run when named, one per boot:
#              repro-a, repro-b, repro-c (docs/specs/nv-vmbind-gp107.rst)
# --corrupt N  run the device with x-corrupt-pte=N: the host check must
#              catch the corrupted PTE (one TAP line says whether it did)
# --corrupt-sweep "N..."  one boot per N with x-corrupt-pte=N; the TAP
#              lines of every boot, prefixed "x-corrupt-pte=N: ", go to
#              --tap, and the log of boot N to LOG.N
# --append ARGS  extra kernel command line (e.g. loglevel=8)
# --nouveau-debug SPEC  nouveau's debug= option (e.g. mmu=trace: a kernel
#              message for every page-table operation, with loglevel=8)
# --kmsg-noise  while the test runs, a guest loop logs a kernel message
#              every 10 ms (/dev/kmsg; printed on the console with the
#              default loglevel=4): the console parsing must survive it
# --console-proto  send the "@nvvb" protocol over the console as before,
#              not over its own serial port (ttyS1)
# --trace      log the device's unhandled-register trace points to
#              FILE.trace (with --log FILE)
# Own kernel: NVVB_KERNEL_DIR=DIR with DIR/vmlinuz, DIR/version and
# DIR/root/lib/modules/<version> (see scripts/guest/README.md).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

qemu= gpuvm= tap= logf= corrupt=0 only= timeout=300 trace=0 sweep= append=
proto=1 ndebug= noise=0
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--gpuvm) gpuvm=$2; shift ;;
	--tap) tap=$2; shift ;;
	--log) logf=$2; shift ;;
	--corrupt) corrupt=$2; shift ;;
	--corrupt-sweep) sweep=$2; shift ;;
	--only) only=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--append) append=$2; shift ;;
	--nouveau-debug) ndebug=$2; shift ;;
	--console-proto) proto=0 ;;
	--kmsg-noise) noise=1 ;;
	--trace) trace=1 ;;
	*) die "gp107.sh: unknown argument $1" ;;
	esac
	shift
done
[ -x "$qemu" ] || die "gp107.sh: --qemu QEMU is required"
[ -x "$gpuvm" ] || die "gp107.sh: --gpuvm NVVB_GPUVM is required"
# The cases are the guest test's table: { "name", case_fn, default, plan }.
src="$NVVB_TOP/tests/guest/nouveau/nouveau-vmbind-test.c"
cases=$(sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", case_[a-z0-9_]*,.*/\1/p' "$src" |
	tr '\n' ' ')
if [ -n "$only" ] && ! [[ " $cases" == *" $only "* ]]; then
	die "gp107.sh: unknown case '$only' (cases: $cases)"
fi

kdir=$("$NVVB_TOP/scripts/guest/kernel.sh")
# A directory of this run's own: several runs may share the cache.
mkdir -p "$NVVB_CACHE/guest"
work=$(mktemp -d "$NVVB_CACHE/guest/gp107.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "building the guest test (static, nouveau uAPI from $(cat "$kdir/version"))"
bin=$(build_nouveau_test "$kdir" "$work" "$src") || exit 1

args="-c"
[ $proto = 1 ] && args="$args -p /dev/ttyS1"
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
noise_pid=
if [ $noise = 1 ]; then
	( i=0; while :; do echo "<4>nvvb-noise: a kernel message on the console \$i" > /dev/kmsg; i=\$((i + 1)); sleep 0.01; done ) &
	noise_pid=\$!
fi
/bin/nouveau-vmbind-test $args
rc=\$?
[ -n "\$noise_pid" ] && kill \$noise_pid
echo "nvvb-guest: nouveau log (dmesg | grep nouveau):"
dmesg | grep -i nouveau | sed 's/^/  /'
exit \$rc
RUN
opts="noaccel=1 modeset=2 config=NvBios=PROM,MmuDebugBufferSize=4096,gr=0,ce0=0,ce1=0,ce2=0,ce3=0,disp=0,nvdec0=0,nvenc0=0,nvenc1=0,sec2=0,fifo=0,dma=0,sw=0"
[ -n "$ndebug" ] && opts="$opts debug=$ndebug"
initrd=$("$NVVB_TOP/scripts/guest/initramfs.sh" -k "$kdir" -m "nouveau:$opts" \
	-f "$bin:/bin/nouveau-vmbind-test" -r "$work/run-test")

# One boot; $1 = x-corrupt-pte value (0 = off), $2 = TAP file, $3 = log.
boot() {
	local n=$1 btap=$2 blog=$3 dev="nv-vmbind-gp107,id=gpu0" expect=ok
	local qargs bargs sock="$work/proto.sock"
	if [ "$n" != 0 ]; then
		dev="$dev,x-corrupt-pte=$n"
		expect=corrupt
	fi
	read -ra qargs <<< "$(guest_firmware "$qemu")"
	qargs+=(-device "$dev")
	if [ $proto = 1 ]; then
		# The protocol's own port: the guest's ttyS1, which the kernel
		# never prints to (console=ttyS0).
		rm -f "$sock"
		qargs+=(-chardev "socket,id=nvvbproto,path=$sock,server=on,wait=off"
			-device isa-serial,chardev=nvvbproto,index=1)
	fi
	# One trace file (QEMU's log backend has one): the unhandled-register
	# points with --trace, the corruption (for the hook) with --corrupt.
	local tfile="$work/trace.$n"
	[ $trace = 1 ] && [ -n "$blog" ] && tfile="$blog.trace"
	if [ $trace = 1 ] && [ -n "$blog" ]; then
		qargs+=(-trace "nv_gp107_unhandled_*,file=$tfile")
	fi
	if [ "$n" != 0 ]; then
		qargs+=(-trace "nv_gp107_corrupt_pte,file=$tfile")
	fi
	bargs=(--qemu "$qemu" --kernel "$(guest_kernel "$kdir")" --initrd "$initrd"
	       --timeout "$timeout" --hook "$NVVB_TOP/scripts/guest/gp107-check.py"
	       --hook-arg "gpuvm=$gpuvm" --hook-arg "expect=$expect"
	       --hook-arg device=gpu0)
	[ $proto = 1 ] && bargs+=(--hook-arg "proto=$sock")
	[ "$n" != 0 ] && bargs+=(--hook-arg "corrupt_trace=$tfile")
	bargs+=(--append "$(guest_lean_append)${append:+ $append}")
	[ -n "$btap" ] && bargs+=(--tap "$btap")
	[ -n "$blog" ] && bargs+=(--log "$blog")
	log "booting $(cat "$kdir/version") with nouveau on nv-vmbind-gp107${only:+ (case $only)}$([ "$n" != 0 ] && echo " (x-corrupt-pte=$n)")"
	python3 "$NVVB_TOP/scripts/guest/boot.py" "${bargs[@]}" -- "${qargs[@]}"
}

if [ -z "$sweep" ]; then
	boot "$corrupt" "$tap" "$logf"
	exit $?
fi

# The sweep: one boot per N, each must catch its corruption.
rc=0 i=0
out="$work/sweep.tap"
: > "$out"
for n in $sweep; do
	t0=$(date +%s)
	r=0
	boot "$n" "$work/tap.$n" "${logf:+$logf.$n}" || r=$?
	[ $r = 0 ] || rc=1
	log "x-corrupt-pte=$n: boot exit $r in $(( $(date +%s) - t0 )) s"
	[ -f "$work/tap.$n" ] || echo "not ok 1 - boot did not write TAP" > "$work/tap.$n"
	while IFS= read -r l; do
		case $l in
		"ok "*|"not ok "*)
			i=$((i + 1))
			echo "$l" | sed -E "s/^(ok|not ok) [0-9]+ - /\1 $i - x-corrupt-pte=$n: /" >> "$out" ;;
		1..*) ;;
		*) echo "$l" >> "$out" ;;
		esac
	done < "$work/tap.$n"
done
echo "1..$i" >> "$out"
[ -n "$tap" ] && cp "$out" "$tap"
exit $rc
