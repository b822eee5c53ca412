/* SPDX-License-Identifier: MIT */
/* homo port, and the network options of homo run (--net, -p, --ip). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "common.h"
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
	else
		return hm_failx(e, HM_EXIT_FAIL,
				"%s \"%s\": use bridge, none or host", what,
				mode);
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
	struct hm_port p;

	if (port_parse(arg, &p, e) < 0)
		return -1;
	nc->ports = xrealloc(nc->ports, (nc->nports + 1) * sizeof(p));
	nc->ports[nc->nports++] = p;
	return 0;
}

int cmd_net_check(struct hm_spec *s, struct hm_err *e)
{
	uint32_t a;

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
	if (s->netcfg.nports && s->net == NET_NONE)
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
	/* as Docker: only a running container has its ports published */
	for (size_t i = 0; state.status == ST_RUNNING && s.net == NET_BRIDGE &&
			   i < s.netcfg.nports;
	     i++) {
		const struct hm_port *p = &s.netcfg.ports[i];
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

const char cmd_port_usage[] =
    "Usage: homo port CONTAINER [PORT[/PROTO]]\n\n"
    "List the published ports of a running container as\n"
    "\"PORT/PROTO -> HOSTIP:HOSTPORT\", or the host side of one port.\n";
