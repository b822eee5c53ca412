/* SPDX-License-Identifier: MIT */
#ifndef HOMO_REG_MULTI_H
#define HOMO_REG_MULTI_H

/*
 * A pull's downloads on one thread: a curl multi handle runs every
 * transfer added to it at once, and keeps their connections to use again
 * (a layer that starts after another ended takes its connection). Each
 * transfer is a reg_xfer (registry.h), answered on a 401 as reg_get()
 * answers it; its sink and its end are called on this thread.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "image/registry.h"

struct reg_multi_task;

/*
 * A transfer's end, on the multi thread: @r is reg_xfer_end()'s 0 or -1
 * (@e set). It may add the task again (reg_multi_add()), with another
 * transfer in t->x.
 */
typedef void (*reg_multi_done_fn)(struct reg_multi_task *t, int r,
				  const struct hm_err *e);

struct reg_multi_task {
	struct reg_xfer *x; /* the caller's */
	reg_multi_done_fn done;
	struct reg_multi_task *next;   /* the queue's */
	struct reg_multi_task *active; /* the multi thread's list */
	void *easy;		       /* its handle, while in the list */
};

struct reg_multi {
	void *m; /* CURLM */
	pthread_t th;
	pthread_mutex_t mu;
	struct reg_multi_task *queue;  /* added, not yet in m */
	struct reg_multi_task *active; /* in m (the thread's own) */
	bool stop, started;
};

/** reg_multi_start() - the multi handle and its thread. Return: 0, or -1. */
int reg_multi_start(struct reg_multi *rm, struct hm_err *e);

/**
 * reg_multi_add() - start @t's transfer on the multi thread. Its done()
 * is called once it ended, whatever the end: a transfer to stop sooner is
 * cancelled through its connection's cancel flag.
 */
void reg_multi_add(struct reg_multi *rm, struct reg_multi_task *t);

/**
 * reg_multi_stop() - once every transfer added has ended (its done()
 * called): end the thread, free the handle. A no-op if never started.
 */
void reg_multi_stop(struct reg_multi *rm);

#endif
