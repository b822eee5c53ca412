#!/bin/sh
# make check-oci: run every runtime-tools validation program against an OCI
# runtime and print the totals ("N ok (N skipped), N not ok, over N
# programs, N s"). Per-program TAP goes to $OUT/<name>.tap.
#   RUNTIME   absolute path of the runtime (default: build/homo-runtime)
#   OUT       where the TAP files go (default: build/oci-check/<runtime name>)
# The suite is built once into a cache by build-suite.sh (needs Go).
# It runs in a private mount namespace; on a hybrid cgroup host (controllers
# bound on /sys/fs/cgroup/unified) a tmpfs hides that mount there, which
# crun needs (see docs/oci.md).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RUNTIME=${RUNTIME:-$(pwd)/build/homo-runtime}
case $RUNTIME in /*) ;; *) RUNTIME=$(pwd)/$RUNTIME ;; esac
[ -x "$RUNTIME" ] || { echo "check-oci: $RUNTIME: not executable" >&2; exit 1; }
OUT=${OUT:-$(pwd)/build/oci-check/$(basename "$RUNTIME")}
SUITE=$("$HERE/build-suite.sh")

if [ "${HOMO_OCI_IN_NS:-}" != 1 ]; then
	HOMO_OCI_IN_NS=1 RUNTIME=$RUNTIME OUT=$OUT exec unshare -m \
	    --propagation private "$0" "$@"
fi
U=/sys/fs/cgroup/unified
if [ -n "$(cat "$U/cgroup.controllers" 2>/dev/null)" ]; then
	mount -t tmpfs none "$U"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
# the programs make their bundles in TMPDIR (Go's os.TempDir()) and leave
# some behind (/tmp/ocitest*, one or more a run): a dir of this run's own,
# removed at the end; searchable by a user namespace's root, as /tmp is
TMPDIR=$(mktemp -d /tmp/homo-oci-check.XXXXXX)
chmod 755 "$TMPDIR"
export TMPDIR
# the programs' fixed cgroupsPaths (/cgrouptest, testdir/cgrouptest/
# container from each hierarchy's root): a runtime removes the container's
# cgroup, not every parent it made on the way (testdir was left after each
# run); rmdir takes only empty ones
cleanup() {
	# a container a runtime failed to delete keeps its rootfs mounts in
	# its bundle (this private namespace's), which rm -rf cannot remove
	awk -v t="$TMPDIR/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$TMPDIR"
	for h in /sys/fs/cgroup/*/; do
		for d in testdir/cgrouptest/container testdir/cgrouptest testdir \
		    cgrouptest; do
			rmdir "$h$d" 2>/dev/null || true
		done
	done
}
trap cleanup EXIT
cd "$SUITE"
start=$(date +%s)
progs=0
for t in validation/*/*.t; do
	name=$(basename "$t" .t)
	progs=$((progs + 1))
	RUNTIME=$RUNTIME timeout 300 "./$t" >"$OUT/$name.tap" 2>"$OUT/$name.err" ||
		echo "# $name: exit $?" >>"$OUT/$name.tap"
done
end=$(date +%s)
cd "$OUT"
ok=$(cat ./*.tap | grep -c '^ok' || true)
skip=$(cat ./*.tap | grep -c '^ok.*# [Ss][Kk][Ii][Pp]' || true)
notok=$(cat ./*.tap | grep -c '^not ok' || true)
noplan=0
for f in ./*.tap; do
	grep -q '^1\.\.[0-9]' "$f" || noplan=$((noplan + 1))
done
grep -H '^not ok' ./*.tap | sed 's#^\./##' >not-ok.txt || true
echo "$ok ok ($skip skipped), $notok not ok, over $progs programs" \
    "($noplan without a TAP plan), $((end - start)) s: $(basename "$RUNTIME")"
