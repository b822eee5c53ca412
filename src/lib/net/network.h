/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NETWORK_H
#define HOMO_NETWORK_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "net/ipam.h"
#include "store/store.h"

/*
 * Bridge networking (docs/network.md): the bridge homo0 with the gateway
 * address, a veth pair per container whose host end vh<12 hex of the id>
 * is on the bridge and whose peer is born as eth0 in the container's
 * network namespace (the kernel destroys the pair with the namespace),
 * addresses from ipam.c, NAT and published ports from firewall.c.
 */

#define NETWORK_BRIDGE "homo0"
#define NETWORK_DEFAULT_SUBNET "10.88.0.0/16"

/*
 * A container's bridge network settings: the options are saved in its
 * config.json, the address is this run's (allocated at every start and
 * released at every stop, as Docker does).
 */
struct hm_netconf {
	char *ip;	       /* --ip as given; NULL = the lowest free */
	struct hm_port *ports; /* -p */
	size_t nports;
	char **dns, **dns_search, **dns_opt; /* --dns... (NULL: the host's) */
	char **add_hosts;		     /* --add-host NAME:IP */
	char *mac_address; /* --mac-address; NULL = from the address */
	char *network;	   /* a user network's name; NULL = homo0's */
	char **aliases;	   /* --network-alias: more names on it */
	char *join;	   /* --network container:CTR: CTR's id */
	/* homo run's, not saved: -P publishes these and the image's */
	struct hm_port *expose; /* --expose */
	size_t nexpose;
	bool publish_all; /* -P */
	/* set by network_prepare(), not saved */
	char address[16];
	unsigned prefix;
	char gateway[16];
	char mac[18];
	char bridge[16];
};

const char *network_default_subnet(void);

/*
 * network_with_lock() - @fn(@st, @id, @arg, @e) holding net/lock, under
 * which every pool and network record changes.
 */
typedef int (*network_locked_fn)(const struct hm_store *st, const char *id,
				 void *arg, struct hm_err *e);
int network_with_lock(const struct hm_store *st, const char *id, void *arg,
		      network_locked_fn fn, struct hm_err *e);

/** network_reclaim() - drop @pool's reservations whose holder is gone. */
void network_reclaim(const struct hm_store *st, struct ipam *pool);

/**
 * network_bridge_up() - make bridge @bridge with @gateway on @cidr, its
 * sysctls and its firewall table, unless it is complete already.
 * network_bridge_down() deletes the bridge and its table (user networks).
 */
int network_bridge_up(const char *bridge, const char *gateway, const char *cidr,
		      struct hm_err *e);
int network_bridge_down(const char *bridge, struct hm_err *e);

/** network_fill() - @nc's address, gateway, prefix and MAC from @pool. */
void network_fill(struct hm_netconf *nc, const struct ipam *pool,
		  uint32_t addr);

void netconf_free(struct hm_netconf *nc);
json_t *netconf_to_json(const struct hm_netconf *nc);
void netconf_from_json(json_t *j, struct hm_netconf *nc);

/**
 * network_prepare() - before a start: reserve an address (and the
 * published host ports) for container @id in net/ipam.json under
 * net/lock, reclaiming first what containers that are gone still held;
 * fill @nc's address, prefix, gateway and MAC; write @cdir/hosts mapping
 * @hostname and @name to the address. Undone by network_teardown().
 */
int network_prepare(struct hm_store *st, const char *id, struct hm_netconf *nc,
		    const char *cdir, const char *hostname, const char *name,
		    struct hm_err *e);

/**
 * network_attach() - connect the container whose network namespace is
 * @netns (an fd): make the bridge if it is missing, create the veth pair
 * with eth0 born in that namespace, guard it, publish the ports. eth0 is
 * then configured from inside (inside_configure()). spawn.c runs both on a
 * thread of its own while the init sets up its root.
 */
int network_attach(const struct hm_netconf *nc, const char *id, int netns,
		   struct hm_err *e);

/**
 * network_teardown() - release @id's address and delete its port rules,
 * from the id alone; nothing to release is success (under net/lock, so
 * callers may hold the store lock). The veth pair is not deleted: the kernel
 * does that when the container's namespace dies, without the 20-40 ms a
 * synchronous delete costs.
 */
int network_teardown(const struct hm_store *st, const char *id,
		     struct hm_err *e);

/*
 * network_check() - the address reservations, for "system check": @fn gets
 * each finding as "OBJECT: PROBLEM" with @fixed telling whether @repair
 * mended it. Reservations whose holder died without its teardown are
 * released with @repair; two reservations of one address (a corrupt pool)
 * are reported, not repaired: the containers hold those addresses, so
 * they must be restarted. Return: -1 with @e set if the pool cannot be
 * read.
 */
typedef void (*network_finding_fn)(const char *what, bool fixed, void *arg);
int network_check(const struct hm_store *st, bool repair, network_finding_fn fn,
		  void *arg, struct hm_err *e);

/**
 * network_hosts() - the container's /etc/hosts text (malloc'd), with the
 * --add-host lines (host-gateway: the gateway, or the default bridge's).
 */
char *network_hosts(const struct hm_netconf *nc, const char *hostname,
		    const char *name);

/**
 * network_inspect() - Docker's NetworkSettings of container @id: address,
 * gateway, MAC (from its allocation) and published ports. Empty unless
 * @running, as Docker shows a stopped container.
 */
json_t *network_inspect(const struct hm_store *st, const char *id,
			const struct hm_netconf *nc, bool bridge, bool running);

/**
 * network_resolv_conf() - the container's /etc/resolv.conf: the host's
 * without loopback nameservers (they cannot answer from inside), its
 * nameservers, search domains and options replaced by --dns,
 * --dns-search and --dns-option when given, as Docker does. @forward
 * (rootless NAT's DNS forwarder, or NULL) replaces the host's nameservers.
 */
char *network_resolv_conf(const struct hm_netconf *nc, const char *forward);

/**
 * network_rootless_save() - what inspect and "homo port" show of a
 * rootless container's NAT (@now's address and gateway, @ports as bound),
 * in @rundir/net.json, gone with the runtime dir.
 */
int network_rootless_save(const char *rundir, const struct hm_netconf *now,
			  const struct hm_port *ports, size_t n,
			  struct hm_err *e);

/**
 * network_ports() - the ports container @id published as bound at its
 * start (a random host port resolved): *@v (*@n), or none if it holds no
 * address. malloc'd.
 */
void network_ports(const struct hm_store *st, const char *id,
		   struct hm_port **v, size_t *n);

#endif
