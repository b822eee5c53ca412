/* SPDX-License-Identifier: MIT */
#ifndef HOMO_SUBID_H
#define HOMO_SUBID_H

/*
 * Host ids of user-namespaced containers, machine-wide (docs/userns.md):
 * homo's delegation in /etc/subuid and /etc/subgid, and the registry of
 * the ranges containers of every store on the machine use.
 */

#include <stddef.h>

#include "base/error.h"
#include "base/idmap.h"
#include "runtime/spec.h"

/* One claim file per range of a container, kept across reboots. */
#define SUBID_REGISTRY "/var/lib/homo-userns"

/**
 * subid_claim() - the maps of new container @s of the store at @store_root.
 * --userns=auto takes free ranges of homo's delegations (added to
 * /etc/subuid and /etc/subgid if missing); a given map must not overlap
 * another owner's delegation nor an auto range. The ranges are then
 * claimed until subid_release(). @local (@n of them): maps of the store's
 * containers, which auto avoids too (those made before the registry).
 */
int subid_claim(const char *store_root, struct hm_spec *s,
		const struct hm_idmap (*local)[2], size_t n, struct hm_err *e);

/** subid_release() - drop the claims of container @id; none is fine. */
void subid_release(const char *id);

#endif
