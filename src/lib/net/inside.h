/* SPDX-License-Identifier: MIT */
#ifndef HOMO_INSIDE_H
#define HOMO_INSIDE_H

#include "base/error.h"

/*
 * The container side of networking, inside its network namespace: lo for
 * any container (the init), eth0 on the bridge (homo's network thread,
 * from the host: inside_configure()); the host side is network.c.
 */

/**
 * inside_lo_up() - bring up the loopback link of the calling process's
 * network namespace.
 */
int inside_lo_up(struct hm_err *e);

/**
 * inside_configure() - into the network namespace @netns (an fd), then lo
 * up, and the eth0 network_attach() created there: @addr/@prefix on it,
 * the link up, a default route via @gw. The calling thread stays in
 * @netns (a thread's own, unlike its mount or user namespace): call it on
 * a thread that ends after, never on homo's main thread.
 */
int inside_configure(int netns, const char *addr, unsigned prefix,
		     const char *gw, struct hm_err *e);

#endif
