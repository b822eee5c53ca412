/* SPDX-License-Identifier: MIT */
/*
 * Netlink plumbing for network.c (bridge, veth pair) and inside.c (eth0's
 * address and default route): one socket per caller, each request acked
 * before the next, errors turned into hm_err here.
 *
 * What every bridged start does (the veth, the address, the route) is
 * built with libnl-3's message calls; only the bridge's creation and
 * deletion, once per network, use libnl-route's objects. libnl-route runs
 * 74 constructors when it is loaded (its cache and link-type tables):
 * 0.6 ms of a start that needs none of them (docs/performance.md).
 */
#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* libnl-route too, for the bridge's life (its objects) */
static int route_load(struct hm_err *e)
{
	if (netlink_load(e) < 0)
		return -1;
	return lazy_load(LIB_NL_ROUTE, "netlink", e);
}

int netlink_mac_parse(const char *s, unsigned char mac[6])
{
	char end;

	return sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%c", &mac[0],
		      &mac[1], &mac[2], &mac[3], &mac[4], &mac[5], &end) == 6
		   ? 0
		   : -1;
}

/* The first libnl error of a message's building (0: none so far). */
static void check(int *err, int r)
{
	if (r < 0 && !*err)
		*err = r;
}

/* A nest, or -NLE_NOMEM in *@err. */
static struct nlattr *nest(struct nl_msg *m, int type, int *err)
{
	struct nlattr *a = *err ? NULL : nla_nest_start(m, type);

	if (!a)
		check(err, -NLE_NOMEM);
	return a;
}

static void nest_end(struct nl_msg *m, struct nlattr *a, int *err)
{
	if (!*err)
		check(err, nla_nest_end(m, a));
}

/* Send @m (freed) unless its building failed (@err), and wait for its
 * ack. Return: 0, or a negative libnl error. */
static int talk(struct nl_sock *sk, struct nl_msg *m, int err)
{
	if (!err && (err = nl_send_auto(sk, m)) >= 0)
		err = nl_wait_for_ack(sk);
	nlmsg_free(m);
	return err < 0 ? err : 0;
}

/* A message of @type with @flags and header @hdr, or NULL. */
static struct nl_msg *msg_new(int type, int flags, void *hdr, size_t len)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);

	if (m && nlmsg_append(m, hdr, len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

struct nl_sock *netlink_open_proto(int protocol, const char *what,
				   struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;
	int err;

	if (netlink_load(e) < 0)
		return NULL;
	if (!(sk = nl_socket_alloc())) {
		hm_fail(e, ENOMEM, "%s", what);
		return NULL;
	}
	if ((err = nl_connect(sk, protocol)) < 0) {
		netlink_fail(e, err, "%s", what);
		return NULL;
	}
	return steal_ptr(&sk);
}

struct nl_sock *netlink_open(struct hm_err *e)
{
	return netlink_open_proto(NETLINK_ROUTE, "netlink socket", e);
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
	struct ifaddrmsg ifa = {.ifa_family = AF_INET,
				.ifa_scope = RT_SCOPE_UNIVERSE,
				.ifa_index = (unsigned)ifindex};
	const char *slash = strchr(cidr, '/');
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;
	struct nl_msg *m;
	int err = 0;

	if (!slash || (size_t)(slash - cidr) >= sizeof(ip))
		return hm_failx(e, HM_EXIT_FAIL, "address %s: no /prefix",
				cidr);
	snprintf(ip, sizeof(ip), "%.*s", (int)(slash - cidr), cidr);
	ifa.ifa_prefixlen = (unsigned char)atoi(slash + 1);
	if (inet_pton(AF_INET, ip, &a) != 1 || ifa.ifa_prefixlen > 32)
		return hm_failx(e, HM_EXIT_FAIL, "address %s: not IPv4", cidr);
	if (!(m = msg_new(RTM_NEWADDR, NLM_F_CREATE, &ifa, sizeof(ifa))))
		return hm_fail(e, ENOMEM, "address %s", cidr);
	check(&err, nla_put(m, IFA_LOCAL, sizeof(a), &a));
	check(&err, nla_put(m, IFA_ADDRESS, sizeof(a), &a));
	err = talk(sk, m, err);
	if (err < 0 && !(may_exist && err == -NLE_EXIST))
		return netlink_fail(e, err, "add %s to %s", cidr, ifname);
	return 0;
}

int netlink_route_default(struct nl_sock *sk, int ifindex, const char *gw,
			  struct hm_err *e)
{
	/* as "ip route add default via GW dev IF proto static" */
	struct rtmsg rt = {.rtm_family = AF_INET,
			   .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_STATIC,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_UNICAST};
	struct in_addr via;
	struct nl_msg *m;
	int err = 0;

	if (inet_pton(AF_INET, gw, &via) != 1)
		return hm_failx(e, HM_EXIT_FAIL, "gateway %s: not IPv4", gw);
	m = msg_new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
	if (!m)
		return hm_fail(e, ENOMEM, "default route via %s", gw);
	check(&err, nla_put(m, RTA_GATEWAY, sizeof(via), &via));
	check(&err, nla_put_u32(m, RTA_OIF, (uint32_t)ifindex));
	err = talk(sk, m, err);
	return err < 0 ? netlink_fail(e, err, "default route via %s", gw) : 0;
}

int netlink_bridge_create(struct nl_sock *sk, const char *name, const char *mac,
			  struct hm_err *e)
{
	cleanup_link struct rtnl_link *l = NULL;
	cleanup_nladdr struct nl_addr *m = NULL;
	int err;

	if (route_load(e) < 0)
		return -1;
	if (!(l = rtnl_link_alloc()))
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
			int peer_netns, struct hm_err *e)
{
	struct ifinfomsg host = {
	    .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct ifinfomsg peer = {.ifi_family = AF_UNSPEC};
	struct nlattr *info, *data, *p;
	unsigned char mac[6];
	struct nl_msg *m;
	int err = 0;

	if (netlink_mac_parse(peer_mac, mac) < 0)
		return hm_failx(e, HM_EXIT_FAIL, "MAC address %s: invalid",
				peer_mac);
	m = msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &host,
		    sizeof(host));
	if (!m)
		return hm_fail(e, ENOMEM, "veth %s", name);
	check(&err, nla_put_string(m, IFLA_IFNAME, name));
	check(&err, nla_put_u32(m, IFLA_MASTER, (uint32_t)master));
	info = nest(m, IFLA_LINKINFO, &err);
	if (!err)
		check(&err, nla_put_string(m, IFLA_INFO_KIND, "veth"));
	data = nest(m, IFLA_INFO_DATA, &err);
	/* the peer: its own ifinfomsg, then its attributes */
	p = nest(m, VETH_INFO_PEER, &err);
	if (!err)
		check(&err,
		      nlmsg_append(m, &peer, sizeof(peer), NLMSG_ALIGNTO));
	if (!err) {
		check(&err, nla_put_string(m, IFLA_IFNAME, peer_name));
		check(&err, nla_put(m, IFLA_ADDRESS, sizeof(mac), mac));
		check(&err,
		      nla_put_u32(m, IFLA_NET_NS_FD, (uint32_t)peer_netns));
	}
	nest_end(m, p, &err);
	nest_end(m, data, &err);
	nest_end(m, info, &err);
	if ((err = talk(sk, m, err)) < 0)
		return netlink_fail(e, err, "create veth %s", name);
	return 0;
}

int netlink_link_delete(struct nl_sock *sk, const char *name, struct hm_err *e)
{
	cleanup_link struct rtnl_link *l = NULL;
	int err;

	if (route_load(e) < 0)
		return -1;
	if (!(l = rtnl_link_alloc()))
		return hm_fail(e, ENOMEM, "link %s", name);
	rtnl_link_set_name(l, name);
	err = rtnl_link_delete(sk, l);
	if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
		return netlink_fail(e, err, "delete link %s", name);
	return 0;
}
