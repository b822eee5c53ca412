#!/bin/bash
# Detached containers: "homo ps" latency with 100 running containers, the
# monitor's memory per container, and "homo run -d" return latency against
# crun run.
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
for i in $(seq 100); do "${H[@]}" run -d --net none busybox sleep 600 >/dev/null; done
ps_ms=$(for i in $(seq 20); do time_ms "${H[@]}" ps; done | median)
# RSS (private + shared pages it touched) of each monitor, median, once
# each has been idle for a second and given back its code (monitor.c's
# SHED_IDLE_MS): what a monitor holds while its container runs. On a fast
# machine the 100 starts take half a second, so without the wait most
# monitors are measured before that.
sleep 1.5
rss=$(for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = homo-monitor ] || continue
	awk '/^VmRSS/ { print $2 }' "$p/status" 2>/dev/null
done | median)
pss=$(for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = homo-monitor ] || continue
	awk '/^Pss:/ { print $2 }' "$p/smaps_rollup" 2>/dev/null
done | median)
# run -d's return against crun run of the same image (busybox true), both
# by hyperfine -N, no shell's fork in either figure (issue 19: 0.5x)
d=$(hf_median 30 "${H[@]}" run -d --net none busybox sleep 600)
c=$(bash "$(dirname "$0")/crun.sh" 30 2>/dev/null || echo)
# lone ones, half a second apart (bench-start.sh says why; its "crun
# run, a lone start" is the peer)
lone_d=$(for i in $(seq "${BENCH_LONE_RUNS:-15}"); do
	sleep 0.5
	time_ms "${H[@]}" run -d --net none busybox sleep 600
done | median)
echo "homo run -d --net none (return)|$d|crun run (true)|$c|ms"
echo "homo run -d, a lone one (0.5 s apart)|$lone_d|||ms"
echo "homo ps, 100 running containers|$ps_ms|goal|50|ms"
echo "monitor RSS per container|$rss|goal|2048|KiB"
echo "monitor PSS per container|$pss|||KiB"
