/* SPDX-License-Identifier: MIT */
/* Unit tests of --dns, --add-host, --mac-address and subnet overlap. */
#include "unit.h"

#include "base/util.h"
#include "net/netopts.h"

static void test_mac(void **state)
{
	static const char *const bad[] = {
	    "",
	    "02:42:ac:11:00",
	    "02:42:ac:11:00:02:03",
	    "01:00:5e:00:00:01",
	    "ff:ff:ff:ff:ff:ff",
	    "00:00:00:00:00:00",
	    "02:42:ac:11:00:0g",
	    "02:42-ac:11:00:02",
	    "0242ac110002",
	    "02:42:ac:11:00:2",
	    " 2:42:ac:11:00:02",
	};
	struct hm_err e;
	char m[18];

	(void)state;
	assert_int_equal(netopt_mac("02:42:AC:11:00:02", m, &e), 0);
	assert_string_equal(m, "02:42:ac:11:00:02");
	assert_int_equal(netopt_mac("0a-00-27-00-00-01", m, &e), 0);
	assert_string_equal(m, "0a:00:27:00:00:01");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (netopt_mac(bad[i], m, &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
}

static void test_add_host(void **state)
{
	static const char *const good[] = {"db:10.0.0.1", "a.b-c:fe80::1",
					   "gw:host-gateway"};
	static const char *const bad[] = {
	    "db",      "db:",	      ":1.2.3.4",     "db:1.2.3",
	    "db:name", "a b:1.2.3.4", "a\nb:1.2.3.4", "a#b:1.2.3.4",
	};
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(netopt_add_host(good[i], &e), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (netopt_add_host(bad[i], &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
}

static void test_dns(void **state)
{
	struct hm_err e;

	(void)state;
	assert_int_equal(netopt_dns("10.0.0.53", &e), 0);
	assert_int_equal(netopt_dns("2001:db8::1", &e), 0);
	assert_int_equal(netopt_dns("10.0.0", &e), -1);
	assert_int_equal(netopt_dns("dns.example", &e), -1);
	assert_int_equal(netopt_dns_search("example.com", &e), 0);
	assert_int_equal(netopt_dns_search("a\nnameserver 1.1.1.1", &e), -1);
	assert_int_equal(netopt_dns_search("", &e), -1);
	assert_int_equal(netopt_dns_option("ndots:2", &e), 0);
	assert_int_equal(netopt_dns_option("a b", &e), -1);
}

static void test_hosts_lines(void **state)
{
	struct hm_netconf nc = {0};
	cleanup_free char *s = NULL;

	(void)state;
	nc.add_hosts = strv_push(nc.add_hosts, "db:10.0.0.1");
	nc.add_hosts = strv_push(nc.add_hosts, "gw:host-gateway");
	s = netopts_hosts_lines(&nc, "10.88.0.1");
	assert_string_equal(s, "10.0.0.1\tdb\n10.88.0.1\tgw\n");
	strv_free(nc.add_hosts);
}

static void test_overlap(void **state)
{
	(void)state;
	/* 10.88.0.0/16 and 10.88.5.0/24 */
	assert_true(netopt_cidr_overlap(0x0a580000, 16, 0x0a580500, 24));
	assert_true(netopt_cidr_overlap(0x0a580500, 24, 0x0a580000, 16));
	assert_false(netopt_cidr_overlap(0x0a590000, 24, 0x0a590100, 24));
	assert_true(netopt_cidr_overlap(0x0a000000, 8, 0x0aff0000, 16));
	assert_false(netopt_cidr_overlap(0xc0a80000, 20, 0xc0a81000, 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mac),	    cmocka_unit_test(test_add_host),
	    cmocka_unit_test(test_dns),	    cmocka_unit_test(test_hosts_lines),
	    cmocka_unit_test(test_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
