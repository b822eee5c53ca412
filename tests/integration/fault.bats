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
	assert_output_lacks '"State":"running"'
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

# ---- a lazily loaded library that cannot be loaded ----

# libarchive, libcrypto, libcurl: loaded on first use (base/lazylib.c); a
# failure is an error that pull cleans up after, never an exit from inside
@test "a library that cannot be loaded: pull fails with one line, leaves nothing" {
	homo images >/dev/null
	before=$(snap)
	for lib in libarchive.so.13 libcrypto.so.3 libcurl.so.4; do
		# a broken install: the soname is no shared object
		rm -rf "$T/badlib"
		mkdir "$T/badlib"
		: >"$T/badlib/$lib"
		src=$BUSYBOX_TAR
		# never connected to: the load fails first
		[ "$lib" = libcurl.so.4 ] && src=http://127.0.0.1:1/bb.tar
		LD_LIBRARY_PATH=$T/badlib run --separate-stderr homo pull -q "$src" bb
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"cannot load $lib: "*"file too short" ]]
		[[ "$stderr" != *reinstall* ]]
		[ "$(snap)" = "$before" ]
		run homo system check
		assert_status 0
	done
	run homo pull -q "$BUSYBOX_TAR" bb
	assert_status 0
}

@test "too little address space to load libarchive: pull fails with one line, leaves nothing" {
	skip_under_asan "libarchive's dlopen under ulimit -v"
	homo images >/dev/null
	before=$(snap)
	# libarchive brings ICU (30 MB of data): homo starts, dlopen fails
	run --separate-stderr bash -c 'ulimit -v 20000; exec "$HOMO" pull -q "$BUSYBOX_TAR" bb'
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"cannot load libarchive.so.13: "*"failed to map segment from shared object" ]]
	[[ "$stderr" != *reinstall* ]]
	[ "$(snap)" = "$before" ]
	run homo system check
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

# ---- names, temp names and records that cannot be trusted ----

@test "run without --name: a name that cannot be claimed fails, never loops" {
	pull_busybox bb
	# names/ a file: every claim fails with ENOTDIR, whatever the name
	rm -rf "$HOMO_ROOT/names"
	touch "$HOMO_ROOT/names"
	run --separate-stderr timeout 20 "$HOMO" run bb true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"Not a directory"* ]]
	run homo ps -a -q
	[ -z "$output" ]
	rm "$HOMO_ROOT/names"
	run homo run --rm bb true
	assert_status 0
}

@test "a start error quoting non-UTF-8 bytes is recorded, never a crash" {
	# a hostile image: /proc a symlink to a non-UTF-8 name
	make_image evil 'rm -rf proc; ln -s "$(printf "/x\377\376")" proc'
	run --separate-stderr homo run --name c evil true
	[ "$status" -ne 0 ] && [ "$status" -lt 128 ] || {
		echo "status $status: $stderr" >&2
		return 1
	}
	run homo ps -a
	assert_status 0
	assert_output_has "Exited ("
	run homo inspect c
	assert_status 0
	run homo rm c
	assert_status 0
	# a source whose file name is not UTF-8
	cp "$BUSYBOX_TAR" "$T/bb$(printf '\377').tar"
	run homo pull -q "$T/bb$(printf '\377').tar" bb
	assert_status 0
	run homo images --format json
	assert_status 0
	assert_output_has '"Repository":"bb"'
	run homo inspect bb
	assert_status 0
	assert_output_has '"Source": "'
	check_or_repair
}

# plant: jq FILTER on the record $1 (images/<name>/<tag>.json)
plant() {
	jq "$2" "$HOMO_ROOT/images/$1" >"$T/rec" && mv "$T/rec" "$HOMO_ROOT/images/$1"
}

not_crashed() {
	[ "$status" -lt 128 ] || {
		echo "crashed ($status): $output" >&2
		return 1
	}
}

@test "image records that parse but lie are refused on load, never trusted" {
	pull_busybox bb
	for filter in '.layers = []' '.layers = ["../../../etc"]' \
		'.layers = [7]' '.config = []' '.config.env = "PATH=/"' \
		'.layers[0] = "sha256:" + .layers[0]' '.size = "big"'; do
		homo tag bb other
		plant other/latest.json "$filter"
		for cmd in "images --format json" "images" "inspect other" \
			"run --rm other true" "save -o $T/o.tar other" \
			"rmi other" "system check"; do
			run homo $cmd
			not_crashed
		done
		run --separate-stderr homo images
		assert_status 0
		[[ "$stderr" == *"images/other/latest.json: corrupt image record"* ]]
		assert_output_has "bb"
		run homo inspect other
		assert_status 125
		run homo system check
		assert_status 1
		assert_output_has "images/other/latest.json: corrupt image record"
		run homo system check --repair
		assert_status 0
		run homo run --rm bb true
		assert_status 0
	done
	rm -f "$T/o.tar"
	check_or_repair
}

# plant in the config.json of container $1: jq FILTER $2
plant_config() {
	local f=$HOMO_ROOT/containers/$(homo inspect "$1" | jq -r '.[0].Id')/config.json
	jq "$2" "$f" >"$T/rec" && mv "$T/rec" "$f"
}

@test "a container record lacking security fields runs with the safe values; check reports it" {
	pull_busybox bb
	# a record without the field runs with no_new_privs: the safe value
	homo run --name c --security-opt no-new-privileges bb sh -c 'grep -E "^(NoNewPrivs|Seccomp|CapEff):" /proc/self/status' >"$T/want"
	grep -q 'NoNewPrivs:.1' "$T/want"
	for filter in 'del(.no_new_privs, .seccomp_unconfined, .caps, .privileged)' \
		'.no_new_privs = "false" | .privileged = 1 | .caps = "all"'; do
		plant_config c "$filter"
		run homo start c
		assert_status 0
		run homo wait c
		[ "$output" = 0 ]
		run homo logs c
		# the second run's lines are as the first's
		[ "$(tail -3 <<<"$output")" = "$(cat "$T/want")" ] || {
			echo "got: $output; want: $(cat "$T/want")" >&2
			return 1
		}
		run homo system check
		assert_status 1
		assert_output_has "config.json lacks"
		assert_output_has "no_new_privs"
		run homo system check --repair
		assert_status 0
		assert_output_has "safe value written"
		check_or_repair
	done
	rm -f "$T/want"
}

@test "a store of a newer format is refused, an older one upgraded in place" {
	pull_busybox bb
	[ "$(cat "$HOMO_ROOT/version")" = 1 ]
	echo 2 >"$HOMO_ROOT/version"
	for cmd in images "ps -a" "run --rm bb true" "system check"; do
		run --separate-stderr homo $cmd
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"has format 2"*"newer homo"* ]]
	done
	echo junk >"$HOMO_ROOT/version"
	run --separate-stderr homo images
	assert_status 125
	[[ "$stderr" == *"unreadable format version"* ]]
	# a store from before versions is format 1
	rm "$HOMO_ROOT/version"
	run homo run --rm bb true
	assert_status 0
	[ "$(cat "$HOMO_ROOT/version")" = 1 ]
	check_or_repair
}

@test "debris whose pid was reused by a live process is reported and swept" {
	pull_busybox bb
	# this shell is alive, but it did not start at clock tick 1
	mkdir -p "$HOMO_ROOT/layers/.tmp-$$.1-deadbeef/diff/big"
	head -c 1M /dev/zero >"$HOMO_ROOT/layers/.tmp-$$.1-deadbeef/diff/big/f"
	echo '{}' >"$HOMO_ROOT/tmp/latest.json.tmp-$$.1-1"
	run homo system check
	assert_status 1
	assert_output_has ".tmp-$$.1-deadbeef"
	assert_output_has "latest.json.tmp-$$.1-1"
	# any command that takes the lock sweeps it
	run homo run --rm bb true
	assert_status 0
	[ -z "$(find "$HOMO_ROOT" -name "*.tmp-*")" ]
	check_or_repair
}

@test "killed between a record's write and its rename: the temp is in tmp/, the next command sweeps it, the records are whole" {
	pull_busybox bb
	homo create --name keep --net none bb true >/dev/null
	run fault record-before-rename rename keep kept
	killed
	[ -n "$(find "$HOMO_ROOT/tmp" -name "*.tmp-*")" ]
	# nowhere else: a start's sweep need not read each container's dir
	[ -z "$(find "$HOMO_ROOT" -path "$HOMO_ROOT/tmp" -prune -o -name "*.tmp-*" -print)" ]
	# the record as it was, and the next command that locks sweeps it
	run homo rename keep kept
	assert_status 0
	[ -z "$(find "$HOMO_ROOT" -name "*.tmp-*")" ]
	check_or_repair
	homo rm -f kept >/dev/null
}

@test "a store an older homo wrote (no tmp/, a record's temp beside it): the first sweep finds it there and makes tmp/" {
	pull_busybox bb
	rmdir "$HOMO_ROOT/tmp"
	echo '{}' >"$HOMO_ROOT/images/bb/latest.json.tmp-999999999"
	run homo run --rm --net none bb true
	assert_status 0
	[ -d "$HOMO_ROOT/tmp" ]
	[ -z "$(find "$HOMO_ROOT" -name "*.tmp-*")" ]
	check_or_repair
}

@test "a killed save's temp is swept by the next save" {
	pull_busybox bb
	run fault save-mid-write save -o "$T/out.tar" bb
	killed
	rm -f "$T"/out.tar.tmp-*
	[ -n "$(find "$HOMO_ROOT/blobs" -name ".tmp-*")" ]
	run homo save -o "$T/out.tar" bb
	assert_status 0
	[ -z "$(find "$HOMO_ROOT" -name "*.tmp-*")" ]
	rm "$T/out.tar"
}

@test "too few fds: a pull of content already stored leaves no temp copy" {
	"$HOMO" pull -q "$LEDE_TAR" lede >/dev/null
	for n in 8 10 12 16; do
		run --separate-stderr bash -c "ulimit -n $n; exec \"\$HOMO\" pull -q \"\$LEDE_TAR\" lede$n"
		[ "$status" -eq 0 ] || [[ "$stderr" == *"Too many open files"* ]]
		# right after it, before any other command could sweep
		[ -z "$(find "$HOMO_ROOT" -name "*.tmp-*")" ] || {
			echo "ulimit -n $n left: $(find "$HOMO_ROOT" -name "*.tmp-*")" >&2
			return 1
		}
	done
	check_or_repair
}

@test "disk full during tag: no empty image directory left" {
	small_root 16m
	pull_busybox bb
	dd if=/dev/zero of="$SMALL/fill" bs=64k 2>/dev/null || true
	run --separate-stderr homo tag bb other
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"No space left on device"* ]]
	[ ! -e "$HOMO_ROOT/images/other" ]
	rm "$SMALL/fill"
	check_or_repair
}

@test "pull, tag, commit over a NAME:TAG: the old image dangles until image prune" {
	pull_busybox bb
	old=$(homo images -q)
	# pulled over: the old image is <none>, not an orphan for check
	"$HOMO" pull -q "$LEDE_TAR" bb >/dev/null
	run homo images
	grep -qE "^<none> +<none> +$old " <<<"$output"
	run homo system check
	assert_status 0
	# runnable by its id; removable by its id
	run homo run --rm "$old" true
	assert_status 0
	run homo rmi "$old"
	assert_status 0
	assert_output_has "Deleted: sha256:$old"
	assert_output_lacks "Untagged"
	run homo images
	assert_output_lacks "<none>"
	# tagged over: the same; a name given back ends the dangling
	bbid=$("$HOMO" pull -q "$BUSYBOX_TAR" other | cut -d: -f2)
	homo tag bb other
	run homo images
	assert_output_has "<none>"
	homo tag "$bbid" other
	run homo images
	assert_output_lacks "<none>"
	homo tag bb other
	# committed over: the same; a container keeps its dangling image
	homo run --name c bb true
	homo rmi other >/dev/null
	homo commit -q c bb >/dev/null
	run homo images
	[ "$(grep -c '<none>' <<<"$output")" = 2 ]
	run homo system check
	assert_status 0
	run homo image prune
	assert_status 0
	assert_output_has "Deleted: sha256:$bbid"
	[ "$(grep -c Deleted <<<"$output")" = 1 ]
	run homo images
	[ "$(grep -c '<none>' <<<"$output")" = 1 ]
	homo rm c
	run homo image prune
	[ "$(grep -c Deleted <<<"$output")" = 1 ]
	run homo images
	assert_output_lacks "<none>"
	check_or_repair
	# prune -a: every image no container uses, and their layers
	run homo image prune -a
	assert_status 0
	run homo images -q
	[ -z "$output" ]
	[ -z "$(ls "$HOMO_ROOT/layers")" ]
	run homo image frob
	assert_status 125
	check_or_repair
}
