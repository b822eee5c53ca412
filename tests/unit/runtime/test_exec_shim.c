/* SPDX-License-Identifier: MIT */
/*
 * exec_shim.c and the shim it embeds (src/shim/exec_shim.c): each case
 * execs through the real shim in a forked child and reads what it left:
 * its exit status, its report on a socket, its line on stderr.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/exec_shim.h"
#include "runtime/exec_shim_proto.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* what a child that exec'd @path through the shim left behind */
struct outcome {
	int status;	   /* its exit code, 128+N if killed */
	char report[64];   /* read from the report socket (errfd case) */
	ssize_t n;	   /* its length: 0 is EOF, the command ran */
	char errtext[256]; /* its stderr */
};

static char *envp[] = {"PATH=/usr/bin:/bin", NULL};

/* a child that execs @path (@argv) through the shim: with @errfd the
 * report socket, else its stderr; @no_execveat: execveat refused first */
static void run(const char *path, char *const argv[], bool errfd,
		bool no_execveat, struct outcome *o)
{
	int sp[2], err[2], status;
	pid_t pid;
	ssize_t n;

	memset(o, 0, sizeof(*o));
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hm_err e = {0};

		dup2(err[1], 2);
		if (no_execveat) {
			scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);

			if (!f ||
			    seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM),
					     SCMP_SYS(execveat), 0) < 0 ||
			    seccomp_load(f) < 0)
				_exit(90);
		}
		exec_shim_exec("t", errfd ? sp[1] : -1, path, argv, envp, &e);
		_exit(91);
	}
	close(sp[1]);
	close(err[1]);
	o->n = recv(sp[0], o->report, sizeof(o->report), 0);
	n = read(err[0], o->errtext, sizeof(o->errtext) - 1);
	o->errtext[n > 0 ? n : 0] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	o->status =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	close(sp[0]);
	close(err[0]);
}

static void test_sealed_once(void **state)
{
	struct hm_err e = {0};
	int fd = exec_shim_open(&e);
	char c = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(exec_shim_fd(), fd);
	assert_int_equal(exec_shim_open(&e), fd); /* one per process */
	assert_int_equal(fcntl(fd, F_GET_SEALS) & SEALS, SEALS);
	assert_int_equal(pwrite(fd, &c, 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void test_runs_the_command(void **state)
{
	char *argv[] = {"sh", "-c", "echo \"$0 $PATH\" >&2; exit 7", NULL};
	struct outcome o;

	(void)state;
	run("/bin/sh", argv, true, false, &o);
	assert_int_equal(o.status, 7);
	assert_int_equal(o.n, 0); /* the report socket closed on its exec */
	assert_string_equal(o.errtext, "sh /usr/bin:/bin\n");
}

static void test_reports_errno(void **state)
{
	char *argv[] = {"nope", NULL};
	struct hm_err e = {0};
	struct outcome o;

	(void)state;
	run("/no/such/file", argv, true, false, &o);
	assert_int_equal(o.status, 127);
	assert_string_equal(o.errtext, "");
	assert_true(exec_shim_decode(o.report, (size_t)o.n, "nope", &e));
	assert_int_equal(e.exit_code, 127);
	assert_string_equal(e.msg, "exec \"nope\": no such file or directory");
	/* anything else on the socket is not its report */
	assert_false(exec_shim_decode(o.report, (size_t)o.n - 1, "x", &e));
	assert_false(exec_shim_decode("HXECHXEC", 8, "x", &e));
}

static void test_says_why_on_stderr(void **state)
{
	char *argv[] = {"x", NULL};
	struct outcome o;

	(void)state;
	run("/etc/passwd", argv, false, false, &o);
	assert_int_equal(o.status, 126);
	assert_string_equal(o.errtext,
			    "t: exec \"/etc/passwd\": permission denied\n");
	run("/no/such/file", argv, false, false, &o);
	assert_int_equal(o.status, 127);
	assert_string_equal(
	    o.errtext,
	    "t: exec \"/no/such/file\": no such file or directory\n");
}

static void test_not_executable_format(void **state)
{
	char path[] = "/tmp/test_exec_shim.XXXXXX", *argv[] = {"x", NULL};
	int fd = mkstemp(path);
	struct hm_err e = {0};
	struct outcome o;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd,
			       "\x7f"
			       "ELFjunk",
			       8),
			 8);
	assert_int_equal(fchmod(fd, 0755), 0);
	close(fd);
	run(path, argv, true, false, &o);
	unlink(path);
	assert_int_equal(o.status, 126);
	assert_true(exec_shim_decode(o.report, (size_t)o.n, "x", &e));
	assert_int_equal(e.errnum, ENOEXEC);
	assert_int_equal(e.exit_code, 126);
}

/* CVE-2019-5736: a command that is /proc/self/exe is the shim, which
 * refuses to be anything but the shim */
static void test_self_exe_is_the_shim(void **state)
{
	char *argv[] = {"x", NULL};
	struct outcome o;

	(void)state;
	run("/proc/self/exe", argv, true, false, &o);
	assert_int_equal(o.status, 126);
	assert_int_equal(o.n, 0);
	assert_string_equal(o.errtext, "homo-exec: run by homo only, before a "
				       "container's command\n");
}

/* an engine's seccomp profile without execveat: by /proc/self/fd/N */
static void test_without_execveat(void **state)
{
	char *argv[] = {"sh", "-c", "exit 3", NULL};
	struct outcome o;

	(void)state;
	run("/bin/sh", argv, true, true, &o);
	assert_int_equal(o.status, 3);
	assert_int_equal(o.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sealed_once),
	    cmocka_unit_test(test_runs_the_command),
	    cmocka_unit_test(test_reports_errno),
	    cmocka_unit_test(test_says_why_on_stderr),
	    cmocka_unit_test(test_not_executable_format),
	    cmocka_unit_test(test_self_exe_is_the_shim),
	    cmocka_unit_test(test_without_execveat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
