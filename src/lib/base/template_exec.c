/* SPDX-License-Identifier: MIT */
/*
 * Go templates (template.h): running the tree template.c parsed, over
 * jansson values, with Go's rules for fields, variables, truth and %v.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/template_int.h"
#include "base/util.h"

int tmpl_errorf(struct tmpl_state *s, int pos, const char *ctx, const char *fmt,
		...)
{
	const char *src = s->t->src;
	int line = 1, col = pos;
	char why[512];
	va_list ap;

	for (int i = 0; i < pos && src[i]; i++) {
		if (src[i] == '\n') {
			line++;
			col = pos - i - 1;
		}
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return hm_failx(s->e, HM_EXIT_FAIL,
			"template: :%d:%d: executing \"\" at <%.200s>: %s",
			line, col, ctx, why);
}

/* Go's shortest form of a float64 */
static void print_real(FILE *f, double d)
{
	char buf[40];

	if (d > -1e18 && d < 1e18 && d == (double)(long long)d) {
		fprintf(f, "%.0f", d);
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	fputs(buf, f);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object's keys sorted, as Go ranges over and prints a map. */
static const char **sorted_keys(json_t *o, size_t *n)
{
	const char **k = xcalloc(json_object_size(o) + 1, sizeof(*k));
	const char *key;
	json_t *v;

	*n = 0;
	json_object_foreach(o, key, v)
	{
		(void)v;
		k[(*n)++] = key;
	}
	qsort(k, *n, sizeof(*k), cmp_key);
	return k;
}

void tmpl_print_val(FILE *f, json_t *j, bool top)
{
	size_t i, n;
	json_t *x;

	if (!j) {
		fputs("<no value>", f);
		return;
	}
	switch (json_typeof(j)) {
	case JSON_STRING:
		fwrite(json_string_value(j), 1, json_string_length(j), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		print_real(f, json_real_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		fputs(json_is_true(j) ? "true" : "false", f);
		break;
	case JSON_NULL:
		fputs("<nil>", f);
		break;
	case JSON_ARRAY:
		fputc('[', f);
		json_array_foreach(j, i, x)
		{
			if (i)
				fputc(' ', f);
			tmpl_print_val(f, x, false);
		}
		fputc(']', f);
		break;
	case JSON_OBJECT: {
		const char **k = sorted_keys(j, &n);

		fputs("map[", f);
		for (i = 0; i < n; i++) {
			fprintf(f, "%s%s:", i ? " " : "", k[i]);
			tmpl_print_val(f, json_object_get(j, k[i]), false);
		}
		fputc(']', f);
		free(k);
		break;
	}
	}
	(void)top;
}

char *tmpl_sprint(json_t *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort(); /* out of memory, as xmalloc */
	tmpl_print_val(f, j, true);
	fclose(f);
	return buf;
}

bool tmpl_truth(json_t *j)
{
	if (!j)
		return false;
	switch (json_typeof(j)) {
	case JSON_STRING:
		return json_string_length(j) > 0;
	case JSON_INTEGER:
		return json_integer_value(j) != 0;
	case JSON_REAL:
		return json_real_value(j) != 0;
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(j) > 0;
	case JSON_OBJECT:
		return json_object_size(j) > 0;
	default:
		return false;
	}
}

static const char *go_type(json_t *j)
{
	if (!j || json_is_null(j))
		return "interface {}";
	switch (json_typeof(j)) {
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "float64";
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_OBJECT:
		return "map[string]interface {}";
	default:
		return "bool";
	}
}

static bool is_map_field(const struct tmpl *t, const char *name)
{
	for (size_t i = 0; t->map_fields && t->map_fields[i]; i++)
		if (!strcmp(t->map_fields[i], name))
			return true;
	return false;
}

/* The text of an operand, for "at <...>". */
static char *arg_text(const struct tmpl_arg *a)
{
	char *s = xstrdup(a->kind == A_VAR ? a->name : "");

	for (size_t i = 0; i < a->nfields; i++) {
		char *old = s;

		s = xasprintf("%s.%s", old, a->fields[i]);
		free(old);
	}
	return s;
}

/* v.A.B: steals @v's reference. */
static int walk(struct tmpl_state *s, const struct tmpl_arg *a,
		struct tmpl_val v, struct tmpl_val *out)
{
	for (size_t i = 0; i < a->nfields; i++) {
		const char *f = a->fields[i];
		json_t *x =
		    json_is_object(v.j) ? json_object_get(v.j, f) : NULL;
		cleanup_free char *ctx = NULL;

		if (x || (json_is_object(v.j) && v.map)) {
			json_incref(x);
			json_decref(v.j);
			v = (struct tmpl_val){x, is_map_field(s->t, f)};
			continue;
		}
		ctx = arg_text(a);
		if (json_is_object(v.j))
			tmpl_errorf(s, a->pos, ctx,
				    "map has no entry for key \"%s\"", f);
		else if (!v.j)
			tmpl_errorf(s, a->pos, ctx,
				    "nil data; no entry for key \"%s\"", f);
		else if (json_is_null(v.j))
			tmpl_errorf(s, a->pos, ctx,
				    "nil pointer evaluating interface {}.%s",
				    f);
		else
			tmpl_errorf(s, a->pos, ctx,
				    "can't evaluate field %s in type %s", f,
				    go_type(v.j));
		json_decref(v.j);
		return -1;
	}
	*out = v;
	return 0;
}

static const struct tmpl_val *var_get(struct tmpl_state *s, const char *name)
{
	for (size_t i = s->nvars; i-- > 0;)
		if (!strcmp(s->vars[i].name, name))
			return &s->vars[i].v;
	return NULL;
}

static void var_push(struct tmpl_state *s, const char *name, struct tmpl_val v)
{
	if (s->nvars == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->vars = xrealloc(s->vars, s->cap * sizeof(*s->vars));
	}
	json_incref(v.j);
	s->vars[s->nvars].name = xstrdup(name);
	s->vars[s->nvars++].v = v;
}

static void var_pop(struct tmpl_state *s, size_t mark)
{
	while (s->nvars > mark) {
		s->nvars--;
		free(s->vars[s->nvars].name);
		json_decref(s->vars[s->nvars].v.j);
	}
}

static int eval_pipe(struct tmpl_state *s, const struct tmpl_pipe *pi,
		     struct tmpl_val dot, struct tmpl_val *out);

static int eval_arg(struct tmpl_state *s, const struct tmpl_arg *a,
		    struct tmpl_val dot, struct tmpl_val *out)
{
	struct tmpl_val v = {0};
	const struct tmpl_val *var;

	switch (a->kind) {
	case A_FIELD:
	case A_DOT:
		v = dot;
		json_incref(v.j);
		break;
	case A_VAR:
		var = var_get(s, a->name);
		if (var)
			v = *var;
		json_incref(v.j);
		break;
	case A_LIT:
		v.j = a->lit ? json_incref(a->lit) : json_null();
		break;
	case A_PIPE:
		if (eval_pipe(s, a->pipe, dot, &v) < 0)
			return -1;
		break;
	case A_FUNC: {
		json_t *res = NULL;

		if (tmpl_call(s, NULL, a->name, NULL, 0, &res) < 0)
			return -1;
		v.j = res;
		break;
	}
	}
	return walk(s, a, v, out);
}

/* A command: a function call, or an operand alone; @final is piped in. */
static int eval_cmd(struct tmpl_state *s, const struct tmpl_cmd *c,
		    struct tmpl_val dot, json_t *final, struct tmpl_val *out)
{
	const struct tmpl_arg *a0 = c->args[0];
	json_t **args;
	size_t n = 0;
	int r = 0;

	if (a0->kind != A_FUNC) {
		if ((c->nargs > 1 || final) && a0->nfields)
			return tmpl_errorf(s, c->pos, c->text,
					   "%s is not a method but has "
					   "arguments",
					   a0->fields[a0->nfields - 1]);
		if (c->nargs > 1 || final)
			return tmpl_errorf(s, c->pos, c->text,
					   "can't give argument to "
					   "non-function %.*s",
					   (int)strcspn(c->text, " \t\n"),
					   c->text);
		if (a0->kind == A_LIT && !a0->lit)
			return tmpl_errorf(s, c->pos, c->text,
					   "nil is not a command");
		return eval_arg(s, a0, dot, out);
	}
	args = xcalloc(c->nargs + 1, sizeof(*args));
	for (size_t i = 1; i < c->nargs && r == 0; i++) {
		struct tmpl_val v;

		r = eval_arg(s, c->args[i], dot, &v);
		if (r == 0)
			args[n++] = v.j;
	}
	if (final)
		args[n++] = json_incref(final);
	out->map = false;
	out->j = NULL;
	if (r == 0)
		r = tmpl_call(s, c, a0->name, args, n, &out->j);
	for (size_t i = 0; i < n; i++)
		json_decref(args[i]);
	free(args);
	return r;
}

static int eval_pipe(struct tmpl_state *s, const struct tmpl_pipe *pi,
		     struct tmpl_val dot, struct tmpl_val *out)
{
	struct tmpl_val v = {0};

	for (size_t i = 0; i < pi->ncmds; i++) {
		struct tmpl_val next;
		bool piped = i > 0;

		/* an invalid value piped in is still an argument */
		if (piped && !v.j)
			v.j = json_null();
		if (eval_cmd(s, pi->cmds[i], dot, piped ? v.j : NULL, &next) <
		    0) {
			json_decref(v.j);
			return -1;
		}
		json_decref(v.j);
		v = next;
	}
	*out = v;
	return 0;
}

/* The value of a pipeline, its declaration ($x := ...) done. */
static int eval_decl_pipe(struct tmpl_state *s, const struct tmpl_pipe *pi,
			  struct tmpl_val dot, struct tmpl_val *out)
{
	if (eval_pipe(s, pi, dot, out) < 0)
		return -1;
	for (size_t i = 0; i < pi->ndecl; i++) {
		struct tmpl_var *old = NULL;

		for (size_t k = s->nvars; pi->assign && k-- > 0;) {
			if (!strcmp(s->vars[k].name, pi->decl[i])) {
				old = &s->vars[k];
				break;
			}
		}
		if (!old) {
			var_push(s, pi->decl[i], *out);
			continue;
		}
		json_decref(old->v.j);
		old->v = *out;
		json_incref(out->j);
	}
	return 0;
}

static int exec_list(struct tmpl_state *s, const struct tmpl_list *l,
		     struct tmpl_val dot);

static int exec_range_one(struct tmpl_state *s, const struct tmpl_node *n,
			  json_t *key, json_t *elem, bool map)
{
	const struct tmpl_pipe *pi = n->pipe;
	size_t mark = s->nvars;
	struct tmpl_val ev = {elem, map};
	int r;

	if (pi->ndecl == 1)
		var_push(s, pi->decl[0], ev);
	if (pi->ndecl == 2) {
		var_push(s, pi->decl[0], (struct tmpl_val){key, false});
		var_push(s, pi->decl[1], ev);
	}
	r = exec_list(s, n->body, ev);
	var_pop(s, mark);
	return r;
}

static int exec_range(struct tmpl_state *s, const struct tmpl_node *n,
		      struct tmpl_val v)
{
	size_t i, k;
	json_t *x;
	int r = 0;

	if (json_is_array(v.j) && json_array_size(v.j)) {
		json_array_foreach(v.j, i, x)
		{
			json_t *key = json_integer((json_int_t)i);

			r = exec_range_one(s, n, key, x, false);
			json_decref(key);
			if (r < 0)
				return -1;
		}
		return 0;
	}
	if (json_is_object(v.j) && json_object_size(v.j)) {
		const char **keys = sorted_keys(v.j, &k);

		for (i = 0; i < k && r == 0; i++) {
			json_t *key = json_string(keys[i]);

			r = exec_range_one(
			    s, n, key, json_object_get(v.j, keys[i]), false);
			json_decref(key);
		}
		free(keys);
		return r;
	}
	if (v.j && !json_is_null(v.j) && !json_is_array(v.j) &&
	    !json_is_object(v.j)) {
		cleanup_free char *what = tmpl_sprint(v.j);

		return tmpl_errorf(s, n->pipe->pos, n->pipe->cmds[0]->text,
				   "range can't iterate over %s", what);
	}
	return n->other ? exec_list(s, n->other, (struct tmpl_val){0}) : 0;
}

static int exec_node(struct tmpl_state *s, const struct tmpl_node *n,
		     struct tmpl_val dot)
{
	size_t mark = s->nvars;
	struct tmpl_val v;
	int r;

	if (n->kind == N_TEXT) {
		fwrite(n->text, 1, n->len, s->out);
		return 0;
	}
	if (n->kind == N_RANGE)
		r = eval_pipe(s, n->pipe, dot, &v);
	else
		r = eval_decl_pipe(s, n->pipe, dot, &v);
	if (r < 0)
		return -1;
	if (n->kind == N_ACTION) {
		if (!n->pipe->ndecl)
			tmpl_print_val(s->out, v.j, true);
		json_decref(v.j);
		return 0; /* its variables live to the end of the block */
	}
	if (n->kind == N_RANGE)
		r = exec_range(s, n, v);
	else if (tmpl_truth(v.j))
		r = exec_list(s, n->body, n->kind == N_WITH ? v : dot);
	else if (n->other)
		r = exec_list(s, n->other, dot);
	json_decref(v.j);
	var_pop(s, mark);
	return r;
}

static int exec_list(struct tmpl_state *s, const struct tmpl_list *l,
		     struct tmpl_val dot)
{
	size_t mark = s->nvars;
	int r = 0;

	if (++s->depth > 1000)
		r = tmpl_errorf(s, 0, "", "exceeded maximum template depth");
	for (size_t i = 0; i < l->n && r == 0; i++)
		r = exec_node(s, l->v[i], dot);
	var_pop(s, mark);
	s->depth--;
	return r;
}

int tmpl_exec(const struct tmpl *t, json_t *dot, char **out, struct hm_err *e)
{
	struct tmpl_state s = {.t = t, .e = e};
	struct tmpl_val root = {dot, false};
	size_t len = 0;
	int r;

	*out = NULL;
	s.out = open_memstream(out, &len);
	if (!s.out)
		abort(); /* out of memory, as xmalloc */
	var_push(&s, "$", root);
	r = exec_list(&s, t->root, root);
	var_pop(&s, 0);
	free(s.vars);
	fclose(s.out);
	if (r < 0) {
		free(*out);
		*out = NULL;
	}
	return r;
}
