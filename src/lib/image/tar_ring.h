/* SPDX-License-Identifier: MIT */
#ifndef HOMO_TAR_RING_H
#define HOMO_TAR_RING_H

/*
 * sha256 of layer_tar's stream on a second thread, fed through a small
 * ring of buffers. A file's data is read straight into the ring's current
 * buffer (ring_space()), at the place it takes in the tar stream: the copy
 * is written from there, and when libarchive hands the same bytes back,
 * ring_feed() only counts them. Read into a buffer of its own, the data
 * took one copy more (into the ring): a quarter of a commit's time on
 * tmpfs.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/digest.h"

#define RING_SLOTS 4

struct ring {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hm_digest *d;
	unsigned char *slot[RING_SLOTS];
	size_t len[RING_SLOTS];
	unsigned head, tail; /* published, hashed */
	size_t fill;	     /* bytes in slot[head % RING_SLOTS] */
	bool stop, running;
};

/** ring_start() - hash into @d from now on (inline if no thread). */
void ring_start(struct ring *r, struct hm_digest *d);
/**
 * ring_space() - where the stream's next bytes go, and how many fit
 * (*@room): read there, then ring_feed() the same bytes.
 */
unsigned char *ring_space(struct ring *r, size_t *room);
/** ring_feed() - the next @len bytes of the stream. */
void ring_feed(struct ring *r, const unsigned char *p, size_t len);
/** ring_stop() - hash what is left, end the thread, free the buffers. */
void ring_stop(struct ring *r);

#endif
