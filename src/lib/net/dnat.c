/* SPDX-License-Identifier: MIT */
/*
 * Published ports (dnat.h) as nf_tables expressions: the bytecode nft
 * makes of
 *
 *   ip daddr <host ip> tcp dport <host port> dnat to <addr>:<port>
 *       comment "<id>"
 *
 * ("nft --debug=netlink" shows it), so "nft list chain ip homo ports"
 * reads each rule back as that text; net.bats checks it does. A start
 * that publishes ports and a teardown that removes them then need no
 * libnftables child: each child's exit closed its own nf_tables socket,
 * which waits for an RCU grace period holding the commit lock
 * (docs/performance.md).
 */
#include "net/dnat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <string.h>

#define TABLE "homo"
#define CHAIN "ports"

static void rule_port(struct nfnl_batch *b, const struct firewall_ctr *c,
		      const struct hm_port *p, struct in_addr to)
{
	const uint8_t proto = (uint8_t)p->proto;
	const uint16_t dport = htons(p->host_port), port = htons(p->ctr_port);
	const uint32_t host = htonl(p->host_ip);

	nfnl_rule(b, NFPROTO_IPV4, TABLE, CHAIN);
	if (p->host_ip) {
		nfnl_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 16, 4); /* daddr */
		nfnl_cmp_eq(b, &host, sizeof(host));
	}
	nfnl_meta(b, NFT_META_L4PROTO);
	nfnl_cmp_eq(b, &proto, sizeof(proto));
	/* the destination port, at the same offset in TCP and UDP */
	nfnl_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, sizeof(dport));
	nfnl_cmp_eq(b, &dport, sizeof(dport));
	nfnl_immediate(b, NFT_REG_1, &to, sizeof(to));
	nfnl_immediate(b, NFT_REG_2, &port, sizeof(port));
	nfnl_dnat_ipv4(b, NFT_REG_1, NFT_REG_2);
	nfnl_rule_end(b);
	nfnl_rule_comment(b, c->id);
}

int dnat_add(const struct firewall_ctr *c, struct hm_err *e)
{
	cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();
	struct in_addr to;

	if (!b)
		return hm_fail(e, ENOMEM, "nftables: publish the ports");
	if (inet_pton(AF_INET, c->addr, &to) != 1)
		return hm_failx(e, HM_EXIT_FAIL,
				"nftables: publish the ports: bad address %s",
				c->addr);
	for (size_t i = 0; i < c->nports; i++)
		rule_port(b, c, &c->ports[i], to);
	return nfnl_commit(b, "publish the ports", e);
}

static void prune_rule(const struct nfnl_rule_info *r, void *arg)
{
	struct nfnl_prune *p = arg;

	if (r->comment[0] && p->drop(r->comment, p->arg) &&
	    nfnl_prune_room(p, 1))
		nfnl_rule_del(p->b, NFPROTO_IPV4, TABLE, CHAIN, r->handle);
}

int dnat_prune(struct nfnl_prune *p, struct hm_err *e)
{
	return nfnl_list_rules(NFPROTO_IPV4, TABLE, CHAIN, prune_rule, p, e);
}
