/* SPDX-License-Identifier: MIT */
/*
 * The parent side of a run (design.md §4, parent steps 3-6): clone the
 * init, join it to its cgroups, release it, learn whether it exec'd, then
 * wait for it while forwarding signals and relaying its tty.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

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

/* One packet from the init; a SYNC_PTY one carries the tty master. */
static ssize_t recv_msg(int fd, struct sync_msg *m, int *passed_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(passed_fd, CMSG_DATA(c), sizeof(int));
	return n;
}

int spawn_start(struct init_args *a, struct hm_proc *p, struct hm_err *e)
{
	const struct hm_spec *s = a->spec;
	unsigned long flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			      CLONE_NEWPID | SIGCHLD;
	cleanup_close int parent_fd = -1;
	struct sync_msg m;
	sigset_t set;
	int sp[2];
	char go = SYNC_GO;
	ssize_t n;

	hm_clear(e);
	p->pid = -1;
	p->pty_master = -1;
	if (s->net == NET_NONE)
		flags |= CLONE_NEWNET;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	parent_fd = sp[0];
	/* blocked before clone so none is lost; the init restores them */
	wait_set(&set);
	sigprocmask(SIG_BLOCK, &set, &p->oldmask);
	a->oldmask = p->oldmask;
	a->sync_fd = sp[1];

	HM_TRACE("clone init (flags 0x%lx)", flags);
	/* fork semantics (no new stack): the child runs on a copy of ours */
	p->pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (p->pid == 0) {
		close(parent_fd);
		init_main(a);
	}
	close(sp[1]);
	if (p->pid < 0)
		return hm_fail(e, errno, "clone the container's init");

	HM_TRACE("join cgroups, send GO");
	if (cgroup_enter(s->id, p->pid, e) < 0 ||
	    send(parent_fd, &go, 1, MSG_NOSIGNAL) != 1) {
		if (e->msg[0] == '\0')
			hm_fail(e, errno, "start the container's init");
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return -1;
	}
	for (;;) {
		int fd = -1;

		n = recv_msg(parent_fd, &m, &fd);
		if (n == 0)
			break; /* EOF: the command exec'd */
		if (n < 0 || (size_t)n < sizeof(m.type)) {
			hm_fail(e, n < 0 ? errno : EPROTO,
				"read from the container's init");
			break;
		}
		if (m.type == SYNC_PTY && fd >= 0) {
			p->pty_master = fd;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (m.type == SYNC_ERR && (size_t)n == sizeof(m)) {
			*e = m.err;
			e->msg[sizeof(e->msg) - 1] = '\0';
		} else {
			hm_fail(e, EPROTO, "bad message from the init");
		}
		break;
	}
	if (e->msg[0]) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		if (p->pty_master >= 0)
			close(p->pty_master);
		p->pty_master = -1;
		return -1;
	}
	p->starttime = util_proc_starttime(p->pid);
	HM_TRACE("the command runs");
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* Copy what is readable from @in to @out: 1 copied, 0 EOF/error, -1 again. */
static int pump(int in, int out)
{
	char buf[8192];
	ssize_t n = read(in, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR) ? -1 : 0;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(out, buf + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		off += w;
	}
	return 1;
}

int spawn_wait(const struct hm_spec *s, struct hm_proc *p)
{
	struct termios saved, raw;
	bool restore = false, in_open = s->interactive;
	cleanup_close int sfd = -1;
	int status = 0;
	sigset_t set;

	wait_set(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (p->pty_master >= 0) {
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			restore = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
		}
		copy_winsize(STDOUT_FILENO, p->pty_master);
		if (isatty(STDIN_FILENO))
			copy_winsize(STDIN_FILENO, p->pty_master);
	}
	for (;;) {
		struct pollfd fds[3] = {
			{.fd = sfd, .events = POLLIN},
			{.fd = p->pty_master, .events = POLLIN},
			{.fd = in_open && p->pty_master >= 0 ? STDIN_FILENO
							     : -1,
			 .events = POLLIN},
		};
		struct signalfd_siginfo si;
		pid_t r;

		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR) &&
		    pump(p->pty_master, STDOUT_FILENO) == 0)
			fds[1].fd = -1;
		if (fds[2].revents & (POLLIN | POLLHUP | POLLERR) &&
		    pump(STDIN_FILENO, p->pty_master) == 0)
			in_open = false;
		if (!(fds[0].revents & POLLIN) ||
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
			break;
	}
	if (p->pty_master >= 0) {
		/* the last output, until the slave side is gone (EIO) */
		fcntl(p->pty_master, F_SETFL, O_NONBLOCK);
		while (pump(p->pty_master, STDOUT_FILENO) == 1)
			;
		close(p->pty_master);
		p->pty_master = -1;
	}
	if (restore)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
	return status;
}
