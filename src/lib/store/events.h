/* SPDX-License-Identifier: MIT */
#ifndef HOMO_EVENTS_H
#define HOMO_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

/*
 * The event log, <root>/events.log: one JSON object a line, in Docker's
 * shape ({"Type","Action","Actor":{"ID","Attributes"},"time","timeNano"}),
 * appended by whichever homo process causes the event (there is no
 * daemon): one write(2) on an O_APPEND fd, so records from concurrent
 * writers never interleave. Bounded: past EVENTS_MAX_BYTES the log is
 * renamed to events.log.1 (the one before is dropped) under a flock of the
 * log, so two writers never both rotate.
 */
#define EVENTS_MAX_BYTES (1024 * 1024)

/**
 * event_log() - append one event. @attrs: "key", "value" pairs, NULL
 * ended (NULL for none). Never fails the caller's operation: an event that
 * cannot be written is a warning.
 */
void event_log(const struct hm_store *s, const char *type, const char *action,
	       const char *id, const char *const *attrs);

/**
 * events_parse_time() - Docker's --since/--until value: a Unix time
 * ("1700000000", "1700000000.5"), an RFC 3339 time, or a duration before
 * @now_ns ("10m", "1h30m", "90s"). *@ns: nanoseconds since the epoch.
 */
int events_parse_time(const char *s, int64_t now_ns, int64_t *ns,
		      struct hm_err *e);

/** events_filter_ok() - is @f a filter events_match() knows (KEY=VALUE)? */
bool events_filter_ok(const char *f);

/**
 * events_match() - Docker's --filter: the same key ORs, different keys
 * AND. Keys: type, event, container, image (an id prefix or the name
 * attribute).
 */
bool events_match(json_t *ev, char *const *filters);

/* Called for each record; return -1 to stop (events_read() returns -1). */
typedef int (*events_fn)(json_t *ev, void *arg);

/**
 * events_read() - the records with @since_ns <= time <= @until_ns (0 =
 * no bound) in order, from both files; with @follow, then the new ones as
 * they are appended (through rotations) until @until_ns passes or @fn
 * returns -1.
 */
int events_read(const struct hm_store *s, int64_t since_ns, int64_t until_ns,
		bool follow, events_fn fn, void *arg, struct hm_err *e);

#endif
