/* SPDX-License-Identifier: MIT */
#ifndef HOMO_PEERS_H
#define HOMO_PEERS_H

#include "base/error.h"
#include "net/ipam.h"
#include "store/store.h"

/*
 * The address pools of all networks (net/ipam.json for the default
 * bridge, net/networks/NAME/ipam.json for each user network), and the
 * /etc/hosts by which containers on one user network know each other.
 * Callers hold net/lock (network.c).
 */

/** pools_paths() - every pool file that exists, the default's first. */
char **pools_paths(const struct hm_store *st);

/** pools_ids() - the ids holding an address in any pool but @skip's. */
char **pools_ids(const struct hm_store *st, const char *skip);

/**
 * pools_find() - the pool file where @id holds an address (malloc'd), or
 * NULL; *@net its network's name (malloc'd; NULL for the default).
 */
char *pools_find(const struct hm_store *st, const char *id, char **net);

/**
 * peers_refresh() - rewrite, in place, the part of /etc/hosts of every
 * container of @pool (network @net) that names the others: "ADDR NAME
 * ALIAS..." after a "# homo: network NET" line. In place because the
 * file is bind-mounted into the container (a rename would not be seen);
 * best effort: a container that is gone has no file to update.
 */
void peers_refresh(const struct hm_store *st, const char *net,
		   const struct ipam *pool);

#endif
