/* SPDX-License-Identifier: MIT */
/*
 * Downloads with libcurl into a caller's temp file, sha256 on the fly.
 * HTTP errors are reported with the server's status line, never written to
 * the file; a transfer cut short is resumed with a range request.
 */
#include "image/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/lazylib.h"
#include "base/number.h"
#include "base/progress.h"
#include "base/util.h"

#define MAX_REDIRS 10
#define RETRIES 2

struct xfer {
	CURL *c;
	const char *url;
	int fd;
	off_t start; /* out_fd's offset on entry */
	struct hm_digest d;
	uint64_t bytes;	   /* body bytes written so far, over all attempts */
	long status;	   /* of the last status line; 0 if none (file://) */
	char reason[128];  /* its reason phrase */
	bool body_started; /* this attempt's first body byte was seen */
	bool discard;	   /* this attempt's body is an error page */
	int write_errno;
	bool progress;
	const char *label;
	struct hm_progress prog;
	struct hm_err *e;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * Status lines arrive once per response, so after a redirect the last one
 * is the final response's. HTTP/2 and 3 have no reason phrase.
 */
static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n, i;
	char line[256], code[4], *sp, *end;
	uint64_t status;

	if (len < 9 || strncmp(buf, "HTTP/", 5) != 0)
		return len;
	i = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
	memcpy(line, buf, i);
	line[i] = '\0';
	sp = strchr(line, ' ');
	if (!sp)
		return len;
	/* exactly three digits: strtol took "-1", " +200", 2^70 */
	if (strnlen(sp + 1, 3) == 3)
		memcpy(code, sp + 1, 3);
	else
		code[0] = '\0';
	code[3] = '\0';
	end = sp + 1 + strnlen(sp + 1, 3);
	if (num_parse_u64(code, 100, 999, &status) < 0 ||
	    (*end && *end != ' ' && *end != '\r' && *end != '\n')) {
		x->status = 999; /* not 2xx: an error, its line shown */
		snprintf(x->reason, sizeof(x->reason), "bad status line");
		return len;
	}
	x->status = (long)status;
	while (*end == ' ')
		end++;
	end[strcspn(end, "\r\n")] = '\0';
	snprintf(x->reason, sizeof(x->reason), "%s", end);
	return len;
}

/* Back to an empty file and a fresh digest. */
static void restart_file(struct xfer *x)
{
	struct hm_err tmp;

	if (ftruncate(x->fd, x->start) < 0 ||
	    lseek(x->fd, x->start, SEEK_SET) < 0) {
		x->write_errno = errno;
		return;
	}
	digest_free(&x->d);
	if (digest_init(&x->d, &tmp) < 0)
		x->write_errno = ENOMEM;
	x->bytes = 0;
}

/* Headers are in: decide what this attempt's body is. */
static void on_body_start(struct xfer *x)
{
	curl_off_t len = -1;

	x->body_started = true;
	if (x->status && (x->status < 200 || x->status > 299)) {
		x->discard = true;
		return;
	}
	if (!x->progress)
		return;
	curl_easy_getinfo(x->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	if (!x->prog.enabled)
		progress_init(&x->prog, x->label, 0, true);
	x->prog.total = len > 0 ? x->bytes + (uint64_t)len : 0;
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n;
	const char *p = buf;

	if (!x->body_started)
		on_body_start(x);
	if (x->discard || !len)
		return len;
	if (x->write_errno)
		return 0;
	while (p < buf + len) {
		ssize_t w = write(x->fd, p, (size_t)(buf + len - p));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			x->write_errno = errno;
			return 0; /* curl aborts with CURLE_WRITE_ERROR */
		}
		p += w;
	}
	digest_update(&x->d, buf, len);
	x->bytes += len;
	progress_update(&x->prog, x->bytes);
	return len;
}

static bool retryable(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status == 502 || status == 503 || status == 504;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* For servers (HTTP/2 ones) that send no reason phrase. */
static const char *reason_of(long status)
{
	static const struct {
		long code;
		const char *text;
	} known[] = {
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {410, "Gone"},
	    {429, "Too Many Requests"},
	    {500, "Internal Server Error"},
	    {502, "Bad Gateway"},
	    {503, "Service Unavailable"},
	    {504, "Gateway Timeout"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].code == status)
			return known[i].text;
	return "";
}

/*
 * A private CA, as the curl command takes it: $CURL_CA_BUNDLE, else
 * $SSL_CERT_FILE and $SSL_CERT_DIR. libcurl itself ignores them when it was
 * built with a bundle path (Debian's is), so without this only the system
 * store could be trusted.
 */
void fetch_set_ca(void *curl)
{
	CURL *c = curl;
	const char *bundle = getenv("CURL_CA_BUNDLE");
	const char *dir = getenv("SSL_CERT_DIR");

	if (bundle && *bundle) {
		curl_easy_setopt(c, CURLOPT_CAINFO, bundle);
		return;
	}
	bundle = getenv("SSL_CERT_FILE");
	if (bundle && *bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, bundle);
	if (dir && *dir)
		curl_easy_setopt(c, CURLOPT_CAPATH, dir);
}

static void set_options(struct xfer *x, const char *url, char *errbuf)
{
	CURL *c = x->c;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* No ftp, scp, ... from a URL the user typed; no file:// or other
	 * scheme from a redirect a server sent. */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)MAX_REDIRS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	/* Errors are told from the status line, with the body discarded. */
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);
	/* A library must not have curl install SIGALRM handlers. */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "homo");
	fetch_set_ca(c);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
}

static CURLcode transfer(struct xfer *x)
{
	CURLcode rc;

	for (int attempt = 0;; attempt++) {
		x->status = 0;
		x->reason[0] = '\0';
		x->body_started = false;
		x->discard = false;
		curl_easy_setopt(x->c, CURLOPT_RESUME_FROM_LARGE,
				 (curl_off_t)x->bytes);
		rc = curl_easy_perform(x->c);
		if (attempt == RETRIES || x->write_errno)
			return rc;
		/* curl refuses a 200 to a range request: start over then. */
		if (rc == CURLE_RANGE_ERROR && x->bytes) {
			restart_file(x);
			continue;
		}
		if (!retryable(rc, x->status))
			return rc;
		HM_TRACE("retry %s: %s", x->url, curl_easy_strerror(rc));
		/* 0.5 s, then 1 s: enough for a server restart or a blip. */
		nanosleep(
		    &(struct timespec){.tv_sec = attempt,
				       .tv_nsec = attempt ? 0 : 500000000},
		    NULL);
	}
}

/* "<fmt>: <curl's message>": its error buffer, else the code's text */
static int hm_fail_curl(struct hm_err *e, CURLcode rc, const char *errbuf,
			const char *fmt, ...)
{
	char what[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hm_failx(e, HM_EXIT_FAIL, "%s: %s", what,
		 errbuf && *errbuf ? errbuf : curl_easy_strerror(rc));
	if (e)
		e->errnum = EIO;
	return -1;
}

static int check_sha256(const char *url, const char *want, const char *got,
			struct hm_err *e)
{
	if (!want)
		return 0;
	if (strncmp(want, "sha256:", 7) == 0)
		want += 7;
	if (strcasecmp(want, got) != 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"%s: sha256 mismatch: expected %s, got %s", url,
				want, got);
	return 0;
}

int fetch_url(const char *url, int out_fd, const struct fetch_opts *o,
	      struct fetch_result *r, struct hm_err *e)
{
	static const struct fetch_opts none;
	struct xfer x = {.url = url, .fd = out_fd, .e = e};
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	int ret = -1;

	if (!o)
		o = &none;
	memset(r, 0, sizeof(*r));
	if (lazy_load(LIB_CURL, url, e) < 0)
		return -1;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return hm_fail_curl(e, global_rc, NULL, "%s: curl init", url);
	x.start = lseek(out_fd, 0, SEEK_CUR);
	if (x.start < 0)
		x.start = 0;
	x.progress = o->progress;
	x.label = o->label ? o->label : "download";
	if (digest_init(&x.d, e) < 0)
		return -1;
	x.c = curl_easy_init();
	if (!x.c) {
		hm_fail(e, ENOMEM, "%s: curl init", url);
		goto out;
	}
	set_options(&x, url, errbuf);
	rc = transfer(&x);
	progress_finish(&x.prog);

	if (x.write_errno) {
		hm_fail(e, x.write_errno, "%s: write", url);
		goto out;
	}
	/* A redirect loop ends on a 3xx: curl's message says more then. */
	if (x.status >= 400 || (rc == CURLE_OK && x.status &&
				(x.status < 200 || x.status > 299))) {
		hm_failx(e, HM_EXIT_FAIL, "%s: HTTP %ld %s", url, x.status,
			 x.reason[0] ? x.reason : reason_of(x.status));
		goto out;
	}
	if (rc != CURLE_OK) {
		hm_fail_curl(e, rc, errbuf, "%s", url);
		goto out;
	}
	r->bytes = x.bytes;
	r->http_status = x.status;
	digest_final(&x.d, r->digest);
	ret = check_sha256(url, o->expect_sha256, r->digest, e);
out:
	curl_easy_cleanup(x.c);
	digest_free(&x.d);
	return ret;
}
