/* SPDX-License-Identifier: MIT */
/*
 * `create`, the runtime's side (oci_runtime.h): the spec, the seccomp
 * filter, the state directory and exec fifo, the cgroup, the init cloned
 * into its namespaces (a helper joins the ones given by path first, user
 * first), id maps, prestart and createRuntime hooks, GO, then the init's
 * READY or its error. A failure undoes it all: init, cgroup, directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/cgroup.h"
#include "runtime/oci_runtime.h"
#include "runtime/oci_seccomp.h"

struct create_ctx {
	const struct oci_create_opts *o;
	struct oci_spec spec;
	struct oci_init_args a;
	struct oci_state st;
	char *dir;	  /* <root>/<id>, ours once made */
	const char *leaf; /* the cgroup id (oci_cgroup_select) */
	bool cgroup_made;
	bool born_in; /* the init was born in its cgroup2 one */
	bool joined;  /* its OCI_SYNC_JOINED came already (clone_init()) */
	int cgfd;     /* that cgroup2 dir, or -1 (cgroup_clone_fd()) */
	int sync_fd;  /* the runtime's end */
	pid_t pid;
};

/*
 * linux.resources homo cannot apply (no backend writes them): an error
 * rather than a container without the limit its engine asked for. Empty
 * objects are no request.
 */
static int unsupported(const char *bundle, struct hm_err *e)
{
	static const char *const keys[] = {"network", "blockIO",
					   "hugepageLimits", "rdma"};
	char *path = xasprintf("%s/config.json", bundle);
	json_t *j = json_load_file(path, 0, NULL), *r;
	int rc = 0;

	free(path);
	r = json_object_get(json_object_get(j, "linux"), "resources");
	for (size_t i = 0; i < ARRAY_SIZE(keys) && !rc; i++) {
		json_t *v = json_object_get(r, keys[i]);

		if ((json_is_object(v) && json_object_size(v)) ||
		    (json_is_array(v) && json_array_size(v)))
			rc = hm_failx(e, 1,
				      "config.json: linux.resources.%s: not "
				      "supported by homo-runtime",
				      keys[i]);
	}
	json_decref(j);
	return rc;
}

/*
 * A capability outside our bounding set can never be the process's (a new
 * user namespace inherits the set): an error, as the spec requires of a
 * capability that cannot be granted, not a process without it.
 */
static int caps_grantable(const struct oci_process *p, struct hm_err *e)
{
	uint64_t want = 0;

	for (int k = 0; k < OCI_CAP_NSETS; k++)
		want |= p->caps[k];
	for (unsigned c = 0; c < 64; c++)
		if ((want & (1ULL << c)) && prctl(PR_CAPBSET_READ, c) != 1)
			return hm_failx(e, 1,
					"process.capabilities: CAP_%s cannot "
					"be granted (not in the runtime's "
					"bounding set)",
					caps_name(c) ? caps_name(c) : "?");
	return 0;
}

/* the spec, its rootfs and seccomp filter, all checked before anything */
static int load(struct create_ctx *c, struct hm_err *e)
{
	const struct oci_spec *s = &c->spec;
	char *root, *cache, real[PATH_MAX];
	int r;

	if (oci_id_check(c->o->id, e) < 0 ||
	    oci_spec_load(c->o->bundle, &c->spec, e) < 0 ||
	    unsupported(c->o->bundle, e) < 0)
		return -1;
	if (!s->has_process)
		return hm_failx(e, 1, "config.json: process: required");
	/* the host's would be renamed */
	if ((s->hostname || s->domainname) && !oci_ns_find(s, CLONE_NEWUTS))
		return hm_failx(e, 1,
				"config.json: hostname: needs a UTS namespace");
	if (caps_grantable(&s->process, e) < 0)
		return -1;
	if (s->process.terminal && !c->o->console_socket)
		return hm_failx(e, 1,
				"process.terminal needs --console-socket");
	root = s->root_path[0] == '/'
		   ? xstrdup(s->root_path)
		   : xasprintf("%s/%s", c->o->bundle, s->root_path);
	if (!realpath(root, real)) {
		hm_fail(e, errno, "root.path \"%s\"", root);
		free(root);
		return -1;
	}
	free(root);
	c->st.rootfs = xstrdup(real);
	/* the BPF program kept under --root: most of a compile, skipped */
	if (s->seccomp && util_mkdir_p(c->o->root, 0700, e) < 0)
		return -1;
	cache = xasprintf("%s/.seccomp-cache", c->o->root);
	r = s->seccomp ? oci_seccomp_compile_cached(s->seccomp, cache,
						    &c->a.seccomp, e)
		       : 0;
	free(cache);
	return r;
}

/* <root>/<id>/ (its mkdir claims the id) and the exec fifo in it */
static int make_dir(struct create_ctx *c, struct hm_err *e)
{
	char *fifo;

	if (util_mkdir_p(c->o->root, 0700, e) < 0)
		return -1;
	c->dir = xasprintf("%s/%s", c->o->root, c->o->id);
	if (mkdir(c->dir, 0700) < 0) {
		int err = errno;

		free(c->dir);
		c->dir = NULL;
		if (err == EEXIST)
			return hm_failx(e, 1, "container \"%s\" already exists",
					c->o->id);
		return hm_fail(e, err, "mkdir \"%s/%s\"", c->o->root, c->o->id);
	}
	fifo = xasprintf("%s/exec.fifo", c->dir);
	/* read-write: the open never blocks, and a writer keeps it alive */
	if (mkfifo(fifo, 0600) < 0 ||
	    (c->a.fifo_fd = open(fifo, O_RDWR | O_CLOEXEC)) < 0) {
		hm_fail(e, errno, "exec fifo \"%s\"", fifo);
		free(fifo);
		return -1;
	}
	free(fifo);
	return 0;
}

static int make_cgroup(struct create_ctx *c, struct hm_err *e)
{
	struct cgroup_limits l;

	c->st.cgroup = oci_cgroup_path(c->spec.cgroups_path, c->o->id,
				       c->o->systemd_cgroup, e);
	if (!c->st.cgroup || oci_cgroup_select(c->st.cgroup, &c->leaf, e) < 0)
		return -1;
	oci_cgroup_limits(&c->spec.res, &l);
	if (cgroup_create(c->leaf, &l, e) < 0)
		return -1;
	c->cgroup_made = true;
	return cgroup_oci_resources(c->leaf, &c->spec.res, e);
}

static unsigned long new_ns_flags(const struct oci_spec *s, bool *paths)
{
	unsigned long flags = 0;

	*paths = false;
	for (size_t i = 0; i < s->nnamespaces; i++) {
		if (s->namespaces[i].path)
			*paths = true;
		/* the init makes its cgroup namespace once in its cgroup */
		else if (s->namespaces[i].type != CLONE_NEWCGROUP)
			flags |= (unsigned long)s->namespaces[i].type;
	}
	return flags;
}

static int join(const struct oci_namespace *ns, struct hm_err *e)
{
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return hm_fail(e, errno, "namespace \"%s\"", ns->path);
	r = setns(fd, ns->type);
	close(fd);
	return r < 0 ? hm_fail(e, errno, "join namespace \"%s\"", ns->path) : 0;
}

/* the helper: join the namespaces with a path, user first, then clone
 * the init as the runtime's child (CLONE_PARENT) and report its pid */
static __attribute__((noreturn)) void helper(struct create_ctx *c, int fd,
					     unsigned long flags)
{
	struct oci_sync_msg m = {.type = OCI_SYNC_PID};
	const struct oci_namespace *u = oci_ns_find(&c->spec, CLONE_NEWUSER);

	if (u && u->path && join(u, &m.err) < 0)
		goto fail;
	for (size_t i = 0; i < c->spec.nnamespaces; i++) {
		const struct oci_namespace *ns = &c->spec.namespaces[i];

		if (ns->path && ns->type != CLONE_NEWUSER && join(ns, &m.err))
			goto fail;
	}
	m.pid =
	    cgroup_clone(flags | CLONE_PARENT | SIGCHLD, c->cgfd, &m.born_in);
	if (m.pid == 0)
		oci_init_main(&c->a);
	/* a test holds the helper here: the init's word comes first */
	FAULT_POINT("oci-helper-before-pid");
	if (m.pid < 0) {
		hm_fail(&m.err, errno, "clone the container's init");
	fail:
		m.type = OCI_SYNC_ERR;
	}
	send(fd, &m, sizeof(m), MSG_NOSIGNAL);
	_exit(0);
}

/* the init, born in its new namespaces; c->pid */
static int clone_init(struct create_ctx *c, struct hm_err *e)
{
	struct oci_sync_msg m;
	bool paths;
	unsigned long flags = new_ns_flags(&c->spec, &paths);
	int sp[2], st;
	pid_t h;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	c->sync_fd = sp[0];
	c->a.sync_fd = sp[1];
	c->a.new_userns = flags & CLONE_NEWUSER;
	if (!oci_ns_find(&c->spec, CLONE_NEWUSER))
		c->a.cgroup_self = c->leaf;
	if (cgroup_clone_fd(c->leaf, &c->cgfd, e) < 0)
		return -1;
	/* with namespaces to join, the helper clones the init */
	h = paths ? (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL)
		  : cgroup_clone(flags | SIGCHLD, c->cgfd, &c->born_in);
	if (h == 0) {
		close(sp[0]);
		if (paths)
			helper(c, sp[1], flags);
		oci_init_main(&c->a);
	}
	close(sp[1]);
	if (h < 0)
		return hm_fail(e, errno, "clone the container's init");
	if (!paths) {
		c->pid = h;
		return 0;
	}
	while (waitpid(h, &st, 0) < 0 && errno == EINTR)
		;
	/* the init shares the socket: its word that it joined its cgroups
	 * may come before the helper's */
	do {
		if (recv(c->sync_fd, &m, sizeof(m), 0) != sizeof(m))
			return hm_failx(e, 1, "the namespace helper died");
		c->joined |= m.type == OCI_SYNC_JOINED;
	} while (m.type == OCI_SYNC_JOINED);
	if (m.type != OCI_SYNC_PID) {
		*e = m.err;
		return -1;
	}
	c->pid = m.pid;
	c->born_in = m.born_in;
	return 0;
}

/*
 * The init in all its cgroups: born in the cgroup2 one (else moved), the
 * v1 ones joined by itself (else by us), before the hooks see it.
 */
static int join_cgroups(struct create_ctx *c, struct hm_err *e)
{
	struct oci_sync_msg m;
	ssize_t r;

	if (cgroup_join_rest(c->leaf, c->pid, c->cgfd, c->born_in,
			     c->a.cgroup_self, e) < 0)
		return -1;
	if (!c->a.cgroup_self || c->joined)
		return 0;
	do
		r = recv(c->sync_fd, &m, sizeof(m), 0);
	while (r < 0 && errno == EINTR);
	if (r == sizeof(m) && m.type == OCI_SYNC_JOINED)
		return 0;
	if (r == sizeof(m) && m.type == OCI_SYNC_ERR) {
		*e = m.err;
		return -1;
	}
	return hm_failx(e, 1, "the container's init died");
}

static int write_map(pid_t pid, const char *file, const struct oci_idmap *m,
		     size_t n, struct hm_err *e)
{
	char path[64], buf[4096];
	size_t len = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n && len < sizeof(buf) - 40; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	buf[len] = '\0';
	return util_write_str(path, buf, e);
}

/* the state the hooks and GO carry */
static void fill_state(struct create_ctx *c)
{
	char now[64];
	struct passwd *pw = getpwuid(geteuid());
	const char *const *a = (const char *const *)c->spec.annotations;

	util_now_rfc3339(now, sizeof(now));
	c->st.id = xstrdup(c->o->id);
	c->st.bundle = xstrdup(c->o->bundle);
	c->st.created = xstrdup(now);
	c->st.owner = xstrdup(pw ? pw->pw_name : "");
	c->st.pid = c->pid;
	c->st.pid_start = util_proc_starttime(c->pid);
	c->st.annotations = json_object();
	for (; a && a[0] && a[1]; a += 2)
		json_object_set_new(c->st.annotations, a[0], json_string(a[1]));
}

/* cgroup, maps, hooks, GO; then READY or the init's error */
static int release(struct create_ctx *c, struct hm_err *e)
{
	const struct oci_spec *s = &c->spec;
	struct oci_sync_msg m = {.type = OCI_SYNC_GO};
	char *state, *buf;
	size_t n;
	ssize_t r;

	if (join_cgroups(c, e) < 0 ||
	    (c->a.new_userns &&
	     (write_map(c->pid, "uid_map", s->uid_map, s->nuid_map, e) < 0 ||
	      write_map(c->pid, "gid_map", s->gid_map, s->ngid_map, e) < 0)))
		return -1;
	fill_state(c);
	state = oci_state_text(&c->st, "created");
	if (oci_hooks_run(s, OCI_HOOK_PRESTART, state, e) < 0 ||
	    oci_hooks_run(s, OCI_HOOK_CREATE_RUNTIME, state, e) < 0) {
		free(state);
		return -1;
	}
	n = strlen(state);
	buf = xmalloc(sizeof(m) + n);
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), state, n);
	free(state);
	r = send(c->sync_fd, buf, sizeof(m) + n, MSG_NOSIGNAL);
	free(buf);
	if (r < 0)
		return hm_fail(e, errno, "start the container's init");
	do
		r = recv(c->sync_fd, &m, sizeof(m), 0);
	while (r < 0 && errno == EINTR);
	if (r == sizeof(m) && m.type == OCI_SYNC_READY)
		return 0;
	if (r == sizeof(m) && m.type == OCI_SYNC_ERR) {
		*e = m.err;
		e->exit_code = 1;
		return -1;
	}
	return hm_failx(e, 1, "the container's init died");
}

static int write_pid_file(const char *path, pid_t pid, struct hm_err *e)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	return util_write_file_atomic(path, buf, (size_t)n, false, e);
}

static void undo(struct create_ctx *c)
{
	struct hm_err ign;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (c->cgroup_made)
		cgroup_destroy(c->leaf, &ign);
	if (c->dir)
		util_rm_rf(c->dir, &ign);
}

/* the fds we were started with beyond stdio and --preserve-fds */
static void note_foreign(struct oci_init_args *a, int first)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t cap = 8;

	a->foreign = xcalloc(cap, sizeof(int));
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd < first || fd == dirfd(d))
			continue;
		if (a->nforeign == cap)
			a->foreign =
			    xrealloc(a->foreign, (cap *= 2) * sizeof(int));
		a->foreign[a->nforeign++] = fd;
	}
	if (d)
		closedir(d);
}

int oci_create(const struct oci_create_opts *o, pid_t *pid, struct hm_err *e)
{
	struct create_ctx c = {.o = o, .sync_fd = -1, .cgfd = -1};
	int r = -1;

	c.a = (struct oci_init_args){.spec = &c.spec,
				     .o = o,
				     .sync_fd = -1,
				     .fifo_fd = -1,
				     .console_fd = -1};
	note_foreign(&c.a, 3 + o->preserve_fds);
	if (load(&c, e) < 0 || make_dir(&c, e) < 0)
		goto out;
	c.a.rootfs = c.st.rootfs;
	if (c.spec.process.terminal &&
	    (c.a.console_fd = oci_console_connect(o->console_socket, e)) < 0)
		goto out;
	if (make_cgroup(&c, e) < 0 || clone_init(&c, e) < 0 ||
	    release(&c, e) < 0 || oci_state_write(o->root, &c.st, e) < 0 ||
	    (o->pid_file && write_pid_file(o->pid_file, c.pid, e) < 0))
		goto out;
	*pid = c.pid;
	r = 0;
out:
	if (r < 0) {
		e->exit_code = 1;
		undo(&c);
	}
	if (c.sync_fd >= 0)
		close(c.sync_fd);
	if (c.cgfd >= 0)
		close(c.cgfd);
	if (c.a.fifo_fd >= 0)
		close(c.a.fifo_fd);
	if (c.a.console_fd >= 0)
		close(c.a.console_fd);
	oci_seccomp_free(c.a.seccomp);
	free(c.a.foreign);
	free(c.dir);
	oci_state_free(&c.st);
	oci_spec_free(&c.spec);
	return r;
}
