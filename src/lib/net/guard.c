/* SPDX-License-Identifier: MIT */
/*
 * The veth guard (guard.h) as nf_tables expressions: the same bytecode
 * nft makes of
 *
 *   table netdev homo {
 *     chain ctr_<id> {
 *       type filter hook ingress device "<veth>" priority filter;
 *       policy drop;
 *       ether saddr <mac> ip saddr <addr> accept
 *       ether saddr <mac> arp hlen 6 arp plen 4
 *             arp saddr ether <mac> arp saddr ip <addr> accept
 *     }
 *   }
 *
 * ("nft --debug=netlink" shows it), so "nft list table netdev homo" reads
 * the rules back as that text; net.bats checks it does.
 */
#include "net/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <string.h>

#include "base/fault.h"
#include "net/netlink.h"
#include "net/nfnl.h"

#define TABLE "homo"
#define PREFIX "ctr_"

/* 2 + the id, as firewall.c names the chain */
static void chain_name(const char *id, char out[NFT_CHAIN_MAXNAMELEN])
{
	snprintf(out, NFT_CHAIN_MAXNAMELEN, PREFIX "%s", id);
}

/* What a guard matches: its MAC, an EtherType after it, its address. */
struct sender {
	unsigned char mac[ETH_ALEN];
	struct in_addr addr;
};

static int sender_parse(const struct firewall_ctr *c, struct sender *s,
			struct hm_err *e)
{
	if (netlink_mac_parse(c->mac, s->mac) < 0)
		return hm_failx(e, HM_EXIT_FAIL, "guard: bad MAC address %s",
				c->mac);
	if (inet_pton(AF_INET, c->addr, &s->addr) != 1)
		return hm_failx(e, HM_EXIT_FAIL, "guard: bad address %s",
				c->addr);
	return 0;
}

/* "ether saddr <mac>" and the EtherType @type, as nft merges them: one
 * 8-byte load after the Ethernet-only check nft adds (meta iiftype) */
static void match_ether(struct nfnl_batch *b, const struct sender *s,
			uint16_t type)
{
	const uint16_t ether = ARPHRD_ETHER; /* host order, as meta stores */
	unsigned char v[ETH_ALEN + 2];
	uint16_t be = htons(type);

	memcpy(v, s->mac, ETH_ALEN);
	memcpy(v + ETH_ALEN, &be, 2);
	nfnl_meta(b, NFT_META_IIFTYPE);
	nfnl_cmp_eq(b, &ether, sizeof(ether));
	nfnl_payload(b, NFT_PAYLOAD_LL_HEADER, ETH_ALEN, sizeof(v));
	nfnl_cmp_eq(b, v, sizeof(v));
}

/* ether saddr <mac> ip saddr <addr> accept */
static void rule_ipv4(struct nfnl_batch *b, const char *chain,
		      const struct sender *s)
{
	nfnl_rule(b, NFPROTO_NETDEV, TABLE, chain);
	match_ether(b, s, ETH_P_IP);
	nfnl_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 12, 4); /* saddr */
	nfnl_cmp_eq(b, &s->addr, 4);
	nfnl_verdict(b, NF_ACCEPT);
	nfnl_rule_end(b);
}

/* ether saddr <mac> arp hlen 6 arp plen 4 arp saddr ether <mac>
 * arp saddr ip <addr> accept */
static void rule_arp(struct nfnl_batch *b, const char *chain,
		     const struct sender *s)
{
	const unsigned char lens[2] = {ETH_ALEN, 4};
	unsigned char sha_spa[ETH_ALEN + 4];

	memcpy(sha_spa, s->mac, ETH_ALEN);
	memcpy(sha_spa + ETH_ALEN, &s->addr, 4);
	nfnl_rule(b, NFPROTO_NETDEV, TABLE, chain);
	match_ether(b, s, ETH_P_ARP);
	nfnl_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 4, sizeof(lens));
	nfnl_cmp_eq(b, lens, sizeof(lens));
	nfnl_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 8, sizeof(sha_spa));
	nfnl_cmp_eq(b, sha_spa, sizeof(sha_spa));
	nfnl_verdict(b, NF_ACCEPT);
	nfnl_rule_end(b);
}

/*
 * One try at @c's guard, as chain @chain. Without @replace the chain must
 * be new (EEXIST if not: the batch then changes nothing); with it, an
 * earlier start's chain, on its old veth, goes first: added if missing so
 * that its delete cannot fail, flushed for kernels that delete only empty
 * chains. The first try is the short one: a start almost never finds a
 * chain, and three messages fewer save it about 0.1 ms (A/B, 3 x 40).
 */
static int add_once(const struct firewall_ctr *c, const struct sender *s,
		    const char *chain, bool replace, struct hm_err *e)
{
	cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();

	if (!b)
		return hm_fail(e, ENOMEM, "nftables: guard the veth");
	nfnl_table_add(b, NFPROTO_NETDEV, TABLE);
	if (replace) {
		nfnl_chain_add(b, NFPROTO_NETDEV, TABLE, chain);
		nfnl_chain_flush(b, NFPROTO_NETDEV, TABLE, chain);
		nfnl_chain_del(b, NFPROTO_NETDEV, TABLE, chain);
	}
	/* homo-fault's stand-in for the kernel refusing the guard: a policy
	 * that is neither accept nor drop (EINVAL) */
	nfnl_chain_ingress(b, TABLE, chain, c->veth,
			   FAULT_ONCE("guard-refused") ? 42 : NF_DROP,
			   !replace);
	rule_ipv4(b, chain, s);
	rule_arp(b, chain, s);
	return nfnl_commit(b, "guard the veth", e);
}

int guard_add(const struct firewall_ctr *c, struct hm_err *e)
{
	char chain[NFT_CHAIN_MAXNAMELEN];
	struct hm_err scratch, *err = hm_err_or(e, &scratch);
	struct sender s;

	if (sender_parse(c, &s, e) < 0)
		return -1;
	chain_name(c->id, chain);
	if (add_once(c, &s, chain, false, err) == 0)
		return 0;
	if (err->errnum != EEXIST)
		return -1;
	hm_clear(e);
	return add_once(c, &s, chain, true, e);
}

int guard_remove(const char *id, struct hm_err *e)
{
	cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();
	char chain[NFT_CHAIN_MAXNAMELEN];
	struct hm_err scratch, *err = hm_err_or(e, &scratch);

	if (!b)
		return hm_fail(e, ENOMEM, "nftables: remove the veth guard");
	chain_name(id, chain);
	nfnl_chain_flush(b, NFPROTO_NETDEV, TABLE, chain);
	nfnl_chain_del(b, NFPROTO_NETDEV, TABLE, chain);
	nfnl_batch_close_in_child(b);
	if (nfnl_commit(b, "remove the veth guard", err) == 0)
		return 0;
	if (err->errnum != ENOENT) /* no table or chain: no guard */
		return -1;
	hm_clear(e);
	return 0;
}

static void prune_chain(const char *chain, void *arg)
{
	struct nfnl_prune *p = arg;
	const size_t n = strlen(PREFIX);

	if (strncmp(chain, PREFIX, n) || !p->drop(chain + n, p->arg) ||
	    !nfnl_prune_room(p, 2))
		return;
	nfnl_chain_flush(p->b, NFPROTO_NETDEV, TABLE, chain);
	nfnl_chain_del(p->b, NFPROTO_NETDEV, TABLE, chain);
}

int guard_prune(struct nfnl_prune *p, struct hm_err *e)
{
	return nfnl_list_chains(NFPROTO_NETDEV, TABLE, prune_chain, p, e);
}
