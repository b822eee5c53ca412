#!/bin/bash
# make bench: run every benchmark under scripts/bench/ and print one table of
# medians, with ratios against the peers measured in the same run.
# Each bench-*.sh prints rows "what|homo median|peer|peer median|unit".
set -eu
cd "$(dirname "$0")/../.."
export HOMO=$PWD/build/homo BUSYBOX_TAR=$PWD/build/images/busybox.tar
export BENCH_TMP=$(mktemp -d /dev/shm/homo-bench.XXXXXX)
trap 'rm -rf "$BENCH_TMP"' EXIT

rows=$BENCH_TMP/rows
: >"$rows"
for b in scripts/bench/bench-*.sh; do
	echo "# running $b" >&2
	bash "$b" >>"$rows" || echo "$b|failed|||" >>"$rows"
done

printf '\n%-44s %14s   %-22s %14s %8s\n' "benchmark" "homo" "peer" "peer" "ratio"
while IFS='|' read -r what mine peer theirs unit; do
	ratio=""
	# a ratio of two figures only, not of "n/a (why)" or "failed"
	if [[ $mine =~ ^[0-9.]+$ && $theirs =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v a="$mine" -v b="$theirs" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')
	fi
	printf '%-44s %11s %-2s   %-22s %11s %-2s %8s\n' "$what" "$mine" "$unit" \
		"$peer" "$theirs" "${theirs:+$unit}" "$ratio"
done <"$rows"
# step tables some benches leave (bench-start.sh: the floor against homo)
[ ! -s "$BENCH_TMP/tables" ] || cat "$BENCH_TMP/tables"
