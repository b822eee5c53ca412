#!/usr/bin/env bats
# homo pull from a registry on a terminal (a pty from script(1)): a line per
# layer as Docker draws them, keyed by the blob digest's first 12 hex
# digits, redrawn in place and left on the screen, the image id under them.
# The "Downloading" and "Waiting" states are seen with the layers held
# mid-blob behind regtool.py's serve-stall proxy, so they are not a matter
# of timing. Loopback only (registry_fixture.bash).

bats_require_minimum_version 1.5.0

load helpers
load registry_fixture

setup_file() {
	local w l
	export RF HEX_A HEX_B HEX_C HEX_D HEX_E
	RF=$(mktemp -d "${HOMO_TEST_DIR:-/dev/shm}/homo-reg.XXXXXX")
	start_registry prog open
	# five layers of 200 kB of random bytes (gzip keeps them over the
	# stall proxy's 100000 bytes): four in one image, three of those and
	# the fifth in another
	w=$RF/work
	for l in a b c d e; do
		mkdir -p "$w/$l"
		head -c 200000 /dev/urandom >"$w/$l/$l"
		tar -cf "$w/$l.tar" -C "$w/$l" "$l"
	done
	python3 "$REGTOOL" push "$REG_prog" prog/four:1 layer="$w/a.tar" \
		layer="$w/b.tar" layer="$w/c.tar" layer="$w/d.tar" arch=amd64 >/dev/null
	python3 "$REGTOOL" push "$REG_prog" prog/shared:1 layer="$w/a.tar" \
		layer="$w/b.tar" layer="$w/c.tar" layer="$w/e.tar" arch=amd64 >/dev/null
	rm -rf "$w"
	HEX_A=$(layer_hex four 0)
	HEX_B=$(layer_hex four 1)
	HEX_C=$(layer_hex four 2)
	HEX_D=$(layer_hex four 3)
	HEX_E=$(layer_hex shared 3)
}

teardown_file() {
	stop_registries
}

# the blob digest (hex) of layer $2 of prog/$1:1
layer_hex() { registry_layer_hex "$REG_prog/prog/$1:1" "$2"; }

# a terminal's bytes as the lines they leave: no "\r", no ANSI sequences
plain() {
	sed -e 's/\x1b\[[0-9]*[A-Za-z]//g' | tr -d '\r'
}

image_id() {
	homo inspect "$1" | jq -r '.[0].Id'
}

@test "pull on a terminal: a line per layer, each 'Pull complete', redrawn in place, the id under them" {
	run script -qec "$HOMO pull $REG_prog/prog/four:1" /dev/null
	assert_status 0
	raw=$output
	out=$(printf '%s' "$raw" | plain)
	id=$(image_id "$REG_prog/prog/four:1")
	# the last frame, in the manifest's order, then the id on its own line
	[ "$(printf '%s\n' "$out" | tail -5)" = "$(printf '%s\n' \
		"${HEX_A:0:12}: Pull complete" "${HEX_B:0:12}: Pull complete" \
		"${HEX_C:0:12}: Pull complete" "${HEX_D:0:12}: Pull complete" "$id")" ]
	# redrawn over itself: the cursor back up the four lines, each erased
	[[ "$raw" == *$'\e[4A\e[2K'* ]]
	# quiet on a terminal: the id alone
	homo rmi "$REG_prog/prog/four:1" >/dev/null
	run script -qec "$HOMO pull -q $REG_prog/prog/four:1" /dev/null
	assert_status 0
	[ "$(printf '%s' "$output" | tr -d '\r')" = "$id" ]
}

@test "pull on a terminal: layers the store has show 'Already exists', the others 'Pull complete'" {
	homo pull -q "$REG_prog/prog/four:1" >/dev/null
	run script -qec "$HOMO pull $REG_prog/prog/shared:1" /dev/null
	assert_status 0
	out=$(printf '%s' "$output" | plain)
	[ "$(printf '%s\n' "$out" | tail -5)" = "$(printf '%s\n' \
		"${HEX_A:0:12}: Already exists" "${HEX_B:0:12}: Already exists" \
		"${HEX_C:0:12}: Already exists" "${HEX_E:0:12}: Pull complete" \
		"$(image_id "$REG_prog/prog/shared:1")")" ]
	# all there: every line says so from the start
	run script -qec "$HOMO pull $REG_prog/prog/shared:1" /dev/null
	assert_status 0
	[ "$(printf '%s' "$output" | plain | grep -c ': Already exists$')" -eq 4 ]
	[[ "$output" != *"Pull complete"* ]]
}

@test "pull on a terminal: three layers under way show 'Downloading' and their bytes, the fourth 'Waiting'" {
	python3 "$REGTOOL" serve-stall "$T/stall.port" "$REG_prog" 100000 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/stall.port"
	stall=127.0.0.1:$(cat "$T/stall.port")
	script -qfec "echo \$\$ >$T/pid; exec $HOMO pull $stall/prog/four:1" \
		"$T/tty" >/dev/null 3>&- &
	spid=$!
	BG_PIDS+=($spid)
	wait_port_file "$T/pid"
	pid=$(cat "$T/pid")
	# until the three layers' lines show the 100000 bytes each holds
	for _ in $(seq 200); do
		frame=$(plain <"$T/tty" | tail -4)
		[ "$(grep -c '  100kB / ' <<<"$frame")" -eq 3 ] && break
		kill -0 "$pid" || break
		sleep 0.05
	done
	printf '%s\n' "$frame" # shown if the test fails
	kill -9 "$pid"
	wait "$spid" || true
	# the next pull sweeps the killed one's temp layers
	homo pull -q "$REG_prog/prog/four:1" >/dev/null
	bar='\[=*>? *\]'
	size='[0-9.]+kB'
	grep -qxE "${HEX_A:0:12}: Downloading $bar  100kB / $size  [0-9.]+[kM]?B/s" <<<"$frame"
	grep -qxE "${HEX_B:0:12}: Downloading $bar  100kB / $size  [0-9.]+[kM]?B/s" <<<"$frame"
	grep -qxE "${HEX_C:0:12}: Downloading $bar  100kB / $size  [0-9.]+[kM]?B/s" <<<"$frame"
	grep -qx "${HEX_D:0:12}: Waiting" <<<"$frame"
	# each line fits the terminal (80 columns, the width of a pty
	# without one set), its last column left empty
	[ "$(awk '{ if (length > m) m = length } END { print m }' <<<"$frame")" -le 79 ]
}

@test "pull on a terminal, failing: the lines stay, the one error line under them" {
	data=$RF/prog/data/docker/registry/v2/blobs/sha256/${HEX_D:0:2}/$HEX_D/data
	cp "$data" "$T/orig"
	size=$(stat -c %s "$data")
	printf '\x00\x01' | dd of="$data" bs=1 seek=$((size - 6)) conv=notrunc 2>/dev/null
	run script -qec "$HOMO pull $REG_prog/prog/four:1" /dev/null
	cp "$T/orig" "$data"
	assert_status 125
	out=$(printf '%s' "$output" | plain)
	printf '%s\n' "$out" | tail -1 | grep -q "^homo: $REG_prog/prog/four:1: layer sha256:${HEX_D:0:12}"
	printf '%s\n' "$out" | tail -2 | head -1 | grep -qE '^[0-9a-f]{12}: '
	[ "$(printf '%s\n' "$out" | grep -c '^homo: ')" -eq 1 ]
}
