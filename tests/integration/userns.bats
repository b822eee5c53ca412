#!/usr/bin/env bats
# User namespaces: --userns=auto, --uidmap/--gidmap, idmapped layers.
bats_require_minimum_version 1.5.0
load helpers

# Every homo here runs in a mount namespace of the test's own where /etc is
# an overlay (writes land in $T/ns/etc-up) and /var/lib a directory of the
# test: homo uses the real paths of /etc/subuid, /etc/subgid and its id
# registry, and the host's files are never touched. Both id files start
# empty, whatever the host's say.
eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	mkdir -p "$T/ns/etc-up" "$T/ns/etc-work" "$T/ns/varlib"
	unshare -m --propagation private sh -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc-up,workdir=$1/etc-work" /etc &&
		mount --bind "$1/varlib" /var/lib &&
		: >/etc/subuid && : >/etc/subgid && : >"$1/ready" &&
		exec sleep 100000' sh "$T/ns" &
	NS_PID=$!
	for _ in $(seq 250); do [ -e "$T/ns/ready" ] && break; sleep 0.02; done
	[ -e "$T/ns/ready" ]
}

teardown() {
	local r
	# a test that failed half-way: its containers, not left running in
	# our namespace (one that passed must have left nothing: leaks())
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		for r in "$T/root" "$T/root2"; do
			[ -d "$r" ] || continue
			HOMO_ROOT=$r homo rm -f $(HOMO_ROOT=$r homo ps -aq) >/dev/null 2>&1
		done
	fi
	homo ps -a >/dev/null 2>&1
	kill -9 "$NS_PID"
	wait "$NS_PID" 2>/dev/null || true
	helpers_teardown
}

inns_mnt() { nsenter -t "$NS_PID" -m "$@"; }
homo() { nsenter -t "$NS_PID" -m "$HOMO" "$@"; }
REGISTRY() { ls "$T/ns/varlib/homo-userns" | grep -v '^lock$' || true; }

# the start of homo's delegation in /etc/subuid (or $1)
homo_start() { inns_mnt sed -n 's/^homo:\([0-9]*\):.*/\1/p' "${1:-/etc/subuid}"; }

# the host start of a running container's uid map (gid_map: $2)
map_host() { homo exec "$1" cat "/proc/self/${2:-uid_map}" | awk '{print $2}'; }

@test "--userns=auto: root inside is an unprivileged host uid; image files keep their owners" {
	pull_busybox
	run homo run --rm --userns=auto busybox sh -c 'id -u; cat /proc/self/uid_map; ls -ln /bin/busybox'
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = 0 ]
	[ "$(sed -n 2p <<<"$output" | awk '{print $1, $2, $3}')" = "0 131072 65536" ]
	[ "$(sed -n 3p <<<"$output" | awk '{print $3, $4}')" = "0 0" ]
	# the same capabilities as without, but only over the namespace
	run homo run --rm --userns=auto busybox probe caps
	assert_output_has "CapEff=00000000a80425fb"
}

@test "--userns=auto: writes land in upper/ owned by the mapped root; the host sees that uid" {
	pull_busybox
	homo run -d --userns=auto --name u busybox sh -c 'echo hi > /etc/motd; mkdir -p /home/x; chown 1000:1000 /home/x; sleep 60' >/dev/null
	pid=$(homo inspect u | sed -n 's/.*"Pid": \([0-9]*\).*/\1/p' | head -1)
	[ "$(stat -c %u "/proc/$pid")" = 131072 ]
	for _ in $(seq 100); do [ -d "$(ls -d "$HOMO_ROOT"/containers/*/upper)/home/x" ] && break; sleep 0.05; done
	upper=$(ls -d "$HOMO_ROOT"/containers/*/upper)
	[ "$(stat -c %u:%g "$upper/etc/motd")" = 131072:131072 ]
	[ "$(stat -c %u:%g "$upper/home/x")" = 132072:132072 ]
	homo rm -f u
	# root in the container is not root on the host's files: a host
	# directory of root's, mode 0755, given as a volume, stays unwritable
	mkdir -m 0755 "$T/hostroot"
	chmod 0755 "$T"
	run homo run --rm --userns=auto -v "$T/hostroot:/h" busybox sh -c \
		'ls -ldn /h; touch /h/x && echo WROTE; echo done'
	assert_status 0
	assert_output_has "done"
	assert_output_has "Permission denied"
	assert_output_lacks "WROTE"
	[ ! -e "$T/hostroot/x" ]
}

@test "two containers get distinct ranges; the range is free again after rm" {
	pull_busybox
	homo run -d --userns=auto --name a busybox sleep 60 >/dev/null
	homo run -d --userns=auto --name b busybox sleep 60 >/dev/null
	ma=$(homo exec a cat /proc/self/uid_map | awk '{print $2}')
	mb=$(homo exec b cat /proc/self/uid_map | awk '{print $2}')
	[ "$ma" != "$mb" ]
	homo rm -f a >/dev/null
	homo run -d --userns=auto --name c busybox sleep 60 >/dev/null
	[ "$(homo exec c cat /proc/self/uid_map | awk '{print $2}')" = "$ma" ]
	homo rm -f b c >/dev/null
}

@test "--uidmap/--gidmap explicit; exec joins the user namespace" {
	pull_busybox
	homo run -d --uidmap 0:300000:65536 --gidmap 0:400000:65536 --name m busybox sleep 60 >/dev/null
	run homo exec m sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	assert_status 0
	assert_output_has "0     300000      65536"
	assert_output_has "0     400000      65536"
	[ "$(tail -1 <<<"$output")" = 0 ]
	homo rm -f m
}

@test "bad user namespace options: one error line, 125" {
	pull_busybox
	for args in "--userns=bogus" "--uidmap 1:100000:10" "--uidmap 0:0:65536" "--uidmap x" "--gidmap 0:100000:10" "--userns=auto --net host"; do
		run --separate-stderr homo run --rm $args busybox true
		assert_status 125
		assert_one_error_line
	done
}

@test "--userns=auto: commit and export write the container's owners, not the host's" {
	pull_busybox
	homo run -d --userns=auto --name u busybox sh -c '
		echo hi >/etc/motd; mkdir -p /home/x; echo f >/home/x/f
		chown 1000:1000 /home/x; chown 1000:1001 /home/x/f
		rm /bin/ls; rm -rf /usr; mkdir /usr; echo n >/usr/n
		cp /bin/busybox /capbin; touch /ready; sleep 60' >/dev/null
	upper=$(ls -d "$HOMO_ROOT"/containers/*/upper)
	for _ in $(seq 100); do [ -e "$upper/ready" ] && break; sleep 0.05; done
	[ "$(stat -c %u:%g "$upper/home/x/f")" = 132072:132073 ]
	# a file capability set by the container's root: the kernel stores it
	# as a namespaced (v3) one, owned by host uid 131072
	pid=$(homo inspect u | sed -n 's/.*"Pid": \([0-9]*\).*/\1/p' | head -1)
	nsenter -t "$pid" -U setcap cap_net_raw+ep "/proc/$pid/root/capbin"
	caplen() { python3 -c 'import os, sys; print(len(os.getxattr(sys.argv[1], "security.capability")))' "$1"; }
	[ "$(caplen "$upper/capbin")" = 24 ]
	run homo commit -q u uc
	assert_status 0
	d=$HOMO_ROOT/layers/$(homo inspect uc | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1 | cut -d: -f2)/diff
	[ "$(stat -c %u:%g "$d/etc/motd")" = 0:0 ]
	[ "$(stat -c %u:%g "$d/home/x")" = 1000:1000 ]
	[ "$(stat -c %u:%g "$d/home/x/f")" = 1000:1001 ]
	[ "$(stat -c '%F %t %T %u' "$d/bin/ls")" = "character special file 0 0 0" ]
	[ "$(caplen "$d/capbin")" = 20 ] # a plain v2 capability
	getcap "$d/capbin" | grep -q cap_net_raw
	# the same content from a container without a user namespace: the
	# same ids (the canonical tar of one tree, whoever ran it)
	run homo run --rm uc sh -c 'stat -c "%u:%g" /etc/motd /home/x /home/x/f; ls /usr; [ -e /bin/ls ] || echo gone'
	assert_status 0
	[ "$output" = "$(printf '0:0\n1000:1000\n1000:1001\nn\ngone')" ]
	run homo run --rm --userns=auto uc stat -c "%u:%g" /home/x/f
	[ "$output" = 1000:1001 ]
	# export: the container's upper and the image's layers alike
	homo export -o "$T/u.tar" u
	tar -tvf "$T/u.tar" >"$T/list" 2>/dev/null
	grep -q ' 0/0 .* etc/motd$' "$T/list"
	grep -q ' 1000/1001 .* home/x/f$' "$T/list"
	grep -q ' 0/0 .* bin/busybox$' "$T/list"
	! grep -q ' 13[0-9]\{4\}/' "$T/list"
	! grep -q ' bin/ls ' "$T/list"
	homo rm -f u >/dev/null
}

@test "--userns=auto never hands out ids /etc/subuid delegates to a user" {
	pull_busybox
	# alice owns 100000-165535: as root of a container there, she could
	# kill it and rewrite its files
	inns_mnt sh -c 'echo alice:100000:65536 >/etc/subuid; echo alice:100000:65536 >/etc/subgid'
	homo run -d --userns=auto --name a busybox sleep 60 >/dev/null
	u=$(map_host a) g=$(map_host a gid_map)
	[ "$u" -ge 165536 ]
	[ "$g" -ge 165536 ]
	# from homo's own delegation, placed after alice's
	[ "$u" = "$(homo_start)" ]
	[ "$g" = "$(homo_start /etc/subgid)" ]
	homo rm -f a >/dev/null
}

@test "--userns=auto: containers of two stores never share ids" {
	pull_busybox
	HOMO_ROOT=$T/root2 HOMO_RUNROOT=$T/run2 homo pull -q "$BUSYBOX_TAR" busybox >/dev/null
	homo run -d --userns=auto --name a busybox sleep 60 >/dev/null &
	pa=$!
	HOMO_ROOT=$T/root2 HOMO_RUNROOT=$T/run2 homo run -d --userns=auto --name b busybox sleep 60 >/dev/null &
	pb=$!
	wait "$pa" && wait "$pb"
	ua=$(map_host a)
	ub=$(HOMO_ROOT=$T/root2 HOMO_RUNROOT=$T/run2 map_host b)
	[ -n "$ua" ]
	[ -n "$ub" ]
	[ "$ua" != "$ub" ]
	[ "$(REGISTRY | wc -l)" = 4 ] # a uid and a gid range each
	HOMO_ROOT=$T/root2 HOMO_RUNROOT=$T/run2 homo rm -f b >/dev/null
	homo rm -f a >/dev/null
	[ -z "$(REGISTRY)" ]
}

@test "--userns=auto: a claim whose container is gone is reclaimed" {
	pull_busybox
	homo run --userns=auto --name x busybox true
	base=$(homo_start)
	[ "$(REGISTRY | wc -l)" = 2 ]
	# its store lost (the container with it): the range is free again
	rm -rf "$HOMO_ROOT/containers/$(homo inspect x | sed -n 's/.*"Id": "\([0-9a-f]*\)".*/\1/p' | head -1)"
	homo run -d --userns=auto --name y busybox sleep 60 >/dev/null
	[ "$(map_host y)" = "$base" ]
	[ "$(REGISTRY | wc -l)" = 2 ]
	homo rm -f y >/dev/null
}

@test "--uidmap: never over another user's ids nor an auto range; auto avoids it" {
	pull_busybox
	inns_mnt sh -c 'echo alice:100000:65536 >/etc/subuid; echo alice:100000:65536 >/etc/subgid'
	homo run --rm --userns=auto busybox true # homo's delegation exists
	base=$(homo_start)
	# a manual map inside homo's ids, not on an auto boundary
	homo run -d --uidmap 0:$((base + 1000)):65536 --name m busybox sleep 60 >/dev/null
	homo run -d --userns=auto --name a busybox sleep 60 >/dev/null
	u=$(map_host a)
	[ "$u" -ge $((base + 1000 + 65536)) ] || [ $((u + 65536)) -le $((base + 1000)) ]
	# a manual map over that auto range, or over alice's ids: refused
	for map in "0:$((u + 10)):10" "0:165000:1000" "0:90000:20000"; do
		run --separate-stderr homo run --rm --uidmap "$map" busybox true
		assert_status 125
		assert_one_error_line
	done
	[[ "$stderr" == *'delegated to "alice" in /etc/subuid'* ]]
	# the gids too (--gidmap defaults to the uid map)
	run --separate-stderr homo run --rm --uidmap 0:300000000:10 --gidmap 0:100010:10 busybox true
	assert_status 125
	[[ "$stderr" == *'/etc/subgid'* ]]
	homo rm -f m a >/dev/null
	[ -z "$(REGISTRY)" ]
}

@test "homo's delegation is added when missing, or one clear error" {
	pull_busybox
	# no trailing newline, an unusual mode; no /etc/subgid at all
	inns_mnt sh -c 'printf alice:100000:65536 >/etc/subuid; chmod 0604 /etc/subuid; rm /etc/subgid'
	homo run --rm --userns=auto busybox true
	[ "$(inns_mnt cat /etc/subuid)" = "$(printf 'alice:100000:65536\nhomo:196608:67108864')" ]
	[ "$(inns_mnt cat /etc/subgid)" = "homo:131072:67108864" ]
	[ "$(inns_mnt stat -c %a:%u /etc/subuid)" = 604:0 ]
	[ "$(inns_mnt stat -c %a:%u /etc/subgid)" = 644:0 ]
	! inns_mnt ls /etc | grep -q 'sub[ug]id\.'
	# kept, not added twice
	homo run --rm --userns=auto busybox true
	[ "$(inns_mnt grep -c homo /etc/subuid)" = 1 ]
	# a read-only /etc/subuid without homo's line: one error, nothing left
	inns_mnt sh -c 'echo alice:100000:65536 >/etc/subuid'
	inns_mnt mount --bind -o ro /etc/subuid /etc/subuid
	run --separate-stderr homo run --rm --userns=auto busybox true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *'cannot add "homo:196608:67108864" to /etc/subuid'*'Read-only file system'* ]]
	[ -z "$(homo ps -aq)" ]
	[ -z "$(REGISTRY)" ]
	! inns_mnt ls /etc | grep -q 'sub[ug]id\.'
}
