/* SPDX-License-Identifier: MIT */
#include "net.h"

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

int net_lo_up(struct hm_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *change = NULL, *orig = NULL;
	int r;

	if (!sk)
		return hm_failx(e, HM_EXIT_FAIL, "netlink: out of memory");
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		hm_fail_nl(e, r, "netlink connect");
		goto out;
	}
	/* lo is always ifindex 1 in a new namespace: no lookup needed */
	orig = rtnl_link_alloc();
	change = rtnl_link_alloc();
	rtnl_link_set_ifindex(orig, 1);
	rtnl_link_set_flags(change, IFF_UP);
	r = rtnl_link_change(sk, orig, change, 0);
	if (r < 0)
		hm_fail_nl(e, r, "bring up lo");
out:
	rtnl_link_put(change);
	rtnl_link_put(orig);
	nl_socket_free(sk);
	return r < 0 ? -1 : 0;
}
