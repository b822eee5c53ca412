#!/usr/bin/env bats
# User namespaces: --userns=auto, --uidmap/--gidmap, idmapped layers.
bats_require_minimum_version 1.5.0
load helpers

@test "--userns=auto: root inside is an unprivileged host uid; image files keep their owners" {
	pull_busybox
	run homo run --rm --userns=auto busybox sh -c 'id -u; cat /proc/self/uid_map; ls -ln /bin/busybox'
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = 0 ]
	[ "$(sed -n 2p <<<"$output" | awk '{print $1, $2, $3}')" = "0 100000 65536" ]
	[ "$(sed -n 3p <<<"$output" | awk '{print $3, $4}')" = "0 0" ]
	# the same capabilities as without, but only over the namespace
	run homo run --rm --userns=auto busybox probe caps
	assert_output_has "CapEff=00000000a80425fb"
}

@test "--userns=auto: writes land in upper/ owned by the mapped root; the host sees that uid" {
	pull_busybox
	homo run -d --userns=auto --name u busybox sh -c 'echo hi > /etc/motd; mkdir -p /home/x; chown 1000:1000 /home/x; sleep 60' >/dev/null
	pid=$(homo inspect u | sed -n 's/.*"Pid": \([0-9]*\).*/\1/p' | head -1)
	[ "$(stat -c %u "/proc/$pid")" = 100000 ]
	for _ in $(seq 100); do [ -d "$(ls -d "$HOMO_ROOT"/containers/*/upper)/home/x" ] && break; sleep 0.05; done
	upper=$(ls -d "$HOMO_ROOT"/containers/*/upper)
	[ "$(stat -c %u:%g "$upper/etc/motd")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$upper/home/x")" = 101000:101000 ]
	# root in the container is not root on the host's files: a volume of
	# the host's root stays unwritable
	homo rm -f u
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
