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
