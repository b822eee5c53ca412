/* SPDX-License-Identifier: MIT */
/* progress_multi.c: each line's text, and the frames that reach stderr. */
#include "unit.h"

#include <sys/mman.h>
#include <unistd.h>

#include "base/progress_multi.h"

#include "stderr_capture.h"

static const char *line(int columns, enum progress_state st, uint64_t done,
			uint64_t total, uint64_t rate)
{
	static char buf[256];
	struct progress_row r = {
	    .label = "e68f36a16c19", .state = st, .done = done, .total = total};

	progress_multi_format(buf, sizeof(buf), columns, &r, rate);
	return buf;
}

static void test_format_states(void **state)
{
	(void)state;
	assert_string_equal(line(80, PROGRESS_WAITING, 0, 9, 0),
			    "e68f36a16c19: Waiting");
	assert_string_equal(line(80, PROGRESS_EXISTS, 0, 9, 0),
			    "e68f36a16c19: Already exists");
	assert_string_equal(line(80, PROGRESS_DOWNLOADED, 9, 9, 0),
			    "e68f36a16c19: Download complete");
	assert_string_equal(line(80, PROGRESS_COMPLETE, 9, 9, 0),
			    "e68f36a16c19: Pull complete");
}

static void test_format_bar(void **state)
{
	(void)state;
	/* 80 columns: 24 for the bar, half of it filled */
	assert_string_equal(
	    line(80, PROGRESS_DOWNLOADING, 100000, 200000, 998000),
	    "e68f36a16c19: Downloading [============>           ]  "
	    "100kB / 200kB  998kB/s");
	/* all of it: no arrow head */
	assert_string_equal(
	    line(80, PROGRESS_DOWNLOADING, 200000, 200000, 0),
	    "e68f36a16c19: Downloading [========================]  "
	    "200kB / 200kB  0B/s");
	/* a wide terminal: Docker's 50 columns at most */
	assert_string_equal(
	    line(200, PROGRESS_DOWNLOADING, 12300000, 45600000, 3400000),
	    "e68f36a16c19: Downloading [=============>"
	    "                                    ]  12.3MB / 45.6MB  "
	    "3.4MB/s");
	/* no total known: the bytes and the rate */
	assert_string_equal(line(80, PROGRESS_DOWNLOADING, 1234567, 0, 1000),
			    "e68f36a16c19: Downloading  1.23MB  1kB/s");
}

static void test_format_narrow(void **state)
{
	(void)state;
	/* no room for a bar, and cut to leave the last column empty */
	assert_string_equal(
	    line(40, PROGRESS_DOWNLOADING, 100000, 200000, 998000),
	    "e68f36a16c19: Downloading  100kB / 200k");
	assert_string_equal(line(21, PROGRESS_EXISTS, 0, 0, 0),
			    "e68f36a16c19: Alread");
}

static void test_frames(void **state)
{
	struct hm_progress_multi m;

	(void)state;
	captured();
	progress_multi_init(&m, 2, true);
	m.columns = 80;
	assert_int_equal(progress_multi_add(&m, "aaaa", 10, PROGRESS_WAITING),
			 0);
	assert_int_equal(progress_multi_add(&m, "bbbb", 10, PROGRESS_EXISTS),
			 1);
	assert_int_equal(progress_multi_add(&m, "cccc", 10, PROGRESS_EXISTS),
			 2); /* beyond the room asked for: not added */
	progress_multi_draw(&m, true);
	assert_string_equal(captured(), "\033[2Kaaaa: Waiting\n"
					"\033[2Kbbbb: Already exists\n");
	progress_multi_set(&m, 0, PROGRESS_COMPLETE, 0, 0);
	progress_multi_draw(&m, false); /* within 100 ms of the last */
	assert_string_equal(captured(), "");
	progress_multi_draw(&m, true);
	assert_string_equal(captured(), "\033[2A"
					"\033[2Kaaaa: Pull complete\n"
					"\033[2Kbbbb: Already exists\n");
	progress_multi_free(&m);
	assert_string_equal(captured(), ""); /* the lines stay */
}

static void test_disabled(void **state)
{
	struct hm_progress_multi m;

	(void)state;
	captured();
	progress_multi_init(&m, 2, false);
	assert_int_equal(progress_multi_add(&m, "aaaa", 10, PROGRESS_WAITING),
			 0);
	progress_multi_set(&m, 0, PROGRESS_COMPLETE, 0, 0);
	progress_multi_draw(&m, true);
	progress_multi_free(&m);
	assert_string_equal(captured(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_states),
	    cmocka_unit_test(test_format_bar),
	    cmocka_unit_test(test_format_narrow),
	    cmocka_unit_test(test_frames),
	    cmocka_unit_test(test_disabled),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
