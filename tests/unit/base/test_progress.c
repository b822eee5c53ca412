/* SPDX-License-Identifier: MIT */
/* progress.c: what reaches stderr (captured in a memfd) and when. */
#include "unit.h"

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"

#include "stderr_capture.h"

static void pause_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_nsec = ms * 1000000}, NULL);
}

static void test_disabled(void **state)
{
	struct hm_progress p;

	(void)state;
	captured();
	progress_init(&p, "unpack", 1000, false);
	pause_ms(120);
	progress_update(&p, 500);
	progress_finish(&p);
	assert_string_equal(captured(), "");
	progress_update(NULL, 1); /* callers pass an optional progress */
	progress_finish(NULL);
}

static void test_bar(void **state)
{
	struct hm_progress p;
	char *out;

	(void)state;
	captured();
	progress_init(&p, "download", 45600000, true);
	p.columns = 100;
	progress_update(&p, 1000);
	assert_string_equal(captured(), ""); /* quick work: no line at all */
	pause_ms(120);
	progress_update(&p, 22800000);
	out = captured();
	assert_non_null(strstr(out, "\rdownload ["));
	assert_non_null(strstr(out, "=>"));
	assert_non_null(strstr(out, "]  22.8MB / 45.6MB  "));
	assert_non_null(strstr(out, "MB/s\033[K"));
	progress_update(&p, 22900000); /* within 100 ms of the last draw */
	assert_string_equal(captured(), "");
	progress_finish(&p);
	assert_string_equal(captured(), "\r\033[K");
	progress_finish(&p);
	assert_string_equal(captured(), "");
}

static void test_unknown_total(void **state)
{
	struct hm_progress p;
	char *out;

	(void)state;
	captured();
	progress_init(&p, "unpack", 0, true);
	pause_ms(120);
	progress_update(&p, 1234567);
	out = captured();
	assert_non_null(strstr(out, "\runpack  1.23MB  "));
	assert_null(strstr(out, " ["));
	assert_null(strstr(out, " / "));
	progress_finish(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_disabled),
	    cmocka_unit_test(test_bar),
	    cmocka_unit_test(test_unknown_total),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
