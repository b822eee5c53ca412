/* SPDX-License-Identifier: MIT */
/* Unit tests of -p with ranges and of the host sockets holding ports. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "net/ports.h"

static void test_ranges(void **state)
{
	cleanup_free struct hm_port *v = NULL;
	size_t n = 0;
	struct hm_err e;

	(void)state;
	assert_int_equal(ports_parse("8000-8002:80-82/udp", &v, &n, &e), 0);
	assert_int_equal(n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(v[i].host_port, 8000 + i);
		assert_int_equal(v[i].ctr_port, 80 + i);
		assert_int_equal(v[i].proto, IPPROTO_UDP);
		assert_int_equal(v[i].host_end, 0);
	}
	/* container range alone: random host ports */
	assert_int_equal(ports_parse("90-91", &v, &n, &e), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[3].host_port, 0);
	assert_int_equal(v[4].ctr_port, 91);
	/* a host range for one port: the first free of it */
	assert_int_equal(ports_parse("10.0.0.1:9000-9010:80", &v, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_int_equal(v[5].host_port, 9000);
	assert_int_equal(v[5].host_end, 9010);
	assert_int_equal(v[5].ctr_port, 80);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
	    "8000-8001:80-82", "8000:80-82", "82-80",  "80-",	   "-80",
	    "1-2-3:80",	       "80:90-89",   "0-5:80", "80-65536", "::1:80:80",
	    "1.2.3.4:80",      "a-b:80",
	};
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_free struct hm_port *v = NULL;
		size_t n = 0;

		if (ports_parse(bad[i], &v, &n, &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(n, 0);
		assert_non_null(strstr(e.msg, "-p "));
	}
	/* one port wanted */
	struct hm_port p;
	assert_int_equal(port_parse("80-81", &p, &e), -1);
	assert_int_equal(port_parse("8000-8001:80", &p, &e), -1);
}

static void test_spec_str(void **state)
{
	static const char *const specs[] = {
	    "8080:80", "127.0.0.1:8080:80", "53:53/udp",
	    "80",      "127.0.0.1::80",	    "9000-9010:80",
	};
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		struct hm_port p;
		char out[48];
		cleanup_free struct hm_port *v = NULL;
		size_t n = 0;

		assert_int_equal(ports_parse(specs[i], &v, &n, &e), 0);
		p = v[0];
		port_spec_str(&p, out);
		assert_string_equal(out, specs[i]);
	}
}

/* in a network namespace of its own, so nothing of the machine's is
 * touched; skipped where one cannot be made (not root) */
static void test_bind(void **state)
{
	struct hm_port spec[2] = {{.proto = IPPROTO_TCP},
				  {.proto = IPPROTO_UDP}};
	struct ports_held h, h2;
	struct hm_err e;
	char want[64];

	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		skip();
	spec[0].ctr_port = spec[1].ctr_port = 80;
	assert_int_equal(ports_bind(spec, 2, &h, &e), 0);
	assert_int_equal(h.n, 2);
	assert_true(h.ports[0].host_port > 0);
	assert_true(h.ports[1].host_port > 0);
	/* the port is held: binding it again fails, naming the -p */
	spec[0].host_port = h.ports[0].host_port;
	assert_int_equal(ports_bind(spec, 1, &h2, &e), -1);
	assert_int_equal(e.errnum, EADDRINUSE);
	snprintf(want, sizeof(want), "-p %u:80: address already in use",
		 spec[0].host_port);
	assert_string_equal(e.msg, want);
	assert_int_equal(h2.n, 0);
	/* a range skips it */
	spec[0].host_end = (uint16_t)(spec[0].host_port + 1);
	if (ports_bind(spec, 1, &h2, &e) == 0) {
		assert_int_equal(h2.ports[0].host_port, spec[0].host_port + 1);
		assert_int_equal(h2.ports[0].host_end, 0);
		ports_release(&h2);
	}
	ports_release(&h);
	/* given back */
	spec[0].host_end = 0;
	assert_int_equal(ports_bind(spec, 1, &h2, &e), 0);
	ports_release(&h2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_spec_str),
	    cmocka_unit_test(test_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
