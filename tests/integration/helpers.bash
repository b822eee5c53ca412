# Shared setup for the bats integration tests (run as root).
# Every test gets its own store, runroot and cgroup parent in a temp dir on
# a tmpfs (this machine's root disk creates inodes erratically), and a leak
# check after it: no mount, cgroup, process or temp name of ours may stay.

: "${HOMO:?set HOMO to the homo binary}"
: "${BUSYBOX_TAR:?set BUSYBOX_TAR to the busybox test image}"
TEST_BASE=${HOMO_TEST_DIR:-/dev/shm}

setup() {
	T=$(mktemp -d "$TEST_BASE/homo-test.XXXXXX")
	export HOMO_ROOT=$T/root HOMO_RUNROOT=$T/run
	export HOMO_CGROUP_PARENT=homo-test-${T##*.}
	BG_PIDS=()
	# never the bridge in the host's namespace: a file that tests bridge
	# networking sets HOMO_TEST_NETNS=1 and runs homo in its own netns
	export HOMO_NETWORK_DEFAULT=none
	HOST_TABLE=$(nft list table ip homo 2>/dev/null | grep -c . || true)
	NETNS=""
	if [ -n "${HOMO_TEST_NETNS:-}" ]; then
		NETNS=homo-test-${T##*.}
		ip netns add "$NETNS"
		inns ip link set lo up
	fi
}

# a command in the test's network namespace (nsenter, not "ip netns exec",
# which remounts /sys and so hides the cgroup hierarchies)
inns() { nsenter --net="/run/netns/$NETNS" "$@"; }

# homo with the test's store (and netns); use as: run homo pull ...
homo() { ${NETNS:+nsenter --net=/run/netns/$NETNS} "$HOMO" "$@"; }

pull_busybox() {
	"$HOMO" pull -q "$BUSYBOX_TAR" "${1:-busybox}" >/dev/null
}

# An image: the busybox test image plus what "$2" (shell, run in the
# unpacked tree) does to it; pulled as $1.
make_image() {
	local name=$1 dir=$T/img-$1
	mkdir "$dir"
	tar -xf "$BUSYBOX_TAR" -C "$dir"
	(cd "$dir" && eval "$2")
	tar -cf "$T/$name.tar" -C "$dir" .
	"$HOMO" pull -q "$T/$name.tar" "$name" >/dev/null
	rm -rf "$dir" "$T/$name.tar"
}

# Start a background command and remember its pid for teardown.
bg() {
	"$@" &
	BG_PIDS+=($!)
}
# free_port [N]: a port P with P..P+N-1 (default 1) free on every address,
# below the kernel's ephemeral range: a random port inside that range may
# be any outgoing connection's local port at the moment it is bound
free_port() {
	local n=${1:-1} low p
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % (low - 20000 - n)))
		[ -z "$(ss -Htuan "( sport >= :$p and sport < :$((p + n)) )")" ] &&
			echo "$p" && return 0
	done
	echo "free_port: no $n free ports below $low" >&2
	return 1
}

# ulimit -v cannot apply to a homo built with AddressSanitizer: its shadow
# memory reserves terabytes of address space before main. Such a test is
# skipped, with this reason, only in make check-asan-integration; the regular
# suite runs it.
skip_under_asan() {
	[ -z "${HOMO_SANITIZER_LOGS:-}" ] ||
		skip "ulimit -v cannot apply to an ASan build: $1"
}

# the processes named $1 of this test's store (by HOMO_ROOT): its
# monitors (homo-monitor), its guard sockets' closers (homo-nfnl-close)
store_procs() {
	local p
	for p in $(grep -lx "$1" /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3); do
		tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "HOMO_ROOT=$HOMO_ROOT" &&
			echo "$p"
	done
	return 0
}

leaks() {
	local out="" p c
	# mounts: any mount point under the test dir
	out+=$(awk -v t="$T" 'index($5, t) == 1 { print "mount " $5 }' /proc/self/mountinfo)
	# cgroups of this test's parent, in every hierarchy (v2: the one);
	# homo keeps its own parent on cgroup v1 (Docker its /docker), so that
	# an empty one is no leak: the test's own, removed here
	for c in /sys/fs/cgroup/ /sys/fs/cgroup/*/; do
		[ -d "$c$HOMO_CGROUP_PARENT" ] || continue
		if [ -n "$(find "$c$HOMO_CGROUP_PARENT" -mindepth 1 -type d)" ] ||
			! rmdir "$c$HOMO_CGROUP_PARENT" 2>/dev/null; then
			out+=$'\n'"cgroup $c$HOMO_CGROUP_PARENT"
		fi
	done
	# container processes: members of a cgroup under the test's parent (a
	# pivoted process's /proc/PID/root reads "/", so it cannot tell); not a
	# dead one awaiting its reaper (the host's init), whose removed cgroup
	# v2 still shows as "... (deleted)" (v1 shows it as /)
	# (one grep over all of /proc: an exec per process costs seconds
	# under make check-vm's emulated CPU)
	for p in $(grep -H ":/$HOMO_CGROUP_PARENT/" /proc/[0-9]*/cgroup 2>/dev/null |
		grep -v ' (deleted)$' | cut -d/ -f3 | sort -u); do
		out+=$'\n'"process $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	# monitors of detached containers of this test's store
	for p in $(store_procs homo-monitor); do
		out+=$'\n'"monitor $p"
	done
	# the children that close a deleted guard's netfilter socket (net/
	# nfnl.c): each ends two RCU grace periods after its homo's close
	for p in $(seq 100); do
		[ -z "$(store_procs homo-nfnl-close)" ] && break
		sleep 0.02
	done
	for p in $(store_procs homo-nfnl-close); do
		out+=$'\n'"nftables socket closer $p"
	done
	# network: never homo's table in the host's namespace; in the test's
	# own, no veth of homo's (the kernel destroys them asynchronously: poll
	# briefly), no port rule and no veth guard
	[ "$(nft list table ip homo 2>/dev/null | grep -c . || true)" = "$HOST_TABLE" ] ||
		out+=$'\n'"nft table homo changed in the host namespace"
	if [ -n "$NETNS" ]; then
		for p in $(seq 100); do
			inns ip -o link show type veth | grep -q ': vh' || break
			sleep 0.02
		done
		out+=$(inns ip -o link show type veth | awk -F': ' '$2 ~ /^vh/ { print "\nveth " $2 }')
		out+=$(inns nft list chain ip homo ports 2>/dev/null | grep -o 'comment "[0-9a-f]*"' | sed 's/^/\nnft rule /')
		out+=$(inns nft list chains netdev 2>/dev/null | grep -o 'chain ctr_[0-9a-f]*' | sed 's/^/\nnft guard /')
		# user networks: their bridges and tables go with "network rm"
		out+=$(inns ip -o link show type bridge | awk -F': ' '$2 ~ /^hm-/ { print "\nbridge " $2 }')
		out+=$(inns nft list tables 2>/dev/null | grep -o 'ip homo_[0-9a-f]*' | sed 's/^/\nnft table /')
	fi
	for p in "$HOMO_ROOT"/net/ipam.json "$HOMO_ROOT"/net/networks/*/ipam.json; do
		[ -f "$p" ] || continue
		out+=$(grep -o '"id": "[0-9a-f]*"' "$p" | sed 's/^/\naddress allocation /')
	done
	# temp names and runtime dirs left behind
	if [ -d "$HOMO_ROOT" ]; then
		out+=$(find "$HOMO_ROOT" -maxdepth 3 -name '*.tmp-*' -printf '\ntemp %p' 2>/dev/null)
	fi
	if [ -d "$HOMO_RUNROOT" ]; then
		out+=$(find "$HOMO_RUNROOT" -mindepth 1 -maxdepth 1 -printf '\nruntime %p' 2>/dev/null)
	fi
	# sanitizer reports (scripts/check-asan.sh), each moved aside once told
	if [ -n "${HOMO_SANITIZER_LOGS:-}" ]; then
		mkdir -p "$HOMO_SANITIZER_LOGS/told"
		for p in "$HOMO_SANITIZER_LOGS"/asan.* "$HOMO_SANITIZER_LOGS"/ubsan.*; do
			[ -f "$p" ] || continue
			out+=$'\n'"sanitizer report ${p##*/}:"$'\n'$(cat "$p")
			mv "$p" "$HOMO_SANITIZER_LOGS/told/"
		done
	fi
	printf '%s' "$out" | sed '/^$/d'
}

teardown() {
	local p l
	for p in "${BG_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# the next homo command reconciles anything a killed homo left
	[ -d "$HOMO_ROOT" ] && homo ps -a >/dev/null 2>&1
	l=$(leaks)
	[ -n "$NETNS" ] && ip netns del "$NETNS"
	if [ -n "$l" ]; then
		echo "# LEAKS after '$BATS_TEST_DESCRIPTION':" >&3
		printf '%s\n' "$l" | sed 's/^/#   /' >&3
		# clean up so one leak does not cascade, then fail the test:
		# first this test's monitors and container processes (ours, by
		# pid: a failed test must not leave containers running)
		for p in /proc/[0-9]*; do
			if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "HOMO_ROOT=$HOMO_ROOT" ||
				grep -q ":/$HOMO_CGROUP_PARENT/" "$p/cgroup" 2>/dev/null; then
				kill -9 "${p#/proc/}" 2>/dev/null
			fi
		done
		awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo |
			sort -r | xargs -r -n1 umount -l
		for p in /sys/fs/cgroup/"$HOMO_CGROUP_PARENT" /sys/fs/cgroup/*/"$HOMO_CGROUP_PARENT"; do
			[ -d "$p" ] && find "$p" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
		rm -rf "$T"
		return 1
	fi
	rm -rf "$T"
}

# cgroup v2 alone at /sys/fs/cgroup (a systemd host; make check-vm's guest)
cgroup_v2() { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; }

# A v1 cgroup file's path inside a container, or its v2 counterpart's
# there: cg_in pids.max, cg_in memory.limit_in_bytes
cg_in() {
	if cgroup_v2; then
		case "$1" in
		memory.limit_in_bytes) echo /sys/fs/cgroup/memory.max ;;
		*) echo "/sys/fs/cgroup/$1" ;;
		esac
	else
		echo "/sys/fs/cgroup/${1%%.*}/$1"
	fi
}

# every container cgroup of the test's parent is thawed (either version)
all_thawed() {
	local f
	if cgroup_v2; then
		for f in /sys/fs/cgroup/"$HOMO_CGROUP_PARENT"/*/cgroup.freeze; do
			[ "$(cat "$f")" = 0 ] || return 1
		done
	else
		for f in /sys/fs/cgroup/freezer/"$HOMO_CGROUP_PARENT"/*/freezer.state; do
			[ "$(cat "$f")" = THAWED ] || return 1
		done
	fi
}

# wait (up to a minute: a bound against a hang, not a timing) for a file
# a container creates when it is ready
wait_file() {
	local i
	for i in $(seq 1200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "$1 never appeared"
	return 1
}

# wait until process $1 has stopped itself at a HOMO_FAULT_STOP point
wait_stopped() {
	local i
	for i in $(seq 1200); do
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		kill -0 "$1" 2>/dev/null || {
			echo "process $1 ended before its stop point"
			return 1
		}
		sleep 0.05
	done
	echo "process $1 never reached its stop point"
	return 1
}

# wait for a background job and keep its exit status in $status
wait_status() {
	status=0
	wait "$1" || status=$?
}

# assert helpers
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

assert_output_has() {
	if ! grep -qF -- "$1" <<<"$output"; then
		echo "output lacks '$1':" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

assert_output_lacks() {
	if grep -qF -- "$1" <<<"$output"; then
		echo "output has '$1':" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# one error line "homo: ..." on stderr, nothing else
assert_one_error_line() {
	local n
	n=$(printf '%s\n' "$stderr" | grep -c .)
	[ "$n" -eq 1 ] || { echo "expected one stderr line, got $n: $stderr" >&2; return 1; }
	[[ "$stderr" == homo:* ]] || { echo "stderr not 'homo: ...': $stderr" >&2; return 1; }
}

# a snapshot of the store's names, to prove a failed command changed nothing;
# without those that come and grow by design as commands run: lock files,
# the event log and the kept exit codes of removed --rm containers
store_snapshot() {
	(cd "$HOMO_ROOT" 2>/dev/null && find . \( -name lock -o -path ./exits \
		-o -name 'events.log*' \) -prune -o -print | sort)
}
