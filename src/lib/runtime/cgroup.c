/* SPDX-License-Identifier: MIT */
/*
 * The cgroup API: picks the backend for this host once (cgroup_backend()),
 * checks the container id and the parent name every call builds its paths
 * from, and dispatches to the backend's struct cgroup_ops. What a backend
 * does with the cgroupfs is its own file's (cgroup_v1.c, cgroup_v2.c).
 */
#include "runtime/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/rootless.h"
#include "base/util.h"
#include "runtime/cgroup_backend.h"

#define NAME_MAX_LEN 128 /* id or parent */

/* The detection, once per process; homo is single-threaded. */
static struct {
	int state; /* 0 not yet, 1 detected, -1 failed (err says why) */
	const struct cgroup_ops *ops;
	struct hm_err err;
} be;

/* cgroup_set_parent()'s path, checked there; NULL: the environment's */
static char *parent_override;

int cgroup_set_parent(const char *path, struct hm_err *e)
{
	const char *p = path;

	/* '/'-separated names, none empty, "." or ".." (no way out) */
	while (*p) {
		size_t n = strcspn(p, "/");

		if (!n || n > NAME_MAX_LEN || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.') ||
		    memchr(p, '\n', n) || (p[n] == '/' && !p[n + 1]))
			return hm_fail(e, EINVAL, "invalid cgroup path \"%s\"",
				       path);
		p += n + (p[n] == '/');
	}
	free(parent_override);
	parent_override = strdup(path);
	if (!parent_override)
		return hm_fail(e, ENOMEM, "cgroup path");
	return 0;
}

const char *cgroup_parent_name(void)
{
	const char *p = getenv("HOMO_CGROUP_PARENT");

	if (parent_override)
		return parent_override;

	return p && *p ? p : "homo";
}

bool cgroup_parent_kept(void)
{
	return !parent_override;
}

static int check_name(const char *what, const char *s, struct hm_err *e)
{
	size_t n = strlen(s);

	if (!n || n > NAME_MAX_LEN || strpbrk(s, "/\n") || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return hm_fail(e, EINVAL, "invalid cgroup name \"%s\" (%s)", s,
			       what);
	return 0;
}

/* Docker's own checks, before anything is made. */
static int check_limits(const struct cgroup_limits *l, struct hm_err *e)
{
	if (l->memory < 0)
		return hm_fail(e, 0, "invalid memory limit %" PRId64,
			       l->memory);
	if (l->memory && l->memory < CGROUP_MIN_MEMORY)
		return hm_fail(e, 0, "Minimum memory limit allowed is 6MB");
	if (l->memory_swap < -1)
		return hm_fail(e, 0, "invalid memory-swap limit %" PRId64,
			       l->memory_swap);
	if (l->memory_swap > 0 && !l->memory)
		return hm_fail(e, 0,
			       "You should always set the Memory limit "
			       "when using Memoryswap limit");
	if (l->memory_swap > 0 && l->memory_swap < l->memory)
		return hm_fail(e, 0,
			       "Minimum memoryswap limit should be "
			       "larger than memory limit");
	if (l->cpu_shares < 0 || l->cpu_period_us < 0)
		return hm_fail(e, 0, "invalid CPU shares or period");
	return 0;
}

bool cgroup_none(void)
{
	return cgroup_backend(NULL) == &cgroup_none_ops;
}

uint64_t cgroup_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void cgroup_nap(unsigned *us)
{
	struct timespec t = {0, (long)*us * 1000};

	nanosleep(&t, NULL);
	if (*us < 8000)
		*us *= 2;
}

/*
 * Rootless: v2 in the delegated subtree holding the caller, else no
 * cgroups, with the reason for the errors of cgroup_none_ops. homo in the
 * delegated root itself gets none: a cgroup with processes cannot enable
 * memory for its children (EBUSY), and once pids or cpu are on there, no
 * child is a valid domain to move a process into (EOPNOTSUPP). The
 * user's processes are the user's to move, not homo's.
 */
static const struct cgroup_ops *rootless_backend(const char *mountinfo)
{
	cleanup_free char *root = NULL, *caller = NULL, *why = NULL,
			  *own = NULL;
	struct hm_err ign;
	uid_t uid = hm_rootless_uid();

	if (!mountinfo || cgroup_v2_ops.detect(mountinfo, &ign) < 0)
		return &cgroup_none_ops; /* its default reason: cgroup v1 */
	root = cgroup_v2_find_delegated(cgroup_v2_mount(), &caller);
	own = xasprintf("%s%s", cgroup_v2_mount(), caller);
	if (root && strcmp(root, own)) {
		cgroup_v2_delegate(root);
		return &cgroup_v2_ops;
	}
	if (root)
		why = xasprintf("homo runs in %s itself, the cgroup v2 "
				"subtree delegated to uid %u, and a cgroup "
				"holding processes cannot enable controllers "
				"for its children: run homo from a child "
				"cgroup of it (as systemd's app.slice/*.scope "
				"are)",
				root, (unsigned)uid);
	else
		why = xasprintf(
		    "rootless homo has one only in a cgroup v2 subtree "
		    "delegated to uid %u (systemd's user@%u.service), and "
		    "the caller's cgroup %s is in none",
		    (unsigned)uid, (unsigned)uid, caller);
	cgroup_none_set_why(why);
	return &cgroup_none_ops;
}

/* Which backend serves this host: one read of the mounts for both. */
static void detect(void)
{
	cleanup_free char *info =
	    util_read_file("/proc/self/mountinfo", NULL, &be.err);

	/* rootless: docs/rootless.md */
	if (hm_rootless()) {
		be.ops = rootless_backend(info);
		be.state = 1;
		return;
	}
	if (!info) {
		be.state = -1;
		return;
	}
	/* v2 where a cgroup2 mount has our controllers, else v1 */
	be.ops = &cgroup_v2_ops;
	if (cgroup_v2_ops.detect(info, &be.err) < 0) {
		be.ops = &cgroup_v1_ops;
		be.state = cgroup_v1_ops.detect(info, &be.err) < 0 ? -1 : 1;
	} else {
		be.state = 1;
	}
}

const struct cgroup_ops *cgroup_backend(struct hm_err *e)
{
	if (!be.state)
		detect();
	if (be.state < 0) {
		if (e)
			*e = be.err;
		return NULL;
	}
	return be.ops;
}

static const struct cgroup_ops *ops_for(const char *id, struct hm_err *e)
{
	const struct cgroup_ops *o = cgroup_backend(e);

	if (!o ||
	    (!parent_override &&
	     check_name("HOMO_CGROUP_PARENT", cgroup_parent_name(), e) < 0) ||
	    check_name("container id", id, e) < 0)
		return NULL;
	return o;
}

#define DISPATCH(call)                                       \
	do {                                                 \
		const struct cgroup_ops *o = ops_for(id, e); \
		return o ? o->call : -1;                     \
	} while (0)

int cgroup_create(const char *id, const struct cgroup_limits *l,
		  struct hm_err *e)
{
	if (l && check_limits(l, e) < 0)
		return -1;
	DISPATCH(create(id, l, e));
}

int cgroup_enter(const char *id, pid_t pid, struct hm_err *e)
{
	if (pid <= 0)
		return hm_fail(e, EINVAL, "enter cgroup: pid %d", (int)pid);
	DISPATCH(enter(id, pid, e));
}

int cgroup_clone_fd(const char *id, int *fd, struct hm_err *e)
{
	const struct cgroup_ops *o = ops_for(id, e);

	*fd = -1;
	if (!o)
		return -1;
	return o->clone_fd ? o->clone_fd(id, fd, e) : 0;
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/*
 * clone3 is refused (ENOSYS) by seccomp profiles that predate it, such
 * as older Docker's: then clone, and the caller joins the cgroup2 one.
 * clone3 takes CLONE_PARENT only with no exit signal (EINVAL), where
 * clone ignored it: either way the child gets the caller's own.
 */
struct cgroup_clone_args cgroup_clone_args(unsigned long flags, int cgfd)
{
	return (struct cgroup_clone_args){
	    .flags = (flags & ~0xffUL) | (cgfd >= 0 ? CLONE_INTO_CGROUP : 0),
	    .exit_signal = flags & CLONE_PARENT ? 0 : flags & 0xff,
	    .cgroup = cgfd >= 0 ? (uint64_t)cgfd : 0,
	};
}

pid_t cgroup_clone(unsigned long flags, int cgfd, bool *born_in)
{
	struct cgroup_clone_args ca = cgroup_clone_args(flags, cgfd);
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));

	*born_in = pid >= 0 && cgfd >= 0;
	if (pid >= 0 || errno != ENOSYS)
		return pid;
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

int cgroup_join_rest(const char *id, pid_t pid, int cgfd, bool born_in,
		     bool self, struct hm_err *e)
{
	if (cgfd >= 0 && !born_in)
		return cgroup_enter(id, pid, e);
	return self ? 0 : cgroup_enter_v1(id, pid, e);
}

int cgroup_enter_v1(const char *id, pid_t pid, struct hm_err *e)
{
	const struct cgroup_ops *o = ops_for(id, e);

	if (!o)
		return -1;
	return o->enter_v1 ? o->enter_v1(id, pid, e) : 0;
}

int cgroup_destroy(const char *id, struct hm_err *e)
{
	DISPATCH(destroy(id, e));
}

int cgroup_oom_killed(const char *id, bool *oom, struct hm_err *e)
{
	*oom = false;
	DISPATCH(oom_killed(id, oom, e));
}

int cgroup_freeze(const char *id, struct hm_err *e)
{
	DISPATCH(freeze(id, e));
}

int cgroup_thaw(const char *id, struct hm_err *e)
{
	DISPATCH(thaw(id, e));
}

int cgroup_stats(const char *id, struct cgroup_stats *st, struct hm_err *e)
{
	DISPATCH(stats(id, st, e));
}

int cgroup_cpu_usage_ns(const char *id, uint64_t *ns, struct hm_err *e)
{
	struct cgroup_stats st;

	*ns = 0;
	if (cgroup_stats(id, &st, e) < 0)
		return -1;
	*ns = st.cpu_usage_ns;
	return 0;
}

char *cgroup_thaw_file(const char *id, const char **value)
{
	struct hm_err e;
	const struct cgroup_ops *o = ops_for(id, &e);

	return o ? o->thaw_file(id, value) : NULL;
}

char *cgroup_dir(const char *controller, const char *id)
{
	struct hm_err e;
	const struct cgroup_ops *o = ops_for(id, &e);

	return o ? o->dir(controller, id) : NULL;
}

int cgroup_each(const char *id, cgroup_each_fn fn, void *arg)
{
	struct hm_err e;
	const struct cgroup_ops *o = ops_for(id, &e);

	if (!o) {
		errno = e.errnum ? e.errnum : ENOTSUP;
		return -1;
	}
	return o->each(id, fn, arg);
}
