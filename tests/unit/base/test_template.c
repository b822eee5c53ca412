/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of base/template*.c and base/tabwriter.c: each expectation is
 * what Go's text/template (with Docker's functions) prints for the same
 * template over the same JSON, and what text/tabwriter does with Docker's
 * table settings.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "base/template.h"

static const char *const map_fields[] = {"Labels", "Ports", NULL};

static const char data[] =
    "{\"Id\": \"abc123\", \"Name\": \"/web\", \"RestartCount\": 2,"
    " \"Args\": [\"-c\", \"echo hi\"], \"Empty\": [], \"Nil\": null,"
    " \"Ratio\": 0.5, \"Yes\": true, \"No\": false,"
    " \"State\": {\"Status\": \"running\", \"Running\": true, \"Pid\": 42,"
    "  \"ExitCode\": 0},"
    " \"Config\": {\"Env\": [\"A=1\", \"B=2\"], \"Cmd\": [\"sh\"],"
    "  \"Labels\": {\"b\": \"2\", \"a\": \"1\", \"x.y\": \"dot\"}},"
    " \"NetworkSettings\": {\"Ports\": {\"80/tcp\": [{\"HostIp\":"
    "  \"0.0.0.0\", \"HostPort\": \"8080\"}]}}}";

static char *run(const char *src, struct hm_err *e)
{
	json_t *j = json_loads(data, 0, NULL);
	struct tmpl *t;
	char *out = NULL;

	assert_non_null(j);
	t = tmpl_parse(src, map_fields, e);
	if (t && tmpl_exec(t, j, &out, e) < 0)
		out = NULL;
	tmpl_free(t);
	json_decref(j);
	return out;
}

#define OK(src, want)                                    \
	do {                                             \
		struct hm_err e_ = {0};                  \
		char *o_ = run(src, &e_);                \
		if (!o_)                                 \
			fail_msg("%s: %s", src, e_.msg); \
		assert_string_equal(o_, want);           \
		free(o_);                                \
	} while (0)
#define BAD(src, want)                                                \
	do {                                                          \
		struct hm_err e_ = {0};                               \
		char *o_ = run(src, &e_);                             \
		if (o_)                                               \
			fail_msg("%s: no error but \"%s\"", src, o_); \
		assert_string_equal(e_.msg, want);                    \
		assert_int_equal(e_.exit_code, 125);                  \
	} while (0)

static void test_fields(void **state)
{
	(void)state;
	OK("", "");
	OK("plain text", "plain text");
	OK("{{.Id}}", "abc123");
	OK("{{.State.Status}} {{.State.Pid}}", "running 42");
	OK("{{.State.Running}}/{{.No}}", "true/false");
	OK("{{.RestartCount}}", "2");
	OK("{{.Ratio}}", "0.5");
	OK("{{.Args}}", "[-c echo hi]");
	OK("{{.Empty}}", "[]");
	OK("{{.Nil}}", "<nil>");
	OK("{{.Config.Labels}}", "map[a:1 b:2 x.y:dot]");
	OK("{{.State}}", "map[ExitCode:0 Pid:42 Running:true Status:running]");
	/* a map of the user's keys: a missing key is no error */
	OK("{{.Config.Labels.zz}}", "<no value>");
	OK("{{.Config.Labels.a}}", "1");
	OK("{{$.Id}}", "abc123");
	OK("{{with .State}}{{.Pid}}{{end}}", "42");
}

static void test_functions(void **state)
{
	(void)state;
	OK("{{json .Args}}", "[\"-c\",\"echo hi\"]");
	OK("{{json .Config.Labels}}",
	   "{\"a\":\"1\",\"b\":\"2\",\"x.y\":\"dot\"}");
	OK("{{json .Nil}}", "null");
	OK("{{json .Id}}", "\"abc123\"");
	OK("{{index .Config.Labels \"x.y\"}}", "dot");
	OK("{{index .Config.Labels \"nope\"}}", "");
	OK("{{index .Args 1}}", "echo hi");
	OK("{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}",
	   "8080");
	OK("{{join .Args \" \"}}", "-c echo hi");
	OK("{{join .Config.Env \",\"}}", "A=1,B=2");
	OK("{{json (split \"a:b:c\" \":\")}}", "[\"a\",\"b\",\"c\"]");
	OK("{{lower \"AbC\"}} {{upper .State.Status}}", "abc RUNNING");
	OK("{{title \"hello world\"}}", "Hello World");
	OK("{{truncate .Id 3}}", "abc");
	OK("[{{pad \"x\" 1 2}}]", "[ x  ]");
	OK("{{len .Args}} {{len .Config.Labels}} {{len .Id}}", "2 3 6");
	OK("{{printf \"%s=%d\" .Id .State.Pid}}", "abc123=42");
	OK("{{printf \"%-6s|%5d|%v|%q\" \"ab\" 7 .Args \"x\"}}",
	   "ab    |    7|[-c echo hi]|\"x\"");
	OK("{{printf \"%d%%\" 5}}", "5%");
	OK("{{printf \"%s %s\" \"a\"}}", "a %!s(MISSING)");
	OK("{{println .Id 1}}", "abc123 1\n");
	OK("{{print \"a\" 1 2 \"b\"}}", "a1 2b");
	OK("{{.Id | printf \"<%s>\"}}", "<abc123>");
	OK("{{.State.Status | upper | printf \"%s!\"}}", "RUNNING!");
	OK("{{eq .State.Status \"running\"}} {{ne 1 2}}", "true true");
	OK("{{eq .State.Pid 1 2 42}}", "true");
	OK("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}",
	   "true true true false");
	OK("{{and .Yes .Id}} {{or .No .Empty 0}} {{not .No}}", "abc123 0 true");
}

static void test_control(void **state)
{
	(void)state;
	OK("{{if .State.Running}}up{{else}}down{{end}}", "up");
	OK("{{if .No}}a{{else if .Yes}}b{{else}}c{{end}}", "b");
	OK("{{if .Empty}}a{{end}}{{if .Nil}}b{{end}}{{if 0}}c{{end}}", "");
	OK("{{if eq .State.ExitCode 0}}ok{{end}}", "ok");
	OK("{{range .Args}}[{{.}}]{{end}}", "[-c][echo hi]");
	OK("{{range $i, $a := .Args}}{{$i}}={{$a}} {{end}}", "0=-c 1=echo hi ");
	OK("{{range $v := .Config.Env}}{{$v}};{{end}}", "A=1;B=2;");
	OK("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}},{{end}}",
	   "a:1,b:2,x.y:dot,");
	OK("{{range .Empty}}x{{else}}none{{end}}", "none");
	OK("{{range .Nil}}x{{end}}", "");
	OK("{{range $p, $b := .NetworkSettings.Ports}}{{$p}}->"
	   "{{(index $b 0).HostPort}}{{end}}",
	   "80/tcp->8080");
	OK("{{with .Nil}}x{{else}}y{{end}}", "y");
	OK("{{$x := .Id}}{{$x}}{{$x = \"new\"}} {{$x}}", "abc123 new");
	OK("{{range .Args}}{{$.Id}}{{end}}", "abc123abc123");
	OK("{{/* a comment */}}a", "a");
	OK("a  {{- /* trimmed */ -}}  b", "ab");
	OK("x\n  {{- .Id -}}\n  y", "xabc123y");
	OK("{{-3}}", "-3");
	OK("{{\"a\\tb\\n\"}}{{`raw\\n`}}", "a\tb\nraw\\n");
	OK("{{(.State).Pid}}", "42");
}

static void test_errors(void **state)
{
	(void)state;
	BAD("{{.Foo}}", "template: :1:2: executing \"\" at <.Foo>: map has "
			"no entry for key \"Foo\"");
	BAD("x\n{{.State.Nope}}", "template: :2:2: executing \"\" at "
				  "<.State.Nope>: map has no entry for key "
				  "\"Nope\"");
	BAD("{{.Id.X}}", "template: :1:2: executing \"\" at <.Id.X>: can't "
			 "evaluate field X in type string");
	BAD("{{nosuch .Id}}", "template: :1: function \"nosuch\" not defined");
	BAD("{{.Id", "template: :1: unclosed action");
	BAD("{{if .Id}}x", "template: :1: unexpected EOF");
	BAD("{{end}}", "template: :1: unexpected {{end}}");
	BAD("{{$nope}}", "template: :1: undefined variable \"$nope\"");
	BAD("{{join .Args}}", "template: :1:2: executing \"\" at <join .Args>: "
			      "wrong number of args for join: want 2 got 1");
	BAD("{{index .Args 5}}", "template: :1:2: executing \"\" at <index "
				 ".Args 5>: error calling index: index out of "
				 "range: 5");
	BAD("{{range .Id}}{{end}}", "template: :1:8: executing \"\" at "
				    "<.Id>: range can't iterate over abc123");
	BAD("{{.Id .Name}}", "template: :1:2: executing \"\" at <.Id .Name>: "
			     "Id is not a method but has arguments");
	BAD("{{\"x\" 1}}", "template: :1:2: executing \"\" at <\"x\" 1>: "
			   "can't give argument to non-function \"x\"");
	BAD("{{lower 1}}", "template: :1:2: executing \"\" at <lower 1>: wrong "
			   "type for value; expected string; got float64");
	BAD("{{\"x}}", "template: :1: unterminated quoted string");
	BAD("{{}}", "template: :1: missing value for command");
	BAD("{{@}}", "template: :1: unrecognized character in action: U+0040 "
		     "'@'");
	BAD("{{define \"x\"}}{{end}}",
	    "template: :1: {{define}} is not supported");
	BAD("{{eq .Id 1}}", "template: :1:2: executing \"\" at <eq .Id 1>: "
			    "error calling eq: incompatible types for "
			    "comparison");
}

static void tab(const char *in, const char *want)
{
	char *out = tmpl_tabwrite(in, 10, 3);

	assert_string_equal(out, want);
	free(out);
}

static void test_tabwriter(void **state)
{
	(void)state;
	tab("", "");
	tab("a\tb\n", "a         b\n");
	tab("CONTAINER ID\tNAMES\nab\tx\n", "CONTAINER ID   NAMES\n"
					    "ab             x\n");
	/* a long cell widens its column for every line of the block */
	tab("A\tB\tC\nLess than a second ago\tb\tc\n",
	    "A                        B         C\n"
	    "Less than a second ago   b         c\n");
	/* widths count characters, not bytes */
	tab("é\tx\nab\ty\n", "é         x\nab        y\n");
	/* a line without the column ends its block */
	tab("aaaaaaaaaaaa\tb\nno tabs\nc\td\n",
	    "aaaaaaaaaaaa   b\nno tabs\nc         d\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields),    cmocka_unit_test(test_functions),
	    cmocka_unit_test(test_control),   cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_tabwriter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
