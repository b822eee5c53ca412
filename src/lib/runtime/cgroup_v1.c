/* SPDX-License-Identifier: MIT */
/*
 * The cgroup v1 backend (cgroup_v1_ops): finding the v1 hierarchies in
 * mountinfo, making a container's cgroup in each and writing its limits
 * (with Docker's device allow list), entering, freezing, reading stats,
 * and the kill-and-remove of cgroup_destroy(). cgroup.c checks names and
 * dispatches to it.
 */
#include "runtime/cgroup_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

/*
 * Every operation is a handful of open/write/close calls on cgroupfs with
 * paths built in stack buffers: a container start pays for each syscall
 * here, and a shell or stdio would cost more than the work.
 */

enum ctrl { C_MEMORY, C_PIDS, C_CPU, C_CPUACCT, C_DEVICES, C_FREEZER, C_N };

static const char *const ctrl_names[C_N] = {
    [C_MEMORY] = "memory",   [C_PIDS] = "pids",	      [C_CPU] = "cpu",
    [C_CPUACCT] = "cpuacct", [C_DEVICES] = "devices", [C_FREEZER] = "freezer",
};

#define BIT(c) (1u << (c))
/* without these a limit the user asked for would silently not apply */
#define REQUIRED (BIT(C_MEMORY) | BIT(C_PIDS) | BIT(C_CPU) | BIT(C_DEVICES))

#define DESTROY_WAIT_NS 2000000000ull	 /* for processes to leave */
#define FREEZE_WAIT_NS 2000000000ull	 /* cgroup_freeze() */
#define KILL_FREEZE_WAIT_NS 500000000ull /* freeze before a kill-all */

/*
 * Hierarchies of none of our controllers (blkio, cpuset, name=systemd, a
 * hybrid host's cgroup2) get the container's cgroup too, with no limits:
 * its cgroup namespace is rooted there, and at a hierarchy's root a
 * CAP_SYS_ADMIN container could mount the host's tree and release_agent.
 */
#define MAX_OTHER 12

struct hier {
	char mnt[512];	  /* mount point */
	const char *name; /* its basename: the name under /sys/fs/cgroup */
	unsigned ctrls;	  /* BIT(enum ctrl) of the wanted controllers in it */
	bool cpuset;	  /* a new cgroup needs cpuset.cpus and .mems */
	bool v2;	  /* a hybrid host's cgroup2 (cgroup_clone_fd()) */
};

/* One of those, as scan_mount() finds it; @dev (the superblock) counts a
 * hierarchy mounted twice once. */
struct other {
	char mnt[512], dev[32];
	bool cpuset, v2;
};

/* Filled by detect(), once per process; homo is single-threaded. */
static struct {
	int n;
	struct hier h[C_N + MAX_OTHER];
	int of[C_N]; /* index into h of each controller, -1 = not mounted */
} cg;

/* ---- small helpers ---- */

/* <mnt>/<parent>/<id> of hierarchy @i; @id NULL gives <mnt>/<parent>. */
static int dir_of(char *out, int i, const char *id, struct hm_err *e)
{
	if (snprintf(out, PATH_MAX, "%s/%s%s%s", cg.h[i].mnt,
		     cgroup_parent_name(), id ? "/" : "",
		     id ? id : "") >= PATH_MAX)
		return hm_fail(e, ENAMETOOLONG, "cgroup in \"%s\"",
			       cg.h[i].mnt);
	return 0;
}

/* Open @dir/@file; @p (PATH_MAX) keeps the path for error messages. */
static int cg_open(const char *dir, const char *file, int flags, char *p,
		   struct hm_err *e)
{
	int fd;

	if (snprintf(p, PATH_MAX, "%s/%s", dir, file) >= PATH_MAX)
		return hm_fail(e, ENAMETOOLONG, "cgroup file in \"%s\"", dir);
	fd = open(p, flags | O_CLOEXEC);
	if (fd < 0)
		hm_fail(e, errno, "open \"%s\"", p);
	return fd;
}

static int write_fd(int fd, const char *val, const char *p, struct hm_err *e)
{
	size_t n = strlen(val);
	ssize_t w = write(fd, val, n);

	if (w == (ssize_t)n)
		return 0;
	return hm_fail(e, w < 0 ? errno : EIO, "write \"%s\" to \"%s\"", val,
		       p);
}

/*
 * Write @val to @dir/@file. With @optional a missing file is not an error
 * (return 1): opening it is how we learn whether the kernel has it, which is
 * cheaper than a stat first.
 */
static int cg_write(const char *dir, const char *file, const char *val,
		    bool optional, struct hm_err *e)
{
	char p[PATH_MAX];
	struct hm_err scratch;
	int fd = cg_open(dir, file, O_WRONLY, p, e = hm_err_or(e, &scratch)), r;

	if (fd < 0)
		return optional && e->errnum == ENOENT ? 1 : -1;
	r = write_fd(fd, val, p, e);
	close(fd);
	return r;
}

static int cg_write_i64(const char *dir, const char *file, int64_t v,
			bool optional, struct hm_err *e)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return cg_write(dir, file, s, optional, e);
}

/* Read @dir/@file (small files only) NUL-terminated into @buf. */
static int cg_read(const char *dir, const char *file, char *buf, size_t n,
		   struct hm_err *e)
{
	char p[PATH_MAX];
	int fd = cg_open(dir, file, O_RDONLY, p, e);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	if (r < 0)
		hm_fail(e, errno, "read \"%s\"", p);
	close(fd);
	buf[r < 0 ? 0 : r] = '\0';
	return r < 0 ? -1 : 0;
}

/* A number file; "max" (pids.max) and the kernel's "unlimited" give -1. */
static int cg_read_i64(const char *dir, const char *file, int64_t *v,
		       struct hm_err *e)
{
	char buf[64], *end;
	unsigned long long u;

	if (cg_read(dir, file, buf, sizeof(buf), e) < 0)
		return -1;
	if (!strncmp(buf, "max", 3)) {
		*v = -1;
		return 0;
	}
	/* the kernel's own file: strtoull, but no garbage taken as 0 */
	errno = 0;
	u = strtoull(buf, &end, 10);
	if (!(buf[0] >= '0' && buf[0] <= '9') || errno ||
	    (*end && *end != '\n'))
		return hm_fail(e, errno, "cgroup %s: not a number: \"%.20s\"",
			       file, buf);
	/* memory shows "no limit" as PAGE_COUNTER_MAX pages in bytes */
	*v = u >= (1ull << 62) ? -1 : (int64_t)u;
	return 0;
}

/* "\nkey N" in @buf (memory.oom_control: never the first line) */
static bool field(const char *buf, const char *key, uint64_t *v)
{
	const char *p = strstr(buf, key);
	char *end;

	if (!p || !(p[strlen(key)] >= '0' && p[strlen(key)] <= '9'))
		return false;
	errno = 0;
	*v = strtoull(p + strlen(key), &end, 10);
	return !errno && (!*end || *end == '\n');
}

/* ---- detection ---- */

/* @path is @mnt or below it: a mount on @mnt hides it */
static bool below(const char *path, const char *mnt, size_t n)
{
	return !strncmp(path, mnt, n) && (path[n] == '/' || !path[n] || n == 1);
}

static void add_other(struct other *o, int *no, const char *mnt,
		      const char *dev, bool cpuset, bool v2)
{
	for (int i = 0; i < *no; i++)
		if (o[i].mnt[0] && !strcmp(o[i].dev, dev))
			return;
	if (*no < MAX_OTHER) {
		snprintf(o[*no].mnt, sizeof(o->mnt), "%s", mnt);
		snprintf(o[*no].dev, sizeof(o->dev), "%s", dev);
		o[*no].v2 = v2;
		o[(*no)++].cpuset = cpuset;
	}
}

/*
 * One mountinfo line ("36 30 0:33 / /sys/fs/cgroup/freezer rw - cgroup
 * cgroup rw,freezer"): note a v1 hierarchy holding controllers we want, or
 * one of none (struct other), or that cgroup2 is mounted (a hybrid host's
 * is an other too). Lines come in mount order, so a mount on or above
 * a hierarchy's mount point hides it (cgroup2 mounted over /sys/fs/cgroup);
 * otherwise the first mount of a hierarchy wins.
 */
static void scan_mount(const char *line, char mnts[C_N + 1][512],
		       unsigned *bits, struct other *o, int *no)
{
	char mnt[512], dev[32], type[16], opts[512], *tok, *save = NULL;
	const char *sep = strstr(line, " - ");
	unsigned here = 0;
	bool cpuset = false;
	size_t n;

	if (!sep || sscanf(line, "%*s %*s %31s %*s %511s", dev, mnt) != 2 ||
	    sscanf(sep + 3, "%15s %*s %511s", type, opts) != 2)
		return;
	n = strlen(mnt);
	for (int i = 0; i <= C_N; i++)
		if (below(mnts[i], mnt, n))
			mnts[i][0] = '\0';
	for (int i = 0; i < *no; i++)
		if (below(o[i].mnt, mnt, n))
			o[i].mnt[0] = '\0';
	if (!strcmp(type, "cgroup2")) /* slot C_N: the last cgroup2 */
		memcpy(mnts[C_N], mnt, sizeof(mnt));
	/* a mount point with an escaped space or tab is nothing we made */
	if ((strcmp(type, "cgroup") && strcmp(type, "cgroup2")) ||
	    strchr(mnt, '\\'))
		return;
	for (tok = strtok_r(opts, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		cpuset |= !strcmp(tok, "cpuset");
		for (int i = 0; i < C_N; i++)
			if (!strcmp(tok, ctrl_names[i]))
				here |= BIT(i);
	}
	if (!here)
		add_other(o, no, mnt, dev, cpuset, !strcmp(type, "cgroup2"));
	for (int i = 0; i < C_N; i++)
		if ((here & BIT(i)) && !mnts[i][0]) {
			memcpy(mnts[i], mnt, sizeof(mnt));
			bits[i] = here;
		}
}

static void add_hier(const char *mnt, unsigned ctrls, bool cpuset, bool v2)
{
	struct hier *h = &cg.h[cg.n++];
	const char *slash;

	snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
	slash = strrchr(h->mnt, '/');
	h->name = slash ? slash + 1 : h->mnt;
	h->ctrls = ctrls;
	h->cpuset = cpuset;
	h->v2 = v2;
}

static int detect(const char *mountinfo, struct hm_err *e)
{
	char mnts[C_N + 1][512] = {{0}}, *line, *save = NULL;
	cleanup_free char *info = xstrdup(mountinfo);
	unsigned bits[C_N] = {0}, have = 0;
	struct other o[MAX_OTHER];
	int i, no = 0;

	for (line = strtok_r(info, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		scan_mount(line, mnts, bits, o, &no);
	for (i = 0; i < C_N; i++) {
		cg.of[i] = -1;
		if (mnts[i][0])
			have |= BIT(i);
	}
	if ((have & REQUIRED) != REQUIRED) {
		/* cgroup2 without our controllers (cgroup_v2.c said no),
		 * and no v1 ones; a hybrid host keeps the v1 ones and gets
		 * told which controller is missing */
		if (mnts[C_N][0] && !(have & REQUIRED))
			return hm_fail(e, 0,
				       "no cgroup v1 hierarchies and no "
				       "cgroup2 mount offering memory, pids "
				       "or cpu");
		for (i = 0; !(REQUIRED & BIT(i)) || (have & BIT(i)); i++)
			;
		return hm_fail(e, 0,
			       "cgroup v1 controller \"%s\" is not "
			       "mounted",
			       ctrl_names[i]);
	}
	/* hierarchies in controller order, co-mounted ones once */
	for (i = 0; i < C_N; i++) {
		if (!mnts[i][0] || cg.of[i] >= 0)
			continue;
		for (int j = 0; j < C_N; j++)
			if (bits[i] & BIT(j))
				cg.of[j] = cg.n;
		add_hier(mnts[i], bits[i], false, false);
	}
	for (i = 0; i < no; i++)
		if (o[i].mnt[0])
			add_hier(o[i].mnt, 0, o[i].cpuset, o[i].v2);
	return 0;
}

/* ---- the v1 backend ---- */

/* mkdir, making the parent when it is missing: another homo may rmdir the
 * (empty) parent between our mkdirs, so ENOENT is retried. */
static int make_dir(char *dir, bool cpuset, struct hm_err *e)
{
	for (int tries = 0; tries < 8; tries++) {
		char *slash;
		int r;

		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != ENOENT)
			break;
		slash = strrchr(dir, '/');
		*slash = '\0';
		r = mkdir(dir, 0755);
		if (r < 0 && errno == ENOENT) /* a nested OCI cgroupsPath */
			r = make_dir(dir, cpuset, e) < 0 ? -2 : 0;
		else if (r < 0 && errno == EEXIST)
			r = 0;
		else if (r == 0 && cpuset &&
			 cgroup_v1_cpuset_parent(dir, e) < 0)
			r = -2;
		*slash = '/';
		if (r == -2) /* @e says why */
			return -1;
		if (r < 0)
			break;
	}
	return hm_fail(e, errno, "create cgroup \"%s\"", dir);
}

static int write_limits(const struct hier *h, const char *dir,
			const struct cgroup_limits *l, struct hm_err *e)
{
	/* 2 * -m 8000000000000000000 wrapped to a negative memsw limit */
	int64_t sw = l->memory_swap		 ? l->memory_swap
		     : l->memory > INT64_MAX / 2 ? -1
						 : 2 * l->memory;

	/* memory before memsw: the kernel keeps memsw >= memory at every
	 * step; memsw is absent without swap accounting (Docker ignores it) */
	if ((h->ctrls & BIT(C_MEMORY)) && l->memory &&
	    (cg_write_i64(dir, "memory.limit_in_bytes", l->memory, false, e) <
		 0 ||
	     cg_write_i64(dir, "memory.memsw.limit_in_bytes", sw, true, e) < 0))
		return -1;
	if ((h->ctrls & BIT(C_PIDS)) && l->pids > 0 &&
	    cg_write_i64(dir, "pids.max", l->pids, false, e) < 0)
		return -1;
	/* period before quota: the kernel checks the quota against it */
	if ((h->ctrls & BIT(C_CPU)) &&
	    ((l->cpu_period_us > 0 &&
	      cg_write_i64(dir, "cpu.cfs_period_us", l->cpu_period_us, false,
			   e) < 0) ||
	     (l->cpu_quota_us > 0 &&
	      cg_write_i64(dir, "cpu.cfs_quota_us", l->cpu_quota_us, false, e) <
		  0) ||
	     (l->cpu_shares > 0 &&
	      cg_write_i64(dir, "cpu.shares", l->cpu_shares, false, e) < 0)))
		return -1;
	if ((h->ctrls & BIT(C_DEVICES)) && !l->privileged &&
	    cgroup_v1_write_devices(dir, l, e) < 0)
		return -1;
	return 0;
}

/*
 * rmdir <mnt>/<parent> everywhere unless a container still uses it; not
 * homo's own parent, which stays (cgroup_parent_kept()): making and
 * removing it in each hierarchy cost a start 0.5 ms.
 */
static void remove_parents(void)
{
	char dir[PATH_MAX];
	struct hm_err ign;

	if (cgroup_parent_kept())
		return;
	for (int i = 0; i < cg.n; i++)
		if (dir_of(dir, i, NULL, &ign) == 0)
			rmdir(dir); /* ENOTEMPTY/EBUSY: in use; ENOENT: gone */
}

static int v1_create(const char *id, const struct cgroup_limits *l,
		     struct hm_err *e)
{
	static const struct cgroup_limits none;
	char dir[PATH_MAX];
	unsigned made = 0;
	int i;

	if (!l)
		l = &none;
	for (i = 0; i < cg.n; i++) {
		if (dir_of(dir, i, id, e) < 0 ||
		    make_dir(dir, cg.h[i].cpuset, e) < 0)
			goto undo;
		made |= BIT(i);
		if (write_limits(&cg.h[i], dir, l, e) < 0)
			goto undo;
	}
	return 0;
undo:
	/* nothing entered yet, so the dirs are empty and rmdir works */
	for (i = cg.n - 1; i >= 0; i--)
		if ((made & BIT(i)) && dir_of(dir, i, id, e) == 0)
			rmdir(dir);
	remove_parents();
	return -1;
}

/*
 * Write @s (a pid, or "0": the caller) to @file of hierarchy @i's cgroup
 * @dir. A cpuset cgroup under a parent homo did not make (nor set
 * clone_children in) has no CPUs yet, which the kernel says with ENOSPC:
 * it gets its parent's, and the write is tried again; homo's own parent
 * (one an older homo made) gets clone_children for the next container.
 */
static int join(int i, const char *dir, const char *file, const char *s,
		struct hm_err *e)
{
	char up[PATH_MAX];
	struct hm_err scratch, ign;

	e = hm_err_or(e, &scratch);
	if (cg_write(dir, file, s, false, e) == 0)
		return 0;
	if (e->errnum != ENOSPC || !cg.h[i].cpuset ||
	    cgroup_v1_fill_cpuset(dir, e) < 0)
		return -1;
	if (cgroup_parent_kept() && dir_of(up, i, NULL, &ign) == 0)
		cg_write(up, "cgroup.clone_children", "1", false, &ign);
	return cg_write(dir, file, s, false, e);
}

static int v1_enter(const char *id, pid_t pid, struct hm_err *e)
{
	char dir[PATH_MAX], s[16];

	snprintf(s, sizeof(s), "%d", (int)pid);
	for (int i = 0; i < cg.n; i++)
		if (dir_of(dir, i, id, e) < 0 ||
		    join(i, dir, "cgroup.procs", s, e) < 0)
			return -1;
	return 0;
}

/* a hybrid host's cgroup2: the container is cloned into it */
static int v1_clone_fd(const char *id, int *fd, struct hm_err *e)
{
	char dir[PATH_MAX];

	for (int i = 0; i < cg.n; i++) {
		if (!cg.h[i].v2)
			continue;
		if (dir_of(dir, i, id, e) < 0)
			return -1;
		*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd < 0)
			return hm_fail(e, errno, "open cgroup \"%s\"", dir);
		return 0;
	}
	return 0;
}

static int v1_enter_v1(const char *id, pid_t pid, struct hm_err *e)
{
	char dir[PATH_MAX], s[16];

	/* one thread, through tasks: the caller is single-threaded */
	snprintf(s, sizeof(s), "%d", (int)pid);
	for (int i = 0; i < cg.n; i++)
		if (!cg.h[i].v2 && (dir_of(dir, i, id, e) < 0 ||
				    join(i, dir, "tasks", s, e) < 0))
			return -1;
	return 0;
}

static void kill_pid(long pid, int *n)
{
	/* never 0 or -1 (process groups, everything), never ourselves */
	if (pid > 0 && pid != getpid())
		kill((pid_t)pid, SIGKILL);
	(*n)++;
}

/*
 * SIGKILL every pid listed in @dir/cgroup.procs, and in the cgroups below it
 * (a privileged container may make its own), removing those as they empty.
 * *@n counts the pids seen. These are the container's own processes:
 * nothing else is ever put in its cgroups. A vanished dir counts as empty.
 */
static void kill_tree(const char *dir, int *n, int depth)
{
	char p[PATH_MAX], buf[4096];
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	struct hm_err ign;
	bool in = false;
	long pid = 0;
	ssize_t r;
	int fd = cg_open(dir, "cgroup.procs", O_RDONLY, p, &ign);

	if (fd < 0)
		return;
	/* the list can take several reads: a number may straddle two */
	while ((r = read(fd, buf, sizeof(buf))) > 0 ||
	       (r < 0 && errno == EINTR))
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
				in = true;
			} else if (in) {
				kill_pid(pid, n);
				pid = 0;
				in = false;
			}
		}
	if (in)
		kill_pid(pid, n);
	close(fd);
	if (depth > 8 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    snprintf(p, PATH_MAX, "%s/%s", dir, de->d_name) <
			PATH_MAX) {
			kill_tree(p, n, depth + 1);
			rmdir(p);
		}
}

/* Wait until @dir/freezer.state reads FROZEN, up to @wait_ns. */
static int wait_frozen(const char *dir, uint64_t wait_ns, struct hm_err *e)
{
	uint64_t end = cgroup_now_ns() + wait_ns;
	unsigned us = 50;
	char st[32];

	for (;;) {
		if (cg_read(dir, "freezer.state", st, sizeof(st), e) < 0)
			return -1;
		if (!strncmp(st, "FROZEN", 6))
			return 0;
		if (cgroup_now_ns() > end)
			return hm_fail(e, ETIMEDOUT, "freeze \"%s\"", dir);
		cgroup_nap(&us);
	}
}

/*
 * Kill everything in the container with the freezer held: a frozen process
 * cannot fork or exit, so no child escapes and no listed pid is reused
 * before its SIGKILL. This also thaws a paused container, whose processes
 * could not die otherwise. Without a freezer, drain() kills alone.
 */
static void kill_frozen(const char *id)
{
	int fz = cg.of[C_FREEZER], n = 0;
	char dir[PATH_MAX];
	struct hm_err ign;

	if (fz < 0 || dir_of(dir, fz, id, &ign) < 0 ||
	    cg_write(dir, "freezer.state", "FROZEN", false, &ign) < 0)
		return;
	wait_frozen(dir, KILL_FREEZE_WAIT_NS, &ign); /* kill anyway */
	kill_tree(dir, &n, 0);
	/* the signals are delivered as the tasks thaw */
	cg_write(dir, "freezer.state", "THAWED", false, &ign);
}

/* Kill stragglers until @dir is empty, then rmdir it (bounded). */
static int drain(const char *dir, uint64_t end, struct hm_err *e)
{
	unsigned us = 100;
	int n;

	for (;;) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return hm_fail(e, errno, "remove cgroup \"%s\"", dir);
		n = 0;
		kill_tree(dir, &n, 0);
		if (cgroup_now_ns() > end)
			return hm_fail(e, EBUSY,
				       "remove cgroup \"%s\" (%d "
				       "processes left)",
				       dir, n);
		cgroup_nap(&us);
	}
}

static int v1_destroy(const char *id, struct hm_err *e)
{
	struct hm_err later;
	char dir[PATH_MAX];
	unsigned busy = 0;
	uint64_t end;
	int i, rc = 0;

	/* the common case: the container is gone and the dirs are empty */
	for (i = 0; i < cg.n; i++) {
		if (dir_of(dir, i, id, e) < 0)
			return -1;
		if (rmdir(dir) == 0 || errno == ENOENT)
			continue;
		if (errno == EBUSY)
			busy |= BIT(i);
		else if (!rc++)
			hm_fail(e, errno, "remove cgroup \"%s\"", dir);
	}
	if (busy) {
		end = cgroup_now_ns() + DESTROY_WAIT_NS;
		kill_frozen(id);
		for (i = 0; i < cg.n; i++)
			if ((busy & BIT(i)) && dir_of(dir, i, id, e) == 0 &&
			    drain(dir, end, rc ? &later : e) < 0)
				rc++;
	}
	remove_parents();
	return rc ? -1 : 0;
}

static int v1_oom_killed(const char *id, bool *oom, struct hm_err *e)
{
	char dir[PATH_MAX], buf[256];
	uint64_t v;
	int64_t fc;

	if (dir_of(dir, cg.of[C_MEMORY], id, e) < 0 ||
	    cg_read(dir, "memory.oom_control", buf, sizeof(buf), e) < 0)
		return -1;
	if (field(buf, "\noom_kill ", &v)) {
		*oom = v > 0;
		return 0;
	}
	/* before 4.13: only "under OOM now" and "hit the limit" exist */
	if (field(buf, "\nunder_oom ", &v) && v)
		return *oom = true, 0;
	if (cg_read_i64(dir, "memory.failcnt", &fc, e) < 0)
		return -1;
	*oom = fc > 0;
	return 0;
}

static int set_freezer(const char *id, bool freeze, struct hm_err *e)
{
	const char *st = freeze ? "FROZEN" : "THAWED";
	char dir[PATH_MAX];
	struct hm_err ign;

	if (cg.of[C_FREEZER] < 0)
		return hm_fail(e, 0, "the freezer cgroup is not mounted");
	if (dir_of(dir, cg.of[C_FREEZER], id, e) < 0 ||
	    cg_write(dir, "freezer.state", st, false, e) < 0)
		return -1;
	if (freeze && wait_frozen(dir, FREEZE_WAIT_NS, e) < 0) {
		/* a half-frozen container is worse than a running one */
		cg_write(dir, "freezer.state", "THAWED", false, &ign);
		return -1;
	}
	return 0;
}

static int v1_freeze(const char *id, struct hm_err *e)
{
	return set_freezer(id, true, e);
}

static int v1_thaw(const char *id, struct hm_err *e)
{
	return set_freezer(id, false, e);
}

static int v1_stats(const char *id, struct cgroup_stats *st, struct hm_err *e)
{
	static const struct {
		enum ctrl c;
		const char *file;
		size_t off;
	} files[] = {
#define F(c, file, field) {c, file, offsetof(struct cgroup_stats, field)}
	    F(C_MEMORY, "memory.usage_in_bytes", memory_usage),
	    F(C_MEMORY, "memory.max_usage_in_bytes", memory_max_usage),
	    F(C_MEMORY, "memory.limit_in_bytes", memory_limit),
	    F(C_PIDS, "pids.current", pids_current),
	    F(C_PIDS, "pids.max", pids_limit),
	    F(C_CPUACCT, "cpuacct.usage", cpu_usage_ns),
#undef F
	};
	char dir[PATH_MAX];
	int64_t v;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (cg.of[files[i].c] < 0) /* cpuacct is optional */
			continue;
		if (dir_of(dir, cg.of[files[i].c], id, e) < 0 ||
		    cg_read_i64(dir, files[i].file, &v, e) < 0)
			return -1;
		memcpy((char *)st + files[i].off, &v, sizeof(v));
	}
	return 0;
}

static char *v1_dir(const char *controller, const char *id)
{
	char dir[PATH_MAX];
	struct hm_err ign;

	for (int i = 0; i < C_N; i++)
		if (cg.of[i] >= 0 && !strcmp(controller, ctrl_names[i]))
			return dir_of(dir, cg.of[i], id, &ign) ? NULL
							       : xstrdup(dir);
	for (int i = 0; i < cg.n; i++)
		if (!strcmp(controller, cg.h[i].name))
			return dir_of(dir, i, id, &ign) ? NULL : xstrdup(dir);
	return NULL;
}

static char *v1_thaw_file(const char *id, const char **value)
{
	char dir[PATH_MAX];

	*value = "THAWED";
	if (cg.of[C_FREEZER] < 0 || dir_of(dir, cg.of[C_FREEZER], id, NULL))
		return NULL;
	return xasprintf("%s/freezer.state", dir);
}

static int v1_each(const char *id, cgroup_each_fn fn, void *arg)
{
	char dir[PATH_MAX];
	struct hm_err ign;

	for (int i = 0; i < cg.n; i++)
		if (dir_of(dir, i, id, &ign) < 0 || fn(cg.h[i].name, dir, arg))
			return -1;
	return 0;
}

const struct cgroup_ops cgroup_v1_ops = {
    .name = "v1",
    .detect = detect,
    .create = v1_create,
    .enter = v1_enter,
    .clone_fd = v1_clone_fd,
    .enter_v1 = v1_enter_v1,
    .destroy = v1_destroy,
    .oom_killed = v1_oom_killed,
    .freeze = v1_freeze,
    .thaw = v1_thaw,
    .stats = v1_stats,
    .dir = v1_dir,
    .each = v1_each,
    .thaw_file = v1_thaw_file,
};
