/* SPDX-License-Identifier: MIT */
/*
 * Rootless homo's way in (runtime/rootless.h): the runroot checks, the ids
 * to map, and the namespace holder. One holder per user keeps a user
 * namespace and a mount namespace alive, so that every homo of that user
 * (a detached container's monitor, a later exec, stop, commit) shares the
 * same ids and sees the same mounts: joining it is one setns(2), where
 * making a namespace each time costs two newuidmap runs and would leave
 * each container in a namespace of its own that no later homo could
 * signal or enter (docs/rootless.md has the figures).
 */
#include "runtime/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/idmap.h"
#include "base/rootless.h"
#include "base/util.h"
#include "runtime/rootless_net.h"
#include "runtime/spec.h"

bool rootless_detect(uid_t *uid)
{
	struct hm_idmap m;

	if (idmap_self("uid_map", 0, &m) != 1)
		return false;
	*uid = (uid_t)m.host;
	return m.host != 0;
}

void rootless_default_paths(uid_t uid, char **root, char **runroot)
{
	const char *data = getenv("XDG_DATA_HOME");
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");
	struct passwd *pw = NULL;

	if ((!home || *home != '/') && (pw = getpwuid(uid)))
		home = pw->pw_dir;
	if (root)
		*root = data && *data == '/'
			    ? xasprintf("%s/homo", data)
			    : xasprintf("%s/.local/share/homo", home ?: "/");
	if (runroot)
		*runroot = run && *run == '/'
			       ? xasprintf("%s/homo", run)
			       : xasprintf("/tmp/homo-%u", (unsigned)uid);
}

/* Ours alone: a directory, not a link, owned by @uid, no one else writes. */
static int check_runroot(const char *dir, uid_t uid, struct hm_err *e)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "rootless: create runroot \"%s\"",
			       dir);
	if (lstat(dir, &st) < 0)
		return hm_fail(e, errno, "rootless: runroot \"%s\"", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 022))
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: runroot \"%s\" is not a directory "
				"of uid %u writable by it alone: refused "
				"(remove it, or set XDG_RUNTIME_DIR)",
				dir, (unsigned)uid);
	return 0;
}

/* The first line of @file delegating ids to @name or to @uid. */
static int find_range(const char *file, const char *name, uid_t uid,
		      unsigned long *start, unsigned long *count,
		      struct hm_err *e)
{
	cleanup_free char *text = util_read_file(file, NULL, NULL);
	cleanup_free struct hm_subid *v = NULL;
	char num[16];
	size_t n = 0;

	*start = *count = 0;
	if (idmap_subid_parse(text ? text : "", file, &v, &n, e) < 0)
		return -1;
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	for (size_t i = 0; i < n; i++)
		if ((name && !strcmp(v[i].owner, name)) ||
		    !strcmp(v[i].owner, num)) {
			*start = v[i].r.start;
			*count = v[i].r.count;
			return 0;
		}
	return 0;
}

int rootless_map_ids(struct rootless_ids *ids, struct hm_err *e)
{
	struct passwd *pw;

	memset(ids, 0, sizeof(*ids));
	ids->uid = getuid();
	ids->gid = getgid();
	pw = getpwuid(ids->uid);
	if (find_range("/etc/subuid", pw ? pw->pw_name : NULL, ids->uid,
		       &ids->sub_uid, &ids->sub_uid_count, e) < 0 ||
	    find_range("/etc/subgid", pw ? pw->pw_name : NULL, ids->uid,
		       &ids->sub_gid, &ids->sub_gid_count, e) < 0)
		return -1;
	/* one without the other would map uids but no gids: neither */
	if (!ids->sub_uid_count || !ids->sub_gid_count)
		ids->sub_uid_count = ids->sub_gid_count = 0;
	return 0;
}

/* newuidmap/newgidmap PID 0 ID 1 1 START COUNT (setuid, from uidmap) */
static int run_newidmap(const char *tool, pid_t pid, unsigned long id,
			unsigned long start, unsigned long count,
			struct hm_err *e)
{
	char a[5][24];
	int status;
	pid_t c;

	snprintf(a[0], sizeof(a[0]), "%d", (int)pid);
	snprintf(a[1], sizeof(a[1]), "%lu", id);
	snprintf(a[2], sizeof(a[2]), "%lu", start);
	snprintf(a[3], sizeof(a[3]), "%lu", count);
	c = fork();
	if (c < 0)
		return hm_fail(e, errno, "fork %s", tool);
	if (c == 0) {
		execlp(tool, tool, a[0], "0", a[1], "1", "1", a[2], a[3],
		       (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (waitpid(c, &status, 0) < 0)
		return hm_fail(e, errno, "wait for %s", tool);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: %s not found: install the package "
				"uidmap (it maps your /etc/subuid range)",
				tool);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: %s %s 0 %lu 1 1 %lu %lu failed",
				tool, a[0], id, start, count);
	return 0;
}

/* Only our own id, written by ourselves: no helper, no setgroups. */
static int write_single_map(pid_t pid, const struct rootless_ids *ids,
			    struct hm_err *e)
{
	char path[64], line[64];

	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)ids->uid);
	if (util_write_str(path, line, e) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if (util_write_str(path, "deny", e) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)ids->gid);
	return util_write_str(path, line, e);
}

static int write_maps(pid_t pid, const struct rootless_ids *ids,
		      struct hm_err *e)
{
	if (!ids->sub_uid_count) {
		struct hm_err w = {0};

		hm_failx(&w, 0,
			 "no /etc/subuid and /etc/subgid range for uid %u: "
			 "only your own id is mapped (to root); files of "
			 "other owners in images, and chown to other ids, "
			 "fail (apt and dpkg will complain)",
			 (unsigned)ids->uid);
		hm_warn(&w);
		return write_single_map(pid, ids, e);
	}
	return run_newidmap("newuidmap", pid, ids->uid, ids->sub_uid,
			    ids->sub_uid_count, e) < 0 ||
		       run_newidmap("newgidmap", pid, ids->gid, ids->sub_gid,
				    ids->sub_gid_count, e) < 0
		   ? -1
		   : 0;
}

/* What the holder tells the homo starting it, in one atomic write. */
struct holder_msg {
	pid_t pid;
	int err; /* of unshare (or fork), 0 when ready for its maps */
};

/* The holder: namespaces kept for the user's homos; SIGTERM ends it. */
static void __attribute__((noreturn)) holder_main(int up, int go)
{
	struct holder_msg m = {getpid(), 0};
	int devnull;
	char c = 0;

	setsid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		m.err = errno;
	if (util_write_all(up, &m, sizeof(m)) < 0 || m.err ||
	    read(go, &c, 1) != 1 || c != 'g')
		_exit(1);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	/* the store lock's fd among them: the holder holds nothing of ours */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	if (chdir("/") < 0)
		_exit(1);
	prctl(PR_SET_NAME, "homo-pause", 0, 0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;)
		pause();
}

/* Fork the holder (a grandchild: no homo ever has to reap it); its pid. */
static pid_t fork_holder(int *up, int *go, struct hm_err *e)
{
	struct holder_msg m = {-1, EIO};
	int a[2], b[2];
	pid_t mid;

	if (pipe2(a, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "rootless: pipe"), -1;
	if (pipe2(b, O_CLOEXEC) < 0) {
		close(a[0]), close(a[1]);
		return hm_fail(e, errno, "rootless: pipe"), -1;
	}
	mid = fork();
	if (mid == 0) {
		/* our ends only, so that either side's exit is an EOF */
		close(a[0]), close(b[1]);
		mid = fork();
		if (mid == 0)
			holder_main(a[1], b[0]);
		m.err = errno;
		_exit(mid < 0 && util_write_all(a[1], &m, sizeof(m)) == 0);
	}
	close(a[1]), close(b[0]);
	*up = a[0], *go = b[1];
	if (mid < 0)
		return hm_fail(e, errno, "rootless: fork"), -1;
	waitpid(mid, NULL, 0);
	if (read(a[0], &m, sizeof(m)) != sizeof(m) || m.err || m.pid <= 0)
		return hm_fail(e, m.err,
			       "rootless: unshare a user namespace (is "
			       "user.max_user_namespaces 0, or "
			       "unprivileged_userns_clone off?)"),
		       -1;
	return m.pid;
}

/* A holder with its maps, recorded in @pidfile; its pid. */
static pid_t start_holder(const char *pidfile, struct hm_err *e)
{
	struct rootless_ids ids;
	cleanup_close int up = -1, go = -1;
	char line[64];
	pid_t pid;

	if (rootless_map_ids(&ids, e) < 0)
		return -1;
	pid = fork_holder(&up, &go, e);
	if (pid < 0)
		return -1;
	if (write_maps(pid, &ids, e) < 0 || util_write_all(go, "g", 1) < 0) {
		kill(pid, SIGKILL);
		return -1;
	}
	snprintf(line, sizeof(line), "%d %llu\n", (int)pid,
		 util_proc_starttime(pid));
	if (util_write_file_atomic(pidfile, line, strlen(line), false, e) < 0) {
		kill(pid, SIGKILL);
		return -1;
	}
	return pid;
}

/* The holder named in @pidfile, as a pidfd, if it still lives. */
static int open_holder(const char *pidfile)
{
	cleanup_free char *text = util_read_file(pidfile, NULL, NULL);
	unsigned long long start;
	int pid, fd;

	if (!text || sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0 && (!start || util_proc_starttime(pid) != start)) {
		close(fd); /* a reused pid */
		return -1;
	}
	return fd;
}

/* setns(2) resets the cwd to the new mount namespace's root: keep ours */
static int join(int fd, const char *pidfile, struct hm_err *e)
{
	cleanup_free char *cwd = getcwd(NULL, 0);

	if (setns(fd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return hm_fail(e, errno,
			       "rootless: join the namespaces of the holder "
			       "in \"%s\"",
			       pidfile);
	if (cwd && chdir(cwd) < 0)
		return hm_fail(e, errno, "rootless: chdir \"%s\"", cwd);
	return 0;
}

/* overlayfs mounts in a user namespace came with Linux 5.11 */
static int check_kernel(struct hm_err *e)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0; /* unknown: the mount will say */
	if (major > 5 || (major == 5 && minor >= 11))
		return 0;
	return hm_failx(e, HM_EXIT_FAIL,
			"rootless: Linux %s cannot mount overlayfs in a user "
			"namespace (unprivileged overlay, \"userxattr\": "
			"Linux 5.11 or later); run homo as root",
			u.release);
}

int rootless_enter(const char *root, const char *runroot, struct hm_err *e)
{
	cleanup_free char *pidfile = xasprintf("%s/pause.pid", runroot);
	cleanup_free char *lockfile = xasprintf("%s/pause.lock", runroot);
	cleanup_free char *parent = xstrdup(root);
	cleanup_close int lock = -1, fd = -1;
	char *slash = strrchr(parent, '/');
	pid_t pid;

	if (check_kernel(e) < 0 || check_runroot(runroot, getuid(), e) < 0)
		return -1;
	if (slash && slash != parent) {
		*slash = '\0';
		if (util_mkdir_p(parent, 0700, e) < 0)
			return -1;
	}
	lock = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return hm_fail(e, errno, "rootless: lock \"%s\"", lockfile);
	/* a holder killed but not yet reaped (a zombie) has no namespaces */
	fd = open_holder(pidfile);
	if (fd >= 0 && join(fd, pidfile, NULL) == 0)
		return 0;
	pid = start_holder(pidfile, e);
	if (pid < 0)
		return -1;
	close(fd);
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return hm_fail(e, errno, "rootless: the holder %d", (int)pid);
	return join(fd, pidfile, e);
}

int rootless_check_spec(const struct hm_spec *s, struct hm_err *e)
{
	if (!hm_rootless())
		return 0;
	if (s->net == NET_BRIDGE && rootless_net_check(s, e) < 0)
		return -1;
	if (s->userns_auto || s->uidmap.count || s->gidmap.count)
		return hm_failx(e, HM_EXIT_FAIL,
				"rootless: --userns, --uidmap and --gidmap "
				"need root (the container already runs in "
				"your user namespace)");
	return 0;
}
