/* SPDX-License-Identifier: MIT */
/* The event log: records, --since/--until times, filters, rotation. */
#include "unit.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "store/events.h"

#define NS 1000000000LL

static void test_parse_time(void **state)
{
	int64_t now = 1700000000 * NS, t;
	struct hm_err e;

	(void)state;
	assert_int_equal(events_parse_time("1700000000", now, &t, &e), 0);
	assert_true(t == 1700000000 * NS);
	assert_int_equal(events_parse_time("1700000000.5", now, &t, &e), 0);
	assert_true(t == 1700000000 * NS + NS / 2);
	assert_int_equal(events_parse_time("10m", now, &t, &e), 0);
	assert_true(t == now - 600 * NS);
	assert_int_equal(events_parse_time("1h30m", now, &t, &e), 0);
	assert_true(t == now - 5400 * NS);
	assert_int_equal(events_parse_time("250ms", now, &t, &e), 0);
	assert_true(t == now - NS / 4);
	assert_int_equal(events_parse_time("2023-11-14T22:13:20Z", now, &t, &e),
			 0);
	assert_true(t == 1700000000 * NS);
	assert_int_equal(events_parse_time("yesterday", now, &t, &e), -1);
	assert_non_null(strstr(e.msg, "not a time"));
	assert_int_equal(events_parse_time("10x", now, &t, &e), -1);
	assert_int_equal(events_parse_time("", now, &t, &e), -1);
	assert_int_equal(events_parse_time("-5m", now, &t, &e), -1);
}

static json_t *ev(const char *type, const char *action, const char *id,
		  const char *name)
{
	return json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s}}, s:I}", "Type", type,
			 "Action", action, "Actor", "ID", id, "Attributes",
			 "name", name, "image", "busybox", "timeNano",
			 (json_int_t)1);
}

static void test_match(void **state)
{
	json_t *c = ev("container", "start", "abc123", "web");
	json_t *i = ev("image", "pull", "busybox:latest", "busybox:latest");
	char *both[] = {"event=start", "event=die", NULL};
	char *and[] = {"type=container", "event=die", NULL};
	char *ctr[] = {"container=web", NULL};
	char *pfx[] = {"container=abc", NULL};
	char *img[] = {"image=busybox", NULL};

	(void)state;
	assert_true(events_match(c, NULL));
	assert_true(events_match(c, both)); /* the same key ORs */
	assert_false(events_match(c, and)); /* different keys AND */
	assert_true(events_match(c, ctr));  /* by name */
	assert_true(events_match(c, pfx));  /* by id prefix */
	assert_false(events_match(i, ctr)); /* an image is no container */
	assert_true(events_match(c, img));  /* a container of the image */
	assert_true(events_filter_ok("type=image"));
	assert_false(events_filter_ok("type="));
	assert_false(events_filter_ok("label=x"));
	json_decref(c);
	json_decref(i);
}

struct seen {
	int n;
	char last[64];
};

static int count(json_t *e, void *arg)
{
	struct seen *s = arg;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s",
		 json_string_value(json_object_get(e, "Action")));
	return 0;
}

/* Past the bound the log moves to events.log.1; both are read, in order,
 * and a torn line (a writer killed midway) is skipped. */
static void test_log_rotate_read(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store st = {.root = dir, .lock_fd = -1};
	const char *attrs[] = {"name", "x", NULL};
	cleanup_free char *log = xasprintf("%s/events.log", dir);
	cleanup_free char *old = xasprintf("%s/events.log.1", dir);
	struct seen s = {0};
	struct hm_err e;
	struct stat sb;
	FILE *f;
	int n = 0;

	(void)state;
	/* enough records to pass the bound once */
	while (stat(old, &sb) < 0) {
		event_log(&st, "container", "start", "id", attrs);
		n++;
		assert_true(n < 100000);
	}
	event_log(&st, "container", "die", "id", attrs);
	n++;
	assert_int_equal(stat(log, &sb), 0);
	assert_true(sb.st_size < 1000); /* a fresh file */
	f = fopen(log, "a");
	fputs("{\"Type\": \"contai", f); /* torn */
	fclose(f);
	assert_int_equal(events_read(&st, 1, 0, false, count, &s, &e), 0);
	assert_int_equal(s.n, n);
	assert_string_equal(s.last, "die");
	/* --until before everything: nothing */
	s.n = 0;
	assert_int_equal(events_read(&st, 1, 2, false, count, &s, &e), 0);
	assert_int_equal(s.n, 0);
	unit_rmtree(dir);
}

/* Writers at once, across a rotation: every record whole, none lost
 * but those rotated away twice. */
static void test_concurrent_writers(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store st = {.root = dir, .lock_fd = -1};
	cleanup_free char *old = NULL;
	struct seen s = {0};
	struct hm_err e;
	struct stat sb;
	pid_t pids[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char name[16];
			const char *attrs[] = {"name", name, NULL};

			snprintf(name, sizeof(name), "w%d", i);
			for (int k = 0; k < 1000; k++)
				event_log(&st, "container", "start", "id",
					  attrs);
			_exit(0);
		}
	}
	for (int i = 0; i < 8; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* 8000 records of ~150 bytes: one rotation, so all are in the two
	 * files, each whole */
	old = xasprintf("%s/events.log.1", dir);
	assert_int_equal(stat(old, &sb), 0);
	assert_int_equal(events_read(&st, 1, 0, false, count, &s, &e), 0);
	assert_int_equal(s.n, 8000);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_time),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_log_rotate_read),
	    cmocka_unit_test(test_concurrent_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
