/* SPDX-License-Identifier: MIT */
#ifndef HOMO_STATE_H
#define HOMO_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * A container's state.json: what happened to it, checked rather than
 * trusted (a "running" pid is compared with its start time).
 */
enum hm_status {
	ST_CREATED,
	ST_RUNNING,
	ST_EXITED,
};

struct hm_state {
	enum hm_status status;
	pid_t pid;		      /* init's pid on the host */
	unsigned long long starttime; /* of that pid, /proc/PID/stat */
	int exit_code;
	bool oom_killed;
	char created[40], started[40], finished[40];
	pid_t owner;			/* the homo that runs it */
	unsigned long long owner_start; /* and that homo's start time */
	int restart_count;		/* restarts by the --restart policy */
	bool user_stopped; /* its last exit was asked for (homo stop, rm -f):
			    * unless-stopped keeps it down at boot */
	char error[1024];  /* why it failed to start, if it did */
};

const char *state_status_name(enum hm_status s);

/** state_load() - read @dir/state.json. */
int state_load(const char *dir, struct hm_state *st, struct hm_err *e);

/**
 * state_save() - write @dir/state.json by temp name and rename. Not
 * fsync'd: losing a state update to a power cut is reconciled like a
 * killed homo, and an fsync per container start would double its cost.
 */
int state_save(const char *dir, const struct hm_state *st, struct hm_err *e);

/**
 * state_save_new() - the first state.json, in a container's directory still
 * under its temp name (its rename is the atomic step): no rename of its own.
 */
int state_save_new(const char *dir, const struct hm_state *st,
		   struct hm_err *e);

/**
 * state_record_exit() - mark @st exited with @code and @why (NULL: none)
 * now, and save it in @dir. On failure (a full disk) @st holds what to
 * save again.
 */
int state_record_exit(const char *dir, struct hm_state *st, int code,
		      const char *why, struct hm_err *e);

/**
 * state_is_alive() - is st->pid still the process that was started? A
 * reused pid has another start time.
 */
bool state_is_alive(const struct hm_state *st);

/** state_owner_alive() - is the homo that created/runs it still there? */
bool state_owner_alive(const struct hm_state *st);

/**
 * state_kill_init() - SIGKILL st->pid through a pidfd if it is still the
 * container's init (no pid-reuse window between check and kill), and wait
 * up to @ms for it to be gone.
 */
void state_kill_init(const struct hm_state *st, int ms);

#endif
