/* SPDX-License-Identifier: MIT */
/* Unit tests of runtime/log_record.c: a log record's bytes round-trip. */
#include "unit.h"

#include "runtime/log_record.h"

/* encode @n bytes, check the JSON has @want (if any), decode, compare */
static void roundtrip(const char *stream, const char *buf, size_t n,
		      const char *want)
{
	struct log_record r;
	size_t len;
	char *text =
	    log_record_encode(stream, buf, n, "2026-11-30T21:00:00Z", &len);

	assert_non_null(text);
	assert_true(len > 0 && text[len - 1] == '\n');
	assert_null(memchr(text, '\n', len - 1)); /* one line */
	assert_null(memchr(text, '\0', len));
	/* with its newline, as read from the file */
	assert_int_equal(log_record_decode(text, len, &r), 0);
	log_record_free(&r);
	text[len - 1] = '\0';
	if (want) {
		if (!strstr(text, want))
			fail_msg("%s has no %s", text, want);
	}
	assert_int_equal(log_record_decode(text, len - 1, &r), 0);
	assert_int_equal(r.err, !strcmp(stream, "stderr"));
	assert_string_equal(r.time, "2026-11-30T21:00:00Z");
	assert_int_equal(r.n, n);
	assert_memory_equal(r.bytes, buf, n);
	log_record_free(&r);
	free(text);
}

static void test_docker_shape(void **state)
{
	(void)state;
	roundtrip("stdout", "hello\n", 6,
		  "{\"log\":\"hello\\n\",\"stream\":\"stdout\","
		  "\"time\":\"2026-11-30T21:00:00Z\"}");
	roundtrip("stderr", "no newline", 10, "\"stream\":\"stderr\"");
	roundtrip("stdout", "", 0, "\"log\":\"\"");
	/* NUL is a JSON string's (\u0000): no raw */
	roundtrip("stdout", "a\0b\n", 4, "\"log\":\"a\\u0000b\\n\",");
	roundtrip("stdout", "caf\xc3\xa9 \xf0\x9f\x90\xb3\n", 11, NULL);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* Docker's U+FFFD in "log", the bytes in "raw" */
	roundtrip("stdout", "a\xff\n", 3,
		  "\"log\":\"a\xef\xbf\xbd\\n\",\"stream\":\"stdout\","
		  "\"time\":\"2026-11-30T21:00:00Z\",\"raw\":\"Yf8K\"}");
	roundtrip("stdout", "\xc3", 1, "\"raw\":\"ww==\"");	/* cut short */
	roundtrip("stdout", "\xc0\xaf", 2, "\"raw\":\"wK8=\""); /* overlong */
	roundtrip("stdout", "\xed\xa0\x80", 3, "\"raw\"");	/* surrogate */
	roundtrip("stdout", "\xf4\x90\x80\x80", 4, "\"raw\"");	/* > 10FFFF */
	{
		char buf[1000];
		unsigned seed = 14;

		for (int k = 0; k < 50; k++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (char)(rand_r(&seed) >> 7);
			for (size_t n = 0; n < 7; n++) /* every padding */
				roundtrip("stderr", buf, sizeof(buf) - n, NULL);
		}
	}
}

static void bad(const char *line)
{
	struct log_record r;

	assert_int_equal(log_record_decode(line, strlen(line), &r), -1);
	assert_null(r.bytes);
}

static void test_decode(void **state)
{
	struct log_record r;
	const char *old = "{\"log\":\"x\\u0000y\\n\",\"stream\":\"stdout\","
			  "\"time\":\"2026-01-01T00:00:00.5Z\"}";

	(void)state;
	/* what homo wrote before raw existed, NUL included */
	assert_int_equal(log_record_decode(old, strlen(old), &r), 0);
	assert_int_equal(r.n, 4);
	assert_memory_equal(r.bytes, "x\0y\n", 4);
	assert_false(r.err);
	log_record_free(&r);
	bad("{\"log\":\"torn");
	bad("{\"stream\":\"stdout\"}");
	bad("{\"log\":\"x\",\"raw\":\"ww=\"}");	 /* not padded */
	bad("{\"log\":\"x\",\"raw\":\"w===\"}"); /* too much */
	bad("{\"log\":\"x\",\"raw\":\"wx==\"}"); /* bits past the end */
	bad("{\"log\":\"x\",\"raw\":\"w=w=\"}"); /* = inside */
	bad("{\"log\":\"x\",\"raw\":\"w\\u0000==\"}");
	bad("{\"log\":\"x\",\"raw\":\"ww==Yf8K\"}"); /* = not last */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docker_shape),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
