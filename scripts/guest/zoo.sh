#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The bug zoo: historical VM_BIND bugs of nouveau and drm_gpuvm put back
# into Debian's kernel, each of which a suite must catch (tests/zoo/).
#
#   zoo.sh --qemu QEMU --gpuvm NVVB_GPUVM [--out DIR] [--timeout S] [--list]
#
# For each entry tests/zoo/NAME/ (bug.patch reverting an upstream fix,
# entry.conf saying which kernel, modules and suite): build the modules
# with the patch (patched-modules.sh), boot the suite that must catch it
# with them (gp107.sh: unmodified nouveau on nv-vmbind-gp107; nvvb-suite.sh:
# our driver on the patched drm_gpuvm), and call the bug caught when the
# suite reports at least one failure ("not ok").  One line per entry, then
# "caught N of M"; exit status 0 only if every entry was caught.
#
# NVVB_ZOO=name1,name2  run only these entries
# --out DIR   TAP, logs and build output per entry (default
#             ${NVVB_CACHE}/zoo-results)
# --timeout S per boot (default 600)
# --list      print the entries (name, fix, modules, suite) and exit
#
# The unpatched baseline is the normal test run (scripts/nvvb test): the
# same suites must pass there.  Each entry's expected failures
# (entry.conf expect=, an extended regex) are reported, not required: any
# failure counts as caught.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

qemu= gpuvm= out="$NVVB_CACHE/zoo-results" timeout=600 list=0
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--gpuvm) gpuvm=$2; shift ;;
	--out) out=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--list) list=1 ;;
	-h|--help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "zoo.sh: unknown argument $1" ;;
	esac
	shift
done

zoo="$NVVB_TOP/tests/zoo"
conf() { sed -n "s/^$2=//p" "$zoo/$1/entry.conf" | head -1; }

entries=()
for d in "$zoo"/*/; do
	n=$(basename "$d")
	[ -f "$d/bug.patch" ] && [ -f "$d/entry.conf" ] || continue
	if [ -n "${NVVB_ZOO:-}" ]; then
		case ",$NVVB_ZOO," in *",$n,"*) ;; *) continue ;; esac
	fi
	entries+=("$n")
done
if [ -n "${NVVB_ZOO:-}" ]; then
	for n in ${NVVB_ZOO//,/ }; do
		[ -f "$zoo/$n/entry.conf" ] || die "zoo.sh: no entry $n in tests/zoo (zoo.sh --list)"
	done
fi
[ ${#entries[@]} -gt 0 ] || die "zoo.sh: no entries"

if [ $list = 1 ]; then
	for n in "${entries[@]}"; do
		printf '%-24s %-13s %-10s %-6s %s\n' "$n" "$(conf "$n" fix)" \
			"$(conf "$n" modules)" "$(conf "$n" suite)" "$(conf "$n" subject)"
	done
	exit 0
fi
[ -x "$qemu" ] || die "zoo.sh: --qemu QEMU is required"
[ -x "$gpuvm" ] || die "zoo.sh: --gpuvm NVVB_GPUVM is required"
mkdir -p "$out"

caught=0 total=0 t0=$(date +%s) lines=()
for n in "${entries[@]}"; do
	total=$((total + 1))
	kser=$(conf "$n" kernel) mods=$(conf "$n" modules) suite=$(conf "$n" suite)
	fix=$(conf "$n" fix) expect=$(conf "$n" expect)
	kser=${kser:-6.12}
	d="$out/$n"
	rm -rf "$d" && mkdir -p "$d"
	te=$(date +%s)
	log "zoo $n: revert of $fix in $mods, Linux $kser, suite $suite"
	kdir=$("$NVVB_TOP/scripts/guest/kernel.sh" -s "$kser") ||
		die "zoo.sh: no kernel $kser"
	if ! mdir=$("$NVVB_TOP/scripts/guest/patched-modules.sh" -k "$kdir" \
			-p "$zoo/$n/bug.patch" -m "$mods" 2>"$d/build.out"); then
		line=$(printf '%-8s %-24s %-13s %-6s modules did not build (%s)' \
			"ERROR" "$n" "$fix" "$suite" "$d/build.out")
		lines+=("$line"); echo "$line"
		continue
	fi
	tb=$(date +%s)
	case $suite in
	gp107)
		NVVB_MODULES_OVERRIDE=$mdir NVVB_KERNEL=$kser NVVB_KERNEL_ABI= \
			"$NVVB_TOP/scripts/guest/gp107.sh" --qemu "$qemu" --gpuvm "$gpuvm" \
			--timeout "$timeout" --tap "$d/suite.tap" --log "$d/suite.log" \
			>"$d/suite.out" 2>&1 || true ;;
	nvvb)
		NVVB_MODULES_OVERRIDE=$mdir NVVB_KERNEL=$kser NVVB_KERNEL_ABI= \
			"$NVVB_TOP/scripts/guest/nvvb-suite.sh" --qemu "$qemu" --quiet \
			--timeout "$timeout" --tap "$d/suite.tap" --log "$d/suite.log" \
			>"$d/suite.out" 2>&1 || true ;;
	*) die "zoo.sh: $n: unknown suite '$suite' (gp107, nvvb)" ;;
	esac
	tr=$(date +%s)
	nfail=$(grep -c '^not ok' "$d/suite.tap" 2>/dev/null) || nfail=0
	npass=$(grep -c '^ok' "$d/suite.tap" 2>/dev/null) || npass=0
	exp=
	if [ -n "$expect" ]; then
		if grep -E '^not ok' "$d/suite.tap" 2>/dev/null | grep -qE -- "$expect"; then
			exp=", expected failure seen"
		else
			exp=", expected failure NOT seen"
		fi
	fi
	if [ "$nfail" -gt 0 ]; then
		caught=$((caught + 1)) verdict=caught
	else
		verdict=MISSED
		[ -s "$d/suite.tap" ] || verdict=ERROR
	fi
	first=$(grep -m1 -E '^not ok' "$d/suite.tap" 2>/dev/null | cut -c1-110) || true
	line=$(printf '%-8s %-24s %-13s %-6s %d not ok, %d ok%s (build %ds, boot %ds)%s' \
		"$verdict" "$n" "$fix" "$suite" "$nfail" "$npass" "$exp" \
		$((tb - te)) $((tr - tb)) "${first:+; first: $first}")
	lines+=("$line"); echo "$line"
	grep -E '^not ok' "$d/suite.tap" 2>/dev/null | sed 's/^/    /' > "$d/failures" || true
done
echo
printf '%s\n' "${lines[@]}"
echo "caught $caught of $total ($(( $(date +%s) - t0 )) s; results in $out)"
[ "$caught" = "$total" ]
