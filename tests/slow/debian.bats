#!/usr/bin/env bats
# The slow suite (make check-slow): a real Debian minbase image built by
# mmdebstrap. Skipped with a reason when the image has not been built.

bats_require_minimum_version 1.5.0
load ../integration/helpers

pull_debian() {
	[ -e "$DEBIAN_TAR" ] || skip "no $DEBIAN_TAR (make build/images/debian.tar)"
	"$HOMO" pull -q "$DEBIAN_TAR" debian >/dev/null
}

@test "debian: the image's own programs run" {
	pull_debian
	run homo run --rm debian cat /etc/debian_version
	assert_status 0
	[[ "$output" =~ ^12\. ]]
	run homo run --rm debian sh -c 'dpkg -l | wc -l'
	assert_status 0
	[ "$output" -gt 80 ]
	run homo run --rm debian apt-get --version
	assert_status 0
	assert_output_has "apt "
}

@test "debian: a write to /etc lands in upper/ only" {
	pull_debian
	run homo run --name d debian sh -c 'echo homo-was-here >> /etc/issue'
	assert_status 0
	upper=$(homo inspect d | sed -n 's/.*"UpperDir": "\(.*\)".*/\1/p')
	grep -q homo-was-here "$upper/etc/issue"
	for l in "$HOMO_ROOT"/layers/*/diff/etc/issue; do
		! grep -q homo-was-here "$l"
	done
	run homo run --rm debian cat /etc/issue
	assert_output_lacks homo-was-here
	homo rm d
}

@test "debian: a non-root user from the image's passwd, by name" {
	pull_debian
	run homo run --rm -u nobody debian id
	assert_status 0
	assert_output_has "uid=65534(nobody)"
	run homo run --rm -u nobody debian sh -c 'touch /etc/x'
	[ "$status" -ne 0 ]
}
