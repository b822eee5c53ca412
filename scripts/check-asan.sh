#!/bin/bash
# make check-asan-integration: the integration suite (or the bats files
# given) against homo and homo-fault built with AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/ (docs/testing.md).
#
# Every report goes to a file in a temp dir rather than to stderr: a report
# of a process whose output a test swallows (a monitor, a command expected
# to fail) is never lost. helpers.bash fails the test during which one
# appeared and prints it; any report left here at the end fails the run.
set -eu
cd "$(dirname "$0")/.."
BUILD=build-asan
for b in homo homo-fault; do
	[ -x "$BUILD/$b" ] || {
		echo "check-asan: $BUILD/$b not built (make check-asan-integration)" >&2
		exit 1
	}
done

logs=$(mktemp -d /tmp/homo-asan.XXXXXX)
trap 'rm -rf "$logs"' EXIT
export HOMO_SANITIZER_LOGS=$logs
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"

# a hang (a sanitizer deadlock) fails its test instead of the CI's limit
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-600}

rc=0
BUILD=$BUILD tests/run.sh --integration "$@" || rc=$?

shopt -s nullglob
left=("$logs"/asan.* "$logs"/ubsan.*)
if [ ${#left[@]} -gt 0 ]; then
	echo "# check-asan: ${#left[@]} sanitizer report(s) outside any test:"
	for f in "${left[@]}"; do
		sed 's/^/#   /' "$f"
	done
	rc=1
fi
exit "$rc"
