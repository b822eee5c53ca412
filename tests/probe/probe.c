/*
 * probe: a small multi-call program that runs inside a homo container and
 * reports facts about the environment it finds there, so the integration
 * tests assert on facts rather than on shell tricks.
 *
 * Output is one key=value per line where that makes sense; commands that dump
 * a file (cgroup, mounts, env, read) print it verbatim. A failed look-up is
 * reported as "errno:NAME" (or "key=errno:NAME") so tests can grep for the
 * exact reason.
 *
 * It is linked statically and runs in images that have no libc, so it must
 * not use anything that goes through NSS (getpwnam, getgrouplist, ...):
 * every id is printed as a number.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/prctl.h>
#include <sys/acct.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MIB (1024 * 1024)

/*
 * Symbolic names, so that tests read "errno:EPERM" instead of a number that
 * differs between architectures. Anything else falls back to the number.
 */
/* clang-format off */
#define E(name) { name, #name }
static const struct {
	int err;
	const char *name;
} errnames[] = {
	E(EPERM), E(EACCES), E(ENOSYS), E(EINVAL), E(ENOENT), E(EROFS),
	E(EBUSY), E(EEXIST), E(EAGAIN), E(ENOMEM), E(ENOSPC), E(ENOTDIR),
	E(EISDIR), E(ENODEV), E(ENXIO), E(ENOTTY), E(EBADF), E(EFAULT),
	E(ESRCH), E(EOPNOTSUPP), E(ELOOP), E(EXDEV), E(EIO),
	E(ETXTBSY), E(EAFNOSUPPORT), E(ENOEXEC), E(ENAMETOOLONG),
};
#undef E
/* clang-format on */

static const char *errname(int err)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static void usage(void)
{
	fputs(
	    "usage: probe COMMAND [ARGS]\n"
	    "  pid | hostname | ids | caps | nnp | seccomp | cgroup | limits\n"
	    "  mounts | fds | ps | env | cwd | isatty\n"
	    "  syscall NAME|all NAME: see the syscalls table (unshare-user,\n"
	    "                   keyctl, bpf, clone3, i386-keyctl, ...)\n"
	    "  exes             every visible process's exe: readable?\n"
	    "  mknod-open MAJ MIN | read FILE | write FILE TEXT\n"
	    "  memhog MB | forkbomb N | spin SECONDS | sleep SECONDS\n"
	    "  exit N | signal SIG | stat PATH | ls DIR | udp-echo PORT\n"
	    "  listen udp|tcp ADDR PORT  print each datagram / connection\n"
	    "  l2send arp|udp|syn SRCMAC SRCIP DSTMAC DSTIP PORT\n"
	    "                   one forged frame out of eth0 (syn: "
	    "synack=yes|no)\n",
	    stderr);
	exit(2);
}

/* Strict number parsing: a typo in a test must not silently become 0. */
static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage();
	return v;
}

static double parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 86400)
		usage();
	return v;
}

/* Copy a file to stdout as is; "errno:X" in its place when it cannot. */
static int cat(const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	if (n < 0) {
		printf("errno:%s\n", errname(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* Print "Name=value" for every /proc/self/status line starting with prefix. */
static int status_fields(const char *prefix, const char *key)
{
	char line[256];
	size_t len = strlen(prefix);
	int found = 0;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f) {
		printf("%s=errno:%s\n", key ? key : prefix, errname(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *val;

		if (strncmp(line, prefix, len) || !colon)
			continue;
		*colon = '\0';
		for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
			;
		val[strcspn(val, "\n")] = '\0';
		printf("%s=%s\n", key ? key : line, val);
		found = 1;
	}
	fclose(f);
	if (!found)
		printf("%s=missing\n", key ? key : prefix);
	return 0;
}

static int cmd_pid(void)
{
	printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
	return 0;
}

static int cmd_hostname(void)
{
	char name[256] = "";

	if (gethostname(name, sizeof(name) - 1) < 0) {
		printf("hostname=errno:%s\n", errname(errno));
		return 1;
	}
	printf("hostname=%s\n", name);
	return 0;
}

static int cmd_ids(void)
{
	gid_t *groups;
	int i, n;

	printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", (unsigned)getuid(),
	       (unsigned)getgid(), (unsigned)geteuid(), (unsigned)getegid());
	n = getgroups(0, NULL);
	if (n < 0) {
		printf("groups=errno:%s\n", errname(errno));
		return 1;
	}
	groups = calloc(n + 1, sizeof(*groups));
	if (!groups)
		return 1;
	n = getgroups(n, groups);
	/* Comma separated, so "groups=" alone means no supplementary group. */
	fputs("groups=", stdout);
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	putchar('\n');
	free(groups);
	return 0;
}

static int cmd_limits(void)
{
	static const char *const files[] = {
	    "memory/memory.limit_in_bytes",
	    "memory/memory.memsw.limit_in_bytes",
	    "pids/pids.max",
	    "cpu/cpu.cfs_quota_us",
	    "cpu/cpu.cfs_period_us",
	    "cpu/cpu.shares",
	};
	char path[128], buf[64];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *name = strchr(files[i], '/') + 1;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", files[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("%s=missing\n", name);
			continue;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0) {
			printf("%s=errno:%s\n", name, errname(errno));
			continue;
		}
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%s=%s\n", name, buf);
	}
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * Numeric entries of a /proc directory, sorted, so output is stable. The
 * caller frees the array. Returns -1 with errno set when it cannot be read.
 */
static long list_numeric(const char *dir, long **out, int skip_fd)
{
	struct dirent *de;
	long *v = NULL, n = 0, cap = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		/* The fd that opendir() itself holds is not a fact about us. */
		if (skip_fd && atol(de->d_name) == dirfd(d))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n++] = atol(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_long);
	*out = v;
	return n;
}

static int cmd_fds(void)
{
	char path[64], target[4096];
	long *fds, n, i;

	n = list_numeric("/proc/self/fd", &fds, 1);
	if (n < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%ld", fds[i]);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue; /* closed meanwhile: the dirfd */
		target[len] = '\0';
		printf("fd%ld=%s\n", fds[i], target);
	}
	free(fds);
	return 0;
}

/*
 * CVE-2019-5736: a container that can open a runtime's /proc/PID/exe can
 * later write the host binary through it. For every visible process: what
 * its exe link says, and whether it can be opened (with the file's
 * device:inode, so a test can compare with the host's homo binary).
 */
static int cmd_exes(void)
{
	char path[64], target[4096];
	long *pids, n, i;

	n = list_numeric("/proc", &pids, 0);
	if (n < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct stat st;
		ssize_t len;
		int fd;

		snprintf(path, sizeof(path), "/proc/%ld/exe", pids[i]);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0 && errno == ENOENT)
			continue; /* exited, or a kernel thread */
		target[len < 0 ? 0 : len] = '\0';
		printf("%ld: link=%s", pids[i],
		       len < 0 ? errname(errno) : target);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			printf(" open=errno:%s", errname(errno));
		else
			printf(" open=ok dev=%llu ino=%llu",
			       (unsigned long long)st.st_dev,
			       (unsigned long long)st.st_ino);
		if (fd >= 0)
			close(fd);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		printf(" write=%s\n", fd < 0 ? errname(errno) : "ok");
		if (fd >= 0)
			close(fd);
	}
	free(pids);
	return 0;
}

static int cmd_ps(void)
{
	char path[64], comm[64];
	long *pids, n, i;

	n = list_numeric("/proc", &pids, 0);
	if (n < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		ssize_t len;
		int fd;

		snprintf(path, sizeof(path), "/proc/%ld/comm", pids[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* exited between readdir and open */
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (len < 0)
			continue;
		comm[len] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		printf("%ld=%s\n", pids[i], comm);
	}
	free(pids);
	return 0;
}

static int cmd_env(void)
{
	char **e;

	for (e = environ; *e; e++)
		puts(*e);
	return 0;
}

static int cmd_cwd(void)
{
	char buf[4096];

	if (!getcwd(buf, sizeof(buf))) {
		printf("cwd=errno:%s\n", errname(errno));
		return 1;
	}
	printf("cwd=%s\n", buf);
	return 0;
}

static int cmd_isatty(void)
{
	struct winsize ws;
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		const char *name;

		if (!isatty(fd)) {
			printf("fd%d=notty\n", fd);
			continue;
		}
		printf("fd%d=tty\n", fd);
		name = ttyname(fd);
		printf("fd%d.ttyname=%s\n", fd, name ? name : errname(errno));
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0)
			printf("fd%d.rows=%u\nfd%d.cols=%u\n", fd, ws.ws_row,
			       fd, ws.ws_col);
	}
	return 0;
}

/*
 * Each try_* returns 0 or -1 with errno set. They undo what they did where
 * that is possible, so running the probe on a host is harmless.
 */
static int try_unshare_user(void)
{
	return unshare(CLONE_NEWUSER);
}

static int try_unshare_net(void)
{
	return unshare(CLONE_NEWNET);
}

static int try_mount_tmpfs(void)
{
	const char *dir = "/mnt";
	int r;

	r = mount("probe", dir, "tmpfs", 0, "size=1m");
	if (r < 0 && errno == ENOENT) {
		dir = "/tmp";
		r = mount("probe", dir, "tmpfs", 0, "size=1m");
	}
	if (r == 0)
		umount2(dir, MNT_DETACH);
	return r;
}

static int try_keyctl(void)
{
	long r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
			 KEY_SPEC_SESSION_KEYRING, 0);

	return r < 0 ? -1 : 0;
}

static int try_bpf(void)
{
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int try_sethostname(void)
{
	char name[256] = "";

	if (gethostname(name, sizeof(name) - 1) < 0)
		return -1;
	return sethostname(name, strlen(name));
}

/* Set the clock to what it already is: a permission check, not a change. */
static int try_settimeofday(void)
{
	struct timeval tv;

	if (gettimeofday(&tv, NULL) < 0)
		return -1;
	return settimeofday(&tv, NULL);
}

static int try_mknod_block(void)
{
	const char *path = "/tmp/probe-blk";

	unlink(path);
	if (mknod(path, S_IFBLK | 0600, makedev(8, 0)) < 0)
		return -1;
	unlink(path);
	return 0;
}

/* chroot("/") changes nothing but still needs CAP_SYS_CHROOT. */
static int try_chroot(void)
{
	return chroot("/");
}

/*
 * Never succeeds: ENOENT means the syscall and CAP_SYS_ADMIN were allowed and
 * the kernel went on to look the (missing) file up; EPERM means refused.
 */
static int try_swapon_none(void)
{
	return swapon("/nonexistent-probe-swap", 0);
}

/*
 * The calls Docker's seccomp profile refuses, each tried in a way that
 * does no harm when it is allowed (a bad fd, a missing file, a query):
 * "errno:EPERM" is the filter (or a missing capability), anything else
 * means the kernel got to look at the arguments.
 */
static int ret(long r)
{
	return r < 0 ? -1 : 0;
}

static int try_add_key(void)
{
	return ret(syscall(SYS_add_key, "user", "probe", "x", 1,
			   KEY_SPEC_PROCESS_KEYRING));
}

static int try_request_key(void)
{
	return ret(syscall(SYS_request_key, "user", "probe-none", NULL,
			   KEY_SPEC_PROCESS_KEYRING));
}

/* A software counter on ourselves: perf_event_paranoid allows it. */
static int try_perf_event_open(void)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd >= 0)
		close(fd);
	return ret(fd);
}

/* UFFD_USER_MODE_ONLY: allowed to anyone since Linux 5.11. */
static int try_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1);

	if (fd >= 0)
		close(fd);
	return ret(fd);
}

static int try_io_uring(void)
{
	char params[120] = {0}; /* struct io_uring_params */
	long fd = syscall(SYS_io_uring_setup, 1, params);

	if (fd >= 0)
		close(fd);
	return ret(fd);
}

static int try_kexec_file_load(void)
{
	return ret(syscall(SYS_kexec_file_load, -1, -1, 0, "", 0));
}

/* Wrong magic: EINVAL once the capability check has passed. */
static int try_reboot(void)
{
	return ret(syscall(SYS_reboot, 0, 0, 0, NULL));
}

static int try_finit_module(void)
{
	return ret(syscall(SYS_finit_module, -1, "", 0));
}

static int try_delete_module(void)
{
	return ret(syscall(SYS_delete_module, "probe_none", O_NONBLOCK));
}

static int try_swapoff(void)
{
	return swapoff("/nonexistent-probe-swap");
}

static int try_umount(void)
{
	return umount2("/nonexistent-probe", 0);
}

static int try_pivot_root(void)
{
	return ret(syscall(SYS_pivot_root, "/nonexistent-probe",
			   "/nonexistent-probe"));
}

/* Without OPEN_TREE_CLONE no capability is needed: only the filter. */
static int try_open_tree(void)
{
	long fd = syscall(SYS_open_tree, AT_FDCWD, "/nonexistent-probe", 0);

	if (fd >= 0)
		close(fd);
	return ret(fd);
}

static int try_fsopen(void)
{
	return ret(syscall(SYS_fsopen, "probe-none", 0));
}

static int try_move_mount(void)
{
	return ret(syscall(SYS_move_mount, -1, "", -1, "", 0));
}

static int try_open_by_handle_at(void)
{
	return ret(syscall(SYS_open_by_handle_at, -1, NULL, 0));
}

static int try_unshare_none(void)
{
	return unshare(0);
}

static int try_setns(void)
{
	return setns(-1, 0);
}

/* A child in a new user namespace: no capability needed, only the filter. */
static int try_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return ret(pid);
}

static int try_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid < 0 ? -1 : 0;
}

/* struct clone_args with exit_signal only: a plain fork. */
static int try_clone3(void)
{
	uint64_t args[11] = {0};
	long pid;

	args[4] = SIGCHLD;
	pid = syscall(SYS_clone3, args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return ret(pid);
}

static int try_acct(void)
{
	return acct(NULL);
}

static int try_clock_settime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	return clock_settime(CLOCK_REALTIME, &ts);
}

/* READ_IMPLIES_EXEC: refused; the old persona is restored if not. */
static int try_personality_rie(void)
{
	long old = syscall(SYS_personality, 0xffffffffUL);
	long r = syscall(SYS_personality, 0x0400000UL);

	if (r >= 0)
		syscall(SYS_personality, (unsigned long)old);
	return ret(r);
}

static int try_personality_linux32(void)
{
	long old = syscall(SYS_personality, 0xffffffffUL);
	long r = syscall(SYS_personality, 0x0008UL);

	if (r >= 0)
		syscall(SYS_personality, (unsigned long)old);
	return ret(r);
}

static int try_personality_query(void)
{
	return ret(syscall(SYS_personality, 0xffffffffUL));
}

/* stdin is /dev/null: ENOTTY if the kernel sees it, EPERM if filtered. */
static int try_tiocsti(void)
{
	char c = ' ';

	return ioctl(0, TIOCSTI, &c);
}

/* The kernel reads the request as 32 bits: high bits must not help. */
static int try_tiocsti_high(void)
{
	char c = ' ';

	return ret(syscall(SYS_ioctl, 0, 0xff00000000UL | TIOCSTI, &c));
}

static int try_vsock(void)
{
	int fd = socket(40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static int try_syslog(void)
{
	return ret(syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0));
}

static int try_kcmp(void)
{
	return ret(
	    syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 0, 0));
}

static int try_pidfd_getfd(void)
{
	long pfd = syscall(SYS_pidfd_open, getpid(), 0), fd;

	if (pfd < 0)
		return -1;
	fd = syscall(SYS_pidfd_getfd, pfd, 0, 0);
	if (fd >= 0)
		close(fd);
	close(pfd);
	return ret(fd);
}

/* Lowering the I/O privilege level needs no capability. */
static int try_iopl(void)
{
	return ret(syscall(SYS_iopl, 0));
}

static int try_get_mempolicy(void)
{
	return ret(syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0));
}

static int try_move_pages(void)
{
	return ret(syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 0));
}

static int try_uselib(void)
{
	return ret(syscall(SYS_uselib, "/nonexistent-probe"));
}

/* ptrace stays allowed (as Docker's on Linux >= 4.8); only ourselves. */
static int try_ptrace_traceme(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	errno = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
	return errno ? -1 : 0;
}

#if defined(__x86_64__)
/*
 * The same refused call under the numbers of the other x86 ABIs: x32
 * (bit 30 set; ENOSYS where the kernel has no x32) and i386 (int $0x80,
 * the 32-bit table: keyctl is 288, unshare 310). A filter that checked
 * only x86_64 numbers would let these through.
 */
static int try_x32_keyctl(void)
{
	return ret(syscall(0x40000000L | SYS_keyctl, KEYCTL_GET_KEYRING_ID,
			   KEY_SPEC_SESSION_KEYRING, 0));
}

static long int80(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static int i386_ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

static int try_i386_keyctl(void)
{
	return i386_ret(
	    int80(288, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

static int try_i386_unshare_none(void)
{
	return i386_ret(int80(310, 0, 0, 0));
}
#endif

static const struct {
	const char *name;
	int (*fn)(void);
} syscalls[] = {
    {"unshare-user", try_unshare_user},
    {"unshare-net", try_unshare_net},
    {"mount-tmpfs", try_mount_tmpfs},
    {"keyctl", try_keyctl},
    {"bpf", try_bpf},
    {"sethostname", try_sethostname},
    {"settimeofday", try_settimeofday},
    {"mknod-block", try_mknod_block},
    {"chroot", try_chroot},
    {"swapon-none", try_swapon_none},
    {"add_key", try_add_key},
    {"request_key", try_request_key},
    {"perf_event_open", try_perf_event_open},
    {"userfaultfd", try_userfaultfd},
    {"io_uring_setup", try_io_uring},
    {"kexec_file_load", try_kexec_file_load},
    {"reboot", try_reboot},
    {"finit_module", try_finit_module},
    {"delete_module", try_delete_module},
    {"swapoff", try_swapoff},
    {"umount2", try_umount},
    {"pivot_root", try_pivot_root},
    {"open_tree", try_open_tree},
    {"fsopen", try_fsopen},
    {"move_mount", try_move_mount},
    {"open_by_handle_at", try_open_by_handle_at},
    {"unshare-none", try_unshare_none},
    {"setns", try_setns},
    {"clone-newuser", try_clone_newuser},
    {"clone3", try_clone3},
    {"fork", try_fork},
    {"acct", try_acct},
    {"clock_settime", try_clock_settime},
    {"personality-rie", try_personality_rie},
    {"personality-linux32", try_personality_linux32},
    {"personality-query", try_personality_query},
    {"tiocsti", try_tiocsti},
    {"tiocsti-high", try_tiocsti_high},
    {"socket-vsock", try_vsock},
    {"syslog", try_syslog},
    {"kcmp", try_kcmp},
    {"pidfd_getfd", try_pidfd_getfd},
    {"iopl", try_iopl},
    {"get_mempolicy", try_get_mempolicy},
    {"move_pages", try_move_pages},
    {"uselib", try_uselib},
    {"ptrace-traceme", try_ptrace_traceme},
#if defined(__x86_64__)
    {"x32-keyctl", try_x32_keyctl},
    {"i386-keyctl", try_i386_keyctl},
    {"i386-unshare-none", try_i386_unshare_none},
#endif
};

static void try_one(size_t i)
{
	if (syscalls[i].fn() == 0)
		printf("%s=ok\n", syscalls[i].name);
	else
		printf("%s=errno:%s\n", syscalls[i].name, errname(errno));
}

/*
 * The outcome is the report, so this exits 0 whether or not it was
 * allowed. "all" tries every one, each in a child so that a refused call
 * that kills (a bad architecture) shows as "killed:SIG" and the rest go on.
 */
static int cmd_syscall(const char *name)
{
	size_t i, n = sizeof(syscalls) / sizeof(syscalls[0]);

	for (i = 0; i < n; i++) {
		pid_t pid;
		int st;

		if (strcmp(name, "all") && strcmp(name, syscalls[i].name))
			continue;
		if (strcmp(name, "all")) {
			try_one(i);
			return 0;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			try_one(i);
			fflush(stdout);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			printf("%s=errno:%s\n", syscalls[i].name,
			       errname(errno));
		else if (WIFSIGNALED(st))
			printf("%s=killed:%d\n", syscalls[i].name,
			       WTERMSIG(st));
	}
	if (!strcmp(name, "all"))
		return 0;
	fprintf(stderr, "probe: unknown syscall: %s\n", name);
	usage();
	return 2;
}

/*
 * The devices cgroup lets mknod through (Docker allows "m" on everything)
 * but refuses open: both results are reported, so tests see which one acted.
 */
static int cmd_mknod_open(long maj, long min)
{
	const char *path = "/tmp/probe-dev";
	int fd;

	unlink(path);
	if (mknod(path, S_IFBLK | 0600, makedev(maj, min)) < 0) {
		printf("mknod=errno:%s\nopen=skipped\n", errname(errno));
		return 0;
	}
	printf("mknod=ok\n");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open=errno:%s\n", errname(errno));
	} else {
		printf("open=ok\n");
		close(fd);
	}
	unlink(path);
	return 0;
}

static int cmd_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	n = write(fd, text, len);
	if (n < 0 || (size_t)n != len) {
		if (n >= 0)
			errno = ENOSPC;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	printf("write=ok\n");
	return 0;
fail:
	printf("write=errno:%s\n", errname(errno));
	return 1;
}

/*
 * Touch every page: untouched memory is never charged to the cgroup, so
 * only written pages make the memory limit (and the OOM killer) act.
 */
static int cmd_memhog(long mb)
{
	/* Chained and published, so the compiler cannot drop the stores. */
	static void *volatile keep;
	long i;

	for (i = 1; i <= mb; i++) {
		char *p = malloc(MIB);

		if (!p) {
			printf("memhog=errno:%s\nmemhog_mb=%ld\n",
			       errname(errno), i - 1);
			return 1;
		}
		memset(p, 0xa5, MIB);
		*(void **)p = keep;
		keep = p;
		if (i % 16 == 0)
			fprintf(stderr, "memhog: %ld MiB\n", i);
	}
	printf("memhog=done\n");
	return 0;
}

static int cmd_forkbomb(long n)
{
	pid_t parent = getpid(), *kids;
	int err = 0;
	long i, k = 0;

	kids = calloc(n + 1, sizeof(*kids));
	if (!kids)
		return 1;
	/* Children share the stdio buffer: empty it so nothing prints twice. */
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			/* If the probe is killed, its children go with it. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			sleep(30);
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		kids[k++] = pid;
	}
	printf("forked=%ld\nfork_errno=%s\n", k, err ? errname(err) : "none");
	for (i = 0; i < k; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < k; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(kids);
	return 0;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Burn CPU for a wall-clock time. The CPU time it actually got is printed
 * too: under a CPU quota it is a fraction of the wall time.
 */
static int cmd_spin(double secs)
{
	double start = now(CLOCK_MONOTONIC),
	       cpu = now(CLOCK_PROCESS_CPUTIME_ID);
	volatile unsigned long x = 0;

	while (now(CLOCK_MONOTONIC) - start < secs)
		for (int i = 0; i < 10000; i++)
			x++;
	printf("spin_wall_ms=%.0f\nspin_cpu_ms=%.0f\n",
	       (now(CLOCK_MONOTONIC) - start) * 1000,
	       (now(CLOCK_PROCESS_CPUTIME_ID) - cpu) * 1000);
	return 0;
}

static int cmd_sleep(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int cmd_signal(int sig)
{
	sigset_t set;

	/* Whatever we inherited, make the signal's default action apply. */
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	fflush(stdout);
	if (kill(getpid(), sig) < 0) {
		printf("signal=errno:%s\n", errname(errno));
		return 1;
	}
	/* A namespace's PID 1 ignores signals it has no handler for. */
	fprintf(stderr, "probe: still alive after signal %d (pid %d)\n", sig,
		(int)getpid());
	return 1;
}

static const char *file_type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "link";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	}
	return "unknown";
}

/* lstat: a symlink is reported as one, with its target. */
static int cmd_stat(const char *path)
{
	char target[4096];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0) {
		printf("stat=errno:%s\n", errname(errno));
		return 1;
	}
	printf("type=%s\nmode=%04o\nuid=%u\ngid=%u\nsize=%lld\nrdev=%u:%u\n",
	       file_type(st.st_mode), (unsigned)(st.st_mode & 07777),
	       (unsigned)st.st_uid, (unsigned)st.st_gid, (long long)st.st_size,
	       major(st.st_rdev), minor(st.st_rdev));
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n >= 0) {
			target[n] = '\0';
			printf("target=%s\n", target);
		}
	}
	return 0;
}

/* strcmp, not strcoll: the order must not depend on a locale. */
static int cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *de)
{
	return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

static int cmd_ls(const char *dir)
{
	struct dirent **names;
	int i, n;

	n = scandir(dir, &names, not_dots, cmp_name);
	if (n < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		puts(names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* A UDP echo server (busybox has no UDP server), for the publish tests. */
static int cmd_udp_echo(long port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		char buf[2048];
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);

		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			       flen);
	}
}

/*
 * A listener bound to ADDR: each datagram (udp) or connection (tcp) as a
 * line on stdout, flushed, so a test can see what reached a host service.
 */
static int cmd_listen(const char *proto, const char *addr, long port)
{
	bool udp = !strcmp(proto, "udp");
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);

	if (!udp && strcmp(proto, "tcp"))
		usage();
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		usage();
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (!udp && listen(fd, 16) < 0)) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		char buf[2048];
		ssize_t n;

		if (!udp) {
			int c = accept(fd, NULL, NULL);

			if (c >= 0) {
				puts("connection");
				close(c);
			}
		} else if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
			buf[n] = 0;
			printf("%s%s", buf,
			       n && buf[n - 1] == '\n' ? "" : "\n");
		}
		fflush(stdout);
	}
}

/* The Internet checksum over @len bytes, from the running sum @sum. */
static uint16_t csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		sum += (uint32_t)(b[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		usage();
}

static void parse_ip(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1)
		usage();
}

struct frame {
	struct ether_header eth;
	union {
		struct {
			uint16_t htype, ptype;
			uint8_t hlen, plen;
			uint16_t op;
			uint8_t sha[6], spa[4], tha[6], tpa[4];
		} __attribute__((packed)) arp;
		struct {
			struct iphdr ip;
			union {
				struct udphdr udp;
				struct tcphdr tcp;
			};
			char tail[32]; /* a UDP payload starts in the union */
		} __attribute__((packed)) in;
	};
} __attribute__((packed));

#define L2_SPORT 40404
static const char l2_payload[] = "forged\n";

/* An ARP request for @dip from @sip at @smac: how a host learns a
 * neighbour (the target records the sender's address as given). */
static size_t build_arp(struct frame *f, const uint8_t smac[6],
			struct in_addr sip, struct in_addr dip)
{
	f->eth.ether_type = htons(ETHERTYPE_ARP);
	f->arp.htype = htons(1);
	f->arp.ptype = htons(ETHERTYPE_IP);
	f->arp.hlen = 6;
	f->arp.plen = 4;
	f->arp.op = htons(1);
	memcpy(f->arp.sha, smac, 6);
	memcpy(f->arp.spa, &sip, 4);
	memcpy(f->arp.tpa, &dip, 4);
	return sizeof(f->eth) + sizeof(f->arp);
}

/* A UDP datagram or a TCP SYN from @sip:L2_SPORT to @dip:@port. */
static size_t build_ip(struct frame *f, bool udp, struct in_addr sip,
		       struct in_addr dip, uint16_t port)
{
	struct {
		uint32_t s, d;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph;
	size_t l4 = udp ? sizeof(f->in.udp) + sizeof(l2_payload) - 1
			: sizeof(f->in.tcp);
	uint16_t c;
	uint32_t s;

	f->eth.ether_type = htons(ETHERTYPE_IP);
	f->in.ip = (struct iphdr){.version = 4,
				  .ihl = 5,
				  .ttl = 64,
				  .protocol = udp ? IPPROTO_UDP : IPPROTO_TCP,
				  .tot_len = htons((uint16_t)(20 + l4)),
				  .saddr = sip.s_addr,
				  .daddr = dip.s_addr};
	f->in.ip.check = csum(&f->in.ip, 20, 0);
	if (udp) {
		f->in.udp = (struct udphdr){.source = htons(L2_SPORT),
					    .dest = htons(port),
					    .len = htons((uint16_t)l4)};
		memcpy((char *)&f->in.udp + sizeof(f->in.udp), l2_payload,
		       sizeof(l2_payload) - 1);
	} else {
		f->in.tcp = (struct tcphdr){.source = htons(L2_SPORT),
					    .dest = htons(port),
					    .seq = htonl(1),
					    .doff = 5,
					    .syn = 1,
					    .window = htons(1024)};
	}
	ph = (typeof(ph)){sip.s_addr, dip.s_addr, 0, f->in.ip.protocol,
			  htons((uint16_t)l4)};
	s = ntohs((uint16_t)~csum(&ph, sizeof(ph), 0));
	c = csum(&f->in.udp, l4, s);
	if (udp)
		f->in.udp.check = c;
	else
		f->in.tcp.check = c;
	return sizeof(f->eth) + 20 + l4;
}

/* Up to 2 s for a SYN-ACK to L2_SPORT from @port on packet socket @fd. */
static bool wait_synack(int fd, uint16_t port)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct frame f;
		ssize_t n;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = 2000 - ((t.tv_sec - t0.tv_sec) * 1000 +
			     (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&p, 1, (int)ms) <= 0)
			return false;
		n = recv(fd, &f, sizeof(f), 0);
		if (n >= (ssize_t)(sizeof(f.eth) + 20 + sizeof(f.in.tcp)) &&
		    f.eth.ether_type == htons(ETHERTYPE_IP) &&
		    f.in.ip.protocol == IPPROTO_TCP && f.in.ip.ihl == 5 &&
		    f.in.tcp.source == htons(port) &&
		    f.in.tcp.dest == htons(L2_SPORT) && f.in.tcp.syn &&
		    f.in.tcp.ack)
			return true;
	}
}

/*
 * One hand-made frame out of eth0, addresses as given: what a container
 * with CAP_NET_RAW can put on the bridge (forged source MAC or IP, a
 * destination of 127.0.0.1 sent to the gateway's MAC).
 */
static int cmd_l2send(char **argv)
{
	const char *kind = argv[0];
	uint8_t smac[6], dmac[6];
	struct in_addr sip, dip;
	uint16_t port = (uint16_t)parse_long(argv[5], 1, 65535);
	struct frame f = {0};
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_halen = 6};
	size_t len;
	int fd;

	parse_mac(argv[1], smac);
	parse_ip(argv[2], &sip);
	parse_mac(argv[3], dmac);
	parse_ip(argv[4], &dip);
	memcpy(f.eth.ether_shost, smac, 6);
	memcpy(f.eth.ether_dhost, dmac, 6);
	if (!strcmp(kind, "arp"))
		len = build_arp(&f, smac, sip, dip);
	else if (!strcmp(kind, "udp") || !strcmp(kind, "syn"))
		len = build_ip(&f, kind[0] == 'u', sip, dip, port);
	else
		usage();
	to.sll_ifindex = (int)if_nametoindex("eth0");
	to.sll_protocol = f.eth.ether_type;
	memcpy(to.sll_addr, dmac, 6);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || !to.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    sendto(fd, &f, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		printf("errno:%s\n", errname(errno));
		return 1;
	}
	if (strcmp(kind, "syn"))
		puts("sent");
	else
		printf("synack=%s\n", wait_synack(fd, port) ? "yes" : "no");
	return 0;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[1];
	int nargs = argc - 2;

	/* True when cmd is name; a wrong argument count is a usage error. */
#define IS(name, n) (!strcmp(cmd, name) && (nargs == (n) || (usage(), 0)))
	if (IS("pid", 0))
		return cmd_pid();
	if (IS("hostname", 0))
		return cmd_hostname();
	if (IS("ids", 0))
		return cmd_ids();
	if (IS("caps", 0))
		return status_fields("Cap", NULL);
	if (IS("nnp", 0))
		return status_fields("NoNewPrivs", "nnp");
	if (IS("seccomp", 0))
		return status_fields("Seccomp:", "seccomp");
	if (IS("cgroup", 0))
		return cat("/proc/self/cgroup");
	if (IS("limits", 0))
		return cmd_limits();
	if (IS("mounts", 0))
		return cat("/proc/self/mountinfo");
	if (IS("fds", 0))
		return cmd_fds();
	if (IS("ps", 0))
		return cmd_ps();
	if (IS("exes", 0))
		return cmd_exes();
	if (IS("env", 0))
		return cmd_env();
	if (IS("cwd", 0))
		return cmd_cwd();
	if (IS("isatty", 0))
		return cmd_isatty();
	if (IS("syscall", 1))
		return cmd_syscall(argv[2]);
	if (IS("mknod-open", 2))
		return cmd_mknod_open(parse_long(argv[2], 0, 4095),
				      parse_long(argv[3], 0, 1048575));
	if (IS("read", 1))
		return cat(argv[2]);
	if (IS("write", 2))
		return cmd_write(argv[2], argv[3]);
	if (IS("memhog", 1))
		return cmd_memhog(parse_long(argv[2], 0, 1L << 20));
	if (IS("forkbomb", 1))
		return cmd_forkbomb(parse_long(argv[2], 0, 1L << 20));
	if (IS("spin", 1))
		return cmd_spin(parse_seconds(argv[2]));
	if (IS("sleep", 1))
		return cmd_sleep(parse_seconds(argv[2]));
	if (IS("exit", 1))
		return parse_long(argv[2], 0, 255);
	if (IS("signal", 1))
		return cmd_signal(parse_long(argv[2], 1, SIGRTMAX));
	if (IS("stat", 1))
		return cmd_stat(argv[2]);
	if (IS("ls", 1))
		return cmd_ls(argv[2]);
	if (IS("udp-echo", 1))
		return cmd_udp_echo(parse_long(argv[2], 1, 65535));
	if (IS("listen", 3))
		return cmd_listen(argv[2], argv[3],
				  parse_long(argv[4], 1, 65535));
	if (IS("l2send", 6))
		return cmd_l2send(argv + 2);
#undef IS
	fprintf(stderr, "probe: unknown command: %s\n", cmd);
	usage();
	return 2;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		usage();
	rc = run(argc, argv);
	/* A report that did not reach stdout is a failure, not a fact. */
	if (fflush(stdout) != 0 || ferror(stdout))
		return rc ? rc : 1;
	return rc;
}
