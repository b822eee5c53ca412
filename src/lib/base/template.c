/* SPDX-License-Identifier: MIT */
/*
 * Go templates (template.h): the parser. template_lex.c cuts the text into
 * tokens first; they are parsed here into a tree that template_exec.c
 * walks. Errors are Go's: "template: :LINE: what".
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/template_int.h"
#include "base/util.h"

struct parser {
	const struct tmpl *t;
	struct token *v;
	size_t i, n;
	char **vars; /* declared so far, for "undefined variable" */
	size_t nvars;
	struct hm_err *e;
};

/* ---- the parser ---- */

static struct token *peek(struct parser *p)
{
	return &p->v[p->i];
}

static struct token *next(struct parser *p)
{
	struct token *k = &p->v[p->i];

	if (k->t != T_EOF)
		p->i++;
	return k;
}

static int perr(struct parser *p, const struct token *k, const char *fmt,
		const char *arg)
{
	char what[512];

	snprintf(what, sizeof(what), fmt, arg);
	return hm_failx(p->e, HM_EXIT_FAIL, "template: :%d: %s",
			tmpl_line_of(p->t->src, k->pos), what);
}

static int unexpected(struct parser *p, const struct token *k,
		      const char *where)
{
	char what[256];

	if (k->t == T_EOF)
		return perr(p, k, "unexpected EOF%s", "");
	if (k->t == T_RIGHT)
		snprintf(what, sizeof(what), "unexpected \"}}\" in %s", where);
	else
		snprintf(what, sizeof(what), "unexpected \"%.64s\" in %s", k->s,
			 where);
	return perr(p, k, "%s", what);
}

static void pipe_free(struct tmpl_pipe *pi);

static void arg_free(struct tmpl_arg *a)
{
	if (!a)
		return;
	free(a->name);
	for (size_t i = 0; i < a->nfields; i++)
		free(a->fields[i]);
	free(a->fields);
	json_decref(a->lit);
	pipe_free(a->pipe);
	free(a);
}

static void pipe_free(struct tmpl_pipe *pi)
{
	if (!pi)
		return;
	for (size_t i = 0; i < pi->ndecl; i++)
		free(pi->decl[i]);
	free(pi->decl);
	for (size_t i = 0; i < pi->ncmds; i++) {
		for (size_t k = 0; k < pi->cmds[i]->nargs; k++)
			arg_free(pi->cmds[i]->args[k]);
		free(pi->cmds[i]->args);
		free(pi->cmds[i]->text);
		free(pi->cmds[i]);
	}
	free(pi->cmds);
	free(pi);
}

static void list_free(struct tmpl_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]->text);
		pipe_free(l->v[i]->pipe);
		list_free(l->v[i]->body);
		list_free(l->v[i]->other);
		free(l->v[i]);
	}
	free(l->v);
	free(l);
}

static bool var_known(struct parser *p, const char *name)
{
	for (size_t i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i], name))
			return true;
	return false;
}

static void var_pop(struct parser *p, size_t mark)
{
	while (p->nvars > mark)
		free(p->vars[--p->nvars]);
}

static struct tmpl_pipe *parse_pipe(struct parser *p, bool decl, size_t maxv);

/* The .A.B right after an operand. */
static void parse_chain(struct parser *p, struct tmpl_arg *a)
{
	while (peek(p)->t == T_FIELD && peek(p)->adj) {
		struct token *k = next(p);

		a->fields =
		    xrealloc(a->fields, (a->nfields + 1) * sizeof(*a->fields));
		a->fields[a->nfields++] = xstrdup(k->s + 1);
	}
}

static json_t *parse_number(const char *s)
{
	char *end;
	long long v;
	double d;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (!*end && !errno)
		return json_integer(v);
	d = strtod(s, &end);
	return *end ? NULL : json_real(d);
}

static int parse_literal(struct parser *p, struct token *k, struct tmpl_arg *a)
{
	a->kind = A_LIT;
	if (k->t == T_STRING) {
		a->lit = json_stringn_nocheck(k->s, k->len);
	} else if (k->t == T_NUMBER) {
		a->lit = parse_number(k->s);
		if (!a->lit)
			return perr(p, k, "bad number syntax: \"%.64s\"", k->s);
	} else if (!strcmp(k->s, "true") || !strcmp(k->s, "false")) {
		a->lit = json_boolean(!strcmp(k->s, "true"));
	}
	return 0; /* nil: a->lit stays NULL */
}

static int parse_term(struct parser *p, struct token *k, struct tmpl_arg *a)
{
	switch (k->t) {
	case T_FIELD:
		a->kind = A_FIELD;
		p->i--; /* the chain starts with it */
		p->v[p->i].adj = true;
		break;
	case T_DOT:
		a->kind = A_DOT;
		break;
	case T_VAR:
		if (!var_known(p, k->s))
			return perr(p, k, "undefined variable \"%.64s\"", k->s);
		a->kind = A_VAR;
		a->name = xstrdup(k->s);
		break;
	case T_LPAREN:
		a->kind = A_PIPE;
		a->pipe = parse_pipe(p, false, 0);
		if (!a->pipe)
			return -1;
		if (next(p)->t != T_RPAREN)
			return unexpected(p, &p->v[p->i - 1],
					  "parenthesized "
					  "pipeline");
		break;
	case T_IDENT:
		if (!strcmp(k->s, "nil") || !strcmp(k->s, "true") ||
		    !strcmp(k->s, "false"))
			return parse_literal(p, k, a);
		if (!tmpl_func_exists(k->s))
			return perr(p, k, "function \"%.64s\" not defined",
				    k->s);
		a->kind = A_FUNC;
		a->name = xstrdup(k->s);
		return 0;
	case T_STRING:
	case T_NUMBER:
		return parse_literal(p, k, a);
	default:
		return unexpected(p, k, "operand");
	}
	parse_chain(p, a);
	return 0;
}

static struct tmpl_cmd *parse_cmd(struct parser *p)
{
	struct tmpl_cmd *c = xcalloc(1, sizeof(*c));
	int end = peek(p)->pos;

	c->pos = peek(p)->pos;
	while (peek(p)->t != T_PIPE && peek(p)->t != T_RIGHT &&
	       peek(p)->t != T_RPAREN) {
		struct tmpl_arg *a = xcalloc(1, sizeof(*a));
		struct token *k = next(p);

		a->pos = k->pos;
		c->args = xrealloc(c->args, (c->nargs + 1) * sizeof(*c->args));
		c->args[c->nargs++] = a;
		if (parse_term(p, k, a) < 0)
			goto fail;
		end = p->v[p->i - 1].end;
	}
	if (!c->nargs) {
		if (peek(p)->t == T_PIPE)
			perr(p, peek(p), "missing command%s", "");
		else
			perr(p, peek(p), "missing value for command%s", "");
		goto fail;
	}
	c->text = tmpl_dupn(p->t->src + c->pos, (size_t)(end - c->pos));
	return c;
fail:
	for (size_t i = 0; i < c->nargs; i++)
		arg_free(c->args[i]);
	free(c->args);
	free(c);
	return NULL;
}

/* $x := or $i, $v := before a pipeline; @maxv variables at most. */
static int parse_decl(struct parser *p, struct tmpl_pipe *pi, size_t maxv)
{
	size_t save = p->i;

	while (peek(p)->t == T_VAR && pi->ndecl < maxv) {
		struct token *k = next(p);

		pi->decl =
		    xrealloc(pi->decl, (pi->ndecl + 1) * sizeof(*pi->decl));
		pi->decl[pi->ndecl++] = xstrdup(k->s);
		if (peek(p)->t == T_COMMA && maxv > 1) {
			next(p);
			continue;
		}
		if (peek(p)->t == T_DECLARE || peek(p)->t == T_ASSIGN) {
			pi->assign = next(p)->t == T_ASSIGN;
			for (size_t i = 0; i < pi->ndecl && !pi->assign; i++) {
				p->vars = xrealloc(
				    p->vars, (p->nvars + 1) * sizeof(*p->vars));
				p->vars[p->nvars++] = xstrdup(pi->decl[i]);
			}
			return 0;
		}
		break;
	}
	/* not a declaration: $x is an operand */
	for (size_t i = 0; i < pi->ndecl; i++)
		free(pi->decl[i]);
	pi->ndecl = 0;
	p->i = save;
	return 0;
}

static struct tmpl_pipe *parse_pipe(struct parser *p, bool decl, size_t maxv)
{
	struct tmpl_pipe *pi = xcalloc(1, sizeof(*pi));

	pi->pos = peek(p)->pos;
	if (decl)
		parse_decl(p, pi, maxv);
	for (;;) {
		struct tmpl_cmd *c = parse_cmd(p);

		if (!c) {
			pipe_free(pi);
			return NULL;
		}
		pi->cmds =
		    xrealloc(pi->cmds, (pi->ncmds + 1) * sizeof(*pi->cmds));
		pi->cmds[pi->ncmds++] = c;
		if (peek(p)->t != T_PIPE)
			return pi;
		next(p);
	}
}

enum term { TERM_EOF, TERM_END, TERM_ELSE };

static int parse_list(struct parser *p, struct tmpl_list **out,
		      enum term *term);

static void list_add(struct tmpl_list *l, struct tmpl_node *n)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = n;
}

static int expect_right(struct parser *p, const char *where)
{
	struct token *k = next(p);

	return k->t == T_RIGHT ? 0 : unexpected(p, k, where);
}

/* {{if}}, {{range}}, {{with}}: after the keyword, through its {{end}}. */
static int parse_control(struct parser *p, struct tmpl_node *n, const char *kw)
{
	size_t mark = p->nvars;
	enum term term;
	int r = -1;

	n->pipe = parse_pipe(p, true, n->kind == N_RANGE ? 2 : 1);
	if (!n->pipe || expect_right(p, kw) < 0 ||
	    parse_list(p, &n->body, &term) < 0)
		goto out;
	if (term == TERM_ELSE) {
		struct token *k = peek(p);

		n->other = xcalloc(1, sizeof(*n->other));
		if (k->t == T_IDENT &&
		    (!strcmp(k->s, "if") || !strcmp(k->s, "with"))) {
			struct tmpl_node *in = xcalloc(1, sizeof(*in));

			next(p);
			in->kind = !strcmp(k->s, "if") ? N_IF : N_WITH;
			in->pos = k->pos;
			list_add(n->other, in);
			r = parse_control(p, in, k->s);
			goto out;
		}
		list_free(n->other);
		n->other = NULL;
		if (expect_right(p, "else") < 0 ||
		    parse_list(p, &n->other, &term) < 0)
			goto out;
	}
	if (term != TERM_END) {
		r = perr(p, peek(p),
			 term == TERM_EOF ? "unexpected EOF%s"
					  : "unexpected {{else}}%s",
			 "");
		goto out;
	}
	r = 0;
out:
	var_pop(p, mark);
	return r;
}

/* What follows "{{": a keyword or a pipeline. */
static int parse_action(struct parser *p, struct tmpl_list *l, enum term *term)
{
	struct token *k = peek(p);
	struct tmpl_node *n;

	if (k->t == T_IDENT &&
	    (!strcmp(k->s, "end") || !strcmp(k->s, "else"))) {
		next(p);
		*term = !strcmp(k->s, "end") ? TERM_END : TERM_ELSE;
		return *term == TERM_END ? expect_right(p, "end") : 1;
	}
	if (k->t == T_IDENT &&
	    (!strcmp(k->s, "define") || !strcmp(k->s, "template") ||
	     !strcmp(k->s, "block") || !strcmp(k->s, "break") ||
	     !strcmp(k->s, "continue")))
		return perr(p, k, "{{%.16s}} is not supported", k->s);
	n = xcalloc(1, sizeof(*n));
	n->pos = k->pos;
	list_add(l, n);
	if (k->t == T_IDENT && (!strcmp(k->s, "if") || !strcmp(k->s, "range") ||
				!strcmp(k->s, "with"))) {
		next(p);
		n->kind = !strcmp(k->s, "if")	   ? N_IF
			  : !strcmp(k->s, "range") ? N_RANGE
						   : N_WITH;
		return parse_control(p, n, k->s);
	}
	n->kind = N_ACTION;
	n->pipe = parse_pipe(p, true, 1);
	if (!n->pipe)
		return -1;
	return expect_right(p, "command");
}

static int parse_list(struct parser *p, struct tmpl_list **out, enum term *term)
{
	struct tmpl_list *l = xcalloc(1, sizeof(*l));

	*out = l;
	for (;;) {
		struct token *k = next(p);
		int r;

		if (k->t == T_EOF) {
			*term = TERM_EOF;
			return 0;
		}
		if (k->t == T_TEXT) {
			struct tmpl_node *n = xcalloc(1, sizeof(*n));

			n->kind = N_TEXT;
			n->pos = k->pos;
			n->text = steal_ptr(&k->s);
			n->len = k->len;
			list_add(l, n);
			continue;
		}
		*term = TERM_EOF;
		r = parse_action(p, l, term);
		if (r < 0)
			return -1;
		if (*term != TERM_EOF)
			return 0;
	}
}

struct tmpl *tmpl_parse(const char *src, const char *const *map_fields,
			struct hm_err *e)
{
	struct tmpl *t = xcalloc(1, sizeof(*t));
	struct parser p = {.t = t, .e = e};
	struct token *v = NULL;
	enum term term;
	size_t n = 0;
	int r;

	t->src = xstrdup(src);
	for (size_t i = 0; map_fields && map_fields[i]; i++)
		t->map_fields = strv_push(t->map_fields, map_fields[i]);
	r = tmpl_lex(src, &v, &n, e);
	if (r == 0) {
		p.v = v;
		p.n = n;
		p.vars = xcalloc(1, sizeof(*p.vars));
		p.vars[p.nvars++] = xstrdup("$");
		r = parse_list(&p, &t->root, &term);
		if (r == 0 && term != TERM_EOF)
			r = perr(&p, &p.v[p.i - 1], "unexpected {{%s}}",
				 term == TERM_END ? "end" : "else");
		var_pop(&p, 0);
		free(p.vars);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
	if (r < 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	list_free(t->root);
	strv_free(t->map_fields);
	free(t->src);
	free(t);
}
