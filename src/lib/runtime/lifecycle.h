/* SPDX-License-Identifier: MIT */
#ifndef HOMO_LIFECYCLE_H
#define HOMO_LIFECYCLE_H

#include "base/error.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "store/store.h"

/*
 * What is done to a container after it started: signals, stop, wait,
 * start again, exec. Every pid is the one state.json recorded and is
 * checked against its start time first (a reused pid is never signalled).
 */

/** container_kill() - send @sig to the container's init (running only). */
int container_kill(struct hm_store *st, const char *id, int sig,
		   struct hm_err *e);

/**
 * container_stop() - SIGTERM, then SIGKILL after @timeout_s seconds (< 0:
 * never), and wait until its owner recorded the exit. No restart policy
 * restarts it.
 * A container that is not running is not an error (Docker).
 */
int container_stop(struct hm_store *st, const char *id, int timeout_s,
		   struct hm_err *e);

/**
 * container_wait() - block until the container is not running (its exit
 * recorded, or reconciled if its owner died); @out gets the final state,
 * also of a --rm container removed right after. A container removed before
 * the wait began: -1 with e->errnum ENOENT, "no such container".
 */
int container_wait(struct hm_store *st, const char *id, struct hm_state *out,
		   struct hm_err *e);

/*
 * container_keep_exit() - keep the exit code of the --rm container @id,
 * being removed, for container_kept_exit() (<root>/exits/<id>, 10 minutes;
 * older ones are dropped here, once a minute at most). Best effort: no
 * error.
 */
void container_keep_exit(struct hm_store *st, const char *id, int code);

/**
 * container_kept_exit() - the exit code of a removed --rm container by its
 * full @id (homo wait ID after the removal, as Docker's wait gets it).
 * Return: 0 with *@code, or -1 (none kept).
 */
int container_kept_exit(struct hm_store *st, const char *id, int *code);

/**
 * container_disown() - homo create: the container stays "created" with no
 * owner, until a start; not a start that died midway (container_check()
 * settles that as exited).
 */
int container_disown(struct hm_store *st, const char *id, struct hm_err *e);

/**
 * container_start_attached() - the same with a first attach client
 * (monitor_start_attached()), @client_fd taken over; a container already
 * running is left alone and @client_fd closed (the client sees EOF).
 */
int container_start_attached(struct hm_store *st, const char *id, int client_fd,
			     struct hm_err *e);

/** container_start_again() - homo start: a stopped container, detached. */
int container_start_again(struct hm_store *st, const char *id,
			  struct hm_err *e);

enum { BOOT_NONE, BOOT_STARTED, BOOT_REMOVED };

/**
 * container_boot() - what a machine's start owes the container (homo
 * system boot): reconcile it, remove it if it is an exited --rm one,
 * start it if its --restart policy says so at boot (always; unless-stopped
 * and on-failure unless the user stopped it; on-failure after a failed
 * exit). Idempotent: a running container is left alone. Return: BOOT_*
 * or -1.
 */
int container_boot(struct hm_store *st, const char *id, struct hm_err *e);

struct exec_opts {
	char **argv;
	char **env; /* KEY=VAL, over the container's */
	const char *workdir, *user;
	bool tty, interactive;
};

/**
 * container_exec() - run a process in the running container @id, wait for
 * it and set @exit_code (Docker's way). -1 with @e when it did not start.
 */
int container_exec(struct hm_store *st, const char *id,
		   const struct exec_opts *o, int *exit_code, struct hm_err *e);

#endif
