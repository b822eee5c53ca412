/* SPDX-License-Identifier: MIT */
/* A start's network namespace, made beside its records: netns_early.h */
#include "runtime/netns_early.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

/* small: the thread makes a few system calls */
#define EARLY_STACK ((size_t)64 << 10)

static void *make(void *arg)
{
	struct netns_early *n = arg;
	int ours = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int made = -1;

	if (ours < 0)
		return NULL;
	if (unshare(CLONE_NEWNET) == 0)
		made = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	/* back to ours, or the thread ends where it is: only it was moved */
	if (setns(ours, CLONE_NEWNET) == 0)
		n->fd = made;
	else if (made >= 0)
		close(made);
	close(ours);
	return NULL;
}

/*
 * On another CPU than ours: a new thread starts on its parent's CPU, and
 * there, while we work, it would wait for a tick (4 ms) or for us to
 * block. Waking an idle CPU costs 0.1-0.4 ms on a VM, still less.
 */
static int elsewhere(pthread_attr_t *at)
{
	cpu_set_t cpus;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return 0;
	CPU_CLR(cpu, &cpus);
	if (CPU_COUNT(&cpus) == 0)
		return 0;
	return pthread_attr_setaffinity_np(at, sizeof(cpus), &cpus);
}

void netns_early_start(struct netns_early *n)
{
	pthread_attr_t at;

	*n = (struct netns_early){.fd = -1};
	if (pthread_attr_init(&at) != 0)
		return;
	if (pthread_attr_setstacksize(&at, EARLY_STACK) == 0 &&
	    elsewhere(&at) == 0 && pthread_create(&n->tid, &at, make, n) == 0)
		n->running = true;
	pthread_attr_destroy(&at);
}

int netns_early_take(struct netns_early *n)
{
	int fd;

	if (n->running)
		pthread_join(n->tid, NULL);
	n->running = false;
	fd = n->fd;
	n->fd = -1;
	return fd;
}

void netns_early_drop(struct netns_early *n)
{
	int fd = netns_early_take(n);

	if (fd >= 0)
		close(fd);
}
