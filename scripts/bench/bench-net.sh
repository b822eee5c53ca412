#!/bin/bash
# Start-to-exit latency of "homo run --rm busybox true" with the default
# bridge network against --net none, and with a published port against
# without, medians of N, same run. Everything
# happens inside a network namespace made for the benchmark (unshare -n):
# the bridge, veths and nftables table never touch the host's network.
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-100}
root=$BENCH_TMP/net-root run=$BENCH_TMP/net-run
"$HOMO" --root "$root" --runroot "$run" pull -q "$BUSYBOX_TAR" busybox >/dev/null
unshare -n bash -c '
	. "$1/lib.sh"
	ip link set lo up
	H=("$HOMO" --root "$2" --runroot "$3")
	for i in 1 2 3 4 5; do "${H[@]}" run --rm busybox true; "${H[@]}" run --rm --net none busybox true; done
	b=$(hf_median "$4" "${H[@]}" run --rm busybox true)
	n=$(hf_median "$4" "${H[@]}" run --rm --net none busybox true)
	echo "homo run --rm busybox true (bridge)|$b|--net none|$n|ms"
	# lone starts, half a second apart (bench-start.sh says why)
	lb=$(for i in $(seq "$5"); do sleep 0.5; time_ms "${H[@]}" run --rm busybox true; done | median)
	ln=$(for i in $(seq "$5"); do sleep 0.5; time_ms "${H[@]}" run --rm --net none busybox true; done | median)
	echo "the same, lone starts (0.5 s apart)|$lb|--net none, lone|$ln|ms"
	# a published port: its DNAT rule in, and pruned at the teardown
	"${H[@]}" run --rm -p 18080:80 busybox true
	p=$(hf_median "$4" "${H[@]}" run --rm -p 18080:80 busybox true)
	echo "homo run --rm -p 18080:80 busybox true|$p|bridge without -p|$b|ms"
	lp=$(for i in $(seq "$5"); do sleep 0.5; time_ms "${H[@]}" run --rm -p 18080:80 busybox true; done | median)
	echo "the same, lone starts|$lp|bridge without -p, lone|$lb|ms"
' _ "$(dirname "$0")" "$root" "$run" "$N" "${BENCH_LONE_RUNS:-15}"
