/* SPDX-License-Identifier: MIT */
/*
 * `exec` (oci_runtime.h): another process in a created or running
 * container, joined as `homo exec` joins one (runtime/nsjoin.h): the
 * runtime's children are born in the init's PID namespace; the process,
 * born in the container's cgroup2 cgroup, joins its v1 ones itself
 * (cgroup.h), waits for GO, joins every other namespace of the init through its
 * pidfd, sets up its tty, the container's seccomp filter and its credentials
 * and execs. Its sync socket is close-on-exec: end of file means the exec
 * succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/close_range.h>

#include "base/util.h"
#include "runtime/cgroup.h"
#include "runtime/exec_shim.h"
#include "runtime/nsjoin.h"
#include "runtime/oci_container.h"
#include "runtime/oci_runtime.h"
#include "runtime/oci_seccomp.h"

struct exec_ctx {
	const struct oci_exec_opts *o;
	struct oci_seccomp *seccomp;
	int sync[2], console_fd, pidfd;
	struct nsjoin ns;
	const char *leaf; /* its cgroup id, whose v1 cgroups it joins */
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

	/* born in the cgroup2 one; the v1 ones as the init joins them */
	if ((c->leaf && cgroup_enter_v1(c->leaf, 0, &e) < 0) ||
	    exec_shim_open(&e) < 0)
		child_fail(fd, &e);
	if (recv(fd, &m, sizeof(m), 0) != sizeof(m) || m.type != OCI_SYNC_GO)
		_exit(1);
	if (nsjoin_enter(&c->ns, &e) < 0)
		child_fail(fd, &e);
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
	oci_process_exec(p, NULL, "homo-runtime", fd, &e);
	child_fail(fd, &e);
}

static int connect_console(const char *path, struct hm_err *e)
{
	if (!path)
		return hm_failx(e, 1, "--tty needs --console-socket");
	return oci_console_connect(path, e);
}

/* the process forked into the cgroup, GO; then EOF (it execs) or its error */
static int launch(struct exec_ctx *c, const struct oci_state *st, pid_t *pid,
		  struct hm_err *e)
{
	const char *cmd =
	    c->o->spec->process.args ? c->o->spec->process.args[0] : "";
	struct oci_sync_msg m = {.type = OCI_SYNC_GO};
	cleanup_close int cgfd = -1;
	bool born_in = false;
	ssize_t n;

	if ((st->cgroup && (oci_cgroup_select(st->cgroup, &c->leaf, e) < 0 ||
			    cgroup_clone_fd(c->leaf, &cgfd, e) < 0)) ||
	    nsjoin_parent(&c->ns, e) < 0)
		return -1;
	*pid = cgroup_clone(SIGCHLD, cgfd, &born_in);
	if (*pid == 0) {
		close(c->sync[0]);
		exec_child(c);
	}
	close(c->sync[1]);
	c->sync[1] = -1;
	if (*pid < 0)
		return hm_fail(e, errno, "fork");
	if (c->leaf &&
	    cgroup_join_rest(c->leaf, *pid, cgfd, born_in, true, e) < 0)
		goto kill;
	/* refused: it is gone, its error (its cgroup join's) waits */
	send(c->sync[0], &m, sizeof(m), MSG_NOSIGNAL);
	do
		n = recv(c->sync[0], &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n == sizeof(m) && m.type == OCI_SYNC_ERR)
		*e = m.err;
	else if (n < 0 || !exec_shim_decode(&m, (size_t)n, cmd, e))
		hm_failx(e, 1, "the process died before its exec");
kill:
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* the init's pidfd, checked by its start time once open */
static int init_pidfd(const struct oci_state *st, struct hm_err *e)
{
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);

	if (fd >= 0 && util_proc_starttime(st->pid) == st->pid_start)
		return fd;
	if (fd >= 0)
		close(fd);
	return hm_failx(e, 1, "cannot exec in a container that is stopped");
}

int oci_exec(const struct oci_exec_opts *o, pid_t *pid, struct hm_err *e)
{
	struct exec_ctx c = {
	    .o = o, .sync = {-1, -1}, .console_fd = -1, .pidfd = -1};
	struct oci_state st;
	enum oci_status s;
	int r = -1;

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
	    (c.pidfd = init_pidfd(&st, e)) < 0 ||
	    nsjoin_open(&c.ns, c.pidfd, e) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.sync) < 0) {
		hm_fail(e, errno, "socketpair");
		goto out;
	}
	r = launch(&c, &st, pid, e);
out:
	if (c.pidfd >= 0)
		close(c.pidfd);
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
