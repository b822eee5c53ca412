/* SPDX-License-Identifier: MIT */
/* The container commands: ps and rm (inspect is inspect.c's). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "common.h"
#include "format.h"
#include "runtime/container.h"
#include "runtime/control.h"

static int cmp_row(const void *a, const void *b)
{
	const struct ctr_row *x = a, *y = b;

	return strcmp(y->spec.created, x->spec.created); /* newest first */
}

static void ago(char *out, size_t n, const char *when)
{
	char d[48];

	util_format_duration(d, sizeof(d),
			     (int64_t)time(NULL) - util_parse_rfc3339(when));
	snprintf(out, n, "%s ago", d);
}

/* Docker's STATUS: Up 5 minutes, Exited (0) 2 hours ago, Restarting... */
static void status_text(char *out, size_t n, const struct ctr_row *r)
{
	const struct hm_state *st = &r->state;
	char d[64];

	if (ctr_restarting(r)) {
		ago(d, sizeof(d), st->finished);
		snprintf(out, n, "Restarting (%d) %s", st->exit_code, d);
	} else if (st->status == ST_RUNNING) {
		util_format_duration(d, sizeof(d),
				     (int64_t)time(NULL) -
					 util_parse_rfc3339(st->started));
		snprintf(out, n, "Up %s%s", d, r->paused ? " (Paused)" : "");
	} else if (st->status == ST_EXITED) {
		ago(d, sizeof(d), st->finished);
		snprintf(out, n, "Exited (%d) %s", st->exit_code, d);
	} else {
		snprintf(out, n, "Created");
	}
}

/* Docker's --filter: the same key ORs, different keys AND. */
static bool matches(const struct ctr_row *r, char *const *filters)
{
	static const char *const keys[] = {"status=", "name=", "id="};

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		bool any = false, hit = false;

		for (size_t i = 0; filters && filters[i]; i++) {
			const char *v = filters[i] + strlen(keys[k]);

			if (!util_has_prefix(filters[i], keys[k]))
				continue;
			any = true;
			if (k == 0)
				hit |= !strcmp(v, r->paused ? "paused"
						  : ctr_restarting(r)
						      ? "restarting"
						      : state_status_name(
							    r->state.status));
			else if (k == 1)
				hit |= strstr(r->spec.name, v) != NULL;
			else
				hit |= util_has_prefix(r->spec.id, v);
		}
		if (any && !hit)
			return false;
	}
	return true;
}

struct ps_opts {
	bool all, quiet, no_trunc;
	const char *format;
	char **filters;
};

/* Return: 0, 1 for --help, or -1 with @e set. */
static int ps_parse(struct ps_opts *o, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'f'},
	    {"filter", required_argument, NULL, 'F'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	while ((c = cmd_getopt("ps", argc, argv, "+aqf:h", opts, e)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'T':
			o->no_trunc = true;
			break;
		case 'F':
			if (!util_has_prefix(optarg, "status=") &&
			    !util_has_prefix(optarg, "name=") &&
			    !util_has_prefix(optarg, "id="))
				return cmd_usage_error(e, "ps",
						       "--filter \"%s\": use "
						       "status=, name= or id=",
						       optarg);
			o->filters = strv_push(o->filters, optarg);
			o->all = o->all || util_has_prefix(optarg, "status=");
			break;
		case 'h':
			return 1;
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	return 0;
}

/* The containers to list, newest first; *n is how many. */
static struct ctr_row *ps_collect(struct hm_store *st, const struct ps_opts *o,
				  size_t *n)
{
	cleanup_strv char **ids = container_list(st);
	struct ctr_row *rows = xcalloc(strv_len(ids) + 1, sizeof(*rows));

	*n = 0;
	for (size_t i = 0; ids[i]; i++) {
		struct ctr_row *r = &rows[*n];
		struct hm_err skip;

		/* one corrupt record must not hide the others */
		if (ctr_row_load(st, ids[i], r, &skip) < 0) {
			fprintf(stderr, "homo: warning: %s\n", skip.msg);
			continue;
		}
		/* without -a: running, restarting included (as Docker) */
		if ((!o->all && r->state.status != ST_RUNNING &&
		     !ctr_restarting(r)) ||
		    !matches(r, o->filters)) {
			spec_free(&r->spec);
			continue;
		}
		(*n)++;
	}
	qsort(rows, *n, sizeof(*rows), cmp_row);
	return rows;
}

/*
 * Go's strconv.Quote, as Docker's COMMAND: a newline or an escape cannot
 * break the table; @max characters at most (0: all), then "…".
 */
static char *go_quote(const char *s, size_t max)
{
	char *buf = NULL;
	size_t len = 0, chars = 0, n = strlen(s);
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fputc('"', f);
	for (size_t i = 0; i < n; chars++) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		bool valid = c < 0x80 || (c >= 0xc2 && c <= 0xf4 && i + k <= n);

		for (size_t j = 1; valid && j < k; j++)
			valid = ((unsigned char)s[i + j] & 0xc0) == 0x80;
		if (max && chars + 1 == max && n - i > k) {
			fputs("…", f);
			break;
		}
		if (!valid || c < 0x20 || c == 0x7f) {
			const char *esc = c == '\n'   ? "\\n"
					  : c == '\t' ? "\\t"
					  : c == '\r' ? "\\r"
						      : NULL;

			if (esc)
				fputs(esc, f);
			else
				fprintf(f, "\\x%02x", c);
			i++;
			continue;
		}
		if (c == '"' || c == '\\')
			fputc('\\', f);
		fwrite(s + i, 1, k, f);
		i += k;
	}
	fputc('"', f);
	fclose(f);
	return buf;
}

/* the command as it runs: entrypoint + Cmd, as Docker's COMMAND */
static char *command_text(char *const *argv)
{
	char *s = xstrdup("");

	for (size_t i = 0; argv && argv[i]; i++) {
		char *old = s;

		s = xasprintf("%s%s%s", old, *old ? " " : "", argv[i]);
		free(old);
	}
	return s;
}

static void created_at(char *out, size_t n, const char *rfc3339)
{
	time_t t = (time_t)util_parse_rfc3339(rfc3339);
	struct tm tm;

	/* Go's time.Time.String(), as Docker's CreatedAt */
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
}

/* Docker's ps fields of one container (docker ps --format json) */
static json_t *ps_json(const struct hm_store *st, const struct ctr_row *r,
		       bool no_trunc)
{
	const struct hm_spec *s = &r->spec;
	cleanup_json json_t *rec = ctr_record(st, s->id);
	cleanup_free char *cmd = command_text(s->argv);
	cleanup_free char *labels = ctr_labels_text(rec);
	cleanup_free char *quoted = go_quote(cmd, no_trunc ? 0 : 20);
	cleanup_free char *ports = ctr_ports_text(r);
	char created[64], status[96], running_for[64], mounts[1024] = "";

	created_at(created, sizeof(created), s->created);
	ago(running_for, sizeof(running_for), s->created);
	status_text(status, sizeof(status), r);
	for (size_t i = 0; i < s->nvolumes; i++)
		snprintf(mounts + strlen(mounts),
			 sizeof(mounts) - strlen(mounts), "%s%s", i ? "," : "",
			 s->volumes[i].src);
	return json_pack(
	    "{s:s, s:s, s:s%, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s}",
	    "Command", quoted, "CreatedAt", created, "ID", s->id,
	    (size_t)(no_trunc ? 64 : 12), "Image", s->image, "Labels", labels,
	    "LocalVolumes", "0", "Mounts", mounts, "Names", s->name, "Networks",
	    s->net == NET_HOST	   ? "host"
	    : s->net == NET_BRIDGE ? "bridge"
				   : "none",
	    "Ports", ports, "RunningFor", running_for, "Size", "0B", "State",
	    r->paused		? "paused"
	    : ctr_restarting(r) ? "restarting"
				: state_status_name(r->state.status),
	    "Status", status);
}

#define PS_TABLE                                                     \
	"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t" \
	"{{.Status}}\t{{.Ports}}\t{{.Names}}"

static json_t *ps_header(void)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s}",
	    "Command", "COMMAND", "CreatedAt", "CREATED AT", "ID",
	    "CONTAINER ID", "Image", "IMAGE", "Labels", "LABELS",
	    "LocalVolumes", "LOCAL VOLUMES", "Mounts", "MOUNTS", "Names",
	    "NAMES", "Networks", "NETWORKS", "Ports", "PORTS", "RunningFor",
	    "CREATED", "Size", "SIZE", "State", "STATE", "Status", "STATUS");
}

static int ps_print(const struct hm_store *st, const struct ps_opts *o,
		    const struct ctr_row *rows, size_t n, struct hm_err *e)
{
	cleanup_json json_t *head = NULL;
	const char *spec = o->format;
	struct cmd_fmt f;
	int r = 0;

	/* as Docker's: -q is for the table; a format of one's own wins */
	if (o->quiet && (!spec || !strncmp(spec, "table", 5)))
		spec = "{{.ID}}";
	if (cmd_fmt_init(&f, "ps", spec, PS_TABLE, e) < 0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		cleanup_json json_t *row = ps_json(st, &rows[i], o->no_trunc);

		r = cmd_fmt_row(&f, row, e);
	}
	head = ps_header();
	if (r == 0)
		r = cmd_fmt_end(&f, head, e);
	cmd_fmt_free(&f);
	return r;
}

int cmd_ps(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct ps_opts o = {0};
	struct ctr_row *rows;
	size_t n;
	int r;

	r = ps_parse(&o, argc, argv, e);
	if (r == 0 && optind < argc)
		r = cmd_usage_error(e, "ps", "unexpected argument \"%s\"",
				    argv[optind]);
	if (r == 0)
		r = cmd_open_store(ctx, e);
	if (r != 0) {
		strv_free(o.filters);
		return r > 0 ? cmd_help("ps") : -1;
	}
	rows = ps_collect(&ctx->store, &o, &n);
	r = ps_print(&ctx->store, &o, rows, n, e);
	for (size_t i = 0; i < n; i++)
		spec_free(&rows[i].spec);
	free(rows);
	strv_free(o.filters);
	return r;
}

static int do_rm(struct hm_ctx *ctx, const char *id, const char *arg,
		 void *data, struct hm_err *e)
{
	const bool *fv = data; /* force, volumes */

	if (container_remove_v(&ctx->store, id, fv[0], fv[1], e) < 0)
		return -1;
	puts(arg);
	return 0;
}

int cmd_rm(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"volumes", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	bool fv[2] = {false, false};
	int c;

	while ((c = cmd_getopt("rm", argc, argv, "+fvh", opts, e)) != -1) {
		switch (c) {
		case 'f':
			fv[0] = true;
			break;
		case 'v':
			fv[1] = true;
			break;
		case 'h':
			return cmd_help("rm");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, "rm", "expected CONTAINER...");
	return cmd_each_container(ctx, argc, argv, do_rm, fv, e);
}
