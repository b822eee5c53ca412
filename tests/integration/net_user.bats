#!/usr/bin/env bats
# Docker's networking conveniences: published ports held on the host (a
# host service is never shadowed), random ports, ranges, -P; --dns,
# --add-host, --mac-address; user-defined networks.
#
# As net.bats: every test runs homo in a network namespace of its own
# (HOMO_TEST_NETNS), and all traffic stays inside it.
bats_require_minimum_version 1.5.0
load helpers
HOMO_TEST_NETNS=1

bridge_default() { unset HOMO_NETWORK_DEFAULT; }
bg_homo() { bg nsenter --net="/run/netns/$NETNS" "$HOMO" "$@"; }

retry() {
	local i
	for i in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

allocations() {
	[ -f "$HOMO_ROOT/net/ipam.json" ] || { echo 0; return; }
	grep -c '"id"' "$HOMO_ROOT/net/ipam.json" || true
}

port_rules() {
	inns nft list chain ip homo ports 2>/dev/null | grep -c 'dnat to' || true
}

PROBE=${PROBE:-$(dirname "$HOMO")/probe}
need_probe() {
	[ -x "$PROBE" ] || { echo "no $PROBE: make build/probe" >&2; false; }
}

# a host-side service in the test's netns, its output in $T/$1.log
listen() { # NAME udp|tcp ADDR PORT
	bg nsenter --net="/run/netns/$NETNS" "$PROBE" listen "$2" "$3" "$4" >"$T/$1.log"
	retry grep -q -e listening -e errno "$T/$1.log"
}

httpd_cmd='mkdir -p /www && echo "hello from $(hostname)" >/www/index.html && exec httpd -f -p 80 -h /www'

# a detached web server; waits until it answers on host port $2
web() { # NAME HOSTPORT [OPTIONS...]
	local name=$1 port=$2
	shift 2
	homo run -d --init --name "$name" "$@" busybox sh -c "$httpd_cmd" >/dev/null
	[ "$port" = - ] || retry inns busybox wget -qO- "http://127.0.0.1:$port/"
}

@test "-p refuses a host port a host service listens on; the service is not shadowed" {
	bridge_default
	need_probe
	pull_busybox
	listen svc tcp 0.0.0.0 18090
	grep -q listening "$T/svc.log"
	run --separate-stderr homo run --rm -p 18090:80 busybox true
	assert_status 125
	assert_one_error_line
	[ "$stderr" = "homo: run: -p 18090:80: address already in use" ]
	run --separate-stderr homo run -d -p 127.0.0.1:18090:80 busybox sleep 100
	assert_status 125
	[ "$stderr" = "homo: run: -p 127.0.0.1:18090:80: address already in use" ]
	# nothing left, and the host service still gets its connections
	[ "$(allocations)" -eq 0 ]
	[ "$(port_rules)" -eq 0 ]
	inns bash -c 'exec 3<>/dev/tcp/127.0.0.1/18090'
	retry grep -q connection "$T/svc.log"
	homo rm -f $(homo ps -aq) >/dev/null 2>&1 || true
}

@test "a published port is held on the host while the container runs, and given back" {
	bridge_default
	need_probe
	pull_busybox
	web w1 18091 -p 18091:80 -p 18092:5353/udp
	# another program cannot take the ports
	listen late tcp 0.0.0.0 18091
	grep -q 'errno:98' "$T/late.log" # EADDRINUSE
	listen lateu udp 127.0.0.1 18092
	grep -q 'errno:98' "$T/lateu.log"
	# a second container asking for it fails cleanly, nothing leaked
	run --separate-stderr homo run --rm -p 18091:80 busybox true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"port is already allocated"* ]]
	[ "$(allocations)" -eq 1 ]
	homo stop -t 1 w1 >/dev/null
	# given back: a host service may have it now
	listen after tcp 0.0.0.0 18091
	grep -q listening "$T/after.log"
	homo rm w1 >/dev/null
}

@test "-p CONTAINERPORT, -p IP::PORT and -P take random host ports; homo port shows them" {
	bridge_default
	pull_busybox
	homo run -d --init --name r1 -p 80 -p 127.0.0.1::80 --expose 81 --expose 90-91/udp -P \
		busybox sh -c "$httpd_cmd" >/dev/null
	run homo port r1
	assert_status 0
	echo "$output"
	[ "${#lines[@]}" -eq 5 ]
	assert_output_has "81/tcp -> 0.0.0.0:"
	assert_output_has "90/udp -> 0.0.0.0:"
	assert_output_has "91/udp -> 0.0.0.0:"
	[[ "$output" != *":0"$'\n'* && "$output" != *":0" ]]
	# the random ports answer
	for hp in $(homo port r1 80/tcp | sed 's/.*://'); do
		[ "$hp" -gt 1024 ]
		retry inns busybox wget -qO- "http://127.0.0.1:$hp/"
		run inns busybox wget -qO- "http://127.0.0.1:$hp/"
		assert_output_has "hello from"
	done
	run homo inspect r1
	assert_output_has '"81/tcp"'
	homo rm -f r1 >/dev/null
	[ "$(port_rules)" -eq 0 ]
}

@test "port ranges: -p 18100-18102:80-82 and a host range for one port" {
	bridge_default
	pull_busybox
	homo run -d --init --name rg -p 18100-18102:80-82 busybox sleep 1000 >/dev/null
	run homo port rg
	assert_output_has "80/tcp -> 0.0.0.0:18100"
	assert_output_has "81/tcp -> 0.0.0.0:18101"
	assert_output_has "82/tcp -> 0.0.0.0:18102"
	[ "$(port_rules)" -eq 3 ]
	# the first free port of a host range
	homo run -d --init --name rg2 -p 18101-18105:80 busybox sleep 1000 >/dev/null
	run homo port rg2 80
	[ "$output" = "0.0.0.0:18103" ]
	for bad in "18100-18101:80-82" "80-79" "18100:80-82" "1-2-3:80"; do
		run --separate-stderr homo run --rm -p "$bad" busybox true
		[ "$status" -eq 125 ] || { echo "$bad: $status" >&2; false; }
		assert_one_error_line
	done
	homo rm -f rg rg2 >/dev/null
	[ "$(port_rules)" -eq 0 ]
}

@test "--dns, --dns-search, --dns-option, --add-host, --mac-address reach resolv.conf, hosts and eth0" {
	bridge_default
	pull_busybox
	run homo run --rm --dns 10.0.0.53 --dns 10.0.0.54 --dns-search example.com --dns-search corp \
		--dns-option ndots:2 --add-host db:10.1.2.3 --add-host gw:host-gateway --add-host v6:fe80::1 \
		--mac-address 02:11:22:33:44:55 busybox sh -c \
		'cat /etc/resolv.conf /etc/hosts; ip -o link show eth0; ping -c1 -W5 10.88.0.1 >/dev/null && echo gateway-ok'
	assert_status 0
	assert_output_has "nameserver 10.0.0.53"$'\n'"nameserver 10.0.0.54"
	assert_output_has "search example.com corp"
	assert_output_has "options ndots:2"
	[ "$(grep -c '^nameserver' <<<"$output")" -eq 2 ]
	assert_output_has "10.1.2.3	db"
	assert_output_has "10.88.0.1	gw"
	assert_output_has "fe80::1	v6"
	assert_output_has "link/ether 02:11:22:33:44:55"
	# the veth guard lets the chosen MAC through
	assert_output_has "gateway-ok"
	# kept across a restart, and in inspect
	homo run -d --init --name m --mac-address 02-AA-bb-cc-dd-ee --add-host x:1.2.3.4 busybox sleep 1000 >/dev/null
	homo stop -t 1 m >/dev/null
	homo start m >/dev/null
	run homo exec m sh -c 'ip -o link show eth0; grep x /etc/hosts'
	assert_output_has "link/ether 02:aa:bb:cc:dd:ee"
	assert_output_has "1.2.3.4	x"
	run homo inspect m
	assert_output_has '"MacAddress": "02:aa:bb:cc:dd:ee"'
	homo rm -f m >/dev/null
	# --net none: host-gateway is the bridge's gateway all the same
	run homo run --rm --net none --add-host gw:host-gateway busybox cat /etc/hosts
	assert_output_has "10.88.0.1	gw"
}

@test "bad --dns, --add-host, --mac-address: one error line, status 125" {
	bridge_default
	pull_busybox
	for args in "--mac-address 01:00:00:00:00:01" "--mac-address 00:00:00:00:00:00" \
		"--mac-address 02:00:00:00:00" "--mac-address 02:00:00:00:00:0g" \
		"--add-host foo" "--add-host foo:bar" "--add-host :1.2.3.4" "--dns x" \
		"--dns 10.0.0.256" "--net none --mac-address 02:00:00:00:00:01" \
		"--net host --mac-address 02:00:00:00:00:01" "--expose 80:80" "--expose x"; do
		# shellcheck disable=SC2086
		run --separate-stderr homo run --rm $args busybox true
		[ "$status" -eq 125 ] || { echo "$args: status $status" >&2; false; }
		assert_one_error_line
		[[ "$stderr" != *"unknown option"* ]]
	done
	run --separate-stderr homo run --rm --dns-search $'a\nnameserver 6.6.6.6' busybox true
	assert_status 125
	run --separate-stderr homo run --rm --add-host $'a\n6.6.6.6:1.2.3.4' busybox true
	assert_status 125
	[ "$(allocations)" -eq 0 ]
}

bridges() { inns ip -o link show type bridge | grep -c ': hm-' || true; }
net_tables() { inns nft list tables | grep -c 'ip homo_' || true; }

@test "network create/ls/inspect/rm: a bridge, a table and a pool of its own" {
	bridge_default
	run homo network create n1
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	homo network create --subnet 10.90.0.0/24 --gateway 10.90.0.254 n2 >/dev/null
	run homo network ls
	assert_output_has "bridge"
	assert_output_has "${id:0:12}   n1"
	assert_output_has "n2"
	[ "$(homo network ls -q | wc -l)" -eq 5 ]
	run homo network inspect n1 n2
	assert_status 0
	assert_output_has '"Subnet": "10.89.0.0/24"'
	assert_output_has '"Gateway": "10.89.0.1"'
	assert_output_has '"Subnet": "10.90.0.0/24"'
	assert_output_has '"Gateway": "10.90.0.254"'
	assert_output_has "\"com.docker.network.bridge.name\": \"hm-${id:0:12}\""
	run inns ip -4 -o addr show "hm-${id:0:12}"
	assert_output_has "10.89.0.1/24"
	[ "$(bridges)" -eq 2 ]
	[ "$(net_tables)" -eq 2 ]
	# refused: a taken name, a built-in name, overlapping subnets, bad input
	for args in "n1" "bridge" "--subnet 10.88.5.0/24 x" "--subnet 10.90.0.128/25 x" \
		"--subnet 10.0.0.0/8 x" "--subnet 10.91.0.1/24 x" "--subnet nonsense x" \
		"--subnet 10.91.0.0/24 --gateway 10.92.0.1 x" "bad/name" "-d overlay x"; do
		# shellcheck disable=SC2086
		run --separate-stderr homo network create $args
		[ "$status" -eq 125 ] || { echo "$args: status $status" >&2; false; }
		assert_one_error_line
	done
	run --separate-stderr homo network inspect nosuch
	assert_status 125
	run --separate-stderr homo network rm bridge
	assert_status 125
	run homo network rm n1 n2
	assert_status 0
	[ "$(bridges)" -eq 0 ]
	[ "$(net_tables)" -eq 0 ]
	[ "$(homo network ls -q | wc -l)" -eq 3 ]
}

@test "containers on a network know each other by name and alias; hosts kept current" {
	bridge_default
	pull_busybox
	homo network create app >/dev/null
	homo run -d --init --name db --network app --network-alias database busybox sleep 1000 >/dev/null
	homo run -d --init --name web --net app busybox sleep 1000 >/dev/null
	run homo exec web sh -c 'ping -c1 -W5 db >/dev/null && ping -c1 -W5 database >/dev/null && echo by-name'
	assert_output_has "by-name"
	# the earlier one learnt of the later one
	run homo exec db ping -c1 -W5 web
	assert_status 0
	run homo exec db cat /etc/hosts
	assert_output_has "10.89.0.3	web"
	run homo inspect web
	assert_output_has '"app"'
	assert_output_has '"IPAddress": "10.89.0.3"'
	run homo network inspect app
	assert_output_has '"Name": "db"'
	assert_output_has '"IPv4Address": "10.89.0.2/24"'
	# a network in use is not removed
	run --separate-stderr homo network rm app
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"active endpoints"* ]]
	run homo network prune -f
	[ "$(bridges)" -eq 1 ]
	# a stop takes its name out of the others' /etc/hosts
	homo stop -t 1 web >/dev/null
	run homo exec db cat /etc/hosts
	assert_output_lacks "web"
	homo start web >/dev/null
	run homo exec db ping -c1 -W5 web
	assert_status 0
	homo rm -f db web >/dev/null
	run homo network prune -f
	assert_output_has "Deleted Networks:"$'\n'"app"
	[ "$(bridges)" -eq 0 ]
	[ "$(net_tables)" -eq 0 ]
}

@test "networks are isolated: no traffic between two user networks or with the default bridge" {
	bridge_default
	pull_busybox
	homo network create na >/dev/null
	homo network create nb >/dev/null
	homo run -d --init --name a --network na busybox sleep 1000 >/dev/null
	homo run -d --init --name b --network nb busybox sleep 1000 >/dev/null
	homo run -d --init --name d busybox sleep 1000 >/dev/null
	# each reaches its gateway (the host)
	run homo exec a ping -c1 -W5 10.89.0.1
	assert_status 0
	run homo exec b ping -c1 -W5 10.89.1.1
	assert_status 0
	# but not the other networks' containers, either way
	run homo exec a ping -c1 -W2 10.89.1.2
	[ "$status" -ne 0 ]
	run homo exec b ping -c1 -W2 10.89.0.2
	[ "$status" -ne 0 ]
	run homo exec d ping -c1 -W2 10.89.0.2
	[ "$status" -ne 0 ]
	run homo exec a ping -c1 -W2 10.88.0.2
	[ "$status" -ne 0 ]
	# nor by name: b is not on na
	run homo exec a ping -c1 -W2 b
	[ "$status" -ne 0 ]
	homo rm -f a b d >/dev/null
	homo network rm na nb >/dev/null
}

@test "run --network NAME: bad names and options, one error line, nothing left" {
	bridge_default
	pull_busybox
	for args in "--network nosuch" "--network-alias x" "--net none --network-alias x"; do
		# shellcheck disable=SC2086
		run --separate-stderr homo run --rm $args busybox true
		[ "$status" -eq 125 ] || { echo "$args: status $status" >&2; false; }
		assert_one_error_line
	done
	homo network create n >/dev/null
	run --separate-stderr homo run --rm --network n --ip 10.88.0.5 busybox true
	assert_status 125
	assert_one_error_line
	run homo run --rm --network n --ip 10.89.0.50 busybox ip -4 -o addr show eth0
	assert_status 0
	assert_output_has "10.89.0.50/24"
	homo network rm n >/dev/null
}

@test "--network container:NAME joins its network namespace, hostname, hosts and resolv.conf" {
	bridge_default
	pull_busybox
	homo network create shared >/dev/null
	homo run -d --init --name t --network shared --hostname thost --add-host extra:1.2.3.4 --dns 10.0.0.53 \
		busybox sh -c 'mkdir -p /www && echo hello-t >/www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
	run homo run --rm --network container:t busybox sh -c \
		'hostname; ip -4 -o addr show eth0; wget -qO- http://127.0.0.1:8080/; grep extra /etc/hosts; cat /etc/resolv.conf'
	assert_status 0
	assert_output_has "thost"
	assert_output_has "inet 10.89.0.2/24"
	assert_output_has "hello-t"
	assert_output_has "1.2.3.4	extra"
	assert_output_has "nameserver 10.0.0.53"
	# detached too, and exec in it sees the same
	homo run -d --init --name j --net container:t busybox sleep 1000 >/dev/null
	run homo exec j wget -qO- http://127.0.0.1:8080/
	assert_output_has "hello-t"
	# what the other's network decides is refused, as Docker does
	for args in "-p 80:80" "-P" "--hostname x" "--dns 1.1.1.1" "--add-host a:1.2.3.4" \
		"--mac-address 02:00:00:00:00:01" "--ip 10.89.0.9" "--network-alias a" "--userns auto"; do
		# shellcheck disable=SC2086
		run --separate-stderr homo run --rm --network container:t $args busybox true
		[ "$status" -eq 125 ] || { echo "$args: status $status" >&2; false; }
		assert_one_error_line
		[[ "$stderr" == *"conflicting options"* ]]
	done
	run --separate-stderr homo run --rm --network container:nosuch busybox true
	assert_status 125
	assert_one_error_line
	homo rm -f j >/dev/null
	homo stop -t 1 t >/dev/null
	run --separate-stderr homo run --rm --network container:t busybox true
	assert_status 125
	[[ "$stderr" == *"not running"* ]]
	homo rm -f t >/dev/null
	homo network rm shared >/dev/null
}

@test "SIGKILL of homo run on a user network: its address, port and name go; system check sees the pool" {
	bridge_default
	pull_busybox
	homo network create k >/dev/null
	homo run -d --init --name peer --network k busybox sleep 1000 >/dev/null
	bg_homo run --name killed --network k -p 18095:80 busybox sh -c "$httpd_cmd"
	pid=$!
	retry inns busybox wget -qO- http://127.0.0.1:18095/
	run homo exec peer cat /etc/hosts
	assert_output_has "killed"
	[ "$(port_rules)" -eq 1 ]
	kill -KILL "$pid"
	wait "$pid" || true
	run homo system check
	assert_output_has "address 10.89.0.3: reserved for container"
	run homo ps -a
	assert_status 0
	[ "$(port_rules)" -eq 0 ]
	[ "$(grep -c '"id"' "$HOMO_ROOT/net/networks/k/ipam.json")" -eq 1 ]
	run homo exec peer cat /etc/hosts
	assert_output_lacks "killed"
	# the port is free again
	homo run --rm --network k -p 18095:80 busybox true
	homo rm -f killed peer >/dev/null
	homo network rm k >/dev/null
}
