/* SPDX-License-Identifier: MIT */
/*
 * The template engine's insides, shared by its files: template_lex.c (the
 * lexer), template.c (the parser), template_exec.c (execution),
 * template_func.c (the functions).
 */
#ifndef HOMO_TEMPLATE_INT_H
#define HOMO_TEMPLATE_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/template.h"

enum tok {
	T_EOF,
	T_TEXT,
	T_LEFT,
	T_RIGHT,
	T_FIELD,
	T_DOT,
	T_VAR,
	T_IDENT,
	T_STRING,
	T_NUMBER,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE,
	T_ASSIGN,
	T_COMMA,
};

struct token {
	enum tok t;
	int pos, end;
	bool adj;   /* no space before it */
	char *s;    /* its text (a string literal: the value) */
	size_t len; /* of s */
};

/* the tokens of @src (free each s, then the array), or -1 with @e set */
int tmpl_lex(const char *src, struct token **v, size_t *n, struct hm_err *e);
char *tmpl_dupn(const char *s, size_t n);
/* the line of byte @pos of @src, from 1 */
int tmpl_line_of(const char *src, int pos);

enum tmpl_akind {
	A_FIELD, /* .A.B on dot */
	A_DOT,	 /* . */
	A_VAR,	 /* $x.A.B */
	A_FUNC,	 /* an identifier: a function */
	A_LIT,	 /* string, number, true, false, nil */
	A_PIPE,	 /* (pipeline).A.B */
};

struct tmpl_pipe;

struct tmpl_arg {
	enum tmpl_akind kind;
	int pos;
	char *name;    /* A_VAR: "$x"; A_FUNC: the name */
	char **fields; /* the .A.B chain after it */
	size_t nfields;
	json_t *lit; /* A_LIT (NULL: nil) */
	struct tmpl_pipe *pipe;
};

struct tmpl_cmd {
	struct tmpl_arg **args;
	size_t nargs;
	int pos;
	char *text; /* its source, for "at <...>" */
};

struct tmpl_pipe {
	char **decl; /* $x or $i, $v */
	size_t ndecl;
	bool assign; /* = rather than := */
	struct tmpl_cmd **cmds;
	size_t ncmds;
	int pos;
};

enum tmpl_nkind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH };

struct tmpl_node {
	enum tmpl_nkind kind;
	int pos;
	char *text; /* N_TEXT */
	size_t len;
	struct tmpl_pipe *pipe;
	struct tmpl_list *body, *other; /* other: the {{else}} part */
};

struct tmpl_list {
	struct tmpl_node **v;
	size_t n;
};

struct tmpl {
	char *src;
	struct tmpl_list *root;
	char **map_fields;
};

/* A value: a reference (NULL = Go's invalid value, "<no value>"); @map: a
 * map of the user's keys, where a missing key is no error. */
struct tmpl_val {
	json_t *j;
	bool map;
};

struct tmpl_state {
	const struct tmpl *t;
	FILE *out;
	struct tmpl_var {
		char *name;
		struct tmpl_val v;
	} * vars;
	size_t nvars, cap;
	struct hm_err *e;
	int depth;
};

/* "template: :L:C: executing "" at <ctx>: msg": -1 */
int tmpl_errorf(struct tmpl_state *s, int pos, const char *ctx, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
/* Go's %v of a value (fmt.Sprint of interface{}) onto @f */
void tmpl_print_val(FILE *f, json_t *j, bool top);
/* Go's truth: false, 0, nil, "", empty array or map are false */
bool tmpl_truth(json_t *j);
bool tmpl_func_exists(const char *name);
/* the function @name of command @c (NULL: an identifier as an argument) */
int tmpl_call(struct tmpl_state *s, const struct tmpl_cmd *c, const char *name,
	      json_t **args, size_t n, json_t **res);
/* a malloc'd string of Go's %v of @j */
char *tmpl_sprint(json_t *j);

#endif
