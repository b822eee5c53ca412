/* SPDX-License-Identifier: MIT */
/*
 * The cgroup v2 backend (cgroup_v2_ops): one unified hierarchy, so one
 * directory per container, <cgroup2 mount>/<parent>/<id>. The controllers
 * are enabled in cgroup.subtree_control from the mount's root down to
 * <parent>, which never holds a process of its own (the no-internal-process
 * rule); devices are a BPF program (cgroup_bpf.c); freezing is
 * cgroup.freeze, killing everything cgroup.kill. docs/cgroups.md.
 */
#include "runtime/cgroup_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup_bpf.h"

enum v2c { V_MEMORY, V_PIDS, V_CPU, V_N };

static const char *const v2_names[V_N] = {"memory", "pids", "cpu"};

#define BIT(c) (1u << (c))

#define DESTROY_WAIT_NS 2000000000ull
#define FREEZE_WAIT_NS 2000000000ull

/* Filled by detect(), once per process; rootless, cgroup_v2_delegate(). */
static struct {
	char mnt[512];	     /* the cgroup2 mount */
	char base[PATH_MAX]; /* <parent>'s: the mount, or a delegated subtree */
	bool delegated;	     /* base is a user's (rootless homo) */
	unsigned avail;	     /* BIT(enum v2c) base's cgroup.controllers lists */
} cg2;

/* ---- pure parts (tests/unit/runtime/test_cgroup_v2.c) ---- */

int64_t cgroup_v2_weight(int64_t shares)
{
	/* crun's and Docker's map of [2, 262144] onto [1, 10000] */
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

void cgroup_v2_cpu_max(int64_t quota, int64_t period, char *buf, size_t n)
{
	if (period <= 0)
		period = CGROUP_CPU_PERIOD_US;
	if (quota > 0)
		snprintf(buf, n, "%" PRId64 " %" PRId64, quota, period);
	else
		snprintf(buf, n, "max %" PRId64, period);
}

bool cgroup_v2_key(const char *buf, const char *key, uint64_t *v)
{
	size_t k = strlen(key);

	for (const char *p = buf; p && *p;
	     p = strchr(p, '\n'), p = p ? p + 1 : p) {
		char *end;

		if (strncmp(p, key, k) || p[k] != ' ' || p[k + 1] < '0' ||
		    p[k + 1] > '9')
			continue;
		errno = 0;
		*v = strtoull(p + k + 1, &end, 10);
		return !errno && (!*end || *end == '\n');
	}
	return false;
}

/* ---- file helpers: open/write/close, paths in stack buffers ---- */

static int dir_of(char *out, const char *id, struct hm_err *e)
{
	if (snprintf(out, PATH_MAX, "%s/%s%s%s", cg2.base, cgroup_parent_name(),
		     id ? "/" : "", id ? id : "") >= PATH_MAX)
		return hm_fail(e, ENAMETOOLONG, "cgroup in \"%s\"", cg2.base);
	return 0;
}

/* Write @val to @dir/@file; with @optional a missing file returns 1. */
static int cg_write(const char *dir, const char *file, const char *val,
		    bool optional, struct hm_err *e)
{
	char p[PATH_MAX];
	struct hm_err scratch;
	size_t n = strlen(val);
	ssize_t w;
	int fd;

	e = hm_err_or(e, &scratch);
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return optional && errno == ENOENT
			   ? 1
			   : hm_fail(e, errno, "open \"%s\"", p);
	w = write(fd, val, n);
	if (w != (ssize_t)n)
		hm_fail(e, w < 0 ? errno : EIO, "write \"%s\" to \"%s\"", val,
			p);
	close(fd);
	return w == (ssize_t)n ? 0 : -1;
}

static int cg_write_i64(const char *dir, const char *file, int64_t v,
			struct hm_err *e)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return cg_write(dir, file, s, false, e);
}

static int cg_read(const char *dir, const char *file, char *buf, size_t n,
		   struct hm_err *e)
{
	char p[PATH_MAX];
	ssize_t r;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", p);
	r = read(fd, buf, n - 1);
	if (r < 0)
		hm_fail(e, errno, "read \"%s\"", p);
	close(fd);
	buf[r < 0 ? 0 : r] = '\0';
	return r < 0 ? -1 : 0;
}

/* "max" reads as -1; a missing file (controller not enabled) as @dflt */
static int cg_read_i64(const char *dir, const char *file, int64_t dflt,
		       int64_t *v, struct hm_err *e)
{
	char buf[64], *end;
	struct hm_err scratch;

	e = hm_err_or(e, &scratch);
	if (cg_read(dir, file, buf, sizeof(buf), e) < 0) {
		*v = dflt;
		return e->errnum == ENOENT ? 0 : -1;
	}
	if (!strncmp(buf, "max", 3)) {
		*v = -1;
		return 0;
	}
	errno = 0;
	*v = (int64_t)strtoll(buf, &end, 10);
	if (!(buf[0] >= '0' && buf[0] <= '9') || errno ||
	    (*end && *end != '\n'))
		return hm_fail(e, errno, "cgroup %s: not a number: \"%.20s\"",
			       file, buf);
	return 0;
}

/* BIT(enum v2c) of the names in a cgroup.controllers-like file */
static unsigned ctrl_bits(const char *dir, const char *file)
{
	char buf[512], *tok, *save = NULL;
	struct hm_err ign;
	unsigned bits = 0;

	if (cg_read(dir, file, buf, sizeof(buf), &ign) < 0)
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		for (int i = 0; i < V_N; i++)
			if (!strcmp(tok, v2_names[i]))
				bits |= BIT(i);
	return bits;
}

/* ---- detection ---- */

/*
 * The host is "v2" when a cgroup2 mount's root offers one of our
 * controllers; a hybrid host's cgroup2 (hugetlb alone, or nothing) leaves
 * them to v1. Of several such mounts the last one wins, as a mount on top
 * hides what is below it.
 */
static int detect(const char *mountinfo, struct hm_err *e)
{
	cleanup_free char *info = xstrdup(mountinfo);
	char *line, *save = NULL, mnt[512], type[16];

	cg2.mnt[0] = '\0';
	for (line = strtok_r(info, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sep = strstr(line, " - ");
		unsigned bits;

		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep + 3, "%15s", type) != 1 ||
		    strcmp(type, "cgroup2") || strchr(mnt, '\\'))
			continue;
		bits = ctrl_bits(mnt, "cgroup.controllers");
		if (bits) {
			memcpy(cg2.mnt, mnt, sizeof(mnt));
			cg2.avail = bits;
		}
	}
	if (!cg2.mnt[0])
		return hm_fail(e, 0,
			       "no cgroup2 mount offers memory, pids "
			       "or cpu");
	snprintf(cg2.base, sizeof(cg2.base), "%s", cg2.mnt);
	cg2.delegated = false;
	return 0;
}

const char *cgroup_v2_mount(void)
{
	return cg2.mnt;
}

void cgroup_v2_delegate(const char *root)
{
	snprintf(cg2.base, sizeof(cg2.base), "%s", root);
	cg2.delegated = true;
	cg2.avail = ctrl_bits(root, "cgroup.controllers");
}

/* ---- create ---- */

/* The controllers a limit of @l needs, and the option that asks. */
static unsigned needed(const struct cgroup_limits *l, const char **opt)
{
	unsigned n = 0;

	if (l->cpu_shares > 0)
		n |= BIT(V_CPU), opt[V_CPU] = "--cpu-shares";
	if (l->cpu_quota_us > 0 || l->cpu_period_us > 0)
		n |= BIT(V_CPU), opt[V_CPU] = "--cpus";
	if (l->pids > 0)
		n |= BIT(V_PIDS), opt[V_PIDS] = "--pids-limit";
	if (l->memory)
		n |= BIT(V_MEMORY), opt[V_MEMORY] = "--memory";
	return n;
}

/* @why: how @dir lacks it ("cgroup.controllers does not list it") */
static int missing(unsigned need, unsigned have, const char **opt,
		   const char *dir, const char *why, struct hm_err *e)
{
	for (int i = 0; i < V_N; i++)
		if ((need & BIT(i)) && !(have & BIT(i)))
			return hm_failx(e, HM_EXIT_FAIL,
					"%s needs the cgroup v2 \"%s\" "
					"controller: %s/%s",
					opt[i], v2_names[i], dir, why);
	return 0;
}

/*
 * Enable the controllers of @want in @dir/cgroup.subtree_control that are
 * not yet; one write each, so one the kernel refuses (not delegated, or
 * @dir holds processes) leaves the others on. Failures are only reported by
 * the check of the container's cgroup.controllers that follows.
 * Return: whether one was refused with EBUSY (@dir holds processes).
 */
static bool enable(const char *dir, unsigned want)
{
	unsigned on = ctrl_bits(dir, "cgroup.subtree_control");
	struct hm_err w = {0};
	bool busy = false;
	char s[16];

	for (int i = 0; i < V_N; i++)
		if ((want & ~on & BIT(i))) {
			snprintf(s, sizeof(s), "+%s", v2_names[i]);
			if (cg_write(dir, "cgroup.subtree_control", s, false,
				     &w) < 0 &&
			    w.errnum == EBUSY)
				busy = true;
		}
	return busy;
}

/*
 * A delegated root holding processes (homo's are in a child, cgroup.c
 * checked) cannot enable a domain controller (memory) for its children:
 * say what to do, not "refused". They are the user's: homo moves none.
 */
static int busy_root(unsigned need, unsigned have, const char **opt,
		     struct hm_err *e)
{
	for (int i = 0; i < V_N; i++)
		if ((need & BIT(i)) && !(have & BIT(i)))
			return hm_failx(e, HM_EXIT_FAIL,
					"%s needs the cgroup v2 \"%s\" "
					"controller: the delegated cgroup %s "
					"holds processes, so it cannot enable "
					"it for its children: move them to a "
					"child cgroup of it (as systemd's "
					"app.slice/*.scope are)",
					opt[i], v2_names[i], cg2.base);
	return 0;
}

/*
 * @parent and every cgroup between the base and it (an OCI cgroupsPath
 * "/a/b/c" nests), each with the controllers on for the next.
 */
static int make_parent(const char *parent, struct hm_err *e)
{
	char p[PATH_MAX + 1];
	size_t n = strlen(cg2.base);

	snprintf(p, sizeof(p), "%s/", parent); /* dir_of() fit it in PATH_MAX */
	for (char *s = strchr(p + n + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return hm_fail(e, errno, "create cgroup \"%s\"", p);
		enable(p, cg2.avail);
		*s = '/';
	}
	return 0;
}

/*
 * <parent>/<id> with the controllers on. Another homo may rmdir the empty
 * parent at any moment until our cgroup is in it (and may then make it
 * again, without controllers): ENOENT, or a cgroup without them, retries.
 */
static int make_cgroup(const char *id, unsigned need, const char **opt,
		       struct hm_err *e)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	unsigned have = 0;
	bool busy = false;

	if (dir_of(parent, NULL, e) < 0 || dir_of(dir, id, e) < 0)
		return -1;
	for (int tries = 0; tries < 8; tries++) {
		/*
		 * Nothing above a delegated subtree is ours to change. Once
		 * pids and cpu are on in a cgroup with processes, memory is
		 * EOPNOTSUPP there, no longer EBUSY: remember the first.
		 */
		if (enable(cg2.base, cg2.avail))
			busy = true;
		if (make_parent(parent, e) < 0)
			return -1;
		if (mkdir(dir, 0755) < 0) {
			if (errno == ENOENT)
				continue;
			return hm_fail(e, errno, "create cgroup \"%s\"", dir);
		}
		have = ctrl_bits(dir, "cgroup.controllers");
		if ((need & have) == need)
			return 0;
		rmdir(dir);
	}
	rmdir(parent);
	if (busy && cg2.delegated)
		return busy_root(need, have, opt, e);
	return missing(need, have, opt, parent,
		       "cgroup.subtree_control refused it (not delegated, or "
		       "a process in it?)",
		       e);
}

/* a --device rule (cgroup.h) as the BPF program's */
static void device_rule(const struct cgroup_device_rule *d, struct dev_rule *r)
{
	r->type = d->type == 'c'   ? BPF_DEVCG_DEV_CHAR
		  : d->type == 'b' ? BPF_DEVCG_DEV_BLOCK
				   : -1;
	r->major = d->major;
	r->minor = d->minor;
	r->access = (strchr(d->access, 'r') ? BPF_DEVCG_ACC_READ : 0) |
		    (strchr(d->access, 'w') ? BPF_DEVCG_ACC_WRITE : 0) |
		    (strchr(d->access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0);
}

/* Docker's allow-list and the --device rules, as v1's devices.allow */
static int write_devices(const char *dir, const struct cgroup_limits *l,
			 struct hm_err *e)
{
	const char *const *lines;
	size_t n = cgroup_default_devices(&lines), k;
	struct dev_rule rules[32 + CGROUP_MAX_DEVICES];
	struct bpf_insn
	    prog[DEV_BPF_FIXED + ARRAY_SIZE(rules) * DEV_BPF_PER_RULE];
	cleanup_close int cgfd = -1, fd = -1;

	if (n + l->ndevices > ARRAY_SIZE(rules))
		return hm_fail(e, E2BIG, "too many device rules");
	for (size_t i = 0; i < n; i++)
		if (dev_rule_parse(lines[i], &rules[i], e) < 0)
			return -1;
	for (size_t i = 0; i < l->ndevices; i++)
		device_rule(&l->devices[i], &rules[n++]);
	k = dev_bpf_build(rules, n, prog);
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return hm_fail(e, errno, "open \"%s\"", dir);
	fd = dev_bpf_load(prog, k, e);
	if (fd < 0 || dev_bpf_attach(cgfd, fd, e) < 0)
		return -1;
	return 0;
}

static int write_limits(const char *dir, const struct cgroup_limits *l,
			struct hm_err *e)
{
	char s[48];
	/* Docker's: swap as much as memory unless told; -1 unlimited */
	int64_t sw = l->memory_swap < 0	  ? -1
		     : l->memory_swap > 0 ? l->memory_swap - l->memory
					  : l->memory;

	if (l->memory && cg_write_i64(dir, "memory.max", l->memory, e) < 0)
		return -1;
	/* absent without swap accounting: like v1, not an error */
	if (l->memory &&
	    cg_write(dir, "memory.swap.max",
		     sw < 0 ? "max"
			    : (snprintf(s, sizeof(s), "%" PRId64, sw), s),
		     true, e) < 0)
		return -1;
	if (l->pids > 0 && cg_write_i64(dir, "pids.max", l->pids, e) < 0)
		return -1;
	if (l->cpu_quota_us > 0 || l->cpu_period_us > 0) {
		cgroup_v2_cpu_max(l->cpu_quota_us, l->cpu_period_us, s,
				  sizeof(s));
		if (cg_write(dir, "cpu.max", s, false, e) < 0)
			return -1;
	}
	if (l->cpu_shares > 0 &&
	    cg_write_i64(dir, "cpu.weight", cgroup_v2_weight(l->cpu_shares),
			 e) < 0)
		return -1;
	/*
	 * Attaching a device program takes CAP_SYS_ADMIN of the host: none
	 * rootless, where the user namespace cannot mknod and /dev holds
	 * host nodes bound in, which keep their host permissions.
	 */
	if (!l->privileged && !cg2.delegated && write_devices(dir, l, e) < 0)
		return -1;
	return 0;
}

static int v2_create(const char *id, const struct cgroup_limits *l,
		     struct hm_err *e)
{
	static const struct cgroup_limits none;
	const char *opt[V_N] = {0};
	char dir[PATH_MAX];
	unsigned need;

	if (!l)
		l = &none;
	need = needed(l, opt);
	if (missing(need, cg2.avail, opt, cg2.base,
		    "cgroup.controllers does not list it", e) < 0 ||
	    make_cgroup(id, need, opt, e) < 0)
		return -1;
	if (dir_of(dir, id, e) == 0 && write_limits(dir, l, e) == 0)
		return 0;
	rmdir(dir); /* nothing entered yet */
	if (dir_of(dir, NULL, NULL) == 0)
		rmdir(dir);
	return -1;
}

static int v2_enter(const char *id, pid_t pid, struct hm_err *e)
{
	char dir[PATH_MAX], s[16];

	snprintf(s, sizeof(s), "%d", (int)pid);
	if (dir_of(dir, id, e) < 0)
		return -1;
	return cg_write(dir, "cgroup.procs", s, false, e);
}

static int v2_clone_fd(const char *id, int *fd, struct hm_err *e)
{
	char dir[PATH_MAX];

	if (dir_of(dir, id, e) < 0)
		return -1;
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? hm_fail(e, errno, "open cgroup \"%s\"", dir) : 0;
}

/* ---- freeze, kill, destroy ---- */

/* Wait until @dir/cgroup.events shows "@key @want", up to @wait_ns. */
static int wait_event(const char *dir, const char *key, uint64_t want,
		      uint64_t wait_ns, struct hm_err *e)
{
	uint64_t end = cgroup_now_ns() + wait_ns, v;
	unsigned us = 50;
	char buf[256];

	for (;;) {
		if (cg_read(dir, "cgroup.events", buf, sizeof(buf), e) < 0)
			return -1;
		if (cgroup_v2_key(buf, key, &v) && v == want)
			return 0;
		if (cgroup_now_ns() > end)
			return hm_fail(e, ETIMEDOUT,
				       "cgroup \"%s\": %s not %" PRIu64, dir,
				       key, want);
		cgroup_nap(&us);
	}
}

static int set_frozen(const char *id, bool freeze, struct hm_err *e)
{
	char dir[PATH_MAX];

	if (dir_of(dir, id, e) < 0 ||
	    cg_write(dir, "cgroup.freeze", freeze ? "1" : "0", false, e) < 0)
		return -1;
	if (freeze && wait_event(dir, "frozen", 1, FREEZE_WAIT_NS, e) < 0) {
		/* a half-frozen container is worse than a running one */
		cg_write(dir, "cgroup.freeze", "0", false, NULL);
		return -1;
	}
	return 0;
}

static int v2_freeze(const char *id, struct hm_err *e)
{
	return set_frozen(id, true, e);
}

static int v2_thaw(const char *id, struct hm_err *e)
{
	return set_frozen(id, false, e);
}

/*
 * SIGKILL every process of @dir and its descendants (kernels before 5.14
 * lack cgroup.kill: frozen first, so none forks or exits meanwhile and no
 * listed pid is reused before its signal).
 */
static void kill_all(const char *dir)
{
	char buf[4096], *p, *end;
	struct hm_err ign;
	long pid;

	if (cg_write(dir, "cgroup.kill", "1", true, &ign) == 0)
		return;
	cg_write(dir, "cgroup.freeze", "1", false, &ign);
	wait_event(dir, "frozen", 1, FREEZE_WAIT_NS / 4, &ign);
	/* this cgroup's processes; rm_tree() calls us for those below */
	if (cg_read(dir, "cgroup.procs", buf, sizeof(buf), &ign) == 0)
		for (p = buf; *p; p = end) {
			pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && pid != getpid())
				kill((pid_t)pid, SIGKILL);
			while (*end == '\n')
				end++;
		}
	cg_write(dir, "cgroup.freeze", "0", false, &ign);
}

/* rmdir @dir after its sub-cgroups (a container may make its own) */
static int rm_tree(const char *dir, int depth)
{
	cleanup_dir DIR *d = depth < 8 ? opendir(dir) : NULL;
	struct dirent *de;
	char p[PATH_MAX];

	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) <
			(int)sizeof(p)) {
			kill_all(p);
			rm_tree(p, depth + 1);
		}
	return rmdir(dir) == 0 || errno == ENOENT ? 0 : -1;
}

static int v2_destroy(const char *id, struct hm_err *e)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	uint64_t end = cgroup_now_ns() + DESTROY_WAIT_NS;
	unsigned us = 100;
	int rc = 0;

	if (dir_of(dir, id, e) < 0 || dir_of(parent, NULL, e) < 0)
		return -1;
	while (rmdir(dir) < 0 && errno != ENOENT) {
		if (errno != EBUSY) {
			rc = hm_fail(e, errno, "remove cgroup \"%s\"", dir);
			break;
		}
		kill_all(dir);
		if (rm_tree(dir, 0) == 0)
			break;
		if (cgroup_now_ns() > end) {
			rc = hm_fail(e, EBUSY,
				     "remove cgroup \"%s\": processes left",
				     dir);
			break;
		}
		cgroup_nap(&us);
	}
	rmdir(parent); /* ENOTEMPTY/EBUSY: another container uses it */
	return rc;
}

/* ---- the rest of the table ---- */

static int v2_oom_killed(const char *id, bool *oom, struct hm_err *e)
{
	char dir[PATH_MAX], buf[512];
	uint64_t v;

	if (dir_of(dir, id, e) < 0 ||
	    cg_read(dir, "memory.events", buf, sizeof(buf), e) < 0)
		return -1;
	*oom = cgroup_v2_key(buf, "oom_kill", &v) && v > 0;
	return 0;
}

static int v2_stats(const char *id, struct cgroup_stats *st, struct hm_err *e)
{
	char dir[PATH_MAX], buf[1024];
	int64_t v[5];
	uint64_t us;

	memset(st, 0, sizeof(*st));
	if (dir_of(dir, id, e) < 0 ||
	    cg_read_i64(dir, "memory.current", 0, &v[0], e) < 0 ||
	    cg_read_i64(dir, "memory.peak", 0, &v[1], e) < 0 || /* 5.19+ */
	    cg_read_i64(dir, "memory.max", -1, &v[2], e) < 0 ||
	    cg_read_i64(dir, "pids.current", 0, &v[3], e) < 0 ||
	    cg_read_i64(dir, "pids.max", -1, &v[4], e) < 0 ||
	    cg_read(dir, "cpu.stat", buf, sizeof(buf), e) < 0)
		return -1;
	st->memory_usage = (uint64_t)v[0];
	st->memory_max_usage = (uint64_t)v[1];
	st->memory_limit = v[2];
	st->pids_current = (uint64_t)v[3];
	st->pids_limit = v[4];
	if (cgroup_v2_key(buf, "usage_usec", &us))
		st->cpu_usage_ns = us * 1000;
	return 0;
}

/* every controller lives in the one directory */
static char *v2_dir(const char *controller, const char *id)
{
	char dir[PATH_MAX];

	(void)controller;
	return dir_of(dir, id, NULL) < 0 ? NULL : xstrdup(dir);
}

static int v2_each(const char *id, cgroup_each_fn fn, void *arg)
{
	char dir[PATH_MAX];

	if (dir_of(dir, id, NULL) < 0)
		return -1;
	return fn("", dir, arg) ? -1 : 0;
}

static char *v2_thaw_file(const char *id, const char **value)
{
	char dir[PATH_MAX];

	*value = "0";
	if (dir_of(dir, id, NULL) < 0)
		return NULL;
	return xasprintf("%s/cgroup.freeze", dir);
}

const struct cgroup_ops cgroup_v2_ops = {
    .name = "v2",
    .detect = detect,
    .create = v2_create,
    .enter = v2_enter,
    .clone_fd = v2_clone_fd,
    .destroy = v2_destroy,
    .oom_killed = v2_oom_killed,
    .freeze = v2_freeze,
    .thaw = v2_thaw,
    .stats = v2_stats,
    .dir = v2_dir,
    .each = v2_each,
    .thaw_file = v2_thaw_file,
};
