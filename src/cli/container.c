/* SPDX-License-Identifier: MIT */
/* The container commands: ps, rm, and the container half of inspect. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "common.h"
#include "runtime/container.h"
#include "runtime/control.h"

struct row {
	struct hm_spec spec;
	struct hm_state state;
	bool paused; /* homo pause */
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return strcmp(y->spec.created, x->spec.created); /* newest first */
}

static void status_text(char *out, size_t n, const struct hm_state *st,
			bool paused)
{
	char d[64];
	int64_t now = (int64_t)time(NULL);

	switch (st->status) {
	case ST_RUNNING:
		util_format_duration(d, sizeof(d),
				     now - util_parse_rfc3339(st->started));
		snprintf(out, n, "Up %s%s", d, paused ? " (Paused)" : "");
		break;
	case ST_EXITED:
		util_format_duration(d, sizeof(d),
				     now - util_parse_rfc3339(st->finished));
		snprintf(out, n, "Exited (%d) %s ago", st->exit_code, d);
		break;
	default:
		snprintf(out, n, "Created");
	}
}

static char *command_text(char *const *argv)
{
	char *s = xstrdup("");

	for (size_t i = 0; argv && argv[i]; i++) {
		char *old = s;

		s = xasprintf("%s%s%s", old, i ? " " : "", argv[i]);
		free(old);
	}
	return s;
}

static json_t *container_json(const struct hm_store *st, const struct row *r)
{
	cleanup_free char *cdir = container_dir(st, r->spec.id);
	cleanup_free char *upper = xasprintf("%s/upper", cdir);
	cleanup_free char *work = xasprintf("%s/work", cdir);

	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:b, s:b, s:i, s:i, s:b, "
	    "s:s, s:s, s:s}, s:{s:s, s:s}}",
	    "Id", r->spec.id, "Name", r->spec.name, "Image", r->spec.image,
	    "ImageId", r->spec.image_id, "Created", r->spec.created, "Config",
	    spec_to_json(&r->spec), "State", "Status",
	    r->paused ? "paused" : state_status_name(r->state.status),
	    "Running", r->state.status == ST_RUNNING, "Paused", r->paused,
	    "Pid", r->state.status == ST_RUNNING ? (int)r->state.pid : 0,
	    "ExitCode", r->state.exit_code, "OOMKilled", r->state.oom_killed,
	    "StartedAt", r->state.started, "FinishedAt", r->state.finished,
	    "Error", r->state.error, "GraphDriver", "UpperDir", upper,
	    "WorkDir", work);
}

static int load_row(struct hm_store *st, const char *id, struct row *r,
		    struct hm_err *e)
{
	if (container_check(st, id, &r->state, e) < 0)
		return -1;
	if (container_load_spec(st, id, &r->spec, e) < 0)
		return -1;
	r->paused = r->state.status == ST_RUNNING && container_paused(st, id);
	return 0;
}

int inspect_container(struct hm_ctx *ctx, const char *ref, json_t **out,
		      struct hm_err *e)
{
	struct hm_err miss;
	struct row r;
	char id[65];
	int64_t pids;

	*out = NULL;
	/* an ambiguous id prefix is an error, not "no such container" */
	if (container_find(&ctx->store, ref, id, &miss) < 0)
		return strstr(miss.msg, "ambiguous") ? (*e = miss, -1) : 0;
	if (load_row(&ctx->store, id, &r, e) < 0)
		return -1;
	*out = container_json(&ctx->store, &r);
	/* Docker's field: the limit, 0 = unlimited */
	pids = r.spec.limits.pids > 0 ? r.spec.limits.pids : 0;
	json_object_set_new(*out, "HostConfig",
			    json_pack("{s:I}", "PidsLimit", (json_int_t)pids));
	json_object_set_new(*out, "NetworkSettings",
			    network_inspect(&ctx->store, id, &r.spec.netcfg,
					    r.spec.net == NET_BRIDGE,
					    r.state.status == ST_RUNNING));
	spec_free(&r.spec);
	return 0;
}

/* Docker's --filter: the same key ORs, different keys AND. */
static bool matches(const struct row *r, char *const *filters)
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
				hit |= !strcmp(v, r->paused
						      ? "paused"
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
	bool all, quiet, as_json;
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
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	while ((c = cmd_getopt("ps", argc, argv, "+aqh", opts, e)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'f':
			if (strcmp(optarg, "json"))
				return cmd_usage_error(e, "ps",
						       "unknown format \"%s\" "
						       "(only json)",
						       optarg);
			o->as_json = true;
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
static struct row *ps_collect(struct hm_store *st, const struct ps_opts *o,
			      size_t *n)
{
	cleanup_strv char **ids = container_list(st);
	struct row *rows = xcalloc(strv_len(ids) + 1, sizeof(*rows));

	*n = 0;
	for (size_t i = 0; ids[i]; i++) {
		struct hm_err skip;

		/* one corrupt record must not hide the others */
		if (load_row(st, ids[i], &rows[*n], &skip) < 0) {
			fprintf(stderr, "homo: warning: %s\n", skip.msg);
			continue;
		}
		if ((!o->all && rows[*n].state.status != ST_RUNNING) ||
		    !matches(&rows[*n], o->filters)) {
			spec_free(&rows[*n].spec);
			continue;
		}
		(*n)++;
	}
	qsort(rows, *n, sizeof(*rows), cmp_row);
	return rows;
}

static void ps_print_row(const struct row *r)
{
	cleanup_free char *cmd = command_text(r->spec.argv);
	char created[64], status[96], d[48];

	util_format_duration(d, sizeof(d),
			     (int64_t)time(NULL) -
				 util_parse_rfc3339(r->spec.created));
	snprintf(created, sizeof(created), "%s ago", d);
	status_text(status, sizeof(status), &r->state, r->paused);
	/* a newline or escape in the command must not break the table */
	for (char *p = cmd; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (strlen(cmd) > 20)
		strcpy(cmd + 17, "...");
	printf("%.12s  %-20s \"%s\"%*s %-16s %-26s %s\n", r->spec.id,
	       r->spec.image, cmd, (int)(20 - strlen(cmd)), "", created, status,
	       r->spec.name);
}

int cmd_ps(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct ps_opts o = {0};
	struct row *rows;
	size_t n;
	int r;

	r = ps_parse(&o, argc, argv, e);
	if (r == 0)
		r = cmd_open_store(ctx, e);
	if (r != 0) {
		strv_free(o.filters);
		return r > 0 ? cmd_help("ps") : -1;
	}
	rows = ps_collect(&ctx->store, &o, &n);
	if (o.as_json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(
			    arr, container_json(&ctx->store, &rows[i]));
		cmd_print_json(arr);
	} else if (!o.quiet) {
		printf("%-12s  %-20s %-22s %-16s %-26s %s\n", "CONTAINER ID",
		       "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES");
	}
	/* -q prints the ids, even after --format json */
	for (size_t i = 0; i < n; i++) {
		if (o.quiet)
			printf("%.12s\n", rows[i].spec.id);
		else if (!o.as_json)
			ps_print_row(&rows[i]);
	}
	for (size_t i = 0; i < n; i++)
		spec_free(&rows[i].spec);
	free(rows);
	strv_free(o.filters);
	return 0;
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
