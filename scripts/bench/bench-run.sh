#!/bin/bash
# Start-to-exit latency of "homo run --rm --net none busybox true", median of
# 100 sequential runs, next to "crun run" of an equivalent bundle (same
# busybox rootfs, own netns) in the same run; and homo's peak RSS.
# Store and runroot on tmpfs (the root disk creates inodes erratically).
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-100}
root=$BENCH_TMP/root run=$BENCH_TMP/run
H=("$HOMO" --root "$root" --runroot "$run")
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
for i in 1 2 3 4 5; do "${H[@]}" run --rm --net none busybox true; done
homo_ms=$(hf_median "$N" "${H[@]}" run --rm --net none busybox true)
rss=$(/usr/bin/time -f %M "${H[@]}" run --rm --net none busybox true 2>&1 >/dev/null | tail -1)
echo "homo run --rm --net none busybox true|$homo_ms|crun run|$(bash "$(dirname "$0")/crun.sh" "$N" 2>/dev/null || echo)|ms"
echo "homo run peak RSS|$rss|crun (perf-anchors)|3348|KiB"
