#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build your own kernel for the guest suites and lay it out the way the
# harness expects (NVVB_KERNEL_DIR, see scripts/guest/README.md):
#
#   byo-kernel.sh -s SRC -o DIR [-c] [-l] [-j N]
#
#   -s SRC  a kernel source tree (it stays untouched: objects go to DIR/build)
#   -o DIR  output: DIR/vmlinuz, DIR/version, DIR/root/lib/modules/VER,
#           DIR/build (the build tree nvvb.ko is compiled against)
#   -c      (re)configure: x86_64_defconfig + kvm_guest.config + what the
#           nvvb suite needs as modules (DRM, drm_gpuvm/drm_exec/gpu-sched/
#           drm_shmem_helper via DRM_PANTHOR under COMPILE_TEST, vgem);
#           without -c an existing DIR/build/.config is used as is
#   -l      with -c: lockdep and friends (PROVE_LOCKING, DEBUG_ATOMIC_SLEEP,
#           dma-fence signalling annotations), so the suite's boot fails on
#           any lock-order report ("WARNING: possible circular locking")
#   -j N    parallel jobs (default: number of CPUs)
#
# Then:  NVVB_KERNEL_DIR=DIR scripts/guest/nvvb-suite.sh --qemu QEMU
# (NVVB_KERNEL_BUILD defaults to DIR/build).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

src= out= config=0 lockdep=0 jobs=$(nproc)
while getopts "s:o:clj:" o; do
	case $o in
	s) src=$OPTARG ;;
	o) out=$OPTARG ;;
	c) config=1 ;;
	l) lockdep=1 ;;
	j) jobs=$OPTARG ;;
	*) die "usage: byo-kernel.sh -s SRC -o DIR [-c] [-l] [-j N]" ;;
	esac
done
[ -f "$src/Makefile" ] && [ -d "$src/kernel" ] || die "byo-kernel.sh: -s SRC is not a kernel tree"
[ -n "$out" ] || die "byo-kernel.sh: -o DIR is required"
# kernel build dependencies beyond the project's (scripts/setup-deps.sh)
need=()
for p in libelf-dev bc libssl-dev flex bison; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	as_root apt-get install -y -q "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
fi
mkdir -p "$out/build"
out=$(cd "$out" && pwd)
b="$out/build"
km() { make -C "$src" O="$b" -j"$jobs" "$@"; }

if [ $config = 1 ] || [ ! -f "$b/.config" ]; then
	log "configuring $b"
	km -s x86_64_defconfig >/dev/null
	km -s kvm_guest.config >/dev/null
	c() { "$src/scripts/config" --file "$b/.config" "$@"; }
	c -e MODULES -e MODULE_UNLOAD -e PCI_MSI -e DEBUG_FS -e DEVTMPFS \
	  -e BLK_DEV_INITRD -e RD_GZIP -e SERIAL_8250_CONSOLE \
	  -e COMPILE_TEST -m DRM -m DRM_PANTHOR -m DRM_VGEM \
	  -d DRM_I915 -d DRM_AMDGPU -d DRM_RADEON -d DRM_NOUVEAU -d DRM_XE \
	  -d MODULE_SIG_FORCE -d DEBUG_INFO_BTF -d WERROR
	# what a serial-console guest with an initramfs does not need
	c -d SOUND -d USB_SUPPORT -d WLAN -d WIRELESS -d ETHERNET -d NETFILTER \
	  -d IPV6 -d SCSI -d ATA -d MD -d AGP -d HID -d INPUT_MOUSE -d NFS_FS \
	  -d NETWORK_FILESYSTEMS -d MEDIA_SUPPORT -d BT -d HAMRADIO -d EFI \
	  -d LOGO -d FB
	if [ $lockdep = 1 ]; then
		c -e PROVE_LOCKING -e DEBUG_LOCKDEP -e DEBUG_ATOMIC_SLEEP \
		  -e DEBUG_WW_MUTEX_SLOWPATH -e DEBUG_MUTEXES -e DEBUG_SPINLOCK \
		  -e DEBUG_RT_MUTEXES -e LOCKDEP
	fi
	km -s olddefconfig >/dev/null
	for s in DRM_GPUVM DRM_EXEC DRM_SCHED DRM_GEM_SHMEM_HELPER DRM_VGEM; do
		grep -Eq "^CONFIG_$s=[ym]" "$b/.config" || die "CONFIG_$s did not stick in $b/.config"
	done
fi
log "building $(km -s kernelrelease) in $b (-j$jobs)"
km bzImage modules >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; die "kernel build failed (log: $out/build.log)"; }
rm -rf "$out/root"
km -s modules_install INSTALL_MOD_PATH="$out/root" INSTALL_MOD_STRIP=1 \
	>>"$out/build.log" 2>&1 || die "modules_install failed"
cp "$b/arch/x86/boot/bzImage" "$out/vmlinuz"
km -s kernelrelease > "$out/version"
log "kernel $(cat "$out/version") in $out"
echo "$out"
