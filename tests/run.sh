#!/bin/bash
# Test runner: the cmocka unit tests and the bats integration tests, all as
# TAP, counted together. The last line is "N passed, N failed, N skipped".
# HOMO_TEST_FILTER: only the integration tests whose names match (a regex).
set -u
SELF=$(realpath "$0")
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mode=${1:---all}

pass=0 fail=0 skip=0
skipped_whole=() # suites every test of which skipped, listed at the end

count() { # reads TAP on stdin, echoes it, updates counters via a temp file
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok"*"# skip"* | "not ok"*"# SKIP"* | "ok"*"# skip"* | "ok"*"# SKIP"*)
			echo skip >>"$tally" ;; # cmocka says "not ok N # SKIP"
		"not ok"*) echo fail >>"$tally"; echo "$line" >>"$fails" ;;
		"ok"*) echo pass >>"$tally" ;;
		1..[0-9]*) echo "plan ${line#1..}" >>"$tally" ;;
		esac
	done
}

# A suite that did not run, or stopped early, counts as a failure: its
# missing results would otherwise read as success. checked_run NAME CMD...
# runs CMD | count and adds a "not ok" for NAME if CMD exited with a status
# and no failing result, or ran fewer results than its TAP plan.
checked_run() {
	local name=$1 rc before after plan ran
	shift
	before=$(wc -l <"$tally")
	"$@" 2>&1 | count
	rc=${PIPESTATUS[0]}
	after=$(tail -n +$((before + 1)) "$tally")
	plan=$(printf '%s\n' "$after" | awk '/^plan [0-9]+$/ { n += $2; p = 1 }
		END { if (p) print n }')
	ran=$(printf '%s\n' "$after" | grep -c -E '^(pass|fail|skip)$')
	if [ "$rc" -ge 128 ]; then
		echo "not ok - $name crashed (status $rc)" | count
	elif [ "$rc" -ne 0 ] && ! printf '%s\n' "$after" | grep -q '^fail$'; then
		echo "not ok - $name exited with status $rc, no test failed" | count
	elif [ -z "$plan" ] && [ "$ran" -eq 0 ]; then
		echo "not ok - $name ran no tests" | count
	elif [ -n "$plan" ] && [ "$ran" -lt "$plan" ]; then
		echo "not ok - $name ran $ran of $plan tests" | count
	elif [ "$ran" -gt 0 ] && [ "$(printf '%s\n' "$after" |
		grep -c '^skip$')" -eq "$ran" ]; then
		echo "# WARNING: $name skipped all its $ran tests"
		skipped_whole+=("$name")
	fi
}

tally=$(mktemp) fails=$(mktemp)
trap 'rm -f "$tally" "$fails"' EXIT

# Every tests/unit/<domain>/test_*.c has its binary: one not built is a
# failure, not a silently shorter run.
run_unit() {
	local src t
	for src in tests/unit/*/test_*.c; do
		t=${src#tests/unit/}
		t=$BUILD/tests/${t%.c}
		echo "# unit: $t"
		if [ ! -x "$t" ]; then
			echo "not ok - $t missing: not built (make check-unit)" | count
			continue
		fi
		CMOCKA_MESSAGE_OUTPUT=tap checked_run "$t" "$t"
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

# A bats statement "[ a ] && [ b ]" fails a test only as its last line:
# errexit skips every command of an && list but the last, so a false
# first test passes in silence. Assertions go one a line; an && list of
# tests alone on a line is reported (a predicate function's several lines
# and "test && action" are not such a line).
BATS_CHAIN='^\s*(!\s*)?\[\[? [^&|]*\]\]?\s*&&\s*((!\s*)?\[\[? [^&|]*\]\]?\s*&&\s*)*(!\s*)?\[\[? [^&|]*\]\]?\s*$'
run_bats_lint() {
	local hits
	echo "# lint: tests/integration, one assertion a line"
	hits=$(grep -nE "$BATS_CHAIN" tests/integration/*.bats tests/integration/*.bash)
	if [ -z "$hits" ] &&
		printf '\t[ -n x ] && [ -z "" ]\n' | grep -qE "$BATS_CHAIN"; then
		echo "ok - bats: no assertion that cannot fail (\"[ a ] && [ b ]\")"
	else
		printf '%s\n' "${hits:-the check missed a planted chain}" | sed 's/^/# /'
		echo "not ok - bats: no assertion that cannot fail (\"[ a ] && [ b ]\")"
	fi | count
}

# The runner's own self-test: a suite that is missing, crashes or stops
# short must fail the run. Each case runs tests/run.sh again, on a PATH
# without bats or with a fake one, or on a build without unit binaries.
# expect_run WANT(pass|fail) NAME ENV... -- ARGS...
expect_run() {
	local want=$1 name=$2 got=pass out
	shift 2
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	out=$(env "${envs[@]}" "$SELF" "$@" 2>&1) || got=fail
	if [ "$got" = "$want" ]; then
		echo "ok - run.sh: $name -> the run says $want"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok - run.sh: $name -> the run says $got, not $want"
	fi | count
}

run_self() {
	local d p f
	echo "# self-test: tests/run.sh"
	d=$(mktemp -d)
	mkdir "$d/nobats" "$d/crash" "$d/short" "$d/good" "$d/build"
	# The same PATH with every command but bats.
	for p in ${PATH//:/ }; do
		for f in "$p"/*; do
			[ "${f##*/}" = bats ] || [ -e "$d/nobats/${f##*/}" ] ||
				ln -s "$f" "$d/nobats/${f##*/}"
		done
	done
	printf '#!/bin/sh\necho 1..3; echo "ok 1 a"; exit 1\n' >"$d/crash/bats"
	printf '#!/bin/sh\necho 1..2; echo "ok 1 a"\n' >"$d/short/bats"
	printf '#!/bin/sh\necho 1..1; echo "ok 1 a"\n' >"$d/good/bats"
	chmod +x "$d"/*/bats
	expect_run fail "no bats" PATH="$d/nobats" -- --integration
	expect_run fail "bats crashes" PATH="$d/crash:$PATH" -- --integration
	expect_run fail "bats stops short" PATH="$d/short:$PATH" -- --integration
	expect_run pass "bats passes" PATH="$d/good:$PATH" -- --integration
	expect_run fail "unit binaries missing" BUILD="$d/build" -- --unit-only
	rm -rf "$d"
}

run_integration() {
	local files=("$@")
	[ ${#files[@]} -gt 0 ] || files=(tests/integration/*.bats)
	echo "# integration: ${files[*]}"
	if ! command -v bats >/dev/null; then
		echo "not ok - bats not found: scripts/install-deps.sh" | count
		return
	fi
	HOMO="$PWD/$BUILD/homo" HOMO_FAULT_BIN="$PWD/$BUILD/homo-fault" \
		BUSYBOX_TAR="$PWD/$BUILD/images/busybox.tar" \
		LEDE_TAR="$PWD/$BUILD/images/lede.tar" \
		DEBIAN_TAR="$PWD/$BUILD/images/debian.tar" \
		EXE_PRELOAD="$PWD/$BUILD/exe_preload.so" \
		SYSNR_BIN="$PWD/$BUILD/sysnr" \
		checked_run "bats (${#files[@]} files)" bats --tap --timing \
		${HOMO_TEST_FILTER:+--filter "$HOMO_TEST_FILTER"} "${files[@]}"
}

case "$mode" in
--unit) run_tree; run_bats_lint; run_self; run_unit ;;
--unit-only) run_unit ;; # for run_self
--tree) run_tree; run_bats_lint ;;
--integration) shift; run_integration "$@" ;;
--slow) run_integration tests/slow/*.bats ;;
*) run_tree; run_bats_lint; run_self; run_unit; run_integration ;;
esac

pass=$(grep -c '^pass$' "$tally")
fail=$(grep -c '^fail$' "$tally")
skip=$(grep -c '^skip$' "$tally")
if [ "$fail" -gt 0 ]; then
	echo "# failed:"
	sed 's/^/#   /' "$fails"
fi
if [ ${#skipped_whole[@]} -gt 0 ]; then
	echo "# WARNING: skipped whole (nothing of it was tested):"
	printf '#   %s\n' "${skipped_whole[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
