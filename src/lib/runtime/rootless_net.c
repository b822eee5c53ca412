/* SPDX-License-Identifier: MIT */
/*
 * Rootless NAT (runtime/rootless_net.h): the default network of a rootless
 * container. An ordinary user can make no veth, bridge or nftables rule on
 * the host, so a user-mode network stack sits between the container's
 * network namespace and the user's sockets on the host: slirp4netns (the
 * default, measured in docs/rootless.md) or pasta (HOMO_ROOTLESS_NET=pasta).
 * Either makes the tap eth0 in the container as 10.0.2.100/24, gateway
 * 10.0.2.2 (the host's loopback), DNS forwarder 10.0.2.3 (the host's
 * resolvers), and forwards the published ports. One helper per container,
 * a child of the homo that owns the container: PDEATHSIG ends it with that
 * homo, the teardown ends it with the container.
 */
#include "runtime/rootless_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/close_range.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "net/network.h"
#include "net/ports.h"
#include "runtime/spec.h"

#define RL_ADDR "10.0.2.100"
#define RL_GW "10.0.2.2"
#define RL_DNS "10.0.2.3"

enum helper_kind { SLIRP, PASTA };

/* the one helper of this homo's container: a homo owns one at a time */
static pid_t helper = -1;

static int helper_kind(enum helper_kind *k, struct hm_err *e)
{
	const char *v = getenv("HOMO_ROOTLESS_NET");

	*k = v && !strcmp(v, "pasta") ? PASTA : SLIRP;
	if (v && *v && strcmp(v, "pasta") && strcmp(v, "slirp4netns"))
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: HOMO_ROOTLESS_NET=%s: expected "
				"slirp4netns or pasta",
				v);
	return 0;
}

const char *rootless_net_dns(void)
{
	return RL_DNS;
}

const char *rootless_net_gateway(void)
{
	return RL_GW;
}

int rootless_net_check(const struct hm_spec *s, struct hm_err *e)
{
	enum helper_kind k;

	if (helper_kind(&k, e) < 0)
		return -1;
	/* the helper's tap device: Debian's udev makes it 0666, some 0600 */
	if (access("/dev/net/tun", R_OK | W_OK) < 0)
		return hm_fail(e, errno,
			       "rootless: the default network needs "
			       "/dev/net/tun (use --net none or --net host)");
	if (s->netcfg.network)
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: --network %s: user networks need "
				"root (use the default, none or host)",
				s->netcfg.network);
	return 0;
}

/* pasta's -t/-u argument for @p: [ADDR/]HOSTPORT:CTRPORT */
static char *port_arg(const struct hm_port *p)
{
	char ip[INET_ADDRSTRLEN] = "";

	if (p->host_ip)
		ipam_addr_str(p->host_ip, ip);
	return xasprintf("%s%s%u:%u", ip, *ip ? "/" : "", p->host_port,
			 p->ctr_port);
}

static size_t pasta_argv(char **argv, const struct hm_port *ports, size_t n,
			 const char *nsfile, const char *pidfile)
{
	static char *const head[] = {
	    "pasta", "--config-net", "--foreground", "--runas", "0:0",
	    "--ns-ifname", "eth0", "-a", RL_ADDR, "-n", "24", "-g", RL_GW,
	    "--dns-forward", RL_DNS, "--no-dhcp", "--netns-only",
	    /* nothing forwarded but what -p names (pasta's default: all) */
	    "-T", "none", "-U", "none", NULL};
	size_t k = 0;

	for (; head[k]; k++)
		argv[k] = head[k];
	argv[k++] = "--pid";
	argv[k++] = (char *)pidfile;
	argv[k++] = "--netns";
	argv[k++] = (char *)nsfile;
	for (size_t i = 0; i < n; i++) {
		argv[k++] = ports[i].proto == IPPROTO_UDP ? "-u" : "-t";
		argv[k++] = port_arg(&ports[i]);
	}
	if (!n) {
		argv[k++] = "-t";
		argv[k++] = "none";
		argv[k++] = "-u";
		argv[k++] = "none";
	}
	argv[k] = NULL;
	return k;
}

struct helper_args {
	enum helper_kind kind;
	const struct hm_port *ports;
	size_t nports;
	pid_t pid;	    /* the container's init */
	const char *rundir; /* its runtime dir */
	int ready;	    /* slirp4netns: the write end of the ready pipe */
};

static void child(const struct helper_args *h)
{
	char **argv = xcalloc(32 + 2 * h->nports, sizeof(char *));
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* ours to open (the helper may drop CAP_SYS_PTRACE first, and the
	 * init is not dumpable): it opens its inherited copy */
	int ns = open(xasprintf("/proc/%d/ns/net", (int)h->pid), O_RDONLY);
	char *nsfile = xasprintf("/proc/self/fd/%d", ns);

	/* its chatter ("sent tapfd=5") in a log, its last words an error's */
	int log = open(xasprintf("%s/net.log", h->rundir),
		       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int dir = open(h->rundir, O_PATH | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null < 0 || ns < 0 || log < 0 || dir < 0 || dup2(null, 0) < 0 ||
	    dup2(null, 1) < 0 || dup2(log, 2) < 0)
		_exit(126);
	/* none of homo's fds (a client's stdio pipe) but these cross exec */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 ||
	    fcntl(ns, F_SETFD, 0) < 0 || fcntl(dir, F_SETFD, 0) < 0 ||
	    (h->ready >= 0 && fcntl(h->ready, F_SETFD, 0) < 0))
		_exit(126);
	if (h->kind == PASTA) {
		pasta_argv(argv, h->ports, h->nports, nsfile,
			   xasprintf("%s/pasta.pid", h->rundir));
	} else {
		size_t k = 0;

		argv[k++] = "slirp4netns";
		argv[k++] = "--configure";
		argv[k++] = "--mtu=65520";
		argv[k++] = "--enable-sandbox";
		argv[k++] = "--enable-seccomp";
		argv[k++] = xasprintf("--ready-fd=%d", h->ready);
		/* by the directory's fd: the runroot may be too long for
		 * sun_path */
		argv[k++] =
		    xasprintf("--api-socket=/proc/self/fd/%d/slirp.sock", dir);
		argv[k++] = "--netns-type=path";
		argv[k++] = nsfile;
		argv[k++] = "eth0";
		argv[k] = NULL;
	}
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* the helper exited before it was ready: why, in one line */
static int helper_died(const char *name, const char *rundir, int status,
		       struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/net.log", rundir);
	cleanup_free char *log = util_read_file(path, NULL, NULL);
	char *last = NULL, *line, *save = NULL;

	for (line = log ? strtok_r(log, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		last = line;
	helper = -1;
	if (last)
		return hm_failx(e, HM_EXIT_FAIL, "rootless: %s: %s", name,
				last);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: %s not found: install the package "
				"%s (or use --net none or --net host)",
				name, strcmp(name, "pasta") ? name : "passt");
	return hm_failx(e, HM_EXIT_FAIL, "rootless: %s failed (exit %d)", name,
			WIFEXITED(status) ? WEXITSTATUS(status)
					  : 128 + WTERMSIG(status));
}

/* pasta is ready once it wrote its pid: the namespace is configured */
static int pasta_wait(const char *rundir, struct hm_err *e)
{
	cleanup_free char *pidfile = xasprintf("%s/pasta.pid", rundir);
	struct stat st;
	int status;

	for (int i = 0; i < 5000; i++) {
		if (stat(pidfile, &st) == 0 && st.st_size > 0)
			return 0;
		if (waitpid(helper, &status, WNOHANG) == helper)
			return helper_died("pasta", rundir, status, e);
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return hm_failx(e, HM_EXIT_FAIL, "rootless: pasta not ready in 5 s");
}

/* slirp4netns writes "1" to its ready fd once eth0 is configured */
static int slirp_wait(int fd, const char *rundir, struct hm_err *e)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char c;
	int status;

	if (poll(&pfd, 1, 5000) == 1 && read(fd, &c, 1) == 1)
		return 0;
	if (waitpid(helper, &status, 0) == helper)
		return helper_died("slirp4netns", rundir, status, e);
	return hm_failx(e, HM_EXIT_FAIL,
			"rootless: slirp4netns not ready in 5 s");
}

/* slirp4netns's add_hostfwd through its API socket, for one port */
static int slirp_forward(const char *rundir, const struct hm_port *p,
			 struct hm_err *e)
{
	cleanup_free char *req = NULL;
	char ip[16], spec[48], reply[512];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int dir = open(rundir, O_PATH | O_CLOEXEC);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n = 0, r;

	/* by the directory's fd: the runroot may be too long for sun_path */
	snprintf(sa.sun_path, sizeof(sa.sun_path),
		 "/proc/self/fd/%d/slirp.sock", dir);
	ipam_addr_str(p->host_ip, ip);
	req = xasprintf("{\"execute\": \"add_hostfwd\", \"arguments\": "
			"{\"proto\": \"%s\", \"host_addr\": \"%s\", "
			"\"host_port\": %u, \"guest_port\": %u}}",
			port_proto_name(p), ip, p->host_port, p->ctr_port);
	port_spec_str(p, spec);
	if (dir < 0 || fd < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req) ||
	    shutdown(fd, SHUT_WR) < 0)
		return hm_fail(e, errno, "rootless: -p %s: slirp4netns", spec);
	while (n < (ssize_t)sizeof(reply) - 1 &&
	       (r = read(fd, reply + n, sizeof(reply) - 1 - n)) > 0)
		n += r;
	reply[n < 0 ? 0 : n] = '\0';
	if (!strstr(reply, "\"return\""))
		return hm_failx(e, HM_EXIT_FAIL, "rootless: -p %s: %s", spec,
				*reply ? reply : "slirp4netns said nothing");
	return 0;
}

static int start_helper(struct helper_args *h, struct hm_err *e)
{
	int pipefd[2] = {-1, -1}, r = 0;

	if (h->kind == SLIRP && pipe2(pipefd, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "pipe");
	h->ready = pipefd[1];
	helper = fork();
	if (helper < 0) {
		r = hm_fail(e, errno, "fork");
	} else if (helper == 0) {
		child(h);
	}
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (r == 0 && h->kind == PASTA)
		r = pasta_wait(h->rundir, e);
	else if (r == 0)
		r = slirp_wait(pipefd[0], h->rundir, e);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	for (size_t i = 0; r == 0 && h->kind == SLIRP && i < h->nports; i++)
		r = slirp_forward(h->rundir, &h->ports[i], e);
	return r;
}

int rootless_net_start(const struct hm_spec *s, pid_t pid, const char *rundir,
		       struct hm_err *e)
{
	cleanup_free struct hm_port *ports = NULL;
	struct hm_netconf now = {0};
	struct helper_args h = {.pid = pid, .rundir = rundir};

	if (helper_kind(&h.kind, e) < 0 ||
	    ports_pick(s->netcfg.ports, s->netcfg.nports, &ports, e) < 0)
		return -1;
	/* -P's and -p CTRPORT's random ports, a range's first free one */
	h.ports = ports;
	h.nports = s->netcfg.nports;
	if (h.kind == PASTA) {
		cleanup_free char *pidfile = xasprintf("%s/pasta.pid", rundir);

		unlink(pidfile);
	}
	if (start_helper(&h, e) < 0) {
		rootless_net_stop();
		return -1;
	}
	/* what inspect and "homo port" show */
	snprintf(now.address, sizeof(now.address), RL_ADDR);
	snprintf(now.gateway, sizeof(now.gateway), RL_GW);
	now.prefix = 24;
	if (network_rootless_save(rundir, &now, ports, h.nports, e) < 0) {
		rootless_net_stop();
		return -1;
	}
	return 0;
}

void rootless_net_stop(void)
{
	if (helper <= 0)
		return;
	kill(helper, SIGKILL);
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	helper = -1;
}
