/* SPDX-License-Identifier: MIT */
/*
 * homo-exec, the exec shim (docs/security.md, "The last exec"): the one
 * program a container's process runs between homo and its command. homo
 * embeds it, writes it into a sealed memfd per start and execs it in
 * place of the command; it execs the command. So a container's process
 * is never homo's binary once it runs anything of the image: a command
 * that is /proc/self/exe reaches this sealed copy, which refuses to run
 * as anything but the shim (CVE-2019-5736).
 *
 * Freestanding and static, no libc: a few hundred bytes whose exec costs
 * a fraction of homo's (no loader, no relocations). argv, ERRFD and the
 * report: runtime/exec_shim_proto.h.
 */
#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "runtime/exec_shim_proto.h"

#define EXIT_NOT_FOUND 127 /* Docker's: the command is not there */
#define EXIT_CANNOT 126	   /* Docker's: it is, but cannot run */

struct iov {
	const void *base;
	unsigned long len;
};

#if defined(__x86_64__)
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call shim_main\n"
	"	hlt\n");

static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl shim_main\n"
	"	brk #0\n");

static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2)
			 : "memory");
	return x0;
}
#else
#error "the exec shim knows the syscalls of x86_64 and aarch64 only"
#endif

static __attribute__((noreturn)) void sys_exit(int code)
{
	for (;;)
		sys3(__NR_exit_group, code, 0, 0);
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static const char *reason(long err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return "no such file or directory";
	case EACCES:
		return "permission denied";
	case ENOEXEC:
		return "exec format error";
	case ETXTBSY:
		return "text file busy";
	case E2BIG:
		return "argument list too long";
	case ELOOP:
		return "too many levels of symbolic links";
	case ENOMEM:
		return "cannot allocate memory";
	case EPERM:
		return "operation not permitted";
	default:
		return "cannot execute";
	}
}

/* @part... and a newline on stderr, in one write */
static void say(const char *const part[], int n)
{
	struct iov iov[8];

	for (int i = 0; i < n && i < 7; i++) {
		iov[i].base = part[i];
		iov[i].len = len(part[i]);
	}
	iov[n].base = "\n";
	iov[n].len = 1;
	sys3(__NR_writev, 2, (long)iov, n + 1);
}

static int parse_fd(const char *s)
{
	int fd = 0;

	if (s[0] == '-' && !s[1])
		return -1;
	for (; *s >= '0' && *s <= '9' && fd < 1 << 20; s++)
		fd = fd * 10 + (*s - '0');
	return *s ? -2 : fd;
}

__attribute__((noreturn, used)) void shim_main(long *sp);

__attribute__((noreturn, used)) void shim_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	struct exec_shim_report r = {.type = EXEC_SHIM_REPORT};
	int fd;

	fd = argc >= EXEC_SHIM_ARGC_MIN ? parse_fd(argv[2]) : -2;
	if (fd == -2) {
		say((const char *[]){"homo-exec: run by homo only, before a "
				     "container's command"},
		    1);
		sys_exit(EXIT_CANNOT);
	}
	/* the report channel must not reach the command */
	if (fd >= 0 && sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC) < 0)
		sys_exit(EXIT_CANNOT);
	r.err = (int)-sys3(__NR_execve, (long)argv[3], (long)(argv + 4),
			   (long)envp);
	if (fd >= 0)
		sys3(__NR_write, fd, (long)&r, sizeof(r));
	else
		say((const char *[]){argv[1], ": exec \"", argv[3],
				     "\": ", reason(r.err)},
		    5);
	sys_exit(r.err == ENOENT || r.err == ENOTDIR ? EXIT_NOT_FOUND
						     : EXIT_CANNOT);
}
