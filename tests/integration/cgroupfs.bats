#!/usr/bin/env bats
# The container's /sys/fs/cgroup: the spec's cgroup entry, mounted by the
# OCI runtime's function for homo run too (runtime/oci_cgroupfs.c), fresh in
# the container's cgroup namespace; read-only unless --privileged, as
# Docker's.
bats_require_minimum_version 1.5.0
load helpers

@test "--privileged: /sys/fs/cgroup is writable as Docker's, still the container's own cgroup; a cgroup the container makes goes at teardown" {
	pull_busybox
	# v2: one cgroup2 mount; v1: a tmpfs holding one per hierarchy
	sub=/sys/fs/cgroup/pids/sub
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || sub=/sys/fs/cgroup/sub
	run homo run --rm --net none --privileged busybox sh -c \
		"awk '\$5 ~ /^\\/sys\\/fs\\/cgroup/ { print \$4, \$6 }' /proc/self/mountinfo
		mkdir $sub && echo made; ls /sys/fs/cgroup/*/release_agent /sys/fs/cgroup/release_agent 2>/dev/null; true"
	assert_status 0
	# unfixed: mkdir: can't create directory: Read-only file system
	assert_output_has made
	assert_output_lacks release_agent
	# every mount rw, its root the namespace's (the container's cgroup)
	[ "$(grep -c '^/ rw,' <<<"$output")" -gt 0 ]
	[ -z "$(grep -v -e '^/ rw,' -e '^made$' <<<"$output")" ]
	# without --privileged: read-only, as before
	run homo run --rm --net none busybox sh -c "mkdir $sub"
	assert_status 1
	assert_output_has "Read-only file system"
}
