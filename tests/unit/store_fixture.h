/* SPDX-License-Identifier: MIT */
/* A store in a test's temp dir, and empty layers in it (test_store.c,
 * test_fsck.c). */
#ifndef HOMO_STORE_FIXTURE_H
#define HOMO_STORE_FIXTURE_H

#include <sys/stat.h>

#include "unit.h"

#include "base/util.h"
#include "store/store.h"
#include "unit.h" /* cmocka's asserts, whatever the includer's order */

/* The store <dir>/root with its runroot <dir>/run. */
static inline struct hm_store fixture_store(const char *dir)
{
	struct hm_store s;
	struct hm_err e;
	char *root = xasprintf("%s/root", dir), *run = xasprintf("%s/run", dir);

	assert_int_equal(store_open(&s, root, run, &e), 0);
	free(root);
	free(run);
	return s;
}

/* An empty layer @id, committed as pull and commit do. */
static inline void fixture_layer(struct hm_store *s, const char *id)
{
	struct hm_err e;
	char *tmp = store_mktemp(s, "layers", &e);
	char *diff = xasprintf("%s/diff", tmp);

	assert_non_null(tmp);
	assert_int_equal(mkdir(diff, 0755), 0);
	assert_int_equal(store_layer_commit(s, tmp, id, NULL, &e), 0);
	free(diff);
	free(tmp);
}

#endif
