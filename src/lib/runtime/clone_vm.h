/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CLONE_VM_H
#define HOMO_CLONE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * A container's init that shares homo's memory until it execs (CLONE_VM,
 * as vfork, without vfork's stop): no copy of homo's page tables at the
 * clone, no copy-on-write fault for every page either process writes
 * after it, no teardown of a copied address space at the exec
 * (docs/performance.md has what it saves).
 *
 * Both run on the same heap, errno and stdio, which glibc does not know
 * are shared: only one of them may run C library code at a time. The
 * caller's protocol (runtime/spawn.c): before GO the child only makes
 * system calls on its own stack (and exits on their failure); after GO
 * the parent only waits on the sync socket, until the child has exec'd
 * or died (either leaves the shared memory before its end of the socket
 * closes). A child that stays without exec (a --init) gets fork's copy.
 *
 * What the child writes stays: a cache of "this process's" (an fd, a
 * scan) is keyed by getpid(), so a second child (a restart) makes its
 * own. A child killed inside malloc would leave the heap broken; nothing
 * in the container can signal it before its exec (it is the PID
 * namespace's init, or not yet visible), and its pages are charged to
 * homo's memory cgroup (the memory's owner), not to the container's limit.
 */
struct clone_vm {
	void *stack;
	size_t size;
};

/**
 * clone_vm_stack() - map @c's stack (lazily: only the pages the child
 * touches cost), with a guard page below it.
 * Return: 0, or -1 with @e set.
 */
int clone_vm_stack(struct clone_vm *c, struct hm_err *e);

/**
 * clone_vm_run() - @fn(@arg) in a child sharing our memory, on @c's
 * stack; @flags: CLONE_* (CLONE_VM is added) and the exit signal; born in
 * the cgroup2 dir @cgfd where it is not -1 (cgroup_clone_fd()). @fn must
 * not return into anything of ours: it runs on its own stack, and its
 * return value is the child's exit status.
 * Return: the pid with *@born_in, or -1 with errno.
 */
pid_t clone_vm_run(struct clone_vm *c, unsigned long flags, int cgfd,
		   bool *born_in, int (*fn)(void *), void *arg);

/** clone_vm_free() - unmap the stack, once the child has exec'd or died. */
void clone_vm_free(struct clone_vm *c);

/**
 * clone_vm_generation() - a number that changes with each clone_vm_run():
 * a cache of this process's own (an fd it opened, a scan of its mounts)
 * made under another one was a child's, which shared our memory, and is
 * made again. getpid() cannot tell: every init is pid 1.
 */
unsigned long clone_vm_generation(void);

#endif
