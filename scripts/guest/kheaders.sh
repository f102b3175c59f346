#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch the build headers of a Debian kernel from scripts/guest/kernel.sh
# and print a directory usable as "make -C DIR M=... modules" (KDIR):
#
#   kheaders.sh -k KERNEL_DIR
#
# Downloads linux-headers-<abi>-amd64, linux-headers-<abi>-common and
# linux-kbuild-<abi> of the same package version as the kernel image,
# extracts them next to it (KERNEL_DIR/kbuild/) and points the arch headers'
# Makefile at the extracted common tree (it includes /usr/src/... by an
# absolute path).  Nothing is installed.  Cached: a second run only prints.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$NVVB_TOP/scripts/lib/apt.sh"

kdir=
while getopts "k:" o; do
	case $o in
	k) kdir=$OPTARG ;;
	*) die "usage: kheaders.sh -k KERNEL_DIR" ;;
	esac
done
[ -n "$kdir" ] || die "kheaders.sh: -k KERNEL_DIR is required"
[ -f "$kdir/abi" ] || die "kheaders.sh: $kdir has no abi file (not from kernel.sh?)"
abi=$(cat "$kdir/abi")
ver=$(basename "$kdir")
out="$kdir/kbuild"
build="$out/usr/src/linux-headers-$abi-amd64"
if [ -f "$out/.ready" ]; then
	echo "$build"
	exit 0
fi
mkdir -p "$kdir/debs"
nvvb_lock "$kdir/kbuild.lock"
if [ -f "$out/.ready" ]; then
	echo "$build"
	exit 0
fi
for p in "linux-headers-$abi-amd64" "linux-headers-$abi-common" "linux-kbuild-$abi"; do
	if ! ls "$kdir/debs/${p}_"*.deb >/dev/null 2>&1; then
		log "downloading $p=$ver"
		(cd "$kdir/debs" && retry papt-get download -qq "$p=$ver") >&2 ||
			die "apt-get download $p=$ver failed"
	fi
done
rm -rf "$out"
mkdir -p "$out"
for p in "linux-headers-$abi-amd64" "linux-headers-$abi-common" "linux-kbuild-$abi"; do
	dpkg-deb -x "$kdir/debs/${p}_"*.deb "$out"
done
[ -f "$build/Makefile" ] || die "no $build/Makefile after extraction"
# The arch tree includes the common one (and kbuild's) by absolute paths.
# 7.x also names its own directory as KBUILD_OUTPUT.
sed -i -e "s|^include /usr/src/|include $out/usr/src/|" \
	-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$out/usr/src/|" "$build/Makefile"
# scripts/ and tools/ are symlinks to /usr/lib/linux-kbuild-X.Y: retarget.
for l in "$build"/scripts "$build"/tools "$out/usr/src/linux-headers-$abi-common"/scripts \
	 "$out/usr/src/linux-headers-$abi-common"/tools; do
	if [ -L "$l" ]; then
		t=$(readlink "$l")
		case $t in /*) ln -sfn "$out$t" "$l" ;; esac
	fi
done
touch "$out/.ready"
log "kernel build headers for $abi in $build"
echo "$build"
