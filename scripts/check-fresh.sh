#!/bin/bash
# make check-fresh: prove the README's first commands work on a fresh
# Debian 12. Builds a minbase bookworm root with mmdebstrap (no -dev
# package, no pkg-config, no git; make added, as the README asks), copies a
# clone of HEAD into it and runs,
# as root in a chroot with /proc, /sys (cgroups included) and /dev:
#
#   make demo && make check-unit     (default)
#   make check                       (--full; too slow for CI)
#
# The chroot shares the host's network namespace so that apt can reach the
# mirror; the demo itself runs containers with no network
# (HOMO_NETWORK_DEFAULT=none in scripts/demo.sh), and this script fails if
# the homo0 bridge appeared on the host. The mirror is the one the host's
# apt sources name for bookworm, never another. Everything made here (mounts,
# processes, the temp dir) is removed on every exit path.
set -eu
cd "$(dirname "$0")/.."

die() {
	echo "check-fresh: $*" >&2
	exit 1
}

cmds="make demo && make check-unit"
[ "${1:-}" = --full ] && cmds="make check"
[ "$(id -u)" = 0 ] || die "must run as root (chroot, mounts)"
command -v mmdebstrap >/dev/null || die "needs mmdebstrap: scripts/install-deps.sh --slow"
rev=$(git rev-parse HEAD)
git diff --quiet HEAD || echo "check-fresh: testing HEAD $rev; uncommitted changes are not in it" >&2

# Same filesystem as the host's /tmp, not a tmpfs: the build needs ~1 GB.
work=$(mktemp -d /var/tmp/homo-fresh.XXXXXX)
root=$work/root

# Processes whose root is the chroot: ours, started inside it.
chroot_pids() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case "$r" in "$root" | "$root"/*) echo "${p#/proc/}" ;; esac
	done
}

cleanup() {
	local rc=$? pids m n
	trap - EXIT INT TERM HUP
	for n in 1 2 3; do
		pids=$(chroot_pids)
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 1
	done
	# Deepest first; the mounts are slaves, so nothing propagates back.
	for n in 1 2 3; do
		m=$(findmnt -rn -o TARGET | grep -F "$work/" | sort -r) || true
		[ -n "$m" ] || break
		printf '%s\n' "$m" | while IFS= read -r t; do
			umount "$t" 2>/dev/null || umount -l "$t" 2>/dev/null || true
		done
	done
	if findmnt -rn -o TARGET | grep -qF "$work/"; then
		# Never rm -rf over a bound /dev or /sys.
		echo "check-fresh: mounts left under $work, not removing it" >&2
		rc=1
	else
		rm -rf --one-file-system "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The host's bookworm sources: deb822 stanzas and one-line entries.
mirrors=()
n=0
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	     /(^|\n)Suites:[^\n]*[ \t]bookworm(-[a-z]+)?([ \t]|\n|$)/' \
		"$f" >"$work/$n.sources"
	[ -s "$work/$n.sources" ] && mirrors+=("$work/$n.sources")
done
while IFS= read -r l; do
	mirrors+=("$l")
done < <(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	2>/dev/null | grep -E '^deb[ \t]+(\[[^]]*\][ \t]+)?[^ \t]+[ \t]+bookworm(-[a-z]+)?[ \t]' || true)
[ ${#mirrors[@]} -gt 0 ] || die "no bookworm source in the host's apt sources"

# The host's apt settings (proxies, Check-Valid-Until) go along.
aptopts=()
for f in /etc/apt/apt.conf.d/*; do
	[ -f "$f" ] && grep -q '^[^/#]*Acquire' "$f" && aptopts+=("--aptopt=$f")
done

homo0_before=$(ip link show homo0 >/dev/null 2>&1 && echo yes || echo no)
start=$(date +%s)
echo "check-fresh: mmdebstrap --variant=minbase bookworm (${#mirrors[@]} sources)"
mmdebstrap --quiet --variant=minbase --mode=root --include=make \
	"${aptopts[@]}" \
	bookworm "$root" "${mirrors[@]}"
if chroot "$root" dpkg-query -W -f='${Package}\n' | grep -E -- '-dev$|^pkg-config$|^git$'; then
	die "the minbase root is not bare: it has the packages above"
fi

git clone -q --no-checkout . "$root/root/homo"
git -C "$root/root/homo" checkout -q --detach "$rev"

# A real machine's / is a mount point; homo makes it private, which a plain
# directory is not: bind the root onto itself.
mount --bind "$root" "$root"
mount --make-private "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

echo "check-fresh: in the chroot, at $rev: $cmds"
rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM="${TERM:-dumb}" \
	/bin/sh -c "cd /root/homo && $cmds" || rc=$?
echo "check-fresh: $cmds: status $rc after $(($(date +%s) - start))s"

if [ "$homo0_before" = no ] && ip link show homo0 >/dev/null 2>&1; then
	echo "check-fresh: the host has a homo0 bridge now" >&2
	rc=1
fi
exit "$rc"
