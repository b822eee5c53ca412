/* SPDX-License-Identifier: MIT */
/*
 * caps.c: capability names and Docker's add/drop rules, then the real
 * thing (homo run's mask applied by oci_process_creds) in forked children
 * that report /proc/self/status back on a pipe.
 */
#include "unit.h"

#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/oci_container.h"

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

	assert_int_equal(caps_resolve(add, drop, priv, &m, &e), 0);
	return m;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(caps_name(0), "CHOWN");
	assert_string_equal(caps_name(NET_ADMIN), "NET_ADMIN");
	assert_string_equal(caps_name(40), "CHECKPOINT_RESTORE");
	assert_null(caps_name(64));
	assert_true(caps_last() >= 36); /* any kernel homo runs on */
	assert_int_equal(__builtin_popcountll(caps_all()), caps_last() + 1);
}

static void test_resolve(void **state)
{
	char *all[] = {"ALL", NULL}, *na[] = {"NET_ADMIN", NULL};
	char *lower[] = {"net_admin", NULL}, *pre[] = {"CAP_NET_ADMIN", NULL};
	char *mixed[] = {"Cap_Net_Admin", NULL}, *raw[] = {"NET_RAW", NULL};
	char *two[] = {"chown", "cap_setuid", NULL}, *sa[] = {"SYS_ADMIN", 0};
	char *lall[] = {"all", NULL};
	uint64_t def = caps_default(), everything = caps_all();

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
	assert_int_equal(caps_resolve(foo, NULL, false, &m, &e), -1);
	assert_string_equal(e.msg, "unknown capability \"FOO\"");
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_int_equal(caps_resolve(NULL, foo, false, &m, &e), -1);
	assert_int_equal(caps_resolve(NULL, foo, true, &m, &e), -1);
	assert_int_equal(caps_resolve(cap_all, NULL, 0, &m, &e), -1);
	assert_int_equal(caps_resolve(empty, NULL, 0, &m, &e), -1);
}

/* ---- in a child ---- */

struct report {
	int ok;
	char msg[1024];
	unsigned long long inh, prm, eff, bnd, amb;
	unsigned uid, gid, g0;
	int ngroups, nnp;
};

enum op { APPLY, SWITCH, NNP };

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

/* homo run's credentials: the OCI runtime's, with the record's mask */
static int creds(uid_t uid, gid_t *groups, size_t n, uint64_t mask, bool nnp,
		 struct hm_err *e)
{
	struct oci_process p = {.uid = uid,
				.gid = uid,
				.groups = groups,
				.ngroups = n,
				.has_caps = true,
				.no_new_privs = nnp,
				.umask = OCI_UNSET,
				.oom_score_adj = OCI_UNSET};

	p.caps[OCI_CAP_BOUNDING] = p.caps[OCI_CAP_EFFECTIVE] =
	    p.caps[OCI_CAP_PERMITTED] = mask;
	return oci_process_creds(&p, e);
}

static void child(const struct req *q, int fd)
{
	struct report r = {0};
	struct hm_err e = {0};
	gid_t groups[] = {65534};
	int rc = 0;

	switch (q->op) {
	case APPLY:
		rc = creds(0, NULL, 0, q->mask, false, &e);
		break;
	case SWITCH:
		rc = creds(q->uid, groups, 1, q->mask, false, &e);
		break;
	case NNP:
		rc = creds(0, NULL, 0, caps_all(), true, &e);
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
	uint64_t def = caps_default(), na = BIT(NET_ADMIN);
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
	r = run(APPLY, caps_all(), 0);
	assert_true(r.eff == self.prm && r.bnd == (self.bnd & self.prm));
}

static void test_switch_user(void **state)
{
	uint64_t def = caps_default();
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
		if (creds(uid, NULL, 0, mask, false, &e) < 0)
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
	uint64_t def = caps_default();

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),	 cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_unknown),	 cmocka_unit_test(test_apply),
	    cmocka_unit_test(test_switch_user),	 cmocka_unit_test(test_exec),
	    cmocka_unit_test(test_no_new_privs),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
