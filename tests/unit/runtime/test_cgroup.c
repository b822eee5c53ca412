/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c and cgroup_v1.c on the real cgroupfs (root, cgroup v1). Every
 * test uses its own random id under a parent named for this run
 * ("homo-unit-<hex>"), and the teardown destroys it whatever the test did,
 * then kills (by pid) and reaps any child the test forked.
 */
#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup.h"

struct fx {
	char id[2][16];
	pid_t kids[4];
	int nkids;
};

static char parent[32];
static const char *skip_why;

static int group_setup(void **state)
{
	char hex[9];
	const struct cgroup_ops *o;
	struct hm_err e;

	(void)state;
	util_random_hex(hex, 8);
	snprintf(parent, sizeof(parent), "homo-unit-%s", hex);
	setenv("HOMO_CGROUP_PARENT", parent, 1);
	if (geteuid() != 0)
		skip_why = "needs root";
	else if (!(o = cgroup_backend(&e)))
		skip_why = "no usable cgroup v1";
	else if (strcmp(o->name, "v1")) /* cgroup.bats checks v2 */
		skip_why = "a cgroup v2 host";
	return 0;
}

static int rm_parent(const char *name, const char *dir, void *arg)
{
	cleanup_free char *p = xstrdup(dir);

	(void)name;
	(void)arg;
	*strrchr(p, '/') = '\0';
	rmdir(p);
	return 0;
}

/* Last resort: the per-test teardowns should have left nothing. */
static int group_teardown(void **state)
{
	(void)state;
	if (!skip_why)
		cgroup_each("x", rm_parent, NULL);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	util_random_hex(f->id[0], 12);
	util_random_hex(f->id[1], 12);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct hm_err e;

	if (!skip_why) {
		for (int i = 0; i < 2; i++)
			cgroup_destroy(f->id[i], &e);
		/* homo keeps its own parent: each test starts without it */
		cgroup_each("x", rm_parent, NULL);
	}
	for (int i = 0; i < f->nkids; i++) {
		kill(f->kids[i], SIGKILL); /* ours, by pid */
		waitpid(f->kids[i], NULL, 0);
	}
	free(f);
	return 0;
}

#define NEED_CGROUPS()          \
	do {                    \
		if (skip_why)   \
			skip(); \
	} while (0)

/* A child of the test, blocked until a byte arrives on the returned fd. */
static pid_t spawn(struct fx *f, int *go, void (*body)(void))
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		body();
		_exit(0);
	}
	close(p[0]);
	f->kids[f->nkids++] = pid;
	*go = p[1];
	return pid;
}

static void go(int fd)
{
	assert_int_equal(write(fd, "g", 1), 1);
	close(fd);
}

static void body_sleep(void)
{
	for (;;)
		pause();
}

static void body_hog(void)
{
	size_t n = 64 << 20;
	char *m = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		_exit(98);
	memset(m, 1, n);
	_exit(0);
}

static void body_spin(void)
{
	struct timespec t;

	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while (t.tv_nsec < 60000000 && t.tv_sec == 0);
}

/* The text of @file in @id's @ctrl dir (malloc'd), or NULL. */
static char *cg_file(const char *ctrl, const char *id, const char *file)
{
	cleanup_free char *dir = cgroup_dir(ctrl, id);
	cleanup_free char *p = NULL;
	struct hm_err e;

	if (!dir)
		return NULL;
	p = xasprintf("%s/%s", dir, file);
	return util_read_file(p, NULL, &e);
}

static void assert_file(const char *ctrl, const char *id, const char *file,
			const char *want)
{
	cleanup_free char *s = cg_file(ctrl, id, file);

	assert_non_null(s);
	assert_string_equal(s, want);
}

static int count_dir(const char *name, const char *dir, void *arg)
{
	(void)name;
	if (access(dir, F_OK) == 0)
		(*(int *)arg)++;
	return 0;
}

static int count_parent(const char *name, const char *dir, void *arg)
{
	cleanup_free char *p = xstrdup(dir);

	(void)name;
	*strrchr(p, '/') = '\0';
	if (access(p, F_OK) == 0)
		(*(int *)arg)++;
	return 0;
}

/* How many hierarchies hold a dir for @id (and for the parent). */
static int dirs_of(const char *id)
{
	int n = 0;

	assert_int_equal(cgroup_each(id, count_dir, &n), 0);
	return n;
}

static int parents(void)
{
	int n = 0;

	assert_int_equal(cgroup_each("x", count_parent, &n), 0);
	return n;
}

static int count_all(const char *name, const char *dir, void *arg)
{
	(void)name;
	(void)dir;
	(*(int *)arg)++;
	return 0;
}

static int nhier(void)
{
	int n = 0;

	assert_int_equal(cgroup_each("x", count_all, &n), 0);
	return n;
}

static void test_create_limits(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits l = {
	    .memory = 64 << 20,
	    .pids = 50,
	    .cpu_quota_us = 50000,
	    .cpu_period_us = CGROUP_CPU_PERIOD_US,
	    .cpu_shares = 512,
	};
	cleanup_free char *dev = NULL, *sw = NULL;
	struct hm_err e;
	int lines = 0;

	NEED_CGROUPS();
	assert_int_equal(cgroup_create(f->id[0], &l, &e), 0);
	assert_int_equal(dirs_of(f->id[0]), nhier());
	assert_file("memory", f->id[0], "memory.limit_in_bytes", "67108864\n");
	sw = cg_file("memory", f->id[0], "memory.memsw.limit_in_bytes");
	if (sw) /* Docker's default: swap as much as memory */
		assert_string_equal(sw, "134217728\n");
	assert_file("pids", f->id[0], "pids.max", "50\n");
	assert_file("cpu", f->id[0], "cpu.cfs_quota_us", "50000\n");
	assert_file("cpu", f->id[0], "cpu.cfs_period_us", "100000\n");
	assert_file("cpu", f->id[0], "cpu.shares", "512\n");
	dev = cg_file("devices", f->id[0], "devices.list");
	assert_non_null(dev);
	assert_null(strstr(dev, "a *:* rwm"));
	assert_non_null(strstr(dev, "c 1:3 rwm\n"));
	assert_non_null(strstr(dev, "c 136:* rwm\n"));
	assert_non_null(strstr(dev, "c *:* m\n"));
	for (char *p = dev; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 12);

	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	assert_int_equal(dirs_of(f->id[0]), 0);
	assert_int_equal(parents(), nhier()); /* homo's own stays */
}

static void test_no_limits_privileged(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits l = {.privileged = true};
	struct hm_err e;

	NEED_CGROUPS();
	assert_int_equal(cgroup_create(f->id[0], &l, &e), 0);
	assert_file("devices", f->id[0], "devices.list", "a *:* rwm\n");
	assert_file("pids", f->id[0], "pids.max", "max\n");
	assert_file("cpu", f->id[0], "cpu.cfs_quota_us", "-1\n");
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	/* NULL limits: nothing written, devices restricted as by default */
	assert_int_equal(cgroup_create(f->id[1], NULL, &e), 0);
	assert_int_equal(dirs_of(f->id[1]), nhier());
	assert_int_equal(cgroup_destroy(f->id[1], &e), 0);
}

static int has_pid(const char *name, const char *dir, void *arg)
{
	cleanup_free char *p = xasprintf("%s/cgroup.procs", dir);
	cleanup_free char *s = NULL;
	char want[24];
	struct hm_err e;

	(void)name;
	snprintf(want, sizeof(want), "%d\n", *(pid_t *)arg);
	s = util_read_file(p, NULL, &e);
	return s && !strcmp(s, want) ? 0 : -1;
}

static void test_enter_destroy(void **state)
{
	struct fx *f = *state;
	struct hm_err e;
	pid_t pid;
	int fd, st;

	NEED_CGROUPS();
	assert_int_equal(cgroup_create(f->id[0], NULL, &e), 0);
	pid = spawn(f, &fd, body_sleep);
	assert_int_equal(cgroup_enter(f->id[0], pid, &e), 0);
	assert_int_equal(cgroup_each(f->id[0], has_pid, &pid), 0);
	go(fd);
	/* the dirs are busy: destroy has to kill the child first */
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	f->nkids = 0;
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(dirs_of(f->id[0]), 0);
	assert_int_equal(parents(), nhier()); /* homo's own stays */
	/* idempotent */
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	/* entering a cgroup that is gone names the file */
	assert_int_equal(cgroup_enter(f->id[0], getpid(), &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_non_null(strstr(e.msg, "cgroup.procs"));
}

static void test_freeze_destroy(void **state)
{
	struct fx *f = *state;
	cleanup_free char *fz = NULL;
	struct hm_err e;
	pid_t pid;
	int fd, st;

	NEED_CGROUPS();
	fz = cgroup_dir("freezer", f->id[0]);
	if (!fz)
		skip();
	assert_int_equal(cgroup_create(f->id[0], NULL, &e), 0);
	pid = spawn(f, &fd, body_sleep);
	assert_int_equal(cgroup_enter(f->id[0], pid, &e), 0);
	go(fd);
	assert_int_equal(cgroup_freeze(f->id[0], &e), 0);
	assert_file("freezer", f->id[0], "freezer.state", "FROZEN\n");
	assert_int_equal(cgroup_thaw(f->id[0], &e), 0);
	assert_file("freezer", f->id[0], "freezer.state", "THAWED\n");
	/* a paused container must still be destroyable */
	assert_int_equal(cgroup_freeze(f->id[0], &e), 0);
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	f->nkids = 0;
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(dirs_of(f->id[0]), 0);
}

static void test_oom(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits l = {.memory = 16 << 20};
	struct hm_err e;
	bool oom = true;
	pid_t pid;
	int fd, st;

	NEED_CGROUPS();
	assert_int_equal(cgroup_create(f->id[0], &l, &e), 0);
	assert_int_equal(cgroup_oom_killed(f->id[0], &oom, &e), 0);
	assert_false(oom);
	pid = spawn(f, &fd, body_hog);
	assert_int_equal(cgroup_enter(f->id[0], pid, &e), 0);
	go(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	f->nkids = 0;
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(cgroup_oom_killed(f->id[0], &oom, &e), 0);
	assert_true(oom);
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	assert_int_equal(cgroup_oom_killed(f->id[0], &oom, &e), -1);
}

static void test_invalid_limits(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits l = {.memory = 64 << 20, .cpu_quota_us = 500};
	struct hm_err e;

	NEED_CGROUPS();
	/* the kernel refuses a quota under 1 ms after memory and pids were
	 * made: all of it must be undone */
	assert_int_equal(cgroup_create(f->id[0], &l, &e), -1);
	assert_int_equal(e.errnum, EINVAL);
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_non_null(strstr(e.msg, "cpu.cfs_quota_us"));
	assert_int_equal(dirs_of(f->id[0]), 0);
	assert_true(parents() > 0); /* homo's own stays where made */

	/* Docker's checks: the kernel would take 1 byte (0 pages!) */
	l = (struct cgroup_limits){.memory = 1};
	assert_int_equal(cgroup_create(f->id[0], &l, &e), -1);
	assert_non_null(strstr(e.msg, "Minimum memory limit"));
	l = (struct cgroup_limits){.memory = 64 << 20, .memory_swap = 32 << 20};
	assert_int_equal(cgroup_create(f->id[0], &l, &e), -1);
	assert_non_null(strstr(e.msg, "memoryswap"));
	l = (struct cgroup_limits){.memory_swap = 32 << 20};
	assert_int_equal(cgroup_create(f->id[0], &l, &e), -1);
	assert_int_equal(dirs_of(f->id[0]), 0);
	assert_true(parents() > 0); /* homo's own stays where made */
}

static void test_names(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {"", ".", "..", "a/b", "../x"};
	struct hm_err e;
	int rc;

	NEED_CGROUPS();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(cgroup_create(bad[i], NULL, &e), -1);
		assert_int_equal(e.errnum, EINVAL);
		assert_int_equal(cgroup_destroy(bad[i], &e), -1);
		assert_null(cgroup_dir("memory", bad[i]));
	}
	setenv("HOMO_CGROUP_PARENT", "../etc", 1);
	rc = cgroup_create(f->id[0], NULL, &e);
	setenv("HOMO_CGROUP_PARENT", parent, 1); /* before any assert */
	assert_int_equal(rc, -1);
	assert_null(cgroup_dir("nosuch", f->id[0]));
	/* a second create of the same id fails and keeps the first */
	assert_int_equal(cgroup_create(f->id[0], NULL, &e), 0);
	assert_int_equal(cgroup_create(f->id[0], NULL, &e), -1);
	assert_int_equal(e.errnum, EEXIST);
	assert_int_equal(dirs_of(f->id[0]), nhier());
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
}

static void test_shared_parent(void **state)
{
	struct fx *f = *state;
	struct hm_err e;

	NEED_CGROUPS();
	assert_int_equal(cgroup_create(f->id[0], NULL, &e), 0);
	assert_int_equal(cgroup_create(f->id[1], NULL, &e), 0);
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	/* the other container still uses the parent */
	assert_int_equal(parents(), nhier());
	assert_int_equal(dirs_of(f->id[1]), nhier());
	assert_int_equal(cgroup_destroy(f->id[1], &e), 0);
	assert_int_equal(parents(), nhier()); /* homo's own stays */
}

static void test_subcgroups(void **state)
{
	struct fx *f = *state;
	cleanup_free char *mem = NULL, *sub = NULL, *procs = NULL;
	struct hm_err e;
	char s[16];
	pid_t pid;
	int fd;

	NEED_CGROUPS();
	/* a privileged container may make cgroups of its own */
	assert_int_equal(cgroup_create(f->id[0], NULL, &e), 0);
	mem = cgroup_dir("memory", f->id[0]);
	sub = xasprintf("%s/inner", mem);
	procs = xasprintf("%s/cgroup.procs", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	pid = spawn(f, &fd, body_sleep);
	assert_int_equal(cgroup_enter(f->id[0], pid, &e), 0);
	snprintf(s, sizeof(s), "%d", pid);
	assert_int_equal(util_write_str(procs, s, &e), 0);
	go(fd);
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
	assert_int_equal(dirs_of(f->id[0]), 0);
	assert_int_equal(parents(), nhier()); /* homo's own stays */
}

static void test_stats(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits l = {.memory = 32 << 20, .pids = 10};
	cleanup_free char *acct = NULL;
	struct cgroup_stats st;
	struct hm_err e;
	uint64_t ns = 0;
	pid_t pid;
	int fd, status;

	NEED_CGROUPS();
	assert_int_equal(cgroup_create(f->id[0], &l, &e), 0);
	assert_int_equal(cgroup_stats(f->id[0], &st, &e), 0);
	assert_int_equal(st.memory_limit, 32 << 20);
	assert_int_equal(st.pids_limit, 10);
	assert_int_equal(st.pids_current, 0);
	pid = spawn(f, &fd, body_spin);
	assert_int_equal(cgroup_enter(f->id[0], pid, &e), 0);
	assert_int_equal(cgroup_stats(f->id[0], &st, &e), 0);
	assert_int_equal(st.pids_current, 1);
	go(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	f->nkids = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	acct = cgroup_dir("cpuacct", f->id[0]);
	if (acct) {
		assert_int_equal(cgroup_cpu_usage_ns(f->id[0], &ns, &e), 0);
		assert_true(ns >= 50000000); /* it spun for 60 ms */
	}
	assert_int_equal(cgroup_destroy(f->id[0], &e), 0);
}

static int names(const char *name, const char *dir, void *arg)
{
	char **s = arg;
	char *n = xasprintf("%s%s;", *s ? *s : "", name);

	free(*s);
	*s = n;
	return strstr(dir, "/") ? 0 : -1;
}

static void test_each(void **state)
{
	struct fx *f = *state;
	cleanup_free char *list = NULL, *mem = NULL, *cpu = NULL;
	cleanup_free char *want = NULL;

	NEED_CGROUPS();
	assert_int_equal(cgroup_each(f->id[0], names, &list), 0);
	assert_non_null(strstr(list, "memory;"));
	assert_non_null(strstr(list, "pids;"));
	assert_non_null(strstr(list, "devices;"));
	assert_non_null(strstr(list, "cpu"));
	/* hierarchies without limits are there too (cgroup namespace) */
	if (access("/sys/fs/cgroup/blkio/cgroup.procs", F_OK) == 0)
		assert_non_null(strstr(list, "blkio;"));
	if (access("/sys/fs/cgroup/cpuset/cgroup.procs", F_OK) == 0)
		assert_non_null(strstr(list, "cpuset;"));
	mem = cgroup_dir("memory", f->id[0]);
	want = xasprintf("/%s/%s", parent, f->id[0]);
	assert_non_null(mem);
	assert_string_equal(mem + strlen(mem) - strlen(want), want);
	cpu = cgroup_dir("cpu", f->id[0]);
	assert_non_null(cpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	    T(test_create_limits), T(test_no_limits_privileged),
	    T(test_enter_destroy), T(test_freeze_destroy),
	    T(test_oom),	   T(test_invalid_limits),
	    T(test_names),	   T(test_shared_parent),
	    T(test_subcgroups),	   T(test_stats),
	    T(test_each),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
