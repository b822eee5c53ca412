/* SPDX-License-Identifier: MIT */
#ifndef HOMO_GUARD_H
#define HOMO_GUARD_H

#include "base/error.h"
#include "net/firewall.h"
#include "net/nfnl.h"

/*
 * A container's veth guard, chain "netdev homo ctr_<id>" (firewall.h),
 * through nf_tables netlink (nfnl.h): one transaction each way, in homo's
 * process, with nothing read first. firewall.c calls these.
 */

/**
 * guard_add() - the guard on @c's veth: an ingress chain with policy drop
 * that accepts IPv4 from @c's MAC and address and ARP with them as its
 * sender, replacing a chain an earlier start of @c left (on its old veth).
 */
int guard_add(const struct firewall_ctr *c, struct hm_err *e);

/** guard_remove() - delete container @id's guard; none is success. */
int guard_remove(const char *id, struct hm_err *e);

/**
 * guard_prune() - queue in @p the deletes of the guards of the containers
 * it says go (it is given their ids).
 */
int guard_prune(struct nfnl_prune *p, struct hm_err *e);

#endif
