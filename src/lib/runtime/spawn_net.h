/* SPDX-License-Identifier: MIT */
#ifndef HOMO_SPAWN_NET_H
#define HOMO_SPAWN_NET_H

/*
 * A start on homo's bridge, as root: the network is made on a thread of
 * ours (the veth, its guard, the published ports, then lo and eth0 from
 * inside the container's namespace) while the init sets up its root, and
 * the init waits for it only before it needs it (SYNC_NET, init.h). Where
 * the namespace was made before the clone (netns_early.h), the thread
 * starts before it too. Made
 * before GO, as it was, it kept the init waiting; a thread, not homo's
 * main one, may allocate while the init shares our memory (clone_vm.h):
 * it has its own malloc arena and thread pointer.
 */

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "runtime/spec.h"

struct spawn_net {
	const struct hm_spec *spec;
	int netns; /* the init's network namespace, or -1 */
	int fd;	   /* our end of the sync socket: SYNC_NET to the init */
	pthread_t tid;
	bool running;
	int r; /* the thread's result, and why */
	struct hm_err e;
};

/**
 * spawn_net_open() - before GO: hold the network namespace of the init
 * @pid, whose sync socket's other end is @fd. @n->netns is -1 on failure.
 */
int spawn_net_open(struct spawn_net *n, const struct hm_spec *s, pid_t pid,
		   int fd, struct hm_err *e);
/**
 * spawn_net_open_ns() - the same for the network namespace @ns made for the
 * init (netns_early.h), before its clone: the thread may start at once,
 * and its SYNC_NET may reach the init before GO (which it keeps).
 */
int spawn_net_open_ns(struct spawn_net *n, const struct hm_spec *s, int ns,
		      int fd, struct hm_err *e);
/**
 * spawn_net_start() - the thread starts on the network: after GO, or
 * before the clone if opened with spawn_net_open_ns() (then, at GO, this
 * does nothing).
 */
int spawn_net_start(struct spawn_net *n, struct hm_err *e);
/**
 * spawn_net_finish() - wait for the thread (if it started), let go of the
 * namespace. Return: its result, with @e set (if not NULL) on failure.
 */
int spawn_net_finish(struct spawn_net *n, struct hm_err *e);

#endif
