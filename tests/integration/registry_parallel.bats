#!/usr/bin/env bats
# homo pull from a registry unpacks several layers at once, each on a
# thread of its own: a pull killed while two layers unpack leaves the store
# as it was, and a bad layer stops the others at once. The layers stall
# mid-blob behind regtool.py's serve-stall proxy, so "at once" is not a
# matter of timing. Loopback only (registry_fixture.bash).

bats_require_minimum_version 1.5.0

load helpers
load registry_fixture

setup_file() {
	local w
	export RF HEX_A HEX_B
	RF=$(mktemp -d "${HOMO_TEST_DIR:-/dev/shm}/homo-reg.XXXXXX")
	start_registry par open
	# two layers of ~1.5 MB gzip'd, different content: the busybox tree,
	# and the same tree with one more file
	w=$RF/work
	mkdir -p "$w/root"
	tar -xf "$BUSYBOX_TAR" -C "$w/root"
	tar -cf "$w/a.tar" -C "$w/root" .
	echo b >"$w/root/b"
	tar -cf "$w/b.tar" -C "$w/root" .
	python3 "$REGTOOL" push "$REG_par" par/two:1 layer="$w/a.tar" \
		layer="$w/b.tar" arch=amd64 >/dev/null
	# five small layers of their own
	for l in 1 2 3 4 5; do
		echo "$l" >"$w/$l"
		tar -cf "$w/$l.tar" -C "$w" "$l"
	done
	python3 "$REGTOOL" push "$REG_par" par/five:1 layer="$w/1.tar" \
		layer="$w/2.tar" layer="$w/3.tar" layer="$w/4.tar" \
		layer="$w/5.tar" arch=amd64 >/dev/null
	rm -rf "$w"
	HEX_A=$(layer_hex 0)
	HEX_B=$(layer_hex 1)
}

teardown_file() {
	stop_registries
}

# the blob digest (hex) of layer $1 of par/two:1
layer_hex() { registry_layer_hex "$REG_par/par/two:1" "$1"; }

# a front to the registry holding blobs ($@: their hex, else all) after
# 100000 bytes; sets STALL to its host:port
start_stall() {
	python3 "$REGTOOL" serve-stall "$T/stall.port" "$REG_par" 100000 "$@" 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/stall.port"
	STALL=127.0.0.1:$(cat "$T/stall.port")
}

# the store's names, but for the partial blobs a killed pull keeps (to
# resume) and its temp names (debris the next taker of the lock sweeps)
snapshot() {
	store_snapshot | grep -v -e '/partial-' -e '/\.tmp-'
}

# after a failed pull: nothing of it runs, the store is as $1 (a snapshot)
# and has no image; then a pull of $2 completes and leaves no temp or
# partial blob
as_before_then_pull() {
	[ -z "$(marked)" ]
	[ "$(snapshot)" = "$1" ]
	[ -z "$(ls "$HOMO_ROOT/images" 2>/dev/null)" ]
	run homo pull -q "$2"
	assert_status 0
	[ -z "$(find "$HOMO_ROOT" -name '*.tmp-*' -o -name 'partial-*')" ]
}

# processes started with HOMO_TEST_MARK=$T in their environment: homo and
# any child of it
marked() {
	grep -lxzF "HOMO_TEST_MARK=$T" /proc/[0-9]*/environ 2>/dev/null |
		cut -d/ -f3 || true
}

@test "registry pull: killed while two layers unpack at once, the store is as before; the next pull completes" {
	start_stall
	mkdir -p "$HOMO_ROOT/blobs/sha256"
	homo images >/dev/null
	before=$(snapshot)
	HOMO_TEST_MARK=$T "$HOMO" pull -q "$STALL/par/two:1" >"$T/out" 2>&1 &
	pid=$!
	BG_PIDS+=($pid)
	# both layers' trees are growing, neither can end: two unpacks at once
	for _ in $(seq 200); do
		n=0
		for d in "$HOMO_ROOT"/layers/.tmp-*/diff; do
			[ -n "$(ls -A "$d" 2>/dev/null)" ] && n=$((n + 1))
		done
		[ "$n" -ge 2 ] && break
		kill -0 "$pid" || break
		sleep 0.05
	done
	echo "layers unpacking at once: $n" >&3
	[ "$n" -eq 2 ]
	# threads, not processes: homo alone carries the mark
	[ "$(marked)" = "$pid" ]
	kill -9 "$pid"
	wait "$pid" || true
	# the next pull completes, fetching only the rest of each blob
	as_before_then_pull "$before" "$REG_par/par/two:1"
	[[ "$(blob_log par "$HEX_A" | tail -1)" == "206 "* ]]
	[[ "$(blob_log par "$HEX_B" | tail -1)" == "206 "* ]]
	run homo run --rm --net none "$REG_par/par/two:1" /bin/cat /b
	assert_status 0
	[ "$output" = b ]
}

@test "registry pull: a bad digest in one of two layers unpacking at once: one line, 125, store unchanged, nothing left running" {
	# layer A stalls mid-blob; layer B arrives whole but corrupted
	start_stall "$HEX_A"
	data=$RF/par/data/docker/registry/v2/blobs/sha256/${HEX_B:0:2}/$HEX_B/data
	cp "$data" "$T/orig"
	size=$(stat -c %s "$data")
	printf '\x00\x01' | dd of="$data" bs=1 seek=$((size - 6)) conv=notrunc 2>/dev/null
	mkdir -p "$HOMO_ROOT/blobs/sha256"
	homo images >/dev/null
	before=$(store_snapshot)
	SECONDS=0
	run --separate-stderr env HOMO_TEST_MARK="$T" timeout 20 "$HOMO" pull -q "$STALL/par/two:1"
	took=$SECONDS
	cp "$T/orig" "$data"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == "homo: $STALL/par/two:1: layer sha256:${HEX_B:0:12}"* ]]
	# layer A was stopped, not waited for (curl's own timeout is 60 s)
	[ "$took" -lt 10 ]
	[ -z "$(marked)" ]
	# nothing kept: the bad blob deleted, the stopped one too
	[ "$(store_snapshot)" = "$before" ]
}

@test "registry pull: where unshare(2) is refused (a seccomp filter), layers unpack in turn: the same layers" {
	# the store named relative to the cwd, which an unpack changes
	cd "$T"
	HOMO_ROOT=root run --separate-stderr python3 "$REGTOOL" no-unshare "$HOMO" --debug pull -q "$REG_par/par/two:1"
	assert_status 0
	[[ "$stderr" == *"layers unpack in turn"* ]]
	id=$output
	# against a pull with threads of their own: every layer the same tree
	HOMO_ROOT=$T/second run homo pull -q "$REG_par/par/two:1"
	assert_status 0
	[ "$output" = "$id" ]
	n=0
	for d in "$HOMO_ROOT"/layers/*/; do
		l=${d%/}
		l=${l##*/}
		diff <(cd "$d" && find . | sort) <(cd "$T/second/layers/$l" && find . | sort)
		n=$((n + 1))
	done
	[ "$n" -eq 2 ]
	rm -rf "$T/second"
}

@test "registry pull: the layers download on one curl multi handle, which keeps its connections: five layers over at most three, the manifest and config over one" {
	python3 "$REGTOOL" serve-log "$T/log.port" "$REG_par" "$T/log" 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/log.port"
	proxy=127.0.0.1:$(cat "$T/log.port")
	layers=$(skopeo inspect --tls-verify=false "docker://$REG_par/par/five:1" |
		jq -r '.Layers[]' | cut -d: -f2)
	[ "$(printf '%s\n' "$layers" | wc -l)" -eq 5 ]
	run homo pull -q "$proxy/par/five:1"
	assert_status 0
	# each layer fetched once; three at a time (Docker's bound), and the
	# two that start later take connections the first ones left
	[ "$(grep -cF "$layers" "$T/log")" -eq 5 ]
	conns=$(grep -F "$layers" "$T/log" | cut -d' ' -f1 | sort -u | wc -l)
	echo "connections for five layers: $conns" >&3
	[ "$conns" -le 3 ]
	# the manifest and the config, one after the other: on one connection
	[ "$(grep -cvF "$layers" "$T/log")" -ge 2 ]
	[ "$(grep -vF "$layers" "$T/log" | cut -d' ' -f1 | sort -u | wc -l)" -eq 1 ]
	[ "$(cat "$HOMO_ROOT"/layers/*/diff/[1-5] | sort | tr -d '\n')" = 12345 ]
}

@test "registry pull: the multi handle itself fails (no memory): every download ends, one line, 125, the store as before; the next pull completes" {
	mkdir -p "$HOMO_ROOT/blobs/sha256"
	homo images >/dev/null
	before=$(snapshot)
	run --separate-stderr env HOMO_FAULT=registry-multi-fails HOMO_TEST_MARK="$T" \
		timeout 20 "$HOMO_FAULT_BIN" pull -q "$REG_par/par/five:1"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == "homo: $REG_par/par/five:1: layer sha256:"*": download: Out of memory" ]]
	as_before_then_pull "$before" "$REG_par/par/five:1"
}

# the GETs of blob sha256:$2 in registry $1's access log: "STATUS BYTES"
blob_log() {
	grep "\"GET /v2/[^ ]*/blobs/sha256:$2 " "$RF/$1/log" | awk '{ print $9, $10 }'
}
