#!/bin/bash
# crun run of a busybox bundle, median ms of N runs. crun refuses this
# machine's hybrid cgroup layout (cgroup2 "unified" holding hugetlb), so it
# runs in a private mount namespace where an empty tmpfs hides that mount;
# the host is unchanged.
set -eu
. "$(dirname "$0")/lib.sh"
N=${1:-100}
command -v crun >/dev/null || exit 1
b=$BENCH_TMP/bundle
rm -rf "$b"
mkdir -p "$b/rootfs"
tar -xf "$BUSYBOX_TAR" -C "$b/rootfs"
(cd "$b" && crun spec && jq '.process.args = ["true"] | .process.terminal = false | .root.readonly = false' config.json >c && mv c config.json)
unshare -m --propagation private bash -c '
	. "$1/lib.sh"
	mount -t tmpfs tmpfs /sys/fs/cgroup/unified
	for i in 1 2 3 4 5; do crun run -b "$2" w$i >/dev/null 2>&1; done
	# a fixed container name: crun deletes it at exit, hyperfine reruns it
	hf_median "$3" crun run -b "$2" bench
' _ "$(dirname "$0")" "$b" "$N"
