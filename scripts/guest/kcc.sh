#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run a command (a module build) with the toolchain a Debian kernel was
# built with:
#
#   kcc.sh -k KERNEL_DIR [-q] -- COMMAND [ARGS...]
#   kcc.sh -k KERNEL_DIR -w     print "host" or the build root, run nothing
#
# The compiler is the kernel's CONFIG_CC_VERSION_TEXT (its build headers'
# .config, see kheaders.sh).  When the host has that gcc major version
# (bookworm kernels: gcc-12) the command runs here.  Otherwise it runs in a
# build root of the Debian suite the kernel belongs to (+deb13: trixie,
# +deb14: sid), created once with mmdebstrap and cached under
# ${NVVB_CACHE}/buildroot/<suite>/: its own gcc, glibc and make, so the
# kernel's kbuild programs (fixdep, modpost: linked against that suite's
# glibc) run too.  Inside, $NVVB_CACHE and the repository are bind-mounted
# at the same paths, so every path means the same on both sides.
# Needs root (mmdebstrap, chroot, a private mount namespace).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$NVVB_TOP/scripts/lib/apt.sh"

kdir= which=0
while getopts "k:wq" o; do
	case $o in
	k) kdir=$OPTARG ;;
	w) which=1 ;;
	q) ;;
	*) die "usage: kcc.sh -k KERNEL_DIR [-w] -- COMMAND..." ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ -n "$kdir" ] || die "kcc.sh: -k KERNEL_DIR is required"

kbuild=$("$NVVB_TOP/scripts/guest/kheaders.sh" -k "$kdir")
cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kbuild/.config" 2>/dev/null)
[ -n "$cc_text" ] || die "kcc.sh: no CONFIG_CC_VERSION_TEXT in $kbuild/.config"
# "gcc-14 (Debian 14.2.0-19) 14.2.0" -> 14
cc_major=$(echo "$cc_text" | sed -n 's/.* \([0-9][0-9]*\)\.[0-9.]*$/\1/p')
case $cc_text in
gcc*|*-gcc-*) ;;
*) die "kcc.sh: $(cat "$kdir/abi") was built with '$cc_text'; only gcc kernels are supported" ;;
esac

host_major=$(gcc-"$cc_major" -dumpversion 2>/dev/null | cut -d. -f1 || true)
if [ "$host_major" = "$cc_major" ]; then
	if [ $which = 1 ]; then echo host; exit 0; fi
	exec "$@"
fi

case $(cat "$kdir/abi") in
*+deb13) suite=trixie ;;
*+deb14) suite=sid ;;
*+deb12) die "kcc.sh: $(cat "$kdir/abi") wants gcc-$cc_major, which this host lacks (install gcc-$cc_major)" ;;
*) die "kcc.sh: no Debian suite known for $(cat "$kdir/abi")" ;;
esac

root="$NVVB_CACHE/buildroot/$suite"
want="gcc-$cc_major"
[ -x "$root/usr/bin/$want" ] || { mkdir -p "$(dirname "$root")"; nvvb_lock "$root.lock"; }
if [ ! -x "$root/usr/bin/$want" ]; then
	[ "$(id -u)" -eq 0 ] || die "kcc.sh: creating a $suite build root needs root (mmdebstrap + chroot)"
	command -v mmdebstrap >/dev/null ||
		die "kcc.sh: mmdebstrap is missing (scripts/setup-deps.sh installs it)"
	nvvb_apt_private || true
	uri=$(nvvb_apt_uri "$suite") || die "kcc.sh: no archive URI for $suite"
	log "creating a $suite build root with $want for linux $(cat "$kdir/abi") in $root (mmdebstrap, ~500 MB, once)"
	rm -rf "$root.new"
	mkdir -p "$(dirname "$root")"
	# Valid-Until: see scripts/lib/apt.sh (signatures are still checked).
	mmdebstrap --variant=buildd --mode=root --format=directory \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="$want,make,bc,kmod,libelf-dev,libssl-dev,flex,bison,cpio,python3,xz-utils,zstd,rsync" \
		"$suite" "$root.new" "deb $uri $suite main" 2>&1 |
		sed -u 's/^/  mmdebstrap: /' >&2 ||
		die "kcc.sh: mmdebstrap of $suite failed"
	[ -x "$root.new/usr/bin/$want" ] || die "kcc.sh: the $suite build root has no $want"
	rm -rf "$root"
	mv "$root.new" "$root"
	date -u +%F > "$root/.nvvb-created"
	log "build root ready: $root ($(du -sh "$root" | cut -f1))"
fi
if [ $which = 1 ]; then echo "$root"; exit 0; fi

# The same paths inside: the cache (headers, work trees) and the repository,
# and the directories that entries of the cache link to (a cache can share
# kernel/, guest/... with another one through symlinks; without their
# targets the links would dangle inside).  The build root's own is skipped.
linked=()
for l in "$NVVB_CACHE"/*; do
	[ -L "$l" ] && [ -d "$l" ] || continue
	t=$(readlink -f "$l")
	[ "$t" = "$(readlink -f "$NVVB_CACHE/buildroot")" ] || linked+=("$t")
done
# shellcheck disable=SC2016
exec unshare -m --propagation private -- sh -ec '
	root=$1 cache=$2 top=$3 n=$4; shift 4
	bind() { mkdir -p "$root$1"; mount --bind "$1" "$root$1"; }
	bind "$cache"
	bind "$top"
	while [ "$n" -gt 0 ]; do bind "$1"; shift; n=$((n - 1)); done
	mount --rbind /dev "$root/dev"
	mount -t proc proc "$root/proc"
	cd_to=$(pwd)
	exec chroot "$root" /bin/sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$cd_to" "$@"
' kcc "$root" "$NVVB_CACHE" "$NVVB_TOP" ${#linked[@]} "${linked[@]}" "$@"
