/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_SECCOMP_H
#define HOMO_OCI_SECCOMP_H

/*
 * linux.seccomp of an OCI spec compiled with libseccomp: defaultAction and
 * defaultErrnoRet, architectures, flags, syscalls[] with names, action,
 * errnoRet and args conditions (all six operators), every SCMP_ACT_* the
 * runtime spec names (SCMP_ACT_NOTIFY with listenerPath: the notify fd is
 * sent to that socket with the state and listenerMetadata). Compiled in
 * the runtime before the container is cloned, so a bad profile is an
 * error of `create`; loaded by the container just before exec.
 */

#include <stdbool.h>

#include <jansson.h>

#include "base/error.h"

struct oci_seccomp; /* a compiled filter */

/**
 * oci_seccomp_compile() - compile @profile (the "seccomp" object of a
 * config.json, already shape-checked by oci_spec.c) into @out.
 * Syscall names the running libseccomp or kernel does not know are
 * skipped, as runc and crun do; unknown actions, architectures, flags or
 * operators are errors naming the field ("linux.seccomp.syscalls[3].action:
 * unknown action \"SCMP_ACT_FOO\"").
 */
int oci_seccomp_compile(json_t *profile, struct oci_seccomp **out,
			struct hm_err *e);

/**
 * oci_seccomp_compile_cached() - oci_seccomp_compile(), the BPF program
 * kept in @cache_dir (created 0700 if missing; NULL: no cache) between
 * runs, keyed by the sha256 of the profile's canonical JSON, libseccomp's
 * version, the architecture and the kernel release. libseccomp's
 * generation is most of a compile (25-70 ms for Podman's profile here,
 * 0.3 ms from the cache); on a hit the profile is
 * still checked in full (listener connected, flags probed), only the
 * generation is skipped. A file whose program does not match its digest
 * is generated again and rewritten, never loaded.
 */
int oci_seccomp_compile_cached(json_t *profile, const char *cache_dir,
			       struct oci_seccomp **out, struct hm_err *e);

/**
 * oci_seccomp_compile_named() - oci_seccomp_compile_cached() for a profile
 * that @name stands for exactly (no other profile ever has that name: homo's
 * built-in one is named by its rule table's fingerprint and the
 * capabilities that change it). A hit costs what reading the program does:
 * the profile is neither made nor checked; @make(@arg) makes it (a new
 * reference) only on a miss. Such a profile may not use flags or
 * SCMP_ACT_NOTIFY, which a hit could not give back.
 */
int oci_seccomp_compile_named(const char *name, json_t *(*make)(const void *),
			      const void *arg, const char *cache_dir,
			      struct oci_seccomp **out, struct hm_err *e);

/**
 * oci_seccomp_load() - install @f on the calling thread (with the flags
 * the profile asked for). Without no_new_privs this needs CAP_SYS_ADMIN:
 * the caller orders it accordingly.
 */
int oci_seccomp_load(struct oci_seccomp *f, struct hm_err *e);

/**
 * oci_seccomp_notifies() - does @f use SCMP_ACT_NOTIFY? Then compile has
 * connected to listenerPath (a socket fd, close-on-exec, held by @f until
 * the load), and the load sends the listener fd there with the container
 * process state.
 */
bool oci_seccomp_notifies(const struct oci_seccomp *f);

/**
 * oci_seccomp_set_state() - the state object (runtime.md: ociVersion, id,
 * status, pid as the runtime sees it, bundle, annotations) that the load
 * sends with the notify fd, in the process that loads @f; its "pid" is
 * also the process state's "pid" (getpid() when not given). Referenced,
 * not copied. Only useful when oci_seccomp_notifies().
 */
void oci_seccomp_set_state(struct oci_seccomp *f, json_t *state);

/**
 * oci_seccomp_keep_fd() - the fd @f holds from the compile to the load
 * (the connection to listenerPath, close-on-exec), or -1: a caller that
 * closes the fds it does not know before the load must keep this one.
 */
int oci_seccomp_keep_fd(const struct oci_seccomp *f);

/**
 * oci_seccomp_features() - the "linux.seccomp" object of `features`
 * (runtime-spec features-linux.md): enabled, actions, operators, archs
 * (those this libseccomp knows), knownFlags, supportedFlags (those this
 * kernel takes). A new reference.
 */
json_t *oci_seccomp_features(void);

/** oci_seccomp_free() - release @f (NULL is fine). */
void oci_seccomp_free(struct oci_seccomp *f);

#endif
