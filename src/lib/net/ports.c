/* SPDX-License-Identifier: MIT */
/* -p parsing and the host sockets that reserve published ports (ports.h). */
#include "net/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"

static const char port_syntax[] =
    "expected [[HOSTIP:][HOSTPORT[-END]]:]CONTAINERPORT[-END][/tcp|/udp] "
    "with ports from 1 to 65535";

/* "80" or "8000-8010"; *hi = *lo for one port */
static int parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	cleanup_free char *copy = xstrdup(s);
	char *dash = strchr(copy, '-');
	uint64_t a, b;

	if (dash)
		*dash++ = '\0';
	if (num_parse_u64(copy, 1, 65535, &a) < 0 ||
	    (dash && num_parse_u64(dash, a, 65535, &b) < 0))
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)(dash ? b : a);
	return 0;
}

/* Split @copy into its IP, host and container parts (the first two may be
 * NULL); its protocol is off already. */
static int split_parts(char *copy, char **ip, char **host, char **ctr)
{
	char *c1 = strrchr(copy, ':'), *c2;

	*ip = *host = NULL;
	*ctr = copy;
	if (!c1)
		return 0;
	*c1 = '\0';
	*ctr = c1 + 1;
	*host = copy;
	c2 = strrchr(copy, ':');
	if (!c2)
		return 0;
	*c2 = '\0';
	*host = c2 + 1;
	*ip = copy;
	return strchr(copy, ':') ? -1 : 0; /* an IPv6 address, or junk */
}

static int parse_proto(char *copy, const char *s, int *proto, struct hm_err *e)
{
	char *slash = strchr(copy, '/');

	*proto = IPPROTO_TCP;
	if (!slash)
		return 0;
	*slash++ = '\0';
	if (!strcmp(slash, "udp"))
		*proto = IPPROTO_UDP;
	else if (strcmp(slash, "tcp"))
		return hm_failx(e, HM_EXIT_FAIL,
				"-p %s: invalid protocol \"%s\": use tcp or "
				"udp",
				s, slash);
	return 0;
}

static void push(struct hm_port **v, size_t *n, const struct hm_port *p)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = *p;
}

int ports_parse(const char *s, struct hm_port **v, size_t *n, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(s);
	char *ip, *host, *ctr;
	uint16_t hlo = 0, hhi = 0, clo, chi;
	struct hm_port p = {0};

	if (parse_proto(copy, s, &p.proto, e) < 0)
		return -1;
	if (split_parts(copy, &ip, &host, &ctr) < 0 ||
	    parse_range(ctr, &clo, &chi) < 0 ||
	    (host && *host && parse_range(host, &hlo, &hhi) < 0))
		return hm_failx(e, HM_EXIT_FAIL, "-p %s: %s", s, port_syntax);
	if (ip && ipam_addr_parse(ip, &p.host_ip) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"-p %s: invalid host address \"%s\": expected "
				"an IPv4 address",
				s, ip);
	if (chi > clo && hlo && hhi - hlo != chi - clo)
		return hm_failx(e, HM_EXIT_FAIL,
				"-p %s: the host and container port ranges "
				"must be of the same length",
				s);
	if (chi == clo) { /* one container port: a host port, range or none */
		p.host_port = hlo;
		p.host_end = hhi > hlo ? hhi : 0;
		p.ctr_port = clo;
		push(v, n, &p);
		return 0;
	}
	for (unsigned i = 0; i <= (unsigned)(chi - clo); i++) {
		p.ctr_port = (uint16_t)(clo + i);
		p.host_port = hlo ? (uint16_t)(hlo + i) : 0;
		push(v, n, &p);
	}
	return 0;
}

int port_parse(const char *s, struct hm_port *p, struct hm_err *e)
{
	cleanup_free struct hm_port *v = NULL;
	size_t n = 0;

	if (ports_parse(s, &v, &n, e) < 0)
		return -1;
	if (n != 1 || v[0].host_end)
		return hm_failx(e, HM_EXIT_FAIL,
				"-p %s: one port expected, "
				"not a range",
				s);
	*p = v[0];
	return 0;
}

void port_spec_str(const struct hm_port *p, char out[48])
{
	char ip[17] = "", host[16] = "";

	if (p->host_ip) {
		ipam_addr_str(p->host_ip, ip);
		strcat(ip, ":");
	}
	if (p->host_end)
		snprintf(host, sizeof(host), "%u-%u:", p->host_port,
			 p->host_end);
	else if (p->host_port)
		snprintf(host, sizeof(host), "%u:", p->host_port);
	else if (p->host_ip)
		strcpy(host, ":");
	snprintf(out, 48, "%s%s%u%s", ip, host, p->ctr_port,
		 p->proto == IPPROTO_UDP ? "/udp" : "");
}

/* ports_pick()'s probes: a port is free for a helper that binds it with
 * SO_REUSEADDR (TIME_WAIT left by the last container is no conflict) */
static bool probing;

/* A socket bound to @ip:@port (0: the kernel's choice, put in *@port). */
static int bind_one(const struct hm_port *p, uint16_t *port, struct hm_err *e)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(*port),
				 .sin_addr.s_addr = htonl(p->host_ip)};
	socklen_t len = sizeof(sa);
	int type = p->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return hm_fail(e, errno, "socket");
	/* no SO_REUSEADDR: without it on our socket, no other can share the
	 * port, whatever options the other sets; IP_FREEBIND: an address
	 * not (yet) on a link, as the bridge's before its first start */
	if ((p->host_ip &&
	     setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0) ||
	    (probing &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* @p bound into @out: the first free port of its range, or its own */
static int bind_spec(const struct hm_port *p, struct hm_port *out,
		     struct hm_err *e)
{
	unsigned last = p->host_end ? p->host_end : p->host_port;
	char spec[48];
	int fd = -1;

	*out = *p;
	out->host_end = 0;
	for (unsigned port = p->host_port; fd < 0 && port <= last; port++) {
		out->host_port = (uint16_t)port;
		fd = bind_one(p, &out->host_port, e);
		if (fd < 0 && errno != EADDRINUSE)
			break;
	}
	if (fd >= 0)
		return fd;
	port_spec_str(p, spec);
	if (errno != EADDRINUSE)
		return hm_fail(e, errno, "-p %s: bind", spec);
	hm_failx(e, HM_EXIT_FAIL, "-p %s: address already in use", spec);
	e->errnum = EADDRINUSE;
	return -1;
}

int ports_bind(const struct hm_port *spec, size_t n, struct ports_held *h,
	       struct hm_err *e)
{
	h->ports = xcalloc(n + 1, sizeof(*h->ports));
	h->fds = xcalloc(n + 1, sizeof(*h->fds));
	for (h->n = 0; h->n < n; h->n++) {
		int fd = bind_spec(&spec[h->n], &h->ports[h->n], e);

		if (fd < 0) {
			ports_release(h);
			return -1;
		}
		h->fds[h->n] = fd;
	}
	return 0;
}

void ports_release(struct ports_held *h)
{
	for (size_t i = 0; i < h->n; i++)
		close(h->fds[i]);
	free(h->fds);
	free(h->ports);
	memset(h, 0, sizeof(*h));
}

int ports_pick(const struct hm_port *spec, size_t n, struct hm_port **out,
	       struct hm_err *e)
{
	struct ports_held h;
	int r;

	probing = true;
	r = ports_bind(spec, n, &h, e);
	probing = false;
	if (r < 0)
		return -1;
	*out = steal_ptr(&h.ports);
	ports_release(&h);
	return 0;
}
