/* SPDX-License-Identifier: MIT */
#ifndef HOMO_COPY_INT_H
#define HOMO_COPY_INT_H

/* What copy.c (disk to disk) and copy_tar.c (tar streams) share. */
#include <sys/stat.h>

#include "base/idmap.h"
#include "runtime/copy.h"

#define COPY_MAX_DEPTH 200 /* two fds a level */

struct copy_ctx {
	const struct copy_opts *o;
	struct hm_idmap from; /* the source's user namespace map, or none */
	struct hm_idmap to;   /* the destination's, or none */
	struct hm_err *e;
};

/* the owner to give what is written, of a source entry owned by @st */
void copy_owner(const struct copy_ctx *c, const struct stat *st, uid_t *uid,
		gid_t *gid);
/* owners (shifted), mode and times of @st on @dfd/@name, not following */
int copy_meta_at(const struct copy_ctx *c, int dfd, const char *name,
		 const struct stat *st, uid_t uid, gid_t gid);
/* make room for a non-directory at @dfd/@name: unlink what is there,
 * refusing to replace a directory */
int copy_clear_at(const struct copy_ctx *c, int dfd, const char *name);

/**
 * copy_tar_out() - the entry @sfd (O_PATH) as a tar stream named @name on
 * @out_fd; copy_tar_in() - a tar stream from @in_fd into the directory
 * @dfd, each entry's path walked from there without following symlinks.
 */
int copy_tar_out(struct copy_ctx *c, int sfd, const char *name, int out_fd);
int copy_tar_in(struct copy_ctx *c, int in_fd, int dfd);

#endif
