/* SPDX-License-Identifier: MIT */
#ifndef HOMO_DNAT_H
#define HOMO_DNAT_H

#include "base/error.h"
#include "net/firewall.h"
#include "net/nfnl.h"

/*
 * A container's published ports: DNAT rules in chain "ip homo ports"
 * (firewall.h), commented with its id, through nf_tables netlink
 * (nfnl.h) in homo's process. firewall.c calls these once the base chains
 * are in place.
 */

/**
 * dnat_add() - one rule per port of @c, as nft's
 * "[ip daddr HOSTIP] tcp dport HOSTPORT dnat to ADDR:PORT comment "<id>"",
 * in one transaction.
 */
int dnat_add(const struct firewall_ctr *c, struct hm_err *e);

/**
 * dnat_prune() - queue in @p the deletes of the port rules whose comment
 * it says goes.
 */
int dnat_prune(struct nfnl_prune *p, struct hm_err *e);

#endif
