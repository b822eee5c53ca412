/* SPDX-License-Identifier: MIT */
#ifndef HOMO_IDMAP_H
#define HOMO_IDMAP_H

/*
 * Id maps of a user-namespaced container (--userns=auto, --uidmap,
 * --gidmap): container ids ctr..ctr+count-1 are host ids host..; pure
 * arithmetic, so that image/ (which shifts a committed upper/'s owners
 * back) need not see runtime/userns.h, where the namespaces are made.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct hm_idmap {
	uint32_t ctr, host, count; /* count 0: no mapping (no userns) */
};

/* The range --userns=auto hands out: 65536 ids per container from here. */
#define IDMAP_AUTO_BASE 100000u
#define IDMAP_AUTO_SIZE 65536u
#define IDMAP_AUTO_MAX 1000u

/** idmap_parse() - "CTR:HOST:COUNT" (--uidmap, --gidmap). */
int idmap_parse(const char *opt, const char *arg, struct hm_idmap *m,
		struct hm_err *e);

/**
 * idmap_pick_auto() - the lowest auto range no container uses (@used:
 * host bases of the existing containers' uid maps, @n of them). Under the
 * store lock.
 */
int idmap_pick_auto(const uint32_t *used, size_t n, uint32_t *base,
		    struct hm_err *e);

/** idmap_host_id() - the host id of container id @id, -1 if unmapped. */
int64_t idmap_host_id(const struct hm_idmap *m, uint32_t id);

/** idmap_ctr_id() - the container id of host id @id, -1 if unmapped. */
int64_t idmap_ctr_id(const struct hm_idmap *m, uint32_t id);

#endif
