/* SPDX-License-Identifier: MIT */
#ifndef HOMO_GUNZIP_H
#define HOMO_GUNZIP_H
/*
 * A gzip'd tar stream inflated on a thread of its own, with ISA-L's igzip
 * (2-2.5x zlib's speed), ahead of the caller that extracts it: the thread
 * reads the file, digests its bytes (the blob digest), inflates them into a
 * ring of blocks and digests those (the diff id), while the caller parses
 * and writes the previous blocks. One pass, no second read.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/digest.h"
#include "base/error.h"
#include "base/progress.h"

#define GUNZIP_SLOTS 4

struct gunzip {
	int fd, stopfd;
	pthread_t tid;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *slot[GUNZIP_SLOTS];
	size_t len[GUNZIP_SLOTS];
	unsigned made, taken; /* blocks filled, blocks handed out */
	bool held;	      /* the caller holds block taken - 1 */
	bool end, stop;	      /* the stream ended (or failed); stop now */
	int rc;
	struct hm_err e;
	struct hm_digest *blob, *diff;
	struct hm_progress *prog;
	uint64_t compressed; /* bytes read from fd */
	void *st;	     /* struct inflate_state */
	unsigned char *in;
	size_t in_len; /* bytes of in[] not yet inflated, from in_at */
	size_t in_at;
	bool in_eof;
};

/**
 * gunzip_start() - inflate the gzip stream on @fd on a new thread.
 * @first, @n: bytes already read from @fd (the magic number): the stream
 *	starts with them.
 * @blob, @diff: initialised digests of the bytes read and of the bytes
 *	inflated; complete once gunzip_read() returned 0 and gunzip_end() ran.
 *
 * Return: 1 started; 0 ISA-L is not installed (the caller inflates as it
 * can; nothing was read); -1 with @e set.
 */
int gunzip_start(struct gunzip *g, int fd, const void *first, size_t n,
		 struct hm_digest *blob, struct hm_digest *diff,
		 struct hm_progress *prog, struct hm_err *e);

/**
 * gunzip_read() - the next block of the tar stream in *@buf, valid until the
 * next call. Return: its length, 0 at the end, or -1 with @e set (a read
 * error, corrupt or truncated gzip data).
 */
ssize_t gunzip_read(struct gunzip *g, const void **buf, struct hm_err *e);

/** gunzip_end() - stop the thread (at once, if mid-stream) and free. */
void gunzip_end(struct gunzip *g);

/** gunzip_compressed() - bytes read from the fd so far. */
uint64_t gunzip_compressed(struct gunzip *g);

#endif
