/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NETNS_EARLY_H
#define HOMO_NETNS_EARLY_H

/*
 * A start's network namespace, made on a thread of its own while the start
 * writes its records and makes its cgroups. A new network namespace costs
 * 0.35-0.45 ms here (its loopback device, each protocol's state: about a
 * tenth of a start), which a clone() with CLONE_NEWNET pays in line. The
 * thread unshare()s one, keeps an fd of it and goes back to ours; the init
 * is then born in it, as with --network container: (spawn_start()), and
 * the namespace lives on through the init alone.
 *
 * Only where the init would make it with the clone in homo's own user
 * namespace (no user namespace of its own, not rootless): the namespace
 * belongs to the user namespace that makes it. Where the thread cannot
 * run or fails, the clone makes the namespace, as before.
 */

#include <pthread.h>
#include <stdbool.h>

struct netns_early {
	pthread_t tid;
	bool running;
	int fd; /* the namespace, once the thread is done; else -1 */
};

/** netns_early_start() - start making one (if it can: see above). */
void netns_early_start(struct netns_early *n);
/**
 * netns_early_take() - wait for the thread. Return: an fd of the new
 * namespace, now the caller's, or -1 if none was made.
 */
int netns_early_take(struct netns_early *n);
/** netns_early_drop() - wait for the thread, let go of what it made. */
void netns_early_drop(struct netns_early *n);

#endif
