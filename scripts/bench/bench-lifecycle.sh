#!/bin/bash
# Detached containers: "homo run -d" return latency, "homo ps" latency with
# 100 running containers, and the monitor's memory per container.
# Store and runroot on tmpfs; --net none: this measures homo, not veths.
set -eu
. "$(dirname "$0")/lib.sh"
root=$BENCH_TMP/lc-root run=$BENCH_TMP/lc-run
H=("$HOMO" --root "$root" --runroot "$run")
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
cleanup() {
	"${H[@]}" rm -f $("${H[@]}" ps -aq) >/dev/null 2>&1 || true
}
trap cleanup EXIT
d=$(for i in $(seq 100); do time_ms "${H[@]}" run -d --net none busybox sleep 600; done | median)
ps_ms=$(for i in $(seq 20); do time_ms "${H[@]}" ps; done | median)
# RSS (private + shared pages it touched) of each monitor, median
rss=$(for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = homo-monitor ] || continue
	tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -q . || true
	awk '/^VmRSS/ { print $2 }' "$p/status"
done | median)
pss=$(for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = homo-monitor ] || continue
	awk '/^Pss:/ { print $2 }' "$p/smaps_rollup"
done | median)
echo "homo run -d --net none (return)|$d|||ms"
echo "homo ps, 100 running containers|$ps_ms|goal|50|ms"
echo "monitor RSS per container|$rss|goal|2048|KiB"
echo "monitor PSS per container|$pss|||KiB"
