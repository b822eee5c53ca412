/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CONTAINER_H
#define HOMO_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"
#include "runtime/spec.h"
#include "runtime/state.h"
#include "store/store.h"

/** container_dir() - malloc'd containers/<id> path. */
char *container_dir(const struct hm_store *st, const char *id);

/**
 * container_create() - resolve the image, give the container an id and a
 * unique name, and make containers/<id>/ (upper/, work/, config.json,
 * state.json, hostname, hosts, resolv.conf) under a temp name, renamed
 * into place when complete.
 */
int container_create(struct hm_store *st, struct hm_spec *s, struct hm_err *e);

/**
 * container_run() - start the container and, unless it fails to start,
 * wait for it: signals are forwarded, a tty is relayed. Tears everything
 * down afterwards and removes the container with --rm.
 * @exit_code: the container's status mapped Docker's way (128+N).
 * Return: 0, or -1 with @e set when it could not start (126/127/125).
 */
int container_run(struct hm_store *st, struct hm_spec *s, int *exit_code,
		  struct hm_err *e);

struct hm_proc;

/**
 * container_start() - set up and start the container (cgroups, spawn) and
 * mark it running, owned by the calling process. @stdio: fds for the
 * init's 0, 1, 2 (-1: inherit ours), NULL for all inherited. On failure
 * the state records why and everything is torn down.
 */
int container_start(struct hm_store *st, const struct hm_spec *s,
		    const int stdio[3], struct hm_proc *p, struct hm_err *e);

/**
 * container_stopped() - record the exit (wait @status as Docker's exit
 * code, OOM flag, finish time, @restarts, whether a stop asked for it) in
 * *@state and state.json, and tear down. Return: -1 when state.json could
 * not be written (a full disk): *@state is what to save again.
 */
int container_stopped(struct hm_store *st, const struct hm_spec *s, int status,
		      int restarts, struct hm_state *state, struct hm_err *e);

/**
 * container_stop_marker() - containers/<id>/stop: homo stop or rm -f asks
 * for the exit, so no --restart policy may undo it. A symlink to
 * "<pid>:<start time>" of the asking homo: it counts only while that homo
 * lives (container_stop_requested()), so a stop killed midway leaves no
 * policy switched off. The fact that a stop happened goes into
 * state.json (user_stopped).
 */
char *container_stop_marker(const struct hm_store *st, const char *id);

/** container_mark_stop() - make the marker, ours, over a dead maker's. */
void container_mark_stop(const struct hm_store *st, const char *id);

/** container_unmark_stop() - remove the marker if it is ours. */
void container_unmark_stop(const struct hm_store *st, const char *id);

/** container_stop_requested() - is there a marker whose maker lives? */
bool container_stop_requested(const struct hm_store *st, const char *id);

/** container_is_id() - whether @s has the form of a container id (64 hex). */
bool container_is_id(const char *s);

/**
 * container_claim_name() - names/@name -> @id, claimed atomically by
 * symlink(2); a name left by a container that no longer exists is taken
 * over. *@taken says another container has it; any other failure
 * (ENOTDIR, ENOSPC, EROFS) is one no other name can mend.
 * Return: 0, or -1 with @e set.
 */
int container_claim_name(const struct hm_store *st, const char *name,
			 const char *id, bool *taken, struct hm_err *e);

/**
 * container_find() - by full id, unique id prefix or name.
 * @id: receives the full id.
 */
int container_find(const struct hm_store *st, const char *ref, char id[65],
		   struct hm_err *e);

/**
 * container_check() - load the state and reconcile it with the truth: a
 * "running" container whose init is gone (or whose pid now belongs to
 * another process) becomes exited and is torn down.
 */
int container_check(struct hm_store *st, const char *id, struct hm_state *out,
		    struct hm_err *e);

/** container_idle() - created by homo create, never started since. */
bool container_idle(const struct hm_state *state);

/**
 * container_settle() - after an exit was recorded, give its monitor a
 * moment (up to a second) to finish; one still alive then is restarting.
 */
int container_settle(struct hm_store *st, const char *id,
		     struct hm_state *state, struct hm_err *e);

/**
 * container_teardown() - undo a run from the id alone: kill what is left
 * in its cgroups, remove them and its runtime dir. Idempotent; anything
 * already gone is success.
 */
int container_teardown(const struct hm_store *st, const char *id,
		       struct hm_err *e);

/** container_remove() - delete a stopped container (or kill it: @force). */
/* ... and with @volumes its anonymous volumes too (rm -v); --rm's always */
int container_remove_v(struct hm_store *st, const char *id, bool force,
		       bool volumes, struct hm_err *e);
int container_remove(struct hm_store *st, const char *id, bool force,
		     struct hm_err *e);

/** container_list() - ids of all containers (strv, sorted by creation). */
char **container_list(const struct hm_store *st);

/**
 * container_pinned_layers() - a store_pins_fn: the layers of every
 * container, so store_gc_layers() leaves them. @arg is unused.
 */
int container_pinned_layers(const struct hm_store *st, void *arg, char ***ids,
			    struct hm_err *e);

/**
 * container_image_user() - the id (malloc'd) of a container created from
 * image @image_id, or NULL if none is.
 */
char *container_image_user(const struct hm_store *st, const char *image_id);

/** container_load_spec() - read config.json of @id. */
int container_load_spec(const struct hm_store *st, const char *id,
			struct hm_spec *s, struct hm_err *e);

#endif
