/* SPDX-License-Identifier: MIT */
/*
 * The container side of networking, inside its network namespace (the
 * init's lo; eth0 from homo's network thread); the host side is
 * network.c. "inside" rather than netns_setup or container_side: short,
 * and under net/ it names where it runs.
 */
#include "net/inside.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>

#include "base/util.h"
#include "net/netlink.h"

int inside_lo_up(struct hm_err *e)
{
	return netlink_link_up("lo", e);
}

/* @addr/@prefix on this namespace's eth0, the link up, the route via @gw */
static int eth0_up(const char *addr, unsigned prefix, const char *gw,
		   struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;
	cleanup_free char *cidr = xasprintf("%s/%u", addr, prefix);
	int ifindex = (int)if_nametoindex("eth0");

	if (!ifindex)
		return hm_fail(e, errno, "find eth0");
	if (!(sk = netlink_open(e)))
		return -1;
	/* the route needs the link up and the gateway on a subnet of it */
	if (netlink_addr_add(sk, ifindex, "eth0", cidr, false, e) < 0 ||
	    netlink_link_up("eth0", e) < 0 ||
	    netlink_route_default(sk, ifindex, gw, e) < 0)
		return -1;
	return 0;
}

int inside_configure(int netns, const char *addr, unsigned prefix,
		     const char *gw, struct hm_err *e)
{
	if (setns(netns, CLONE_NEWNET) < 0)
		return hm_fail(e, errno,
			       "enter the container's network namespace");
	if (inside_lo_up(e) < 0 || eth0_up(addr, prefix, gw, e) < 0)
		return -1;
	return 0;
}
