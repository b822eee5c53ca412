/* SPDX-License-Identifier: MIT */
#include "runtime/attach.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"

/* The most one packet carries: well under a socket's send buffer. */
#define CHUNK 32768

/*
 * The socket's address through /proc/self/fd of its directory: a runroot
 * may be longer than sun_path's 108 bytes allow.
 */
static int sock_addr(const struct hm_store *st, const char *id,
		     struct sockaddr_un *sa, struct hm_err *e)
{
	cleanup_free char *dir = xasprintf("%s/%s", st->runroot, id);
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", dir);
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/attach",
		 fd);
	return fd;
}

void attach_init(struct hm_attach *a, int first_fd)
{
	a->listen_fd = -1;
	a->n = 0;
	if (first_fd >= 0)
		a->c[a->n++] = (struct attach_client){first_fd, true};
}

void attach_listen(struct hm_attach *a, const struct hm_store *st,
		   const char *id)
{
	struct sockaddr_un sa;
	struct hm_err e = {0};
	int dir = sock_addr(st, id, &sa, &e), fd = -1;

	if (dir >= 0) {
		fd = socket(AF_UNIX,
			    SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		unlinkat(dir, "attach", 0);
		if (fd < 0 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(fd, ATTACH_MAX_CLIENTS) < 0) {
			hm_fail(&e, errno, "listen on \"%s\"", sa.sun_path);
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		close(dir);
	}
	if (fd < 0) {
		hm_prefix(&e, "homo attach to %.12s", id);
		hm_warn(&e);
	}
	a->listen_fd = fd;
}

static void drop(struct hm_attach *a, int i)
{
	close(a->c[i].fd);
	a->c[i] = a->c[--a->n];
}

/* One packet to client @i; a client that cannot take it in a second (it
 * stopped reading) is dropped rather than stall the container. */
static bool send_to(struct hm_attach *a, int i, const char *pkt, size_t n)
{
	for (int tries = 0; tries < 2; tries++) {
		struct pollfd p = {.fd = a->c[i].fd, .events = POLLOUT};

		if (send(a->c[i].fd, pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)n)
			return true;
		if (errno != EAGAIN && errno != EINTR)
			break;
		poll(&p, 1, 1000);
	}
	drop(a, i);
	return false;
}

void attach_send(struct hm_attach *a, char type, const void *buf, size_t n)
{
	static char pkt[CHUNK + 1];

	if (!a || !a->n)
		return;
	for (size_t off = 0; off < n; off += CHUNK) {
		size_t len = n - off < CHUNK ? n - off : CHUNK;

		pkt[0] = type;
		memcpy(pkt + 1, (const char *)buf + off, len);
		for (int i = a->n - 1; i >= 0; i--)
			send_to(a, i, pkt, len + 1);
	}
}

void attach_exit(struct hm_attach *a, int code)
{
	char pkt[1 + sizeof(int)] = {'x'};

	memcpy(pkt + 1, &code, sizeof(code));
	for (int i = a->n - 1; i >= 0; i--)
		if (send_to(a, i, pkt, sizeof(pkt)))
			drop(a, i);
}

void attach_close(struct hm_attach *a)
{
	if (a->listen_fd >= 0)
		close(a->listen_fd);
	a->listen_fd = -1;
	while (a->n)
		drop(a, a->n - 1);
}

size_t attach_poll_fds(const struct hm_attach *a, bool want_input,
		       struct pollfd *fds, size_t max)
{
	size_t k = 0;

	if (!a || max < 1 + ATTACH_MAX_CLIENTS)
		return 0;
	fds[k++] = (struct pollfd){.fd = a->listen_fd, .events = POLLIN};
	for (int i = 0; i < a->n; i++)
		fds[k++] = (struct pollfd){.fd = a->c[i].fd,
					   .events = want_input ? POLLIN : 0};
	return k;
}

enum attach_event attach_handle(struct hm_attach *a, const struct pollfd *fds,
				size_t nfds, char *buf, size_t cap, size_t *n)
{
	static char pkt[CHUNK + 1];

	if (!a || !nfds)
		return ATT_NONE;
	if (fds[0].revents & POLLIN) {
		int fd = accept4(a->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0 && a->n < ATTACH_MAX_CLIENTS)
			a->c[a->n++] = (struct attach_client){fd, false};
		else if (fd >= 0)
			close(fd);
	}
	for (size_t k = 1; k < nfds && (int)k - 1 < a->n; k++) {
		int i = (int)k - 1;
		ssize_t r;

		if (!fds[k].revents)
			continue;
		if (!(fds[k].revents & POLLIN)) {
			drop(a, i); /* gone (POLLHUP): detached */
			return ATT_NONE;
		}
		r = recv(a->c[i].fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			drop(a, i);
			return ATT_NONE;
		}
		*n = (size_t)r - 1 < cap ? (size_t)r - 1 : cap;
		memcpy(buf, pkt + 1, *n);
		if (pkt[0] == 'i')
			return ATT_INPUT;
		if (pkt[0] == 'w' && *n == sizeof(struct winsize))
			return ATT_WINSIZE;
		if (pkt[0] == 'c' && a->c[i].first)
			return ATT_EOF;
	}
	return ATT_NONE;
}

/* ---- the client ---- */

int attach_parse_keys(const char *s, struct attach_opts *o, struct hm_err *e)
{
	static const char ctrl_sym[] = "@[\\]^_";
	cleanup_free char *copy = xstrdup(*s ? s : "ctrl-p,ctrl-q");
	char *save = NULL;

	o->nkeys = 0;
	for (char *k = strtok_r(copy, ",", &save); k;
	     k = strtok_r(NULL, ",", &save)) {
		const char *sym;
		int c;

		if (o->nkeys == ATTACH_MAX_KEYS)
			goto bad;
		if (!strncasecmp(k, "ctrl-", 5) && strlen(k) == 6) {
			memcpy(k, "ctrl-", 5); /* case-blind, as Docker's */
			k[5] = (char)tolower((unsigned char)k[5]);
		}
		if (strlen(k) == 1)
			c = (unsigned char)k[0];
		else if (!strncmp(k, "ctrl-", 5) && strlen(k) == 6 &&
			 k[5] >= 'a' && k[5] <= 'z')
			c = k[5] - 'a' + 1;
		else if (!strncmp(k, "ctrl-", 5) && strlen(k) == 6 &&
			 (sym = strchr(ctrl_sym, k[5])))
			c = sym == ctrl_sym ? 0
					    : 27 + (int)(sym - ctrl_sym - 1);
		else
			goto bad;
		o->keys[o->nkeys++] = (unsigned char)c;
	}
	if (o->nkeys)
		return 0;
bad:
	return hm_failx(e, HM_EXIT_FAIL,
			"--detach-keys \"%s\": expected keys like "
			"ctrl-p,ctrl-q (a letter, or ctrl- and a-z, @, [, \\, "
			"], ^ or _; at most %d)",
			s, ATTACH_MAX_KEYS);
}

int attach_connect(const struct hm_store *st, const char *id, struct hm_err *e)
{
	struct sockaddr_un sa;
	int dir = sock_addr(st, id, &sa, e), fd;

	if (dir < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		hm_fail(e, errno, "attach to %.12s", id);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	close(dir);
	return fd;
}

static void put_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* our reader is gone: drop the rest */
		p += w, n -= (size_t)w;
	}
}

static void send_pkt(int sock, char type, const void *buf, size_t n)
{
	char pkt[CHUNK + 1];

	pkt[0] = type;
	memcpy(pkt + 1, buf, n);
	while (send(sock, pkt, n + 1, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void send_winsize(int sock)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		send_pkt(sock, 'w', &ws, sizeof(ws));
}

/*
 * Our stdin into the container, the detach keys held back while they
 * match (sent after all when the sequence breaks off). *@held carries a
 * partial match over to the next read. Return: true when detached.
 */
static bool feed(int sock, const struct attach_opts *o, const char *in,
		 size_t n, size_t *held)
{
	char out[CHUNK + ATTACH_MAX_KEYS];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)in[i];

		if (o->nkeys && b == o->keys[*held]) {
			if (++*held == o->nkeys) {
				if (k)
					send_pkt(sock, 'i', out, k);
				return true;
			}
			continue;
		}
		memcpy(out + k, o->keys, *held); /* no match after all */
		k += *held;
		*held = 0;
		if (o->nkeys && b == o->keys[0])
			*held = 1;
		else
			out[k++] = (char)b;
	}
	if (k)
		send_pkt(sock, 'i', out, k);
	return false;
}

static int signal_fd(const struct attach_opts *o, sigset_t *old)
{
	static const int proxied[] = {SIGINT,  SIGTERM, SIGHUP,
				      SIGQUIT, SIGUSR1, SIGUSR2};
	sigset_t set;

	sigemptyset(&set);
	if (o->tty) {
		sigaddset(&set, SIGWINCH);
		/* they end us as before, but with the terminal restored */
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
	} else if (o->signal)
		for (size_t i = 0; i < ARRAY_SIZE(proxied); i++)
			sigaddset(&set, proxied[i]);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* One packet from the monitor; false once the relay is over. */
static bool from_monitor(int sock, int *code)
{
	static char pkt[CHUNK + 1];
	ssize_t n = recv(sock, pkt, sizeof(pkt), 0);

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false; /* *code stays -1: the monitor went away */
	if (pkt[0] == 'o' || pkt[0] == 'e')
		put_all(pkt[0] == 'o' ? STDOUT_FILENO : STDERR_FILENO, pkt + 1,
			(size_t)n - 1);
	if (pkt[0] == 'x' && n == 1 + sizeof(int)) {
		memcpy(code, pkt + 1, sizeof(int));
		return false;
	}
	return true;
}

static void relay_loop(int sock, const struct attach_opts *o, int sfd,
		       int *code, bool *detached)
{
	bool in_open = o->in;
	size_t held = 0;
	char buf[CHUNK];

	for (;;) {
		struct pollfd p[3] = {
		    {.fd = sock, .events = POLLIN},
		    {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
		    {.fd = sfd, .events = POLLIN},
		};
		struct signalfd_siginfo si;
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents && !from_monitor(sock, code))
			return;
		if (p[1].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				send_pkt(sock, 'c', "", 0);
				in_open = false;
			} else if (feed(sock, o, buf, (size_t)n, &held)) {
				*detached = true;
				return;
			}
		}
		if ((p[2].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH) {
				send_winsize(sock);
			} else if (o->tty) { /* SIGTERM, SIGHUP: we go */
				*code = 128 + (int)si.ssi_signo;
				*detached = true;
				return;
			} else if (o->signal) {
				o->signal((int)si.ssi_signo, o->arg);
			}
		}
	}
}

int attach_relay(int sock, const struct attach_opts *o, int *code,
		 bool *detached, struct hm_err *e)
{
	struct termios saved, raw;
	bool restore = false;
	sigset_t old;
	int sfd;

	(void)e;
	*code = -1;
	*detached = false;
	if (o->tty && o->in && isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
	}
	if (o->tty)
		send_winsize(sock);
	sfd = signal_fd(o, &old);
	relay_loop(sock, o, sfd, code, detached);
	if (sfd >= 0)
		close(sfd);
	close(sock);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	return 0;
}
