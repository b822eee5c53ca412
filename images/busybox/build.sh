#!/bin/sh
# Build the busybox test image: a tiny rootfs tarball made from Debian's
# static busybox (package busybox-static) plus the test probe.
#
#   images/busybox/build.sh OUT.tar PROBE [HOOK]
#
# PROBE is the static probe binary (build/probe); it becomes /bin/probe.
# HOOK, if given, is run as "HOOK TREE" on the finished tree before it is
# packed, so other images (images/lede) reuse this base instead of copying
# it. The tarball is deterministic: sorted names, mtime 0, numeric owners
# taken from the tree, which is built as root so that chown works.
set -eu

die() {
	echo "build.sh: $*" >&2
	exit 1
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: $0 OUT.tar PROBE [HOOK]"
fi
out=$1
probe=$2
hook=${3-}
busybox=${BUSYBOX:-/bin/busybox}

[ "$(id -u)" = 0 ] || die "must run as root (the tree needs real owners)"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "needs GNU tar"
[ -x "$busybox" ] || die "$busybox missing: apt-get install busybox-static"
[ -f "$probe" ] || die "$probe: no such probe binary"
# The image has no libc: anything dynamic would fail there with ENOENT.
for bin in "$busybox" "$probe"; do
	[ "$(head -c 4 "$bin" | tail -c 3)" = ELF ] || die "$bin: not an ELF binary"
	if ldd "$bin" >/dev/null 2>&1; then
		die "$bin is dynamically linked; the image needs static binaries"
	fi
done
[ -z "$hook" ] || [ -x "$hook" ] || die "$hook: not executable"

# Absolute paths: a bare HOOK name would otherwise be looked up in $PATH.
probe=$(realpath "$probe")
[ -z "$hook" ] || hook=$(realpath "$hook")
mkdir -p "$(dirname "$out")"
tmpout=$out.tmp.$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homo-image.XXXXXX")
trap 'rm -rf "$tmp" "$tmpout"' EXIT
trap 'exit 1' HUP INT TERM
umask 022

# build_tree DIR: the common busybox root filesystem.
build_tree() {
	root=$1

	mkdir -m 0755 "$root"
	for d in bin sbin usr usr/bin usr/sbin etc var run mnt proc sys dev \
		home; do
		mkdir -m 0755 "$root/$d"
	done
	mkdir -m 0700 "$root/root"
	mkdir -m 1777 "$root/tmp"
	mkdir -m 0755 "$root/home/homo"
	chown 1000:1000 "$root/home/homo"

	install -m 0755 "$busybox" "$root/bin/busybox"
	install -m 0755 "$probe" "$root/bin/probe"
	# One absolute symlink per applet, where busybox itself would put it
	# with --install (bin/sh, usr/bin/env, ...). bin/busybox is listed too.
	"$busybox" --list-full | while read -r applet; do
		case $applet in
		bin/busybox | "") continue ;;
		esac
		mkdir -p "$root/$(dirname "$applet")"
		ln -s /bin/busybox "$root/$applet"
	done
	[ -L "$root/bin/sh" ] || die "busybox has no sh applet"

	cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
homo:x:1000:1000:homo:/home/homo:/bin/sh
EOF
	cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
tty:x:5:
staff:x:50:homo
nogroup:x:65534:
homo:x:1000:
EOF
	chmod 0644 "$root/etc/passwd" "$root/etc/group"
}

build_tree "$tmp/root"
[ -z "$hook" ] || "$hook" "$tmp/root"

# Owners and modes come from the tree; only the times are normalised.
tar --create --file="$tmpout" --directory="$tmp/root" --format=gnu \
	--sort=name --mtime=@0 --numeric-owner .
mv -f "$tmpout" "$out"
