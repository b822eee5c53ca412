/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NFNL_INT_H
#define HOMO_NFNL_INT_H

/* What nfnl.c shares with nfnl_dump.c, nobody else. */

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* a rule of ours fits in a page */
#define NFNL_MSG_SIZE 4096
/* a dump's datagrams are at most 32 KiB (net/netlink/af_netlink.c) */
#define NFNL_RECV_SIZE 32768

/*
 * libnftnl's user data, which nft reads a comment from: type-length-value
 * records of a byte each for type and length; the comment is type 0, with
 * its NUL.
 */
#define NFNL_UDATA_COMMENT 0

struct nl_sock;

/* The kept socket of this network namespace, opened on first use. */
struct nl_sock *nfnl_socket(struct hm_err *e);
/* Close it: what is still queued on it must not be read as an answer. */
void nfnl_drop_kept(void);

/*
 * The kernel's NLMSG_OK and NLMSG_NEXT over a size_t: the macros compare
 * the header's u32 length with an int, which clang's -Wsign-compare refuses.
 */
bool nfnl_msg_ok(const struct nlmsghdr *h, size_t n);
const struct nlmsghdr *nfnl_msg_next(const struct nlmsghdr *h, size_t *n);

#endif
