/* SPDX-License-Identifier: MIT */
/*
 * `exec` (oci_runtime.h): another process in a created or running
 * container. A helper joins every namespace of the init (user first) and
 * clones the process as the runtime's child (CLONE_PARENT: a pid
 * namespace takes effect for children only); the runtime puts it in the
 * container's cgroup and sends GO; the process sets up its tty, the
 * container's seccomp filter and its credentials and execs. Its sync
 * socket is close-on-exec: end of file means the exec succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/close_range.h>

#include "base/util.h"
#include "runtime/cgroup.h"
#include "runtime/oci_container.h"
#include "runtime/oci_runtime.h"
#include "runtime/oci_seccomp.h"

/* joined in this order: the user namespace owns the others */
static const struct {
	const char *name;
	int type;
} ns_order[] = {
    {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
    {"mnt", CLONE_NEWNS},
};

#define NS_N (sizeof(ns_order) / sizeof(ns_order[0]))

struct exec_ctx {
	const struct oci_exec_opts *o;
	struct oci_seccomp *seccomp;
	int sync[2], console_fd;
	int ns[NS_N]; /* the init's namespaces we are not in; -1 */
};

static __attribute__((noreturn)) void child_fail(int fd, struct hm_err *e)
{
	struct oci_sync_msg m = {.type = OCI_SYNC_ERR, .err = *e};

	send(fd, &m, sizeof(m), MSG_NOSIGNAL);
	_exit(1);
}

static __attribute__((noreturn)) void exec_child(struct exec_ctx *c)
{
	const struct oci_process *p = &c->o->spec->process;
	struct oci_sync_msg m;
	struct hm_err e = {0};
	int fd = c->sync[1];

	if (recv(fd, &m, sizeof(m), 0) != sizeof(m) || m.type != OCI_SYNC_GO)
		_exit(1);
	if (p->terminal &&
	    oci_console_take(c->console_fd, OCI_CONSOLE_SETSID, &e) < 0)
		child_fail(fd, &e);
	if (syscall(SYS_close_range, 3 + c->o->preserve_fds, ~0U,
		    CLOSE_RANGE_CLOEXEC) < 0) {
		hm_fail(&e, errno, "close_range");
		child_fail(fd, &e);
	}
	if ((c->seccomp && !p->no_new_privs &&
	     oci_seccomp_load(c->seccomp, &e) < 0) ||
	    oci_process_creds(p, &e) < 0 ||
	    (c->seccomp && p->no_new_privs &&
	     oci_seccomp_load(c->seccomp, &e) < 0))
		child_fail(fd, &e);
	oci_process_exec(p, NULL, &e);
	child_fail(fd, &e);
}

/* the helper: into the namespaces, then the process as our parent's */
static __attribute__((noreturn)) void helper(struct exec_ctx *c)
{
	struct oci_sync_msg m = {.type = OCI_SYNC_PID};

	for (size_t i = 0; i < NS_N; i++)
		if (c->ns[i] >= 0 && setns(c->ns[i], ns_order[i].type) < 0) {
			hm_fail(&m.err, errno,
				"join the container's %s "
				"namespace",
				ns_order[i].name);
			m.type = OCI_SYNC_ERR;
			break;
		}
	if (m.type == OCI_SYNC_PID) {
		m.pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL,
				       NULL, NULL, NULL);
		if (m.pid == 0)
			exec_child(c);
		if (m.pid < 0) {
			hm_fail(&m.err, errno, "clone the process");
			m.type = OCI_SYNC_ERR;
		}
	}
	send(c->sync[1], &m, sizeof(m), MSG_NOSIGNAL);
	_exit(0);
}

/* the init's namespaces that are not already ours */
static int open_ns(struct exec_ctx *c, pid_t pid, struct hm_err *e)
{
	for (size_t i = 0; i < NS_N; i++) {
		char path[64], self[64];
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 ns_order[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s",
			 ns_order[i].name);
		if (stat(path, &a) < 0)
			return hm_fail(e, errno, "\"%s\"", path);
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			continue;
		c->ns[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (c->ns[i] < 0)
			return hm_fail(e, errno, "\"%s\"", path);
	}
	return 0;
}

static int connect_console(const char *path, struct hm_err *e)
{
	if (!path)
		return hm_failx(e, 1, "--tty needs --console-socket");
	return oci_console_connect(path, e);
}

/* helper, pid, cgroup, GO; then EOF (it execs) or its error */
static int launch(struct exec_ctx *c, const struct oci_state *st, pid_t *pid,
		  struct hm_err *e)
{
	struct oci_sync_msg m;
	const char *leaf;
	pid_t h;
	ssize_t n;

	h = fork();
	if (h == 0) {
		close(c->sync[0]);
		helper(c);
	}
	close(c->sync[1]);
	c->sync[1] = -1;
	if (h < 0)
		return hm_fail(e, errno, "fork");
	while (waitpid(h, NULL, 0) < 0 && errno == EINTR)
		;
	if (recv(c->sync[0], &m, sizeof(m), 0) != sizeof(m))
		return hm_failx(e, 1, "the namespace helper died");
	if (m.type != OCI_SYNC_PID) {
		*e = m.err;
		return -1;
	}
	*pid = m.pid;
	m.type = OCI_SYNC_GO;
	if ((st->cgroup && (oci_cgroup_select(st->cgroup, &leaf, e) < 0 ||
			    cgroup_enter(leaf, *pid, e) < 0)) ||
	    send(c->sync[0], &m, sizeof(m), MSG_NOSIGNAL) < 0)
		goto kill;
	do
		n = recv(c->sync[0], &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n == sizeof(m) && m.type == OCI_SYNC_ERR)
		*e = m.err;
	else
		hm_failx(e, 1, "the process died before its exec");
kill:
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int oci_exec(const struct oci_exec_opts *o, pid_t *pid, struct hm_err *e)
{
	struct exec_ctx c = {.o = o, .sync = {-1, -1}, .console_fd = -1};
	struct oci_state st;
	enum oci_status s;
	int r = -1;

	for (size_t i = 0; i < NS_N; i++)
		c.ns[i] = -1;
	if (oci_state_read(o->root, o->id, &st, e) < 0)
		return -1;
	s = oci_state_status(&st);
	if (s != OCI_CREATED && s != OCI_RUNNING) {
		hm_failx(e, 1, "cannot exec in a container that is %s",
			 oci_status_name(s));
		goto out;
	}
	if ((o->spec->seccomp &&
	     oci_seccomp_compile_cached(o->spec->seccomp, o->seccomp_cache,
					&c.seccomp, e) < 0) ||
	    (o->spec->process.terminal &&
	     (c.console_fd = connect_console(o->console_socket, e)) < 0) ||
	    open_ns(&c, st.pid, e) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.sync) < 0) {
		hm_fail(e, errno, "socketpair");
		goto out;
	}
	r = launch(&c, &st, pid, e);
out:
	for (size_t i = 0; i < NS_N; i++)
		if (c.ns[i] >= 0)
			close(c.ns[i]);
	for (int i = 0; i < 2; i++)
		if (c.sync[i] >= 0)
			close(c.sync[i]);
	if (c.console_fd >= 0)
		close(c.console_fd);
	oci_seccomp_free(c.seccomp);
	oci_state_free(&st);
	if (r < 0)
		e->exit_code = 1;
	return r;
}

int oci_exec_spec(const char *root, const char *id, const char *process_file,
		  struct oci_spec *s, struct hm_err *e)
{
	struct oci_state st;
	struct oci_process tmp;
	struct oci_spec ps;
	json_error_t je;
	json_t *p, *j;
	int r;

	memset(s, 0, sizeof(*s));
	if (oci_state_read(root, id, &st, e) < 0)
		return -1;
	r = st.bundle ? oci_spec_load(st.bundle, s, e)
		      : hm_failx(e, 1, "container \"%s\": no bundle", id);
	oci_state_free(&st);
	if (r < 0 || !process_file)
		return r;
	if (!(p = json_load_file(process_file, JSON_REJECT_DUPLICATES, &je))) {
		oci_spec_free(s);
		return hm_failx(e, 1, "--process \"%s\": %s", process_file,
				je.text);
	}
	/* the process object is read as a spec's, by the one parser */
	j = json_pack("{s:s, s:{s:s}, s:o}", "ociVersion", "1.0.2", "root",
		      "path", "/", "process", p);
	r = oci_spec_from_json(j, &ps, e);
	json_decref(j);
	if (r < 0) {
		oci_spec_free(s);
		return hm_prefix(e, "--process \"%s\"", process_file);
	}
	tmp = s->process;
	s->process = ps.process;
	ps.process = tmp;
	oci_spec_free(&ps);
	return 0;
}
