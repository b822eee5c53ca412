/* SPDX-License-Identifier: MIT */
#ifndef HOMO_HASHER_H
#define HOMO_HASHER_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/digest.h"

/*
 * A digest updated on a second thread, overlapped with the caller's work.
 * The thread hashes the block the caller submitted while the caller works
 * on it; the caller reuses the buffer only after hasher_wait(), so no copy
 * is needed.
 */
struct hasher {
	pthread_t tid;
	sem_t go, done;
	struct hm_digest *d;
	const void *data;
	size_t len;
	bool running, busy, stop;
};

/** hasher_start() - hash into @d from now on (inline if no thread). */
void hasher_start(struct hasher *h, struct hm_digest *d);
/** hasher_submit() - hash @data; it must stay as it is until hasher_wait(). */
void hasher_submit(struct hasher *h, const void *data, size_t len);
/** hasher_wait() - until the block last submitted is hashed. */
void hasher_wait(struct hasher *h);
/** hasher_stop() - wait, then end the thread; @d holds every block. */
void hasher_stop(struct hasher *h);

#endif
