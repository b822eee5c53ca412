#!/usr/bin/env bats
# Detached containers: the monitor, logs, exec, stop, kill, start, restart,
# wait, and the state staying true under faults.
bats_require_minimum_version 1.5.0
load helpers

# the container's state.json field, e.g. state_of NAME Status
state_of() {
	local id
	id=$("$HOMO" ps -aq --filter "name=$1" | head -1)
	sed -n "s/.*\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$HOMO_ROOT"/containers/"$id"*/state.json
}

# poll (no timing assertion: a generous bound against a hang)
eventually() {
	for _ in $(seq 200); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

@test "run -d prints the id, returns while it runs, ps shows it Up" {
	pull_busybox
	run homo run -d --name svc busybox sleep 60
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run homo ps
	assert_output_has "Up "
	assert_output_has svc
	run homo ps -q --filter status=running
	[ "$output" = "${output:0:12}" ]
	run homo ps -aq --filter status=exited
	[ -z "$output" ]
	run homo ps --format json
	assert_output_has '"State":"running"'
	homo rm -f svc
}

@test "a monitor idle for a second leaves the code it started with to the page cache: under 2 MiB resident; it still relays and records" {
	[ -z "${HOMO_SANITIZER_LOGS:-}" ] ||
		skip "an ASan build's monitor maps its shadow memory"
	pull_busybox
	homo run -d --name m --net none busybox \
		sh -c 'sleep 5; echo out; exit 3' >/dev/null
	pid=$(state_of m Owner)
	# it sheds once the container has been quiet for a second
	for i in $(seq 40); do
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
		[ "$rss" -lt 2048 ] && break
		sleep 0.1
	done
	echo "monitor $pid: VmRSS $rss kB" >&2
	[ "$rss" -lt 2048 ]
	# its code faults back in as it works: the output, the exit code
	run homo wait m
	assert_status 0
	[ "$output" = 3 ]
	run homo logs m
	[ "$output" = out ]
	homo rm m >/dev/null
}

@test "logs: both streams in order, --tail, -t, -f follows until the exit" {
	pull_busybox
	homo run -d --name l busybox sh -c 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; sleep 1; echo last' >/dev/null
	homo wait l >/dev/null
	run --separate-stderr homo logs l
	[ "$(echo $output)" = "out1 out2 out3 last" ]
	[ "$(echo $stderr)" = "err1 err2 err3" ]
	run homo logs --tail 1 l
	[ "$output" = last ]
	run homo logs -t --tail 1 l
	[[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ last$ ]]
	homo run -d --name f busybox sh -c 'echo a; sleep 1; echo b' >/dev/null
	run homo logs -f f
	assert_status 0
	[ "$(echo $output)" = "a b" ]
	homo rm l f
}

@test "logs --since: a time past 2262 shows nothing (year 3000 wrapped to a negative time: everything); bad times 125" {
	pull_busybox
	homo run --name s busybox echo hi >/dev/null
	run --separate-stderr homo logs --since 2000-01-01T00:00:00Z s
	assert_status 0
	[ "$output" = hi ]
	for t in 3000-01-01T00:00:00Z 2262-04-12T00:00:00Z 9999-12-31 \
		2999-12-31T23:00:00-01:00 253402300799 4000000000; do
		run --separate-stderr homo logs --since "$t" s
		assert_status 0
		[ -z "$output" ] || { echo "--since $t printed $output" >&2; return 1; }
	done
	# an hour before now, by a duration and by a zone offset
	run --separate-stderr homo logs --since 1h s
	[ "$output" = hi ]
	run --separate-stderr homo logs --since "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%S+00:00)" s
	[ "$output" = hi ]
	for t in 10000-01-01T00:00:00Z 3000-02-30T00:00:00Z inf nan 1e30 \
		-5 253402300800 99999999999999999999 nanm 1e999h "2020-01-01T00:00:00Z junk"; do
		run --separate-stderr homo logs --since "$t" s
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"\"$t\""* ]]
	done
	homo rm s >/dev/null
}

# Reads numbers, one a line: fails unless each is the one before plus one.
# A last line without its newline (the container writes the rest of it
# later) is left out.
in_sequence() {
	local s
	s=$(cat; echo x)
	s=${s%x}
	[[ "$s" == *$'\n' ]] || s=${s%$'\n'*}$'\n'
	printf '%s' "$s" |
		awk 'NR > 1 && $1 != p + 1 { print "gap after " p ": " $1; bad = 1 } { p = $1 } END { exit bad }'
}

@test "log rotation: --log-max-size 4k keeps log and log.1 under it; logs shows the newest lines in order, also mid-rotation" {
	pull_busybox
	run --separate-stderr homo run -d --name chat --log-max-size 1k busybox true
	assert_status 125
	assert_one_error_line
	homo run -d --name chat --log-max-size 4k busybox seq 5000 >/dev/null
	[ "$(homo wait chat)" = 0 ]
	d=$(echo "$HOMO_ROOT"/containers/"$(homo ps -aq --filter name=chat)"*)
	# two files, each within the limit: 8k of disk, not the 370k written
	[ "$(cd "$d" && echo log*)" = "log log.1" ]
	for f in "$d/log" "$d/log.1"; do
		[ "$(stat -c %s "$f")" -le 4096 ]
	done
	run homo logs chat
	assert_status 0
	in_sequence <<<"$output"
	[ "$(tail -1 <<<"$output")" = 5000 ]
	[ "$(wc -l <<<"$output")" -eq "$(cat "$d/log.1" "$d/log" | wc -l)" ]
	[ "$(wc -l <<<"$output")" -ge 50 ]
	[ "$(echo $(homo logs --tail 3 chat))" = "4998 4999 5000" ]
	# while it rotates every few ms: log.1 and log read as one pair (they
	# were opened one after the other: a rotation in between skipped the
	# whole file in the middle, 4 times in 200)
	homo run -d --name live --log-max-size 4k busybox sh -c 'i=0; while :; do i=$((i + 1)); echo $i; done' >/dev/null
	# its first line (run -d returns before the container wrote any)
	for _ in $(seq 200); do
		[ -n "$(homo logs live)" ] && break
		sleep 0.05
	done
	for _ in $(seq 200); do
		homo logs live >"$T/out"
		in_sequence <"$T/out"
		[ -s "$T/out" ]
	done
	# -f follows across rotations (paced: a follower a whole file behind
	# loses what is rotated away meanwhile)
	homo run -d --name paced --log-max-size 4k busybox sh -c 'for i in $(seq 600); do echo $i; [ $((i % 40)) = 0 ] && sleep 0.2; done; true' >/dev/null
	run homo logs -f paced
	assert_status 0
	in_sequence <<<"$output"
	[ "$(tail -1 <<<"$output")" = 600 ]
	[ -e "$(echo "$HOMO_ROOT"/containers/"$(homo ps -aq --filter name=paced)"*/log.1)" ]
	homo rm -f chat live paced >/dev/null
}

@test "a foreground run keeps its log too" {
	pull_busybox
	run homo run --name fg busybox sh -c 'echo kept; echo err >&2'
	assert_output_has kept
	run --separate-stderr homo logs fg
	[ "$output" = kept ]
	[ "$stderr" = err ]
	homo rm fg
}

@test "exec joins the namespaces, cgroups and capabilities; exit codes" {
	pull_busybox
	homo run -d --name x --hostname xbox --security-opt no-new-privileges \
		busybox sleep 60 >/dev/null
	run homo exec x probe ps
	assert_output_has "1=sleep"
	run homo exec x hostname
	[ "$output" = xbox ]
	run homo exec x cat /proc/self/cgroup
	main=$(homo exec x cat /proc/1/cgroup)
	[ "$output" = "$main" ]
	run homo exec x probe caps
	assert_output_has "CapEff=00000000a80425fb"
	run homo exec x probe nnp
	assert_output_has "nnp=1"
	run homo exec x probe mounts
	[ "$(grep -c . <<<"$output")" -eq "$(homo exec x cat /proc/1/mountinfo | grep -c .)" ]
	run homo exec x sh -c 'exit 42'
	assert_status 42
	run -127 homo exec x nosuch
	assert_status 127
	run homo exec -e FOO=bar -w /tmp x sh -c 'echo $FOO $(pwd)'
	[ "$output" = "bar /tmp" ]
	run homo exec -u nobody x id -u
	[ "$output" = 65534 ]
	run script -qec "$HOMO exec -t x probe isatty" /dev/null
	assert_output_has "fd0=tty"
	homo rm -f x
	run --separate-stderr homo exec x true
	assert_status 125
	assert_one_error_line
}

@test "stop: SIGTERM, then SIGKILL after -t; kill -s reaches the process" {
	pull_busybox
	# a PID 1 without a handler ignores SIGTERM: stop must SIGKILL it
	homo run -d --name s busybox sleep 60 >/dev/null
	run homo stop -t 1 s
	assert_status 0
	[ "$output" = s ]
	run homo wait s
	[ "$output" = 137 ]
	# one that handles it exits at once with its own status
	# (signals only once the trap is set: run -d returns at exec, before)
	homo run -d --name h busybox sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	eventually bash -c "\"$HOMO\" logs h | grep -q ready"
	homo stop -t 30 h
	[ "$(homo wait h)" = 7 ]
	homo run -d --name k busybox sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
	eventually bash -c "\"$HOMO\" logs k | grep -q ready"
	homo kill -s USR1 k
	eventually bash -c "\"$HOMO\" logs k | grep -q got-usr1"
	run --separate-stderr homo kill -s NOPE k
	assert_status 125
	assert_one_error_line
	homo kill k
	[ "$(homo wait k)" = 137 ]
	homo rm s h k
}

@test "start keeps the container's files; restart restarts" {
	pull_busybox
	# a start returns before the command's first line ran: a stop -t 0
	# right then killed it before its stamp, so each one is waited for
	stamps() { "$HOMO" exec st wc -l /stamps 2>/dev/null | grep -qx "$1 /stamps"; }
	homo run -d --name st busybox sh -c 'date +%s%N >> /stamps; sleep 60' >/dev/null
	eventually stamps 1
	homo stop -t 0 st
	run homo start st
	[ "$output" = st ]
	run homo ps -q --filter name=st
	[ -n "$output" ]
	eventually stamps 2
	homo restart -t 0 st
	eventually stamps 3
	homo rm -f st
}

@test "--restart on-failure:2 restarts exactly twice; always stops on stop" {
	pull_busybox
	homo run -d --name r --restart on-failure:2 busybox sh -c 'echo run; exit 3' >/dev/null
	eventually bash -c "[ \"\$(\"$HOMO\" logs r | grep -c run)\" -eq 3 ] && ! \"$HOMO\" ps -q --filter name=r --filter status=running | grep -q ."
	# and no fourth start comes
	sleep 1
	[ "$(homo logs r | grep -c run)" -eq 3 ]
	eventually bash -c "grep -q '\"RestartCount\": 2' \"$HOMO_ROOT\"/containers/*/state.json"
	homo run -d --name a --restart always busybox sh -c 'sleep 0.2; exit 0' >/dev/null
	eventually bash -c "[ \"\$(grep -o '\"RestartCount\": [0-9]*' \"$HOMO_ROOT\"/containers/\$(\"$HOMO\" ps -aq --filter name=a)*/state.json | tr -dc 0-9)\" -ge 1 ]"
	homo stop -t 0 a
	run homo rm a r
	assert_status 0
	run --separate-stderr homo run --restart always --rm busybox true
	assert_status 125
}

@test "--restart unless-stopped: restarted when it exits by itself, not after stop; start brings it back with the policy on" {
	pull_busybox
	runs() { "$HOMO" logs u | grep -c run; }
	homo run -d --name u --restart unless-stopped busybox sh -c 'echo run; sleep 0.3; exit 0' >/dev/null
	# exit 0 too: restarted anyway (on-failure would not)
	eventually bash -c "[ \"\$(\"$HOMO\" logs u | grep -c run)\" -ge 3 ]"
	homo stop -t 0 u >/dev/null
	n=$(runs)
	# longer than the back-off so far (100, 200, 400 ms): no start comes
	sleep 1.5
	[ "$(runs)" = "$n" ]
	run homo ps -q --filter name=u --filter status=running
	[ -z "$output" ]
	[ "$(state_of u Status)" = exited ]
	homo start u >/dev/null
	eventually bash -c "[ \"\$(\"$HOMO\" logs u | grep -c run)\" -ge $((n + 3)) ]"
	homo stop -t 0 u >/dev/null
	n=$(runs)
	sleep 1.5
	[ "$(runs)" = "$n" ]
	homo rm u >/dev/null
}

@test "--restart: a restart that fails to start is retried with the back-off" {
	# The container's program is on a host volume: its first run moves it
	# away and fails, so the restarts fail to start (127) until the test
	# puts it back. The monitor used to give up on the first failed start.
	pull_busybox
	mkdir -p "$T/v"
	printf '#!/bin/sh\necho run >>/v/log\nmv /v/prog /v/prog.off\nexit 1\n' >"$T/v/prog"
	chmod +x "$T/v/prog"
	homo run -d --name rs --restart always -v "$T/v:/v" busybox /v/prog >/dev/null
	eventually test -e "$T/v/prog.off"
	# let a few restarts fail to start, then give the program back
	sleep 1
	[ "$(grep -c run "$T/v/log")" -eq 1 ]
	mv "$T/v/prog.off" "$T/v/prog"
	eventually bash -c "[ \"\$(grep -c run '$T/v/log')\" -ge 2 ]"
	homo stop -t 0 rs >/dev/null
	homo rm rs >/dev/null
}

@test "--rm -d removes the container after its exit" {
	pull_busybox
	homo run -d --rm --name gone busybox true >/dev/null
	eventually bash -c "[ -z \"\$(\"$HOMO\" ps -aq)\" ]"
	[ -z "$(ls "$HOMO_ROOT/containers")" ]
}

@test "--rm -d: a start that fails early leaves no container either" {
	pull_busybox
	# gone when homo run returns, not some time later (nor never: a
	# monitor removing it would wait for homo run, the record's owner);
	# checked at once, 20 times, as a later removal races the check
	for _ in $(seq 20); do
		rc=0
		"$HOMO" run -d --rm busybox nosuch 2>/dev/null || rc=$?
		[ -z "$(ls "$HOMO_ROOT/containers")" ]
		[ "$rc" = 127 ]
	done
	run homo ps -aq
	[ -z "$output" ]
}

@test "20 detached containers at once, all stopped and removed" {
	pull_busybox
	for i in $(seq 20); do
		"$HOMO" run -d --name "d$i" busybox sleep 60 >"$T/out$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(homo ps -q | wc -l)" -eq 20 ]
	[ "$(cat "$T"/out* | sort -u | wc -l)" -eq 20 ]
	homo stop -t 0 $(homo ps -q) >/dev/null
	homo rm $(homo ps -aq) >/dev/null
	[ -z "$(homo ps -aq)" ]
}

@test "faults: SIGKILL of the monitor, of the container, a wiped runroot, a reused pid" {
	pull_busybox
	# the monitor killed: its container dies with it and is reconciled
	homo run -d --name m busybox sleep 60 >/dev/null
	mon=$(state_of m Owner)
	kill -9 "$mon"
	eventually bash -c "\"$HOMO\" ps -a --filter name=m | grep -q Exited"
	# the container killed from outside: the monitor records 137
	homo run -d --name c busybox sleep 60 >/dev/null
	kill -9 "$(state_of c Pid)"
	[ "$(homo wait c)" = 137 ]
	# state says running, but the pid now is someone else's (our shell)
	homo run -d --name p busybox sleep 60 >/dev/null
	homo stop -t 0 p >/dev/null
	f=$(ls "$HOMO_ROOT"/containers/*/state.json | xargs grep -l '"ExitCode": 137' | head -1)
	sed -i -e 's/"Status": "exited"/"Status": "running"/' -e "s/\"Pid\": [0-9]*/\"Pid\": $$/" "$f"
	run homo ps -q --filter status=running
	[ -z "$output" ]
	kill -0 $$ # we are still alive: nothing killed the reused pid
	# the runroot wiped, as after a reboot
	homo run -d --name w busybox sleep 60 >/dev/null
	homo kill w >/dev/null
	homo wait w >/dev/null
	rm -rf "$HOMO_RUNROOT"
	run homo ps -a
	assert_status 0
	homo rm -f m c p w
}

@test "faults: a homo stop killed or interrupted midway leaves --restart working" {
	pull_busybox
	# sleep as PID 1 ignores SIGTERM: the stop waits for -t, and is
	# stopped there (HOMO_FAULT_STOP), then SIGKILLed or sent ctrl-c
	homo run -d --name r --restart always busybox sleep 600 >/dev/null
	for sig in KILL INT; do
		pid=$(state_of r Pid)
		HOMO_FAULT_STOP=stop-mid-wait bg env --default-signal=INT \
		    "$HOMO_FAULT_BIN" stop -t 600 r
		wait_stopped "${BG_PIDS[-1]}"
		kill -s "$sig" "${BG_PIDS[-1]}"
		kill -CONT "${BG_PIDS[-1]}" 2>/dev/null || true
		wait_status "${BG_PIDS[-1]}"
		[ "$status" -ne 0 ]
		# the stop is gone; the container dies now: restarted
		kill -9 "$pid"
		eventually bash -c "[ \"\$(\"$HOMO\" ps -q --filter name=r --filter status=running)\" ] && [ \"\$(sed -n 's/.*\"Pid\": \([0-9]*\),/\1/p' \"$HOMO_ROOT\"/containers/*/state.json)\" != $pid ]"
	done
	# a stop that completes keeps it down
	homo stop -t 0 r >/dev/null
	[ "$(state_of r UserStopped)" = true ]
	[ "$(state_of r RestartCount)" = 2 ]
	sleep 0.5
	[ -z "$(homo ps -q --filter name=r)" ]
	homo rm r
}

# running (1) or not (0), by exact name
running() { homo ps --filter status=running | awk '{ print $NF }' | grep -cx "$1" || true; }

# SIGKILL container $1's monitor and wait (bounded) until it is dead: kill(2)
# returns before the process has died, and a boot that still sees it alive
# rightly leaves its container alone (seen under load)
kill_owner() {
	local pid i
	pid=$(state_of "$1" Owner)
	kill -9 "$pid"
	for i in $(seq 200); do
		grep -q '^State:[[:space:]]*[^ZX[:space:]]' "/proc/$pid/status" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "monitor $pid of $1 did not die"
	return 1
}

@test "system boot: after a reboot, starts what --restart says, removes --rm leftovers" {
	pull_busybox
	for c in "ka --restart always" "kb --restart unless-stopped" \
		"kc --restart unless-stopped" "kd --restart on-failure" \
		"ke" "kf --restart always" "kg --rm"; do
		homo run -d --name $c busybox sleep 600 >/dev/null
	done
	# stopped by the user: kc stays down, kf (always) does not, as when
	# Docker's daemon starts
	homo stop -t 0 kc kf >/dev/null
	# a reboot: the monitors killed (their containers die with them), the
	# runroot wiped
	for c in ka kb kd ke kg; do kill_owner $c; done
	rm -rf "$HOMO_RUNROOT"
	run homo system boot
	assert_status 0
	[ "$(echo "$output" | grep -c '^started ')" -eq 4 ]
	[ "$(echo "$output" | grep -c '^removed ')" -eq 1 ]
	for c in ka kb kd kf; do [ "$(running $c)" = 1 ]; done
	for c in kc ke; do [ "$(running $c)" = 0 ]; done
	[ -z "$(homo ps -aq --filter name=kg)" ]
	# idempotent: nothing more to do
	run homo system boot
	assert_status 0
	[ -z "$output" ]
	# a monitor killed later: the next boot replaces it
	kill_owner kb
	run homo system boot
	assert_status 0
	[ "$output" = "started $(homo ps -aq --filter name=kb)" ]
	[ "$(running kb)" = 1 ]
	run --separate-stderr homo system boot extra
	assert_status 125
	homo rm -f ka kb kc kd ke kf >/dev/null
}

@test "system boot: the systemd unit is installed and valid" {
	top=$BATS_TEST_DIRNAME/../..
	unit=$top/contrib/systemd/homo-boot.service
	make -s -n -C "$top" install DESTDIR="$T/d" | grep -q 'lib/systemd/system/homo-boot.service'
	sed "s|@BINDIR@|$(dirname "$HOMO")|" "$unit" >"$T/homo-boot.service"
	grep -qx "ExecStart=$(dirname "$HOMO")/homo system boot" "$T/homo-boot.service"
	# it must not kill the monitors it started when homo returns
	grep -qx 'KillMode=process' "$T/homo-boot.service"
	if ! command -v systemd-analyze >/dev/null; then
		skip "no systemd-analyze"
	fi
	run systemd-analyze verify --man=no "$T/homo-boot.service"
	assert_status 0
	[ -z "$output" ]
}

@test "bad input: unknown container, missing arguments" {
	pull_busybox
	for cmd in "logs nosuch" "stop nosuch" "kill nosuch" "start nosuch" "wait nosuch" "exec nosuch true"; do
		run --separate-stderr homo $cmd
		[ "$status" -ne 0 ]
		assert_one_error_line
	done
	run --separate-stderr homo exec
	assert_status 125
	run --separate-stderr homo logs --tail x nosuch
	assert_status 125
	# -t: 0 to 86400, or Docker's -1 (wait forever; options.bats)
	for args in "stop -t -5" "stop -t -2" "stop -t 86401" "restart -t +5" \
		"stop -t 99999999999999999999" "logs --tail -1" "logs --tail +1" \
		"logs --tail 99999999999999999999" "kill -s 99999999999999999999" \
		"kill -s -9" "kill -s 0"; do
		run --separate-stderr homo $args nosuch
		assert_status 125
		assert_one_error_line
		[[ "$stderr" != *"no such container"* ]] || { echo "$args: $stderr" >&2; return 1; }
	done
}
