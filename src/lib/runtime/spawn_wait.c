/* SPDX-License-Identifier: MIT */
/*
 * The parent side of a run once the command runs (docs/architecture.md, "A
 * container start", step 8): wait for it while forwarding signals and
 * relaying its tty or pipes to the caller and the log.
 */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/attach.h"
#include "runtime/logs.h"

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* After the exit: how long streams may stay silent before EOF. */
#define DRAIN_IDLE_MS 2000

/* One output stream: the container's pipe or pty to the caller, the log. */
struct chan {
	int from, to; /* from: -1 once it ended; to: -1 log only */
	struct hm_log *log;
	const char *name;
	bool copy;	       /* splice refused (EINVAL): read and write */
	struct hm_attach *att; /* clients of a detached container's */
};

/* The caller's stdin into the container's pipe or pty, through a buffer:
 * a full pipe never blocks the relay (the container's output would). */
struct feed {
	int to;	  /* non-blocking; -1: none, or done */
	bool own; /* a pipe: closed at the end, for the container's EOF */
	size_t off, len;
	char *buf; /* FEED_SIZE, malloc'd: untouched pages cost nothing */
};

#define FEED_SIZE 65536

struct relay {
	struct chan ch[3]; /* the pty, stdout, stderr */
	struct feed in;
	int sfd, status;
	bool exited;
	bool in_stdin;	       /* the feed reads our stdin (else clients') */
	struct hm_attach *att; /* the monitor's attach clients, or NULL */
	void (*on_idle)(void); /* hm_io's, until called */
	int idle_ms;
};

/* poll(): signals, 3 streams, stdin, the feed, the attach socket+clients */
#define RELAY_FDS (6 + 1 + ATTACH_MAX_CLIENTS)

/* The caller's end may be non-blocking (shared with another program). */
static void wait_writable(int fd)
{
	struct pollfd pf = {.fd = fd, .events = POLLOUT};

	while (poll(&pf, 1, -1) < 0 && errno == EINTR)
		;
}

static int put(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EAGAIN)
			wait_writable(fd);
		else if (w < 0 && errno != EINTR)
			return -1;
		else if (w > 0)
			buf += w, n -= (size_t)w;
	}
	return 0;
}

/* Closing our read end tells a writer still there: EPIPE, SIGPIPE. */
static int chan_end(struct chan *c)
{
	close(c->from);
	c->from = -1;
	return 0;
}

/*
 * Move what is readable: 1 moved, 0 the stream ended (EOF, an error, or
 * the caller's end is gone: EPIPE), -1 nothing now. Without a log the
 * pages go by splice(2); a file opened O_APPEND, a tty or a pty refuse
 * it (EINVAL) and get read/write.
 */
static int pump(struct chan *c)
{
	char buf[65536];
	ssize_t n;

	if (c->to >= 0 && !c->log && !c->att && !c->copy) {
		n = splice(c->from, NULL, c->to, NULL, SPAWN_RELAY_CHUNK, 0);
		if (n > 0)
			return 1;
		if (n < 0 && errno == EAGAIN)
			wait_writable(c->to);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return -1;
		if (n == 0 || errno != EINVAL)
			return chan_end(c);
		c->copy = true;
	}
	n = read(c->from, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	if (n <= 0)
		return chan_end(c);
	log_write(c->log, c->name, buf, (size_t)n);
	attach_send(c->att, c->name[3] == 'e' ? 'e' : 'o', buf, (size_t)n);
	if (c->to >= 0 && put(c->to, buf, (size_t)n) < 0)
		return chan_end(c);
	return 1;
}

static void feed_stop(struct feed *f)
{
	if (f->own && f->to >= 0)
		close(f->to);
	f->to = -1;
	f->off = f->len = 0;
}

/* The buffer into the container: an error is its stdin closed, drop. */
static void feed_out(struct feed *f)
{
	ssize_t n = write(f->to, f->buf + f->off, f->len - f->off);

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		feed_stop(f);
	else if (n > 0 && (f->off += (size_t)n) == f->len)
		f->off = f->len = 0;
}

/* The caller's stdin into the buffer; its EOF is the container's. */
static void feed_in(struct feed *f)
{
	ssize_t n = read(STDIN_FILENO, f->buf, FEED_SIZE);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		feed_stop(f);
		return;
	}
	f->off = 0;
	f->len = (size_t)n;
	feed_out(f);
}

/* poll() failed: just the exit status (no relay, no forwarding). */
static int wait_plain(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0; /* not ours to wait for (ECHILD) */
	return status;
}

static void set_exited(struct relay *r)
{
	r->exited = true;
	feed_stop(&r->in); /* nobody left to read it */
}

/* Forward a signal, or reap. Without a signalfd (EMFILE): look each time. */
static void on_signal(struct relay *r, struct hm_proc *p, bool readable)
{
	struct signalfd_siginfo si;
	pid_t w;

	if (r->sfd < 0)
		si.ssi_signo = SIGCHLD;
	else if (!readable || read(r->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (r->exited) /* reaped: the pid may be another's by now */
		return;
	if (si.ssi_signo == SIGWINCH) {
		if (r->ch[0].from >= 0)
			copy_winsize(STDIN_FILENO, r->ch[0].from);
		return;
	}
	if (si.ssi_signo != SIGCHLD) {
		kill(p->pid, (int)si.ssi_signo);
		return;
	}
	w = waitpid(p->pid, &r->status, WNOHANG);
	if (w == p->pid || (w < 0 && errno == ECHILD))
		set_exited(r);
}

/* Streams and the feed to watch; false once all output has ended. */
static bool poll_set(struct relay *r, struct pollfd fds[RELAY_FDS],
		     size_t *nfds)
{
	bool open = false;

	fds[0] = (struct pollfd){.fd = r->sfd, .events = POLLIN};
	for (int i = 0; i < 3; i++) {
		fds[1 + i] =
		    (struct pollfd){.fd = r->ch[i].from, .events = POLLIN};
		open |= r->ch[i].from >= 0;
	}
	fds[4] = (struct pollfd){
	    .fd =
		r->in_stdin && r->in.to >= 0 && !r->in.len ? STDIN_FILENO : -1,
	    .events = POLLIN};
	fds[5] =
	    (struct pollfd){.fd = r->in.len ? r->in.to : -1, .events = POLLOUT};
	/* a client's input waits while the feed is full (without -i it is
	 * dropped: a window size still counts) */
	*nfds = 6 + attach_poll_fds(r->att, !r->in.len, fds + 6, RELAY_FDS - 6);
	return open || !r->exited;
}

/* What an attached client sent: input for the feed, its end, a size. */
static void from_client(struct relay *r, struct pollfd *fds, size_t n)
{
	size_t len = 0;

	switch (attach_handle(r->att, fds, n, r->in.buf, FEED_SIZE, &len)) {
	case ATT_INPUT:
		if (r->in.to >= 0 && len) {
			r->in.off = 0;
			r->in.len = len;
			feed_out(&r->in);
		}
		break;
	case ATT_EOF: /* the starter's stdin ended: a pipe's too */
		if (r->in.own)
			feed_stop(&r->in);
		break;
	case ATT_WINSIZE:
		if (r->ch[0].from >= 0) /* the pty master, until it closed */
			ioctl(r->ch[0].from, TIOCSWINSZ, r->in.buf);
		break;
	default:
		break;
	}
}

static void relay_close(struct relay *r)
{
	for (int i = 0; i < 3; i++)
		if (r->ch[i].from >= 0)
			chan_end(&r->ch[i]);
	feed_stop(&r->in);
}

/*
 * Until the process exits: forward signals, feed stdin, relay the pty and
 * the output pipes; then the output up to EOF. The container's processes
 * hold the pipes' write ends: the end of its PID namespace (the init's
 * exit) closes them all, but an exec'd command's background children may
 * keep them, so after the exit a stream silent for DRAIN_IDLE_MS is given
 * up. An fd at EOF or error leaves the set for good, or poll() would
 * return at once forever. Everything of @r is closed on return.
 */
static void relay(struct relay *r, struct hm_proc *p)
{
	const short ready = POLLIN | POLLHUP | POLLERR | POLLNVAL;
	struct pollfd fds[RELAY_FDS];
	size_t nfds;
	int n;

	while (poll_set(r, fds, &nfds)) {
		n = poll(fds, nfds,
			 r->exited    ? DRAIN_IDLE_MS
			 : r->sfd < 0 ? 100
			 : r->on_idle ? r->idle_ms
				      : -1);
		if (n < 0 && errno == EINTR)
			continue;
		/* the timeout was idle_ms (not the 100 ms of no signalfd) */
		if (n == 0 && !r->exited && r->sfd >= 0 && r->on_idle) {
			r->on_idle();
			r->on_idle = NULL;
			continue;
		}
		if (n < 0 || (fds[0].revents & (POLLERR | POLLNVAL)))
			break;
		if (n == 0 && r->exited)
			break; /* silent since the exit: given up */
		for (int i = 0; i < 3; i++)
			if (fds[1 + i].revents & ready)
				pump(&r->ch[i]);
		if (r->ch[0].from < 0 && r->in.to == p->pty_master)
			r->in.to = -1; /* the pty is closed */
		if (fds[4].revents & ready)
			feed_in(&r->in);
		if (fds[5].revents & (ready | POLLOUT) && r->in.len)
			feed_out(&r->in);
		if (nfds > 6)
			from_client(r, fds + 6, nfds - 6);
		on_signal(r, p, fds[0].revents & POLLIN);
	}
	/* the readers go first: a writer blocked on a full pipe gets EPIPE */
	relay_close(r);
	if (!r->exited)
		r->status = wait_plain(p->pid);
}

int spawn_wait(const struct hm_spec *s, struct hm_proc *p,
	       const struct hm_io *io)
{
	static const struct hm_io plain = {
	    .in = -1, .out = -1, .err = -1, .echo = true};
	struct sigaction ign = {.sa_handler = SIG_IGN}, oldpipe;
	struct termios saved, raw;
	bool restore = false;
	struct relay *r = xcalloc(1, sizeof(*r));
	int status, echo_out, echo_err;
	sigset_t set;

	if (!io)
		io = &plain;
	/* not calloc'd: zeroing it faulted in 16 pages of nothing */
	r->in.buf = xmalloc(FEED_SIZE);
	echo_out = io->echo ? STDOUT_FILENO : -1;
	echo_err = io->echo ? STDERR_FILENO : -1;
	r->ch[0] = (struct chan){.from = p->pty_master,
				 .to = echo_out,
				 .log = io->log,
				 .name = "stdout"};
	r->ch[1] = (struct chan){
	    .from = io->out, .to = echo_out, .log = io->log, .name = "stdout"};
	r->ch[2] = (struct chan){
	    .from = io->err, .to = echo_err, .log = io->log, .name = "stderr"};
	r->in.to = s->interactive && (io->echo || io->attach)
		       ? (p->pty_master >= 0 ? p->pty_master : io->in)
		       : -1;
	r->in.own = p->pty_master < 0;
	r->in_stdin = io->echo;
	r->att = io->attach;
	r->on_idle = io->on_idle;
	r->idle_ms = io->idle_ms;
	for (int i = 0; i < 3; i++)
		r->ch[i].att = io->attach;
	if (io->in >= 0 && r->in.to != io->in)
		close(io->in);
	if (r->in.to >= 0)
		fcntl(r->in.to, F_SETFL, O_NONBLOCK);
	spawn_signals(&set);
	r->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (p->pty_master >= 0 && io->echo && isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
	}
	/* a reader of ours gone (| head): EPIPE ends its stream, not homo */
	sigaction(SIGPIPE, &ign, &oldpipe);
	relay(r, p);
	status = r->status;
	p->pty_master = -1; /* closed with the relay */
	if (r->sfd >= 0)
		close(r->sfd);
	free(r->in.buf);
	free(r);
	sigaction(SIGPIPE, &oldpipe, NULL);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
	return status;
}
