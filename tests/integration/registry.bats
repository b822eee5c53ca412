#!/usr/bin/env bats
# homo pull from an OCI distribution registry: Debian's docker-registry on
# 127.0.0.1 (registry_fixture.bash), filled once per file by skopeo, umoci
# and tests/registry/regtool.py. Nothing goes beyond loopback.

bats_require_minimum_version 1.5.0

load helpers
load registry_fixture

setup_file() {
	export RF
	RF=$(mktemp -d "${HOMO_TEST_DIR:-/dev/shm}/homo-reg.XXXXXX")
	start_registry open open
	start_registry tok token
	HOMO_ROOT=$RF/fill HOMO_RUNROOT=$RF/fill-run fill_registry "$REG_open"
	rm -rf "$RF/fill" "$RF/fill-run"
}

teardown_file() {
	stop_registries
}

# blob GETs the registry $1 served so far (its access log)
blob_gets() {
	grep -c '"GET /v2/[^ ]*/blobs/sha256:' "$RF/$1/log" || true
}

image_field() {
	homo inspect "$1" | jq -r ".[0].$2 // .$2"
}

@test "pull by tag: one layer, named by its reference, runs" {
	run --separate-stderr homo pull -q "$REG_open/test/busybox:1"
	assert_status 0
	[[ "$output" == sha256:* ]]
	run homo images
	assert_output_has "$REG_open/test/busybox"
	run homo run --rm --net none "$REG_open/test/busybox:1" /bin/echo ok
	assert_status 0
	[ "$output" = ok ]
	[ "$(image_field "$REG_open/test/busybox:1" Source)" != "" ]
}

@test "pull: several layers, whiteouts and opaque dirs applied, config kept" {
	run homo pull -q "$REG_open/test/multi:3"
	assert_status 0
	run homo run --rm --net none "$REG_open/test/multi:3" /bin/sh -c \
		'ls /opq; test -e /gone && echo gone-is-there; cat /two /three'
	assert_status 0
	[ "$output" = "$(printf 'new\ntwo\nthree')" ]
	run homo run --rm --net none "$REG_open/test/multi:3"
	[ "$output" = hello ]
	[ "$(image_field "$REG_open/test/multi:3" Config.workdir)" = /opq ]
	[ "$(image_field "$REG_open/test/multi:3" Config.user)" = 0:0 ]
	image_field "$REG_open/test/multi:3" Config.env | grep -q A=1
}

@test "pull: an OCI index and a Docker list give linux/amd64, --platform another" {
	run homo pull -q "$REG_open/test/index:1"
	assert_status 0
	run homo run --rm --net none "$REG_open/test/index:1" /bin/sh -c 'echo $ARCH; test -e /arm || echo no-arm'
	[ "$output" = "$(printf 'amd64\nno-arm')" ]
	run homo pull -q "$REG_open/test/dlist:1"
	assert_status 0
	run homo run --rm --net none "$REG_open/test/dlist:1" /bin/sh -c 'echo $ARCH'
	[ "$output" = amd64 ]
	run homo pull -q --platform linux/arm64 "$REG_open/test/index:1"
	assert_status 0
	run homo run --rm --net none "$REG_open/test/index:1" /bin/cat /arm
	[ "$output" = arm ]
}

@test "pull: zstd and uncompressed layers, the same layer as gzip" {
	run homo pull -q "$REG_open/test/zstd:1"
	assert_status 0
	z=$output
	run homo pull -q "$REG_open/test/plain:1"
	assert_status 0
	[ "$output" = "$z" ]
	run homo run --rm --net none "$REG_open/test/zstd:1" /bin/echo zstd
	[ "$output" = zstd ]
}

@test "pull by digest: the manifest is checked against it" {
	d=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG_open/test/multi:3")
	run --separate-stderr homo pull -q "$REG_open/test/multi@$d"
	assert_status 0
	run homo images
	assert_output_has "sha256-${d:7:12}"
	run --separate-stderr homo pull -q "$REG_open/test/busybox@$d"
	assert_status 125
}

@test "pull: a layer already in the store is not downloaded again" {
	homo pull -q "$REG_open/test/zstd:1" >/dev/null
	before=$(blob_gets open)
	# the same diff id behind another blob (gzip, the amd64 of the index)
	run homo pull -q "$REG_open/test/index:1"
	assert_status 0
	after=$(blob_gets open)
	# only the config was fetched
	[ $((after - before)) -eq 1 ]
}

@test "pull: an unknown repository or tag: the registry's message, 125, store unchanged" {
	run --separate-stderr homo pull -q "$REG_open/test/nope:1"
	assert_status 125
	[ "$stderr" = "homo: $REG_open/test/nope:1: manifest unknown (HTTP 404)" ]
	run --separate-stderr homo pull -q "$REG_open/test/busybox:nope"
	assert_status 125
	[[ "$stderr" == *"manifest unknown"* ]]
	[ -z "$(ls "$HOMO_ROOT/layers" 2>/dev/null)" ]
}

@test "pull: an index without our platform" {
	run --separate-stderr homo pull -q "$REG_open/test/armonly:1"
	assert_status 125
	[ "$stderr" = "homo: $REG_open/test/armonly:1: no image for linux/amd64 in the index" ]
	[ -z "$(ls "$HOMO_ROOT/layers" 2>/dev/null)" ]
}

@test "pull: a bad reference or option is a usage error" {
	run --separate-stderr homo pull -q "$REG_open/Test/x:1"
	assert_status 125
	[[ "$stderr" == "homo: invalid reference"* ]]
	run --separate-stderr homo pull -q --platform amd64 "$REG_open/test/x:1"
	assert_status 125
	run --separate-stderr homo pull -q "$REG_open/test/busybox:1" other
	assert_status 125
}

@test "pull: anonymous bearer token flow" {
	HOMO_ROOT=$T/fill "$HOMO" pull -q "$BUSYBOX_TAR" busybox >/dev/null
	HOMO_ROOT=$T/fill "$HOMO" save busybox -o "$T/bb.tar"
	rm -rf "$T/fill"
	# skopeo gets its token from the same server
	sk_copy "oci-archive:$T/bb.tar" "docker://$REG_tok/tok/busybox:1"
	run curl -s -o /dev/null -w '%{http_code}' "http://$REG_tok/v2/tok/busybox/manifests/1"
	[ "$output" = 401 ]
	run --separate-stderr homo pull -q "$REG_tok/tok/busybox:1"
	assert_status 0
	run homo run --rm --net none "$REG_tok/tok/busybox:1" /bin/echo ok
	[ "$output" = ok ]
}
