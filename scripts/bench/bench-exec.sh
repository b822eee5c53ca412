#!/bin/bash
# homo exec of a running container against crun exec of a running crun
# container of the same rootfs (issue 19: at most 0.5x), interleaved by
# build/floor's rounds (crun from its helper in a private mount namespace:
# crun refuses this host's hybrid cgroup layout), medians of N; then L
# lone execs of each, half a second apart. Store, runroot and bundle on
# tmpfs.
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_EXEC_RUNS:-100}
FLOOR=${FLOOR:-$(dirname "$HOMO")/floor}
root=$BENCH_TMP/exec-root run=$BENCH_TMP/exec-run
b=$BENCH_TMP/exec-bundle ftmp=$BENCH_TMP/exec-floor
H=("$HOMO" --root "$root" --runroot "$run")
command -v crun >/dev/null || { echo "homo exec CTR true|n/a (no crun)|||"; exit 0; }
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
layers=("$root"/layers/*/diff)
mkdir -p "$ftmp" "$b"
(cd "$b" && crun spec && jq --arg r "${layers[0]}" \
	'.process.args = ["sleep", "1000"] | .process.terminal = false |
	 .root.path = $r | .root.readonly = true' config.json >c && mv c config.json)
# crun where it runs here: a private mount namespace hiding cgroup2
crun_ns() {
	unshare -m --propagation private bash -c \
		'mount -t tmpfs tmpfs /sys/fs/cgroup/unified && exec "$@"' _ "$@"
}
cleanup() {
	crun_ns crun delete -f homo-bench-exec >/dev/null 2>&1 || true
	"${H[@]}" rm -f bx >/dev/null 2>&1 || true
}
trap cleanup EXIT
"${H[@]}" run -d --net none --name bx busybox sleep 1000 >/dev/null
crun_ns crun run -d -b "$b" homo-bench-exec </dev/null >/dev/null 2>&1
out=$("$FLOOR" -l "${layers[0]}" -t "$ftmp" -n "$N" -c "homo-bench-exec-floor" \
	-H "${H[*]} exec bx true" -C "crun exec homo-bench-exec true")
read -r h c _ < <(printf '%s\n' "$out" | awk -F'|' '$1 == "start" { print $2, $3, $4 }')
# lone execs, half a second apart (bench-start.sh says why)
L=${BENCH_LONE_RUNS:-15}
lone_h=$(for i in $(seq "$L"); do
	sleep 0.5
	time_ms "${H[@]}" exec bx true
done | median)
lone_c=$(crun_ns bash -c '
	. "$1/lib.sh"
	for i in $(seq "$2"); do
		sleep 0.5
		time_ms crun exec homo-bench-exec true
	done | median
' _ "$(dirname "$0")" "$L")
echo "homo exec CTR true|$h|crun exec CTR true|$c|ms"
echo "homo exec, a lone one (0.5 s apart)|$lone_h|crun exec, a lone one|$lone_c|ms"
