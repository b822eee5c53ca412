# Fixtures shared by commit.bats and saveload.bats: an overlay-upperdir
# style tree holding every kind of metadata a layer must keep, and checks
# that a layer directory (or a container) still has all of it.

xattr_set() { # PATH NAME VALUE
	python3 -c 'import os, sys
os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)' "$@"
}

xattr_get() { # PATH NAME -> value, or nothing
	python3 -c 'import os, sys
try:
    print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())
except OSError:
    pass' "$@"
}

# make_upper DIR: files of uid 1000 and 0, setuid, user.* xattr and file
# capability, a hard link, a symlink, a fifo, device nodes, a whiteout
# (/bin/ls deleted) and an opaque directory (/usr replaced).
make_upper() {
	local d=$1
	mkdir -p "$d/home/u" "$d/bin" "$d/usr"
	echo data >"$d/home/u/file"
	chown 1000:1000 "$d/home/u" "$d/home/u/file"
	echo root >"$d/rootfile"
	printf '#!/bin/sh\n' >"$d/suid"
	chmod 4755 "$d/suid"
	xattr_set "$d/home/u/file" user.test hello
	echo cap >"$d/capfile"
	setcap cap_net_raw+ep "$d/capfile"
	ln "$d/home/u/file" "$d/hardlink"
	ln -s /home/u/file "$d/symlink"
	mkfifo "$d/fifo"
	mknod "$d/null" c 1 3
	mknod "$d/blk" b 7 0
	mknod "$d/bin/ls" c 0 0
	echo only >"$d/usr/only"
	xattr_set "$d/usr" trusted.overlay.opaque y
}

# check_layer DIR: the same metadata in a layer's diff directory.
check_layer() {
	local d=$1
	[ "$(stat -c '%u:%g %a' "$d/home/u/file")" = "1000:1000 644" ]
	[ "$(stat -c '%u:%g' "$d/home/u")" = "1000:1000" ]
	[ "$(stat -c '%u:%g' "$d/rootfile")" = "0:0" ]
	[ "$(stat -c '%a' "$d/suid")" = "4755" ]
	[ "$(xattr_get "$d/home/u/file" user.test)" = hello ]
	getcap "$d/capfile" | grep -q cap_net_raw
	[ "$(stat -c %i "$d/hardlink")" = "$(stat -c %i "$d/home/u/file")" ]
	[ "$(stat -c %h "$d/hardlink")" = 2 ]
	[ "$(readlink "$d/symlink")" = /home/u/file ]
	[ -p "$d/fifo" ]
	[ "$(stat -c '%F %t %T' "$d/null")" = "character special file 1 3" ]
	[ "$(stat -c '%F %t %T' "$d/blk")" = "block special file 7 0" ]
	[ "$(stat -c '%F %t %T' "$d/bin/ls")" = "character special file 0 0" ]
	[ "$(xattr_get "$d/usr" trusted.overlay.opaque)" = y ]
	[ "$(cat "$d/usr/only")" = only ]
}

# check_container IMAGE: what a container of the image sees.
check_container() {
	run homo run --rm "$1" sh -c '
		stat -c "%u:%g %a %s" /home/u/file /suid /rootfile
		[ "$(stat -c %i /hardlink)" = "$(stat -c %i /home/u/file)" ] && echo samelink
		readlink /symlink; [ -p /fifo ] && echo fifo
		[ -c /null ] && [ -b /blk ] && echo devices
		[ -e /bin/ls ] || echo ls-gone; [ -e /bin/cat ] && echo cat-kept
		ls /usr'
	assert_status 0
	assert_output_has "1000:1000 644 5"
	assert_output_has "0:0 4755 10"
	assert_output_has "0:0 644 5"
	assert_output_has samelink
	assert_output_has /home/u/file
	assert_output_has fifo
	assert_output_has devices
	assert_output_has ls-gone
	assert_output_has cat-kept
	[ "$(printf '%s\n' "$output" | tail -1)" = only ]
}

# layer_ids: the layer directories of the store, sorted.
layer_ids() { ls "${1:-$HOMO_ROOT}/layers" | grep -v '^\.' | sort; }

# top_layer IMAGE: the id of its top layer
top_layer() {
	homo inspect "$1" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1 | cut -d: -f2
}
