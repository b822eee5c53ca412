#!/bin/bash
# What the seccomp filter adds to a start: "homo run --rm --net none busybox
# true" with the default filter against the same with
# --security-opt seccomp=unconfined, interleaved run by run so drift hits
# both alike; median of N each. A third row compiles the filter every time
# (the store's compiled-filter cache removed before each run): the cost the
# cache saves. Store and runroot on tmpfs.
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-100}
root=$BENCH_TMP/seccomp-root run=$BENCH_TMP/seccomp-run
H=("$HOMO" --root "$root" --runroot "$run")
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
for i in 1 2 3 4 5; do
	"${H[@]}" run --rm --net none busybox true
	"${H[@]}" run --rm --net none --security-opt seccomp=unconfined busybox true
done
on=$BENCH_TMP/seccomp-on off=$BENCH_TMP/seccomp-off cold=$BENCH_TMP/seccomp-cold
: >"$on"; : >"$off"; : >"$cold"
for i in $(seq "$N"); do
	time_ms "${H[@]}" run --rm --net none busybox true >>"$on"
	time_ms "${H[@]}" run --rm --net none --security-opt seccomp=unconfined busybox true >>"$off"
done
for i in $(seq $(((N + 3) / 4))); do
	rm -rf "$root/seccomp"
	time_ms "${H[@]}" run --rm --net none busybox true >>"$cold"
done
echo "homo run, default seccomp filter|$(median <"$on")|homo run, seccomp=unconfined|$(median <"$off")|ms"
echo "homo run, filter compiled (no cache)|$(median <"$cold")|homo run, seccomp=unconfined|$(median <"$off")|ms"
