/* SPDX-License-Identifier: MIT */
/*
 * Attaching to a detached container (docs/lifecycle.md, "Attach"): its
 * monitor holds the pty master or the stdio pipes and serves clients on a
 * SOCK_SEQPACKET socket, <runroot>/<id>/attach, one packet a message:
 *
 *   monitor -> client  'o' bytes   the container's stdout (or its pty)
 *                      'e' bytes   its stderr
 *                      'x' int     it exited with this code; then EOF
 *   client -> monitor  'i' bytes   for its stdin (with -i only)
 *                      'c'         the client's stdin ended
 *                      'w' winsize the client's terminal size (with -t)
 *
 * `homo run -it`, `start -a` and `create` + `start -a` hand the monitor
 * one end of a socket pair before the start, so that the first byte of
 * output reaches them; `homo attach` connects to the socket. Detach keys
 * (ctrl-p ctrl-q) are the client's: it stops relaying and the container
 * runs on.
 */
#ifndef HOMO_ATTACH_H
#define HOMO_ATTACH_H

#include <stdbool.h>
#include <poll.h>
#include <stddef.h>

#include "base/error.h"
#include "store/store.h"

#define ATTACH_MAX_CLIENTS 8
#define ATTACH_MAX_KEYS 16

/* ---- the monitor's side ---- */

struct attach_client {
	int fd;
	bool first; /* the starter's: its stdin's end is the container's */
};

struct hm_attach {
	int listen_fd; /* -1 when not listening */
	struct attach_client c[ATTACH_MAX_CLIENTS];
	int n;
};

/** attach_init() - no socket, no client; @first_fd: the starter's end. */
void attach_init(struct hm_attach *a, int first_fd);

/**
 * attach_listen() - bind and listen on the container's socket in its
 * runtime dir (made by container_start). A failure is a warning: the
 * container runs, it cannot be attached to.
 */
void attach_listen(struct hm_attach *a, const struct hm_store *st,
		   const char *id);

/** attach_send() - @n bytes of stream 'o' or 'e' to every client. */
void attach_send(struct hm_attach *a, char type, const void *buf, size_t n);

/** attach_exit() - tell every client the exit @code, close them all. */
void attach_exit(struct hm_attach *a, int code);

/** attach_close() - stop listening and drop every client. */
void attach_close(struct hm_attach *a);

/*
 * The relay's view: the fds to poll (clients only while @want_input, so a
 * full stdin is not read past), and what a client sent.
 */
size_t attach_poll_fds(const struct hm_attach *a, bool want_input,
		       struct pollfd *fds, size_t max);

enum attach_event { ATT_NONE, ATT_INPUT, ATT_EOF, ATT_WINSIZE };

/**
 * attach_handle() - accept a new client or read one packet of a client
 * that @fds (as attach_poll_fds() filled them) says is ready. Input goes
 * into @buf (up to @cap bytes, *@n of them), a winsize too.
 */
enum attach_event attach_handle(struct hm_attach *a, const struct pollfd *fds,
				size_t nfds, char *buf, size_t cap, size_t *n);

/* ---- the client's side ---- */

struct attach_opts {
	bool in;  /* relay our stdin */
	bool tty; /* the container has a tty: raw mode, window size */
	unsigned char keys[ATTACH_MAX_KEYS]; /* the detach sequence */
	size_t nkeys;			     /* 0: none */
	/* without a tty: a signal of ours for the container (sig-proxy) */
	void (*signal)(int sig, void *arg);
	void *arg;
};

/**
 * attach_parse_keys() - Docker's --detach-keys: "ctrl-p,ctrl-q", letters,
 * "ctrl-@", "ctrl-[", ... comma-separated; "" for none.
 */
int attach_parse_keys(const char *s, struct attach_opts *o, struct hm_err *e);

/** attach_connect() - a client socket to container @id's monitor. */
int attach_connect(const struct hm_store *st, const char *id, struct hm_err *e);

/**
 * attach_relay() - relay between our stdio and the monitor on @sock
 * (closed on return) until the container exits (*@code its exit code),
 * the detach keys are typed (*@detached, *@code -1) or, with a tty, we
 * get SIGTERM or SIGHUP (*@detached, *@code 128+N: the container runs
 * on, as when they killed us, and the terminal is restored), or the
 * monitor goes away (*@code -1).
 */
int attach_relay(int sock, const struct attach_opts *o, int *code,
		 bool *detached, struct hm_err *e);

#endif
