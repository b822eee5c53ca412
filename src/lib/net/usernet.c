/* SPDX-License-Identifier: MIT */
/* User-defined networks: records, subnets, bridges (usernet.h). */
#include "net/usernet.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "net/firewall.h"
#include "net/ipam.h"
#include "net/netopts.h"
#include "net/network.h"

bool usernet_builtin(const char *name)
{
	return !strcmp(name, "bridge") || !strcmp(name, "host") ||
	       !strcmp(name, "none") || !strcmp(name, "default");
}

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	return len && len < 128 && n[0] != '.' && n[0] != '-' && n[0] != '_' &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == len;
}

char *usernet_pool_path(const struct hm_store *st, const char *name)
{
	return store_path(st, "net/networks/%s/ipam.json", name);
}

static int load(const struct hm_store *st, const char *name,
		struct hm_usernet *n, struct hm_err *e)
{
	cleanup_free char *path =
	    store_path(st, "net/networks/%s/network.json", name);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	const char *f[6];

	if (!j)
		return hm_failx(e, HM_EXIT_FAIL, "network %s not found", name);
	f[0] = json_string_value(json_object_get(j, "name"));
	f[1] = json_string_value(json_object_get(j, "id"));
	f[2] = json_string_value(json_object_get(j, "subnet"));
	f[3] = json_string_value(json_object_get(j, "gateway"));
	f[4] = json_string_value(json_object_get(j, "bridge"));
	f[5] = json_string_value(json_object_get(j, "created"));
	memset(n, 0, sizeof(*n));
	if (!f[0] || !f[1] || !f[2] || !f[3] || !f[4] || strcmp(f[0], name) ||
	    strlen(f[1]) != 64 || strlen(f[2]) >= sizeof(n->subnet) ||
	    strlen(f[3]) >= sizeof(n->gateway) || strncmp(f[4], "hm-", 3) ||
	    strlen(f[4]) != 15) {
		json_decref(j);
		return hm_failx(e, HM_EXIT_FAIL, "%s: corrupt network record",
				path);
	}
	snprintf(n->name, sizeof(n->name), "%s", f[0]);
	memcpy(n->id, f[1], 65);
	snprintf(n->subnet, sizeof(n->subnet), "%s", f[2]);
	snprintf(n->gateway, sizeof(n->gateway), "%s", f[3]);
	snprintf(n->bridge, sizeof(n->bridge), "%s", f[4]);
	snprintf(n->created, sizeof(n->created), "%s", f[5] ? f[5] : "");
	json_decref(j);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct hm_usernet *)a)->name,
		      ((const struct hm_usernet *)b)->name);
}

int usernet_list(const struct hm_store *st, struct hm_usernet **v, size_t *n,
		 struct hm_err *e)
{
	cleanup_free char *dir = store_path(st, "net/networks");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	*v = xcalloc(1, sizeof(**v));
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : hm_fail(e, errno, "open %s", dir);
	while ((de = readdir(d))) {
		struct hm_usernet u;

		if (de->d_name[0] == '.' || load(st, de->d_name, &u, NULL) < 0)
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = u;
	}
	qsort(*v, *n, sizeof(**v), cmp_name);
	return 0;
}

int usernet_find(const struct hm_store *st, const char *ref,
		 struct hm_usernet *out, struct hm_err *e)
{
	cleanup_free struct hm_usernet *v = NULL;
	size_t n, hits = 0;

	if (name_ok(ref) && load(st, ref, out, NULL) == 0)
		return 0;
	if (usernet_list(st, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && *ref; i++) {
		if (strncmp(v[i].id, ref, strlen(ref)))
			continue;
		*out = v[i];
		hits++;
	}
	if (hits == 1)
		return 0;
	if (hits)
		return hm_failx(e, HM_EXIT_FAIL,
				"network id prefix \"%s\" is ambiguous", ref);
	return hm_failx(e, HM_EXIT_FAIL, "network %s not found", ref);
}

/* ---- create ---- */

static int parse_cidr(const char *s, struct ipam *p, struct hm_err *e)
{
	if (ipam_init(p, s, e) < 0)
		return hm_prefix(e, "--subnet");
	return 0;
}

/* Does @p overlap the default bridge's subnet or a network's? */
static int check_overlap(const struct hm_store *st, const struct ipam *p,
			 const char *cidr, struct hm_err *e)
{
	cleanup_free struct hm_usernet *v = NULL;
	cleanup_free char *dflt = store_path(st, "net/ipam.json");
	struct ipam q;
	size_t n;

	if (ipam_load(dflt, network_default_subnet(), &q, e) < 0)
		return -1;
	if (netopt_cidr_overlap(p->net, p->prefix, q.net, q.prefix)) {
		char other[20];

		ipam_cidr_str(&q, other);
		ipam_free(&q);
		return hm_failx(e, HM_EXIT_FAIL,
				"subnet %s overlaps %s of network bridge", cidr,
				other);
	}
	ipam_free(&q);
	if (usernet_list(st, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (ipam_init(&q, v[i].subnet, NULL) < 0)
			continue;
		if (netopt_cidr_overlap(p->net, p->prefix, q.net, q.prefix))
			return hm_failx(e, HM_EXIT_FAIL,
					"subnet %s overlaps %s of network %s",
					cidr, v[i].subnet, v[i].name);
	}
	return 0;
}

/* The first 10.89.N.0/24 free of every other subnet. */
static int pick_subnet(const struct hm_store *st, char out[20],
		       struct hm_err *e)
{
	for (unsigned i = 0; i < 256; i++) {
		struct ipam p;

		snprintf(out, 20, "10.89.%u.0/24", i);
		ipam_init(&p, out, NULL);
		if (check_overlap(st, &p, out, NULL) == 0)
			return 0;
	}
	return hm_failx(e, HM_EXIT_FAIL,
			"no free subnet left in 10.89.0.0/16: give --subnet");
}

struct create {
	const char *name, *subnet, *gateway;
	struct hm_usernet *out;
};

static int write_record(const struct hm_store *st, const struct hm_usernet *n,
			struct hm_err *e)
{
	cleanup_free char *dir = store_path(st, "net/networks");
	cleanup_free char *ndir = store_path(st, "net/networks/%s", n->name);
	cleanup_free char *path =
	    store_path(st, "net/networks/%s/network.json", n->name);
	cleanup_free char *text = NULL;

	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || mkdir(ndir, 0700) < 0)
		return hm_fail(e, errno, "mkdir \"%s\"", ndir);
	text = store_json_text(
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", n->name, "id",
		      n->id, "subnet", n->subnet, "gateway", n->gateway,
		      "bridge", n->bridge, "created", n->created),
	    JSON_INDENT(2), path, e);
	if (!text ||
	    util_write_file_atomic(path, text, strlen(text), false, e) < 0) {
		util_rm_rf(ndir, NULL);
		return -1;
	}
	return 0;
}

static int fill_new(const struct hm_store *st, const struct create *c,
		    struct hm_usernet *n, struct hm_err *e)
{
	struct ipam p;
	uint32_t gw;

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", c->name);
	if (c->subnet)
		snprintf(n->subnet, sizeof(n->subnet), "%s", c->subnet);
	else if (pick_subnet(st, n->subnet, e) < 0)
		return -1;
	if (parse_cidr(n->subnet, &p, e) < 0 ||
	    check_overlap(st, &p, n->subnet, e) < 0)
		return -1;
	gw = ipam_gateway(&p);
	if (c->gateway && (ipam_addr_parse(c->gateway, &gw) < 0 ||
			   ipam_set_gateway(&p, gw) < 0))
		return hm_failx(e, HM_EXIT_FAIL,
				"--gateway %s: not a host address of %s",
				c->gateway, n->subnet);
	ipam_addr_str(gw, n->gateway);
	util_random_hex(n->id, 64);
	snprintf(n->bridge, sizeof(n->bridge), "hm-%.12s", n->id);
	util_now_rfc3339(n->created, sizeof(n->created));
	return 0;
}

static int create_locked(const struct hm_store *st, const char *unused,
			 void *arg, struct hm_err *e)
{
	struct create *c = arg;
	struct hm_usernet *n = c->out, old;
	cleanup_free char *pool = NULL;
	struct ipam p;
	uint32_t gw;
	int r;

	(void)unused;
	if (load(st, c->name, &old, NULL) == 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"network with name %s already exists", c->name);
	if (fill_new(st, c, n, e) < 0 || write_record(st, n, e) < 0)
		return -1;
	/* the pool, with its gateway, then the kernel's side */
	pool = usernet_pool_path(st, n->name);
	ipam_init(&p, n->subnet, NULL);
	ipam_addr_parse(n->gateway, &gw);
	ipam_set_gateway(&p, gw);
	r = ipam_save(pool, &p, e);
	ipam_free(&p);
	if (r == 0)
		r = network_bridge_up(n->bridge, n->gateway, n->subnet, e);
	if (r < 0) {
		struct hm_err w;
		cleanup_free char *ndir =
		    store_path(st, "net/networks/%s", n->name);

		network_bridge_down(n->bridge, &w);
		util_rm_rf(ndir, NULL);
	}
	return r;
}

int usernet_create(const struct hm_store *st, const char *name,
		   const char *subnet, const char *gateway,
		   struct hm_usernet *out, struct hm_err *e)
{
	struct create c = {name, subnet, gateway, out};

	if (usernet_builtin(name))
		return hm_failx(e, HM_EXIT_FAIL,
				"network name %s is taken by a built-in "
				"network",
				name);
	if (!name_ok(name))
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid network name \"%s\": only "
				"[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				name);
	return network_with_lock(st, NULL, &c, create_locked, e);
}

/* ---- remove ---- */

static int remove_locked(const struct hm_store *st, const char *name,
			 void *unused, struct hm_err *e)
{
	cleanup_free char *pool = usernet_pool_path(st, name);
	cleanup_free char *ndir = store_path(st, "net/networks/%s", name);
	struct hm_usernet n;
	struct ipam p;
	size_t used = 0;

	(void)unused;
	if (load(st, name, &n, e) < 0)
		return -1;
	if (ipam_load(pool, n.subnet, &p, NULL) == 0) {
		network_reclaim(st, &p);
		used = p.n;
		ipam_free(&p);
	}
	if (used)
		return hm_failx(e, HM_EXIT_FAIL,
				"error while removing network: network %s "
				"has active endpoints (%zu running "
				"container%s)",
				name, used, used == 1 ? "" : "s");
	if (network_bridge_down(n.bridge, e) < 0)
		return -1;
	return util_rm_rf(ndir, e);
}

int usernet_remove(const struct hm_store *st, const char *name,
		   struct hm_err *e)
{
	return network_with_lock(st, name, NULL, remove_locked, e);
}

/* ---- inspect ---- */

json_t *usernet_inspect(const struct hm_store *st, const struct hm_usernet *n)
{
	cleanup_free char *pool = usernet_pool_path(st, n->name);
	json_t *ctrs = json_object();
	struct ipam p;

	/* written by rename: readable without the lock */
	if (ipam_load(pool, n->subnet, &p, NULL) == 0) {
		for (size_t i = 0; i < p.n; i++) {
			const struct ipam_entry *en = &p.v[i];
			cleanup_free char *cidr = NULL;
			char a[16], mac[18];

			ipam_addr_str(en->addr, a);
			ipam_mac(en->addr, mac);
			cidr = xasprintf("%s/%u", a, p.prefix);
			json_object_set_new(
			    ctrs, en->id,
			    json_pack("{s:s, s:s, s:s, s:s}", "Name",
				      en->names ? en->names[0] : "",
				      "MacAddress", mac, "IPv4Address", cidr,
				      "IPv6Address", ""));
		}
		ipam_free(&p);
	}
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:[{s:s, s:s}]}, "
	    "s:b, s:b, s:b, s:o, s:{s:s}, s:{}}",
	    "Name", n->name, "Id", n->id, "Created", n->created, "Scope",
	    "local", "Driver", "bridge", "EnableIPv6", 0, "IPAM", "Driver",
	    "default", "Options", "Config", "Subnet", n->subnet, "Gateway",
	    n->gateway, "Internal", 0, "Attachable", 0, "Ingress", 0,
	    "Containers", ctrs, "Options", "com.docker.network.bridge.name",
	    n->bridge, "Labels");
}
