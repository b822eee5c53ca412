#!/bin/bash
# Test runner: the cmocka unit tests and the bats integration tests, all as
# TAP, counted together. The last line is "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mode=${1:---all}

pass=0 fail=0 skip=0
failed_names=()

count() { # reads TAP on stdin, echoes it, updates counters via a temp file
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok"*"# skip"* | "ok"*"# skip"* | "ok"*"# SKIP"*) echo skip >>"$tally" ;;
		"not ok"*) echo fail >>"$tally"; echo "$line" >>"$fails" ;;
		"ok"*) echo pass >>"$tally" ;;
		esac
	done
}

tally=$(mktemp) fails=$(mktemp)
trap 'rm -f "$tally" "$fails"' EXIT

run_unit() {
	local t rc
	for t in "$BUILD"/tests/*/test_*; do
		[ -x "$t" ] || continue
		echo "# unit: $t"
		CMOCKA_MESSAGE_OUTPUT=tap "$t" 2>&1 | count
		rc=${PIPESTATUS[0]}
		# A crashing test binary prints no "not ok" for what it did not run.
		if [ "$rc" -ge 128 ]; then
			echo "not ok - $t crashed (status $rc)" | count
		fi
	done
}

# The architecture checks (scripts/check-tree.sh), as two TAP results.
run_tree() {
	local out
	echo "# tree: scripts/check-tree.sh"
	if out=$(scripts/check-tree.sh 2>&1); then
		echo "ok - layering, library sinks and sizes"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok - layering, library sinks and sizes"
	fi | count
	if out=$(scripts/check-tree.sh --self-test 2>&1); then
		echo "ok - check-tree catches planted violations"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok - check-tree catches planted violations"
	fi | count
}

run_integration() {
	local files=("$@")
	[ ${#files[@]} -gt 0 ] || files=(tests/integration/*.bats)
	echo "# integration: ${files[*]}"
	HOMO="$PWD/$BUILD/homo" HOMO_FAULT_BIN="$PWD/$BUILD/homo-fault" \
		BUSYBOX_TAR="$PWD/$BUILD/images/busybox.tar" \
		LEDE_TAR="$PWD/$BUILD/images/lede.tar" \
		DEBIAN_TAR="$PWD/$BUILD/images/debian.tar" \
		bats --tap "${files[@]}" 2>&1 | count
}

case "$mode" in
--unit) run_tree; run_unit ;;
--tree) run_tree ;;
--integration) shift; run_integration "$@" ;;
--slow) run_integration tests/slow/*.bats ;;
*) run_tree; run_unit; run_integration ;;
esac

pass=$(grep -c '^pass$' "$tally")
fail=$(grep -c '^fail$' "$tally")
skip=$(grep -c '^skip$' "$tally")
if [ "$fail" -gt 0 ]; then
	echo "# failed:"
	sed 's/^/#   /' "$fails"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
