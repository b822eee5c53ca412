#!/usr/bin/env bats
# Logs are byte-exact: what a container wrote, stdout and stderr apart,
# invalid UTF-8, NULs and partial lines included (docs/lifecycle.md, "Logs").
bats_require_minimum_version 1.5.0
load helpers

# $T/data/NAME: the bytes python3 expression $2 makes
data() {
	mkdir -p "$T/data"
	python3 -c "import os, sys, random; sys.stdout.buffer.write($2)" >"$T/data/$1"
}

@test "logs of a detached container: random bytes, invalid UTF-8, NUL lines and a partial last line, each stream byte for byte" {
	pull_busybox
	data out 'os.urandom(1000)'
	data err 'b"bad \xff\xfe utf-8\n\0\0 a NUL line\n" + os.urandom(3000) + b"partial"'
	homo run -d --name d -v "$T/data:/data:ro" busybox \
		sh -c 'cat /data/out; cat /data/err >&2' >/dev/null
	homo wait d >/dev/null
	homo logs d >"$T/o" 2>"$T/e"
	cmp "$T/o" "$T/data/out"
	cmp "$T/e" "$T/data/err"
	# the record keeps Docker's shape for jq: "log" with U+FFFD, "raw" exact
	python3 - "$HOMO_ROOT"/containers/*/log <<'PY'
import base64, json, sys
r = [json.loads(l) for l in open(sys.argv[1], "rb")]
bad = [x for x in r if x["stream"] == "stderr"][0]
assert bad["log"] == "bad \ufffd\ufffd utf-8\n", bad
assert base64.b64decode(bad["raw"]) == b"bad \xff\xfe utf-8\n", bad
PY
	homo rm d
}

@test "logs of a foreground run and logs -f: byte for byte" {
	pull_busybox
	data out 'bytes(range(256)) * 20'
	homo run --name fg -v "$T/data:/data:ro" busybox cat /data/out >"$T/direct"
	cmp "$T/direct" "$T/data/out"
	homo logs fg >"$T/o"
	cmp "$T/o" "$T/data/out"
	homo run -d --name f -v "$T/data:/data:ro" busybox \
		sh -c 'sleep 0.5; cat /data/out; sleep 0.5; cat /data/out >&2' >/dev/null
	homo logs -f f >"$T/fo" 2>"$T/fe"
	cmp "$T/fo" "$T/data/out"
	cmp "$T/fe" "$T/data/out"
	homo rm fg f
}

@test "logs -t and --tail count lines, not writes: a line written in pieces has one time and is one line" {
	pull_busybox
	homo run -d --name p busybox sh -c \
		'echo one; printf tw; sleep 0.3; echo o; printf "thr"; sleep 0.3; printf ee' >/dev/null
	homo wait p >/dev/null
	run homo logs p
	[ "$output" = "$(printf 'one\ntwo\nthree')" ]
	run homo logs --tail 1 p
	[ "$output" = three ]
	run homo logs --tail 2 p
	[ "$output" = "$(printf 'two\nthree')" ]
	run homo logs -t p
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[1]}" =~ ^20[0-9-]+T[0-9:.]+Z\ two$ ]]
	[[ "${lines[2]}" =~ ^20[0-9-]+T[0-9:.]+Z\ three$ ]]
	homo rm p
}

@test "log rotation with binary output: what logs prints is the source's last bytes" {
	pull_busybox
	data out 'os.urandom(40000)'
	homo run -d --name r --log-max-size 4k -v "$T/data:/data:ro" busybox \
		sh -c 'i=0; while [ $i -lt 40 ]; do dd if=/data/out bs=1000 skip=$i count=1 2>/dev/null; i=$((i+1)); done' >/dev/null
	homo wait r >/dev/null
	[ -f "$HOMO_ROOT"/containers/*/log.1 ]
	homo logs r >"$T/o"
	python3 - "$T/o" "$T/data/out" <<'PY'
import sys
got, src = (open(p, "rb").read() for p in sys.argv[1:])
assert got and src.endswith(got), (len(got), len(src))
PY
	homo rm r
}

@test "logs reads what an older homo wrote (no raw field, a NUL line)" {
	pull_busybox
	homo run --name old busybox true
	printf '%s\n' '{"log":"a\u0000b\n","stream":"stdout","time":"2026-01-01T00:00:00Z"}' \
		'{"log":"err\n","stream":"stderr","time":"2026-01-01T00:00:01Z"}' \
		>"$HOMO_ROOT"/containers/*/log
	homo logs old >"$T/o" 2>"$T/e"
	printf 'a\0b\n' | cmp - "$T/o"
	[ "$(cat "$T/e")" = err ]
	homo rm old
}

@test "logs of half a million lines reads in seconds (it counted its list on each line: minutes)" {
	pull_busybox
	homo run -d --name big --log-max-size 100m busybox seq 500000 >/dev/null
	homo wait big >/dev/null
	run bash -c 'timeout 60 "$HOMO" logs big | md5sum'
	assert_status 0
	[ "$output" = "$(seq 500000 | md5sum)" ]
	homo rm big >/dev/null
}
