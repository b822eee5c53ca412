/* SPDX-License-Identifier: MIT */
/*
 * One registry blob (blob_fetch.h): its transfer, on the pull's download
 * thread (reg_multi.h), appends to the partial file; a pump thread sends
 * what has landed to a socket the unpack reads. A condition variable tells
 * the pump of new bytes, and blob_fetch_end() of the transfer's end.
 */
#include "image/blob_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/util.h"

#define PUMP_CHUNK (128 << 10)

void blob_fetch_init(struct blob_fetch *b, const struct reg_conn *c,
		     const char *blob_dir, const char *hex, uint64_t size,
		     const char *what)
{
	memset(b, 0, sizeof(*b));
	reg_conn_dup(&b->conn, c);
	b->conn.cancel = &b->abort; /* a stalled download stops too */
	b->path = xasprintf("/v2/%s/blobs/sha256:%s", c->repo, hex);
	b->partial = xasprintf("%s/partial-%s", blob_dir, hex);
	b->final = xasprintf("%s/%s", blob_dir, hex);
	b->what = what;
	b->size = size;
	b->fd = -1;
	b->sock[0] = b->sock[1] = -1;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
}

static int feed_sink(void *arg, const void *buf, size_t len)
{
	struct blob_fetch *b = arg;
	const char *p = buf;
	uint64_t at;

	pthread_mutex_lock(&b->mu);
	at = b->have;
	if (b->abort) {
		pthread_mutex_unlock(&b->mu);
		errno = ECANCELED;
		return -1;
	}
	pthread_mutex_unlock(&b->mu);
	if (at + len > b->size) {
		errno = EFBIG; /* more than the manifest said: stop here */
		return -1;
	}
	for (size_t done = 0; done < len;) {
		ssize_t w =
		    pwrite(b->fd, p + done, len - done, (off_t)(at + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		done += (size_t)w;
	}
	pthread_mutex_lock(&b->mu);
	b->have = at + len;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	FAULT_POINT("registry-mid-blob");
	return 0;
}

static struct reg_xfer *xfer_from(struct blob_fetch *b, uint64_t from)
{
	return reg_xfer_new(&b->conn, b->path, (long long)from, feed_sink, b,
			    &b->resp, b->what);
}

/* The download ended (@rc: 0, or -1 with b->e set): tell the pump. */
static void fed(struct blob_fetch *b, int rc)
{
	pthread_mutex_lock(&b->mu);
	if (rc == 0 && b->have != b->size)
		rc = hm_failx(&b->e, HM_EXIT_FAIL,
			      "%s: truncated: %llu of %llu bytes", b->what,
			      (unsigned long long)b->have,
			      (unsigned long long)b->size);
	b->rc = rc;
	/* curl's own transfer errors (EIO): a resume may finish the job */
	b->transient = rc < 0 && b->e.errnum == EIO;
	b->done = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* On the multi thread: the transfer's end. b may be freed once fed(). */
static void on_done(struct reg_multi_task *t, int rc, const struct hm_err *e)
{
	struct blob_fetch *b =
	    (struct blob_fetch *)((char *)t -
				  offsetof(struct blob_fetch, task));

	reg_xfer_free(t->x);
	t->x = NULL;
	if (rc < 0)
		b->e = *e;
	/* a range the server would not serve: once more, whole */
	if (rc < 0 && b->resumed_from && b->e.errnum == EIO &&
	    !__atomic_load_n(&b->abort, __ATOMIC_ACQUIRE) &&
	    ftruncate(b->fd, 0) == 0) {
		pthread_mutex_lock(&b->mu);
		b->have = b->resumed_from = 0;
		pthread_mutex_unlock(&b->mu);
		t->x = xfer_from(b, 0);
		reg_multi_add(b->multi, t);
		return;
	}
	fed(b, rc);
}

/* The partial file: ours alone (flock), resumed from what it holds. */
static int open_partial(struct blob_fetch *b, struct hm_err *e)
{
	struct stat st;

	/* the blob cache has it whole (a pull killed before its commit) */
	if (link(b->final, b->partial) < 0 && errno != ENOENT &&
	    errno != EEXIST)
		HM_TRACE("link \"%s\": %s", b->final, strerror(errno));
	b->fd = open(b->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (b->fd < 0)
		return hm_fail(e, errno, "open \"%s\"", b->partial);
	if (flock(b->fd, LOCK_EX | LOCK_NB) < 0) {
		/* not ours to settle: another pull's */
		close(b->fd);
		b->fd = -1;
		return hm_failx(e, HM_EXIT_FAIL,
				"%s: another pull is downloading it", b->what);
	}
	if (fstat(b->fd, &st) < 0)
		return hm_fail(e, errno, "stat \"%s\"", b->partial);
	b->have = (uint64_t)st.st_size;
	if (b->have > b->size) {
		if (ftruncate(b->fd, 0) < 0)
			return hm_fail(e, errno, "truncate \"%s\"", b->partial);
		b->have = 0;
	}
	b->resumed_from = b->have;
	return 0;
}

int blob_fetch_start(struct blob_fetch *b, struct reg_multi *rm,
		     struct hm_err *e)
{
	if (open_partial(b, e) < 0)
		return -1;
	b->multi = rm;
	b->feeding = true;
	if (b->have == b->size) { /* whole already: nothing to fetch */
		fed(b, 0);
		return 0;
	}
	b->task.done = on_done;
	b->task.x = xfer_from(b, b->have);
	reg_multi_add(rm, &b->task);
	return 0;
}

static void *pump(void *arg)
{
	struct blob_fetch *b = arg;
	char *buf = xmalloc(PUMP_CHUNK);
	uint64_t off = 0;

	for (;;) {
		uint64_t avail;
		bool done;
		ssize_t n;

		pthread_mutex_lock(&b->mu);
		while (b->have <= off && !b->done && !b->abort)
			pthread_cond_wait(&b->cv, &b->mu);
		avail = b->have > off ? b->have - off : 0;
		done = b->done || b->abort;
		pthread_mutex_unlock(&b->mu);
		if (!avail && done)
			break;
		n = pread(b->fd, buf, avail < PUMP_CHUNK ? avail : PUMP_CHUNK,
			  (off_t)off);
		if (n <= 0)
			continue; /* truncated for a restart: wait */
		for (ssize_t s = 0; s < n;) {
			ssize_t w = send(b->sock[1], buf + s, (size_t)(n - s),
					 MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto out; /* the reader is gone */
			s += w;
		}
		off += (uint64_t)n;
	}
out:
	free(buf);
	shutdown(b->sock[1], SHUT_WR);
	return NULL;
}

int blob_fetch_stream(struct blob_fetch *b, struct hm_err *e)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b->sock) < 0)
		return hm_fail(e, errno, "socketpair");
	if ((errno = pthread_create(&b->pump, NULL, pump, b)))
		return hm_fail(e, errno, "pthread_create");
	b->pumping = true;
	return b->sock[0];
}

/* Kept as the blob cache, or left to resume, or removed. */
static void settle_file(struct blob_fetch *b, bool ok)
{
	if (ok && b->rc == 0) {
		/* a no-op when both are links of one file: then unlink */
		if (rename(b->partial, b->final) < 0 ||
		    !access(b->partial, F_OK))
			unlink(b->partial);
	} else if (!(b->transient && b->have > 0)) {
		unlink(b->partial);
	}
}

void blob_fetch_abort(struct blob_fetch *b)
{
	pthread_mutex_lock(&b->mu);
	if (!b->done)
		__atomic_store_n(&b->abort, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	/* the reader sees the end of the stream, the pump EPIPE; the fd
	 * stays open (a reader on another thread may be in read()) */
	if (b->sock[0] >= 0)
		shutdown(b->sock[0], SHUT_RDWR);
}

int blob_fetch_end(struct blob_fetch *b, bool ok, struct hm_err *e)
{
	pthread_mutex_lock(&b->mu);
	if (!b->done)
		__atomic_store_n(&b->abort, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	if (b->sock[0] >= 0)
		close(b->sock[0]); /* a pump blocked in send() returns */
	if (b->pumping)
		pthread_join(b->pump, NULL);
	/* the multi thread ends the transfer within a second of the abort */
	pthread_mutex_lock(&b->mu);
	while (b->feeding && !b->done)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	if (b->fd >= 0) {
		settle_file(b, ok);
		close(b->fd);
	}
	if (b->sock[1] >= 0)
		close(b->sock[1]);
	if (!b->feeding && b->fd < 0)
		b->rc = 0;
	if (b->rc < 0 && e)
		*e = b->e;
	reg_conn_free(&b->conn);
	free(b->path);
	free(b->partial);
	free(b->final);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	return b->rc;
}
