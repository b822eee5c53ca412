#!/bin/bash
# homo pull of the Debian minbase tarball vs GNU tar -xf of the same file,
# both into a fresh directory on an ext4 loop image on tmpfs, 5 rounds
# interleaved, medians. The tarball is in the page cache (as after a download).
set -eu
. "$(dirname "$0")/lib.sh"
DEB=${DEBIAN_TAR:-$PWD/build/images/debian.tar}
if [ ! -f "$DEB" ]; then
	images/debian/build.sh "$DEB" >&2 || { echo "homo pull debian (no image)|failed|||"; exit 0; }
fi
loop_setup 2G
trap loop_cleanup EXIT
cat "$DEB" >/dev/null
homo_t=() tar_t=()
for i in 1 2 3 4 5; do
	root=$LOOP_DIR/homo$i dest=$LOOP_DIR/tar$i
	mkdir -p "$dest"
	homo_t+=("$(time_ms "$HOMO" --root "$root" --runroot "$BENCH_TMP/run" pull -q "$DEB" debian)")
	tar_t+=("$(time_ms tar -xf "$DEB" -C "$dest")")
	rm -rf "$root" "$dest"
	sync
done
h=$(printf '%s\n' "${homo_t[@]}" | median)
t=$(printf '%s\n' "${tar_t[@]}" | median)
size=$(stat -c %s "$DEB")
echo "homo pull debian minbase ($((size >> 20)) MiB)|$h|tar -xf|$t|ms"
