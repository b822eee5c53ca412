/* SPDX-License-Identifier: MIT */
/*
 * A running container's namespaces joined through its init's pidfd
 * (nsjoin.h): no path under /proc/PID is opened to join, so a reused pid
 * can never be joined; one setns(2) for all of them.
 */
#include "runtime/nsjoin.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

static const struct {
	const char *name;
	int type;
} kinds[] = {
    {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
    {"mnt", CLONE_NEWNS},
};

/* the pid the pidfd names, from its fdinfo */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], line[128];
	cleanup_fclose FILE *f = NULL;
	int pid = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	return (pid_t)pid;
}

/* "uts:[4026531838]": readlink names a namespace without instantiating
 * its nsfs inode, as stat(2) does (a third of the time) */
static int ns_link(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, name, buf, size - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int nsjoin_open(struct nsjoin *j, int pidfd, struct hm_err *e)
{
	pid_t pid = pidfd_pid(pidfd);
	cleanup_close int his = -1, ours = -1;
	char path[64];

	j->pidfd = pidfd;
	j->flags = 0;
	if (pid <= 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"the container's init is gone");
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
	his = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ours = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (his < 0 || ours < 0)
		return hm_fail(e, errno, "\"%s\"",
			       his < 0 ? path : "/proc/self/ns");
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char a[64], b[64];

		if (ns_link(his, kinds[i].name, a, sizeof(a)) < 0)
			return hm_fail(e, errno, "\"%s/%s\"", path,
				       kinds[i].name);
		if (ns_link(ours, kinds[i].name, b, sizeof(b)) < 0 ||
		    strcmp(a, b))
			j->flags |= kinds[i].type;
	}
	/* still alive after the reads: they were its namespaces */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return hm_fail(e, errno, "the container's init");
	return 0;
}

int nsjoin_parent(const struct nsjoin *j, struct hm_err *e)
{
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return hm_fail(e, errno, "make the runtime non-dumpable");
	if ((j->flags & CLONE_NEWPID) && setns(j->pidfd, CLONE_NEWPID) < 0)
		return hm_fail(e, errno, "join the container's PID namespace");
	return 0;
}

int nsjoin_enter(const struct nsjoin *j, struct hm_err *e)
{
	int flags = j->flags & ~CLONE_NEWPID;

	if (flags && setns(j->pidfd, flags) < 0)
		return hm_fail(e, errno, "join the container's namespaces");
	if (!(flags & CLONE_NEWUSER))
		return 0;
	/* EINVAL: 0 is not mapped; the process's own user comes next */
	if ((setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) &&
	    errno != EINVAL)
		return hm_fail(e, errno, "become root in the user namespace");
	return 0;
}
