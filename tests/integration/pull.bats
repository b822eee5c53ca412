#!/usr/bin/env bats
# homo pull and the image commands: images, tag, rmi, inspect.
bats_require_minimum_version 1.5.0
load helpers

layer_count() { find "$HOMO_ROOT/layers" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l; }

@test "pull from a path prints the image id and lists it" {
	run homo pull -q "$BUSYBOX_TAR" busybox
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=${output#sha256:}
	run homo images
	assert_status 0
	assert_output_has "busybox"
	assert_output_has "${id:0:12}"
	assert_output_has "latest"
}

@test "pull from file:// and from stdin give the same layer" {
	run homo pull -q "file://$BUSYBOX_TAR" a
	assert_status 0
	run homo pull -q - b:v1 <"$BUSYBOX_TAR"
	assert_status 0
	[ "$(layer_count)" -eq 1 ]
	run homo images --format json
	assert_output_has '"Repository":"a"'
	assert_output_has '"Tag":"v1"'
}

@test "the layer id is the sha256 of the uncompressed tar, whatever the compression" {
	want=$(sha256sum <"$BUSYBOX_TAR" | cut -d' ' -f1)
	gzip -c "$BUSYBOX_TAR" >"$T/bb.tar.gz"
	xz -T1 -0 -c "$BUSYBOX_TAR" >"$T/bb.tar.xz"
	zstd -q -c "$BUSYBOX_TAR" >"$T/bb.tar.zst"
	bzip2 -c "$BUSYBOX_TAR" >"$T/bb.tar.bz2"
	for f in "$T"/bb.tar.*; do
		run homo pull -q "$f" "x:${f##*.}"
		assert_status 0
	done
	[ "$(layer_count)" -eq 1 ]
	[ -d "$HOMO_ROOT/layers/$want/diff/bin" ]
	run homo inspect x:gz
	assert_output_has "sha256:$want"
}

@test "the default name comes from the file name" {
	cp "$BUSYBOX_TAR" "$T/lede-17.01.2-x86-generic-generic-rootfs.tar"
	gzip "$T/lede-17.01.2-x86-generic-generic-rootfs.tar"
	run homo pull -q "$T/lede-17.01.2-x86-generic-generic-rootfs.tar.gz"
	assert_status 0
	run homo images
	assert_output_has "lede-17.01.2-x86-generic-generic-rootfs"
}

@test "pull over http from a loopback server, with 404 and redirect" {
	mkdir -p "$T/www/cgi-bin"
	cp "$BUSYBOX_TAR" "$T/www/bb.tar"
	printf '#!/bin/sh\nprintf "Status: 302 Found\\r\\nLocation: /bb.tar\\r\\n\\r\\n"\n' >"$T/www/cgi-bin/redir"
	chmod +x "$T/www/cgi-bin/redir"
	# (busybox nc has no -z: a wait on it always took 5 s)
	serve busybox httpd -f -p 127.0.0.1:PORT -h "$T/www"
	port=$PORT
	run homo pull -q "http://127.0.0.1:$port/bb.tar" web
	assert_status 0
	[ -n "$(ls "$HOMO_ROOT/blobs/sha256")" ]
	run --separate-stderr homo pull -q "http://127.0.0.1:$port/missing.tar" nope
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"HTTP 404"* ]]
	run homo pull -q "http://127.0.0.1:$port/cgi-bin/redir" moved
	assert_status 0
	run homo images
	assert_output_has moved
	assert_output_lacks nope
}

# A throwaway CA in $T/ca and a certificate it signs for $1 (a subjectAltName
# such as IP:127.0.0.1) in $T/ca/$2.pem and $2.key.
make_cert() {
	local d=$T/ca
	if [ ! -e "$d/ca.pem" ]; then
		mkdir -p "$d"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
			-subj /CN=homo-test-ca -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	fi
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
		-keyout "$d/$2.key" -out "$d/$2.csr" 2>/dev/null
	printf 'subjectAltName=%s\n' "$1" >"$d/$2.ext"
	openssl x509 -req -days 1 -in "$d/$2.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -extfile "$d/$2.ext" -out "$d/$2.pem" 2>/dev/null
}

# Run "$@" in the background with PORT in its arguments replaced by a free
# loopback port, which is left in $PORT once the command listens there (a
# port someone else holds makes it exit: another is tried).
serve() {
	local a args i
	for _ in $(seq 20); do
		PORT=$(free_port)
		args=()
		for a in "$@"; do args+=("${a//PORT/$PORT}"); done
		bg "${args[@]}" </dev/null >/dev/null 2>&1
		for i in $(seq 200); do
			ss -Hltnp "sport = :$PORT" | grep -q "pid=${BG_PIDS[-1]}," && return 0
			kill -0 "${BG_PIDS[-1]}" 2>/dev/null || break
			sleep 0.05
		done
	done
	echo "no server for $*" >&2
	return 1
}

# A loopback TLS server (openssl s_server -HTTP: each file in $1 is a whole
# response) with certificate $2, in $PORT.
start_tls() {
	serve sh -c 'cd "$1" && exec openssl s_server -HTTP -accept "127.0.0.1:$2" -cert "$3.pem" -key "$3.key"' \
		sh "$1" PORT "$T/ca/$2"
}

@test "pull over https: an untrusted CA, a wrong host name and a 404 fail; a trusted private CA works, also after a redirect from http" {
	# the CA comes from the test, never from the environment
	unset CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
	make_cert IP:127.0.0.1 good
	make_cert DNS:other.invalid wrong
	mkdir "$T/tls"
	{ printf 'HTTP/1.0 200 OK\r\nContent-Type: application/x-tar\r\n\r\n'; cat "$BUSYBOX_TAR"; } >"$T/tls/bb.tar"
	printf 'HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnone\n' >"$T/tls/missing.tar"
	pull_busybox
	start_tls "$T/tls" good
	good=$PORT
	start_tls "$T/tls" wrong
	wrong=$PORT
	before=$(store_snapshot)

	# not trusted: one line, 125, nothing stored
	run --separate-stderr homo pull -q "https://127.0.0.1:$good/bb.tar" tls
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"https://127.0.0.1:$good/bb.tar: SSL certificate problem"* ]]
	[ "$(store_snapshot)" = "$before" ]

	# trusted through the environment, as the curl command takes it
	export CURL_CA_BUNDLE=$T/ca/ca.pem
	# a certificate for another name
	run --separate-stderr homo pull -q "https://127.0.0.1:$wrong/bb.tar" tls
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"no alternative certificate subject name matches"* ]]
	[ "$(store_snapshot)" = "$before" ]
	run --separate-stderr homo pull -q "https://127.0.0.1:$good/missing.tar" tls
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"missing.tar: HTTP 404 Not Found" ]]
	[ "$(store_snapshot)" = "$before" ]
	# a bundle that is not there is an error, not a fall back to no check
	run --separate-stderr env CURL_CA_BUNDLE="$T/nosuch.pem" "$HOMO" pull -q "https://127.0.0.1:$good/bb.tar" tls
	assert_status 125
	assert_one_error_line
	[ "$(store_snapshot)" = "$before" ]
	run homo pull -q "https://127.0.0.1:$good/bb.tar" tls
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	unset CURL_CA_BUNDLE
	run env SSL_CERT_FILE="$T/ca/ca.pem" "$HOMO" pull -q "https://127.0.0.1:$good/bb.tar" tls2
	assert_status 0
	mkdir "$T/certs"
	cp "$T/ca/ca.pem" "$T/certs/$(openssl x509 -hash -noout -in "$T/ca/ca.pem").0"
	run env SSL_CERT_DIR="$T/certs" "$HOMO" pull -q "https://127.0.0.1:$good/bb.tar" tls3
	assert_status 0

	# trusted through the system store (what update-ca-certificates
	# writes), in a mount namespace of the test's own
	run unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && exec "$2" pull -q "$3" tls4' \
		sh "$T/ca/ca.pem" "$HOMO" "https://127.0.0.1:$good/bb.tar"
	assert_status 0

	# a plain http server redirecting to the https one
	mkdir -p "$T/www/cgi-bin"
	printf '#!/bin/sh\nprintf "Status: 302 Found\\r\\nLocation: https://127.0.0.1:%s/bb.tar\\r\\n\\r\\n"\n' "$good" >"$T/www/cgi-bin/redir"
	chmod +x "$T/www/cgi-bin/redir"
	serve busybox httpd -f -p 127.0.0.1:PORT -h "$T/www"
	port=$PORT
	run --separate-stderr homo pull -q "http://127.0.0.1:$port/cgi-bin/redir" moved
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"SSL certificate problem"* ]]
	run env CURL_CA_BUNDLE="$T/ca/ca.pem" "$HOMO" pull -q "http://127.0.0.1:$port/cgi-bin/redir" moved
	assert_status 0
	run homo images
	for n in tls tls2 tls3 tls4 moved; do assert_output_has "$n "; done
	[ "$(layer_count)" -eq 1 ]
}

@test "--sha256 verifies the file and refuses a mismatch" {
	sum=$(sha256sum <"$BUSYBOX_TAR" | cut -d' ' -f1)
	run homo pull -q --sha256 "$sum" "$BUSYBOX_TAR" ok
	assert_status 0
	before=$(store_snapshot)
	run --separate-stderr homo pull -q --sha256 "$(printf '0%.0s' $(seq 64))" "$BUSYBOX_TAR" bad
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"sha256 mismatch"* ]]
	[ "$(store_snapshot)" = "$before" ]
}

@test "bad inputs: one error line, non-zero exit, store unchanged" {
	pull_busybox
	before=$(store_snapshot)
	head -c 100000 /dev/urandom >"$T/noise.tar"
	head -c 300000 "$BUSYBOX_TAR" >"$T/truncated.tar"
	gzip -c "$BUSYBOX_TAR" | head -c 200000 >"$T/truncated.tar.gz"
	: >"$T/empty.tar"
	for src in "$T/missing.tar" "$T/noise.tar" "$T/truncated.tar" \
		"$T/truncated.tar.gz" "$T/empty.tar" "http://127.0.0.1:1/x.tar"; do
		run --separate-stderr homo pull -q "$src" junk
		[ "$status" -ne 0 ] || { echo "pull $src succeeded" >&2; return 1; }
		assert_one_error_line
		[ "$(store_snapshot)" = "$before" ] || { echo "store changed by $src" >&2; return 1; }
	done
	run --separate-stderr homo pull -q "$BUSYBOX_TAR" 'Bad/NAME!'
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"invalid reference"* ]]
	run --separate-stderr homo rmi nosuchimage
	assert_status 125
	assert_one_error_line
	# nan was a size: (int64_t)NaN, i.e. no limit at all
	for max in nan inf 1e9 -1 9223372036854775808 1m.; do
		run --separate-stderr homo pull -q --max-size "$max" "$BUSYBOX_TAR" junk
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"--max-size \"$max\""* ]]
		run --separate-stderr env HOMO_PULL_MAX_SIZE="$max" "$HOMO" pull -q "$BUSYBOX_TAR" junk
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *"HOMO_PULL_MAX_SIZE \"$max\""* ]]
	done
	[ "$(store_snapshot)" = "$before" ]
}

@test "a full disk fails the pull cleanly" {
	mkdir "$T/small"
	mount -t tmpfs -o size=600k tmpfs "$T/small"
	run --separate-stderr "$HOMO" --root "$T/small/root" pull -q "$BUSYBOX_TAR" bb
	[ "$status" -ne 0 ]
	assert_one_error_line
	[[ "$stderr" == *"No space left"* ]]
	[ -z "$(ls -A "$T/small/root/layers")" ]
	[ -z "$(ls -A "$T/small/root/images")" ]
	umount "$T/small"
}

@test "concurrent pulls of the same and of different tarballs all succeed" {
	gzip -c "$BUSYBOX_TAR" >"$T/bb.tar.gz"
	for i in 1 2 3 4; do
		"$HOMO" pull -q "$BUSYBOX_TAR" "same$i" >"$T/out$i" 2>&1 &
		pids+=($!)
	done
	"$HOMO" pull -q "$T/bb.tar.gz" gz >"$T/out5" 2>&1 &
	pids+=($!)
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(layer_count)" -eq 1 ]
	run homo images -q
	[ "$(wc -l <<<"$output")" -eq 5 ]
}

@test "SIGKILL mid-pull leaves no layer or image, and the debris is cleaned" {
	mkfifo "$T/fifo"
	"$HOMO" pull -q - killed <"$T/fifo" &
	pid=$!
	exec 7>"$T/fifo"
	head -c 400000 "$BUSYBOX_TAR" >&7
	sleep 0.3
	kill -9 "$pid"
	wait "$pid" || true
	exec 7>&-
	run homo images -q
	assert_status 0
	[ -z "$output" ]
	[ "$(layer_count)" -eq 0 ]
	pull_busybox # a store mutation: cleans what the killed pull left
	[ -z "$(find "$HOMO_ROOT" -name '.tmp-*')" ]
}

@test "tag, rmi and inspect" {
	pull_busybox
	run homo tag busybox mine:v2
	assert_status 0
	run homo images
	assert_output_has mine
	run homo inspect mine:v2
	assert_status 0
	assert_output_has '"Layers"'
	assert_output_has '"Cmd"'
	assert_output_has '"/bin/sh"'
	id=$(homo images -q | head -1)
	run --separate-stderr homo rmi "$id"
	assert_status 125
	[[ "$stderr" == *"referenced by 2 names"* ]]
	run homo rmi busybox
	assert_status 0
	assert_output_has "Untagged: busybox:latest"
	[ "$(layer_count)" -eq 1 ]
	run homo rmi mine:v2
	assert_status 0
	[ "$(layer_count)" -eq 0 ]
	[ -z "$(ls "$HOMO_ROOT/l")" ]
}

@test "help for every command" {
	for c in pull images tag rmi inspect run ps rm; do
		run homo "$c" --help
		assert_status 0
		assert_output_has "Usage: homo $c"
	done
	run homo --help
	assert_status 0
	run --separate-stderr homo frobnicate
	assert_status 125
	assert_one_error_line
}

# A tarball from "KIND NAME [TARGET]" lines: f (file), d (dir), s (symlink),
# h (hard link), written as given (python's tarfile keeps "../" and "/").
hostile_tar() {
	python3 -c 'import sys, tarfile, io
out = tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT)
for line in sys.stdin.read().splitlines():
    kind, name, *to = line.split()
    i = tarfile.TarInfo(name)
    i.type = {"f": tarfile.REGTYPE, "d": tarfile.DIRTYPE,
              "s": tarfile.SYMTYPE, "h": tarfile.LNKTYPE}[kind]
    i.mode = 0o755 if kind == "d" else 0o644
    data = b"pwned\n" if kind == "f" else b""
    i.size = len(data)
    if to:
        i.linkname = to[0]
    out.addfile(i, io.BytesIO(data))
out.close()' "$1"
}

@test "hostile tar entries (../, absolute, symlink then a file through it, hard link outside) never land outside the layer" {
	pull_busybox
	tag=homo-escape-$$-$RANDOM
	before=$(store_snapshot)
	nlink=$(stat -c %h /etc/passwd)
	up=../../../../../../../../../..
	# refused outright: one error line, the store as it was
	for spec in "f ../$tag" "f a/../../$tag" "f $up/tmp/$tag" \
		"s link /tmp|f link/$tag" "s link $up/tmp|f link/$tag" \
		"d a|s a/b ../..|f a/b/$tag" "s l /etc|h l/$tag l/passwd" \
		"h $tag $up/etc/passwd" "h $tag /etc/passwd" "s l /etc|h $tag l/passwd" \
		"f a/.wh..." "s l /tmp|f l/.wh.$tag"; do
		tr '|' '\n' <<<"$spec" | hostile_tar "$T/evil.tar"
		run --separate-stderr homo pull -q "$T/evil.tar" evil
		[ "$status" -eq 125 ] || { echo "pulled: $spec" >&2; return 1; }
		assert_one_error_line
		[ "$(store_snapshot)" = "$before" ] || { echo "store changed: $spec" >&2; return 1; }
	done
	# an absolute name is made relative (as GNU tar does): inside the layer
	printf 'f /etc/%s\nf /tmp/%s\n' "$tag" "$tag" | hostile_tar "$T/abs.tar"
	run homo pull -q "$T/abs.tar" abs
	assert_status 0
	[ -f "$(ls -d "$HOMO_ROOT"/layers/*/diff/etc/"$tag")" ]
	# nothing anywhere outside the layers, no hard link to a host file
	[ ! -e "/etc/$tag" ]
	[ ! -e "/tmp/$tag" ]
	[ ! -e "/$tag" ]
	[ -z "$(find "$T" -name "$tag*" ! -path "$HOMO_ROOT/layers/*/diff/*")" ]
	[ "$(stat -c %h /etc/passwd)" = "$nlink" ]
}

@test "a directory's run of files costs one path check, not one a file; a symlink met in the run is replaced, not followed" {
	command -v strace >/dev/null || skip "strace is not installed (scripts/install-deps.sh)"
	out=$T/outside-$RANDOM
	mkdir "$out"
	{
		echo "d one"
		for i in $(seq 40); do echo "f one/f$i"; done
		echo "d two"
		for i in $(seq 20); do echo "f two/g$i"; done
		echo "s two/l $out"
		echo "f two/g21"
		echo "f two/l"
	} | hostile_tar "$T/run.tar"
	run env "ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq \
		-o "$T/trace" -e trace=openat2 "$HOMO" pull -q "$T/run.tar" runs
	assert_status 0
	# one, one/f1, two, two/g1, two/l, two/g21: one check each (the old
	# build made 65, one an entry)
	n=$(grep -c 'openat2([0-9]*, "\(\./\)\?\(one\|two\)' "$T/trace")
	[ "$n" -eq 6 ] || { grep openat2 "$T/trace" | head >&2; echo "$n checks" >&2; return 1; }
	l=$(ls -d "$HOMO_ROOT"/layers/*/diff/two/l)
	[ -f "$l" ]
	[ ! -L "$l" ]
	[ "$(cat "$l")" = pwned ]
	[ -z "$(ls -A "$out")" ]
	rmdir "$out"
}
