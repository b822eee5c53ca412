/* SPDX-License-Identifier: MIT */
/* homo history: an image's history entries and the layers they made. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "common.h"

const char cmd_history_usage[] =
    "Usage: homo history [OPTIONS] IMAGE\n\n"
    "Show the history of an image, newest first: IMAGE (the image's id on\n"
    "its top row, <missing> below), CREATED, CREATED BY, SIZE (of the\n"
    "layer the step made; 0B for a config-only step), COMMENT. Layers\n"
    "older than any recorded history (a pulled tarball's) get a row each.\n\n"
    "Options:\n"
    "      --no-trunc       full ids and commands\n"
    "  -q, --quiet          only the IMAGE column\n";

#define NCOL 5
#define CREATED_BY_MAX 45

struct hist_row {
	char *col[NCOL];
};

static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Docker's Ellipsis: at most @max characters, the last one "…". */
static char *ellipsis(const char *s, size_t max)
{
	size_t chars = 0, i = 0;

	if (text_width(s) <= max)
		return xstrdup(s);
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max - 1)
			break;
	return xasprintf("%.*s…", (int)i, s);
}

static void created_ago(char *out, size_t n, const char *created)
{
	int64_t t = util_parse_rfc3339(created ? created : "");
	char d[48];

	if (t < 0) {
		snprintf(out, n, "N/A");
		return;
	}
	util_format_duration(d, sizeof(d), (int64_t)time(NULL) - t);
	snprintf(out, n, "%s ago", d);
}

/*
 * One row per history entry, newest first; a layer step gets the size of
 * its layer (entries, oldest first, take the layers bottom up).
 */
static struct hist_row *collect(struct hm_store *s, const struct hm_image *img,
				bool no_trunc, size_t *n)
{
	json_t *h = image_history(img), *v;
	size_t count = json_array_size(h), layer = 0, i;
	struct hist_row *rows = xcalloc(count ? count : 1, sizeof(*rows));

	json_array_foreach(h, i, v)
	{
		struct hist_row *r = &rows[count - 1 - i];
		const char *by =
		    json_string_value(json_object_get(v, "created_by"));
		const char *comment =
		    json_string_value(json_object_get(v, "comment"));
		cleanup_free char *flat = xstrdup(by ? by : "");
		char ago[64], size[32];
		uint64_t bytes = 0;

		if (!json_is_true(json_object_get(v, "empty_layer")) &&
		    img->layers[layer])
			bytes = store_layer_size(s, img->layers[layer++]);
		for (char *p = flat; *p; p++)
			if (*p == '\t' || *p == '\n')
				*p = ' ';
		created_ago(ago, sizeof(ago),
			    json_string_value(json_object_get(v, "created")));
		util_format_size(size, sizeof(size), bytes);
		if (i + 1 < count)
			r->col[0] = xstrdup("<missing>");
		else
			r->col[0] = no_trunc ? xasprintf("sha256:%s", img->id)
					     : xasprintf("%.12s", img->id);
		r->col[1] = xstrdup(ago);
		r->col[2] =
		    no_trunc ? xstrdup(flat) : ellipsis(flat, CREATED_BY_MAX);
		r->col[3] = xstrdup(size);
		r->col[4] = xstrdup(comment ? comment : "");
	}
	json_decref(h);
	*n = count;
	return rows;
}

/* Columns as wide as their widest cell, three spaces apart. */
static void print_table(struct hist_row *rows, size_t n)
{
	static const char *const head[NCOL] = {"IMAGE", "CREATED", "CREATED BY",
					       "SIZE", "COMMENT"};
	size_t w[NCOL];

	for (int c = 0; c < NCOL; c++) {
		w[c] = text_width(head[c]);
		for (size_t i = 0; i < n; i++)
			if (text_width(rows[i].col[c]) > w[c])
				w[c] = text_width(rows[i].col[c]);
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < NCOL; c++) {
			const char *cell = i ? rows[i - 1].col[c] : head[c];

			if (c == NCOL - 1)
				printf("%s\n", cell);
			else
				printf("%s%*s", cell,
				       (int)(w[c] - text_width(cell) + 3), "");
		}
	}
}

int cmd_history(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	bool no_trunc = false, quiet = false;
	cleanup_image struct hm_image img = {0};
	struct hist_row *rows;
	size_t n;
	int c;

	while ((c = cmd_getopt("history", argc, argv, "+qh", opts, e)) != -1) {
		switch (c) {
		case 'T':
			no_trunc = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			return cmd_help("history");
		default:
			return -1;
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(e, "history", "expected one IMAGE");
	if (cmd_open_store(ctx, e) < 0 ||
	    store_image_find(&ctx->store, argv[optind], &img, NULL, e) < 0)
		return -1;
	rows = collect(&ctx->store, &img, no_trunc, &n);
	if (quiet)
		for (size_t i = 0; i < n; i++)
			puts(rows[i].col[0]);
	else
		print_table(rows, n);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < NCOL; k++)
			free(rows[i].col[k]);
	free(rows);
	return 0;
}
