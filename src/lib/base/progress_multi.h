/* SPDX-License-Identifier: MIT */
#ifndef HOMO_PROGRESS_MULTI_H
#define HOMO_PROGRESS_MULTI_H

/*
 * Progress of several items at once, one line each on stderr, as Docker
 * draws a pull's layers ("a3ed95caeb02: Downloading [==>   ]  1.2MB /
 * 4.5MB  2.1MB/s"): the block is redrawn in place (the cursor moved back up
 * over it) and left on the screen at the end. Enabled by the caller, which
 * passes isatty(2) && !quiet, so pipes and logs never see it. Not thread
 * safe: one thread (the one that waits) records and draws.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum progress_state {
	PROGRESS_WAITING,     /* "Waiting": queued behind other items */
	PROGRESS_DOWNLOADING, /* "Downloading" and a bar */
	PROGRESS_DOWNLOADED,  /* "Download complete": still being unpacked */
	PROGRESS_EXISTS,      /* "Already exists": nothing to do */
	PROGRESS_COMPLETE,    /* "Pull complete": unpacked and verified */
};

struct progress_row {
	char label[16]; /* "a3ed95caeb02" */
	enum progress_state state;
	uint64_t done, total; /* bytes; total 0 if unknown */
	uint64_t from;	      /* bytes it had when it began (a resume) */
	uint64_t start_ns;    /* when it left PROGRESS_WAITING */
};

struct hm_progress_multi {
	struct progress_row *rows;
	size_t n, cap;
	bool enabled;
	size_t drawn;	  /* lines on the screen, to move back up over */
	uint64_t last_ns; /* last draw */
	int columns;	  /* terminal width */
};

/**
 * progress_multi_init() - room for @cap rows; with @enabled false every
 * other call does nothing (and nothing is allocated).
 */
void progress_multi_init(struct hm_progress_multi *m, size_t cap, bool enabled);

/**
 * progress_multi_add() - a row labelled @label (cut to 15 characters), of
 * @total bytes, in @state. Return: its index; disabled or beyond the
 * capacity, no row is added, and the index returned names none (setting
 * it does nothing).
 */
size_t progress_multi_add(struct hm_progress_multi *m, const char *label,
			  uint64_t total, enum progress_state state);

/**
 * progress_multi_set() - row @i is in @state with @done bytes, of which it
 * had @from when it began (a resumed download: not counted in its rate).
 */
void progress_multi_set(struct hm_progress_multi *m, size_t i,
			enum progress_state state, uint64_t done,
			uint64_t from);

/**
 * progress_multi_draw() - draw the rows, over the ones drawn last; unless
 * @force, at most 10 times a second. The last line ends in a newline, so
 * what is printed next starts on a line of its own.
 */
void progress_multi_draw(struct hm_progress_multi *m, bool force);

/** progress_multi_free() - free the rows; the lines stay on the screen. */
void progress_multi_free(struct hm_progress_multi *m);

/**
 * progress_multi_format() - row @r as one line of at most @columns - 1
 * characters (the last column left empty, so no terminal wraps it) into
 * @buf of @n bytes, @rate bytes a second if it downloads.
 */
void progress_multi_format(char *buf, size_t n, int columns,
			   const struct progress_row *r, uint64_t rate);

#endif
