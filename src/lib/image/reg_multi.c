/* SPDX-License-Identifier: MIT */
/*
 * The download thread (reg_multi.h): takes the transfers added, runs the
 * multi handle, and hands each finished transfer to reg_xfer_end(), which
 * may ask for another attempt (a 401 answered), and then to its done().
 */
#include "image/reg_multi.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/util.h"

/* The multi handle wakes to check cancel flags at least this often. */
#define POLL_MS 1000

static void task_start(struct reg_multi *rm, struct reg_multi_task *t)
{
	CURL *easy = reg_xfer_arm(t->x);
	struct hm_err e = {0};

	if (easy) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
		if (curl_multi_add_handle(rm->m, easy) == CURLM_OK) {
			t->easy = easy;
			t->active = rm->active;
			rm->active = t;
			return;
		}
	}
	/* no memory for it: ended at once, as curl would end it */
	t->done(t, reg_xfer_end(t->x, CURLE_OUT_OF_MEMORY, &e), &e);
}

/* @t's handle out of the multi handle, @t out of the list. */
static void task_remove(struct reg_multi *rm, struct reg_multi_task *t)
{
	struct reg_multi_task **p = &rm->active;

	curl_multi_remove_handle(rm->m, t->easy);
	t->easy = NULL;
	while (*p != t)
		p = &(*p)->active;
	*p = t->active;
}

/*
 * The multi handle itself failed (no memory, a poll(2) that failed):
 * every transfer in it ends with that error, as a broken connection
 * would (its partial blob kept to resume).
 */
static void fail_all(struct reg_multi *rm, CURLMcode mc)
{
	while (rm->active) {
		struct reg_multi_task *t = rm->active;
		struct hm_err e = {0};

		task_remove(rm, t);
		hm_failx(&e, HM_EXIT_FAIL, "%s: download: %s",
			 reg_xfer_what(t->x), curl_multi_strerror(mc));
		e.errnum = EIO;
		t->done(t, -1, &e);
	}
}

/* The transfers curl ended: out of the handle, then to their owners. */
static void reap(struct reg_multi *rm)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(rm->m, &left))) {
		CURL *easy = msg->easy_handle;
		CURLcode rc = msg->data.result;
		struct reg_multi_task *t = NULL;
		struct hm_err e = {0};
		int r;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
		task_remove(rm, t);
		r = reg_xfer_end(t->x, (int)rc, &e);
		if (r == 1)
			task_start(rm, t); /* authorized: once more */
		else
			t->done(t, r, &e);
	}
}

static void *loop(void *arg)
{
	struct reg_multi *rm = arg;

	for (;;) {
		struct reg_multi_task *q;
		CURLMcode mc;
		bool stop;
		int running;

		pthread_mutex_lock(&rm->mu);
		q = rm->queue;
		rm->queue = NULL;
		stop = rm->stop;
		pthread_mutex_unlock(&rm->mu);
		while (q) {
			struct reg_multi_task *t = q;

			q = q->next;
			task_start(rm, t);
		}
		if (stop && !rm->active)
			break;
		mc = curl_multi_perform(rm->m, &running);
		if (mc == CURLM_OK) {
			reap(rm);
			mc = curl_multi_poll(rm->m, NULL, 0, POLL_MS, NULL);
		}
		if (rm->active && FAULT_ONCE("registry-multi-fails"))
			mc = CURLM_OUT_OF_MEMORY;
		if (mc != CURLM_OK) {
			fail_all(rm, mc);
			usleep(POLL_MS * 100); /* not a busy loop if it lasts */
		}
	}
	return NULL;
}

int reg_multi_start(struct reg_multi *rm, struct hm_err *e)
{
	memset(rm, 0, sizeof(*rm));
	rm->m = curl_multi_init();
	if (!rm->m)
		return hm_failx(e, HM_EXIT_FAIL, "curl_multi_init: no memory");
	pthread_mutex_init(&rm->mu, NULL);
	if ((errno = pthread_create(&rm->th, NULL, loop, rm))) {
		pthread_mutex_destroy(&rm->mu);
		curl_multi_cleanup(rm->m);
		rm->m = NULL;
		return hm_fail(e, errno, "pthread_create");
	}
	rm->started = true;
	return 0;
}

void reg_multi_add(struct reg_multi *rm, struct reg_multi_task *t)
{
	struct reg_multi_task **tail;

	pthread_mutex_lock(&rm->mu);
	t->next = NULL;
	for (tail = &rm->queue; *tail; tail = &(*tail)->next)
		;
	*tail = t;
	pthread_mutex_unlock(&rm->mu);
	curl_multi_wakeup(rm->m);
}

void reg_multi_stop(struct reg_multi *rm)
{
	if (!rm->started)
		return;
	pthread_mutex_lock(&rm->mu);
	rm->stop = true;
	pthread_mutex_unlock(&rm->mu);
	curl_multi_wakeup(rm->m);
	pthread_join(rm->th, NULL);
	curl_multi_cleanup(rm->m);
	pthread_mutex_destroy(&rm->mu);
	rm->started = false;
}
