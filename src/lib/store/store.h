/* SPDX-License-Identifier: MIT */
#ifndef HOMO_STORE_H
#define HOMO_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

/*
 * The persistent store (docs/store.md, docs/architecture.md) and the image
 * records in it.
 *
 *   lock  blobs/sha256/<hex>  layers/<id>/{diff,layer.json}  l/<short>
 *   images/<name>/<tag>.json  containers/<id>/  net/
 *
 * Anything being built lives under a ".tmp-<owner>-<rand>" name next to
 * its final place, <owner> "<pid>.<start time>" (util_tmp_owner()), and is
 * renamed into place when complete; store_clean_debris() removes such
 * names whose process is gone, also when its pid is another's by now.
 */
struct hm_store {
	char *root;    /* persistent: /var/lib/homo */
	char *runroot; /* runtime only: /run/homo */
	int lock_fd;   /* flock(2) held on root/lock, -1 when unlocked */
	bool swept;    /* its debris swept once (a fork's copy: done too) */
};

/* The store's format (<root>/version): what this homo reads and writes. */
#define STORE_FORMAT 1

/**
 * store_open() - create the layout if needed; no lock is taken. A store
 * of a newer format than STORE_FORMAT, or whose version is unreadable, is
 * refused with an error that says so.
 */
int store_open(struct hm_store *s, const char *root, const char *runroot,
	       struct hm_err *e);
void store_close(struct hm_store *s);

/**
 * store_lock() - take the store lock (blocking); nests once per open.
 * Taking it first (once a process) sweeps the debris of dead processes
 * (store_clean_debris()).
 */
int store_lock(struct hm_store *s, struct hm_err *e);
/** store_lock_nosweep() - the lock without the sweep (system check). */
int store_lock_nosweep(struct hm_store *s, struct hm_err *e);
void store_unlock(struct hm_store *s);
/**
 * store_sweep() - the sweep of store_lock() for a command that needs no
 * lock (save): done if the lock is free now, skipped if it is busy.
 */
void store_sweep(struct hm_store *s);

/** store_path() - a malloc'd path below the root. */
char *store_path(const struct hm_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * store_mktemp() - make an empty directory "@dir/.tmp-<owner>-<rand>" below
 * the root, owned by this process until renamed or removed.
 */
char *store_mktemp(const struct hm_store *s, const char *dir, struct hm_err *e);

/** store_clean_debris() - remove temp names of dead processes (locked). */
void store_clean_debris(const struct hm_store *s);

typedef void (*store_debris_fn)(const char *path, void *arg);
/**
 * store_find_debris() - call @fn with each temp name of a dead process:
 * in layers/, containers/, blobs/sha256/, net/, images/, volumes/ and, for
 * a killed atomic write's "X.tmp-<owner>", one level below images/,
 * containers/ and volumes/ (whatever the records kept there are).
 */
void store_find_debris(const struct hm_store *s, store_debris_fn fn, void *arg);

/* ---- JSON ---- */

/**
 * store_json_text() - @j (consumed) as text, or NULL with @e set naming
 * @what: jansson's json_pack() gives NULL for a string that is not UTF-8
 * and json_dumps(NULL) gives NULL, which callers must never write.
 */
char *store_json_text(json_t *j, size_t flags, const char *what,
		      struct hm_err *e);

/**
 * store_utf8_scrub() - replace each byte of @s that is not part of valid
 * UTF-8 by '?', in place, so that JSON can hold it (an error message
 * quoting a hostile file name, a source path).
 */
void store_utf8_scrub(char *s);

/* ---- layers ---- */

#define LAYER_SHORT_LEN 16

/**
 * store_layer_commit() - move a finished layer into place.
 * @tmp: a store_mktemp("layers") dir holding diff/.
 * @id: the layer's diff id (sha256 hex of its tar stream).
 * @meta: extra fields for layer.json (borrowed), may be NULL.
 *
 * If the layer exists already the new copy is dropped: same content, same
 * id, stored once. Must be called with the store locked.
 */
int store_layer_commit(const struct hm_store *s, const char *tmp,
		       const char *id, json_t *meta, struct hm_err *e);
bool store_layer_exists(const struct hm_store *s, const char *id);
/** store_layer_link_ok() - whether l/<short> points at the layer's diff/. */
bool store_layer_link_ok(const struct hm_store *s, const char *id);
/** store_layer_link() - make sure l/<short> points at the layer's diff/. */
int store_layer_link(const struct hm_store *s, const char *id,
		     struct hm_err *e);
/** store_image_dir_name() - the image name an images/<dir> holds ("a+b" is
 * "a/b"); malloc'd. */
char *store_image_dir_name(const char *dir);
/** store_layer_remove() - atomically unlink a layer (locked). */
int store_layer_remove(const struct hm_store *s, const char *id,
		       struct hm_err *e);
uint64_t store_layer_size(const struct hm_store *s, const char *id);

/* ---- images ---- */

struct hm_image {
	char *name;
	char *tag;
	char id[65];   /* sha256 of {layers, config} */
	char **layers; /* bottom to top */
	/* cmd, env, workdir, user; if set: entrypoint, comment, labels,
	 * exposed_ports, volumes, stop_signal (docs/store.md) */
	json_t *config;
	char *created;	 /* RFC 3339 */
	char *source;	 /* where it came from */
	uint64_t size;	 /* bytes of the layers' files */
	json_t *history; /* OCI config history entries, or NULL; not in id */
};

void image_free(struct hm_image *img);
/* an image record freed at the end of its scope (zeroed: nothing) */
#define cleanup_image __attribute__((cleanup(image_free)))

/* a JSON value released at the end of its scope (NULL: nothing) */
static inline void cleanup_jsonp(json_t **j)
{
	json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(cleanup_jsonp)))

/*
 * A dangling image: one whose name went to another image (pull, tag,
 * commit or load over an existing NAME:TAG). Its record is kept as
 * images/<none>/<id>.json: name "<none>", tag its id; "homo images" shows
 * it as <none>:<none>, "homo image prune" or "homo rmi ID" removes it.
 */
#define IMAGE_DANGLING "<none>"
bool image_is_dangling(const struct hm_image *img);

/**
 * image_ref_parse() - split and validate "[HOST[:PORT]/]NAME[:TAG]" in
 * Docker's grammar (store/reference.h): *@name is the familiar name
 * ("docker.io/library/x" is "x"), *@tag "latest" if none. A digest
 * reference names no local image: refused.
 */
int image_ref_parse(const char *ref, char **name, char **tag, struct hm_err *e);

/** image_name_from_source() - "a/lede-17.01.2-x86.tar.gz" ->
 * "lede-17.01.2-x86". */
char *image_name_from_source(const char *source);

/** image_default_config() - CMD /bin/sh and a standard PATH. */
json_t *image_default_config(void);

/**
 * image_history() - the image's history (OCI config "history" entries:
 * created, created_by, comment, empty_layer), oldest first, with an entry
 * made up for each bottom layer it does not cover. A new array.
 */
json_t *image_history(const struct hm_image *img);

/** image_compute_id() - fill img->id from its layers and config. */
int image_compute_id(struct hm_image *img, struct hm_err *e);

/**
 * store_image_load_file() - read one record, images/<dir>/<tag>.json (its
 * name and tag are the ones written in it). Fails, naming the file, when
 * it is not JSON or anything its readers use is missing or of the wrong
 * type: an id and a non-empty list of layer ids (64 hex digits each), a
 * config object whose cmd, env, workdir, user have their types, a size.
 * Nothing after this trusts the file.
 */
int store_image_load_file(const char *path, struct hm_image *out,
			  struct hm_err *e);

/**
 * store_image_save() - write the name record atomically (locked). The
 * image it replaces, if no other name has it, is kept dangling; an image
 * named again is no longer dangling.
 */
int store_image_save(const struct hm_store *s, const struct hm_image *img,
		     struct hm_err *e);

/**
 * store_image_find() - by "NAME[:TAG]", or by id or a unique id prefix
 * (at least 4 hex digits); a name wins over an id prefix, as in Docker.
 * An id shared by several names resolves to the first. @by_id (nullable)
 * tells which way it was found.
 */
int store_image_find(const struct hm_store *s, const char *ref,
		     struct hm_image *out, bool *by_id, struct hm_err *e);

/** store_image_list() - every name record, sorted by name and tag. */
int store_image_list(const struct hm_store *s, struct hm_image **out, size_t *n,
		     struct hm_err *e);
/**
 * store_image_list_bad() - the same, but a record that cannot be read is
 * skipped and its error (naming the file) pushed to the strv *@bad
 * instead of failing the list; @bad NULL is store_image_list().
 */
int store_image_list_bad(const struct hm_store *s, struct hm_image **out,
			 size_t *n, char ***bad, struct hm_err *e);
void image_list_free(struct hm_image *v, size_t n);

/** store_image_remove_name() - delete one name record (locked). */
int store_image_remove_name(const struct hm_store *s, const char *name,
			    const char *tag, struct hm_err *e);

/**
 * store_image_untag_keep() - delete one name record, keeping its image as
 * a dangling one (<none>) if no other name has it: rmi -f of an image a
 * container uses (Docker). Locked.
 */
int store_image_untag_keep(const struct hm_store *s, const char *name,
			   const char *tag, struct hm_err *e);

/**
 * store_pins_fn - append to the strv *@ids the layers that must outlive a
 * collection although no image names them (a container's). Return 0, or
 * -1 with @e set to stop the collection.
 *
 * The store knows images, not what else is built on its layers: whoever
 * collects says that by passing this to store_gc_layers(). A parameter
 * rather than a hook kept in struct hm_store, so what a collection spares
 * is visible at the call and a store opened for anything else has none.
 */
typedef int (*store_pins_fn)(const struct hm_store *s, void *arg, char ***ids,
			     struct hm_err *e);

/**
 * store_pin_layers() - keep @layers (NULL-terminated, may be empty) from
 * store_gc_layers() and system check until store_unpin(), or until this
 * process dies: checked to exist and pinned under the store lock (so the
 * caller must not hold it). For a command that builds on layers before a
 * record names its result (commit). Return: the pin, NULL on failure (a
 * layer already gone).
 */
char *store_pin_layers(struct hm_store *s, char *const *layers,
		       struct hm_err *e);

/** store_unpin() - drop a pin (NULL: nothing). */
void store_unpin(const char *pin);

/**
 * store_pinned_layers() - append to *@ids the layers pinned by live
 * processes (locked).
 */
int store_pinned_layers(const struct hm_store *s, char ***ids,
			struct hm_err *e);

/**
 * store_gc_layers() - remove layers that no image uses, no live pin
 * (store_pin_layers()) holds and @pins (may be NULL: images only) does not
 * name (locked). @removed counts them.
 */
int store_gc_layers(const struct hm_store *s, store_pins_fn pins, void *arg,
		    size_t *removed, struct hm_err *e);

#endif
