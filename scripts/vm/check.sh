#!/bin/bash
# make check-vm [--full [FILE.bats...]]: homo's integration tests in a scripts/vm/vm.sh
# guest (Debian 12's kernel 6.1, cgroup v2 alone), its summary line printed
# on the host. Without --full: only the tests where the cgroup version or
# the kernel matters, bounded to 15 minutes (TCG runs tests ~18x slower
# than the host); --full: the whole suite, or the files named. Status: the suite's.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The files, and (a bats regex) which of their tests: every test of
# cgroup.bats (limits, devices, delegation, kill) and cve.bats' cgroup
# namespace tests ("cgroup..."), OOM, --pids-limit and --cpus at work,
# commit's freeze guard, the user namespace tests that mount (the rest
# of userns.bats is id arithmetic the kernel has no say in), and rootless
# limits in a delegated v2 subtree (rootless_cgroup.bats), and the OCI
# runtime's v2 resources and nested cgroupsPath (oci_life.bats), the
# start's cgroup join (startup.bats: born in its cgroup2 one), and the veth
# guard and the published ports, whose nf_tables messages homo builds
# itself (net.bats). bats costs
# ~10 s a test under TCG on an idle machine, 40-60 s under a load of 15.
FILES="tests/integration/cgroup.bats tests/integration/userns.bats
tests/integration/run.bats tests/integration/cve.bats
tests/integration/commit.bats tests/integration/rootless_cgroup.bats
tests/integration/oci_life.bats tests/integration/startup.bats
tests/integration/net.bats"
FILTER="^cgroup|^a memory hog|^a fork bomb stops|limits are visible|\
commit a running|SIGKILL mid-commit|\
^--userns=auto: (root inside|commit and export)|\
^rootless cgroup v2: (-m in a delegated|--cpus in cpu.max)|\
^linux.resources on cgroup v2|\
^the init is born in its cgroup2|^homo-runtime create: the init is in|\
^the guard, built over netlink|^the kernel refuses the guard|\
^the guard's socket is closed by a child|^a container cannot forge|\
^published ports go over netlink|^a bridged start makes its network on a thread"
TIMEOUT=900
if [ "${1:-}" = --full ]; then
	shift
	FILES=${*:-$(echo tests/integration/*.bats)} FILTER="" TIMEOUT=7200
fi
TIMEOUT=${HOMO_VM_TIMEOUT:-$TIMEOUT} # seconds

images=$(realpath build/images)
shares=(--share "$PWD")
case "$images/" in "$PWD"/*) ;; *) shares+=(--share "$images") ;; esac
log=$(mktemp /tmp/homo-check-vm.XXXXXX)
trap 'rm -f "$log"' EXIT
t0=$EPOCHREALTIME
set +e
# HOMO_TEST_DIR: the guest's ext4, as --userns needs a store that 6.1 can
# idmap (tmpfs only from 6.3)
# shellcheck disable=SC2086
scripts/vm/vm.sh "${shares[@]}" --timeout "$TIMEOUT" --times -- \
	env HOMO_TEST_FILTER="$FILTER" HOMO_TEST_DIR=/var/tmp \
	tests/run.sh --integration $FILES \
	2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
printf 'check-vm%s: %s (kernel 6.1, cgroup v2; %.0f s)\n' \
	"$([ -z "$FILTER" ] && echo -full)" "${line:-no summary line}" \
	"$(echo "$EPOCHREALTIME - $t0" | bc)"
exit "$rc"
