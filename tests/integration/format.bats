#!/usr/bin/env bats
# Docker's output formats: inspect's JSON shape and -f templates, ps and
# images --format (templates, table, json), aligned tables, PORTS,
# Restarting; version, info and system df. The expectations are Docker's
# documented output (docs/inspect.md).
bats_require_minimum_version 1.5.0
load helpers
# the PORTS test publishes a port: bridge networking in a netns of its own
HOMO_TEST_NETNS=1

# the offset of $2 in line $1 of $output (0-based; -1 if absent)
col() {
	local line=${lines[$1]} rest
	rest=${line%%"$2"*}
	[ "$rest" = "$line" ] && { echo -1; return; }
	echo "${#rest}"
}

@test "inspect -f: fields, json, index, range, if/else, join, upper, printf, println, variables, trim markers" {
	pull_busybox
	homo run --name web -e A=1 -e B=2 -w /tmp busybox sh -c 'exit 3' >/dev/null || true
	run --separate-stderr homo inspect -f '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{json .Config.Cmd}}' web
	assert_status 0
	[ "$output" = '/web exited 3 ["sh","-c","exit 3"]' ]
	run homo inspect --format '{{join .Args " "}}|{{.Path}}|{{index .Config.Env 1}}|{{upper .State.Status}}' web
	[ "$output" = '-c exit 3|sh|A=1|EXITED' ]
	run homo inspect -f '{{range $i, $e := .Config.Env}}{{if $i}},{{end}}{{$e}}{{end}}' web
	[ "$output" = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,A=1,B=2' ]
	run homo inspect -f '{{if eq .State.ExitCode 0}}ok{{else}}failed {{.State.ExitCode}}{{end}}' web
	[ "$output" = "failed 3" ]
	run homo inspect -f '{{range .Config.Env}}{{println .}}{{end}}' web
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = B=2 ]
	run homo inspect -f '{{$w := .Config.WorkingDir}}{{printf "%s=%q" "wd" $w}}' web
	[ "$output" = 'wd="/tmp"' ]
	run homo inspect -f '{{- .Name -}}
	{{.RestartCount}} {{index .Config.Labels "none"}}|{{.HostConfig.RestartPolicy.Name}}' web
	[ "$output" = '/web0 |no' ]
	# a line per object, containers and images mixed
	run homo inspect -f '{{.Id}}' web busybox
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[0-9a-f]{64}$ ]]
	[[ "${lines[1]}" =~ ^sha256:[0-9a-f]{64}$ ]]
	run homo inspect -f '{{json .RepoTags}} {{.Os}} {{len .RootFS.Layers}}' busybox
	[ "$output" = '["busybox:latest"] linux 1' ]
	run homo inspect --type image -f '{{.Id}}' web
	assert_status 125
	homo rm web >/dev/null
}

@test "inspect -f: a template error is one line 'homo: inspect: template: ...', exit 125, nothing printed" {
	pull_busybox
	homo run --name c busybox true
	for t in '{{.Nope}}' '{{.State.Status' '{{nosuch .Id}}' '{{index .Args 9}}' '{{if .Id}}x'; do
		run --separate-stderr homo inspect -f "$t" c
		assert_status 125
		[ -z "$output" ]
		assert_one_error_line
		[[ "$stderr" == "homo: inspect: template: "* ]] || { echo "$t: $stderr" >&2; return 1; }
	done
	run --separate-stderr homo inspect -f '{{.Nope}}' c
	[ "$stderr" = 'homo: inspect: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"' ]
	homo rm c >/dev/null
}

@test "inspect prints Docker's shape: a JSON array of container and image objects" {
	pull_busybox
	homo run -d --name shape --restart on-failure:2 -m 64m --pids-limit 100 --cap-drop NET_RAW -v "$T:/host:ro" busybox true >/dev/null
	homo wait shape >/dev/null
	run homo inspect shape
	assert_status 0
	jq -e '.[0] | (.Id | test("^[0-9a-f]{64}$")) and .Name == "/shape" and
		(.Image | test("^sha256:[0-9a-f]{64}$")) and .Path == "true" and .Args == [] and
		.State.Status == "exited" and .State.Running == false and .State.Restarting == false and
		.State.Paused == false and .State.Dead == false and .State.OOMKilled == false and
		.State.ExitCode == 0 and .State.Pid == 0 and (.State.StartedAt | test("^20")) and
		(.State.FinishedAt | test("^20")) and .RestartCount == 0 and
		.HostConfig.Memory == 67108864 and .HostConfig.MemorySwap == 134217728 and
		.HostConfig.PidsLimit == 100 and .HostConfig.CapDrop == ["NET_RAW"] and
		.HostConfig.RestartPolicy == {"Name": "on-failure", "MaximumRetryCount": 2} and
		.HostConfig.Binds == ["'"$T"':/host:ro"] and .HostConfig.NetworkMode == "none" and
		.HostConfig.Privileged == false and .HostConfig.ReadonlyRootfs == false and
		.Mounts[0].Source == "'"$T"'" and .Mounts[0].Destination == "/host" and .Mounts[0].RW == false and
		.Config.Cmd == ["true"] and .Config.Image == "busybox" and .Config.Entrypoint == null and
		.Config.Tty == false and .Config.Labels == {} and (.Config.Env | length) == 1 and
		(.Config.Hostname | length) == 12 and .NetworkSettings.Networks.none.IPAddress == "" and
		(.GraphDriver.Data.UpperDir | endswith("/upper"))' <<<"$output"
	run homo inspect busybox
	jq -e '.[0] | (.Id | test("^sha256:")) and .RepoTags == ["busybox:latest"] and .RepoDigests == [] and
		.Comment == "" and .Os == "linux" and (.Architecture | length) > 0 and .Size > 0 and
		.Config.Cmd == ["/bin/sh"] and .RootFS.Type == "layers" and (.RootFS.Layers | length) == 1 and
		(.Created | test("^20"))' <<<"$output"
	# found ones printed, the others an error (Docker's inspect)
	run --separate-stderr homo inspect shape nosuch
	assert_status 125
	[ "$(jq length <<<"$output")" -eq 1 ]
	[[ "$stderr" == *"nosuch: no such container or image"* ]]
	homo rm shape >/dev/null
}

@test "the example of docs/inspect.md prints what the page shows" {
	pull_busybox
	homo run -d --name web busybox sleep 60 >/dev/null
	run homo inspect -f '{{.Name}} {{.State.Status}} {{json .Config.Cmd}} {{.HostConfig.RestartPolicy.Name}}' web
	[ "$output" = '/web running ["sleep","60"] no' ]
	grep -qxF "$output" "$BATS_TEST_DIRNAME/../../docs/inspect.md"
	run homo ps --format '{{.Names}}: {{.State}}'
	[ "$output" = "web: running" ]
	grep -qxF "$output" "$BATS_TEST_DIRNAME/../../docs/inspect.md"
	homo rm -f web >/dev/null
}

@test "ps: columns sized to their contents, a template, table, json one object a line, -q, --no-trunc" {
	pull_busybox
	homo run -d --name a-container-with-a-rather-long-name busybox sleep 60 >/dev/null
	homo run --name x busybox sh -c 'exit 2' >/dev/null || true
	run homo ps -a
	assert_status 0
	[ "${#lines[@]}" -eq 3 ]
	# each column starts where its header does, on every line
	for h in IMAGE COMMAND CREATED STATUS PORTS NAMES; do
		c=$(col 0 "$h")
		[ "$c" -gt 0 ]
		for i in 1 2; do
			[ "${lines[$i]:$c-3:3}" = "   " ] && [ "${lines[$i]:$c:1}" != " " ] ||
				[ "$h" = PORTS ] || { echo "column $h misaligned: ${lines[$i]}" >&2; return 1; }
		done
	done
	c=$(col 0 NAMES)
	[ "${lines[1]:$c}" = x ]
	[ "${lines[2]:$c}" = a-container-with-a-rather-long-name ]
	[[ "$output" == *"Exited (2) "* ]]
	run homo ps --format '{{.ID}}\t{{.Names}}'
	[[ "$output" =~ ^[0-9a-f]{12}$'\t'a-container-with-a-rather-long-name$ ]]
	run homo ps -a --format 'table {{.Names}}\t{{.State}}'
	[ "${lines[0]}" = "NAMES                                 STATE" ]
	[ "${lines[1]}" = "x                                     exited" ]
	[ "${lines[2]}" = "a-container-with-a-rather-long-name   running" ]
	run homo ps -a --format json
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do
		jq -e 'keys == ["Command","CreatedAt","ID","Image","Labels","LocalVolumes","Mounts","Names","Networks","Ports","RunningFor","Size","State","Status"]' <<<"$l"
	done
	[ "$(jq -r .Command <<<"${lines[1]}")" = '"sleep 60"' ]
	run homo ps -q --no-trunc
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	# as Docker's: -q is for the table; a format of one's own wins
	run homo ps -aq --format '{{.Names}}'
	[ "$output" = "$(printf 'x\na-container-with-a-rather-long-name')" ]
	run --separate-stderr homo ps --format '{{.Nope}}'
	assert_status 125
	assert_one_error_line
	homo rm -f x a-container-with-a-rather-long-name >/dev/null
}

@test "ps: a long command is quoted and cut at 20 characters as Docker's (…), --no-trunc shows it all" {
	pull_busybox
	homo run --name q busybox sh -c 'echo 0123456789 0123456789' >/dev/null
	run homo ps -a --format '{{.Command}}'
	[ "$output" = '"sh -c echo 01234567…"' ]
	run homo ps -a --no-trunc --format '{{.Command}}'
	[ "$output" = '"sh -c echo 0123456789 0123456789"' ]
	homo rm q >/dev/null
}

@test "ps: a container between restarts shows Restarting (N) x ago; inspect State.Restarting" {
	pull_busybox
	homo run -d --name r --restart always busybox sh -c 'exit 4' >/dev/null
	for _ in $(seq 100); do
		run homo ps
		[[ "$output" == *"Restarting (4) "*" ago"* ]] && break
		sleep 0.1
	done
	[[ "$output" == *"Restarting (4) "*" ago"* ]]
	run homo ps --filter status=restarting --format '{{.Names}} {{.State}}'
	[ "$output" = "r restarting" ]
	run homo inspect -f '{{.State.Status}} {{.State.Restarting}} {{.State.Running}}' r
	[ "$output" = "restarting true true" ]
	homo rm -f r >/dev/null
}

@test "ps: the PORTS column shows published ports as Docker's" {
	unset HOMO_NETWORK_DEFAULT
	pull_busybox
	homo run -d --name web -p 18080:80 -p 127.0.0.1:18081:81/udp busybox sleep 60 >/dev/null
	run homo ps
	assert_output_has "0.0.0.0:18080->80/tcp, 127.0.0.1:18081->81/udp"
	[ "$(col 1 0.0.0.0:18080)" -eq "$(col 0 PORTS)" ]
	run homo inspect -f '{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}} {{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' web
	[ "$output" = '{"80/tcp":[{"HostIp":"","HostPort":"18080"}],"81/udp":[{"HostIp":"127.0.0.1","HostPort":"18081"}]} {"80/tcp":{},"81/udp":{}} 18080' ]
	run homo inspect -f '{{range $net, $s := .NetworkSettings.Networks}}{{$net}} {{$s.IPAddress}}{{end}}' web
	[[ "$output" =~ ^bridge\ 10\.88\.[0-9]+\.[0-9]+$ ]]
	homo rm -f web >/dev/null
}

@test "images: columns sized to their contents, a template, table, json one object a line, --no-trunc" {
	pull_busybox
	homo tag busybox localhost/a-rather-long-repository-name:v1.2.3-long-tag
	run homo images
	[ "${lines[0]:0:10}" = REPOSITORY ]
	for h in TAG "IMAGE ID" CREATED SIZE; do
		c=$(col 0 "$h")
		for i in 1 2; do
			[ "${lines[$i]:$c-3:3}" = "   " ] && [ "${lines[$i]:$c:1}" != " " ] ||
				{ echo "column $h misaligned: ${lines[$i]}" >&2; return 1; }
		done
	done
	run homo images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "$(printf 'busybox:latest\nlocalhost/a-rather-long-repository-name:v1.2.3-long-tag')" ]
	run homo images --format json
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r '.Repository + ":" + .Tag' <<<"${lines[0]}")" = busybox:latest ]
	jq -e '(.ID | test("^[0-9a-f]{12}$")) and (.Size | test("MB$")) and (.CreatedSince | endswith(" ago"))' <<<"${lines[0]}"
	run homo images --no-trunc --format '{{.ID}}'
	[[ "${lines[0]}" =~ ^sha256:[0-9a-f]{64}$ ]]
	run homo images --format 'table {{.Repository}}\t{{.Size}}'
	[[ "${lines[0]}" =~ ^REPOSITORY\ +SIZE$ ]]
	run --separate-stderr homo images --format '{{'
	assert_status 125
	assert_one_error_line
}

@test "version: Docker's Client section; --format" {
	run --separate-stderr homo version
	assert_status 0
	[ "${lines[0]}" = "Client:" ]
	[[ "${lines[1]}" =~ ^\ Version:\ {11}[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "$output" == *$'\n C compiler:        '* ]]
	[[ "$output" == *$'\n Git commit:        '* ]]
	[[ "$output" == *$'\n Built:             '* ]]
	[[ "$output" == *$'\n OS/Arch:           linux/'* ]]
	run homo version --format '{{.Client.Version}}'
	[[ "$output" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	run homo version --format json
	jq -e '.Client | (.Version | length) > 0 and .Os == "linux" and (.Arch | length) > 0 and has("GitCommit") and has("BuildTime")' <<<"$output"
	run --separate-stderr homo version --format '{{.Nope}}'
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == "homo: version: template: "* ]]
}

@test "info: containers running/paused/stopped, images, storage, cgroups, security, kernel, OS, CPUs, memory; --format" {
	pull_busybox
	homo tag busybox other
	homo run -d --name up busybox sleep 60 >/dev/null
	homo run --name down busybox true
	run --separate-stderr homo info
	assert_status 0
	# v2 where it is the only hierarchy (the VM), v1 here (hybrid)
	local cgv=1
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || cgv=2
	for want in $'\n Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n' \
		" Storage Driver: overlay2" " Cgroup Driver: cgroupfs" " Cgroup Version: $cgv" \
		$'\n Security Options:\n  seccomp\n   Profile: builtin\n' " Kernel Version: $(uname -r)" \
		" OSType: linux" " Architecture: $(uname -m)" " CPUs: $(nproc)" " Total Memory: " \
		" Homo Root Dir: $HOMO_ROOT"; do
		[[ "$output" == *"$want"* ]] || { echo "info lacks: $want" >&2; return 1; }
	done
	run homo info --format '{{.ContainersRunning}} {{.ContainersStopped}} {{.Images}} {{.Driver}} {{.NCPU}}'
	[ "$output" = "1 1 1 overlay2 $(nproc)" ]
	run homo info --format json
	jq -e '.MemTotal > 0 and .OSType == "linux" and (.SecurityOptions | index("name=seccomp,profile=builtin")) != null' <<<"$output"
	homo rm -f up down >/dev/null
}

@test "system df: images, containers, local volumes with sizes and what is reclaimable; --format" {
	pull_busybox
	homo run -d --name up busybox sleep 60 >/dev/null
	homo run --name down busybox sh -c 'dd if=/dev/zero of=/big bs=1000 count=2000 2>/dev/null'
	run --separate-stderr homo system df
	assert_status 0
	[[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
	[[ "${lines[1]}" =~ ^Images\ +1\ +1\ +[0-9.]+MB\ +0B\ \(0%\)$ ]]
	[[ "${lines[2]}" =~ ^Containers\ +2\ +1\ +2(\.[0-9]+)?MB\ +2(\.[0-9]+)?MB\ \(100%\)$ ]]
	[[ "${lines[3]}" =~ ^Local\ Volumes\ +0\ +0\ +0B\ +0B$ ]]
	run homo system df --format '{{.Type}}={{.TotalCount}}/{{.Active}}'
	[ "$output" = "$(printf 'Images=1/1\nContainers=2/1\nLocal Volumes=0/0')" ]
	run homo system df --format json
	[ "$(jq -r .Type <<<"${lines[1]}")" = Containers ]
	homo rm -f up down >/dev/null
	# nothing uses the image now: all of it is reclaimable
	run homo system df
	[[ "${lines[1]}" =~ ^Images\ +1\ +0\ +[0-9.]+MB\ +[0-9.]+MB\ \(100%\)$ ]]
}
