#!/usr/bin/env bats
# homo as an OCI runtime joining a namespace by path (docs/oci.md): the
# init is cloned by a helper that joined it, as the runtime's child
# (CLONE_PARENT), into its cgroup (cgroup_clone()).
bats_require_minimum_version 1.5.0
load helpers

rt() { "$T/homo-runtime" --root "$T/oci" "$@"; }

@test "homo-runtime: a uts namespace joined by path: the init is cloned into it (clone3 takes CLONE_PARENT only without an exit signal)" {
	# the namespace's holder: its own hostname
	unshare --uts sh -c 'hostname held-uts && exec sleep 60' &
	BG_PIDS+=($!)
	holder=$!
	for _ in $(seq 100); do
		[ "$(nsenter -t "$holder" -u hostname 2>/dev/null)" = held-uts ] && break
		sleep 0.05
	done
	ln -sfn "$HOMO" "$T/homo-runtime"
	mkdir -p "$T/b/rootfs"
	tar -xf "$BUSYBOX_TAR" -C "$T/b/rootfs"
	(cd "$T/b" && "$T/homo-runtime" spec)
	jq --arg ns "/proc/$holder/ns/uts" '.process.terminal = false |
		.process.args = ["hostname"] | del(.hostname) |
		.linux.namespaces |= map(if .type == "uts" then .path = $ns else . end)' \
		"$T/b/config.json" >"$T/b/c.json"
	mv "$T/b/c.json" "$T/b/config.json"
	run --separate-stderr rt run --bundle "$T/b" c1 </dev/null
	echo "$stderr"
	assert_status 0
	[ "$output" = held-uts ]
}
