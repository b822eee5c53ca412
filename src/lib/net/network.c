/* SPDX-License-Identifier: MIT */
/*
 * Bridge networking (network.h, docs/network.md): the store side (address
 * allocation and release under the store lock) and the kernel side (bridge,
 * veth pair, sysctls); netlink requests go to netlink.c, NAT rules to
 * firewall.c. The container side is inside.c.
 */
#include "net/network.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "net/firewall.h"
#include "net/netlink.h"
#include "net/netopts.h"
#include "net/peers.h"
#include "net/ports.h"
#include "net/usernet.h"

/* ---- the settings in config.json ---- */

void netconf_free(struct hm_netconf *nc)
{
	free(nc->ip);
	free(nc->ports);
	strv_free(nc->dns);
	strv_free(nc->dns_search);
	strv_free(nc->dns_opt);
	strv_free(nc->add_hosts);
	free(nc->mac_address);
	free(nc->expose);
	free(nc->network);
	free(nc->join);
	strv_free(nc->aliases);
	memset(nc, 0, sizeof(*nc));
}

json_t *netconf_to_json(const struct hm_netconf *nc)
{
	json_t *ports = json_array();

	json_t *j;

	for (size_t i = 0; i < nc->nports; i++)
		json_array_append_new(ports, port_to_json(&nc->ports[i]));
	j = json_pack("{s:s?, s:o}", "ip", nc->ip, "ports", ports);
	netopts_to_json(nc, j);
	return j;
}

void netconf_from_json(json_t *j, struct hm_netconf *nc)
{
	json_t *ports = json_object_get(j, "ports"), *x;
	const char *ip = json_string_value(json_object_get(j, "ip"));
	size_t i;

	memset(nc, 0, sizeof(*nc));
	nc->ip = ip ? xstrdup(ip) : NULL;
	nc->ports = xcalloc(json_array_size(ports) + 1, sizeof(*nc->ports));
	json_array_foreach(ports, i, x)
	{
		if (port_from_json(x, &nc->ports[nc->nports]) == 0)
			nc->nports++;
	}
	netopts_from_json(j, nc);
}

/* ---- the store side: net/ipam.json ---- */

/* The subnet of a new pool; fixed once ipam.json exists. */
const char *network_default_subnet(void)
{
	const char *s = getenv("HOMO_BRIDGE_SUBNET");

	return s && *s ? s : NETWORK_DEFAULT_SUBNET;
}

/*
 * Is the reservation of @en still held? An address belongs to the
 * container from its allocation to its teardown, whatever its recorded
 * state says (a start allocates before it records "running"): it is only
 * taken back when the homo that holds it died without its teardown (the
 * container died with it: PR_SET_PDEATHSIG), or the container is gone.
 */
static bool held(const struct ipam_entry *en, void *arg)
{
	const struct hm_store *st = arg;
	cleanup_free char *dir = store_path(st, "containers/%s", en->id);

	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return false;
	if (!en->owner.pid) /* unknown owner: held while the record is */
		return true;
	return util_proc_starttime(en->owner.pid) == en->owner.start;
}

void network_reclaim(const struct hm_store *st, struct ipam *pool)
{
	bool had_ports;

	ipam_reclaim(pool, held, (void *)st, &had_ports);
}

/* Port rules and veth guards mirror the pools: those of a container that
 * holds no address in any go. */
struct allocated {
	const struct ipam *cur; /* the pool being changed */
	char **ids;		/* who holds an address in the others */
};

static bool not_allocated(const char *tag, void *arg)
{
	const struct allocated *a = arg;

	if (ipam_find(a->cur, tag))
		return false;
	for (size_t i = 0; a->ids[i]; i++)
		if (!strcmp(a->ids[i], tag))
			return false;
	return true;
}

static int prune(const struct hm_store *st, const char *path,
		 const struct ipam *pool, struct hm_err *e)
{
	struct allocated a = {pool, pools_ids(st, path)};
	int r = firewall_prune(not_allocated, &a, e);

	strv_free(a.ids);
	return r;
}

/* Where a container of network @net gets its address. */
struct pool_ref {
	char *path;
	const char *cidr; /* of a new pool */
	struct hm_usernet un;
	bool user;
};

static int pool_ref(const struct hm_store *st, const char *net,
		    struct pool_ref *r, struct hm_err *e)
{
	memset(r, 0, sizeof(*r));
	if (!net) {
		r->path = store_path(st, "net/ipam.json");
		r->cidr = network_default_subnet();
		return 0;
	}
	if (usernet_find(st, net, &r->un, e) < 0)
		return -1;
	r->user = true;
	r->path = usernet_pool_path(st, r->un.name);
	r->cidr = r->un.subnet;
	return 0;
}

void network_fill(struct hm_netconf *nc, const struct ipam *pool, uint32_t addr)
{
	ipam_addr_str(addr, nc->address);
	ipam_addr_str(ipam_gateway(pool), nc->gateway);
	ipam_mac(addr, nc->mac);
	if (nc->mac_address) /* checked when read: netopts_from_json() */
		snprintf(nc->mac, sizeof(nc->mac), "%s", nc->mac_address);
	nc->prefix = pool->prefix;
}

/*
 * The host ports of the container this process started, bound until its
 * teardown (ports.h): the foreground run or the monitor holds them, so
 * they are given back when it dies, whatever else happens.
 */
static struct {
	char id[65];
	struct ports_held h;
} bound;

static void unbind(const char *id)
{
	if (id && strcmp(bound.id, id))
		return;
	ports_release(&bound.h);
	bound.id[0] = '\0';
}

/* The ports of @id as this start bound them, else as @nc asks. */
static const struct hm_port *ports_of(const struct hm_netconf *nc,
				      const char *id, size_t *n)
{
	if (!strcmp(bound.id, id)) {
		*n = bound.h.n;
		return bound.h.ports;
	}
	*n = nc->nports;
	return nc->ports;
}

/* Docker's "port is already allocated" for another container's port,
 * then the host's sockets: "address already in use" for anyone else's. */
static int bind_ports(const struct ipam *pool, const struct hm_netconf *nc,
		      const char *id, struct hm_err *e)
{
	unbind(NULL);
	if (ipam_check_ports(pool, nc->ports, nc->nports, e) < 0 ||
	    ports_bind(nc->ports, nc->nports, &bound.h, e) < 0)
		return -1;
	snprintf(bound.id, sizeof(bound.id), "%s", id);
	return 0;
}

/* the names the other containers of a user network know it by */
static void set_names(struct ipam *pool, const char *id,
		      const struct hm_netconf *nc, const char *name)
{
	cleanup_strv char **names = xcalloc(1, sizeof(char *));

	if (name)
		names = strv_push(names, name);
	for (size_t i = 0; nc->aliases && nc->aliases[i]; i++)
		names = strv_push(names, nc->aliases[i]);
	ipam_set_names(pool, id, names);
}

struct alloc {
	struct hm_netconf *nc;
	const char *name;
};

static int alloc_locked(const struct hm_store *st, const char *id, void *arg,
			struct hm_err *e)
{
	struct alloc *al = arg;
	struct hm_netconf *nc = al->nc;
	struct pool_ref ref;
	const struct ipam_entry *en;
	struct ipam_owner me = {getpid(), util_self_starttime()};
	struct ipam pool;
	bool had_ports = false, stale;
	uint32_t want = 0, addr;
	int r = -1;

	if (nc->ip && ipam_addr_parse(nc->ip, &want) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"--ip \"%s\": not an IPv4 address", nc->ip);
	if (pool_ref(st, nc->network, &ref, e) < 0)
		return -1;
	if (ipam_load(ref.path, ref.cidr, &pool, e) < 0) {
		free(ref.path);
		return -1;
	}
	stale = ipam_reclaim(&pool, held, (void *)st, &had_ports) > 0;
	if (stale)
		HM_TRACE("reclaimed addresses of containers that are gone");
	/* left by a start of this container whose teardown failed */
	en = ipam_find(&pool, id);
	if (en) {
		had_ports |= en->nports > 0;
		ipam_release(&pool, id);
	}
	/* their rules and veth guards go with them (this container's guard
	 * is replaced by its attach) */
	if ((stale || had_ports) && prune(st, ref.path, &pool, e) < 0)
		goto out;
	if (bind_ports(&pool, nc, id, e) < 0)
		goto out;
	if (ipam_alloc(&pool, id, want, bound.h.ports, bound.h.n, &me, &addr,
		       e) < 0 ||
	    (set_names(&pool, id, nc, al->name),
	     ipam_save(ref.path, &pool, e)) < 0) {
		unbind(id);
		goto out;
	}
	network_fill(nc, &pool, addr);
	snprintf(nc->bridge, sizeof(nc->bridge), "%s",
		 ref.user ? ref.un.bridge : NETWORK_BRIDGE);
	HM_TRACE("address %s/%u on %s", nc->address, nc->prefix, nc->bridge);
	r = 0;
out:
	ipam_free(&pool);
	free(ref.path);
	return r;
}

/*
 * Run @fn holding net/lock, a lock of its own rather than the store lock:
 * starts and teardowns happen in callers that may hold the store lock
 * already, also across a fork (a restart by "homo start" and its monitor),
 * and a nested flock on a second descriptor would wait for ever. Nothing
 * waits for anything else while holding net/lock, so it cannot deadlock.
 */
int network_with_lock(const struct hm_store *st, const char *id, void *arg,
		      network_locked_fn fn, struct hm_err *e)
{
	cleanup_free char *dir = store_path(st, "net");
	cleanup_free char *path = store_path(st, "net/lock");
	cleanup_close int fd = -1;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return hm_fail(e, errno, "open lock \"%s\"", path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return hm_fail(e, errno, "lock \"%s\"", path);
	return fn(st, id, arg, e); /* closing fd releases the lock */
}

/*
 * The container this process reserved an address for and has not yet
 * attached: nftables holds no rule or guard of it (an attach's transaction
 * is all or nothing), so if its start fails, its teardown releases the
 * address even when it cannot change the firewall: the cause of the
 * failure (libnftables out of memory) often fails that too.
 */
static char unruled[65];

/* the hosts files of the containers on network @net (peers.h) */
static int refresh_locked(const struct hm_store *st, const char *net,
			  void *unused, struct hm_err *e)
{
	struct pool_ref ref;
	struct ipam pool;

	(void)unused;
	if (pool_ref(st, net, &ref, e) < 0)
		return -1;
	if (ipam_load(ref.path, ref.cidr, &pool, e) == 0) {
		peers_refresh(st, ref.un.name, &pool);
		ipam_free(&pool);
	}
	free(ref.path);
	return 0;
}

int network_prepare(struct hm_store *st, const char *id, struct hm_netconf *nc,
		    const char *cdir, const char *hostname, const char *name,
		    struct hm_err *e)
{
	cleanup_free char *hosts = NULL, *path = NULL;
	struct alloc al = {nc, name};

	/* libnl before the clone: the init sets up eth0 after its
	 * pivot_root (the guard, ports and their release need nothing
	 * else: nf_tables netlink) */
	if (netlink_load(e) < 0 ||
	    network_with_lock(st, id, &al, alloc_locked, e) < 0)
		return -1;
	snprintf(unruled, sizeof(unruled), "%s", id);
	hosts = network_hosts(nc, hostname, name);
	path = xasprintf("%s/hosts", cdir);
	if (util_write_file_atomic(path, hosts, strlen(hosts), false, e) < 0)
		return -1;
	/* its peers' names into it, its name into theirs */
	if (nc->network)
		network_with_lock(st, nc->network, NULL, refresh_locked, NULL);
	return 0;
}

static int release_locked(const struct hm_store *st, const char *id,
			  void *unused, struct hm_err *e)
{
	cleanup_free char *net = NULL;
	cleanup_free char *path = pools_find(st, id, &net);
	const struct ipam_entry *en;
	struct ipam pool;
	bool had_ports;
	int r = 0;

	(void)unused;
	if (!path) /* it holds no address */
		return 0;
	if (ipam_load(path, network_default_subnet(), &pool, e) < 0)
		return -1;
	en = ipam_find(&pool, id);
	if (en) {
		had_ports = en->nports > 0;
		ipam_release(&pool, id);
		/* rules first: an interrupted teardown leaves an entry, which
		 * the next teardown or allocation releases again; with ports,
		 * the prune takes its guard too (its id holds no address now),
		 * in the same transaction */
		if ((had_ports ? prune(st, path, &pool, e)
			       : firewall_remove(id, e)) < 0 &&
		    strcmp(id, unruled) != 0)
			r = -1;
		if (r == 0 && ipam_save(path, &pool, e) < 0)
			r = -1;
		if (r == 0 && net) /* its name out of its peers' hosts */
			peers_refresh(st, net, &pool);
	}
	ipam_free(&pool);
	return r;
}

int network_teardown(const struct hm_store *st, const char *id,
		     struct hm_err *e)
{
	cleanup_free char *path = store_path(st, "net");
	int r = 0;

	if (access(path, F_OK) == 0) /* else no bridge network was used */
		r = network_with_lock(st, id, NULL, release_locked, e);
	unbind(id); /* after its rules: the port is never shadowed */
	return r;
}

struct check {
	bool repair;
	network_finding_fn fn;
	void *arg;
};

/* one pool (@path), of the default bridge or of a user network */
static int check_locked(const struct hm_store *st, const char *path, void *arg,
			struct hm_err *e)
{
	struct check *c = arg;
	struct ipam pool;
	bool had_ports;
	int r = 0;

	if (ipam_load(path, network_default_subnet(), &pool, e) < 0)
		return -1;
	for (size_t i = 1; i < pool.n; i++) {
		cleanup_free char *what = NULL;
		const struct ipam_entry *a = &pool.v[i - 1], *b = &pool.v[i];
		char addr[16];

		if (a->addr != b->addr)
			continue;
		ipam_addr_str(a->addr, addr);
		what = xasprintf("address %s: reserved by both container %.12s "
				 "and %.12s (restart them)",
				 addr, a->id, b->id);
		c->fn(what, false, c->arg);
	}
	for (size_t i = 0; i < pool.n; i++) {
		cleanup_free char *what = NULL;
		char addr[16];

		if (held(&pool.v[i], (void *)st))
			continue;
		ipam_addr_str(pool.v[i].addr, addr);
		what = xasprintf("address %s: reserved for container %.12s, "
				 "whose homo is gone",
				 addr, pool.v[i].id);
		c->fn(what, c->repair, c->arg);
	}
	if (c->repair && ipam_reclaim(&pool, held, (void *)st, &had_ports))
		if (prune(st, path, &pool, e) < 0 ||
		    ipam_save(path, &pool, e) < 0)
			r = -1;
	ipam_free(&pool);
	return r;
}

int network_check(const struct hm_store *st, bool repair, network_finding_fn fn,
		  void *arg, struct hm_err *e)
{
	cleanup_strv char **paths = pools_paths(st);
	struct check c = {repair, fn, arg};

	for (size_t i = 0; paths[i]; i++)
		if (network_with_lock(st, paths[i], &c, check_locked, e) < 0)
			return -1;
	return 0;
}

/* ---- the kernel side ---- */

/* "10.88.0.0/16": the subnet, from the gateway and the prefix */
static void subnet_of(const struct hm_netconf *nc, char cidr[20])
{
	uint32_t gw = 0;
	char net[16];

	ipam_addr_parse(nc->gateway, &gw);
	ipam_addr_str(gw & ~0U << (32 - nc->prefix), net);
	snprintf(cidr, 20, "%s/%u", net, nc->prefix);
}

static int sysctl_set(const char *path, struct hm_err *e)
{
	return util_write_str(path, "1", e);
}

/* Written last by bridge_setup(): set means the bridge is complete. */
static bool bridge_ready(const char *bridge)
{
	cleanup_free char *path =
	    xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	char v = 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, &v, 1) == 1 && v == '1';
}

/* a fixed MAC: a bridge that takes its lowest port's changes it whenever
 * a container comes or goes */
static int bridge_create(struct nl_sock *sk, const char *bridge,
			 const char *gateway, struct hm_err *e)
{
	uint32_t gw = 0;
	char mac[18];

	ipam_addr_parse(gateway, &gw);
	ipam_mac(gw, mac);
	return netlink_bridge_create(sk, bridge, mac, e);
}

static int bridge_address(struct nl_sock *sk, const char *bridge,
			  const char *gateway, unsigned prefix,
			  struct hm_err *e)
{
	cleanup_free char *cidr = xasprintf("%s/%u", gateway, prefix);
	int ifindex = (int)if_nametoindex(bridge);

	if (!ifindex)
		return hm_fail(e, errno, "find bridge %s", bridge);
	return netlink_addr_add(sk, ifindex, bridge, cidr, true, e);
}

/*
 * The bridge with the gateway address, forwarding, the NAT table, and
 * route_localnet (so 127.0.0.1:PORT DNAT'ed into the bridge is not dropped
 * as a martian, as Docker does without its userland proxy). Every step is
 * idempotent: concurrent homos may all run it.
 */
static int bridge_setup(struct nl_sock *sk, const char *bridge,
			const char *gateway, const char *cidr, struct hm_err *e)
{
	cleanup_free char *rl =
	    xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	const char *slash = strchr(cidr, '/');
	unsigned prefix = slash ? (unsigned)atoi(slash + 1) : 0;

	HM_TRACE("set up bridge %s", bridge);
	if (bridge_create(sk, bridge, gateway, e) < 0 ||
	    bridge_address(sk, bridge, gateway, prefix, e) < 0 ||
	    sysctl_set("/proc/sys/net/ipv4/ip_forward", e) < 0 ||
	    firewall_setup(bridge, cidr, e) < 0)
		return -1;
	return sysctl_set(rl, e);
}

int network_bridge_up(const char *bridge, const char *gateway, const char *cidr,
		      struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;

	if (bridge_ready(bridge))
		return 0;
	if (firewall_load(e) < 0 || !(sk = netlink_open(e)))
		return -1;
	return bridge_setup(sk, bridge, gateway, cidr, e);
}

int network_bridge_down(const char *bridge, struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;

	if (firewall_load(e) < 0 || firewall_net_remove(bridge, e) < 0 ||
	    !(sk = netlink_open(e)))
		return -1;
	return netlink_link_delete(sk, bridge, e);
}

/*
 * The host end on the bridge and up, eth0 born in the init's namespace.
 * Its name is new at each start, vh<9 of the id><4 random>: the previous
 * start's veth may still be being destroyed by the kernel (its namespace
 * outlives the init briefly), and a fixed name would then fail with
 * "Object exists" on a quick restart.
 */
static int veth_create(struct nl_sock *sk, const struct hm_netconf *nc,
		       const char *id, int netns, char name[IFNAMSIZ],
		       struct hm_err *e)
{
	char rnd[5];
	int br = (int)if_nametoindex(nc->bridge);

	util_random_hex(rnd, 4);
	snprintf(name, IFNAMSIZ, "vh%.9s%s", id, rnd);
	HM_TRACE("veth %s", name);
	if (!br)
		return hm_fail(e, errno, "find bridge %s", nc->bridge);
	return netlink_veth_create(sk, name, br, "eth0", nc->mac, netns, e);
}

int network_attach(const struct hm_netconf *nc, const char *id, int netns,
		   struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;
	uint32_t a;
	char cidr[20], veth[IFNAMSIZ];
	struct firewall_ctr ctr = {id, veth, nc->mac, nc->address, NULL, 0};

	ctr.ports = ports_of(nc, id, &ctr.nports);
	if (nc->prefix < 8 || nc->prefix > 30 || !nc->bridge[0] ||
	    ipam_addr_parse(nc->address, &a) < 0 ||
	    ipam_addr_parse(nc->gateway, &a) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s: corrupt network settings",
				id);
	if (!(sk = netlink_open(e)))
		return -1;
	subnet_of(nc, cidr);
	if (!bridge_ready(nc->bridge) &&
	    bridge_setup(sk, nc->bridge, nc->gateway, cidr, e) < 0)
		return -1;
	if (veth_create(sk, nc, id, netns, veth, e) < 0)
		return -1;
	/* before eth0 is up: the container never sends unguarded */
	if (firewall_add(nc->bridge, cidr, &ctr, e) < 0)
		return -1;
	unruled[0] = '\0';
	return 0;
}
