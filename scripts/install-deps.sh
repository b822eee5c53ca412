#!/bin/sh
# Install everything homo needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are left alone. This is the only place
# package names appear.
set -eu

PKGS="build-essential pkg-config
      libcap-dev libarchive-dev libcurl4-openssl-dev libjansson-dev libisal-dev
      libnl-3-dev libnl-route-3-dev libssl-dev libseccomp-dev
      libnftables-dev nftables
      libcmocka-dev bats busybox-static
      util-linux bsdextrautils iproute2 kmod xz-utils zstd bzip2 gzip
      clang clang-format skopeo umoci jq openssl strace
      docker-registry apache2-utils python3 curl uidmap passt slirp4netns"

# Packages only the optional suites need (slow suite, benchmarks, VM).
case "${1:-}" in
--bench | --slow) PKGS="$PKGS mmdebstrap crun hyperfine time e2fsprogs" ;;
# make check-vm: QEMU, and what scripts/vm/build.sh makes its cache with
--vm) PKGS="$PKGS qemu-system-x86 mmdebstrap e2fsprogs cpio" ;;
# make check-engines: Podman and containerd driving an OCI runtime (podman
# pulls in conmon and golang-github-containers-common, containerd runc;
# neither starts a daemon)
--engines) PKGS="$PKGS podman containerd runc crun" ;;
# make check-oci: Go builds the vendored runtime-tools validation suite
--oci) PKGS="$PKGS golang-go" ;;
esac

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
