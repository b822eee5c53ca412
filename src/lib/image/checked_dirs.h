/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CHECKED_DIRS_H
#define HOMO_CHECKED_DIRS_H

/*
 * Which entries of a layer being unpacked need archive.c's check_path()
 * (an openat2() that refuses symlinks on the way): one check for a run of
 * regular files in one directory, not one a file.
 *
 * A regular file (not a hard link) in the directory of the entry just
 * before it, itself a regular file that passed the check, needs none: only
 * that file was made between the two, and making a file in a directory
 * cannot change how the directory resolves (only the unpacking thread
 * writes into the fresh layer). Its own name may be a symlink made
 * earlier: libarchive lstat()s what is in the way of a file and removes
 * it, never following it. Any other entry (directory, symlink, hard link,
 * device, whiteout) ends the run and is checked whole.
 */

#include <stdbool.h>
#include <stddef.h>

struct checked_dirs {
	char *dir; /* the run's directory ("" for the top), if run */
	size_t cap;
	bool run;
};

/**
 * checked_dirs_skip() - whether entry @name, a regular file without a
 * hard link if @plain, needs no check (see above).
 */
bool checked_dirs_skip(const struct checked_dirs *c, const char *name,
		       bool plain);
/**
 * checked_dirs_note() - entry @name is being made: a regular file without a
 * hard link (@plain) that needed no check or passed it (@checked), or any
 * other entry.
 */
void checked_dirs_note(struct checked_dirs *c, const char *name, bool plain,
		       bool checked);
/** checked_dirs_free() - free what @c holds; it may be noted again. */
void checked_dirs_free(struct checked_dirs *c);

#endif
