#!/usr/bin/env bats
# homo as an OCI runtime (docs/oci.md): the command line engines call, its
# global flags, the error log containerd and conmon read, and `state` over
# the state directory. create is not implemented yet: the records here are
# written by hand in the layout create will write.
bats_require_minimum_version 1.5.0
load helpers

rt() { "$T/homo-runtime" --root "$T/oci" "$@"; }

# a state record as create writes it, for the process @pid
record() {
	local id=$1 pid=$2 started=$3 start
	start=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
	mkdir -p "$T/oci/$id"
	printf '{"ociVersion":"1.0.2","id":"%s","pid":%s,"pid_start":%s,"bundle":"%s","rootfs":"%s/rootfs","created":"2026-11-30T17:35:46Z","owner":"root","started":%s,"annotations":{"k":"v"}}' \
		"$id" "$pid" "$start" "$T/b" "$T/b" "$started" >"$T/oci/$id/state.json"
}

@test "homo-runtime (a multi-call name) and homo runtime: --version, features, an unknown command exits 1" {
	ln -s "$HOMO" "$T/homo-runtime"
	run -0 "$T/homo-runtime" --version
	assert_output_has "homo-runtime version"
	run -0 "$HOMO" runtime --version
	assert_output_has "homo-runtime version"
	run -0 rt features
	echo "$output" | jq -e '.ociVersionMax == "1.1.0" and (.linux.namespaces | index("user"))'
	run -1 --separate-stderr rt frobnicate x
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | grep -c .)" = 1 ]
	[[ "$stderr" == "homo-runtime: "* ]]
	output=$stderr
	assert_output_has '"frobnicate" is not a runtime command'
	run -1 rt --bogus state x
	assert_output_has "unknown global flag --bogus"
	run -1 "$T/homo-runtime" --root
	assert_output_has "--root: missing value"
}

@test "state of an unknown id exits 1; the error goes to --log as a JSON line, with --flag value and --flag=value" {
	ln -s "$HOMO" "$T/homo-runtime"
	run -1 rt state nope
	assert_output_has 'container "nope" does not exist'
	run -1 "$T/homo-runtime" --root="$T/oci" --log="$T/log.json" --log-format=json state nope
	run -1 "$T/homo-runtime" --debug --systemd-cgroup --root "$T/oci" --log "$T/log.json" --log-format json state ../x
	[ "$(wc -l <"$T/log.json")" = 2 ]
	jq -e -s '.[0].level == "error" and (.[0].msg | test("does not exist")) and (.[0].time | test("^[0-9-]+T"))' "$T/log.json"
	jq -e -s '.[1].msg | test("invalid container id")' "$T/log.json"
	run -1 rt --log "$T/log.txt" --log-format=text state nope
	grep -q 'error: container "nope" does not exist' "$T/log.txt"
	run -1 rt --log-format yaml state nope
	assert_output_has '"yaml" is not text or json'
}

@test "state: created until started, then running, stopped (pid 0) once the init is gone or its pid reused" {
	ln -s "$HOMO" "$T/homo-runtime"
	bg sleep 300
	pid=${BG_PIDS[0]}
	record c1 "$pid" false
	run -0 rt state c1
	echo "$output" | jq -e --arg b "$T/b" --argjson p "$pid" \
		'.ociVersion == "1.0.2" and .id == "c1" and .status == "created" and .pid == $p and .bundle == $b and .annotations.k == "v" and .owner == "root" and .created == "2026-11-30T17:35:46Z"'
	record c1 "$pid" true
	run -0 rt state c1
	echo "$output" | jq -e '.status == "running"'
	# another process under the same pid is not our init
	sed -i 's/"pid_start":[0-9]*/"pid_start":1/' "$T/oci/c1/state.json"
	run -0 rt state c1
	echo "$output" | jq -e '.status == "stopped" and .pid == 0'
	record c1 "$pid" true
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	run -0 rt state c1
	echo "$output" | jq -e '.status == "stopped" and .pid == 0'
}
