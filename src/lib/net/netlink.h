/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NETLINK_H
#define HOMO_NETLINK_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * The kernel's link, address and route tables through libnl, for both
 * sides of networking (network.c on the host, inside.c in the container):
 * the only file that includes libnl headers. Callers see libnl's objects
 * as opaque pointers.
 */

struct nl_sock;
struct nl_addr;
struct rtnl_link;

void netlink_sock_freep(struct nl_sock **s);
void netlink_addr_freep(struct nl_addr **a);
void netlink_link_freep(struct rtnl_link **l);
#define cleanup_nlsock __attribute__((cleanup(netlink_sock_freep)))
#define cleanup_nladdr __attribute__((cleanup(netlink_addr_freep)))
#define cleanup_link __attribute__((cleanup(netlink_link_freep)))

/**
 * netlink_fail() - record a libnl failure: @fmt then ": nl_geterror(@nl_err)".
 * @nl_err: a libnl error code (negative or not).
 *
 * Return: -1. errnum is EIO (libnl's codes are not errnos), exit_code
 * HM_EXIT_FAIL.
 */
int netlink_fail(struct hm_err *e, int nl_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * netlink_load() - load libnl (lazylib.c) if not yet: netlink_open() does,
 * and a process that will need it after a pivot_root, where the library
 * cannot be found, calls this before. Return: 0, or -1 with @e.
 */
int netlink_load(struct hm_err *e);

/** netlink_mac_parse() - "02:42:0a:58:00:02" into @mac. Return: 0 or -1. */
int netlink_mac_parse(const char *s, unsigned char mac[6]);

/**
 * netlink_open() - a NETLINK_ROUTE socket of the calling thread's network
 * namespace. Return: the socket (free it with cleanup_nlsock), or NULL.
 */
struct nl_sock *netlink_open(struct hm_err *e);

/**
 * netlink_open_proto() - a socket of netlink family @protocol
 * (NETLINK_NETFILTER: nfnl.c); @what begins its error message.
 */
struct nl_sock *netlink_open_proto(int protocol, const char *what,
				   struct hm_err *e);

/**
 * netlink_link_up() - set IFF_UP on link @name (an ioctl: no socket needed).
 */
int netlink_link_up(const char *name, struct hm_err *e);

/**
 * netlink_addr_add() - put @cidr ("10.88.0.2/16") on link @ifindex, named
 * @ifname in messages. With @may_exist, the address being there already
 * is success (concurrent homos set up the bridge alike).
 */
int netlink_addr_add(struct nl_sock *sk, int ifindex, const char *ifname,
		     const char *cidr, bool may_exist, struct hm_err *e);

/**
 * netlink_route_default() - a default route via @gw out of link @ifindex,
 * which must be up with @gw on one of its subnets.
 */
int netlink_route_default(struct nl_sock *sk, int ifindex, const char *gw,
			  struct hm_err *e);

/**
 * netlink_bridge_create() - create bridge @name, up, with MAC @mac
 * ("02:42:..."). A bridge of that name that exists already is success:
 * another homo made it.
 */
int netlink_bridge_create(struct nl_sock *sk, const char *name, const char *mac,
			  struct hm_err *e);

/**
 * netlink_veth_create() - a veth pair in one RTM_NEWLINK: @name up on the
 * bridge @master (an ifindex), its peer created directly in the network
 * namespace @peer_netns (an fd) as @peer_name with MAC @peer_mac (moving a
 * link between namespaces afterwards costs ~30 ms of RCU grace periods).
 */
int netlink_veth_create(struct nl_sock *sk, const char *name, int master,
			const char *peer_name, const char *peer_mac,
			int peer_netns, struct hm_err *e);

/**
 * netlink_link_delete() - delete link @name; a missing one is success.
 */
int netlink_link_delete(struct nl_sock *sk, const char *name, struct hm_err *e);

#endif
