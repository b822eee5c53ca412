/* SPDX-License-Identifier: MIT */
/*
 * Joining a running container's namespaces through its init's pidfd: the
 * one way a process enters a container after its start, for `homo exec`
 * (spawn.c) and the OCI runtime's `exec` (oci_exec.c). The caller joins
 * only the PID namespace, which affects its children, forks, puts the
 * child in the container's cgroup; the child then joins every other
 * namespace in one setns(pidfd) call (the kernel joins the user namespace
 * first) and becomes root in a joined user namespace.
 */
#ifndef HOMO_NSJOIN_H
#define HOMO_NSJOIN_H

#include "base/error.h"

struct nsjoin {
	int pidfd; /* the init's; not owned */
	int flags; /* CLONE_NEW* of the init's namespaces not ours */
};

/**
 * nsjoin_open() - which namespaces of the process behind @pidfd differ
 * from ours (joining one's own user namespace is EINVAL). Fails if the
 * process is gone.
 */
int nsjoin_open(struct nsjoin *j, int pidfd, struct hm_err *e);

/**
 * nsjoin_parent() - in the caller, before it forks the process: made
 * non-dumpable (nothing in the container may open /proc/<us>/exe, the
 * host's binary: CVE-2019-5736) and its children born in the container's
 * PID namespace. The caller itself stays in all of its own.
 */
int nsjoin_parent(const struct nsjoin *j, struct hm_err *e);

/**
 * nsjoin_enter() - in the forked child, once it is in the container's
 * cgroup (the cgroup namespace then shows it as /, as to the init): every
 * other namespace at once, then uid and gid 0 in a joined user namespace
 * where 0 is mapped. Clears PR_SET_PDEATHSIG (the credentials changed).
 */
int nsjoin_enter(const struct nsjoin *j, struct hm_err *e);

#endif
