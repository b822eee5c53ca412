#!/usr/bin/env bats
# homo as an OCI runtime: a container's life through runc's commands
# (docs/oci.md): create, start, state, kill, delete, run, spec, pause,
# resume, ps, list, hooks. Bundles are the busybox image unpacked under
# `homo-runtime spec`'s config.json. The init inherits create's stdio, so
# create runs with files for it (bats' `run` would wait for its pipe).
# The default cgroupsPath is $HOMO_CGROUP_PARENT/ID: the leak check sees
# any cgroup or process left.
bats_require_minimum_version 1.5.0
load helpers
load oci_bundle

# create ID [FLAGS...] from $T/b; the container's stdio is $T/ID.out/.err
create() {
	local id=$1
	shift
	rt create --bundle "$T/b" "$@" "$id" </dev/null >"$T/$id.out" 2>"$T/$id.err"
}

status_of() { rt state "$1" | jq -r .status; }

# process $1 is dead: gone, or a zombie its reaper (not us) has not seen
gone() {
	local i
	for i in $(seq 100); do
		[ -e "/proc/$1" ] || return 0
		grep -q '^State:.*[ZX]' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "process $1 is alive"
	return 1
}

# wait (bounded) until container $1 has status $2
wait_state() {
	local i
	for i in $(seq 600); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$1 never became $2 (is $(status_of "$1"))"
	return 1
}

@test "create stops before the process, in its cgroup, pid file written; start runs it; delete removes all" {
	bundle '.process.args = ["sh", "-c", "echo out:$(hostname):$$; echo err >&2"]'
	create c1 --pid-file "$T/pid"
	pid=$(cat "$T/pid")
	[ "$(status_of c1)" = created ]
	rt state c1 | jq -e --argjson p "$pid" --arg b "$T/b" '.pid == $p and .bundle == $b and .rootfs == ($b + "/rootfs")'
	# no homo process in between: create exited, the init is not yet the process
	grep -q ":/$HOMO_CGROUP_PARENT/c1\$" "/proc/$pid/cgroup"
	[ ! -s "$T/c1.out" ]
	[ -p "$T/oci/c1/exec.fifo" ]
	run -0 rt start c1
	wait_state c1 stopped
	# the process ran as the container's pid 1, with create's stdio
	[ "$(cat "$T/c1.out")" = "out:homo:1" ]
	[ "$(cat "$T/c1.err")" = err ]
	run -0 rt delete c1
	[ ! -e "$T/oci/c1" ]
	run -1 rt state c1
	assert_output_has 'container "c1" does not exist'
}

@test "start refuses a container that is not created; a second create of an id fails and leaves the first alone" {
	bundle '.process.args = ["sleep", "300"]'
	create c1
	run -1 --separate-stderr create c1
	grep -q 'container "c1" already exists' "$T/c1.err"
	[ "$(status_of c1)" = created ]
	run -0 rt start c1
	[ "$(status_of c1)" = running ]
	run -1 --separate-stderr rt start c1
	[ "$stderr" = "homo-runtime: cannot start a container that is running" ]
	run -0 rt kill c1 KILL
	wait_state c1 stopped
	run -1 rt start c1
	assert_output_has "cannot start a container that is stopped"
	run -0 rt delete c1
}

@test "a container-side failure of create is one line, exit 1, and nothing is left: no process, cgroup nor state" {
	bundle '.mounts += [{"destination": "/x", "type": "nosuchfs", "source": "none"}]'
	run -1 --separate-stderr rt create --bundle "$T/b" c1 </dev/null >/dev/null
	[ "$(printf '%s\n' "$stderr" | grep -c .)" = 1 ]
	[[ "$stderr" == "homo-runtime: "*/x* ]]
	[ ! -e "$T/oci/c1" ]
	run -1 rt state c1
	# bad input of the runtime's own: same shape
	run -1 --separate-stderr rt create --bundle "$T/nope" c2
	[[ "$stderr" == "homo-runtime: --bundle \"$T/nope\": "* ]]
	run -1 --separate-stderr rt create --bundle "$T/b" --preserve-fds x c2
	[ "$stderr" = 'homo-runtime: create: --preserve-fds: "x" is not a number of fds' ]
	run -1 --separate-stderr rt create --bundle "$T/b" --bogus c2
	[ "$stderr" = 'homo-runtime: create: unknown flag --bogus' ]
	run -1 --separate-stderr rt create --bundle "$T/b"
	[ "$stderr" = 'homo-runtime: create: needs exactly one container id' ]
	[ ! -e "$T/oci/c2" ]
}

@test "a command that cannot run fails create (as runc), with the phrases engines map to 127 and 126; nothing is left" {
	bundle '.process.args = ["/no/such/binary"]'
	run -1 --separate-stderr rt create --bundle "$T/b" c1 </dev/null >/dev/null
	[ "$stderr" = 'homo-runtime: exec "/no/such/binary": no such file or directory' ]
	rm -rf "$T/b"
	bundle '.process.args = ["nosuchcmd"]'
	run -1 --separate-stderr rt create --bundle "$T/b" c1 </dev/null >/dev/null
	[ "$stderr" = 'homo-runtime: exec "nosuchcmd": executable file not found in $PATH' ]
	rm -rf "$T/b"
	bundle '.process.args = ["/etc"]'
	run -1 --separate-stderr rt create --bundle "$T/b" c1 </dev/null >/dev/null
	[ "$stderr" = 'homo-runtime: exec "/etc": permission denied' ]
	[ ! -e "$T/oci/c1" ]
	run -1 rt state c1
	# found on the process's PATH: created, and it runs
	rm -rf "$T/b"
	bundle '.process.args = ["sh", "-c", "exit 7"] | .process.env = ["PATH=/bin"]'
	create c2
	rt start c2
	wait_state c2 stopped
	rt delete c2
}

@test "kill: a name or a number, TERM by default, --all; an unknown signal is refused" {
	bundle '.process.args = ["sh", "-c", "trap \"echo got-usr1\" USR1; while :; do sleep 0.1; done"]'
	create c1
	run -0 rt start c1
	run -1 rt kill c1 NOPE
	assert_output_has 'kill: invalid signal "NOPE"'
	# (again until the shell has set its trap: pid 1 ignores a signal
	# it has no handler for)
	for i in $(seq 100); do
		run -0 rt kill c1 SIGUSR1
		grep -q got-usr1 "$T/c1.out" && break
		sleep 0.05
	done
	grep -q got-usr1 "$T/c1.out"
	run -0 rt kill c1 10
	# pid 1 of its namespace ignores an unhandled TERM: --all reaches the sleeps too
	run -0 rt kill --all c1 9
	wait_state c1 stopped
	run -1 rt kill c1 9
	assert_output_has 'container "c1" is not running'
	run -0 rt delete c1
}

@test "delete refuses a created or running container without --force; --force kills it; --force of a missing id exits 0" {
	bundle '.process.args = ["sleep", "300"]'
	create c1
	run -1 rt delete c1
	assert_output_has 'cannot delete container "c1" that is created'
	create c2
	run -0 rt start c2
	run -1 rt delete c2
	assert_output_has 'cannot delete container "c2" that is running'
	pid=$(rt state c2 | jq .pid)
	run -0 rt delete --force c2
	gone "$pid"
	run -0 rt delete -f c1
	[ ! -e "$T/oci/c1" ]
	[ ! -e "$T/oci/c2" ]
	run -0 rt delete --force c1
	run -1 rt delete c1
	assert_output_has 'container "c1" does not exist'
}

@test "run: create and start in the foreground with the process's exit status, then deleted; --detach returns" {
	bundle '.process.args = ["sh", "-c", "echo ran; exit 7"]'
	run -7 rt run --bundle "$T/b" r1 </dev/null
	[ "$output" = ran ]
	[ ! -e "$T/oci/r1" ]
	jq '.process.args = ["sleep", "300"]' "$T/b/config.json" >"$T/c.json"
	mv "$T/c.json" "$T/b/config.json"
	rt run -d --bundle "$T/b" r2 </dev/null >/dev/null 2>&1
	[ "$(status_of r2)" = running ]
	run -0 rt delete --force r2
}

@test "pause and resume freeze the container's cgroup; ps lists its processes; list shows every container" {
	bundle '.process.args = ["sleep", "300"]'
	create c1 --pid-file "$T/pid"
	create c2
	run -0 rt start c1
	run -0 rt pause c1
	[ "$(status_of c1)" = paused ]
	[ "$(cat /sys/fs/cgroup/freezer/"$HOMO_CGROUP_PARENT"/c1/freezer.state 2>/dev/null || echo FROZEN)" = FROZEN ]
	run -1 rt pause c1
	assert_output_has "cannot pause a container that is paused"
	run -0 rt resume c1
	[ "$(status_of c1)" = running ]
	run -1 rt resume c1
	assert_output_has "cannot resume a container that is running"
	run -0 rt ps --format json c1
	[ "$output" = "[$(cat "$T/pid")]" ]
	run -0 rt ps c1
	assert_output_has "sleep 300"
	run -0 rt list --format json
	echo "$output" | jq -e 'length == 2 and .[0].id == "c1" and .[0].status == "running" and .[1].status == "created"'
	run -0 rt list -q
	[ "$output" = "$(printf 'c1\nc2')" ]
	run -0 rt list
	assert_output_has "ID"
	run -1 rt list --format yaml
	assert_output_has '"yaml" is not table or json'
	run -0 rt delete --force c1
	run -0 rt delete --force c2
}

@test "spec writes homo's default config.json, --rootless a user namespace; it never overwrites one" {
	ln -sfn "$HOMO" "$T/homo-runtime"
	mkdir "$T/s" "$T/r"
	run -0 rt spec --bundle "$T/s"
	jq -e '.process.args == ["sh"] and .root.path == "rootfs" and (.linux.namespaces | map(.type) | index("mount"))' "$T/s/config.json"
	run -1 rt spec --bundle "$T/s"
	assert_output_has "File exists"
	run -0 rt spec --rootless --bundle "$T/r"
	jq -e '(.linux.namespaces | map(.type) | index("user")) and .linux.uidMappings[0].hostID == 0' "$T/r/config.json"
}

# hooks KIND...: each writes its stdin (the state) to $T/hook.KIND
hooks_filter() {
	local f='.' k
	for k in "$@"; do
		f+=" | .hooks.$k = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat >$T/hook.$k\"]}]"
	done
	printf '%s' "$f"
}

@test "hooks: prestart, createRuntime, createContainer at create, startContainer and poststart at start, poststop at delete, each with the state on stdin" {
	bundle "$(hooks_filter prestart createRuntime createContainer poststart poststop) | .process.args = [\"true\"]"
	# startContainer runs inside the container: its path is the container's
	jq --arg t "$T" '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "cat >/hook.startContainer"]}] | .root.readonly = false' \
		"$T/b/config.json" >"$T/c.json"
	mv "$T/c.json" "$T/b/config.json"
	create c1
	for k in prestart createRuntime createContainer; do
		jq -e '.id == "c1" and .pid > 0' "$T/hook.$k"
	done
	[ ! -e "$T/hook.poststart" ]
	[ ! -e "$T/b/rootfs/hook.startContainer" ]
	run -0 rt start c1
	wait_state c1 stopped
	jq -e '.id == "c1"' "$T/b/rootfs/hook.startContainer"
	jq -e '.id == "c1" and .status == "running"' "$T/hook.poststart"
	[ ! -e "$T/hook.poststop" ]
	run -0 rt delete c1
	jq -e '.id == "c1" and .status == "stopped"' "$T/hook.poststop"
}

@test "hooks: a failing or timed-out prestart or createContainer hook fails create and leaves nothing; a failing poststop is a warning" {
	bundle '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
	run -1 --separate-stderr rt create --bundle "$T/b" c1 </dev/null
	[ "$stderr" = "homo-runtime: prestart: hook /bin/sh: exit status 3" ]
	[ ! -e "$T/oci/c1" ]
	jq '.hooks = {"createContainer": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}' "$T/b/config.json" >"$T/c.json"
	mv "$T/c.json" "$T/b/config.json"
	SECONDS=0
	run -1 --separate-stderr rt create --bundle "$T/b" c1 </dev/null
	[ "$stderr" = "homo-runtime: createContainer: hook /bin/sleep: timed out after 1 s" ]
	[ "$SECONDS" -lt 10 ]
	[ ! -e "$T/oci/c1" ]
	jq '.hooks = {"poststop": [{"path": "/bin/false"}]} | .process.args = ["true"]' "$T/b/config.json" >"$T/c.json"
	mv "$T/c.json" "$T/b/config.json"
	create c1
	run -0 rt start c1
	wait_state c1 stopped
	run -0 --separate-stderr rt delete c1
	[ "$stderr" = "homo-runtime: warning: poststop: hook /bin/false: exit status 1" ]
	[ ! -e "$T/oci/c1" ]
}

@test "exec: a command in the container's namespaces and cgroup, its exit status; --env, --cwd, --user; --process FILE --detach --pid-file" {
	bundle '.process.args = ["sleep", "300"] | .process.env += ["FROM_SPEC=1"]'
	create c1
	run -0 rt exec c1 true
	run -0 rt start c1
	run -0 rt exec c1 sh -c 'echo $$ $FROM_SPEC $(cat /proc/1/cmdline | tr "\0" " ")'
	# not the init: another pid of its namespace, the spec's env
	[ "${output%% *}" -gt 1 ]
	[[ "$output" == *" 1 sleep 300" ]]
	run -5 rt exec c1 sh -c 'exit 5'
	run -0 rt exec --env X=y --cwd /tmp --user 1000:1001 c1 sh -c 'echo $X $(pwd) $(id -u) $(id -g)'
	[ "$output" = "y /tmp 1000 1001" ]
	jq -n '{"args": ["sleep", "301"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "env": ["PATH=/bin"]}' >"$T/p.json"
	rt exec --process "$T/p.json" --detach --pid-file "$T/epid" c1 </dev/null >/dev/null 2>&1
	pid=$(cat "$T/epid")
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 301 " ]
	grep -q ":/$HOMO_CGROUP_PARENT/c1\$" "/proc/$pid/cgroup"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(rt state c1 | jq .pid)/ns/pid")" ]
	run -0 rt ps --format json c1
	echo "$output" | jq -e --argjson p "$pid" 'length == 2 and index($p)'
	# the exec's own failure comes back to exec, as create's do
	run -1 rt exec c1 /no/such
	assert_output_has "/no/such"
	run -1 rt exec c1
	assert_output_has "exec: needs --process FILE or a command"
	run -1 rt exec --user x c1 true
	assert_output_has 'exec: --user "x": not UID[:GID]'
	run -0 rt kill --all c1 KILL
	wait_state c1 stopped
	run -1 rt exec c1 true
	assert_output_has "cannot exec in a container that is stopped"
	run -0 rt delete c1
	gone "$pid"
}

# a console socket at $1 that takes one pty master, writes LINE to it and
# copies what comes back to $2
console_listener() {
	python3 - "$1" "$2" <<'PY' &
import array, os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(256, socket.CMSG_SPACE(4))
fds.frombytes(anc[0][2][:4])
m = fds[0]
out = open(sys.argv[2], "wb")
out.write(b"name=" + msg + b"\n"); out.flush()
end = time.time() + 20
while time.time() < end:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out.write(d); out.flush()
PY
	BG_PIDS+=($!)
	wait_file "$1"
}

@test "process.terminal: the pty master goes over --console-socket; the process has the slave as stdio and controlling tty, and /dev/console" {
	bundle '.process.terminal = true | .process.args = ["sh", "-c", "tty; [ -t 0 ] && echo stdin-is-tty; stat -c %t,%T /dev/console; sleep 1"]'
	run -1 rt create --bundle "$T/b" c1
	assert_output_has "process.terminal needs --console-socket"
	console_listener "$T/sock" "$T/tty.out"
	create c1 --console-socket "$T/sock"
	run -0 rt start c1
	wait_state c1 stopped
	grep -q "^name=/dev/pts/0" "$T/tty.out"
	grep -q "^/dev/pts/0" "$T/tty.out"
	grep -q stdin-is-tty "$T/tty.out"
	grep -q "^88,0" "$T/tty.out"
	run -0 rt delete c1
}

@test "linux.resources at create (memory, swappiness, cpu, pids, devices in order) and update --resources FILE|- on a running container" {
	cgroup_v2 && skip "cgroup v1's files: the next test is v2's"
	bundle '.process.args = ["sleep", "300"] | .linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432, "swappiness": 10}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}, "pids": {"limit": 99}, "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]}'
	create c1
	cg=$HOMO_CGROUP_PARENT/c1
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 67108864 ]
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.swappiness)" = 10 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 512 ]
	[ "$(cat /sys/fs/cgroup/pids/$cg/pids.max)" = 99 ]
	[ "$(head -1 /sys/fs/cgroup/devices/$cg/devices.list)" = "c 10:229 rwm" ]
	run -0 rt start c1
	echo '{"memory": {"limit": 134217728}, "cpu": {"quota": 20000}, "pids": {"limit": 50}}' >"$T/res.json"
	run -0 rt update --resources "$T/res.json" c1
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 20000 ]
	[ "$(cat /sys/fs/cgroup/pids/$cg/pids.max)" = 50 ]
	echo '{"pids": {"limit": 42}}' | rt update --resources - c1
	[ "$(cat /sys/fs/cgroup/pids/$cg/pids.max)" = 42 ]
	echo '{"pids": {"limit": -1}}' | rt update --resources - c1
	[ "$(cat /sys/fs/cgroup/pids/$cg/pids.max)" = max ]
	run -1 rt update c1
	assert_output_has "update: needs --resources FILE or -"
	echo '{"pids": {"limit": "x"}}' >"$T/bad.json"
	run -1 rt update --resources "$T/bad.json" c1
	assert_output_has "linux.resources.pids.limit"
	run -0 rt delete --force c1
}

@test "linux.resources on cgroup v2: memory.max, memory.low, cpu.weight, cpu.max, pids.max at create; update --resources" {
	cgroup_v2 || skip "cgroup v2 only: the test before is v1's"
	bundle '.process.args = ["sleep", "300"] | .linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}, "pids": {"limit": 99}}'
	create c1
	cg=/sys/fs/cgroup/$HOMO_CGROUP_PARENT/c1
	[ "$(cat "$cg/memory.max")" = 67108864 ]
	[ "$(cat "$cg/memory.low")" = 33554432 ]
	# Docker's and crun's map of shares onto weight: 1 + (512-2)*9999/262142
	[ "$(cat "$cg/cpu.weight")" = 20 ]
	[ "$(cat "$cg/cpu.max")" = "50000 100000" ]
	[ "$(cat "$cg/pids.max")" = 99 ]
	run -0 rt start c1
	echo '{"memory": {"limit": 134217728, "swap": 268435456}, "cpu": {"quota": 20000}, "pids": {"limit": 50}}' >"$T/res.json"
	run -0 rt update --resources "$T/res.json" c1
	[ "$(cat "$cg/memory.max")" = 134217728 ]
	[ "$(cat "$cg/memory.swap.max")" = 134217728 ]
	[ "$(cat "$cg/cpu.max")" = "20000 100000" ]
	[ "$(cat "$cg/pids.max")" = 50 ]
	echo '{"pids": {"limit": -1}}' | rt update --resources - c1
	[ "$(cat "$cg/pids.max")" = max ]
	run -0 rt delete --force c1
	[ ! -e "$cg" ]
}

@test "cgroupsPath: a nested absolute path, made and removed; a spec without a mount namespace gets a chroot, never a mount" {
	bundle ".process.args = [\"sleep\", \"300\"] | .linux.cgroupsPath = \"/$HOMO_CGROUP_PARENT/x/abs\""
	create c1 --pid-file "$T/pid"
	grep -q ":/$HOMO_CGROUP_PARENT/x/abs\$" "/proc/$(cat "$T/pid")/cgroup"
	run -0 rt delete --force c1
	# the leaf and the parent made for it go; the top one stays
	if cgroup_v2; then
		[ ! -e "/sys/fs/cgroup/$HOMO_CGROUP_PARENT/x" ]
		rmdir "/sys/fs/cgroup/$HOMO_CGROUP_PARENT"
	else
		[ ! -e "/sys/fs/cgroup/pids/$HOMO_CGROUP_PARENT/x" ]
		rmdir /sys/fs/cgroup/*/"$HOMO_CGROUP_PARENT"
	fi
	jq 'del(.hostname) | .linux.namespaces = [{"type": "pid"}] | .linux.cgroupsPath = null' "$T/b/config.json" >"$T/c.json"
	mv "$T/c.json" "$T/b/config.json"
	before=$(wc -l </proc/self/mountinfo)
	create c3 --pid-file "$T/pid"
	[ "$(readlink "/proc/$(cat "$T/pid")/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(readlink "/proc/$(cat "$T/pid")/root")" = "$T/b/rootfs" ]
	[ "$(wc -l </proc/self/mountinfo)" = "$before" ]
	run -0 rt delete --force c3
}

@test "--preserve-fds N passes fds 3..3+N-1 to the process; the caller's other fds are not held by the created init" {
	bundle '.process.args = ["sh", "-c", "cat <&3; ls /proc/self/fd"]'
	echo passed-in >"$T/in"
	rt create --bundle "$T/b" --preserve-fds 1 --pid-file "$T/pid" c1 3<"$T/in" 5>"$T/held" </dev/null >"$T/c1.out" 2>&1
	# fd 5 (an engine's pipe, say) must not wait on the container's start
	! ls -l "/proc/$(cat "$T/pid")/fd" | grep -q "$T/held" || false
	ls -l "/proc/$(cat "$T/pid")/fd" | grep -q "$T/in"
	run -0 rt start c1
	wait_state c1 stopped
	grep -q passed-in "$T/c1.out"
	# 0 1 2 3, and ls's own directory fd
	[ "$(sed 1d "$T/c1.out" | tr '\n' ' ')" = "0 1 2 3 4 " ]
	run -0 rt delete c1
}

@test "a capability outside the runtime's bounding set is an error of create, not a process without it" {
	bundle '.process.capabilities.bounding += ["CAP_SYS_TIME"] | .process.capabilities.effective += ["CAP_SYS_TIME"]'
	# (files, not bats' pipes: an init that wrongly exists must not hang us)
	rc=0
	setpriv --bounding-set=-sys_time "$T/homo-runtime" --root "$T/oci" create --bundle "$T/b" c1 </dev/null >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = 1 ]
	[ "$(cat "$T/err")" = "homo-runtime: process.capabilities: CAP_SYS_TIME cannot be granted (not in the runtime's bounding set)" ]
	[ ! -e "$T/oci/c1" ]
}

@test "seccomp: the container's filter, loaded before the user switch without noNewPrivileges, does not stop the init's own setup (close_range)" {
	bundle '.process.noNewPrivileges = false | .process.args = ["sh", "-c", "echo filtered; cat /proc/self/status | grep ^Seccomp:"] | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["close_range", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	rc=0
	create c1 || rc=$?
	cat "$T/c1.err"
	[ "$rc" = 0 ]
	run -0 rt start c1
	wait_state c1 stopped
	grep -q filtered "$T/c1.out"
	grep -q "^Seccomp:.*2" "$T/c1.out"
	run -0 rt delete c1
}

@test "run of a terminal spec without --console-socket relays its own pty (as runc), exit status kept, nothing left" {
	bundle '.process.terminal = true | .process.args = ["sh", "-c", "tty; echo in-tty; exit 3"]'
	run -3 rt run --bundle "$T/b" t1 </dev/null
	[ "$(printf '%s' "$output" | tr -d '\r')" = "$(printf '/dev/pts/0\nin-tty')" ]
	[ ! -e "$T/oci/t1" ]
	# the compiled filter of spec's seccomp profile is kept, for the next
	[ -z "$(ls -A "$T/oci" | grep -vx .seccomp-cache)" ]
}
