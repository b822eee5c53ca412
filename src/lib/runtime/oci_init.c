/* SPDX-License-Identifier: MIT */
/*
 * The init of an OCI container (oci_runtime.h), cloned by oci_create():
 * it waits for GO (cgroup entered, id maps written, runtime hooks run),
 * builds the container through oci_container.h, reports READY and waits
 * on the exec fifo for `start`, then runs the process. Before READY every
 * failure goes back to `create` as a struct hm_err; after it the runtime
 * is gone and the error is one line on the process's stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <linux/close_range.h>

#include "base/util.h"
#include "runtime/oci_container.h"
#include "runtime/oci_runtime.h"
#include "runtime/cgroup.h"
#include "runtime/exec_shim.h"
#include "runtime/oci_seccomp.h"

#define GO_MAX (256 * 1024) /* the GO packet: header and state JSON */

static __attribute__((noreturn)) void report(int fd, struct hm_err *e)
{
	struct oci_sync_msg m = {.type = OCI_SYNC_ERR, .err = *e};

	if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		_exit(1);
	_exit(1);
}

/* after READY nobody listens on the socket: stderr is the process's */
static __attribute__((noreturn)) void late_fail(struct hm_err *e)
{
	dprintf(2, "homo-runtime: %s\n", e->msg);
	_exit(e->exit_code > 0 && e->exit_code < 256 ? e->exit_code : 1);
}

/* GO's state JSON (malloc'd), or exit: the runtime gave up (EOF) */
static char *wait_go(int fd)
{
	char *buf = xmalloc(GO_MAX);
	struct oci_sync_msg m;
	ssize_t n;

	do
		n = recv(fd, buf, GO_MAX - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(m))
		_exit(1);
	memcpy(&m, buf, sizeof(m));
	if (m.type != OCI_SYNC_GO)
		_exit(1);
	buf[n] = '\0';
	memmove(buf, buf + sizeof(m), (size_t)n - sizeof(m) + 1);
	return buf;
}

/* namespaces that must come after GO: the user's root, the cgroup's */
static int after_go(const struct oci_init_args *a, struct hm_err *e)
{
	const struct oci_namespace *cg = oci_ns_find(a->spec, CLONE_NEWCGROUP);

	if (a->new_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return hm_fail(e, errno, "become root of the user namespace");
	/* rooted at the cgroup the runtime just put us in */
	if (cg && !cg->path && unshare(CLONE_NEWCGROUP) < 0)
		return hm_fail(e, errno, "new cgroup namespace");
	if (setsid() < 0)
		return hm_fail(e, errno, "setsid");
	/* a session keyring of our own, so no key leaks in from the host;
	 * refused in some user namespaces, which is no reason to fail */
	if (!a->o->no_new_keyring)
		syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL);
	return 0;
}

/* create's part: everything up to the created state */
static int build(struct oci_init_args *a, const char *state, struct hm_err *e)
{
	const struct oci_spec *s = a->spec;

	/* the shim the hooks and the process exec through, before any
	 * filter (exec_shim.h) */
	if (exec_shim_open(e) < 0 || after_go(a, e) < 0)
		return -1;
	if (!oci_ns_find(s, CLONE_NEWNS)) {
		/* the host's mount namespace: never a mount in it, a chroot */
		if (oci_hooks_run(s, OCI_HOOK_CREATE_CONTAINER, state, e) < 0)
			return -1;
		if (chroot(a->rootfs) < 0 || chdir("/") < 0)
			return hm_fail(e, errno, "chroot \"%s\"", a->rootfs);
	} else if (oci_rootfs_prepare(s, a->rootfs, e) < 0 ||
		   oci_hooks_run(s, OCI_HOOK_CREATE_CONTAINER, state, e) < 0 ||
		   oci_rootfs_finish(s, a->rootfs, a->o->no_pivot, e) < 0) {
		return -1;
	}
	if (oci_kernel_settings(s, e) < 0 ||
	    (s->process.terminal &&
	     oci_console_take(a->console_fd, OCI_CONSOLE_DEV, e) < 0))
		return -1;
	/* fds 3..3+N-1 pass to the process; ours are close-on-exec
	 * (before the filter, which may not allow close_range) */
	if (syscall(SYS_close_range, 3 + a->o->preserve_fds, ~0U,
		    CLOSE_RANGE_CLOEXEC) < 0)
		return hm_fail(e, errno, "close_range");
	/* without no_new_privs loading needs CAP_SYS_ADMIN: before the
	 * user switch drops it */
	if (a->seccomp && !s->process.no_new_privs &&
	    oci_seccomp_load(a->seccomp, e) < 0)
		return -1;
	if (oci_process_creds(&s->process, e) < 0)
		return -1;
	/* a command that cannot run fails create, as runc and crun */
	a->exe = oci_process_find(&s->process, e);
	return a->exe ? 0 : -1;
}

void oci_init_main(struct oci_init_args *a)
{
	const struct oci_spec *s = a->spec;
	struct oci_sync_msg m = {.type = OCI_SYNC_READY};
	struct hm_err e = {0};
	char *state, c;
	ssize_t n;

	for (size_t i = 0; i < a->nforeign; i++)
		close(a->foreign[i]);
	if (a->cgroup_self) {
		struct oci_sync_msg j = {.type = OCI_SYNC_JOINED};

		if (cgroup_enter_v1(a->cgroup_self, 0, &e) < 0)
			report(a->sync_fd, &e);
		if (send(a->sync_fd, &j, sizeof(j), MSG_NOSIGNAL) < 0)
			_exit(1);
	}
	state = wait_go(a->sync_fd);

	/* a NOTIFY agent gets the container's state with the listener */
	if (a->seccomp && oci_seccomp_notifies(a->seccomp))
		oci_seccomp_set_state(a->seccomp, json_loads(state, 0, NULL));
	if (build(a, state, &e) < 0)
		report(a->sync_fd, &e);
	if (send(a->sync_fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		_exit(1);
	close(a->sync_fd);
	/* created: `start` writes one byte */
	do
		n = read(a->fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);
	close(a->fifo_fd);
	if (oci_hooks_run(s, OCI_HOOK_START_CONTAINER, state, &e) < 0)
		late_fail(&e);
	free(state);
	if (a->seccomp && s->process.no_new_privs &&
	    oci_seccomp_load(a->seccomp, &e) < 0)
		late_fail(&e);
	oci_process_exec(&s->process, a->exe, "homo-runtime", -1, &e);
	late_fail(&e);
}
