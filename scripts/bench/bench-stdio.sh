#!/bin/bash
# The stdio relay: "homo run --rm busybox cat BIGFILE > /dev/null" (1 GiB on
# tmpfs, bound in with -v; the output crosses the container's stdout pipe
# and homo's splice) next to "cat BIGFILE > /dev/null" on the host, median
# of interleaved runs. Goal: within 1.5x. GNU cat copies through a buffer,
# busybox's sendfile()s: the same busybox on the host is the second row.
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-10}
root=$BENCH_TMP/io-root run=$BENCH_TMP/io-run data=$BENCH_TMP/io-data
H=("$HOMO" --root "$root" --runroot "$run")
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
mkdir -p "$data"
trap 'rm -rf "$data"' EXIT
head -c 1G /dev/zero >"$data/big"
for i in 1 2; do "${H[@]}" run --rm --net none -v "$data:/d:ro" busybox cat /d/big >/dev/null; done
# interleaved: the machine is shared, so both see the same load
: >"$BENCH_TMP/io-homo"
: >"$BENCH_TMP/io-host"
: >"$BENCH_TMP/io-bb"
bb=$(command -v busybox || true)
for i in $(seq "$N"); do
	time_ms "${H[@]}" run --rm --net none -v "$data:/d:ro" busybox cat /d/big >>"$BENCH_TMP/io-homo"
	time_ms cat "$data/big" >>"$BENCH_TMP/io-host"
	[ -z "$bb" ] || time_ms "$bb" cat "$data/big" >>"$BENCH_TMP/io-bb"
done
homo=$(median <"$BENCH_TMP/io-homo")
echo "homo run --rm busybox cat 1GiB >/dev/null|$homo|cat 1GiB >/dev/null|$(median <"$BENCH_TMP/io-host")|ms"
[ -z "$bb" ] || echo "homo run --rm busybox cat 1GiB >/dev/null|$homo|busybox cat (host)|$(median <"$BENCH_TMP/io-bb")|ms"
