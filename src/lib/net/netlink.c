/* SPDX-License-Identifier: MIT */
/*
 * libnl-route plumbing for network.c (bridge, veth pair) and inside.c
 * (eth0's address and default route): one socket per caller, each request
 * acked before the next (libnl's default), errors turned into hm_err here.
 */
#include "net/netlink.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/lazylib.h"
#include "base/util.h"

void netlink_sock_freep(struct nl_sock **s)
{
	if (*s)
		nl_socket_free(*s);
}

void netlink_addr_freep(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}

void netlink_link_freep(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}

int netlink_fail(struct hm_err *e, int nl_err, const char *fmt, ...)
{
	char what[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hm_failx(e, HM_EXIT_FAIL, "%s: %s", what, nl_geterror(nl_err));
	if (e)
		e->errnum = EIO;
	return -1;
}

int netlink_load(struct hm_err *e)
{
	return lazy_load(LIB_NL, "netlink", e);
}

struct nl_sock *netlink_open(struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;
	int err;

	if (netlink_load(e) < 0)
		return NULL;
	if (!(sk = nl_socket_alloc())) {
		hm_fail(e, ENOMEM, "netlink socket");
		return NULL;
	}
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		netlink_fail(e, err, "netlink socket");
		return NULL;
	}
	return steal_ptr(&sk);
}

/*
 * One ioctl pair on a datagram socket, not libnl: this is on every
 * container's start path and costs 0.08 ms against libnl's 0.35 ms
 * (socket, bind, RTM_NEWLINK, ack).
 */
int netlink_link_up(const char *name, struct hm_err *e)
{
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq r = {0};

	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	if (fd < 0)
		return hm_fail(e, errno, "socket for %s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &r) < 0)
		return hm_fail(e, errno, "get the flags of %s", name);
	r.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &r) < 0)
		return hm_fail(e, errno, "bring up %s", name);
	return 0;
}

int netlink_addr_add(struct nl_sock *sk, int ifindex, const char *ifname,
		     const char *cidr, bool may_exist, struct hm_err *e)
{
	cleanup_nladdr struct nl_addr *local = NULL;
	struct rtnl_addr *a = rtnl_addr_alloc();
	int err;

	if (!a)
		return hm_fail(e, ENOMEM, "address %s", cidr);
	err = nl_addr_parse(cidr, AF_INET, &local);
	if (err == 0) {
		rtnl_addr_set_ifindex(a, ifindex);
		err = rtnl_addr_set_local(a, local);
	}
	if (err == 0)
		err = rtnl_addr_add(sk, a, 0);
	rtnl_addr_put(a);
	if (err < 0 && !(may_exist && err == -NLE_EXIST))
		return netlink_fail(e, err, "add %s to %s", cidr, ifname);
	return 0;
}

int netlink_route_default(struct nl_sock *sk, int ifindex, const char *gw,
			  struct hm_err *e)
{
	cleanup_nladdr struct nl_addr *via = NULL;
	cleanup_nladdr struct nl_addr *dst = NULL;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	int err = -NLE_NOMEM;

	if (r && nh) {
		err = nl_addr_parse(gw, AF_INET, &via);
		if (err == 0)
			err = nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
	}
	if (err == 0) {
		rtnl_route_set_family(r, AF_INET);
		err = rtnl_route_set_dst(r, dst);
	}
	if (err == 0) {
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(r, steal_ptr(&nh)); /* r owns it */
		err = rtnl_route_add(sk, r, NLM_F_EXCL);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	if (r)
		rtnl_route_put(r);
	return err < 0 ? netlink_fail(e, err, "default route via %s", gw) : 0;
}

int netlink_bridge_create(struct nl_sock *sk, const char *name, const char *mac,
			  struct hm_err *e)
{
	cleanup_link struct rtnl_link *l = rtnl_link_alloc();
	cleanup_nladdr struct nl_addr *m = NULL;
	int err;

	if (!l)
		return hm_fail(e, ENOMEM, "bridge %s", name);
	if ((err = nl_addr_parse(mac, AF_LLC, &m)) < 0 ||
	    (err = rtnl_link_set_type(l, "bridge")) < 0)
		return netlink_fail(e, err, "bridge %s", name);
	rtnl_link_set_name(l, name);
	rtnl_link_set_addr(l, m);
	rtnl_link_set_flags(l, IFF_UP);
	err = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0 && err != -NLE_EXIST) /* another homo made it: fine */
		return netlink_fail(e, err, "create bridge %s", name);
	return 0;
}

int netlink_veth_create(struct nl_sock *sk, const char *name, int master,
			const char *peer_name, const char *peer_mac,
			pid_t peer_pid, struct hm_err *e)
{
	cleanup_link struct rtnl_link *host = rtnl_link_veth_alloc();
	cleanup_nladdr struct nl_addr *mac = NULL;
	struct rtnl_link *peer;
	int err;

	if (!host)
		return hm_fail(e, ENOMEM, "veth %s", name);
	if ((err = nl_addr_parse(peer_mac, AF_LLC, &mac)) < 0)
		return netlink_fail(e, err, "MAC address %s", peer_mac);
	peer = rtnl_link_veth_get_peer(host);
	rtnl_link_set_name(host, name);
	rtnl_link_set_master(host, master);
	rtnl_link_set_flags(host, IFF_UP);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_addr(peer, mac);
	rtnl_link_set_ns_pid(peer, peer_pid);
	rtnl_link_put(peer);
	err = rtnl_link_add(sk, host, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0)
		return netlink_fail(e, err, "create veth %s", name);
	return 0;
}

int netlink_link_delete(struct nl_sock *sk, const char *name, struct hm_err *e)
{
	cleanup_link struct rtnl_link *l = rtnl_link_alloc();
	int err;

	if (!l)
		return hm_fail(e, ENOMEM, "link %s", name);
	rtnl_link_set_name(l, name);
	err = rtnl_link_delete(sk, l);
	if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
		return netlink_fail(e, err, "delete link %s", name);
	return 0;
}
