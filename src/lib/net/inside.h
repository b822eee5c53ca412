/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NET_H
#define HOMO_NET_H

#include "base/error.h"

/*
 * The container side of networking, run by its init inside its own
 * network namespace (the host side is network.c).
 */

/**
 * net_lo_up() - bring up the loopback link of the calling process's
 * network namespace.
 */
int net_lo_up(struct hm_err *e);

/**
 * net_eth0_up() - configure the eth0 that network_attach() created in this
 * namespace: @addr/@prefix on it, the link up, a default route via @gw
 * (libnl-route).
 */
int net_eth0_up(const char *addr, unsigned prefix, const char *gw,
		struct hm_err *e);

#endif
