/* SPDX-License-Identifier: MIT */
#ifndef HOMO_BLOB_FETCH_H
#define HOMO_BLOB_FETCH_H

/*
 * A registry blob downloaded (on the pull's download thread) into a partial
 * file kept in the store (blobs/sha256/partial-<hex>), while a reader takes the
 * bytes as they land, through a socket, in order: several layers download at
 * once, each is unpacked as it arrives, and nothing is read twice from
 * the network. A partial file left by a failed or killed pull is resumed
 * with a range request.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"
#include "image/reg_multi.h"
#include "image/registry.h"

struct blob_fetch {
	struct reg_conn conn; /* its own: a 401 sets its token */
	char *path;	      /* "/v2/<repo>/blobs/sha256:<hex>" */
	char *partial;	      /* the partial file */
	char *final;	      /* blobs/sha256/<hex>: kept there on success */
	const char *what;     /* for messages */
	uint64_t size;	      /* the descriptor's */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	uint64_t have;	       /* bytes in the partial file */
	uint64_t resumed_from; /* bytes it had when this pull began */
	bool done, abort, transient;
	int rc;
	struct hm_err e;
	struct reg_multi *multi;    /* the download's thread */
	struct reg_multi_task task; /* the download, in it */
	struct reg_resp resp;
	pthread_t pump;
	bool feeding, pumping; /* a download (done to come), pump to join */
	int sock[2];
};

/**
 * blob_fetch_init() - prepare the download of sha256:@hex (@size bytes,
 * as the manifest says: more is refused) from @c's repository into
 * @blob_dir (the store's blobs/sha256).
 */
void blob_fetch_init(struct blob_fetch *b, const struct reg_conn *c,
		     const char *blob_dir, const char *hex, uint64_t size,
		     const char *what);

/**
 * blob_fetch_start() - start downloading, on @rm's thread (a blob the
 * partial file holds whole is not fetched again). Return: 0, or -1 with
 * @e set.
 */
int blob_fetch_start(struct blob_fetch *b, struct reg_multi *rm,
		     struct hm_err *e);

/**
 * blob_fetch_stream() - an fd to read the whole blob from, in order, to
 * its end (the end of the download). Return: the fd (the caller does not
 * close it), or -1 with @e set.
 */
int blob_fetch_stream(struct blob_fetch *b, struct hm_err *e);

/**
 * blob_fetch_abort() - stop the download, and the stream at once: a reader
 * of blob_fetch_stream()'s fd on another thread sees its end (then a short
 * blob). The fd stays open until blob_fetch_end(), called after that
 * reader is done.
 */
void blob_fetch_abort(struct blob_fetch *b);

/**
 * blob_fetch_end() - stop (if need be) and wait for the pump and the
 * download's end. @ok: the
 * caller verified the blob: it is kept in the blob cache. Otherwise the
 * partial file stays for a resume only if the transfer broke off (a
 * network error); a bad blob is removed.
 * Return: the download's result: 0, or -1 with @e set to its error.
 */
int blob_fetch_end(struct blob_fetch *b, bool ok, struct hm_err *e);

#endif
