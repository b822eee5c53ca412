/* SPDX-License-Identifier: MIT */
/*
 * gzip inflated ahead of the unpack (gunzip.h). The thread owns the fd,
 * both digests and the inflate state until it ends; the ring's counters
 * are shared under mu. ISA-L is loaded on first use, as lazylib.c loads
 * the other libraries, so that homo's other commands do not map it.
 */
#include "image/gunzip.h"

#include <dlfcn.h>
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/util.h"

/* 1-4 blocks ahead: enough to ride out a slow entry, bounded for a bomb */
#define SLOT_SIZE (256 << 10)
#define IN_SIZE (256 << 10)

static struct {
	void (*init)(struct inflate_state *);
	void (*reset)(struct inflate_state *);
	int (*inflate)(struct inflate_state *);
} isal;
static pthread_once_t isal_once = PTHREAD_ONCE_INIT;
static bool isal_ok;

static void isal_load(void)
{
	void *h = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		HM_TRACE("gunzip: no ISA-L (%s): libarchive inflates",
			 dlerror());
		return;
	}
	*(void **)&isal.init = dlsym(h, "isal_inflate_init");
	*(void **)&isal.reset = dlsym(h, "isal_inflate_reset");
	*(void **)&isal.inflate = dlsym(h, "isal_inflate");
	isal_ok = isal.init && isal.reset && isal.inflate;
	if (!isal_ok)
		dlclose(h);
}

static const char *isal_why(int r)
{
	switch (r) {
	case ISAL_INVALID_BLOCK:
		return "invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid lookback distance";
	case ISAL_INVALID_WRAPPER:
		return "invalid gzip header";
	case ISAL_INCORRECT_CHECKSUM:
		return "gzip checksum mismatch";
	default:
		return "corrupt gzip data";
	}
}

/* More input after what is left of in[]; in_eof at the end of the fd. */
static int read_more(struct gunzip *g)
{
	struct inflate_state *st = g->st;
	struct pollfd p[2] = {{.fd = g->fd, .events = POLLIN},
			      {.fd = g->stopfd, .events = POLLIN}};
	size_t have = st->avail_in;
	ssize_t n;

	if (have && st->next_in != g->in)
		memmove(g->in, st->next_in, have);
	st->next_in = g->in;
	for (;;) {
		/* a stalled download must not keep gunzip_end() waiting */
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return hm_fail(&g->e, errno, "unpack: poll");
		}
		if (p[1].revents)
			return hm_failx(&g->e, HM_EXIT_FAIL, "unpack: stopped");
		n = read(g->fd, g->in + have, IN_SIZE - have);
		if (n >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN)
			return hm_fail(&g->e, errno, "unpack: read");
	}
	if (n == 0)
		g->in_eof = true;
	digest_update(g->blob, g->in + have, (size_t)n);
	__atomic_add_fetch(&g->compressed, (uint64_t)n, __ATOMIC_RELAXED);
	progress_update(g->prog, g->compressed);
	st->avail_in = (uint32_t)(have + (size_t)n);
	return 0;
}

/*
 * After a member's trailer: another member (1), or the end (0). Bytes
 * after the last member that are not gzip are covered by the blob digest
 * only, as libarchive treats them.
 */
static int next_member(struct gunzip *g)
{
	struct inflate_state *st = g->st;

	while (st->avail_in < 2 && !g->in_eof)
		if (read_more(g) < 0)
			return -1;
	if (st->avail_in >= 2 && st->next_in[0] == 0x1f &&
	    st->next_in[1] == 0x8b) {
		unsigned char *at = st->next_in;
		uint32_t left = st->avail_in;

		isal.reset(st);
		st->crc_flag = ISAL_GZIP;
		st->next_in = at;
		st->avail_in = left;
		return 1;
	}
	while (!g->in_eof) {
		st->avail_in = 0;
		if (read_more(g) < 0)
			return -1;
	}
	st->avail_in = 0;
	return 0;
}

/* Inflate into @out up to @cap bytes; *done at the end of the stream. */
static int fill(struct gunzip *g, unsigned char *out, size_t cap, size_t *len,
		bool *done)
{
	struct inflate_state *st = g->st;
	uint32_t in0, out0;
	int r;

	st->next_out = out;
	st->avail_out = (uint32_t)cap;
	while (st->avail_out && !*done) {
		/* what is inflated goes to the caller before a read may wait */
		bool wait = !g->in_eof && st->avail_out != cap;

		if (st->block_state == ISAL_BLOCK_FINISH) {
			if (wait && st->avail_in < 2)
				break;
			r = next_member(g);
			if (r < 0)
				return -1;
			*done = r == 0;
			continue;
		}
		if (!st->avail_in && !g->in_eof) {
			if (wait)
				break;
			if (read_more(g) < 0)
				return -1;
			continue;
		}
		in0 = st->avail_in;
		out0 = st->avail_out;
		r = isal.inflate(st);
		if (r < 0)
			return hm_failx(&g->e, HM_EXIT_FAIL,
					"unpack: decompress: %s", isal_why(r));
		if (st->block_state == ISAL_BLOCK_FINISH ||
		    st->avail_in != in0 || st->avail_out != out0)
			continue;
		/* no progress: it needs more input than there is */
		if (g->in_eof || in0 == IN_SIZE)
			return hm_failx(&g->e, HM_EXIT_FAIL,
					"unpack: decompress: truncated "
					"gzip input");
		if (wait)
			break;
		if (read_more(g) < 0)
			return -1;
	}
	*len = cap - st->avail_out;
	return 0;
}

static void *gunzip_main(void *arg)
{
	struct gunzip *g = arg;
	bool done = false;
	int rc = 0;

	while (!done && rc == 0) {
		size_t len = 0;
		unsigned i;

		pthread_mutex_lock(&g->mu);
		/* free slots: not ready for the caller, nor held by it */
		while (!g->stop && g->made - g->taken + g->held >= GUNZIP_SLOTS)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->stop) {
			pthread_mutex_unlock(&g->mu);
			break;
		}
		pthread_mutex_unlock(&g->mu);
		i = g->made % GUNZIP_SLOTS;
		rc = fill(g, g->slot[i], SLOT_SIZE, &len, &done);
		if (rc == 0)
			digest_update(g->diff, g->slot[i], len);
		pthread_mutex_lock(&g->mu);
		if (rc == 0 && len) {
			g->len[i] = len;
			g->made++;
		}
		if (rc < 0 || done) {
			g->rc = rc;
			g->end = true;
		}
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
	}
	return NULL;
}

int gunzip_start(struct gunzip *g, int fd, const void *first, size_t n,
		 struct hm_digest *blob, struct hm_digest *diff,
		 struct hm_progress *prog, struct hm_err *e)
{
	struct inflate_state *st;

	memset(g, 0, sizeof(*g));
	g->stopfd = -1;
	pthread_once(&isal_once, isal_load);
	if (!isal_ok || n > IN_SIZE)
		return 0;
	g->stopfd = eventfd(0, EFD_CLOEXEC);
	if (g->stopfd < 0)
		return hm_fail(e, errno, "unpack: eventfd");
	g->fd = fd;
	g->blob = blob;
	g->diff = diff;
	g->prog = prog;
	g->st = st = xmalloc(sizeof(*st));
	isal.init(st);
	st->crc_flag = ISAL_GZIP;
	g->in = xmalloc(IN_SIZE);
	memcpy(g->in, first, n);
	st->next_in = g->in;
	st->avail_in = (uint32_t)n;
	digest_update(blob, first, n);
	g->compressed = n;
	for (int i = 0; i < GUNZIP_SLOTS; i++)
		g->slot[i] = xmalloc(SLOT_SIZE);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	if ((errno = pthread_create(&g->tid, NULL, gunzip_main, g))) {
		hm_fail(e, errno, "unpack: pthread_create");
		gunzip_end(g);
		return -1;
	}
	g->running = true;
	return 1;
}

ssize_t gunzip_read(struct gunzip *g, const void **buf, struct hm_err *e)
{
	ssize_t n = 0;

	pthread_mutex_lock(&g->mu);
	if (g->held) {
		g->held = false;
		pthread_cond_broadcast(&g->cv);
	}
	while (g->made == g->taken && !g->end)
		pthread_cond_wait(&g->cv, &g->mu);
	if (g->made != g->taken) {
		unsigned i = g->taken++ % GUNZIP_SLOTS;

		g->held = true;
		*buf = g->slot[i];
		n = (ssize_t)g->len[i];
	} else if (g->rc < 0) {
		*e = g->e;
		n = -1;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}

uint64_t gunzip_compressed(struct gunzip *g)
{
	return __atomic_load_n(&g->compressed, __ATOMIC_RELAXED);
}

void gunzip_end(struct gunzip *g)
{
	uint64_t one = 1;

	if (g->running) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		if (write(g->stopfd, &one, sizeof(one)) < 0)
			HM_TRACE("gunzip: eventfd: %s", strerror(errno));
		pthread_join(g->tid, NULL);
		g->running = false;
	}
	if (g->st) {
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
	}
	for (int i = 0; i < GUNZIP_SLOTS; i++) {
		free(g->slot[i]);
		g->slot[i] = NULL;
	}
	free(g->st);
	free(g->in);
	g->st = NULL;
	g->in = NULL;
	if (g->stopfd >= 0)
		close(g->stopfd);
	g->stopfd = -1;
}
