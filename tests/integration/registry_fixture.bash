# Registries on 127.0.0.1 for registry.bats: Debian's docker-registry
# (distribution) with a temp config and storage, open, behind htpasswd, or
# behind a bearer token server (tests/registry/regtool.py); stopped by pid.
# Nothing here reaches beyond loopback.

REGTOOL=$BATS_TEST_DIRNAME/../registry/regtool.py

# a free loopback port (the kernel's pick, released at once)
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port_file() {
	local i
	for i in $(seq 200); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "$1 never appeared" >&2
	return 1
}

# start_registry NAME open|basic|token: sets REG_<NAME> to host:port and
# REG_PID_<NAME>; its storage and log are under $RF/NAME
start_registry() {
	local name=$1 mode=$2 dir=$RF/$1 port auth="" i
	mkdir -p "$dir/data"
	port=$(free_port)
	case $mode in
	basic)
		htpasswd -Bbc "$dir/htpasswd" tester s3cret 2>/dev/null
		auth="auth:
  htpasswd:
    realm: homo-test
    path: $dir/htpasswd"
		;;
	tls)
		# HTTPS, a certificate for a name that is not loopback's
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=reg.homo.test \
			-addext "subjectAltName=DNS:reg.homo.test" \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
		auth="  tls:
    certificate: $dir/cert.pem
    key: $dir/key.pem"
		;;
	token)
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=homo-test \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
		python3 "$REGTOOL" token "$dir/token.port" "$dir/cert.pem" "$dir/key.pem" \
			${TOKEN_CRED:+"$TOKEN_CRED"} 3>&- &
		echo $! >"$dir/token.pid"
		wait_port_file "$dir/token.port"
		auth="auth:
  token:
    realm: http://127.0.0.1:$(cat "$dir/token.port")/token
    service: homo-test
    issuer: homo-test-issuer
    rootcertbundle: $dir/cert.pem"
		;;
	esac
	cat >"$dir/config.yml" <<-EOF
		version: 0.1
		log:
		  level: info
		  accesslog:
		    disabled: false
		storage:
		  filesystem:
		    rootdirectory: $dir/data
		  delete:
		    enabled: true
		http:
		  addr: 127.0.0.1:$port
		$auth
	EOF
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 3>&- &
	echo $! >"$dir/pid"
	for i in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
		sleep 0.05
	done
	printf -v "REG_$name" '127.0.0.1:%s' "$port"
	export "REG_$name"
}

# the blob digest (hex) of layer $2 of image $1 (REGISTRY/NAME:TAG)
registry_layer_hex() {
	skopeo inspect --tls-verify=false "docker://$1" |
		jq -r ".Layers[$2]" | cut -d: -f2
}

stop_registries() {
	local p
	for p in "$RF"/*/pid "$RF"/*/token.pid "$RF"/*.pid; do
		[ -f "$p" ] || continue
		kill "$(cat "$p")" 2>/dev/null || true
		# wait by polling: it is not this shell's child in teardown_file
		for _ in $(seq 100); do
			kill -0 "$(cat "$p")" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$(cat "$p")" 2>/dev/null || true
	done
	rm -rf "$RF"
}

# skopeo to the loopback registry (plain http)
sk_copy() {
	skopeo copy -q --dest-tls-verify=false "$@" >/dev/null
}

# Fill registry "open" (and REG_basic's with one image): see registry.bats
fill_registry() {
	local r=$1 w=$RF/work
	mkdir -p "$w/rootfs"
	# single layer: the busybox test image, through homo's own save
	"$HOMO" pull -q "$BUSYBOX_TAR" busybox >/dev/null
	"$HOMO" save busybox -o "$w/busybox.oci.tar"
	sk_copy "oci-archive:$w/busybox.oci.tar" "docker://$r/test/busybox:1"
	# several layers with whiteouts and an opaque dir: umoci repack
	umoci init --layout "$w/layout" >/dev/null
	umoci new --image "$w/layout:base" >/dev/null
	umoci unpack --rootless --image "$w/layout:base" "$w/b" >/dev/null 2>&1
	tar -xf "$BUSYBOX_TAR" -C "$w/b/rootfs"
	mkdir -p "$w/b/rootfs/gone" "$w/b/rootfs/opq"
	echo x >"$w/b/rootfs/gone/f"
	echo old >"$w/b/rootfs/opq/old"
	umoci repack --image "$w/layout:l1" "$w/b" >/dev/null
	# each layer on the last: unpacked again from its tag
	rm -rf "$w/b"
	umoci unpack --rootless --image "$w/layout:l1" "$w/b" >/dev/null 2>&1
	rm -rf "$w/b/rootfs/gone" "$w/b/rootfs/opq"
	mkdir "$w/b/rootfs/opq"
	echo new >"$w/b/rootfs/opq/new"
	echo two >"$w/b/rootfs/two"
	umoci repack --image "$w/layout:l2" "$w/b" >/dev/null
	rm -rf "$w/b"
	umoci unpack --rootless --image "$w/layout:l2" "$w/b" >/dev/null 2>&1
	echo three >"$w/b/rootfs/three"
	umoci repack --image "$w/layout:l3" "$w/b" >/dev/null
	umoci config --image "$w/layout:l3" --config.entrypoint /bin/echo \
		--config.cmd hello --config.env A=1 --config.workingdir /opq \
		--config.user 0:0 --config.label k=v --config.exposedports 80/tcp \
		--config.stopsignal SIGINT >/dev/null
	sk_copy "oci:$w/layout:l3" "docker://$r/test/multi:3"
	rm -rf "$w/b"
	# raw pieces: an OCI index of two platforms, a Docker list, zstd
	tar -xf "$BUSYBOX_TAR" -C "$w/rootfs"
	tar -cf "$w/bb.tar" -C "$w/rootfs" .
	echo arm >"$w/arm"
	tar -cf "$w/arm.tar" -C "$w" arm
	python3 "$REGTOOL" push "$r" test/index:1 layer="$w/bb.tar" arch=amd64 \
		layer="$w/bb.tar" layer="$w/arm.tar" arch=arm64 list=oci >/dev/null
	python3 "$REGTOOL" push "$r" test/dlist:1 layer="$w/bb.tar" arch=amd64 \
		layer="$w/bb.tar" layer="$w/arm.tar" arch=arm64 list=docker >/dev/null
	python3 "$REGTOOL" push "$r" test/armonly:1 layer="$w/arm.tar" arch=arm64 \
		layer="$w/arm.tar" arch=s390x list=oci >/dev/null
	python3 "$REGTOOL" push "$r" test/zstd:1 layer="$w/bb.tar:zstd" arch=amd64 >/dev/null
	python3 "$REGTOOL" push "$r" test/plain:1 layer="$w/bb.tar:none" arch=amd64 >/dev/null
	rm -rf "$w"
}

# the fault-injection build (HOMO_FAULT=point: SIGKILL there)
fault_homo() {
	HOMO_FAULT=$1 "${HOMO_FAULT_BIN:?set HOMO_FAULT_BIN}" "${@:2}"
}
