#!/usr/bin/env bats
# Terminals (TERM, HOSTNAME, -it without a terminal), create, start -a/-i,
# attach and the detach keys. term.py drives a pseudo-terminal as a user
# at one would.
bats_require_minimum_version 1.5.0
load helpers

TERMPY="python3 $BATS_TEST_DIRNAME/term.py"

@test "-t sets TERM=xterm unless the image or -e set it; HOSTNAME is the container's hostname, as Docker's" {
	pull_busybox
	run homo run -t --name tt busybox env
	assert_status 0
	id=$(homo ps -aq --filter name=tt)
	assert_output_has "TERM=xterm"
	assert_output_has "HOSTNAME=${id:0:12}"
	run homo run -t -e TERM=vt100 busybox env
	assert_output_has "TERM=vt100"
	assert_output_lacks "TERM=xterm"
	run homo run --hostname h1 busybox env
	assert_output_has "HOSTNAME=h1"
	assert_output_lacks "TERM="
	run homo run -e HOSTNAME=mine busybox env
	assert_output_has "HOSTNAME=mine"
	homo run -d --name ex --hostname h2 busybox sleep 60 >/dev/null
	run homo exec -t ex env
	assert_output_has "TERM=xterm"
	assert_output_has "HOSTNAME=h2"
	run homo exec ex env
	assert_output_lacks "TERM="
	homo rm -f ex >/dev/null
}

@test "-it with a stdin that is not a terminal: 'the input device is not a TTY', 125, at once (it echoed and hung)" {
	pull_busybox
	run --separate-stderr timeout -k 1 20 "$HOMO" run -it busybox sh <<<'echo hi'
	assert_status 125
	[ "$stderr" = "homo: the input device is not a TTY" ]
	[ -z "$output" ]
	run --separate-stderr timeout -k 1 20 "$HOMO" run -it busybox sh </dev/null
	assert_status 125
	homo run -d --name ex busybox sleep 60 >/dev/null
	run --separate-stderr timeout -k 1 20 "$HOMO" exec -it ex sh <<<'echo hi'
	assert_status 125
	[ "$stderr" = "homo: the input device is not a TTY" ]
	# -t alone, -i alone and -d -it need no terminal on stdin
	run homo run -t busybox echo ok </dev/null
	assert_status 0
	run homo run -i busybox cat <<<'piped'
	[ "$output" = piped ]
	homo rm -f ex >/dev/null
}

@test "a foreground -t run ends when its command ends, stdin /dev/null or a terminal; the status is the command's" {
	pull_busybox
	run $TERMPY --timeout 20 --stdin-null -- "$HOMO" run -t busybox true
	assert_status 0
	run $TERMPY --timeout 20 -- "$HOMO" run -it busybox sh -c 'exit 3'
	assert_status 3
	run $TERMPY --timeout 20 --step '# =>echo hi\r' --step '# =>exit 4\r' -- "$HOMO" run -it busybox sh
	assert_status 4
	assert_output_has hi
}

@test "create: prints the id, stays created (ps -a, inspect); start -a: stdout and stderr apart, its status; start -ai feeds stdin; start alone runs it detached" {
	pull_busybox
	run homo create --name c busybox sh -c 'echo out; echo err >&2; exit 7'
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run homo ps -a
	assert_output_has Created
	run homo ps -q --filter status=created
	[ -n "$output" ]
	run homo inspect c
	assert_output_has '"Status": "created"'
	homo start -a c >"$T/o" 2>"$T/e" || status=$?
	[ "$status" = 7 ]
	[ "$(cat "$T/o")" = out ]
	[ "$(cat "$T/e")" = err ]
	homo create -i --name ci busybox sh -c 'read x; echo "got $x"; exit 3' >/dev/null
	run homo start -ai ci <<<hello
	assert_status 3
	[ "$output" = "got hello" ]
	homo create --name cd busybox sh -c 'exit 4' >/dev/null
	run homo start cd
	assert_status 0
	run homo wait cd
	[ "$output" = 4 ]
	run homo create -d busybox true
	assert_status 125
	run homo create busybox-missing true
	assert_status 125
	run homo start -a c cd
	assert_status 125
	homo rm c ci cd >/dev/null
}

@test "run -it: ctrl-p ctrl-q detaches, the container runs on; attach gets its terminal back; the status is the container's" {
	pull_busybox
	run $TERMPY --timeout 30 --step '# =>echo one\r' --step 'one\r\n=>\x10\x11' -- "$HOMO" run -it --name s busybox sh
	assert_status 0
	run homo ps --filter status=running -q
	[ -n "$output" ]
	run $TERMPY --timeout 30 --step '~0.5=>echo two\r' --step 'two\r\n=>exit 5\r' -- "$HOMO" attach s
	assert_status 5
	assert_output_has two
	run homo ps -a --filter name=s
	assert_output_has "Exited (5)"
	# --rm: gone once run returns
	run $TERMPY --timeout 30 --step '# =>exit 6\r' -- "$HOMO" run -it --rm busybox sh
	assert_status 6
	[ "$(homo ps -aq | wc -l)" = 1 ]
	homo rm s >/dev/null
}

@test "--detach-keys: another sequence; a broken sequence is typed through; bad keys 125" {
	pull_busybox
	# ctrl-p then b is no sequence: both reach cat (the pty echoes ^P).
	# Type only once the container speaks: before homo makes our terminal
	# raw, its IXON would swallow ctrl-q (XON) (seen under a slow VM)
	run $TERMPY --timeout 30 --step 'ready\r\n=>a\x10b\r' --step 'b\r\n=>\x10\x11' -- "$HOMO" run -it --name k busybox sh -c 'echo ready; exec cat'
	assert_status 0
	assert_output_has "a^Pb"
	run $TERMPY --timeout 30 --step '~0.5=>\x18' -- "$HOMO" attach --detach-keys ctrl-x k
	assert_status 0
	run homo ps -q --filter status=running
	[ -n "$output" ]
	run $TERMPY --timeout 30 --step '~0.5=>\x18' -- "$HOMO" run -it --detach-keys ctrl-x --name k2 busybox sh
	assert_status 0
	run --separate-stderr homo run -it --detach-keys ctrl-1 busybox true
	assert_status 125
	[[ "$stderr" == *--detach-keys* ]]
	run --separate-stderr homo attach --detach-keys , k
	assert_status 125
	homo rm -f k k2 >/dev/null
}

@test "attach: a -d container's output until it exits, stdout and stderr apart, with its status; not running: 125" {
	pull_busybox
	homo run -d --name bg busybox sh -c 'sleep 1; echo late; echo lerr >&2; exit 9' >/dev/null
	homo attach bg >"$T/o" 2>"$T/e" || status=$?
	[ "$status" = 9 ]
	[ "$(cat "$T/o")" = late ]
	[ "$(cat "$T/e")" = lerr ]
	run --separate-stderr homo attach bg
	assert_status 125
	[[ "$stderr" == *"is not running"* ]]
	run homo attach nosuch
	assert_status 125
	# -i: attach feeds its stdin
	homo run -d -i --name in busybox sh -c 'read l; echo "got $l"' >/dev/null
	run homo attach in <<<hello
	assert_status 0
	[ "$output" = "got hello" ]
	homo rm bg in >/dev/null
}

@test "attach to a -dit container: its terminal, resized to ours" {
	pull_busybox
	homo run -dit --name w busybox sh >/dev/null
	run $TERMPY --timeout 30 --size 41x99 --step '~0.5=>stty size\r' --step '41 99\r\n=>\x10\x11' -- "$HOMO" attach w
	assert_status 0
	assert_output_has "41 99"
	homo rm -f w >/dev/null
}

@test "run -it killed by SIGTERM: the terminal is restored, the container runs on (as with docker run -it)" {
	pull_busybox
	run $TERMPY --timeout 30 --step '# =>!TERM' -- "$HOMO" run -it --name t busybox sh
	assert_status 143
	run homo ps -q --filter status=running
	[ -n "$output" ]
	homo rm -f t >/dev/null
}

@test "system boot leaves a created container alone, --restart always and --rm alike (Docker starts only what was started)" {
	pull_busybox
	homo create --name a --restart always busybox true >/dev/null
	homo create --name r --rm busybox true >/dev/null
	run homo system boot
	assert_status 0
	run homo ps -a --filter status=created
	assert_output_has " a"
	assert_output_has " r"
	homo rm a r >/dev/null
}
