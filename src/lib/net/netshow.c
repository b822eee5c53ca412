/* SPDX-License-Identifier: MIT */
/*
 * What the container and the user see of its network (network.h): its
 * /etc/hosts, inspect's NetworkSettings, the ports as bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rootless.h"
#include "base/util.h"
#include "net/netopts.h"
#include "net/network.h"
#include "net/peers.h"

char *network_hosts(const struct hm_netconf *nc, const char *hostname,
		    const char *name)
{
	static const char head[] = "127.0.0.1\tlocalhost\n"
				   "::1\tlocalhost ip6-localhost ip6-loopback\n"
				   "fe00::0\tip6-localnet\n"
				   "ff00::0\tip6-mcastprefix\n"
				   "ff02::1\tip6-allnodes\n"
				   "ff02::2\tip6-allrouters\n";

	cleanup_free char *extra = NULL;
	char gw[20];

	snprintf(gw, sizeof(gw), "%s", nc->gateway);
	if (!gw[0]) { /* host-gateway outside the bridge: the bridge's */
		struct ipam pool;

		if (ipam_init(&pool, network_default_subnet(), NULL) == 0)
			ipam_addr_str(ipam_gateway(&pool), gw);
	}
	extra = netopts_hosts_lines(nc, gw);
	if (!nc->address[0])
		return xasprintf("%s%s127.0.1.1\t%s\n", head, extra, hostname);
	if (!name || !strcmp(name, hostname))
		return xasprintf("%s%s%s\t%s\n", head, extra, nc->address,
				 hostname);
	return xasprintf("%s%s%s\t%s %s\n", head, extra, nc->address, hostname,
			 name);
}

static json_t *aliases_json(const struct hm_netconf *nc)
{
	json_t *a = json_array();

	for (size_t i = 0; nc->aliases && nc->aliases[i]; i++)
		json_array_append_new(a, json_string(nc->aliases[i]));
	return a;
}

int network_rootless_save(const char *rundir, const struct hm_netconf *now,
			  const struct hm_port *ports, size_t n,
			  struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/net.json", rundir);
	cleanup_free char *text = NULL;
	json_t *a = json_array(), *j;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, port_to_json(&ports[i]));
	j = json_pack("{s:s, s:s, s:i, s:o}", "IPAddress", now->address,
		      "Gateway", now->gateway, "IPPrefixLen", (int)now->prefix,
		      "Ports", a);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return util_write_file_atomic(path, text, strlen(text), false, e);
}

/* a running rootless container's net.json: false if there is none */
static bool rootless_load(const struct hm_store *st, const char *id,
			  struct hm_netconf *now, struct hm_port **v, size_t *n)
{
	cleanup_free char *path = xasprintf("%s/%s/net.json", st->runroot, id);
	json_t *j = json_load_file(path, 0, NULL), *a, *x;
	size_t i;

	*v = NULL;
	*n = 0;
	if (!j)
		return false;
	snprintf(now->address, sizeof(now->address), "%s",
		 json_string_value(json_object_get(j, "IPAddress")) ?: "");
	snprintf(now->gateway, sizeof(now->gateway), "%s",
		 json_string_value(json_object_get(j, "Gateway")) ?: "");
	now->prefix =
	    (unsigned)json_integer_value(json_object_get(j, "IPPrefixLen"));
	a = json_object_get(j, "Ports");
	*v = xcalloc(json_array_size(a) + 1, sizeof(**v));
	json_array_foreach(a, i, x)
	{
		if (port_from_json(x, &(*v)[*n]) == 0)
			(*n)++;
	}
	json_decref(j);
	return true;
}

json_t *network_inspect(const struct hm_store *st, const char *id,
			const struct hm_netconf *nc, bool bridge, bool running)
{
	cleanup_free char *net = NULL;
	cleanup_free char *path = pools_find(st, id, &net);
	json_t *ports = json_object(), *j;
	struct hm_netconf now = {0};
	const struct ipam_entry *en;
	cleanup_free struct hm_port *got = NULL;
	size_t ngot = 0;
	struct ipam pool;
	bool on = false;

	/* written by rename: readable without the lock */
	if (bridge && running && hm_rootless())
		on = rootless_load(st, id, &now, &got, &ngot);
	else if (bridge && running && path &&
		 ipam_load(path, network_default_subnet(), &pool, NULL) == 0) {
		en = ipam_find(&pool, id);
		if (en) {
			now.mac_address = nc->mac_address;
			network_fill(&now, &pool, en->addr);
			got = xcalloc(en->nports + 1, sizeof(*got));
			memcpy(got, en->ports, en->nports * sizeof(*got));
			ngot = en->nports;
		}
		on = en != NULL;
		ipam_free(&pool);
	}

	for (size_t i = 0; on && i < ngot; i++) {
		const struct hm_port *p = &got[i];
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
	j = json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}", "Bridge",
		      bridge && !nc->network ? NETWORK_BRIDGE : "", "Gateway",
		      now.gateway, "IPAddress", now.address, "IPPrefixLen",
		      (int)now.prefix, "MacAddress", now.mac, "Ports", ports);
	if (bridge) /* Docker's per-network settings */
		json_object_set_new(
		    j, "Networks",
		    json_pack("{s:{s:s, s:s, s:i, s:s, s:o}}",
			      nc->network ? nc->network : "bridge", "IPAddress",
			      now.address, "Gateway", now.gateway,
			      "IPPrefixLen", (int)now.prefix, "MacAddress",
			      now.mac, "Aliases", aliases_json(nc)));
	return j;
}

void network_ports(const struct hm_store *st, const char *id,
		   struct hm_port **v, size_t *n)
{
	cleanup_free char *net = NULL;
	cleanup_free char *path = pools_find(st, id, &net);
	const struct ipam_entry *en;
	struct ipam pool;

	*v = NULL;
	*n = 0;
	if (hm_rootless()) {
		struct hm_netconf now = {0};

		rootless_load(st, id, &now, v, n);
		return;
	}
	if (!path || ipam_load(path, network_default_subnet(), &pool, NULL) < 0)
		return;
	en = ipam_find(&pool, id);
	if (en && en->nports) {
		*v = xcalloc(en->nports, sizeof(**v));
		memcpy(*v, en->ports, en->nports * sizeof(**v));
		*n = en->nports;
	}
	ipam_free(&pool);
}
