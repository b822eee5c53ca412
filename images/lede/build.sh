#!/bin/sh
# Build an OpenWrt/LEDE-like test image: the busybox image plus the files
# that identify LEDE 17.01.2 and a stand-in opkg (see ./opkg).
#
#   images/lede/build.sh OUT.tar PROBE
#
# The base tree, packing and cleanup are images/busybox/build.sh's; this
# only supplies the hook (./customize.sh) that it runs on the tree.
set -eu
[ $# -eq 2 ] || {
	echo "usage: $0 OUT.tar PROBE" >&2
	exit 1
}
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../busybox/build.sh" "$1" "$2" "$here/customize.sh"
