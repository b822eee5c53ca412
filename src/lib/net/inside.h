/* SPDX-License-Identifier: MIT */
#ifndef HOMO_INSIDE_H
#define HOMO_INSIDE_H

#include "base/error.h"

/*
 * The container side of networking, run by the init inside the new network
 * namespace; the host side is network.c.
 */

/**
 * inside_lo_up() - bring up the loopback link of the calling process's
 * network namespace.
 */
int inside_lo_up(struct hm_err *e);

/**
 * inside_eth0_up() - configure the eth0 that network_attach() created in
 * this namespace: @addr/@prefix on it, the link up, a default route via @gw.
 */
int inside_eth0_up(const char *addr, unsigned prefix, const char *gw,
		   struct hm_err *e);

#endif
