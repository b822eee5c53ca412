#!/bin/sh
# make demo: pull the embedded busybox image into a throwaway store and run
# a container from it. Leaves nothing behind.
set -eu
HOMO=$1 TAR=$2
DIR=$(mktemp -d /tmp/homo-demo.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
export HOMO_ROOT="$DIR/root" HOMO_RUNROOT="$DIR/run"
# The demo leaves the host's network alone: no homo0 bridge, no nft table
# (docs/network.md shows bridge networking inside a namespace of its own).
export HOMO_NETWORK_DEFAULT=none

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$HOMO" pull "$TAR" busybox
step "$HOMO" images
step "$HOMO" run --rm --hostname demo busybox sh -c \
	'echo "hello from $(hostname), I am PID $$"; ps; id; ls /'
step "$HOMO" run --rm -m 32m --pids-limit 20 busybox \
	sh -c 'echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"; echo "pids limit: $(cat /sys/fs/cgroup/pids/pids.max)"'
step "$HOMO" run --name demo-box busybox sh -c 'echo changed > /etc/motd'
step "$HOMO" run -d --name demo-svc busybox sh -c \
	'while :; do echo "tick $(date +%T)"; sleep 1; done'
sleep 1.2
step "$HOMO" logs demo-svc
step "$HOMO" exec demo-svc ps
step "$HOMO" ps -a
step "$HOMO" stop -t 1 demo-svc
step "$HOMO" commit -m "a motd" demo-box busybox:motd
step "$HOMO" run --rm busybox:motd cat /etc/motd
step "$HOMO" run --rm busybox sh -c 'unshare -U true || echo "seccomp: unshare refused"'
step "$HOMO" rm demo-box demo-svc
step "$HOMO" system check
echo
echo "demo done: the store in $DIR is removed on exit."
