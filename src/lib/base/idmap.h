/* SPDX-License-Identifier: MIT */
#ifndef HOMO_IDMAP_H
#define HOMO_IDMAP_H

/*
 * Id maps of a user-namespaced container (--userns=auto, --uidmap,
 * --gidmap): container ids ctr..ctr+count-1 are host ids host..; pure
 * arithmetic, so that image/ (which shifts a committed upper/'s owners
 * back) need not see runtime/userns.h, where the namespaces are made.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct hm_idmap {
	uint32_t ctr, host, count; /* count 0: no mapping (no userns) */
};

/* A run of host ids: start..start+count-1. */
struct hm_idrange {
	uint32_t start, count;
};

/* One line of /etc/subuid or /etc/subgid: OWNER:START:COUNT. */
struct hm_subid {
	char owner[64];
	struct hm_idrange r;
};

/*
 * --userns=auto takes 65536 ids per container from the ids /etc/subuid
 * and /etc/subgid delegate to IDMAP_OWNER (docs/userns.md). Missing, that
 * delegation is added with IDMAP_DELEGATION ids after every other one,
 * aligned, and at IDMAP_SUBID_MIN at least (useradd's SUB_UID_MIN).
 */
#define IDMAP_OWNER "homo"
#define IDMAP_AUTO_SIZE 65536u
#define IDMAP_DELEGATION (IDMAP_AUTO_SIZE * 1024u)
#define IDMAP_SUBID_MIN 100000u

/** idmap_parse() - "CTR:HOST:COUNT" (--uidmap, --gidmap). */
int idmap_parse(const char *opt, const char *arg, struct hm_idmap *m,
		struct hm_err *e);

/**
 * idmap_subid_parse() - the lines of @text, the contents of @file
 * (/etc/subuid or /etc/subgid) into *@v (malloc'd, *@n of them). Empty
 * lines and '#' comments are skipped; any other line that is not
 * OWNER:START:COUNT is an error, as it might delegate ids we would hand out.
 */
int idmap_subid_parse(const char *text, const char *file, struct hm_subid **v,
		      size_t *n, struct hm_err *e);

/** idmap_overlap() - whether two ranges share an id. */
bool idmap_overlap(const struct hm_idrange *a, const struct hm_idrange *b);

/**
 * idmap_subid_place() - where IDMAP_OWNER's delegation goes when the file
 * (@v, @n) has none: IDMAP_DELEGATION ids after the end of every line,
 * aligned to IDMAP_AUTO_SIZE.
 */
int idmap_subid_place(const struct hm_subid *v, size_t n,
		      struct hm_idrange *out, struct hm_err *e);

/**
 * idmap_pick_auto() - the lowest IDMAP_AUTO_SIZE range in one of the @pool
 * ranges (homo's delegations; counted from each one's start) that
 * overlaps none of @used (claims, other owners' delegations).
 */
int idmap_pick_auto(const struct hm_idrange *pool, size_t npool,
		    const struct hm_idrange *used, size_t nused, uint32_t *base,
		    struct hm_err *e);

/** idmap_host_id() - the host id of container id @id, -1 if unmapped. */
int64_t idmap_host_id(const struct hm_idmap *m, uint32_t id);

/** idmap_ctr_id() - the container id of host id @id, -1 if unmapped. */
int64_t idmap_ctr_id(const struct hm_idmap *m, uint32_t id);

/**
 * idmap_self() - the line of our own /proc/self/@which ("uid_map",
 * "gid_map") whose namespace ids hold @id, into @m. Read with read()
 * into a small stack buffer: stdio's would be a fresh heap page, a page
 * fault on every start. Return: 1 found, 0 not mapped, -1 unreadable.
 */
int idmap_self(const char *which, uint32_t id, struct hm_idmap *m);

/** idmap_find() - idmap_self() on an open id map file @fd. */
int idmap_find(int fd, uint32_t id, struct hm_idmap *m);

#endif
