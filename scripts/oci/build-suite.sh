#!/bin/sh
# Build the OCI runtime-tools validation suite (runtimetest and the
# validation/*/*.t programs) offline from its vendored source snapshot into a
# cache directory, once. Needs Go (Debian's golang-go 1.19); the homo build
# itself never needs any of this.
#   HOMO_RUNTIME_TOOLS_TAR  the source snapshot (default: the shared vendor copy)
#   HOMO_OCI_CACHE          where it is built (default: ~/.cache/homo/oci)
# Prints the suite's directory.
set -eu
TAR=${HOMO_RUNTIME_TOOLS_TAR:-/work/shared/vendor/runtime-tools-260e151.tar.gz}
CACHE=${HOMO_OCI_CACHE:-${HOME:-/root}/.cache/homo/oci}
SUM=$(sha256sum "$TAR" | cut -c1-16)
DIR=$CACHE/runtime-tools-$SUM

if [ -x "$DIR/runtimetest" ] && [ -f "$DIR/.built" ]; then
	echo "$DIR"
	exit 0
fi
command -v go >/dev/null || {
	echo "build-suite: go not found (apt-get install golang-go)" >&2
	exit 1
}
rm -rf "$DIR.tmp"
mkdir -p "$DIR.tmp"
tar -xzf "$TAR" -C "$DIR.tmp"
(
	cd "$DIR.tmp"
	export GOFLAGS=-mod=vendor GOPROXY=off GOCACHE="$CACHE/gocache"
	make runtimetest validation-executables >build.log 2>&1 ||
		{ tail -20 build.log >&2; exit 1; }
)
touch "$DIR.tmp/.built"
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
echo "$DIR"
