/* SPDX-License-Identifier: MIT */
/*
 * The parent side of a run (docs/architecture.md, "A container start", steps
 * 4-5): clone the init, join it to its cgroups, release it, learn whether
 * it exec'd; spawn_wait.c then waits for it (step 8).
 */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/util.h"
#include "base/rootless.h"
#include "runtime/cgroup.h"
#include "runtime/clone_vm.h"
#include "runtime/exec_shim.h"
#include "runtime/nsjoin.h"
#include "runtime/rootless_net.h"
#include "runtime/spawn_net.h"
#include "runtime/userns.h"

static const int forwarded[] = {SIGINT,	 SIGTERM, SIGHUP,
				SIGQUIT, SIGUSR1, SIGUSR2};

void spawn_signals(sigset_t *set)
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
 * nobody), then the overlay, whose idmapped layers need the namespace:
 * its mount fd into *@ovl (GO passes it). Not into @a, which an init
 * sharing our memory may still be copying.
 */
static int userns_setup(const struct init_args *a, pid_t pid, int *ovl,
			struct hm_err *e)
{
	const struct hm_spec *s = a->spec;
	cleanup_free char *upper = xasprintf("%s/upper", a->cdir);
	cleanup_free char *work = xasprintf("%s/work", a->cdir);

	if (userns_write_maps(pid, &s->uidmap, &s->gidmap, e) < 0)
		return -1;
	*ovl = userns_overlay(a->store_root, s->layers, upper, work, a->merged,
			      pid, e);
	return *ovl < 0 ? -1 : 0;
}

/*
 * The parent's setup of the child (cgroups) is done (@failed: not): send
 * GO, start @net's thread (if any) and wait until the child exec'd, and
 * for the thread; on any failure kill and reap the child.
 */
static int release(int fd, struct hm_proc *p, const char *cmd, int pass_fd,
		   bool failed, struct spawn_net *net, struct hm_err *e)
{
	int err, r;

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
	if (!failed && net && spawn_net_start(net, e) < 0)
		failed = true;
	if (failed) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return -1;
	}
	FAULT_POINT("run-after-go");
	r = sync_until_exec(fd, p, cmd, e);
	/* the network failed: the init, told so, ended without its exec */
	if (net && spawn_net_finish(net, r < 0 ? NULL : e) < 0 && r == 0) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		return -1;
	}
	if (r < 0)
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

/* Into the network namespace @fd (or of the process behind it, a pidfd);
 * *@own, ours. */
static int join_netns(int fd, bool other, int *own, struct hm_err *e)
{
	*own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*own < 0)
		return hm_fail(e, errno, "open our network namespace");
	if (setns(fd, CLONE_NEWNET) < 0)
		return hm_fail(e, errno, "join the %s network namespace",
			       other ? "other container's" : "container's");
	return 0;
}

/* rootless, the bridge is pasta's NAT (runtime/rootless_net.c) */
static int rootless_nat(const struct init_args *a, pid_t pid, struct hm_err *e)
{
	cleanup_free char *rundir = xstrdup(a->merged);

	*strrchr(rundir, '/') = '\0';
	return rootless_net_start(a->spec, pid, rundir, e);
}

/* Into the container's runtime dir; *@cwd, ours to come back to. */
static int enter_rundir(const struct init_args *a, int *cwd, struct hm_err *e)
{
	cleanup_free char *rundir = xstrdup(a->merged);

	*strrchr(rundir, '/') = '\0';
	*cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*cwd < 0 || chdir(rundir) < 0)
		return hm_fail(e, errno, "chdir \"%s\"", rundir);
	return 0;
}

/* What the clone()d init starts from. */
struct init_start {
	struct init_args *a;
	int parent_fd, cwd;
};

static int init_start(void *arg)
{
	struct init_start *st = arg;

	close(st->parent_fd);
	if (st->cwd >= 0) /* our cwd: the host's, never the init's */
		close(st->cwd);
	init_main(st->a);
}

/*
 * The init shares our memory until it execs (clone_vm.h): from here to
 * GO it only makes system calls, and we only wait from GO until it has
 * exec'd. A --init stays (it reaps the command), so it gets fork's copy.
 */
static pid_t clone_init(struct init_start *st, unsigned long flags, int cgfd,
			struct clone_vm *vm, bool *born_in)
{
	pid_t pid;

	if (vm->stack)
		return clone_vm_run(vm, flags, cgfd, born_in, init_start, st);
	pid = cgroup_clone(flags, cgfd, born_in);
	if (pid == 0)
		init_start(st);
	return pid;
}

static void oci_spec_freep(struct oci_spec *o)
{
	oci_spec_free(o);
}

static void clone_vm_freep(struct clone_vm *vm)
{
	clone_vm_free(vm);
}

static void spawn_net_finishp(struct spawn_net *n)
{
	spawn_net_finish(n, NULL);
}

/*
 * Bridged, in a network namespace made already (netns_early.h): the
 * network's thread starts now, beside the clone, not after GO (its
 * SYNC_NET may then come first: the init keeps it). Only for an init that
 * shares our memory: a forked one (--init; clone3, so no fork handlers)
 * would be born holding whatever lock the thread held at that moment, a
 * malloc arena's, and wait on it forever.
 */
static int net_before_clone(const struct init_args *a, struct spawn_net *n,
			    int fd, struct hm_err *e)
{
	if (spawn_net_open_ns(n, a->spec, a->netns_fd, fd, e) < 0)
		return -1;
	return spawn_net_start(n, e);
}

/* The namespaces the init's clone makes: a network one unless it joins
 * another's or one was made for it (netns_early.h). */
static unsigned long clone_flags(const struct init_args *a)
{
	const struct hm_spec *s = a->spec;
	unsigned long flags =
	    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | SIGCHLD;

	if (s->net != NET_HOST && s->net != NET_CONTAINER && a->netns_fd < 0)
		flags |= CLONE_NEWNET;
	if (s->uidmap.count)
		flags |= CLONE_NEWUSER;
	return flags;
}

/*
 * Until it returns the init has exec'd or is gone (killed and reaped):
 * the spec and the stack it may share are freed on the way out.
 */
int spawn_start(struct init_args *a, struct hm_proc *p, struct hm_err *e)
{
	const struct hm_spec *s = a->spec;
	unsigned long flags = clone_flags(a);
	cleanup_close int parent_fd = -1, cwd = -1, netns = -1, cgfd = -1;
	__attribute__((cleanup(oci_spec_freep))) struct oci_spec oci = {0};
	__attribute__((cleanup(clone_vm_freep))) struct clone_vm vm = {0};
	__attribute__((cleanup(spawn_net_finishp))) struct spawn_net net = {
	    .netns = -1}; /* may start before the clone: joined on return */
	struct init_start st;
	bool born_in = false;
	/* homo's bridge, as root: the network on a thread (spawn_net.h) */
	bool bridged = s->net == NET_BRIDGE && !hm_rootless();
	sigset_t set;
	int sp[2], r, ovl = -1;

	hm_clear(e);
	FAULT_POINT("run-after-cgroup");
	p->pid = -1;
	p->pty_master = -1;
	a->shared_vm = !s->init;
	a->net_thread = bridged;
	/* the init joins its v1 cgroups itself, its one thread through each
	 * "tasks" file: our write of its pid would take the kernel's global
	 * threadgroup lock, whose first writer after a quiet moment waits
	 * for an RCU grace period (6-17 ms of a lone start here). A forked
	 * init does it as we attach the network, one sharing our memory right
	 * after GO (before it, only system calls); from a user namespace (an
	 * unprivileged host uid) it may not: we move it */
	a->cgroup_self = !s->uidmap.count;
	if (cgroup_clone_fd(s->id, &cgfd, e) < 0 ||
	    (a->shared_vm && clone_vm_stack(&vm, e) < 0))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	parent_fd = sp[0];
	/* blocked before clone so none is lost; the init restores them */
	spawn_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &p->oldmask);
	a->sync_fd = sp[1];
	/* in a user namespace the init builds the spec once its maps are
	 * set, and starts in the runtime dir (init_args) */
	if ((bridged && a->netns_fd >= 0 && a->shared_vm &&
	     net_before_clone(a, &net, parent_fd, e) < 0) ||
	    (s->uidmap.count ? enter_rundir(a, &cwd, e) < 0
			     : init_build_spec(a, &oci, e) < 0)) {
		close(sp[1]);
		return start_failed(p);
	}
	HM_TRACE("clone init (flags 0x%lx)", flags);
	/* born in the other's namespace (--network container:), or in the
	 * one made for it (netns_early.h); we go back */
	if (a->netns_fd >= 0 &&
	    join_netns(a->netns_fd, s->net == NET_CONTAINER, &netns, e) < 0) {
		close(sp[1]);
		return start_failed(p);
	}
	st = (struct init_start){a, parent_fd, cwd};
	p->pid = clone_init(&st, flags, cgfd, &vm, &born_in);
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
	if ((s->uidmap.count && userns_setup(a, p->pid, &ovl, e) < 0) ||
	    (bridged && net.netns < 0 &&
	     spawn_net_open(&net, s, p->pid, parent_fd, e) < 0)) {
		kill(p->pid, SIGKILL);
		reap(p->pid);
		spawn_net_finish(&net, NULL);
		if (ovl >= 0)
			close(ovl);
		return start_failed(p);
	}
	r = release(parent_fd, p, s->argv[0], ovl,
		    cgroup_join_rest(s->id, p->pid, cgfd, born_in,
				     a->cgroup_self, e) < 0 ||
			(s->net == NET_BRIDGE && hm_rootless() &&
			 rootless_nat(a, p->pid, e) < 0),
		    bridged ? &net : NULL, e);
	spawn_net_finish(&net, NULL); /* a failure before its start */
	if (ovl >= 0)		      /* the init has its own copy now */
		close(ovl);
	a->oci = NULL; /* exec'd or gone: nobody reads it any more */
	if (r < 0)
		return start_failed(p);
	HM_TRACE("the command runs");
	return 0;
}

/* What homo exec's child starts from: ours, read before GO. */
struct exec_start {
	const struct hm_spec *s;
	struct nsjoin j;
	const int *stdio;
	int parent_fd, sync_fd;
};

/*
 * Until GO only system calls: it shares our memory (clone_vm.h); from GO
 * on we only wait for its exec, and it joins its v1 cgroups itself first
 * (as the init does: spawn_start()), still in our mount namespace.
 */
static int exec_start(void *arg)
{
	struct exec_start st = *(struct exec_start *)arg;
	struct hm_err e = {0};
	char go;

	close(st.parent_fd);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* the pipes, before anything of the container is near */
	for (int i = 0; i < 3; i++)
		if (st.stdio[i] >= 0 && dup2(st.stdio[i], i) < 0)
			_exit(HM_EXIT_FAIL);
	if (recv(st.sync_fd, &go, 1, 0) != 1)
		_exit(HM_EXIT_FAIL);
	if (cgroup_enter_v1(st.s->id, 0, &e) < 0)
		init_exec_fail(st.sync_fd, &e);
	/* in its cgroups: the namespaces, the OCI exec's way */
	if (nsjoin_enter(&st.j, &e) < 0)
		init_exec_fail(st.sync_fd, &e);
	init_die_with_parent(st.sync_fd); /* setns/setresuid cleared it */
	init_exec_main(st.s, st.sync_fd, true);
}

int spawn_exec(const struct hm_spec *s, int pidfd, const int stdio[3],
	       struct hm_proc *p, struct hm_err *e)
{
	cleanup_close int parent_fd = -1, cgfd = -1;
	__attribute__((cleanup(clone_vm_freep))) struct clone_vm vm = {0};
	struct exec_start st = {.s = s, .stdio = stdio};
	bool born_in = false;
	char *cmdline;
	sigset_t set;
	int sp[2], r;

	hm_clear(e);
	p->pid = -1;
	p->pty_master = -1;
	/* non-dumpable, our children in its PID namespace (nsjoin.h) */
	if (nsjoin_open(&st.j, pidfd, e) < 0 || nsjoin_parent(&st.j, e) < 0 ||
	    cgroup_clone_fd(s->id, &cgfd, e) < 0 || clone_vm_stack(&vm, e) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	parent_fd = sp[0];
	st.parent_fd = sp[0];
	st.sync_fd = sp[1];
	spawn_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &p->oldmask);

	/* the child shows in the container before its exec, with our
	 * command line: "homo-exec -- CMD..." until it has exec'd */
	cmdline = init_cmdline_hide("homo-exec", s->argv);
	p->pid = clone_vm_run(&vm, SIGCHLD, cgfd, &born_in, exec_start, &st);
	close(sp[1]);
	if (p->pid < 0) {
		hm_fail(e, errno, "clone");
		init_cmdline_restore(cmdline);
		return start_failed(p);
	}
	r = release(parent_fd, p, s->argv[0], -1,
		    cgroup_join_rest(s->id, p->pid, cgfd, born_in, true, e) < 0,
		    NULL, e);
	init_cmdline_restore(cmdline);
	return r < 0 ? start_failed(p) : 0;
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
	fcntl(out[0], F_SETPIPE_SZ, SPAWN_RELAY_CHUNK);
	child[0] = in[0], child[1] = out[1], child[2] = err[1];
	io->in = in[1], io->out = out[0], io->err = err[0];
	return 0;
}
