/* SPDX-License-Identifier: MIT */
#include "runtime/clone_vm.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/cgroup.h"

/*
 * Mapped, not populated: an init touches 3-4 pages of it (16 KiB, mincore
 * after its exec, with -t, -u and -w; homo exec's child the same); 1 MiB
 * is 64 times that, and little address space under a ulimit -v.
 */
#define STACK_SIZE (1UL << 20)

/*
 * clone3 with a new stack cannot return into C in the child (its frame
 * is on the other stack), and glibc 2.36 has no clone3 wrapper: the child
 * calls @fn(@arg) here and exits with its result. Returns the kernel's
 * result (a pid, or -errno) in the parent.
 */
long hm_clone3_call(struct cgroup_clone_args *ca, size_t size,
		    int (*fn)(void *), void *arg);
/*
 * The sanitizers keep a thread's stack bounds in its TLS, which a child
 * on another stack but our TLS would corrupt: under them the child gets
 * fork's copy of our memory instead (the same protocol, nothing shared).
 */
#if defined(__SANITIZE_ADDRESS__)
#define HM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HM_SANITIZED 1
#endif
#endif

#if defined(HM_SANITIZED)
#elif defined(__x86_64__)
__asm__(".text\n"
	".globl hm_clone3_call\n"
	".hidden hm_clone3_call\n"
	".type hm_clone3_call, @function\n"
	"hm_clone3_call:\n"
	"	mov %rdx, %r8\n" /* fn and arg: the syscall keeps r8, r9 */
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n" /* SYS_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n" /* the child: the end of its frame chain */
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n" /* SYS_exit */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size hm_clone3_call, .-hm_clone3_call\n");
#define HAVE_CLONE3_CALL 1
#elif defined(__aarch64__)
__asm__(".text\n"
	".globl hm_clone3_call\n"
	".hidden hm_clone3_call\n"
	".type hm_clone3_call, %function\n"
	"hm_clone3_call:\n"
	"	mov x10, x2\n" /* fn and arg: svc keeps all but x0 */
	"	mov x11, x3\n"
	"	mov x8, #435\n" /* SYS_clone3 */
	"	svc #0\n"
	"	cbnz x0, 1f\n"
	"	mov x29, #0\n" /* the child: the end of its frame chain */
	"	mov x30, #0\n"
	"	mov x0, x11\n"
	"	blr x10\n"
	"	mov x8, #93\n" /* SYS_exit */
	"	svc #0\n"
	"1:	ret\n"
	".size hm_clone3_call, .-hm_clone3_call\n");
#define HAVE_CLONE3_CALL 1
#endif

static unsigned long generation;

unsigned long clone_vm_generation(void)
{
	return generation;
}

int clone_vm_stack(struct clone_vm *c, struct hm_err *e)
{
	long page = sysconf(_SC_PAGESIZE);

	c->size = STACK_SIZE;
	c->stack = mmap(NULL, c->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
			-1, 0);
	if (c->stack == MAP_FAILED) {
		c->stack = NULL;
		return hm_fail(e, errno, "map the init's stack");
	}
	/* an overflow faults instead of writing into our heap */
	if (mprotect(c->stack, (size_t)page, PROT_NONE) < 0) {
		hm_fail(e, errno, "guard the init's stack");
		clone_vm_free(c);
		return -1;
	}
	return 0;
}

pid_t clone_vm_run(struct clone_vm *c, unsigned long flags, int cgfd,
		   bool *born_in, int (*fn)(void *), void *arg)
{
	char *top = (char *)c->stack + c->size;

	*born_in = false;
	generation++;
#ifdef HM_SANITIZED
	(void)top;
	{
		pid_t pid = cgroup_clone(flags, cgfd, born_in);

		if (pid == 0)
			_exit(fn(arg));
		return pid;
	}
#endif
#ifdef HAVE_CLONE3_CALL
	struct cgroup_clone_args ca = cgroup_clone_args(flags, cgfd);
	long r;

	ca.flags |= CLONE_VM;
	ca.stack = (uint64_t)(uintptr_t)c->stack;
	ca.stack_size = c->size;
	r = hm_clone3_call(&ca, sizeof(ca), fn, arg);
	if (r >= 0) {
		*born_in = cgfd >= 0;
		return (pid_t)r;
	}
	/* refused by a seccomp profile that predates clone3: clone(2) */
	if (r != -ENOSYS) {
		errno = (int)-r;
		return -1;
	}
#endif
	return clone(fn, top, (int)(flags | CLONE_VM), arg);
}

void clone_vm_free(struct clone_vm *c)
{
	if (c->stack)
		munmap(c->stack, c->size);
	c->stack = NULL;
}
