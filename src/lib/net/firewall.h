/* SPDX-License-Identifier: MIT */
#ifndef HOMO_FIREWALL_H
#define HOMO_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "net/ipam.h"

/*
 * The nftables tables "ip homo" and "netdev homo", which homo owns and
 * nothing else touches (other tables, firewalld's, Docker's or podman's,
 * are never read or changed):
 *
 *   ip homo
 *   prerouting, output (nat): traffic to a local address -> jump ports
 *   ports:       one DNAT rule per published port, commented with the
 *                id of the container it belongs to
 *   postrouting (nat): masquerade the subnet leaving by another link;
 *                127.0.0.1 and hairpin traffic DNAT'ed into the bridge
 *   localnet (filter, prerouting before NAT): drop what the bridge
 *                brings addressed to 127.0.0.0/8 (route_localnet would
 *                deliver it to the host's loopback services)
 *
 *   netdev homo
 *   ctr_<id>:    one ingress chain per container on the host end of its
 *                veth: IPv4 and ARP from its own MAC and address only
 *
 *   ip homo_<12 hex> (one per user network, its bridge hm-<12 hex>)
 *   postrouting, localnet: as in ip homo, for its bridge and subnet
 *   forward (filter): drop what goes between it and another homo bridge
 *
 * Each start counts the base chains' rules (one netlink dump) and
 * rewrites them, in one libnftables transaction with its ports, only when
 * they differ, so a flushed table heals itself at the next start. With
 * the base in place, a container's guard and ports, and their removal, go
 * through nf_tables netlink (guard.c, dnat.c), not libnftables.
 */

/* What one container adds: its guard and its published ports. */
struct firewall_ctr {
	const char *id;
	const char *veth; /* the host end, on the bridge */
	const char *mac;
	const char *addr;
	const struct hm_port *ports;
	size_t nports;
};

/**
 * firewall_load() - load libnftables, as the functions below do first
 * when they need it; once loaded it stays.
 */
int firewall_load(struct hm_err *e);

/** firewall_setup() - create or repair the table for @bridge and @cidr. */
int firewall_setup(const char *bridge, const char *cidr, struct hm_err *e);

/**
 * firewall_add() - guard @ctr's veth (replacing a guard of an earlier
 * start; guard.c), then DNAT its ports, tagged with its id (dnat.c); when
 * the base chains lack rules, the ports go in one libnftables transaction
 * that rewrites them too.
 */
int firewall_add(const char *bridge, const char *cidr,
		 const struct firewall_ctr *ctr, struct hm_err *e);

/**
 * firewall_net_remove() - delete the table "ip homo_<12 hex>" of a user
 * network's bridge "hm-<12 hex>" (its NAT and its isolation from the
 * other bridges); a missing one is success.
 */
int firewall_net_remove(const char *bridge, struct hm_err *e);

/** firewall_remove() - delete container @id's guard; none is success. */
int firewall_remove(const char *id, struct hm_err *e);

/**
 * firewall_prune() - delete the port rules and guards whose container id
 * @drop says to. A missing table is success.
 */
int firewall_prune(bool (*drop)(const char *tag, void *arg), void *arg,
		   struct hm_err *e);

#endif
