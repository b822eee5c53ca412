/* SPDX-License-Identifier: MIT */
#ifndef HOMO_FDWALK_H
#define HOMO_FDWALK_H

/*
 * A depth-first walk of a directory tree of any depth and path length.
 * Every name is reached relative to its directory's fd (a path stops at
 * PATH_MAX), the stack is on the heap (recursion stops at the end of the
 * thread's stack), and at most FDWALK_FDS directories are open at once
 * (one fd a level stops at RLIMIT_NOFILE). A directory whose fd was closed
 * to keep that bound is opened again through its child's "..", and must
 * be the same inode it was, or the walk fails: the tree moved meanwhile.
 *
 * A second tree built in step with the first (a copy) can come along:
 * each level keeps a second fd, handled the same way (fdwalk_enter()).
 *
 *	while ((ev = fdwalk_next(&w, e)) > 0)
 *		ENTRY: w.dfd/w.name is an entry; for a directory to walk,
 *		       fdwalk_enter() its fd: its entries come next, then
 *		POST:  w.dfd/w.name is that directory again, done.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define FDWALK_FDS 32 /* levels whose fds stay open, below the root */

enum fdwalk_event {
	FDWALK_END,   /* the tree is done */
	FDWALK_ENTRY, /* a name in the current directory */
	FDWALK_POST,  /* a directory entered with fdwalk_enter(), after all
			 its entries */
};

struct fdwalk_level;

struct fdwalk {
	/* set by fdwalk_next(): */
	int dfd;	  /* the directory holding name */
	int aux;	  /* its twin in the second tree, or -1 */
	const char *name; /* the entry */
	char *path;	  /* its path from the root ("a/b/c") */
	/* private */
	struct fdwalk_level *lv;
	size_t depth, cap, path_cap;
	bool sorted;
};

/**
 * fdwalk_open() - start a walk of the directory @root.
 * @root: an fd of the directory (owned by the walk from now on, even on
 *	  failure); its entries are the first events.
 * @aux: the second tree's root fd (owned likewise), or -1.
 * @sorted: entries in bytewise order (else in readdir order).
 * fdwalk_close() ends the walk whatever this returns.
 */
int fdwalk_open(struct fdwalk *w, int root, int aux, bool sorted,
		struct hm_err *e);

/** fdwalk_next() - the next event (enum fdwalk_event), or -1 with @e set. */
int fdwalk_next(struct fdwalk *w, struct hm_err *e);

/**
 * fdwalk_enter() - walk the directory of the last FDWALK_ENTRY.
 * @fd: the directory, opened by the caller relative to w->dfd with
 *	O_NOFOLLOW (owned by the walk from now on, even on failure).
 * @aux: its twin in the second tree (owned likewise), or -1.
 */
int fdwalk_enter(struct fdwalk *w, int fd, int aux, struct hm_err *e);

/**
 * fdwalk_openat() - openat(2) for the walk's own directories: short of
 * fds, it closes levels of the walk it can reopen later and tries again,
 * so a walk works under any ulimit -n that leaves it a handful.
 */
int fdwalk_openat(struct fdwalk *w, int dfd, const char *name, int flags);

/** fdwalk_close() - free the walk (at any point) and close its fds. */
void fdwalk_close(struct fdwalk *w);

/**
 * fdwalk_open_parent() - the directory holding @rel beneath the directory
 * @root, reached one component at a time without following a symlink, so
 * at any path length. *@base points at @rel's last component.
 * Return: an O_PATH fd, or -1 with @e set.
 */
int fdwalk_open_parent(int root, const char *rel, const char **base,
		       struct hm_err *e);

#endif
