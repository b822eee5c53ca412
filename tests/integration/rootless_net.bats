#!/usr/bin/env bats
# Rootless NAT (docs/rootless.md, runtime/rootless_net.c): a rootless
# container's default network is slirp4netns's (HOMO_ROOTLESS_NET=pasta:
# pasta's). Every homo here runs as an ordinary user this file creates (as
# rootless.bats does). NETWORK SAFETY: the container contacts nothing but
# the gateway address, which the helper maps to the host's loopback, where
# the test's own server listens on 127.0.0.1; published ports are reached
# on 127.0.0.1; the DNS test's resolver is on the loopback of a network
# namespace of its own. After each test no process of the user (a helper,
# a container) may stay but its namespace holder.
bats_require_minimum_version 1.5.0
load helpers
load rootless_user

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup_file() {
	local start
	RN_DIR=$(mktemp -d /tmp/homo-rlnet.XXXXXX)
	chmod 755 "$RN_DIR"
	install -m 0755 "$HOMO" "$RN_DIR/homo"
	install -m 0644 "$BUSYBOX_TAR" "$RN_DIR/busybox.tar"
	RN_USER=hmrn$$
	start=$(rl_user_add "$RN_USER" "$RN_DIR/home" range)
	# the helpers' tap device: Debian makes it 0666, this host may not
	RN_TUN_MODE=$(stat -c %a /dev/net/tun)
	chmod 0666 /dev/net/tun
	export RN_DIR RN_USER RN_START=$start RN_TUN_MODE
}

teardown_file() {
	local p
	for p in $(rl_pids "$(id -u "$RN_USER")" "$RN_START"); do kill -9 "$p" 2>/dev/null; done
	chmod "$RN_TUN_MODE" /dev/net/tun
	rl_user_del "$RN_USER"
	rm -rf "$RN_DIR"
}

holder() { cut -d' ' -f1 "$TD/run/homo/pause.pid" 2>/dev/null; }

# the user's processes but its holder, polled briefly (they go async)
rn_left() {
	local h left p
	h=$(holder)
	for _ in $(seq 150); do
		left=""
		for p in $(rl_pids "$(id -u "$RN_USER")" "$RN_START"); do
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
	PORT=$(free_port 6)
	rn pull -q "$RN_DIR/busybox.tar" bb >/dev/null
}

teardown() {
	local l h
	l=$(rn_left)
	h=$(holder)
	[ -z "$h" ] || kill "$h" 2>/dev/null || true
	for p in $(rl_pids "$(id -u "$RN_USER")" "$RN_START"); do kill -9 "$p" 2>/dev/null; done
	[ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
	rm -rf "$TD"
	rl_teardown_report "$l"
}

# homo as the user; HOMO_ROOTLESS_NET (the NAT helper) passed through
rn() {
	(cd "$TD" && runuser -u "$RN_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$RN_DIR/home" XDG_RUNTIME_DIR="$TD/run" \
		${HOMO_ROOTLESS_NET:+HOMO_ROOTLESS_NET=$HOMO_ROOTLESS_NET} \
		XDG_DATA_HOME="$TD/data" "$RN_DIR/homo" "$@")
}

# GET http://127.0.0.1:PORT/i until it answers (a published port)
get_i() {
	local out
	for _ in $(seq 100); do
		out=$(curl -s "http://127.0.0.1:$1/i") && [ -n "$out" ] && break
		sleep 0.05
	done
	echo "$out"
}

# a NAT helper of the user's runs
helper_up() { pgrep -u "$RN_USER" -f "^(slirp4netns|pasta) " >/dev/null; }

HTTPD='mkdir /w; echo published >/w/i; exec httpd -f -p 80 -h /w'

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

# in the container: the gateway's address (the helper's map of the host's loopback)
GW='gw=$(ip route | awk "/^default/ { print \$3; exit }"); [ -n "$gw" ] || exit 9'

@test "rootless net: the default network reaches the host's loopback through the gateway, with slirp4netns and pasta; the helper ends with the container" {
	serve
	for HOMO_ROOTLESS_NET in slirp4netns pasta; do
		run -0 rn run --rm bb sh -c "$GW; [ \$gw = 10.0.2.2 ] && ip -4 addr show eth0 | grep -q 'inet 10.0.2.100/24' && wget -qO- http://\$gw:$PORT/f.txt"
		[[ "$output" == *"from-the-host-$PORT"* ]]
		[ -z "$(rn_left)" ]
	done
}

@test "rootless net: -p HOSTPORT:CTRPORT publishes on the host's loopback (both helpers); rm -f ends the helper" {
	for HOMO_ROOTLESS_NET in slirp4netns pasta; do
		rn run -d --name web -p "$PORT:80" bb sh -c "$HTTPD"
		[ "$(get_i "$PORT")" = published ]
		helper_up
		rn rm -f web
		[ -z "$(rn_left)" ]
	done
}

@test "rootless net: -p CTRPORT and -P take random host ports, a range its first free one; homo port and inspect show them" {
	# the range's first port is the test's
	timeout 60 python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT)); s.listen(); print('ready', flush=True); time.sleep(60)" >"$TD/held" &
	SRV=$!
	for _ in $(seq 100); do [ -s "$TD/held" ] && break; sleep 0.05; done
	[ -s "$TD/held" ]
	for HOMO_ROOTLESS_NET in slirp4netns pasta; do
		rn run -d --name web --expose 81 -P -p 80 -p "127.0.0.1:$PORT-$((PORT + 5)):82" bb sh -c "$HTTPD"
		run -0 rn port web
		[ "${#lines[@]}" -eq 3 ]
		[[ "${lines[0]}" =~ ^80/tcp\ -\>\ 0\.0\.0\.0:([1-9][0-9]*)$ ]]
		[ "$(get_i "${BASH_REMATCH[1]}")" = published ]
		# the range's first port is taken: the next one
		[ "${lines[1]}" = "82/tcp -> 127.0.0.1:$((PORT + 1))" ]
		[[ "${lines[2]}" =~ ^81/tcp\ -\>\ 0\.0\.0\.0:[1-9][0-9]*$ ]]
		run -0 rn inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{index .NetworkSettings.Ports "82/tcp"}}' web
		[ "$output" = "10.0.2.100 10.0.2.2 [map[HostIp:127.0.0.1 HostPort:$((PORT + 1))]]" ]
		rn rm -f web
		[ -z "$(rn_left)" ]
	done
}

@test "rootless net: restart starts a new helper on the same published port; stop ends it" {
	rn run -d --name web -p "$PORT:80" bb sh -c "$HTTPD"
	[ "$(get_i "$PORT")" = published ]
	old=$(pgrep -u "$RN_USER" -x slirp4netns)
	rn restart -t 1 web
	[ "$(get_i "$PORT")" = published ]
	new=$(pgrep -u "$RN_USER" -x slirp4netns)
	[ -n "$new" ]
	[ "$new" != "$old" ]
	[ "$(rn port web)" = "80/tcp -> 0.0.0.0:$PORT" ]
	rn stop -t 1 web
	[ -z "$(rn_left)" ]
	[ -z "$(rn port web)" ]
	rn rm web
}

@test "rootless net: --add-host NAME:host-gateway is the gateway, the host's loopback" {
	serve
	run -0 rn run --rm --add-host hgw:host-gateway bb sh -c "grep hgw /etc/hosts; wget -qO- http://hgw:$PORT/f.txt"
	[[ "${lines[0]}" == "10.0.2.2"*hgw ]]
	[ "${lines[1]}" = "from-the-host-$PORT" ]
}

@test "rootless net: an unknown HOMO_ROOTLESS_NET is refused in one line" {
	HOMO_ROOTLESS_NET=vpnkit run -125 --separate-stderr rn run --rm bb true
	[ "$stderr" = "homo: rootless: HOMO_ROOTLESS_NET=vpnkit: expected slirp4netns or pasta" ]
}

@test "rootless net: SIGKILL of a foreground homo ends its container and its NAT helper" {
	rn run --name fg bb sleep 300 >/dev/null 2>&1 3>&- &
	local run=$!
	for _ in $(seq 200); do
		helper_up && break
		sleep 0.05
	done
	helper_up
	sleep 0.3
	kill -9 "$(pgrep -u "$RN_USER" -f "^$RN_DIR/homo run --name fg")"
	wait "$run" || true
	[ -z "$(rn_left)" ]
	rn rm -f fg >/dev/null
}

@test "rootless net: SIGKILL of a detached container's init ends its NAT helper" {
	rn run -d --name det -p "$PORT:80" bb sleep 300 >/dev/null
	pid=$(rn inspect -f '{{.State.Pid}}' det)
	helper_up
	kill -9 "$pid"
	for _ in $(seq 100); do
		helper_up || break
		sleep 0.05
	done
	! helper_up
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

# a DNS server on 127.0.0.1:53 answering every A query with 192.0.2.7
DNS_PY='
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    q, a = s.recvfrom(512)
    i = 12
    while q[i]:
        i += q[i] + 1
    an = b""
    if struct.unpack(">H", q[i + 1:i + 3])[0] == 1:
        an = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 7])
    s.sendto(q[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if an else 0, 0, 0) + q[12:i + 5] + an, a)
'

@test "rootless net: resolv.conf names the helper's DNS forwarder, which asks the host's resolver (on loopback)" {
	# a network and mount namespace of the test's own: its loopback has
	# the resolver, its /etc/resolv.conf names it; the holder (made by
	# setup's pull) goes, so that homo's next one is made in there
	kill "$(holder)"
	echo "nameserver 127.0.0.1" >"$TD/resolv.conf"
	echo "$DNS_PY" >"$TD/dns.py"
	run -0 unshare -n -m --propagation private env TD="$TD" RN_USER="$RN_USER" \
		RN_DIR="$RN_DIR" bash -c "$(declare -f rn); "'
		set -e
		ip link set lo up
		# pasta copies an external interface: a veth pair, nothing beyond
		ip link add hmrn0 type veth peer name hmrn1
		ip addr add 192.0.2.1/24 dev hmrn0
		ip link set hmrn0 up; ip link set hmrn1 up
		ip route add default via 192.0.2.254 dev hmrn0
		mount --bind "$TD/resolv.conf" /etc/resolv.conf
		timeout 60 python3 "$TD/dns.py" >"$TD/dns.out" &
		while [ ! -s "$TD/dns.out" ]; do sleep 0.02; done
		for HOMO_ROOTLESS_NET in slirp4netns pasta; do
			export HOMO_ROOTLESS_NET
			rn run --rm bb sh -c "cat /etc/resolv.conf; nslookup hello.homo.test"
		done
		kill $(cut -d" " -f1 "$TD/run/homo/pause.pid") $!'
	echo "$output"
	[ "$(grep -c '^nameserver' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^nameserver 10.0.2.3$' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^Address: *192.0.2.7$' <<<"$output")" -eq 2 ]
}
