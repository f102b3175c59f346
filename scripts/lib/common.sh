# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the nv-vmbind scripts: logging, cache location, apt.

NVVB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Build caches live outside the repository so a fresh clone reuses them.
NVVB_CACHE=${NVVB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nv-vmbind}
mkdir -p "$NVVB_CACHE"

nvvb_t0=${nvvb_t0:-$(date +%s)}

log() { printf '[nvvb %4ss] %s\n' "$(( $(date +%s) - nvvb_t0 ))" "$*" >&2; }
die() { printf 'nvvb: error: %s\n' "$*" >&2; exit 1; }

# Run as root directly, otherwise through sudo (apt needs root).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Retry a network command: Debian mirrors occasionally time out.
retry() {
	local n=0
	until "$@"; do
		n=$((n + 1))
		[ $n -ge 3 ] && return 1
		log "retrying ($n): $*"
		sleep $((n * 5))
	done
}

# nvvb_lock FILE: hold an exclusive lock on FILE until the script exits
# (concurrent runs share one cache: only one of them downloads, extracts
# or builds a given thing; the others wait, then find it ready).
nvvb_lock() {
	local fd
	exec {fd}>"$1"
	if ! flock -n "$fd"; then
		log "waiting for another run to finish with $(basename "$1" .lock)"
		flock "$fd"
	fi
}

# guest_kernel KDIR: the kernel a guest suite boots from KDIR, unpacked for
# a PVH boot when it allows one (scripts/guest/pvh-kernel.py: the guest then
# skips decompressing itself, seconds of every boot under TCG), else its
# bzImage.
guest_kernel() {
	"$NVVB_TOP/scripts/guest/pvh-kernel.py" "$1/vmlinuz" "$NVVB_CACHE/guest/pvh" ||
		echo "$1/vmlinuz"
}

# guest_lean_append: kernel command line that drops boot-time initcalls
# no guest suite uses.  Measured under TCG on 6.12: crypto self-tests
# (cryptomgr, kdf108), the jitter entropy source and BPF's BTF-parsing
# inits take about 0.7 s; without the built-in certificates the modules'
# signatures are not checked (the kernel is tainted by an out-of-tree or
# unsigned-checked module anyway).  Also unused, measured with
# initcall_debug (December 2026): IPv6 (inet6_init 130-160 ms), the i8042
# keyboard controller (20 ms and a 25 ms probe), the machine and encrypted
# keyrings (30 ms).
guest_lean_append() {
	echo "cryptomgr.notests ipv6.disable=1 initcall_blacklist=jent_mod_init,crypto_kdf108_init,bpf_tcp_ca_kfunc_init,bpf_dummy_struct_ops_init,load_system_certificate_list,i8042_init,machine_keyring_init,init_encrypted"
}

# guest_firmware QEMU: "-bios qboot.rom" when this QEMU build has qboot,
# which starts a -kernel boot about 0.1 s sooner than SeaBIOS.
guest_firmware() {
	local d
	for d in "$(dirname "$1")/qemu-bundle/usr/local/share/qemu" "$(dirname "$1")/pc-bios"; do
		[ -f "$d/qboot.rom" ] && { echo "-bios qboot.rom"; return; }
	done
}

# build_nouveau_test KDIR WORK SRC: the nouveau guest test SRC
# (tests/guest/nouveau/*.c) built static against KDIR's nouveau uAPI, once
# per source, headers and compiler (under $NVVB_CACHE/guest/nouveau-bin);
# prints the binary's path.  WORK gets a compat header where one is needed.
build_nouveau_test() {
	local kdir=$1 work=$2 src=$3 inc compat=() cflags key bin
	inc="$kdir/include"
	[ -f "$inc/drm/nouveau_drm.h" ] || inc=${NVVB_KERNEL_UAPI:-$inc}
	[ -f "$inc/drm/nouveau_drm.h" ] || die "no drm/nouveau_drm.h under $inc"
	# 7.x's drm headers include linux/bits.h, which bookworm's
	# linux-libc-dev lacks: take the kernel's own (after the system's).
	if [ -f "$kdir/uapi/linux/bits.h" ] &&
	   ! echo '#include <linux/bits.h>' | gcc -E -x c - >/dev/null 2>&1; then
		mkdir -p "$work/compat/linux"
		sed -E 's/\b__user\b//g' "$kdir/uapi/linux/bits.h" > "$work/compat/linux/bits.h"
		compat=(-idirafter "$work/compat")
	fi
	cflags=(-static -O2 -Wall -Wextra -Werror -I"$inc" "${compat[@]}")
	key=$( { cat "$src" "$(dirname "$src")"/*.h "$inc/drm/nouveau_drm.h" \
		"$inc/drm/drm.h"; gcc --version | head -1
		echo "${cflags[*]}" | sed "s|$work|WORK|g"
		[ ${#compat[@]} -eq 0 ] || cat "$work/compat/linux/bits.h"; } |
		sha256sum | cut -c1-16)
	bin="$NVVB_CACHE/guest/nouveau-bin/$key/$(basename "$src" .c)"
	if [ ! -x "$bin" ]; then
		mkdir -p "$(dirname "$bin")"
		gcc "${cflags[@]}" -o "$bin.$$" "$src" >&2 || die "could not build $src"
		mv "$bin.$$" "$bin"
	fi
	echo "$bin"
}
