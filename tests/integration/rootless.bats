#!/usr/bin/env bats
# Rootless homo (docs/rootless.md): every homo here runs as an ordinary
# user the file creates, with a clean environment (its own HOME,
# XDG_RUNTIME_DIR and XDG_DATA_HOME per test): the user's defaults, its
# namespace holder, its /etc/subuid range. RL_USER has a range, RL_SOLO none
# (the single-id map). Both, their ranges and every file go in
# teardown_file; after each test nothing of theirs may stay (rl_leaks).
bats_require_minimum_version 1.5.0
load helpers
load rootless_user

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

# the first free 65536-aligned start after every line of both id files
setup_file() {
	local start
	RL_DIR=$(mktemp -d /tmp/homo-rootless.XXXXXX)
	chmod 755 "$RL_DIR"
	# readable by the users whatever the tree's modes
	install -m 0755 "$HOMO" "$RL_DIR/homo"
	install -m 0644 "$BUSYBOX_TAR" "$RL_DIR/busybox.tar"
	install -m 0644 "${LEDE_TAR:?set LEDE_TAR}" "$RL_DIR/lede.tar"
	RL_USER=hmrl$$ RL_SOLO=hmrs$$
	start=$(rl_user_add "$RL_USER" "$RL_DIR/home-$RL_USER" range)
	rl_user_add "$RL_SOLO" "$RL_DIR/home-$RL_SOLO"
	# an image with owners and modes beyond root's, for ls -ln
	mkdir "$RL_DIR/owners"
	tar -xf "$BUSYBOX_TAR" -C "$RL_DIR/owners"
	mkdir -p "$RL_DIR/owners/srv/d"
	touch "$RL_DIR/owners/srv/a" "$RL_DIR/owners/srv/b" "$RL_DIR/owners/srv/s"
	chown 1000:1000 "$RL_DIR/owners/srv/a"
	chown 65534:33 "$RL_DIR/owners/srv/b"
	chown 33:44 "$RL_DIR/owners/srv/d"
	chmod 4755 "$RL_DIR/owners/srv/s"
	chmod 1777 "$RL_DIR/owners/srv/d"
	tar -cf "$RL_DIR/owners.tar" -C "$RL_DIR/owners" .
	chmod 0644 "$RL_DIR/owners.tar"
	rm -rf "$RL_DIR/owners"
	export RL_DIR RL_USER RL_SOLO RL_START=$start
}

# every process of uid $1 (and, with $2, of its range), by pid
teardown_file() {
	local u p
	for u in "$RL_USER" "$RL_SOLO"; do
		id -u "$u" >/dev/null 2>&1 || continue
		for p in $(rl_pids "$(id -u "$u")" "$RL_START"); do kill -9 "$p" 2>/dev/null; done
		rm -rf "/tmp/homo-$(id -u "$u")"
		rl_user_del "$u"
	done
	rm -rf "$RL_DIR"
}

setup() {
	helpers_setup
	TD=$RL_DIR/t$BATS_TEST_NUMBER
	install -d -m 0755 "$TD"
	for u in "$RL_USER" "$RL_SOLO"; do
		install -d -m 0700 -o "$u" -g "$u" "$TD/run-$u" "$TD/data-$u"
	done
	RL_UID=$(id -u "$RL_USER")
	SOLO_UID=$(id -u "$RL_SOLO")
}

# homo as user $1 (rl: RL_USER, rs: RL_SOLO), the user's own environment
as_user() {
	local u=$1
	shift
	(cd "$TD" && runuser -u "$u" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$RL_DIR/home-$u" XDG_RUNTIME_DIR="$TD/run-$u" \
		XDG_DATA_HOME="$TD/data-$u" "$RL_DIR/homo" "$@")
}
rl() { as_user "$RL_USER" "$@"; }
rs() { as_user "$RL_SOLO" "$@"; }

# the holder of runroot $1 (the user's runroot, not XDG_RUNTIME_DIR)
holder_pid() { cut -d' ' -f1 "$1/pause.pid" 2>/dev/null; }

# every runroot of the test's users
runroots() { echo "$TD/run-$RL_USER/homo" "$TD/run-$RL_SOLO/homo" "/tmp/homo-$SOLO_UID"; }

# what user $1 (runroot $2, store $3) left: processes but the holders,
# mounts under the test dir, runtime dirs, temp names; containers' processes
# go with their init, asynchronously: poll briefly
rl_leaks() {
	local uid=$1 run=$2 data=$3 range=${4:-} h p hs="" left
	for p in $(runroots); do hs+=" $(holder_pid "$p")"; done
	h=$(holder_pid "$run")
	for _ in $(seq 100); do
		left=""
		for p in $(rl_pids "$uid" "$range"); do
			[[ " $hs " == *" $p "* ]] || left+=" $p"
		done
		[ -z "$left" ] && break
		sleep 0.02
	done
	for p in $left; do
		echo "process $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	awk -v t="$TD" 'index($5, t) == 1 { print "mount " $5 }' /proc/self/mountinfo
	[ -z "$h" ] || awk -v t="$TD" 'index($5, t) == 1 { print "mount (holder) " $5 }' "/proc/$h/mountinfo" 2>/dev/null
	[ -d "$run" ] && find "$run" -mindepth 1 -maxdepth 1 \
		! -name pause.pid ! -name pause.lock -printf 'runtime %p\n'
	[ -d "$data/homo" ] && find "$data/homo" -maxdepth 3 -name '*.tmp-*' -printf 'temp %p\n'
	return 0
}

# end the holder of runroot $1 (by its pid) and wait for it
end_holder() {
	local h
	h=$(holder_pid "$1")
	[ -n "$h" ] || return 0
	kill "$h" 2>/dev/null || return 0
	for _ in $(seq 200); do
		awk '/^State:/ { exit $2 == "Z" }' "/proc/$h/status" 2>/dev/null || return 0
		sleep 0.02
	done
	kill -9 "$h" 2>/dev/null || true
}

teardown() {
	local l="" p
	l+=$(rl_leaks "$RL_UID" "$TD/run-$RL_USER/homo" "$TD/data-$RL_USER" "$RL_START")
	l+=$'\n'$(rl_leaks "$SOLO_UID" "$TD/run-$RL_SOLO/homo" "$TD/data-$RL_SOLO")
	l+=$'\n'$(rl_leaks "$SOLO_UID" "/tmp/homo-$SOLO_UID" /nonexistent)
	for p in $(runroots); do end_holder "$p"; done
	rm -rf "/tmp/homo-$SOLO_UID"
	# with the holders gone, nothing of the users may run
	sleep 0.05
	for p in $(rl_pids "$RL_UID" "$RL_START") $(rl_pids "$SOLO_UID"); do
		l+=$'\n'"process $p after its holder: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$TD"
	rl_teardown_report "$l"
}

@test "rootless: the user's store and runroot by default; pull from a file and from stdin; images" {
	run rl pull -q "$RL_DIR/busybox.tar" bb
	assert_status 0
	[[ "$output" == sha256:* ]]
	run rl pull -q - bb2 <"$RL_DIR/busybox.tar"
	assert_status 0
	run rl images
	assert_status 0
	assert_output_has bb2
	# the store is the user's, its layers owned by the user on the host
	[ "$(stat -c %u "$TD/data-$RL_USER/homo")" = "$RL_UID" ]
	[ -n "$(ls "$TD/data-$RL_USER/homo/layers")" ]
	[ "$(stat -c %u:%a "$TD/run-$RL_USER/homo")" = "$RL_UID:700" ]
	# the holder: a process of the user's, in a user namespace mapping
	# the user to root and its range above
	h=$(holder_pid "$TD/run-$RL_USER/homo")
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$h/status")" = "$RL_UID" ]
	run cat "/proc/$h/uid_map"
	[ "$(echo "$output" | awk 'NR == 1 { print $1, $2, $3 }')" = "0 $RL_UID 1" ]
	[ "$(echo "$output" | awk 'NR == 2 { print $1, $2, $3 }')" = "1 $RL_START 65536" ]
	# nothing of root's was touched
	[ ! -e "$HOMO_ROOT" ]
}

@test "rootless: run --rm, -e, -w, -u, -v; the files of an image have the owners and modes a rootful run shows" {
	rl pull -q "$RL_DIR/owners.tar" owners >/dev/null
	"$HOMO" pull -q "$RL_DIR/owners.tar" owners >/dev/null
	# mode, owner, group, name (sizes of directories are the file system's:
	# the user's store is on /tmp, root's on /dev/shm)
	lsn='ls -lnR /srv /bin /usr /home | awk "NF > 4 { print \$1, \$3, \$4, \$NF }"'
	run rl run --rm --net none owners sh -c "$lsn"
	assert_status 0
	rootless=$output
	run "$HOMO" run --rm --net none owners sh -c "$lsn"
	assert_status 0
	diff <(echo "$rootless") <(echo "$output")
	assert_output_has "-rw-r--r-- 1000 1000 a"
	assert_output_has "-rw-r--r-- 65534 33 b"
	assert_output_has "drwxrwxrwt 33 44 d"
	assert_output_has "-rwsr-xr-x 0 0 s"
	# on the host they are the user's range
	layer=$(ls "$TD/data-$RL_USER/homo/layers")
	[ "$(stat -c %u:%g "$TD/data-$RL_USER/homo/layers/$layer/diff/srv/a")" = "$((RL_START + 999)):$((RL_START + 999))" ]
	[ "$(stat -c %u "$TD/data-$RL_USER/homo/layers/$layer/diff/srv/s")" = "$RL_UID" ]
	mkdir "$TD/vol"
	echo from-host >"$TD/vol/f"
	chown -R "$RL_USER:$RL_USER" "$TD/vol"
	run rl run --rm --net none -e FOO=bar -w /srv -u 1000:1000 -v "$TD/vol:/v" owners \
		sh -c 'echo $FOO $(pwd) $(id -u):$(id -g); cat /v/f; ls -ln /v/f'
	assert_status 0
	assert_output_has "bar /srv 1000:1000"
	assert_output_has from-host
	assert_output_has "-rw-r--r--    1 0        0"
	run rl run --rm --net none owners sh -c 'exit 7'
	assert_status 7
	[ -z "$(rl ps -aq)" ]
}

@test "rootless: run -d, ps, logs, exec, stop, start, restart, kill, wait, rm" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	run rl run -d --name d1 --net none bb sh -c 'echo started; exec sleep 1000'
	assert_status 0
	for _ in $(seq 100); do rl logs d1 | grep -q started && break; sleep 0.05; done
	run rl ps
	assert_output_has d1
	run rl logs d1
	assert_output_has started
	run rl exec d1 sh -c 'id -u; echo hi >/tmp/x; cat /tmp/x'
	assert_status 0
	assert_output_has hi
	run rl exec -u 1000 d1 id -u
	assert_output_has 1000
	# the container's processes: in the user's range, none with root's ids
	run rl exec d1 cat /proc/self/uid_map
	[ "$(echo "$output" | awk 'NR == 1 { print $2 }')" = "$RL_UID" ]
	run rl stop -t 1 d1
	assert_status 0
	run rl wait d1
	assert_output_has 137
	run rl start d1
	assert_status 0
	run rl restart -t 1 d1
	assert_status 0
	run rl kill d1
	assert_status 0
	run rl wait d1
	assert_output_has 137
	run rl ps -a
	assert_output_has Exited
	run rl rm d1
	assert_status 0
	[ -z "$(rl ps -aq)" ]
}

@test "rootless: commit, export, save, load, rmi" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	rl run --name c1 --net none bb sh -c 'mkdir /data; echo hi >/data/f; chown -R 1000:1000 /data; rm /bin/vi'
	run rl commit c1 bb-new
	assert_status 0
	run rl run --rm --net none bb-new sh -c 'ls -ln /data/f; cat /data/f; ls /bin/vi'
	assert_output_has "1000     1000"
	assert_output_has hi
	assert_output_has "No such file"
	# a running one: not frozen (no freezer cgroup), said in a warning
	rl run -d --name r1 --net none bb sh -c 'echo live >/live; exec sleep 1000' >/dev/null
	for _ in $(seq 100); do rl exec r1 cat /live 2>/dev/null | grep -q live && break; sleep 0.05; done
	run --separate-stderr rl commit r1 bb-live
	assert_status 0
	[[ "$stderr" == *"no freezer cgroup"* ]]
	run rl run --rm --net none bb-live cat /live
	assert_output_has live
	rl rm -f r1 >/dev/null
	rl rmi bb-live >/dev/null
	rl export c1 >"$TD/c1.tar"
	run tar -tvf "$TD/c1.tar"
	assert_output_has "1000/1000"
	assert_output_has "data/f"
	rl save bb-new >"$TD/save.tar"
	[ -s "$TD/save.tar" ]
	rl rm c1
	run rl rmi bb-new
	assert_status 0
	run rl load -i "$TD/save.tar"
	assert_status 0
	run rl run --rm --net none bb-new cat /data/f
	assert_output_has hi
	rl rmi bb-new bb >/dev/null
}

@test "rootless: --net host sees the host's links; --userns is refused in one line (the default network: rootless_net.bats)" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	run rl run --rm --net host bb ls /sys/class/net
	assert_status 0
	assert_output_has lo
	[ "$(echo "$output" | wc -l)" = "$(ls /sys/class/net | wc -l)" ]
	run --separate-stderr rl run --rm --userns=auto --net none bb true
	assert_status 125
	assert_one_error_line
	[ -z "$(rl ps -aq)" ]
}

@test "rootless: -m, --pids-limit and --cpus fail in one line; without them no cgroup is made" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	for opt in "-m 64m" "--pids-limit 10" "--cpus 0.5"; do
		run --separate-stderr rl run --rm --net none $opt bb true
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *cgroup* ]]
	done
	[ -z "$(rl ps -aq)" ]
	# inside, /sys/fs/cgroup is an empty read-only tmpfs: not the user's
	run rl run --rm --net none bb sh -c 'ls -A /sys/fs/cgroup | wc -l
		stat -f -c %T /sys/fs/cgroup; touch /sys/fs/cgroup/x'
	assert_status 1
	[ "$(sed -n 1p <<<"$output")" = 0 ]
	[ "$(sed -n 2p <<<"$output")" = tmpfs ]
	assert_output_has "Read-only file system"
	id=$(rl run -d --net none bb sleep 1000)
	for c in /sys/fs/cgroup/*/; do
		[ -z "$(find "$c" -maxdepth 3 -name "$id" 2>/dev/null)" ]
	done
	rl rm -f "$id" >/dev/null
}

@test "rootless: the same capabilities, seccomp and masks as root; nothing the user could not do" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	"$HOMO" pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	run rl run --rm --net none bb sh -c 'probe caps; probe seccomp; probe nnp; cat /proc/kcore 2>&1 | head -c 10 | wc -c'
	assert_status 0
	rootless=$output
	run "$HOMO" run --rm --net none bb sh -c 'probe caps; probe seccomp; probe nnp; cat /proc/kcore 2>&1 | head -c 10 | wc -c'
	[ "$rootless" = "$output" ]
	# root inside is the user outside: root's files stay root's
	run rl run --rm --net none -v /etc/shadow:/shadow bb cat /shadow
	assert_status 1
	assert_output_has "Permission denied"
	run rl run --rm --net none -v /root:/r bb touch /r/x
	[ "$status" -ne 0 ]
	[ ! -e /root/x ]
	run rl run --rm --net host bb sh -c 'echo x >/proc/sys/kernel/hostname'
	[ "$status" -ne 0 ]
	[ "$(hostname)" != x ]
}

@test "rootless: system check" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	rl run --name c --net none bb true
	run rl system check
	assert_status 0
	rl rm c >/dev/null
}

@test "rootless: fake_docker's LEDE: opkg installs a package, commit, the new image has it" {
	run rl pull -q "$RL_DIR/lede.tar" lede
	assert_status 0
	run rl run --name router --net none lede sh -c '. /etc/openwrt_release; echo $DISTRIB_ID; opkg install luci'
	assert_status 0
	assert_output_has LEDE
	run rl commit router lede-luci
	assert_status 0
	rl rm router >/dev/null
	run rl run --rm --net none lede-luci opkg list-installed
	assert_status 0
	assert_output_has luci
	run rl run --rm --net none lede opkg list-installed
	assert_output_lacks luci
}

@test "rootless: no subuid range: the single-id map, said once; the image runs" {
	run --separate-stderr rs pull -q "$RL_DIR/busybox.tar" bb
	assert_status 0
	[[ "$stderr" == *"no /etc/subuid and /etc/subgid range"* ]]
	run --separate-stderr rs run --rm --net none bb sh -c 'id -u; cat /proc/self/uid_map; chown 1000 /tmp 2>/dev/null || echo no-chown'
	assert_status 0
	[ -z "$stderr" ] # the warning came once, with the holder
	assert_output_has no-chown
	[ "$(echo "$output" | sed -n 2p | awk '{ print $1, $2, $3 }')" = "0 $SOLO_UID 1" ]
}

@test "rootless: without XDG_RUNTIME_DIR the runroot is /tmp/homo-UID, 0700; one not the user's is refused" {
	solo() {
		(cd "$TD" && runuser -u "$RL_SOLO" -- env -i PATH=/usr/bin:/bin \
			HOME="$RL_DIR/home-$RL_SOLO" XDG_DATA_HOME="$TD/data-$RL_SOLO" \
			"$RL_DIR/homo" "$@")
	}
	rm -rf "/tmp/homo-$SOLO_UID"
	run solo images
	assert_status 0
	[ "$(stat -c %u:%a "/tmp/homo-$SOLO_UID")" = "$SOLO_UID:700" ]
	end_holder "/tmp/homo-$SOLO_UID"
	rm -rf "/tmp/homo-$SOLO_UID"
	mkdir -m 0777 "/tmp/homo-$SOLO_UID"
	run --separate-stderr solo images
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *refused* ]]
	rmdir "/tmp/homo-$SOLO_UID"
	ln -s "$TD/run-$RL_SOLO" "/tmp/homo-$SOLO_UID"
	run --separate-stderr solo images
	assert_status 125
	assert_one_error_line
	rm "/tmp/homo-$SOLO_UID"
}

@test "rootless: run -it: a shell on the user's terminal" {
	rl pull -q "$RL_DIR/busybox.tar" bb >/dev/null
	export -f as_user rl
	export TD
	# script(1) runs its command with $SHELL, /bin/sh when unset (as in CI):
	# dash drops the exported functions, so name bash
	run env SHELL=/bin/bash bash -c "printf 'tty; id -u; exit 3\n' | script -qec 'bash -c \"rl run --rm -it --net none bb sh\"' /dev/null"
	assert_status 3
	assert_output_has /dev/pts/0
	[ -z "$(rl ps -aq)" ]
}
