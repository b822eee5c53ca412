/* SPDX-License-Identifier: MIT */
#ifndef HOMO_IPAM_H
#define HOMO_IPAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * Address management of the bridge network: which container holds which
 * address and which published host ports, kept in net/ipam.json. Pure
 * logic plus load/save; the caller holds the store lock (network.c).
 * Addresses are IPv4 in host byte order here.
 */

/* A published port: -p [[HOSTIP:][HOSTPORT]:]CTRPORT[/tcp|/udp]. */
struct hm_port {
	uint32_t host_ip;	      /* 0 = every address of the host */
	uint16_t host_port, ctr_port; /* host_port 0: a random one */
	/* non-zero: the first free of host_port..host_end (-p 8000-8010:80) */
	uint16_t host_end;
	int proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

/**
 * port_parse() - parse one -p argument that names one port (Docker's
 * syntax; ranges are ports_parse()'s, net/ports.h).
 */
int port_parse(const char *s, struct hm_port *p, struct hm_err *e);
const char *port_proto_name(const struct hm_port *p);
json_t *port_to_json(const struct hm_port *p);
int port_from_json(json_t *j, struct hm_port *p);
/** ports_conflict() - could both be bound at once? (same proto and port,
 * and the same or an unspecified host address) */
bool ports_conflict(const struct hm_port *a, const struct hm_port *b);

/*
 * Who holds a reservation: the homo process that allocated it (the
 * foreground run or the container's monitor) and that releases it in its
 * teardown. Identified by pid and start time, so a reused pid is not
 * mistaken for it.
 */
struct ipam_owner {
	pid_t pid; /* 0: unknown (a record from before owners were kept) */
	unsigned long long start;
};

struct ipam_entry {
	uint32_t addr;
	char id[65];
	struct ipam_owner owner;
	struct hm_port *ports;
	size_t nports;
	char **names; /* user networks: its name and aliases, or NULL */
};

struct ipam {
	uint32_t net; /* network address */
	unsigned prefix;
	uint32_t gw;	      /* the gateway; 0 = the first address */
	struct ipam_entry *v; /* sorted by address */
	size_t n;
};

/** ipam_addr_parse() - dotted quad to host order; -1 if malformed. */
int ipam_addr_parse(const char *s, uint32_t *out);
void ipam_addr_str(uint32_t addr, char out[16]);
/** ipam_mac() - Docker's MAC for an address: 02:42 and its 4 bytes. */
void ipam_mac(uint32_t addr, char out[18]);

/** ipam_init() - an empty pool for "A.B.C.D/N" (N from 8 to 30). */
int ipam_init(struct ipam *p, const char *cidr, struct hm_err *e);
void ipam_free(struct ipam *p);
/** ipam_gateway() - the bridge's address: the first of the subnet unless
 * ipam_set_gateway() said another (-1: not a host address of it). */
uint32_t ipam_gateway(const struct ipam *p);
int ipam_set_gateway(struct ipam *p, uint32_t gw);
void ipam_cidr_str(const struct ipam *p, char out[20]);

json_t *ipam_to_json(const struct ipam *p);
int ipam_from_json(json_t *j, struct ipam *p, struct hm_err *e);

/**
 * ipam_load() - read @path; a missing file is an empty pool for
 * @default_cidr. ipam_save() writes it by temp name and rename.
 */
int ipam_load(const char *path, const char *default_cidr, struct ipam *p,
	      struct hm_err *e);
int ipam_save(const char *path, const struct ipam *p, struct hm_err *e);

/**
 * ipam_alloc() - give @id an address: @want if non-zero (it must be a
 * free host address of the subnet), else the lowest free one; and its
 * published @ports, which must not clash with another entry's.
 * @owner: who holds it until ipam_release() (nullable: unknown).
 * @out: the address.
 */
int ipam_alloc(struct ipam *p, const char *id, uint32_t want,
	       const struct hm_port *ports, size_t nports,
	       const struct ipam_owner *owner, uint32_t *out, struct hm_err *e);

/**
 * ipam_check_ports() - refuse @ports that clash with each other or with
 * those of an entry ("Bind for 0.0.0.0:80/tcp failed: port is already
 * allocated", Docker's words); random and ranged ones never clash here.
 */
int ipam_check_ports(const struct ipam *p, const struct hm_port *ports,
		     size_t nports, struct hm_err *e);

/** ipam_find() - @id's entry or NULL. */
const struct ipam_entry *ipam_find(const struct ipam *p, const char *id);

/** ipam_set_names() - the names @id's entry is known by (copied). */
void ipam_set_names(struct ipam *p, const char *id, char *const *names);

/** ipam_release() - drop @id's entry; false if it had none. */
bool ipam_release(struct ipam *p, const char *id);

/**
 * ipam_reclaim() - drop every entry @held says is no longer held (its
 * owner died without its teardown, or its container is gone).
 * Return: how many were dropped; *@had_ports tells whether any of them
 * had published ports (whose rules must go too).
 */
size_t ipam_reclaim(struct ipam *p,
		    bool (*held)(const struct ipam_entry *en, void *arg),
		    void *arg, bool *had_ports);

/**
 * ipam_duplicates() - the number of entries sharing an address with an
 * earlier one (a corrupt pool: system check reports it).
 */
size_t ipam_duplicates(const struct ipam *p);

#endif
