#!/usr/bin/env bats
# Option parsing that cannot surprise (full long names only, one error line
# naming the option, no option taken as a name), Docker's numeric values
# and defaults, and the small fidelity fixes around them.
bats_require_minimum_version 1.5.0
load helpers

# poll (no timing assertion: a generous bound against a hang)
eventually() {
	for _ in $(seq 200); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# $1: the expected error line; the rest: homo's arguments
assert_option_error() {
	local want=$1
	shift
	run --separate-stderr homo "$@"
	[ "$status" -eq 125 ] || { echo "homo $*: status $status" >&2; return 1; }
	assert_one_error_line
	[ "$stderr" = "$want" ] || { echo "homo $*: '$stderr', expected '$want'" >&2; return 1; }
}

@test "options: a prefix of a long option is no option (--priv is not --privileged)" {
	pull_busybox
	assert_option_error "homo: run: --priv: unknown option (see 'homo run --help')" \
		run --rm --priv busybox true
	assert_option_error "homo: run: --pid: unknown option (see 'homo run --help')" \
		run --rm --pid 5 busybox true
	assert_option_error "homo: run: --hostn: unknown option (see 'homo run --help')" \
		run --rm --hostn=x busybox true
	assert_option_error "homo: ps: --al: unknown option (see 'homo ps --help')" ps --al
	assert_option_error "homo: stop: --ti: unknown option (see 'homo stop --help')" \
		stop --ti 1 x
	assert_option_error "homo: commit: --mess: unknown option (see 'homo commit --help')" \
		commit --mess m x
	assert_option_error "homo: --roo: unknown option (see 'homo --help')" --roo /x ps
	# nothing was created by any of them
	run homo ps -aq
	assert_status 0
	[ -z "$output" ]
	# the full names still work, --network as --net's alias too
	run homo run --rm --privileged --network none --pids-limit 5 busybox true
	assert_status 0
}

@test "options: every option error is one line naming the option, status 125" {
	pull_busybox
	assert_option_error "homo: run: -m: missing value (see 'homo run --help')" run -m
	assert_option_error "homo: run: --memory: missing value (see 'homo run --help')" \
		run --memory
	assert_option_error "homo: run: -x: unknown option (see 'homo run --help')" \
		run --name=a -dx busybox
	assert_option_error "homo: run: --rm: takes no value (see 'homo run --help')" \
		run --rm=yes busybox
	assert_option_error "homo: logs: -n: missing value (see 'homo logs --help')" logs -n
	assert_option_error "homo: --bogus: unknown option (see 'homo --help')" --bogus
	for cmd in pull images tag rmi image inspect ps logs exec stop kill start \
		restart wait port rm commit export save load; do
		args=$cmd
		[ "$cmd" = image ] && args="image prune"
		assert_option_error "homo: $cmd: --zz: unknown option (see 'homo $cmd --help')" \
			$args --zz x
	done
	[ -z "$(ls "$HOMO_ROOT/containers")" ]
}

@test "options: no command takes an unknown option as a container name" {
	pull_busybox
	homo run -d --name f busybox sleep 60 >/dev/null
	# inspect -f took "-f" as a name; a Go template is not supported
	for cmd in inspect wait start tag rm; do
		assert_option_error "homo: $cmd: -q: unknown option (see 'homo $cmd --help')" \
			$cmd -q f f
	done
	run homo rm -f f
	assert_status 0
}

@test "options: run -h is --hostname; --help prints the help" {
	pull_busybox
	run homo run --rm -h box7 busybox hostname
	assert_status 0
	[ "$output" = box7 ]
	run homo run --help
	assert_status 0
	assert_output_has "-h, --hostname NAME"
	assert_output_has "Usage: homo run"
	run homo run --rm -h 'bad_name' busybox true
	assert_status 125
}

@test "options: 0 and -1 mean unlimited where Docker's do" {
	pull_busybox
	# -m 0: no memory limit; --memory-swap -1 needs no -m; pids 0/-1
	# (v1 here, v2 alone in the VM: the container sees its own cgroup)
	local mem=/sys/fs/cgroup/memory/memory.limit_in_bytes pids=/sys/fs/cgroup/pids/pids.max
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		mem=/sys/fs/cgroup/memory.max pids=/sys/fs/cgroup/pids.max
	fi
	run homo run --rm -m 0 --memory-swap -1 --pids-limit -1 busybox cat $mem $pids
	assert_status 0
	[ "${lines[0]}" = max ] || [ "${lines[0]}" -gt 4611686018427387904 ]
	[ "${lines[1]}" = max ]
	run homo run --rm --pids-limit 0 busybox cat $pids
	assert_output_has max
	# a positive swap limit still needs -m, and -m 1m is still too small
	run --separate-stderr homo run --rm --memory-swap 64m busybox true
	assert_status 125
	run --separate-stderr homo run --rm -m 1m busybox true
	assert_status 125
}

@test "options: stop -t -1 waits for ever (no SIGKILL)" {
	pull_busybox
	# TERM is trapped: the container ends 3 s after it, on its own
	homo run -d --name slow busybox sh -c \
		'trap "sleep 3; exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
	sleep 0.5
	start=$(date +%s%N)
	run homo stop -t -1 slow
	assert_status 0
	elapsed=$((($(date +%s%N) - start) / 1000000))
	[ "$elapsed" -ge 2500 ] || { echo "stopped after $elapsed ms" >&2; return 1; }
	run homo inspect slow
	assert_output_has '"ExitCode": 7'
	homo rm slow
	run --separate-stderr homo stop -t -2 nosuch
	assert_status 125
}

@test "wait: the exit code of a --rm container, also once it is removed" {
	pull_busybox
	# the container exits at once: its monitor removes it while (or
	# before) wait reads it; this failed with a raw state.json path
	for i in 1 2 3 4 5; do
		id=$(homo run -d --rm busybox sh -c 'exit 3')
		run --separate-stderr homo wait "$id"
		assert_status 0
		[ "$output" = 3 ] || { echo "round $i: '$output' '$stderr'" >&2; return 1; }
	done
	id=$(homo run -d --rm busybox sh -c 'sleep 0.3; exit 4')
	run homo wait "$id"
	[ "$output" = 4 ]
	# stop of a --rm container: the code of its end, no error
	id=$(homo run -d --rm busybox sleep 30)
	run homo stop -t 0 "$id"
	assert_status 0
	run homo wait "$id"
	[ "$output" = 137 ]
	[ -z "$(homo ps -aq)" ]
	# never an internal path as the error
	run --separate-stderr homo wait 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	assert_status 125
	assert_one_error_line
	[[ "$stderr" != *"$HOMO_ROOT"* ]]
	[[ "$stderr" == *"no such container"* ]]
}

@test "defaults: no no_new_privs unless asked (setuid works), as Docker" {
	make_image sbit 'cp bin/probe bin/sprobe && chmod 4755 bin/sprobe'
	run homo run --rm sbit probe nnp
	assert_status 0
	assert_output_has "nnp=0"
	# a setuid-root binary run by a user gains euid 0 (sudo, su, ping)
	run homo run --rm -u 1000 sbit sprobe ids
	assert_status 0
	assert_output_has "euid=0"
	for opt in no-new-privileges no-new-privileges=true no-new-privileges:true; do
		run homo run --rm -u 1000 --security-opt $opt sbit sh -c 'probe nnp; sprobe ids'
		assert_status 0
		assert_output_has "nnp=1"
		assert_output_has "euid=1000"
	done
	run homo run --rm --security-opt no-new-privileges=false sbit probe nnp
	assert_output_has "nnp=0"
	run --separate-stderr homo run --rm --security-opt no-new-privileges=maybe sbit true
	assert_status 125
	assert_one_error_line
}

@test "defaults: -u UID missing from the image's passwd gets gid 0, as Docker" {
	pull_busybox
	run homo run --rm -u 1234 busybox id
	assert_status 0
	[ "$output" = "uid=1234 gid=0(root) groups=0(root)" ] || [ "$output" = "uid=1234 gid=0(root)" ]
	run homo run --rm -u 1234:99 busybox probe ids
	assert_output_has "gid=99"
	# in passwd: its own group
	run homo run --rm -u 1000 busybox probe ids
	assert_output_has "gid=1000"
}

@test "--env-file: Docker's rules (a name alone takes the host's value; blanks in a name refused)" {
	pull_busybox
	printf '# comment\n\n  A=1\nB= two  words \nHOSTONE\nNOT_ON_HOST\nC==x\n' >"$T/env"
	HOSTONE=from-host run homo run --rm --env-file "$T/env" busybox env
	assert_status 0
	assert_output_has "A=1"
	assert_output_has "B= two  words "
	assert_output_has "HOSTONE=from-host"
	assert_output_has "C==x"
	assert_output_lacks "NOT_ON_HOST"
	assert_output_lacks "comment"
	for bad in 'MY VAR=1' '=x' $'A=\xff'; do
		printf 'OK=1\n%s\n' "$bad" >"$T/env"
		run --separate-stderr homo run --rm --env-file "$T/env" busybox true
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"line 2"* ]] || { echo "'$bad': $stderr" >&2; return 1; }
	done
	run --separate-stderr homo run --rm --env-file "$T/nosuch" busybox true
	assert_status 125
	assert_one_error_line
	# -e =x names no variable (Docker: invalid environment variable)
	run --separate-stderr homo run --rm -e =x busybox true
	assert_status 125
	assert_one_error_line
	[ -z "$(ls "$HOMO_ROOT/containers")" ]
	rm -f "$T/env"
}

@test "names: a name too long says so; an ambiguous id prefix says ambiguous" {
	pull_busybox
	run --separate-stderr homo run --rm --name "$(printf 'a%.0s' {1..200})" busybox true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"too long"* ]]
	# 17 containers: two ids share a first hex digit
	for i in $(seq 17); do homo run --name "c$i" busybox true; done
	p=$(homo ps -aq | cut -c1 | sort | uniq -d | head -1)
	for cmd in inspect rm start wait logs; do
		run --separate-stderr homo $cmd "$p"
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *ambiguous* ]] || { echo "$cmd: $stderr" >&2; return 1; }
	done
	homo rm $(homo ps -aq) >/dev/null
}

@test "stop: several containers stop in parallel (one grace period, not the sum)" {
	pull_busybox
	# sleep as PID 1 ignores SIGTERM: each takes the whole -t
	for n in s1 s2 s3; do homo run -d --name $n busybox sleep 60 >/dev/null; done
	start=$(date +%s%N)
	run --separate-stderr homo stop -t 2 s1 s2 nosuch s3
	elapsed=$((($(date +%s%N) - start) / 1000000))
	assert_status 125
	[ "$output" = $'s1\ns2\ns3' ]
	assert_one_error_line
	[[ "$stderr" == *"nosuch: no such container"* ]]
	[ "$elapsed" -lt 4500 ] || { echo "took $elapsed ms" >&2; return 1; }
	for n in s1 s2 s3; do
		run homo inspect $n
		assert_output_has '"Status": "exited"'
	done
	homo rm s1 s2 s3
}

@test "--privileged: the host's devices in /dev, as Docker" {
	pull_busybox
	# a host node not among the container's own
	dev=$(find /dev -maxdepth 1 -type c ! -name console ! -name null ! -name zero \
		! -name full ! -name random ! -name urandom ! -name tty ! -name ptmx | head -1)
	[ -n "$dev" ]
	run homo run --rm --privileged busybox ls -l "$dev"
	assert_status 0
	[[ "$output" == c* ]]
	# major, minor and mode as the host's
	[ "$(stat -c '%t:%T %a' "$dev")" = "$(homo run --rm --privileged busybox stat -c '%t:%T %a' "$dev")" ]
	run homo run --rm busybox ls "$dev"
	[ "$status" -ne 0 ]
	# its own pts, shm and mqueue, not the host's
	run homo run --rm --privileged busybox sh -c 'ls /dev/pts; grep -c " /dev/shm " /proc/self/mountinfo'
	assert_status 0
	assert_output_has ptmx
}

@test "--device HOST[:CONTAINER][:PERMS]: the node and its devices-cgroup rule" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	pull_busybox
	# without it, a node made in the container cannot be opened
	run homo run --rm busybox sh -c 'mknod /dev/f c 10 229 && dd if=/dev/f bs=1 count=0'
	[ "$status" -ne 0 ]
	assert_output_has "Operation not permitted"
	run homo run --rm --device /dev/fuse busybox sh -c \
		'ls -l /dev/fuse; dd if=/dev/fuse bs=1 count=0 && echo opened; cat /sys/fs/cgroup/devices/devices.list 2>/dev/null; true'
	assert_status 0
	assert_output_has "10, 229"
	assert_output_has opened
	# v1 lists the rule; v2's BPF program has no list: "opened" is its proof
	cgroup_v2 || assert_output_has "c 10:229 rwm"
	# another path, read only: reading opens, writing does not
	run homo run --rm --device /dev/fuse:/dev/sub/myfuse:r busybox sh -c \
		'dd if=/dev/sub/myfuse bs=1 count=0 && echo read-ok; (echo x >/dev/sub/myfuse) 2>/dev/null || echo write-denied'
	assert_status 0
	assert_output_has read-ok
	assert_output_has write-denied
	# the record keeps it: a restart has the device again
	homo run --name dv --device /dev/fuse:rw busybox sh -c 'dd if=/dev/fuse bs=1 count=0' >/dev/null 2>&1
	homo start dv >/dev/null
	run homo wait dv
	[ "$output" = 0 ]
	homo rm dv
	for bad in /etc/passwd /dev/fuse:rel /dev/fuse:/x:rwx /dev/fuse:/x:rr /nonexist /dev/fuse:/a:r:w; do
		run --separate-stderr homo run --rm --device "$bad" busybox true
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"--device"* ]]
	done
	[ -z "$(ls "$HOMO_ROOT/containers")" ]
}

@test "stop: a parallel stop killed midway takes its per-container children with it" {
	pull_busybox
	for n in k1 k2; do homo run -d --name $n busybox sleep 600 >/dev/null; done
	bg "$HOMO" stop -t 600 k1 k2
	stopper=${BG_PIDS[-1]}
	eventually bash -c "[ \$(cat /proc/$stopper/task/*/children | wc -w) -eq 2 ]"
	kids=$(cat /proc/$stopper/task/*/children)
	kill -9 "$stopper"
	wait "$stopper" 2>/dev/null || true
	for k in $kids; do
		eventually bash -c "! kill -0 $k 2>/dev/null"
	done
	# nothing stopped them: both still run, and stop normally
	[ "$(homo ps -q | wc -l)" = 2 ]
	run homo stop -t 0 k1 k2
	assert_status 0
	homo rm k1 k2
}

# $1: homo's arguments (a command, or a group and its subcommand) before the
# option $2, which must be refused: status 125, nothing on stdout, one line
# "homo: CMD: $2: unknown option (see 'homo CMD --help')"
assert_unknown_option() {
	run --separate-stderr timeout 20 "$HOMO" $1 "$2" </dev/null
	[ "$status" -eq 125 ] || { echo "homo $1 $2: status $status: $stderr" >&2; return 1; }
	[ -z "$output" ] || { echo "homo $1 $2: stdout '$output'" >&2; return 1; }
	assert_one_error_line || { echo "(homo $1 $2)" >&2; return 1; }
	[[ "$stderr" =~ ^homo:\ [a-z\ ]+:\ $2:\ unknown\ option\ \(see\ \'homo\ [a-z\ ]+--help\'\)$ ]] ||
		{ echo "homo $1 $2: '$stderr'" >&2; return 1; }
}

@test "options: every command and subcommand refuses a prefix and an unknown option in one line" {
	local cmds sub opt long
	cmds=$(homo --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
	[ "$(echo "$cmds" | wc -l)" -ge 40 ]
	for cmd in $cmds; do
		# runc's command line, its own conventions (exit 1): oci.bats
		[ "$cmd" = runtime ] && continue
		assert_unknown_option "$cmd" --bogus
		assert_unknown_option "$cmd" --hel
		# the first long option its --help lists, less its last letter
		long=$(homo "$cmd" --help | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z][a-z0-9-]*' |
			grep -oE -- '--[a-z0-9-]+$' | grep -vx -- --help) || continue
		opt=$(echo "$long" | head -1)
		echo "$long" | grep -qx -- "${opt%?}" ||
			assert_unknown_option "$cmd" "${opt%?}"
	done
	# the subcommands: a prefix of one of their long options where they have one
	while IFS='|' read -r sub opt; do
		assert_unknown_option "$sub" --bogus
		assert_unknown_option "$sub" --hel
		[ -z "$opt" ] || assert_unknown_option "$sub" "$opt"
	done <<-'END'
		volume create|--labe
		volume ls|--quie
		volume inspect|
		volume rm|--forc
		volume prune|--al
		network create|--subn
		network ls|--quie
		network inspect|
		network rm|
		network prune|--forc
		container prune|--forc
		image prune|--al
		system check|--repai
		system boot|
		system df|--forma
		system prune|--volume
	END
	[ -z "$(ls "$HOMO_ROOT/containers" 2>/dev/null)" ]
}
