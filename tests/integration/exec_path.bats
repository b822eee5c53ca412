#!/usr/bin/env bats
# One way into a running container and one workdir (docs/oci.md, "One
# path"): `homo exec` and the OCI runtime's `exec` join the init's
# namespaces with the same function (runtime/nsjoin.c), and every process
# gets its cwd from the same two (oci_cwd_make before the pivot,
# oci_cwd_enter as runc: before the user switch, never out of the root).
bats_require_minimum_version 1.5.0
load helpers
load oci_bundle

# a process of user 1000 holding no capability that reads dirs: only root
# may enter the 0700 /root of busybox
UNPRIV='{"uid": 1000, "gid": 1000}'
NOCAPS='{"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'

@test "run -w: a missing workdir is made before --read-only makes the root read-only (Docker makes it too)" {
	pull_busybox
	run -0 homo run --rm --net none --read-only -w /new/dir busybox sh -c 'pwd; touch x 2>&1 || echo ro'
	[ "${lines[0]}" = /new/dir ]
	assert_output_has "Read-only file system"
	# entered as root: a directory the user cannot enter is still its cwd
	run -0 homo run --rm --net none -u 1000 --cap-drop ALL -w /root busybox pwd
	[ "$output" = /root ]
}

@test "exec: the same namespaces as the init (pidfd), its cgroup as /, -w made, a missing command 127 (--userns: userns.bats)" {
	pull_busybox
	homo run -d --name x --net none busybox sleep 300 >/dev/null
	pid=$(homo inspect -f '{{.State.Pid}}' x)
	run -0 homo exec -w /a/b x sh -c 'pwd; for n in mnt uts ipc net pid cgroup; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup'
	[ "${lines[0]}" = /a/b ]
	for n in mnt uts ipc net pid cgroup; do
		assert_output_has "$(readlink "/proc/$pid/ns/$n")"
	done
	assert_output_lacks "$HOMO_CGROUP_PARENT"
	run -127 homo exec x no-such-command
	homo rm -f x >/dev/null
}

@test "runtime exec: the cwd is entered before the user switch (runc): a user without the capability still starts in a directory only root may enter" {
	bundle '.process.args = ["sleep", "300"]'
	rt create --bundle "$T/b" c1 </dev/null >"$T/c1.out" 2>&1
	rt start c1
	jq -n --argjson u "$UNPRIV" --argjson c "$NOCAPS" \
		'{"args": ["sh", "-c", "pwd; id -u"], "cwd": "/root", "user": $u, "capabilities": $c, "env": ["PATH=/bin"]}' >"$T/p.json"
	run -0 rt exec --process "$T/p.json" c1
	[ "$output" = $'/root\n1000' ]
	# a cwd that does not exist is not made by exec (as runc)
	run -1 rt exec --cwd /no/such c1 true
	assert_output_has 'chdir to cwd "/no/such"'
	rt kill c1 KILL
	rt delete --force c1
}

@test "runtime run: the init's cwd too is entered before its user switch" {
	bundle ".process.args = [\"sh\", \"-c\", \"pwd; id -u\"] | .process.cwd = \"/root\" | .process.user = $UNPRIV | .process.capabilities = $NOCAPS"
	run -0 rt run --bundle "$T/b" c2 </dev/null
	[ "$output" = $'/root\n1000' ]
	rt delete --force c2
}

@test "CVE-2024-21626: runtime exec --cwd /proc/self/fd/N never reaches a directory the runtime holds open" {
	bundle '.process.args = ["sleep", "300"]'
	rt create --bundle "$T/b" c1 </dev/null >"$T/c1.out" 2>&1
	rt start c1
	mkdir "$T/host"
	touch "$T/host/homo-host-marker"
	# fd 9 of the runtime (not a preserved one): a host directory
	run -1 rt exec --cwd /proc/self/fd/9 c1 sh -c 'ls; ls ..' 9<"$T/host"
	assert_output_lacks homo-host-marker
	assert_output_has "outside the container's root"
	rt kill c1 KILL
	rt delete --force c1
}
