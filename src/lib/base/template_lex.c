/* SPDX-License-Identifier: MIT */
/*
 * Go templates (template.h): the lexer. Text outside the actions, the
 * tokens inside them, the trim markers and comments applied here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/template_int.h"
#include "base/util.h"

struct lexer {
	const char *src;
	size_t i;
	struct token *v;
	size_t n, cap;
	struct hm_err *e;
};

char *tmpl_dupn(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

int tmpl_line_of(const char *src, int pos)
{
	int line = 1;

	for (int i = 0; i < pos && src[i]; i++)
		line += src[i] == '\n';
	return line;
}

static int lex_error(struct lexer *l, const char *what)
{
	return hm_failx(l->e, HM_EXIT_FAIL, "template: :%d: %s",
			tmpl_line_of(l->src, (int)l->i), what);
}

static struct token *emit(struct lexer *l, enum tok t, size_t pos, size_t end,
			  bool adj)
{
	struct token *k;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	k = &l->v[l->n++];
	*k = (struct token){
	    .t = t, .pos = (int)pos, .end = (int)end, .adj = adj};
	k->len = end - pos;
	k->s = tmpl_dupn(l->src + pos, k->len);
	return k;
}

/* A quoted string: Go's escapes (\n \t \\ \" \xNN and the like). */
static int lex_quoted(struct lexer *l, bool adj)
{
	size_t start = l->i++;
	char *buf = xmalloc(strlen(l->src + start) + 1);
	size_t n = 0;
	struct token *k;

	for (;; l->i++) {
		char c = l->src[l->i];

		if (!c || c == '\n') {
			free(buf);
			return lex_error(l, "unterminated quoted string");
		}
		if (c == '"')
			break;
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		c = l->src[++l->i];
		switch (c) {
		case 'n':
			buf[n++] = '\n';
			break;
		case 't':
			buf[n++] = '\t';
			break;
		case 'r':
			buf[n++] = '\r';
			break;
		case '\\':
		case '"':
		case '\'':
			buf[n++] = c;
			break;
		case 'x':
			if (isxdigit((unsigned char)l->src[l->i + 1]) &&
			    isxdigit((unsigned char)l->src[l->i + 2])) {
				char hex[3] = {l->src[l->i + 1],
					       l->src[l->i + 2], 0};

				buf[n++] = (char)strtol(hex, NULL, 16);
				l->i += 2;
				break;
			}
			/* fall through */
		default:
			free(buf);
			return lex_error(l, "invalid syntax in quoted string");
		}
	}
	k = emit(l, T_STRING, start, ++l->i, adj);
	free(k->s);
	k->s = buf;
	k->len = n;
	return 0;
}

static int lex_raw(struct lexer *l, bool adj)
{
	size_t start = l->i;
	const char *q = strchr(l->src + start + 1, '`');
	struct token *k;

	if (!q)
		return lex_error(l, "unterminated raw quoted string");
	l->i = (size_t)(q - l->src) + 1;
	k = emit(l, T_STRING, start, l->i, adj);
	free(k->s);
	k->len = (size_t)(q - l->src) - start - 1;
	k->s = tmpl_dupn(l->src + start + 1, k->len);
	return 0;
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void lex_number(struct lexer *l, bool adj)
{
	size_t start = l->i;

	if (l->src[l->i] == '-' || l->src[l->i] == '+')
		l->i++;
	while (is_word(l->src[l->i]) || l->src[l->i] == '.' ||
	       ((l->src[l->i] == '-' || l->src[l->i] == '+') &&
		(l->src[l->i - 1] == 'e' || l->src[l->i - 1] == 'E')))
		l->i++;
	emit(l, T_NUMBER, start, l->i, adj);
}

/* One token inside an action; *done at its "}}". */
static int lex_token(struct lexer *l, bool *trim_next, bool *done)
{
	const char *s = l->src;
	size_t start;
	bool adj = true;

	while (s[l->i] == ' ' || s[l->i] == '\t' || s[l->i] == '\n' ||
	       s[l->i] == '\r') {
		l->i++;
		adj = false;
	}
	start = l->i;
	if (!adj && s[l->i] == '-' && !strncmp(s + l->i + 1, "}}", 2)) {
		*trim_next = true;
		l->i++;
	}
	if (!strncmp(s + l->i, "}}", 2)) {
		emit(l, T_RIGHT, start, l->i + 2, adj);
		l->i += 2;
		*done = true;
		return 0;
	}
	if (!s[l->i])
		return lex_error(l, "unclosed action");
	if (s[l->i] == '"')
		return lex_quoted(l, adj);
	if (s[l->i] == '`')
		return lex_raw(l, adj);
	if (!strncmp(s + l->i, ":=", 2)) {
		l->i += 2;
		emit(l, T_DECLARE, start, l->i, adj);
		return 0;
	}
	if (strchr("|(),=", s[l->i])) {
		static const enum tok t[] = {T_PIPE, T_LPAREN, T_RPAREN,
					     T_COMMA, T_ASSIGN};

		enum tok kind = t[strchr("|(),=", s[l->i]) - "|(),="];

		l->i++;
		emit(l, kind, start, l->i, adj);
		return 0;
	}
	if (isdigit((unsigned char)s[l->i]) ||
	    ((s[l->i] == '-' || s[l->i] == '+' || s[l->i] == '.') &&
	     isdigit((unsigned char)s[l->i + 1]))) {
		lex_number(l, adj);
		return 0;
	}
	if (s[l->i] == '.' || s[l->i] == '$') {
		enum tok t = s[l->i] == '$' ? T_VAR : T_FIELD;

		l->i++;
		while (is_word(s[l->i]))
			l->i++;
		if (t == T_FIELD && l->i == start + 1)
			t = T_DOT;
		emit(l, t, start, l->i, adj);
		return 0;
	}
	if (is_word(s[l->i])) {
		while (is_word(s[l->i]))
			l->i++;
		emit(l, T_IDENT, start, l->i, adj);
		return 0;
	}
	{
		char what[64];

		snprintf(what, sizeof(what),
			 "unrecognized character in action: U+%04X '%c'",
			 (unsigned char)s[l->i], s[l->i]);
		return lex_error(l, what);
	}
}

/* The text up to "{{" (trimmed as the markers say), then its "{{". */
static int lex_text(struct lexer *l, bool *trim_next, bool *in_action)
{
	const char *s = l->src, *lb = strstr(s + l->i, "{{");
	size_t start = l->i, end = lb ? (size_t)(lb - s) : strlen(s);
	size_t after = end + 2;

	if (*trim_next)
		while (start < end && isspace((unsigned char)s[start]))
			start++;
	*trim_next = false;
	if (lb && s[after] == '-' && isspace((unsigned char)s[after + 1])) {
		while (end > start && isspace((unsigned char)s[end - 1]))
			end--;
		after += 2;
	}
	if (end > start)
		emit(l, T_TEXT, start, end, false);
	if (!lb) {
		l->i = strlen(s);
		return 0;
	}
	l->i = after;
	while (s[l->i] == ' ' || s[l->i] == '\t' || s[l->i] == '\n')
		l->i++;
	if (!strncmp(s + l->i, "/*", 2)) { /* a comment: no token */
		const char *c = strstr(s + l->i + 2, "*/");

		if (!c)
			return lex_error(l, "unclosed comment");
		l->i = (size_t)(c - s) + 2;
		if (!strncmp(s + l->i, " -}}", 4)) {
			*trim_next = true;
			l->i += 2;
		}
		if (strncmp(s + l->i, "}}", 2))
			return lex_error(l, "comment ends before closing "
					    "delimiter");
		l->i += 2;
		return 0;
	}
	l->i = after;
	emit(l, T_LEFT, lb - s, after, false);
	*in_action = true;
	return 0;
}

static int lex_all(struct lexer *l)
{
	bool trim_next = false, in_action = false;

	while (l->src[l->i]) {
		bool done = false;

		if (!in_action) {
			if (lex_text(l, &trim_next, &in_action) < 0)
				return -1;
			continue;
		}
		if (lex_token(l, &trim_next, &done) < 0)
			return -1;
		in_action = !done;
	}
	if (in_action)
		return lex_error(l, "unclosed action");
	emit(l, T_EOF, l->i, l->i, false);
	return 0;
}

int tmpl_lex(const char *src, struct token **v, size_t *n, struct hm_err *e)
{
	struct lexer l = {.src = src, .e = e};

	if (lex_all(&l) < 0) {
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i].s);
		free(l.v);
		return -1;
	}
	*v = l.v;
	*n = l.n;
	return 0;
}
