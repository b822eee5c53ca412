/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CONTROL_H
#define HOMO_CONTROL_H

#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

struct hm_spec;

/*
 * pause, unpause, rename: what is done to a container's record and
 * cgroups without starting or stopping it.
 *
 * A paused container is frozen (cgroup_freeze()) and has the marker
 * <runroot>/<id>/paused: in the runtime dir, so it can never outlive the
 * run it describes (teardown removes the dir; a reboot empties it).
 * Pause, unpause and the freeze of commit/export serialise on a flock of
 * containers/<id>/ (container_lock()).
 */

/** container_lock() - flock containers/<id>/; the fd, or -1 with @e. */
int container_lock(const struct hm_store *st, const char *id, struct hm_err *e);

/** container_paused() - does the running container @id have the marker? */
bool container_paused(const struct hm_store *st, const char *id);

/**
 * container_pause() - freeze a running container and mark it paused.
 * Refused when it is not running or already paused (Docker).
 */
int container_pause(struct hm_store *st, const char *id, struct hm_err *e);

/** container_unpause() - thaw it and drop the marker; refused unless paused. */
int container_unpause(struct hm_store *st, const char *id, struct hm_err *e);

/**
 * container_thaw_paused() - before a stop, kill or rm -f: a frozen process
 * cannot act on (v1: even receive) its signal, so thaw first, as Docker.
 * No-op unless paused.
 */
void container_thaw_paused(struct hm_store *st, const char *id);

/** container_valid_name() - Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]*, < 128. */
bool container_valid_name(const char *name);

/**
 * container_rename() - give container @id the name @name: claimed under
 * the store lock by symlink(2) (a taken name is refused), config.json
 * rewritten by rename(2), then the old name released.
 */
int container_rename(struct hm_store *st, const char *id, const char *name,
		     struct hm_err *e);

/**
 * container_event() - log container event @action for @id with its name
 * and image, and @key=@val if @key (exitCode for die, signal for kill).
 */
void container_event(const struct hm_store *st, const char *id,
		     const char *action, const char *key, const char *val);

/**
 * container_event_of() - container_event() by the spec @s the caller has
 * (NULL: no name or image), without reading it again from the store.
 */
void container_event_of(const struct hm_store *st, const char *id,
			const struct hm_spec *s, const char *action,
			const char *key, const char *val);

#endif
