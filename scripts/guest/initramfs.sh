#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a guest initramfs (gzipped newc cpio) and print its path.
#
#   initramfs.sh -k KDIR [-m MODULE[:OPTIONS]]... [-x FILE.ko[:OPTIONS]]...
#                [-f SRC:DEST]... [-r RUN_SCRIPT] [-o OUT]
#
#   -k KDIR   a kernel directory from scripts/guest/kernel.sh, or any
#             directory with lib/modules/KVER/ below KDIR/root (own kernels:
#             see scripts/guest/README.md)
#   -m NAME[:OPTS]  load module NAME (and, first, what its .modinfo
#             depends= names, recursively) with module options OPTS
#   -x FILE.ko[:OPTS]  an out-of-tree module built for this kernel: what
#             it depends on comes from the kernel's modules as for -m; it
#             is loaded after all -m modules, in the order given
#   -f SRC:DEST  copy a host file into the image (e.g. a static test binary)
#   -r SCRIPT the guest's job, run by /init as /run-test; its exit status is
#             printed as "nvvb-guest: exit N" before power-off
#   -o OUT    output file (default: a cache path keyed by the inputs)
#
# Modules: .ko.xz files are decompressed on the host and loaded by busybox
# insmod in dependency order.  Their BTF and appended signatures are
# dropped (objcopy): the first module with BTF made the guest parse the
# kernel's whole BTF, and each signature made it hash the module, though
# without the certificates (nvvb-suite.sh skips loading them) no signature
# can be checked: together most of the 0.3 s drm.ko took to load under TCG.
# Out-of-tree modules go in without their debug information.  busybox comes from Debian's
# busybox-static .deb, extracted into the cache (not installed).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

kdir= out= run=
mods=() files=() xmods=()
while getopts "k:m:x:f:r:o:" o; do
	case $o in
	k) kdir=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	x) xmods+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	r) run=$OPTARG ;;
	o) out=$OPTARG ;;
	*) die "usage: initramfs.sh -k KDIR [-m MOD[:OPTS]]... [-x FILE.ko[:OPTS]]... [-f SRC:DEST]... [-r SCRIPT] [-o OUT]" ;;
	esac
done
[ -n "$kdir" ] || die "initramfs.sh: -k KDIR is required"
kver=$(cat "$kdir/version")
mdir="$kdir/root/lib/modules/$kver"
[ -d "$mdir" ] || die "no modules in $mdir"

# The image is keyed by everything that goes into it (this script makes
# /init); an existing one is reused: suites boot the same image many times.
if [ -z "$out" ]; then
	# (contents only: sha256sum FILE would also hash the file's name)
	key=$( { sha256sum < "$0"; echo "$kdir $kver ${NVVB_MODULES_OVERRIDE:-}";
		 printf '%s\n' "${mods[@]}";
		 for fd in "${files[@]}"; do sha256sum < "${fd%%:*}"; echo "${fd#*:}"; done;
		 for m in "${xmods[@]}"; do sha256sum < "${m%%:*}"; echo "${m#*:}"; done;
		 if [ -n "${NVVB_MODULES_OVERRIDE:-}" ]; then cat "$NVVB_MODULES_OVERRIDE"/*.ko | sha256sum; fi;
		 if [ -n "$run" ]; then sha256sum < "$run"; fi; } | sha256sum | cut -c1-16)
	mkdir -p "$NVVB_CACHE/guest/initramfs"
	out="$NVVB_CACHE/guest/initramfs/$key.cpio.gz"
	if [ -s "$out" ]; then
		log "initramfs $(du -h "$out" | cut -f1): reused ($out)"
		echo "$out"
		exit 0
	fi
fi

# busybox-static, extracted once.
bb="$NVVB_CACHE/guest/busybox/bin/busybox"
if [ ! -x "$bb" ]; then
	mkdir -p "$NVVB_CACHE/guest/busybox-deb"
	log "downloading busybox-static"
	(cd "$NVVB_CACHE/guest/busybox-deb" && rm -f ./*.deb &&
	 retry apt-get download -qq busybox-static) >&2 || die "apt-get download busybox-static failed"
	rm -rf "$NVVB_CACHE/guest/busybox"
	dpkg-deb -x "$NVVB_CACHE"/guest/busybox-deb/busybox-static_*.deb "$NVVB_CACHE/guest/busybox"
	[ -x "$bb" ] || die "busybox-static has no bin/busybox"
fi

# Module resolution: name -> path (names compare with '-' == '_').
declare -A modpath=()
while read -r p; do
	n=$(basename "$p"); n=${n%%.ko*}; modpath[${n//-/_}]=$p
done < <(cd "$mdir" && find kernel -name '*.ko*')
# Modules built from a patched source (patched-modules.sh) replace the
# distribution's of the same name.
override=()
if [ -n "${NVVB_MODULES_OVERRIDE:-}" ]; then
	for p in "$NVVB_MODULES_OVERRIDE"/*.ko; do
		[ -f "$p" ] || continue
		n=$(basename "$p" .ko); modpath[${n//-/_}]=$p
		override+=("$n")
	done
	[ ${#override[@]} -gt 0 ] || die "NVVB_MODULES_OVERRIDE=$NVVB_MODULES_OVERRIDE has no .ko files"
	log "modules from $NVVB_MODULES_OVERRIDE replace the kernel's: ${override[*]}"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A seen=()
order=()
decompress() {  # kernel/.../x.ko.xz (or an absolute path) -> $tmp/ko/x.ko
	local src=$mdir/$1 dst=$tmp/ko/$(basename "${1%.xz}")
	case $1 in /*) src=$1 ;; esac
	mkdir -p "$tmp/ko"
	case $src in
	*.xz) xz -dc "$src" > "$dst" ;;
	*.zst) zstd -qdc "$src" > "$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	objcopy --remove-section=.BTF "$dst"
	echo "$dst"
}
add_mod() {
	local n=${1//-/_} ko deps d
	[ -n "${seen[$n]:-}" ] && return 0
	seen[$n]=1
	[ -n "${modpath[$n]:-}" ] || {
		# Built into the kernel: nothing to load.
		grep -q "/${1}.ko\$\|/${n}.ko\$" "$mdir/modules.builtin" 2>/dev/null && return 0
		die "module $1 not found in $mdir"
	}
	ko=$(decompress "${modpath[$n]}")
	deps=$(readelf -p .modinfo "$ko" | sed -n 's/.*depends=//p' | tr ',' ' ')
	for d in $deps; do add_mod "$d"; done
	order+=("$n")
}
declare -A opts=()
for m in "${mods[@]}"; do
	name=${m%%:*}
	[ "$name" != "$m" ] && opts[${name//-/_}]=${m#*:}
	add_mod "$name"
done
for m in "${xmods[@]}"; do
	x=${m%%:*}
	[ -f "$x" ] || die "no module file $x"
	for d in $(readelf -p .modinfo "$x" | sed -n 's/.*depends=//p' | tr ',' ' '); do
		add_mod "$d"
	done
done

root=$tmp/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/modules,etc,run}
cp "$bb" "$root/bin/busybox"
for a in sh mount umount insmod cat echo sleep poweroff reboot mkdir ls dmesg \
	 grep sed head tail tr cut sync ln mknod stty; do
	ln -s busybox "$root/bin/$a"
done
: > "$root/etc/modules"
for n in "${order[@]}"; do
	f=$(basename "${modpath[$n]%.xz}"); f=${f%.zst}
	cp "$tmp/ko/$f" "$root/lib/modules/$f"
	printf '%s %s\n' "$f" "${opts[$n]:-}" >> "$root/etc/modules"
done
for m in "${xmods[@]}"; do
	x=${m%%:*}
	objcopy --strip-debug "$x" "$root/lib/modules/$(basename "$x")"
	printf '%s %s\n' "$(basename "$x")" "$([ "$x" != "$m" ] && echo "${m#*:}")" >> "$root/etc/modules"
done
for fd in "${files[@]}"; do
	src=${fd%%:*} dst=${fd#*:}
	mkdir -p "$root/$(dirname "$dst")"
	cp "$src" "$root/$dst"
done
if [ -n "$run" ]; then
	cp "$run" "$root/run-test"
	chmod +x "$root/run-test"
fi

cat > "$root/init" <<'INIT'
#!/bin/sh
# nv-vmbind guest init: mount, load modules, run /run-test, power off.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# shell builtins, no fork: each process costs milliseconds under TCG
read -r _ _ kver _ < /proc/version
read -r up _ < /proc/uptime
echo "nvvb-guest: init on $kver, uptime ${up}s"
while read -r ko args; do
	[ -n "$ko" ] || continue
	# shellcheck disable=SC2086
	if ! insmod /lib/modules/$ko $args; then
		echo "nvvb-guest: insmod $ko failed"
	fi
done < /etc/modules
read -r up _ < /proc/uptime
echo "nvvb-guest: modules loaded, uptime ${up}s"
rc=0
if [ -x /run-test ]; then
	/run-test
	rc=$?
fi
# The console shows KERN_ERR and worse only: repeat any warning, BUG or
# Oops the kernel logged so the host sees it.
dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace:|kernel BUG|general protection' |
	sed 's/^/nvvb-guest: kernel: /'
echo "nvvb-guest: exit $rc"
sync
poweroff -f
INIT
chmod +x "$root/init"

(cd "$root" && find . | LC_ALL=C sort | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) |
	gzip -1 > "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
log "initramfs $(du -h "$out" | cut -f1): ${#order[@]} modules (${order[*]})"
echo "$out"
