/* SPDX-License-Identifier: MIT */
/* homo port, and the network options of homo run (--net, -p, --ip). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "common.h"
#include "net/netopts.h"
#include "net/ports.h"
#include "net/usernet.h"
#include "runtime/container.h"

int cmd_net_mode(struct hm_spec *s, const char *what, const char *mode,
		 struct hm_err *e)
{
	if (!strcmp(mode, "bridge") || !strcmp(mode, "default"))
		s->net = NET_BRIDGE;
	else if (!strcmp(mode, "none"))
		s->net = NET_NONE;
	else if (!strcmp(mode, "host"))
		s->net = NET_HOST;
	else if (!strncmp(mode, "container:", 10) && mode[10] &&
		 !strcmp(what, "--net"))
		s->net = NET_CONTAINER;
	else if (strcmp(what, "--net")) /* HOMO_NETWORK_DEFAULT */
		return hm_failx(e, HM_EXIT_FAIL,
				"%s \"%s\": use bridge, none or host", what,
				mode);
	else /* a user network, checked by cmd_net_resolve() */
		s->net = NET_BRIDGE;
	free(s->netcfg.join);
	s->netcfg.join = s->net == NET_CONTAINER ? xstrdup(mode + 10) : NULL;
	free(s->netcfg.network);
	s->netcfg.network = s->net == NET_BRIDGE && strcmp(mode, "bridge") &&
				    strcmp(mode, "default")
				? xstrdup(mode)
				: NULL;
	return 0;
}

int cmd_net_default(struct hm_spec *s, struct hm_err *e)
{
	const char *mode = getenv("HOMO_NETWORK_DEFAULT");

	s->net = NET_BRIDGE;
	return mode && *mode ? cmd_net_mode(s, "HOMO_NETWORK_DEFAULT", mode, e)
			     : 0;
}

int cmd_net_publish(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	struct hm_netconf *nc = &s->netcfg;

	return ports_parse(arg, &nc->ports, &nc->nports, e);
}

/* --expose PORT[-END][/tcp|/udp]: a container port alone */
static int net_expose(struct hm_netconf *nc, const char *arg, struct hm_err *e)
{
	if (strchr(arg, ':'))
		return hm_failx(e, HM_EXIT_FAIL,
				"--expose %s: expected PORT[-END][/tcp|/udp]",
				arg);
	if (ports_parse(arg, &nc->expose, &nc->nexpose, e) < 0)
		return hm_prefix(e, "--expose");
	return 0;
}

static int net_strv(char ***v, const char *arg,
		    int (*check)(const char *, struct hm_err *),
		    struct hm_err *e)
{
	if (check(arg, e) < 0)
		return -1;
	*v = strv_push(*v, arg);
	return 0;
}

int cmd_net_opt(struct hm_spec *s, const char *opt, const char *arg,
		struct hm_err *e)
{
	struct hm_netconf *nc = &s->netcfg;
	char mac[18];

	if (!strcmp(opt, "dns"))
		return net_strv(&nc->dns, arg, netopt_dns, e);
	if (!strcmp(opt, "dns-search"))
		return net_strv(&nc->dns_search, arg, netopt_dns_search, e);
	if (!strcmp(opt, "dns-option"))
		return net_strv(&nc->dns_opt, arg, netopt_dns_option, e);
	if (!strcmp(opt, "add-host"))
		return net_strv(&nc->add_hosts, arg, netopt_add_host, e);
	if (!strcmp(opt, "expose"))
		return net_expose(nc, arg, e);
	if (!strcmp(opt, "network-alias"))
		return net_strv(&nc->aliases, arg, netopt_alias, e);
	if (!strcmp(opt, "publish-all")) {
		nc->publish_all = true;
		return 0;
	}
	if (netopt_mac(arg, mac, e) < 0) /* mac-address */
		return -1;
	free(nc->mac_address);
	nc->mac_address = xstrdup(mac);
	return 0;
}

/* "80/tcp" keys (Docker's ExposedPorts) or an array of them */
static void image_exposed(json_t *cfg, struct hm_netconf *nc)
{
	json_t *x = json_object_get(cfg, "exposed_ports"), *v;
	const char *key;
	size_t i;

	json_object_foreach(x, key, v)
	    ports_parse(key, &nc->expose, &nc->nexpose, NULL);
	json_array_foreach(x, i, v)
	{
		if (json_is_string(v))
			ports_parse(json_string_value(v), &nc->expose,
				    &nc->nexpose, NULL);
	}
}

static int publish_all(const struct hm_store *st, struct hm_spec *s,
		       struct hm_err *e)
{
	struct hm_netconf *nc = &s->netcfg;
	struct hm_image img;

	if (!nc->publish_all || s->net == NET_HOST)
		return 0;
	if (store_image_find(st, s->image, &img, NULL, e) < 0)
		return -1;
	image_exposed(img.config, nc);
	image_free(&img);
	/* each exposed port on a random host port, unless -p has it */
	for (size_t i = 0; i < nc->nexpose; i++) {
		struct hm_port p = nc->expose[i];
		bool have = false;

		for (size_t k = 0; k < nc->nports; k++)
			have |= nc->ports[k].ctr_port == p.ctr_port &&
				nc->ports[k].proto == p.proto;
		if (have)
			continue;
		p.host_ip = p.host_port = p.host_end = 0;
		nc->ports = xrealloc(nc->ports, (nc->nports + 1) * sizeof(p));
		nc->ports[nc->nports++] = p;
	}
	return 0;
}

/* Docker refuses what another container's network decides */
static int check_container_mode(const struct hm_spec *s, struct hm_err *e)
{
	const struct hm_netconf *nc = &s->netcfg;
	const char *what = s->hostname			   ? "hostname"
			   : nc->nports || nc->publish_all ? "port publishing"
			   : nc->nexpose		   ? "--expose"
			   : nc->dns || nc->dns_search || nc->dns_opt ? "dns"
			   : nc->add_hosts   ? "--add-host"
			   : nc->mac_address ? "--mac-address"
			   : nc->ip	     ? "--ip"
			   : nc->aliases     ? "--network-alias"
			   : s->userns_auto || s->uidmap.count
			       ? "a user namespace"
			       : NULL;

	if (what)
		return hm_failx(e, HM_EXIT_FAIL,
				"conflicting options: %s and the network mode "
				"container:%s",
				what, nc->join);
	return 0;
}

int cmd_net_check(struct hm_spec *s, struct hm_err *e)
{
	uint32_t a;

	if (s->net == NET_CONTAINER)
		return check_container_mode(s, e);
	if (s->net != NET_BRIDGE && s->netcfg.mac_address)
		return hm_failx(e, HM_EXIT_FAIL,
				"conflicting options: --mac-address and --net "
				"%s",
				s->net == NET_HOST ? "host" : "none");
	if (s->netcfg.aliases && !s->netcfg.network)
		return hm_failx(e, HM_EXIT_FAIL,
				"network-scoped aliases are supported only for "
				"containers on user-defined networks");
	if (s->net == NET_BRIDGE) {
		if (s->netcfg.ip && ipam_addr_parse(s->netcfg.ip, &a) < 0)
			return hm_failx(e, HM_EXIT_FAIL,
					"--ip \"%s\": not an IPv4 address",
					s->netcfg.ip);
		return 0;
	}
	if (s->netcfg.ip)
		return hm_failx(e, HM_EXIT_FAIL,
				"--ip needs the bridge network, not --net %s",
				s->net == NET_HOST ? "host" : "none");
	if ((s->netcfg.nports || s->netcfg.publish_all) && s->net == NET_NONE)
		return hm_failx(e, HM_EXIT_FAIL,
				"conflicting options: port publishing and "
				"--net none");
	if (s->netcfg.nports) {
		/* Docker's behaviour: the host's ports are the container's */
		fprintf(stderr, "homo: warning: published ports are discarded "
				"when using host network mode\n");
		free(s->netcfg.ports);
		s->netcfg.ports = NULL;
		s->netcfg.nports = 0;
	}
	return 0;
}

/* "80/tcp" or "80" (tcp) as homo port's filter */
static int parse_filter(const char *arg, struct hm_port *f, struct hm_err *e)
{
	cleanup_free char *spec = xasprintf("1:%s", arg);

	if (port_parse(spec, f, e) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"port \"%s\": expected PORT[/tcp|/udp]", arg);
	return 0;
}

int cmd_port(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct hm_port filter = {0};
	cleanup_free struct hm_port *ports = NULL;
	size_t n = 0;
	struct hm_state state;
	struct hm_spec s;
	char id[65];
	int c, shown = 0;

	while ((c = cmd_getopt("port", argc, argv, "+h", opts, e)) != -1) {
		if (c == 'h')
			return cmd_help("port");
		return -1; /* cmd_getopt() said why */
	}
	if (optind >= argc || argc - optind > 2)
		return cmd_usage_error(e, "port",
				       "expected CONTAINER [PORT[/PROTO]]");
	if (optind + 1 < argc && parse_filter(argv[optind + 1], &filter, e) < 0)
		return -1;
	if (cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, argv[optind], id, e) < 0 ||
	    container_check(&ctx->store, id, &state, e) < 0 ||
	    container_load_spec(&ctx->store, id, &s, e) < 0)
		return -1;
	/* as Docker: only a running container has its ports published; as
	 * bound at its start (a random host port resolved) */
	if (state.status == ST_RUNNING && s.net == NET_BRIDGE)
		network_ports(&ctx->store, id, &ports, &n);
	for (size_t i = 0; i < n; i++) {
		const struct hm_port *p = &ports[i];
		char ip[16];

		if (filter.ctr_port && (p->ctr_port != filter.ctr_port ||
					p->proto != filter.proto))
			continue;
		ipam_addr_str(p->host_ip, ip);
		if (filter.ctr_port)
			printf("%s:%u\n", ip, p->host_port);
		else
			printf("%u/%s -> %s:%u\n", p->ctr_port,
			       port_proto_name(p), ip, p->host_port);
		shown++;
	}
	spec_free(&s);
	if (filter.ctr_port && !shown)
		return hm_failx(e, 1, "no public port '%u/%s' published for %s",
				filter.ctr_port, port_proto_name(&filter),
				argv[optind]);
	return 0;
}

int cmd_net_resolve(const struct hm_store *st, struct hm_spec *s,
		    struct hm_err *e)
{
	struct hm_netconf *nc = &s->netcfg;
	struct hm_usernet un;

	if (nc->network) {
		if (usernet_find(st, nc->network, &un, e) < 0)
			return -1;
		free(nc->network);
		nc->network = xstrdup(un.name);
	}
	if (s->net == NET_CONTAINER) { /* by id: a name may be reused */
		struct hm_spec t;
		char id[65];

		if (container_find(st, nc->join, id, e) < 0 ||
		    container_load_spec(st, id, &t, e) < 0)
			return -1;
		free(nc->join);
		nc->join = xstrdup(id);
		s->hostname = xstrdup(t.hostname); /* as Docker */
		spec_free(&t);
	}
	return publish_all(st, s, e);
}

const char cmd_port_usage[] =
    "Usage: homo port CONTAINER [PORT[/PROTO]]\n\n"
    "List the published ports of a running container as\n"
    "\"PORT/PROTO -> HOSTIP:HOSTPORT\", or the host side of one port.\n";
