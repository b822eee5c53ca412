/* SPDX-License-Identifier: MIT */
#include "runtime/log_record.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *p, size_t n)
{
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Strict: padded, canonical; -1 on anything else. */
static int b64_decode(const char *s, size_t len, char **out, size_t *n)
{
	unsigned char *o;

	if (len % 4)
		return -1;
	o = xmalloc(len / 4 * 3 + 1);
	*n = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4] = {0}, pad = 0;

		if (i + 4 == len)
			pad = (s[i + 3] == '=') +
			      (s[i + 2] == '=' && s[i + 3] == '=');
		for (int k = 0; k < 4 - pad; k++) {
			v[k] = b64_value(s[i + k]); /* '=' is -1 here */
			if (v[k] < 0)
				goto bad;
		}
		uint32_t w =
		    (uint32_t)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);

		/* the bits past the last byte are zero: one text per bytes */
		if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
			goto bad;
		o[(*n)++] = (unsigned char)(w >> 16);
		if (pad < 2)
			o[(*n)++] = (unsigned char)(w >> 8);
		if (pad < 1)
			o[(*n)++] = (unsigned char)w;
	}
	*out = (char *)o;
	return 0;
bad:
	free(o);
	return -1;
}

/*
 * The length of the valid UTF-8 sequence at @p (RFC 3629: shortest form,
 * no surrogates, at most U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

/* @p with each byte that starts no valid sequence as U+FFFD (Docker's);
 * NULL when all of @p is valid. */
static char *utf8_replaced(const unsigned char *p, size_t n, size_t *out_n)
{
	char *out = NULL;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);

		if (!len && !out) {
			out = xmalloc(n * 3 + 1);
			memcpy(out, p, i);
			o = i;
		}
		if (!len) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (out)
			memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	*out_n = o;
	return out;
}

char *log_record_encode(const char *stream, const void *buf, size_t n,
			const char *time, size_t *len)
{
	size_t fixed_n;
	cleanup_free char *fixed = utf8_replaced(buf, n, &fixed_n);
	json_t *j = json_object();
	char *text;

	if (!j)
		return NULL;
	/* NUL and all of Unicode are a JSON string's: only invalid bytes
	 * need "raw" */
	json_object_set_new(
	    j, "log", json_stringn(fixed ? fixed : buf, fixed ? fixed_n : n));
	json_object_set_new(j, "stream", json_string(stream));
	json_object_set_new(j, "time", json_string(time));
	if (fixed) {
		cleanup_free char *raw = b64_encode(buf, n);

		json_object_set_new(j, "raw", json_string(raw));
	}
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return NULL;
	*len = strlen(text);
	text[(*len)++] = '\n'; /* over the NUL: written by length */
	return text;
}

int log_record_decode(const char *line, size_t len, struct log_record *r)
{
	json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	json_t *log, *raw;
	const char *stream, *time;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!j)
		return -1;
	stream = json_string_value(json_object_get(j, "stream"));
	time = json_string_value(json_object_get(j, "time"));
	log = json_object_get(j, "log");
	raw = json_object_get(j, "raw");
	r->err = stream && !strcmp(stream, "stderr");
	if (time && strlen(time) < sizeof(r->time))
		strcpy(r->time, time);
	if (json_is_string(raw)) {
		ret = b64_decode(json_string_value(raw),
				 json_string_length(raw), &r->bytes, &r->n);
	} else if (json_is_string(log)) {
		r->n = json_string_length(log);
		r->bytes = xmalloc(r->n + 1);
		memcpy(r->bytes, json_string_value(log), r->n);
		ret = 0;
	}
	json_decref(j);
	return ret;
}

void log_record_free(struct log_record *r)
{
	free(r->bytes);
	r->bytes = NULL;
	r->n = 0;
}
