/* SPDX-License-Identifier: MIT */
/*
 * homo version, homo info, homo system df: Docker's output of each, and
 * --format over the same fields (docs/inspect.md).
 */
#include <dirent.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/util.h"
#include "format.h"

#ifndef HOMO_GIT_COMMIT
#define HOMO_GIT_COMMIT "unknown"
#endif
#ifdef __clang__
#define HOMO_CC "clang " __clang_version__
#else
#define HOMO_CC "gcc " __VERSION__
#endif

/* --format FORMAT and --help; Return: 0, 1 for --help, -1 on an error */
static int parse_format(const char *cmd, int argc, char **argv,
			const char **format, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	optind = 0;
	while ((c = cmd_getopt(cmd, argc, argv, "+f:h", opts, e)) != -1) {
		switch (c) {
		case 'f':
			*format = optarg;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc)
		return cmd_usage_error(e, cmd, "unexpected argument \"%s\"",
				       argv[optind]);
	return 0;
}

/* Docker's version template, aligned by a tabwriter of minimum width 20 */
static const char version_text[] = "Client:\n"
				   " Version:\t{{.Client.Version}}\n"
				   " C compiler:\t{{.Client.Compiler}}\n"
				   " Git commit:\t{{.Client.GitCommit}}\n"
				   " Built:\t{{.Client.BuildTime}}\n"
				   " OS/Arch:\t{{.Client.Os}}/{{.Client.Arch}}";

int cmd_version(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	const char *format = NULL;
	cleanup_json json_t *v = NULL;
	cleanup_free char *text = NULL, *out = NULL;
	struct tmpl *t;
	int r;

	(void)ctx;
	r = parse_format("version", argc, argv, &format, e);
	if (r)
		return r > 0 ? cmd_help("version") : -1;
	v = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "Client", "Version",
		      HOMO_VERSION, "Compiler", HOMO_CC, "GitCommit",
		      HOMO_GIT_COMMIT, "BuildTime", __DATE__ " " __TIME__, "Os",
		      "linux", "Arch", cmd_arch());
	if (format)
		return cmd_template_print("version", format, v, e);
	t = tmpl_parse(version_text, NULL, e);
	if (!t || tmpl_exec(t, v, &text, e) < 0) {
		tmpl_free(t);
		return -1;
	}
	tmpl_free(t);
	out = tmpl_tabwrite(text, 20, 1);
	puts(out);
	return 0;
}

/* /etc/os-release's @key ("PRETTY_NAME"), unquoted; malloc'd */
static char *os_release(const char *key)
{
	cleanup_fclose FILE *f = fopen("/etc/os-release", "re");
	char line[512];
	size_t kl = strlen(key);

	while (f && fgets(line, sizeof(line), f)) {
		char *v = line + kl + 1;

		if (strncmp(line, key, kl) || line[kl] != '=')
			continue;
		v[strcspn(v, "\n")] = '\0';
		if (*v == '"') {
			v++;
			v[strcspn(v, "\"")] = '\0';
		}
		return xstrdup(v);
	}
	return xstrdup("");
}

/* Docker's names of the filesystem under the store */
static const char *backing_fs(const char *root)
{
	struct statfs s;

	if (statfs(root, &s) < 0)
		return "unknown";
	switch ((unsigned long)s.f_type) {
	case 0xef53:
		return "extfs";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	case 0x01021994:
		return "tmpfs";
	case 0x794c7630:
		return "overlayfs";
	case 0x2fc12fc1:
		return "zfs";
	default:
		return "unknown";
	}
}

/* Docker's units.BytesSize: binary units, 4 significant digits */
static char *bytes_size(double b)
{
	static const char *const unit[] = {"B",	  "KiB", "MiB",
					   "GiB", "TiB", "PiB"};
	size_t i = 0;

	while (b >= 1024 && i + 1 < ARRAY_SIZE(unit)) {
		b /= 1024;
		i++;
	}
	return xasprintf("%.4g%s", b, unit[i]);
}

/* how many containers are running, and how many there are */
static void count_containers(struct hm_store *st, json_int_t *all,
			     json_int_t *running)
{
	cleanup_strv char **ids = container_list(st);

	*all = *running = 0;
	for (size_t i = 0; ids[i]; i++) {
		struct ctr_row r = {0};

		if (ctr_row_load(st, ids[i], &r, NULL) < 0)
			continue;
		(*all)++;
		*running += r.state.status == ST_RUNNING || ctr_restarting(&r);
		spec_free(&r.spec);
	}
}

/* images by id: the names of one image are one image */
static json_int_t count_images(const struct hm_store *st)
{
	struct hm_image *v = NULL;
	json_int_t n = 0;
	size_t k = 0;

	if (store_image_list(st, &v, &k, NULL) < 0)
		return 0;
	for (size_t i = 0; i < k; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(v[i].id, v[j].id);
		n += !seen;
	}
	image_list_free(v, k);
	return n;
}

static json_t *info_json(struct hm_ctx *ctx)
{
	cleanup_free char *os = os_release("PRETTY_NAME");
	cleanup_free char *osv = os_release("VERSION_ID");
	char host[256] = "";
	json_int_t all, running;
	struct sysinfo si = {0};
	struct utsname u = {0};
	struct statfs cg;
	json_t *sec = json_array();

	count_containers(&ctx->store, &all, &running);
	uname(&u);
	sysinfo(&si);
	gethostname(host, sizeof(host) - 1);
	json_array_append_new(sec, json_string("name=seccomp,profile=builtin"));
	if (access("/proc/self/ns/user", F_OK) == 0) /* --userns=auto */
		json_array_append_new(sec, json_string("name=userns"));
	return json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:s, s:[[s, s]], s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:b}",
	    "Containers", all, "ContainersRunning", running, "ContainersPaused",
	    (json_int_t)0, "ContainersStopped", all - running, "Images",
	    count_images(&ctx->store), "Driver", "overlay2", "DriverStatus",
	    "Backing Filesystem", backing_fs(ctx->root), "LoggingDriver",
	    "json-file", "CgroupDriver", "cgroupfs", "CgroupVersion",
	    statfs("/sys/fs/cgroup", &cg) == 0 && cg.f_type == 0x63677270 ? "2"
									  : "1",
	    "KernelVersion", u.release, "OperatingSystem", os, "OSVersion", osv,
	    "OSType", "linux", "Architecture", u.machine, "NCPU",
	    (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
	    (json_int_t)si.totalram * (json_int_t)si.mem_unit, "Name", host,
	    "ServerVersion", HOMO_VERSION, "SecurityOptions", sec,
	    "DockerRootDir", ctx->root, "HomoRunRoot", ctx->runroot, "Debug",
	    hm_debug_enabled != 0);
}

#define JS(o, k) json_string_value(json_object_get(o, k))
#define JI(o, k) (long long)json_integer_value(json_object_get(o, k))

static void info_print(json_t *v)
{
	cleanup_free char *mem = bytes_size(
	    (double)json_integer_value(json_object_get(v, "MemTotal")));
	json_t *x;
	size_t i;

	printf("Client:\n Version:    %s\n Debug Mode: %s\n\n", HOMO_VERSION,
	       json_is_true(json_object_get(v, "Debug")) ? "true" : "false");
	printf("Server:\n Containers: %lld\n  Running: %lld\n  Paused: %lld\n"
	       "  Stopped: %lld\n Images: %lld\n Server Version: %s\n",
	       JI(v, "Containers"), JI(v, "ContainersRunning"),
	       JI(v, "ContainersPaused"), JI(v, "ContainersStopped"),
	       JI(v, "Images"), JS(v, "ServerVersion"));
	printf(" Storage Driver: %s\n  Backing Filesystem: %s\n"
	       " Logging Driver: %s\n Cgroup Driver: %s\n Cgroup Version: %s\n"
	       " Security Options:\n",
	       JS(v, "Driver"),
	       json_string_value(json_array_get(
		   json_array_get(json_object_get(v, "DriverStatus"), 0), 1)),
	       JS(v, "LoggingDriver"), JS(v, "CgroupDriver"),
	       JS(v, "CgroupVersion"));
	json_array_foreach(json_object_get(v, "SecurityOptions"), i, x)
	{
		const char *s = json_string_value(x) + strlen("name=");
		const char *comma = strchr(s, ',');

		printf("  %.*s\n", (int)(comma ? comma - s : (long)strlen(s)),
		       s);
		if (comma && !strncmp(comma, ",profile=", 9))
			printf("   Profile: %s\n", comma + 9);
	}
	printf(" Kernel Version: %s\n Operating System: %s\n OSType: %s\n"
	       " Architecture: %s\n CPUs: %lld\n Total Memory: %s\n"
	       " Name: %s\n Homo Root Dir: %s\n Homo Run Dir: %s\n"
	       " Debug Mode: %s\n",
	       JS(v, "KernelVersion"), JS(v, "OperatingSystem"),
	       JS(v, "OSType"), JS(v, "Architecture"), JI(v, "NCPU"), mem,
	       JS(v, "Name"), JS(v, "DockerRootDir"), JS(v, "HomoRunRoot"),
	       json_is_true(json_object_get(v, "Debug")) ? "true" : "false");
}

int cmd_info(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	const char *format = NULL;
	cleanup_json json_t *v = NULL;
	int r;

	r = parse_format("info", argc, argv, &format, e);
	if (r)
		return r > 0 ? cmd_help("info") : -1;
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	v = info_json(ctx);
	if (format)
		return cmd_template_print("info", format, v, e);
	info_print(v);
	return 0;
}

/* ---- system df ---- */

static uint64_t du_total;

static int du_add(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		du_total += (uint64_t)sb->st_size;
	return 0;
}

/* the bytes of the files under @dir (0 if it is missing) */
static uint64_t du(const char *dir)
{
	du_total = 0;
	nftw(dir, du_add, 16, FTW_PHYS);
	return du_total;
}

struct df {
	json_int_t total, active;
	uint64_t size, reclaimable;
};

static json_t *df_row(const char *type, const struct df *d)
{
	char size[32], rec[32], total[24], active[24];
	cleanup_free char *reclaim = NULL;

	util_format_size(size, sizeof(size), d->size);
	util_format_size(rec, sizeof(rec), d->reclaimable);
	/* Docker's: the percentage only of a size that is not 0 */
	reclaim = d->size ? xasprintf("%s (%d%%)", rec,
				      (int)(d->reclaimable * 100 / d->size))
			  : xstrdup(rec);
	snprintf(total, sizeof(total), "%lld", (long long)d->total);
	snprintf(active, sizeof(active), "%lld", (long long)d->active);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", type,
			 "TotalCount", total, "Active", active, "Size", size,
			 "Reclaimable", reclaim);
}

static bool strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* containers: their upper layers; what they use, for the other rows */
static void df_containers(struct hm_store *st, struct df *d, char ***layers,
			  char ***srcs)
{
	cleanup_strv char **ids = container_list(st);

	for (size_t i = 0; ids[i]; i++) {
		cleanup_free char *cdir = container_dir(st, ids[i]);
		cleanup_free char *upper = xasprintf("%s/upper", cdir);
		struct ctr_row r = {0};
		uint64_t size;
		bool active;

		if (ctr_row_load(st, ids[i], &r, NULL) < 0)
			continue;
		active = r.state.status == ST_RUNNING || ctr_restarting(&r);
		size = du(upper);
		d->total++;
		d->active += active;
		d->size += size;
		d->reclaimable += active ? 0 : size;
		for (size_t k = 0; r.spec.layers && r.spec.layers[k]; k++)
			if (!strv_has(*layers, r.spec.layers[k]))
				*layers = strv_push(*layers, r.spec.layers[k]);
		for (size_t k = 0; k < r.spec.nvolumes; k++)
			*srcs = strv_push(*srcs, r.spec.volumes[k].src);
		spec_free(&r.spec);
	}
}

/* images: each layer counted once; reclaimable what no container uses */
static void df_images(struct hm_store *st, char *const *used, struct df *d)
{
	cleanup_strv char **seen = NULL, **ids = NULL;
	struct hm_image *v = NULL;
	size_t n = 0;

	if (store_image_list(st, &v, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *user = NULL;

		if (strv_has(ids, v[i].id))
			continue;
		ids = strv_push(ids, v[i].id);
		user = container_image_user(st, v[i].id);
		d->total++;
		d->active += user != NULL;
		for (size_t k = 0; v[i].layers[k]; k++) {
			uint64_t size;

			if (strv_has(seen, v[i].layers[k]))
				continue;
			seen = strv_push(seen, v[i].layers[k]);
			size = store_layer_size(st, v[i].layers[k]);
			d->size += size;
			d->reclaimable +=
			    strv_has(used, v[i].layers[k]) ? 0 : size;
		}
	}
	image_list_free(v, n);
}

/* volumes: the directories under ROOT/volumes, if there are any */
static void df_volumes(struct hm_store *st, char *const *srcs, struct df *d)
{
	cleanup_free char *dir = store_path(st, "volumes");
	cleanup_dir DIR *dp = opendir(dir);
	struct dirent *de;

	while (dp && (de = readdir(dp))) {
		cleanup_free char *p = NULL;
		bool active = false;
		uint64_t size;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		for (size_t i = 0; srcs && srcs[i] && !active; i++)
			active = !strcmp(srcs[i], p) ||
				 (util_has_prefix(srcs[i], p) &&
				  srcs[i][strlen(p)] == '/');
		size = du(p);
		d->total++;
		d->active += active;
		d->size += size;
		d->reclaimable += active ? 0 : size;
	}
}

#define DF_TABLE                                                     \
	"table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t" \
	"{{.Reclaimable}}"

int cmd_system_df(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	cleanup_json json_t *head = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s}", "Type", "TYPE", "TotalCount", "TOTAL",
	    "Active", "ACTIVE", "Size", "SIZE", "Reclaimable", "RECLAIMABLE");
	cleanup_strv char **layers = NULL, **srcs = NULL;
	struct df img = {0}, ctr = {0}, vol = {0};
	const char *format = NULL;
	struct cmd_fmt f;
	json_t *rows[3];
	int r;

	r = parse_format("system", argc, argv, &format, e);
	if (r)
		return r > 0 ? cmd_help("system") : -1;
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	df_containers(&ctx->store, &ctr, &layers, &srcs);
	df_images(&ctx->store, layers, &img);
	df_volumes(&ctx->store, srcs, &vol);
	rows[0] = df_row("Images", &img);
	rows[1] = df_row("Containers", &ctr);
	rows[2] = df_row("Local Volumes", &vol);
	r = cmd_fmt_init(&f, "system df", format, DF_TABLE, e);
	for (size_t i = 0; i < ARRAY_SIZE(rows) && r == 0; i++)
		r = cmd_fmt_row(&f, rows[i], e);
	if (r == 0)
		r = cmd_fmt_end(&f, head, e);
	cmd_fmt_free(&f);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		json_decref(rows[i]);
	return r;
}
