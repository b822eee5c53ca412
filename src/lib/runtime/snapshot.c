/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of a container's files: commit (its upper/ as a new image, by
 * image/commit.c) and export (its merged tree as one tar). Both need the
 * container found and, if it runs, held still while its files are read
 * (the freezer, with a guard that thaws it whatever happens to homo),
 * which is runtime work and why they are here, apart from the image side.
 * Named for what the two share: the container's files at one instant.
 */
#include "runtime/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/rootless.h"
#include "base/util.h"
#include "image/layer_tar.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/control.h"
#include "runtime/userns.h"
#include "store/overlay.h"

/* ---- freezing a running container ---- */

/*
 * A running container is frozen while its upperdir is read. If homo dies
 * meanwhile (SIGKILL), nothing would thaw it: a forked guard holds the read
 * end of a pipe whose write end only homo has, and thaws on EOF, which
 * comes however homo ends. Prepared before the fork: the child only makes
 * async-signal-safe calls.
 */
struct freeze_guard {
	pid_t pid;
	int fd;	  /* write end; closing it releases the guard */
	int lock; /* container_lock(): no pause or unpause meanwhile */
};

static int freeze_locked(const char *id, struct freeze_guard *g,
			 struct hm_err *e)
{
	const char *thawed;
	cleanup_free char *state = cgroup_thaw_file(id, &thawed);
	int p[2];

	g->pid = -1;
	g->fd = -1;
	if (!state)
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is running and the freezer "
				"cgroup is not mounted: stop it first",
				id);
	if (pipe2(p, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "pipe");
	g->pid = fork();
	if (g->pid < 0) {
		close(p[0]);
		close(p[1]);
		return hm_fail(e, errno, "fork");
	}
	if (g->pid == 0) {
		char c;
		int fd;

		/*
		 * Hold nothing else: an inherited pipe end (export's error
		 * pipe, a shell's stdout) would never see its EOF.
		 */
		if (dup2(p[0], 0) < 0)
			_exit(1);
		close_range(1, ~0U, 0);
		while (read(0, &c, 1) < 0 && errno == EINTR)
			;
		fd = open(state, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, thawed, strlen(thawed)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	g->fd = p[1];
	HM_TRACE("freeze %.12s", id);
	if (cgroup_freeze(id, e) < 0) {
		close(g->fd);
		waitpid(g->pid, NULL, 0);
		g->pid = -1;
		return -1;
	}
	return 0;
}

static int freeze(struct hm_store *s, const char *id, struct freeze_guard *g,
		  struct hm_err *e)
{
	g->pid = -1;
	g->fd = -1;
	g->lock = container_lock(s, id, e);
	if (g->lock < 0)
		return -1;
	if (cgroup_none()) { /* no freezer: as Docker's --pause=false */
		struct hm_err w = {0};

		hm_failx(&w, 0,
			 "rootless: %.12s runs on while it is read (no "
			 "freezer cgroup): what it writes meanwhile may be "
			 "caught half-written",
			 id);
		hm_warn(&w);
		return 0;
	}
	/* paused by the user: already still, and it stays paused after */
	if (container_paused(s, id) || freeze_locked(id, g, e) == 0)
		return 0;
	close(g->lock);
	g->lock = -1;
	return -1;
}

static int thaw(const char *id, struct freeze_guard *g, struct hm_err *e)
{
	int r;

	if (g->lock >= 0)
		close(g->lock); /* after the thaw: on return */
	g->lock = -1;
	if (g->pid < 0)
		return 0;
	HM_TRACE("thaw %.12s", id);
	r = cgroup_thaw(id, e);
	close(g->fd);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	g->pid = -1;
	return r;
}

/* ---- commit ---- */

struct freeze_ctx {
	struct hm_store *s;
	const char *id;
	struct freeze_guard g;
};

static int freeze_cb(void *arg, struct hm_err *e)
{
	struct freeze_ctx *f = arg;

	return freeze(f->s, f->id, &f->g, e);
}

static int thaw_cb(void *arg, struct hm_err *e)
{
	struct freeze_ctx *f = arg;

	return thaw(f->id, &f->g, e);
}

static json_t *strv_array(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/*
 * The image config as the container ran, as docker commit keeps it: its
 * entrypoint and command apart, env, dir, user, stop signal; the rest
 * (labels, ports, volumes) its image's. @base receives that image (its
 * history goes on), zeroed if it went away.
 */
static json_t *container_config(struct hm_store *s, const struct hm_spec *sp,
				struct hm_image *base)
{
	json_t *cfg;

	if (store_image_find(s, sp->image_id, base, NULL, NULL) == 0) {
		cfg = json_deep_copy(base->config);
	} else {
		memset(base, 0, sizeof(*base));
		cfg = image_default_config(); /* the image went away */
	}
	if (sp->entrypoint && sp->entrypoint[0])
		json_object_set_new(cfg, "entrypoint",
				    strv_array(sp->entrypoint));
	else
		json_object_del(cfg, "entrypoint");
	if (sp->config_cmd && (sp->config_cmd[0] || sp->entrypoint[0]))
		json_object_set_new(cfg, "cmd", strv_array(sp->config_cmd));
	if (sp->env)
		json_object_set_new(cfg, "env", strv_array(sp->env));
	if (sp->workdir && *sp->workdir)
		json_object_set_new(cfg, "workdir", json_string(sp->workdir));
	if (sp->user)
		json_object_set_new(cfg, "user", json_string(sp->user));
	if (sp->stop_signal && *sp->stop_signal)
		json_object_set_new(cfg, "stop_signal",
				    json_string(sp->stop_signal));
	return cfg;
}

/* Docker's history "created by": the command, words joined by spaces. */
static char *command_line(char *const *argv)
{
	cleanup_free char *s = xstrdup("");

	for (size_t i = 0; argv && argv[i]; i++) {
		char *n = xasprintf("%s%s%s", s, i ? " " : "", argv[i]);

		free(s);
		s = n;
	}
	return steal_ptr(&s);
}

int commit_container(struct hm_store *s, const char *ref,
		     const struct commit_opts *o, struct hm_image *out,
		     struct hm_err *e)
{
	cleanup_free char *cdir = NULL, *upper = NULL, *source = NULL;
	cleanup_free char *created_by = NULL;
	cleanup_image struct hm_image base = {0};
	json_t *cfg;
	struct freeze_ctx f = {.g = {.pid = -1, .fd = -1, .lock = -1}};
	struct hm_state state;
	struct hm_spec sp;
	char id[65];
	int r;

	memset(out, 0, sizeof(*out));
	if (container_find(s, ref, id, e) < 0 ||
	    container_check(s, id, &state, e) < 0 ||
	    container_load_spec(s, id, &sp, e) < 0)
		return -1;
	cdir = container_dir(s, id);
	upper = xasprintf("%s/upper", cdir);
	source = xasprintf("commit of container %.12s", id);
	f.s = s;
	f.id = id;
	cfg = container_config(s, &sp, &base);
	created_by = command_line(sp.argv);
	r = commit_upper(
	    s,
	    &(struct commit_input){
		.dir = upper,
		.base_layers = sp.layers,
		.config = cfg,
		.source = source,
		.default_name = sp.name,
		.base = base.layers ? &base : NULL,
		.created_by = created_by,
		.uidmap = &sp.uidmap,
		.gidmap = &sp.gidmap,
		.freeze = state.status == ST_RUNNING ? freeze_cb : NULL,
		.thaw = state.status == ST_RUNNING ? thaw_cb : NULL,
		.freeze_arg = &f,
	    },
	    o, out, e);
	spec_free(&sp);
	return r;
}

/* ---- export ---- */

/*
 * "lowerdir=containers/<id>/upper:l/<top>:...:l/<bottom>", relative to
 * the store root: the upper is just the topmost read-only layer here.
 */
static char *export_options(char *const *layers, const char *id,
			    struct hm_err *e)
{
	size_t n = strv_len(layers), page = (size_t)getpagesize(), len;
	char *opts;

	if (n + 1 > OVERLAY_MAX_LAYERS)
		return hm_failx(e, HM_EXIT_FAIL,
				"export: %zu layers: overlayfs stacks at most "
				"%d",
				n + 1, OVERLAY_MAX_LAYERS),
		       NULL;
	opts = xmalloc(64 + 80 + n * (LAYER_SHORT_LEN + 3));
	len = (size_t)sprintf(opts, "lowerdir=containers/%s/upper", id);
	for (size_t i = n; i-- > 0;)
		len += (size_t)sprintf(opts + len, ":l/%.*s", LAYER_SHORT_LEN,
				       layers[i]);
	if (hm_rootless()) /* markers as user.overlay.* (docs/rootless.md) */
		len += (size_t)sprintf(opts + len, ",userxattr");
	if (len >= page) {
		free(opts);
		return hm_failx(e, HM_EXIT_FAIL,
				"export: %zu layers: the overlay mount options "
				"exceed the kernel's %zu-byte limit",
				n + 1, page),
		       NULL;
	}
	return opts;
}

/*
 * A user namespace mapping a container's host ids back (inside id
 * host + N is outside id N): an idmapped mount through it shows upper/ as
 * the container sees it. Held by a child that waits on a pipe; the
 * namespace lives on in the returned fd.
 */
static int inverse_userns(const struct hm_idmap *uid,
			  const struct hm_idmap *gid, struct hm_err *e)
{
	struct hm_idmap iu = {uid->host, uid->ctr, uid->count};
	struct hm_idmap ig = {gid->host, gid->ctr, gid->count};
	char path[64], c;
	int p[2], fd = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "pipe");
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL,
			     NULL, NULL);
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return hm_fail(e, errno, "export: clone a user namespace");
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (userns_write_maps(pid, &iu, &ig, e) == 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			hm_fail(e, errno, "open \"%s\"", path);
	}
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

/*
 * Put an idmapped copy of @upper over itself (in the export child's own
 * mount namespace), so that the overlay reads it with the container's
 * owners; the image's layers already have them.
 */
static int unshift_upper(const char *upper, const struct hm_idmap *uid,
			 const struct hm_idmap *gid, struct hm_err *e)
{
	cleanup_close int ns = inverse_userns(uid, gid, e);
	cleanup_close int mnt = -1;

	if (ns < 0)
		return -1;
	mnt = userns_idmapped_tree(upper, ns, e);
	if (mnt < 0)
		return hm_prefix(e, "export");
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, upper,
		    MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return hm_fail(e, errno, "export: mount on \"%s\"", upper);
	return 0;
}

/* The child: its own mount namespace, the overlay, the tar, _exit. */
static void export_child(struct hm_store *s, const char *opts,
			 const char *upper, const struct hm_idmap *uid,
			 const struct hm_idmap *gid, int out_fd, bool progress,
			 int err_fd)
{
	struct hm_progress prog;
	struct layer_tar_opts lo = {
	    .sink = layer_tar_fd_sink, .sink_arg = &out_fd, .progress = &prog};
	struct layer_tar_result res;
	struct hm_err e = {0};
	const char *mnt = s->runroot;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNS) < 0) {
		hm_fail(&e, errno, "export: unshare mount namespace");
	} else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		hm_fail(&e, errno, "export: make / private");
	} else if (chdir(s->root) < 0) {
		hm_fail(&e, errno, "export: chdir \"%s\"", s->root);
	} else if (uid->count && unshift_upper(upper, uid, gid, &e) < 0) {
		/* e is set */
	} else if (mount("overlay", mnt, "overlay", MS_RDONLY, opts) < 0) {
		/* on the runroot: only this namespace ever sees it */
		hm_fail(&e, errno, "export: mount overlay on \"%s\"", mnt);
	} else {
		progress_init(&prog, "export", progress ? 0 : 0, progress);
		if (layer_tar_write(mnt, &lo, &res, &e) == 0)
			_exit(0);
		progress_finish(&prog);
	}
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(2);
	_exit(1);
}

int export_container(struct hm_store *s, const char *ref, int out_fd,
		     bool progress, struct hm_err *e)
{
	cleanup_free char *opts = NULL, *upper = NULL;
	struct freeze_guard g = {.pid = -1, .fd = -1, .lock = -1};
	struct hm_idmap uid, gid;
	struct hm_state state;
	struct hm_err scratch;
	struct hm_spec sp;
	char id[65];
	int p[2], status = 0;
	ssize_t n;
	pid_t pid;

	e = hm_err_or(e, &scratch); /* the writer's error is read into it */
	if (container_find(s, ref, id, e) < 0 ||
	    container_check(s, id, &state, e) < 0 ||
	    container_load_spec(s, id, &sp, e) < 0)
		return -1;
	opts = export_options(sp.layers, id, e);
	uid = sp.uidmap;
	gid = sp.gidmap;
	spec_free(&sp);
	if (!opts)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "pipe");
	if (state.status == ST_RUNNING && freeze(s, id, &g, e) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	HM_TRACE("export %.12s", id);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		upper = xasprintf("%s/containers/%s/upper", s->root, id);
		export_child(s, opts, upper, &uid, &gid, out_fd, progress,
			     p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		thaw(id, &g, NULL);
		return hm_fail(e, errno, "fork");
	}
	do
		n = read(p[0], e, sizeof(*e));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (thaw(id, &g, n == (ssize_t)sizeof(*e) ? NULL : e) < 0 &&
	    n != (ssize_t)sizeof(*e))
		return -1;
	if (n == (ssize_t)sizeof(*e))
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return hm_failx(e, HM_EXIT_FAIL, "export: writer died (%d)",
				status);
	return 0;
}
