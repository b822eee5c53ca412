#!/usr/bin/env bats
# --security-opt seccomp=PROFILE.json: a profile of Docker's format (the OCI
# linux.seccomp object plus archMap, includes/excludes, "name") in place of
# homo's own filter, loaded by the one loader (oci_seccomp.c) into the init
# and every exec'd process, kept in the record for start and restart.
bats_require_minimum_version 1.5.0
load helpers

# A profile that refuses mkdir with EPERM and allows the rest.
nomkdir() {
	cat >"$T/nomkdir.json" <<-'EOF'
		{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [
				{
					"names": ["mkdir", "mkdirat"],
					"action": "SCMP_ACT_ERRNO",
					"errnoRet": 1,
					"comment": "Docker's extra fields are fine"
				}
			]
		}
	EOF
}

# Docker's default profile, moby's profiles/seccomp/default.json at
# 00f3d189, in its own format again from the data file the unit tests
# check homo's table against: archMap, includes and excludes by capability,
# architecture and kernel, argument conditions.
docker_default() {
	jq -Rn '
	def arch: {"amd64": "SCMP_ARCH_X86_64", "x86": "SCMP_ARCH_X86",
		"x32": "SCMP_ARCH_X32", "arm64": "SCMP_ARCH_AARCH64",
		"arm": "SCMP_ARCH_ARM"}[.];
	[inputs | select(test("^[a-z_0-9]")) | split(" ") | map(select(. != ""))]
	| . as $l
	| {defaultAction: "SCMP_ACT_ERRNO",
	   defaultErrnoRet: ($l | map(select(.[0] == "default"))[0][1]
		| ltrimstr("errno=") | tonumber),
	   archMap: [$l[] | select(.[0] == "archmap")
		| {architecture: (.[1] | arch),
		   subArchitectures: [.[2:][] | arch]}],
	   syscalls: [$l[] | select(.[0] != "default" and .[0] != "archmap")
		| . as $w
		| {names: [$w[0]]}
		+ (if $w[1] == "allow" then {action: "SCMP_ACT_ALLOW"}
		   else {action: "SCMP_ACT_ERRNO",
			 errnoRet: ($w[1] | ltrimstr("errno=") | tonumber)} end)
		+ reduce $w[2:][] as $c ({};
			($c | split("=")) as [$k, $v]
			| if $k == "caps" then .includes.caps = ($v | split(","))
			elif $k == "nocaps" then .excludes.caps = ($v | split(","))
			elif $k == "arches" then .includes.arches = ($v | split(","))
			elif $k == "noarches" then .excludes.arches = ($v | split(","))
			elif $k == "minkernel" then .includes.minKernel = $v
			elif $k == "arg" then ($v | split(":")) as [$i, $op, $n]
				| .args += [{index: ($i | tonumber),
					value: ($n | tonumber), valueTwo: 0,
					op: ("SCMP_CMP_" + ($op | ascii_upcase))}]
			else error("unknown condition " + $c) end)]}' \
		"$BATS_TEST_DIRNAME/../unit/runtime/docker-seccomp-00f3d189.txt" \
		>"$T/default.json"
}

@test "seccomp profile: a profile refusing mkdir replaces homo's filter; without it mkdir works" {
	pull_busybox
	nomkdir
	run homo run --rm --security-opt seccomp="$T/nomkdir.json" busybox sh -c \
		'probe seccomp; mkdir /x && echo made; probe syscall keyctl'
	assert_status 0
	assert_output_has "seccomp=2"
	assert_output_has "Operation not permitted"
	assert_output_lacks "made"
	# the profile's rules alone: keyctl, refused by homo's, is allowed
	assert_output_lacks "keyctl=errno:EPERM"
	run homo run --rm busybox sh -c 'mkdir /x && echo made'
	assert_status 0
	assert_output_has "made"
	# seccomp:FILE too, as Docker
	run homo run --rm --security-opt seccomp:"$T/nomkdir.json" busybox mkdir /x
	assert_status 1
	assert_output_has "Operation not permitted"
}

@test "seccomp profile: defaultAction SCMP_ACT_ERRNO with an allow list, defaultErrnoRet" {
	pull_busybox
	mkdir "$T/s"
	run -0 "$HOMO" runtime spec --bundle "$T/s"
	# homo's own allow-list without mkdir, refused with ENOSYS
	jq '.linux.seccomp | .defaultErrnoRet = 38
		| .syscalls[0].names -= ["mkdir", "mkdirat"]' \
		"$T/s/config.json" >"$T/allow.json"
	run homo run --rm --security-opt seccomp="$T/allow.json" busybox sh -c \
		'echo up; mkdir /x && echo made; probe syscall keyctl'
	assert_status 0
	assert_output_has "up"
	assert_output_has "Function not implemented"
	assert_output_lacks "made"
	# not in the list either: the default action
	assert_output_has "keyctl=errno:ENOSYS"
}

@test "seccomp profile: Docker's default profile (archMap, includes, excludes) runs busybox sh" {
	pull_busybox
	docker_default
	jq -e '.archMap | length == 2' "$T/default.json"
	jq -e '[.syscalls[] | select(.includes.caps == ["CAP_SYS_ADMIN"])] | length > 10' "$T/default.json"
	run homo run --rm --security-opt seccomp="$T/default.json" busybox sh -c \
		'echo hello from sh; probe seccomp; for s in keyctl unshare-none clone3 chroot; do probe syscall $s; done'
	assert_status 0
	assert_output_has "hello from sh"
	assert_output_has "seccomp=2"
	assert_output_has "keyctl=errno:EPERM"
	assert_output_has "unshare-none=errno:EPERM"
	# excludes: CAP_SYS_ADMIN -> clone3 is ENOSYS; includes: SYS_CHROOT
	assert_output_has "clone3=errno:ENOSYS"
	assert_output_has "chroot=ok"
	# includes caps CAP_SYS_ADMIN: the entry is in, the exclusion is not
	run homo run --rm --cap-add SYS_ADMIN --cap-drop SYS_CHROOT \
		--security-opt seccomp="$T/default.json" busybox sh -c \
		'for s in unshare-none clone3 chroot; do probe syscall $s; done'
	assert_status 0
	assert_output_has "unshare-none=ok"
	assert_output_has "clone3=ok"
	assert_output_has "chroot=errno:EPERM"
}

@test "seccomp profile: kept in the record: start, restart and exec load the same filter" {
	pull_busybox
	nomkdir
	run -0 homo create --name c --security-opt seccomp="$T/nomkdir.json" busybox sleep 1000
	rm "$T/nomkdir.json" # the record holds the profile, not its path
	run -0 homo start c
	run homo exec c sh -c 'grep ^Seccomp: /proc/1/status; grep ^Seccomp_filters: /proc/self/status; mkdir /y && echo made; probe syscall keyctl'
	assert_status 0
	assert_output_has "Seccomp:	2"
	assert_output_has "Seccomp_filters:	1"
	assert_output_has "Operation not permitted"
	assert_output_lacks "made"
	assert_output_lacks "keyctl=errno:EPERM"
	run -0 homo inspect -f '{{json .HostConfig.SecurityOpt}}' c
	assert_output_has 'seccomp={'
	assert_output_has 'mkdirat'
	run -0 homo restart -t 0 c
	run homo exec c sh -c 'mkdir /y && echo made'
	assert_output_has "Operation not permitted"
	assert_output_lacks "made"
	run -0 homo rm -f c
}

@test "seccomp profile: an unreadable or invalid profile is one error line, exit 125, nothing made" {
	pull_busybox
	printf '{"defaultAction": "SCMP_ACT_ALLOW",' >"$T/cut.json"
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}}, {"names": ["mkdir"], "action": "SCMP_ACT_MAYBE"}]}' >"$T/action.json"
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}' >"$T/arch.json"
	for f in "$T/missing.json:No such file" "$T/cut.json:invalid JSON" \
		"$T/action.json:syscalls[1].action: unknown action" \
		"$T/arch.json:both \"architectures\" and \"archMap\"" \
		":expected a profile file"; do
		for cmd in run create; do
			run --separate-stderr homo "$cmd" --security-opt "seccomp=${f%%:*}" busybox true
			assert_status 125
			assert_one_error_line
			[[ "$stderr" == *"${f#*:}"* ]] || { echo "$stderr" >&2; false; }
		done
	done
	[ -z "$(homo ps -aq)" ]
}

@test "seccomp profile: unconfined and builtin still work; --privileged loads none, as Docker" {
	pull_busybox
	nomkdir
	run homo run --rm --security-opt seccomp="$T/nomkdir.json" \
		--security-opt seccomp=unconfined busybox sh -c 'probe seccomp; mkdir /x && echo made'
	assert_status 0
	assert_output_has "seccomp=0"
	assert_output_has "made"
	run homo run --rm --security-opt seccomp="$T/nomkdir.json" \
		--security-opt seccomp=builtin busybox sh -c 'probe seccomp; mkdir /x && echo made; probe syscall keyctl'
	assert_status 0
	assert_output_has "seccomp=2"
	assert_output_has "made"
	assert_output_has "keyctl=errno:EPERM"
	run homo run --rm --privileged --security-opt seccomp="$T/nomkdir.json" \
		busybox sh -c 'probe seccomp; mkdir /x && echo made'
	assert_status 0
	assert_output_has "seccomp=0"
	assert_output_has "made"
}
