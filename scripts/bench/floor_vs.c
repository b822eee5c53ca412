/* SPDX-License-Identifier: MIT */
/*
 * The head-to-head of make bench: each round runs the homo command, the
 * crun command and one floor iteration, in rotating order so that load
 * drifts hit all three alike. Commands are timed from fork to reap, as
 * hyperfine -N does. crun runs from a helper in a private mount namespace
 * where an empty tmpfs covers /sys/fs/cgroup/unified: crun refuses this
 * machine's hybrid cgroup layout.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* fork, exec @argv with its output to /dev/null, wait: ms, or -1 */
static double time_cmd(char **argv)
{
	struct timespec a;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return ms_since(&a);
}

/* split a command line on spaces (the bench's paths have none) */
static char **split(char *s)
{
	char **v = calloc(64, sizeof(*v));
	int n = 0;

	for (char *save = NULL, *t = strtok_r(s, " ", &save); t && n < 63;
	     t = strtok_r(NULL, " ", &save))
		v[n++] = t;
	return v;
}

/*
 * The crun helper: in a mount namespace of its own with an empty tmpfs over
 * /sys/fs/cgroup/unified, it times @argv each time a byte arrives on @in
 * and answers with the ms (a double) on @out.
 */
static pid_t crun_helper(char **argv, int *to, int *from)
{
	int a[2], b[2];
	pid_t pid;

	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;

		/* our own copies of the parent's ends: EOF when it closes */
		close(a[1]);
		close(b[0]);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/sys/fs/cgroup/unified", "tmpfs", 0, NULL) <
			0)
			_exit(1);
		while (read(a[0], &c, 1) == 1) {
			double t = time_cmd(argv);

			if (write(b[1], &t, sizeof(t)) != sizeof(t))
				break;
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	*to = a[1];
	*from = b[0];
	return pid;
}

static double crun_once(int to, int from)
{
	double t = -1;

	if (write(to, "r", 1) != 1 || read(from, &t, sizeof(t)) != sizeof(t))
		return -1;
	return t;
}

/* one round's three runs; 0, or -1 with a message */
static int round3(int i, int r, char **hv, char **cv, int to, int from,
		  struct samples *s)
{
	int which = hv ? (i + 3 + r) % 3 : 2;
	double t[N_STEPS], x;

	if (which == 2) {
		if (floor_iteration(i < 0 ? 1000000 - i : i, t) < 0)
			return -1;
		if (i >= 0) {
			s->tot[i] = 0;
			for (int k = 0; k < N_STEPS; k++)
				s->v[k][i] = t[k], s->tot[i] += t[k];
		}
		return 0;
	}
	x = which ? crun_once(to, from) : time_cmd(hv);
	if (x < 0) {
		fprintf(stderr, "floor: %s failed\n", which ? cv[0] : hv[0]);
		return -1;
	}
	if (i >= 0)
		(which ? s->crun : s->homo)[i] = x;
	return 0;
}

int floor_rounds(char *homo, char *crun, int n, int warm, struct samples *s)
{
	char **hv = NULL, **cv = NULL;
	int to = -1, from = -1, rc = 0;
	pid_t helper = -1;

	if (homo) {
		hv = split(homo);
		cv = split(crun);
		helper = crun_helper(cv, &to, &from);
	}
	for (int i = -warm; i < n && !rc; i++) {
		if (floor_stop) {
			fprintf(stderr, "floor: interrupted\n");
			rc = -1;
			break;
		}
		for (int r = 0; r < (homo ? 3 : 1) && !rc; r++)
			rc = round3(i, r, hv, cv, to, from, s);
	}
	if (helper > 0) {
		close(to);
		waitpid(helper, NULL, 0);
	}
	free(hv);
	free(cv);
	return rc;
}
