/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter (seccomp.c): Docker's default profile as a table of
 * allowed calls (seccomp_table.c), compiled ahead of time (and cached in
 * the store) by the parent and loaded by the container's processes.
 */
#ifndef HOMO_SECCOMP_H
#define HOMO_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <seccomp.h>

#include "base/error.h"

/* How an entry of the table lets its call through. */
enum seccomp_how {
	SECCOMP_ALLOW,	     /* whatever the arguments */
	SECCOMP_ENOSYS,	     /* refused with ENOSYS instead of EPERM */
	SECCOMP_CLONE,	     /* without a namespace flag in argument 0 */
	SECCOMP_PERSONALITY, /* argument 0 one of Docker's five values */
	SECCOMP_NOT_VSOCK,   /* argument 0's low 32 bits not AF_VSOCK */
	SECCOMP_NOT_TIOCSTI, /* argument 1's low 32 bits not TIOCSTI */
};

/* Docker's safe personalities: PER_LINUX, UNAME26, PER_LINUX32, both,
 * and 0xffffffff, the query. */
#define SECCOMP_PERSONALITIES                          \
	{                                              \
		0x0, 0x8, 0x20000, 0x20008, 0xffffffff \
	}
/* Every namespace flag clone() takes (CLONE_NEWTIME only fits clone3):
 * CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
#define SECCOMP_CLONE_NS_FLAGS 0x7e020000ull

/* Native architectures an entry is limited to (0: all). */
#define SECCOMP_X86_64 1u
#define SECCOMP_AARCH64 2u

/*
 * An entry: @name is in the filter as @how when the container holds one of
 * @caps (or @caps is 0), none of @nocaps, and the machine is one of @arches
 * (or @arches is 0). Docker's "includes"/"excludes" of its profile.
 */
struct seccomp_rule {
	const char *name;
	uint64_t caps;
	uint64_t nocaps;
	unsigned arches;
	enum seccomp_how how;
};

/** seccomp_rules() - the table (seccomp_table.c), @n entries. */
const struct seccomp_rule *seccomp_rules(size_t *n);

/**
 * seccomp_rule_applies() - is @r part of the filter for a container with
 * the capabilities @mask, on this machine's architecture?
 */
bool seccomp_rule_applies(const struct seccomp_rule *r, uint64_t mask);

/**
 * seccomp_oci_profile() - homo's default filter for @caps as an OCI
 * "linux.seccomp" object (seccomp_profile.c), for oci_seccomp_compile():
 * the same allow-list, conditions, errnos and architectures. What the
 * runtime spec cannot say: a syscall of a foreign architecture kills the
 * thread (libseccomp's default) rather than the process. A new reference.
 */
json_t *seccomp_oci_profile(uint64_t caps);

/**
 * seccomp_apply() - load homo's default seccomp filter: Docker's
 * default profile, an allow-list (seccomp_rules()); every other call fails
 * with EPERM (clone3 with ENOSYS, so libc falls back to clone, whose
 * namespace flags the filter can see).
 * @caps: the container's capabilities; entries gated by a capability in
 *	@caps are added, as Docker does (SYS_ADMIN: mount, unshare, setns,
 *	namespaced clone...; SYS_PTRACE; SYS_MODULE; SYS_BOOT; SYS_TIME; ...).
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
 *	version (written atomically; NULL: no cache). Each file holds the
 *	sha256 of its program: a file whose program does not match it is
 *	ignored, compiled again and rewritten, never loaded.
 *
 * seccomp_apply() uses the prepared program when it was made for
 * the same capabilities and compiles its own otherwise.
 */
int seccomp_prepare(uint64_t caps, bool unconfined, const char *cache_dir,
		    struct hm_err *e);

/**
 * seccomp_export() - the BPF program of @ctx, in a new buffer *@buf of
 * *@len bytes (a whole number of struct sock_filter), for a caller that
 * loads it later with seccomp(2) itself (also oci_seccomp.c).
 */
int seccomp_export(scmp_filter_ctx ctx, char **buf, size_t *len,
		   struct hm_err *e);

/**
 * seccomp_cache_read() - the file at @path if it is a cached program whose
 * sha256 (in its header) matches: the program is at *@off, *@len bytes.
 * NULL when missing, damaged or of the wrong size. Free the result.
 */
char *seccomp_cache_read(const char *path, size_t *off, size_t *len);

/**
 * seccomp_cache_write() - keep @prog (@len bytes) at @path under @dir,
 * with its digest, atomically; a failure only costs a compile next time.
 */
void seccomp_cache_write(const char *dir, const char *path, const char *prog,
			 size_t len);

#endif
