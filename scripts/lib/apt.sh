# SPDX-License-Identifier: GPL-2.0-or-later
# A private apt configuration for the guest kernels and build roots.
#
# Guest kernels come from suites the host does not use (trixie,
# trixie-backports, sid) and the host must never be upgraded by them, so
# every query and download goes through an apt configuration of our own
# under $NVVB_CACHE/apt: its own sources list, package lists and cache;
# the host's sources, lists and dpkg state are only read.  The archive's
# address is never written into the repository: it is taken from the
# machine's own sources list (its bookworm entry; bookworm-security's for
# the security archive), so a local mirror works too.
#
# Source after common.sh.  Functions:
#   nvvb_apt_uri SUITE     the URI the machine's sources list gives SUITE
#   nvvb_apt_private       set up (and refresh when stale) the private lists
#   papt-get / papt-cache  apt-get / apt-cache on the private configuration

NVVB_APT_DIR="$NVVB_CACHE/apt"
# Suites the private configuration carries, in order of preference for a
# kernel series that several of them serve.
NVVB_APT_SUITES=(bookworm-backports bookworm-security trixie trixie-backports sid)
# Lists younger than this are reused without asking the archive (seconds);
# NVVB_APT_REFRESH=1 forces an update, NVVB_APT_REFRESH=0 never updates.
NVVB_APT_MAX_AGE=${NVVB_APT_MAX_AGE:-43200}

# The machine's apt source entries as "TYPE URI SUITE" lines, from both the
# one-line format (sources.list, *.list) and deb822 (*.sources).
nvvb_apt_host_entries() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -E 's/#.*//; s/\[[^]]*\]//' "$f" |
			awk '$1 == "deb" || $1 == "deb-src" { print $1, $2, $3 }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() {
				if (enabled && types != "" && uris != "" && suites != "") {
					nt = split(types, T, " "); nu = split(uris, U, " ")
					ns = split(suites, S, " ")
					for (i = 1; i <= nt; i++) for (j = 1; j <= nu; j++)
						for (k = 1; k <= ns; k++) print T[i], U[j], S[k]
				}
				types = uris = suites = ""; enabled = 1
			}
			BEGIN { enabled = 1 }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1); sub(/:$/, "", key)
				val = $0; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "enabled" && tolower(val) == "no") enabled = 0
			}
			END { flush() }' "$f"
	done
}

# nvvb_apt_uri SUITE: the archive URI for SUITE.  Security suites come from
# the machine's bookworm-security entry, everything else from its bookworm
# entry (the same archive serves trixie and sid).  NVVB_APT_URI and
# NVVB_APT_SECURITY_URI override.
nvvb_apt_uri() {
	local want=bookworm var=NVVB_APT_URI uri
	case $1 in
	*-security) want=bookworm-security var=NVVB_APT_SECURITY_URI ;;
	esac
	if [ -n "${!var:-}" ]; then
		echo "${!var%/}"
		return 0
	fi
	uri=$(nvvb_apt_host_entries | awk -v s="$want" '$1 == "deb" && $3 == s { print $2; exit }')
	[ -n "$uri" ] || return 1
	echo "${uri%/}"
}

# Check-Valid-Until is off: this workplace's archive serves frozen
# snapshots whose Release files are past their Valid-Until (sid's by 28
# days when last looked); signatures are still checked.
papt_opts() {
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$NVVB_APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$NVVB_APT_DIR/lists" \
		-o "Dir::Cache=$NVVB_APT_DIR/cache" \
		-o "Dir::State::status=$NVVB_APT_DIR/status" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o APT::Architecture=amd64 \
		-o APT::Architectures=amd64 \
		-o Acquire::Languages=none \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root \
		-o Debug::NoLocking=1
}

papt-get() {
	local o
	mapfile -t o < <(papt_opts)
	apt-get "${o[@]}" "$@"
}

papt-cache() {
	local o
	mapfile -t o < <(papt_opts)
	apt-cache "${o[@]}" "$@"
}

# Write the private sources list and update its lists when they are missing
# or older than NVVB_APT_MAX_AGE.  Suites whose URI the machine does not
# give are left out (said once).
nvvb_apt_private() {
	# apt's own locking is off (Debug::NoLocking: no root needed for
	# queries); concurrent runs serialise here instead, for this step only.
	mkdir -p "$NVVB_APT_DIR"
	( nvvb_lock "$NVVB_APT_DIR/lock"; nvvb_apt_private_locked )
}

nvvb_apt_private_locked() {
	local s uri list="$NVVB_APT_DIR/sources.list.new" stamp="$NVVB_APT_DIR/updated"
	mkdir -p "$NVVB_APT_DIR/lists/partial" "$NVVB_APT_DIR/cache/archives/partial"
	[ -f "$NVVB_APT_DIR/status" ] || : > "$NVVB_APT_DIR/status"
	: > "$list"
	for s in "${NVVB_APT_SUITES[@]}"; do
		if ! uri=$(nvvb_apt_uri "$s"); then
			log "apt: the machine's sources list has no entry to take $s's URI from; skipping $s"
			continue
		fi
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main" >> "$list"
	done
	if [ ! -s "$list" ]; then
		log "apt: no usable entry (bookworm) in the machine's sources list"
		return 1
	fi
	if ! cmp -s "$list" "$NVVB_APT_DIR/sources.list"; then
		mv "$list" "$NVVB_APT_DIR/sources.list"
		rm -f "$stamp"
	else
		rm -f "$list"
	fi
	local age=$NVVB_APT_MAX_AGE
	case ${NVVB_APT_REFRESH:-} in
	1) age=-1 ;;
	0) [ -f "$stamp" ] && return 0 ;;
	esac
	if [ -f "$stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt "$age" ]; then
		return 0
	fi
	log "apt: updating the private package lists ($(awk '{print $4}' "$NVVB_APT_DIR/sources.list" | tr '\n' ' '))"
	if retry papt-get -qq update >"$NVVB_APT_DIR/update.log" 2>&1; then
		touch "$stamp"
	elif ls "$NVVB_APT_DIR"/lists/*_Packages* >/dev/null 2>&1; then
		log "apt: update failed (see $NVVB_APT_DIR/update.log); using the lists from $(date -r "$NVVB_APT_DIR/lists" '+%F %R')"
	else
		cat "$NVVB_APT_DIR/update.log" >&2
		log "apt: could not fetch the private package lists"
		return 1
	fi
}
