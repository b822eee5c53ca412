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
	[ "$(stat -c %u:%g "$upper/home/x/f")" = 101000:101001 ]
	# a file capability set by the container's root: the kernel stores it
	# as a namespaced (v3) one, owned by host uid 100000
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
	! grep -q ' 10[0-9]\{4\}/' "$T/list"
	! grep -q ' bin/ls ' "$T/list"
	homo rm -f u >/dev/null
}
