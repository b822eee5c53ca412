#!/bin/bash
# homo pull of a 3-layer image (the Debian minbase split into usr/, var/ +
# etc/, the rest) from docker-registry on 127.0.0.1 into an empty store,
# against skopeo copy docker://... oci:DIR (and podman pull if it is here)
# of the same image, 5 rounds interleaved on an ext4 loop image, medians.
# skopeo alone only stores the compressed blobs; "skopeo copy + umoci raw
# unpack" is the same work as homo's (the blobs fetched, verified,
# decompressed and written out as files), in two passes.
# Then a re-pull of the image with its top layer changed: only that layer
# is fetched. HOMO_BEFORE=another/homo times that build too, in the same
# rounds (a change's before and after).
set -eu
. "$(dirname "$0")/lib.sh"
DEB=${DEBIAN_TAR:-$PWD/build/images/debian.tar}
if [ ! -f "$DEB" ]; then
	images/debian/build.sh "$DEB" >&2 || { echo "homo pull registry (no image)|failed|||"; exit 0; }
fi
export RF=$BENCH_TMP/registry BATS_TEST_DIRNAME=$PWD/tests/integration
mkdir -p "$RF"
. tests/integration/registry_fixture.bash
loop_setup 4G
trap 'stop_registries; loop_cleanup' EXIT
start_registry bench open
w=$RF/split
mkdir -p "$w/root"
tar -xf "$DEB" -C "$w/root"
tar -cf "$w/l1.tar" -C "$w/root" usr
tar -cf "$w/l2.tar" -C "$w/root" var etc
tar -cf "$w/l3.tar" -C "$w/root" --exclude ./usr --exclude ./var --exclude ./etc .
echo changed >"$w/root/changed"
tar -cf "$w/l3b.tar" -C "$w/root" --exclude ./usr --exclude ./var --exclude ./etc .
rm -rf "$w/root"
python3 "$REGTOOL" push "$REG_bench" bench/debian:1 layer="$w/l1.tar" \
	layer="$w/l2.tar" layer="$w/l3.tar" arch=amd64 >/dev/null
python3 "$REGTOOL" push "$REG_bench" bench/debian:2 layer="$w/l1.tar" \
	layer="$w/l2.tar" layer="$w/l3b.tar" arch=amd64 >/dev/null
rm -f "$w"/*.tar
ref=$REG_bench/bench/debian
have_podman=""
command -v podman >/dev/null && have_podman=1
homo_t=() sk_t=() pm_t=() re_t=() be_t=() su_t=()
for i in 1 2 3 4 5; do
	root=$LOOP_DIR/homo$i
	homo_t+=("$(time_ms "$HOMO" --root "$root" --runroot "$BENCH_TMP/run" pull -q "$ref:1")")
	re_t+=("$(time_ms "$HOMO" --root "$root" --runroot "$BENCH_TMP/run" pull -q "$ref:2")")
	rm -rf "$root"
	if [ -n "${HOMO_BEFORE:-}" ]; then
		be_t+=("$(time_ms "$HOMO_BEFORE" --root "$root" --runroot "$BENCH_TMP/run" pull -q "$ref:1")")
		rm -rf "$root"
	fi
	sk_t+=("$(time_ms skopeo copy -q --src-tls-verify=false "docker://$ref:1" "oci:$LOOP_DIR/sk$i:x")")
	rm -rf "$LOOP_DIR/sk$i"
	su_t+=("$(time_ms sh -c 'skopeo copy -q --src-tls-verify=false "docker://$1" "oci:$2:x" &&
		umoci raw unpack --image "$2:x" "$3"' sh "$ref:1" "$LOOP_DIR/su$i" "$LOOP_DIR/su$i.rootfs")")
	rm -rf "$LOOP_DIR/su$i" "$LOOP_DIR/su$i.rootfs"
	if [ -n "$have_podman" ]; then
		pm_t+=("$(time_ms podman --root "$LOOP_DIR/pm$i" --runroot "$BENCH_TMP/pmrun" pull -q --tls-verify=false "$ref:1")")
		podman --root "$LOOP_DIR/pm$i" --runroot "$BENCH_TMP/pmrun" system reset -f >/dev/null 2>&1 || true
		rm -rf "$LOOP_DIR/pm$i"
	fi
	sync
done
h=$(printf '%s\n' "${homo_t[@]}" | median)
s=$(printf '%s\n' "${sk_t[@]}" | median)
r=$(printf '%s\n' "${re_t[@]}" | median)
size=$(stat -c %s "$DEB")
echo "homo pull registry, 3 layers ($((size >> 20)) MiB)|$h|skopeo copy to oci:|$s|ms"
su=$(printf '%s\n' "${su_t[@]}" | median)
echo "homo pull registry, 3 layers ($((size >> 20)) MiB)|$h|skopeo copy + umoci raw unpack|$su|ms"
if [ -n "$have_podman" ]; then
	p=$(printf '%s\n' "${pm_t[@]}" | median)
	echo "homo pull registry, 3 layers ($((size >> 20)) MiB)|$h|podman pull|$p|ms"
else
	echo "homo pull registry, 3 layers ($((size >> 20)) MiB)|$h|podman pull: skipped, not installed||ms"
fi
if [ -n "${HOMO_BEFORE:-}" ]; then
	b=$(printf '%s\n' "${be_t[@]}" | median)
	echo "homo pull registry, 3 layers ($((size >> 20)) MiB)|$h|HOMO_BEFORE's pull|$b|ms"
fi
echo "homo re-pull, top layer changed|$r|homo pull, all layers|$h|ms"
