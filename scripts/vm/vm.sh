#!/bin/bash
# vm.sh: run one command inside a throwaway QEMU guest booted on Debian 12's
# kernel (6.1) with cgroup v2 alone at /sys/fs/cgroup (cgroup_no_v1=all, as
# a systemd host has it), no network device, host directories shared in by
# 9p at their own paths; print its output and exit with its status.
#
#   scripts/vm/vm.sh [--share DIR]... [--timeout SEC] [--times] [--] CMD...
#   scripts/vm/vm.sh --build        build (or check) the cache only
#
# The command starts in the first share (default: the current directory).
# Exit status: the command's; 124 on timeout; 125 when the guest gave none.
# Cache ($HOMO_VM_CACHE, default /var/cache/homo-vm, outside any checkout):
# vmlinux (booted through its PVH entry: under TCG 2.5 s faster than the
# bzImage), initrd.gz (static busybox, the modules to mount the root and
# the 9p shares, scripts/vm/init as /init) and rootfs.ext4 (mmdebstrap
# minbase with homo's runtime and test dependencies), which the guest gets
# with snapshot=on: its writes are thrown away. Packages:
# scripts/install-deps.sh --vm. docs/testing.md says more.
set -euo pipefail

HERE=$(dirname "$(realpath "$0")")
CACHE=${HOMO_VM_CACHE:-/var/cache/homo-vm}
# Bump when the package list or the build below changes.
CACHE_VERSION=3
GUEST_PKGS="libcap2,libarchive13,libcurl4,libjansson4,libnl-3-200,\
libnl-route-3-200,libseccomp2,libnftables1,libssl3,libcmocka0,busybox-static,\
bats,iproute2,kmod,nftables,util-linux,bsdextrautils,xz-utils,zstd,bzip2,\
gzip,procps,skopeo,umoci,python3,jq,openssl,curl,crun,make,ca-certificates,strace,\
uidmap,slirp4netns,passt,docker-registry,apache2-utils"
INITRD_MODS="virtio_pci virtio_blk ext4 9pnet_virtio 9p"
SHARES=() TIMEOUT=3600 TIMES=0 BUILD_ONLY=0

die() { echo "vm: $*" >&2; exit 125; }
log() { echo "vm: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--share) SHARES+=("$(realpath "$2")"); shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--times) TIMES=1; shift ;;
	--build) BUILD_ONLY=1; shift ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, 9p passthrough)"
[ "$BUILD_ONLY" = 1 ] || [ $# -gt 0 ] || die "no command given"
"$HERE/../install-deps.sh" --vm >/dev/null

# The first xz or zstd stream of the bzImage that unpacks to an ELF file
# (what the kernel's scripts/extract-vmlinux does).
extract_vmlinux() { # bzImage out
	local magic pos tool
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd'; do
		tool=${magic##*:}
		for pos in $(LC_ALL=C grep -obUaP "${magic%:*}" "$1" | cut -d: -f1); do
			tail -c +$((pos + 1)) "$1" | $tool -dcq 2>/dev/null >"$2" || true
			[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ] && return 0
		done
	done
	return 1
}

build_cache() {
	local tmp=$CACHE/build.tmp kpkg kver m
	rm -rf "$tmp"
	mkdir -p "$tmp/dl" "$tmp/k" "$tmp/ir/bin" "$tmp/ir/mod"
	chmod 777 "$tmp/dl" # apt-get download runs as _apt
	[ -n "$(apt-cache policy linux-image-amd64 | awk '/Candidate:/ {print $2}')" ] ||
		apt-get update -qq
	kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
	[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64"
	kver=${kpkg#linux-image-}
	log "building the cache in $CACHE: kernel $kpkg, root filesystem"
	(cd "$tmp/dl" && apt-get download -q "$kpkg" >/dev/null)
	dpkg-deb -x "$tmp"/dl/*.deb "$tmp/k"
	depmod -b "$tmp/k" "$kver"
	extract_vmlinux "$tmp/k/boot/vmlinuz-$kver" "$tmp/vmlinux" ||
		die "no vmlinux in vmlinuz-$kver"
	# the initramfs: static busybox and the modules, in load order
	cp /bin/busybox "$tmp/ir/bin/"
	for m in $INITRD_MODS; do
		modprobe -d "$tmp/k" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r m; do
		cp "$m" "$tmp/ir/mod/"
		basename "$m" >>"$tmp/ir/modules"
	done
	mmdebstrap --quiet --variant=minbase --include="$GUEST_PKGS" bookworm "$tmp/root"
	mkdir -p "$tmp/root/lib/modules" "$tmp/root/vmctl"
	cp -a "$tmp/k/lib/modules/$kver" "$tmp/root/lib/modules/"
	depmod -b "$tmp/root" "$kver"
	echo homo-vm >"$tmp/root/etc/hostname"
	printf '127.0.0.1 localhost homo-vm\n::1 localhost\n' >"$tmp/root/etc/hosts"
	mke2fs -q -t ext4 -d "$tmp/root" "$tmp/rootfs.ext4" 4G
	rm -rf "$tmp/root" "$tmp/k" "$tmp/dl" "$CACHE/initrd-base"
	mv "$tmp/ir" "$CACHE/initrd-base"
	mv "$tmp/vmlinux" "$tmp/rootfs.ext4" "$CACHE/"
	echo "$CACHE_VERSION $kver" >"$CACHE/version"
	rmdir "$tmp"
}

# initrd.gz: initrd-base plus scripts/vm/init, remade when init changes
make_initrd() {
	cp "$HERE/init" "$CACHE/initrd-base/init"
	chmod 755 "$CACHE/initrd-base/init"
	(cd "$CACHE/initrd-base" && find . | cpio -H newc -o --quiet | gzip -1) \
		>"$CACHE/initrd.gz.tmp"
	mv "$CACHE/initrd.gz.tmp" "$CACHE/initrd.gz"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # one build at a time; runs share the files read-only
if [ "$(cut -d' ' -f1 "$CACHE/version" 2>/dev/null)" != "$CACHE_VERSION" ]; then
	t0=$EPOCHREALTIME
	build_cache
	make_initrd
	log "cache built in $(printf %.0f "$(echo "$EPOCHREALTIME - $t0" | bc)") s ($(du -sh "$CACHE" | cut -f1))"
elif [ "$HERE/init" -nt "$CACHE/initrd.gz" ]; then
	make_initrd
fi
flock -u 9
[ "$BUILD_ONLY" = 1 ] && exit 0

[ ${#SHARES[@]} -gt 0 ] || SHARES=("$PWD")
run=$(mktemp -d /tmp/homo-vm.XXXXXX)
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# the command for the guest's bash, and the shares' paths (tags share0...)
{
	printf 'cd %q\n' "${SHARES[0]}"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$run/cmd"
printf '%s\n' "${SHARES[@]}" >"$run/shares"

# KVM only where the CPU can (here /dev/kvm exists but there is no vmx)
accel=(-accel tcg,thread=multi -cpu max)
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=(-accel kvm -cpu host)
fi
# ttyS0: the kernel's console, to a file; ttyS1: the command's output
qemu=(qemu-system-x86_64 "${accel[@]}" -smp "$(nproc)" -m 2048
	-nodefaults -no-user-config -display none -no-reboot -M pc
	-kernel "$CACHE/vmlinux" -initrd "$CACHE/initrd.gz"
	-append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all"
	-drive "file=$CACHE/rootfs.ext4,format=raw,if=virtio,snapshot=on,cache=unsafe"
	-virtfs "local,path=$run,mount_tag=vmctl,security_model=none")
for i in "${!SHARES[@]}"; do
	[ -d "${SHARES[$i]}" ] || die "no directory ${SHARES[$i]}"
	qemu+=(-virtfs "local,path=${SHARES[$i]},mount_tag=share$i,security_model=passthrough")
done
qemu+=(-serial "file:$run/console.log" -serial stdio)

t0=$EPOCHREALTIME
# TMPDIR: where snapshot=on keeps its (unlinked) overlay of the rootfs.
# timeout passes our kill on to qemu (cleanup) and exits 124 on its own;
# should this script be SIGKILLed, the parent-death signals take both down.
TMPDIR=/var/tmp setpriv --pdeathsig KILL timeout "$TIMEOUT" \
	setpriv --pdeathsig KILL "${qemu[@]}" </dev/null 2>"$run/qemu.err" &
qpid=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=""
if [ "$TIMES" = 1 ]; then
	log "$(printf 'qemu ran %.1f s; guest reached its command at uptime %s s' \
		"$(echo "$EPOCHREALTIME - $t0" | bc)" \
		"$(sed -n 's/^homovm: command at uptime \([0-9.]*\).*/\1/p' "$run/console.log")")"
fi
if [ "$qrc" = 124 ]; then
	log "timed out after $TIMEOUT s"
	exit 124
fi
[ -s "$run/rc" ] && exit "$(cat "$run/rc")"
log "the guest reported no exit status (qemu status $qrc); console tail:"
tail -n 20 "$run/console.log" >&2 || true
cat "$run/qemu.err" >&2 || true
exit 125
