# The ordinary users the rootless suites run homo as (rootless.bats,
# rootless_net.bats, rootless_cgroup.bats): made with useradd, a home in
# the suite's directory, and a 65536-id subuid/subgid range of their own.

# the first 65536-aligned start above every range /etc/sub[ug]id gives
rl_free_start() {
	cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: '
		NF == 3 && $2 + $3 > m { m = $2 + $3 }
		END { m = m < 100000 ? 100000 : m; printf "%.0f\n", int((m + 65535) / 65536) * 65536 }'
}

# rl_user_add NAME HOME [range]: user NAME (HOME 0700, theirs), without
# useradd's own range; with "range", a fresh one, whose start is printed
rl_user_add() {
	local start
	useradd -M -d "$2" -s /bin/sh "$1"
	install -d -m 0700 -o "$1" -g "$1" "$2"
	sed -i "/^$1:/d" /etc/subuid /etc/subgid
	[ "${3:-}" = range ] || return 0
	start=$(rl_free_start)
	echo "$1:$start:65536" >>/etc/subuid
	echo "$1:$start:65536" >>/etc/subgid
	echo "$start"
}

# rl_user_del NAME: the user and its ranges
rl_user_del() {
	userdel "$1"
	sed -i "/^$1:/d" /etc/subuid /etc/subgid
}

# rl_pids UID [START]: every live process of UID or of the range at START.
# Without a fork per process (bash's read): the leak checks call it in a
# polling loop, where two awks a process made each rootless test 10-30 s.
rl_pids() {
	local p k v state u
	for p in /proc/[0-9]*; do
		state="" u=""
		while read -r k v _; do
			case $k in
			State:) state=$v ;;
			Uid:) u=$v && break ;;
			esac
		done 2>/dev/null <"$p/status" || [ -n "$u" ] || continue
		# a zombie awaiting its reaper (this host's init is slow) holds nothing
		[ "$state" != Z ] && [ -n "$u" ] || continue
		if [ "$u" = "$1" ] || { [ -n "${2:-}" ] && [ "$u" -ge "$2" ] && [ "$u" -lt $(($2 + 65536)) ]; }; then
			echo "${p#/proc/}"
		fi
	done
}

# rl_teardown_report LEAKS: the teardown's end: the leaks found (one a
# line) fail the test, and helpers' own teardown runs either way
rl_teardown_report() {
	if [ -n "$(printf '%s' "$1" | sed '/^$/d')" ]; then
		echo "# LEAKS after '$BATS_TEST_DESCRIPTION':" >&3
		printf '%s\n' "$1" | sed '/^$/d; s/^/#   /' >&3
		helpers_teardown || true
		return 1
	fi
	helpers_teardown
}
