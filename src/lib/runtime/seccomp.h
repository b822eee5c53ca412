/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter (seccomp.c): Docker's default profile as a table of
 * allowed calls (seccomp_table.c) written as an OCI profile
 * (seccomp_profile.c), or a profile file of Docker's format
 * (seccomp_docker.c), compiled ahead of time (and cached in the store) by
 * the parent with oci_seccomp.c and loaded by the container's processes
 * with oci_seccomp_load(): the OCI runtime's one loader.
 */
#ifndef HOMO_SECCOMP_H
#define HOMO_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <seccomp.h>

#include "base/error.h"
#include "runtime/spec.h"
#include "store/store.h"

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
 * seccomp_spec_profile() - the "linux.seccomp" object of @s: homo's own
 * (seccomp_oci_profile()) or its --security-opt seccomp=FILE profile
 * (seccomp_docker_profile()); *@out NULL: no filter (--privileged,
 * seccomp=unconfined, a profile that asks for none).
 */
int seccomp_spec_profile(const struct hm_spec *s, json_t **out,
			 struct hm_err *e);

/**
 * seccomp_prepare() - compile @s's filter (seccomp_spec_profile()) with
 * oci_seccomp.c, in the parent, so that a clone of this process (the
 * container's init, an exec'd process) only loads it with
 * seccomp_apply(): a bad profile is an error before anything is built.
 * @cache_dir: where oci_seccomp.c keeps compiled programs (NULL: none).
 *	homo's own profile is named there exactly by the rule table's
 *	fingerprint and the capabilities that change it, so that a hit
 *	neither writes nor hashes the profile.
 * Preparing what is already prepared is free.
 */
int seccomp_prepare(const struct hm_spec *s, const char *cache_dir,
		    struct hm_err *e);

/** seccomp_prepare_store() - seccomp_prepare() with @st's cache. */
int seccomp_prepare_store(const struct hm_store *st, const struct hm_spec *s,
			  struct hm_err *e);

/**
 * seccomp_apply() - load the filter seccomp_prepare() made for @s with
 * oci_seccomp_load() (nothing when @s is unconfined or privileged). The
 * filter does not set no_new_privs: without it, loading needs
 * CAP_SYS_ADMIN, so a caller that keeps no_new_privs off loads it before
 * dropping capabilities.
 */
int seccomp_apply(const struct hm_spec *s, struct hm_err *e);

/**
 * seccomp_docker_profile() - Docker's seccomp profile format (the text of
 * `--security-opt seccomp=FILE`) as the OCI "linux.seccomp" object runc
 * would get from dockerd for a container with the capabilities @caps
 * (seccomp_docker.c): archMap's entry for this machine as architectures,
 * entries kept or dropped by includes/excludes (caps, arches, minKernel),
 * "name" as "names"; *@out NULL when it asks for no filter (neither
 * defaultAction nor syscalls). @idx (or NULL): a new array, the file's
 * index of each entry kept, for seccomp_docker_error().
 */
int seccomp_docker_profile(const char *text, uint64_t caps, json_t **out,
			   size_t **idx, struct hm_err *e);

/**
 * seccomp_docker_error() - @e, an error of oci_seccomp.c about the profile
 * seccomp_docker_profile() made, naming the file's fields instead
 * ("seccomp profile: syscalls[7].action: ...").
 */
void seccomp_docker_error(struct hm_err *e, const size_t *idx);

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
