#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot Debian's unmodified kernel with nouveau on nv-vmbind-gp107 WITH
# acceleration (fifo + ce0, and gr constructed from NVIDIA's GP107 images
# but never run, scripts/guest/firmware.sh) and run, through the emulated
# copy engine, the buffer-move test of the kernel's copy-engine channel
# (tests/guest/nouveau/nouveau-accel-test.c) and the user-channel EXEC test
# (tests/guest/nouveau/nouveau-exec-test.c), whose accesses the host
# compares with the VM's page tables (gp107-ce-check.py).  At each
# checkpoint of the buffer-move test (after VM_BIND, after the mapped BOs
# were evicted, after they were validated back) the host check
# (gp107-check.py) walks nouveau's page tables: every mapping must point
# at its BO's current pages and read the BO's pattern.  Both checks share
# the protocol port (gp107-accel-hook.py).
#
#   gp107-accel.sh --qemu QEMU --gpuvm NVVB_GPUVM [--tap FILE] [--log FILE]
#                  [--timeout S] [--vram MIB (32)] [--device-opts OPTS]
#                  [--trace]
#
# NVVB_GPUVM   tools/nvvb-gpuvm of the build (the page-table check's GPUVM)
# --device-opts OPTS  extra -device properties (e.g. x-corrupt-user-ce=on:
#              the EXEC data checks and the host check must then fail;
#              x-corrupt-ce=on breaks the kernel's fences too: it hangs;
#              x-corrupt-ce-data=on moves the kernel's copies, not its
#              fences: the buffer-move data checks must then fail)
# --trace      log the device's nv_gp107_fifo_* trace points to FILE.trace
#              (with --log FILE)
# Own kernel: NVVB_KERNEL_DIR, as for gp107.sh.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

qemu= gpuvm= tap= logf= timeout=300 vram=32 devopts= trace=0
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--gpuvm) gpuvm=$2; shift ;;
	--tap) tap=$2; shift ;;
	--log) logf=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--vram) vram=$2; shift ;;
	--device-opts) devopts=$2; shift ;;
	--trace) trace=1 ;;
	*) die "gp107-accel.sh: unknown argument $1" ;;
	esac
	shift
done
[ -x "$qemu" ] || die "gp107-accel.sh: --qemu QEMU is required"
[ -x "$gpuvm" ] || die "gp107-accel.sh: --gpuvm NVVB_GPUVM is required"

kdir=$("$NVVB_TOP/scripts/guest/kernel.sh")
mkdir -p "$NVVB_CACHE/guest"
work=$(mktemp -d "$NVVB_CACHE/guest/gp107-accel.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "building the accel guest tests (static, nouveau uAPI from $(cat "$kdir/version"))"
bin=$(build_nouveau_test "$kdir" "$work" "$NVVB_TOP/tests/guest/nouveau/nouveau-accel-test.c") || exit 1
xbin=$(build_nouveau_test "$kdir" "$work" "$NVVB_TOP/tests/guest/nouveau/nouveau-exec-test.c") || exit 1

cat > "$work/run-test" <<RUN
#!/bin/sh
i=0
while [ ! -e /dev/dri/renderD128 ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
if [ ! -e /dev/dri/renderD128 ]; then
	echo "not ok - nouveau did not create /dev/dri/renderD128"
	dmesg | grep -i -E 'nouveau|drm' | tail -40
	exit 1
fi
if dmesg | grep -q 'MM: using COPY for buffer copies'; then
	echo "ok 1 - nouveau moves buffers with the copy engine (MM: using COPY)"
else
	echo "not ok 1 - nouveau did not log 'MM: using COPY for buffer copies'"
fi
/bin/nouveau-accel-test -v $vram -c -p /dev/ttyS1
rc=\$?
# User channels and EXEC (tier 2): copies, syncobjs, extobjs, eviction.
/bin/nouveau-exec-test -v $vram -p /dev/ttyS1 || rc=1
# Channel errors, faults, idle or fence timeouts are failures.
bad=\$(dmesg | grep -E 'nouveau.*(fifo: |fault|killed|failed to idle|timeout|INTR|errored|channel)' | grep -v 'ce channel' || true)
if [ -z "\$bad" ]; then
	echo "ok 90 - no FIFO error, fault or timeout in the nouveau log"
else
	echo "not ok 90 - FIFO errors in the nouveau log:"
	echo "\$bad" | sed 's/^/#   /'
	rc=1
fi
# An EXEC touching an unmapped VA: nouveau logs the fault and kills that
# channel, and nothing else goes wrong.
nlog=\$(dmesg | wc -l)
/bin/nouveau-exec-test -v $vram -F -p /dev/ttyS1 || rc=1
after=\$(dmesg | tail -n +\$((nlog + 1)))
if echo "\$after" | grep -q 'nouveau.*fifo: fault .*\\[WRITE\\] at 0000001000' &&
   echo "\$after" | grep -q 'nouveau.*channel [0-9]* killed'; then
	echo "ok 91 - nouveau logged the copy engine's write fault at the unmapped VA and killed the channel"
else
	echo "not ok 91 - no fault / channel-killed lines in the nouveau log after the fault case"
	rc=1
fi
worse=\$(echo "\$after" | grep -E 'nouveau.*(timeout|INTR|failed to idle)' || true)
if [ -z "\$worse" ]; then
	echo "ok 92 - the fault left no timeout or stray interrupt"
else
	echo "not ok 92 - after the fault case:"
	echo "\$worse" | sed 's/^/#   /'
	rc=1
fi
echo "nvvb-guest: nouveau log (dmesg | grep nouveau):"
dmesg | grep -i nouveau | sed 's/^/  /'
exit \$rc
RUN
# GR and SEC2 stay enabled: GR is constructed from NVIDIA's GP107 images
# (never run) so that nouveau creates its graphics channel, which user
# channels and EXEC need; SEC2 without its firmware has no RTOS, so ACR
# boots nothing (scripts/guest/firmware.sh).
opts="modeset=2 config=NvBios=PROM,MmuDebugBufferSize=4096,ce1=0,ce2=0,ce3=0,disp=0,nvdec0=0,nvenc0=0,nvenc1=0,dma=0,sw=0"
fwdir=$("$NVVB_TOP/scripts/guest/firmware.sh") || die "no GP107 firmware"
fwargs=()
for f in "$fwdir"/nvidia/gp107/*/*.bin; do
	fwargs+=(-f "$f:/lib/firmware/${f#"$fwdir"/}")
done
initrd=$("$NVVB_TOP/scripts/guest/initramfs.sh" -k "$kdir" -m "nouveau:$opts" \
	"${fwargs[@]}" -f "$bin:/bin/nouveau-accel-test" \
	-f "$xbin:/bin/nouveau-exec-test" -r "$work/run-test")

dev="nv-vmbind-gp107,id=gpu0,vram-size=${vram}M${devopts:+,$devopts}"
# The copy engine's launches and errors, counted by the host afterwards.
tfile="$work/trace"
[ $trace = 1 ] && [ -n "$logf" ] && tfile="$logf.trace"
read -ra qargs <<< "$(guest_firmware "$qemu")"
qargs+=(-device "$dev" -trace "nv_gp107_fifo_error,file=$tfile"
       -trace "nv_gp107_fifo_ce_launch,file=$tfile"
       -trace "nv_gp107_fifo_chan_load,file=$tfile"
       -trace "nv_gp107_invalidate,file=$tfile")
if [ $trace = 1 ]; then
	qargs+=(-trace "nv_gp107_unhandled_*,file=$tfile")
fi
# The host's checks (gp107-check.py for the page tables at the buffer-move
# test's checkpoints, gp107-ce-check.py for the copy engine's accesses)
# talk to the guest on its ttyS1, which the kernel never prints to.
sock="$work/proto.sock"
qargs+=(-chardev "socket,id=nvvbproto,path=$sock,server=on,wait=off"
	-device isa-serial,chardev=nvvbproto,index=1)
expect=ok
case ",$devopts," in *,x-corrupt-ce=on,*) expect=corrupt ;; esac
btap="$work/boot.tap"
bargs=(--qemu "$qemu" --kernel "$(guest_kernel "$kdir")" --initrd "$initrd"
       --timeout "$timeout" --tap "$btap"
       --hook "$NVVB_TOP/scripts/guest/gp107-accel-hook.py"
       --hook-arg device=gpu0 --hook-arg "proto=$sock"
       --hook-arg "gpuvm=$gpuvm" --hook-arg "expect=$expect"
       --append "$(guest_lean_append)")
[ -n "$logf" ] && bargs+=(--log "$logf")
log "booting $(cat "$kdir/version") with accelerated nouveau on nv-vmbind-gp107 ($dev)"
rc=0
python3 "$NVVB_TOP/scripts/guest/boot.py" "${bargs[@]}" -- "${qargs[@]}" || rc=$?

# Host side: the moves went through the emulated copy engine, without
# a channel error.
launches=$(grep -c 'nv_gp107_fifo_ce_launch' "$tfile" 2>/dev/null || true)
bytes=$(sed -n 's/.*nv_gp107_fifo_ce_launch.*: \([0-9]*\) bytes.*/\1/p' "$tfile" 2>/dev/null |
	awk '{ s += $1 } END { print s + 0 }')
# The one channel error expected: the fault case's write to the VA it
# never mapped (nouveau-exec-test -F).
fault_re='nv_gp107_fifo_error channel [0-9]* ce-fault .* fault 1 va 0x1000000000$'
faults=$(grep -c -- "$fault_re" "$tfile" 2>/dev/null || true)
errors=$(grep 'nv_gp107_fifo_error' "$tfile" 2>/dev/null | grep -c -v -- "$fault_re" || true)
# Every launch translated through a PDB that nouveau invalidated as a
# user VMM (live-PDB tag 0; not BAR1/BAR2): the copies went through the
# page tables nouveau wrote for its client VMM, the CE channel's VM.
chan_pdbs=$(sed -n 's/.*nv_gp107_invalidate val [0-9a-fx]* pdb vid:\(0x[0-9a-f]*\) tag 0 .*/\1/p' "$tfile" 2>/dev/null | sort -u | tr '\n' ' ')
launch_pdbs=$(sed -n 's/.*nv_gp107_fifo_ce_launch channel [0-9]* pdb \(0x[0-9a-f]*\).*/\1/p' "$tfile" 2>/dev/null | sort -u | tr '\n' ' ')
foreign=
for p in $launch_pdbs; do
	[[ " $chan_pdbs" == *" $p "* ]] || foreign="$foreign $p"
done
{
	grep -E '^(ok |not ok |# )' "$btap" 2>/dev/null || echo "not ok - boot wrote no TAP"
	if [ "${launches:-0}" -gt 0 ] && [ "${bytes:-0}" -gt 0 ]; then
		echo "ok - host: the copy engine ran $launches launches, $bytes bytes"
	else
		echo "not ok - host: no copy-engine launch moved data ($launches launches)"
		rc=1
	fi
	if [ -n "$launch_pdbs" ] && [ -z "$foreign" ]; then
		echo "ok - host: every launch translated through a user VMM nouveau invalidated ($launch_pdbs)"
	else
		echo "not ok - host: launch PDBs [$launch_pdbs] are not all user VMMs nouveau invalidated [$chan_pdbs]"
		rc=1
	fi
	if [ "${errors:-0}" = 0 ]; then
		echo "ok - host: no channel error (nv_gp107_fifo_error) but the fault case's"
	else
		echo "not ok - host: $errors unexpected channel errors:"
		grep 'nv_gp107_fifo_error' "$tfile" | grep -v -- "$fault_re" | head -5 | sed 's/^/#   /'
		rc=1
	fi
	if [ "${faults:-0}" = 1 ]; then
		echo "ok - host: the fault case's EXEC faulted once, on the write to VA 0x1000000000"
	else
		echo "not ok - host: the fault case's write fault was seen $faults times (want 1)"
		rc=1
	fi
} | awk '/^(ok|not ok) / { n++; sub(/^(ok|not ok) [0-9]* *-? */, ($1 == "ok" ? "ok " : "not ok ") n " - ") } { print } END { print "1.." n }' > "$work/all.tap"
cat "$work/all.tap" >&2
[ -n "$tap" ] && cp "$work/all.tap" "$tap"
grep -q '^not ok' "$work/all.tap" && rc=1
exit $rc
