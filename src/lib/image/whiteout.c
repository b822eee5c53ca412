/* SPDX-License-Identifier: MIT */
/*
 * OCI whiteouts into a layer being unpacked (whiteout.h): written by hand,
 * not by libarchive, so each directory on the way is opened without
 * following a symlink.
 */
#include "image/whiteout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/rootless.h"
#include "base/util.h"

#define OVL_OPAQUE hm_ovl_opaque() /* trusted., or user. rootless */

/*
 * Open directory @rel below the cwd (dest_dir), creating missing parts,
 * refusing to follow a symlink anywhere on the way: a whiteout is written
 * by hand, without libarchive's SECURE_SYMLINKS, so this is that check.
 */
static int open_dir_beneath(const char *rel, const char *entry,
			    struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(rel);
	cleanup_close int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *save = NULL;

	if (dfd < 0)
		return hm_fail(e, errno, "unpack: open layer directory");
	for (char *c = strtok_r(copy, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		int nfd;

		if (strcmp(c, ".") == 0)
			continue;
		if (mkdirat(dfd, c, 0755) < 0 && errno != EEXIST)
			return hm_fail(e, errno,
				       "unpack: entry \"%s\": mkdir \"%s\"",
				       entry, c);
		nfd = openat(dfd, c,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR))
			return hm_failx(e, HM_EXIT_FAIL,
					"unpack: entry \"%s\": \"%s\" is a "
					"symlink or not a directory",
					entry, c);
		if (nfd < 0)
			return hm_fail(e, errno,
				       "unpack: entry \"%s\": open \"%s\"",
				       entry, c);
		close(dfd);
		dfd = nfd;
	}
	return steal_fd(&dfd);
}

/*
 * OCI whiteouts to overlayfs ones (see the OCI image spec, layer.md):
 * ".wh..wh..opq" marks its directory opaque, ".wh.NAME" hides NAME below
 * and becomes a 0/0 character device. Other ".wh..wh." names are aufs
 * bookkeeping with no meaning here, as Docker and containerd skip them.
 */
int whiteout_apply(const char *name, const char *base, mode_t perm, uid_t uid,
		   gid_t gid, struct hm_err *e)
{
	cleanup_free char *dir = xstrdup(name);
	cleanup_close int dfd = -1;
	const char *hidden = base + strlen(WHITEOUT_PREFIX);
	mode_t mode = S_IFCHR | (perm & 0777);

	if (strcmp(base, WHITEOUT_OPAQUE) != 0 &&
	    util_has_prefix(base, WHITEOUT_META))
		return 0;
	if (!*hidden)
		return hm_failx(e, HM_EXIT_FAIL,
				"unpack: entry \"%s\": whiteout without a name",
				name);
	/* ".wh.." and ".wh..." would hide the directory or its parent */
	if (strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"unpack: entry \"%s\": whiteout of \"%s\"",
				name, hidden);
	dir[base - name] = '\0';
	dfd = open_dir_beneath(*dir ? dir : ".", name, e);
	if (dfd < 0)
		return -1;
	if (strcmp(base, WHITEOUT_OPAQUE) == 0) {
		if (fsetxattr(dfd, OVL_OPAQUE, "y", 1, 0) < 0)
			return hm_fail(e, errno, "unpack: entry \"%s\": set %s",
				       name, OVL_OPAQUE);
		return 0;
	}
	/* OCI: a whiteout hides lower layers only, never its own layer. */
	if (mknodat(dfd, hidden, mode, makedev(0, 0)) < 0) {
		if (errno == EEXIST)
			return hm_failx(e, HM_EXIT_FAIL,
					"unpack: entry \"%s\": whiteout for a "
					"name this archive also contains",
					name);
		return hm_fail(e, errno, "unpack: entry \"%s\": mknod", name);
	}
	if (fchownat(dfd, hidden, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(e, errno, "unpack: entry \"%s\": chown", name);
	return 0;
}
