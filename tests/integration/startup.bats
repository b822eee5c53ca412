#!/usr/bin/env bats
# The start path's own costs (issue 19, docs/performance.md): what homo
# loads and does on the way to a container. Speed itself is measured by
# make bench, never asserted here; these tests pin the work that is left out.
bats_require_minimum_version 1.5.0
load helpers

cid() { ls "$HOMO_ROOT/containers" | grep -v '^\.' | while read -r id; do
	grep -q "\"name\": \"$1\"" "$HOMO_ROOT/containers/$id/config.json" && echo "$id"
done; }

# a field of the container's state.json (reads the file: runs no homo)
state_of() {
	sed -n "s/.*\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" \
		"$HOMO_ROOT/containers/$(cid "$1")/state.json" 2>/dev/null
}

@test "libnl is loaded only for bridged networking: not by homo --version nor by a --net none container's homo" {
	run env LD_DEBUG=libs "$HOMO" --version
	assert_status 0
	assert_output_has "homo version"
	assert_output_lacks "libnl"
	pull_busybox
	homo run -d --net none --name c busybox sleep 60 >/dev/null
	owner=$(state_of c Owner)
	[ -n "$owner" ]
	[ -r "/proc/$owner/maps" ]
	# the monitor: the homo that started the container and stays
	run grep -c 'libnl' "/proc/$owner/maps"
	[ "$output" = 0 ]
	# the check reads the right process: homo's binary
	[ "$(readlink "/proc/$owner/exe")" = "$(readlink -f "$HOMO")" ]
	homo rm -f c >/dev/null
}

@test "libcap, jansson and libseccomp are linked in from their archives: neither homo --version nor a container's homo maps them" {
	for l in cap jansson seccomp; do
		[ -f "$(${CC:-cc} -print-file-name=lib$l.a)" ] ||
			skip "lib$l.a is not installed: the Makefile links the shared libraries"
	done
	run env LD_DEBUG=libs "$HOMO" --version
	assert_status 0
	assert_output_has "homo version"
	# ld.so loads libc alone
	assert_output_has "libc.so"
	assert_output_lacks "libcap"
	assert_output_lacks "libjansson"
	assert_output_lacks "libseccomp"
	pull_busybox
	homo run -d --net none --name c busybox sleep 60 >/dev/null
	owner=$(state_of c Owner)
	[ -n "$owner" ]
	[ -r "/proc/$owner/maps" ]
	[ "$(readlink "/proc/$owner/exe")" = "$(readlink -f "$HOMO")" ]
	run grep -cE 'lib(cap|jansson|seccomp)\.so' "/proc/$owner/maps"
	[ "$output" = 0 ]
	homo rm -f c >/dev/null
}

# LeakSanitizer cannot run under ptrace: the ASan build runs these with
# leak detection off (AddressSanitizer itself stays on)
NOLSAN="ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0"

# the syscalls of a homo command (all its processes), one line each
# the tasks files process $1 wrote "0" to, by itself, in $T/trace
tasks_zeroed() {
	# (strace pads a pid to five columns)
	grep -o "^$1 \+write([0-9]*</sys/fs/cgroup/[^>]*/tasks>, \"0\", 1" "$T/trace" |
		sed 's/^[0-9]* *//' | sort -u | wc -l
}

need_strace() {
	command -v strace >/dev/null ||
		skip "strace is not installed (scripts/install-deps.sh)"
}

@test "a start reads no time zone: its UTC timestamps are formatted without strftime's tzset" {
	need_strace
	pull_busybox
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=openat,open "$HOMO" run --rm --net none busybox true
	assert_status 0
	run grep -c localtime "$T/trace"
	[ "$output" = 0 ]
}

@test "run --rm tears its container down once: the removal does not rmdir the cgroups and dirs again" {
	need_strace
	pull_busybox
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=rmdir "$HOMO" run --rm --net none busybox true
	assert_status 0
	# the cgroups were removed: once, not a second time to ENOENT
	grep -q 'rmdir("/sys/fs/cgroup/.*) = 0' "$T/trace"
	run grep -c 'rmdir(.*ENOENT' "$T/trace"
	[ "$output" = 0 ]
	[ -z "$(ls "$HOMO_ROOT/containers")" ]
}

@test "a new container's files are written once in its temp dir, whose rename is the one atomic step" {
	need_strace
	pull_busybox
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=rename,renameat,renameat2 "$HOMO" create --name c --net none busybox true
	assert_status 0
	# no file renamed inside the container's directory before it appears
	run grep -c 'containers/\.tmp-[^/"]*/' "$T/trace"
	[ "$output" = 0 ]
	grep -q 'containers/\.tmp-[^/"]*", ' "$T/trace"
	# and the record is whole
	dir=$HOMO_ROOT/containers/$(cid c)
	for f in config.json state.json hostname hosts resolv.conf; do
		[ -s "$dir/$f" ]
	done
	run homo inspect -f '{{.State.Status}} {{.Name}}' c
	assert_status 0
	[ "$output" = "created /c" ]
	homo rm c >/dev/null
}

# The cgroups a container's pid is in, from the host's view: one line
# "hierarchy:path" each (/proc/PID/cgroup)
host_cgroups() { cat "/proc/$1/cgroup"; }

@test "the init is born in its cgroup2 cgroup and joins its v1 ones itself: no pid is written to a cgroup.procs or tasks file (the kernel's threadgroup lock, whose first writer waits for an RCU grace period)" {
	need_strace
	pull_busybox
	run env "$NOLSAN" strace -f -qq -y -o "$T/trace" -e trace=write,clone3 "$HOMO" run --rm --net none busybox true
	assert_status 0
	# no process moved another into a cgroup by its cgroup.procs ...
	run grep -c 'cgroup.procs>, "[0-9]' "$T/trace"
	[ "$output" = 0 ]
	# ... nor into a tasks file: a write of a pid takes the kernel's
	# threadgroup lock, as cgroup.procs does (before: homo wrote the
	# init's pid to each v1 hierarchy's, 6-17 ms of a lone start); the
	# init (sharing homo's memory until it execs: right after GO) writes
	# "0", itself, its one thread, to each v1 hierarchy's tasks
	run grep -c '/tasks>, "[1-9]' "$T/trace"
	[ "$output" = 0 ]
	init=$(awk '/clone3\(.*CLONE_NEWPID/ { print $NF }' "$T/trace")
	[ -n "$init" ]
	v1=$(awk '$3 == "cgroup" { n++ } END { print n + 0 }' /proc/self/mounts)
	# (each file once: strace may split a call over two lines, "<unfinished
	# ...>" and "resumed", and a cpuset without CPUs is written again once
	# filled; a failed join would have failed the start)
	[ "$(tasks_zeroed "$init")" = "$v1" ] || { grep 'tasks>' "$T/trace"; false; }
	# ... and was born in the cgroup2 one where there is one
	if grep -q ' cgroup2 ' /proc/self/mounts; then
		grep -q 'clone3(.*CLONE_INTO_CGROUP' "$T/trace"
	fi
	# a running container's init is in the container's cgroup in every
	# hierarchy the host has (the path ends in its id)
	homo run -d --net none --name c busybox sleep 60 >/dev/null
	id=$(cid c)
	pid=$(state_of c Pid)
	run host_cgroups "$pid"
	assert_status 0
	[ "${#lines[@]}" -gt 0 ]
	for l in "${lines[@]}"; do
		[[ $l == *"/$id" ]] || { echo "not in its cgroup: $l"; return 1; }
	done
	# homo exec's process joins the same way, and is in every cgroup
	run env "$NOLSAN" strace -f -qq -y -o "$T/trace" -e trace=write,clone3 "$HOMO" exec c sh -c 'sleep 2 >/dev/null 2>&1 & cat /proc/$!/cgroup >/dev/null; echo $!; sleep 1'
	assert_status 0
	run grep -c 'cgroup.procs>, "[0-9]' "$T/trace"
	[ "$output" = 0 ]
	run grep -c '/tasks>, "[1-9]' "$T/trace"
	[ "$output" = 0 ]
	child=$(awk '/clone3\(/ { print $NF; exit }' "$T/trace")
	[ -n "$child" ]
	[ "$(tasks_zeroed "$child")" = "$v1" ] || { grep 'tasks>' "$T/trace"; false; }
	homo rm -f c >/dev/null
}

@test "the init and homo exec's child share homo's memory until they exec: homo keeps its own command line, the container's processes show their commands" {
	pull_busybox
	"$HOMO" run --rm --name vm busybox sleep 30 &
	BG_PIDS+=($!)
	homo_pid=$!
	for _ in $(seq 100); do
		[ "$(state_of vm Status)" = running ] && break
		sleep 0.1
	done
	[ "$(state_of vm Status)" = running ]
	pid=$(state_of vm Pid)
	# the init's cmdline area was homo's: rewriting it as a forked
	# init does ("homo-init -- ...") would have rewritten homo's own
	[ "$(tr '\0' ' ' <"/proc/$homo_pid/cmdline")" = "$HOMO run --rm --name vm busybox sleep 30 " ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 30 " ]
	# homo exec's child hides exec's command line as "homo-exec -- ..."
	# until its own exec (the container sees it), then it is exec's again
	"$HOMO" exec vm sleep 20 &
	BG_PIDS+=($!)
	exec_pid=$!
	for _ in $(seq 100); do
		child=$(cat "/proc/$exec_pid/task/$exec_pid/children" 2>/dev/null)
		[ -n "$child" ] && [ "$(tr '\0' ' ' <"/proc/${child% }/cmdline")" = "sleep 20 " ] && break
		sleep 0.1
	done
	[ "$(tr '\0' ' ' <"/proc/${child% }/cmdline")" = "sleep 20 " ]
	[ "$(tr '\0' ' ' <"/proc/$exec_pid/cmdline")" = "$HOMO exec vm sleep 20 " ]
	homo rm -f vm >/dev/null
	wait "$homo_pid" "$exec_pid" || true
}

@test "homo-runtime create: the init is in its cgroups in every hierarchy before start, without a cgroup.procs write" {
	need_strace
	pull_busybox
	b=$T/bundle
	mkdir -p "$b/rootfs"
	tar -xf "$BUSYBOX_TAR" -C "$b/rootfs"
	ln -sfn "$HOMO" "$T/homo-runtime"
	(cd "$b" && "$T/homo-runtime" spec)
	# its default cgroupsPath: $HOMO_CGROUP_PARENT/c1, the test's own
	jq '.process.args = ["true"] | .process.terminal = false' \
		"$b/config.json" >"$b/c"
	mv "$b/c" "$b/config.json"
	# strace follows the created init until delete ends it
	env "$NOLSAN" strace -f -qq -y -o "$T/trace" -e trace=write,clone3 \
		"$T/homo-runtime" --root "$T/oci" create --bundle "$b" \
		--pid-file "$T/pid" c1 </dev/null >"$T/out" 2>&1 &
	tracer=$!
	for i in $(seq 200); do
		[ -s "$T/pid" ] && break
		sleep 0.05
	done
	run host_cgroups "$(cat "$T/pid")"
	"$T/homo-runtime" --root "$T/oci" delete --force c1
	wait "$tracer"
	assert_status 0
	for l in "${lines[@]}"; do
		[[ $l == *"/c1" ]] || { echo "not in its cgroup: $l"; return 1; }
	done
	run grep -c 'cgroup.procs>, "[0-9]' "$T/trace"
	[ "$output" = 0 ]
}

# cgroup v1's own cpuset hierarchy (v2 has none, nor clone_children)
need_cpuset_v1() {
	! cgroup_v2 || skip "cgroup v2: no cpuset hierarchy of its own"
	[ -f /sys/fs/cgroup/cpuset/cpuset.cpus ] ||
		skip "no cgroup v1 cpuset hierarchy"
}

@test "cgroup v1: a container's cpuset cgroup is born with its parent's CPUs (clone_children): a start reads and writes none of its cpuset files" {
	need_strace
	need_cpuset_v1
	pull_busybox
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=openat "$HOMO" run --rm --net none busybox cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpuset/cpuset.mems
	assert_status 0
	# the container can run on what its parent (the host's root) has
	[ "$output" = "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpuset/cpuset.mems)" ]
	# its cgroup's cpuset files: not read, not written
	run grep -c "cpuset/$HOMO_CGROUP_PARENT/[0-9a-f]\{64\}/cpuset\." "$T/trace"
	[ "$output" = 0 ]
	# the parent homo made was given them, once
	grep -q "cpuset/$HOMO_CGROUP_PARENT/cgroup.clone_children" "$T/trace"
}

@test "cgroup v1: under a cpuset parent homo did not make (no CPUs, no clone_children) a container still gets its parent's CPUs" {
	need_cpuset_v1
	pull_busybox
	mkdir "/sys/fs/cgroup/cpuset/$HOMO_CGROUP_PARENT"
	[ "$(cat "/sys/fs/cgroup/cpuset/$HOMO_CGROUP_PARENT/cgroup.clone_children")" = 0 ]
	run homo run --rm --net none busybox cat /sys/fs/cgroup/cpuset/cpuset.cpus
	assert_status 0
	[ "$output" = "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)" ]
	# homo removes an empty parent at the end, whoever made it
	rmdir "/sys/fs/cgroup/cpuset/$HOMO_CGROUP_PARENT" 2>/dev/null || true
}

@test "run --rm sweeps the kept exit codes of --rm containers at most once a minute: a start does not stat each of them" {
	need_strace
	pull_busybox
	homo run --rm --net none busybox true
	# 30 codes of 20 minutes ago: the next sweep drops them
	for i in $(seq 30); do
		f=$HOMO_ROOT/exits/$(printf '%064x' "$i")
		echo 0 >"$f"
		touch -d '-20 min' "$f"
	done
	run env "$NOLSAN" strace -f -qq -o "$T/trace" "$HOMO" run --rm --net none busybox true
	assert_status 0
	# swept a moment ago: none of them looked at, all still there
	run grep -c '"0\{60\}[0-9a-f]\{4\}"' "$T/trace"
	[ "$output" = 0 ]
	[ "$(ls "$HOMO_ROOT/exits" | wc -l)" = 32 ]
	# a minute later the next --rm run sweeps them, and keeps its own
	touch -d '-61 sec' "$HOMO_ROOT/exits/.swept"
	homo run --rm --net none --name last busybox sh -c 'exit 3' || true
	[ "$(ls "$HOMO_ROOT/exits" | wc -l)" = 3 ]
	[ -z "$(ls "$HOMO_ROOT/exits" | grep '^0\{60\}')" ]
}

@test "a start reads no other container's directory: the debris sweep reads the store's top directories and tmp/, however many containers there are" {
	need_strace
	pull_busybox
	for i in 1 2 3; do homo create --net none busybox true >/dev/null; done
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=openat,open,newfstatat,stat "$HOMO" run --rm --net none busybox true
	assert_status 0
	grep -q "\"$HOMO_ROOT/tmp\"" "$T/trace"
	for id in $("$HOMO" ps -aq --no-trunc); do
		run grep -c "containers/$id" "$T/trace"
		[ "$output" = 0 ]
	done
	homo rm -f $("$HOMO" ps -aq) >/dev/null
}

@test "a start reads each answer once: the mounts, its own start time, its config (only the removal reads it); it sweeps the store once" {
	need_strace
	pull_busybox
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=openat,open "$HOMO" run --rm --net none busybox true
	assert_status 0
	# the cgroup backends' detection: one read of the mounts for v1 and v2
	run grep -c '"/proc/self/mountinfo"' "$T/trace"
	[ "$output" = 1 ]
	# homo's own start time (temp names, the state's owner), not the init's
	run grep -c "\"/proc/$(sed -n '1s/^\([0-9]*\) .*/\1/p' "$T/trace")/stat\"" "$T/trace"
	[ "$output" = 1 ]
	# the events take the name and image from the spec in hand: the
	# removal alone reads config.json (its name to release, its event)
	run grep -c 'config.json", O_RDONLY' "$T/trace"
	[ "$output" -le 2 ]
	# the store's debris: swept by the first lock, not by the removal's
	run grep -c "\"$HOMO_ROOT/layers\", O_RDONLY" "$T/trace"
	[ "$output" = 1 ]
}

@test "cgroup v1: homo's own cgroup parent stays, as Docker's /docker: a start neither makes nor removes it" {
	need_strace
	! cgroup_v2 || skip "cgroup v2: the parent goes with its last container"
	pull_busybox
	homo run --rm --net none busybox true
	# there, and empty, in every hierarchy
	for d in /sys/fs/cgroup/*/; do
		[ -d "$d$HOMO_CGROUP_PARENT" ]
		[ -z "$(find "$d$HOMO_CGROUP_PARENT" -mindepth 1 -type d)" ]
	done
	run env "$NOLSAN" strace -f -qq -o "$T/trace" -e trace=mkdir,rmdir "$HOMO" run --rm --net none busybox true
	assert_status 0
	# the container's cgroups made and removed; the parent neither
	grep -q "mkdir(\"/sys/fs/cgroup/pids/$HOMO_CGROUP_PARENT/[0-9a-f]\{64\}\", 0755) = 0" "$T/trace"
	grep -q "rmdir(\"/sys/fs/cgroup/pids/$HOMO_CGROUP_PARENT/[0-9a-f]\{64\}\") = 0" "$T/trace"
	run grep -c "dir(\"[^\"]*/$HOMO_CGROUP_PARENT\"" "$T/trace"
	[ "$output" = 0 ]
}

@test "the monitor of the container whose start compiled the seccomp filter (an empty cache) does not keep the compile's heap" {
	# ASan's allocator keeps freed memory in its quarantine: the regular
	# build's heap is what this checks (make check runs it)
	[ -z "${HOMO_SANITIZER_LOGS:-}" ] ||
		skip "an ASan build's allocator holds freed memory (quarantine)"
	pull_busybox
	[ ! -e "$HOMO_ROOT/seccomp" ] || rm -rf "$HOMO_ROOT/seccomp"
	homo run -d --net none --name c busybox sleep 60 >/dev/null
	[ -n "$(ls "$HOMO_ROOT/seccomp")" ] # it did compile
	owner=$(state_of c Owner)
	anon=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$owner/status")
	echo "monitor RssAnon: $anon kB"
	# 1.5 MB when it kept libseccomp's freed heap; ~0.3 MB otherwise
	[ "$anon" -lt 1024 ]
	homo rm -f c >/dev/null
}

@test "a container's network namespace is made on a thread of homo's while it writes the records, and the init is born in it: the clone pays none of it" {
	need_strace
	pull_busybox
	host=$(readlink /proc/self/ns/net)
	for net in none bridge; do
		# the bridge, its rules and veths in a network namespace of the
		# test's own, gone with it (its host end: homo's "host")
		run env "$NOLSAN" unshare -n sh -c 'ip link set lo up && exec "$@"' \
			_ strace -f -qq -o "$T/trace" -e trace=unshare,clone3 \
			"$HOMO" run --rm --net "$net" busybox readlink /proc/1/ns/net
		assert_status 0
		[[ "$output" == net:* ]]
		[ "$output" != "$host" ]
		# one unshare, by another task than homo's main one (the call's
		# first line: strace may print its end apart, "resumed")
		main=$(sed -n '1s/^\([0-9]*\) .*/\1/p' "$T/trace")
		run grep 'unshare(CLONE_NEWNET' "$T/trace"
		[ "${#lines[@]}" = 1 ]
		[[ "${lines[0]}" != "$main "* ]]
		# the init's clone: every other namespace, not the network's
		run grep "^$main .*clone3({flags=[^}]*CLONE_NEWPID" "$T/trace"
		[ "${#lines[@]}" = 1 ]
		[[ "${lines[0]}" != *CLONE_NEWNET* ]]
	done
	# no process of ours keeps the namespace: not the monitor, not the init
	homo run -d --net none --name c busybox sleep 60 >/dev/null
	pid=$(homo inspect -f '{{.State.Pid}}' c)
	owner=$(state_of c Owner)
	run bash -c "ls -l /proc/$owner/fd /proc/$pid/fd | grep -c 'net:\['"
	[ "$output" = 0 ]
	homo rm -f c >/dev/null
}
