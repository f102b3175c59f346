#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Resolve and fetch a Debian kernel for the guest suites, without installing
# it, and print the directory holding it:
#
#   kernel.sh                 the kernel NVVB_KERNEL_ABI / NVVB_KERNEL select
#                             (default: the newest 6.12)
#   kernel.sh -s SERIES       the newest kernel of SERIES ("6.12", "7.3", "7.2",
#                             or "7": the newest 7.x)
#   kernel.sh -a ABI          exactly ABI (e.g. 7.3.4+deb13)
#   kernel.sh -r SEL          only resolve SEL (a series or an ABI): print
#                             "ABI VERSION SUITE", download nothing
#   kernel.sh -l              list what the archive has now, what is cached,
#                             and the default matrix
#
# The directory (cached under ${NVVB_CACHE}/kernel/<package version>/):
#   vmlinuz                   the bzImage
#   root/lib/modules/KVER/    its modules as shipped (.ko.xz)
#   include/drm/              its DRM uAPI headers made usable from user space
#                             the way "make headers_install" does (no __user)
#   version, abi, suite       KVER (e.g. 7.3.4+deb13-amd64), the ABI, the suite
#
# Kernels come from bookworm-backports, bookworm-security, trixie,
# trixie-backports and sid through a private apt configuration
# (scripts/lib/apt.sh): the host's sources and packages are never changed.
# 6.12 ships as linux-image-ABI-amd64-unsigned; 6.19 and later as
# linux-binary-ABI-amd64 + linux-modules-ABI-amd64.  Only the newest versions
# stay in the archive; a cached kernel keeps working after it has left.
# NVVB_KERNEL_DIR (your own kernel) is printed as is.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$NVVB_TOP/scripts/lib/apt.sh"

# The default matrix of 'scripts/nvvb test': the LTS and the newest 7.x.
NVVB_DEFAULT_KERNELS=${NVVB_DEFAULT_KERNELS:-"6.12 7"}

# Every amd64 kernel the private archive serves: "ABI VERSION SUITE", one
# line per package version, oldest first.
available() {
	local pkgs memo="$NVVB_APT_DIR/kernels.txt"
	# Reading the lists takes seconds: keep the answer until they change.
	if [ -f "$memo" ] && [ "$memo" -nt "$NVVB_APT_DIR/updated" ] &&
	   [ "$memo" -nt "$NVVB_APT_DIR/sources.list" ]; then
		cat "$memo"
		return 0
	fi
	available_uncached > "$memo.tmp" && mv "$memo.tmp" "$memo"
	cat "$memo"
}

available_uncached() {
	local pkgs
	mapfile -t pkgs < <(papt-cache pkgnames linux- 2>/dev/null |
		grep -E '^linux-(image-[0-9.]+\+deb[0-9]+-amd64-unsigned|binary-[0-9.]+\+deb[0-9]+-amd64)$')
	[ ${#pkgs[@]} -gt 0 ] || return 0
	papt-cache madison "${pkgs[@]}" | awk -F' *[|] *' '
		$3 ~ /Packages/ {
			abi = $1; gsub(/ /, "", abi)
			sub(/^linux-(image|binary)-/, "", abi); sub(/-amd64(-unsigned)?$/, "", abi)
			split($3, a, " "); s = a[2]; sub(/\/.*/, "", s)
			print abi, $2, s }' | sort -k2,2V -u
}

cached() {
	local d
	for d in "$NVVB_CACHE"/kernel/*/; do
		[ -f "$d/.ready" ] || continue
		echo "$(cat "$d/abi") $(basename "$d") $(cat "$d/suite" 2>/dev/null || echo '?')"
	done | sort -k2,2V
}

# resolve SEL: "ABI VERSION SUITE" of the newest kernel matching SEL, an ABI
# ("7.3.4+deb13") or a series ("7.3", "7"); from the archive, else the cache.
resolve() {
	local sel=$1 list
	list=$( { available; cached; } | sort -k2,2V -u)
	case $sel in
	*+deb*) echo "$list" | awk -v a="$sel" '$1 == a' | tail -1 ;;
	*)      echo "$list" | awk -v s="$sel" 'index($1, s ".") == 1' | tail -1 ;;
	esac
}

fetch() {
	local abi=$1 ver=$2 suite=$3 dir="$NVVB_CACHE/kernel/$2" p pkgs kver
	if [ -f "$dir/.ready" ]; then
		echo "$dir"
		return
	fi
	mkdir -p "$dir/debs"
	nvvb_lock "$dir.lock"
	if [ -f "$dir/.ready" ]; then
		echo "$dir"
		return
	fi
	if papt-cache show "linux-binary-$abi-amd64" >/dev/null 2>&1; then
		pkgs=("linux-binary-$abi-amd64" "linux-modules-$abi-amd64")
	else
		pkgs=("linux-image-$abi-amd64-unsigned")
	fi
	pkgs+=("linux-headers-$abi-common")
	for p in "${pkgs[@]}"; do
		ls "$dir/debs/${p}_"*.deb >/dev/null 2>&1 && continue
		log "downloading $p=$ver ($suite)"
		(cd "$dir/debs" && retry papt-get download -qq "$p=$ver") >&2 ||
			die "apt-get download $p=$ver failed"
	done
	log "extracting linux $abi"
	rm -rf "$dir/root" "$dir/uapi" "$dir/include" "$dir/usr"
	for p in "${pkgs[@]}"; do
		case $p in linux-headers-*) continue ;; esac
		dpkg-deb -x "$dir/debs/${p}_"*.deb "$dir/root"
	done
	# 7.x installs below /usr/lib (merged /usr); the harness reads lib/.
	if [ ! -d "$dir/root/lib/modules" ] && [ -d "$dir/root/usr/lib/modules" ]; then
		ln -sfn usr/lib "$dir/root/lib"
	fi
	kver=$(ls "$dir/root/lib/modules" | head -1)
	[ -n "$kver" ] || die "linux $abi: no modules directory in ${pkgs[*]}"
	if [ -f "$dir/root/boot/vmlinuz-$kver" ]; then
		ln -sfn "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	elif [ -f "$dir/root/lib/modules/$kver/vmlinuz" ]; then
		ln -sfn "root/lib/modules/$kver/vmlinuz" "$dir/vmlinuz"
	else
		die "linux $abi: no vmlinuz in ${pkgs[*]}"
	fi
	dpkg-deb --fsys-tarfile "$dir/debs/linux-headers-$abi-common_"*.deb |
		tar -x -C "$dir" --wildcards "./usr/src/linux-headers-$abi-common/include/uapi/*"
	mv "$dir/usr/src/linux-headers-$abi-common/include/uapi" "$dir/uapi"
	rm -rf "$dir/usr"
	# headers_install's transformation; linux/*.h come from linux-libc-dev.
	mkdir -p "$dir/include/drm"
	for p in "$dir"/uapi/drm/*.h; do
		sed -E 's/\b__user\b//g; s/\b__force\b//g; s/\b__iomem\b//g' "$p" \
			> "$dir/include/drm/$(basename "$p")"
	done
	echo "$kver" > "$dir/version"
	echo "$abi" > "$dir/abi"
	echo "$suite" > "$dir/suite"
	touch "$dir/.ready"
	log "kernel $kver ($ver, $suite) in $dir"
	echo "$dir"
}

# Refresh the private lists, but work from the cache when the archive
# cannot be reached.
lists() {
	nvvb_apt_private || log "apt: no package lists; only cached kernels are known"
}

list() {
	local sel r
	lists
	echo "Kernels the archive serves now (ABI, package version, suite):"
	available | sed 's/^/  /'
	echo "Cached in $NVVB_CACHE/kernel:"
	cached | sed 's/^/  /' | grep . || echo "  (none)"
	echo "Default matrix (NVVB_KERNELS, default \"$NVVB_DEFAULT_KERNELS\"):"
	for sel in ${NVVB_KERNELS:-$NVVB_DEFAULT_KERNELS}; do
		r=$(resolve "$sel")
		printf '  %-6s -> %s\n' "$sel" "${r:-(none)}"
	done
}

mode=select sel=
while getopts "s:a:r:lh" o; do
	case $o in
	s|a) sel=$OPTARG ;;
	r) mode=resolve sel=$OPTARG ;;
	l) mode=list ;;
	*) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done

if [ $mode = select ] && [ -z "$sel" ] && [ -n "${NVVB_KERNEL_DIR:-}" ]; then
	[ -f "$NVVB_KERNEL_DIR/version" ] || die "NVVB_KERNEL_DIR=$NVVB_KERNEL_DIR has no version file"
	echo "$NVVB_KERNEL_DIR"
	exit 0
fi
[ -n "$sel" ] || sel=${NVVB_KERNEL_ABI:-${NVVB_KERNEL:-6.12}}

case $mode in
list) list ;;
resolve|select)
	lists
	r=$(resolve "$sel")
	[ -n "$r" ] || die "no Debian kernel matches '$sel' (scripts/guest/kernel.sh -l lists them)"
	if [ $mode = resolve ]; then
		echo "$r"
	else
		# shellcheck disable=SC2086
		fetch $r
	fi
	;;
esac
