/* SPDX-License-Identifier: MIT */
/*
 * nsjoin.c: which namespaces of a process are not ours, and joining them
 * through its pidfd, against a forked "init" in new UTS and IPC
 * namespaces (as root, as the unit tests run).
 */
#include "unit.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/nsjoin.h"

static int pidfd_of(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	assert_true(fd >= 0);
	return fd;
}

static ino_t ns_ino(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* a child in new UTS and IPC namespaces, blocked until @p[1] closes */
static pid_t init_like(int p[2])
{
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(p[1]);
		if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0 ||
		    sethostname("joined", 6) < 0)
			_exit(1);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	return pid;
}

static void test_ours(void **state)
{
	struct nsjoin j;
	struct hm_err e = {0};
	int fd = pidfd_of(getpid());

	(void)state;
	assert_int_equal(nsjoin_open(&j, fd, &e), 0);
	assert_int_equal(j.flags, 0); /* never our own user namespace */
	close(fd);
}

static void test_join(void **state)
{
	char path[64], host[64] = "";
	struct hm_err e = {0};
	struct nsjoin j;
	int p[2], st, fd;
	pid_t pid = init_like(p), child;

	(void)state;
	fd = pidfd_of(pid);
	/* until it has unshared, its namespaces are ours */
	for (int i = 0; i < 500; i++) {
		assert_int_equal(nsjoin_open(&j, fd, &e), 0);
		if (j.flags == (CLONE_NEWUTS | CLONE_NEWIPC))
			break;
		usleep(10000);
	}
	assert_int_equal(j.flags, CLONE_NEWUTS | CLONE_NEWIPC);
	child = fork();
	if (child == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
		if (nsjoin_enter(&j, &e) < 0 ||
		    ns_ino("/proc/self/ns/uts") != ns_ino(path) ||
		    gethostname(host, sizeof(host)) < 0 ||
		    strcmp(host, "joined"))
			_exit(1);
		_exit(0);
	}
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* reaped: no namespace of it is joined any more */
	assert_int_equal(nsjoin_open(&j, fd, &e), -1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ours),
	    cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
