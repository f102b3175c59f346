#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build nouveau.ko and/or drm_gpuvm.ko (drm_exec.ko, gpu-sched.ko) out of
# tree, from a kernel source tree plus patches, for a Debian kernel, and
# print a directory of .ko files that replace the distribution's in the
# guest's initramfs (initramfs.sh reads it from NVVB_MODULES_OVERRIDE).
#
#   patched-modules.sh -k KERNEL_DIR [-s SRC] [-p PATCH]... [-m MODULES]
#
#   -k KERNEL_DIR  a kernel from scripts/guest/kernel.sh
#   -s SRC         a kernel source tree (default: Debian's linux-source-X.Y
#                  of exactly that kernel's package version, unpacked once
#                  into ${NVVB_CACHE}/ksrc/<version>/)
#   -p PATCH       a patch (git format-patch or diff -p1 against the tree's
#                  root) or a directory of *.patch files, applied in order
#   -m MODULES     comma-separated: nouveau, drm_gpuvm, drm_exec, gpu-sched
#                  (default: the modules the patches touch; with -s and no
#                  patches: nouveau and drm_gpuvm)
#
# Builds run with the kernel's own compiler (kcc.sh) against its build
# headers; objects are kept per kernel and module, and the sources are
# re-synced by content, so changing one file rebuilds that file and links.
# Patches may change only the modules' own sources: a change to include/
# needs a kernel build (byo-kernel.sh).  The modules are unsigned: loading
# them taints the kernel, which the harness does not count as a failure.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$NVVB_TOP/scripts/lib/apt.sh"

kdir= src= mods= patches=()
while getopts "k:s:p:m:h" o; do
	case $o in
	k) kdir=$OPTARG ;;
	s) src=$OPTARG ;;
	p) patches+=("$OPTARG") ;;
	m) mods=$OPTARG ;;
	*) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ -n "$kdir" ] && [ -f "$kdir/abi" ] || die "patched-modules.sh: -k KERNEL_DIR (from kernel.sh) is required"
abi=$(cat "$kdir/abi") kver=$(cat "$kdir/version") pkgver=$(basename "$kdir")
series=$(echo "$abi" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')

# Patch files, expanded from directories, with absolute paths.
plist=()
for p in "${patches[@]}"; do
	if [ -d "$p" ]; then
		for f in "$p"/*.patch; do [ -f "$f" ] && plist+=("$(realpath "$f")"); done
	else
		[ -f "$p" ] || die "no patch file $p"
		plist+=("$(realpath "$p")")
	fi
done

# Module -> the sources it is built from (paths below the tree's root).
mod_paths() {
	case $1 in
	nouveau) echo drivers/gpu/drm/nouveau ;;
	drm_gpuvm) echo drivers/gpu/drm/drm_gpuvm.c ;;
	drm_exec) echo drivers/gpu/drm/drm_exec.c ;;
	gpu-sched) echo drivers/gpu/drm/scheduler ;;
	*) die "patched-modules.sh: unknown module $1 (nouveau, drm_gpuvm, drm_exec, gpu-sched)" ;;
	esac
}
ALL_MODS="drm_exec gpu-sched drm_gpuvm nouveau"

touched=$(for f in "${plist[@]}"; do
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$f"
done | sort -u)
auto=
for t in $touched; do
	owner=
	for m in $ALL_MODS; do
		case $t in "$(mod_paths "$m")"|"$(mod_paths "$m")"/*) owner=$m ;; esac
	done
	[ -n "$owner" ] || die "patched-modules.sh: a patch changes $t, which is not a source of $ALL_MODS (changes to headers need a kernel build: scripts/guest/byo-kernel.sh)"
	auto="$auto $owner"
done
if [ -z "$mods" ]; then
	mods=$(echo "$auto" | tr ' ' '\n' | grep . | sort -u | paste -sd,) || true
	[ -n "$mods" ] || mods=nouveau,drm_gpuvm
fi

# The pristine source: Debian's linux-source-X.Y of this very kernel.
if [ -z "$src" ]; then
	sdir="$NVVB_CACHE/ksrc/$pkgver"
	src="$sdir/linux-source-$series"
	if [ ! -f "$sdir/.ready" ]; then
		mkdir -p "$sdir"
		nvvb_lock "$sdir.lock"
	fi
	if [ ! -f "$sdir/.ready" ]; then
		nvvb_apt_private || true
		if ! ls "$sdir"/linux-source-"$series"_*.deb >/dev/null 2>&1; then
			log "downloading linux-source-$series=$pkgver (~160 MB, once)"
			(cd "$sdir" && retry papt-get download -qq "linux-source-$series=$pkgver") >&2 ||
				die "apt-get download linux-source-$series=$pkgver failed (the archive may have moved on; pass -s SRC)"
		fi
		log "unpacking drivers/gpu/drm of linux-source-$series (once)"
		rm -rf "$src"
		dpkg-deb --fsys-tarfile "$sdir"/linux-source-"$series"_*.deb |
			tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJ -C "$sdir" "linux-source-$series/drivers/gpu/drm" \
				"linux-source-$series/Makefile"
		rm -f "$sdir"/linux-source-"$series"_*.deb
		touch "$sdir/.ready"
	fi
fi
[ -d "$src/drivers/gpu/drm" ] || die "patched-modules.sh: $src is not a kernel source tree"
srcver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$src/Makefile" 2>/dev/null | paste -sd.)
[ "$srcver" = "$series" ] ||
	log "warning: $src is Linux $srcver but the kernel is $abi: the modules may not load"

kbuild=$("$NVVB_TOP/scripts/guest/kheaders.sh" -k "$kdir")
key=$(printf '%s\n' "$src" "$mods" | sha256sum | cut -c1-12)
work="$NVVB_CACHE/patched/$kver/$key"
tree="$work/tree"
# Objects are shared by every patch set (only what a patch touches
# recompiles when switching); the modules of each patch set stay apart.
pkey=$( { echo "$mods"; for f in "${plist[@]}"; do basename "$f"; cat "$f"; done; } |
	sha256sum | cut -c1-12)
out="$work/out-$pkey"
mkdir -p "$tree" "$out"
nvvb_lock "$work.lock"

# Sync by content (unchanged files keep their mtime, so make rebuilds only
# what differs), then apply the patches on top.
IFS=, read -ra mlist <<< "$mods"
for m in "${mlist[@]}"; do
	p=$(mod_paths "$m")
	mkdir -p "$tree/$(dirname "$p")"
	if [ -d "$src/$p" ]; then
		rsync -rlc --delete --exclude '*.o' --exclude '*.ko' --exclude '*.mod*' \
			--exclude '.*.cmd' --exclude Module.symvers --exclude modules.order \
			"$src/$p/" "$tree/$p/"
	else
		rsync -c "$src/$p" "$tree/$p"
	fi
done
for f in "${plist[@]}"; do
	log "applying $(basename "$f")"
	patch -s -p1 -d "$tree" --no-backup-if-mismatch < "$f" ||
		die "patch $f does not apply to $src (linux $srcver)"
done

kcc=("$NVVB_TOP/scripts/guest/kcc.sh" -k "$kdir" --)
symvers=()
rm -f "$out"/*.ko
t0=$(date +%s)
for m in $ALL_MODS; do
	case ",$mods," in *",$m,"*) ;; *) continue ;; esac
	p=$(mod_paths "$m")
	case $p in
	*.c)
		# One file of drivers/gpu/drm: a directory of its own with a Kbuild.
		d="$tree/single/$m"
		mkdir -p "$d"
		rsync -c "$tree/$p" "$d/"
		echo "obj-m := $m.o" > "$d/Kbuild.new"
		cmp -s "$d/Kbuild.new" "$d/Kbuild" || mv "$d/Kbuild.new" "$d/Kbuild"
		rm -f "$d/Kbuild.new"
		;;
	*) d="$tree/$p" ;;
	esac
	log "building $m.ko for $abi ($(find "$d" -name '*.c' | wc -l) C files)"
	"${kcc[@]}" make -C "$kbuild" M="$d" CONFIG_DEBUG_INFO_BTF_MODULES= \
		${symvers:+KBUILD_EXTRA_SYMBOLS="${symvers[*]}"} -j"$(nproc)" modules \
		>"$work/$m.log" 2>&1 ||
		{ grep -E 'error|Error' "$work/$m.log" | head -20 >&2; die "$m.ko did not build (log: $work/$m.log)"; }
	[ -f "$d/Module.symvers" ] && symvers+=("$d/Module.symvers")
	find "$d" -maxdepth 1 -name '*.ko' -exec cp {} "$out/" \;
done
log "patched modules for $abi: $(cd "$out" && ls | tr '\n' ' ')($(( $(date +%s) - t0 )) s to build)"
printf '%s\n' "${plist[@]}" > "$out/patches"
echo "$out"
