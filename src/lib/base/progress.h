/* SPDX-License-Identifier: MIT */
#ifndef HOMO_PROGRESS_H
#define HOMO_PROGRESS_H

/*
 * A one-line progress report on stderr for long work (download, unpack).
 * The only library code that prints: it is enabled by the caller, which
 * passes isatty(2) && !quiet, so pipes and logs never see it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hm_progress {
	const char *label; /* not copied: must outlive the progress */
	uint64_t total;	   /* bytes expected, 0 if unknown */
	uint64_t done;	   /* bytes so far */
	bool enabled;
	bool drawn;	   /* a line is on the screen and must be cleared */
	uint64_t start_ns; /* CLOCK_MONOTONIC */
	uint64_t last_ns;  /* last redraw */
	int columns;	   /* terminal width */
};

/**
 * progress_init() - start a progress report.
 * @p: the report to set up (caller-owned, usually on the stack).
 * @label: short name shown first ("download", "unpack").
 * @total: bytes expected, or 0 when unknown (no bar is drawn then).
 * @enabled: draw at all; when false every other call does nothing.
 *
 * Nothing is drawn until the first progress_update(). A caller that learns
 * the total later may assign @p->total before the next update.
 */
void progress_init(struct hm_progress *p, const char *label, uint64_t total,
		   bool enabled);

/**
 * progress_update() - record @done bytes and redraw at most 10 times a second
 * as "label [=====>    ]  12.3MB / 45.6MB  3.4MB/s".
 */
void progress_update(struct hm_progress *p, uint64_t done);

/**
 * progress_bar() - " [=====>    ]" with @w columns inside the brackets,
 * @done of @total (non-zero) filled, into @bar (at least @w + 4 bytes).
 */
void progress_bar(char *bar, size_t w, uint64_t done, uint64_t total);

/** progress_finish() - clear the line if one was drawn. Safe to repeat. */
void progress_finish(struct hm_progress *p);

#endif
