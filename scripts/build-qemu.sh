#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build QEMU 10.0.2 (Debian's source package) with the nv-vmbind device
# overlaid.  The unpacked, patched tree and its build directory live in the
# cache, keyed by the tarball hash, our hook patches and the configure flags;
# our own files are copied in on every run (only changed files are touched, so
# an edit to one device file rebuilds in seconds).
#
# Prints the build directory on stdout.  Options: --quiet (no ninja output),
# --san (the sanitizer flavour: clang with AddressSanitizer, UBSan and
# libFuzzer instrumentation, which also builds qemu-fuzz-x86_64 for QEMU's
# generic-fuzz; a tree of its own beside the normal one).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$NVVB_TOP/qemu/qemu.conf"

quiet=0
flavour=
for a in "$@"; do
	case "$a" in
	--quiet) quiet=1 ;;
	--san) flavour=san- ;;
	*) die "build-qemu.sh: unknown option $a" ;;
	esac
done
configure_env=()
configure_args=$QEMU_CONFIGURE_ARGS
if [ -n "$flavour" ]; then
	configure_env=(CC=clang CXX=clang++)
	configure_args="$configure_args $QEMU_SAN_CONFIGURE_ARGS"
fi

dl="$NVVB_CACHE/downloads"
mkdir -p "$dl"
# One build at a time per cache: two ninja runs in one build tree (two
# developers' shells, or a test run beside an edit loop) corrupt it.
exec 9>"$NVVB_CACHE/qemu-${flavour}build.lock"
if ! flock -n 9; then
	log "waiting for another QEMU build in $NVVB_CACHE to finish"
	flock 9
fi
tarball="$dl/$QEMU_TARBALL"

sha_ok() { echo "$QEMU_SHA256  $tarball" | sha256sum -c --status 2>/dev/null; }
if ! sha_ok; then
	log "fetching $QEMU_TARBALL (apt-get source --tar-only $QEMU_APT_SOURCE)"
	rm -f "$tarball"
	(cd "$dl" && retry apt-get source -qq --tar-only "$QEMU_APT_SOURCE") >&2 ||
		die "apt-get source $QEMU_APT_SOURCE failed (is deb-src for bookworm-backports configured? run scripts/setup-deps.sh)"
	[ -f "$tarball" ] ||
		die "$QEMU_APT_SOURCE no longer provides $QEMU_TARBALL (got: $(ls "$dl")); update qemu/qemu.conf"
	sha_ok || die "sha256 mismatch for $tarball (expected $QEMU_SHA256)"
fi

# The cache key covers what needs a fresh tree: the tarball, the configure
# flags and the preparation steps below (bump PREP_VERSION when they change).
# The hook patches are not in it: they are re-applied incrementally.
PREP_VERSION=2
key=$(echo "$PREP_VERSION $QEMU_SHA256 $configure_args" | sha256sum | cut -c1-12)
root="$NVVB_CACHE/qemu-$flavour$QEMU_VERSION-$key"
src="$root/src"
build="$root/build"

if [ ! -f "$src/.nvvb-prepared" ]; then
	log "unpacking QEMU $QEMU_VERSION into $root"
	rm -rf "$root" && mkdir -p "$root"
	tar -C "$root" -xf "$tarball"
	mv "$root/qemu-$QEMU_VERSION" "$src"
	# The +ds tarball drops the edk2 firmware; pc-bios/meson.build still
	# decompresses them.  Empty bzip2 streams are enough for x86 + SeaBIOS.
	sed -n "s/^ *'\(edk2-[^']*\.fd\)',*$/\1/p" "$src/pc-bios/meson.build" |
	while read -r fd; do
		[ -f "$src/pc-bios/$fd.bz2" ] || printf '' | bzip2 > "$src/pc-bios/$fd.bz2"
	done
	touch "$src/.nvvb-prepared"
	# Drop trees of older keys: each one is ~1.5 GB.
	for old in "$NVVB_CACHE"/qemu-$flavour[0-9]*/; do
		old=${old%/}
		[ "$old" = "$root" ] || { log "removing stale $old"; rm -rf "$old"; }
	done
fi

# Hook patches: applied to pristine copies of every file they (or the
# previously applied set) touch, and copied in only where the result differs,
# so changing a patch rebuilds only what it affects.
patch_sum=$(cat "$NVVB_TOP"/qemu/patches/*.patch | sha256sum | cut -c1-16)
if [ "$(cat "$src/.nvvb-patches" 2>/dev/null)" != "$patch_sum" ]; then
	mapfile -t touched < <( { sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' \
		"$NVVB_TOP"/qemu/patches/*.patch; cat "$src/.nvvb-touched" 2>/dev/null; } |
		sort -u)
	tmp=$(mktemp -d)
	tar -C "$tmp" -xf "$tarball" "${touched[@]/#/qemu-$QEMU_VERSION/}"
	for p in "$NVVB_TOP"/qemu/patches/*.patch; do
		log "applying $(basename "$p")"
		patch -s -d "$tmp/qemu-$QEMU_VERSION" -p1 < "$p" ||
			die "patch $p does not apply to QEMU $QEMU_VERSION"
	done
	for f in "${touched[@]}"; do
		cmp -s "$tmp/qemu-$QEMU_VERSION/$f" "$src/$f" ||
			cp "$tmp/qemu-$QEMU_VERSION/$f" "$src/$f"
	done
	rm -rf "$tmp"
	printf '%s\n' "${touched[@]}" > "$src/.nvvb-touched"
	echo "$patch_sum" > "$src/.nvvb-patches"
fi

# Overlay our files: a plain copy, every file at the path it has in QEMU's
# tree.  -c compares contents so unchanged files keep their mtime and ninja
# does not rebuild them; --delete only inside directories that are ours.
log "overlaying nv-vmbind files"
rsync -rc --delete "$NVVB_TOP/hw/display/nv-vmbind/" "$src/hw/display/nv-vmbind/"
rsync -rc --delete "$NVVB_TOP/tests/qtest/nv-vmbind/" "$src/tests/qtest/nv-vmbind/"
(cd "$NVVB_TOP" && rsync -Rrc include/hw/display/ qapi/nv-vmbind.json \
	tests/qtest/nv-vmbind*.c tests/qtest/libqos/nv-vmbind.[ch] \
	tests/qtest/fuzz/nv_vmbind_*.c "$src/")
# The device benchmark is a qtest program kept with the other benchmarks;
# in QEMU's tree it sits beside the qtests it shares libqos with.
rsync -c "$NVVB_TOP/bench/qtest/nv-vmbind-bench.c" "$src/tests/qtest/"

if [ ! -f "$build/build.ninja" ]; then
	log "configuring: ${configure_env[*]} $configure_args"
	rm -rf "$build" && mkdir -p "$build"
	# shellcheck disable=SC2086
	(cd "$build" && env "${configure_env[@]}" "$src/configure" $configure_args) \
		> "$root/configure.log" 2>&1 ||
		{ tail -30 "$root/configure.log" >&2; die "configure failed, see $root/configure.log"; }
fi

targets=(${NVVB_QEMU_TARGETS:-qemu-system-x86_64 tests/qtest/qos-test tests/qtest/nv-vmbind/nv-vmbind-migration-test tests/qtest/nv-vmbind/nv-vmbind-bench})
[ -n "$flavour" ] && targets+=(qemu-fuzz-x86_64)
log "building ${targets[*]} (cold: ~10 min on 2 cores; warm: seconds)"
if [ $quiet = 1 ]; then
	# Full log to a file, a progress line every 10% to the terminal.
	set +o pipefail
	ninja -C "$build" ${NVVB_NINJA_FLAGS:-} "${targets[@]}" 2>&1 |
		tee "$root/ninja.log" |
		awk '/^\[[0-9]+\/[0-9]+\]/ {
			split(substr($1, 2, length($1) - 2), n, "/")
			p = int(n[1] * 10 / n[2]) * 10
			if (p > last && n[2] > 20) {
				last = p
				printf "[nvvb] qemu build: %d%% (%d/%d steps)\n", p, n[1], n[2] > "/dev/stderr"
				fflush("/dev/stderr")
			}
		}'
	st=${PIPESTATUS[0]}
	set -o pipefail
	[ "$st" = 0 ] ||
		{ tail -40 "$root/ninja.log" >&2; die "QEMU build failed, see $root/ninja.log"; }
else
	# ninja's own [N/M] progress, one line per step, to stderr.
	ninja -C "$build" ${NVVB_NINJA_FLAGS:-} "${targets[@]}" >&2 || die "QEMU build failed"
fi

# Firmware: the tarball has none; Debian's seabios, ipxe-qemu and
# qemu-system-data packages do.  QEMU looks in qemu-bundle first.
fw="$build/qemu-bundle/usr/local/share/qemu"
mkdir -p "$fw"
for f in /usr/share/qemu/*.bin /usr/share/qemu/*.rom /usr/share/seabios/*.bin \
	 /usr/lib/ipxe/qemu/*.rom; do
	[ -e "$f" ] && [ ! -e "$fw/$(basename "$f")" ] && ln -sf "$f" "$fw/"
done
log "QEMU ready: $build/qemu-system-x86_64"
echo "$build"
