#!/usr/bin/env bats
# The README's examples, run as they are written (so they cannot rot): each
# line of its first homo code block, in order, in the test's own network
# namespace (the block uses bridge networking and a published port), with
# ./rootfs.tar.gz being the busybox test image. An interactive line runs
# on a pty (script(1)) and gets "exit" as its input.
bats_require_minimum_version 1.5.0
load helpers
HOMO_TEST_NETNS=1

# the homo lines of the README's first fenced code block
readme_lines() {
	awk '/^```/ { if (inblock) exit; inblock = 1; next }
	     inblock && /^homo / { print }' "$BATS_TEST_DIRNAME/../../README.md"
}

@test "README: every example command runs as written" {
	unset HOMO_NETWORK_DEFAULT
	export NETNS HOMO
	cd "$T"
	cp "$BUSYBOX_TAR" rootfs.tar.gz
	local line n=0 cmd
	while IFS= read -r line; do
		n=$((n + 1))
		# drop a trailing comment ("  # ..."), keep quoted text
		cmd=${line%%  #*}
		echo "# README: $cmd"
		if [[ "$cmd" == *" -it "* ]]; then
			run bash -c "printf 'exit\n' | script -qec \"\$0\" /dev/null" \
				"$(declare -f homo); $cmd"
		else
			run bash -c "$(declare -f homo); $cmd"
		fi
		[ "$status" -eq 0 ] || {
			echo "README line $n failed ($status): $line"
			echo "$output"
			false
		}
	done < <(readme_lines)
	[ "$n" -ge 10 ]
	# what the block left: nothing but the store it made
	run homo ps -aq
	assert_status 0
	[ -z "$output" ]
}
