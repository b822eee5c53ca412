/* SPDX-License-Identifier: MIT */
/* homo events: the event log (store/events.h), printed and followed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "common.h"
#include "store/events.h"

void cmd_image_event(const struct hm_store *st, const char *action,
		     const char *id, const char *name, const char *tag)
{
	cleanup_free char *full = tag ? xasprintf("%s:%s", name, tag) : NULL;
	cleanup_free char *hid =
	    strlen(id) == 64 ? xasprintf("sha256:%s", id) : NULL;
	const char *attrs[] = {"name", full ? full : name, NULL};

	/* a name as the id (pull) is shown whole, as Docker's NAME:TAG */
	event_log(st, "image", action,
		  hid			      ? hid
		  : full && !strcmp(id, name) ? full
					      : id,
		  attrs);
}

const char cmd_events_usage[] =
    "Usage: homo events [OPTIONS]\n\n"
    "Print container events (create, start, die, stop, kill, pause,\n"
    "unpause, rename, destroy, commit) and image events (pull, tag,\n"
    "untag, delete, load, save) as they happen, until interrupted. With\n"
    "--since, the recorded ones from that time first; with --until, stop\n"
    "there. Every homo command appends its events to <root>/events.log\n"
    "(rotated past 1MB, one older file kept).\n\n"
    "Options:\n"
    "      --since TIME     from TIME: a Unix time, an RFC 3339 time or a\n"
    "                       duration ago (10m, 1h30m)\n"
    "      --until TIME     up to TIME (then stop)\n"
    "  -f, --filter K=V     type=container|image, event=ACTION,\n"
    "                       container=NAME|ID, image=NAME|ID; repeated:\n"
    "                       the same key ORs, different keys AND\n"
    "      --format json    one JSON object a line (also '{{json .}}')\n";

struct events_opts {
	int64_t since, until;
	char **filters;
	bool json;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int print_event(json_t *ev, void *arg)
{
	const struct events_opts *o = arg;
	json_t *actor = json_object_get(ev, "Actor");
	json_t *attrs = json_object_get(actor, "Attributes");
	int64_t t =
	    (int64_t)json_integer_value(json_object_get(ev, "timeNano"));
	time_t secs = (time_t)(t / 1000000000);
	char when[40];
	struct tm tm;
	const char **keys;
	const char *k;
	json_t *v;
	size_t n = 0, i = 0;

	if (!events_match(ev, o->filters))
		return 0;
	if (o->json) {
		char *text = json_dumps(ev, JSON_COMPACT);

		if (text)
			puts(text);
		free(text);
		fflush(stdout);
		return 0;
	}
	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%09lldZ %s %s %s", when, (long long)(t % 1000000000),
	       json_string_value(json_object_get(ev, "Type")) ?: "?",
	       json_string_value(json_object_get(ev, "Action")) ?: "?",
	       json_string_value(json_object_get(actor, "ID")) ?: "");
	/* Docker's "(key=value, ...)", sorted by key */
	keys = xcalloc(json_object_size(attrs) + 1, sizeof(*keys));
	json_object_foreach(attrs, k, v) keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		printf("%s%s=%s", i ? ", " : " (", keys[i],
		       json_string_value(json_object_get(attrs, keys[i]))
			   ?: "");
	puts(n ? ")" : "");
	free(keys);
	fflush(stdout);
	return 0;
}

static int events_parse(struct events_opts *o, int argc, char **argv,
			struct hm_err *e)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"filter", required_argument, NULL, 'f'},
	    {"format", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct timespec now;
	int64_t now_ns;
	int c;

	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	while ((c = cmd_getopt("events", argc, argv, "+f:h", opts, e)) != -1) {
		if ((c == 's' || c == 'u') &&
		    events_parse_time(optarg, now_ns,
				      c == 's' ? &o->since : &o->until, e) < 0)
			return hm_prefix(e, "events: --%s",
					 c == 's' ? "since" : "until");
		if (c == 'f' && !events_filter_ok(optarg))
			return cmd_usage_error(e, "events",
					       "--filter \"%s\": use type=, "
					       "event=, container= or image=",
					       optarg);
		if (c == 'f')
			o->filters = strv_push(o->filters, optarg);
		if (c == 'F' && strcmp(optarg, "json") &&
		    strcmp(optarg, "{{json .}}"))
			return cmd_usage_error(
			    e, "events", "--format \"%s\": only json", optarg);
		o->json |= c == 'F';
		if (c == 'h')
			return 1;
		if (c == '?')
			return -1;
	}
	if (optind < argc)
		return cmd_usage_error(
		    e, "events", "unexpected argument \"%s\"", argv[optind]);
	return 0;
}

int cmd_events(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct events_opts o = {0};
	int r = events_parse(&o, argc, argv, e);

	if (r == 0)
		r = cmd_open_store(ctx, e);
	if (r == 0) {
		/* --until alone: everything recorded up to it (Docker) */
		if (o.until && !o.since)
			o.since = 1;
		setvbuf(stdout, NULL, _IOLBF, 0);
		r = events_read(&ctx->store, o.since, o.until, true,
				print_event, &o, e);
	}
	strv_free(o.filters);
	return r > 0 ? cmd_help("events") : r;
}
