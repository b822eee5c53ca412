/* SPDX-License-Identifier: MIT */
#ifndef HOMO_COPY_H
#define HOMO_COPY_H

/*
 * homo cp and homo diff: a container's files, read and written from the
 * host through its root with every path resolved inside it.
 *
 * The root is the running container's own (/proc/PID/root: its volumes
 * included), or, for a stopped one, its overlay made as a detached mount
 * that only an fd of ours holds (nothing to unmount, nothing to leak).
 * A path in the container is opened with openat2(RESOLVE_IN_ROOT), and
 * every entry below it relative to its directory with O_NOFOLLOW; what is
 * created there is created with O_EXCL (a symlink the container puts in
 * its place meanwhile fails the copy instead of redirecting it).
 */
#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

struct copy_opts {
	bool archive; /* -a: keep owners (default: root's, as Docker) */
	bool follow;  /* -L: follow a symlink that the source is */
};

/**
 * copy_from_container() - homo cp CTR:SRC DEST, Docker's rules: a file to
 * a file or into a directory, a directory into a directory (its contents
 * with "SRC/."), or as DEST if that does not exist.
 * @dest: a host path, or NULL for a tar stream on @out_fd.
 */
int copy_from_container(struct hm_store *st, const char *ref, const char *src,
			const char *dest, int out_fd, const struct copy_opts *o,
			struct hm_err *e);

/**
 * copy_to_container() - homo cp SRC CTR:DEST, the same rules.
 * @src: a host path, or NULL for a tar stream read from @in_fd, unpacked
 *	 into the directory DEST.
 */
int copy_to_container(struct hm_store *st, const char *ref, const char *src,
		      const char *dest, int in_fd, const struct copy_opts *o,
		      struct hm_err *e);

/* homo diff: @fn with 'A', 'C' or 'D' and each path ("/etc/x"), in order */
typedef void (*diff_fn)(char kind, const char *path, void *arg);
int container_diff(struct hm_store *st, const char *ref, diff_fn fn, void *arg,
		   struct hm_err *e);

#endif
