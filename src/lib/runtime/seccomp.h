/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter (seccomp.c): Docker's default profile as a table of
 * refused calls, compiled ahead of time (and cached in the store) by the
 * parent and loaded by the container's processes.
 */
#ifndef HOMO_SECCOMP_H
#define HOMO_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

/**
 * seccomp_apply() - load homo's default seccomp filter: Docker's
 * default profile in effect (seccomp.c lists each refused call with its
 * reason), refused calls fail with EPERM (clone3 with ENOSYS, so libc
 * falls back to clone, whose namespace flags the filter can see).
 * @caps: the container's capabilities; an entry whose unlocking
 *	capability is in @caps is left out, as Docker does (SYS_ADMIN: mount,
 *	unshare, setns, namespaced clone...; SYS_PTRACE; SYS_MODULE; SYS_BOOT;
 *	SYS_TIME; ...).
 * @unconfined: load nothing (--privileged, --security-opt seccomp=unconfined).
 *
 * The native architecture and its compat ABIs (i386 and x32 on x86_64)
 * get the same rules; a syscall of any other architecture kills the
 * process. libseccomp is told not to set no_new_privs itself: without it,
 * loading needs CAP_SYS_ADMIN, so a caller that keeps no_new_privs off
 * loads the filter before dropping capabilities. execve stays allowed.
 *
 * Return: 0, or -1 with @e set.
 */
int seccomp_apply(uint64_t caps, bool unconfined, struct hm_err *e);

/**
 * seccomp_prepare() - compile the filter for @caps ahead of time,
 * in the parent, so that a clone of this process (the container's init,
 * an exec'd process) only loads it: libseccomp takes a few milliseconds to
 * build it, loading a ready program takes microseconds.
 * @cache_dir: where compiled programs are kept between runs, keyed by the
 *	capabilities that change the filter, the table and libseccomp's
 *	version (written atomically; NULL: no cache). A file that is not a
 *	whole BPF program is ignored and rewritten.
 *
 * seccomp_apply() uses the prepared program when it was made for
 * the same capabilities and compiles its own otherwise.
 */
int seccomp_prepare(uint64_t caps, bool unconfined, const char *cache_dir,
		    struct hm_err *e);

#endif
