#!/bin/bash
# homo as an OCI runtime under the engines (docs/oci.md, issue 18): start-
# to-exit of "podman run --rm --network none IMG true" and of "ctr run --rm
# IMG true" with --runtime / --runc-binary homo-runtime, crun and runc,
# in interleaved rounds (one run of each per round: the machine's load
# falls on all alike), medians; and the runtime-tools validation suite's
# wall time for each runtime (scripts/oci/check.sh's figure). The engines'
# set-up is the tests' (tests/engines/engines.bash: private containerd and
# podman store, their own mount namespace). A runtime that cannot run the
# container gets "n/a (why)", not a number.
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_OCI_RUNS:-20}
HOMO_RT=$(dirname "$HOMO")/homo-runtime
. "$(dirname "$0")/../../tests/engines/engines.bash"
for c in podman containerd ctr crun runc; do
	command -v "$c" >/dev/null || {
		echo "podman/ctr run --rm true|n/a ($c not installed: scripts/install-deps.sh --engines)|||ms"
		exit 0
	}
done
export RUNTIME=$HOMO_RT
engines_setup_file >&2
trap 'engines_teardown_file' EXIT
declare -A rt=([homo]=$HOMO_RT [crun]=$(command -v crun) [runc]=$(command -v runc))
names=(homo crun runc)

# one timed start of each engine with runtime $1; ctr's ids must differ
pod_true() { RUNTIME=$1 time_ms pod run --rm --network none "$IMG" true; }
ctr_true() { time_ms hctr run --rm --runc-binary "$1" "$IMG" "b$2" true; }

# a runtime that cannot run the container: why, in a few words
declare -A why=()
for n in "${names[@]}"; do
	if ! out=$(RUNTIME=${rt[$n]} pod run --rm --network none "$IMG" true 2>&1); then
		# the runtime's own words, as the engine relays them
		why[$n]="n/a ($n: $(printf '%s' "$out" | tail -1 |
			sed 's/.*OCI runtime error: //; s#^/[^:]*: ##; s/ (.*//' |
			cut -c1-50))"
	fi
done

declare -A pod_ms=() ctr_ms=()
for i in $(seq "$N"); do
	for n in "${names[@]}"; do
		[ -z "${why[$n]:-}" ] || continue
		# a failed run counts no figure
		v=$(pod_true "${rt[$n]}") || v=""
		pod_ms[$n]+="$v "
		v=$(ctr_true "${rt[$n]}" "$i$n") || v=""
		ctr_ms[$n]+="$v "
	done
done
med() {
	if [ -n "${why[$1]:-}" ]; then
		echo "${why[$1]}"
	else
		tr ' ' '\n' <<<"$2" | grep . | median
	fi
}
for peer in crun runc; do
	echo "podman run --rm --network none true ($N)|$(med homo "${pod_ms[homo]:-}")|podman, $peer|$(med "$peer" "${pod_ms[$peer]:-}")|ms"
	echo "ctr run --rm true ($N)|$(med homo "${ctr_ms[homo]:-}")|ctr, $peer|$(med "$peer" "${ctr_ms[$peer]:-}")|ms"
done

# the validation suite (builds once with Go into a cache; n/a without it;
# BENCH_OCI_SUITE=0 leaves it out: it takes minutes)
suite() {
	local line
	line=$(RUNTIME=$1 OUT=$BENCH_TMP/oci-check-$2 \
		"$(dirname "$0")/../oci/check.sh" 2>/dev/null | tail -1) || return 1
	[[ $line =~ ,\ ([0-9]+)\ s: ]] || return 1
	echo "${BASH_REMATCH[1]}"
}
if [ "${BENCH_OCI_SUITE:-1}" != 0 ]; then
	crun_s=$(suite "${rt[crun]}" crun || echo "n/a (scripts/oci/check.sh failed)")
	runc_s=$(suite "${rt[runc]}" runc || echo "n/a (scripts/oci/check.sh failed)")
	homo_s=${why[homo]:-$(suite "$HOMO_RT" homo || echo "n/a (scripts/oci/check.sh failed)")}
	echo "runtime-tools validation suite, wall|$homo_s|crun|$crun_s|s"
	echo "runtime-tools validation suite, wall|$homo_s|runc|$runc_s|s"
fi
