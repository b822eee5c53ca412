/* SPDX-License-Identifier: MIT */
#ifndef HOMO_USERNET_H
#define HOMO_USERNET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "store/store.h"

/*
 * User-defined networks (docs/network.md): "homo network create NAME"
 * makes a bridge hm-<12 hex of its id> with its own subnet, address pool
 * (net/networks/NAME/ipam.json) and nftables table (ip homo_<12 hex>);
 * the record is net/networks/NAME/network.json. Containers on one are
 * isolated from every other homo bridge, and know each other by name
 * through their /etc/hosts (network.c keeps it current).
 */

struct hm_usernet {
	char name[129];
	char id[65];
	char subnet[20]; /* "10.89.0.0/24" */
	char gateway[16];
	char bridge[16]; /* "hm-" and 12 hex of the id */
	char created[40];
};

/** usernet_builtin() - "bridge", "host", "none" (and "default"): names a
 * user network may not take. */
bool usernet_builtin(const char *name);

/**
 * usernet_create() - a new network @name on @subnet (NULL: the first free
 * 10.89.N.0/24) with gateway @gateway (NULL: the subnet's first address):
 * refused if the name is taken or the subnet overlaps the default
 * bridge's or another network's. The bridge and its rules are made now.
 */
int usernet_create(const struct hm_store *st, const char *name,
		   const char *subnet, const char *gateway,
		   struct hm_usernet *out, struct hm_err *e);

/** usernet_find() - by name, id, or unique id prefix. */
int usernet_find(const struct hm_store *st, const char *ref,
		 struct hm_usernet *out, struct hm_err *e);

/** usernet_list() - every network, by name; *@v malloc'd. */
int usernet_list(const struct hm_store *st, struct hm_usernet **v, size_t *n,
		 struct hm_err *e);

/**
 * usernet_remove() - delete network @name, its bridge and its table;
 * refused while a container holds an address on it (a running one).
 */
int usernet_remove(const struct hm_store *st, const char *name,
		   struct hm_err *e);

/** usernet_inspect() - Docker's JSON of a network, with its containers. */
json_t *usernet_inspect(const struct hm_store *st, const struct hm_usernet *n);

/** usernet_pool_path() - its ipam.json (malloc'd). */
char *usernet_pool_path(const struct hm_store *st, const char *name);

#endif
