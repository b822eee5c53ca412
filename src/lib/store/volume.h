/* SPDX-License-Identifier: MIT */
#ifndef HOMO_VOLUME_H
#define HOMO_VOLUME_H

/*
 * Volumes (docs/volumes.md): directories homo keeps in the store for
 * containers to mount, apart from any container's layers.
 *
 *   volumes/<name>/_data        what containers see
 *   volumes/<name>/volume.json  {Name, CreatedAt, Labels, Anonymous, Used}
 *
 * A volume is made under a temp name and renamed into place whole; its
 * record is rewritten atomically. Which containers use a volume is the
 * containers' business (runtime/volumes.c): the store only keeps them.
 * Every function here but volume_name_ok() needs the store lock.
 */
#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

/* Docker's grammar: [a-zA-Z0-9][a-zA-Z0-9_.-]+, here at most 128 bytes. */
bool volume_name_ok(const char *name);

/** volume_data_path() - malloc'd volumes/<name>/_data. */
char *volume_data_path(const struct hm_store *s, const char *name);

/**
 * volume_create() - make volume @name unless it exists.
 * @labels: a JSON object of strings (borrowed), or NULL.
 * @anon: an anonymous volume (named by 64 random hex digits).
 * @created: (nullable) whether this call made it.
 */
int volume_create(const struct hm_store *s, const char *name, json_t *labels,
		  bool anon, bool *created, struct hm_err *e);

/** volume_load() - the record of @name (a new reference), checked. */
json_t *volume_load(const struct hm_store *s, const char *name,
		    struct hm_err *e);

/**
 * volume_claim_first_use() - *@first is true if no container used @name
 * before; it is marked used either way (the image's content is copied in
 * on the first use only).
 */
int volume_claim_first_use(const struct hm_store *s, const char *name,
			   bool *first, struct hm_err *e);

/** volume_list() - the names of all volumes, sorted (strv, never NULL). */
char **volume_list(const struct hm_store *s);

/** volume_remove() - delete @name and its data (ENOENT kept in errnum). */
int volume_remove(const struct hm_store *s, const char *name, struct hm_err *e);

#endif
