/* SPDX-License-Identifier: MIT */
/*
 * security.c: capability names and Docker's add/drop rules, then the real
 * thing in forked children that report /proc/self/status back on a pipe.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/caps.h"

#define BIT(n) (UINT64_C(1) << (n))
#define CHOWN 0
#define SETGID 6
#define SETUID 7
#define SETPCAP 8
#define NET_ADMIN 12
#define NET_RAW 13
#define SYS_ADMIN 21

static uint64_t resolve(char *const *add, char *const *drop, bool priv)
{
	struct hm_err e = {0};
	uint64_t m = 0xdead;

	assert_int_equal(security_caps_resolve(add, drop, priv, &m, &e), 0);
	return m;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(security_cap_name(0), "CHOWN");
	assert_string_equal(security_cap_name(NET_ADMIN), "NET_ADMIN");
	assert_string_equal(security_cap_name(40), "CHECKPOINT_RESTORE");
	assert_null(security_cap_name(64));
	assert_true(security_cap_last() >= 36); /* any kernel homo runs on */
	assert_int_equal(__builtin_popcountll(security_caps_all()),
			 security_cap_last() + 1);
}

static void test_resolve(void **state)
{
	char *all[] = {"ALL", NULL}, *na[] = {"NET_ADMIN", NULL};
	char *lower[] = {"net_admin", NULL}, *pre[] = {"CAP_NET_ADMIN", NULL};
	char *mixed[] = {"Cap_Net_Admin", NULL}, *raw[] = {"NET_RAW", NULL};
	char *two[] = {"chown", "cap_setuid", NULL}, *sa[] = {"SYS_ADMIN", 0};
	char *lall[] = {"all", NULL};
	uint64_t def = security_caps_default(),
		 everything = security_caps_all();

	(void)state;
	/* Docker's 14 */
	assert_int_equal(__builtin_popcountll(def), 14);
	assert_true(def & BIT(CHOWN));
	assert_true(def & BIT(NET_RAW));
	assert_false(def & BIT(NET_ADMIN));
	assert_false(def & BIT(SYS_ADMIN));
	assert_true(resolve(NULL, NULL, false) == def);

	assert_true(resolve(NULL, all, false) == 0);
	assert_true(resolve(NULL, lall, false) == 0);
	assert_true(resolve(all, NULL, false) == everything);
	assert_true(resolve(NULL, NULL, true) == everything);
	assert_true(resolve(NULL, all, true) == everything);
	/* an explicit add survives --cap-drop ALL */
	assert_true(resolve(na, all, false) == BIT(NET_ADMIN));
	assert_true(resolve(all, sa, false) == (everything & ~BIT(SYS_ADMIN)));
	/* names: any case, CAP_ optional */
	assert_true(resolve(na, NULL, false) == (def | BIT(NET_ADMIN)));
	assert_true(resolve(lower, NULL, false) == (def | BIT(NET_ADMIN)));
	assert_true(resolve(pre, NULL, false) == (def | BIT(NET_ADMIN)));
	assert_true(resolve(mixed, NULL, false) == (def | BIT(NET_ADMIN)));
	assert_true(resolve(NULL, two, false) ==
		    (def & ~(BIT(CHOWN) | BIT(SETUID))));
	/* added and dropped: Docker keeps it */
	assert_true(resolve(raw, raw, false) == def);
}

static void test_unknown(void **state)
{
	char *foo[] = {"NET_ADMIN", "FOO", NULL}, *cap_all[] = {"CAP_ALL", 0};
	char *empty[] = {"", NULL};
	struct hm_err e = {0};
	uint64_t m;

	(void)state;
	assert_int_equal(security_caps_resolve(foo, NULL, false, &m, &e), -1);
	assert_string_equal(e.msg, "unknown capability \"FOO\"");
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_int_equal(security_caps_resolve(NULL, foo, false, &m, &e), -1);
	assert_int_equal(security_caps_resolve(NULL, foo, true, &m, &e), -1);
	assert_int_equal(security_caps_resolve(cap_all, NULL, 0, &m, &e), -1);
	assert_int_equal(security_caps_resolve(empty, NULL, 0, &m, &e), -1);
}

/* ---- in a child ---- */

struct report {
	int ok;
	char msg[1024];
	unsigned long long inh, prm, eff, bnd, amb;
	unsigned uid, gid, g0;
	int ngroups, nnp;
};

enum op { APPLY, SWITCH, SETUID_THEN_APPLY, NNP };

struct req {
	enum op op;
	uint64_t mask;
	uid_t uid;
};

static unsigned long long status_hex(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ULL;
}

static void fill(struct report *r)
{
	struct hm_err e;
	cleanup_free char *s = util_read_file("/proc/self/status", NULL, &e);
	gid_t g[8];
	const char *p;

	if (!s)
		return;
	r->inh = status_hex(s, "CapInh:\t");
	r->prm = status_hex(s, "CapPrm:\t");
	r->eff = status_hex(s, "CapEff:\t");
	r->bnd = status_hex(s, "CapBnd:\t");
	r->amb = status_hex(s, "CapAmb:\t");
	p = strstr(s, "NoNewPrivs:\t");
	r->nnp = p ? atoi(p + 12) : -1;
	r->uid = getuid();
	r->gid = getgid();
	r->ngroups = getgroups(8, g);
	r->g0 = r->ngroups > 0 ? g[0] : 0;
	r->ok = 1;
}

static void child(const struct req *q, int fd)
{
	struct report r = {0};
	struct hm_err e = {0};
	gid_t groups[] = {65534};
	int rc = 0;

	switch (q->op) {
	case APPLY:
		rc = security_caps_apply(q->mask, 0, &e);
		break;
	case SWITCH:
		rc = security_switch_user(q->uid, q->uid, groups, 1, q->mask,
					  &e);
		break;
	case SETUID_THEN_APPLY:
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
		    setresuid(q->uid, q->uid, q->uid) < 0)
			rc = hm_fail(&e, errno, "setresuid");
		else
			rc = security_caps_apply(q->mask, q->uid, &e);
		break;
	case NNP:
		rc = security_no_new_privs(&e);
		break;
	}
	if (rc == 0)
		fill(&r);
	snprintf(r.msg, sizeof(r.msg), "%s", e.msg);
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	_exit(0);
}

static struct report run(enum op op, uint64_t mask, uid_t uid)
{
	struct req q = {op, mask, uid};
	struct report r = {0};
	int p[2], st;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child(&q, p[1]);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &r, sizeof(r)), sizeof(r));
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!r.ok)
		fail_msg("child: %s", r.msg);
	return r;
}

/* What this test process holds: the kernel's upper bound for the child. */
static struct report self;

static int group_setup(void **state)
{
	(void)state;
	fill(&self);
	return 0;
}

#define NEED_ROOT()                                               \
	do {                                                      \
		if (geteuid() != 0 || !(self.eff & BIT(SETPCAP))) \
			skip();                                   \
	} while (0)

static void test_apply(void **state)
{
	uint64_t def = security_caps_default(), na = BIT(NET_ADMIN);
	struct report r;

	(void)state;
	NEED_ROOT();
	r = run(APPLY, def, 0);
	assert_true(r.eff == def && r.prm == def && r.bnd == def);
	assert_true(r.inh == 0 && r.amb == 0);
	r = run(APPLY, 0, 0);
	assert_true(r.eff == 0 && r.prm == 0 && r.bnd == 0);
	r = run(APPLY, na, 0);
	assert_true(r.eff == na && r.bnd == na);
	/* all: whatever homo holds itself (here no CAP_SYS_RESOURCE) */
	r = run(APPLY, security_caps_all(), 0);
	assert_true(r.eff == self.prm && r.bnd == (self.bnd & self.prm));
}

static void test_switch_user(void **state)
{
	uint64_t def = security_caps_default();
	uint64_t nosetid = def & ~(BIT(SETUID) | BIT(SETGID));
	struct report r;

	(void)state;
	NEED_ROOT();
	/* --cap-drop SETUID --cap-drop SETGID -u 65534: homo still switches */
	r = run(SWITCH, nosetid, 65534);
	assert_int_equal(r.uid, 65534);
	assert_int_equal(r.gid, 65534);
	assert_int_equal(r.ngroups, 1);
	assert_int_equal(r.g0, 65534);
	assert_true(r.bnd == nosetid && r.prm == nosetid && r.eff == nosetid);
	assert_true(r.inh == 0 && r.amb == 0);
	/* --cap-drop ALL */
	r = run(SWITCH, 0, 1000);
	assert_int_equal(r.uid, 1000);
	assert_true(r.eff == 0 && r.prm == 0 && r.bnd == 0);
	/* root keeps the set; its own groups are replaced */
	r = run(SWITCH, def, 0);
	assert_int_equal(r.uid, 0);
	assert_int_equal(r.ngroups, 1);
	assert_true(r.eff == def && r.bnd == def);
	/* apply after a user switch made elsewhere (KEEPCAPS) */
	r = run(SETUID_THEN_APPLY, def, 1000);
	assert_int_equal(r.uid, 1000);
	assert_true(r.eff == def && r.bnd == def);
}

/* After execve a non-root user has no capabilities left, root has @mask. */
static unsigned long long eff_after_exec(uid_t uid, uint64_t mask)
{
	struct hm_err e = {0};
	char buf[4096] = "";
	int p[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		if (security_switch_user(uid, uid, NULL, 0, mask, &e) < 0)
			_exit(3);
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		_exit(4);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(status_hex(buf, "CapBnd:\t") == mask);
	return status_hex(buf, "CapEff:\t");
}

static void test_exec(void **state)
{
	uint64_t def = security_caps_default();

	(void)state;
	NEED_ROOT();
	assert_true(eff_after_exec(0, def) == def);
	assert_true(eff_after_exec(1000, def) == 0);
}

static void test_no_new_privs(void **state)
{
	struct report r;

	(void)state;
	r = run(NNP, 0, 0);
	assert_int_equal(r.nnp, 1);
}

/* ---- seccomp, in children ---- */

#define SYS_BOOT 22
#define SYS_PTRACE 19

/* What a call returned: 0 or the errno. */
static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

/* The filter's mode as /proc/self/status reports it (2: a filter). */
static int seccomp_mode(void)
{
	struct hm_err e;
	cleanup_free char *s = util_read_file("/proc/self/status", NULL, &e);
	const char *p = s ? strstr(s, "Seccomp:\t") : NULL;

	return p ? atoi(p + 9) : -1;
}

static int fork_wait(pid_t pid)
{
	int st = -1;

	assert_true(pid >= 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

/* A plain fork through clone3 (struct clone_args, exit_signal only). */
static int clone3_err(void)
{
	uint64_t args[11] = {0};
	long pid;

	args[4] = SIGCHLD;
	pid = syscall(SYS_clone3, args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		fork_wait((pid_t)pid);
	return err_of(pid);
}

static int fork_err(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		fork_wait(pid);
	return pid < 0 ? errno : 0;
}

enum sc_check { SC_DEFAULT, SC_SYSADMIN, SC_UNCONFINED, SC_NO_NNP };

/*
 * In a child: load the filter for @caps and report each fact as a failed
 * check number in the exit status (0: all held), with the reason on
 * stderr.
 */
#define CHECK(n, cond)                                                      \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "check %d failed: %s\n", n, #cond); \
			_exit(n);                                           \
		}                                                           \
	} while (0)

static void seccomp_child(enum sc_check what)
{
	uint64_t def = security_caps_default();
	struct hm_err e = {0};
	char c = ' ';
	int r;

	if (what != SC_NO_NNP)
		CHECK(1, security_no_new_privs(&e) == 0);
	switch (what) {
	case SC_DEFAULT:
		CHECK(2, security_seccomp_apply(def, false, &e) == 0);
		CHECK(3, seccomp_mode() == 2);
		CHECK(4, err_of(syscall(SYS_keyctl, 0, -3, 0)) == EPERM);
		CHECK(5, clone3_err() == ENOSYS);
		CHECK(6, fork_err() == 0);
		CHECK(7, err_of(syscall(SYS_personality, 0x400000UL)) == EPERM);
		CHECK(8, err_of(syscall(SYS_personality, 0xffffffffUL)) == 0);
		CHECK(9, err_of(syscall(SYS_personality, 0x8UL)) == 0);
		CHECK(10, err_of(syscall(SYS_personality, 0x0UL)) == 0);
		CHECK(11, err_of(syscall(SYS_personality, 0x1UL)) == EPERM);
		CHECK(12, err_of(syscall(SYS_personality, 0x20009UL)) == EPERM);
		CHECK(13,
		      err_of(syscall(SYS_personality, 0x7fffffffUL)) == EPERM);
		/* /dev/null is no tty: ENOTTY had the kernel seen it */
		r = open("/dev/null", O_RDONLY);
		CHECK(14, err_of(ioctl(r, TIOCSTI, &c)) == EPERM);
		CHECK(15, err_of(syscall(SYS_ioctl, r, 0x100000000UL | TIOCSTI,
					 &c)) == EPERM);
		CHECK(16, err_of(ioctl(r, FIONREAD, &r)) != EPERM);
		CHECK(17, err_of(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0)) ==
			      EPERM);
		CHECK(18, err_of(unshare(0)) == EPERM);
		CHECK(19, err_of(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0,
					 0, 0, 0)) == EPERM);
		/* x32 numbers reach the same rules (ENOSYS had they not) */
		CHECK(20, err_of(syscall(0x40000000L | SYS_keyctl, 0, -3, 0)) ==
			      EPERM);
		CHECK(21, err_of(syscall(SYS_getpid)) == 0);
		break;
	case SC_SYSADMIN:
		CHECK(2, security_seccomp_apply(def | BIT(SYS_ADMIN), false,
						&e) == 0);
		CHECK(3, seccomp_mode() == 2);
		CHECK(4, err_of(unshare(0)) == 0);
		CHECK(5, clone3_err() == 0);
		CHECK(6, err_of(syscall(SYS_keyctl, 0, -3, 0)) == EPERM);
		CHECK(7, err_of(syscall(SYS_reboot, 0, 0, 0, NULL)) == EPERM);
		break;
	case SC_UNCONFINED:
		CHECK(2, security_seccomp_apply(def, true, &e) == 0);
		CHECK(3, seccomp_mode() == 0);
		CHECK(4, clone3_err() == 0);
		break;
	case SC_NO_NNP:
		/* without no_new_privs and CAP_SYS_ADMIN the kernel refuses */
		CHECK(2, security_caps_apply(def, 0, &e) == 0);
		CHECK(3, security_seccomp_apply(def, false, &e) == -1);
		CHECK(4, e.errnum == EACCES);
		CHECK(5, strstr(e.msg, "seccomp") != NULL);
		CHECK(6, seccomp_mode() == 0);
		break;
	}
	_exit(0);
}

static void run_seccomp(enum sc_check what)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		seccomp_child(what);
	st = fork_wait(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_seccomp_default(void **state)
{
	(void)state;
	run_seccomp(SC_DEFAULT);
}

static void test_seccomp_caps(void **state)
{
	(void)state;
	run_seccomp(SC_SYSADMIN);
}

static void test_seccomp_unconfined(void **state)
{
	(void)state;
	run_seccomp(SC_UNCONFINED);
}

static void test_seccomp_needs_nnp(void **state)
{
	(void)state;
	NEED_ROOT();
	run_seccomp(SC_NO_NNP);
}

/* The cache: written once, read back, a damaged file replaced. */
static void test_seccomp_cache(void **state)
{
	char *dir = unit_tmpdir();
	cleanup_free char *sub = xasprintf("%s/cache", dir);
	struct hm_err e = {0};
	struct dirent *de;
	char path[512] = "";
	struct stat st, st2;
	DIR *d;
	int n = 0;

	(void)state;
	assert_int_equal(
	    security_seccomp_prepare(BIT(SYS_BOOT), false, sub, &e), 0);
	d = opendir(sub);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			n++;
			snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
		}
	closedir(d);
	assert_int_equal(n, 1);
	assert_non_null(strstr(path, "0000000000400000.bpf")); /* SYS_BOOT */
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 0 && st.st_size % 8 == 0);
	/* the capabilities that change nothing share the entry */
	assert_int_equal(security_seccomp_prepare(BIT(SYS_BOOT) | BIT(CHOWN),
						  false, sub, &e),
			 0);
	/* damaged: ignored, compiled again and rewritten */
	assert_int_equal(truncate(path, 5), 0);
	assert_int_equal(security_seccomp_prepare(0, false, sub, &e), 0);
	assert_int_equal(
	    security_seccomp_prepare(BIT(SYS_BOOT), false, sub, &e), 0);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_apply),
	    cmocka_unit_test(test_switch_user),
	    cmocka_unit_test(test_exec),
	    cmocka_unit_test(test_no_new_privs),
	    cmocka_unit_test(test_seccomp_default),
	    cmocka_unit_test(test_seccomp_caps),
	    cmocka_unit_test(test_seccomp_unconfined),
	    cmocka_unit_test(test_seccomp_needs_nnp),
	    cmocka_unit_test(test_seccomp_cache),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
