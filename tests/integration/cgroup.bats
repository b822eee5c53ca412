#!/usr/bin/env bats
# cgroups on either version: limits in the files of the host's version, the
# container's view, devices, delegation errors, cleanup. The host here is
# cgroup v1; make check-vm runs this file on cgroup v2 alone (kernel 6.1).
bats_require_minimum_version 1.5.0
load helpers

# the container's cgroup dir on the host, from its name
host_cg() {
	local id
	id=$(homo inspect "$1" | sed -n 's/^ *"Id": "\([0-9a-f]*\)".*/\1/p' | head -1)
	if cgroup_v2; then
		echo "/sys/fs/cgroup/$HOMO_CGROUP_PARENT/$id"
	else
		echo "/sys/fs/cgroup/$2/$HOMO_CGROUP_PARENT/$id"
	fi
}

@test "cgroup: -m, --memory-swap, --pids-limit, --cpus, --cpu-shares land in the host version's files, visible inside" {
	pull_busybox
	if cgroup_v2; then
		run homo run --rm -m 64m --pids-limit 50 --cpus 0.5 --cpu-shares 512 busybox \
			cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max \
			/sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight
		assert_status 0
		# swap as much as memory (Docker's default); weight: crun's and
		# Docker's 1 + (512 - 2) * 9999 / 262142
		[ "$output" = "$(printf '%s\n' 67108864 67108864 50 '50000 100000' 20)" ]
		# --memory-swap is memory plus swap: memory.swap.max is swap alone
		run homo run --rm -m 64m --memory-swap 96m busybox cat /sys/fs/cgroup/memory.swap.max
		[ "$output" = 33554432 ]
		run homo run --rm -m 64m --memory-swap -1 --cpu-shares 262144 busybox \
			cat /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/cpu.weight
		[ "$output" = "$(printf '%s\n' max 10000)" ]
		# no limits asked: the kernel's defaults
		run homo run --rm --pids-limit -1 busybox cat /sys/fs/cgroup/memory.max \
			/sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight
		[ "$output" = "$(printf '%s\n' max max 'max 100000' 100)" ]
	else
		run homo run --rm -m 64m --pids-limit 50 --cpus 0.5 --cpu-shares 512 busybox \
			cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
			/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares
		assert_status 0
		[ "$output" = "$(printf '%s\n' 67108864 50 50000 512)" ]
	fi
}

@test "cgroup: the container sees its own cgroup as / and only its own files; none is left after it" {
	pull_busybox
	homo run -d --name x busybox sleep 60 >/dev/null
	dir=$(host_cg x pids)
	[ -d "$dir" ]
	run homo exec x cat /proc/self/cgroup
	assert_status 0
	if cgroup_v2; then
		[ "$output" = "0::/" ]
		# the bind of its own dir is read-only
		run homo exec x sh -c 'echo 1 >/sys/fs/cgroup/pids.max'
		[ "$status" -ne 0 ]
		run homo exec x cat /sys/fs/cgroup/cgroup.procs
		[ "$(grep -c . <<<"$output")" -ge 1 ]
	else
		! grep -v ':/$' <<<"$output"
	fi
	homo rm -f x >/dev/null
	[ ! -d "$dir" ]
	# the parent goes with it on v2; on v1 homo's own stays, empty
	if cgroup_v2; then
		[ ! -d "${dir%/*}" ]
	else
		[ -z "$(find "${dir%/*}" -mindepth 1 -type d)" ]
	fi
}

@test "cgroup: devices: /dev/null works, c 1:1 and a disk cannot be opened even after mknod; --privileged can" {
	pull_busybox
	run homo run --rm busybox sh -c 'echo x >/dev/null && head -c 1 /dev/urandom >/dev/null && echo fine
		mknod /tmp/mem c 1 1 && (exec 3</tmp/mem) || echo mem-denied
		mknod /tmp/sda b 8 0 && (exec 3</tmp/sda) || echo sda-denied
		(exec 3</dev/tty) 2>&1 | grep -q "not permitted" && echo tty-denied; true'
	assert_status 0
	assert_output_has fine
	assert_output_has mem-denied
	assert_output_has sda-denied
	assert_output_lacks tty-denied
	assert_output_has "Operation not permitted"
	run homo run --rm --privileged busybox sh -c 'mknod /tmp/full c 1 7 && (exec 3</tmp/full) && echo opened'
	assert_status 0
	assert_output_has opened
}

@test "cgroup: a controller that cannot be delegated fails the start naming it, 125, nothing left" {
	cgroup_v2 || skip "cgroup v2 only: v1 hierarchies have no delegation"
	pull_busybox
	# a process in homo's parent: the kernel refuses to enable a domain
	# controller (memory; cpu and pids are threaded) below it, the
	# no-internal-process rule
	mkdir "/sys/fs/cgroup/$HOMO_CGROUP_PARENT"
	sleep 60 &
	BG_PIDS+=($!)
	echo "${BG_PIDS[0]}" >"/sys/fs/cgroup/$HOMO_CGROUP_PARENT/cgroup.procs"
	run --separate-stderr homo run --rm -m 64m busybox true
	echo "${BG_PIDS[0]}" >/sys/fs/cgroup/cgroup.procs
	[ -z "$(find "/sys/fs/cgroup/$HOMO_CGROUP_PARENT" -mindepth 1 -type d)" ]
	rmdir "/sys/fs/cgroup/$HOMO_CGROUP_PARENT"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *'--memory needs the cgroup v2 "memory" controller: '*'/cgroup.subtree_control refused it'* ]] ||
		{ echo "$stderr" >&2; return 1; }
}

@test "cgroup: rm -f of a container with forked children kills all and removes its cgroup" {
	pull_busybox
	homo run -d --name x busybox sh -c 'sleep 300 & sleep 300 & sleep 300'  >/dev/null
	dir=$(host_cg x pids)
	for i in $(seq 100); do
		[ "$(grep -c . "$dir/cgroup.procs")" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(grep -c . "$dir/cgroup.procs")" -ge 3 ]
	homo rm -f x >/dev/null
	[ ! -d "$dir" ]
}
