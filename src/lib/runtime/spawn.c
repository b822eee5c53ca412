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
#include "runtime/userns.h"

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

/* A foreground run on the user's own stdio, stdin relayed to the pty. */
static bool io_is_plain(const struct hm_io *io)
{
	return !io || (io->out < 0 && io->err < 0 && io->echo);
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * After GO: the child sends its tty master (with -t) and then either an
 * error (it exits) or nothing at all: EOF on the CLOEXEC socket means it
 * exec'd. On error the child is killed and reaped.
 */
static int sync_until_exec(int fd, struct hm_proc *p, struct hm_err *e)
{
	struct sync_msg m;
	ssize_t n;

	for (;;) {
		int passed = -1;

		n = util_recv_fd(fd, &m, sizeof(m), &passed);
		if (n == 0)
			break; /* EOF: the command exec'd */
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
		if (m.type == SYNC_ERR && (size_t)n == sizeof(m)) {
			*e = m.err;
			e->msg[sizeof(e->msg) - 1] = '\0';
		} else {
			hm_fail(e, EPROTO, "bad message from the container");
		}
		break;
	}
	if (!e->msg[0])
		return 0;
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
	a->overlay_fd =
	    userns_overlay(a->store_root, s->layers, upper, work, pid, e);
	return a->overlay_fd < 0 ? -1 : 0;
}

/*
 * The parent's setup of the child (cgroups, veth) is done (@failed: not):
 * send GO and wait until it exec'd; on any failure kill and reap it.
 */
static int release(int fd, struct hm_proc *p, int pass_fd, bool failed,
		   struct hm_err *e)
{
	if (failed || send_go(fd, pass_fd) < 0) {
		if (e->msg[0] == '\0')
			hm_fail(e, errno, "start the container's process");
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return -1;
	}
	FAULT_POINT("run-after-go");
	if (sync_until_exec(fd, p, e) < 0)
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

int spawn_start(struct init_args *a, struct hm_proc *p, struct hm_err *e)
{
	const struct hm_spec *s = a->spec;
	unsigned long flags =
	    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | SIGCHLD;
	cleanup_close int parent_fd = -1, cwd = -1;
	sigset_t set;
	int sp[2], r;

	hm_clear(e);
	FAULT_POINT("run-after-cgroup");
	p->pid = -1;
	p->pty_master = -1;
	if (s->net != NET_HOST)
		flags |= CLONE_NEWNET;
	if (s->uidmap.count)
		flags |= CLONE_NEWUSER;
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
	/* fork semantics (no new stack): the child runs on a copy of ours */
	p->pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (p->pid == 0) {
		close(parent_fd);
		if (cwd >= 0) /* our cwd: the host's, never the init's */
			close(cwd);
		init_main(a);
	}
	if (cwd >= 0 && fchdir(cwd) < 0)
		hm_fail(e, errno, "back to our working directory");
	close(sp[1]);
	if (p->pid < 0) {
		hm_fail(e, errno, "clone the container's init");
		return start_failed(p);
	}

	HM_TRACE("join cgroups, send GO");
	if (s->uidmap.count && userns_setup(a, p->pid, e) < 0) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return start_failed(p);
	}
	r = release(parent_fd, p, a->overlay_fd,
		    cgroup_enter(s->id, p->pid, e) < 0 ||
			(s->net == NET_BRIDGE &&
			 network_attach(&s->netcfg, s->id, p->pid, e) < 0),
		    e);
	if (a->overlay_fd >= 0) /* the init has its own copy now */
		close(a->overlay_fd);
	a->overlay_fd = -1;
	if (r < 0)
		return start_failed(p);
	HM_TRACE("the command runs");
	return 0;
}

int spawn_exec(const struct hm_spec *s, int pidfd, struct hm_proc *p,
	       struct hm_err *e)
{
	cleanup_close int parent_fd = -1;
	sigset_t set;
	int sp[2];
	char go = SYNC_GO;

	hm_clear(e);
	p->pid = -1;
	p->pty_master = -1;
	/* nothing in the container may open our /proc/PID/exe (the host's
	 * homo binary) while we are in its namespaces: CVE-2019-5736 */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return hm_fail(e, errno, "make homo non-dumpable");
	/* our children are born in its PID namespace; we stay outside */
	if (setns(pidfd, CLONE_NEWPID) < 0)
		return hm_fail(e, errno, "join the container's PID namespace");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	parent_fd = sp[0];
	wait_set(&set);
	sigprocmask(SIG_BLOCK, &set, &p->oldmask);

	p->pid = fork();
	if (p->pid == 0) {
		struct hm_err ce = {0};
		/* the cgroup namespace after homo moved us to its cgroups
		 * (GO), as the init did: it sees them as / too */
		int flags =
		    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;

		close(parent_fd);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (recv(sp[1], &go, 1, 0) != 1)
			_exit(HM_EXIT_FAIL);
		if (s->net != NET_HOST)
			flags |= CLONE_NEWNET;
		if (s->uidmap.count)
			flags |= CLONE_NEWUSER;
		/* all at once through the pidfd: no pid-reuse window */
		if (setns(pidfd, flags) < 0) {
			hm_fail(&ce, errno, "join the container's namespaces");
			init_exec_fail(sp[1], &ce);
		}
		if (s->uidmap.count &&
		    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
			hm_fail(&ce, errno,
				"become root in the user namespace");
			init_exec_fail(sp[1], &ce);
		}
		init_die_with_parent(sp[1]); /* setns/setresuid cleared it */
		init_exec_main(s, sp[1]);
	}
	close(sp[1]);
	if (p->pid < 0) {
		hm_fail(e, errno, "fork");
		return start_failed(p);
	}
	if (release(parent_fd, p, -1, cgroup_enter(s->id, p->pid, e) < 0, e) <
	    0)
		return start_failed(p);
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/*
 * Copy what is readable from @in to @out (if >= 0) and the log: 1 copied,
 * 0 EOF or error, -1 nothing there now.
 */
static int pump(int in, int out, struct hm_log *log, const char *stream)
{
	char buf[16384];
	ssize_t n = read(in, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR) ? -1 : 0;
	if (out >= 0)
		util_write_all(out, buf, (size_t)n); /* a gone reader: drop */
	log_write(log, stream, buf, (size_t)n);
	return 1;
}

/* After the init is gone: what is still in the pipes/pty, up to EOF. */
static void drain(int fd, int out, struct hm_log *log, const char *stream)
{
	if (fd < 0)
		return;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (pump(fd, out, log, stream) == 1)
		;
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

/*
 * Until the process exits: forward signals, relay the pty and stdin,
 * copy the output pipes. An fd at EOF or error (the container closed its
 * end: POLLHUP) leaves the set for good, or poll() would return at once
 * forever.
 */
static int relay(const struct hm_spec *s, struct hm_proc *p,
		 const struct hm_io *io, int sfd)
{
	int echo_out = io->echo ? STDOUT_FILENO : -1;
	int echo_err = io->echo ? STDERR_FILENO : -1;
	bool in_open = s->interactive && io_is_plain(io);
	struct pollfd fds[5] = {
	    {.fd = sfd, .events = POLLIN},
	    {.fd = p->pty_master, .events = POLLIN},
	    {.fd = in_open && p->pty_master >= 0 ? STDIN_FILENO : -1,
	     .events = POLLIN},
	    {.fd = io->out, .events = POLLIN},
	    {.fd = io->err, .events = POLLIN},
	};
	const short ready = POLLIN | POLLHUP | POLLERR;
	int status = 0;

	for (;;) {
		struct signalfd_siginfo si;
		pid_t r;

		/* no signalfd (EMFILE): poll for the exit, forward nothing */
		if (poll(fds, 5, sfd < 0 ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return wait_plain(p->pid);
		}
		if (fds[1].revents & ready &&
		    pump(fds[1].fd, echo_out, io->log, "stdout") == 0)
			fds[1].fd = -1;
		if (fds[2].revents & ready &&
		    pump(STDIN_FILENO, p->pty_master, NULL, NULL) == 0)
			fds[2].fd = -1;
		if (fds[3].revents & ready &&
		    pump(fds[3].fd, echo_out, io->log, "stdout") == 0)
			fds[3].fd = -1;
		if (fds[4].revents & ready &&
		    pump(fds[4].fd, echo_err, io->log, "stderr") == 0)
			fds[4].fd = -1;
		if (fds[0].revents & (POLLERR | POLLNVAL))
			return wait_plain(p->pid);
		if (sfd < 0)
			si.ssi_signo = SIGCHLD;
		else if (!(fds[0].revents & POLLIN) ||
			 read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH) {
			if (p->pty_master >= 0)
				copy_winsize(STDIN_FILENO, p->pty_master);
			continue;
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(p->pid, (int)si.ssi_signo);
			continue;
		}
		r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid)
			return status;
		if (r < 0 && errno != EINTR)
			return wait_plain(p->pid);
	}
}

int spawn_wait(const struct hm_spec *s, struct hm_proc *p,
	       const struct hm_io *io)
{
	static const struct hm_io plain = {.out = -1, .err = -1, .echo = true};
	struct termios saved, raw;
	bool restore = false;
	cleanup_close int sfd = -1;
	int status, echo_out, echo_err;
	sigset_t set;

	if (!io)
		io = &plain;
	echo_out = io->echo ? STDOUT_FILENO : -1;
	echo_err = io->echo ? STDERR_FILENO : -1;
	wait_set(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (p->pty_master >= 0 && io->echo) {
		if (isatty(STDIN_FILENO) &&
		    tcgetattr(STDIN_FILENO, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			restore = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
		}
	}
	status = relay(s, p, io, sfd);
	/* the last output, until the writers are gone (EOF, or EIO on a pty) */
	drain(p->pty_master, echo_out, io->log, "stdout");
	drain(io->out, echo_out, io->log, "stdout");
	drain(io->err, echo_err, io->log, "stderr");
	if (p->pty_master >= 0)
		close(p->pty_master);
	p->pty_master = -1;
	if (restore)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
	return status;
}
