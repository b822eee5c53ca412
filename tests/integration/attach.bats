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
