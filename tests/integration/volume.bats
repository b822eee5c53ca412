#!/usr/bin/env bats
# Volumes: named and anonymous (-v, --mount), tmpfs, --volumes-from, the
# copy of the image's files on first use, homo volume, and the mount
# targets refused (duplicates, the kernel's filesystems).

bats_require_minimum_version 1.5.0
load helpers

@test "a named volume outlives its containers and gets the image's files once" {
	make_image vimg 'mkdir -p data/sub && echo from-image > data/sub/f && chmod 0750 data && chown 7:8 data/sub/f'
	run homo run --rm -v vol1:/data vimg sh -c 'cat /data/sub/f; stat -c "%a %u:%g" /data /data/sub/f; echo mine > /data/m'
	assert_status 0
	assert_output_has from-image
	assert_output_has "750 0:0"
	assert_output_has "644 7:8"
	[ "$(cat "$HOMO_ROOT/volumes/vol1/_data/m")" = mine ]
	# a second container sees what the first wrote
	run homo run --rm -v vol1:/other vimg cat /other/m
	assert_output_has mine
	# emptied, it stays empty: the copy is for the first use only
	rm -rf "$HOMO_ROOT"/volumes/vol1/_data/*
	run homo run --rm -v vol1:/data vimg ls -A /data
	assert_status 0
	[ -z "$output" ]
	run homo volume ls -q
	[ "$output" = vol1 ]
}

@test "homo volume create, ls, inspect, rm, prune" {
	pull_busybox
	run homo volume create --label team=a v2
	[ "$output" = v2 ]
	run homo volume create v2 # exists: fine, as Docker
	assert_status 0
	run homo volume inspect v2
	assert_status 0
	assert_output_has '"Name": "v2"'
	assert_output_has '"team": "a"'
	assert_output_has "\"Mountpoint\": \"$HOMO_ROOT/volumes/v2/_data\""
	run homo volume ls
	assert_output_has "DRIVER"
	assert_output_has "local     v2"
	run homo volume rm v2
	[ "$output" = v2 ]
	[ ! -e "$HOMO_ROOT/volumes/v2" ]
	# prune: anonymous volumes no container uses, -a all unused
	homo volume create keep >/dev/null
	homo run --rm -v named:/n busybox true
	homo run --name c -v /anon busybox true
	homo rm c
	[ "$(homo volume ls -q | wc -l)" -eq 3 ]
	run homo volume prune -f
	assert_status 0
	assert_output_has "Deleted Volumes:"
	[ "$(homo volume ls -q | sort | tr '\n' ' ')" = "keep named " ]
	run sh -c "echo n | $HOMO volume prune"
	[ "$(homo volume ls -q | wc -l)" -eq 2 ]
	run homo volume prune -a -f
	[ -z "$(homo volume ls -q)" ]
	run homo system check
	assert_status 0
}

@test "a volume in use by any container cannot be removed; rm keeps named ones" {
	pull_busybox
	homo run --name c1 -v used:/u busybox true
	run --separate-stderr homo volume rm used
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"in use"* ]]
	[ -d "$HOMO_ROOT/volumes/used/_data" ]
	homo rm c1
	[ -d "$HOMO_ROOT/volumes/used/_data" ]
	run homo volume rm used
	assert_status 0
	run --separate-stderr homo volume rm used
	assert_status 125
	assert_one_error_line
	run homo volume rm -f used
	assert_status 0
}

@test "anonymous volumes: removed by rm -v and with a --rm container" {
	pull_busybox
	homo run --rm -v /a1 busybox sh -c 'echo x > /a1/f'
	[ -z "$(homo volume ls -q)" ]
	homo run --name c -v /a2 -v keep:/k busybox sh -c 'echo x > /a2/f'
	[ "$(homo volume ls -q | wc -l)" -eq 2 ]
	homo rm c
	[ "$(homo volume ls -q | wc -l)" -eq 2 ]
	homo run --name d -v /a3 busybox true
	homo rm -v d
	[ "$(homo volume ls -q | wc -l)" -eq 2 ]
	# --rm takes the anonymous one, never the named one
	homo volume prune -f >/dev/null
	[ "$(homo volume ls -q)" = keep ]
}

@test "--mount, --tmpfs and --volumes-from" {
	pull_busybox
	mkdir "$T/h"
	echo host >"$T/h/f"
	run homo run --rm --mount "type=bind,source=$T/h,target=/b,readonly" \
		--mount type=volume,src=mv,dst=/v --mount type=tmpfs,target=/t,tmpfs-size=1m \
		--tmpfs /t2:size=2m,mode=700 busybox sh -c \
		'cat /b/f; touch /b/x || echo ro-ok; grep -E " /t | /t2 " /proc/mounts; stat -c %a /t2; echo v > /v/f'
	assert_status 0
	assert_output_has host
	assert_output_has ro-ok
	assert_output_has "tmpfs /t tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k"
	assert_output_has "size=2048k,mode=700"
	[ "$(cat "$HOMO_ROOT/volumes/mv/_data/f")" = v ]
	[ ! -e "$T/h/x" ]
	# a bind --mount's source must exist (unlike -v's)
	run --separate-stderr homo run --rm --mount "type=bind,src=$T/none,dst=/x" busybox true
	assert_status 125
	assert_one_error_line
	homo run --name src -v shared:/s -v "$T/h:/hh" busybox sh -c 'echo s > /s/f'
	run homo run --rm --volumes-from src busybox sh -c 'cat /s/f /hh/f'
	assert_output_has s
	assert_output_has host
	run homo run --rm --volumes-from src:ro busybox sh -c 'touch /s/new'
	[ "$status" -ne 0 ]
	run --separate-stderr homo run --rm --volumes-from nosuch busybox true
	assert_status 125
	assert_one_error_line
	homo rm src
}

@test "bad mounts: one line, 125, nothing left behind" {
	pull_busybox
	before=$(store_snapshot)
	for args in "-v $T:/x -v $T:/x/" "-v $T:/proc" "-v $T:/dev/x" "-v $T:/sys" \
		"-v /x -v /x" "-v aa:/x -v /x/" "-v $T:/d --tmpfs /d" \
		"-v /proc" "-v $T:/proc/sys" "-v v:/dev" "-v /sys/x" "--tmpfs /dev/shm" \
		"--mount type=volume,target=/dev" "-v -bad:/x" "-v a:/x" "-v aa:rel" "-v aa:/x:bogus" \
		"--tmpfs /t:size=huge" "--tmpfs /t:uid=1,evil=1" "--mount type=nfs,target=/x" \
		"--mount target=/x,bogus=1" "--mount type=tmpfs,src=a,target=/x" \
		"-v aa:/x/../y" "--volumes-from c:rx"; do
		run --separate-stderr homo run --rm $args busybox true
		assert_status 125
		assert_one_error_line
	done
	run --separate-stderr homo run --rm -v "$T:/x" -v /x busybox true
	[[ "$stderr" == *"duplicate mount point: /x"* ]]
	run --separate-stderr homo run --rm -v "$T:/proc" busybox true
	[[ "$stderr" == *"/proc"* ]]
	[ "$before" = "$(store_snapshot)" ]
	for args in "create bad/name" "create -x" "rm" "inspect" "frob" "ls extra"; do
		run --separate-stderr homo volume $args
		assert_status 125
		assert_one_error_line
	done
}

@test "a volume is mounted inside the rootfs even under an image symlink" {
	make_image vlink 'ln -s /tmp data'
	homo run --rm -v sv:/data/x vlink sh -c 'echo in > /data/x/f'
	[ "$(cat "$HOMO_ROOT/volumes/sv/_data/f")" = in ]
	# the copy of the image's files follows the link inside the rootfs only
	make_image vhost "rm -rf etc2; ln -s /etc etc2"
	homo run --rm -v cv:/etc2 vhost true
	[ -e "$HOMO_ROOT/volumes/cv/_data/passwd" ]
	! grep -q "^root:x:0:0:root:/root:/bin/bash" "$HOMO_ROOT/volumes/cv/_data/passwd"
}

@test "system check knows volumes: debris, a broken record, a missing volume" {
	pull_busybox
	homo volume create ok >/dev/null
	homo volume create bad >/dev/null
	homo run --name c -v gone:/g busybox true
	mkdir "$HOMO_ROOT/volumes/.tmp-999999999-deadbeef"
	echo '{' >"$HOMO_ROOT/volumes/bad/volume.json"
	rm -rf "$HOMO_ROOT/volumes/gone"
	run homo system check
	[ "$status" -ne 0 ]
	assert_output_has ".tmp-999999999-deadbeef"
	assert_output_has "volume bad"
	assert_output_has "volume gone is missing"
	assert_output_lacks "volume ok"
	run homo system check --repair
	run homo system check
	assert_status 0
	[ -d "$HOMO_ROOT/volumes/gone/_data" ]
	homo rm c
}
