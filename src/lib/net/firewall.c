/* SPDX-License-Identifier: MIT */
/*
 * The nftables tables "ip homo" and "netdev homo" (firewall.h). The base
 * chains of a bridge go through libnftables: homo hands it the same text
 * "nft -f" would read, in one transaction. What each container adds and
 * removes, on every start's path, goes through nf_tables netlink in
 * homo's process: its guard (guard.c), its published ports (dnat.c), and
 * their prune. docs/network.md says why both.
 *
 * libnftables calls exit() when an allocation fails (its xmalloc, and
 * libgmp's allocator aborts), with no hook to return instead. So each
 * transaction runs in a forked child: an exit there ends only the child,
 * and homo reports it as an error and undoes what the command built.
 */
#include "net/firewall.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* after netinet/in.h, which linux/in.h then defers to */
#include <linux/netfilter.h>

#include "base/fault.h"
#include "base/lazylib.h"
#include "base/util.h"
#include "net/dnat.h"
#include "net/guard.h"
#include "net/nfnl.h"

#define TABLE "ip homo"
#define DEFAULT_BRIDGE "homo0"
#define USER_BRIDGE "hm-"

/* The child's exit status when nftables refused the commands. */
#define NFT_REFUSED 1

/*
 * The child: run @cmds, leave nft's error in @err, then its result (0 or
 * NFT_REFUSED) in a byte on @done. @err becomes its stderr (where
 * libnftables' own message goes before its exit()), and it closes every
 * other fd: what libnftables opens must not fail for the parent's (a low
 * ulimit -n). No cleanup: the process ends here.
 */
static _Noreturn void nft_child(const char *cmds, int err, int done, bool fail)
{
	unsigned char result;
	struct nft_ctx *c;
	const char *s;
	int r;

	/* an exit() flushes stdio: not the parent's pending output twice */
	__fpurge(stdout);
	if (dup2(err, STDERR_FILENO) < 0 || dup2(done, 3) < 0)
		_exit(HM_EXIT_FAIL);
	close_range(4, ~0U, 0);
	if (fail) { /* homo-fault's stand-in for an allocation failing */
		static const char msg[] = "fault: memory allocation failure\n";

		util_write_all(STDERR_FILENO, msg, sizeof(msg) - 1);
		exit(2); /* NFT_EXIT_NOMEM, libnftables' own (check-tree: sink)
			  */
	}
	c = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!c)
		_exit(HM_EXIT_FAIL);
	/* its output buffered too: nothing of nft's reaches our stdout */
	if (nft_ctx_buffer_output(c) < 0 || nft_ctx_buffer_error(c) < 0)
		_exit(HM_EXIT_FAIL);
	r = nft_run_cmd_from_buffer(c, cmds);
	s = nft_ctx_get_error_buffer(c);
	if (r != 0 && s && util_write_all(STDERR_FILENO, s, strlen(s)) < 0)
		_exit(HM_EXIT_FAIL);
	/* the parent goes on at once; the exit itself is slow (closing the
	 * nfnetlink socket takes 5-10 ms) */
	result = r == 0 ? 0 : NFT_REFUSED;
	if (write(3, &result, 1) != 1)
		_exit(HM_EXIT_FAIL);
	_exit(result);
}

/*
 * A child that reported but may still be exiting: reaped by the next run,
 * or by init after homo exits. One at most.
 */
static pid_t exiting = -1;

static void reap_exiting(void)
{
	if (exiting > 0)
		while (waitpid(exiting, NULL, 0) < 0 && errno == EINTR)
			;
	exiting = -1;
}

/* Wait for @pid's result byte on @done, or else for its end. */
static int child_status(pid_t pid, int done, int *status)
{
	unsigned char b;
	ssize_t n;

	while ((n = read(done, &b, 1)) < 0 && errno == EINTR)
		;
	if (n == 1) {
		*status = W_EXITCODE(b, 0);
		if (waitpid(pid, NULL, WNOHANG) == 0)
			exiting = pid;
		return 0;
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* All of memfd @fd, NUL-terminated. */
static char *read_memfd(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n = 0;

	if (fstat(fd, &st) < 0 || st.st_size > (1 << 28))
		st.st_size = 0;
	buf = xmalloc((size_t)st.st_size + 1);
	if (st.st_size)
		n = pread(fd, buf, (size_t)st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The child's end as an error; its first line of error text. */
static int child_failed(const char *what, int status, const char *text,
			struct hm_err *e)
{
	int len = (int)strcspn(text, "\n");
	char how[64] = "";

	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "libnftables killed by signal %d",
			 WTERMSIG(status));
	else if (WEXITSTATUS(status) != NFT_REFUSED)
		snprintf(how, sizeof(how), "libnftables exited with status %d",
			 WEXITSTATUS(status));
	if (!len)
		return hm_failx(e, HM_EXIT_FAIL, "nftables: %s: %s", what,
				how[0] ? how : "failed");
	return hm_failx(e, HM_EXIT_FAIL, "nftables: %s: %.*s%s%s%s", what, len,
			text, how[0] ? " (" : "", how, how[0] ? ")" : "");
}

int firewall_load(struct hm_err *e)
{
	return lazy_load(LIB_NFT, "nftables", e);
}

/*
 * Run @cmds in a child (see the top). Return: 0, or -1 when nftables
 * refused them or could not run them (@e says which, with the first line
 * of nft's message).
 */
static int nft_run(const char *what, const char *cmds, struct hm_err *e)
{
	cleanup_close int efd = -1, done = -1;
	cleanup_free char *text = NULL;
	bool fail = FAULT_ONCE("nft-exit");
	int status, p[2];
	pid_t pid;

	HM_TRACE("nft: %s", what);
	/* loaded here: the child inherits it, and a failure is ours */
	if (firewall_load(e) < 0)
		return -1;
	reap_exiting();
	if ((efd = memfd_create("homo-nft-err", MFD_CLOEXEC)) < 0)
		return hm_fail(e, errno, "nftables: %s: memfd_create", what);
	if (pipe2(p, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "nftables: %s: pipe", what);
	done = p[0];
	pid = fork();
	if (pid == 0)
		nft_child(cmds, efd, p[1], fail);
	close(p[1]);
	if (pid < 0)
		return hm_fail(e, errno, "nftables: %s: fork", what);
	if (child_status(pid, done, &status) < 0)
		return hm_fail(e, errno, "nftables: %s: wait", what);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	text = read_memfd(efd);
	return child_failed(what, status, text, e);
}

/* The chains every bridge's ports need, rewritten whole (idempotent). */
static void put_ports_base(FILE *f)
{
	fputs("add table " TABLE "\n"
	      "add chain " TABLE " ports\n"
	      "add chain " TABLE " prerouting { type nat hook prerouting "
	      "priority dstnat; policy accept; }\n"
	      "add chain " TABLE " output { type nat hook output "
	      "priority -100; policy accept; }\n"
	      "flush chain " TABLE " prerouting\n"
	      "add rule " TABLE " prerouting fib daddr type local jump ports\n"
	      "flush chain " TABLE " output\n"
	      "add rule " TABLE " output fib daddr type local jump ports\n",
	      f);
}

/* A bridge's own NAT and 127.0.0.0/8 guard, in @table. */
static void put_bridge(FILE *f, const char *table, const char *bridge,
		       const char *cidr)
{
	fprintf(f,
		"add chain %s postrouting { type nat hook postrouting "
		"priority srcnat; policy accept; }\n"
		/* before NAT (-100), so a reply to 127.0.0.1:PORT published,
		 * still addressed to the gateway, passes (CVE-2020-8558) */
		"add chain %s localnet { type filter hook prerouting "
		"priority -150; policy accept; }\n"
		"flush chain %s localnet\n"
		"add rule %s localnet iifname \"%s\" ip daddr "
		"127.0.0.0/8 drop\n"
		"flush chain %s postrouting\n"
		/* outbound NAT, as Docker's MASQUERADE ! -o docker0 */
		"add rule %s postrouting ip saddr %s oifname != \"%s\" "
		"masquerade\n"
		/* 127.0.0.1:PORT from the host itself: the source must become
		 * an address the container can answer (with route_localnet) */
		"add rule %s postrouting ip saddr 127.0.0.0/8 "
		"oifname \"%s\" masquerade\n"
		/* a container reaching a published port (its own or another's)
		 * through the host: replies must come back through the NAT */
		"add rule %s postrouting ip saddr %s oifname \"%s\" "
		"ct status dnat masquerade\n",
		table, table, table, table, bridge, table, table, cidr, bridge,
		table, bridge, table, cidr, bridge);
}

/* "ip homo_<12 hex>", the table of user network bridge "hm-<12 hex>" */
static bool user_table(const char *bridge, char out[32])
{
	if (strncmp(bridge, USER_BRIDGE, strlen(USER_BRIDGE)))
		return false;
	snprintf(out, 32, "ip homo_%s", bridge + strlen(USER_BRIDGE));
	return true;
}

/*
 * Docker isolates its bridges: nothing is forwarded between this one and
 * homo0 or another user network's (both ways: the other's table drops
 * what comes from here to it).
 */
static void put_isolation(FILE *f, const char *table, const char *bridge)
{
	fprintf(f,
		"add chain %s forward { type filter hook forward "
		"priority filter; policy accept; }\n"
		"flush chain %s forward\n"
		"add rule %s forward oifname \"%s\" iifname \"" DEFAULT_BRIDGE
		"\" drop\n"
		"add rule %s forward oifname \"%s\" iifname \"" USER_BRIDGE
		"*\" iifname != \"%s\" drop\n"
		"add rule %s forward iifname \"%s\" oifname \"" DEFAULT_BRIDGE
		"\" drop\n",
		table, table, table, bridge, table, bridge, bridge, table,
		bridge);
}

/* The base chains and rules of @bridge, rewritten whole (idempotent). */
static void put_base(FILE *f, const char *bridge, const char *cidr)
{
	char table[32];

	put_ports_base(f);
	if (!user_table(bridge, table)) {
		put_bridge(f, TABLE, bridge, cidr);
		return;
	}
	fprintf(f, "add table %s\n", table);
	put_bridge(f, table, bridge, cidr);
	put_isolation(f, table, bridge);
}

int firewall_net_remove(const char *bridge, struct hm_err *e)
{
	cleanup_free char *cmds = NULL;
	char table[32];

	if (!user_table(bridge, table))
		return 0;
	cmds = xasprintf("add table %s\ndelete table %s\n", table, table);
	return nft_run("delete the network's table", cmds, e);
}

/* A base chain put_base() rewrites whole: the rules it adds, and those
 * the kernel holds. */
struct owned {
	char table[32], chain[32];
	int want, have;
};

struct owned_set {
	struct owned c[8];
	size_t n;
	const char *table; /* the one being counted */
};

static struct owned *owned_find(struct owned_set *s, const char *table,
				const char *chain)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].table, table) &&
		    !strcmp(s->c[i].chain, chain))
			return &s->c[i];
	return NULL;
}

static void owned_count(const struct nfnl_rule_info *r, void *arg)
{
	struct owned_set *s = arg;
	struct owned *o = owned_find(s, s->table, r->chain);

	if (o)
		o->have++;
}

/* From put_base()'s text: the chains it flushes, and the rules it adds to
 * them; false if there are more than @s holds. */
static bool owned_parse(struct owned_set *s, char *text)
{
	char *sp = NULL;

	for (char *l = strtok_r(text, "\n", &sp); l;
	     l = strtok_r(NULL, "\n", &sp)) {
		char fam[8], t[32], c[32];
		struct owned *o;

		if (sscanf(l, "flush chain %7s %31s %31s", fam, t, c) == 3) {
			if (strcmp(fam, "ip") || s->n == ARRAY_SIZE(s->c))
				return false;
			o = &s->c[s->n++];
			snprintf(o->table, sizeof(o->table), "%s", t);
			snprintf(o->chain, sizeof(o->chain), "%s", c);
		} else if (sscanf(l, "add rule %7s %31s %31s", fam, t, c) ==
			       3 &&
			   (o = owned_find(s, t, c))) {
			o->want++;
		}
	}
	return true;
}

/*
 * Whether the kernel holds as many rules in each base chain of @bridge as
 * put_base() writes there (read from its own text, so the two cannot
 * disagree): a start that publishes no port then need not rewrite them.
 * A flushed table or chain ("nft flush ruleset", a firewall reload)
 * shows, and the start repairs it; a rule edited in place does not. One
 * netlink dump a table, no libnftables.
 */
static bool base_intact(const char *bridge, const char *cidr)
{
	cleanup_free char *text = NULL;
	struct owned_set s = {0};
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return false;
	put_base(f, bridge, cidr);
	if (fclose(f) != 0 || !owned_parse(&s, text))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (i && !strcmp(s.c[i].table, s.c[i - 1].table))
			continue; /* counted with the one before */
		s.table = s.c[i].table;
		if (nfnl_list_rules(NFPROTO_IPV4, s.table, NULL, owned_count,
				    &s, NULL) < 0)
			return false;
	}
	for (size_t i = 0; i < s.n; i++)
		if (s.c[i].want != s.c[i].have)
			return false;
	return true;
}

/* The base chains and @c's port rules (@c: NULL, none) in one libnftables
 * transaction. */
static int add_ports(const char *bridge, const char *cidr,
		     const struct firewall_ctr *c, struct hm_err *e)
{
	cleanup_free char *cmds = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&cmds, &len);
	if (!f)
		return hm_fail(e, errno, "nftables: open_memstream");
	put_base(f, bridge, cidr);
	for (size_t i = 0; c && i < c->nports; i++) {
		const struct hm_port *p = &c->ports[i];
		char ip[16], match[32] = "";

		if (p->host_ip) {
			ipam_addr_str(p->host_ip, ip);
			snprintf(match, sizeof(match), "ip daddr %s ", ip);
		}
		fprintf(f,
			"add rule " TABLE " ports %s%s dport %u dnat to %s:%u "
			"comment \"%s\"\n",
			match, port_proto_name(p), p->host_port, c->addr,
			p->ctr_port, c->id);
	}
	if (fclose(f) != 0)
		return hm_fail(e, errno, "nftables: build the rules");
	return nft_run(c && c->nports ? "publish the ports"
				      : "set up table homo",
		       cmds, e);
}

int firewall_setup(const char *bridge, const char *cidr, struct hm_err *e)
{
	return add_ports(bridge, cidr, NULL, e);
}

int firewall_add(const char *bridge, const char *cidr,
		 const struct firewall_ctr *ctr, struct hm_err *e)
{
	/* the guard first: a start whose ports fail has nothing else in */
	if (guard_add(ctr, e) < 0)
		return -1;
	if (base_intact(bridge, cidr))
		return ctr->nports ? dnat_add(ctr, e) : 0;
	return add_ports(bridge, cidr, ctr, e);
}

int firewall_remove(const char *id, struct hm_err *e)
{
	return guard_remove(id, e);
}

int firewall_prune(bool (*drop)(const char *tag, void *arg), void *arg,
		   struct hm_err *e)
{
	struct nfnl_prune p = {NULL, drop, arg, true};

	/* a batch at a time: hundreds of containers may have gone */
	while (p.more) {
		cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();

		p.b = b;
		p.more = false;
		if (!b)
			return hm_fail(e, ENOMEM, "nftables: prune");
		if (dnat_prune(&p, e) < 0 || guard_prune(&p, e) < 0)
			return -1;
		nfnl_batch_close_in_child(b);
		if (nfnl_commit(b, "delete rules of containers gone", e) < 0)
			return -1;
	}
	return 0;
}
