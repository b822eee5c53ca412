#!/usr/bin/env bats
# The default seccomp filter (Docker's default profile in effect), how
# capabilities relax it, --privileged and --security-opt. The probe tries
# each refused call in a way that is harmless when allowed; "errno:EPERM"
# means refused, anything else means the kernel saw the arguments.
bats_require_minimum_version 1.5.0
load helpers

# every call the filter refuses by default, as the probe names them
REFUSED=(keyctl add_key request_key bpf perf_event_open userfaultfd
	io_uring_setup kexec_file_load reboot finit_module delete_module
	swapon-none swapoff mount-tmpfs umount2 pivot_root open_tree fsopen
	move_mount open_by_handle_at unshare-none unshare-user setns
	clone-newuser acct settimeofday clock_settime sethostname
	personality-rie tiocsti tiocsti-high socket-vsock syslog kcmp
	pidfd_getfd iopl get_mempolicy move_pages uselib x32-keyctl)

@test "seccomp: the default filter refuses each call of Docker's list with EPERM" {
	pull_busybox
	run homo run --rm busybox sh -c 'probe seccomp; probe syscall all'
	assert_status 0
	assert_output_has "seccomp=2"
	for s in "${REFUSED[@]}"; do
		assert_output_has "$s=errno:EPERM"
	done
	# clone3 is ENOSYS, so libc falls back to clone, whose flags are seen
	assert_output_has "clone3=errno:ENOSYS"
	# what stays allowed: fork, the safe personalities, ptrace of itself
	assert_output_has "fork=ok"
	assert_output_has "personality-linux32=ok"
	assert_output_has "personality-query=ok"
	assert_output_has "ptrace-traceme=ok"
	assert_output_has "chroot=ok"
	# i386 numbers: EPERM from the filter, or killed where the kernel has
	# no 32-bit entry; never through
	assert_output_lacks "i386-keyctl=ok"
	assert_output_lacks "i386-unshare-none=ok"
}

@test "seccomp: --security-opt seccomp=unconfined and --privileged load no filter" {
	pull_busybox
	run homo run --rm --security-opt seccomp=unconfined busybox sh -c \
		'probe seccomp; probe syscall unshare-none; probe syscall clone3; probe syscall x32-keyctl; probe syscall open_tree'
	assert_status 0
	assert_output_has "seccomp=0"
	assert_output_has "unshare-none=ok"
	assert_output_has "clone3=ok"
	assert_output_lacks "x32-keyctl=errno:EPERM"
	assert_output_has "open_tree=errno:ENOENT"
	run homo run --rm --security-opt seccomp:unconfined busybox probe seccomp
	assert_output_has "seccomp=0"
	run homo run --rm --privileged busybox sh -c 'probe seccomp; probe syscall keyctl'
	assert_status 0
	assert_output_has "seccomp=0"
	assert_output_lacks "keyctl=errno:EPERM"
}

@test "seccomp: --cap-add SYS_ADMIN relaxes mount, unshare, setns, clone flags, not keyrings" {
	pull_busybox
	run homo run --rm --cap-add SYS_ADMIN busybox sh -c \
		'probe seccomp; for s in unshare-none setns clone-newuser clone3 fsopen umount2 keyctl reboot swapon-none; do probe syscall $s; done'
	assert_status 0
	assert_output_has "seccomp=2"
	assert_output_has "unshare-none=ok"
	assert_output_has "setns=errno:EBADF"
	assert_output_has "clone-newuser=ok"
	assert_output_has "clone3=ok"
	assert_output_has "fsopen=errno:ENODEV"
	assert_output_has "umount2=errno:ENOENT"
	# Docker refuses these whatever the capabilities
	assert_output_has "keyctl=errno:EPERM"
	assert_output_has "swapon-none=errno:EPERM"
	assert_output_has "reboot=errno:EPERM"
}

@test "seccomp: each capability lifts its own entries only" {
	pull_busybox
	run homo run --rm --cap-add SYS_BOOT --cap-add SYS_PTRACE \
		--cap-add DAC_READ_SEARCH busybox sh -c \
		'for s in reboot kcmp pidfd_getfd open_by_handle_at unshare-none acct; do probe syscall $s; done'
	assert_status 0
	# bad magic: the kernel's EINVAL, after the filter let it through
	assert_output_has "reboot=errno:EINVAL"
	assert_output_has "kcmp=ok"
	assert_output_has "pidfd_getfd=ok"
	assert_output_has "open_by_handle_at=errno:EFAULT"
	assert_output_has "unshare-none=errno:EPERM"
	assert_output_has "acct=errno:EPERM"
}

@test "seccomp: no-new-privileges=false still filters, as root and as a user" {
	pull_busybox
	run homo run --rm --security-opt no-new-privileges=false busybox sh -c \
		'probe nnp; probe seccomp; probe syscall keyctl'
	assert_status 0
	assert_output_has "nnp=0"
	assert_output_has "seccomp=2"
	assert_output_has "keyctl=errno:EPERM"
	run homo run --rm -u 1000 --security-opt no-new-privileges:false busybox sh -c \
		'probe nnp; probe seccomp; probe ids; probe syscall unshare-none'
	assert_status 0
	assert_output_has "nnp=0"
	assert_output_has "seccomp=2"
	assert_output_has "uid=1000"
	assert_output_has "unshare-none=errno:EPERM"
	run homo run --rm --security-opt no-new-privileges busybox probe nnp
	assert_output_has "nnp=1"
}

@test "seccomp: the --init mini-init and exec'd processes are filtered too" {
	pull_busybox
	run homo run --rm --init busybox sh -c 'probe seccomp; grep Seccomp: /proc/1/status'
	assert_status 0
	assert_output_has "seccomp=2"
	[[ "$output" == *$'Seccomp:\t2'* ]]
	homo run -d --name f busybox sleep 60 >/dev/null
	run homo exec f sh -c 'probe seccomp; probe syscall keyctl'
	assert_status 0
	assert_output_has "seccomp=2"
	assert_output_has "keyctl=errno:EPERM"
	homo run -d --name u --security-opt seccomp=unconfined busybox sleep 60 >/dev/null
	run homo exec u probe seccomp
	assert_output_has "seccomp=0"
	homo rm -f f u >/dev/null
}

@test "seccomp: a bad --security-opt is one error line and 125" {
	pull_busybox
	run --separate-stderr homo run --rm --security-opt seccomp=/tmp/profile.json busybox true
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *'seccomp=/tmp/profile.json'* ]]
	run --separate-stderr homo run --rm --security-opt apparmor=foo busybox true
	assert_status 125
	assert_one_error_line
}

@test "seccomp: the compiled filter is cached in the store and a damaged one replaced" {
	pull_busybox
	run homo run --rm busybox probe seccomp
	assert_output_has "seccomp=2"
	f=$(ls "$HOMO_ROOT"/seccomp/*.bpf)
	[ "$(printf '%s\n' "$f" | wc -l)" -eq 1 ]
	cp "$f" "$T/good.bpf"
	printf 'junk!' >"$f"
	run homo run --rm busybox sh -c 'probe seccomp; probe syscall keyctl'
	assert_status 0
	assert_output_has "seccomp=2"
	assert_output_has "keyctl=errno:EPERM"
	cmp "$f" "$T/good.bpf"
	# damaged in place, same size: past the first 72 bytes (the digest
	# line) every instruction becomes "return ALLOW"; loaded as is, that
	# program would let every call through
	n=$((($(stat -c %s "$f") - 72) / 8))
	for ((i = 0; i < n; i++)); do printf '\x06\x00\x00\x00\x00\x00\xff\x7f'; done >"$T/allow"
	dd if="$T/allow" of="$f" bs=8 seek=9 conv=notrunc status=none
	[ "$(stat -c %s "$f")" -eq "$(stat -c %s "$T/good.bpf")" ]
	! cmp -s "$f" "$T/good.bpf"
	run homo run --rm busybox sh -c 'probe seccomp; probe syscall keyctl; probe syscall unshare-none'
	assert_status 0
	assert_output_has "seccomp=2"
	assert_output_has "keyctl=errno:EPERM"
	assert_output_has "unshare-none=errno:EPERM"
	# compiled again and rewritten
	cmp "$f" "$T/good.bpf"
}

# An image with a static program that makes raw syscalls by number (the
# probe names its calls): tests/probe/sysnr.c.
make_sysnr_image() {
	# make builds it (SYSNR_BIN); by hand, compile it here
	local bin=${SYSNR_BIN:-}
	if [ -z "$bin" ]; then
		bin=$T/sysnr
		cc -static -O2 -Wall -Werror -o "$bin" \
			"$BATS_TEST_DIRNAME/../probe/sysnr.c"
	fi
	make_image sysnr "cp '$bin' bin/sysnr"
}

@test "seccomp: an allow-list: a syscall it does not name is refused with EPERM" {
	make_sysnr_image
	# 467 is open_tree_attr (Linux 6.15), newer than the table; 1000 is
	# no syscall at all; then 1000 under the x32 ABI
	run homo run --rm sysnr sysnr 467 1000 0x400003e8
	assert_status 0
	assert_output_has "467=errno:EPERM"
	assert_output_has "1000=errno:EPERM"
	assert_output_has "0x400003e8=errno:EPERM"
	# unconfined, the kernel answers itself (ENOSYS where it lacks 467)
	run homo run --rm --security-opt seccomp=unconfined sysnr sysnr 467 1000
	assert_status 0
	assert_output_lacks "467=errno:EPERM"
	assert_output_has "1000=errno:ENOSYS"
	# what a shell does every day still works under the filter
	run homo run --rm sysnr sh -c 'echo hi >/tmp/x && cat /tmp/x && ls /bin/sysnr && sleep 0.1 | cat && id -u'
	assert_status 0
	assert_output_has "hi"
	assert_output_has "/bin/sysnr"
}
