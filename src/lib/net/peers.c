/* SPDX-License-Identifier: MIT */
/* Pools of all networks, and the hosts lines of peers (peers.h). */
#include "net/peers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

char **pools_paths(const struct hm_store *st)
{
	cleanup_free char *dflt = store_path(st, "net/ipam.json");
	cleanup_free char *dir = store_path(st, "net/networks");
	cleanup_dir DIR *d = opendir(dir);
	char **v = xcalloc(1, sizeof(*v));
	struct dirent *de;

	if (access(dflt, F_OK) == 0)
		v = strv_push(v, dflt);
	while (d && (de = readdir(d))) {
		cleanup_free char *p = NULL;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s/ipam.json", dir, de->d_name);
		if (access(p, F_OK) == 0)
			v = strv_push(v, p);
	}
	return v;
}

/* the pool at @path as it is (its subnet is in it) */
static int load_any(const char *path, struct ipam *p)
{
	return ipam_load(path, "10.88.0.0/16", p, NULL);
}

char **pools_ids(const struct hm_store *st, const char *skip)
{
	cleanup_strv char **paths = pools_paths(st);
	char **ids = xcalloc(1, sizeof(*ids));

	for (size_t i = 0; paths[i]; i++) {
		struct ipam p;

		if ((skip && !strcmp(paths[i], skip)) ||
		    load_any(paths[i], &p) < 0)
			continue;
		for (size_t k = 0; k < p.n; k++)
			ids = strv_push(ids, p.v[k].id);
		ipam_free(&p);
	}
	return ids;
}

char *pools_find(const struct hm_store *st, const char *id, char **net)
{
	cleanup_strv char **paths = pools_paths(st);
	cleanup_free char *dir = store_path(st, "net/networks/");

	*net = NULL;
	for (size_t i = 0; paths[i]; i++) {
		struct ipam p;
		bool hit;

		if (load_any(paths[i], &p) < 0)
			continue;
		hit = ipam_find(&p, id) != NULL;
		ipam_free(&p);
		if (!hit)
			continue;
		if (util_has_prefix(paths[i], dir)) {
			*net = xstrdup(paths[i] + strlen(dir));
			*strchr(*net, '/') = '\0';
		}
		return xstrdup(paths[i]);
	}
	return NULL;
}

/* "ADDR NAME ALIAS..." of every entry of @pool but @self */
static char *peer_lines(const char *net, const struct ipam *pool,
			const char *self)
{
	char *out = xasprintf("# homo: network %s\n", net);

	for (size_t i = 0; i < pool->n; i++) {
		const struct ipam_entry *en = &pool->v[i];
		char a[16], *old;

		if (!strcmp(en->id, self) || !en->names)
			continue;
		ipam_addr_str(en->addr, a);
		old = out;
		out = xasprintf("%s%s", old, a);
		free(old);
		for (size_t k = 0; en->names[k]; k++) {
			old = out;
			out = xasprintf("%s\t%s", old, en->names[k]);
			free(old);
		}
		old = out;
		out = xasprintf("%s\n", old);
		free(old);
	}
	return out;
}

/* The file with its peers' part (from the marker on) replaced. */
static void rewrite(const char *path, const char *lines)
{
	cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	cleanup_free char *text = NULL, *all = NULL;
	char *mark;
	size_t len;

	if (fd < 0)
		return;
	text = util_read_file(path, &len, NULL);
	if (!text)
		return;
	mark = strstr(text, "# homo: network ");
	if (mark)
		*mark = '\0';
	all = xasprintf("%s%s", text, lines);
	len = strlen(all);
	/* one write, then the length: a reader sees old or new lines */
	if (pwrite(fd, all, len, 0) == (ssize_t)len &&
	    ftruncate(fd, (off_t)len) < 0) {
		/* best effort: the next refresh writes it again */
	}
}

void peers_refresh(const struct hm_store *st, const char *net,
		   const struct ipam *pool)
{
	for (size_t i = 0; i < pool->n; i++) {
		const char *id = pool->v[i].id;
		cleanup_free char *lines = peer_lines(net, pool, id);
		cleanup_free char *c =
		    store_path(st, "containers/%s/hosts", id);
		cleanup_free char *r =
		    xasprintf("%s/%s/hosts", st->runroot, id);

		rewrite(c, lines);
		rewrite(r, lines); /* the copy a user namespace binds */
	}
}
