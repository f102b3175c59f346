#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch NVIDIA's GP107 graphics and ACR firmware from Debian's
# firmware-misc-nonfree package and print the directory holding it:
#
#   firmware.sh          DIR with DIR/nvidia/gp107/{gr,acr}/*.bin
#   firmware.sh -l       also list the files (to stderr)
#
# Why: nouveau constructs the GP107 graphics engine (and with it the
# kernel's graphics channel, drm->channel, without which user channels and
# DRM_NOUVEAU_EXEC are refused) only when it can load these images
# (engine/gr/gm200.c:gm200_gr_load) and ACR holds its HS images
# (subdev/acr/lsfw.c:nvkm_acr_lsfw_add).  Nothing here is ever run: the
# graphics engine is never initialised and ACR never boots HS code,
# because nvidia/gp107/sec2/* is deliberately left out (no SEC2 RTOS, so
# acr/base.c:nvkm_acr_init has nothing to load).
#
# The firmware is redistributable but not ours: it is downloaded here,
# cached under $NVVB_CACHE/firmware/<package version>/ and never committed.
# The package is in bookworm's non-free-firmware component, which the
# machine's sources may not carry: a private apt configuration
# ($NVVB_CACHE/apt-firmware) takes the URI of the machine's bookworm entry
# (scripts/lib/apt.sh) and adds that component; the host is not changed.
# Links in the package (gp107 -> gp102 files) are resolved: the cache holds
# plain files.  NVVB_FIRMWARE_DIR (a directory with nvidia/gp107/...)
# is printed as is.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$NVVB_TOP/scripts/lib/apt.sh"

list=0
[ "${1:-}" = -l ] && list=1

if [ -n "${NVVB_FIRMWARE_DIR:-}" ]; then
	[ -d "$NVVB_FIRMWARE_DIR/nvidia/gp107/gr" ] ||
		die "NVVB_FIRMWARE_DIR=$NVVB_FIRMWARE_DIR has no nvidia/gp107/gr"
	echo "$NVVB_FIRMWARE_DIR"
	exit 0
fi

# What nouveau's GP107 graphics and ACR constructors ask for (gr/gp107.c,
# acr/gp102.c MODULE_FIRMWARE lines), and nothing else.
FW_FILES=(
	gr/fecs_bl.bin gr/fecs_inst.bin gr/fecs_data.bin gr/fecs_sig.bin
	gr/gpccs_bl.bin gr/gpccs_inst.bin gr/gpccs_data.bin gr/gpccs_sig.bin
	gr/sw_ctx.bin gr/sw_nonctx.bin gr/sw_bundle_init.bin gr/sw_method_init.bin
	acr/bl.bin acr/ucode_load.bin acr/unload_bl.bin acr/ucode_unload.bin
)
PKG=firmware-misc-nonfree
APTDIR="$NVVB_CACHE/apt-firmware"

fw_apt() {
	apt-get -o "Dir::Etc::SourceList=$APTDIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$APTDIR/lists" \
		-o "Dir::Cache=$APTDIR/cache" \
		-o "Dir::State::status=$APTDIR/status" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 \
		-o Acquire::Languages=none -o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

fw_apt_cache() {
	apt-cache -o "Dir::Etc::SourceList=$APTDIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$APTDIR/lists" \
		-o "Dir::Cache=$APTDIR/cache" \
		-o "Dir::State::status=$APTDIR/status" \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 "$@"
}

fetch_locked() {
	local uri stamp="$APTDIR/updated" ver dir deb tmp f src
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
	[ -f "$APTDIR/status" ] || : > "$APTDIR/status"
	uri=$(nvvb_apt_uri bookworm) ||
		die "firmware: the machine's sources list has no bookworm entry to take the archive's URI from"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm non-free-firmware" \
		> "$APTDIR/sources.list.new"
	if ! cmp -s "$APTDIR/sources.list.new" "$APTDIR/sources.list"; then
		mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
		rm -f "$stamp"
	else
		rm -f "$APTDIR/sources.list.new"
	fi
	if [ ! -f "$stamp" ] ||
	   [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -ge "$NVVB_APT_MAX_AGE" ]; then
		log "firmware: updating the private package list (bookworm non-free-firmware)"
		if retry fw_apt -qq update > "$APTDIR/update.log" 2>&1; then
			touch "$stamp"
		elif ! ls "$APTDIR"/lists/*_Packages* > /dev/null 2>&1; then
			cat "$APTDIR/update.log" >&2
			die "firmware: could not fetch the non-free-firmware package list"
		fi
	fi
	ver=$(fw_apt_cache policy "$PKG" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		# The archive no longer answers: use the newest cached version.
		ver=$(ls "$NVVB_CACHE/firmware" 2>/dev/null | grep -v '\.lock$' | sort -V | tail -1 || true)
		[ -n "$ver" ] || die "firmware: $PKG is not in the archive's bookworm non-free-firmware"
	fi
	dir="$NVVB_CACHE/firmware/$ver"
	if [ -f "$dir/complete" ]; then
		echo "$dir"
		return 0
	fi
	log "firmware: downloading $PKG $ver (only nvidia/gp107/{gr,acr} is kept)"
	tmp=$(mktemp -d "$NVVB_CACHE/firmware/tmp.XXXXXX")
	(cd "$tmp" && retry fw_apt download -qq "$PKG=$ver") >&2 ||
		{ rm -rf "$tmp"; die "firmware: apt-get download $PKG=$ver failed"; }
	deb=$(ls "$tmp"/*.deb)
	dpkg-deb -x "$deb" "$tmp/root"
	rm -rf "$dir"
	mkdir -p "$dir/nvidia/gp107/gr" "$dir/nvidia/gp107/acr"
	for f in "${FW_FILES[@]}"; do
		src=$(find "$tmp/root" -path "*/lib/firmware/nvidia/gp107/$f*" | head -1)
		[ -n "$src" ] || { rm -rf "$tmp"; die "firmware: $PKG $ver has no nvidia/gp107/$f"; }
		# Links point into gp102/: copy what they resolve to, inside
		# the extracted tree only.
		src=$(readlink -f "$src")
		case $src in
		"$tmp/root/"*) ;;
		*) rm -rf "$tmp"; die "firmware: nvidia/gp107/$f points outside the package" ;;
		esac
		case $src in
		*.zst) zstd -q -d -c "$src" > "$dir/nvidia/gp107/$f" ;;
		*.xz) xz -d -c "$src" > "$dir/nvidia/gp107/$f" ;;
		*) cp "$src" "$dir/nvidia/gp107/$f" ;;
		esac
	done
	(cd "$dir" && sha256sum nvidia/gp107/*/*.bin > SHA256SUMS)
	echo "$ver" > "$dir/version"
	touch "$dir/complete"
	rm -rf "$tmp"
	echo "$dir"
}

mkdir -p "$NVVB_CACHE/firmware" "$APTDIR"
dir=$( nvvb_lock "$APTDIR/lock"; fetch_locked )
if [ $list = 1 ]; then
	(cd "$dir" && ls -l nvidia/gp107/*/*.bin) >&2
fi
echo "$dir"
