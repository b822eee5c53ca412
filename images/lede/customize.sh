#!/bin/sh
# Hook for images/busybox/build.sh: turn the busybox tree at $1 into a
# LEDE 17.01.2 look-alike. Runs as root on the unpacked tree.
set -eu
root=$1
here=$(cd "$(dirname "$0")" && pwd)
umask 022

cat >"$root/etc/openwrt_release" <<'EOT'
DISTRIB_ID='LEDE'
DISTRIB_RELEASE='17.01.2'
DISTRIB_REVISION='r3435-65eec8bd5f'
DISTRIB_TARGET='x86/64'
DISTRIB_ARCH='x86_64'
DISTRIB_DESCRIPTION='LEDE Reboot 17.01.2 r3435-65eec8bd5f'
DISTRIB_TAINTS=''
EOT
echo r3435-65eec8bd5f >"$root/etc/openwrt_version"

# LEDE's login shell; busybox lists it already, but the image promises it.
ln -sfn /bin/busybox "$root/bin/ash"
install -m 0755 "$here/opkg" "$root/bin/opkg"
mkdir -p "$root/usr/lib/opkg/info" "$root/usr/share"
