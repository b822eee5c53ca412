#!/usr/bin/env bats
# Rootless homo's cgroups on cgroup v2 (docs/rootless.md, docs/cgroups.md):
# an ordinary user this file creates (as rootless_net.bats does) runs homo
# from a leaf of a subtree delegated to it by hand, as systemd delegates
# user@UID.service: the directory and its cgroup.procs, cgroup.threads and
# cgroup.subtree_control chowned to the user. Every limit then works as for
# root. On cgroup v1 nothing is delegated: rootless.bats tests the refusal.
bats_require_minimum_version 1.5.0
load helpers
load rootless_user

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup_file() {
	local start
	cgroup_v2 || return 0
	RC_DIR=$(mktemp -d /tmp/homo-rlcg.XXXXXX)
	chmod 755 "$RC_DIR"
	install -m 0755 "$HOMO" "$RC_DIR/homo"
	install -m 0644 "$BUSYBOX_TAR" "$RC_DIR/busybox.tar"
	RC_USER=hmrc$$
	start=$(rl_user_add "$RC_USER" "$RC_DIR/home" range)
	export RC_DIR RC_USER RC_START=$start
}

teardown_file() {
	local p
	[ -n "${RC_USER:-}" ] || return 0
	for p in $(rl_pids "$(id -u "$RC_USER")" "$RC_START"); do kill -9 "$p" 2>/dev/null; done
	rl_user_del "$RC_USER"
	rm -rf "$RC_DIR"
}

# a cgroup $1 of uid RC_USER: the directory and the files delegation gives
delegate() {
	mkdir "$1"
	chown "$RC_USER:$RC_USER" "$1" "$1/cgroup.procs" "$1/cgroup.threads" \
		"$1/cgroup.subtree_control"
}

setup() {
	helpers_setup
	cgroup_v2 || skip "cgroup v2 only: cgroup v1 delegates no cgroup to a user (rootless.bats tests the refusal there)"
	export TD=$RC_DIR/t$BATS_TEST_NUMBER
	install -d -m 0755 "$TD"
	install -d -m 0700 -o "$RC_USER" -g "$RC_USER" "$TD/run" "$TD/data"
	RC_UID=$(id -u "$RC_USER")
	# the delegated subtree, DG, under the root (whose controllers it
	# needs enabled), and the leaf the user's homo runs in, as systemd's
	# user@UID.service/app.slice/*.scope
	echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control
	DG=/sys/fs/cgroup/homo-rlcg-${T##*.}
	delegate "$DG"
	delegate "$DG/leaf"
	RC_CG=$DG/leaf
}

# homo as the user, its own environment, from cgroup $RC_CG ("" = stay in
# the test's own, root's cgroup)
rc() {
	(cd "$TD" && sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs"; shift
		exec runuser -u "$0" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$RC_DIR/home" XDG_RUNTIME_DIR="$TD/run" \
		XDG_DATA_HOME="$TD/data" HOMO_CGROUP_PARENT="$HOMO_CGROUP_PARENT" \
		"$RC_DIR/homo" "$@"' "$RC_USER" "$RC_CG" "$@")
}

# the container cgroup of id $1 in the delegated subtree
ccg() { echo "$DG/$HOMO_CGROUP_PARENT/$1"; }

# remove cgroup $1 (a process that just died may hold it a moment)
rm_cg() {
	[ -d "$1" ] || return 0
	for _ in $(seq 100); do
		rmdir "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "cgroup $1 would not go: $(cat "$1/cgroup.procs" 2>/dev/null | tr '\n' ' ')"
}

teardown() {
	local l="" p h
	if [ -n "${TD:-}" ]; then
		# what homo left in the subtree, before the test's own removal
		[ -d "$DG/$HOMO_CGROUP_PARENT" ] && l+=$'\n'"cgroup $DG/$HOMO_CGROUP_PARENT"
		h=$(cut -d' ' -f1 "$TD/run/homo/pause.pid" 2>/dev/null)
		for p in $(rl_pids "$(id -u "$RC_USER")" "$RC_START"); do
			[ "$p" = "$h" ] && continue
			l+=$'\n'"process $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		done
		for p in $(rl_pids "$(id -u "$RC_USER")" "$RC_START"); do kill -9 "$p" 2>/dev/null; done
		for c in "$DG/$HOMO_CGROUP_PARENT"/* "$DG/$HOMO_CGROUP_PARENT" "$DG/leaf" "$DG"; do
			l+=$(rm_cg "$c")
		done
		rm -rf "$TD"
	fi
	rl_teardown_report "$l"
}

@test "rootless cgroup v2: -m in a delegated subtree: a memory hog is OOM-killed, 137 and OOMKilled" {
	rc pull -q "$RC_DIR/busybox.tar" bb >/dev/null
	run rc run --name hog --net none -m 32m --memory-swap 32m bb probe memhog 200
	assert_status 137
	run rc inspect -f '{{.State.OOMKilled}}' hog
	assert_output_has true
	run rc run --name fine --net none -m 64m bb sh -c 'probe memhog 8; cat /sys/fs/cgroup/memory.max'
	assert_status 0
	assert_output_has 67108864
	rc rm hog fine >/dev/null
}

@test "rootless cgroup v2: a fork bomb stops at --pids-limit" {
	rc pull -q "$RC_DIR/busybox.tar" bb >/dev/null
	run rc run --rm --net none --pids-limit 20 bb probe forkbomb 100
	assert_status 0
	forked=$(sed -n 's/^forked=//p' <<<"$output")
	[ "$forked" -lt 20 ]
	[ "$forked" -gt 5 ]
}

@test "rootless cgroup v2: --cpus in cpu.max, pause and unpause, commit frozen, stats, rm kills the whole cgroup" {
	rc pull -q "$RC_DIR/busybox.tar" bb >/dev/null
	id=$(rc run -d --net none --cpus 0.5 --cpu-shares 512 -m 64m bb sh -c 'sleep 1000 & sleep 1000')
	[ "$(cat "$(ccg "$id")/cpu.max")" = "50000 100000" ]
	[ "$(rc exec "$id" cat /sys/fs/cgroup/cpu.max)" = "50000 100000" ]
	[ "$(cat "$(ccg "$id")/memory.max")" = 67108864 ]
	[ "$(grep -c . "$(ccg "$id")/cgroup.procs")" -ge 2 ]
	rc pause "$id"
	[ "$(cat "$(ccg "$id")/cgroup.freeze")" = 1 ]
	grep -q "frozen 1" "$(ccg "$id")/cgroup.events"
	[ "$(rc inspect -f '{{.State.Paused}}' "$id")" = true ]
	rc unpause "$id"
	[ "$(cat "$(ccg "$id")/cgroup.freeze")" = 0 ]
	# commit of a running container freezes it, as root's does
	run --separate-stderr rc commit "$id" bb-c
	assert_status 0
	[[ "$stderr" != *"no freezer"* ]]
	[ "$(cat "$(ccg "$id")/cgroup.freeze")" = 0 ]
	run rc stats --no-stream "$id"
	assert_status 0
	assert_output_has "/ 64MiB"
	rc rm -f "$id" >/dev/null
	[ ! -e "$(ccg "$id")" ]
	[ ! -e "$DG/$HOMO_CGROUP_PARENT" ]
}

@test "rootless cgroup v2: homo in the delegated root itself: -m fails in one line naming it; no limit runs" {
	RC_CG=$DG
	rc pull -q "$RC_DIR/busybox.tar" bb >/dev/null
	run --separate-stderr rc run --rm --net none -m 64m bb true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"$DG"*"child cgroup"* ]]
	[ ! -e "$DG/$HOMO_CGROUP_PARENT" ]
	# as without a delegation: no cgroup, and the user's is left as it was
	run rc run --rm --net none bb echo ran
	assert_status 0
	assert_output_has ran
	[ -z "$(cat "$DG/cgroup.subtree_control")" ]
}

@test "rootless cgroup v2: no delegated subtree holds homo: -m fails naming uid and cgroup; no limit runs" {
	RC_CG=""
	rc pull -q "$RC_DIR/busybox.tar" bb >/dev/null
	run --separate-stderr rc run --rm --net none -m 64m bb true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"delegated to uid $RC_UID"*"user@$RC_UID.service"* ]]
	[[ "$stderr" == *"$(sed -n 's/^0:://p' /proc/self/cgroup)"* ]]
	run rc run --rm --net none bb echo ran
	assert_status 0
	assert_output_has ran
}
