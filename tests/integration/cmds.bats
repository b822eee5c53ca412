#!/usr/bin/env bats
# Docker's everyday commands: pause/unpause, top, stats, rename, events,
# container/system prune, the management aliases, rmi -f of a used image.
bats_require_minimum_version 1.5.0
load helpers

# a container that counts in /tmp/n (so a freeze shows) and exits 3 on
# SIGTERM
counter() {
	homo run -d --name "$1" busybox sh -c \
		'trap "exit 3" TERM; i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done' >/dev/null
}


# the upper dir's /tmp/n of container $1
n_of() {
	local id
	id=$(homo inspect -f '{{.Id}}' "$1")
	cat "$HOMO_ROOT/containers/$id/upper/tmp/n"
}

# poll (a bound against a hang, not a timing)
eventually() {
	for _ in $(seq 200); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

one_line_125() {
	assert_status 125
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ] || {
		echo "more than one line: $output"
		return 1
	}
	assert_output_has "homo: "
}

@test "pause freezes a container, ps and inspect say so, unpause resumes" {
	pull_busybox
	counter c
	eventually n_of c >/dev/null
	run homo pause c
	assert_status 0
	[ "$output" = c ]
	a=$(n_of c)
	sleep 0.5
	[ "$(n_of c)" = "$a" ]
	run homo ps
	assert_output_has "(Paused)"
	run homo ps -q --filter status=paused
	[ -n "$output" ]
	run homo inspect c
	assert_output_has '"Status": "paused"'
	assert_output_has '"Paused": true'
	assert_output_has '"Running": true'
	run homo unpause c
	assert_status 0
	eventually test "$(n_of c)" != "$a"
	run homo ps
	assert_output_lacks "Paused"
	run homo inspect c
	assert_output_has '"Paused": false'
	homo rm -f c
}

@test "pause/unpause: bad input is one line and 125" {
	pull_busybox
	run homo pause
	one_line_125
	run homo pause --bogus c
	one_line_125
	run homo pause nosuch
	one_line_125
	assert_output_has "no such container"
	homo run --name done busybox true
	run homo pause done
	one_line_125
	assert_output_has "not running"
	counter c
	homo pause c
	run homo pause c
	one_line_125
	assert_output_has "already paused"
	homo unpause c
	run homo unpause c
	one_line_125
	assert_output_has "not paused"
	run homo pause --help
	assert_status 0
	assert_output_has "Usage: homo pause"
	homo rm -f c done
}

@test "stop, kill and rm -f of a paused container thaw it first" {
	pull_busybox
	counter s
	homo pause s
	# thawed, it gets its SIGTERM at once and exits 3 itself
	run timeout 20 "$HOMO" stop -t 10 s
	assert_status 0
	run homo inspect s
	assert_output_has '"ExitCode": 3'
	assert_output_has '"Paused": false'
	counter k
	homo pause k
	run timeout 20 "$HOMO" kill -s TERM k
	assert_status 0
	eventually bash -c "'$HOMO' inspect k | grep -q '\"ExitCode\": 3'"
	counter r
	homo pause r
	run timeout 20 "$HOMO" rm -f r
	assert_status 0
	run homo ps -a --filter name=r
	assert_output_lacks " r"
	homo rm s k
}

@test "exec into a paused container is refused; commit leaves it paused" {
	pull_busybox
	counter c
	homo pause c
	run homo exec c true
	one_line_125
	assert_output_has "paused"
	run homo commit c snap
	assert_status 0
	# commit's own freeze must not thaw what the user paused
	a=$(n_of c)
	sleep 0.5
	[ "$(n_of c)" = "$a" ]
	run homo ps
	assert_output_has "(Paused)"
	homo unpause c
	run homo exec c true
	assert_status 0
	homo rm -f c
}

@test "top shows the container's processes with ps's columns" {
	pull_busybox
	homo run -d --name t busybox sh -c 'sleep 1000 & exec sleep 999' >/dev/null
	run homo top t
	assert_status 0
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD ]]
	[ "${#lines[@]}" -eq 3 ]
	assert_output_has "sleep 1000"
	assert_output_has "sleep 999"
	run homo top t -o pid,args
	assert_status 0
	[[ "${lines[0]}" =~ PID\ +COMMAND ]]
	[ "${#lines[@]}" -eq 3 ]
	run homo container top t
	assert_status 0
	run homo top
	one_line_125
	run homo top nosuch
	one_line_125
	run homo top t -o comm
	assert_status 125
	assert_output_has "PID column"
	homo run --name done busybox true
	run homo top done
	one_line_125
	assert_output_has "not running"
	homo rm -f t done
}

@test "stats --no-stream: usage from the cgroup; --format; bad input" {
	pull_busybox
	homo run -d --name st -m 64m busybox sleep 1000 >/dev/null
	run homo stats --no-stream
	assert_status 0
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	assert_output_has "64MiB"
	assert_output_has "0B / 0B"
	[[ "${lines[1]}" =~ \ st\ +[0-9.]+%\ +[0-9.]+[KMG]?i?B\ /\ 64MiB\ +[0-9.]+%.*\ 1$ ]]
	run homo stats --no-stream --format '{{.Name}}\t{{.PIDs}}' st
	assert_status 0
	[ "$output" = "st	1" ]
	run homo stats --no-stream --format 'table {{.Container}} {{.MemPerc}}' st
	[ "${lines[0]}" = "CONTAINER MEM %" ]
	[[ "${lines[1]}" =~ ^st\ [0-9.]+%$ ]]
	run homo stats --no-stream --format json st
	assert_output_has '"Name":"st"'
	assert_output_has '"PIDs":"1"'
	run homo stats --no-stream --format '{{.Nope}}' st
	one_line_125
	run homo stats --no-stream nosuch
	one_line_125
	run homo stats --bogus
	one_line_125
	homo rm -f st
}

@test "stats streams a block a second when not on a terminal" {
	pull_busybox
	homo run -d --name st busybox sleep 1000 >/dev/null
	run timeout 3.5 "$HOMO" stats st
	[ "$(grep -c '^CONTAINER ID' <<<"$output")" -ge 2 ]
	homo rm -f st
}

@test "stats on a terminal redraws the screen" {
	pull_busybox
	homo run -d --name st busybox sleep 1000 >/dev/null
	run timeout 10 script -qec "timeout 2.5 '$HOMO' stats st" /dev/null
	[[ "$output" == *$'\e[2J\e[H'* ]]
	assert_output_has "CONTAINER ID"
	homo rm -f st
}

@test "rename: the new name works, the old is free; taken and bad names" {
	pull_busybox
	# names that are no hex digits: "a" would also be a prefix of an id
	# that starts with a (1 run in 16 found the renamed container by it)
	homo run -d --name ka busybox sleep 1000 >/dev/null
	homo run --name kb busybox true
	run homo rename ka kc
	assert_status 0
	run homo ps
	assert_output_has " kc"
	run homo inspect kc
	assert_output_has '"Name": "/kc"'
	run homo inspect ka
	assert_status 125
	homo run --name ka busybox true
	run homo rename kc kb
	one_line_125
	assert_output_has "already in use"
	run homo rename kc 'bad!'
	one_line_125
	assert_output_has "invalid container name"
	run homo rename kc kc
	one_line_125
	run homo rename kc
	one_line_125
	run homo rename nosuch x
	one_line_125
	homo rm -f kc kb ka
}

@test "rename: two renames to one name at once, exactly one wins" {
	pull_busybox
	homo run --name a busybox true
	homo run --name b busybox true
	"$HOMO" rename a x 2>"$T/a.err" &
	p1=$!
	"$HOMO" rename b x 2>"$T/b.err" &
	p2=$!
	wait_status $p1
	s1=$status
	wait_status $p2
	s2=$status
	[ $((s1 + s2)) -eq 125 ]
	cat "$T/a.err" "$T/b.err" | grep -q "already in use"
	run homo ps -a --format '{{.Names}}'
	[ "$(grep -cx x <<<"$output")" -eq 1 ]
	homo rm x a b 2>/dev/null || true
	[ -z "$(homo ps -aq)" ]
}

@test "stats: a busy container's CPU % is measured" {
	pull_busybox
	homo run -d --name busy busybox sh -c 'while :; do :; done' >/dev/null
	run homo stats --no-stream --format '{{.CPUPerc}}' busy
	assert_status 0
	[[ "$output" =~ ^([0-9]+)\.[0-9]{2}%$ ]]
	[ "${BASH_REMATCH[1]}" -ge 3 ]
	homo rm -f busy
}

@test "events: follows container and image events as they happen" {
	pull_busybox
	bg "$HOMO" events >"$T/ev"
	sleep 0.5
	homo run --name e1 busybox true
	homo tag busybox bb2
	homo rmi bb2 >/dev/null
	homo rename e1 e2
	homo rm e2 >/dev/null
	for a in "container create" "container start" "container die" \
		"image tag" "image untag" "container rename" "container destroy"; do
		eventually grep -q "$a" "$T/ev"
	done
	grep -q 'container die [0-9a-f]\{64\} (exitCode=0, image=busybox, name=e1)' "$T/ev"
	grep -q 'container rename .*name=e2, oldName=e1' "$T/ev"
}

@test "events --since/--until print a range; --filter, --format json" {
	pull_busybox
	homo run -d --name e busybox sleep 1000 >/dev/null
	homo pause e
	homo unpause e
	homo stop -t 0 e
	homo commit e snap >/dev/null
	homo save -o "$T/s.tar" snap
	homo load -i "$T/s.tar" >/dev/null
	run timeout 10 "$HOMO" events --since 1m --until 0s
	assert_status 0
	for a in "image pull busybox:latest (name=busybox:latest)" \
		"container create" "container start" \
		"container pause" "container unpause" "container kill" \
		"container die" "container stop" "container commit" \
		"image save" "image load"; do
		assert_output_has "$a"
	done
	run timeout 10 "$HOMO" events --since 1m --until 0s --filter type=container --filter event=pause --format json
	assert_status 0
	[ "${#lines[@]}" -eq 1 ]
	assert_output_has '"Action":"pause"'
	assert_output_has '"name":"e"'
	run timeout 10 "$HOMO" events --until 0s --filter container=e --filter event=stop
	[ "${#lines[@]}" -eq 1 ]
	run homo events --since yesterday
	one_line_125
	run homo events --filter label=x
	one_line_125
	run homo events --format '{{.ID}}'
	one_line_125
	homo rm e
}

@test "container prune asks, then removes stopped containers only" {
	pull_busybox
	homo run -d --name up busybox sleep 1000 >/dev/null
	homo run --name down busybox true
	run homo container prune <<<"n"
	assert_status 0
	assert_output_has "WARNING! This will remove all stopped containers."
	assert_output_has "Are you sure you want to continue? [y/N]"
	run homo ps -a --filter name=down
	assert_output_has down
	run homo container prune <<<"y"
	assert_status 0
	assert_output_has "Deleted Containers:"
	assert_output_has "Total reclaimed space:"
	run homo ps -a
	assert_output_lacks down
	assert_output_has up
	homo run --name down2 busybox true
	run homo container prune -f
	assert_output_lacks "WARNING"
	assert_output_has "Total reclaimed space:"
	run homo container prune --bogus
	one_line_125
	homo rm -f up
}

@test "system prune: stopped containers, dangling images; -a unused ones" {
	pull_busybox
	make_image other 'echo x >x'
	homo run --name down busybox true
	homo run -d --name up other sleep 1000 >/dev/null
	homo tag other busybox # busybox's image goes <none>: dangling
	run homo system prune <<<""
	assert_output_has "  - all dangling images"
	run homo images
	assert_output_has "<none>"
	run homo system prune -f
	assert_status 0
	assert_output_has "Deleted Containers:"
	assert_output_has "Deleted: sha256:"
	assert_output_has "Total reclaimed space:"
	run homo images
	assert_output_lacks "<none>"
	make_image unused 'echo y >y'
	run homo system prune -a -f
	assert_output_has "Untagged: unused:latest"
	run homo images
	assert_output_lacks unused
	assert_output_has other # its container still runs
	run homo system prune -f --bogus
	one_line_125
	homo rm -f up
}

@test "management aliases: image ls/rm/inspect, container ls/run/rm/..." {
	pull_busybox
	run homo image ls
	assert_status 0
	assert_output_has busybox
	run homo image inspect busybox
	assert_output_has '"Layers"'
	run homo container run --name al busybox true
	assert_status 0
	run homo container ls -a
	assert_output_has al
	run homo container inspect al
	assert_output_has '"Name": "/al"'
	run homo container rm al
	assert_status 0
	run homo image tag busybox bb2
	assert_status 0
	run homo image rm bb2
	assert_output_has "Untagged: bb2:latest"
	run homo container --help
	assert_status 0
	assert_output_has "homo container prune"
	run homo container bogus
	one_line_125
}

@test "rmi of a used image names the container; rmi -f leaves it <none>" {
	pull_busybox
	homo run --name user busybox true
	run homo rmi busybox
	one_line_125
	assert_output_has "used by container"
	run homo rmi -f busybox
	assert_status 0
	assert_output_has "Untagged: busybox:latest"
	assert_output_lacks "Deleted"
	run homo images
	assert_output_has "<none>"
	# its image kept: the container starts again
	run homo start user
	assert_status 0
	homo wait user
	homo rm user
	run homo image prune
	assert_output_has "Deleted: sha256:"
	run homo images
	assert_output_lacks "<none>"
	# by id, a running user is a conflict -f cannot force (Docker)
	pull_busybox
	homo run -d --name up busybox sleep 1000 >/dev/null
	id=$(homo images -q)
	run homo rmi -f "$id"
	one_line_125
	assert_output_has "used by running container"
	homo rm -f up
}
