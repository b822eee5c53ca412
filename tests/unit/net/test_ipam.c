/* SPDX-License-Identifier: MIT */
/* Unit tests of the bridge network's address management and -p parsing. */
#include "unit.h"

#include <netinet/in.h>
#include <unistd.h>

#include "base/util.h"
#include "net/ipam.h"

static uint32_t A(const char *s)
{
	uint32_t a = 0;

	assert_int_equal(ipam_addr_parse(s, &a), 0);
	return a;
}

static void test_port_parse(void **state)
{
	static const struct {
		const char *arg, *ip;
		unsigned hp, cp;
		int proto;
	} good[] = {
	    {"18080:80", "0.0.0.0", 18080, 80, IPPROTO_TCP},
	    {"53:5353/udp", "0.0.0.0", 53, 5353, IPPROTO_UDP},
	    {"127.0.0.1:8080:80/tcp", "127.0.0.1", 8080, 80, IPPROTO_TCP},
	    {"65535:1", "0.0.0.0", 65535, 1, IPPROTO_TCP},
	    {"80", "0.0.0.0", 0, 80, IPPROTO_TCP}, /* a random host port */
	    {"127.0.0.1::53/udp", "127.0.0.1", 0, 53, IPPROTO_UDP},
	};
	static const char *const bad[] = {
	    "",
	    "80:",
	    "0:80",
	    "80:65536",
	    "x:80",
	    "80:80/sctp",
	    "1.2.3:80:80",
	    "::1:80:80",
	    "80:80/",
	    "-1:80",
	    "+80:80",
	    "localhost:80:80",
	    "80:80:80:80",
	    "80: 80",
	    "80:0x50",
	    "80:18446744073709551696",
	};
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct hm_port p;
		char ip[16];

		assert_int_equal(port_parse(good[i].arg, &p, &e), 0);
		ipam_addr_str(p.host_ip, ip);
		assert_string_equal(ip, good[i].ip);
		assert_int_equal(p.host_port, good[i].hp);
		assert_int_equal(p.ctr_port, good[i].cp);
		assert_int_equal(p.proto, good[i].proto);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct hm_port p;

		if (port_parse(bad[i], &p, &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(e.msg, "-p "));
	}
}

static void test_port_json_roundtrip(void **state)
{
	struct hm_port p, q;
	struct hm_err e;
	json_t *j;

	(void)state;
	assert_int_equal(port_parse("10.0.0.1:53:5353/udp", &p, &e), 0);
	j = port_to_json(&p);
	assert_int_equal(port_from_json(j, &q), 0);
	json_decref(j);
	assert_memory_equal(&p, &q, sizeof(p));
	j = json_pack("{s:s, s:i, s:i, s:s}", "HostIp", "0.0.0.0", "HostPort",
		      70000, "ContainerPort", 80, "Protocol", "tcp");
	assert_int_equal(port_from_json(j, &q), -1);
	json_decref(j);
}

static void test_conflicts(void **state)
{
	struct hm_port a, b;
	struct hm_err e;

	(void)state;
	port_parse("80:80", &a, &e);
	port_parse("127.0.0.1:80:81", &b, &e);
	assert_true(ports_conflict(&a, &b)); /* any address overlaps */
	port_parse("80:80/udp", &b, &e);
	assert_false(ports_conflict(&a, &b));
	port_parse("127.0.0.1:80:80", &a, &e);
	port_parse("127.0.0.2:80:80", &b, &e);
	assert_false(ports_conflict(&a, &b));
}

static void test_init(void **state)
{
	static const char *const bad[] = {
	    "10.88.0.0",
	    "10.88.0.0/",
	    "10.88.0.0/31",
	    "10.88.0.0/7",
	    "10.88.0.1/16",
	    "10.88.0/16",
	    "x/16",
	    "10.88.0.0/16x",
	    /* strtoul took these: blanks, signs, 2^64 + 16 wrapped */
	    "10.88.0.0/ 16",
	    "10.88.0.0/+16",
	    "10.88.0.0/-16",
	    "10.88.0.0/18446744073709551632",
	    "10.88.0.0/0x10",
	};
	struct ipam p;
	struct hm_err e;
	char s[20];

	(void)state;
	assert_int_equal(ipam_init(&p, "10.88.0.0/16", &e), 0);
	assert_int_equal(ipam_gateway(&p), A("10.88.0.1"));
	ipam_cidr_str(&p, s);
	assert_string_equal(s, "10.88.0.0/16");
	ipam_free(&p);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (ipam_init(&p, bad[i], &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
}

static void id_of(char id[65], int n)
{
	snprintf(id, 65, "%064x", n);
}

static void test_lowest_free_and_release(void **state)
{
	struct ipam p;
	struct hm_err e;
	char id[65];
	uint32_t a;

	(void)state;
	assert_int_equal(ipam_init(&p, "10.88.0.0/16", &e), 0);
	for (int i = 0; i < 5; i++) {
		id_of(id, i);
		assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e),
				 0);
		assert_int_equal(a, A("10.88.0.2") + (uint32_t)i);
	}
	/* a hole is filled first */
	id_of(id, 1);
	assert_true(ipam_release(&p, id));
	assert_false(ipam_release(&p, id));
	id_of(id, 9);
	assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e), 0);
	assert_int_equal(a, A("10.88.0.3"));
	/* an id holds one address */
	assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e), -1);
	id_of(id, 10);
	assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e), 0);
	assert_int_equal(a, A("10.88.0.7"));
	assert_int_equal(p.n, 6);
	ipam_free(&p);
}

static void test_wanted(void **state)
{
	static const char *const bad[] = {
	    "10.88.0.0", "10.88.0.1", "10.88.255.255",
	    "10.89.0.2", "10.88.0.5", /* taken below */
	};
	struct ipam p;
	struct hm_err e;
	char id[65];
	uint32_t a;

	(void)state;
	assert_int_equal(ipam_init(&p, "10.88.0.0/16", &e), 0);
	id_of(id, 1);
	assert_int_equal(
	    ipam_alloc(&p, id, A("10.88.0.5"), NULL, 0, NULL, &a, &e), 0);
	assert_int_equal(a, A("10.88.0.5"));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		id_of(id, 100 + (int)i);
		if (ipam_alloc(&p, id, A(bad[i]), NULL, 0, NULL, &a, &e) == 0)
			fail_msg("--ip %s was accepted", bad[i]);
		assert_non_null(strstr(e.msg, "--ip"));
	}
	/* the lowest free skips the explicit one */
	for (int i = 0; i < 4; i++) {
		id_of(id, 2 + i);
		assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e),
				 0);
	}
	assert_int_equal(a, A("10.88.0.6"));
	ipam_free(&p);
}

static void test_full(void **state)
{
	struct ipam p;
	struct hm_err e;
	char id[65];
	uint32_t a;

	(void)state;
	/* /29: .0 network, .1 gateway, .2-.6 hosts, .7 broadcast */
	assert_int_equal(ipam_init(&p, "192.168.7.0/29", &e), 0);
	for (int i = 0; i < 5; i++) {
		id_of(id, i);
		assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e),
				 0);
	}
	assert_int_equal(a, A("192.168.7.6"));
	id_of(id, 99);
	assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e), -1);
	assert_non_null(strstr(e.msg, "no free address"));
	assert_non_null(strstr(e.msg, "192.168.7.0/29"));
	ipam_free(&p);
}

static void test_port_clash(void **state)
{
	struct hm_port p[2];
	struct ipam pool;
	struct hm_err e;
	char id[65];
	uint32_t a;

	(void)state;
	assert_int_equal(ipam_init(&pool, "10.88.0.0/16", &e), 0);
	port_parse("8080:80", &p[0], &e);
	port_parse("8080:80/udp", &p[1], &e);
	id_of(id, 1);
	assert_int_equal(ipam_alloc(&pool, id, 0, p, 2, NULL, &a, &e), 0);
	id_of(id, 2);
	port_parse("127.0.0.1:8080:81", &p[0], &e);
	assert_int_equal(ipam_alloc(&pool, id, 0, p, 1, NULL, &a, &e), -1);
	assert_non_null(strstr(e.msg, "port is already allocated"));
	assert_null(ipam_find(&pool, id));
	/* twice in one run */
	port_parse("9090:80", &p[0], &e);
	port_parse("9090:81", &p[1], &e);
	assert_int_equal(ipam_alloc(&pool, id, 0, p, 2, NULL, &a, &e), -1);
	ipam_free(&pool);
}

/* --gateway anywhere in the subnet: skipped by allocation, kept in JSON */
static void test_gateway(void **state)
{
	struct ipam p, q;
	struct hm_err e;
	char id[65];
	uint32_t a;
	json_t *j;

	(void)state;
	assert_int_equal(ipam_init(&p, "192.168.7.0/29", &e), 0);
	assert_int_equal(ipam_set_gateway(&p, A("192.168.7.0")), -1);
	assert_int_equal(ipam_set_gateway(&p, A("192.168.7.7")), -1);
	assert_int_equal(ipam_set_gateway(&p, A("192.168.8.3")), -1);
	assert_int_equal(ipam_set_gateway(&p, A("192.168.7.3")), 0);
	assert_int_equal(ipam_gateway(&p), A("192.168.7.3"));
	for (int i = 1; i <= 5; i++) {
		static const char *const want[] = {"",
						   "192.168.7.1",
						   "192.168.7.2",
						   "192.168.7.4",
						   "192.168.7.5",
						   "192.168.7.6"};

		id_of(id, i);
		assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e),
				 0);
		assert_int_equal(a, A(want[i]));
	}
	id_of(id, 6);
	assert_int_equal(ipam_alloc(&p, id, 0, NULL, 0, NULL, &a, &e), -1);
	assert_int_equal(
	    ipam_alloc(&p, id, A("192.168.7.3"), NULL, 0, NULL, &a, &e), -1);
	assert_non_null(strstr(e.msg, "gateway"));
	j = ipam_to_json(&p);
	assert_int_equal(ipam_from_json(j, &q, &e), 0);
	assert_int_equal(ipam_gateway(&q), A("192.168.7.3"));
	json_decref(j);
	ipam_free(&q);
	ipam_free(&p);
}

static bool even_in_use(const struct ipam_entry *en, void *arg)
{
	(void)arg;
	return (strtoul(en->id + 56, NULL, 16) % 2) == 0;
}

static void test_reclaim(void **state)
{
	struct hm_port port;
	struct ipam p;
	struct hm_err e;
	char id[65];
	uint32_t a;
	bool had_ports;

	(void)state;
	assert_int_equal(ipam_init(&p, "10.88.0.0/16", &e), 0);
	port_parse("80:80", &port, &e);
	for (int i = 0; i < 6; i++) {
		id_of(id, i);
		assert_int_equal(
		    ipam_alloc(&p, id, 0, &port, i == 3, NULL, &a, &e), 0);
	}
	assert_int_equal(ipam_reclaim(&p, even_in_use, NULL, &had_ports), 3);
	assert_true(had_ports);
	assert_int_equal(p.n, 3);
	for (size_t i = 0; i < p.n; i++)
		assert_true(even_in_use(&p.v[i], NULL));
	assert_int_equal(ipam_reclaim(&p, even_in_use, NULL, &had_ports), 0);
	assert_false(had_ports);
	ipam_free(&p);
}

/* A pool that two writers corrupted: the twin addresses are counted. */
static void test_duplicates(void **state)
{
	struct ipam p;
	struct hm_err e;
	char a[65], b[65], c[65];
	json_t *j;

	(void)state;
	id_of(a, 1);
	id_of(b, 2);
	id_of(c, 3);
	j = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "subnet",
		      "10.88.0.0/16", "allocations", "address", "10.88.0.2",
		      "id", a, "address", "10.88.0.3", "id", b, "address",
		      "10.88.0.2", "id", c);
	assert_int_equal(ipam_from_json(j, &p, &e), 0);
	assert_int_equal(ipam_duplicates(&p), 1);
	/* no owner recorded: unknown, not a live process */
	assert_int_equal(p.v[0].owner.pid, 0);
	json_decref(j);
	ipam_free(&p);
}

static void test_load_save(void **state)
{
	char *dir = unit_tmpdir();
	cleanup_free char *path = xasprintf("%s/ipam.json", dir);
	struct hm_port port;
	struct ipam p, q;
	struct hm_err e;
	struct ipam_owner owner = {4242, 123456789012ULL};
	char id[65];
	uint32_t a;
	FILE *f;

	(void)state;
	/* missing: an empty pool of the default subnet */
	assert_int_equal(ipam_load(path, "172.30.0.0/24", &p, &e), 0);
	assert_int_equal(p.n, 0);
	port_parse("127.0.0.1:53:53/udp", &port, &e);
	id_of(id, 7);
	assert_int_equal(
	    ipam_alloc(&p, id, A("172.30.0.9"), &port, 1, &owner, &a, &e), 0);
	assert_int_equal(ipam_save(path, &p, &e), 0);
	/* the saved subnet wins over a new default */
	assert_int_equal(ipam_load(path, "10.0.0.0/8", &q, &e), 0);
	assert_int_equal(q.net, A("172.30.0.0"));
	assert_int_equal(q.prefix, 24);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.v[0].id, id);
	assert_int_equal(q.v[0].addr, A("172.30.0.9"));
	assert_int_equal(q.v[0].nports, 1);
	assert_memory_equal(&q.v[0].ports[0], &port, sizeof(port));
	/* the reservation keeps its owner */
	assert_int_equal(q.v[0].owner.pid, owner.pid);
	assert_true(q.v[0].owner.start == owner.start);
	ipam_free(&q);
	ipam_free(&p);
	/* corrupt: an error naming the file, no crash */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"subnet\": \"10.88.0.0/16\", \"allocations\": "
	      "[{\"address\": \"99.1.1.1\", \"id\": \"x\"}]}",
	      f);
	fclose(f);
	assert_int_equal(ipam_load(path, "10.0.0.0/8", &q, &e), -1);
	assert_non_null(strstr(e.msg, path));
	f = fopen(path, "w");
	fputs("{not json", f);
	fclose(f);
	assert_int_equal(ipam_load(path, "10.0.0.0/8", &q, &e), -1);
	unit_rmtree(dir);
}

static void test_mac(void **state)
{
	char m[18];

	(void)state;
	ipam_mac(A("10.88.0.2"), m);
	assert_string_equal(m, "02:42:0a:58:00:02");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_port_parse),
	    cmocka_unit_test(test_port_json_roundtrip),
	    cmocka_unit_test(test_conflicts),
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_lowest_free_and_release),
	    cmocka_unit_test(test_wanted),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_port_clash),
	    cmocka_unit_test(test_gateway),
	    cmocka_unit_test(test_reclaim),
	    cmocka_unit_test(test_load_save),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
