/* SPDX-License-Identifier: MIT */
/*
 * floor: the least a homo container start needs, in-process, timed step by
 * step; the reference `make bench` puts homo and crun against.
 *
 * One iteration does what `homo run --rm --net none IMG true` does to the
 * kernel, without homo's records, image store or checks: mkdir upper, work
 * and merged; a cgroup in every hierarchy homo uses, with homo's default
 * limits (pids.max, the device allow list, cpuset); clone() with homo's
 * namespaces (mnt, uts, ipc, pid, net unless -N); attach; GO. The child:
 * / rprivate, cgroup namespace, overlay, /proc, /dev (tmpfs, homo's nodes
 * and links, devpts, shm, mqueue), /sys read-only with the container's
 * cgroup dirs bound read-only under a tmpfs at /sys/fs/cgroup, /etc binds,
 * pivot_root, homo's masked and read-only paths, hostname, lo up, execve
 * /bin/true. The parent reaps it, removes the cgroups and the dirs.
 *
 * Every mount is made in the child's mount namespace, so the kernel drops
 * them with it: a failure or a kill leaks no mount. Cgroups and dirs are
 * removed on every path out of an iteration (-f STEP fails on purpose
 * after STEP's work, to test that).
 *
 * With -H and -C it also times homo and crun against itself, round by
 * round (floor_vs.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_HIER 16

static const struct {
	const char *key, *what;
} steps[N_STEPS] = {
    [P_DIRS] = {"dirs", "p: mkdir upper, work, merged"},
    [P_CGCREATE] = {"cgcreate", "p: cgroups mkdir + limits"},
    [P_CLONE] = {"clone", "p: clone (namespaces)"},
    [P_ATTACH] = {"cgattach", "p: cgroups attach + GO"},
    [C_WAKE] = {"wake", "c: wake on GO"},
    [C_PRIVATE] = {"private", "c: / rprivate + cgroup ns"},
    [C_OVERLAY] = {"overlay", "c: mount overlay"},
    [C_PROC] = {"proc", "c: /proc"},
    [C_DEV] = {"dev", "c: /dev (tmpfs, nodes, pts, shm, mqueue)"},
    [C_SYS] = {"sys", "c: /sys read-only"},
    [C_CGBIND] = {"cgbind", "c: /sys/fs/cgroup tmpfs + binds"},
    [C_ETC] = {"etc", "c: /etc hostname, hosts, resolv.conf"},
    [C_PIVOT] = {"pivot", "c: pivot_root + detach old root"},
    [C_MASK] = {"mask", "c: masked + read-only paths"},
    [C_HOST] = {"host", "c: hostname + lo up"},
    [P_EXEC] = {"exec", "p: execve .. exit .. reaped"},
    [P_CGRM] = {"cgrm", "p: cgroups rmdir"},
    [P_RM] = {"rm", "p: rm upper, work, merged"},
};

struct hier {
	char mnt[256];
	const char *name; /* basename: its name under /sys/fs/cgroup */
	bool pids, devices, cpuset;
	char cpus[256], mems[256]; /* cpuset: the parent's */
};

static struct {
	int n;
	bool net;
	const char *lower, *tmp, *parent;
	int fail; /* -f: fail after this step, -1 none */
	struct hier h[MAX_HIER];
	int nh;
} o = {.n = 100, .net = true, .parent = "homo-floor", .fail = -1};

/* what the child sends back before execve (or instead of it) */
struct report {
	int failed; /* step, or -1 */
	int err;
	struct timespec t[N_STEPS];
};

static double ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* ---- cgroups: every v1 hierarchy (and a hybrid cgroup2), as homo ---- */

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -1 : 0;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void detect_cgroups(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], mnt[256], type[32], opts[512], dev[32];
	char seen[MAX_HIER][32];

	while (f && fgets(line, sizeof(line), f) && o.nh < MAX_HIER) {
		char *sep = strstr(line, " - ");
		struct hier *h = &o.h[o.nh];
		bool dup = false;

		if (!sep ||
		    sscanf(line, "%*s %*s %31s %*s %255s", dev, mnt) != 2 ||
		    sscanf(sep + 3, "%31s %*s %511s", type, opts) != 2 ||
		    (strcmp(type, "cgroup") && strcmp(type, "cgroup2")))
			continue;
		for (int i = 0; i < o.nh; i++)
			dup |= !strcmp(seen[i], dev);
		if (dup)
			continue;
		snprintf(seen[o.nh], sizeof(seen[0]), "%s", dev);
		memset(h, 0, sizeof(*h));
		snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
		h->name = strrchr(h->mnt, '/') + 1;
		for (char *s = NULL, *t = strtok_r(opts, ",", &s); t;
		     t = strtok_r(NULL, ",", &s)) {
			h->pids |= !strcmp(t, "pids");
			h->devices |= !strcmp(t, "devices");
			h->cpuset |= !strcmp(t, "cpuset");
		}
		o.nh++;
	}
	if (f)
		fclose(f);
}

static void cg_path(char *out, size_t n, int i, const char *id,
		    const char *file)
{
	snprintf(out, n, "%s/%s%s%s%s%s", o.h[i].mnt, o.parent, id ? "/" : "",
		 id ? id : "", file ? "/" : "", file ? file : "");
}

/* the parents, once, outside the timing (homo makes them per run) */
static int cg_parents(void)
{
	char p[512];

	for (int i = 0; i < o.nh; i++) {
		cg_path(p, sizeof(p), i, NULL, NULL);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		if (!o.h[i].cpuset)
			continue;
		struct hier *h = &o.h[i];
		char up[512];

		snprintf(up, sizeof(up), "%s/cpuset.cpus", h->mnt);
		if (read_file(up, h->cpus, sizeof(h->cpus)) < 0)
			return -1;
		snprintf(up, sizeof(up), "%s/cpuset.mems", h->mnt);
		if (read_file(up, h->mems, sizeof(h->mems)) < 0)
			return -1;
		cg_path(p, sizeof(p), i, NULL, "cpuset.cpus");
		if (write_file(p, h->cpus) < 0)
			return -1;
		cg_path(p, sizeof(p), i, NULL, "cpuset.mems");
		if (write_file(p, h->mems) < 0)
			return -1;
	}
	return 0;
}

static void cg_parents_remove(void)
{
	char p[512];

	for (int i = 0; i < o.nh; i++) {
		cg_path(p, sizeof(p), i, NULL, NULL);
		rmdir(p);
	}
}

/* homo's defaults: pids.max 2048, Docker's device list, a usable cpuset */
static int cg_limits(int i, const char *id)
{
	static const char *const allow[] = {
	    "c *:* m",	 "b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
	    "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
	    "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
	};
	struct hier *h = &o.h[i];
	char p[512];
	int fd, r = 0;

	if (h->pids) {
		cg_path(p, sizeof(p), i, id, "pids.max");
		if (write_file(p, "2048") < 0)
			return -1;
	}
	if (h->cpuset) {
		cg_path(p, sizeof(p), i, id, "cpuset.cpus");
		if (write_file(p, h->cpus) < 0)
			return -1;
		cg_path(p, sizeof(p), i, id, "cpuset.mems");
		if (write_file(p, h->mems) < 0)
			return -1;
	}
	if (!h->devices)
		return 0;
	cg_path(p, sizeof(p), i, id, "devices.deny");
	if (write_file(p, "a") < 0)
		return -1;
	cg_path(p, sizeof(p), i, id, "devices.allow");
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(allow) && !r; k++)
		r = write(fd, allow[k], strlen(allow[k])) < 0 ? -1 : 0;
	close(fd);
	return r;
}

/* bit i set: hierarchy i has the container's cgroup */
static int cg_create(const char *id, unsigned *made)
{
	char p[512];

	for (int i = 0; i < o.nh; i++) {
		cg_path(p, sizeof(p), i, id, NULL);
		if (mkdir(p, 0755) < 0)
			return -1;
		*made |= 1u << i;
		if (cg_limits(i, id) < 0)
			return -1;
	}
	return 0;
}

static int cg_attach(const char *id, pid_t pid)
{
	char p[512], s[16];

	snprintf(s, sizeof(s), "%d", (int)pid);
	for (int i = 0; i < o.nh; i++) {
		cg_path(p, sizeof(p), i, id, "cgroup.procs");
		if (write_file(p, s) < 0)
			return -1;
	}
	return 0;
}

static int cg_remove(const char *id, unsigned made)
{
	char p[512];
	int r = 0;

	for (int i = 0; i < o.nh; i++) {
		cg_path(p, sizeof(p), i, id, NULL);
		if ((made & (1u << i)) && rmdir(p) < 0)
			r = -1;
	}
	return r;
}

/* ---- dirs ---- */

static void rm_tree_at(int dfd, const char *name)
{
	int fd =
	    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    unlinkat(fd, de->d_name, 0) < 0)
			rm_tree_at(fd, de->d_name);
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* ---- the container's side ---- */

static int mount_dev(void)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {
	    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
	    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
	};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "dev/fd"},
	    {"/proc/self/fd/0", "dev/stdin"},
	    {"/proc/self/fd/1", "dev/stdout"},
	    {"/proc/self/fd/2", "dev/stderr"},
	    {"pts/ptmx", "dev/ptmx"},
	};
	char p[64];

	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		  "mode=755,size=65536k") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		snprintf(p, sizeof(p), "dev/%s", nodes[i].name);
		if (mknod(p, S_IFCHR | 0666,
			  makedev(nodes[i].maj, nodes[i].min)) < 0 ||
		    chmod(p, 0666) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return -1;
	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 0755) < 0 ||
	    mkdir("dev/mqueue", 0755) < 0 ||
	    mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0 ||
	    mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777,size=65536k") < 0 ||
	    mount("mqueue", "dev/mqueue", "mqueue",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	return 0;
}

/* homo's /sys/fs/cgroup: a tmpfs with the container's own dirs, read-only */
static int bind_cgroups(const char *id)
{
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char src[512], dst[320];

	if (mount("tmpfs", "sys/fs/cgroup", "tmpfs", fl, "mode=755") < 0)
		return -1;
	for (int i = 0; i < o.nh; i++) {
		cg_path(src, sizeof(src), i, id, NULL);
		snprintf(dst, sizeof(dst), "sys/fs/cgroup/%s", o.h[i].name);
		if (mkdir(dst, 0755) < 0 ||
		    mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, dst, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | fl, NULL) < 0)
			return -1;
	}
	return mount(NULL, "sys/fs/cgroup", NULL,
		     MS_BIND | MS_REMOUNT | MS_RDONLY | fl, NULL);
}

static int bind_etc(void)
{
	static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
	char src[512], dst[64];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int fd;

		snprintf(src, sizeof(src), "%s/%s", o.tmp, files[i]);
		snprintf(dst, sizeof(dst), "etc/%s", files[i]);
		fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return -1;
	}
	return 0;
}

static int mask_paths(void)
{
	static const char *const masked[] = {
	    "/proc/asound",
	    "/proc/acpi",
	    "/proc/kcore",
	    "/proc/keys",
	    "/proc/latency_stats",
	    "/proc/timer_list",
	    "/proc/timer_stats",
	    "/proc/sched_debug",
	    "/proc/scsi",
	    "/sys/firmware",
	    "/sys/devices/virtual/powercap",
	};
	static const char *const ro[] = {
	    "/proc/bus",	   "/proc/fs", "/proc/irq", "/proc/sys",
	    "/proc/sysrq-trigger",
	};
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(masked); i++) {
		if (lstat(masked[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) ? mount("tmpfs", masked[i], "tmpfs",
						MS_RDONLY, "size=0") < 0
					: mount("/dev/null", masked[i], NULL,
						MS_BIND, NULL) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++)
		if (lstat(ro[i], &st) == 0 &&
		    (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
		     mount(NULL, ro[i], NULL,
			   MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
			       MS_NODEV | MS_NOEXEC,
			   NULL) < 0))
			return -1;
	return 0;
}

static int lo_up(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = -1;

	if (s < 0)
		return -1;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

/* the child's step @k is done: stamp it, or fail on -f */
#define DONE(k)                                                \
	do {                                                   \
		now(&rep.t[k]);                                \
		if (o.fail == (k) && !errno_set(&rep, k, EIO)) \
			goto fail;                             \
	} while (0)
#define TRY(k, expr)                                          \
	do {                                                  \
		if ((expr) < 0 && !errno_set(&rep, k, errno)) \
			goto fail;                            \
		DONE(k);                                      \
	} while (0)

static bool errno_set(struct report *r, int k, int err)
{
	r->failed = k;
	r->err = err;
	return false;
}

static void child(const char *dir, const char *id, int go, int rp)
{
	struct report rep = {.failed = -1};
	char c, opts[1024], merged[512];

	if (read(go, &c, 1) != 1)
		_exit(1); /* the parent gave up */
	DONE(C_WAKE);
	TRY(C_PRIVATE, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
			   ? -1
			   : unshare(CLONE_NEWCGROUP));
	snprintf(opts, sizeof(opts),
		 "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", o.lower, dir,
		 dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	TRY(C_OVERLAY, mount("overlay", merged, "overlay", 0, opts) < 0
			   ? -1
			   : chdir(merged));
	TRY(C_PROC, mount("proc", "proc", "proc",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	TRY(C_DEV, mount_dev());
	TRY(C_SYS, mount("sysfs", "sys", "sysfs",
			 MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL));
	TRY(C_CGBIND, bind_cgroups(id));
	TRY(C_ETC, bind_etc());
	TRY(C_PIVOT, syscall(SYS_pivot_root, ".", ".") < 0 ||
			     umount2(".", MNT_DETACH) < 0
			 ? -1
			 : chdir("/"));
	TRY(C_MASK, mask_paths());
	TRY(C_HOST,
	    sethostname("floor", 5) < 0 || (o.net && lo_up() < 0) ? -1 : 0);
	if (write(rp, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	execl("/bin/true", "true", (char *)NULL);
	_exit(127);
fail:
	if (write(rp, &rep, sizeof(rep)) < 0)
		_exit(2);
	_exit(1);
}

/* ---- one iteration ---- */

/* the iteration's times in @t (ms per step); 0, or -1 with a message */
int floor_iteration(int it, double t[N_STEPS])
{
	struct timespec s[N_STEPS], t0;
	struct report rep = {.failed = -1};
	char dir[512], p[600], id[32];
	int go[2] = {-1, -1}, rp[2] = {-1, -1}, status, failed = -1, err = 0;
	unsigned long flags =
	    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | SIGCHLD;
	unsigned made = 0;
	pid_t pid = -1;

	snprintf(id, sizeof(id), "c%d", it);
	snprintf(dir, sizeof(dir), "%s/%s", o.tmp, id);
	if (o.net)
		flags |= CLONE_NEWNET;
#define PSTEP(k, expr)                           \
	do {                                     \
		if ((expr) < 0) {                \
			failed = k, err = errno; \
			goto out;                \
		}                                \
		now(&s[k]);                      \
		if (o.fail == (k)) {             \
			failed = k, err = EIO;   \
			goto out;                \
		}                                \
	} while (0)
	now(&t0);
	snprintf(p, sizeof(p), "%s/upper", dir);
	PSTEP(P_DIRS, mkdir(dir, 0700) < 0 || mkdir(p, 0755) < 0 ||
			      (snprintf(p, sizeof(p), "%s/work", dir),
			       mkdir(p, 0700) < 0) ||
			      (snprintf(p, sizeof(p), "%s/merged", dir),
			       mkdir(p, 0755) < 0)
			  ? -1
			  : 0);
	PSTEP(P_CGCREATE, cg_create(id, &made));
	PSTEP(P_CLONE, pipe2(go, O_CLOEXEC) < 0 || pipe2(rp, O_CLOEXEC) < 0
			   ? -1
			   : (pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL,
						   NULL, NULL)));
	if (pid == 0) {
		close(go[1]);
		close(rp[0]);
		child(dir, id, go[0], rp[1]);
	}
	close(go[0]), go[0] = -1;
	close(rp[1]), rp[1] = -1;
	PSTEP(P_ATTACH,
	      cg_attach(id, pid) < 0 ? -1 : (int)write(go[1], "G", 1));
	close(go[1]), go[1] = -1;
	PSTEP(P_EXEC,
	      waitpid(pid, &status, 0) < 0
		  ? -1
		  : (pid = -1, read(rp[0], &rep, sizeof(rep)) == sizeof(rep)
				   ? 0
				   : (errno = EPROTO, -1)));
	if (rep.failed >= 0) {
		failed = rep.failed, err = rep.err;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		failed = P_EXEC, err = ECHILD;
		goto out;
	}
	PSTEP(P_CGRM, cg_remove(id, made));
	made = 0;
	rm_tree_at(AT_FDCWD, dir);
	now(&s[P_RM]);
	/* the child's stamps sit between attach and the reap */
	for (int k = C_WAKE; k < P_EXEC; k++)
		s[k] = rep.t[k];
	for (int k = 0; k < N_STEPS; k++)
		t[k] = ms(k ? &s[k - 1] : &t0, &s[k]);
out:
	/* every way out: no process, cgroup or dir of ours stays */
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (int k = 0; k < 2; k++) {
		if (go[k] >= 0)
			close(go[k]);
		if (rp[k] >= 0)
			close(rp[k]);
	}
	if (failed >= 0) {
		cg_remove(id, made);
		rm_tree_at(AT_FDCWD, dir);
		fprintf(stderr, "floor: step %s: %s\n", steps[failed].key,
			strerror(err));
		return -1;
	}
	return 0;
}

static void print_steps(double *v[N_STEPS], double *tot, int n)
{
	printf("%-9s %-42s %9s\n", "step", "floor", "median ms");
	for (int k = 0; k < N_STEPS; k++)
		printf("%-9s %-42s %9.3f\n", steps[k].key, steps[k].what,
		       median(v[k], n));
	printf("%-9s %-42s %9.3f\n", "total", "TOTAL", median(tot, n));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: floor -l LOWERDIR -t TMPDIR [-n N] [-N] [-c CGPARENT] "
		"[-f STEP] [-H HOMO-CMD -C CRUN-CMD]\n");
	exit(2);
}

volatile sig_atomic_t floor_stop;

static void on_signal(int sig)
{
	(void)sig;
	floor_stop = 1;
}

int main(int argc, char **argv)
{
	char *homo = NULL, *crun = NULL, p[600], tmp[PATH_MAX];
	struct samples sm;
	int c, rc = 0, warm = 3;

	while ((c = getopt(argc, argv, "l:t:n:Nc:f:H:C:")) != -1) {
		switch (c) {
		case 'l':
			o.lower = optarg;
			break;
		case 't':
			o.tmp = optarg;
			break;
		case 'n':
			o.n = atoi(optarg);
			break;
		case 'N':
			o.net = false;
			break;
		case 'c':
			o.parent = optarg;
			break;
		case 'H':
			homo = optarg;
			break;
		case 'C':
			crun = optarg;
			break;
		case 'f':
			for (int k = 0; k < N_STEPS; k++)
				if (!strcmp(optarg, steps[k].key))
					o.fail = k;
			if (o.fail < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!o.lower || !o.tmp || o.n < 1 || !homo != !crun)
		usage();
	/* the child resolves it after chdir */
	if (!realpath(o.tmp, tmp)) {
		fprintf(stderr, "floor: %s: %s\n", o.tmp, strerror(errno));
		return 1;
	}
	o.tmp = tmp;
	if (o.fail >= 0)
		warm = 0, o.n = 1;
	{
		struct sigaction sa = {.sa_handler = on_signal,
				       .sa_flags = SA_RESTART};

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	detect_cgroups();
	for (size_t i = 0; i < 3; i++) {
		static const char *const f[] = {"hostname", "hosts",
						"resolv.conf"};

		snprintf(p, sizeof(p), "%s/%s", o.tmp, f[i]);
		close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
	if (cg_parents() < 0) {
		fprintf(stderr, "floor: cgroup parents: %s\n", strerror(errno));
		cg_parents_remove();
		return 1;
	}
	for (int k = 0; k < N_STEPS; k++)
		sm.v[k] = calloc((size_t)o.n, sizeof(double));
	sm.tot = calloc((size_t)o.n, sizeof(double));
	sm.homo = calloc((size_t)o.n, sizeof(double));
	sm.crun = calloc((size_t)o.n, sizeof(double));
	rc = floor_rounds(homo, crun, o.n, warm, &sm);
	cg_parents_remove();
	if (rc)
		return 1;
	if (homo) {
		double mh = median(sm.homo, o.n), mc = median(sm.crun, o.n),
		       mf = median(sm.tot, o.n);

		printf("start|%.3f|%.3f|%.3f\n", mh, mc, mf);
	}
	print_steps(sm.v, sm.tot, o.n);
	return 0;
}
