#!/usr/bin/env bats
# homo as an OCI runtime joining a namespace by path (docs/oci.md): the
# init is cloned by a helper that joined it, as the runtime's child
# (CLONE_PARENT), into its cgroup (cgroup_clone()).
bats_require_minimum_version 1.5.0
load helpers

rt() { "$T/homo-runtime" --root "$T/oci" "$@"; }

# $T/b: busybox under spec's config, its uts namespace the holder's
# (a process with its own hostname, held-uts), process.args $1...
nspath_bundle() {
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
		.process.args = $ARGS.positional | del(.hostname) |
		.linux.namespaces |= map(if .type == "uts" then .path = $ns else . end)' \
		--args "$@" <"$T/b/config.json" >"$T/b/c.json"
	mv "$T/b/c.json" "$T/b/config.json"
}

@test "homo-runtime: a uts namespace joined by path: the init is cloned into it (clone3 takes CLONE_PARENT only without an exit signal)" {
	nspath_bundle hostname
	run --separate-stderr rt run --bundle "$T/b" c1 </dev/null
	echo "$stderr"
	assert_status 0
	[ "$output" = held-uts ]
}

@test "homo-runtime: the init's word that it joined its cgroups may come before the helper's pid: create still succeeds" {
	[ -x "$HOMO_FAULT_BIN" ] || skip "no homo-fault build"
	nspath_bundle hostname
	mkdir -p "$T/fault"
	ln -sfn "$HOMO_FAULT_BIN" "$T/fault/homo-runtime"
	# the helper stops after cloning the init, before it reports the pid
	HOMO_FAULT_STOP=oci-helper-before-pid "$T/fault/homo-runtime" \
		--root "$T/oci" create --bundle "$T/b" c1 </dev/null \
		>"$T/out" 2>"$T/err" &
	creator=$!
	BG_PIDS+=($creator)
	helper=""
	for _ in $(seq 200); do
		helper=$(ps -o pid=,stat= --ppid "$creator" | awk '$2 ~ /^T/ { print $1 }')
		[ -n "$helper" ] && break
		sleep 0.05
	done
	[ -n "$helper" ]
	sleep 0.5 # the init has joined its cgroups and said so by now
	kill -CONT "$helper"
	rc=0
	wait "$creator" || rc=$?
	cat "$T/err"
	[ "$rc" = 0 ]
	[ "$(rt state c1 | jq -r .status)" = created ]
	rt delete --force c1
}
