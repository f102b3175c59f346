#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch the few Linux 6.12 source files the GPUVM differential test compiles
# (drm_gpuvm.c, its header, the rbtree / interval-tree code) and the
# kernel's checkpatch.pl that scripts/lint.sh runs on our guest code, from
# Debian's linux-source-6.12 package, and print the directory holding them.
#
# The package comes from bookworm-backports; if that suite does not carry it,
# from bookworm-security (said on stderr).  NVVB_LINUX_SOURCE_SUITE=SUITE
# forces a suite.  Files are cached, keyed by the package version, under
#   ${NVVB_CACHE:-~/.cache/nv-vmbind}/linux-source/<version>/
# so a second run does not download anything.  Nothing lands in the
# repository: kernel source is never committed.
#
# Usage: scripts/fetch-linux-source.sh      -> prints the directory
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

PKG=linux-source-6.12
# Paths inside the package's tarball (below linux-source-6.12/).
FILES=(
	drivers/gpu/drm/drm_gpuvm.c
	include/drm/drm_gpuvm.h
	include/linux/rbtree.h
	include/linux/rbtree_types.h
	include/linux/rbtree_augmented.h
	include/linux/interval_tree_generic.h
	lib/rbtree.c
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)

# A cache directory holds every file of FILES (a cache made when the list
# was shorter is refreshed).
complete() {
	local f
	[ -f "$1/.complete" ] || return 1
	for f in "${FILES[@]}"; do [ -f "$1/$f" ] || return 1; done
}

# Newest version of $PKG that apt knows in suite $1 (empty if none).
version_in() {
	apt-cache madison "$PKG" 2>/dev/null |
		awk -F'|' -v s="$1/" '$3 ~ s { gsub(/ /, "", $2); print $2; exit }'
}

pick() {
	local suite
	if [ -n "${NVVB_LINUX_SOURCE_SUITE:-}" ]; then
		suite=$NVVB_LINUX_SOURCE_SUITE
		ver=$(version_in "$suite")
	else
		suite=bookworm-backports
		ver=$(version_in "$suite")
		if [ -z "$ver" ]; then
			suite=bookworm-security
			ver=$(version_in "$suite")
			[ -z "$ver" ] ||
				log "bookworm-backports carries no $PKG; using bookworm-security"
		fi
	fi
	SUITE=$suite
	VERSION=$ver
}

pick
if [ -z "$VERSION" ]; then
	log "apt knows no $PKG; running apt-get update (run scripts/setup-deps.sh for the backports source)"
	retry as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	pick
fi
[ -n "$VERSION" ] || die "no $PKG in bookworm-backports or bookworm-security (is bookworm-backports in apt's sources? scripts/setup-deps.sh adds it)"

dest="$NVVB_CACHE/linux-source/$VERSION"
if complete "$dest"; then
	echo "$dest"
	exit 0
fi

work=$(mktemp -d "$NVVB_CACHE/linux-source.XXXXXX")
trap 'rm -rf "$work"' EXIT
download() {
	log "downloading $PKG $VERSION from $SUITE (about 150 MB)"
	# apt-get download writes into the current directory; as root it warns
	# that the _apt user cannot write there, which is harmless.
	(cd "$work" && apt-get download -q "$PKG=$VERSION" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2 || true)
	deb=$(ls "$work"/"${PKG}"_*.deb 2>/dev/null | head -n1)
}
download
if [ -z "$deb" ]; then
	# Stale package lists name a version the archive no longer has.
	log "download failed; refreshing apt's lists"
	retry as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	pick
	dest="$NVVB_CACHE/linux-source/$VERSION"
	if complete "$dest"; then
		echo "$dest"
		exit 0
	fi
	download
fi
[ -n "$deb" ] || die "apt-get download $PKG=$VERSION failed"
got=$(dpkg-deb -f "$deb" Version)
[ "$got" = "$VERSION" ] || die "downloaded $PKG $got, wanted $VERSION"

log "extracting ${#FILES[@]} files"
mkdir -p "$work/src"
members=()
for f in "${FILES[@]}"; do members+=("$PKG/$f"); done
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$PKG.tar.xz" |
	tar -xJ -C "$work/src" --strip-components=1 "${members[@]}"
for f in "${FILES[@]}"; do
	[ -f "$work/src/$f" ] || die "$f missing from $PKG $VERSION"
done
printf '%s %s\n' "$PKG" "$VERSION" > "$work/src/VERSION"
touch "$work/src/.complete"
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$work/src" "$dest"
echo "$dest"
