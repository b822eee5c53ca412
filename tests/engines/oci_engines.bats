#!/usr/bin/env bats
# Podman (through conmon) and containerd (through its runc-v2 shim, driven
# by ctr) driving an OCI runtime end to end: RUNTIME=PATH, default
# build/homo-runtime; make check-engines (RUNTIME=/usr/bin/crun,
# /usr/sbin/runc for the baselines). The set-up and the leak check every
# test ends with are in engines.bash; what each engine calls is in
# docs/oci.md. Podman's container ids are 64 hex digits, ctr's the names
# given here.
bats_require_minimum_version 1.5.0
load ../integration/helpers
load engines

setup_file() { engines_setup_file; }
teardown_file() { engines_teardown_file; }
setup() { :; }
teardown() { engines_teardown; }

# the container's cgroup file $2 (v1 name) of cgroup directory $1 under a
# parent, in either cgroup version
cg_file() {
	if cgroup_v2; then
		case $2 in
		freezer.state) echo "/sys/fs/cgroup/$1/cgroup.freeze" ;;
		memory.limit_in_bytes) echo "/sys/fs/cgroup/$1/memory.max" ;;
		cpu.cfs_quota_us) echo "/sys/fs/cgroup/$1/cpu.max" ;;
		esac
	else
		echo "/sys/fs/cgroup/${2%%.*}/$1/$2"
	fi
}

frozen() { grep -qx -e FROZEN -e 1 "$(cg_file "$1" freezer.state)"; }
thawed() { grep -qx -e THAWED -e 0 "$(cg_file "$1" freezer.state)"; }

# a shell that says it started, exits $1 on SIGTERM and $2 on SIGHUP
# (a container's pid 1 has no default action for either)
TRAPS='trap "echo term; exit $0" TERM; trap "echo hup; exit $1" HUP;
	echo started; while :; do sleep 0.1; done'

# wait (bounded) for a podman container's log to show $2
pod_logs_wait() {
	local i
	for i in $(seq 200); do
		pod logs "$1" 2>/dev/null | grep -qx "$2" && return 0
		sleep 0.05
	done
	echo "$1 never logged '$2': $(pod logs "$1" 2>&1)"
	return 1
}

@test "podman run --rm: the runtime runs the command, its output and exit code come through" {
	run -0 pod run --rm --network none "$IMG" echo hello from the runtime
	[ "$output" = "hello from the runtime" ]
	run -3 pod run --rm --network none "$IMG" sh -c 'echo out; echo err >&2; exit 3'
	assert_output_has out
	assert_output_has err
	run -1 pod run --rm --network none "$IMG" false
	# 127: not found inside, as Docker
	run -127 pod run --rm --network none "$IMG" /no/such/binary
	assert_output_has /no/such/binary
	# refused at create, as by crun and runc (and Docker): run -d fails
	# too, rather than start a container that exits 127
	run -127 pod run -d --rm --network none "$IMG" /no/such/binary
	assert_output_has /no/such/binary
	# 126: found, cannot be executed
	run -126 pod run --rm --network none "$IMG" /etc
	run -0 pod run --rm --network none -e FOO=bar -w /tmp --user 1000:1000 \
		"$IMG" sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g)"'
	[ "$output" = "bar /tmp 1000:1000" ]
	# -i: conmon's stdin pipe, the runtime's fd 0, the container's
	run -0 bash -c 'echo through stdin | pod run --rm -i --network none "$IMG" cat'
	[ "$output" = "through stdin" ]
}

@test "podman run -t: the container's stdio is a terminal (the runtime's --console-socket)" {
	run -0 on_tty pod run --rm -t --network none "$IMG" sh -c 'tty; stty size'
	[[ "$output" == /dev/pts/* ]] || { echo "$output"; false; }
}

@test "podman run -d, ps, logs, exec (and exec -t), stop (SIGTERM, the container's exit code), rm" {
	run -0 pod run -d --network none --name c1 "$IMG" sh -c "$TRAPS" 7 9
	id=$output
	pod_logs_wait c1 started
	# the runtime itself knows the container (podman gives it no --root:
	# the runtime's default, in the engines' /run)
	run -0 nsenter -t "$HOLDER" -m -- "$RUNTIME" state "$id"
	echo "$output" | jq -e --arg id "$id" '.id == $id and .status == "running" and .pid > 0'
	pid=$(echo "$output" | jq .pid)
	[ "$(pod inspect -f '{{.State.Pid}}' c1)" = "$pid" ]
	run -0 pod ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "c1 Up "* ]] || { echo "$output"; false; }
	run -0 pod exec c1 sh -c 'echo in $(hostname); exit 0'
	assert_output_has "in "
	run -5 pod exec c1 sh -c 'exit 5'
	run -0 pod exec -e X=1 -w /etc c1 sh -c 'echo $X $(pwd)'
	[ "$output" = "1 /etc" ]
	run -0 on_tty pod exec -t c1 tty
	[[ "$output" == /dev/pts/* ]] || { echo "$output"; false; }
	# exec -d: the process outlives the exec call
	run -0 pod exec -d c1 sh -c 'sleep 0.2; echo detached >/tmp/d'
	for i in $(seq 100); do
		pod exec c1 cat /tmp/d 2>/dev/null | grep -qx detached && break
		sleep 0.1
	done
	run -0 pod exec c1 cat /tmp/d
	[ "$output" = detached ]
	# restart: kill, delete --force, then create and start the same id
	run -0 pod restart -t 30 c1
	[ "$(pod inspect -f '{{.Id}}' c1)" = "$id" ]
	for i in $(seq 100); do
		[ "$(pod logs c1 | grep -cx started)" = 2 ] && break
		sleep 0.1
	done
	run -0 pod exec c1 cat /tmp/d
	[ "$output" = detached ]
	run -0 pod stop -t 30 c1
	[ "$(pod inspect -f '{{.State.ExitCode}}' c1)" = 7 ]
	run -0 pod logs c1
	[ "$output" = $'started\nterm\nstarted\nterm' ]
	run -0 pod rm c1
	run -0 pod ps -aq
	[ -z "$output" ]
}

@test "podman kill (signals as numbers to the runtime), pause/unpause (the freezer), rm -f" {
	run -0 pod run -d --network none --name k1 "$IMG" sh -c "$TRAPS" 7 9
	pod_logs_wait k1 started
	cg=$PCG/libpod-$(pod inspect -f '{{.Id}}' k1)
	run -0 pod pause k1
	[ "$(pod inspect -f '{{.State.Status}}' k1)" = paused ]
	frozen "$cg"
	run -0 pod unpause k1
	[ "$(pod inspect -f '{{.State.Status}}' k1)" = running ]
	thawed "$cg"
	run -0 pod kill -s HUP k1
	run -0 pod wait k1
	[ "$output" = 9 ]
	run -0 pod rm k1
	run -0 pod run -d --network none --name k2 "$IMG" sleep 600
	run -0 pod kill k2
	run -0 pod wait k2
	[ "$output" = 137 ]
	run -0 pod run -d --network none --name k3 "$IMG" sleep 600
	run -0 pod rm -f -t 0 k2 k3
}

@test "podman update: memory and cpu limits of a running container (the runtime's update --resources)" {
	run -0 pod run -d --network none --name u1 "$IMG" sleep 600
	cg=$PCG/libpod-$(pod inspect -f '{{.Id}}' u1)
	run -0 pod update --memory 100m --cpus 0.5 u1
	run -0 cat "$(cg_file "$cg" memory.limit_in_bytes)"
	[ "$output" = 104857600 ]
	run -0 cat "$(cg_file "$cg" cpu.cfs_quota_us)"
	[[ "$output" == 50000* ]]
	run -0 pod rm -f -t 0 u1
}

@test "ctr run --rm --runc-binary: the command's output and exit code come through" {
	run -0 hctr run --rm --runc-binary "$RUNTIME" "$IMG" r1 echo hello from the runtime
	[ "$output" = "hello from the runtime" ]
	run -4 hctr run --rm --runc-binary "$RUNTIME" "$IMG" r2 sh -c 'echo out; exit 4'
	[ "$output" = out ]
	run -0 hctr run --rm --runc-binary "$RUNTIME" --env FOO=bar --cwd /tmp \
		"$IMG" r3 sh -c 'echo "$FOO $(pwd)"'
	[ "$output" = "bar /tmp" ]
	run -0 on_tty hctr run --rm -t --runc-binary "$RUNTIME" "$IMG" r4 tty
	assert_output_has /dev/pts/
	# the runtime's error, from its --log (JSON) through the shim to ctr:
	# create refuses a missing binary (as crun and runc)
	run -1 hctr run --rm --runc-binary "$RUNTIME" "$IMG" r5 /no/such/binary
	assert_output_has "OCI runtime create failed"
	assert_output_has /no/such/binary
}

@test "ctr task exec (and exec -t), ps, pause/resume, kill, delete of a detached task" {
	run -0 hctr run -d --runc-binary "$RUNTIME" "$IMG" d1 sh -c "$TRAPS" 7 9
	run -0 hctr task ls
	[[ "$output" == *"d1 "*RUNNING* ]] || { echo "$output"; false; }
	pid=$(hctr task ls | awk '$1 == "d1" { print $2 }')
	# the runtime's own view, in the shim's --root
	run -0 nsenter -t "$HOLDER" -m -- "$RUNTIME" --root "/run/containerd/runc/$NS" state d1
	echo "$output" | jq -e --argjson p "$pid" '.id == "d1" and .status == "running" and .pid == $p'
	run -0 hctr task exec --exec-id e1 d1 sh -c 'echo exec; exit 0'
	[ "$output" = exec ]
	run -6 hctr task exec --exec-id e2 d1 sh -c 'exit 6'
	run -0 on_tty hctr task exec -t --exec-id e3 d1 tty
	assert_output_has /dev/pts/
	# ps: the runtime's ps --format json (the init and its sleep)
	run -0 hctr task ps d1
	echo "$output" | awk 'NR > 1 { print $1 }' | grep -qx "$pid"
	run -0 hctr task pause d1
	run -0 hctr task ls
	[[ "$output" == *"d1 "*PAUSED* ]] || { echo "$output"; false; }
	frozen "$NS/d1"
	run -0 hctr task resume d1
	run -0 hctr task ls
	[[ "$output" == *"d1 "*RUNNING* ]] || { echo "$output"; false; }
	thawed "$NS/d1"
	run -0 hctr task kill -s SIGTERM d1
	for i in $(seq 100); do
		hctr task ls | grep -q 'd1 .*STOPPED' && break
		sleep 0.1
	done
	run -0 hctr task delete d1
	assert_output_has "exit code 7"
	run -0 hctr containers delete d1
	# SIGKILL and delete of a second one
	run -0 hctr run -d --runc-binary "$RUNTIME" "$IMG" d2 sleep 600
	run -0 hctr task kill -s SIGKILL d2
	for i in $(seq 100); do
		hctr task ls | grep -q 'd2 .*STOPPED' && break
		sleep 0.1
	done
	run -0 hctr task delete d2
	assert_output_has "exit code 137"
	run -0 hctr containers delete d2
}
