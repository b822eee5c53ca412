/* SPDX-License-Identifier: MIT */
/* A start's network namespace, made beside its records: netns_early.h */
#include "runtime/netns_early.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "base/thread.h"

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

void netns_early_start(struct netns_early *n)
{
	pthread_attr_t at;

	*n = (struct netns_early){.fd = -1};
	if (pthread_attr_init(&at) != 0)
		return;
	if (pthread_attr_setstacksize(&at, EARLY_STACK) == 0 &&
	    thread_elsewhere(&at) == 0 &&
	    pthread_create(&n->tid, &at, make, n) == 0)
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
