# Podman and containerd driving an OCI runtime ($RUNTIME, default
# build/homo-runtime): the set-up oci_engines.bats shares (make
# check-engines; docs/oci.md, docs/kubernetes.md).
#
# Per file (setup_file), in $W on a tmpfs:
#  - a mount namespace of its own, held by one sleeping process ($HOLDER),
#    in which every engine command runs (nsenter). There: a tmpfs over /run,
#    so the runtimes' default state roots (/run/crun, /run/runc,
#    /run/homo-runtime) and the paths containerd's shim shares whatever its
#    --state (/run/containerd/{runc,s,fifo}) are the test's own; a tmpfs
#    over /var/tmp and /var/lib/containers (podman's temp files and blob
#    cache); and on a hybrid cgroup host (controllers bound on
#    /sys/fs/cgroup/unified) a tmpfs over that, which crun needs.
#  - podman with its own --root/--runroot/--tmpdir and CONTAINERS_CONF:
#    cgroupfs, file events, no network, rlimits within this host's hard
#    nofile limit (no CAP_SYS_RESOURCE here); containers under the cgroup
#    parent /$PCG.
#  - a private containerd (root, state, socket, config in $W; its CRI
#    plugin off), driven by ctr in the namespace $NS (its containers'
#    cgroups /$NS/<id>, the runtime's --root /run/containerd/runc/$NS).
#  - the image: homo's test busybox pulled into a scratch store and
#    `homo save`d (an OCI archive with docker's manifest.json too), which
#    both `podman load` and `ctr images import` read, as $IMG.
# The wrappers pod (podman --runtime "$RUNTIME" as it is at each call) and
# hctr are scripts in $W/bin (on PATH), so that script(1) can run them for
# the tty tests. scripts/bench/bench-oci.sh uses this file too.
# Each test ends with a leak check (engine_leaks); teardown_file ends the
# daemon and the namespace by pid and removes the cgroup parents.

: "${HOMO:?set HOMO to the homo binary}"
: "${BUSYBOX_TAR:?set BUSYBOX_TAR to the busybox test image}"

IMG=localhost/bb:latest

# ctr and podman ids at depth 1 of a runtime's state root: none may stay
runtime_roots() {
	local r=/proc/$HOLDER/root/run
	echo "$r/crun $r/runc $r/homo-runtime $r/containerd/runc/$NS"
}

engines_setup_file() {
	local rt=${RUNTIME:-$(dirname "$HOMO")/homo-runtime} i c
	case $rt in /*) ;; *) rt=$PWD/$rt ;; esac
	export RUNTIME=$rt
	[ -x "$RUNTIME" ] || {
		echo "RUNTIME=$RUNTIME: not an executable" >&2
		return 1
	}
	for c in podman conmon containerd containerd-shim-runc-v2 ctr script; do
		command -v "$c" >/dev/null || {
			echo "$c not installed: scripts/install-deps.sh --engines" >&2
			return 1
		}
	done
	W=$(mktemp -d /dev/shm/homo-engines.XXXXXX)
	NS=homo-eng-${W##*.}
	PCG=$NS-podman
	export W NS PCG IMG
	mkdir -p "$W/bin" "$W/p" "$W/c"
	unshare -m --propagation private sh -c '
		set -e
		U=/sys/fs/cgroup/unified
		if [ -n "$(cat $U/cgroup.controllers 2>/dev/null)" ]; then
			mount -t tmpfs none $U
		fi
		mount -t tmpfs -o mode=755 none /run
		mount -t tmpfs -o mode=1777 none /var/tmp
		mkdir -p /var/lib/containers
		mount -t tmpfs -o mode=700 none /var/lib/containers
		touch "$1/ready"
		exec sleep infinity' _ "$W" >/dev/null 2>&1 3>&- &
	export HOLDER=$!
	for i in $(seq 200); do
		[ -e "$W/ready" ] && break
		sleep 0.05
	done
	[ -e "$W/ready" ] || { echo "the engines' namespace did not start" >&2; return 1; }
	engines_write_config
	export PATH=$W/bin:$PATH
	nsenter -t "$HOLDER" -m -- containerd --config "$W/c/config.toml" \
		--root "$W/c/root" --state "$W/c/state" --address "$W/c/sock" \
		>"$W/c/log" 2>&1 3>&- &
	export CTRD_PID=$!
	for i in $(seq 200); do
		hctr version >/dev/null 2>&1 && break
		sleep 0.05
	done
	hctr version >/dev/null || { cat "$W/c/log" >&2; return 1; }
	engines_image
}

# containers.conf, containerd's config and the two wrappers
engines_write_config() {
	# the rlimits: this host's hard nofile is 20000 and it lacks
	# CAP_SYS_RESOURCE; nproc too, else podman sets nproc=1048576.
	# runtime_supports_json: podman passes --log/--log-format=json only to
	# runtimes it knows by name
	cat >"$W/p/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
		netns = "none"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "homo-runtime"]
	EOF
	cat >"$W/c/config.toml" <<-EOF
		version = 2
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
	EOF
	# a bound on every engine command: a hung runtime fails its test
	# (run and create: every container under the test's cgroup parent)
	cat >"$W/bin/pod" <<-EOF
		#!/bin/sh
		case \$1 in run | create)
		    c=\$1; shift; set -- "\$c" --cgroup-parent /$PCG "\$@" ;;
		esac
		exec timeout --foreground 120 nsenter -t $HOLDER -m -- \\
		    env CONTAINERS_CONF=$W/p/containers.conf podman \\
		    --root $W/p/root --runroot $W/p/run --tmpdir $W/p/tmp \\
		    --runtime "\$RUNTIME" "\$@"
	EOF
	cat >"$W/bin/hctr" <<-EOF
		#!/bin/sh
		exec timeout --foreground 120 nsenter -t $HOLDER -m -- \\
		    ctr --address $W/c/sock -n $NS "\$@"
	EOF
	chmod +x "$W/bin/pod" "$W/bin/hctr"
}

engines_image() {
	local h=("$HOMO" --root "$W/homo/root" --runroot "$W/homo/run")
	"${h[@]}" pull -q "$BUSYBOX_TAR" "$IMG" >/dev/null &&
		"${h[@]}" save -o "$W/bb.tar" "$IMG" &&
		rm -rf "$W/homo" &&
		pod load -q -i "$W/bb.tar" >/dev/null &&
		hctr images import "$W/bb.tar" >/dev/null
}

# pids of our processes (but the holder and containerd): in the engines'
# mount namespace (conmon, shims, podman's cleanup) or in a cgroup under
# either parent (the containers, whose mount namespaces are their own)
engine_pids() {
	local mnt p
	mnt=$(readlink "/proc/$HOLDER/ns/mnt")
	{
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] && echo "${p#/proc/}"
		done
		grep -H -e ":/$PCG/" -e ":/$NS/" /proc/[0-9]*/cgroup 2>/dev/null |
			grep -v ' (deleted)$' | cut -d/ -f3
	} | sort -u | grep -vx -e "$HOLDER" -e "$CTRD_PID"
}

engine_leaks_once() {
	local out="" c d r p
	out+=$(pod ps -aq 2>&1 | sed 's/^/\npodman container /')
	out+=$(hctr containers ls -q 2>&1 | sed 's/^/\nctr container /')
	for p in $(engine_pids); do
		out+=$'\n'"process $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	for c in /sys/fs/cgroup/*/; do
		for d in "$c$PCG" "$c$NS"; do
			[ -d "$d" ] || continue
			out+=$(find "$d" -mindepth 1 -type d ! -path "$c$PCG/conmon" \
				-printf '\ncgroup %p')
		done
		[ -s "$c$PCG/conmon/cgroup.procs" ] &&
			out+=$'\n'"process in $c$PCG/conmon"
	done
	# mounts under $W, on the host and in the engines' namespace
	out+=$(awk -v t="$W" 'index($5, t) == 1 { print "\nmount " $5 }' \
		/proc/self/mountinfo "/proc/$HOLDER/mountinfo")
	# the runtime's state: nothing in its root, no file left in /run
	# (but homo-runtime's cache of compiled seccomp filters, one file per
	# profile, kept by design: docs/oci.md)
	for r in $(runtime_roots); do
		[ -d "$r" ] && out+=$(find "$r" -mindepth 1 -maxdepth 1 \
			! -name .seccomp-cache -printf '\nstate %p')
	done
	out+=$(find "/proc/$HOLDER/root/run" -mindepth 1 ! -type d \
		! -path '*/.seccomp-cache/*' -printf '\nfile %p')
	printf '%s' "$out" | sed '/^$/d'
}

# conmon, podman's cleanup and the shims exit just after the command that
# ended their container: poll (a bound, not a timing)
engine_leaks() {
	local end=$((SECONDS + 10)) l
	while :; do
		l=$(engine_leaks_once)
		[ -z "$l" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.2
	done
	printf '%s\n' "$l"
}

# remove what a failed test left, by the engines, then by pid
engine_cleanup() {
	local p r id
	pod rm -af -t 0 >/dev/null 2>&1
	for id in $(hctr tasks ls -q 2>/dev/null); do
		hctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1
		sleep 0.2
		hctr tasks delete -f "$id" >/dev/null 2>&1
	done
	for id in $(hctr containers ls -q 2>/dev/null); do
		hctr containers delete "$id" >/dev/null 2>&1
	done
	for p in $(engine_pids); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		containerd-shim*) ;; # ends with its last task
		*) kill -9 "$p" 2>/dev/null ;;
		esac
	done
	for r in $(runtime_roots); do
		[ -d "$r" ] && find "$r" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	done
	awk -v t="$W" 'index($5, t) == 1 { print $5 }' "/proc/$HOLDER/mountinfo" |
		sort -r | xargs -r -n1 nsenter -t "$HOLDER" -m -- umount -l
	engine_rmdir_cgroups 1
}

# the containers' cgroups (with $1, also the parents and conmon's)
engine_rmdir_cgroups() {
	local d
	for d in /sys/fs/cgroup/*/"$PCG" /sys/fs/cgroup/*/"$NS"; do
		[ -d "$d" ] || continue
		if [ -n "${1:-}" ]; then
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		else
			find "$d" -mindepth 1 -depth -type d ! -path "*/$PCG/conmon" \
				-exec rmdir {} + 2>/dev/null
		fi
	done
	return 0
}

engines_teardown() {
	local l
	# a failed "run -0 CMD" says only its status: show what CMD said (the
	# runtime's error, as the engine relays it)
	[ -n "${BATS_TEST_COMPLETED:-}" ] ||
		printf '# the last command said:\n%s\n' "${output:-}" | sed '2,$s/^/#   /' >&3
	l=$(engine_leaks)
	[ -z "$l" ] && return 0
	echo "# LEAKS after '$BATS_TEST_DESCRIPTION':" >&3
	printf '%s\n' "$l" | sed 's/^/#   /' >&3
	engine_cleanup
	return 1
}

engines_teardown_file() {
	local p
	[ -n "${W:-}" ] || return 0
	# (set -e callers: every step here runs whatever the one before did)
	[ -z "${HOLDER:-}" ] || engine_cleanup || true
	if [ -n "${CTRD_PID:-}" ]; then
		kill "$CTRD_PID" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$CTRD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$CTRD_PID" 2>/dev/null || true
		wait "$CTRD_PID" 2>/dev/null || true
	fi
	if [ -n "${HOLDER:-}" ]; then
		# what is left in the namespace (a shim) goes with it
		for p in $(engine_pids); do kill -9 "$p" 2>/dev/null || true; done
		kill -9 "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	engine_rmdir_cgroups 1
	rm -rf "$W"
}

# a command on a terminal (script(1)), its output without the CRs
on_tty() {
	script -qec "$(printf '%q ' "$@")" /dev/null </dev/null | tr -d '\r'
}

# the container's cgroup directory in hierarchy $1 (v1; v2: "")
podman_cgroup() { echo "/sys/fs/cgroup/$1/$PCG/libpod-$(pod inspect -f '{{.Id}}' "$2")"; }
