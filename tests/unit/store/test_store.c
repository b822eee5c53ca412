/* SPDX-License-Identifier: MIT */
/* Unit tests of the store: names, image records, layers, overlay options. */
#include "store_fixture.h"
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "store/overlay.h"
#include "store/store.h"

static void test_ref_parse(void **state)
{
	static const struct {
		const char *ref, *name, *tag;
	} good[] = {
	    {"busybox", "busybox", "latest"},
	    {"busybox:1.36", "busybox", "1.36"},
	    {"my-org/app_x:v2", "my-org/app_x", "v2"},
	    {"a.b__c--d", "a.b__c--d", "latest"},
	    {"lede-17.01.2-x86", "lede-17.01.2-x86", "latest"},
	    {"localhost:5000/team/bb:v1", "localhost:5000/team/bb", "v1"},
	    {"docker.io/library/x", "x", "latest"},
	    {"library/x:2", "x", "2"},
	    {"docker.io/team/x", "team/x", "latest"},
	};
	static const char *const bad[] = {
	    "",
	    "Busybox",
	    "-x",
	    "x-",
	    "a..b",
	    "a/",
	    "/a",
	    "a:",
	    "a:-t",
	    "a:.t",
	    "a:t!",
	    "a b",
	    "a___b",
	    /* a digest names no image of the store */
	    ("x@sha256:"
	     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
	     "f"),
	};
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char *n = NULL, *t = NULL;

		assert_int_equal(image_ref_parse(good[i].ref, &n, &t, &e), 0);
		assert_string_equal(n, good[i].name);
		assert_string_equal(t, good[i].tag);
		free(n);
		free(t);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *n = NULL, *t = NULL;

		if (image_ref_parse(bad[i], &n, &t, &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(e.msg, "invalid"));
	}
}

static void test_name_from_source(void **state)
{
	static const struct {
		const char *src, *name;
	} cases[] = {
	    {"https://x.org/lede-17.01.2-x86-generic-generic-rootfs.tar.gz",
	     "lede-17.01.2-x86-generic-generic-rootfs"},
	    {"/tmp/Debian_Bookworm.TAR.XZ", "debian_bookworm"},
	    {"rootfs.tgz", "rootfs"},
	    {"file:///a/b/c.tar.zst?x=1", "c"},
	    {"http://h/dl?name=x", "dl"},
	    {"My Image (1).tar", "my-image-1"},
	    {"...tar", "image"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *n = image_name_from_source(cases[i].src);

		assert_string_equal(n, cases[i].name);
		free(n);
	}
}

static void test_images_and_layers(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	const char *l1 =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	struct hm_image img = {0}, got, *v;
	struct hm_err e;
	bool by_id;
	size_t n, removed;

	(void)state;
	fixture_layer(&s, l1);
	fixture_layer(&s, l1); /* same content again: stored once */
	assert_true(store_layer_exists(&s, l1));

	img.name = xstrdup("org/app");
	img.tag = xstrdup("v1");
	img.layers = strv_push(NULL, l1);
	img.config = image_default_config();
	img.created = xstrdup("2026-01-01T00:00:00Z");
	assert_int_equal(image_compute_id(&img, &e), 0);
	assert_int_equal(store_image_save(&s, &img, &e), 0);

	assert_int_equal(store_image_find(&s, "org/app:v1", &got, &by_id, &e),
			 0);
	assert_false(by_id);
	assert_string_equal(got.id, img.id);
	assert_string_equal(got.layers[0], l1);
	image_free(&got);
	{
		char prefix[13];

		snprintf(prefix, sizeof(prefix), "%.12s", img.id);
		assert_int_equal(store_image_find(&s, prefix, &got, &by_id, &e),
				 0);
		assert_true(by_id);
		assert_string_equal(got.name, "org/app");
		image_free(&got);
	}
	assert_int_equal(store_image_find(&s, "org/app", &got, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "no such image"));

	assert_int_equal(store_image_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "org/app");
	image_list_free(v, n);

	/* a layer is removed only when no image uses it */
	assert_int_equal(store_gc_layers(&s, NULL, NULL, &removed, &e), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(store_image_remove_name(&s, "org/app", "v1", &e), 0);
	assert_int_equal(store_gc_layers(&s, NULL, NULL, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_false(store_layer_exists(&s, l1));
	image_free(&img);
	store_close(&s);
	unit_rmtree(dir);
}

/*
 * A record keeps the config's entrypoint, labels and stop signal and the
 * history, under a registry name; the history is not part of the id, and
 * image_history() gives the layers below it an entry each.
 */
static void test_record_fields(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	const char *l1 =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	const char *l2 =
	    "2222222222222222222222222222222222222222222222222222222222222222";
	struct hm_image img = {0}, got;
	char id[65];
	json_t *h;
	struct hm_err e;

	(void)state;
	fixture_layer(&s, l1);
	fixture_layer(&s, l2);
	assert_int_equal(
	    image_ref_parse("localhost:5000/a/b:v1", &img.name, &img.tag, &e),
	    0);
	img.layers = strv_push(strv_push(NULL, l1), l2);
	img.config = image_default_config();
	json_object_set_new(img.config, "entrypoint", json_pack("[s]", "ep"));
	json_object_set_new(img.config, "labels", json_pack("{s:s}", "a", "b"));
	json_object_set_new(img.config, "stop_signal", json_string("SIGINT"));
	img.created = xstrdup("2026-01-01T00:00:00Z");
	assert_int_equal(image_compute_id(&img, &e), 0);
	memcpy(id, img.id, sizeof(id));
	img.history =
	    json_pack("[{s:s, s:s}]", "created_by", "top", "comment", "c");
	assert_int_equal(image_compute_id(&img, &e), 0);
	assert_string_equal(img.id, id);
	assert_int_equal(store_image_save(&s, &img, &e), 0);

	assert_int_equal(
	    store_image_find(&s, "localhost:5000/a/b:v1", &got, NULL, &e), 0);
	assert_string_equal(got.name, "localhost:5000/a/b");
	assert_string_equal(got.id, id);
	assert_true(json_equal(got.config, img.config));
	assert_true(json_equal(got.history, img.history));
	h = image_history(&got);
	assert_int_equal(json_array_size(h), 2);
	assert_null(json_object_get(json_array_get(h, 0), "created_by"));
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(h, 0), "created")),
	    "2026-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(h, 1), "created_by")),
			    "top");
	json_decref(h);
	image_free(&got);
	image_free(&img);
	store_close(&s);
	unit_rmtree(dir);
}

/* A store_pins_fn naming the one layer @arg, or failing when it is NULL. */
static int pin_arg(const struct hm_store *s, void *arg, char ***ids,
		   struct hm_err *e)
{
	(void)s;
	if (!arg)
		return hm_failx(e, HM_EXIT_FAIL, "pins failed");
	*ids = strv_push(*ids, arg);
	return 0;
}

static void test_gc_pins(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char l1[] =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	const char *l2 =
	    "2222222222222222222222222222222222222222222222222222222222222222";
	struct hm_err e;
	size_t removed;

	(void)state;
	fixture_layer(&s, l1);
	fixture_layer(&s, l2);
	/* the pins cannot be known: nothing is collected */
	assert_int_equal(store_gc_layers(&s, pin_arg, NULL, &removed, &e), -1);
	assert_string_equal(e.msg, "pins failed");
	assert_true(store_layer_exists(&s, l1));
	assert_true(store_layer_exists(&s, l2));
	/* no image names either: only the pinned one stays */
	assert_int_equal(store_gc_layers(&s, pin_arg, l1, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_true(store_layer_exists(&s, l1));
	assert_false(store_layer_exists(&s, l2));
	store_close(&s);
	unit_rmtree(dir);
}

/* A live pin keeps its layers from a collection until unpinned. */
static void test_pin_layers(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char l1[] =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	char l2[] =
	    "2222222222222222222222222222222222222222222222222222222222222222";
	char *gone[] = {l2, NULL}, *layers[] = {l1, NULL};
	struct hm_err e;
	size_t removed;
	char *pin;

	(void)state;
	fixture_layer(&s, l1);
	/* a layer already gone cannot be pinned */
	assert_null(store_pin_layers(&s, gone, &e));
	assert_non_null(strstr(e.msg, "is gone"));
	pin = store_pin_layers(&s, layers, &e);
	assert_non_null(pin);
	fixture_layer(&s, l2);
	assert_int_equal(store_gc_layers(&s, NULL, NULL, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_true(store_layer_exists(&s, l1));
	store_unpin(pin);
	assert_int_equal(store_gc_layers(&s, NULL, NULL, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_false(store_layer_exists(&s, l1));
	free(pin);
	store_close(&s);
	unit_rmtree(dir);
}

static void test_corrupt_record(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char *p = store_path(&s, "images/bad");
	char *f = xasprintf("%s/latest.json", p);
	struct hm_image got;
	struct hm_err e;

	(void)state;
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(util_write_file_atomic(f, "{not json", 9, false, &e),
			 0);
	assert_int_equal(store_image_find(&s, "bad", &got, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "latest.json"));
	assert_non_null(strstr(e.msg, "corrupt"));
	free(f);
	free(p);
	store_close(&s);
	unit_rmtree(dir);
}

/* Records that parse but must not be trusted: each is refused on load,
 * naming the file (an empty layer list crashed images, rmi, save...). */
static void test_record_validation(void **state)
{
	static const char *const bad[] = {
	    "{\"id\": \"@ID\", \"layers\": [], \"config\": {}}",
	    "{\"id\": \"@ID\", \"layers\": [\"../../etc\"], \"config\": {}}",
	    "{\"id\": \"@ID\", \"layers\": [\"sha256:@ID\"], \"config\": {}}",
	    "{\"id\": \"@ID\", \"layers\": [7], \"config\": {}}",
	    "{\"id\": \"@ID\", \"layers\": \"@ID\", \"config\": {}}",
	    "{\"id\": \"abc\", \"layers\": [\"@ID\"], \"config\": {}}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], \"config\": []}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], "
	    "\"config\": {\"cmd\": \"sh\"}}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], "
	    "\"config\": {\"env\": [1]}}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], \"config\": {}, "
	    "\"size\": \"big\"}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], \"config\": {}, "
	    "\"source\": 1}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], "
	    "\"config\": {\"entrypoint\": \"sh\"}}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], "
	    "\"config\": {\"labels\": [\"a\"]}}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], "
	    "\"config\": {\"stop_signal\": 15}}",
	    "{\"id\": \"@ID\", \"layers\": [\"@ID\"], \"config\": {}, "
	    "\"history\": {}}",
	    "[1]",
	};
	const char *id =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char *p = store_path(&s, "images/bad");
	char *f = xasprintf("%s/latest.json", p);
	struct hm_image got, *v;
	char **why = NULL;
	struct hm_err e;
	size_t n;

	(void)state;
	assert_int_equal(mkdir(p, 0700), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xstrdup(bad[i]), *at;

		while ((at = strstr(text, "@ID"))) {
			char *t = xasprintf("%.*s%s%s", (int)(at - text), text,
					    id, at + 3);

			free(text);
			text = t;
		}
		assert_int_equal(
		    util_write_file_atomic(f, text, strlen(text), false, &e),
		    0);
		free(text);
		assert_int_equal(store_image_load_file(f, &got, &e), -1);
		assert_non_null(strstr(e.msg, "corrupt image record"));
		assert_int_equal(store_image_find(&s, "bad", &got, NULL, &e),
				 -1);
		assert_non_null(strstr(e.msg, "latest.json"));
		assert_int_equal(store_image_list_bad(&s, &v, &n, &why, &e), 0);
		assert_int_equal(n, 0);
		assert_int_equal(strv_len(why), 1);
		image_list_free(v, n);
		strv_free(why);
		why = NULL;
	}
	free(f);
	free(p);
	store_close(&s);
	unit_rmtree(dir);
}

static void test_format_version(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	char *v = store_path(&s, "version");
	char *root = xstrdup(s.root), *run = xstrdup(s.runroot);
	char *text;
	struct hm_err e;

	(void)state;
	text = util_read_file(v, NULL, &e);
	assert_string_equal(text, "1\n"); /* a new store says its format */
	free(text);
	store_close(&s);
	assert_int_equal(util_write_file_atomic(v, "2\n", 2, false, &e), 0);
	assert_int_equal(store_open(&s, root, run, &e), -1);
	assert_non_null(strstr(e.msg, "has format 2"));
	store_close(&s);
	assert_int_equal(util_write_file_atomic(v, "x", 1, false, &e), 0);
	assert_int_equal(store_open(&s, root, run, &e), -1);
	assert_non_null(strstr(e.msg, "unreadable format version"));
	store_close(&s);
	/* made before versions: format 1, and now says so */
	assert_int_equal(unlink(v), 0);
	assert_int_equal(store_open(&s, root, run, &e), 0);
	assert_int_equal(access(v, F_OK), 0);
	store_close(&s);
	free(v);
	free(root);
	free(run);
	unit_rmtree(dir);
}

/* An image @layer named @ref ("name:tag"), saved. */
static void save_image(struct hm_store *s, const char *ref, const char *layer,
		       struct hm_image *img)
{
	struct hm_err e;

	memset(img, 0, sizeof(*img));
	assert_int_equal(image_ref_parse(ref, &img->name, &img->tag, &e), 0);
	img->layers = strv_push(NULL, layer);
	img->config = image_default_config();
	assert_int_equal(image_compute_id(img, &e), 0);
	assert_int_equal(store_image_save(s, img, &e), 0);
}

static void test_dangling(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	const char *l1 =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	const char *l2 =
	    "2222222222222222222222222222222222222222222222222222222222222222";
	struct hm_image a, b, a2, *v;
	struct hm_err e;
	size_t n, removed;

	(void)state;
	fixture_layer(&s, l1);
	fixture_layer(&s, l2);
	save_image(&s, "x:1", l1, &a);
	save_image(&s, "x:1", l2, &b); /* over it: a dangles */
	assert_int_equal(store_image_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_true(image_is_dangling(&v[0]));
	assert_string_equal(v[0].id, a.id);
	image_list_free(v, n);
	/* its layer is in use */
	assert_int_equal(store_gc_layers(&s, NULL, NULL, &removed, &e), 0);
	assert_int_equal(removed, 0);
	/* named again: no longer dangling */
	save_image(&s, "y:1", l1, &a2);
	assert_int_equal(store_image_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_false(image_is_dangling(&v[0]) || image_is_dangling(&v[1]));
	image_list_free(v, n);
	/* replaced while another name has it: nothing dangles */
	image_free(&a2);
	save_image(&s, "z:1", l1, &a2);
	image_free(&b);
	save_image(&s, "y:1", l2, &b);
	assert_int_equal(store_image_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_false(image_is_dangling(&v[i]));
	image_list_free(v, n);
	image_free(&a);
	image_free(&a2);
	image_free(&b);
	store_close(&s);
	unit_rmtree(dir);
}

static void test_debris(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	unsigned long long init_start = util_proc_starttime(1);
	char *dead = store_path(&s, "layers/.tmp-999999999-abc");
	/* pid 1 is alive, but not the process that made these names */
	char *reused = store_path(&s, "layers/.tmp-1.%llu-abc", init_start + 1);
	/* a record's temp lives in tmp/ (util_atomic_tmpdir()) */
	char *rec =
	    store_path(&s, "tmp/latest.json.tmp-1.%llu-7", init_start + 1);
	char *img = store_path(&s, "images/x");
	/* an older homo's name, pid only: its maker may be alive */
	char *old = store_path(&s, "layers/.tmp-1-abc");
	struct hm_err e;
	char *mine = store_mktemp(&s, "layers", &e);

	(void)state;
	assert_non_null(strstr(mine, util_tmp_owner()));
	assert_int_equal(mkdir(dead, 0700), 0);
	assert_int_equal(mkdir(reused, 0700), 0);
	assert_int_equal(mkdir(img, 0700), 0);
	assert_int_equal(mkdir(old, 0700), 0);
	assert_int_equal(util_write_file_atomic(rec, "{}", 2, false, &e), 0);
	store_clean_debris(&s);
	assert_int_equal(access(dead, F_OK), -1);   /* maker is dead: removed */
	assert_int_equal(access(reused, F_OK), -1); /* pid reused: removed */
	assert_int_equal(access(rec, F_OK), -1);
	assert_int_equal(access(old, F_OK), 0);
	assert_int_equal(access(mine, F_OK), 0); /* ours: kept */
	free(dead);
	free(reused);
	free(rec);
	free(img);
	free(old);
	free(mine);
	store_close(&s);
	unit_rmtree(dir);
}

static void test_overlay_options(void **state)
{
	char **layers = NULL;
	struct hm_err e;
	char *o;

	(void)state;
	layers = strv_push(layers, "aaaaaaaaaaaaaaaa0000");
	layers = strv_push(layers, "bbbbbbbbbbbbbbbb0000");
	o = overlay_options(layers, "/u", "/w", &e);
	assert_non_null(o);
	/* top layer first */
	assert_string_equal(o, "lowerdir=l/bbbbbbbbbbbbbbbb:l/aaaaaaaaaaaaaaaa,"
			       "upperdir=/u,workdir=/w");
	free(o);
	for (int i = 0; i < 300; i++)
		layers = strv_push(layers, "cccccccccccccccccccc");
	o = overlay_options(layers, "/u", "/w", &e);
	assert_null(o);
	assert_non_null(strstr(e.msg, "limit"));
	strv_free(layers);
	assert_null(overlay_options(NULL, "/u", "/w", &e));
}

/* The scope-end cleanups free what they hold and accept empty values
 * (make asan runs this under LeakSanitizer). */
static void test_cleanup_helpers(void **state)
{
	(void)state;
	{
		cleanup_json json_t *j = json_pack("{s:[i]}", "a", 1);
		cleanup_json json_t *none = NULL;
		cleanup_image struct hm_image img = {0};
		cleanup_image struct hm_image empty = {0};

		assert_non_null(j);
		(void)none;
		(void)empty;
		img.name = xstrdup("x");
		img.layers = strv_push(NULL, "l");
		img.config = json_object();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cleanup_helpers),
	    cmocka_unit_test(test_ref_parse),
	    cmocka_unit_test(test_name_from_source),
	    cmocka_unit_test(test_images_and_layers),
	    cmocka_unit_test(test_gc_pins),
	    cmocka_unit_test(test_pin_layers),
	    cmocka_unit_test(test_corrupt_record),
	    cmocka_unit_test(test_record_validation),
	    cmocka_unit_test(test_record_fields),
	    cmocka_unit_test(test_format_version),
	    cmocka_unit_test(test_dangling),
	    cmocka_unit_test(test_debris),
	    cmocka_unit_test(test_overlay_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
