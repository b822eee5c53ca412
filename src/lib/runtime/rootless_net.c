/* SPDX-License-Identifier: MIT */
/*
 * Rootless NAT (runtime/rootless_net.h): the default network of a rootless
 * container. An ordinary user can make no veth, bridge or nftables rule on
 * the host, so a user-mode network stack, pasta (package passt), sits
 * between the container's network namespace and the user's sockets on the
 * host: it makes the container's tap interface, copies the host's address
 * and routes into it, and maps the gateway address to the host's loopback.
 * -p HOST:CTR is pasta's -t/-u. One pasta per container, a child of the
 * homo that owns the container, in the foreground: PDEATHSIG ends it with
 * that homo, the teardown ends it with the container (docs/rootless.md has
 * why pasta rather than slirp4netns, measured).
 */
#include "runtime/rootless_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/spec.h"

/* the one helper of this homo's container: a homo owns one at a time */
static pid_t helper = -1;

int rootless_net_check(const struct hm_spec *s, struct hm_err *e)
{
	/* pasta's tap device: Debian's udev makes it 0666, some hosts 0600 */
	if (access("/dev/net/tun", R_OK | W_OK) < 0)
		return hm_fail(e, errno,
			       "rootless: the default network needs "
			       "/dev/net/tun (use --net none or --net host)");
	for (size_t i = 0; i < s->netcfg.nports; i++)
		if (!s->netcfg.ports[i].host_port ||
		    s->netcfg.ports[i].host_end)
			return hm_failx(e, HM_EXIT_FAIL,
					"rootless: -p %u: name the host's "
					"port (-p HOSTPORT:%u)",
					s->netcfg.ports[i].ctr_port,
					s->netcfg.ports[i].ctr_port);
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
	struct in_addr a = {.s_addr = p->host_ip};

	if (p->host_ip)
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
	return xasprintf("%s%s%u:%u", ip, *ip ? "/" : "", p->host_port,
			 p->ctr_port);
}

static void child(const struct hm_spec *s, pid_t pid, const char *pidfile)
{
	char *argv[64];
	size_t n = 0;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* ours to open (pasta drops CAP_SYS_PTRACE first, and the init is
	 * not dumpable): pasta opens its inherited copy */
	int ns = open(xasprintf("/proc/%d/ns/net", (int)pid), O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null < 0 || ns < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		_exit(126);
	argv[n++] = "pasta";
	argv[n++] = "--config-net";
	argv[n++] = "--foreground";
	argv[n++] = "--quiet";
	argv[n++] = "--runas";
	argv[n++] = "0:0";
	argv[n++] = "--pid";
	argv[n++] = (char *)pidfile;
	argv[n++] = "--netns";
	argv[n++] = xasprintf("/proc/self/fd/%d", ns);
	argv[n++] = "--netns-only";
	/* nothing forwarded but what -p names (pasta's default: all) */
	argv[n++] = "-T";
	argv[n++] = "none";
	argv[n++] = "-U";
	argv[n++] = "none";
	for (size_t i = 0; i < s->netcfg.nports && n < 58; i++) {
		const struct hm_port *p = &s->netcfg.ports[i];

		argv[n++] = p->proto == IPPROTO_UDP ? "-u" : "-t";
		argv[n++] = port_arg(p);
	}
	if (!s->netcfg.nports) {
		argv[n++] = "-t";
		argv[n++] = "none";
		argv[n++] = "-u";
		argv[n++] = "none";
	}
	argv[n] = NULL;
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

int rootless_net_start(const struct hm_spec *s, pid_t pid, const char *rundir,
		       struct hm_err *e)
{
	cleanup_free char *pidfile = xasprintf("%s/pasta.pid", rundir);
	struct stat st;
	int status;

	unlink(pidfile);
	helper = fork();
	if (helper < 0)
		return hm_fail(e, errno, "fork pasta");
	if (helper == 0)
		child(s, pid, pidfile);
	/* ready once it wrote its pid: the namespace is configured then */
	for (int i = 0; i < 1000; i++) {
		if (stat(pidfile, &st) == 0 && st.st_size > 0)
			return 0;
		if (waitpid(helper, &status, WNOHANG) == helper) {
			helper = -1;
			return hm_failx(
			    e, HM_EXIT_FAIL,
			    WIFEXITED(status) && WEXITSTATUS(status) == 127
				? "rootless: pasta not found: install the "
				  "package passt (or use --net none or "
				  "--net host)"
				: "rootless: pasta failed (exit %d): see its "
				  "message above",
			    WIFEXITED(status) ? WEXITSTATUS(status)
					      : 128 + WTERMSIG(status));
		}
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	rootless_net_stop();
	return hm_failx(e, HM_EXIT_FAIL,
			"rootless: pasta not ready in 5 s: stopped");
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
