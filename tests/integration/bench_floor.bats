#!/usr/bin/env bats
# build/floor, make bench's floor program (scripts/bench/floor.c): a run
# times every step, and a failure at any step leaves no cgroup, dir, mount
# or process behind (teardown's leak check covers the test's cgroup parent,
# which the floor is given, and every mount under the test dir).
bats_require_minimum_version 1.5.0
load helpers

FLOOR=${FLOOR:-$(dirname "$HOMO")/floor}

floor_setup() {
	pull_busybox
	LOWER=$(echo "$HOMO_ROOT"/layers/*/diff)
	mkdir "$T/floor"
}

# the iterations' dirs are gone (the /etc sources it made stay until $T
# goes); no cgroup of the floor's in any hierarchy
floor_left() {
	ls "$T/floor" | grep -v -x -e hostname -e hosts -e resolv.conf || true
	ls -d /sys/fs/cgroup/*/"$HOMO_CGROUP_PARENT" 2>/dev/null || true
	awk -v t="$T" 'index($5, t) == 1 { print "mount " $5 }' /proc/self/mountinfo
}

@test "floor: a run times each step and leaves nothing" {
	floor_setup
	run "$FLOOR" -l "$LOWER" -t "$T/floor" -n 3 -c "$HOMO_CGROUP_PARENT"
	[ "$status" -eq 0 ]
	for step in dirs cgcreate clone cgattach overlay dev cgbind pivot mask exec cgrm rm total; do
		grep -Eq "^$step +.* [0-9]+\.[0-9]{3}$" <<<"$output"
	done
	[ -z "$(floor_left)" ]
}

@test "floor: a failure at any step cleans up" {
	floor_setup
	for step in dirs cgcreate clone cgattach wake private overlay proc dev sys cgbind etc pivot mask host exec cgrm; do
		run "$FLOOR" -l "$LOWER" -t "$T/floor" -c "$HOMO_CGROUP_PARENT" -f "$step"
		echo "$step: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == "floor: step $step: "* ]]
		[ -z "$(floor_left)" ]
	done
}

@test "floor: a real failure (no such lower dir) cleans up" {
	floor_setup
	run "$FLOOR" -l "$T/nowhere" -t "$T/floor" -c "$HOMO_CGROUP_PARENT" -n 1
	[ "$status" -eq 1 ]
	[[ "$output" == "floor: step overlay: "* ]]
	[ -z "$(floor_left)" ]
}

@test "floor: SIGTERM in the middle of a run cleans up" {
	floor_setup
	"$FLOOR" -l "$LOWER" -t "$T/floor" -c "$HOMO_CGROUP_PARENT" -n 1000000 2>"$T/err" &
	local pid=$!
	# until it is in its loop (an iteration's dir appears)
	for i in $(seq 100); do
		ls "$T/floor" | grep -q '^c' && break
		sleep 0.05
	done
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	grep -q 'floor: interrupted' "$T/err"
	[ -z "$(floor_left)" ]
}

# make bench's table of homo's steps reads the --debug trace: one time base
# for the whole start, from homo's first line, and each step's line
@test "debug trace: one time base for the whole start, every step" {
	pull_busybox
	run --separate-stderr homo --debug run --rm --net none busybox env
	[ "$status" -eq 0 ]
	local t
	t=$(grep '^=>' <<<"$stderr")
	echo "$t"
	local first
	first=$(awk '/homo run: non-dumpable$/ { print $2 }' <<<"$t")
	[ "$first" = 0.000 ]
	# the init's lines continue the parent's clock
	[ "$(grep -c ' 0\.000 ' <<<"$t")" = 1 ]
	for step in 'run: options parsed' 'clone init' 'mount overlay' \
		'/proc mounted' '/dev made' '/sys mounted' pivot_root \
		'masked and read-only paths' 'exec env' 'exited with 0' finished; do
		grep -q "] $step" <<<"$t"
	done
	# in time order the parent's last line comes last
	[ "$(sort -g -k2 <<<"$t" | tail -1 | sed 's/.*] //')" = finished ]
}
