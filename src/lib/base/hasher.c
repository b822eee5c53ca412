/* SPDX-License-Identifier: MIT */
/*
 * A digest on a second thread, overlapped with the caller's own work
 * (hasher.h). Used by the unpacker, where hashing is a third of the work
 * for an uncompressed tar.
 */
#include "base/hasher.h"

#include <pthread.h>

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;

	for (;;) {
		while (sem_wait(&h->go) < 0)
			;
		if (h->stop)
			return NULL;
		digest_update(h->d, h->data, h->len);
		sem_post(&h->done);
	}
}

void hasher_start(struct hasher *h, struct hm_digest *d)
{
	h->d = d;
	if (sem_init(&h->go, 0, 0) < 0 || sem_init(&h->done, 0, 0) < 0)
		return;
	/* No thread, no overlap: hashing inline is still correct. */
	h->running = pthread_create(&h->tid, NULL, hasher_main, h) == 0;
}

/* Wait until the block last submitted is hashed and may be reused. */
void hasher_wait(struct hasher *h)
{
	if (!h->busy)
		return;
	while (sem_wait(&h->done) < 0)
		;
	h->busy = false;
}

void hasher_submit(struct hasher *h, const void *data, size_t len)
{
	if (!h->running) {
		digest_update(h->d, data, len);
		return;
	}
	h->data = data;
	h->len = len;
	h->busy = true;
	sem_post(&h->go);
}

void hasher_stop(struct hasher *h)
{
	if (!h->running)
		return;
	hasher_wait(h);
	h->stop = true;
	sem_post(&h->go);
	pthread_join(h->tid, NULL);
	sem_destroy(&h->go);
	sem_destroy(&h->done);
	h->running = false;
}
