#!/usr/bin/env bats
# gzip'd layers, which image/gunzip.c inflates on a thread of its own
# (ISA-L) ahead of the extraction: the gzip framing checked in full, the
# same layer as the plain tar, and a failing entry that stops the inflating
# thread at once.
bats_require_minimum_version 1.5.0
load helpers

@test "gzip: a wrong CRC-32 or length in the trailer is refused: one line, 125, store unchanged" {
	pull_busybox
	before=$(store_snapshot)
	gzip -c "$BUSYBOX_TAR" >"$T/ok.tgz"
	size=$(stat -c %s "$T/ok.tgz")
	# the trailer: CRC-32 (bytes -8..-5), then the length mod 2^32
	for at in $((size - 6)) $((size - 2)); do
		cp "$T/ok.tgz" "$T/bad.tgz"
		printf '\x00\x01' | dd of="$T/bad.tgz" bs=1 seek="$at" conv=notrunc 2>/dev/null
		run --separate-stderr homo pull -q "$T/bad.tgz" bad
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"unpack: decompress: gzip checksum mismatch" ]]
		[ "$(store_snapshot)" = "$before" ]
	done
}

@test "gzip: several members, bytes after the last one, from a pipe: the layer of the plain tar" {
	want=$(sha256sum <"$BUSYBOX_TAR" | cut -d' ' -f1)
	head -c 1000000 "$BUSYBOX_TAR" >"$T/a"
	tail -c +1000001 "$BUSYBOX_TAR" >"$T/b"
	{ gzip -c "$T/a"; gzip -1 -c "$T/b"; } >"$T/multi.tgz"
	{ gzip -c "$BUSYBOX_TAR"; printf 'not gzip'; } >"$T/trail.tgz"
	{ gzip -c "$BUSYBOX_TAR"; printf '\037'; } >"$T/trail1.tgz"
	for f in multi trail trail1; do
		run homo pull -q - "x:$f" <"$T/$f.tgz"
		assert_status 0
		[ "$(ls "$HOMO_ROOT/layers" | grep -v '^\.')" = "$want" ]
		run homo inspect -f '{{.Size}}' "x:$f"
		assert_status 0
	done
}

@test "gzip: truncated, only the magic, an empty stream: one line, 125, store unchanged" {
	pull_busybox
	before=$(store_snapshot)
	gzip -c "$BUSYBOX_TAR" | head -c 300000 >"$T/trunc.tgz"
	printf '\037\213' >"$T/magic.tgz"
	: | gzip -c >"$T/empty.tgz"
	for f in trunc magic empty; do
		run --separate-stderr homo pull -q "$T/$f.tgz" junk
		assert_status 125
		assert_one_error_line
		[ "$(store_snapshot)" = "$before" ]
	done
}

@test "gzip: a refused entry ends the pull at once though the stream stays open" {
	pull_busybox
	before=$(store_snapshot)
	python3 -c 'import io, sys, tarfile
t = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
i = tarfile.TarInfo("../escape"); i.size = 1
t.addfile(i, io.BytesIO(b"x"))
t.close()' | gzip -c >"$T/evil.tgz"
	mkfifo "$T/fifo"
	# the writer keeps the pipe open for 60 s after the bad entry
	{ cat "$T/evil.tgz"; exec sleep 60; } >"$T/fifo" &
	BG_PIDS+=($!)
	SECONDS=0
	run --separate-stderr timeout 30 "$HOMO" pull -q - evil <"$T/fifo"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *'path contains ".."'* ]]
	[ "$SECONDS" -lt 30 ]
	[ "$(store_snapshot)" = "$before" ]
}
