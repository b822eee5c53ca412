/* SPDX-License-Identifier: MIT */
/*
 * Go templates (template.h): the functions, Go's builtins and Docker's
 * (github.com/docker/cli templates.basicFunctions), and printf's verbs.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/template_int.h"
#include "base/util.h"

#define FN(name)                                                             \
	static int fn_##name(struct tmpl_state *s, const struct tmpl_cmd *c, \
			     json_t **a, size_t n, json_t **res)

static int fn_err(struct tmpl_state *s, const struct tmpl_cmd *c,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fn_err(struct tmpl_state *s, const struct tmpl_cmd *c,
		  const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return tmpl_errorf(s, c ? c->pos : 0, c ? c->text : "", "%s", why);
}

static const char *go_kind(json_t *j)
{
	if (!j || json_is_null(j))
		return "<nil>";
	if (json_is_string(j))
		return "string";
	if (json_is_number(j))
		return "float64";
	if (json_is_boolean(j))
		return "bool";
	return json_is_array(j) ? "[]interface {}" : "map[string]interface {}";
}

/* a string argument, or an error naming what it got */
static int want_str(struct tmpl_state *s, const struct tmpl_cmd *c, json_t *j,
		    const char **out)
{
	if (!json_is_string(j))
		return fn_err(s, c,
			      "wrong type for value; expected string; "
			      "got %s",
			      go_kind(j));
	*out = json_string_value(j);
	return 0;
}

static char *strv_value(json_t *a, size_t i)
{
	return tmpl_sprint(json_array_get(a, i));
}

FN(json)
{
	char *t = n && a[0] ? json_dumps(a[0], JSON_COMPACT | JSON_ENCODE_ANY |
						   JSON_SORT_KEYS)
			    : NULL;

	(void)s;
	(void)c;
	*res = json_string_nocheck(t ? t : "null");
	free(t);
	return 0;
}

FN(join)
{
	const char *sep = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!json_is_array(a[0]))
		return fn_err(s, c,
			      "wrong type for value; expected []string; "
			      "got %s",
			      go_kind(a[0]));
	if (want_str(s, c, a[1], &sep) < 0)
		return -1;
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	for (size_t i = 0; i < json_array_size(a[0]); i++) {
		cleanup_free char *v = strv_value(a[0], i);

		fprintf(f, "%s%s", i ? sep : "", v);
	}
	fclose(f);
	*res = json_stringn_nocheck(buf, len);
	free(buf);
	(void)n;
	return 0;
}

FN(split)
{
	const char *str = NULL, *sep = NULL, *p;
	size_t sl;

	if (want_str(s, c, a[0], &str) < 0 || want_str(s, c, a[1], &sep) < 0)
		return -1;
	*res = json_array();
	sl = strlen(sep);
	while (sl && (p = strstr(str, sep))) {
		json_array_append_new(
		    *res, json_stringn_nocheck(str, (size_t)(p - str)));
		str = p + sl;
	}
	for (; !sl && str[0] && str[1]; str++)
		json_array_append_new(*res, json_stringn_nocheck(str, 1));
	json_array_append_new(*res, json_string_nocheck(str));
	(void)n;
	return 0;
}

static int change_case(struct tmpl_state *s, const struct tmpl_cmd *c,
		       json_t *a, int how, json_t **res)
{
	const char *str = NULL;
	char *t;
	bool start = true;

	if (want_str(s, c, a, &str) < 0)
		return -1;
	t = xstrdup(str);
	for (char *p = t; *p; p++) {
		if (how == 'l')
			*p = (char)tolower((unsigned char)*p);
		else if (how == 'u' || (how == 't' && start))
			*p = (char)toupper((unsigned char)*p);
		start = !isalnum((unsigned char)*p) && *p != '_' &&
			!((unsigned char)*p & 0x80);
	}
	*res = json_string_nocheck(t);
	free(t);
	return 0;
}

FN(lower)
{
	(void)n;
	return change_case(s, c, a[0], 'l', res);
}

FN(upper)
{
	(void)n;
	return change_case(s, c, a[0], 'u', res);
}

FN(title)
{
	(void)n;
	return change_case(s, c, a[0], 't', res);
}

/* the byte length of the first @chars UTF-8 characters of @str */
static size_t utf8_prefix(const char *str, size_t chars)
{
	size_t i = 0;

	for (; str[i] && chars; chars--)
		for (i++; ((unsigned char)str[i] & 0xc0) == 0x80; i++)
			;
	return i;
}

FN(truncate)
{
	const char *str = NULL;

	if (want_str(s, c, a[0], &str) < 0)
		return -1;
	if (!json_is_integer(a[1]) || json_integer_value(a[1]) < 0)
		return fn_err(s, c,
			      "wrong type for value; expected int; "
			      "got %s",
			      go_kind(a[1]));
	*res = json_stringn_nocheck(
	    str, utf8_prefix(str, (size_t)json_integer_value(a[1])));
	(void)n;
	return 0;
}

FN(pad)
{
	const char *str = NULL;
	char *t;
	int l, r;

	if (want_str(s, c, a[0], &str) < 0)
		return -1;
	l = (int)json_integer_value(a[1]);
	r = (int)json_integer_value(a[2]);
	t = xasprintf("%*s%s%*s", l < 0 ? 0 : l, "", str, r < 0 ? 0 : r, "");
	*res = json_string_nocheck(t);
	free(t);
	(void)n;
	return 0;
}

FN(index)
{
	json_t *v = a[0];

	for (size_t i = 1; i < n; i++) {
		if (json_is_object(v) && json_is_string(a[i])) {
			v = json_object_get(v, json_string_value(a[i]));
			if (!v) { /* a typed map's zero value */
				*res = json_string("");
				return 0;
			}
		} else if (json_is_array(v) && json_is_integer(a[i])) {
			json_int_t k = json_integer_value(a[i]);

			if (k < 0 || (size_t)k >= json_array_size(v))
				return fn_err(s, c,
					      "error calling index: index out "
					      "of range: %" JSON_INTEGER_FORMAT,
					      k);
			v = json_array_get(v, (size_t)k);
		} else if (!v || json_is_null(v)) {
			return fn_err(s, c,
				      "error calling index: index of "
				      "untyped nil");
		} else {
			return fn_err(s, c,
				      "error calling index: cannot index "
				      "%s with %s",
				      go_kind(v), go_kind(a[i]));
		}
	}
	*res = json_incref(v);
	return 0;
}

FN(len)
{
	(void)n;
	if (json_is_string(a[0]))
		*res = json_integer((json_int_t)json_string_length(a[0]));
	else if (json_is_array(a[0]))
		*res = json_integer((json_int_t)json_array_size(a[0]));
	else if (json_is_object(a[0]))
		*res = json_integer((json_int_t)json_object_size(a[0]));
	else
		return fn_err(s, c, "error calling len: len of type %s",
			      go_kind(a[0]));
	return 0;
}

/* fmt.Sprint (@ln: fmt.Sprintln) of the arguments */
static int print_args(json_t **a, size_t n, bool ln, json_t **res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (i && (ln ||
			  (!json_is_string(a[i]) && !json_is_string(a[i - 1]))))
			fputc(' ', f);
		tmpl_print_val(f, a[i], false);
	}
	if (ln)
		fputc('\n', f);
	fclose(f);
	*res = json_stringn_nocheck(buf, len);
	free(buf);
	return 0;
}

FN(print)
{
	(void)s;
	(void)c;
	return print_args(a, n, false, res);
}

FN(println)
{
	(void)s;
	(void)c;
	return print_args(a, n, true, res);
}

FN(not )
{
	(void)s;
	(void)c;
	(void)n;
	*res = json_boolean(!tmpl_truth(a[0]));
	return 0;
}

FN(and)
{
	size_t i = 0;

	(void)s;
	(void)c;
	while (i + 1 < n && tmpl_truth(a[i]))
		i++;
	*res = json_incref(a[i]);
	return 0;
}

FN(or)
{
	size_t i = 0;

	(void)s;
	(void)c;
	while (i + 1 < n && !tmpl_truth(a[i]))
		i++;
	*res = json_incref(a[i]);
	return 0;
}

/* <0, 0, >0; or 2 when @a and @b cannot be compared */
static int compare(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		return (x > y) - (x < y);
	}
	if (json_is_string(a) && json_is_string(b)) {
		int r = strcmp(json_string_value(a), json_string_value(b));

		return (r > 0) - (r < 0);
	}
	if (json_is_boolean(a) && json_is_boolean(b))
		return json_is_true(a) != json_is_true(b);
	if ((!a || json_is_null(a)) && (!b || json_is_null(b)))
		return 0;
	return 2;
}

FN(eq)
{
	bool hit = false;

	for (size_t i = 1; i < n && !hit; i++) {
		int r = compare(a[0], a[i]);

		if (r == 2)
			return fn_err(s, c,
				      "error calling eq: incompatible "
				      "types for comparison");
		hit = r == 0;
	}
	*res = json_boolean(hit);
	return 0;
}

FN(ne)
{
	int r = compare(a[0], a[1]);

	(void)n;
	if (r == 2)
		return fn_err(s, c,
			      "error calling ne: incompatible types for "
			      "comparison");
	*res = json_boolean(r != 0);
	return 0;
}

static int order(struct tmpl_state *s, const struct tmpl_cmd *c, json_t **a,
		 const char *name, json_t **res)
{
	int r = compare(a[0], a[1]);

	if (r == 2 || json_is_boolean(a[0]) || !a[0] || json_is_null(a[0]))
		return fn_err(s, c,
			      "error calling %s: invalid type for "
			      "comparison",
			      name);
	*res = json_boolean(!strcmp(name, "lt")	  ? r < 0
			    : !strcmp(name, "le") ? r <= 0
			    : !strcmp(name, "gt") ? r > 0
						  : r >= 0);
	return 0;
}

FN(lt)
{
	(void)n;
	return order(s, c, a, "lt", res);
}

FN(le)
{
	(void)n;
	return order(s, c, a, "le", res);
}

FN(gt)
{
	(void)n;
	return order(s, c, a, "gt", res);
}

FN(ge)
{
	(void)n;
	return order(s, c, a, "ge", res);
}

/* One verb of printf (%[flags][width][.prec]verb) with its argument. */
static void printf_verb(FILE *f, const char *spec, size_t slen, char verb,
			json_t *arg)
{
	char fmt[40];

	if (slen > 30)
		slen = 30;
	if (!arg) {
		fprintf(f, "%%!%c(MISSING)", verb);
		return;
	}
	if (verb == 'c' && json_is_integer(arg)) {
		fputc((int)json_integer_value(arg), f);
	} else if (strchr("dxXo", verb) && json_is_integer(arg)) {
		snprintf(fmt, sizeof(fmt), "%%%.*sll%c", (int)slen, spec, verb);
		fprintf(f, fmt, (long long)json_integer_value(arg));
	} else if (strchr("feEgG", verb) && json_is_number(arg)) {
		snprintf(fmt, sizeof(fmt), "%%%.*s%c", (int)slen, spec, verb);
		fprintf(f, fmt, json_number_value(arg));
	} else if (verb == 'q' && json_is_string(arg)) {
		char *q = json_dumps(arg, JSON_ENCODE_ANY);

		fputs(q ? q : "\"\"", f);
		free(q);
	} else if (strchr("svdtq", verb)) {
		cleanup_free char *v = tmpl_sprint(arg);

		snprintf(fmt, sizeof(fmt), "%%%.*ss", (int)slen, spec);
		fprintf(f, fmt, v);
	} else {
		cleanup_free char *v = tmpl_sprint(arg);

		fprintf(f, "%%!%c(%s=%s)", verb, go_kind(arg), v);
	}
}

FN(printf)
{
	const char *p = NULL;
	char *buf = NULL;
	size_t len = 0, k = 1;
	FILE *f;

	if (want_str(s, c, a[0], &p) < 0)
		return -1;
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	for (; *p; p++) {
		size_t sl;

		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		if (p[1] == '%') {
			fputc('%', f);
			p++;
			continue;
		}
		sl = strspn(p + 1, "-+# 0123456789.");
		if (!p[1 + sl]) {
			fputs("%!(NOVERB)", f);
			break;
		}
		printf_verb(f, p + 1, sl, p[1 + sl], k < n ? a[k] : NULL);
		k++;
		p += 1 + sl;
	}
	fclose(f);
	*res = json_stringn_nocheck(buf, len);
	free(buf);
	return 0;
}

static const struct func {
	const char *name;
	int (*fn)(struct tmpl_state *s, const struct tmpl_cmd *c, json_t **a,
		  size_t n, json_t **res);
	size_t min, max; /* arguments */
} funcs[] = {
    {"and", fn_and, 1, SIZE_MAX},
    {"eq", fn_eq, 2, SIZE_MAX},
    {"ge", fn_ge, 2, 2},
    {"gt", fn_gt, 2, 2},
    {"index", fn_index, 1, SIZE_MAX},
    {"join", fn_join, 2, 2},
    {"json", fn_json, 1, 1},
    {"le", fn_le, 2, 2},
    {"len", fn_len, 1, 1},
    {"lower", fn_lower, 1, 1},
    {"lt", fn_lt, 2, 2},
    {"ne", fn_ne, 2, 2},
    {"not", fn_not, 1, 1},
    {"or", fn_or, 1, SIZE_MAX},
    {"pad", fn_pad, 3, 3},
    {"print", fn_print, 0, SIZE_MAX},
    {"printf", fn_printf, 1, SIZE_MAX},
    {"println", fn_println, 0, SIZE_MAX},
    {"split", fn_split, 2, 2},
    {"title", fn_title, 1, 1},
    {"truncate", fn_truncate, 2, 2},
    {"upper", fn_upper, 1, 1},
};

static const struct func *func_get(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

bool tmpl_func_exists(const char *name)
{
	return func_get(name) != NULL;
}

int tmpl_call(struct tmpl_state *s, const struct tmpl_cmd *c, const char *name,
	      json_t **a, size_t n, json_t **res)
{
	const struct func *fn = func_get(name);

	if (n < fn->min || n > fn->max) {
		if (fn->min == fn->max)
			return fn_err(s, c,
				      "wrong number of args for %s: want "
				      "%zu got %zu",
				      name, fn->min, n);
		return fn_err(s, c,
			      "wrong number of args for %s: want at "
			      "least %zu got %zu",
			      name, fn->min, n);
	}
	return fn->fn(s, c, a, n, res);
}
