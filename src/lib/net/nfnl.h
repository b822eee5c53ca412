/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NFNL_H
#define HOMO_NFNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/*
 * nf_tables over netlink, built with libnl's message and attribute calls,
 * for what a start and a teardown change: a batch of messages the kernel
 * applies as one transaction, and listings of rules and chains. No
 * libnftables: no ruleset cache, no parser, nothing that can exit(), so it
 * runs in homo's process (firewall.c keeps libnftables, in a child, for
 * the rest; docs/network.md says why).
 *
 * The builders record their first failure (an allocation) in the batch,
 * and nfnl_commit() reports it: a caller builds without checking each step.
 * Rule expressions load into register 1 and compare it, as nft does
 * (nfnl_immediate() names its register: a DNAT takes two).
 */

struct nfnl_batch;

/* A batch's most messages: the prune's deletes go in batches this long. */
#define NFNL_MAX_MSGS 256
/* A rule comment's longest, its NUL included (nft's NFT_USERDATA_MAXLEN
 * allows more; homo's are container ids) */
#define NFNL_COMMENT_MAX 128

/** nfnl_batch_new() - an empty batch; NULL when out of memory. */
struct nfnl_batch *nfnl_batch_new(void);
void nfnl_batch_free(struct nfnl_batch *b);
void nfnl_batch_freep(struct nfnl_batch **b);
#define cleanup_nfnl __attribute__((cleanup(nfnl_batch_freep)))

/* Tables and chains (@family: NFPROTO_*). An add of what exists is no
 * error, as "nft add" (no NLM_F_EXCL). */
void nfnl_table_add(struct nfnl_batch *b, uint8_t family, const char *table);
void nfnl_chain_add(struct nfnl_batch *b, uint8_t family, const char *table,
		    const char *chain);
/** nfnl_chain_ingress() - a netdev filter chain on @dev's ingress hook,
 * priority 0, policy @policy (NF_DROP, NF_ACCEPT); with @excl, one that
 * exists already is an error (EEXIST). */
void nfnl_chain_ingress(struct nfnl_batch *b, const char *table,
			const char *chain, const char *dev, uint32_t policy,
			bool excl);
/** nfnl_chain_flush() - delete every rule of @chain. */
void nfnl_chain_flush(struct nfnl_batch *b, uint8_t family, const char *table,
		      const char *chain);
void nfnl_chain_del(struct nfnl_batch *b, uint8_t family, const char *table,
		    const char *chain);

/* A rule appended to @chain: nfnl_rule() then its expressions, in order,
 * ended by nfnl_rule_end(). */
void nfnl_rule(struct nfnl_batch *b, uint8_t family, const char *table,
	       const char *chain);
/** nfnl_meta() - load meta key @key (NFT_META_*). */
void nfnl_meta(struct nfnl_batch *b, uint32_t key);
/** nfnl_payload() - load @len bytes at @offset from header @base
 * (NFT_PAYLOAD_LL_HEADER, NFT_PAYLOAD_NETWORK_HEADER). */
void nfnl_payload(struct nfnl_batch *b, uint32_t base, uint32_t offset,
		  uint32_t len);
/** nfnl_cmp_eq() - the loaded bytes equal @data, else the rule ends. */
void nfnl_cmp_eq(struct nfnl_batch *b, const void *data, size_t len);
/** nfnl_verdict() - @code (NF_ACCEPT, NF_DROP). */
void nfnl_verdict(struct nfnl_batch *b, uint32_t code);
/** nfnl_immediate() - load @data into register @reg (NFT_REG_*). */
void nfnl_immediate(struct nfnl_batch *b, uint32_t reg, const void *data,
		    size_t len);
/** nfnl_dnat_ipv4() - DNAT to the address in @addr_reg and the port in
 * @port_reg, as nft's "dnat to ADDR:PORT". */
void nfnl_dnat_ipv4(struct nfnl_batch *b, uint32_t addr_reg, uint32_t port_reg);
void nfnl_rule_end(struct nfnl_batch *b);
/** nfnl_rule_comment() - the open rule's comment, as nft's "comment" (at
 * most NFNL_COMMENT_MAX - 1 bytes). */
void nfnl_rule_comment(struct nfnl_batch *b, const char *comment);
/** nfnl_rule_del() - delete the rule @handle of @chain. */
void nfnl_rule_del(struct nfnl_batch *b, uint8_t family, const char *table,
		   const char *chain, uint64_t handle);

/** nfnl_batch_len() - the messages in @b. */
size_t nfnl_batch_len(const struct nfnl_batch *b);

/* A prune's deletes, queued while a listing is read: @drop says which
 * tags (container ids) go; @more is set when @b filled up first. */
struct nfnl_prune {
	struct nfnl_batch *b;
	bool (*drop)(const char *tag, void *arg);
	void *arg;
	bool more;
};

/** nfnl_prune_room() - whether @p's batch takes @n more messages; if
 * not, @p->more is set (the caller commits and lists again). */
bool nfnl_prune_room(struct nfnl_prune *p, size_t n);

/**
 * nfnl_batch_close_in_child() - @b deletes: once nfnl_commit() has applied
 * it, its socket's last close is left to a short-lived child of ours, as
 * that close waits for the kernel to free what was deleted (an RCU grace
 * period, milliseconds) though nothing observable depends on it.
 */
void nfnl_batch_close_in_child(struct nfnl_batch *b);

/**
 * nfnl_commit() - send @b as one transaction and read the kernel's answer.
 * The kernel applies it all or nothing, while homo sends it.
 *
 * Return: 0; or -1 with @e ("nftables: @what: <strerror>", errnum the
 * kernel's errno: ENOENT for a missing table or chain to delete).
 */
int nfnl_commit(struct nfnl_batch *b, const char *what, struct hm_err *e);

/* A rule, as a listing shows it. */
struct nfnl_rule_info {
	const char *chain;
	uint64_t handle;
	const char *comment; /* "" when none */
};

/**
 * nfnl_list_rules() - the rules of table @table, or of its chain @chain
 * when not NULL: @fn is called once per rule. A missing table or chain has
 * none. @fn must not use nfnl_commit() or a listing (it is called while
 * the kernel's dump is read); it may build a batch.
 * Return: 0, or -1 with @e.
 */
int nfnl_list_rules(uint8_t family, const char *table, const char *chain,
		    void (*fn)(const struct nfnl_rule_info *r, void *arg),
		    void *arg, struct hm_err *e);

/**
 * nfnl_list_chains() - the chains of table @table: @fn is called with
 * each one's name, with nfnl_list_rules()'s limits.
 */
int nfnl_list_chains(uint8_t family, const char *table,
		     void (*fn)(const char *chain, void *arg), void *arg,
		     struct hm_err *e);

#endif
