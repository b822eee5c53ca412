#!/usr/bin/env bats
# homo stats' NET I/O: a bridged container's traffic, counted on its veth.
# In the test's own network namespace (HOMO_TEST_NETNS, as net.bats).
bats_require_minimum_version 1.5.0
load helpers
HOMO_TEST_NETNS=1

@test "stats: NET I/O counts a bridged container's traffic" {
	unset HOMO_NETWORK_DEFAULT
	pull_busybox
	homo run -d --name n busybox sh -c \
		'ping -c 20 -i 0.1 -s 1000 10.88.0.1 >/dev/null; sleep 1000' >/dev/null
	sleep 3
	run homo stats --no-stream --format '{{.NetIO}}' n
	assert_status 0
	# 20 pings of 1000 bytes: over 20kB each way
	[[ "$output" =~ ^([0-9.]+)kB\ /\ ([0-9.]+)kB$ ]]
	awk -v a="${BASH_REMATCH[1]}" -v b="${BASH_REMATCH[2]}" \
		'BEGIN { exit !(a >= 20 && b >= 20) }'
	homo rm -f n
}
