#!/bin/bash
# Rootless NAT (docs/rootless.md): start-to-exit latency of "homo run --rm
# busybox true" with the default network, rootless (slirp4netns, pasta)
# against rootful (bridge); TCP throughput from the host's 127.0.0.1
# through a published port (-p) to busybox nc in a container, and from a
# container to a server on the host's loopback. The three setups take
# turns in every round (interleaved), medians. Everything happens inside a
# network namespace made for the benchmark (unshare -n); the rootless homo
# runs as an ordinary user made for it (as rootless.bats).
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-20}    # latency rounds
T=${BENCH_TPUT_RUNS:-5} # throughput rounds
MIB=${BENCH_TPUT_MIB:-256}
U=hmbench$$
D=$(mktemp -d /dev/shm/homo-rlnet.XXXXXX) # the user must reach it
tun=$(stat -c %a /dev/net/tun)
cleanup() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$(pgrep -u "$U") || break
		kill -9 $p 2>/dev/null
		sleep 0.1
	done
	chmod "$tun" /dev/net/tun
	userdel "$U" 2>/dev/null || true
	sed -i "/^$U:/d" /etc/subuid /etc/subgid
	rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$D" && chmod 755 "$D"
install -m 0755 "$HOMO" "$D/homo"
useradd -M -d "$D/home" -s /bin/sh "$U"
install -d -m 0700 -o "$U" -g "$U" "$D/home" "$D/run" "$D/data"
start=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: '
	NF == 3 && $2 + $3 > m { m = $2 + $3 }
	END { m = m < 100000 ? 100000 : m; printf "%d\n", int((m + 65535) / 65536) * 65536 }')
echo "$U:$start:65536" >>/etc/subuid
echo "$U:$start:65536" >>/etc/subgid
chmod 0666 /dev/net/tun # the helpers' tap device (Debian's udev: 0666)

# the sender (host -> published port) and the receiver (container -> host)
cat >"$D/tput.py" <<'EOF'
import socket, sys, time
mode, port, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buf = b"\0" * (1 << 20)
socket.setdefaulttimeout(60)  # a failed setup is a 0, not a hang
sys.excepthook = lambda *a: print("0")
if mode == "send":  # to nc -l in the container; it closes at our EOF
    s = socket.create_connection(("127.0.0.1", port))
    t = time.monotonic()
    for _ in range(mib):
        s.sendall(buf)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
else:  # one connection from the container, counted until its EOF
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", port))
    l.listen(1)
    print("ready", flush=True)
    s, _ = l.accept()
    t, n = time.monotonic(), 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        n += len(b)
    mib = n / (1 << 20)
print("%.1f" % (mib / (time.monotonic() - t)))
EOF

unshare -n bash -c '
	set -eu
	. "$1/lib.sh"
	D=$2 U=$3 N=$4 T=$5 MIB=$6
	ip link set lo up
	# pasta copies an external interface and its default route: a veth
	# one (a veth pair: nothing leaves this namespace)
	ip link add hmb0 type veth peer name hmb1
	ip addr add 192.0.2.1/24 dev hmb0
	ip link set hmb0 up && ip link set hmb1 up
	ip route add default via 192.0.2.254 dev hmb0
	R=("$HOMO" --root "$D/root" --runroot "$D/rootrun")
	rl() { # HELPER ARGS...: homo as the user, with that NAT helper
		local h=$1
		shift
		setpriv --reuid "$U" --regid "$U" --init-groups env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$D/home" \
			XDG_RUNTIME_DIR="$D/run" XDG_DATA_HOME="$D/data" \
			HOMO_ROOTLESS_NET="$h" "$D/homo" "$@"
	}
	S=(rl slirp4netns) P=(rl pasta)
	"${R[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
	"${S[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
	for i in 1 2 3; do
		"${S[@]}" run --rm busybox true
		"${P[@]}" run --rm busybox true
		"${R[@]}" run --rm busybox true
	done
	: >"$D/lat"
	for i in $(seq "$N"); do
		echo "$(time_ms "${S[@]}" run --rm busybox true) $(time_ms "${P[@]}" run --rm busybox true) $(time_ms "${R[@]}" run --rm busybox true)" >>"$D/lat"
	done
	s=$(cut -d" " -f1 "$D/lat" | median) p=$(cut -d" " -f2 "$D/lat" | median)
	r=$(cut -d" " -f3 "$D/lat" | median)
	echo "rootless run --rm true, slirp4netns|$s|rootful, bridge|$r|ms"
	echo "rootless run --rm true, pasta|$p|rootless, slirp4netns|$s|ms"

	# host 127.0.0.1 -> -p PORT:80 -> nc -l in the container
	loop="while nc -l -p 80 >/dev/null </dev/null; do :; done"
	"${S[@]}" run -d --name tp -p 18001:80 busybox sh -c "$loop" >/dev/null
	"${P[@]}" run -d --name tq -p 18002:80 busybox sh -c "$loop" >/dev/null
	"${R[@]}" run -d --name tr -p 18003:80 busybox sh -c "$loop" >/dev/null
	sleep 1
	for port in 18001 18002 18003; do python3 "$D/tput.py" send $port 8 >/dev/null; done
	: >"$D/pub"
	for i in $(seq "$T"); do
		echo "$(python3 "$D/tput.py" send 18001 "$MIB") $(python3 "$D/tput.py" send 18002 "$MIB") $(python3 "$D/tput.py" send 18003 "$MIB")" >>"$D/pub"
	done
	"${S[@]}" rm -f tp >/dev/null
	"${P[@]}" rm -f tq >/dev/null
	"${R[@]}" rm -f tr >/dev/null
	s=$(cut -d" " -f1 "$D/pub" | median) p=$(cut -d" " -f2 "$D/pub" | median)
	r=$(cut -d" " -f3 "$D/pub" | median)
	echo "rootless -p, host->container, slirp4netns|$s|rootful, bridge|$r|MiB/s"
	echo "rootless -p, host->container, pasta|$p|rootless, slirp4netns|$s|MiB/s"

	# container -> a server on the host (rootless: the gateway is the
	# host loopback; rootful: the bridge address)
	send="gw=\$(ip route | awk \"/^default/ { print \\\$3 }\"); head -c $((MIB << 20)) /dev/zero | nc \$gw"
	to_host() { # PORT HOMO...
		local port=$1 f=$D/recv.$1
		shift
		python3 "$D/tput.py" recv "$port" 0 >"$f" &
		while [ ! -s "$f" ]; do sleep 0.01; done
		"$@" run --rm busybox sh -c "$send $port" >/dev/null 2>&1 || true
		wait $!
		tail -1 "$f"
	}
	: >"$D/out"
	for i in $(seq "$T"); do
		# a port of its own each time: no TIME_WAIT of the last
		q=$((18010 + 10 * i))
		echo "$(to_host $((q + 1)) "${S[@]}") $(to_host $((q + 2)) "${P[@]}") $(to_host $((q + 3)) "${R[@]}")" >>"$D/out"
	done
	s=$(cut -d" " -f1 "$D/out" | median) p=$(cut -d" " -f2 "$D/out" | median)
	r=$(cut -d" " -f3 "$D/out" | median)
	echo "rootless container->host lo, slirp4netns|$s|rootful, bridge|$r|MiB/s"
	echo "rootless container->host lo, pasta|$p|rootless, slirp4netns|$s|MiB/s"
	kill "$(cut -d" " -f1 "$D/run/homo/pause.pid")" 2>/dev/null || true
' _ "$(dirname "$0")" "$D" "$U" "$N" "$T" "$MIB"
