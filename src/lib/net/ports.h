/* SPDX-License-Identifier: MIT */
#ifndef HOMO_PORTS_H
#define HOMO_PORTS_H

#include <stddef.h>

#include "base/error.h"
#include "net/ipam.h"

/*
 * Published ports (docs/network.md): Docker's -p syntax with ranges, and
 * the host sockets that reserve them while the container runs, as
 * Docker's proxy does: a host service already on the port makes the start
 * fail ("address already in use") instead of being shadowed by the DNAT
 * rule, and nothing else can take the port while the container has it.
 */

/**
 * ports_parse() - append what one -p argument publishes to *@v (*@n of
 * them): [[HOSTIP:][HOSTPORT[-END]]:]CTRPORT[-END][/tcp|/udp]. A
 * container range takes a host range of the same length or none (random
 * ports); a host range with one container port takes the first free one.
 */
int ports_parse(const char *s, struct hm_port **v, size_t *n, struct hm_err *e);

/** port_spec_str() - "[IP:]HOST:CTR[/udp]" as -p would say it (@out 48). */
void port_spec_str(const struct hm_port *p, char out[48]);

/*
 * The sockets holding the host ports of one start, and the ports as bound
 * (a random or ranged host port resolved to the one the kernel gave).
 */
struct ports_held {
	struct hm_port *ports;
	int *fds;
	size_t n;
};

/**
 * ports_bind() - bind every port of @spec on the host (close-on-exec, no
 * listen: the DNAT rules take every connection before a socket could).
 * Return: 0 with @h filled, or -1 with nothing left open and @e saying
 * "-p 8080:80: address already in use" (errnum EADDRINUSE).
 */
int ports_bind(const struct hm_port *spec, size_t n, struct ports_held *h,
	       struct hm_err *e);

/**
 * ports_pick() - the host ports @spec names, each resolved (a random or
 * ranged one to a free one) by binding it with SO_REUSEADDR and letting
 * it go: for a helper that binds them itself (rootless NAT). *@out holds
 * @n ports, malloc'd.
 */
int ports_pick(const struct hm_port *spec, size_t n, struct hm_port **out,
	       struct hm_err *e);

/** ports_release() - close what ports_bind() holds. */
void ports_release(struct ports_held *h);

#endif
