/* SPDX-License-Identifier: MIT */
/* The network of a bridged start, made beside the init's setup: spawn_net.h */
#include "runtime/spawn_net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/thread.h"
#include "base/util.h"
#include "net/inside.h"
#include "net/network.h"
#include "runtime/init.h"

#define NET_STACK ((size_t)1 << 20)

int spawn_net_open(struct spawn_net *n, const struct hm_spec *s, pid_t pid,
		   int fd, struct hm_err *e)
{
	char path[64];

	*n = (struct spawn_net){.spec = s, .fd = fd};
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	/* by fd from here: the thread may outlive the init (killed, reaped,
	 * its pid reused) and must never reach another's namespace */
	n->netns = open(path, O_RDONLY | O_CLOEXEC);
	if (n->netns < 0)
		return hm_fail(e, errno,
			       "open the container's network "
			       "namespace");
	return 0;
}

int spawn_net_open_ns(struct spawn_net *n, const struct hm_spec *s, int ns,
		      int fd, struct hm_err *e)
{
	*n = (struct spawn_net){.spec = s, .fd = fd};
	n->netns = fcntl(ns, F_DUPFD_CLOEXEC, 0);
	if (n->netns < 0)
		return hm_fail(e, errno,
			       "hold the container's network "
			       "namespace");
	return 0;
}

static void *net_main(void *arg)
{
	struct spawn_net *n = arg;
	const struct hm_netconf *nc = &n->spec->netcfg;
	char m;

	n->r = network_attach(nc, n->spec->id, n->netns, &n->e);
	FAULT_POINT("run-net-thread"); /* the veth and guard made, not eth0 */
	if (n->r == 0)
		n->r = inside_configure(n->netns, nc->address, nc->prefix,
					nc->gateway, &n->e);
	HM_TRACE("network: %s", n->r == 0 ? "ready" : n->e.msg);
	m = n->r == 0 ? SYNC_NET : SYNC_NET_FAILED;
	/* the init may be gone already (it said why, or was killed): its
	 * end is then closed, and nothing is lost by not telling it */
	(void)!send(n->fd, &m, 1, MSG_NOSIGNAL);
	return NULL;
}

int spawn_net_start(struct spawn_net *n, struct hm_err *e)
{
	pthread_attr_t at;
	int err;

	if (n->running) /* started before the clone */
		return 0;
	err = pthread_attr_init(&at);

	/* 1 MiB, not the default 8: the libnftables child forked from here
	 * runs on it too, and address space is the limit under ulimit -v */
	if (!err)
		err = pthread_attr_setstacksize(&at, NET_STACK);
	/* before the clone, we go on working: it must not wait for us */
	if (!err)
		err = thread_elsewhere(&at);
	if (!err)
		err = pthread_create(&n->tid, &at, net_main, n);
	pthread_attr_destroy(&at);
	if (err)
		return hm_fail(e, err, "start the network's thread");
	n->running = true;
	return 0;
}

int spawn_net_finish(struct spawn_net *n, struct hm_err *e)
{
	int r = 0;

	if (n->running) {
		pthread_join(n->tid, NULL);
		n->running = false;
		r = n->r;
		if (r < 0 && e)
			*e = n->e;
	}
	if (n->netns >= 0)
		close(n->netns);
	n->netns = -1;
	return r;
}
