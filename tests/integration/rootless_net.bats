#!/usr/bin/env bats
# Rootless NAT (docs/rootless.md, runtime/rootless_net.c): a rootless
# container's default network is pasta's. Every homo here runs as an
# ordinary user this file creates (as rootless.bats does). NETWORK SAFETY:
# the container contacts nothing but the gateway address, which pasta maps
# to the host's loopback, where the test's own server listens on 127.0.0.1;
# published ports are reached on 127.0.0.1. After each test no process of
# the user (a pasta, a container) may stay but its namespace holder.
bats_require_minimum_version 1.5.0
load helpers

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup_file() {
	local start
	RN_DIR=$(mktemp -d /tmp/homo-rlnet.XXXXXX)
	chmod 755 "$RN_DIR"
	install -m 0755 "$HOMO" "$RN_DIR/homo"
	install -m 0644 "$BUSYBOX_TAR" "$RN_DIR/busybox.tar"
	RN_USER=hmrn$$
	useradd -M -d "$RN_DIR/home" -s /bin/sh "$RN_USER"
	install -d -m 0700 -o "$RN_USER" -g "$RN_USER" "$RN_DIR/home"
	sed -i "/^$RN_USER:/d" /etc/subuid /etc/subgid
	start=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: '
		NF == 3 && $2 + $3 > m { m = $2 + $3 }
		END { m = m < 100000 ? 100000 : m; printf "%d\n", int((m + 65535) / 65536) * 65536 }')
	echo "$RN_USER:$start:65536" >>/etc/subuid
	echo "$RN_USER:$start:65536" >>/etc/subgid
	# pasta's tap device: Debian makes it 0666, this host may not
	RN_TUN_MODE=$(stat -c %a /dev/net/tun)
	chmod 0666 /dev/net/tun
	export RN_DIR RN_USER RN_START=$start RN_TUN_MODE
}

teardown_file() {
	local p
	for p in $(rn_pids); do kill -9 "$p" 2>/dev/null; done
	chmod "$RN_TUN_MODE" /dev/net/tun
	userdel "$RN_USER"
	sed -i "/^$RN_USER:/d" /etc/subuid /etc/subgid
	rm -rf "$RN_DIR"
}

# every live process of the user and its range
rn_pids() {
	local p u uid
	uid=$(id -u "$RN_USER")
	for p in /proc/[0-9]*; do
		awk '/^State:/ { exit $2 != "Z" }' "$p/status" 2>/dev/null && continue
		u=$(awk '/^Uid:/ { print $2; exit }' "$p/status" 2>/dev/null) || continue
		[ -n "$u" ] || continue
		if [ "$u" = "$uid" ] || { [ "$u" -ge "$RN_START" ] && [ "$u" -lt $((RN_START + 65536)) ]; }; then
			echo "${p#/proc/}"
		fi
	done
}

holder() { cut -d' ' -f1 "$TD/run/homo/pause.pid" 2>/dev/null; }

# the user's processes but its holder, polled briefly (they go async)
rn_left() {
	local h left p
	h=$(holder)
	for _ in $(seq 150); do
		left=""
		for p in $(rn_pids); do
			[ "$p" = "$h" ] || left+=" $p:$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		done
		[ -z "$left" ] && return 0
		sleep 0.02
	done
	echo "$left"
}

setup() {
	helpers_setup
	TD=$RN_DIR/t$BATS_TEST_NUMBER
	install -d -m 0755 "$TD"
	install -d -m 0700 -o "$RN_USER" -g "$RN_USER" "$TD/run" "$TD/data"
	PORT=$((20000 + (RANDOM % 20000)))
	rn pull -q "$RN_DIR/busybox.tar" bb >/dev/null
}

teardown() {
	local l h
	l=$(rn_left)
	h=$(holder)
	[ -z "$h" ] || kill "$h" 2>/dev/null || true
	for p in $(rn_pids); do kill -9 "$p" 2>/dev/null; done
	[ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
	rm -rf "$TD"
	if [ -n "$l" ]; then
		echo "# LEAKS after '$BATS_TEST_DESCRIPTION': $l" >&3
		helpers_teardown || true
		return 1
	fi
	helpers_teardown
}

rn() {
	(cd "$TD" && runuser -u "$RN_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$RN_DIR/home" XDG_RUNTIME_DIR="$TD/run" \
		XDG_DATA_HOME="$TD/data" "$RN_DIR/homo" "$@")
}

# a file server on the host's loopback only, for 60 s at most
serve() {
	echo "from-the-host-$PORT" >"$TD/f.txt"
	timeout 60 python3 -m http.server -b 127.0.0.1 "$PORT" -d "$TD" >/dev/null 2>&1 &
	SRV=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# in the container: the gateway's address (pasta's map of the host's loopback)
GW='gw=$(ip route | awk "/^default/ { print \$3; exit }"); [ -n "$gw" ] || exit 9'

@test "rootless net: the default network reaches the host's loopback through the gateway; pasta ends with the container" {
	serve
	run -0 rn run --rm bb sh -c "$GW; ip -4 addr show eth0 | grep -q inet && wget -qO- http://\$gw:$PORT/f.txt"
	[[ "$output" == *"from-the-host-$PORT"* ]]
}

@test "rootless net: -p HOSTPORT:CTRPORT publishes on the host's loopback; rm -f ends pasta" {
	rn run -d --name web -p "$PORT:80" bb sh -c 'mkdir /w; echo published >/w/i; exec httpd -f -p 80 -h /w'
	for _ in $(seq 100); do
		out=$(curl -s "http://127.0.0.1:$PORT/i") && [ -n "$out" ] && break
		sleep 0.05
	done
	[ "$out" = published ]
	pgrep -u "$RN_USER" -f "^pasta --config-net" >/dev/null
	rn rm -f web
}

@test "rootless net: -p without a host port is refused in one line" {
	run -125 rn run --rm -p 80 bb true
	[[ "$output" == "homo: rootless: -p 80: name the host's port"* ]]
}

@test "rootless net: SIGKILL of a foreground homo ends its container and its pasta" {
	rn run --name fg bb sleep 300 >/dev/null 2>&1 3>&- &
	local run=$!
	for _ in $(seq 200); do
		pgrep -u "$RN_USER" -f "^pasta --config-net" >/dev/null && break
		sleep 0.05
	done
	pgrep -u "$RN_USER" -f "^pasta --config-net" >/dev/null
	sleep 0.3
	kill -9 "$(pgrep -u "$RN_USER" -f "^$RN_DIR/homo run --name fg")"
	wait "$run" || true
	[ -z "$(rn_left)" ]
	rn rm -f fg >/dev/null
}

@test "rootless net: SIGKILL of a detached container's init ends its pasta" {
	rn run -d --name det -p "$PORT:80" bb sleep 300 >/dev/null
	pid=$(rn inspect -f '{{.State.Pid}}' det)
	pgrep -u "$RN_USER" -f "^pasta --config-net" >/dev/null
	kill -9 "$pid"
	for _ in $(seq 100); do
		pgrep -u "$RN_USER" -f "^pasta --config-net" >/dev/null || break
		sleep 0.05
	done
	! pgrep -u "$RN_USER" -f "^pasta --config-net" >/dev/null
	rn rm -f det >/dev/null
}

@test "rootless net: without /dev/net/tun the default network is refused in one line" {
	chmod 0600 /dev/net/tun
	run --separate-stderr rn run --rm bb true
	chmod 0666 /dev/net/tun
	[ "$status" -eq 125 ]
	[ "$stderr" = "homo: rootless: the default network needs /dev/net/tun (use --net none or --net host): Permission denied" ]
	run -0 rn run --rm --net none bb true
}
