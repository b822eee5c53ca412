/* SPDX-License-Identifier: MIT */
/*
 * homo stats: Docker's columns from the container's cgroup (CPU, memory,
 * pids), its host-side veth (network) and its processes' /proc/PID/io
 * (block I/O).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"

const char cmd_stats_usage[] =
    "Usage: homo stats [OPTIONS] [CONTAINER...]\n\n"
    "Show the resource usage of running containers (all of them without\n"
    "CONTAINER): CONTAINER ID, NAME, CPU % (of one CPU, over the last\n"
    "interval), MEM USAGE / LIMIT (the host's memory without -m), MEM %,\n"
    "NET I/O (received / sent on its veth; 0B / 0B without a network),\n"
    "BLOCK I/O (read / written by its live processes), PIDS.\n"
    "Refreshed every second until interrupted: on a terminal the screen\n"
    "is redrawn, otherwise a block is printed each time.\n\n"
    "Options:\n"
    "  -a, --all            all containers, not only running ones\n"
    "      --no-stream      print one block (CPU % over half a second)\n"
    "      --format FMT     json (one object a line) or a template of\n"
    "                       {{.ID}} {{.Container}} {{.Name}} {{.CPUPerc}}\n"
    "                       {{.MemUsage}} {{.MemPerc}} {{.NetIO}}\n"
    "                       {{.BlockIO}} {{.PIDs}}; \"table\" first adds a\n"
    "                       header line\n";

struct sample {
	char id[65];
	char *name;
	bool running;
	uint64_t cpu_ns, mem, rx, tx, rd, wr, pids;
	int64_t limit;
	double wall; /* seconds, CLOCK_MONOTONIC */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Docker's units.BytesSize: binary, "1.5MiB". */
static void format_binary(char *out, size_t n, double v)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, n, "%.4g%s", v, units[u]);
}

static uint64_t host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

/* Received and sent by the container: its host-side veth's tx and rx. */
static void net_io(const char *id, uint64_t *rx, uint64_t *tx)
{
	cleanup_fclose FILE *f = fopen("/proc/self/net/dev", "re");
	char line[512], prefix[16];

	snprintf(prefix, sizeof(prefix), "vh%.9s", id);
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");
		unsigned long long v[16];

		if (strncmp(p, prefix, strlen(prefix)) || !strchr(p, ':'))
			continue;
		if (sscanf(strchr(p, ':') + 1,
			   "%llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8]) == 9) {
			*tx += v[0]; /* the host end received it: sent */
			*rx += v[8];
		}
	}
}

/* read_bytes and write_bytes of every process in the pids cgroup */
static void block_io(const char *id, uint64_t *rd, uint64_t *wr)
{
	cleanup_free char *dir = cgroup_dir("pids", id);
	cleanup_free char *procs =
	    dir ? xasprintf("%s/cgroup.procs", dir) : NULL;
	cleanup_fclose FILE *f = procs ? fopen(procs, "re") : NULL;
	int pid;

	while (f && fscanf(f, "%d", &pid) == 1) {
		char path[64], line[128];
		cleanup_fclose FILE *io = NULL;
		unsigned long long v;

		snprintf(path, sizeof(path), "/proc/%d/io", pid);
		io = fopen(path, "re");
		while (io && fgets(line, sizeof(line), io)) {
			if (sscanf(line, "read_bytes: %llu", &v) == 1)
				*rd += v;
			else if (sscanf(line, "write_bytes: %llu", &v) == 1)
				*wr += v;
		}
	}
}

static void take(struct hm_store *st, struct sample *s)
{
	struct cgroup_stats cs;
	struct hm_state state;
	struct hm_err w;

	s->cpu_ns = s->mem = s->rx = s->tx = s->rd = s->wr = s->pids = 0;
	s->limit = -1;
	s->wall = mono();
	s->running = container_check(st, s->id, &state, &w) == 0 &&
		     state.status == ST_RUNNING;
	if (!s->running || cgroup_stats(s->id, &cs, &w) < 0)
		return;
	s->cpu_ns = cs.cpu_usage_ns;
	s->mem = cs.memory_usage;
	s->limit = cs.memory_limit;
	s->pids = cs.pids_current;
	net_io(s->id, &s->rx, &s->tx);
	block_io(s->id, &s->rd, &s->wr);
}

enum {
	F_ID,
	F_CONTAINER,
	F_NAME,
	F_CPU,
	F_MEM,
	F_MEMP,
	F_NET,
	F_BLOCK,
	F_PIDS,
	F_N
};

static const char *const keys[F_N] = {"ID",	 "Container", "Name",
				      "CPUPerc", "MemUsage",  "MemPerc",
				      "NetIO",	 "BlockIO",   "PIDs"};
static const char *const heads[F_N] = {
    "CONTAINER ID", "CONTAINER", "NAME",      "CPU %", "MEM USAGE / LIMIT",
    "MEM %",	    "NET I/O",	 "BLOCK I/O", "PIDS"};

/* The fields of one row: @prev for the CPU delta (NULL: 0%). */
static void fields(const struct sample *cur, const struct sample *prev,
		   const char *arg, char f[F_N][64])
{
	char a[24], b[24];
	double cpu = 0, dt = prev ? cur->wall - prev->wall : 0;
	uint64_t limit = cur->limit > 0 ? (uint64_t)cur->limit : host_memory();

	if (prev && dt > 0 && cur->cpu_ns >= prev->cpu_ns)
		cpu = (double)(cur->cpu_ns - prev->cpu_ns) / (dt * 1e9) * 100;
	snprintf(f[F_ID], 64, "%.12s", cur->id);
	if (arg)
		snprintf(f[F_CONTAINER], 64, "%.63s", arg);
	else
		snprintf(f[F_CONTAINER], 64, "%.12s", cur->id);
	snprintf(f[F_NAME], 64, "%.63s", cur->name);
	snprintf(f[F_CPU], 64, "%.2f%%", cpu);
	format_binary(a, sizeof(a), (double)cur->mem);
	if (cur->running)
		format_binary(b, sizeof(b), (double)limit);
	snprintf(f[F_MEM], 64, "%s / %s", a, cur->running ? b : "0B");
	snprintf(f[F_MEMP], 64, "%.2f%%",
		 limit && cur->running ? (double)cur->mem / limit * 100 : 0.0);
	util_format_size(a, sizeof(a), cur->rx);
	util_format_size(b, sizeof(b), cur->tx);
	snprintf(f[F_NET], 64, "%s / %s", a, b);
	util_format_size(a, sizeof(a), cur->rd);
	util_format_size(b, sizeof(b), cur->wr);
	snprintf(f[F_BLOCK], 64, "%s / %s", a, b);
	snprintf(f[F_PIDS], 64, "%" PRIu64, cur->pids);
}

/*
 * A --format template: text with {{.Key}} (and "\t"). Return: the
 * expansion (malloc'd), or NULL with @e naming an unknown key.
 */
static char *expand(const char *tpl, char f[F_N][64], struct hm_err *e)
{
	char *out = xstrdup(""), *old;
	const char *p = tpl;

	while (*p) {
		const char *end;
		size_t k;

		old = out;
		if (!strncmp(p, "\\t", 2)) {
			out = xasprintf("%s\t", old);
			p += 2;
		} else if (strncmp(p, "{{", 2)) {
			out = xasprintf("%s%c", old, *p++);
		} else {
			p += 2 + strspn(p + 2, " ");
			end = strstr(p, "}}");
			for (k = 0; end && k < F_N; k++)
				if (*p == '.' &&
				    !strncmp(p + 1, keys[k], strlen(keys[k])) &&
				    p + 1 + strlen(keys[k]) +
					    strspn(p + 1 + strlen(keys[k]),
						   " ") ==
					end)
					break;
			if (!end || k == F_N) {
				free(old);
				hm_failx(e, HM_EXIT_FAIL,
					 "stats: --format: unknown field in "
					 "\"%s\" (see 'homo stats --help')",
					 tpl);
				return NULL;
			}
			out = xasprintf("%s%s", old, f[k]);
			p = end + 2;
		}
		free(old);
	}
	return out;
}

static void print_json(char f[F_N][64])
{
	json_t *j = json_object();
	char *text;

	for (size_t k = 0; k < F_N; k++)
		json_object_set_new(j, keys[k], json_string(f[k]));
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (text)
		puts(text);
	free(text);
	json_decref(j);
}

struct stats_opts {
	bool all, no_stream;
	const char *format;
	char **args; /* CONTAINER arguments, NULL: every running one */
};

/* One block: a table, JSON lines or the template, one row a sample. */
static int print_block(struct sample *cur, size_t n, struct sample *prev,
		       size_t np, const struct stats_opts *o, struct hm_err *e)
{
	static const int cols[] = {F_ID,   F_NAME, F_CPU,   F_MEM,
				   F_MEMP, F_NET,  F_BLOCK, F_PIDS};
	char(*f)[F_N][64] = xcalloc(n + 1, sizeof(*f));
	size_t w[F_N] = {0};
	const char *tpl = o->format;
	int r = 0;

	for (size_t k = 0; k < F_N; k++)
		w[k] = strlen(heads[k]);
	for (size_t i = 0; i < n; i++) {
		struct sample *p = NULL;

		for (size_t k = 0; k < np && !p; k++)
			if (!strcmp(prev[k].id, cur[i].id))
				p = &prev[k];
		fields(&cur[i], p, o->args ? o->args[i] : NULL, f[i]);
		for (size_t k = 0; k < F_N; k++)
			w[k] = strlen(f[i][k]) > w[k] ? strlen(f[i][k]) : w[k];
	}
	if (tpl && !strcmp(tpl, "{{json .}}"))
		tpl = "json";
	if (!tpl) {
		for (size_t c = 0; c < ARRAY_SIZE(cols); c++)
			printf("%-*s",
			       c + 1 < ARRAY_SIZE(cols) ? (int)w[cols[c]] + 3
							: 0,
			       heads[cols[c]]);
		putchar('\n');
	} else if (util_has_prefix(tpl, "table")) {
		cleanup_free char *h = NULL;
		char hf[F_N][64];

		for (size_t k = 0; k < F_N; k++)
			snprintf(hf[k], sizeof(hf[k]), "%s", heads[k]);
		tpl += strlen("table") + strspn(tpl + strlen("table"), " ");
		h = expand(tpl, hf, e);
		if (!h)
			r = -1;
		else
			puts(h);
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		cleanup_free char *line = NULL;

		if (tpl && !strcmp(tpl, "json")) {
			print_json(f[i]);
			continue;
		}
		if (tpl) {
			line = expand(tpl, f[i], e);
			if (!line) {
				r = -1;
				break;
			}
			puts(line);
			continue;
		}
		for (size_t c = 0; c < ARRAY_SIZE(cols); c++)
			printf("%-*s",
			       c + 1 < ARRAY_SIZE(cols) ? (int)w[cols[c]] + 3
							: 0,
			       f[i][cols[c]]);
		putchar('\n');
	}
	free(f);
	fflush(stdout);
	return r;
}

/* The samples to take this round: the arguments, or the containers. */
static struct sample *collect(struct hm_store *st, const struct stats_opts *o,
			      size_t *n, struct hm_err *e)
{
	cleanup_strv char **ids = o->args ? NULL : container_list(st);
	size_t max = o->args ? strv_len(o->args) : strv_len(ids);
	struct sample *v = xcalloc(max + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < max; i++) {
		struct sample *s = &v[*n];
		struct hm_spec sp;
		struct hm_state state;

		if (o->args && container_find(st, o->args[i], s->id, e) < 0)
			goto fail;
		if (!o->args)
			memcpy(s->id, ids[i], 65);
		if (container_load_spec(st, s->id, &sp, o->args ? e : NULL) <
		    0) {
			if (o->args)
				goto fail;
			continue;
		}
		s->name = xstrdup(sp.name);
		spec_free(&sp);
		if (!o->args && !o->all &&
		    (container_check(st, s->id, &state, NULL) < 0 ||
		     state.status != ST_RUNNING)) {
			free(s->name);
			continue;
		}
		take(st, s);
		(*n)++;
	}
	return v;
fail:
	for (size_t i = 0; i < *n; i++)
		free(v[i].name);
	free(v);
	return NULL;
}

static void free_samples(struct sample *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

static int stats_parse(struct stats_opts *o, int argc, char **argv,
		       struct hm_err *e)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"no-stream", no_argument, NULL, 'n'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	char f[F_N][64] = {{0}};
	int c;

	while ((c = cmd_getopt("stats", argc, argv, "+ah", opts, e)) != -1) {
		if (c == 'a')
			o->all = true;
		else if (c == 'n')
			o->no_stream = true;
		else if (c == 'f')
			o->format = optarg;
		else if (c == 'h')
			return 1;
		else
			return -1;
	}
	if (o->format && strcmp(o->format, "json") &&
	    strcmp(o->format, "{{json .}}")) {
		cleanup_free char *t = expand(o->format, f, e);

		if (!t)
			return -1;
	}
	for (int i = optind; i < argc; i++)
		o->args = strv_push(o->args, argv[i]);
	return 0;
}

int cmd_stats(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct stats_opts o = {0};
	struct sample *prev = NULL, *cur = NULL;
	size_t np = 0, n = 0;
	bool tty = isatty(1);
	int r = stats_parse(&o, argc, argv, e);

	if (r == 0)
		r = cmd_open_store(ctx, e);
	if (r != 0) {
		strv_free(o.args);
		return r > 0 ? cmd_help("stats") : -1;
	}
	/* a first sample for the CPU delta of the first block */
	prev = collect(&ctx->store, &o, &np, e);
	for (r = prev ? 0 : -1; r == 0;) {
		usleep(o.no_stream ? 500000 : 1000000);
		cur = collect(&ctx->store, &o, &n, e);
		if (!cur) {
			r = -1;
			break;
		}
		if (tty && !o.no_stream)
			fputs("\033[2J\033[H", stdout);
		r = print_block(cur, n, prev, np, &o, e);
		free_samples(prev, np);
		prev = cur;
		np = n;
		if (o.no_stream)
			break;
		if (!tty)
			putchar('\n');
	}
	free_samples(prev, np);
	strv_free(o.args);
	return r;
}
