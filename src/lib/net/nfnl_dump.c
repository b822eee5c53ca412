/* SPDX-License-Identifier: MIT */
/*
 * Listings of nf_tables objects (nfnl.h): a GETRULE or GETCHAIN dump on
 * nfnl.c's kept socket, its objects parsed with libnl's attribute calls.
 */
#include "net/nfnl.h"

#include <endian.h>
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

#include "base/lazylib.h"
#include "base/util.h"
#include "net/netlink.h"
#include "net/nfnl_int.h"

/* What a dump asks for, and what it calls per object. */
struct dump {
	int type; /* NFT_MSG_GETRULE, NFT_MSG_GETCHAIN */
	uint8_t family;
	const char *table, *chain; /* the kernel's filter: rules only */
	void (*rule_fn)(const struct nfnl_rule_info *r, void *arg);
	void (*chain_fn)(const char *chain, void *arg);
	void *arg;
};

/* @d's request, sent on @sk. */
static int dump_request(struct nl_sock *sk, const struct dump *d,
			struct hm_err *e)
{
	struct nfgenmsg g = {.nfgen_family = d->family,
			     .version = NFNETLINK_V0};
	struct nl_msg *m = nlmsg_alloc_size(NFNL_MSG_SIZE);
	int r = -NLE_NOMEM;

	if (m &&
	    nlmsg_put(m, NL_AUTO_PORT, 1, (NFNL_SUBSYS_NFTABLES << 8) | d->type,
		      sizeof(g), NLM_F_REQUEST | NLM_F_DUMP)) {
		memcpy(nlmsg_data(nlmsg_hdr(m)), &g, sizeof(g));
		r = 0;
		if (d->type == NFT_MSG_GETRULE)
			r = nla_put_string(m, NFTA_RULE_TABLE, d->table);
		if (r == 0 && d->type == NFT_MSG_GETRULE && d->chain)
			r = nla_put_string(m, NFTA_RULE_CHAIN, d->chain);
	}
	if (r == 0 &&
	    (r = nl_sendto(sk, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len)) > 0)
		r = 0;
	if (m)
		nlmsg_free(m);
	return r < 0 ? netlink_fail(e, r, "nftables: list table %s", d->table)
		     : 0;
}

/* The comment in a rule's user data (@a), copied to @out; "" if none. */
static void udata_comment(const struct nlattr *a, char *out, size_t size)
{
	const unsigned char *p = nla_data(a);
	size_t n = (size_t)nla_len(a);

	out[0] = '\0';
	while (n >= 2 && (size_t)p[1] + 2 <= n) {
		if (p[0] == NFNL_UDATA_COMMENT && p[1] > 0 && p[1] <= size &&
		    p[2 + p[1] - 1] == '\0') {
			memcpy(out, p + 2, p[1]);
			return;
		}
		n -= 2 + (size_t)p[1];
		p += 2 + p[1];
	}
}

static int parse_rule(const struct nlmsghdr *h, struct dump *d)
{
	struct nlattr *tb[NFTA_RULE_MAX + 1];
	char chain[NFT_CHAIN_MAXNAMELEN], comment[NFNL_COMMENT_MAX];
	struct nfnl_rule_info r = {chain, 0, comment};
	uint64_t be;

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(struct nfgenmsg), tb,
			NFTA_RULE_MAX, NULL) < 0 ||
	    !tb[NFTA_RULE_CHAIN] || !tb[NFTA_RULE_HANDLE] ||
	    nla_len(tb[NFTA_RULE_HANDLE]) != sizeof(be))
		return -EPROTO;
	nla_strlcpy(chain, tb[NFTA_RULE_CHAIN], sizeof(chain));
	memcpy(&be, nla_data(tb[NFTA_RULE_HANDLE]), sizeof(be));
	r.handle = be64toh(be);
	comment[0] = '\0';
	if (tb[NFTA_RULE_USERDATA])
		udata_comment(tb[NFTA_RULE_USERDATA], comment, sizeof(comment));
	d->rule_fn(&r, d->arg);
	return 0;
}

/* a chain of every table of the family: ours are picked here */
static int parse_chain(const struct nlmsghdr *h, struct dump *d)
{
	struct nlattr *tb[NFTA_CHAIN_MAX + 1];
	char table[NFT_TABLE_MAXNAMELEN], chain[NFT_CHAIN_MAXNAMELEN];

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(struct nfgenmsg), tb,
			NFTA_CHAIN_MAX, NULL) < 0 ||
	    !tb[NFTA_CHAIN_TABLE] || !tb[NFTA_CHAIN_NAME])
		return -EPROTO;
	nla_strlcpy(table, tb[NFTA_CHAIN_TABLE], sizeof(table));
	nla_strlcpy(chain, tb[NFTA_CHAIN_NAME], sizeof(chain));
	if (!strcmp(table, d->table))
		d->chain_fn(chain, d->arg);
	return 0;
}

/*
 * One datagram of the dump, each object to the parser of @d's type. Return: 1
 * at its end, 0 for more, or the negative errno it ended with.
 */
static int dump_part(const char *buf, size_t len, struct dump *d)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	size_t n = len;

	for (; nfnl_msg_ok(h, n); h = nfnl_msg_next(h, &n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *er = NLMSG_DATA(h);

			return h->nlmsg_len < NLMSG_LENGTH(sizeof(*er))
				   ? -EPROTO
				   : (er->error ? er->error : 1);
		}
		if ((d->type == NFT_MSG_GETRULE ? parse_rule(h, d)
						: parse_chain(h, d)) < 0)
			return -EPROTO;
	}
	return 0;
}

/* Run dump @d on the kept socket. */
static int dump(struct dump *d, struct hm_err *e)
{
	struct nl_sock *sk;
	cleanup_free char *buf = NULL;
	ssize_t r;
	int end = 0;

	if (!(sk = nfnl_socket(e)))
		return -1;
	if (dump_request(sk, d, e) < 0) {
		nfnl_drop_kept();
		return -1;
	}
	buf = xmalloc(NFNL_RECV_SIZE);
	while (!end) {
		r = recv(nl_socket_get_fd(sk), buf, NFNL_RECV_SIZE, MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || r > NFNL_RECV_SIZE) {
			hm_fail(e, r < 0 ? errno : EMSGSIZE,
				"nftables: list table %s", d->table);
			nfnl_drop_kept(); /* the rest of the dump is unread */
			return -1;
		}
		end = dump_part(buf, (size_t)r, d);
	}
	if (end == -EPROTO) /* we stopped reading mid-dump */
		nfnl_drop_kept();
	if (end == -ENOENT) /* no such table or chain: nothing in it */
		return 0;
	if (end < 0)
		return hm_fail(e, -end, "nftables: list table %s", d->table);
	return 0;
}

int nfnl_list_rules(uint8_t family, const char *table, const char *chain,
		    void (*fn)(const struct nfnl_rule_info *r, void *arg),
		    void *arg, struct hm_err *e)
{
	struct dump d = {NFT_MSG_GETRULE, family, table, chain, fn, NULL, arg};

	return dump(&d, e);
}

int nfnl_list_chains(uint8_t family, const char *table,
		     void (*fn)(const char *chain, void *arg), void *arg,
		     struct hm_err *e)
{
	struct dump d = {NFT_MSG_GETCHAIN, family, table, NULL, NULL, fn, arg};

	return dump(&d, e);
}
