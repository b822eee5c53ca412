# Helpers for the benchmark scripts.

# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# An ext4 image on a loop device backed by tmpfs: real ext4 behaviour
# without this machine's erratic root-disk inode creation.
# Sets LOOP_DIR; loop_cleanup undoes it.
loop_setup() {
	local size=${1:-1G}
	LOOP_IMG=$BENCH_TMP/ext4.img
	LOOP_DIR=$BENCH_TMP/ext4
	mkdir -p "$LOOP_DIR"
	truncate -s "$size" "$LOOP_IMG"
	mkfs.ext4 -q -F "$LOOP_IMG"
	mount -o loop "$LOOP_IMG" "$LOOP_DIR"
}

loop_cleanup() {
	umount "$LOOP_DIR" 2>/dev/null || true
	rm -f "$LOOP_IMG"
}

# time a command in ms (bash's EPOCHREALTIME: no extra process)
time_ms() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || return 1
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

# median ms of N runs of a command (hyperfine -N: no shell in between, so
# the figure is the command's own start-to-exit time)
hf_median() {
	local n=$1 json=$BENCH_TMP/hf.json
	shift
	hyperfine -N --warmup 3 --runs "$n" --export-json "$json" "$*" >/dev/null 2>&1 || return 1
	jq -r '.results[0].median * 1000 | . * 1000 | round / 1000' "$json"
}
