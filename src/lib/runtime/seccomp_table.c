/* SPDX-License-Identifier: MIT */
/*
 * The seccomp policy: Docker's default profile as an allow-list, one entry
 * per syscall name and condition. Every call not allowed here gets EPERM,
 * so a syscall the kernel adds later is refused until this table names it
 * (open_tree_attr was allowed by the deny-list this replaced).
 * seccomp.c turns it into a BPF program; tests/unit/runtime/test_seccomp.c
 * checks it against Docker's profile (docker-seccomp-*.txt there) and lists
 * where homo deliberately differs.
 */
#include <linux/capability.h>
#include <stddef.h>

#include "base/util.h"
#include "runtime/seccomp.h"

#define CAP(c) (UINT64_C(1) << CAP_##c)
#define A(n)                               \
	{                                  \
#n, 0, 0, 0, SECCOMP_ALLOW \
	}
/* allowed with one of the capabilities @c */
#define C(n, c)                            \
	{                                  \
#n, c, 0, 0, SECCOMP_ALLOW \
	}
/* the native architectures it applies on */
#define ARCH(n, a)                         \
	{                                  \
#n, 0, 0, a, SECCOMP_ALLOW \
	}

/* clang-format off */
static const struct seccomp_rule rules[] = {
	/* what any program may do, whatever its capabilities (Docker's
	 * unconditional list but io_uring_* and ioctl, below) */
	A(accept), A(accept4), A(access), A(adjtimex), A(alarm), A(bind),
	A(brk), A(capget), A(capset), A(chdir), A(chmod), A(chown), A(chown32),
	A(clock_adjtime), A(clock_adjtime64), A(clock_getres),
	A(clock_getres_time64), A(clock_gettime), A(clock_gettime64),
	A(clock_nanosleep), A(clock_nanosleep_time64), A(close),
	A(close_range), A(connect), A(copy_file_range), A(creat), A(dup),
	A(dup2), A(dup3), A(epoll_create), A(epoll_create1), A(epoll_ctl),
	A(epoll_ctl_old), A(epoll_pwait), A(epoll_pwait2), A(epoll_wait),
	A(epoll_wait_old), A(eventfd), A(eventfd2), A(execve), A(execveat),
	A(exit), A(exit_group), A(faccessat), A(faccessat2), A(fadvise64),
	A(fadvise64_64), A(fallocate), A(fanotify_mark), A(fchdir), A(fchmod),
	A(fchmodat), A(fchown), A(fchown32), A(fchownat), A(fcntl), A(fcntl64),
	A(fdatasync), A(fgetxattr), A(flistxattr), A(flock), A(fork),
	A(fremovexattr), A(fsetxattr), A(fstat), A(fstat64), A(fstatat64),
	A(fstatfs), A(fstatfs64), A(fsync), A(ftruncate), A(ftruncate64),
	A(futex), A(futex_time64), A(futex_waitv), A(futimesat), A(getcpu),
	A(getcwd), A(getdents), A(getdents64), A(getegid), A(getegid32),
	A(geteuid), A(geteuid32), A(getgid), A(getgid32), A(getgroups),
	A(getgroups32), A(getitimer), A(getpeername), A(getpgid), A(getpgrp),
	A(getpid), A(getppid), A(getpriority), A(getrandom), A(getresgid),
	A(getresgid32), A(getresuid), A(getresuid32), A(getrlimit),
	A(get_robust_list), A(getrusage), A(getsid), A(getsockname),
	A(getsockopt), A(get_thread_area), A(gettid), A(gettimeofday),
	A(getuid), A(getuid32), A(getxattr), A(inotify_add_watch),
	A(inotify_init), A(inotify_init1), A(inotify_rm_watch), A(io_cancel),
	A(io_destroy), A(io_getevents), A(io_pgetevents),
	A(io_pgetevents_time64), A(ioprio_get), A(ioprio_set), A(io_setup),
	A(io_submit), A(ipc), A(kill), A(landlock_add_rule),
	A(landlock_create_ruleset), A(landlock_restrict_self), A(lchown),
	A(lchown32), A(lgetxattr), A(link), A(linkat), A(listen), A(listxattr),
	A(llistxattr), A(_llseek), A(lremovexattr), A(lseek), A(lsetxattr),
	A(lstat), A(lstat64), A(madvise), A(membarrier), A(memfd_create),
	A(memfd_secret), A(mincore), A(mkdir), A(mkdirat), A(mknod),
	A(mknodat), A(mlock), A(mlock2), A(mlockall), A(mmap), A(mmap2),
	A(mprotect), A(mq_getsetattr), A(mq_notify), A(mq_open),
	A(mq_timedreceive), A(mq_timedreceive_time64), A(mq_timedsend),
	A(mq_timedsend_time64), A(mq_unlink), A(mremap), A(msgctl), A(msgget),
	A(msgrcv), A(msgsnd), A(msync), A(munlock), A(munlockall), A(munmap),
	A(name_to_handle_at), A(nanosleep), A(newfstatat), A(_newselect),
	A(open), A(openat), A(openat2), A(pause), A(pidfd_open),
	A(pidfd_send_signal), A(pipe), A(pipe2), A(pkey_alloc), A(pkey_free),
	A(pkey_mprotect), A(poll), A(ppoll), A(ppoll_time64), A(prctl),
	A(pread64), A(preadv), A(preadv2), A(prlimit64), A(process_mrelease),
	A(pselect6), A(pselect6_time64), A(pwrite64), A(pwritev), A(pwritev2),
	A(read), A(readahead), A(readlink), A(readlinkat), A(readv), A(recv),
	A(recvfrom), A(recvmmsg), A(recvmmsg_time64), A(recvmsg),
	A(remap_file_pages), A(removexattr), A(rename), A(renameat),
	A(renameat2), A(restart_syscall), A(rmdir), A(rseq), A(rt_sigaction),
	A(rt_sigpending), A(rt_sigprocmask), A(rt_sigqueueinfo),
	A(rt_sigreturn), A(rt_sigsuspend), A(rt_sigtimedwait),
	A(rt_sigtimedwait_time64), A(rt_tgsigqueueinfo), A(sched_getaffinity),
	A(sched_getattr), A(sched_getparam), A(sched_get_priority_max),
	A(sched_get_priority_min), A(sched_getscheduler),
	A(sched_rr_get_interval), A(sched_rr_get_interval_time64),
	A(sched_setaffinity), A(sched_setattr), A(sched_setparam),
	A(sched_setscheduler), A(sched_yield), A(seccomp), A(select),
	A(semctl), A(semget), A(semop), A(semtimedop), A(semtimedop_time64),
	A(send), A(sendfile), A(sendfile64), A(sendmmsg), A(sendmsg),
	A(sendto), A(setfsgid), A(setfsgid32), A(setfsuid), A(setfsuid32),
	A(setgid), A(setgid32), A(setgroups), A(setgroups32), A(setitimer),
	A(setpgid), A(setpriority), A(setregid), A(setregid32), A(setresgid),
	A(setresgid32), A(setresuid), A(setresuid32), A(setreuid),
	A(setreuid32), A(setrlimit), A(set_robust_list), A(setsid),
	A(setsockopt), A(set_thread_area), A(set_tid_address), A(setuid),
	A(setuid32), A(setxattr), A(shmat), A(shmctl), A(shmdt), A(shmget),
	A(shutdown), A(sigaltstack), A(signalfd), A(signalfd4), A(sigprocmask),
	A(sigreturn), A(socketcall), A(socketpair), A(splice), A(stat),
	A(stat64), A(statfs), A(statfs64), A(statx), A(symlink), A(symlinkat),
	A(sync), A(sync_file_range), A(syncfs), A(sysinfo), A(tee), A(tgkill),
	A(time), A(timer_create), A(timer_delete), A(timer_getoverrun),
	A(timer_gettime), A(timer_gettime64), A(timer_settime),
	A(timer_settime64), A(timerfd_create), A(timerfd_gettime),
	A(timerfd_gettime64), A(timerfd_settime), A(timerfd_settime64),
	A(times), A(tkill), A(truncate), A(truncate64), A(ugetrlimit),
	A(umask), A(uname), A(unlink), A(unlinkat), A(utime), A(utimensat),
	A(utimensat_time64), A(utimes), A(vfork), A(vmsplice), A(wait4),
	A(waitid), A(waitpid), A(write), A(writev),
	/* ptrace and process_vm_*: Docker allows them on Linux >= 4.8,
	 * where ptrace can no longer change a syscall past the filter */
	A(ptrace), A(process_vm_readv), A(process_vm_writev),
	/* io_uring_* are left out: its requests run in the kernel with no
	 * syscall for the filter to see (Docker >= 25 leaves them out too) */
	/* the request is read as 32 bits, so high bits must not help */
	{"ioctl", 0, 0, 0, SECCOMP_NOT_TIOCSTI},	/* types into the terminal */
	{"socket", 0, 0, 0, SECCOMP_NOT_VSOCK},		/* reaches the hypervisor */
	{"personality", 0, 0, 0, SECCOMP_PERSONALITY},	/* no READ_IMPLIES_EXEC, ASLR off */
	ARCH(arch_prctl, SECCOMP_X86_64),
	ARCH(modify_ldt, SECCOMP_X86_64),
	ARCH(arm_fadvise64_64, SECCOMP_AARCH64),
	ARCH(arm_sync_file_range, SECCOMP_AARCH64),
	ARCH(sync_file_range2, SECCOMP_AARCH64),
	ARCH(breakpoint, SECCOMP_AARCH64),
	ARCH(cacheflush, SECCOMP_AARCH64),
	ARCH(set_tls, SECCOMP_AARCH64),

	/* capability-gated: with the capability the kernel's own check
	 * decides; without it the call gets EPERM before reaching it */
	C(open_by_handle_at, CAP(DAC_READ_SEARCH)),	/* "shocker" (2014) */
	/* mounts could uncover masked paths; namespaces widen the attack
	 * surface; hostname, quotas, fanotify are host-wide */
	C(bpf, CAP(SYS_ADMIN) | CAP(BPF)),
	C(fanotify_init, CAP(SYS_ADMIN)),
	C(fsconfig, CAP(SYS_ADMIN)), C(fsmount, CAP(SYS_ADMIN)),
	C(fsopen, CAP(SYS_ADMIN)), C(fspick, CAP(SYS_ADMIN)),
	C(lookup_dcookie, CAP(SYS_ADMIN)),
	C(mount, CAP(SYS_ADMIN)), C(mount_setattr, CAP(SYS_ADMIN)),
	C(move_mount, CAP(SYS_ADMIN)), C(open_tree, CAP(SYS_ADMIN)),
	C(perf_event_open, CAP(SYS_ADMIN) | CAP(PERFMON)),
	C(quotactl, CAP(SYS_ADMIN)), C(quotactl_fd, CAP(SYS_ADMIN)),
	C(setdomainname, CAP(SYS_ADMIN)), C(sethostname, CAP(SYS_ADMIN)),
	C(setns, CAP(SYS_ADMIN)),
	C(syslog, CAP(SYS_ADMIN) | CAP(SYSLOG)),
	C(umount, CAP(SYS_ADMIN)), C(umount2, CAP(SYS_ADMIN)),
	C(unshare, CAP(SYS_ADMIN)),
	/* fork is fine, new namespaces are not; clone3's flags sit in
	 * memory, out of a filter's reach: ENOSYS makes libc use clone */
	C(clone, CAP(SYS_ADMIN)),
	{"clone", 0, CAP(SYS_ADMIN), 0, SECCOMP_CLONE},
	C(clone3, CAP(SYS_ADMIN)),
	{"clone3", 0, CAP(SYS_ADMIN), 0, SECCOMP_ENOSYS},
	C(reboot, CAP(SYS_BOOT)),
	C(chroot, CAP(SYS_CHROOT)),
	C(delete_module, CAP(SYS_MODULE)), C(init_module, CAP(SYS_MODULE)),
	C(finit_module, CAP(SYS_MODULE)),
	C(acct, CAP(SYS_PACCT)),
	/* kcmp compares kernel pointers; pidfd_getfd steals fds */
	C(kcmp, CAP(SYS_PTRACE)), C(pidfd_getfd, CAP(SYS_PTRACE)),
	C(process_madvise, CAP(SYS_PTRACE)),
	C(iopl, CAP(SYS_RAWIO)), C(ioperm, CAP(SYS_RAWIO)),
	/* the clock is not namespaced */
	C(settimeofday, CAP(SYS_TIME)), C(stime, CAP(SYS_TIME)),
	C(clock_settime, CAP(SYS_TIME)), C(clock_settime64, CAP(SYS_TIME)),
	C(vhangup, CAP(SYS_TTY_CONFIG)),
	/* NUMA placement is host-wide */
	C(get_mempolicy, CAP(SYS_NICE)), C(mbind, CAP(SYS_NICE)),
	C(set_mempolicy, CAP(SYS_NICE)),
	C(set_mempolicy_home_node, CAP(SYS_NICE)),
	/* not here, whatever the capabilities, as in Docker: keyrings (not
	 * namespaced), kexec, swapon/swapoff, pivot_root, userfaultfd,
	 * move_pages, the module calls of old kernels, obsolete calls */
};
/* clang-format on */

const struct seccomp_rule *seccomp_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}
