/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of nf_tables over netlink (net/nfnl.c) and the veth guard
 * built on it (net/guard.c), against the kernel in a network namespace of
 * the test's own.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "net/dnat.h"
#include "net/guard.h"
#include "net/nfnl.h"

static void count(const struct nfnl_rule_info *r, void *arg)
{
	int *n = arg;

	if (!strcmp(r->chain, "c"))
		n[0]++;
	else
		n[1]++;
}

/* A batch too long to build fails at its commit, before any socket. */
static void test_build_failure(void **state)
{
	cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();
	struct hm_err e;

	(void)state;
	assert_non_null(b);
	for (int i = 0; i < NFNL_MAX_MSGS + 1; i++)
		nfnl_table_add(b, NFPROTO_INET, "t");
	assert_int_equal(nfnl_commit(b, "add tables", &e), -1);
	assert_string_equal(e.msg,
			    "nftables: add tables: Input data out of range");
}

/* A device for the guard's hook: a tap, which needs no peer. */
static int make_tap(const char *name)
{
	struct ifreq r = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	r.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (fd < 0 || ioctl(fd, TUNSETIFF, &r) < 0 ||
	    ioctl(fd, TUNSETPERSIST, 1) < 0)
		return -1;
	close(fd);
	return 0;
}

static void test_kernel(void **state)
{
	cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();
	static const char id[] = "0123abcd";
	struct firewall_ctr c = {id,	      "hmtap0", "02:42:0a:58:00:05",
				 "10.88.0.5", NULL,	0};
	const unsigned char v[2] = {1, 2};
	struct hm_err e;
	int n[2] = {0, 0};

	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		skip();
	assert_int_equal(make_tap("hmtap0"), 0);
	/* a table with a rule in one chain, none in another */
	nfnl_table_add(b, NFPROTO_INET, "t");
	nfnl_chain_add(b, NFPROTO_INET, "t", "c");
	nfnl_chain_add(b, NFPROTO_INET, "t", "d");
	nfnl_rule(b, NFPROTO_INET, "t", "c");
	nfnl_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 0, 2);
	nfnl_cmp_eq(b, v, sizeof(v));
	nfnl_verdict(b, NF_ACCEPT);
	nfnl_rule_end(b);
	assert_int_equal(nfnl_commit(b, "fill", &e), 0);
	assert_int_equal(nfnl_list_rules(NFPROTO_INET, "t", NULL, count, n, &e),
			 0);
	assert_int_equal(n[0], 1);
	assert_int_equal(n[1], 0);
	/* a missing table has no rules; the family is part of its name */
	n[0] = 0;
	assert_int_equal(nfnl_list_rules(NFPROTO_IPV4, "t", NULL, count, n, &e),
			 0);
	assert_int_equal(n[0], 0);
	/* the kernel's refusal names the message it refused */
	nfnl_batch_free(b);
	b = nfnl_batch_new();
	nfnl_chain_add(b, NFPROTO_INET, "t", "e");
	nfnl_chain_del(b, NFPROTO_INET, "nosuch", "c");
	assert_int_equal(nfnl_commit(b, "change", &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_string_equal(e.msg, "nftables: change: delete chain c: "
				   "No such file or directory");
	/* ... and nothing of the batch went in: no chain e */
	b = (nfnl_batch_free(b), nfnl_batch_new());
	nfnl_chain_del(b, NFPROTO_INET, "t", "e");
	assert_int_equal(nfnl_commit(b, "delete", &e), -1);
	assert_int_equal(e.errnum, ENOENT);

	/* the guard: added twice (the second replaces the first), one
	 * chain of two rules; removed twice (none is success) */
	assert_int_equal(guard_add(&c, &e), 0);
	assert_int_equal(guard_add(&c, &e), 0);
	n[0] = n[1] = 0;
	assert_int_equal(
	    nfnl_list_rules(NFPROTO_NETDEV, "homo", NULL, count, n, &e), 0);
	assert_int_equal(n[1], 2);
	assert_int_equal(guard_remove(id, &e), 0);
	assert_int_equal(guard_remove(id, &e), 0);
	n[1] = 0;
	assert_int_equal(
	    nfnl_list_rules(NFPROTO_NETDEV, "homo", NULL, count, n, &e), 0);
	assert_int_equal(n[1], 0);
	/* a bad address is refused before the kernel */
	c.mac = "02:42:0a:58:00";
	assert_int_equal(guard_add(&c, &e), -1);
	assert_string_equal(e.msg, "guard: bad MAC address 02:42:0a:58:00");
}

/* the rules a listing gave: their comments and handles */
struct seen {
	char comment[4][NFNL_COMMENT_MAX];
	uint64_t handle[4];
	int n;
};

static void seen_rule(const struct nfnl_rule_info *r, void *arg)
{
	struct seen *s = arg;

	if (s->n == 4)
		return;
	snprintf(s->comment[s->n], NFNL_COMMENT_MAX, "%s", r->comment);
	s->handle[s->n++] = r->handle;
}

static void seen_chain(const char *chain, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4)
		snprintf(s->comment[s->n++], NFNL_COMMENT_MAX, "%s", chain);
}

static bool drop_all(const char *tag, void *arg)
{
	(void)tag;
	(void)arg;
	return true;
}

static bool drop_b(const char *tag, void *arg)
{
	(void)arg;
	return !strcmp(tag, "b");
}

/* ports: added with their comment, listed with it, pruned by it; guard
 * chains listed and pruned by their id */
static void test_ports(void **state)
{
	cleanup_nfnl struct nfnl_batch *b = nfnl_batch_new();
	const struct hm_port p[2] = {
	    {0, 8080, 80, 0, IPPROTO_TCP},
	    {0x7f000001, 5353, 53, 0, IPPROTO_UDP},
	};
	struct firewall_ctr a = {"a", NULL, NULL, "10.88.0.2", p, 2};
	struct firewall_ctr c = {"b", NULL, NULL, "10.88.0.3", p, 1};
	struct seen s = {0};
	struct nfnl_prune pr = {NULL, drop_b, NULL, false};
	struct hm_err e;

	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		skip();
	/* no table yet: the kernel's ENOENT */
	assert_int_equal(dnat_add(&a, &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	nfnl_table_add(b, NFPROTO_IPV4, "homo");
	nfnl_chain_add(b, NFPROTO_IPV4, "homo", "ports");
	nfnl_table_add(b, NFPROTO_NETDEV, "homo");
	nfnl_chain_add(b, NFPROTO_NETDEV, "homo", "ctr_a");
	nfnl_chain_add(b, NFPROTO_NETDEV, "homo", "ctr_b");
	nfnl_chain_add(b, NFPROTO_NETDEV, "homo", "other");
	assert_int_equal(nfnl_commit(b, "fill", &e), 0);
	assert_int_equal(dnat_add(&a, &e), 0);
	assert_int_equal(dnat_add(&c, &e), 0);
	assert_int_equal(
	    nfnl_list_rules(NFPROTO_IPV4, "homo", "ports", seen_rule, &s, &e),
	    0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.comment[0], "a");
	assert_string_equal(s.comment[1], "a");
	assert_string_equal(s.comment[2], "b");
	assert_true(s.handle[0] < s.handle[1] && s.handle[1] < s.handle[2]);
	s.n = 0;
	assert_int_equal(
	    nfnl_list_chains(NFPROTO_NETDEV, "homo", seen_chain, &s, &e), 0);
	assert_int_equal(s.n, 3);
	/* b's rule and guard go, a's stay */
	nfnl_batch_free(b);
	b = nfnl_batch_new();
	pr.b = b;
	assert_int_equal(dnat_prune(&pr, &e), 0);
	assert_int_equal(nfnl_batch_len(b), 1);
	assert_int_equal(guard_prune(&pr, &e), 0);
	assert_int_equal(nfnl_batch_len(b), 3); /* flush and delete */
	assert_false(pr.more);
	assert_int_equal(nfnl_commit(b, "prune", &e), 0);
	s.n = 0;
	assert_int_equal(
	    nfnl_list_rules(NFPROTO_IPV4, "homo", "ports", seen_rule, &s, &e),
	    0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.comment[1], "a");
	s.n = 0;
	assert_int_equal(
	    nfnl_list_chains(NFPROTO_NETDEV, "homo", seen_chain, &s, &e), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.comment[0], "ctr_a");
	assert_string_equal(s.comment[1], "other");
	/* a full batch queues no more and says so */
	nfnl_batch_free(b);
	b = nfnl_batch_new();
	for (int i = 0; i < NFNL_MAX_MSGS - 1; i++)
		nfnl_table_add(b, NFPROTO_INET, "t");
	pr = (struct nfnl_prune){b, drop_all, NULL, false};
	assert_int_equal(guard_prune(&pr, &e), 0);
	assert_true(pr.more);
	assert_int_equal(nfnl_batch_len(b), NFNL_MAX_MSGS - 1);
	/* a bad address is refused before the kernel */
	a.addr = "10.88.0";
	assert_int_equal(dnat_add(&a, &e), -1);
	assert_string_equal(e.msg,
			    "nftables: publish the ports: bad address 10.88.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_failure),
	    cmocka_unit_test(test_kernel),
	    cmocka_unit_test(test_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
