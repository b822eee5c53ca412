/* SPDX-License-Identifier: MIT */
/*
 * The parent side of a run (docs/architecture.md, "A container start", steps
 * 4-5 and 8): clone the init, join it to its cgroups, release it, learn whether
 * it exec'd, then wait for it while forwarding signals and relaying its tty.
 */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/util.h"
#include "base/rootless.h"
#include "runtime/attach.h"
#include "runtime/cgroup.h"
#include "runtime/exec_shim.h"
#include "runtime/nsjoin.h"
#include "runtime/rootless_net.h"
#include "runtime/userns.h"

/* The most one splice moves: a whole (enlarged) pipe at once. */
#define RELAY_CHUNK (1 << 20)

static const int forwarded[] = {SIGINT,	 SIGTERM, SIGHUP,
				SIGQUIT, SIGUSR1, SIGUSR2};

static void wait_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * After GO: the child sends its tty master (with -t) and then either an
 * error (it exits) or nothing at all: EOF on the CLOEXEC socket means the
 * command exec'd (the exec shim closes it then, or reports why not). On error
 * the child is killed and reaped.
 */
static int sync_until_exec(int fd, struct hm_proc *p, const char *cmd,
			   struct hm_err *e)
{
	struct sync_msg m;
	ssize_t n;

	for (;;) {
		int passed = -1;

		n = util_recv_fd(fd, &m, sizeof(m), &passed);
		if (n == 0)
			return 0; /* EOF: the command exec'd */
		if (n < 0 || (size_t)n < sizeof(m.type)) {
			hm_fail(e, n < 0 ? errno : EPROTO,
				"read from the container's process");
			break;
		}
		if (m.type == SYNC_PTY && passed >= 0) {
			p->pty_master = passed;
			continue;
		}
		if (passed >= 0)
			close(passed);
		/* the exec shim: the command's own exec failed */
		if (exec_shim_decode(&m, (size_t)n, cmd, e))
			break;
		if (m.type != SYNC_ERR || (size_t)n != sizeof(m)) {
			hm_fail(e, EPROTO, "bad message from the container");
			break;
		}
		m.err.msg[sizeof(m.err.msg) - 1] = '\0';
		/* a report is a failure, said or not */
		if (!m.err.msg[0])
			hm_failx(&m.err,
				 m.err.exit_code ? m.err.exit_code
						 : HM_EXIT_FAIL,
				 "the container's process failed");
		if (e)
			*e = m.err;
		break;
	}
	kill(p->pid, SIGKILL);
	reap(p->pid);
	if (p->pty_master >= 0)
		close(p->pty_master);
	p->pty_master = -1;
	return -1;
}

/* GO, with the overlay's mount fd attached in a user namespace. */
static int send_go(int fd, int pass_fd)
{
	char go = SYNC_GO;

	return util_send_fd(fd, &go, 1, pass_fd) == 1 ? 0 : -1;
}

/*
 * The new user namespace: the id maps first (until then the init is
 * nobody), then the overlay, whose idmapped layers need the namespace.
 */
static int userns_setup(struct init_args *a, pid_t pid, struct hm_err *e)
{
	const struct hm_spec *s = a->spec;
	cleanup_free char *upper = xasprintf("%s/upper", a->cdir);
	cleanup_free char *work = xasprintf("%s/work", a->cdir);

	if (userns_write_maps(pid, &s->uidmap, &s->gidmap, e) < 0)
		return -1;
	a->overlay_fd = userns_overlay(a->store_root, s->layers, upper, work,
				       a->merged, pid, e);
	return a->overlay_fd < 0 ? -1 : 0;
}

/*
 * The parent's setup of the child (cgroups, veth) is done (@failed: not):
 * send GO and wait until it exec'd; on any failure kill and reap it.
 */
static int release(int fd, struct hm_proc *p, const char *cmd, int pass_fd,
		   bool failed, struct hm_err *e)
{
	int err;

	/* @failed: the setup's callee has said why in @e */
	if (!failed && send_go(fd, pass_fd) < 0) {
		/* gone before GO (its own cgroup join failed): its report
		 * waits in the socket */
		err = errno;
		if (sync_until_exec(fd, p, cmd, e) < 0)
			return -1;
		hm_fail(e, err, "start the container's process");
		failed = true;
	}
	if (failed) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return -1;
	}
	FAULT_POINT("run-after-go");
	if (sync_until_exec(fd, p, cmd, e) < 0)
		return -1;
	p->starttime = util_proc_starttime(p->pid);
	return 0;
}

/* No process to wait for: the caller's signal mask back, as it was. */
static int start_failed(struct hm_proc *p)
{
	sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
	p->pid = -1;
	return -1;
}

/* Into the network namespace of the process behind @pidfd; *@own, ours. */
static int join_netns(int pidfd, int *own, struct hm_err *e)
{
	*own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*own < 0)
		return hm_fail(e, errno, "open our network namespace");
	if (setns(pidfd, CLONE_NEWNET) < 0)
		return hm_fail(e, errno,
			       "join the other container's network "
			       "namespace");
	return 0;
}

/* rootless, the bridge is pasta's NAT (runtime/rootless_net.c) */
static int rootless_nat(const struct init_args *a, pid_t pid, struct hm_err *e)
{
	cleanup_free char *rundir = xstrdup(a->merged);

	*strrchr(rundir, '/') = '\0';
	return rootless_net_start(a->spec, pid, rundir, e);
}

int spawn_start(struct init_args *a, struct hm_proc *p, struct hm_err *e)
{
	const struct hm_spec *s = a->spec;
	unsigned long flags =
	    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | SIGCHLD;
	cleanup_close int parent_fd = -1, cwd = -1, netns = -1, cgfd = -1;
	bool born_in = false;
	sigset_t set;
	int sp[2], r;

	hm_clear(e);
	FAULT_POINT("run-after-cgroup");
	p->pid = -1;
	p->pty_master = -1;
	if (s->net != NET_HOST && s->net != NET_CONTAINER)
		flags |= CLONE_NEWNET;
	if (s->uidmap.count)
		flags |= CLONE_NEWUSER;
	/* the init joins its v1 cgroups itself, but from a user namespace
	 * (an unprivileged host uid) it may not */
	a->cgroup_self = !s->uidmap.count;
	if (cgroup_clone_fd(s->id, &cgfd, e) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	parent_fd = sp[0];
	/* blocked before clone so none is lost; the init restores them */
	wait_set(&set);
	sigprocmask(SIG_BLOCK, &set, &p->oldmask);
	a->sync_fd = sp[1];

	/* a user namespace's init starts in the runtime dir (init_args) */
	if (s->uidmap.count) {
		cleanup_free char *rundir = xstrdup(a->merged);

		*strrchr(rundir, '/') = '\0';
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || chdir(rundir) < 0) {
			hm_fail(e, errno, "chdir \"%s\"", rundir);
			close(sp[1]);
			return start_failed(p);
		}
	}
	HM_TRACE("clone init (flags 0x%lx)", flags);
	/* --network container: born in the other's namespace (we go back) */
	if (a->netns_fd >= 0 && join_netns(a->netns_fd, &netns, e) < 0) {
		close(sp[1]);
		return start_failed(p);
	}
	p->pid = cgroup_clone(flags, cgfd, &born_in);
	if (p->pid == 0) {
		close(parent_fd);
		if (cwd >= 0) /* our cwd: the host's, never the init's */
			close(cwd);
		init_main(a);
	}
	if (p->pid < 0)
		hm_fail(e, errno, "clone the container's init");
	r = cwd >= 0 && fchdir(cwd) < 0 ? errno : 0;
	if (netns >= 0 && setns(netns, CLONE_NEWNET) < 0)
		r = errno; /* what we set up next would be in the other's */
	close(sp[1]);
	if (p->pid < 0)
		return start_failed(p);
	if (r) {
		hm_fail(e, r, "back to our working directory and network");
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return start_failed(p);
	}

	HM_TRACE("cgroups the init did not join, send GO");
	if (s->uidmap.count && userns_setup(a, p->pid, e) < 0) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return start_failed(p);
	}
	r = release(parent_fd, p, s->argv[0], a->overlay_fd,
		    cgroup_join_rest(s->id, p->pid, cgfd, born_in,
				     a->cgroup_self, e) < 0 ||
			(s->net == NET_BRIDGE && !hm_rootless() &&
			 network_attach(&s->netcfg, s->id, p->pid, e) < 0) ||
			(s->net == NET_BRIDGE && hm_rootless() &&
			 rootless_nat(a, p->pid, e) < 0),
		    e);
	if (a->overlay_fd >= 0) /* the init has its own copy now */
		close(a->overlay_fd);
	a->overlay_fd = -1;
	if (r < 0)
		return start_failed(p);
	HM_TRACE("the command runs");
	return 0;
}

int spawn_exec(const struct hm_spec *s, int pidfd, const int stdio[3],
	       struct hm_proc *p, struct hm_err *e)
{
	cleanup_close int parent_fd = -1, cgfd = -1;
	bool born_in = false;
	struct nsjoin j;
	sigset_t set;
	int sp[2];
	char go = SYNC_GO;

	hm_clear(e);
	p->pid = -1;
	p->pty_master = -1;
	/* non-dumpable, our children in its PID namespace (nsjoin.h) */
	if (nsjoin_open(&j, pidfd, e) < 0 || nsjoin_parent(&j, e) < 0 ||
	    cgroup_clone_fd(s->id, &cgfd, e) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	parent_fd = sp[0];
	wait_set(&set);
	sigprocmask(SIG_BLOCK, &set, &p->oldmask);

	p->pid = cgroup_clone(SIGCHLD, cgfd, &born_in);
	if (p->pid == 0) {
		struct hm_err ce = {0};

		close(parent_fd);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* born in the cgroup2 cgroup; the v1 ones as the init joins
		 * them (cgroup.h), still with our credentials */
		if (cgroup_enter_v1(s->id, 0, &ce) < 0)
			init_exec_fail(sp[1], &ce);
		/* the pipes, before anything of the container is near */
		for (int i = 0; i < 3; i++)
			if (stdio[i] >= 0 && dup2(stdio[i], i) < 0)
				_exit(HM_EXIT_FAIL);
		if (recv(sp[1], &go, 1, 0) != 1)
			_exit(HM_EXIT_FAIL);
		/* in its cgroups by now: the namespaces, the OCI exec's way */
		if (nsjoin_enter(&j, &ce) < 0)
			init_exec_fail(sp[1], &ce);
		init_die_with_parent(sp[1]); /* setns/setresuid cleared it */
		init_exec_main(s, sp[1]);
	}
	close(sp[1]);
	if (p->pid < 0) {
		hm_fail(e, errno, "fork");
		return start_failed(p);
	}
	if (release(parent_fd, p, s->argv[0], -1,
		    cgroup_join_rest(s->id, p->pid, cgfd, born_in, true, e) < 0,
		    e) < 0)
		return start_failed(p);
	return 0;
}

void spawn_close3(int fds[3])
{
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = fds[2] = -1;
}

int spawn_stdio(const struct hm_spec *s, int child[3], struct hm_io *io,
		struct hm_err *e)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};

	child[0] = child[1] = child[2] = -1;
	io->in = io->out = io->err = -1;
	if (s->tty)
		return 0;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    (s->interactive && pipe2(in, O_CLOEXEC) < 0)) {
		int fail[3] = {in[1], out[0], err[0]};

		hm_fail(e, errno, "pipe for the container's stdio");
		spawn_close3((int[3]){in[0], out[1], err[1]});
		spawn_close3(fail);
		return -1;
	}
	/* a bigger pipe: fewer trips through the relay for bulk output */
	fcntl(out[0], F_SETPIPE_SZ, RELAY_CHUNK);
	child[0] = in[0], child[1] = out[1], child[2] = err[1];
	io->in = in[1], io->out = out[0], io->err = err[0];
	return 0;
}

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
	char buf[65536];
};

struct relay {
	struct chan ch[3]; /* the pty, stdout, stderr */
	struct feed in;
	int sfd, status;
	bool exited;
	bool in_stdin;	       /* the feed reads our stdin (else clients') */
	struct hm_attach *att; /* the monitor's attach clients, or NULL */
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
		n = splice(c->from, NULL, c->to, NULL, RELAY_CHUNK, 0);
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
	ssize_t n = read(STDIN_FILENO, f->buf, sizeof(f->buf));

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

	switch (
	    attach_handle(r->att, fds, n, r->in.buf, sizeof(r->in.buf), &len)) {
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
				      : -1);
		if (n < 0 && errno == EINTR)
			continue;
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
	for (int i = 0; i < 3; i++)
		r->ch[i].att = io->attach;
	if (io->in >= 0 && r->in.to != io->in)
		close(io->in);
	if (r->in.to >= 0)
		fcntl(r->in.to, F_SETFL, O_NONBLOCK);
	wait_set(&set);
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
	free(r);
	sigaction(SIGPIPE, &oldpipe, NULL);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
	return status;
}
