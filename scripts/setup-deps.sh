#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every Debian package nv-vmbind needs (idempotent; root or sudo).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$NVVB_TOP/scripts/lib/apt.sh"

BACKPORTS=/etc/apt/sources.list.d/nv-vmbind-backports.sources
# Packages from bookworm itself.
PKGS=(build-essential ninja-build pkg-config libglib2.0-dev libpixman-1-dev
      python3-venv flex bison libfdt-dev libslirp-dev bzip2 xz-utils
      seabios ipxe-qemu qemu-system-data clang llvm rsync cpio ca-certificates
      libclang-rt-14-dev libdrm-dev mmdebstrap python3-sphinx)
# Packages that must come from bookworm-backports (QEMU 10 needs meson >= 1.5).
BPO_PKGS=(meson python3-pycotap)

stamp="$NVVB_CACHE/deps-ok"
want="$(printf '%s\n' "${PKGS[@]}" "${BPO_PKGS[@]}" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
   dpkg-query -W -f='${Status}\n' "${PKGS[@]}" "${BPO_PKGS[@]}" 2>/dev/null |
	grep -vq 'install ok installed' ; [ "${PIPESTATUS[1]:-1}" = 1 ] 2>/dev/null; then
	:
fi

missing=()
for p in "${PKGS[@]}" "${BPO_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
meson_ok=0
if command -v meson >/dev/null &&
   dpkg --compare-versions "$(meson --version)" ge 1.5; then
	meson_ok=1
fi
if [ ${#missing[@]} -eq 0 ] && [ $meson_ok = 1 ] && [ -f "$BACKPORTS" ]; then
	log "packages: all present"
	echo "$want" > "$stamp"
	exit 0
fi

# The archive's address comes from the machine's own sources list (its
# bookworm and bookworm-security entries), never from this repository.
uri=$(nvvb_apt_uri bookworm) ||
	die "the machine's apt sources have no bookworm entry to take the archive's URI from"
sec_uri=$(nvvb_apt_uri bookworm-security) || sec_uri=
if [ ! -f "$BACKPORTS" ]; then
	log "adding bookworm-backports (deb + deb-src, $uri) in $BACKPORTS"
	as_root tee "$BACKPORTS" >/dev/null <<SRC
Types: deb deb-src
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
# bookworm-security also needs deb-src (linux-source for the differential tests).
SEC=/etc/apt/sources.list.d/nv-vmbind-security-src.sources
if [ ! -f "$SEC" ] && [ -n "$sec_uri" ]; then
	as_root tee "$SEC" >/dev/null <<SRC
Types: deb-src
URIs: $sec_uri
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
log "apt-get update"
retry as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
log "installing: ${missing[*]:-(meson upgrade)}"
retry as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends "${PKGS[@]}"
retry as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}"
dpkg --compare-versions "$(meson --version)" ge 1.5 ||
	die "meson $(meson --version) is too old; bookworm-backports should give 1.7"
echo "$want" > "$stamp"
log "packages: done (meson $(meson --version))"
