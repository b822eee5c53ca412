/* SPDX-License-Identifier: MIT */
/* Unit tests of "homo system check" (fsck.c) and the store's debris sweep. */
#include "store_fixture.h"
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "ops/fsck.h"
#include "store/store.h"

#define LAYER_A \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LAYER_B \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define LAYER_C \
	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define GHOST "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static void add_image(struct hm_store *s, const char *name, const char *l1,
		      const char *l2)
{
	struct hm_image img = {.name = xstrdup(name), .tag = xstrdup("latest")};
	struct hm_err e;

	img.layers = strv_push(NULL, l1);
	if (l2)
		img.layers = strv_push(img.layers, l2);
	img.config = image_default_config();
	assert_int_equal(image_compute_id(&img, &e), 0);
	assert_int_equal(store_image_save(s, &img, &e), 0);
	image_free(&img);
}

struct lines {
	char **v;
};

static void collect(const char *line, void *arg)
{
	struct lines *l = arg;

	l->v = strv_push(l->v, line);
}

static bool has_line(char **v, const char *needle)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strstr(v[i], needle))
			return true;
	return false;
}

static size_t run_fsck(struct hm_store *s, bool repair, char ***lines,
		       size_t *repaired)
{
	struct lines l = {0};
	struct fsck_result res;
	struct hm_err e;

	assert_int_equal(fsck_run(s, repair, collect, &l, &res, &e), 0);
	assert_int_equal(strv_len(l.v), res.found);
	if (repaired)
		*repaired = res.repaired;
	if (lines)
		*lines = l.v;
	else
		strv_free(l.v);
	return res.found;
}

static bool exists(struct hm_store *s, const char *rel)
{
	char *p = store_path(s, "%s", rel);
	struct stat st;
	bool r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static void test_clean(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);

	(void)state;
	fixture_layer(&s, LAYER_A);
	add_image(&s, "img", LAYER_A, NULL);
	assert_int_equal(run_fsck(&s, false, NULL, NULL), 0);
	assert_int_equal(s.lock_fd, -1); /* the lock was given back */
	store_close(&s);
	unit_rmtree(dir);
}

static void test_find_then_repair(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char *names = store_path(&s, "names"), *ghost = NULL, *link = NULL;
	char *debris = store_path(&s, "layers/.tmp-999999999-x");
	char **lines = NULL;
	size_t repaired;

	(void)state;
	fixture_layer(&s, LAYER_A);
	fixture_layer(&s, LAYER_B); /* an orphan */
	fixture_layer(&s, LAYER_C);
	add_image(&s, "img", LAYER_A, NULL);
	add_image(&s, "gone", LAYER_C, GHOST); /* a layer is missing */
	assert_int_equal(mkdir(names, 0700), 0);
	ghost = xasprintf("%s/ghost", names);
	assert_int_equal(symlink(GHOST, ghost), 0);
	assert_int_equal(mkdir(debris, 0700), 0);
	link = store_path(&s, "l/%.16s", LAYER_A);
	assert_int_equal(unlink(link), 0);

	/* read-only: all found, nothing touched */
	assert_int_equal(run_fsck(&s, false, &lines, &repaired), 5);
	assert_int_equal(repaired, 0);
	assert_true(has_line(lines, "layer bbbbbbbbbbbb: orphan"));
	assert_true(has_line(lines, "image gone:latest: layer dddddddddddd "
				    "is missing"));
	assert_true(has_line(lines, "name \"ghost\""));
	assert_true(has_line(lines, ".tmp-999999999-x"));
	assert_true(has_line(lines, "short link l/aaaaaaaaaaaaaaaa"));
	strv_free(lines);
	assert_true(exists(&s, "layers/" LAYER_B));
	assert_true(exists(&s, "names/ghost"));
	assert_true(exists(&s, "layers/.tmp-999999999-x"));
	assert_false(exists(&s, "l/aaaaaaaaaaaaaaaa"));

	/* repair: the record of the missing layer goes, which makes its
	 * other layer an orphan in the same run */
	assert_int_equal(run_fsck(&s, true, &lines, &repaired), 6);
	assert_int_equal(repaired, 6);
	assert_true(has_line(lines, "layer cccccccccccc: orphan"));
	strv_free(lines);
	assert_false(exists(&s, "layers/" LAYER_B));
	assert_false(exists(&s, "layers/" LAYER_C));
	assert_false(exists(&s, "images/gone"));
	assert_false(exists(&s, "names/ghost"));
	assert_true(exists(&s, "l/aaaaaaaaaaaaaaaa"));
	assert_true(exists(&s, "layers/" LAYER_A "/diff"));
	assert_true(exists(&s, "images/img/latest.json"));

	assert_int_equal(run_fsck(&s, false, NULL, NULL), 0);
	free(link);
	free(ghost);
	free(debris);
	free(names);
	store_close(&s);
	unit_rmtree(dir);
}

static void test_corrupt_image(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char *f = NULL, **lines = NULL, **bad = NULL;
	struct hm_image *v;
	struct hm_err e;
	size_t n;

	(void)state;
	fixture_layer(&s, LAYER_A);
	add_image(&s, "img", LAYER_A, NULL);
	add_image(&s, "bad", LAYER_A, NULL);
	f = store_path(&s, "images/bad/latest.json");
	assert_int_equal(util_write_file_atomic(f, "{", 1, false, &e), 0);
	/* the tolerant list names it and keeps the others */
	assert_int_equal(store_image_list_bad(&s, &v, &n, &bad, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "img");
	assert_int_equal(strv_len(bad), 1);
	assert_non_null(strstr(bad[0], "images/bad/latest.json"));
	image_list_free(v, n);
	strv_free(bad);

	assert_int_equal(run_fsck(&s, false, &lines, NULL), 1);
	assert_true(has_line(lines, "images/bad/latest.json"));
	strv_free(lines);
	assert_int_equal(run_fsck(&s, true, &lines, NULL), 1);
	assert_true(has_line(lines, "moved to"));
	strv_free(lines);
	assert_true(exists(&s, "broken/image-bad-latest.json"));
	assert_int_equal(run_fsck(&s, false, NULL, NULL), 0);
	free(f);
	store_close(&s);
	unit_rmtree(dir);
}

/* The sweep reaches a killed atomic write inside a record's directory. */
static unsigned debris_count;

static void count_debris(const char *path, void *arg)
{
	(void)path;
	(void)arg;
	debris_count++;
}

/* Temps beside records, as a homo before tmp/ left them: system check finds
 * them; the lock's sweep looks for them once, in a store without tmp/. */
static void test_debris_below(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char *cdir = store_path(&s, "containers/" GHOST);
	char *a = xasprintf("%s/state.json.tmp-999999999", cdir);
	char *b = NULL,
	     *mine = xasprintf("%s/state.json.tmp-%d", cdir, (int)getpid());
	char *tmp = store_path(&s, "tmp");
	char *dead = store_path(&s, "tmp/state.json.tmp-999999999.1-1");
	struct hm_err e;

	(void)state;
	fixture_layer(&s, LAYER_A);
	add_image(&s, "img", LAYER_A, NULL);
	b = store_path(&s, "images/img/latest.json.tmp-999999999");
	assert_int_equal(mkdir(cdir, 0700), 0);
	assert_int_equal(util_write_file_new(a, "x", 1, &e), 0);
	assert_int_equal(util_write_file_new(b, "x", 1, &e), 0);
	assert_int_equal(util_write_file_new(mine, "x", 1, &e), 0);
	assert_int_equal(util_write_file_new(dead, "x", 1, &e), 0);
	debris_count = 0;
	store_find_debris(&s, count_debris, NULL);
	assert_int_equal(debris_count, 3); /* a, b and dead */
	/* tmp/ there: the sweep reads the top dirs and tmp/ alone */
	store_clean_debris(&s);
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(a, F_OK), 0);
	/* an older homo's store: its records' dirs, once */
	assert_int_equal(rmdir(tmp), 0);
	store_clean_debris(&s);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), -1);
	assert_int_equal(access(mine, F_OK), 0); /* a live maker's: kept */
	assert_int_equal(access(tmp, F_OK), 0);	 /* and tmp/ made */
	free(a);
	free(b);
	free(mine);
	free(tmp);
	free(dead);
	free(cdir);
	store_close(&s);
	unit_rmtree(dir);
}

/* A layer renamed in without its short link gets it on the next commit. */
static void test_link_mended(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);

	(void)state;
	fixture_layer(&s, LAYER_A);
	assert_true(exists(&s, "l/aaaaaaaaaaaaaaaa"));
	{
		char *link = store_path(&s, "l/aaaaaaaaaaaaaaaa");

		assert_int_equal(unlink(link), 0);
		free(link);
	}
	fixture_layer(&s,
		      LAYER_A); /* same content again: the copy is dropped */
	assert_true(exists(&s, "l/aaaaaaaaaaaaaaaa"));
	store_close(&s);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean),
	    cmocka_unit_test(test_find_then_repair),
	    cmocka_unit_test(test_corrupt_image),
	    cmocka_unit_test(test_debris_below),
	    cmocka_unit_test(test_link_mended),
	};

	/* never near a real container's cgroups */
	setenv("HOMO_CGROUP_PARENT", "homo-unit-fsck", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
