/* SPDX-License-Identifier: MIT */
/*
 * nf_tables over netlink (nfnl.h): messages built with libnl's nl_msg and
 * nla_put calls, sent as one NFNL_MSG_BATCH_BEGIN ... BATCH_END datagram,
 * the kernel's answers read with the NLMSG_* layout (msg_ok, msg_next).
 *
 * The kernel handles a batch inside the sendmsg() that carries it, so its
 * answers are all queued when that returns: they are read without waiting
 * (as nft does), and no count of them is needed (a batch that fails early,
 * out of memory, answers once for all).
 */
#include "net/nfnl.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/membarrier.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/lazylib.h"
#include "base/util.h"
#include "net/netlink.h"
#include "net/nfnl_int.h"

struct nfnl_batch {
	struct nl_msg **msg;
	char (*what)[96]; /* "add chain ctr_<id>", for its error */
	size_t n, cap;
	struct nlattr *exprs; /* the open rule's NFTA_RULE_EXPRESSIONS */
	int err;	      /* the first libnl error, negative */
	bool close_in_child;  /* nfnl_batch_close_in_child() */
};

struct nfnl_batch *nfnl_batch_new(void)
{
	return calloc(1, sizeof(struct nfnl_batch));
}

void nfnl_batch_free(struct nfnl_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		nlmsg_free(b->msg[i]);
	free(b->msg);
	free(b->what);
	free(b);
}

void nfnl_batch_freep(struct nfnl_batch **b)
{
	nfnl_batch_free(*b);
}

/* libnl result @r: its first failure is the batch's */
static void check(struct nfnl_batch *b, int r)
{
	if (r < 0 && !b->err)
		b->err = r;
}

/* The message being built (the last), or NULL after a failure. */
static struct nl_msg *cur(struct nfnl_batch *b)
{
	return b->err || !b->n ? NULL : b->msg[b->n - 1];
}

static void put_be32(struct nfnl_batch *b, int type, uint32_t v)
{
	uint32_t be = htonl(v);

	if (cur(b))
		check(b, nla_put(cur(b), type, sizeof(be), &be));
}

static void put_str(struct nfnl_batch *b, int type, const char *s)
{
	if (cur(b))
		check(b, nla_put_string(cur(b), type, s));
}

static struct nlattr *nest(struct nfnl_batch *b, int type)
{
	struct nlattr *a = cur(b) ? nla_nest_start(cur(b), type) : NULL;

	if (cur(b) && !a)
		check(b, -NLE_NOMEM);
	return a;
}

static void nest_end(struct nfnl_batch *b, struct nlattr *a)
{
	if (cur(b) && a)
		check(b, nla_nest_end(cur(b), a));
}

/* room for twice as many messages */
static int grow(struct nfnl_batch *b)
{
	size_t cap = b->cap ? 2 * b->cap : 8;
	struct nl_msg **m = realloc(b->msg, cap * sizeof(*m));
	char(*w)[96];

	if (!m)
		return -1;
	b->msg = m;
	w = realloc(b->what, cap * sizeof(*w));
	if (!w)
		return -1;
	b->what = w;
	b->cap = cap;
	return 0;
}

/*
 * Start message @type (NFT_MSG_*) of @family, with @flags beside
 * NLM_F_REQUEST, described as @verb @name in its error. No NLM_F_ACK:
 * frame() asks for one answer, the last message's; the kernel answers a
 * failed message anyway, and a batch of hundreds of deletes would fill
 * the socket's receive buffer with acks (ENOBUFS).
 */
static void msg(struct nfnl_batch *b, int type, int flags, uint8_t family,
		const char *verb, const char *name)
{
	struct nfgenmsg g = {.nfgen_family = family, .version = NFNETLINK_V0};
	struct nlmsghdr *h;
	struct nl_msg *m;

	if (b->err)
		return;
	if (b->n == NFNL_MAX_MSGS) { /* a caller's mistake, not the kernel's */
		check(b, -NLE_RANGE);
		return;
	}
	if (b->n == b->cap && grow(b) < 0) {
		check(b, -NLE_NOMEM);
		return;
	}
	if (!(m = nlmsg_alloc_size(NFNL_MSG_SIZE))) {
		check(b, -NLE_NOMEM);
		return;
	}
	snprintf(b->what[b->n], sizeof(b->what[0]), "%s %s", verb, name);
	b->msg[b->n++] = m;
	h = nlmsg_put(m, NL_AUTO_PORT, (uint32_t)b->n,
		      (NFNL_SUBSYS_NFTABLES << 8) | type, sizeof(g),
		      NLM_F_REQUEST | flags);
	if (!h) {
		check(b, -NLE_NOMEM);
		return;
	}
	memcpy(nlmsg_data(h), &g, sizeof(g));
}

void nfnl_table_add(struct nfnl_batch *b, uint8_t family, const char *table)
{
	msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, family, "add table", table);
	put_str(b, NFTA_TABLE_NAME, table);
}

/* a chain message's table and name */
static void chain_msg(struct nfnl_batch *b, int type, int flags, uint8_t family,
		      const char *verb, const char *table, const char *chain)
{
	msg(b, type, flags, family, verb, chain);
	put_str(b, NFTA_CHAIN_TABLE, table);
	put_str(b, NFTA_CHAIN_NAME, chain);
}

void nfnl_chain_add(struct nfnl_batch *b, uint8_t family, const char *table,
		    const char *chain)
{
	chain_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, family, "add chain", table,
		  chain);
}

void nfnl_chain_ingress(struct nfnl_batch *b, const char *table,
			const char *chain, const char *dev, uint32_t policy,
			bool excl)
{
	struct nlattr *hook;

	chain_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | (excl ? NLM_F_EXCL : 0),
		  NFPROTO_NETDEV, "add chain", table, chain);
	hook = nest(b, NFTA_CHAIN_HOOK);
	put_be32(b, NFTA_HOOK_HOOKNUM, NF_NETDEV_INGRESS);
	put_be32(b, NFTA_HOOK_PRIORITY, 0);
	put_str(b, NFTA_HOOK_DEV, dev);
	nest_end(b, hook);
	put_str(b, NFTA_CHAIN_TYPE, "filter");
	put_be32(b, NFTA_CHAIN_POLICY, policy);
}

void nfnl_chain_flush(struct nfnl_batch *b, uint8_t family, const char *table,
		      const char *chain)
{
	msg(b, NFT_MSG_DELRULE, 0, family, "flush chain", chain);
	put_str(b, NFTA_RULE_TABLE, table);
	put_str(b, NFTA_RULE_CHAIN, chain);
}

void nfnl_chain_del(struct nfnl_batch *b, uint8_t family, const char *table,
		    const char *chain)
{
	chain_msg(b, NFT_MSG_DELCHAIN, 0, family, "delete chain", table, chain);
}

void nfnl_rule(struct nfnl_batch *b, uint8_t family, const char *table,
	       const char *chain)
{
	msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, family,
	    "add rule to", chain);
	put_str(b, NFTA_RULE_TABLE, table);
	put_str(b, NFTA_RULE_CHAIN, chain);
	b->exprs = nest(b, NFTA_RULE_EXPRESSIONS);
}

void nfnl_rule_end(struct nfnl_batch *b)
{
	nest_end(b, b->exprs);
	b->exprs = NULL;
}

/* One expression: its list element, name and data; end with expr_end(). */
struct expr {
	struct nlattr *elem, *data;
};

static struct expr expr(struct nfnl_batch *b, const char *name)
{
	struct expr x = {nest(b, NFTA_LIST_ELEM), NULL};

	put_str(b, NFTA_EXPR_NAME, name);
	x.data = nest(b, NFTA_EXPR_DATA);
	return x;
}

static void expr_end(struct nfnl_batch *b, struct expr x)
{
	nest_end(b, x.data);
	nest_end(b, x.elem);
}

void nfnl_meta(struct nfnl_batch *b, uint32_t key)
{
	struct expr x = expr(b, "meta");

	put_be32(b, NFTA_META_KEY, key);
	put_be32(b, NFTA_META_DREG, NFT_REG_1);
	expr_end(b, x);
}

void nfnl_payload(struct nfnl_batch *b, uint32_t base, uint32_t offset,
		  uint32_t len)
{
	struct expr x = expr(b, "payload");

	put_be32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
	put_be32(b, NFTA_PAYLOAD_BASE, base);
	put_be32(b, NFTA_PAYLOAD_OFFSET, offset);
	put_be32(b, NFTA_PAYLOAD_LEN, len);
	expr_end(b, x);
}

/* attribute @type holding a value (struct nft_data): @len bytes */
static void put_value(struct nfnl_batch *b, int type, const void *data,
		      size_t len)
{
	struct nlattr *d = nest(b, type);

	if (cur(b))
		check(b, nla_put(cur(b), NFTA_DATA_VALUE, (int)len, data));
	nest_end(b, d);
}

void nfnl_cmp_eq(struct nfnl_batch *b, const void *data, size_t len)
{
	struct expr x = expr(b, "cmp");

	put_be32(b, NFTA_CMP_SREG, NFT_REG_1);
	put_be32(b, NFTA_CMP_OP, NFT_CMP_EQ);
	put_value(b, NFTA_CMP_DATA, data, len);
	expr_end(b, x);
}

void nfnl_verdict(struct nfnl_batch *b, uint32_t code)
{
	struct expr x = expr(b, "immediate");
	struct nlattr *d, *v;

	put_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	d = nest(b, NFTA_IMMEDIATE_DATA);
	v = nest(b, NFTA_DATA_VERDICT);
	put_be32(b, NFTA_VERDICT_CODE, code);
	nest_end(b, v);
	nest_end(b, d);
	expr_end(b, x);
}

void nfnl_immediate(struct nfnl_batch *b, uint32_t reg, const void *data,
		    size_t len)
{
	struct expr x = expr(b, "immediate");

	put_be32(b, NFTA_IMMEDIATE_DREG, reg);
	put_value(b, NFTA_IMMEDIATE_DATA, data, len);
	expr_end(b, x);
}

void nfnl_dnat_ipv4(struct nfnl_batch *b, uint32_t addr_reg, uint32_t port_reg)
{
	struct expr x = expr(b, "nat");

	put_be32(b, NFTA_NAT_TYPE, NFT_NAT_DNAT);
	put_be32(b, NFTA_NAT_FAMILY, NFPROTO_IPV4);
	put_be32(b, NFTA_NAT_REG_ADDR_MIN, addr_reg);
	put_be32(b, NFTA_NAT_REG_PROTO_MIN, port_reg);
	put_be32(b, NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
	expr_end(b, x);
}

void nfnl_rule_comment(struct nfnl_batch *b, const char *comment)
{
	unsigned char u[2 + NFNL_COMMENT_MAX];
	size_t n = strlen(comment) + 1;

	if (n > NFNL_COMMENT_MAX) {
		check(b, -NLE_RANGE);
		return;
	}
	u[0] = NFNL_UDATA_COMMENT;
	u[1] = (unsigned char)n;
	memcpy(u + 2, comment, n);
	if (cur(b))
		check(b, nla_put(cur(b), NFTA_RULE_USERDATA, (int)(2 + n), u));
}

void nfnl_rule_del(struct nfnl_batch *b, uint8_t family, const char *table,
		   const char *chain, uint64_t handle)
{
	uint64_t be = htobe64(handle);

	msg(b, NFT_MSG_DELRULE, 0, family, "delete a rule of", chain);
	put_str(b, NFTA_RULE_TABLE, table);
	put_str(b, NFTA_RULE_CHAIN, chain);
	if (cur(b))
		check(b, nla_put(cur(b), NFTA_RULE_HANDLE, sizeof(be), &be));
}

size_t nfnl_batch_len(const struct nfnl_batch *b)
{
	return b->n;
}

bool nfnl_prune_room(struct nfnl_prune *p, size_t n)
{
	if (p->b->n + n <= NFNL_MAX_MSGS)
		return true;
	p->more = true;
	return false;
}

void nfnl_batch_close_in_child(struct nfnl_batch *b)
{
	b->close_in_child = true;
}

/*
 * One NETLINK_NETFILTER socket a process, kept open from its first use:
 * every close of one runs nf_tables' NETLINK_URELEASE notifier, which
 * takes the namespace's commit lock and waits there until the kernel has
 * freed whatever any transaction deleted (its destroy work, after an RCU
 * grace period: 6-14 ms on this machine). A start's guard, made seconds
 * or microseconds after an earlier container's teardown, would wait for
 * that teardown's grace period. The socket belongs to the namespace it was
 * opened in; a failure mid-answer drops it (unread answers would be taken
 * for the next batch's).
 */
static struct {
	struct nl_sock *sk;
	ino_t netns;
} kept;

/* the last closer, reaped by the next one if it has ended: a monitor, the
 * one process that lives on, tears down once per start, seconds apart */
static pid_t closer;

void nfnl_drop_kept(void)
{
	if (kept.sk)
		nl_socket_free(kept.sk);
	kept.sk = NULL;
}

/*
 * After an error the rest of a batch's answers are still queued (the
 * kernel answered them all in the sendmsg()): read them, or drop the
 * socket, so that none is taken for the next batch's.
 */
static void drain_kept(char *buf)
{
	ssize_t r;

	do
		r = recv(nl_socket_get_fd(kept.sk), buf, NFNL_RECV_SIZE,
			 MSG_DONTWAIT);
	while (r > 0 || (r < 0 && errno == EINTR));
	if (r == 0 || errno != EAGAIN)
		nfnl_drop_kept();
}

struct nl_sock *nfnl_socket(struct hm_err *e)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0) {
		hm_fail(e, errno, "nftables: our network namespace");
		return NULL;
	}
	if (kept.sk && kept.netns == st.st_ino)
		return kept.sk;
	nfnl_drop_kept();
	kept.sk = netlink_open_proto(NETLINK_NETFILTER,
				     "nftables: netlink socket", e);
	kept.netns = st.st_ino;
	return kept.sk;
}

/*
 * The kept socket, after a batch that deleted, goes to a child of ours for
 * its last close, so that neither we nor the next start wait for the
 * kernel's release (above), which nothing observable depends on: the
 * kernel applied the batch before it answered. The child keeps the socket
 * and a pipe and nothing else (no lock, no stdout), waits for our copy to
 * be closed (EOF on the pipe), then, with the socket alone, for two RCU
 * grace periods (membarrier(MEMBARRIER_CMD_GLOBAL) is synchronize_rcu()):
 * by then the destroy work is done, and its close does not hold the commit
 * lock while it waits. If no child can be made, we close it and wait.
 */
static void close_in_child(void)
{
	int fd = nl_socket_get_fd(kept.sk), p[2] = {-1, -1};
	pid_t pid = -1;
	char c;

	if (closer > 0 && waitpid(closer, NULL, WNOHANG) != 0)
		closer = 0;
	if (pipe2(p, O_CLOEXEC) == 0)
		pid = fork();
	if (pid == 0) {
		/* a session of its own: no terminal's signal, no SIGHUP when
		 * we exit (an orphaned process group) */
		setsid();
		prctl(PR_SET_NAME, "homo-nfnl-close");
		util_close_all_but(fd, p[0]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		close(p[0]);
		FAULT_POINT("nfnl-close-child"); /* net.bats stops it here */
		for (int i = 0; i < 2; i++)
			if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0,
				    0) < 0)
				break;
		_exit(0);
	}
	if (p[0] >= 0)
		close(p[0]);
	nfnl_drop_kept(); /* not the last copy, if the child was made */
	if (p[1] >= 0)
		close(p[1]); /* the child may go on */
	if (pid > 0)
		closer = pid;
}

/* a batch's begin or end: a bare header for the nf_tables subsystem */
static size_t put_batch_mark(char *p, int type, uint32_t seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)p;
	struct nfgenmsg *g = NLMSG_DATA(h);

	memset(p, 0, NLMSG_SPACE(sizeof(*g)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = seq;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	return NLMSG_SPACE(sizeof(*g));
}

/* @b framed as one batch, in a buffer of *@len bytes (free it); its last
 * message asks for the kernel's ack (msg() says why only that one). */
static char *frame(const struct nfnl_batch *b, size_t *len)
{
	size_t n = 2 * NLMSG_SPACE(sizeof(struct nfgenmsg)), off;
	char *buf;

	for (size_t i = 0; i < b->n; i++)
		n += NLMSG_ALIGN(nlmsg_hdr(b->msg[i])->nlmsg_len);
	buf = xmalloc(n);
	off = put_batch_mark(buf, NFNL_MSG_BATCH_BEGIN, 0);
	for (size_t i = 0; i < b->n; i++) {
		struct nlmsghdr *h = nlmsg_hdr(b->msg[i]);

		memcpy(buf + off, h, h->nlmsg_len);
		memset(buf + off + h->nlmsg_len, 0,
		       NLMSG_ALIGN(h->nlmsg_len) - h->nlmsg_len);
		if (i == b->n - 1)
			((struct nlmsghdr *)(buf + off))->nlmsg_flags |=
			    NLM_F_ACK;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	off +=
	    put_batch_mark(buf + off, NFNL_MSG_BATCH_END, (uint32_t)b->n + 1);
	*len = off;
	return buf;
}

bool nfnl_msg_ok(const struct nlmsghdr *h, size_t n)
{
	return n >= sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	       h->nlmsg_len <= n;
}

const struct nlmsghdr *nfnl_msg_next(const struct nlmsghdr *h, size_t *n)
{
	size_t step = NLMSG_ALIGN(h->nlmsg_len);

	step = step < *n ? step : *n;
	*n -= step;
	return (const struct nlmsghdr *)((const char *)h + step);
}

/*
 * The first error among the answers in @buf (@len bytes): 0 when none,
 * else its errno, with *@seq the message it answers.
 */
static int first_error(const char *buf, size_t len, uint32_t *seq)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	size_t n = len;

	for (; nfnl_msg_ok(h, n); h = nfnl_msg_next(h, &n)) {
		const struct nlmsgerr *er = NLMSG_DATA(h);

		if (h->nlmsg_type != NLMSG_ERROR ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(*er)) || !er->error)
			continue;
		*seq = h->nlmsg_seq;
		return -er->error;
	}
	return 0;
}

int nfnl_commit(struct nfnl_batch *b, const char *what, struct hm_err *e)
{
	struct nl_sock *sk;
	cleanup_free char *buf = NULL, *ans = NULL;
	size_t len;
	ssize_t r;
	uint32_t seq = 0;
	int err = 0, answers = 0;

	if (b->err)
		return netlink_fail(e, b->err, "nftables: %s", what);
	if (!b->n)
		return 0;
	if (!(sk = nfnl_socket(e)))
		return -1;
	buf = frame(b, &len);
	if ((r = nl_sendto(sk, buf, len)) < 0) {
		nfnl_drop_kept();
		return netlink_fail(e, (int)r, "nftables: %s", what);
	}
	ans = xmalloc(NFNL_RECV_SIZE);
	while (!err) {
		r = recv(nl_socket_get_fd(sk), ans, NFNL_RECV_SIZE,
			 MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0) {
			hm_fail(e, errno, "nftables: %s: receive", what);
			nfnl_drop_kept();
			return -1;
		}
		answers++;
		err = first_error(ans, (size_t)r, &seq);
	}
	if (err) {
		const char *obj =
		    seq >= 1 && seq <= b->n ? b->what[seq - 1] : "the batch";

		drain_kept(ans);
		return hm_fail(e, err, "nftables: %s: %s", what, obj);
	}
	if (!answers) /* every message asks for one */
		return hm_failx(e, HM_EXIT_FAIL,
				"nftables: %s: the kernel did not answer",
				what);
	if (b->close_in_child)
		close_in_child();
	return 0;
}
