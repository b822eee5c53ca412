/* SPDX-License-Identifier: MIT */
/*
 * --format for ps, images, inspect, version, info and system df
 * (format.c), and the Docker-shaped JSON of containers and images
 * (inspect.c). docs/inspect.md has the shapes.
 */
#ifndef HOMO_CLI_FORMAT_H
#define HOMO_CLI_FORMAT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/template.h"
#include "common.h"
#include "runtime/container.h"

/*
 * A list's output: Docker's table (the default), "table TEMPLATE" (aligned
 * with a header), "json" (one object a line) or a TEMPLATE (a line a row).
 */
struct cmd_fmt {
	const char *cmd; /* for errors: "ps" */
	bool table, json;
	struct tmpl *t;
	char *rows; /* the text so far */
	size_t len;
	FILE *out;
};

/**
 * cmd_fmt_init() - @spec as given to --format (NULL: @def, a "table ..."
 * template). Docker's "\t" and "\n" in it mean a tab and a newline.
 */
int cmd_fmt_init(struct cmd_fmt *f, const char *cmd, const char *spec,
		 const char *def, struct hm_err *e);
/** cmd_fmt_row() - one row: @row is its fields (not consumed). */
int cmd_fmt_row(struct cmd_fmt *f, json_t *row, struct hm_err *e);
/**
 * cmd_fmt_end() - print the rows: a table gets its header from @header
 * (the template run on the column titles) and is aligned as Docker's.
 */
int cmd_fmt_end(struct cmd_fmt *f, json_t *header, struct hm_err *e);
void cmd_fmt_free(struct cmd_fmt *f);

/**
 * cmd_template_print() - run @spec on @v and print it and a newline: the
 * --format of a single object (version, info). Errors say "@cmd: ".
 */
int cmd_template_print(const char *cmd, const char *spec, json_t *v,
		       struct hm_err *e);

/* Docker's name of this machine's architecture (Go's GOARCH): amd64 */
const char *cmd_arch(void);

/* inspect.c */
struct ctr_row {
	struct hm_spec spec;
	struct hm_state state;
	bool paused; /* running, and frozen by homo pause */
};
/* loaded and reconciled (container_check) */
int ctr_row_load(struct hm_store *st, const char *id, struct ctr_row *r,
		 struct hm_err *e);
/* between restarts by its --restart policy (Docker's "restarting") */
bool ctr_restarting(const struct ctr_row *r);
/* Docker's PORTS: "0.0.0.0:8080->80/tcp, ..." (malloc'd; "" if none) */
char *ctr_ports_text(const struct ctr_row *r);
/* the container's config.json as it is (NULL if unreadable) */
json_t *ctr_record(const struct hm_store *st, const char *id);
/* Docker's ps LABELS: "k=v,k2=v2" from a record's labels (malloc'd) */
char *ctr_labels_text(json_t *rec);
/* docker image inspect's object */
json_t *inspect_image_json(const struct hm_store *st,
			   const struct hm_image *img);

#endif
