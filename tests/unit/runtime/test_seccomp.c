/* SPDX-License-Identifier: MIT */
/*
 * seccomp.c: the default filter prepared (oci_seccomp.c's compile, by its
 * exact name) and loaded (oci_seccomp_load()) in forked children, each fact
 * they check reported as the exit status; then the compiled filter's cache.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/oci_container.h"
#include "runtime/seccomp.h"

#define BIT(n) (UINT64_C(1) << (n))
#define CHOWN 0
#define SETPCAP 8
#define SYS_ADMIN 21
#define SYS_CHROOT 18
#define SYS_BOOT 22

/* The effective set of this test process: some checks need root's. */
static unsigned long long self_eff;

static int group_setup(void **state)
{
	struct hm_err e;
	cleanup_free char *s = util_read_file("/proc/self/status", NULL, &e);
	const char *p = s ? strstr(s, "CapEff:\t") : NULL;

	(void)state;
	self_eff = p ? strtoull(p + 8, NULL, 16) : 0;
	return 0;
}

#define NEED_ROOT()                                               \
	do {                                                      \
		if (geteuid() != 0 || !(self_eff & BIT(SETPCAP))) \
			skip();                                   \
	} while (0)

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

enum sc_check {
	SC_DEFAULT,
	SC_NO_CHROOT,
	SC_SYSADMIN,
	SC_UNCONFINED,
	SC_NO_NNP,
	SC_CACHED,
};

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

/* Docker's capabilities as homo run applies them (oci_process_creds) */
static int default_caps(struct hm_err *e)
{
	struct oci_process p = {
	    .has_caps = true, .umask = OCI_UNSET, .oom_score_adj = OCI_UNSET};

	p.caps[OCI_CAP_BOUNDING] = p.caps[OCI_CAP_EFFECTIVE] =
	    p.caps[OCI_CAP_PERMITTED] = caps_default();
	return oci_process_creds(&p, e);
}

/* What homo run does: prepare (@dir: the cache, or none), then load. */
static int apply(uint64_t caps, bool unconfined, const char *dir,
		 struct hm_err *e)
{
	struct hm_spec s = {.caps = caps, .seccomp_unconfined = unconfined};

	return seccomp_prepare(&s, dir, e) < 0 ? -1 : seccomp_apply(&s, e);
}

static const char *cache_dir; /* test_seccomp_cache()'s */

static void seccomp_child(enum sc_check what)
{
	uint64_t def = caps_default();
	struct hm_err e = {0};
	char c = ' ';
	int r;

	if (what != SC_NO_NNP)
		CHECK(1, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	switch (what) {
	case SC_DEFAULT:
		CHECK(2, apply(def, false, NULL, &e) == 0);
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
		/* an allow-list: what it does not name is refused, a number
		 * no kernel has and open_tree_attr (467, Linux 6.15) alike */
		CHECK(22, err_of(syscall(1000, 0, 0, 0)) == EPERM);
		CHECK(23,
		      err_of(syscall(0x40000000L | 1000, 0, 0, 0)) == EPERM);
		CHECK(24, err_of(syscall(467, -1, "", 0, NULL, 0)) == EPERM);
		CHECK(25,
		      err_of(syscall(SYS_io_uring_setup, 1, NULL)) == EPERM);
		/* the default capabilities hold SYS_CHROOT */
		CHECK(26, err_of(chroot("/")) == 0);
		CHECK(27,
		      err_of(syscall(SYS_personality, 0x100000000UL)) == EPERM);
		break;
	case SC_NO_CHROOT:
		CHECK(2, apply(def & ~BIT(SYS_CHROOT), false, NULL, &e) == 0);
		CHECK(3, err_of(chroot("/")) == EPERM);
		CHECK(4, err_of(syscall(SYS_getpid)) == 0);
		break;
	case SC_SYSADMIN:
		CHECK(2, apply(def | BIT(SYS_ADMIN), false, NULL, &e) == 0);
		CHECK(3, seccomp_mode() == 2);
		CHECK(4, err_of(unshare(0)) == 0);
		CHECK(5, clone3_err() == 0);
		CHECK(6, err_of(syscall(SYS_keyctl, 0, -3, 0)) == EPERM);
		CHECK(7, err_of(syscall(SYS_reboot, 0, 0, 0, NULL)) == EPERM);
		break;
	case SC_UNCONFINED:
		CHECK(2, apply(def, true, NULL, &e) == 0);
		CHECK(3, seccomp_mode() == 0);
		CHECK(4, clone3_err() == 0);
		break;
	case SC_CACHED: /* what the cache holds now, read in this child */
		CHECK(2, apply(BIT(SYS_BOOT), false, cache_dir, &e) == 0);
		CHECK(3, err_of(syscall(SYS_keyctl, 0, -3, 0)) == EPERM);
		CHECK(4, err_of(syscall(SYS_getpid)) == 0);
		break;
	case SC_NO_NNP:
		/* without no_new_privs and CAP_SYS_ADMIN the kernel refuses */
		CHECK(2, default_caps(&e) == 0);
		CHECK(3, apply(def, false, NULL, &e) == -1);
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

static void test_seccomp_no_chroot(void **state)
{
	(void)state;
	run_seccomp(SC_NO_CHROOT);
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

/* How many files @dir holds; the last one seen into @path. */
static int count_files(const char *dir, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			n++;
			snprintf(path, len, "%s/%s", dir, de->d_name);
		}
	closedir(d);
	return n;
}

/*
 * Overwrite the program in a cache file, keeping its size and its digest
 * line, with one that allows everything: "ret SECCOMP_RET_ALLOW" each
 * instruction. Loaded as is, it would lift the whole filter.
 */
static void allow_all_in_place(const char *path)
{
	const unsigned char ret_allow[8] = {0x06, 0, 0, 0, 0, 0, 0xff, 0x7f};
	struct stat st;
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	for (off_t off = 72; off + 8 <= st.st_size; off += 8)
		assert_int_equal(pwrite(fd, ret_allow, 8, off), 8);
	close(fd);
}

static int prepare(uint64_t caps, const char *dir)
{
	struct hm_spec s = {.caps = caps};
	struct hm_err e = {0};
	int r = seccomp_prepare(&s, dir, &e);

	if (r < 0)
		fail_msg("seccomp_prepare: %s", e.msg);
	return r;
}

/*
 * The cache (oci_seccomp.c's, homo's profile named by its table and
 * capabilities): written once, read back, a damaged file replaced.
 */
static void test_seccomp_cache(void **state)
{
	char *dir = unit_tmpdir();
	cleanup_free char *sub = xasprintf("%s/cache", dir);
	cleanup_free char *good = NULL, *now = NULL;
	struct hm_err e = {0};
	char path[512] = "", other[512] = "";
	struct stat st, st2;
	size_t len = 0, len2 = 0;

	(void)state;
	cache_dir = sub;
	assert_int_equal(prepare(BIT(SYS_BOOT), sub), 0);
	assert_int_equal(count_files(sub, path, sizeof(path)), 1);
	assert_non_null(strstr(path, "/oci-"));
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 72 && st.st_size % 8 == 0);
	good = util_read_file(path, &len, &e);
	assert_non_null(good);
	assert_memory_equal(good, "sha256:", 7);
	/* another filter, another entry; the capabilities that change
	 * nothing share the first */
	assert_int_equal(prepare(0, sub), 0);
	assert_int_equal(count_files(sub, other, sizeof(other)), 2);
	assert_int_equal(prepare(BIT(SYS_BOOT) | BIT(CHOWN), sub), 0);
	assert_int_equal(count_files(sub, other, sizeof(other)), 2);
	/* damaged: ignored, compiled again and rewritten */
	assert_int_equal(truncate(path, 5), 0);
	assert_int_equal(prepare(0, sub), 0);
	assert_int_equal(prepare(BIT(SYS_BOOT), sub), 0);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size);
	/* damaged in place at the same size: the digest says so, and the
	 * program loaded is a fresh one, not the file's */
	allow_all_in_place(path);
	assert_int_equal(prepare(0, sub), 0);
	assert_int_equal(prepare(BIT(SYS_BOOT), sub), 0);
	run_seccomp(SC_CACHED);
	now = util_read_file(path, &len2, &e);
	assert_non_null(now);
	assert_int_equal(len2, len);
	assert_memory_equal(now, good, len);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seccomp_default),
	    cmocka_unit_test(test_seccomp_no_chroot),
	    cmocka_unit_test(test_seccomp_caps),
	    cmocka_unit_test(test_seccomp_unconfined),
	    cmocka_unit_test(test_seccomp_needs_nnp),
	    cmocka_unit_test(test_seccomp_cache),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
