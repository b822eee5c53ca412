/* SPDX-License-Identifier: MIT */
/* One path check a directory's run of files when unpacking: checked_dirs.h */
#include "image/checked_dirs.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* the length of @name's directory: "a/b/c" -> 3 ("a/b"), "c" -> 0 */
static size_t dir_len(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? (size_t)(slash - name) : 0;
}

bool checked_dirs_skip(const struct checked_dirs *c, const char *name,
		       bool plain)
{
	size_t len = dir_len(name);

	return plain && c->run && strlen(c->dir) == len &&
	       !memcmp(c->dir, name, len);
}

void checked_dirs_note(struct checked_dirs *c, const char *name, bool plain,
		       bool checked)
{
	size_t len = dir_len(name);

	c->run = plain && checked;
	if (!c->run)
		return;
	if (len + 1 > c->cap) {
		c->cap = len + 64;
		c->dir = xrealloc(c->dir, c->cap);
	}
	memcpy(c->dir, name, len);
	c->dir[len] = '\0';
}

void checked_dirs_free(struct checked_dirs *c)
{
	free(c->dir);
	*c = (struct checked_dirs){0};
}
