#!/usr/bin/env bats
# Crash and hostile-condition tests: homo SIGKILLed at each step of pull,
# run, commit, save, load and rm (HOMO_FAULT=<point> with the homo-fault
# build, src/lib/base/fault.h), a full disk, too few file descriptors, corrupt
# records. After each: the store is as before (or says where the partial
# container went), "homo system check" is clean or its --repair makes it
# so, the next command works, and nothing leaks (helpers.bash teardown).

bats_require_minimum_version 1.5.0
load helpers

: "${HOMO_FAULT_BIN:?set HOMO_FAULT_BIN to the homo-fault binary}"

# helpers.bash's teardown, after unmounting a small disk of the test's
eval "helpers_$(declare -f teardown)"
teardown() {
	if [ -n "${SMALL:-}" ] && mountpoint -q "$SMALL"; then
		umount "$SMALL"
	fi
	helpers_teardown
}

# homo-fault killed at step $1: fault STEP ARGS...
fault() { HOMO_FAULT=$1 "$HOMO_FAULT_BIN" "${@:2}"; }

# the store's names, less the download cache (blobs: safe to delete)
snap() { store_snapshot | grep -v '^\./blobs/sha256/.'; }

# "homo system check" clean, or made clean by --repair
check_or_repair() {
	run homo system check
	if [ "$status" -ne 0 ]; then
		assert_status 1
		run homo system check --repair
		assert_status 0
		run homo system check
	fi
	assert_status 0
	[ "$output" = "no problems found" ] || { echo "check not clean: $output" >&2; return 1; }
}

killed() {
	if [ "$status" -ne 137 ]; then
		echo "expected to be killed (137), got $status: $output" >&2
		return 1
	fi
}

# ---- pull ----

pull_fault() {
	local before
	homo images >/dev/null
	before=$(snap)
	run fault "$1" pull -q "${2:-$BUSYBOX_TAR}" bb
	killed
	check_or_repair
	if [ "$1" = pull-after-record ]; then
		# the record was written: the pull is complete
		run homo images -q
		assert_status 0
		[ -n "$output" ]
	else
		[ "$(snap)" = "$before" ]
	fi
	run homo pull -q "$BUSYBOX_TAR" bb
	assert_status 0
	run homo run --rm bb true
	assert_status 0
	run homo system check
	assert_status 0
}

@test "fault: pull killed after the download" {
	pull_fault pull-after-download "file://$BUSYBOX_TAR"
}

@test "fault: pull killed mid-unpack" {
	pull_fault mid-unpack
}

@test "fault: pull killed after the unpack" {
	pull_fault pull-after-unpack
}

@test "fault: pull killed after the layer, before the record" {
	homo images >/dev/null
	run fault pull-after-layer pull -q "$BUSYBOX_TAR" bb
	killed
	# the layer is in place, nothing names it: an orphan for check
	run homo system check
	assert_status 1
	assert_output_has "orphan"
	run homo system check --repair
	assert_status 0
	pull_fault pull-after-layer
}

@test "fault: pull killed after the record" {
	pull_fault pull-after-record
}

# ---- run ----

run_fault() {
	local before
	pull_busybox bb
	homo run --rm bb true # makes names/
	before=$(snap)
	run fault "$1" run --name c bb true
	killed
	# the partial container is shown stopped, never running
	run homo ps -a --format json
	assert_status 0
	assert_output_lacks '"Running": true'
	check_or_repair
	run homo ps -a
	assert_output_has "Exited ("
	run homo rm c
	assert_status 0
	[ "$(snap)" = "$before" ]
	run homo run --rm --name c bb true
	assert_status 0
	check_or_repair
}

@test "fault: run killed after the container dir" {
	run_fault run-after-dir
}

@test "fault: run killed after the cgroups" {
	run_fault run-after-cgroup
}

@test "fault: run killed after GO, while the init sets up" {
	run_fault run-after-go
}

@test "fault: run's init killed after the overlay mount" {
	run_fault run-after-overlay
}

@test "fault: run killed after the running state" {
	run_fault run-after-state
}

@test "fault: run's init killed before exec" {
	run_fault run-before-exec
}

@test "fault: check reports a container left running by a killed homo" {
	pull_busybox bb
	run fault run-after-state run --name c bb true
	killed
	run homo system check
	assert_status 1
	assert_output_has "(c): state says running but its homo"
	run homo system check --repair
	assert_status 0
	assert_output_has "settled as exited"
	run homo inspect c
	assert_output_has '"ExitCode": 137'
	run homo system check
	assert_status 0
}

# ---- commit ----

commit_fault() {
	local before
	pull_busybox bb
	homo run --name c bb sh -c 'echo hi >/f; mkdir -p /d/e; echo x >/d/e/g' >/dev/null
	before=$(snap)
	run fault "$1" commit -q c img
	killed
	check_or_repair
	[ "$(snap)" = "$before" ]
	run homo commit -q c img
	assert_status 0
	run homo run --rm img cat /f
	assert_status 0
	[ "$output" = hi ]
	check_or_repair
}

@test "fault: commit killed mid-copy" {
	commit_fault mid-copy
}

@test "fault: commit killed after the layer, before the record" {
	commit_fault commit-after-layer
}

# ---- save, load ----

@test "fault: save killed mid-write" {
	pull_busybox bb
	before=$(snap)
	run fault save-mid-write save -o "$T/out.tar" bb
	killed
	# no archive under the final name; only its temp name beside it
	[ ! -e "$T/out.tar" ]
	rm -f "$T"/out.tar.tmp-*
	check_or_repair
	[ "$(snap)" = "$before" ]
	run homo save -o "$T/out.tar" bb
	assert_status 0
	[ -s "$T/out.tar" ]
}

load_fault() {
	local before
	pull_busybox bb
	homo save -o "$T/a.tar" bb
	homo rmi bb >/dev/null
	before=$(snap)
	run fault "$1" load -q -i "$T/a.tar"
	killed
	check_or_repair
	[ "$(snap)" = "$before" ]
	run homo load -q -i "$T/a.tar"
	assert_status 0
	run homo run --rm bb true
	assert_status 0
}

@test "fault: load killed after the blobs" {
	load_fault load-after-blobs
}

@test "fault: load killed after the layers, before the records" {
	load_fault load-after-layers
}

# ---- rm ----

@test "fault: rm killed after the stop" {
	pull_busybox bb
	homo run --name c bb true
	run fault rm-after-stop rm c
	killed
	check_or_repair
	# still there, stopped, and removable
	run homo ps -a
	assert_output_has " c"
	run homo rm c
	assert_status 0
	check_or_repair
}

@test "fault: rm killed mid-removal" {
	pull_busybox bb
	homo run --name c bb true
	run fault rm-mid-removal rm c
	killed
	# gone at once, its name free
	run homo ps -a -q
	[ -z "$output" ]
	check_or_repair
	run homo run --rm --name c bb true
	assert_status 0
}

# ---- a full disk ----

small_root() { # $1: tmpfs size
	SMALL=$T/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o "size=$1" homo-test "$SMALL"
	export HOMO_ROOT=$SMALL/root
}

@test "disk full during pull: one clear error, a clean store" {
	small_root 1m
	run --separate-stderr homo pull -q "$BUSYBOX_TAR" bb
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"No space left on device"* ]]
	run homo images -q
	[ -z "$output" ]
	check_or_repair
	[ -z "$(find "$HOMO_ROOT/layers" -mindepth 1)" ]
}

@test "disk full during commit: one clear error, a clean store" {
	small_root 16m
	pull_busybox bb
	homo run --name c bb dd if=/dev/zero of=/big bs=1k count=1024 2>/dev/null
	before=$(snap)
	# now leave less room than the copy needs
	used=$(df -k --output=used "$SMALL" | tail -1)
	mount -o remount,size=$((used + 256))k "$SMALL"
	run --separate-stderr homo commit -q c img
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"No space left on device"* ]]
	[ "$(snap)" = "$before" ]
	check_or_repair
	mount -o remount,size=16m "$SMALL"
	run homo commit -q c img
	assert_status 0
}

@test "disk full when a container exits: its true code recorded later, stop says so now" {
	small_root 16m
	pull_busybox bb
	homo run -d --name c bb sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	for _ in $(seq 200); do homo logs c | grep -q ready && break; sleep 0.05; done
	dd if=/dev/zero of="$SMALL/fill" bs=64k 2>/dev/null || true
	# the exit (7) cannot be written: not "killed, 137", not success
	run --separate-stderr homo stop -t 30 c
	[ "$status" -ne 0 ]
	assert_one_error_line
	[[ "$stderr" == *"could not be recorded"* ]]
	# its monitor kept the code and records it once there is room
	rm "$SMALL/fill"
	[ "$(homo wait c)" = 7 ]
	homo rm c
}

# ---- too few file descriptors ----

@test "EMFILE during pull: a clear error, no crash, no leak" {
	homo images >/dev/null
	for n in 6 7 8; do
		run --separate-stderr bash -c "ulimit -n $n; exec \"\$HOMO\" pull -q \"\$BUSYBOX_TAR\" bb$n"
		[ "$status" -eq 0 ] && continue
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"Too many open files"* ]]
	done
	check_or_repair
	run homo pull -q "$BUSYBOX_TAR" bb
	assert_status 0
}

@test "EMFILE during run: a clear error, no crash, no leak" {
	pull_busybox bb
	for n in 6 8 9 12; do
		run --separate-stderr bash -c "ulimit -n $n; exec \"\$HOMO\" run --name c$n bb true"
		[ "$status" -eq 0 ] && continue
		assert_status 125
		# the error last, at most a teardown warning before it
		[[ "$(tail -1 <<<"$stderr")" == "homo: "*"Too many open files"* ]]
		! grep -v '^homo: ' <<<"$stderr"
		[ "$(grep -vc '^homo: warning: ' <<<"$stderr")" -eq 1 ]
		# a container made says why it did not start
		[ -n "$(homo ps -a -q --filter name=c$n)" ] || continue
		run homo inspect c$n
		assert_output_has "Too many open files"
	done
	check_or_repair
	run homo run --rm bb true
	assert_status 0
}

# ---- corrupt records ----

two_containers() {
	pull_busybox bb
	homo run --name ctr-one bb true
	homo run --name ctr-two bb true
	C1=$(homo inspect ctr-one | grep -m1 '"Id"' | cut -d'"' -f4)
}

@test "corrupt state.json: ps names it and lists the others; repair resets it" {
	two_containers
	echo '{"Status": "runn' >"$HOMO_ROOT/containers/$C1/state.json"
	run --separate-stderr homo ps -a
	assert_status 0
	assert_one_error_line
	[[ "$stderr" == *"$C1/state.json"* ]]
	assert_output_has "ctr-two"
	assert_output_lacks "ctr-one"
	# the other containers keep working
	run homo start ctr-two
	assert_status 0
	run homo wait ctr-two
	assert_status 0
	[ "$output" = 0 ]
	run homo run --rm bb true
	assert_status 0
	run homo system check
	assert_status 1
	assert_output_has "$C1/state.json"
	run homo system check --repair
	assert_status 0
	assert_output_has "reset to exited"
	run homo system check
	assert_status 0
	run homo ps -a
	assert_output_has "ctr-one"
	run homo rm ctr-one ctr-two
	assert_status 0
}

@test "corrupt config.json: ps names it; repair moves the container aside" {
	two_containers
	echo 'garbage' >"$HOMO_ROOT/containers/$C1/config.json"
	run --separate-stderr homo ps -a
	assert_status 0
	assert_one_error_line
	[[ "$stderr" == *"$C1/config.json"* ]]
	assert_output_has "ctr-two"
	run homo system check
	assert_status 1
	assert_output_has "$C1/config.json"
	run homo system check --repair
	assert_status 0
	assert_output_has "moved to \"$HOMO_ROOT/broken/container-$C1\""
	run homo system check
	assert_status 0
	[ -d "$HOMO_ROOT/broken/container-$C1/upper" ]
	# its name is free again, ctr-two untouched
	run homo run --rm --name ctr-one bb true
	assert_status 0
	run homo rm ctr-two
	assert_status 0
}

@test "corrupt image record: images names it and lists the others" {
	pull_busybox bb
	homo tag bb other
	echo '{"id": ' >"$HOMO_ROOT/images/other/latest.json"
	run --separate-stderr homo images
	assert_status 0
	assert_one_error_line
	[[ "$stderr" == *"images/other/latest.json"* ]]
	assert_output_has "bb"
	# other images keep working, also by id
	run homo run --rm bb true
	assert_status 0
	id=$(homo images -q | head -1)
	run homo run --rm "$id" true
	assert_status 0
	run homo system check
	assert_status 1
	assert_output_has "images/other/latest.json"
	run homo system check --repair
	assert_status 0
	assert_output_has "moved to"
	run homo system check
	assert_status 0
	run --separate-stderr homo images
	[ -z "$stderr" ]
}

@test "system check: dangling names, missing layers, links, debris" {
	pull_busybox bb
	homo tag bb other
	homo run --rm bb true # makes names/
	layer=$(ls "$HOMO_ROOT/layers" | grep -v '^\.')
	# a name of a container that is gone, a temp name of a dead process,
	# a record naming a layer that is not there, a lost short link
	ln -s "$(printf 'f%.0s' {1..64})" "$HOMO_ROOT/names/ghost"
	mkdir "$HOMO_ROOT/layers/.tmp-999999999-deadbeef"
	sed -i "s/$layer/$(printf '0%.0s' {1..64})/" "$HOMO_ROOT/images/other/latest.json"
	rm "$HOMO_ROOT/l/${layer:0:16}"
	before=$(snap)
	run homo system check
	assert_status 1
	assert_output_has 'name "ghost"'
	assert_output_has ".tmp-999999999-deadbeef"
	assert_output_has "image other:latest: layer 000000000000 is missing"
	assert_output_has "short link l/${layer:0:16} is missing"
	# read-only without --repair
	[ "$(snap)" = "$before" ]
	run homo system check --repair
	assert_status 0
	run homo system check
	assert_status 0
	[ "$output" = "no problems found" ]
	run homo run --rm bb true
	assert_status 0
}

@test "system check: usage" {
	run homo system
	assert_status 125
	run homo system frob
	assert_status 125
	run homo system check --frob
	assert_status 125
	run homo system check --help
	assert_status 0
	assert_output_has "--repair"
}
