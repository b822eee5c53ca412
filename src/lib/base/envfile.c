/* SPDX-License-Identifier: MIT */
/* --env-file: Docker's grammar of KEY=VAL lines (opts/file.go). */
#include "base/envfile.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* the length of the valid UTF-8 sequence at @p (@n bytes left), or 0 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0x80	     ? 1
		     : (p[0] & 0xe0) == 0xc0 ? 2
		     : (p[0] & 0xf0) == 0xe0 ? 3
		     : (p[0] & 0xf8) == 0xf0 ? 4
					     : 0;
	uint32_t c = p[0] & (0x7f >> len);

	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* no overlong forms, surrogates or code points beyond U+10FFFF */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_len((const unsigned char *)s + i, n - i)))
			return false;
	return true;
}

/* one line, leading blanks gone: onto *@env, skipped, or an error */
static int env_line(const char *what, size_t no, const char *line,
		    const char *(*lookup)(const char *), char ***env,
		    struct hm_err *e)
{
	size_t name_len = strcspn(line, "=");
	cleanup_free char *name = NULL;
	const char *host;

	if (!*line || *line == '#')
		return 0;
	if (!name_len)
		return hm_failx(e, HM_EXIT_FAIL,
				"--env-file %s: line %zu: no variable name",
				what, no);
	if (strcspn(line, " \t") < name_len)
		return hm_failx(e, HM_EXIT_FAIL,
				"--env-file %s: line %zu: the variable name "
				"contains whitespace",
				what, no);
	if (line[name_len] == '=') {
		*env = strv_push(*env, line);
		return 0;
	}
	name = xstrdup(line);
	host = lookup ? lookup(name) : NULL;
	if (host) {
		cleanup_free char *kv = xasprintf("%s=%s", name, host);

		*env = strv_push(*env, kv);
	}
	return 0;
}

int envfile_parse(const char *what, const char *text, size_t len,
		  const char *(*lookup)(const char *name), char ***env,
		  struct hm_err *e)
{
	const char *p = text, *end = text + len;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (size_t no = 1; p < end; no++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cleanup_free char *line = NULL;

		if (memchr(p, '\0', n))
			return hm_failx(e, HM_EXIT_FAIL,
					"--env-file %s: line %zu: a NUL byte",
					what, no);
		if (!utf8_valid(p, n))
			return hm_failx(e, HM_EXIT_FAIL,
					"--env-file %s: line %zu: not UTF-8",
					what, no);
		line = xasprintf("%.*s", (int)n, p);
		if (env_line(what, no, line + strspn(line, " \t\r\v\f"), lookup,
			     env, e) < 0)
			return -1;
		p += n + 1;
	}
	return 0;
}
