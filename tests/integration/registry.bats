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
	start_registry basic basic
	start_registry tls tls
	HOMO_ROOT=$RF/fill HOMO_RUNROOT=$RF/fill-run fill_registry "$REG_open"
	sk_copy --src-tls-verify=false --dest-creds tester:s3cret \
		"docker://$REG_open/test/busybox:1" "docker://$REG_basic/auth/busybox:1"
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

@test "pull: several layers, whiteouts applied, config kept" {
	run homo pull -q "$REG_open/test/multi:3"
	assert_status 0
	run homo run --rm --net none --entrypoint /bin/sh "$REG_open/test/multi:3" \
		-c 'ls /opq; test -e /gone && echo gone-is-there; cat /two /three'
	assert_status 0
	[ "$output" = "$(printf 'new\ntwo\nthree')" ]
	# the entrypoint stays, the command is replaced (Docker's)
	run homo run --rm --net none "$REG_open/test/multi:3"
	[ "$output" = hello ]
	run homo run --rm --net none "$REG_open/test/multi:3" bye
	[ "$output" = bye ]
	[ "$(image_field "$REG_open/test/multi:3" Config.WorkingDir)" = /opq ]
	[ "$(image_field "$REG_open/test/multi:3" Config.User)" = 0:0 ]
	image_field "$REG_open/test/multi:3" Config.Env | grep -q A=1
	[ "$(image_field "$REG_open/test/multi:3" Config.Labels.k)" = v ]
	[ "$(image_field "$REG_open/test/multi:3" Config.StopSignal)" = SIGINT ]
	image_field "$REG_open/test/multi:3" Config.ExposedPorts | grep -q 80/tcp
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

@test "pull: a blob's 401 (a token that expired) is answered mid-pull: a new token, then the blob" {
	HOMO_ROOT=$T/fill "$HOMO" pull -q "$BUSYBOX_TAR" busybox >/dev/null
	HOMO_ROOT=$T/fill "$HOMO" save busybox -o "$T/bb.tar"
	rm -rf "$T/fill"
	sk_copy "oci-archive:$T/bb.tar" "docker://$REG_tok/tok/expire:1"
	# the first GET of each blob reaches the registry without our token
	python3 "$REGTOOL" serve-log "$T/log.port" "$REG_tok" "$T/log" noauth-blobs 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/log.port"
	proxy=127.0.0.1:$(cat "$T/log.port")
	run --separate-stderr homo pull -q "$proxy/tok/expire:1"
	assert_status 0
	# the config (on the main thread) and the layer (on the download
	# thread): each twice, refused, then with the new token
	[ "$(grep -c '/blobs/' "$T/log")" -eq 4 ]
	for b in $(grep '/blobs/' "$T/log" | cut -d' ' -f2 | sort -u); do
		[ "$(grep -F " $b " "$T/log" | cut -d' ' -f3 | tr '\n' ' ')" = "auth auth " ]
	done
	run homo run --rm --net none "$proxy/tok/expire:1" /bin/echo ok
	[ "$output" = ok ]
}

# run "$@" where reg.homo.test is 127.0.0.1: /etc/hosts bound over in a
# mount namespace of its own (the host's file untouched)
as_reg_homo_test() {
	echo "127.0.0.1 reg.homo.test" >"$T/hosts"
	unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
		sh "$T/hosts" "$@"
}

@test "pull over HTTPS from a registry by name: its CA from \$CURL_CA_BUNDLE; unknown, one line and 125; --tls-verify=false does without" {
	sk_copy --src-tls-verify=false "docker://$REG_open/test/busybox:1" \
		"docker://$REG_tls/tls/busybox:1"
	ref=reg.homo.test:${REG_tls##*:}/tls/busybox:1
	# the system's CAs do not know it
	run --separate-stderr as_reg_homo_test "$HOMO" pull -q "$ref"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == "homo: $ref: "*"certificate"* ]]
	[ -z "$(ls "$HOMO_ROOT/images" 2>/dev/null)" ]
	# a private CA, as the curl command takes it
	run --separate-stderr as_reg_homo_test env CURL_CA_BUNDLE="$RF/tls/cert.pem" "$HOMO" pull -q "$ref"
	assert_status 0
	id=$output
	homo rmi "$ref" >/dev/null
	# an insecure registry: HTTPS unverified (not plain HTTP, which this
	# one does not speak)
	run --separate-stderr as_reg_homo_test "$HOMO" pull -q --tls-verify=false "$ref"
	assert_status 0
	[ "$output" = "$id" ]
	run homo run --rm --net none "$ref" /bin/echo ok
	[ "$output" = ok ]
}

# the GETs of blob sha256:$2 in registry $1's access log: "STATUS BYTES"
blob_log() {
	grep "\"GET /v2/[^ ]*/blobs/sha256:$2 " "$RF/$1/log" | awk '{ print $9, $10 }'
}

@test "pull: killed mid-blob, the next pull fetches only the rest (range)" {
	run fault_homo registry-mid-blob pull -q "$REG_open/test/busybox:1"
	[ "$status" -eq 137 ]
	partial=$(ls "$HOMO_ROOT"/blobs/sha256/partial-*)
	hex=${partial##*partial-}
	have=$(stat -c %s "$partial")
	size=$(curl -sI "http://$REG_open/v2/test/busybox/blobs/sha256:$hex" | tr -d '\r' | awk 'tolower($1) == "content-length:" { print $2 }')
	[ "$have" -gt 0 ]
	[ "$have" -lt "$size" ]
	run homo pull -q "$REG_open/test/busybox:1"
	assert_status 0
	[ "$(blob_log open "$hex" | tail -1)" = "206 $((size - have))" ]
	[ ! -e "$partial" ]
	[ -f "$HOMO_ROOT/blobs/sha256/$hex" ]
	run homo run --rm --net none "$REG_open/test/busybox:1" /bin/echo ok
	[ "$output" = ok ]
}

@test "pull: layers download in parallel; killed after the first, the others are kept" {
	run fault_homo registry-after-layer pull -q "$REG_open/test/multi:3"
	[ "$status" -eq 137 ]
	# one layer checked, the two others already under way (or whole)
	[ "$(ls "$HOMO_ROOT"/blobs/sha256/ | grep -c '^partial-')" -eq 2 ]
	[ -z "$(ls "$HOMO_ROOT/layers" 2>/dev/null)" ]
	# what each holds is not fetched again: a whole one not at all, a
	# part of one by a range for the rest (they unpack at once, so which
	# layer ends first, and how much of the others is had, is timing)
	want=1 # the config
	declare -A have size
	for f in "$HOMO_ROOT"/blobs/sha256/partial-*; do
		hex=${f##*partial-}
		have[$hex]=$(stat -c %s "$f")
		size[$hex]=$(curl -sI "http://$REG_open/v2/test/multi/blobs/sha256:$hex" | tr -d '\r' | awk 'tolower($1) == "content-length:" { print $2 }')
		[ "${have[$hex]}" -lt "${size[$hex]}" ] && want=$((want + 1))
	done
	before=$(blob_gets open)
	run homo pull -q "$REG_open/test/multi:3"
	assert_status 0
	[ $(($(blob_gets open) - before)) -eq "$want" ]
	for hex in "${!have[@]}"; do
		[ "${have[$hex]}" -eq "${size[$hex]}" ] ||
			[ "${have[$hex]}" -eq 0 ] ||
			[ "$(blob_log open "$hex" | tail -1)" = "206 $((size[$hex] - have[$hex]))" ]
	done
	[ -z "$(ls "$HOMO_ROOT"/blobs/sha256/ | grep '^partial-')" ]
}

@test "pull: a blob that does not match its digest: 125, store unchanged" {
	# a copy of the busybox image whose layer blob is corrupted in storage
	sk_copy --src-tls-verify=false "docker://$REG_open/test/busybox:1" "docker://$REG_open/bad/busybox:1"
	hex=$(skopeo inspect --tls-verify=false "docker://$REG_open/bad/busybox:1" | jq -r '.Layers[0]' | cut -d: -f2)
	data=$RF/open/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
	cp "$data" "$T/orig"
	# the same length, one byte changed near the end (the gzip trailer)
	size=$(stat -c %s "$data")
	printf '\x00\x01' | dd of="$data" bs=1 seek=$((size - 6)) conv=notrunc 2>/dev/null
	run --separate-stderr homo pull -q "$REG_open/bad/busybox:1"
	cp "$T/orig" "$data"
	assert_status 125
	[[ "$stderr" == "homo: $REG_open/bad/busybox:1: layer sha256:${hex:0:12}"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[ -z "$(ls "$HOMO_ROOT/layers" 2>/dev/null)" ]
	[ -z "$(ls "$HOMO_ROOT/blobs/sha256" 2>/dev/null)" ]
	[ -z "$(ls "$HOMO_ROOT/images" 2>/dev/null)" ]
}

@test "pull: the registry closes the connection mid-blob: 125, the rest resumes later" {
	python3 "$REGTOOL" serve-cut "$T/cut.port" "$REG_open" 100000 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/cut.port"
	cut=127.0.0.1:$(cat "$T/cut.port")
	run --separate-stderr homo pull -q "$cut/test/busybox:1"
	assert_status 125
	[[ "$stderr" == "homo: $cut/test/busybox:1: layer sha256:"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[ -z "$(ls "$HOMO_ROOT/layers" 2>/dev/null)" ]
	[ -z "$(ls "$HOMO_ROOT/images" 2>/dev/null)" ]
	# what came is kept, by digest: the real registry serves the rest
	partial=$(ls "$HOMO_ROOT"/blobs/sha256/partial-*)
	[ "$(stat -c %s "$partial")" -eq 100000 ]
	run homo pull -q "$REG_open/test/busybox:1"
	assert_status 0
	[[ "$(blob_log open "${partial##*partial-}" | tail -1)" == "206 "* ]]
}

@test "login, basic auth, logout: Docker's config.json, mode 0600, other keys kept" {
	export DOCKER_CONFIG=$T/docker
	mkdir -m 0700 "$DOCKER_CONFIG"
	echo '{"auths": {"other.example": {"auth": "eDp5"}}, "HttpHeaders": {"X": "1"}}' >"$DOCKER_CONFIG/config.json"
	run --separate-stderr homo pull -q "$REG_basic/auth/busybox:1"
	assert_status 125
	[[ "$stderr" == "homo: $REG_basic/auth/busybox:1: "*"(HTTP 401)" ]]
	run --separate-stderr homo login -u tester --password-stdin "$REG_basic" <<<"wrong"
	assert_status 125
	[[ "$stderr" == "homo: login $REG_basic: "*"(HTTP 401)" ]]
	[ "$(jq -r ".auths[\"$REG_basic\"]" "$DOCKER_CONFIG/config.json")" = null ]
	run homo login -u tester --password-stdin "$REG_basic" <<<"s3cret"
	assert_status 0
	[ "$output" = "Login Succeeded" ]
	[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]
	[ "$(jq -r ".auths[\"$REG_basic\"].auth" "$DOCKER_CONFIG/config.json" | base64 -d)" = tester:s3cret ]
	[ "$(jq -r '.auths["other.example"].auth, .HttpHeaders.X' "$DOCKER_CONFIG/config.json")" = "$(printf 'eDp5\n1')" ]
	run homo pull -q "$REG_basic/auth/busybox:1"
	assert_status 0
	run homo logout "$REG_basic"
	assert_status 0
	[ "$output" = "Removing login credentials for $REG_basic" ]
	[ "$(jq -r ".auths[\"$REG_basic\"]" "$DOCKER_CONFIG/config.json")" = null ]
	[ "$(jq -r '.auths["other.example"].auth' "$DOCKER_CONFIG/config.json")" = eDp5 ]
	run homo rmi "$REG_basic/auth/busybox:1"
	run --separate-stderr homo pull -q "$REG_basic/auth/busybox:1"
	assert_status 125
	run homo logout "$REG_basic"
	[ "$output" = "Not logged in to $REG_basic" ]
	run --separate-stderr homo login -u tester "$REG_basic" </dev/null
	assert_status 125
}

@test "pull: a redirect to blob storage on another host is followed without our credentials" {
	export DOCKER_CONFIG=$T/docker
	python3 "$REGTOOL" serve-redirect "$T/redir.port" "$REG_basic" tester:s3cret "$T/blob-auth.log" 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/redir.port"
	front=127.0.0.1:$(cat "$T/redir.port")
	homo login -u tester --password-stdin "$front" <<<"s3cret" >/dev/null
	run --separate-stderr homo pull -q "$front/auth/busybox:1"
	assert_status 0
	# the config and the layer came from "localhost", never with our auth
	[ "$(sort -u "$T/blob-auth.log")" = none ]
	[ "$(wc -l <"$T/blob-auth.log")" -eq 2 ]
}

# blob uploads registry $1 took so far
blob_puts() {
	grep -c '"PUT /v2/[^ ]*/blobs/uploads/' "$RF/$1/log" || true
}

@test "push: skopeo reads it, a second push uploads nothing, a pull elsewhere gives the same id" {
	pull_busybox bb
	id=$(image_field bb Id)
	run --separate-stderr homo push -q bb "$REG_open/pushed/bb:1"
	assert_status 0
	digest=$output
	[ "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG_open/pushed/bb:1")" = "$digest" ]
	skopeo copy -q --src-tls-verify=false "docker://$REG_open/pushed/bb:1" "oci:$T/copy:x"
	[ -f "$T/copy/index.json" ]
	before=$(blob_puts open)
	run --separate-stderr homo push -q bb "$REG_open/pushed/bb:2"
	assert_status 0
	[ "$output" = "$digest" ]
	[ "$(blob_puts open)" -eq "$before" ]
	HOMO_ROOT=$T/second run homo pull -q "$REG_open/pushed/bb:1"
	assert_status 0
	[ "$output" = "$id" ]
	rm -rf "$T/second"
}

@test "push: a pulled multi-layer image to a bearer-token registry, pulled back the same" {
	homo pull -q "$REG_open/test/multi:3" >/dev/null
	id=$(image_field "$REG_open/test/multi:3" Id)
	run --separate-stderr homo push -q "$REG_open/test/multi:3" "$REG_tok/again/multi:3"
	assert_status 0
	[ "$(skopeo inspect --tls-verify=false "docker://$REG_tok/again/multi:3" | jq '.Layers | length')" -eq 3 ]
	HOMO_ROOT=$T/second run homo pull -q "$REG_tok/again/multi:3"
	assert_status 0
	[ "$output" = "$id" ]
	rm -rf "$T/second"
}

@test "push: bad input: unknown image, digest target, registry refusing" {
	run --separate-stderr homo push -q nosuch "$REG_open/x/y:1"
	assert_status 125
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	pull_busybox bb
	run --separate-stderr homo push -q bb "$REG_open/x/y@sha256:$(printf '%064d' 0)"
	assert_status 125
	run --separate-stderr homo push -q bb "$REG_basic/x/y:1"
	assert_status 125
	[[ "$stderr" == "homo: $REG_basic/x/y:1: "*"(HTTP 401)" ]]
}

store_is_empty() {
	[ -z "$(ls "$HOMO_ROOT/layers" 2>/dev/null)" ] &&
		[ -z "$(ls "$HOMO_ROOT/images" 2>/dev/null)" ]
}

@test "pull: a blob shorter than its descriptor says: 125, store unchanged" {
	sk_copy --src-tls-verify=false "docker://$REG_open/test/busybox:1" "docker://$REG_open/short/busybox:1"
	hex=$(skopeo inspect --tls-verify=false "docker://$REG_open/short/busybox:1" | jq -r '.Layers[0]' | cut -d: -f2)
	data=$RF/open/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
	cp "$data" "$T/orig"
	truncate -s 5000 "$data"
	run --separate-stderr homo pull -q "$REG_open/short/busybox:1"
	cp "$T/orig" "$data"
	assert_status 125
	[ "$stderr" = "homo: $REG_open/short/busybox:1: layer sha256:${hex:0:12}: truncated: 5000 of $(stat -c %s "$data") bytes" ]
	store_is_empty
}

@test "pull: a huge manifest is refused after 4 MiB" {
	python3 "$REGTOOL" serve-huge "$T/huge.port" $((64 << 20)) 3>&- &
	BG_PIDS+=($!)
	wait_port_file "$T/huge.port"
	huge=127.0.0.1:$(cat "$T/huge.port")
	run --separate-stderr homo pull -q "$huge/a/b:1"
	assert_status 125
	[ "$stderr" = "homo: $huge/a/b:1: larger than 4194304 bytes" ]
	store_is_empty
}

@test "pull: a layer over --max-size, a hostile layer: 125, store unchanged" {
	run --separate-stderr homo pull -q --max-size 100k "$REG_open/test/busybox:1"
	assert_status 125
	[[ "$stderr" == "homo: $REG_open/test/busybox:1: layer sha256:"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	store_is_empty
	# a layer with an entry climbing out of it
	mkdir -p "$T/evil"
	echo pwned >"$T/evil/x"
	tar -cf "$T/evil.tar" -C "$T/evil" --transform 's,^x$,../../../../tmp/homo-reg-evil,' x
	python3 "$REGTOOL" push "$REG_open" evil/img:1 layer="$T/evil.tar" arch=amd64 >/dev/null
	run --separate-stderr homo pull -q "$REG_open/evil/img:1"
	assert_status 125
	[[ "$stderr" == *'".."'* ]]
	[ ! -e /tmp/homo-reg-evil ]
	store_is_empty
}

@test "push: a pulled layer goes to another repository of its registry by a cross-repository mount" {
	homo pull -q "$REG_open/test/multi:3" >/dev/null
	before=$(blob_puts open)
	run --separate-stderr homo push -q "$REG_open/test/multi:3" "$REG_open/mounted/multi:3"
	assert_status 0
	# three layers mounted from test/multi; only the config uploaded
	[ "$(grep -c '"POST /v2/mounted/multi/blobs/uploads/?mount=sha256:[0-9a-f]*&from=test/multi ' "$RF/open/log")" -eq 3 ]
	[ $(($(blob_puts open) - before)) -eq 1 ]
	HOMO_ROOT=$T/second run homo pull -q "$REG_open/mounted/multi:3"
	[ "$output" = "$(image_field "$REG_open/test/multi:3" Id)" ]
	rm -rf "$T/second"
}

@test "pull: no progress when stderr is not a terminal, nor with -q on one" {
	# (a terminal's lines, one per layer: registry_progress.bats)
	run --separate-stderr homo pull "$REG_open/test/multi:3"
	assert_status 0
	[ -z "$stderr" ]
	homo rmi "$REG_open/test/multi:3" >/dev/null
	run script -qec "$HOMO pull -q $REG_open/test/multi:3" /dev/null
	assert_status 0
	[ "$(printf '%s' "$output" | tr -d '\r')" = "$(image_field "$REG_open/test/multi:3" Id)" ]
}
