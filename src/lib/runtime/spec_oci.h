/* SPDX-License-Identifier: MIT */
/*
 * homo's container record (spec.h) as an OCI runtime spec (oci_spec.h):
 * the one place homo's policy is written (capabilities, masked and
 * read-only paths, /dev, /sys, the kernel mounts, the environment Docker's
 * daemon adds, the seccomp filter), read by `homo run`'s init and by
 * `homo runtime spec` for its defaults (docs/architecture.md).
 */
#ifndef HOMO_SPEC_OCI_H
#define HOMO_SPEC_OCI_H

#include <stdbool.h>

#include <jansson.h>

#include "base/error.h"
#include "runtime/oci_spec.h"
#include "runtime/spec.h"

/* What the record does not say: where the container is made. */
struct spec_oci_host {
	const char *root_path; /* root.path */
	/* hostname, hosts and resolv.conf are bound from here; NULL: none */
	const char *etc_dir;
	bool tty_gid;  /* gid 5 (tty) exists in the container: devpts gid=5 */
	bool rootless; /* sysfs bound from the host with --net host/container */
	bool seccomp;  /* linux.seccomp: homo's filter (unless unconfined) */
};

/**
 * spec_oci_env() - the command's environment: the record's, then what
 * Docker's daemon adds unless set: HOME (@home; NULL: not added),
 * HOSTNAME, and TERM=xterm with a tty. A new vector.
 */
char **spec_oci_env(const struct hm_spec *s, const char *home);

/**
 * spec_oci_json() - @s as a config.json (a new reference): process (args,
 * env without HOME, cwd, terminal, root's ids, the capability mask in the
 * bounding, effective and permitted sets, noNewPrivileges), root, hostname,
 * mounts (proc, /dev and below, sysfs, cgroup, the volumes, the /etc
 * files), namespaces and id maps, --device nodes and their cgroup rules,
 * masked and read-only paths (none with --privileged), seccomp.
 */
json_t *spec_oci_json(const struct hm_spec *s, const struct spec_oci_host *h);

/** spec_oci_build() - spec_oci_json() read into @o (oci_spec_free() it). */
int spec_oci_build(const struct hm_spec *s, const struct spec_oci_host *h,
		   struct oci_spec *o, struct hm_err *e);

/**
 * spec_oci_process() - @s's process alone (spec_oci_json()'s) in a spec
 * of nothing else, for homo exec, which builds no container: the
 * capability sets and noNewPrivileges of @o->process. oci_spec_free() @o.
 */
int spec_oci_process(const struct hm_spec *s, struct oci_spec *o,
		     struct hm_err *e);

#endif
