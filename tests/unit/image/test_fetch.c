/* SPDX-License-Identifier: MIT */
/*
 * fetch_url() against busybox httpd on 127.0.0.1 (started here, killed by
 * pid in the group teardown) and against file:// URLs. CGI scripts stand
 * in for redirects, error statuses and transfers cut short.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/util.h"
#include "image/fetch.h"

#define BUSYBOX "/bin/busybox"
#define BLOB_SIZE 300000

static char *dir;
static pid_t server = -1;
static int port;
static char blob_sha[65];
static unsigned char *blob;

struct fx {
	char path[300]; /* the output file */
	int fd;
	struct fetch_result r;
	struct hm_err e;
};

static void write_file(const char *name, const void *data, size_t len,
		       mode_t mode)
{
	char p[300];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void cgi(const char *name, const char *body)
{
	char path[64], *script;

	snprintf(path, sizeof(path), "cgi-bin/%s", name);
	script = xasprintf("#!/bin/sh\nD='%s'\n%s", dir, body);
	write_file(path, script, strlen(script), 0755);
	free(script);
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

static bool server_up(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

static int group_setup(void **state)
{
	char listen[32], cgidir[300];
	struct hm_err e;

	(void)state;
	if (access(BUSYBOX, X_OK) < 0)
		return 0; /* the http tests skip */
	dir = unit_tmpdir();
	blob = xmalloc(BLOB_SIZE);
	for (size_t i = 0; i < BLOB_SIZE; i++)
		blob[i] = (unsigned char)((i * 2654435761u) >> 13);
	assert_int_equal(digest_buf(blob, BLOB_SIZE, blob_sha, &e), 0);
	write_file("blob", blob, BLOB_SIZE, 0644);
	/* blob2 differs from blob in its head only: resuming (keeping the
	 * head already received) gives blob, starting over gives blob2 */
	memset(blob, 0, 123456);
	write_file("blob2", blob, BLOB_SIZE, 0644);
	for (size_t i = 0; i < 123456; i++)
		blob[i] = (unsigned char)((i * 2654435761u) >> 13);
	snprintf(cgidir, sizeof(cgidir), "%s/cgi-bin", dir);
	assert_int_equal(mkdir(cgidir, 0755), 0);
	cgi("redir",
	    "printf 'Status: 302 Found\\r\\nLocation: /blob\\r\\n\\r\\n'\n");
	cgi("loop", "printf 'Status: 302 Found\\r\\n"
		    "Location: /cgi-bin/loop\\r\\n\\r\\n'\n");
	cgi("teapot", "printf \"Status: 418 I'm a teapot\\r\\n\\r\\n"
		      "short and stout\\n\"\n");
	cgi("unavail",
	    "echo x >> \"$D/unavail.calls\"\n"
	    "printf 'Status: 503 Service Unavailable\\r\\n\\r\\n'\n");
	/* Cut short the first time; then a redirect to the file, which
	 * busybox serves with range support (206), or the whole file (200). */
	cgi("flaky",
	    "if [ -e \"$D/flaky.state\" ]; then\n"
	    "printf 'Status: 302 Found\\r\\nLocation: /blob2\\r\\n\\r\\n'\n"
	    "exit; fi\n: > \"$D/flaky.state\"\n"
	    "printf 'Content-Length: 300000\\r\\n\\r\\n'\n"
	    "head -c 123456 \"$D/blob\"\n");
	cgi("flaky200", "if [ -e \"$D/flaky200.state\" ]; then\n"
			"printf 'Content-Length: 300000\\r\\n\\r\\n'\n"
			"cat \"$D/blob\"; exit; fi\n: > \"$D/flaky200.state\"\n"
			"printf 'Content-Length: 300000\\r\\n\\r\\n'\n"
			"head -c 1000 \"$D/blob\"\n");
	port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	server = fork();
	assert_true(server >= 0);
	if (server == 0) {
		execl(BUSYBOX, "busybox", "httpd", "-f", "-p", listen, "-h",
		      dir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300 && !server_up(); i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	assert_true(server_up());
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	if (dir)
		unit_rmtree(dir);
	free(blob);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	snprintf(f->path, sizeof(f->path), "/tmp/homo-unit-fetch-%d",
		 (int)getpid());
	f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(f->fd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->fd);
	unlink(f->path);
	free(f);
	return 0;
}

static char *url(const char *path)
{
	static char u[128];

	snprintf(u, sizeof(u), "http://127.0.0.1:%d%s", port, path);
	return u;
}

static void need_server(void)
{
	if (server <= 0)
		skip();
}

/* The output file holds exactly the blob. */
static void expect_blob(struct fx *f)
{
	unsigned char *got = xmalloc(BLOB_SIZE + 1);

	assert_string_equal(f->r.digest, blob_sha);
	assert_int_equal(f->r.bytes, BLOB_SIZE);
	assert_int_equal(pread(f->fd, got, BLOB_SIZE + 1, 0), BLOB_SIZE);
	assert_memory_equal(got, blob, BLOB_SIZE);
	free(got);
}

static void expect_fail(struct fx *f, int r, const char *what)
{
	assert_int_equal(r, -1);
	if (!strstr(f->e.msg, what))
		fail_msg("error \"%s\" lacks \"%s\"", f->e.msg, what);
}

static off_t out_size(struct fx *f)
{
	struct stat st;

	assert_int_equal(fstat(f->fd, &st), 0);
	return st.st_size;
}

static void test_ok(void **state)
{
	struct fx *f = *state;

	need_server();
	assert_int_equal(fetch_url(url("/blob"), f->fd, NULL, &f->r, &f->e), 0);
	expect_blob(f);
	assert_int_equal(f->r.http_status, 200);
}

static void test_404(void **state)
{
	struct fx *f = *state;
	char want[160];

	need_server();
	snprintf(want, sizeof(want), "%s: HTTP 404 Not Found", url("/nope"));
	expect_fail(f, fetch_url(url("/nope"), f->fd, NULL, &f->r, &f->e),
		    want);
	assert_string_equal(f->e.msg, want);
	assert_int_equal(out_size(f), 0); /* the error page is not kept */
}

static void test_status_reason(void **state)
{
	struct fx *f = *state;

	need_server();
	expect_fail(
	    f, fetch_url(url("/cgi-bin/teapot"), f->fd, NULL, &f->r, &f->e),
	    "/cgi-bin/teapot: HTTP 418 I'm a teapot");
	assert_int_equal(out_size(f), 0);
}

static void test_redirect(void **state)
{
	struct fx *f = *state;

	need_server();
	assert_int_equal(
	    fetch_url(url("/cgi-bin/redir"), f->fd, NULL, &f->r, &f->e), 0);
	expect_blob(f);
}

static void test_redirect_loop(void **state)
{
	struct fx *f = *state;

	need_server();
	expect_fail(f,
		    fetch_url(url("/cgi-bin/loop"), f->fd, NULL, &f->r, &f->e),
		    "Maximum (10) redirects followed");
}

/*
 * A transfer cut short resumes with a range request (busybox: 206), here
 * redirected to blob2, which only has blob's tail right.
 */
static void test_resume(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char state_file[300];

	need_server();
	assert_int_equal(
	    fetch_url(url("/cgi-bin/flaky"), f->fd, NULL, &f->r, &f->e), 0);
	expect_blob(f);
	snprintf(state_file, sizeof(state_file), "%s/flaky.state", dir);
	assert_int_equal(stat(state_file, &st), 0); /* the short one ran */
}

/* A server that ignores the range sends it all again: start over. */
static void test_restart(void **state)
{
	struct fx *f = *state;

	need_server();
	if (fetch_url(url("/cgi-bin/flaky200"), f->fd, NULL, &f->r, &f->e))
		fail_msg("%s", f->e.msg);
	expect_blob(f);
	assert_int_equal(out_size(f), BLOB_SIZE);
}

static void test_retry_503(void **state)
{
	struct fx *f = *state;
	char calls[300];
	size_t n = 0;
	cleanup_free char *text = NULL;
	struct hm_err e;

	need_server();
	expect_fail(
	    f, fetch_url(url("/cgi-bin/unavail"), f->fd, NULL, &f->r, &f->e),
	    "HTTP 503 Service Unavailable");
	snprintf(calls, sizeof(calls), "%s/unavail.calls", dir);
	text = util_read_file(calls, &n, &e);
	assert_non_null(text);
	assert_int_equal(n, 6); /* three attempts */
}

static void test_sha256(void **state)
{
	struct fx *f = *state;
	struct fetch_opts o = {.expect_sha256 = "sha256:00"};
	char want[300], upper[80] = "sha256:";

	need_server();
	snprintf(want, sizeof(want), "%s: sha256 mismatch: expected 00, got %s",
		 url("/blob"), blob_sha);
	expect_fail(f, fetch_url(url("/blob"), f->fd, &o, &f->r, &f->e), want);
	for (int i = 0; i < 64; i++)
		upper[7 + i] =
		    (char)(blob_sha[i] >= 'a' ? blob_sha[i] - 32 : blob_sha[i]);
	upper[71] = '\0';
	o.expect_sha256 = upper;
	assert_int_equal(ftruncate(f->fd, 0), 0);
	assert_int_equal(lseek(f->fd, 0, SEEK_SET), 0);
	assert_int_equal(fetch_url(url("/blob"), f->fd, &o, &f->r, &f->e), 0);
	expect_blob(f);
}

static void test_file_url(void **state)
{
	struct fx *f = *state;
	char u[600];

	need_server(); /* for the blob in dir */
	snprintf(u, sizeof(u), "file://%s/blob", dir);
	assert_int_equal(fetch_url(u, f->fd, NULL, &f->r, &f->e), 0);
	expect_blob(f);
	assert_int_equal(f->r.http_status, 0);
	snprintf(u, sizeof(u), "file://%s/missing", dir);
	expect_fail(f, fetch_url(u, f->fd, NULL, &f->r, &f->e), u);
	assert_non_null(strstr(f->e.msg, "Couldn't open file"));
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	char u[128];

	snprintf(u, sizeof(u), "http://127.0.0.1:%d/x", free_port());
	expect_fail(f, fetch_url(u, f->fd, NULL, &f->r, &f->e), u);
	assert_non_null(strstr(f->e.msg, "onnect"));
}

static void test_bad_scheme(void **state)
{
	struct fx *f = *state;

	expect_fail(f,
		    fetch_url("ftp://127.0.0.1/x", f->fd, NULL, &f->r, &f->e),
		    "ftp://127.0.0.1/x: ");
}

/* The disk fills up: the write error is the one reported. */
static void test_write_error(void **state)
{
	struct fx *f = *state;
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);

	need_server();
	if (full < 0)
		skip();
	expect_fail(f, fetch_url(url("/blob"), full, NULL, &f->r, &f->e),
		    "/blob: write: No space left on device");
	close(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_ok),		 T(test_404),		T(test_status_reason),
	    T(test_redirect),	 T(test_redirect_loop), T(test_resume),
	    T(test_restart),	 T(test_retry_503),	T(test_sha256),
	    T(test_file_url),	 T(test_refused),	T(test_bad_scheme),
	    T(test_write_error),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
