#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch Debian's 6.12 kernel (image, modules, uAPI headers) without
# installing it, and print the directory holding it:
#
#   DIR/vmlinuz            the bzImage
#   DIR/root/lib/modules/KVER/...   modules (.ko.xz) as shipped
#   DIR/uapi/              include/uapi of linux-headers-KABI-common
#   DIR/include/drm/       its DRM uAPI headers made usable from user space
#                          the way "make headers_install" does (no __user)
#   DIR/version            KVER (e.g. 6.12.95+deb12-amd64)
#
# The version is resolved with apt-cache: the newest
# linux-image-6.12.*-amd64-unsigned of bookworm-backports (falling back to
# the newest of any suite).  Pin one with NVVB_KERNEL_ABI=6.12.95+deb12.
# .debs and the extracted tree are cached under
# ${NVVB_CACHE}/kernel/<package version>/, so a version that leaves the
# archive keeps working from the cache.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

suite=${NVVB_KERNEL_SUITE:-bookworm-backports}

# Newest "ABI VERSION SUITE" among the 6.12 amd64 unsigned images apt knows.
resolve() {
	local p
	apt-cache pkgnames linux-image-6.12 2>/dev/null |
	grep -E '^linux-image-6\.12\.[0-9]+\+deb12[.0-9]*-amd64-unsigned$' |
	while read -r p; do
		apt-cache madison "$p" | awk -v p="$p" -F' *[|] *' '
			$1 ~ /^ *linux-image/ {
				split($3, a, " "); abi = p
				sub(/^linux-image-/, "", abi); sub(/-amd64-unsigned$/, "", abi)
				print abi, $2, a[2] }'
	done
}

pick() {
	local want_suite=$1
	resolve | awk -v s="$want_suite" 's == "" || $3 ~ "^" s "/" ' |
	while read -r abi ver st; do echo "$abi $ver"; done |
	sort -t' ' -k2,2V | tail -1
}

if [ -n "${NVVB_KERNEL_ABI:-}" ]; then
	# A pinned ABI: use the cache if it has it, else ask apt.
	cached=
	for d in "$NVVB_CACHE"/kernel/*/; do
		if [ "$(cat "$d/abi" 2>/dev/null)" = "$NVVB_KERNEL_ABI" ]; then
			cached=$(basename "$d")
		fi
	done
	if [ -n "$cached" ]; then
		abi=$NVVB_KERNEL_ABI ver=$cached
	else
		read -r abi ver < <(resolve | awk -v a="$NVVB_KERNEL_ABI" '$1 == a {print $1, $2}' | sort -k2,2V | tail -1) ||
			die "apt knows no linux-image-$NVVB_KERNEL_ABI-amd64-unsigned"
	fi
else
	read -r abi ver < <(pick "$suite") || true
	if [ -z "${abi:-}" ]; then
		read -r abi ver < <(pick "") || true
	fi
	if [ -z "${abi:-}" ]; then
		# Offline / no lists: newest cached kernel.
		ver=$(ls "$NVVB_CACHE/kernel" 2>/dev/null | sort -V | tail -1)
		[ -n "$ver" ] || die "no linux-image-6.12.*-amd64-unsigned known to apt (run apt-get update; see scripts/setup-deps.sh)"
		abi=$(cat "$NVVB_CACHE/kernel/$ver/abi")
	fi
fi

dir="$NVVB_CACHE/kernel/$ver"
if [ -f "$dir/.ready" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir/debs"
image="linux-image-$abi-amd64-unsigned"
headers="linux-headers-$abi-common"
for p in "$image" "$headers"; do
	if ! ls "$dir/debs/${p}_"*.deb >/dev/null 2>&1; then
		log "downloading $p=$ver"
		(cd "$dir/debs" && retry apt-get download -qq "$p=$ver") >&2 ||
			die "apt-get download $p=$ver failed"
	fi
done
log "extracting $image"
rm -rf "$dir/root" "$dir/hdr" "$dir/uapi"
dpkg-deb -x "$dir/debs/${image}_"*.deb "$dir/root"
dpkg-deb --fsys-tarfile "$dir/debs/${headers}_"*.deb |
	tar -x -C "$dir" --wildcards "./usr/src/linux-headers-$abi-common/include/uapi/*"
mv "$dir/usr/src/linux-headers-$abi-common/include/uapi" "$dir/uapi"
rm -rf "$dir/usr"
# headers_install's transformation; linux/*.h come from linux-libc-dev.
mkdir -p "$dir/include/drm"
for h in "$dir"/uapi/drm/*.h; do
	sed -E 's/\b__user\b//g; s/\b__force\b//g; s/\b__iomem\b//g' "$h" \
		> "$dir/include/drm/$(basename "$h")"
done
kver=$(ls "$dir/root/lib/modules" | head -1)
[ -f "$dir/root/boot/vmlinuz-$kver" ] || die "$image has no /boot/vmlinuz-$kver"
ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
echo "$kver" > "$dir/version"
echo "$abi" > "$dir/abi"
touch "$dir/.ready"
log "kernel $kver ($ver) in $dir"
echo "$dir"
