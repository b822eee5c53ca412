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

/* ---- the settings in config.json ---- */

void netconf_free(struct hm_netconf *nc)
{
	free(nc->ip);
	free(nc->ports);
	memset(nc, 0, sizeof(*nc));
}

json_t *netconf_to_json(const struct hm_netconf *nc)
{
	json_t *ports = json_array();

	for (size_t i = 0; i < nc->nports; i++)
		json_array_append_new(ports, port_to_json(&nc->ports[i]));
	return json_pack("{s:s?, s:o}", "ip", nc->ip, "ports", ports);
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
}

/* ---- the store side: net/ipam.json ---- */

/* The subnet of a new pool; fixed once ipam.json exists. */
static const char *default_subnet(void)
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

/* Port rules and veth guards mirror the pool: those of a container that
 * holds no address go. */
static bool not_allocated(const char *tag, void *arg)
{
	return !ipam_find(arg, tag);
}

static void fill(struct hm_netconf *nc, const struct ipam *pool, uint32_t addr)
{
	ipam_addr_str(addr, nc->address);
	ipam_addr_str(ipam_gateway(pool), nc->gateway);
	ipam_mac(addr, nc->mac);
	nc->prefix = pool->prefix;
}

static int alloc_locked(const struct hm_store *st, const char *id, void *arg,
			struct hm_err *e)
{
	struct hm_netconf *nc = arg;
	cleanup_free char *path = store_path(st, "net/ipam.json");
	const struct ipam_entry *en;
	struct ipam_owner me = {getpid(), util_proc_starttime(getpid())};
	struct ipam pool;
	bool had_ports = false, stale;
	uint32_t want = 0, addr;
	int r = -1;

	if (nc->ip && ipam_addr_parse(nc->ip, &want) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"--ip \"%s\": not an IPv4 address", nc->ip);
	if (ipam_load(path, default_subnet(), &pool, e) < 0)
		return -1;
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
	if ((stale || had_ports) && firewall_prune(not_allocated, &pool, e) < 0)
		goto out;
	if (ipam_alloc(&pool, id, want, nc->ports, nc->nports, &me, &addr, e) <
		0 ||
	    ipam_save(path, &pool, e) < 0)
		goto out;
	fill(nc, &pool, addr);
	HM_TRACE("address %s/%u", nc->address, nc->prefix);
	r = 0;
out:
	ipam_free(&pool);
	return r;
}

/*
 * Run @fn holding net/lock, a lock of its own rather than the store lock:
 * starts and teardowns happen in callers that may hold the store lock
 * already, also across a fork (a restart by "homo start" and its monitor),
 * and a nested flock on a second descriptor would wait for ever. Nothing
 * waits for anything else while holding net/lock, so it cannot deadlock.
 */
static int with_lock(const struct hm_store *st, const char *id, void *arg,
		     int (*fn)(const struct hm_store *, const char *, void *,
			       struct hm_err *),
		     struct hm_err *e)
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

int network_prepare(struct hm_store *st, const char *id, struct hm_netconf *nc,
		    const char *cdir, const char *hostname, const char *name,
		    struct hm_err *e)
{
	cleanup_free char *hosts = NULL, *path = NULL;

	/* before the address: its release needs libnftables loaded */
	if (firewall_load(e) < 0 || with_lock(st, id, nc, alloc_locked, e) < 0)
		return -1;
	snprintf(unruled, sizeof(unruled), "%s", id);
	hosts = network_hosts(nc, hostname, name);
	path = xasprintf("%s/hosts", cdir);
	return util_write_file_atomic(path, hosts, strlen(hosts), false, e);
}

static int release_locked(const struct hm_store *st, const char *id,
			  void *unused, struct hm_err *e)
{
	cleanup_free char *path = store_path(st, "net/ipam.json");
	const struct ipam_entry *en;
	struct ipam pool;
	bool had_ports;
	int r = 0;

	(void)unused;
	if (ipam_load(path, default_subnet(), &pool, e) < 0)
		return -1;
	en = ipam_find(&pool, id);
	if (en) {
		had_ports = en->nports > 0;
		ipam_release(&pool, id);
		/* rules first: an interrupted teardown leaves an entry, which
		 * the next teardown or allocation releases again */
		if ((firewall_remove(id, e) < 0 ||
		     (had_ports &&
		      firewall_prune(not_allocated, &pool, e) < 0)) &&
		    strcmp(id, unruled) != 0)
			r = -1;
		if (r == 0 && ipam_save(path, &pool, e) < 0)
			r = -1;
	}
	ipam_free(&pool);
	return r;
}

int network_teardown(const struct hm_store *st, const char *id,
		     struct hm_err *e)
{
	cleanup_free char *path = store_path(st, "net/ipam.json");

	if (access(path, F_OK) < 0)
		return 0; /* no bridge network was ever used */
	return with_lock(st, id, NULL, release_locked, e);
}

struct check {
	bool repair;
	network_finding_fn fn;
	void *arg;
};

static int check_locked(const struct hm_store *st, const char *unused,
			void *arg, struct hm_err *e)
{
	cleanup_free char *path = store_path(st, "net/ipam.json");
	struct check *c = arg;
	struct ipam pool;
	bool had_ports;
	int r = 0;

	(void)unused;
	if (ipam_load(path, default_subnet(), &pool, e) < 0)
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
		if (firewall_prune(not_allocated, &pool, e) < 0 ||
		    ipam_save(path, &pool, e) < 0)
			r = -1;
	ipam_free(&pool);
	return r;
}

int network_check(const struct hm_store *st, bool repair, network_finding_fn fn,
		  void *arg, struct hm_err *e)
{
	cleanup_free char *path = store_path(st, "net/ipam.json");
	struct check c = {repair, fn, arg};

	if (access(path, F_OK) < 0)
		return 0; /* no bridge network was ever used */
	return with_lock(st, NULL, &c, check_locked, e);
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
static bool bridge_ready(void)
{
	char v = 0;
	cleanup_close int fd =
	    open("/proc/sys/net/ipv4/conf/" NETWORK_BRIDGE "/route_localnet",
		 O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, &v, 1) == 1 && v == '1';
}

/* a fixed MAC: a bridge that takes its lowest port's changes it whenever
 * a container comes or goes */
static int bridge_create(struct nl_sock *sk, const struct hm_netconf *nc,
			 struct hm_err *e)
{
	uint32_t gw = 0;
	char mac[18];

	ipam_addr_parse(nc->gateway, &gw);
	ipam_mac(gw, mac);
	return netlink_bridge_create(sk, NETWORK_BRIDGE, mac, e);
}

static int bridge_address(struct nl_sock *sk, const struct hm_netconf *nc,
			  struct hm_err *e)
{
	cleanup_free char *cidr = xasprintf("%s/%u", nc->gateway, nc->prefix);
	int ifindex = (int)if_nametoindex(NETWORK_BRIDGE);

	if (!ifindex)
		return hm_fail(e, errno, "find bridge " NETWORK_BRIDGE);
	return netlink_addr_add(sk, ifindex, NETWORK_BRIDGE, cidr, true, e);
}

/*
 * The bridge with the gateway address, forwarding, the NAT table, and
 * route_localnet (so 127.0.0.1:PORT DNAT'ed into the bridge is not dropped
 * as a martian, as Docker does without its userland proxy). Every step is
 * idempotent: concurrent homos may all run it.
 */
static int bridge_setup(struct nl_sock *sk, const struct hm_netconf *nc,
			struct hm_err *e)
{
	char cidr[20];

	HM_TRACE("set up bridge " NETWORK_BRIDGE);
	subnet_of(nc, cidr);
	if (bridge_create(sk, nc, e) < 0 || bridge_address(sk, nc, e) < 0 ||
	    sysctl_set("/proc/sys/net/ipv4/ip_forward", e) < 0 ||
	    firewall_setup(NETWORK_BRIDGE, cidr, e) < 0)
		return -1;
	return sysctl_set(
	    "/proc/sys/net/ipv4/conf/" NETWORK_BRIDGE "/route_localnet", e);
}

/*
 * The host end on the bridge and up, eth0 born in the init's namespace.
 * Its name is new at each start, vh<9 of the id><4 random>: the previous
 * start's veth may still be being destroyed by the kernel (its namespace
 * outlives the init briefly), and a fixed name would then fail with
 * "Object exists" on a quick restart.
 */
static int veth_create(struct nl_sock *sk, const struct hm_netconf *nc,
		       const char *id, pid_t pid, char name[IFNAMSIZ],
		       struct hm_err *e)
{
	char rnd[5];
	int br = (int)if_nametoindex(NETWORK_BRIDGE);

	util_random_hex(rnd, 4);
	snprintf(name, IFNAMSIZ, "vh%.9s%s", id, rnd);
	HM_TRACE("veth %s", name);
	if (!br)
		return hm_fail(e, errno, "find bridge " NETWORK_BRIDGE);
	return netlink_veth_create(sk, name, br, "eth0", nc->mac, pid, e);
}

int network_attach(const struct hm_netconf *nc, const char *id, pid_t pid,
		   struct hm_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;
	uint32_t a;
	char cidr[20], veth[IFNAMSIZ];
	struct firewall_ctr ctr = {id,		veth,	   nc->mac,
				   nc->address, nc->ports, nc->nports};

	if (nc->prefix < 8 || nc->prefix > 30 ||
	    ipam_addr_parse(nc->address, &a) < 0 ||
	    ipam_addr_parse(nc->gateway, &a) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s: corrupt network settings",
				id);
	if (!(sk = netlink_open(e)))
		return -1;
	if (!bridge_ready() && bridge_setup(sk, nc, e) < 0)
		return -1;
	if (veth_create(sk, nc, id, pid, veth, e) < 0)
		return -1;
	/* before the init's GO: the container never sends unguarded */
	subnet_of(nc, cidr);
	if (firewall_add(NETWORK_BRIDGE, cidr, &ctr, e) < 0)
		return -1;
	unruled[0] = '\0';
	return 0;
}

/* ---- what the container and the user see ---- */

char *network_hosts(const struct hm_netconf *nc, const char *hostname,
		    const char *name)
{
	static const char head[] = "127.0.0.1\tlocalhost\n"
				   "::1\tlocalhost ip6-localhost ip6-loopback\n"
				   "fe00::0\tip6-localnet\n"
				   "ff00::0\tip6-mcastprefix\n"
				   "ff02::1\tip6-allnodes\n"
				   "ff02::2\tip6-allrouters\n";

	if (!nc->address[0])
		return xasprintf("%s127.0.1.1\t%s\n", head, hostname);
	if (!name || !strcmp(name, hostname))
		return xasprintf("%s%s\t%s\n", head, nc->address, hostname);
	return xasprintf("%s%s\t%s %s\n", head, nc->address, hostname, name);
}

json_t *network_inspect(const struct hm_store *st, const char *id,
			const struct hm_netconf *nc, bool bridge, bool running)
{
	cleanup_free char *path = store_path(st, "net/ipam.json");
	json_t *ports = json_object();
	struct hm_netconf now = {0};
	const struct ipam_entry *en;
	struct ipam pool;
	bool on = false;

	/* written by rename: readable without the lock */
	if (bridge && running &&
	    ipam_load(path, default_subnet(), &pool, NULL) == 0) {
		en = ipam_find(&pool, id);
		if (en)
			fill(&now, &pool, en->addr);
		on = en != NULL;
		ipam_free(&pool);
	}

	for (size_t i = 0; on && i < nc->nports; i++) {
		const struct hm_port *p = &nc->ports[i];
		cleanup_free char *key =
		    xasprintf("%u/%s", p->ctr_port, port_proto_name(p));
		cleanup_free char *hp = xasprintf("%u", p->host_port);
		json_t *list = json_object_get(ports, key);
		char ip[16];

		if (!list) {
			list = json_array();
			json_object_set_new(ports, key, list);
		}
		ipam_addr_str(p->host_ip, ip);
		json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp",
						      ip, "HostPort", hp));
	}
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}", "Bridge",
			 bridge ? NETWORK_BRIDGE : "", "Gateway", now.gateway,
			 "IPAddress", now.address, "IPPrefixLen",
			 (int)now.prefix, "MacAddress", now.mac, "Ports",
			 ports);
}
