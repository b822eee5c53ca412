#!/usr/bin/env bats
# Hostile images and inputs: each test names the attack in its title and
# proves it never reaches the host. A container either starts with every
# mount resolved inside its rootfs, or homo refuses it with one error line
# (status 125); the host's files and mount table are compared before and
# after. The leak check of helpers.bash runs after every test.
#
# Tar entries that try to leave the layer ("../", absolute names, a symlink
# and then a file through it, a hard link to an outside path) are covered by
# the unit tests in tests/unit/test_archive.c (test_dotdot, test_absolute,
# test_symlink_escape, test_hardlink_escape) and end to end by pull.bats
# ("hostile tar entries ... never land outside the layer"); not repeated here.
bats_require_minimum_version 1.5.0
load helpers

# a mount a test makes itself ($TEST_MOUNT) goes before the leak check,
# which would otherwise report it
eval "$(declare -f teardown | sed '1s/teardown/helpers_teardown/')"
teardown() {
	[ -z "${TEST_MOUNT:-}" ] || umount -l "$TEST_MOUNT" 2>/dev/null || true
	helpers_teardown
}

# What an escape would change on the host: its sensitive files, byte for
# byte, its hostname and its mount table (other tests' mounts under their
# own temp dirs and netns files excluded: they may run at the same time).
host_state() {
	sha256sum /etc/shadow /etc/hosts /etc/passwd /etc/hostname \
		/etc/resolv.conf /proc/sys/kernel/core_pattern 2>&1
	hostname
	awk '{ print $5 }' /proc/self/mountinfo |
		grep -v -e "^$TEST_BASE/" -e '^/run/netns' -e '^/tmp/' | sort
}

assert_host_unchanged() {
	local now
	now=$(host_state)
	if [ "$now" != "$HOST_BEFORE" ]; then
		echo "the host changed:" >&2
		diff <(printf '%s\n' "$HOST_BEFORE") <(printf '%s\n' "$now") >&2
		return 1
	fi
}

# the container ran, or homo refused it with one "homo: ..." line and 125
ran_or_refused() {
	[ "$status" -eq 0 ] && return 0
	assert_status 125
	assert_one_error_line
}

@test "image /proc, /sys, /dev as symlinks to host paths (/host/proc, /, ../../../proc): refused, host untouched" {
	pull_busybox
	HOST_BEFORE=$(host_state)
	for d in proc sys dev; do
		for to in "/host/$d" / "../../../../$d" /tmp /etc; do
			make_image evil "rm -rf $d && ln -s $to $d"
			run --separate-stderr homo run --rm evil sh -c \
				"echo pwned >/$d/homo-hostile; cat /proc/self/mounts"
			assert_status 125
			assert_one_error_line
			[[ "$stderr" == *"/$d is a symlink to \"$to\""* ]] ||
				{ echo "unclear error for /$d -> $to: $stderr" >&2; return 1; }
			homo rmi evil >/dev/null
		done
	done
	# a sneakier one: procfs would end up under a writable tmpfs
	make_image evil 'rm -rf dev && ln -s proc dev'
	run --separate-stderr homo run --rm evil true
	assert_status 125
	assert_one_error_line
	for d in /proc /sys /dev /tmp; do
		[ ! -e "$d/homo-hostile" ]
	done
	assert_host_unchanged
}

@test "image /etc/hosts -> /etc/shadow, /etc/resolv.conf and /etc/hostname -> host files: bound inside the rootfs, host files unchanged" {
	pull_busybox
	HOST_BEFORE=$(host_state)
	make_image evil 'echo image-shadow >etc/shadow;
		rm -f etc/hosts etc/resolv.conf etc/hostname;
		ln -s /etc/shadow etc/hosts;
		ln -s ../../../../../../etc/passwd etc/hostname;
		ln -s /proc/sys/kernel/core_pattern etc/resolv.conf'
	run --separate-stderr homo run --rm --hostname hostile evil sh -c \
		'cat /etc/shadow; echo ---; cat /etc/hostname; cat /proc/sys/kernel/core_pattern'
	ran_or_refused
	if [ "$status" -eq 0 ]; then
		# the image's own files got homo's content, nothing else did
		assert_output_lacks image-shadow
		assert_output_has hostile
	fi
	# dangling, and loops: created inside the rootfs, or one clear error
	make_image evil2 'rm -f etc/hosts etc/resolv.conf etc/hostname;
		ln -s /host/etc/hosts etc/hosts;
		ln -s /tmp/resolv.conf etc/resolv.conf;
		ln -s hostname etc/hostname'
	run --separate-stderr homo run --rm evil2 true
	ran_or_refused
	make_image evil3 'rm -f etc/resolv.conf; ln -s /tmp/resolv.conf etc/resolv.conf'
	# LEDE's own layout: the symlink is followed inside the rootfs
	run --separate-stderr homo run --rm evil3 sh -c 'cat /tmp/resolv.conf; ls -l /etc/resolv.conf'
	assert_status 0
	assert_output_has '/etc/resolv.conf -> /tmp/resolv.conf'
	make_image evil4 'rm -f etc/hosts; ln -s / etc/hosts'
	run --separate-stderr homo run --rm evil4 true
	assert_status 125
	assert_one_error_line
	assert_host_unchanged
}

@test "image /tmp as a symlink to the host's /tmp (absolute, ../../.., /): writes stay in the rootfs" {
	pull_busybox
	HOST_BEFORE=$(host_state)
	tag=homo-hostile-$$-$RANDOM
	for to in /tmp ../../../../../tmp / /host/tmp; do
		make_image evil "rm -rf tmp && ln -s $to tmp"
		run homo run --rm evil sh -c "mkdir -p /tmp && echo x >/tmp/$tag; cat /tmp/$tag"
		[ ! -e "/tmp/$tag" ] && [ ! -e "/$tag" ] ||
			{ echo "host file written through /tmp -> $to" >&2; return 1; }
		homo rmi evil >/dev/null
	done
	assert_host_unchanged
}

@test "absolute symlinks in the image (/bin/x -> /etc/passwd) as volume target and workdir resolve to the image's files" {
	pull_busybox
	HOST_BEFORE=$(host_state)
	make_image evil 'echo image-passwd-marker >>etc/passwd; ln -s /etc/passwd bin/x;
		ln -s /etc wd; ln -s ../../../../../../../etc/passwd bin/y'
	echo from-volume >"$T/file"
	run --separate-stderr homo run --rm -v "$T/file:/bin/x" evil cat /etc/passwd
	assert_status 0
	[ "$output" = from-volume ]
	run --separate-stderr homo run --rm -v "$T/file:/bin/y:ro" evil sh -c 'cat /etc/passwd; echo a >/bin/y'
	[ "$status" -ne 0 ]
	assert_output_has from-volume
	# the workdir through an absolute symlink: the image's /etc
	run --separate-stderr homo run --rm -w /wd evil sh -c 'pwd -P; cat passwd'
	assert_status 0
	assert_output_has /etc
	assert_output_has image-passwd-marker
	[ "$(cat "$T/file")" = from-volume ]
	assert_host_unchanged
}

@test "volume target under a symlinked directory (/link -> /etc, -> ../../.., -> a host dir) lands inside the rootfs" {
	pull_busybox
	mkdir "$T/src" "$T/hostside"
	echo mounted >"$T/src/marker"
	HOST_BEFORE=$(host_state)
	tag=homo-hostile-$$-$RANDOM
	for to in /etc ../../../../../.. "$T/hostside" /; do
		make_image evil "ln -s $to link"
		run --separate-stderr homo run --rm -v "$T/src:/link/$tag" evil \
			sh -c "cat /link/$tag/marker"
		ran_or_refused
		[ "$status" -ne 0 ] || assert_output_has mounted
		[ ! -e "/etc/$tag" ] && [ ! -e "/$tag" ] &&
			[ -z "$(ls -A "$T/hostside")" ] ||
			{ echo "volume under /link -> $to reached the host" >&2; return 1; }
		# a file volume too
		run --separate-stderr homo run --rm -v "$T/src/marker:/link/$tag-f" evil \
			cat "/link/$tag-f"
		ran_or_refused
		[ ! -e "/etc/$tag-f" ]
		[ ! -e "/$tag-f" ]
		[ -z "$(ls -A "$T/hostside")" ]
		homo rmi evil >/dev/null
	done
	! grep -q "$tag" /proc/self/mountinfo
	assert_host_unchanged
}

@test "a 1 GB sparse file in the image tarball: pulled quickly, still sparse in the layer" {
	mkdir "$T/sp"
	truncate -s 1G "$T/sp/big"
	echo tail >>"$T/sp/big"
	tar -S -czf "$T/gnu.tar.gz" -C "$T/sp" .
	tar -S --format=posix -cf "$T/pax.tar" -C "$T/sp" .
	rm -rf "$T/sp"
	for f in gnu.tar.gz pax.tar; do
		run timeout 30 "$HOMO" pull -q --max-size 100m "$T/$f" "sparse:${f%%.*}"
		assert_status 0
		big=$(ls "$HOMO_ROOT"/layers/*/diff/big)
		[ "$(stat -c %s "$big")" -eq $((1024 * 1024 * 1024 + 5)) ]
		# allocated: a few KiB, not a gigabyte
		[ "$(du -k "$big" | cut -f1)" -lt 1024 ]
		[ "$(tail -c 5 "$big")" = tail ]
		homo rmi "sparse:${f%%.*}" >/dev/null
	done
}

# sparse_ok FILE SUM: 2 GiB long, at most 64 KiB allocated, content SUM
sparse_ok() {
	[ "$(stat -c %s "$1")" -eq 2147483648 ]
	[ "$(stat -c %b "$1")" -le 128 ] || {
		echo "$1: $(stat -c %b "$1") blocks allocated" >&2
		return 1
	}
	# the same bytes, read from the data extents only (sha256sum read
	# the 2 GiB of holes, 6 s a file here)
	[ "$(python3 "$BATS_TEST_DIRNAME/sparse_sum.py" "$1")" = "$2" ]
}

# kib FILE: its allocated size in KiB
kib() { du -k "$1" | cut -f1; }

@test "a container's 2 GB sparse file with 8 KB of data: commit, export and save stay small; pull and load keep the holes" {
	load commit_fixture
	pull_busybox
	homo run --name sp busybox sh -c '
		head -c 8192 /dev/urandom | dd of=/big bs=8192 seek=1000 2>/dev/null
		dd if=/dev/zero of=/big bs=1 count=0 seek=2147483648 2>/dev/null'
	orig=$(ls "$HOMO_ROOT"/containers/*/upper/big)
	sum=$(python3 "$BATS_TEST_DIRNAME/sparse_sum.py" "$orig")
	sparse_ok "$orig" "$sum"
	# commit: the layer keeps the holes (unfixed: 2 GiB allocated)
	run timeout 60 "$HOMO" commit -q sp sp:1
	assert_status 0
	sparse_ok "$HOMO_ROOT/layers/$(top_layer sp:1)/diff/big" "$sum"
	# export: a small tar, which pull unpacks with the holes
	run timeout 60 "$HOMO" export -o "$T/exp.tar" sp
	assert_status 0
	[ "$(kib "$T/exp.tar")" -lt 4096 ]
	homo rm -f sp >/dev/null
	homo pull -q "$T/exp.tar" spx:1 >/dev/null
	sparse_ok "$HOMO_ROOT/layers/$(top_layer spx:1)/diff/big" "$sum"
	# save: small, and load brings the holes back
	run timeout 60 "$HOMO" save -o "$T/save.tar" sp:1
	assert_status 0
	[ "$(kib "$T/save.tar")" -lt 4096 ]
	homo rmi sp:1 >/dev/null
	homo load -q -i "$T/save.tar" >/dev/null
	sparse_ok "$HOMO_ROOT/layers/$(top_layer sp:1)/diff/big" "$sum"
	# GNU tar reads the export as holes too
	mkdir "$T/gnu"
	tar -C "$T/gnu" -xf "$T/exp.tar" big
	sparse_ok "$T/gnu/big" "$sum"
}

# chain DEPTH: a shell script for the container that makes /w/d/.../d/f,
# DEPTH directories deep (each step wraps the chain in one more directory:
# no path ever gets long, so busybox's own PATH_MAX does not stop it)
chain() {
	echo "mkdir -p /w/d && echo leaf >/w/d/f && i=1 &&
		while [ \$i -lt $1 ]; do
			mkdir /w/n && mv /w/d /w/n/d && mv /w/n /w/d || exit 1
			i=\$((i + 1))
		done"
}

@test "a 2,100-deep directory chain in a container: commit, export and rm -f work and leave nothing" {
	load commit_fixture
	pull_busybox
	homo run --name deep busybox sh -c "$(chain 2100)"
	# unfixed: commit crashed (SIGSEGV), export died, rm -f left debris
	run --separate-stderr timeout 120 "$HOMO" commit -q deep deep:1
	assert_status 0
	run --separate-stderr timeout 120 "$HOMO" export -o "$T/deep.tar" deep
	assert_status 0
	run --separate-stderr timeout 120 "$HOMO" rm -f deep
	assert_status 0
	[ -z "$(ls -A "$HOMO_ROOT/containers")" ]
	# the committed layer holds the whole chain; so does the export
	[ "$(find "$HOMO_ROOT/layers/$(top_layer deep:1)/diff" -name f | wc -l)" -eq 1 ]
	[ "$(tar -tf "$T/deep.tar" | grep -c '/f$')" -eq 1 ]
	run homo rmi deep:1
	assert_status 0
	run homo system check
	assert_status 0
	[ "$(layer_ids)" = "$(top_layer busybox)" ]
}

# long_tree DIR: DIR/xxx.../leaf, 60 directories of 99 bytes deep (6,000
# bytes of path), made fd-relative
long_tree() {
	python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(60):
    os.mkdir("x" * 99, dir_fd=fd)
    n = os.open("x" * 99, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = n
f = os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(f, b"leaf\n")' "$1"
}

@test "an image with a path over 4,096 bytes: pull and rmi leave nothing; system check --repair removes such debris" {
	load commit_fixture
	pull_busybox
	mkdir "$T/src"
	long_tree "$T/src"
	tar -C "$T/src" -cf "$T/long.tar" .
	rm -rf "$T/src"
	run --separate-stderr timeout 60 "$HOMO" pull -q "$T/long.tar" long:1
	assert_status 0
	[ "$(find "$HOMO_ROOT/layers/$(top_layer long:1)/diff" -name leaf | wc -l)" -eq 1 ]
	run --separate-stderr homo rmi long:1
	assert_status 0
	[ "$(layer_ids)" = "$(top_layer busybox)" ]
	# debris that deep (a killed command's temp layer) is removed too
	mkdir "$HOMO_ROOT/layers/.tmp-999999-dead"
	long_tree "$HOMO_ROOT/layers/.tmp-999999-dead"
	run homo system check --repair
	assert_status 0
	[ -z "$(ls -A "$HOMO_ROOT/layers" | grep tmp)" ]
	run homo system check
	assert_status 0
}

@test "100,000 files in one image: pulled whole, no quadratic stall" {
	# built on the tmpfs by 100 touch commands, streamed into homo by tar.
	# The timeout bounds a stall; it is no speed check (make bench measures
	# speed, and the TCG VM runs this ~20x slower than the host)
	mkdir -p "$T/src/many"
	(cd "$T/src/many" && mkdir d{000..099} &&
		for d in d*; do (cd "$d" && touch f{0000..0999}); done)
	SECONDS=0
	run timeout 900 bash -c 'tar -cf - -C "$1" many | "$HOMO" pull -q - many' _ "$T/src"
	assert_status 0
	echo "# 100,000 files pulled in ${SECONDS}s" >&3
	rm -rf "$T/src"
	[ "$(find "$HOMO_ROOT"/layers/*/diff/many -type f | wc -l)" -eq 100000 ]
	run homo images
	assert_output_has many
}

@test "file names with newlines, tabs, escapes and non-UTF-8 bytes survive pull, run, commit and export exactly" {
	mkdir "$T/img"
	tar -xf "$BUSYBOX_TAR" -C "$T/img"
	mkdir "$T/img/names" "$T/img/names/"$'dir\nx\x80'
	for n in $'new\nline' $'bad\xff\xfe' $'tab\there' $'esc\e[31mred' $'dir\nx\x80/in\x01side' ' lead' 'trail '; do
		printf '%s' "$n" >"$T/img/names/$n"
	done
	# both tar dialects: raw bytes (gnu) and pax records (hdrcharset)
	tar --format=gnu -cf "$T/gnu.tar" -C "$T/img" .
	tar --format=pax -cf "$T/pax.tar" -C "$T/img" .
	want=$(cd "$T/img/names" && find . -print0 | LC_ALL=C sort -z | od -An -c)
	for f in gnu pax; do
		run homo pull -q "$T/$f.tar" "names:$f"
		assert_status 0
		run homo run --rm "names:$f" sh -c 'cd /names && find . -print0 | LC_ALL=C sort -z | od -An -c'
		assert_status 0
		[ "$output" = "$want" ] || { echo "names changed in $f" >&2; return 1; }
	done
	# each file still holds its own name
	run homo run --rm names:gnu sh -c 'cd /names && for f in *; do [ -d "$f" ] || [ "$(cat "$f")" = "$f" ] || echo "BAD $f"; done'
	assert_status 0
	assert_output_lacks BAD
	# a container adds more such names; commit and export keep them
	run homo run --name c names:gnu sh -c \
		'cd /names && printf x >"$(printf "up\nper\377")" && mkdir "$(printf "d2\n\376")" && printf y >"$(printf "d2\n\376/f\tg")"'
	assert_status 0
	printf x >"$T/img/names/"$'up\nper\xff'
	mkdir "$T/img/names/"$'d2\n\xfe'
	printf y >"$T/img/names/"$'d2\n\xfe/f\tg'
	want=$(cd "$T/img/names" && find . -print0 | LC_ALL=C sort -z | od -An -c)
	run homo commit c names:committed
	assert_status 0
	run homo run --rm names:committed sh -c 'cd /names && find . -print0 | LC_ALL=C sort -z | od -An -c'
	[ "$output" = "$want" ] || { echo "names changed by commit" >&2; return 1; }
	homo export c >"$T/export.tar"
	mkdir "$T/out"
	tar --warning=no-unknown-keyword -xf "$T/export.tar" -C "$T/out"
	got=$(cd "$T/out/names" && find . -print0 | LC_ALL=C sort -z | od -An -c)
	[ "$got" = "$want" ] || { echo "names changed by export" >&2; return 1; }
	# a command with a newline and an escape: the tables stay one line a row
	run homo run --name c2 names:gnu sh -c $'true\n: \e[2J'
	assert_status 0
	run homo images
	[ "$(grep -c . <<<"$output")" -eq 4 ]
	run homo ps -a
	[ "$(grep -c . <<<"$output")" -eq 3 ]
	assert_output_lacks $'\e'
	# the config is JSON: non-UTF-8 run arguments are refused, not mangled
	run --separate-stderr homo run --rm -w $'/names/dir\nx\x80' names:gnu pwd
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"workdir is not valid UTF-8"* ]]
	run --separate-stderr homo run --rm names:gnu echo $'\xff'
	assert_status 125
	assert_one_error_line
	homo rm c c2 >/dev/null
}

# 2 GiB of zeros as a tar file entry, in ~2 MB of gzip: concatenated gzip
# members (one valid stream), so the test never compresses 2 GiB
make_gzip_bomb() {
	python3 -c 'import sys, tarfile
i = tarfile.TarInfo("zeros"); i.size = 2 << 30
sys.stdout.buffer.write(i.tobuf(tarfile.GNU_FORMAT))' | gzip -1 >"$1"
	head -c 64M /dev/zero | gzip -9 >"$T/chunk.gz"
	for _ in $(seq 32); do cat "$T/chunk.gz"; done >>"$1"
	head -c 10240 /dev/zero | gzip -1 >>"$1"
	rm "$T/chunk.gz"
}

@test "tarball bomb (2 GiB of zeros in 2 MB gzip, or in zstd): --max-size and HOMO_PULL_MAX_SIZE stop it, store unchanged" {
	pull_busybox
	make_gzip_bomb "$T/bomb.tar.gz"
	[ "$(stat -c %s "$T/bomb.tar.gz")" -lt $((4 * 1024 * 1024)) ]
	before=$(store_snapshot)
	SECONDS=0
	run --separate-stderr homo pull -q --max-size 100m "$T/bomb.tar.gz" bomb
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"limit of 104857600 bytes"* ]]
	[ "$(store_snapshot)" = "$before" ]
	# and from a stream: a file that was never stored, HOMO_PULL_MAX_SIZE
	run --separate-stderr env HOMO_PULL_MAX_SIZE=50m bash -c \
		'{ python3 -c "import sys, tarfile
i = tarfile.TarInfo(\"zeros\"); i.size = 2 << 30
sys.stdout.buffer.write(i.tobuf(tarfile.GNU_FORMAT))"; head -c 2G /dev/zero; } |
		zstd -1 -q -c | "$HOMO" pull -q - bomb2'
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"limit of 52428800 bytes"* ]]
	[ "$(store_snapshot)" = "$before" ]
	[ "$SECONDS" -lt 30 ]
	# the flag wins over the environment; a bad size is refused up front
	run --separate-stderr env HOMO_PULL_MAX_SIZE=1k "$HOMO" pull -q --max-size 1g "$BUSYBOX_TAR" ok
	assert_status 0
	run --separate-stderr homo pull -q --max-size lots "$BUSYBOX_TAR" bad
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"--max-size"* ]]
	[ -z "$(find "$HOMO_ROOT" -name '*.tmp-*' -o -name '.tmp-*')" ]
}

@test "device nodes in the image (/dev/mem-like c 1:1, the host's disk, /dev/kmsg) cannot be opened: devices cgroup EPERM" {
	read -r maj min < <(awk 'NR > 2 && $4 !~ /[0-9]$/ { print $1, $2; exit }' /proc/partitions)
	[ -n "$maj" ] || { maj=8; min=0; }
	pull_busybox
	make_image evil "mknod -m 666 evil c 1 1 && mknod -m 666 tmp/sda b $maj $min &&
		mknod -m 666 kmsg c 1 11"
	for n in /evil /tmp/sda /kmsg; do
		run homo run --rm evil sh -c "(exec 3<$n) && echo OPENED; (exec 3>$n) && echo OPENED"
		assert_output_has "can't open $n: Operation not permitted"
		assert_output_lacks OPENED
	done
	# the cgroup says so itself (v1; v2's rules are a BPF program)
	if ! cgroup_v2; then
		run homo run --rm evil cat /sys/fs/cgroup/devices/devices.list
		assert_output_has "c 1:3 rwm"
		assert_output_lacks "a *:* rwm"
		assert_output_lacks "c 1:11"
	fi
	# --privileged: no device rules, the same node opens (read-only, unread)
	run homo run --rm --privileged evil sh -c '(exec 3</kmsg) && echo OPENED'
	assert_status 0
	assert_output_has OPENED
}

@test "device nodes under the image's /dev are gone: homo's own /dev replaces it" {
	pull_busybox
	make_image evil 'mknod -m 666 dev/mem c 1 1 && mknod -m 666 dev/sda b 8 0 &&
		mknod -m 666 dev/null c 1 1'
	run homo run --rm evil sh -c 'ls /dev; ls -l /dev/null'
	assert_status 0
	assert_output_lacks mem
	assert_output_lacks sda
	assert_output_has '1,   3'
}

@test "setuid binaries and device nodes in a layer are out of reach of host users: the store is 0700" {
	pull_busybox
	make_image evil 'cp bin/busybox bin/rootshell && chmod 4755 bin/rootshell &&
		mknod -m 666 tmp/mem c 1 1'
	shell=$(ls "$HOMO_ROOT"/layers/*/diff/bin/rootshell)
	[ -u "$shell" ]
	[ "$(stat -c %a "$HOMO_ROOT")" = 700 ]
	[ "$(stat -c %a "$HOMO_ROOT/layers")" = 700 ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		stat "$shell"
	[ "$status" -ne 0 ]
	assert_output_has "Permission denied"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		ls "$HOMO_ROOT/layers"
	[ "$status" -ne 0 ]
}

@test "a fork bomb without --pids-limit stops at the default 2048 pids, the host untouched" {
	pull_busybox
	HOST_BEFORE=$(host_state)
	# 2100 background sleeps; the subshell dies at the first failed fork
	# ("can't fork"), the container's sh then reports with builtins only
	run --separate-stderr homo run --rm -e PIDS_MAX="$(cg_in pids.max)" busybox sh -c 'i=0
		(while [ $i -lt 2100 ]; do i=$((i+1)); sleep 100 & echo $i >/tmp/n; done)
		read n </tmp/n; read m <"$PIDS_MAX"
		echo forked=$n max=$m'
	assert_status 0
	assert_output_has "max=2048"
	[[ "$stderr" == *"can't fork: Resource temporarily unavailable"* ]]
	forked=$(sed -n 's/^forked=\([0-9]*\) .*/\1/p' <<<"$output")
	[ "$forked" -lt 2048 ]
	[ "$forked" -gt 2000 ]
	# the container's sleeps died with it (the leak check looks too)
	assert_host_unchanged
}

@test "a :ro volume is read-only all the way down: a tmpfs mounted below its source stays unwritten" {
	pull_busybox
	mkdir -p "$T/vol/sub"
	TEST_MOUNT=$T/vol/sub
	mount -t tmpfs -o size=1m tmpfs "$TEST_MOUNT"
	run homo run --rm -v "$T/vol:/v:ro" busybox sh -c '
		echo x >/v/sub/file && echo WROTE-SUB
		echo x >/v/file && echo WROTE-TOP
		grep " /v/sub " /proc/self/mounts'
	assert_output_has "/v/sub/file: Read-only file system"
	assert_output_has "/v/file: Read-only file system"
	assert_output_lacks "WROTE"
	# the submount is there, read-only
	assert_output_has "tmpfs /v/sub tmpfs ro,"
	[ -z "$(ls -A "$T/vol/sub")" ]
	[ ! -e "$T/vol/file" ]
	umount "$TEST_MOUNT"
	TEST_MOUNT=
}

@test "--hostname with a newline (an /etc/hosts line of its own), control bytes or outside Docker's grammar: refused, 125, nothing created" {
	pull_busybox
	before=$(store_snapshot)
	long=$(printf 'a%.0s' $(seq 64))
	for h in $'a\n1.2.3.4 evil' $'a\t1.2.3.4' $'a\r' $'a\e[31m' a_b -a a- a..b a. \
		'a b' "${long}" "${long}b" "$long.x" $'\xc3\xa9' ''; do
		run --separate-stderr homo run --rm --hostname "$h" busybox cat /etc/hosts
		assert_status 125
		assert_one_error_line
		assert_output_lacks "evil"
	done
	[ "$(store_snapshot)" = "$before" ]
	# Docker's grammar, 64 bytes at most, is accepted
	run homo run --rm --hostname "a-1.B2.${long:0:57}" busybox hostname
	assert_status 0
	[ "$output" = "a-1.B2.${long:0:57}" ]
}
