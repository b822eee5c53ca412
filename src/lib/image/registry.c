/* SPDX-License-Identifier: MIT */
/*
 * Requests to a registry (registry.h): a GET with the Accept and
 * Authorization it needs, the body to a sink, a 401 answered once by
 * fetching a bearer token or sending basic credentials.
 */
#include "image/registry.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/lazylib.h"
#include "base/util.h"
#include "image/fetch.h"

#define MAX_ERR_BODY 8192
#define MAX_TOKEN_BODY (1 << 20)

char *reg_base64(const void *buf, size_t len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
	    "tuvwxyz0123456789+/";
	const unsigned char *p = buf;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = tbl[v >> 18 & 63];
		*o++ = tbl[v >> 12 & 63];
		*o++ = i + 1 < len ? tbl[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? tbl[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* ---- WWW-Authenticate ---- */

void reg_challenge_free(struct reg_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

/* One value at *@p: quoted (with \ escapes) or up to a comma. */
static char *take_value(const char **p)
{
	const char *s = *p;
	char *out = xmalloc(strlen(s) + 1), *o = out;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			*o++ = *s;
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ',' && *s != ' ')
			*o++ = *s++;
	}
	*o = '\0';
	*p = s;
	return out;
}

int reg_parse_challenge(const char *hdr, struct reg_challenge *out)
{
	const char *p = hdr + strspn(hdr, " \t");
	size_t n = strcspn(p, " \t\r\n");

	memset(out, 0, sizeof(*out));
	if (!n)
		return -1;
	out->scheme = xasprintf("%.*s", (int)n, p);
	for (p += n; *p;) {
		char key[32], **slot = NULL, *v;

		p += strspn(p, " \t,");
		n = strcspn(p, "= \t,\r\n");
		if (!n || p[n] != '=')
			break;
		snprintf(key, sizeof(key), "%.*s", (int)(n < 31 ? n : 31), p);
		p += n + 1;
		v = take_value(&p);
		if (!strcasecmp(key, "realm"))
			slot = &out->realm;
		else if (!strcasecmp(key, "service"))
			slot = &out->service;
		else if (!strcasecmp(key, "scope"))
			slot = &out->scope;
		if (slot) {
			free(*slot);
			*slot = v;
		} else {
			free(v);
		}
	}
	return 0;
}

static bool is_loopback(const char *domain)
{
	size_t n = strcspn(domain, ":");

	return (n == 9 && !strncmp(domain, "localhost", 9)) ||
	       util_has_prefix(domain, "127.") ||
	       util_has_prefix(domain, "[::1]");
}

int reg_conn_init(struct reg_conn *c, const char *domain, const char *repo,
		  bool tls_verify, struct hm_err *e)
{
	/* insecure, as Docker's: HTTPS unverified, plain HTTP if it must */
	bool insecure = is_loopback(domain) || !tls_verify;

	memset(c, 0, sizeof(*c));
	if (lazy_load(LIB_CURL, domain, e) < 0)
		return -1;
	c->domain = xstrdup(domain);
	c->repo = xstrdup(repo);
	c->host = xstrdup(strcmp(domain, "docker.io") ? domain
						      : "registry-1.docker.io");
	c->base = xasprintf("https://%s", c->host);
	c->verify = !insecure;
	c->plain_ok = insecure;
	c->basic = reg_auth_find(domain);
	return 0;
}

void reg_conn_free(struct reg_conn *c)
{
	free(c->domain);
	free(c->base);
	free(c->host);
	free(c->repo);
	free(c->authz);
	free(c->basic);
	if (c->easy)
		curl_easy_cleanup(c->easy);
	memset(c, 0, sizeof(*c));
}

/* ---- one request ---- */

struct req {
	CURL *curl;
	struct reg_resp *resp;
	reg_sink_fn sink;
	void *arg;
	const char *method; /* NULL: GET */
	const struct reg_body *body;
	unsigned long long body_off;
	char *challenge; /* the last WWW-Authenticate */
	char errbody[MAX_ERR_BODY + 1];
	size_t errlen;
	int sink_errno;
};

static bool ok_status(long s)
{
	return s >= 200 && s <= 299;
}

static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct req *r = data;
	size_t len = size * n;
	static const char www[] = "www-authenticate:", ct[] = "content-type:",
			  loc[] = "location:";

	if (len > 5 && !strncmp(buf, "HTTP/", 5)) {
		const char *sp = memchr(buf, ' ', len);

		r->resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->resp->content_type[0] = '\0';
	} else if (len > sizeof(www) &&
		   !strncasecmp(buf, www, sizeof(www) - 1)) {
		free(r->challenge);
		r->challenge = xasprintf("%.*s", (int)(len - sizeof(www) + 1),
					 buf + sizeof(www) - 1);
		r->challenge[strcspn(r->challenge, "\r\n")] = '\0';
	} else if (len > sizeof(loc) &&
		   !strncasecmp(buf, loc, sizeof(loc) - 1)) {
		const char *v = buf + sizeof(loc) - 1;
		size_t vl;

		v += strspn(v, " \t");
		vl = strcspn(v, "\r\n");
		if (vl < sizeof(r->resp->location))
			snprintf(r->resp->location, sizeof(r->resp->location),
				 "%.*s", (int)vl, v);
	} else if (len > sizeof(ct) && !strncasecmp(buf, ct, sizeof(ct) - 1)) {
		const char *v = buf + sizeof(ct) - 1;

		v += strspn(v, " \t");
		snprintf(r->resp->content_type, sizeof(r->resp->content_type),
			 "%.*s", (int)strcspn(v, "; \t\r\n"), v);
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct req *r = data;
	size_t len = size * n;

	if (!ok_status(r->resp->status)) {
		size_t room = MAX_ERR_BODY - r->errlen;

		memcpy(r->errbody + r->errlen, buf, len < room ? len : room);
		r->errlen += len < room ? len : room;
		return len;
	}
	if (r->sink(r->arg, buf, len) < 0) {
		r->sink_errno = errno ? errno : EIO;
		return 0;
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *data)
{
	struct req *r = data;
	const struct reg_body *b = r->body;
	unsigned long long left = b->len - r->body_off;
	size_t want = size * n < left ? size * n : (size_t)left;
	ssize_t got;

	if (!want)
		return 0;
	if (b->buf) {
		memcpy(buf, b->buf + r->body_off, want);
		got = (ssize_t)want;
	} else {
		got = pread(b->fd, buf, want, (off_t)r->body_off);
		if (got <= 0)
			return CURL_READFUNC_ABORT;
	}
	r->body_off += (unsigned long long)got;
	return (size_t)got;
}

/* A stalled transfer too: curl calls this at least once a second. */
static int on_xferinfo(void *data, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return __atomic_load_n((const bool *)data, __ATOMIC_ACQUIRE);
}

/* The method and body of @r (a GET without them). */
static void set_method(struct req *r, struct curl_slist **h)
{
	const char *m = r->method;

	if (!m)
		return;
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(r->curl, CURLOPT_NOBODY, 1L);
		return;
	}
	if (r->body) {
		cleanup_free char *ct = xasprintf(
		    "Content-Type: %s", r->body->content_type
					    ? r->body->content_type
					    : "application/octet-stream");

		*h = curl_slist_append(*h, ct);
		curl_easy_setopt(r->curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(r->curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(r->curl, CURLOPT_READDATA, r);
		curl_easy_setopt(r->curl, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)r->body->len);
	} else {
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE, 0L);
	}
	/* curl's upload is a PUT: any other method named as such */
	curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, m);
}

/*
 * @c's own handle, for its requests one after another: kept (and reset for
 * each), so that its connections are used again, the TLS session too.
 */
static CURL *conn_easy(struct reg_conn *c)
{
	if (c->easy)
		curl_easy_reset(c->easy);
	else
		c->easy = curl_easy_init();
	return c->easy;
}

/*
 * @r's easy handle for @url (with @h, the header list it keeps): @c's own
 * (@keep), or a new one for a multi handle; the options every registry
 * request has. NULL when curl has no memory.
 */
static CURL *easy_new(struct reg_conn *c, bool keep, const char *url,
		      const char *accept, const char *authz, long long resume,
		      struct req *r, struct curl_slist **h, char *errbuf)
{
	char *line = NULL;

	r->curl = keep ? conn_easy(c) : curl_easy_init();
	if (!r->curl)
		return NULL;
	if (accept) {
		line = xasprintf("Accept: %s", accept);
		*h = curl_slist_append(*h, line);
		free(line);
	}
	if (authz)
		*h = curl_slist_append(*h, authz);
	set_method(r, h);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, *h);
	curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* blob storage elsewhere: curl drops a custom Authorization header
	 * on a redirect to another host (CURLOPT_UNRESTRICTED_AUTH off) */
	curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(r->curl, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_USERAGENT, "homo");
	curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, c->verify ? 1L : 0L);
	curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, c->verify ? 2L : 0L);
	fetch_set_ca(r->curl);
	if (resume > 0)
		curl_easy_setopt(r->curl, CURLOPT_RESUME_FROM_LARGE,
				 (curl_off_t)resume);
	curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, r);
	if (c->cancel) {
		curl_easy_setopt(r->curl, CURLOPT_XFERINFOFUNCTION,
				 on_xferinfo);
		curl_easy_setopt(r->curl, CURLOPT_XFERINFODATA, c->cancel);
		curl_easy_setopt(r->curl, CURLOPT_NOPROGRESS, 0L);
	}
	return r->curl;
}

/*
 * A request's handle, done: @c's own is reset (its connections stay; it
 * points at nothing of the request's any more), another one freed.
 */
static void easy_done(CURL *curl, bool keep)
{
	if (keep)
		curl_easy_reset(curl);
	else
		curl_easy_cleanup(curl);
}

/* One request, here and now (the token's: no 401 to answer). */
static CURLcode perform(struct reg_conn *c, const char *url, const char *accept,
			const char *authz, struct req *r, char *errbuf)
{
	struct curl_slist *h = NULL;
	CURLcode rc = CURLE_OUT_OF_MEMORY;

	if (easy_new(c, true, url, accept, authz, 0, r, &h, errbuf)) {
		rc = curl_easy_perform(r->curl);
		easy_done(r->curl, true);
	}
	curl_slist_free_all(h);
	return rc;
}

/* The registry's own words: errors[0].message (and its code), if JSON. */
static void registry_message(const struct req *r, char *out, size_t n)
{
	json_t *j = json_loadb(r->errbody, r->errlen, 0, NULL);
	json_t *first = json_array_get(json_object_get(j, "errors"), 0);
	const char *msg = json_string_value(json_object_get(first, "message"));
	const char *code = json_string_value(json_object_get(first, "code"));

	if (msg && *msg)
		snprintf(out, n, "%s", msg);
	else if (code && *code)
		snprintf(out, n, "%s", code);
	else
		snprintf(out, n, "%s",
			 r->resp->status == 401	  ? "unauthorized"
			 : r->resp->status == 404 ? "not found"
						  : "request failed");
	for (char *q = out; *q; q++) /* one line, no terminal escapes */
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	json_decref(j);
}

/* A query value, percent-encoded (RFC 3986 unreserved kept). */
static char *url_escape(const char *s)
{
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch))
			*o++ = (char)ch;
		else
			o += sprintf(o, "%%%02X", ch);
	}
	*o = '\0';
	return out;
}

struct membuf {
	char *buf;
	size_t len, max;
	bool over;
};

static int mem_sink(void *arg, const void *buf, size_t len)
{
	struct membuf *m = arg;

	if (m->len + len > m->max) {
		m->over = true;
		errno = EFBIG;
		return -1;
	}
	m->buf = xrealloc(m->buf, m->len + len + 1);
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	m->buf[m->len] = '\0';
	return 0;
}

static int fail_http(struct reg_conn *c, const struct req *r, const char *what,
		     struct hm_err *e)
{
	char msg[512];

	(void)c;
	registry_message(r, msg, sizeof(msg));
	return hm_failx(e, HM_EXIT_FAIL, "%s: %s (HTTP %ld)", what, msg,
			r->resp->status);
}

static int fail_curl(CURLcode rc, const char *errbuf, const char *what,
		     struct hm_err *e)
{
	hm_failx(e, HM_EXIT_FAIL, "%s: %s", what,
		 *errbuf ? errbuf : curl_easy_strerror(rc));
	if (e) /* a transfer error may be resumed; a cancel is not one */
		e->errnum = rc == CURLE_ABORTED_BY_CALLBACK ? ECANCELED : EIO;
	return -1;
}

/* A bearer token from the challenge's realm, for its scope. */
static int fetch_token(struct reg_conn *c, const struct reg_challenge *ch,
		       const char *what, struct hm_err *e)
{
	cleanup_free char *svc = url_escape(ch->service ? ch->service : "");
	cleanup_free char *dflt = xasprintf("repository:%s:pull", c->repo);
	cleanup_free char *scope = url_escape(ch->scope ? ch->scope : dflt);
	cleanup_free char *url = NULL, *authz = NULL;
	struct membuf m = {.max = MAX_TOKEN_BODY};
	struct reg_resp resp = {0};
	struct req r = {.resp = &resp, .sink = mem_sink, .arg = &m};
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *tok;
	json_t *j;
	CURLcode rc;

	if (!ch->realm || !util_has_prefix(ch->realm, "http"))
		return hm_failx(e, HM_EXIT_FAIL,
				"%s: the registry's token realm is not a URL",
				what);
	url = xasprintf("%s%cservice=%s%s%s", ch->realm,
			strchr(ch->realm, '?') ? '&' : '?', svc,
			ch->scope || *c->repo ? "&scope=" : "",
			ch->scope || *c->repo ? scope : "");
	if (c->basic)
		authz = xasprintf("Authorization: Basic %s", c->basic);
	rc = perform(c, url, "application/json", authz, &r, errbuf);
	free(r.challenge);
	if (rc != CURLE_OK && !m.over) {
		free(m.buf);
		return fail_curl(rc, errbuf, what, e);
	}
	if (m.over || !ok_status(resp.status)) {
		free(m.buf);
		if (m.over)
			return hm_failx(e, HM_EXIT_FAIL,
					"%s: token response too large", what);
		return fail_http(c, &r, what, e);
	}
	j = json_loadb(m.buf ? m.buf : "", m.len, 0, NULL);
	free(m.buf);
	tok = json_string_value(json_object_get(j, "token"));
	if (!tok || !*tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok || !*tok || strpbrk(tok, "\r\n")) {
		json_decref(j);
		return hm_failx(e, HM_EXIT_FAIL,
				"%s: the token server sent no token", what);
	}
	free(c->authz);
	c->authz = xasprintf("Authorization: Bearer %s", tok);
	json_decref(j);
	return 0;
}

/* Answer a 401: a token (bearer) or our credentials (basic). */
static int authorize(struct reg_conn *c, const struct req *r, const char *what,
		     struct hm_err *e)
{
	struct reg_challenge ch;
	int ret = -1;

	if (!r->challenge || reg_parse_challenge(r->challenge, &ch) < 0)
		return fail_http(c, r, what, e);
	if (!strcasecmp(ch.scheme, "bearer")) {
		ret = fetch_token(c, &ch, what, e);
	} else if (!strcasecmp(ch.scheme, "basic") && c->basic && !c->authz) {
		c->authz = xasprintf("Authorization: Basic %s", c->basic);
		ret = 0;
	} else {
		ret = fail_http(c, r, what, e);
	}
	reg_challenge_free(&ch);
	return ret;
}

/* ---- a request's attempts: here (request()) or in a multi handle ---- */

struct reg_xfer {
	struct reg_conn *c;
	char *rel; /* the path below c->base (its URL made at each attempt), */
	char *url; /* or a URL of its own (an upload's Location) */
	const char *method, *accept, *what;
	const struct reg_body *body;
	long long resume_from;
	reg_sink_fn sink;
	void *arg;
	struct reg_resp *resp;
	int attempt;
	bool keep;    /* on c's own handle (request()), not a multi's */
	struct req r; /* the attempt under way */
	struct curl_slist *h;
	char errbuf[CURL_ERROR_SIZE];
};

static struct reg_xfer *xfer_new(struct reg_conn *c, const char *method,
				 const struct reg_body *body, const char *path,
				 const char *accept, long long resume_from,
				 reg_sink_fn sink, void *arg,
				 struct reg_resp *resp, const char *what)
{
	struct reg_xfer *x = xcalloc(1, sizeof(*x));

	*x = (struct reg_xfer){.c = c,
			       .rel = path[0] == '/' ? xstrdup(path) : NULL,
			       .url = path[0] == '/' ? NULL : xstrdup(path),
			       .method = method,
			       .accept = accept,
			       .what = what,
			       .body = body,
			       .resume_from = resume_from,
			       .sink = sink,
			       .arg = arg,
			       .resp = resp};
	return x;
}

struct reg_xfer *reg_xfer_new(struct reg_conn *c, const char *path,
			      long long resume_from, reg_sink_fn sink,
			      void *arg, struct reg_resp *resp,
			      const char *what)
{
	return xfer_new(c, NULL, NULL, path, NULL, resume_from, sink, arg, resp,
			what);
}

void *reg_xfer_arm(struct reg_xfer *x)
{
	/* below c->base as it is now: http:// after a plain_fallback() */
	cleanup_free char *url =
	    x->rel ? xasprintf("%s%s", x->c->base, x->rel) : NULL;

	x->r = (struct req){.resp = x->resp,
			    .sink = x->sink,
			    .arg = x->arg,
			    .method = x->method,
			    .body = x->body};
	memset(x->resp, 0, sizeof(*x->resp));
	x->errbuf[0] = '\0';
	x->h = NULL;
	if (easy_new(x->c, x->keep, url ? url : x->url, x->accept, x->c->authz,
		     x->resume_from, &x->r, &x->h, x->errbuf))
		return x->r.curl;
	curl_slist_free_all(x->h);
	x->h = NULL;
	return NULL;
}

/* The attempt's handle and headers; the challenge stays for the caller. */
static void disarm(struct reg_xfer *x)
{
	if (x->r.curl)
		easy_done(x->r.curl, x->keep);
	x->r.curl = NULL;
	curl_slist_free_all(x->h);
	x->h = NULL;
}

/*
 * An insecure registry (loopback, --tls-verify=false) that does not speak
 * TLS: its requests go over plain HTTP from now on, this one's next
 * attempt too, as Docker and Podman fall back. Return: whether it did.
 */
static bool plain_fallback(struct reg_xfer *x, CURLcode rc)
{
	struct reg_conn *c = x->c;

	if (rc != CURLE_SSL_CONNECT_ERROR || !c->plain_ok || !x->rel)
		return false;
	c->plain_ok = false;
	free(c->base);
	c->base = xasprintf("http://%s", c->host);
	HM_TRACE("%s: no TLS there: plain HTTP", c->host);
	return true;
}

int reg_xfer_end(struct reg_xfer *x, int code, struct hm_err *e)
{
	struct req *r = &x->r;
	CURLcode rc = (CURLcode)code;
	int ret;

	disarm(x);
	if (rc == CURLE_WRITE_ERROR && r->sink_errno) {
		errno = r->sink_errno;
		ret = hm_fail(e, r->sink_errno, "%s", x->what);
	} else if (rc != CURLE_OK) {
		ret = plain_fallback(x, rc)
			  ? 1
			  : fail_curl(rc, x->errbuf, x->what, e);
	} else if (x->resp->status == 401 && x->attempt++ == 0) {
		ret = authorize(x->c, r, x->what, e) < 0 ? -1 : 1;
	} else if (!ok_status(x->resp->status)) {
		ret = fail_http(x->c, r, x->what, e);
	} else {
		ret = 0;
	}
	free(r->challenge);
	r->challenge = NULL;
	return ret;
}

const char *reg_xfer_what(const struct reg_xfer *x)
{
	return x->what;
}

void reg_xfer_free(struct reg_xfer *x)
{
	if (!x)
		return;
	disarm(x);
	free(x->r.challenge);
	free(x->url);
	free(x->rel);
	free(x);
}

static int request(struct reg_conn *c, const char *method,
		   const struct reg_body *body, const char *path,
		   const char *accept, long long resume_from, reg_sink_fn sink,
		   void *arg, struct reg_resp *resp, const char *what,
		   struct hm_err *e)
{
	struct reg_xfer *x = xfer_new(c, method, body, path, accept,
				      resume_from, sink, arg, resp, what);
	int ret;

	x->keep = true;
	do {
		CURL *easy = reg_xfer_arm(x);

		ret = reg_xfer_end(
		    x, easy ? curl_easy_perform(easy) : CURLE_OUT_OF_MEMORY, e);
	} while (ret == 1);
	reg_xfer_free(x);
	return ret;
}

int reg_get(struct reg_conn *c, const char *path, const char *accept,
	    long long resume_from, reg_sink_fn sink, void *arg,
	    struct reg_resp *resp, const char *what, struct hm_err *e)
{
	return request(c, NULL, NULL, path, accept, resume_from, sink, arg,
		       resp, what, e);
}

static int drop(void *arg, const void *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

int reg_send(struct reg_conn *c, const char *method, const char *path,
	     const struct reg_body *body, struct reg_resp *resp,
	     const char *what, struct hm_err *e)
{
	return request(c, method, body, path, NULL, 0, drop, NULL, resp, what,
		       e);
}

int reg_get_buf(struct reg_conn *c, const char *path, const char *accept,
		size_t max, char **buf, size_t *len, struct reg_resp *resp,
		const char *what, struct hm_err *e)
{
	struct membuf m = {.max = max};

	if (reg_get(c, path, accept, 0, mem_sink, &m, resp, what, e) < 0) {
		free(m.buf);
		if (m.over)
			return hm_failx(e, HM_EXIT_FAIL,
					"%s: larger than %zu bytes", what, max);
		return -1;
	}
	*buf = m.buf ? m.buf : xstrdup("");
	*len = m.len;
	return 0;
}

void reg_conn_dup(struct reg_conn *dst, const struct reg_conn *src)
{
	*dst = *src;
	dst->domain = xstrdup(src->domain);
	dst->base = xstrdup(src->base);
	dst->host = xstrdup(src->host);
	dst->repo = xstrdup(src->repo);
	dst->authz = src->authz ? xstrdup(src->authz) : NULL;
	dst->basic = src->basic ? xstrdup(src->basic) : NULL;
	dst->easy = NULL; /* a handle is one thread's */
}
