#!/bin/bash
# Start-to-exit latency of "homo run --rm --net none busybox true" on cgroup
# v2 and Debian 12's kernel 6.1, in the scripts/vm/vm.sh guest (TCG: only
# the ratio to crun there means anything), next to "crun run" of the same
# bundle in the same guest. Medians of BENCH_VM_RUNS (default 20) runs. The
# first run builds the VM cache (about a minute; docs/testing.md).
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_VM_RUNS:-20}
cd "$(dirname "$0")/../.."
images=$(dirname "$(realpath "$BUSYBOX_TAR")")
out=$(scripts/vm/vm.sh --share "$PWD" --share "$images" -- bash -c '
	set -e
	. scripts/bench/lib.sh
	export BENCH_TMP=/var/tmp/bench
	mkdir -p $BENCH_TMP/b/rootfs
	H=("$1" --root $BENCH_TMP/root --runroot /run/homo-bench)
	"${H[@]}" pull -q "$2" busybox >/dev/null
	tar -xf "$2" -C $BENCH_TMP/b/rootfs
	(cd $BENCH_TMP/b && crun spec && jq ".process.args = [\"true\"] |
		.process.terminal = false | .root.readonly = false" config.json >c &&
		mv c config.json)
	for i in $(seq "$3"); do time_ms "${H[@]}" run --rm --net none busybox true; done |
		median | sed "s/^/homo=/"
	for i in $(seq "$3"); do time_ms crun run -b $BENCH_TMP/b bench; done |
		median | sed "s/^/crun=/"
' _ "$HOMO" "$(realpath "$BUSYBOX_TAR")" "$N")
homo=$(sed -n 's/^homo=//p' <<<"$out")
crun=$(sed -n 's/^crun=//p' <<<"$out")
[ -n "$homo" ] || exit 1
echo "homo run in the VM (6.1, cgroup v2, TCG)|$homo|crun run (same VM)|$crun|ms"
