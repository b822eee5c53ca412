#!/usr/bin/env bats
# homo commit and homo export.
bats_require_minimum_version 1.5.0
load helpers
load commit_fixture

@test "commit a stopped container: new files, deletions and a replaced directory" {
	pull_busybox
	run homo run --name c1 busybox sh -c '
		echo hi >/hello; rm /bin/ls
		rm -rf /usr; mkdir -p /usr/new; echo n >/usr/new/f'
	assert_status 0
	run homo commit -q c1 img:v1
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	top=$(top_layer img:v1)
	d=$HOMO_ROOT/layers/$top/diff
	[ "$(stat -c '%F %t %T' "$d/bin/ls")" = "character special file 0 0" ]
	[ "$(xattr_get "$d/usr" trusted.overlay.opaque)" = y ]
	run homo run --rm img:v1 sh -c 'cat /hello; [ -e /bin/ls ] || echo gone; ls /usr'
	assert_status 0
	[ "$output" = "$(printf 'hi\ngone\nnew')" ]
}

@test "the layer id is the sha256 of its canonical tar, and the same change is stored once" {
	pull_busybox
	homo run --name c1 busybox sh -c 'echo same >/f' >/dev/null
	homo run --name c2 busybox sh -c 'echo same >/f' >/dev/null
	# the same change, times included
	find "$HOMO_ROOT"/containers/*/upper -exec touch -h -d @1000000000 {} +
	homo commit -q c1 same-a >/dev/null
	homo commit -q c2 same-b >/dev/null
	# (names, not "a" and "b": inspect would take those as the prefix of a
	# container id 1 time in 8)
	[ "$(top_layer same-a)" = "$(top_layer same-b)" ]
	[ "$(layer_ids | wc -l)" -eq 2 ]
	# the id is what homo save writes for the layer, uncompressed
	homo save -o "$T/a.tar" same-a
	mkdir "$T/x" && tar -C "$T/x" -xf "$T/a.tar"
	blob=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[0]; print(m["Layers"][-1])' "$T/x/manifest.json")
	[ "$(gzip -dc "$T/x/$blob" | sha256sum | cut -d' ' -f1)" = "$(top_layer same-a)" ]
	gzip -dc "$T/x/$blob" | tar -tvf - | grep -q ' f$'
}

@test "commit -m and -c set the config; the container's command is kept" {
	pull_busybox
	homo run --name c1 -e FOO=bar -w /tmp busybox sh -c 'echo x >/x' >/dev/null
	run homo commit -q -m "my message" -c 'ENV A=1' -c 'WORKDIR /etc' c1 conf
	assert_status 0
	run homo inspect conf
	assert_output_has '"Comment": "my message"'
	assert_output_has '"A=1"'
	assert_output_has '"FOO=bar"'
	assert_output_has '"WorkingDir": "/etc"'
	assert_output_has '"echo x >/x"'
	run homo run --rm conf sh -c 'echo $A $FOO; pwd'
	[ "$output" = "$(printf '1 bar\n/etc')" ]
	run homo commit -q -c 'CMD echo from-cmd' -c 'USER 1000' c1 conf2
	assert_status 0
	run homo run --rm conf2
	assert_status 0
	[ "$output" = from-cmd ]
	run homo run --rm conf2 id -u
	[ "$output" = 1000 ]
	run homo commit -q -c 'CMD ["echo", "exec", "form"]' c1 conf3
	run homo run --rm conf3
	[ "$output" = "exec form" ]
}

@test "commit refuses bad input with one error line and changes nothing" {
	pull_busybox
	homo run --name c1 busybox true
	before=$(store_snapshot)
	run --separate-stderr homo commit nosuch img
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"no such container"* ]]
	run --separate-stderr homo commit -c 'ONBUILD RUN x' c1 img
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *unsupported* ]]
	run --separate-stderr homo commit -c 'WORKDIR rel' c1 img
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo commit c1 'Bad:Name'
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo commit "$T/nonexistent/" img
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo commit --parent nosuch "$T" img
	assert_status 125
	assert_one_error_line
	[ "$before" = "$(store_snapshot)" ]
}

@test "commit with no changes still gives a runnable image; default name" {
	pull_busybox
	homo run --name quiet busybox true
	run homo commit -q quiet
	assert_status 0
	id=${output#sha256:}
	run homo images
	assert_output_has "quiet"
	assert_output_has "${id:0:12}"
	run homo run --rm "$id" echo ok
	assert_status 0
	[ "$output" = ok ]
}

@test "commit DIR: owners, setuid, xattrs, capabilities, hard links, symlinks, fifos, devices, whiteouts" {
	pull_busybox
	make_upper "$T/up"
	run homo commit -q --parent busybox "$T/up" fx
	assert_status 0
	check_layer "$HOMO_ROOT/layers/$(top_layer fx)/diff"
	check_container fx
	# without --parent: a one-layer image
	run homo commit -q "$T/up" alone:v1
	assert_status 0
	run homo inspect alone:v1
	[ "$(grep -c 'sha256:' <<<"$output")" -eq 2 ]
}

@test "commit a running container: frozen while read, running after" {
	pull_busybox
	# the counter is renamed into place: a freeze (or a look from here)
	# between echo's truncate and its write would see an empty file
	run homo run -d --name live busybox sh -c '
		i=0; while :; do i=$((i+1)); echo $i >/c.new; mv /c.new /counter; sleep 0.02; done'
	assert_status 0
	# running, and writing: run -d returns before the shell's first write
	upper=$(ls -d "$HOMO_ROOT"/containers/*/upper)
	for _ in $(seq 600); do [ -s "$upper/counter" ] && break; sleep 0.05; done
	[ -s "$upper/counter" ]
	run homo commit -q live snap
	assert_status 0
	run homo ps
	assert_output_has live
	all_thawed
	run homo run --rm snap cat /counter
	assert_status 0
	[ "$output" -ge 1 ]
	homo rm -f live >/dev/null
}

@test "SIGKILL mid-commit: the store is as it was, the container thawed" {
	pull_busybox
	run homo run -d --name live busybox sh -c '
		mkdir /d; i=0; while [ $i -lt 400 ]; do head -c 262144 /dev/zero >/d/$i; i=$((i+1)); done
		echo ready >/ready; while :; do sleep 1; done'
	assert_status 0
	upper=$(ls -d "$HOMO_ROOT"/containers/*/upper)
	while [ ! -e "$upper/ready" ]; do sleep 0.1; done
	before=$(store_snapshot)
	# the fault build stops itself mid-copy (the container frozen, a file's
	# header written, its data not): the kill lands there, every time
	HOMO_FAULT_STOP=file-before-data bg "$HOMO_FAULT_BIN" commit -q live big
	pid=${BG_PIDS[-1]}
	wait_stopped "$pid"
	[ -n "$(ls -A "$HOMO_ROOT"/layers/.tmp-* 2>/dev/null)" ]
	kill -9 "$pid"
	wait_status "$pid"
	[ "$status" -eq 137 ]
	# the guard thaws the container although homo died
	while ! all_thawed; do sleep 0.05; done
	# the next command that takes the lock sweeps the debris
	homo run --rm busybox true
	[ "$before" = "$(store_snapshot)" ]
	homo rm -f live >/dev/null
}

@test "a file truncated while commit reads it: a clear error, never a crash" {
	# the data read must match the size the tar header already gave
	mkdir "$T/d"
	head -c 300M /dev/zero >"$T/d/big"
	# stopped after big's tar header (its size), before its data is read
	HOMO_FAULT_STOP=file-before-data bg "$HOMO_FAULT_BIN" commit -q "$T/d" shrunk 2>"$T/err"
	pid=${BG_PIDS[-1]}
	wait_stopped "$pid"
	truncate -s 4096 "$T/d/big"
	kill -CONT "$pid"
	wait_status "$pid"
	[ "$status" -eq 125 ]
	[ "$(grep -c . "$T/err")" -eq 1 ]
	grep -q 'file shrank while it was read' "$T/err"
	[ "$(ls "$HOMO_ROOT/layers" | grep -c .)" -eq 0 ]
	run homo images -q
	[ -z "$output" ]
	rm -f "$T/d/big"
}

@test "two commits of two containers at once" {
	pull_busybox
	homo run --name c1 busybox sh -c 'mkdir /a; seq 1 5000 >/a/one' >/dev/null
	homo run --name c2 busybox sh -c 'mkdir /b; seq 1 6000 >/b/two' >/dev/null
	bg "$HOMO" commit -q c1 one
	p1=${BG_PIDS[-1]}
	bg "$HOMO" commit -q c2 two
	p2=${BG_PIDS[-1]}
	wait_status "$p1"
	assert_status 0
	wait_status "$p2"
	assert_status 0
	run homo run --rm one wc -l /a/one
	assert_output_has 5000
	run homo run --rm two wc -l /b/two
	assert_output_has 6000
}

@test "a 127-deep commit chain runs; past the kernel's limit a clear error" {
	pull_busybox
	parent=busybox
	for i in $(seq 1 127); do
		rm -rf "$T/d" && mkdir -p "$T/d/layers" && echo "$i" >"$T/d/layers/$i"
		homo commit -q --parent "$parent" "$T/d" "deep:$i" >/dev/null
		parent=deep:$i
	done
	run homo inspect deep:127
	[ "$(grep -c '"sha256:' <<<"$output")" -eq 129 ] # id + 128 layers
	run homo run --rm deep:127 sh -c 'ls /layers | wc -l; cat /layers/1 /layers/127'
	assert_status 0
	[ "$output" = "$(printf '127\n1\n127')" ]
	# keep going until homo refuses: the error names the limit
	# (not "i": bats's run --separate-stderr sets a global i)
	for n in $(seq 128 600); do
		rm -rf "$T/d" && mkdir -p "$T/d" && echo "$n" >"$T/d/$n"
		run --separate-stderr homo commit -q --parent "$parent" "$T/d" "deep:$n"
		[ "$status" -eq 0 ] || break
		parent=deep:$n
	done
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *limit* ]]
	# the deepest image homo made still runs
	run homo run --rm "$parent" cat /layers/127
	assert_status 0
}

@test "export -> pull -> run sees the same tree" {
	pull_busybox
	make_upper "$T/up"
	homo commit -q --parent busybox "$T/up" fx >/dev/null
	homo run --name src fx sh -c 'echo changed >/home/u/new; rm /rootfile' >/dev/null
	run homo export -o "$T/exp.tar" src
	assert_status 0
	# a flat tree: no whiteout entries
	! tar -tf "$T/exp.tar" | grep -q '\.wh\.'
	homo pull -q "$T/exp.tar" flat >/dev/null
	listing='find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -print |
		grep -v -e "^/etc/hostname$" -e "^/etc/hosts$" -e "^/etc/resolv.conf$" -e "^/$" |
		sort | while read -r f; do
			printf "%s %s " "$f" "$(stat -c "%u:%g %a %F" "$f")"
			if [ -f "$f" ] && [ ! -L "$f" ]; then
				echo "$(stat -c %s "$f") $(sha256sum <"$f" | cut -c1-16)"
			else echo; fi
		done'
	[ "$(homo export src | tar -tf - | wc -l)" -gt 100 ]
	run homo commit -q src merged
	assert_status 0
	run homo run --rm merged sh -c "$listing"
	assert_status 0
	want=$output
	run homo run --rm flat sh -c "$listing"
	assert_status 0
	[ "$output" = "$want" ]
	assert_output_has "/home/u/new 0:0 644 regular file 8 "
	assert_output_lacks "/rootfile "
}

@test "export: bad input, and no terminal output" {
	pull_busybox
	run --separate-stderr homo export nosuch
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo export -o "$T/out.tar" nosuch
	assert_status 125
	assert_one_error_line
	[ ! -e "$T/out.tar" ]
	[ -z "$(ls "$T" | grep 'out.tar')" ]
}

@test "commit racing rm -f of the container and rmi of its base: a whole image" {
	pull_busybox base
	homo run --name c base sh -c 'echo data >/committed'
	# stopped with the copy made, before the record; meanwhile the
	# container and its base image go (and rmi collects unused layers)
	HOMO_FAULT_STOP=commit-before-record bg "$HOMO_FAULT_BIN" commit -q c snap
	pid=${BG_PIDS[-1]}
	wait_stopped "$pid"
	homo rm -f c >/dev/null
	homo rmi base >/dev/null
	kill -CONT "$pid"
	wait_status "$pid"
	assert_status 0
	# the base layers were pinned: the image is whole and runs
	run homo run --rm snap cat /committed
	assert_status 0
	[ "$output" = data ]
	run homo system check
	assert_status 0
	[ "$output" = "no problems found" ]
}

@test "commit truncates a copy only where its file ends in a hole: one ftruncate for three files" {
	command -v strace >/dev/null || skip "strace is not installed (scripts/install-deps.sh)"
	pull_busybox
	homo run --net none --name tr busybox sh -c '
		echo a >/a; head -c 10000 /dev/urandom >/b
		echo c | dd of=/c bs=4096 seek=1 2>/dev/null
		dd if=/dev/zero of=/c bs=1 count=0 seek=1048576 2>/dev/null'
	run env "ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0" \
		strace -f -qq -o "$T/trace" -e trace=ftruncate "$HOMO" commit -q tr tr:1
	assert_status 0
	run grep -c '^[0-9 ]*ftruncate(' "$T/trace"
	[ "$output" = 1 ]
	# the copy keeps its size and its hole at the end
	[ "$(homo run --rm --net none tr:1 sh -c 'wc -c </c; cat /a; wc -c </b')" = "$(printf '1048576\na\n10000')" ]
	homo rm tr >/dev/null
}
