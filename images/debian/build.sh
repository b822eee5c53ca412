#!/bin/sh
# Build the Debian test image for the slow suite: a bookworm minbase rootfs
# tarball made by mmdebstrap (downloads about 40 MB from the Debian mirror).
#
#   images/debian/build.sh OUT.tar
#
# An existing OUT.tar is kept: the image is cached between runs. MIRROR
# overrides the mirror (default deb.debian.org).
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 OUT.tar" >&2
	exit 1
}
out=$1
if [ -e "$out" ]; then
	echo "build.sh: $out exists, not rebuilding" >&2
	exit 0
fi
[ "$(id -u)" = 0 ] || {
	echo "build.sh: must run as root (mmdebstrap root mode)" >&2
	exit 1
}

mkdir -p "$(dirname "$out")"
# Never leave a half-written tarball where the cache would trust it.
tmpout=$out.tmp.$$
trap 'rm -f "$tmpout"' EXIT
trap 'exit 1' HUP INT TERM

# --format=tar: the temporary name has no .tar suffix to guess it from.
mmdebstrap --variant=minbase --format=tar bookworm "$tmpout" \
	"${MIRROR:-http://deb.debian.org/debian}"
mv -f "$tmpout" "$out"
