#!/usr/bin/env bats
# homo cp (both ways, tar streams, Docker's path rules, hostile symlinks)
# and homo diff.
bats_require_minimum_version 1.5.0
load helpers

@test "cp from a stopped container: files, directories, contents, rules" {
	pull_busybox
	homo run --name s busybox sh -c 'mkdir -p /d/sub && echo a > /d/sub/f && chown 5:6 /d/sub/f && chmod 640 /d/sub/f && ln -s f /d/sub/l'
	mkdir "$T/out"
	# a directory into an existing one
	homo cp s:/d "$T/out"
	[ "$(cat "$T/out/d/sub/f")" = a ]
	[ "$(readlink "$T/out/d/sub/l")" = f ]
	[ "$(stat -c '%a %u:%g' "$T/out/d/sub/f")" = "640 0:0" ]
	# -a keeps the owners; a directory becomes a DEST that does not exist
	homo cp -a s:/d "$T/new"
	[ "$(stat -c '%u:%g' "$T/new/sub/f")" = "5:6" ]
	# SRC/. : the contents
	mkdir "$T/c"
	homo cp s:/d/. "$T/c"
	[ -d "$T/c/sub" ]
	[ ! -e "$T/c/d" ]
	# a file to a file name, and into a directory
	homo cp s:/d/sub/f "$T/file"
	[ "$(cat "$T/file")" = a ]
	homo cp s:/d/sub/f "$T/c/"
	[ -f "$T/c/f" ]
	# a symlink as itself, or followed with -L
	homo cp s:/d/sub/l "$T/l1"
	[ -L "$T/l1" ]
	homo cp -L s:/d/sub/l "$T/l2"
	[ ! -L "$T/l2" ]
	[ "$(cat "$T/l2")" = a ]
	# Docker's refusals
	run --separate-stderr homo cp s:/d "$T/file"
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo cp s:/d/sub/f "$T/nodir/"
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo cp s:/d/sub/f/ "$T/x"
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo cp s:/nonexistent "$T/x"
	assert_status 125
	assert_one_error_line
}

@test "cp into a stopped container, and tar streams both ways" {
	pull_busybox
	homo run --name s busybox true
	mkdir -p "$T/src/in"
	echo host >"$T/src/in/h"
	homo cp "$T/src" s:/tmp/
	homo cp "$T/src/in/h" s:/renamed
	tar -C "$T/src" -cf - in | homo cp - s:/tmp
	homo cp s:/tmp "$T/back"
	[ "$(cat "$T/back/src/in/h")" = host ]
	[ "$(cat "$T/back/in/h")" = host ]
	[ "$(stat -c '%u:%g' "$T/back/in/h")" = "0:0" ]
	homo cp s:/renamed "$T/r"
	[ "$(cat "$T/r")" = host ]
	run sh -c "$HOMO cp s:/tmp/in - | tar -tf -"
	assert_status 0
	assert_output_has "in/h"
	run --separate-stderr homo cp - s:/renamed </dev/null
	assert_status 125
	assert_one_error_line
	run homo diff s
	assert_status 0
	assert_output_has "A /renamed"
	assert_output_has "C /tmp"
	assert_output_has "A /tmp/in/h"
}

@test "cp with a running container sees its volumes" {
	pull_busybox
	id=$(homo run -d -v vol:/v busybox sh -c 'echo run > /v/f; echo made > /r; sleep 60')
	for i in $(seq 100); do [ -e "$HOMO_ROOT/volumes/vol/_data/f" ] && break; sleep 0.05; done
	homo cp "$id:/v/f" "$T/f"
	[ "$(cat "$T/f")" = run ]
	echo in >"$T/in"
	homo cp "$T/in" "$id:/v/"
	[ "$(cat "$HOMO_ROOT/volumes/vol/_data/in")" = in ]
	run homo exec "$id" cat /v/in
	assert_output_has in
	homo rm -f "$id" >/dev/null
}

@test "a container's symlinks never reach the host, in either direction" {
	pull_busybox
	echo secret >"$T/secret"
	mkdir "$T/hostdir"
	homo run --name evil busybox sh -c "ln -s $T/secret /leak; ln -s / /root2; ln -s $T/hostdir /dirlink; mkdir /d; ln -s $T/hostdir /d/sub"
	# reading: the link itself, or (-L) whatever it names inside the container
	homo cp evil:/leak "$T/got"
	[ -L "$T/got" ]
	run --separate-stderr homo cp -L evil:/leak "$T/got2"
	assert_status 125
	[ ! -e "$T/got2" ]
	run --separate-stderr homo cp evil:/root2$T/secret "$T/got3"
	assert_status 125
	[ ! -e "$T/got3" ]
	run sh -c "$HOMO cp -L evil:/leak - | tar -xO"
	[[ "$output" != *secret* ]]
	# writing: through a link to a directory, under a linked directory, over a link
	echo payload >"$T/p"
	homo cp "$T/p" evil:/dirlink/ || true
	homo cp "$T/p" evil:/root2$T/hostdir/p2 || true
	homo cp "$T/p" evil:/leak
	mkdir -p "$T/tree/sub"
	echo deep >"$T/tree/sub/x"
	homo cp "$T/tree/." evil:/d || true
	tar -C "$T/tree" -cf - sub | homo cp - evil:/d || true
	[ -z "$(ls -A "$T/hostdir")" ]
	[ "$(cat "$T/secret")" = secret ]
	# the container's own files got the writes, or the copy was refused
	run homo diff evil
	assert_output_has "A /leak"
}

@test "cp and diff: bad input is one line and 125" {
	pull_busybox
	homo run --name s busybox true
	for args in "" "s:/x" "a b" "s:/a s:/b" "-x s:/a /tmp" "s: /tmp" "nosuch:/a $T/x" "/tmp nosuch:/a"; do
		run --separate-stderr homo cp $args
		assert_status 125
		assert_one_error_line
	done
	for args in "" "nosuch" "-x" "a b"; do
		run --separate-stderr homo diff $args
		assert_status 125
		assert_one_error_line
	done
}
