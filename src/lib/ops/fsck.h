/* SPDX-License-Identifier: MIT */
#ifndef HOMO_FSCK_H
#define HOMO_FSCK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "store/store.h"

/*
 * "homo system check": the store's consistency, checked under the store
 * lock, and with @repair mended. What a killed or failed homo can leave
 * behind, and what a damaged disk can:
 *
 *   temp names of dead processes, or of a reused pid (store_find_debris())
 *   containers: unreadable config.json (moved aside to broken/), unreadable
 *     state.json (reset to exited), "running" or "created" with their homo
 *     gone (settled as exited by container_check()), a layer missing (not
 *     repairable: homo rm it), their name not registered, a security
 *     field missing from config.json (run with its safe value; repair
 *     writes it)
 *   names/<name> of containers that no longer exist
 *   layers without diff/, short links l/<short> missing or dangling
 *   image records: unreadable (moved aside to broken/), naming a missing
 *     layer (removed), empty name directories
 *   orphan layers: no image and no container uses them
 *   runtime dirs and cgroups of containers that are not running
 *   address reservations whose holder died without its teardown
 *     (released), two reservations of one address (reported)
 */

/** typedef fsck_report_fn - one finding, a line without its newline. */
typedef void (*fsck_report_fn)(const char *line, void *arg);

struct fsck_result {
	size_t found;	 /* problems seen */
	size_t repaired; /* of those, mended (only with repair) */
};

/**
 * fsck_run() - check (and with @repair mend) the store.
 * @report: called with each finding, as "OBJECT: PROBLEM", with repair
 * followed by ": ACTION" or ": not repaired: WHY".
 *
 * Without @repair nothing is written: not even the debris sweep that
 * store_lock() does. Return: 0 with @res filled, or -1 with @e set when
 * the check itself could not run (the lock, an unreadable directory).
 */
int fsck_run(struct hm_store *s, bool repair, fsck_report_fn report, void *arg,
	     struct fsck_result *res, struct hm_err *e);

#endif
