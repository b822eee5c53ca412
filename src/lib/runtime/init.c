/* SPDX-License-Identifier: MIT */
/*
 * The container side of a run (docs/architecture.md, "A container start",
 * steps 6-7; docs/run.md). This runs in the clone()d process, already in
 * its new namespaces: it builds the container's OCI spec (spec_oci.c),
 * waits for the parent's GO, builds the root filesystem, sets hostname,
 * network, tty, user, capabilities and no_new_privs, and execs the
 * command, with the OCI runtime's functions where the two agree
 * (docs/oci.md, "One path"). Any failure goes to the parent as a struct
 * hm_err over the sync socket, then _exit.
 */
#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/idmap.h"
#include "base/number.h"
#include "base/rootless.h"
#include "base/util.h"
#include "net/inside.h"
#include "runtime/cgroup.h"
#include "runtime/exec_shim.h"
#include "runtime/oci_container.h"
#include "runtime/rootfs.h"
#include "runtime/seccomp.h"
#include "runtime/spec_oci.h"

__attribute__((noreturn)) static void die(int fd, const struct hm_err *e)
{
	struct sync_msg m = {.type = SYNC_ERR, .err = *e};

	if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		_exit(HM_EXIT_FAIL);
	_exit(e->exit_code ? e->exit_code : HM_EXIT_FAIL);
}

static char *cmdline_start;
static size_t cmdline_len;

void init_set_cmdline_area(char *start, size_t len)
{
	cmdline_start = start;
	cmdline_len = len;
}

/*
 * Our /proc/PID/cmdline, which any process of the container can read, as
 * "@name -- CMD ARG..." (docker-init's form) instead of homo's: what fits
 * in the area, NUL-padded (the kernel reads the area, whatever its end).
 */
static void write_cmdline(const char *name, char *const *argv)
{
	const char *head[] = {name, "--"};
	char *p = cmdline_start, *end = p + cmdline_len;

	memset(p, 0, cmdline_len);
	for (size_t i = 0; i < ARRAY_SIZE(head) + strv_len(argv); i++) {
		const char *w = i < 2 ? head[i] : argv[i - 2];
		size_t n = strlen(w) + 1;

		if (n > (size_t)(end - p))
			break;
		memcpy(p, w, n);
		p += n;
	}
}

/*
 * A process that shares homo's memory (@shared) would rewrite homo's own:
 * a run's init is the container's first process, nothing sees it before
 * its exec replaces the area; homo exec's parent hides its own instead.
 */
static void set_cmdline(const char *name, char *const *argv, bool shared)
{
	prctl(PR_SET_NAME, name);
	if (cmdline_start && !shared)
		write_cmdline(name, argv);
}

char *init_cmdline_hide(const char *name, char *const *argv)
{
	char *saved;

	if (!cmdline_start)
		return NULL;
	saved = xmalloc(cmdline_len);
	memcpy(saved, cmdline_start, cmdline_len);
	write_cmdline(name, argv);
	return saved;
}

void init_cmdline_restore(char *saved)
{
	if (!saved)
		return;
	memcpy(cmdline_start, saved, cmdline_len);
	free(saved);
}

void init_exec_fail(int sync_fd, struct hm_err *e)
{
	die(sync_fd, e);
}

void init_die_with_parent(int sync_fd)
{
	struct pollfd p = {.fd = sync_fd, .events = POLLRDHUP};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* gone before that? getppid() says 0 across the PID namespace, but
	 * its end of the sync socket (held until we exec) is closed then */
	if (poll(&p, 1, 0) < 0 || p.revents & (POLLHUP | POLLRDHUP | POLLERR))
		_exit(HM_EXIT_FAIL);
}

/* A pty from the container's own devpts; its master goes to the parent. */
static int setup_tty(int sync_fd, bool console, struct hm_err *e)
{
	struct sync_msg m = {.type = SYNC_PTY};
	cleanup_close int master = -1;
	char slave[64];
	int fd;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, sizeof(slave)) != 0)
		return hm_fail(e, errno, "open a pty in the container");
	if (console && rootfs_bind_console(slave, e) < 0)
		return -1;
	if (util_send_fd(sync_fd, &m, sizeof(m), master) < 0)
		return hm_fail(e, errno, "send the pty to homo");
	if (setsid() < 0)
		return hm_fail(e, errno, "setsid");
	fd = open(slave, O_RDWR); /* not CLOEXEC: it becomes stdio */
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		return hm_fail(e, errno, "open tty \"%s\"", slave);
	/* the size before exec, from the user's terminal still on our stdio */
	for (int i = 0; i < 3; i++) {
		struct winsize ws;

		if (ioctl(i, TIOCGWINSZ, &ws) == 0) {
			ioctl(fd, TIOCSWINSZ, &ws);
			break;
		}
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return hm_fail(e, errno, "dup2 tty");
	if (fd > 2)
		close(fd);
	return 0;
}

static int stdin_null(struct hm_err *e)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || dup2(fd, 0) < 0)
		return hm_fail(e, errno, "open /dev/null as stdin");
	if (fd > 0)
		close(fd);
	return 0;
}

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t ngroups;
	char home[256];
};

/*
 * A uid or gid of -u or of the image's /etc/passwd and /etc/group, which
 * are the image author's: strtoul() took "-4294967295" as 1, and the
 * passwd gid was not checked at all ("abc" was gid 0, root's group).
 * 4294967295 is (uid_t)-1, "no change" to setresuid().
 */
static bool parse_id(const char *s, unsigned long *out)
{
	uint64_t v;

	if (num_parse_u64(s, 0, UINT32_MAX - 1, &v) < 0)
		return false;
	*out = (unsigned long)v;
	return true;
}

/*
 * A path of the image or the options, after pivot_root: no /proc magic
 * link (/proc/self/fd/N, .../cwd) may lead out of the container's root.
 */
static int open_in_container(const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)flags | O_CLOEXEC,
	    .resolve = RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

static FILE *open_db(const char *path)
{
	int fd = open_in_container(path, O_RDONLY);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");

	if (!f && fd >= 0)
		close(fd);
	return f;
}

/*
 * -u NAME|UID[:GROUP|GID] against the image's /etc/passwd and /etc/group
 * (read after pivot_root: the container's files, never the host's).
 */
static int resolve_user(const char *spec, struct user_ids *u, struct hm_err *e)
{
	cleanup_free char *user = xstrdup(spec ? spec : "");
	char *group = strchr(user, ':'), line[1024];
	cleanup_fclose FILE *pw = NULL, *gr = NULL;
	const char *uname = NULL;
	unsigned long n;
	bool found = false;

	memset(u, 0, sizeof(*u));
	snprintf(u->home, sizeof(u->home), "/");
	if (group)
		*group++ = '\0';
	if (!*user)
		user = (free(user), xstrdup("0"));
	pw = open_db("/etc/passwd");
	while (pw && fgets(line, sizeof(line), pw)) {
		char *f[7] = {0}, *p = line;
		unsigned long id, gid;

		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 7 && p; i++)
			f[i] = strsep(&p, ":");
		if (!f[3] || !parse_id(f[2], &id) || !parse_id(f[3], &gid))
			continue;
		if (strcmp(f[0], user) && !(parse_id(user, &n) && n == id))
			continue;
		u->uid = (uid_t)id;
		u->gid = (gid_t)gid;
		if (f[5] && *f[5])
			snprintf(u->home, sizeof(u->home), "%s", f[5]);
		uname = strdupa(f[0]);
		found = true;
		break;
	}
	if (!found) {
		if (!parse_id(user, &n))
			return hm_failx(e, HM_EXIT_FAIL,
					"unable to find user %s: no matching "
					"entries in passwd file",
					user);
		u->uid = (uid_t)n;
		u->gid = 0; /* Docker's (runc's) group of a uid not in passwd */
	}
	gr = open_db("/etc/group");
	if (group && !parse_id(group, &n) && !gr)
		return hm_failx(e, HM_EXIT_FAIL,
				"unable to find group %s: no /etc/group",
				group);
	if (group && parse_id(group, &n))
		u->gid = (gid_t)n;
	found = !group || parse_id(group, &n);
	while (gr && fgets(line, sizeof(line), gr)) {
		char *f[4] = {0}, *p = line, *m;
		unsigned long id;

		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 4 && p; i++)
			f[i] = strsep(&p, ":");
		if (!f[2] || !parse_id(f[2], &id))
			continue;
		if (group && !strcmp(f[0], group)) {
			u->gid = (gid_t)id;
			found = true;
		}
		/* supplementary groups that list the user by name */
		while (uname && f[3] && (m = strsep(&f[3], ",")))
			if (!strcmp(m, uname) &&
			    u->ngroups < ARRAY_SIZE(u->groups))
				u->groups[u->ngroups++] = (gid_t)id;
	}
	if (!found)
		return hm_failx(e, HM_EXIT_FAIL,
				"unable to find group %s: no matching entries "
				"in group file",
				group);
	return 0;
}

/*
 * The command, found on the container's PATH and exec'd by the OCI
 * runtime's functions (oci_container.h): Docker's 127 when not found, 126
 * when it cannot run, the phrases engines read. Returns only on failure.
 */
static void exec_command(const struct oci_process *p, int sync_fd,
			 struct hm_err *e)
{
	cleanup_free char *path = NULL;

	if (!p->args || !p->args[0] || !*p->args[0]) {
		hm_failx(e, HM_EXIT_NOT_FOUND,
			 "no command given and the image has none");
		return;
	}
	path = oci_process_find(p, e);
	if (path)
		oci_process_exec(p, path, "homo", sync_fd, e);
}

/* exec's -w made if missing, as the init's was with the root (Docker) */
static int make_workdir(const char *dir, struct hm_err *e)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return hm_fail(e, errno, "open the container's root");
	return oci_cwd_make(root, dir, e);
}

/*
 * --init: a tiny init as PID 1 that forwards signals to the command (PID
 * 2) and reaps orphans, so a signal the command does not handle still
 * ends it (a PID 1 ignores such signals) and exits as 128+N, like
 * docker run --init. It is a copy of homo that never execs, so it makes
 * itself non-dumpable: the container cannot open its /proc/1/exe.
 */
static void mini_init(pid_t child)
{
	sigset_t all;
	int status = 0;

	prctl(PR_SET_DUMPABLE, 0);
	sigfillset(&all); /* blocked since before fork: no SIGCHLD is lost */
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		for (;;) {
			pid_t p = waitpid(-1, &status, WNOHANG);

			if (p <= 0)
				break;
			if (p != child)
				continue;
			if (WIFSIGNALED(status))
				_exit(128 + WTERMSIG(status));
			_exit(WEXITSTATUS(status));
		}
	}
}

static void become_command(const struct hm_spec *s,
			   const struct oci_process *proc, int sync_fd,
			   bool console, bool with_init, bool shared)
    __attribute__((noreturn));

/*
 * Close every fd but 0-2 and @keep (-1 entries ignored). What homo held
 * when it cloned or forked us (its cwd, store and lock fds, the monitor's
 * pipes, a pidfd) would otherwise stay reachable through /proc/self/fd/N
 * by a path from the image or the options (-w, /etc/passwd): CLOEXEC is
 * too late, those paths are resolved before exec.
 */
static int close_all_but(const int *keep, size_t n, struct hm_err *e)
{
	unsigned int next = 3;

	for (;;) {
		unsigned int low = ~0U;

		for (size_t i = 0; i < n; i++)
			if (keep[i] >= (int)next && (unsigned int)keep[i] < low)
				low = (unsigned int)keep[i];
		if (low > next &&
		    syscall(SYS_close_range, next, low - 1, 0) < 0)
			return hm_fail(e, errno, "close homo's fds");
		if (low == ~0U)
			return 0;
		next = low + 1;
	}
}

/* Whether @gid exists here: not the tty group of a single-id rootless map */
static bool gid_mapped(uint32_t gid)
{
	struct hm_idmap m;

	return idmap_self("gid_map", gid, &m) != 0;
}

int init_build_spec(struct init_args *a, struct oci_spec *o, struct hm_err *e)
{
	struct spec_oci_host h = {
	    .root_path = a->merged,
	    /* relative to the runtime dir in a user namespace */
	    .etc_dir = a->spec->uidmap.count ? "" : a->cdir,
	    .tty_gid = gid_mapped(5),
	    .rootless = hm_rootless(),
	};

	a->oci = o;
	return spec_oci_build(a->spec, &h, o, e);
}

/*
 * GO from homo, with the overlay's mount fd in a user namespace. homo's
 * network thread may have been quicker (it starts before our clone where
 * our network namespace was made for us: spawn_net.h): its word, kept in
 * *@net for wait_net().
 */
static int recv_go(int fd, int *passed, char *net)
{
	char m;

	for (;;) {
		if (util_recv_fd(fd, &m, 1, passed) != 1)
			return -1;
		if (m == SYNC_GO)
			return 0;
		if (*net || (m != SYNC_NET && m != SYNC_NET_FAILED))
			return -1;
		*net = m;
	}
}

/*
 * On homo's bridge as root, homo's network thread attaches and configures
 * eth0 while we set up the root (spawn_net.h); we wait for it before
 * anything that may need eth0 (a sysctl of it, the command), unless it
 * spoke before GO (@net).
 */
static void wait_net(int fd, char net)
{
	ssize_t n = 1;

	while (!net && (n = recv(fd, &net, 1, 0)) < 0 && errno == EINTR)
		;
	if (n != 1 || net != SYNC_NET)
		_exit(HM_EXIT_FAIL); /* homo tells why */
}

void init_main(struct init_args *parent_args)
{
	/* ours: homo's may be in memory we share with it (clone_vm.h) */
	struct init_args args = *parent_args, *a = &args;
	const struct hm_spec *s = a->spec;
	struct hm_err e = {0};
	struct oci_spec oci;
	char net = 0; /* the network thread's word, if before GO */

	int keep[] = {a->sync_fd, a->stdio[0], a->stdio[1], a->stdio[2]};

	/* die with homo: without a daemon, nobody else would reap us */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (close_all_but(keep, ARRAY_SIZE(keep), &e) < 0)
		die(a->sync_fd, &e);
	/* born in our cgroup2 one; the v1 ones we join ourselves, cheaper
	 * than homo moving us (cgroup.h): as homo attaches the network, or,
	 * sharing its memory (until GO only system calls), right after GO,
	 * while homo only waits, before anything else */
	if (a->cgroup_self && !a->shared_vm &&
	    cgroup_enter_v1(s->id, 0, &e) < 0)
		die(a->sync_fd, &e);
	if (recv_go(a->sync_fd, &a->overlay_fd, &net) < 0)
		_exit(HM_EXIT_FAIL); /* parent gone or failed: nothing to say */
	if (a->cgroup_self && a->shared_vm && cgroup_enter_v1(s->id, 0, &e) < 0)
		die(a->sync_fd, &e);
	/* in a user namespace we were nobody until the maps were written */
	if (s->uidmap.count &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		hm_fail(&e, errno, "become root in the user namespace");
		die(a->sync_fd, &e);
	}
	init_die_with_parent(a->sync_fd); /* setresuid() cleared it */
	/* GO: homo has put us in our cgroups, so they become the root of
	 * our view (/proc/self/cgroup, a cgroup mount); in a user namespace,
	 * that one owns it (a --cap-add SYS_ADMIN mount needs that) */
	if (unshare(CLONE_NEWCGROUP) < 0) {
		hm_fail(&e, errno, "unshare the cgroup namespace");
		die(a->sync_fd, &e);
	}

	/* without a user namespace, homo built it before the clone */
	if ((s->uidmap.count && init_build_spec(a, &oci, &e) < 0) ||
	    rootfs_setup(a, &e) < 0)
		die(a->sync_fd, &e);
	if (a->net_thread) {
		HM_TRACE("container: wait for the network");
		wait_net(a->sync_fd, net);
	}
	HM_TRACE("container: hostname, network, user");
	if (oci_kernel_settings(a->oci, &e) < 0)
		die(a->sync_fd, &e);
	if (s->net != NET_HOST && !a->net_thread && inside_lo_up(&e) < 0)
		die(a->sync_fd, &e);
	/* a detached or logged container writes into the monitor's pipes */
	for (int i = 0; i < 3; i++) {
		if (a->stdio[i] < 0 || dup2(a->stdio[i], i) >= 0)
			continue;
		hm_fail(&e, errno, "dup2 the container's stdio");
		die(a->sync_fd, &e);
	}
	/* the originals (and the overlay fd) go in become_command() */
	become_command(s, &a->oci->process, a->sync_fd, true, s->init,
		       a->shared_vm);
}

void init_exec_main(const struct hm_spec *s, int sync_fd, bool shared)
{
	struct oci_spec o;
	struct hm_err e = {0};

	if (spec_oci_process(s, &o, &e) < 0)
		die(sync_fd, &e);
	become_command(s, &o.process, sync_fd, false, false, shared);
}

/*
 * What the init and every "homo exec" process share, from stdio to
 * execve: tty or /dev/null stdin, user, workdir (exec's made here),
 * capabilities, no_new_privs, environment, fds, signals. Never returns.
 */
static void become_command(const struct hm_spec *s,
			   const struct oci_process *proc, int sync_fd,
			   bool console, bool with_init, bool shared)
{
	struct oci_process p = *proc;
	struct hm_err e = {0};
	struct user_ids u;
	sigset_t empty;
	int keep[2] = {sync_fd, -1};

	set_cmdline(console ? "homo-init" : "homo-exec", s->argv, shared);
	/* the shim to exec the command through, before any filter */
	keep[1] = exec_shim_open(&e);
	if (keep[1] < 0)
		die(sync_fd, &e);
	/* before any path of the image or the options is resolved */
	if (close_all_but(keep, ARRAY_SIZE(keep), &e) < 0)
		die(sync_fd, &e);
	if (s->tty ? setup_tty(sync_fd, console, &e) < 0
		   : !s->interactive && stdin_null(&e) < 0)
		die(sync_fd, &e);
	if (resolve_user(s->user, &u, &e) < 0 ||
	    (!console && make_workdir(proc->cwd, &e) < 0))
		die(sync_fd, &e);
	/* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load
	 * it while we still hold it (as runc); with it, as late as possible */
	if (!s->no_new_privs && seccomp_apply(s, &e) < 0)
		die(sync_fd, &e);
	/* the spec's process as the user of the image's passwd; HOME from
	 * its entry unless set; the workdir (entered as root, as Docker),
	 * capabilities, no_new_privs and umask the OCI way */
	p.uid = u.uid;
	p.gid = u.gid;
	p.groups = u.groups;
	p.ngroups = u.ngroups;
	p.env = spec_oci_env(s, u.home);
	if (oci_process_creds(&p, &e) < 0)
		die(sync_fd, &e);
	init_die_with_parent(sync_fd); /* the credential change cleared it */

	/* no host fd may reach the command: all but stdio close on exec */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		hm_fail(&e, errno, "close_range");
		die(sync_fd, &e);
	}
	/* before the --init fork: the mini-init is filtered too */
	if (s->no_new_privs && seccomp_apply(s, &e) < 0)
		die(sync_fd, &e);
	if (with_init) {
		sigset_t all;
		pid_t child;

		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		child = fork();
		if (child < 0) {
			hm_fail(&e, errno, "fork the command");
			die(sync_fd, &e);
		}
		if (child > 0) {
			close(sync_fd);
			mini_init(child);
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	/* the command starts as Docker's: default dispositions, none
	 * blocked, even if homo itself ran with SIGINT ignored (a shell's
	 * background job) */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
	HM_TRACE("exec %s", s->argv[0]);
	FAULT_POINT("run-before-exec");
	exec_command(&p, sync_fd, &e);
	die(sync_fd, &e);
}
