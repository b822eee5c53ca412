/* SPDX-License-Identifier: MIT */
/*
 * cgroup_v2.c's pure parts (cpu.weight from shares, cpu.max, "key N"
 * lines) and cgroup_bpf.c's device program: parsed rules, the program
 * loaded by the kernel (root), and, where this host has a cgroup2 mount to
 * try it in, its verdicts on real opens and mknods.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup_backend.h"
#include "runtime/cgroup_bpf.h"

static void test_weight(void **state)
{
	(void)state;
	/* crun's and Docker's table: 2 -> 1, 1024 -> 39, 262144 -> 10000 */
	assert_int_equal(cgroup_v2_weight(2), 1);
	assert_int_equal(cgroup_v2_weight(512), 20);
	assert_int_equal(cgroup_v2_weight(1024), 39);
	assert_int_equal(cgroup_v2_weight(262144), 10000);
	/* out of range is clamped, never 0 or above 10000 */
	assert_int_equal(cgroup_v2_weight(0), 1);
	assert_int_equal(cgroup_v2_weight(1 << 30), 10000);
}

static void test_cpu_max(void **state)
{
	char buf[48];

	(void)state;
	cgroup_v2_cpu_max(50000, 100000, buf, sizeof(buf));
	assert_string_equal(buf, "50000 100000");
	cgroup_v2_cpu_max(150000, 0, buf, sizeof(buf));
	assert_string_equal(buf, "150000 100000");
	cgroup_v2_cpu_max(0, 20000, buf, sizeof(buf));
	assert_string_equal(buf, "max 20000");
	cgroup_v2_cpu_max(-1, 0, buf, sizeof(buf));
	assert_string_equal(buf, "max 100000");
}

static void test_key(void **state)
{
	const char *ev = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n"
			 "oom_group_kill 0\n";
	uint64_t v = 99;

	(void)state;
	assert_true(cgroup_v2_key(ev, "oom_kill", &v));
	assert_int_equal(v, 2);
	/* "oom" is not "oom_kill" nor "oom_group_kill" */
	assert_true(cgroup_v2_key(ev, "oom", &v));
	assert_int_equal(v, 3);
	assert_true(cgroup_v2_key(ev, "low", &v)); /* the first line */
	assert_int_equal(v, 0);
	assert_false(cgroup_v2_key(ev, "oom_k", &v));
	assert_false(cgroup_v2_key("populated 1\nfrozen x\n", "frozen", &v));
	assert_false(cgroup_v2_key("frozen 1junk\n", "frozen", &v));
	assert_true(cgroup_v2_key("usage_usec 123456", "usage_usec", &v));
	assert_int_equal(v, 123456);
	assert_false(cgroup_v2_key("", "frozen", &v));
}

static void test_rule_parse(void **state)
{
	static const char *const bad[] = {
	    "",		 "x 1:3 rwm",	   "c 1:3",	"c 1:3 ",
	    "c 1:3 rwx", "c 1:3 rr",	   "c a:3 rwm", "c 1: rwm",
	    "c 1:3rwm",	 "c 99999999:1 r", "c1:3 r",
	};
	struct dev_rule r;
	struct hm_err e;

	(void)state;
	assert_int_equal(dev_rule_parse("c 136:* rwm", &r, &e), 0);
	assert_int_equal(r.type, BPF_DEVCG_DEV_CHAR);
	assert_int_equal(r.major, 136);
	assert_int_equal(r.minor, -1);
	assert_int_equal(r.access, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE |
				       BPF_DEVCG_ACC_MKNOD);
	assert_int_equal(dev_rule_parse("b *:* m", &r, &e), 0);
	assert_int_equal(r.type, BPF_DEVCG_DEV_BLOCK);
	assert_int_equal(r.major, -1);
	assert_int_equal(r.access, BPF_DEVCG_ACC_MKNOD);
	assert_int_equal(dev_rule_parse("a", &r, &e), 0);
	assert_int_equal(r.type, -1);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(dev_rule_parse(bad[i], &r, &e), -1);
		assert_non_null(strstr(e.msg, "invalid device rule"));
	}
}

/* The default list compiled: every rule parses, the program is sized. */
static size_t build_default(struct bpf_insn *prog, size_t room)
{
	const char *const *lines;
	size_t n = cgroup_default_devices(&lines);
	struct dev_rule rules[32];
	struct hm_err e;

	assert_true(n > 0 && n <= ARRAY_SIZE(rules));
	assert_true(room >= DEV_BPF_FIXED + n * DEV_BPF_PER_RULE);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dev_rule_parse(lines[i], &rules[i], &e), 0);
	return dev_bpf_build(rules, n, prog);
}

static void test_bpf_build_load(void **state)
{
	struct bpf_insn prog[DEV_BPF_FIXED + 32 * DEV_BPF_PER_RULE];
	size_t n;
	struct hm_err e;
	int fd;

	(void)state;
	n = build_default(prog, ARRAY_SIZE(prog));
	/* ends in "r0 = 0; exit": what no rule allows is denied */
	assert_int_equal(prog[n - 1].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(prog[n - 2].imm, 0);
	for (size_t i = 0; i < n; i++) /* every jump lands inside */
		if ((prog[i].code & 0x07) == BPF_JMP &&
		    (prog[i].code & 0xf0) == BPF_JNE)
			assert_true(prog[i].off > 0 &&
				    i + 1 + (size_t)prog[i].off < n);
	if (geteuid() != 0)
		skip();
	/* the verifier is the judge of the encoding */
	fd = dev_bpf_load(prog, n, &e);
	if (fd < 0)
		fail_msg("%s", e.msg);
	close(fd);
	/* a broken program is refused with the verifier's words */
	prog[n - 1] = prog[0];
	assert_int_equal(dev_bpf_load(prog, n, &e), -1);
	assert_non_null(strstr(e.msg, "device program"));
}

/* A cgroup2 mount of this host (any, with or without controllers), or NULL. */
static char *cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char dev[256], mnt[256], type[32], *r = NULL;

	while (f && fscanf(f, "%255s %255s %31s %*[^\n]", dev, mnt, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			r = xstrdup(mnt);
			break;
		}
	if (f)
		fclose(f);
	return r;
}

/*
 * In a child moved into a fresh cgroup2 cgroup with the program attached:
 * mknod of anything, open of /dev/null, not of c 1:1 (/dev/mem) nor of a
 * block device. Exit status: a bit per wrong verdict.
 */
static int try_devices(const char *tmp)
{
	cleanup_free char *mem = xasprintf("%s/mem", tmp);
	cleanup_free char *blk = xasprintf("%s/blk", tmp);
	int bad = 0, fd;

	fd = open("/dev/null", O_WRONLY);
	bad |= fd < 0 ? 1 : 0;
	if (fd >= 0)
		close(fd);
	bad |= mknod(mem, S_IFCHR | 0600, makedev(1, 1)) < 0 ? 2 : 0;
	fd = open(mem, O_RDONLY);
	bad |= fd >= 0 || errno != EPERM ? 4 : 0;
	bad |= mknod(blk, S_IFBLK | 0600, makedev(7, 0)) < 0 ? 8 : 0;
	fd = open(blk, O_RDONLY);
	bad |= fd >= 0 || errno != EPERM ? 16 : 0;
	return bad;
}

static void test_bpf_attached(void **state)
{
	struct bpf_insn prog[DEV_BPF_FIXED + 32 * DEV_BPF_PER_RULE];
	cleanup_free char *mnt = cgroup2_mount(), *cg = NULL, *procs = NULL;
	char tmp[] = "/dev/shm/homo-unit-dev.XXXXXX", hex[9];
	cleanup_close int cgfd = -1, fd = -1;
	struct hm_err e;
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0 || !mnt)
		skip();
	util_random_hex(hex, 8);
	cg = xasprintf("%s/homo-unit-dev-%s", mnt, hex);
	procs = xasprintf("%s/cgroup.procs", cg);
	assert_int_equal(mkdir(cg, 0755), 0);
	assert_non_null(mkdtemp(tmp));
	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = dev_bpf_load(prog, build_default(prog, ARRAY_SIZE(prog)), &e);
	assert_true(cgfd >= 0 && fd >= 0);
	assert_int_equal(dev_bpf_attach(cgfd, fd, &e), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char s[16];
		int p = open(procs, O_WRONLY);

		snprintf(s, sizeof(s), "%d", (int)getpid());
		if (p < 0 || write(p, s, strlen(s)) < 0)
			_exit(100);
		_exit(try_devices(tmp));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	{
		cleanup_free char *m = xasprintf("%s/mem", tmp);
		cleanup_free char *b = xasprintf("%s/blk", tmp);

		unlink(m);
		unlink(b);
	}
	rmdir(tmp);
	rmdir(cg);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weight),
	    cmocka_unit_test(test_cpu_max),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_rule_parse),
	    cmocka_unit_test(test_bpf_build_load),
	    cmocka_unit_test(test_bpf_attached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
