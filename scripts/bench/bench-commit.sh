#!/bin/bash
# homo commit of a container that wrote 200 MB in 2,000 files vs cp -a of
# the same upperdir into a new directory on the same filesystem; homo save
# of an image vs tar -cz of its layer directory. Store on tmpfs (/dev/shm),
# both sides in the same run, hyperfine medians.
set -eu
. "$(dirname "$0")/lib.sh"
root=$BENCH_TMP/cm-root run=$BENCH_TMP/cm-run
H=("$HOMO" --root "$root" --runroot "$run")
RUNS=${BENCH_RUNS:-7}
cleanup() {
	"${H[@]}" rm -f cm >/dev/null 2>&1 || true
	rm -rf "$root" "$run" "$BENCH_TMP/cm-cp" "$BENCH_TMP/cm-out"
}
trap cleanup EXIT
# hf_median with a command run before each timed one (not timed)
hf_median_prep() { # N PREPARE CMD
	local json=$BENCH_TMP/hf.json
	hyperfine -N --warmup 1 --runs "$1" --prepare "$2" --export-json "$json" "$3" >/dev/null 2>&1 || return 1
	jq -r '.results[0].median * 1000 | . * 1000 | round / 1000' "$json"
}
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
# 20 directories of 100 files of 100 KiB (that do not compress)
"${H[@]}" run --net none --name cm busybox sh -c '
	for d in $(seq 20); do
		mkdir -p /data/$d
		for f in $(seq 100); do head -c 102400 /dev/urandom >/data/$d/$f; done
	done' >/dev/null
upper=$(ls -d "$root"/containers/*/upper)
mb=$(du -sm "$upper" | cut -f1)

# each commit makes its layer anew: the image and its layer go before
# every run (a commit of content already stored would still copy it all)
"${H[@]}" commit -q cm cm:bench >/dev/null
c=$(hf_median_prep "$RUNS" "${H[*]} rmi cm:bench" "${H[*]} commit -q cm cm:bench")
p=$(hf_median_prep "$RUNS" "rm -rf $BENCH_TMP/cm-cp" "cp -a $upper $BENCH_TMP/cm-cp")
echo "homo commit, ${mb} MB in 2000 files (tmpfs)|$c|cp -a upper/|$p|ms"

# save: one image, its layer gzip'd, against tar -cz of the layer's dir
save_row() { # IMAGE LABEL
	local top s t
	top=$("${H[@]}" inspect "$1" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1 | cut -d: -f2)
	s=$(hf_median "$RUNS" "${H[*]} save -q -o $BENCH_TMP/cm-out $1")
	t=$(hf_median "$RUNS" "tar -cz -f $BENCH_TMP/cm-out -C $root/layers/$top/diff .")
	echo "homo save $2|$s|tar -cz of the layer|$t|ms"
}
save_row busybox "busybox ($(($(stat -c %s "$BUSYBOX_TAR") >> 20)) MiB)"
DEB=${DEBIAN_TAR:-$PWD/build/images/debian.tar}
if [ -f "$DEB" ]; then
	"${H[@]}" pull -q "$DEB" debian >/dev/null
	save_row debian "debian minbase ($(($(stat -c %s "$DEB") >> 20)) MiB)"
fi
