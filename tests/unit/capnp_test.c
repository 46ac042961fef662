/* The capnp text parser (src/config/capnp*.c): one check group per syntax element and per
 * error (with its exact position), the fixtures under tests/config/, embeds, nesting
 * limits and the resolver. Run from the repository root (paths are relative to it). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "base/base.h"
#include "config/capnp.h"
#include "check.h"

/* The file behind the last value_of(); freed by the next call and at the end. */
static isl_capnp_file_t *cur;

static isl_capnp_file_t *parse(const char *src, isl_capnp_error_t *err) {
  isl_capnp_free(cur);
  cur = isl_capnp_parse_string(src, strlen(src), "t.capnp", err);
  if (!cur) printf("  parse failed: %s\n", err->msg);
  return cur;
}

/* The value of `const x :T = VALUE;` (VALUE starts at column 14). */
static const isl_capnp_value_t *value_of(const char *value) {
  char src[4096];
  snprintf(src, sizeof src, "const x :T = %s;", value);
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse(src, &err);
  return f ? f->consts[0].value : NULL;
}

/* True if src fails with exactly "t.capnp:LINE:COL: MSG". */
static bool fails(const char *src, int line, int col, const char *msg) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_string(src, strlen(src), "t.capnp", &err);
  if (f) {
    isl_capnp_free(f);
    printf("  parsed, expected an error: %s\n", src);
    return false;
  }
  char want[700];
  snprintf(want, sizeof want, "t.capnp:%d:%d: %s", line, col, msg);
  if (strcmp(err.msg, want) != 0 || err.line != line || err.col != col) {
    printf("  got:  %s (%d:%d)\n  want: %s\n", err.msg, err.line, err.col, want);
    return false;
  }
  return true;
}

/* The same for a value inside `const x :T = VALUE;`, col counted within VALUE. */
static bool value_fails(const char *value, int col, const char *msg) {
  char src[4096];
  snprintf(src, sizeof src, "const x :T = %s;", value);
  return fails(src, 1, 13 + col, msg);
}

static bool is_str(const isl_capnp_value_t *v, const char *s, size_t n) {
  return v && v->kind == ISL_CAPNP_STRING && v->str.len == n && memcmp(v->str.p, s, n) == 0 &&
         v->str.p[n] == 0;
}
#define STR(v, lit) is_str((v), (lit), sizeof(lit) - 1)

static bool is_int(const isl_capnp_value_t *v, uint64_t mag, bool neg) {
  return v && v->kind == ISL_CAPNP_INT && v->i.mag == mag && v->i.neg == neg;
}

static bool at(const isl_capnp_value_t *v, int line, int col) {
  if (v && v->pos.line == line && v->pos.col == col && v->pos.file && strcmp(v->pos.file, "t.capnp") == 0)
    return true;
  if (v) printf("  position %d:%d, expected %d:%d\n", v->pos.line, v->pos.col, line, col);
  return false;
}

/* --- statements --- */

static void test_using_import(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse("using Workerd = import \"/workerd/workerd.capnp\";", &err);
  CHECK(f && f->nimports == 1 && f->nconsts == 0);
  if (!f) return;
  CHECK_STR(f->imports[0].name, "Workerd");
  CHECK_STR(f->imports[0].path, "/workerd/workerd.capnp");
  CHECK_STR(f->workerd_alias, "Workerd");
  CHECK(f->imports[0].pos.line == 1 && f->imports[0].pos.col == 7);
  /* Any alias works. */
  f = parse("using W = import \"/workerd/\" \"workerd.capnp\";\nconst c :W.Config = ();", &err);
  CHECK(f && isl_capnp_type_is(f, &f->consts[0], "Config"));
  CHECK(f && !isl_capnp_type_is(f, &f->consts[0], "Worker"));
  CHECK(fails("using D = import \"demo.capnp\";", 1, 18,
              "cannot import \"demo.capnp\": islet reads only \"/workerd/workerd.capnp\""));
  CHECK(fails("using D = Workerd.Worker;", 1, 11,
              "expected 'import' (islet reads only `using X = import \"...\";`)"));
  CHECK(fails("using = import \"x\";", 1, 7, "expected a name after 'using'"));
  CHECK(fails("using W = import \"/workerd/workerd.capnp\"", 1, 42, "expected ';'"));
  CHECK(fails("using W = import \"/workerd/workerd.capnp\";\nconst W :T = 1;", 2, 7,
              "name 'W' is defined twice"));
}

static void test_file_id(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse("# comment first\n@0xfeb2cedfa7aad686;\nconst a :Text = \"x\";", &err);
  CHECK(f && f->has_id && f->id == 0xfeb2cedfa7aad686ull);
  f = parse("const a :Text = \"x\";", &err);
  CHECK(f && !f->has_id);
  CHECK(fails("const a :Text = \"x\";\n@0x1;", 2, 1, "the file id must come first"));
  CHECK(fails("@x;", 1, 2, "expected a file id (like @0xfeb2cedfa7aad686) after '@'"));
  CHECK(fails("@0x1 const", 1, 6, "expected ';'"));
}

static void test_const(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f =
      parse("const a :Workerd.Config = ();\nconst  b : List( Text , Foo.Bar ) = [];", &err);
  CHECK(f && f->nconsts == 2);
  if (!f) return;
  CHECK_STR(f->consts[0].name, "a");
  CHECK_STR(f->consts[0].type, "Workerd.Config");
  CHECK(f->consts[0].pos.line == 1 && f->consts[0].pos.col == 7);
  CHECK(f->consts[0].type_pos.line == 1 && f->consts[0].type_pos.col == 10);
  CHECK_STR(f->consts[1].type, "List(Text,Foo.Bar)");
  CHECK(f->consts[1].pos.line == 2 && f->consts[1].pos.col == 8);
  CHECK(isl_capnp_find_const(f, "b") == &f->consts[1]);
  CHECK(isl_capnp_find_const(f, "c") == NULL);
  /* No workerd import: no type is a workerd type. */
  CHECK(!isl_capnp_type_is(f, &f->consts[0], "Config"));
  CHECK(fails("const a :T = 1;\nconst a :T = 2;", 2, 7, "const 'a' is defined twice"));
  CHECK(fails("const a = 1;", 1, 9, "expected ':' and a type"));
  CHECK(fails("const a : = 1;", 1, 11, "expected a type name"));
  CHECK(fails("const a :List(Text = 1;", 1, 20, "expected ')' or ','"));
  CHECK(fails("const a :T 1;", 1, 12, "expected '='"));
  CHECK(fails("const a :T = 1", 1, 15, "expected ';'"));
  CHECK(fails("const a :T = 1 2;", 1, 16, "expected ';'"));
  CHECK(fails("const :T = 1;", 1, 7, "expected a name after 'const'"));
  CHECK(fails("struct Foo {}", 1, 1, "expected 'const' or 'using'"));
  CHECK(fails("const a :T = 1;;", 1, 16, "expected 'const' or 'using'"));
}

static void test_many_consts(void) {
  /* Enough consts to grow the name table a few times; all found by name. */
  isl_buf_t b = {0};
  for (int i = 0; i < 500; i++) isl_buf_printf(&b, "const c%d :Int32 = %d;\n", i, i);
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse(b.p, &err);
  isl_buf_free(&b);
  CHECK(f && f->nconsts == 500);
  if (!f) return;
  int ok = 0;
  for (int i = 0; i < 500; i++) {
    char name[16];
    snprintf(name, sizeof name, "c%d", i);
    const isl_capnp_const_t *c = isl_capnp_find_const(f, name);
    ok += c && is_int(c->value, (uint64_t)i, false) && c->pos.line == i + 1;
  }
  CHECK(ok == 500);
}

static void test_empty_and_comments(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse("", &err);
  CHECK(f && f->nconsts == 0 && f->nimports == 0);
  f = parse("# only a comment, no newline", &err);
  CHECK(f && f->nconsts == 0);
  f = parse("const # here\n a # and here\n :T # type\n = # value\n ( # struct\n x # f\n = 1 # one\n , # comma\n ) # end\n ; # done", &err);
  CHECK(f && f->nconsts == 1 && f->consts[0].value->st.n == 1);
  /* '#' inside a string is not a comment. */
  CHECK(STR(value_of("\"a # b\""), "a # b"));
}

/* --- values --- */

static void test_struct(void) {
  const isl_capnp_value_t *v = value_of("( a = 1, b = \"x\", )");
  CHECK(v && v->kind == ISL_CAPNP_STRUCT && v->st.n == 2);
  if (!v || v->kind != ISL_CAPNP_STRUCT) return;
  CHECK(at(v, 1, 14));
  CHECK_STR(v->st.fields[0].name, "a");
  CHECK(v->st.fields[0].pos.line == 1 && v->st.fields[0].pos.col == 16);
  CHECK(is_int(v->st.fields[0].value, 1, false) && at(v->st.fields[0].value, 1, 20));
  CHECK_STR(v->st.fields[1].name, "b");
  CHECK(STR(v->st.fields[1].value, "x"));
  CHECK(isl_capnp_field(v, "b") == v->st.fields[1].value);
  CHECK(isl_capnp_field(v, "c") == NULL);
  v = value_of("()");
  CHECK(v && v->kind == ISL_CAPNP_STRUCT && v->st.n == 0);
  /* A field may be named like a keyword. */
  v = value_of("(const = 1, embed = 2, true = 3, import = 4)");
  CHECK(v && v->st.n == 4 && strcmp(v->st.fields[1].name, "embed") == 0);
  /* The parser keeps duplicate field names: the model reports them with both positions. */
  v = value_of("(a = 1, a = 2)");
  CHECK(v && v->st.n == 2);
  CHECK(value_fails("(a = 1 b = 2)", 8, "expected ')' or ','"));
  CHECK(value_fails("(a = 1", 7, "expected ')' or ','"));
  CHECK(value_fails("(a 1)", 4, "expected '=' after the field name"));
  CHECK(value_fails("(a = )", 6, "expected a value"));
  CHECK(value_fails("(, a = 1)", 2, "expected a field name or ')'"));
  CHECK(value_fails("(a = 1,,)", 8, "expected a field name or ')'"));
  CHECK(value_fails("(\"a\" = 1)", 2, "expected a field name or ')'"));
}

static void test_list(void) {
  const isl_capnp_value_t *v = value_of("[ 1, [2, 3,], \"s\", (a = 4), ]");
  CHECK(v && v->kind == ISL_CAPNP_LIST && v->list.n == 4);
  if (!v || v->kind != ISL_CAPNP_LIST || v->list.n != 4) return;
  CHECK(is_int(v->list.items[0], 1, false) && at(v->list.items[0], 1, 16));
  CHECK(v->list.items[1]->kind == ISL_CAPNP_LIST && v->list.items[1]->list.n == 2);
  CHECK(at(v->list.items[1], 1, 19));
  CHECK(STR(v->list.items[2], "s"));
  CHECK(v->list.items[3]->kind == ISL_CAPNP_STRUCT);
  v = value_of("[]");
  CHECK(v && v->kind == ISL_CAPNP_LIST && v->list.n == 0);
  CHECK(value_fails("[1 2]", 4, "expected ']' or ','"));
  CHECK(value_fails("[1, 2", 6, "expected ']' or ','"));
  CHECK(value_fails("[,]", 2, "expected a value"));
  CHECK(value_fails("[1,,]", 4, "expected a value"));
  CHECK(value_fails("[1)", 3, "expected ']' or ','"));
}

static void test_unions_and_groups(void) {
  /* Unions and groups are nested struct literals or fields of the outer struct; the tree
   * is generic and keeps both shapes as written. */
  const isl_capnp_value_t *v =
      value_of("(name = \"s\", worker = (modules = []), disk = (path = \"/tmp\", writable = true))");
  CHECK(v && v->st.n == 3);
  if (!v || v->st.n != 3) return;
  const isl_capnp_value_t *w = isl_capnp_field(v, "worker");
  CHECK(w && w->kind == ISL_CAPNP_STRUCT && w->st.n == 1);
  const isl_capnp_value_t *d = isl_capnp_field(v, "disk");
  CHECK(d && isl_capnp_field(d, "writable")->kind == ISL_CAPNP_BOOL);
  v = value_of("(durableObjectStorage = (inMemory = void))");
  const isl_capnp_value_t *s = v ? isl_capnp_field(v, "durableObjectStorage") : NULL;
  CHECK(s && s->st.n == 1 && s->st.fields[0].value->kind == ISL_CAPNP_VOID);
}

static void test_plain_value_for_struct(void) {
  /* `service = "main"` gives a struct-typed field a plain value; the model fills the
   * struct's first field. The parser keeps the kind that says so. */
  const isl_capnp_value_t *v = value_of("(service = \"main\", other = (name = \"main\"))");
  CHECK(v && isl_capnp_is_plain(isl_capnp_field(v, "service")));
  CHECK(v && !isl_capnp_is_plain(isl_capnp_field(v, "other")));
  CHECK(v && !isl_capnp_is_plain(v));
}

static void test_strings(void) {
  CHECK(STR(value_of("\"plain\""), "plain"));
  CHECK(STR(value_of("\"\""), ""));
  CHECK(STR(value_of("\"a\\nb\\tc\\\\d\\\"e\\'f\""), "a\nb\tc\\d\"e'f"));
  CHECK(STR(value_of("\"\\a\\b\\f\\v\\r\\?\""), "\a\b\f\v\r?"));
  CHECK(STR(value_of("\"\\x41\\x7e\\x9Z\""), "A~\tZ"));
  CHECK(STR(value_of("\"\\xff\""), "\xff"));
  CHECK(STR(value_of("\"\\101\\0\\377\\0101\""), "A\0\377\0101"));
  CHECK(STR(value_of("\"\\u00e9\\u20AC\\u0041\""), "\xC3\xA9\xE2\x82\xAC" "A"));
  CHECK(STR(value_of("\"h\xC3\xA9llo \xF0\x9F\x98\x80\""), "h\xC3\xA9llo \xF0\x9F\x98\x80"));
  /* Adjacent literals are one value, across lines and comments. */
  const isl_capnp_value_t *v = value_of("\"a\" \"b\"\n # c\n \"\\x63\"");
  CHECK(STR(v, "abc") && at(v, 1, 14));
  CHECK(value_fails("\"abc", 1, "unterminated string"));
  CHECK(value_fails("\"ab\nc\"", 1, "unterminated string"));
  CHECK(value_fails("\"ab\\q\"", 4, "unknown escape \\q"));
  CHECK(value_fails("\"\\xg\"", 2, "expected hex digits after \\x"));
  CHECK(value_fails("\"\\u12\"", 2, "expected four hex digits after \\u"));
  CHECK(value_fails("\"x\\uD800\"", 3, "\\uD800 is a surrogate, not a character"));
  CHECK(value_fails("\"\\400\"", 2, "octal escape out of range (more than \\377)"));
  CHECK(value_fails("\"a\xC3(\"", 3, "invalid UTF-8 in string"));
  CHECK(value_fails("\"\xED\xA0\x80\"", 2, "invalid UTF-8 in string"));
  CHECK(fails("const x :T = \"ab\\", 1, 14, "unterminated string"));
  CHECK(fails("const x :T = \"ab\\\n\";", 1, 14, "unterminated string"));
  /* A NUL byte in the source (not from an escape) is refused. */
  const char src[] = "const x :T = \"a\0b\";";
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_string(src, sizeof src - 1, "t.capnp", &err);
  CHECK(!f);
  CHECK_STR(err.msg, "t.capnp:1:16: NUL byte in string (write \\0)");
}

static void test_data(void) {
  const isl_capnp_value_t *v = value_of("0x\"0a 1b ff\"");
  CHECK(v && v->kind == ISL_CAPNP_DATA && v->str.len == 3 && memcmp(v->str.p, "\x0a\x1b\xff", 3) == 0);
  CHECK(v && at(v, 1, 14));
  v = value_of("0x\"\"");
  CHECK(v && v->kind == ISL_CAPNP_DATA && v->str.len == 0);
  v = value_of("0x\"00\" 0x\"AbCd\n  eF\"");
  CHECK(v && v->kind == ISL_CAPNP_DATA && v->str.len == 4 && memcmp(v->str.p, "\0\xab\xcd\xef", 4) == 0);
  CHECK(value_fails("0x\"0a 1\"", 7, "a byte in a data literal needs two hex digits"));
  CHECK(value_fails("0x\"0g\"", 4, "a byte in a data literal needs two hex digits"));
  CHECK(value_fails("0x\"zz\"", 4, "expected hex digits or '\"' in data literal"));
  CHECK(fails("const x :T = 0x\"0a", 1, 14, "unterminated data literal"));
}

static void test_numbers(void) {
  CHECK(is_int(value_of("0"), 0, false));
  CHECK(is_int(value_of("42"), 42, false));
  CHECK(is_int(value_of("0x2A"), 42, false));
  CHECK(is_int(value_of("0X2a"), 42, false));
  CHECK(is_int(value_of("052"), 42, false));
  CHECK(is_int(value_of("-42"), 42, true));
  CHECK(is_int(value_of("- 0x10"), 16, true));
  CHECK(is_int(value_of("-0"), 0, false));
  CHECK(is_int(value_of("18446744073709551615"), UINT64_MAX, false));
  CHECK(is_int(value_of("0xffffffffffffffff"), UINT64_MAX, false));
  CHECK(is_int(value_of("-9223372036854775808"), (uint64_t)1 << 63, true));
  const isl_capnp_value_t *v = value_of("-7");
  CHECK(v && at(v, 1, 14));
  v = value_of("1.5");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && v->f == 1.5);
  v = value_of("1e3");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && v->f == 1000.0);
  v = value_of("2.5E-2");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && v->f == 0.025);
  v = value_of("-0.5e+1");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && v->f == -5.0);
  v = value_of("inf");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && isinf(v->f) && v->f > 0);
  v = value_of("-inf");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && isinf(v->f) && v->f < 0);
  v = value_of("nan");
  CHECK(v && v->kind == ISL_CAPNP_FLOAT && isnan(v->f));
  CHECK(value_fails("18446744073709551616", 1, "integer out of range"));
  CHECK(value_fails("0x10000000000000000", 1, "integer out of range"));
  CHECK(value_fails("-9223372036854775809", 1, "integer out of range"));
  CHECK(value_fails("09", 1, "invalid digit '9' in octal number"));
  CHECK(value_fails("0x", 1, "expected hex digits after 0x"));
  CHECK(value_fails("12abc", 1, "invalid number"));
  CHECK(value_fails("1.", 1, "invalid number"));
  CHECK(value_fails("1e999", 1, "number out of range"));
  CHECK(value_fails("-\"x\"", 2, "expected a number after '-'"));
  CHECK(value_fails("- true", 3, "expected a number after '-'"));
}

static void test_int_helpers(void) {
  int64_t i;
  uint64_t u;
  double d;
  CHECK(isl_capnp_as_i64(value_of("-9223372036854775808"), &i) && i == INT64_MIN);
  CHECK(isl_capnp_as_i64(value_of("9223372036854775807"), &i) && i == INT64_MAX);
  CHECK(!isl_capnp_as_i64(value_of("9223372036854775808"), &i));
  CHECK(isl_capnp_as_u64(value_of("9223372036854775808"), &u) && u == (uint64_t)1 << 63);
  CHECK(!isl_capnp_as_u64(value_of("-1"), &u));
  CHECK(isl_capnp_as_u64(value_of("-0"), &u) && u == 0);
  CHECK(!isl_capnp_as_i64(value_of("1.0"), &i));
  CHECK(isl_capnp_as_double(value_of("-3"), &d) && d == -3.0);
  CHECK(isl_capnp_as_double(value_of("0.25"), &d) && d == 0.25);
  CHECK(!isl_capnp_as_double(value_of("\"1\""), &d));
  CHECK_STR(isl_capnp_kind_name(ISL_CAPNP_LIST), "a list");
  CHECK_STR(isl_capnp_kind_name(ISL_CAPNP_STRING), "a string");
}

static void test_bool_void(void) {
  const isl_capnp_value_t *v = value_of("[true, false, void]");
  CHECK(v && v->list.n == 3);
  if (!v || v->list.n != 3) return;
  CHECK(v->list.items[0]->kind == ISL_CAPNP_BOOL && v->list.items[0]->b);
  CHECK(v->list.items[1]->kind == ISL_CAPNP_BOOL && !v->list.items[1]->b);
  CHECK(v->list.items[2]->kind == ISL_CAPNP_VOID && at(v->list.items[2], 1, 28));
  /* Prefixes of keywords are names. */
  v = value_of("trueish");
  CHECK(v && v->kind == ISL_CAPNP_IDENT && strcmp(v->ident, "trueish") == 0);
}

static void test_identifiers_and_resolver(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse("const s :Workerd.Socket = (http = (style = host), worker = w);\n"
                              "const w :Workerd.Worker = (compatibilityDate = \"2024-01-01\");\n"
                              "const host :Text = \"not the enum\";\n",
                              &err);
  CHECK(f != NULL);
  if (!f) return;
  const isl_capnp_value_t *style = isl_capnp_field(isl_capnp_field(f->consts[0].value, "http"), "style");
  CHECK(style && style->kind == ISL_CAPNP_IDENT && strcmp(style->ident, "host") == 0);
  CHECK(at(style, 1, 44));
  /* Where an enum is expected, a bare name is the enum value even if a const has the name. */
  const isl_capnp_const_t *via = (const isl_capnp_const_t *)1;
  CHECK(isl_capnp_resolve(f, style, ISL_CAPNP_EXPECT_ENUM, &via, &err) == style && via == NULL);
  /* Elsewhere it names a const. */
  CHECK(STR(isl_capnp_resolve(f, style, ISL_CAPNP_EXPECT_VALUE, &via, &err), "not the enum"));
  CHECK(via == &f->consts[2]);
  const isl_capnp_value_t *w = isl_capnp_field(f->consts[0].value, "worker");
  const isl_capnp_value_t *r = isl_capnp_resolve(f, w, ISL_CAPNP_EXPECT_VALUE, &via, &err);
  CHECK(r == f->consts[1].value && via == &f->consts[1]);
  CHECK(via && isl_capnp_type_is(f, via, "Worker") == false); /* no workerd import here */
  /* A non-reference resolves to itself. */
  CHECK(isl_capnp_resolve(f, f->consts[1].value, ISL_CAPNP_EXPECT_VALUE, NULL, &err) == f->consts[1].value);

  /* A bare name that is no const: fine for an enum, an error for anything else. */
  f = parse("const s :T = (style = proxy);", &err);
  const isl_capnp_value_t *p = f ? isl_capnp_field(f->consts[0].value, "style") : NULL;
  CHECK(p && isl_capnp_resolve(f, p, ISL_CAPNP_EXPECT_ENUM, NULL, &err) == p);
  CHECK(p && isl_capnp_resolve(f, p, ISL_CAPNP_EXPECT_VALUE, NULL, &err) == NULL);
  CHECK_STR(err.msg, "t.capnp:1:23: unknown name 'proxy' (not a const of this file)");
  CHECK(err.line == 1 && err.col == 23);
}

static void test_references(void) {
  isl_capnp_error_t err;
  /* Forward references, chains, references inside lists and structs. */
  isl_capnp_file_t *f = parse("const a :T = (w = .b, l = [.c]);\n"
                              "const b :T = .c;\n"
                              "const c :T = \"end\";\n",
                              &err);
  CHECK(f != NULL);
  if (!f) return;
  const isl_capnp_value_t *ref = isl_capnp_field(f->consts[0].value, "w");
  CHECK(ref && ref->kind == ISL_CAPNP_REF && ref->ref.dot && ref->ref.nseg == 1);
  CHECK(ref && strcmp(ref->ref.path, ".b") == 0 && at(ref, 1, 19));
  const isl_capnp_const_t *via = NULL;
  CHECK(STR(isl_capnp_resolve(f, ref, ISL_CAPNP_EXPECT_VALUE, &via, &err), "end"));
  CHECK(via == &f->consts[2]);
  /* A reference is followed for enums too ('.name' is never an enum value). */
  CHECK(STR(isl_capnp_resolve(f, ref, ISL_CAPNP_EXPECT_ENUM, NULL, &err), "end"));

  CHECK(fails("const a :T = (w = .nope);", 1, 19, "reference to unknown const '.nope'"));
  CHECK(fails("const a :T = [1, . b];\nconst c :T = 1;", 1, 18, "reference to unknown const '.b'"));
  CHECK(fails("const a :T = .;", 1, 15, "expected a name after '.'"));

  /* Dotted names: into the imported schema (kept; the resolver says it cannot follow),
   * otherwise errors. */
  f = parse("using Workerd = import \"/workerd/workerd.capnp\";\n"
            "const a :T = (x = Workerd.Some.thing);",
            &err);
  ref = f ? isl_capnp_field(f->consts[0].value, "x") : NULL;
  CHECK(ref && ref->kind == ISL_CAPNP_REF && !ref->ref.dot && ref->ref.nseg == 3);
  CHECK(ref && strcmp(ref->ref.path, "Workerd.Some.thing") == 0 && ref->pos.col == 19);
  CHECK(ref && isl_capnp_resolve(f, ref, ISL_CAPNP_EXPECT_VALUE, NULL, &err) == NULL);
  CHECK_STR(err.msg, "t.capnp:2:19: 'Workerd.Some.thing' refers into an imported schema, which "
                     "islet does not read");
  CHECK(fails("const a :T = Parent.child;", 1, 14, "reference to unknown name 'Parent.child'"));
  CHECK(fails("const p :T = (); const a :T = p.child;", 1, 31, "'p.child': const 'p' has no members"));
  CHECK(fails("const p :T = (); const a :T = .p.child;", 1, 31, "'.p.child': const 'p' has no members"));
}

static void test_cycles(void) {
  CHECK(fails("const a :T = .a;", 1, 14,
              "reference to const 'a' makes a cycle (a const cannot contain itself)"));
  CHECK(fails("const a :T = (x = [.b]);\nconst b :T = (y = .c);\nconst c :T = .a;", 3, 14,
              "reference to const 'a' makes a cycle (a const cannot contain itself)"));
  /* Through a bare name too (the model would follow it for a non-enum field). */
  CHECK(fails("const a :T = (x = (y = a));", 1, 24,
              "reference to const 'a' makes a cycle (a const cannot contain itself)"));
  /* Shared (non-cyclic) references are fine. */
  isl_capnp_error_t err;
  CHECK(parse("const a :T = [.b, .b, .c];\nconst b :T = .c;\nconst c :T = 1;", &err) != NULL);
}

static void test_positions(void) {
  /* Columns count code points; tabs count one; CRLF ends lines. */
  isl_capnp_error_t err;
  isl_capnp_file_t *f = parse("# h\xC3\xA9\r\nconst x :T = (\r\n\ta = \"\xC3\xA9\xC3\xA9\", b = 1,\r\n  c = [ .x2 ]);\r\nconst x2 :T = 0;", &err);
  CHECK(f != NULL);
  if (!f) return;
  const isl_capnp_value_t *v = f->consts[0].value;
  CHECK(at(v, 2, 14));
  CHECK(v->st.fields[0].pos.line == 3 && v->st.fields[0].pos.col == 2);
  CHECK(at(v->st.fields[0].value, 3, 6));
  CHECK(v->st.fields[1].pos.line == 3 && v->st.fields[1].pos.col == 12);
  CHECK(at(v->st.fields[1].value, 3, 16));
  CHECK(at(v->st.fields[2].value, 4, 7));
  CHECK(at(v->st.fields[2].value->list.items[0], 4, 9));
  CHECK(f->consts[1].pos.line == 5 && f->consts[1].pos.col == 7);
  CHECK(fails("const x :T = \"\xC3\xA9\xC3\xA9\" x;", 1, 19, "expected ';'"));
  CHECK(fails("const x :T = (a = \"\xC3\xA9\", b $);", 1, 26, "unexpected character '$'"));
  CHECK(fails("const x :T = \x01;", 1, 14, "unexpected byte 0x01"));
}

static void test_nesting_limit(void) {
  isl_buf_t b = {0};
  /* 256 levels parse. */
  isl_buf_puts(&b, "const x :T = ");
  for (int i = 0; i < ISL_CAPNP_MAX_DEPTH; i++) isl_buf_puts(&b, i % 2 ? "(a = " : "[");
  isl_buf_puts(&b, "1");
  for (int i = ISL_CAPNP_MAX_DEPTH - 1; i >= 0; i--) isl_buf_puts(&b, i % 2 ? ")" : "]");
  isl_buf_puts(&b, ";");
  isl_capnp_error_t err;
  CHECK(parse(b.p, &err) != NULL);
  /* 257 are refused at the 257th bracket. */
  b.len = 0;
  isl_buf_puts(&b, "const x :T = ");
  for (int i = 0; i < ISL_CAPNP_MAX_DEPTH + 1; i++) isl_buf_puts(&b, "[");
  for (int i = 0; i < ISL_CAPNP_MAX_DEPTH + 1; i++) isl_buf_puts(&b, "]");
  isl_buf_puts(&b, ";");
  CHECK(fails(b.p, 1, 14 + ISL_CAPNP_MAX_DEPTH, "nesting deeper than 256 levels"));
  /* A million opening brackets: an error, not a stack overflow. */
  b.len = 0;
  isl_buf_puts(&b, "const x :T = ");
  for (int i = 0; i < 1000000; i++) isl_buf_puts(&b, "(a=");
  CHECK(fails(b.p, 1, 14 + 3 * ISL_CAPNP_MAX_DEPTH, "nesting deeper than 256 levels"));
  /* Types nest too. */
  b.len = 0;
  isl_buf_puts(&b, "const x :");
  for (int i = 0; i < 100000; i++) isl_buf_puts(&b, "List(");
  CHECK(fails(b.p, 1, 10 + 5 * ISL_CAPNP_MAX_DEPTH, "nesting deeper than 256 levels"));
  isl_buf_free(&b);
}

/* --- files and embeds --- */

static bool file_equals(const char *path, const char *p, size_t n) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return false;
  char buf[4096];
  size_t m = fread(buf, 1, sizeof buf, fp);
  fclose(fp);
  return m == n && memcmp(buf, p, n) == 0;
}

static void test_embed(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_file("tests/config/embed/nested/embed.capnp", &err);
  CHECK(f != NULL);
  if (!f) {
    printf("  %s\n", err.msg);
    return;
  }
  const isl_capnp_value_t *t = isl_capnp_find_const(f, "text")->value;
  CHECK(t->kind == ISL_CAPNP_EMBED && t->embed.len == 24);
  CHECK(t->embed.len == 24 && memcmp(t->embed.p, "hello from a nested dir\n", 24) == 0);
  CHECK(t->embed.p[t->embed.len] == 0);
  CHECK_STR(t->embed.path, "hello.txt");
  CHECK_STR(t->embed.resolved, "tests/config/embed/nested/hello.txt");
  CHECK(t->pos.line == 2 && t->pos.col == 20);
  const isl_capnp_value_t *b = isl_capnp_find_const(f, "blob")->value;
  CHECK(b->kind == ISL_CAPNP_EMBED && b->embed.len == 5 && memcmp(b->embed.p, "\1\0\2\377\376", 5) == 0);
  CHECK_STR(b->embed.resolved, "tests/config/embed/nested/../blob.bin");
  const isl_capnp_value_t *e = isl_capnp_find_const(f, "empty")->value;
  CHECK(e->kind == ISL_CAPNP_EMBED && e->embed.len == 0 && e->embed.p && e->embed.p[0] == 0);
  isl_capnp_free(f);

  /* parse_string: relative to the name's directory, or to base_dir. */
  const char *src = "const a :Data = embed \"blob.bin\";";
  f = isl_capnp_parse_string(src, strlen(src), "tests/config/embed/x.capnp", &err);
  CHECK(f && f->consts[0].value->embed.len == 5);
  isl_capnp_free(f);
  isl_capnp_opts_t opts = {.base_dir = "tests/config/embed"};
  f = isl_capnp_parse_string_opts(src, strlen(src), "elsewhere.capnp", &opts, &err);
  CHECK(f && f->consts[0].value->embed.len == 5);
  CHECK(f && strcmp(f->consts[0].value->embed.resolved, "tests/config/embed/blob.bin") == 0);
  isl_capnp_free(f);

  /* Absolute paths are used as they are. */
  char abs[4096];
  CHECK(realpath("tests/config/embed/blob.bin", abs) != NULL);
  char src2[4200];
  snprintf(src2, sizeof src2, "const a :Data = embed \"%s\";", abs);
  f = isl_capnp_parse_string(src2, strlen(src2), "tests/x.capnp", &err);
  CHECK(f && f->consts[0].value->embed.len == 5);
  isl_capnp_free(f);

  /* Errors, at the path's position. */
  src = "const a :Text = (x = embed\n  \"missing.txt\");";
  f = isl_capnp_parse_string(src, strlen(src), "tests/config/embed/x.capnp", &err);
  CHECK(!f);
  CHECK_STR(err.msg, "tests/config/embed/x.capnp:2:3: embed file not found: tests/config/embed/missing.txt");
  src = "const a :Text = embed \"nested\";";
  f = isl_capnp_parse_string(src, strlen(src), "tests/config/embed/x.capnp", &err);
  CHECK(!f);
  CHECK_STR(err.msg, "tests/config/embed/x.capnp:1:23: embed path is not a regular file: tests/config/embed/nested");
  CHECK(fails("const a :Text = embed \"\";", 1, 23, "embed path is empty"));
  CHECK(fails("const a :Text = embed \"a\\0b\";", 1, 23, "embed path contains a NUL byte"));
  CHECK(fails("const a :Text = embed x;", 1, 23, "expected a file name in quotes after 'embed'"));
  isl_capnp_opts_t no = {.no_embed = true};
  src = "const a :Data = embed \"blob.bin\";";
  f = isl_capnp_parse_string_opts(src, strlen(src), "tests/config/embed/x.capnp", &no, &err);
  CHECK(!f);
  CHECK_STR(err.msg, "tests/config/embed/x.capnp:1:23: embed is not allowed here");
}

static int fake_read(void *ud, const char *path, char **data, size_t *len) {
  (*(int *)ud)++;
  if (strcmp(path, "dir/a.js") != 0) return -ENOENT;
  *data = isl_strdup("export {}");
  *len = 9;
  return 0;
}

static void test_embed_reader(void) {
  int calls = 0;
  isl_capnp_opts_t opts = {.read_embed = fake_read, .ud = &calls};
  isl_capnp_error_t err;
  const char *src = "const a :Text = embed \"a.js\";";
  isl_capnp_file_t *f = isl_capnp_parse_string_opts(src, strlen(src), "dir/c.capnp", &opts, &err);
  CHECK(f && calls == 1 && f->consts[0].value->embed.len == 9);
  CHECK(f && strcmp(f->consts[0].value->embed.p, "export {}") == 0);
  isl_capnp_free(f);
  src = "const a :Text = embed \"b.js\";";
  f = isl_capnp_parse_string_opts(src, strlen(src), "dir/c.capnp", &opts, &err);
  CHECK(!f);
  CHECK_STR(err.msg, "dir/c.capnp:1:23: embed file not found: dir/b.js");
}

static void test_parse_file_errors(void) {
  isl_capnp_error_t err;
  CHECK(isl_capnp_parse_file("tests/config/no-such.capnp", &err) == NULL);
  CHECK_STR(err.msg, "tests/config/no-such.capnp: cannot read: No such file or directory");
  CHECK(err.line == 0 && err.col == 0);
  CHECK(isl_capnp_parse_file("tests/config", &err) == NULL);
  CHECK_STR(err.msg, "tests/config: not a regular file");
}

static void test_error_at(void) {
  isl_capnp_error_t err;
  isl_capnp_pos_t pos = {"c.capnp", 3, 7};
  CHECK(isl_capnp_error_at(&err, pos, "unknown field '%s'", "foo") == NULL);
  CHECK_STR(err.msg, "c.capnp:3:7: unknown field 'foo'");
  CHECK(err.line == 3 && err.col == 7);
  /* Long messages are cut, never overflow. */
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  isl_capnp_error_at(&err, pos, "%s", big);
  CHECK(strlen(err.msg) == ISL_CAPNP_ERR_MAX - 1);
}

static void test_minimal_fixture(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_file("tests/config/minimal.capnp", &err);
  CHECK(f && f->nconsts == 2);
  if (!f) return;
  CHECK(isl_capnp_type_is(f, &f->consts[0], "Config"));
  CHECK(isl_capnp_type_is(f, &f->consts[1], "Worker"));
  CHECK_STR(f->consts[0].value->pos.file, "tests/config/minimal.capnp");
  isl_capnp_free(f);
}

static void test_workerd_fixture(void) {
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_file("tests/config/multi/config.capnp", &err);
  CHECK(f != NULL);
  if (!f) {
    printf("  %s\n", err.msg);
    return;
  }
  CHECK(f->has_id && f->id == 0xd6a8e2bb34c1f0a7ull);
  CHECK(f->nconsts == 3 && f->nimports == 1);
  const isl_capnp_const_t *config = isl_capnp_find_const(f, "config");
  CHECK(config && isl_capnp_type_is(f, config, "Config") && config->pos.line == 8);
  const isl_capnp_value_t *services = isl_capnp_field(config->value, "services");
  CHECK(services && services->kind == ISL_CAPNP_LIST && services->list.n == 5);
  if (!services || services->list.n != 5) goto out;
  /* services[0].worker = .frontWorker */
  const isl_capnp_value_t *w = isl_capnp_field(services->list.items[0], "worker");
  CHECK(w && w->kind == ISL_CAPNP_REF && w->pos.line == 10 && w->pos.col == 30);
  const isl_capnp_const_t *via = NULL;
  const isl_capnp_value_t *front = isl_capnp_resolve(f, w, ISL_CAPNP_EXPECT_VALUE, &via, &err);
  CHECK(front && via && strcmp(via->name, "frontWorker") == 0 && isl_capnp_type_is(f, via, "Worker"));
  /* A union member given as a struct literal with nested groups. */
  const isl_capnp_value_t *net = isl_capnp_field(services->list.items[3], "network");
  CHECK(net && isl_capnp_field(net, "allow")->list.n == 2);
  CHECK(net && isl_capnp_field(isl_capnp_field(net, "tlsOptions"), "trustBrowserCas")->b);
  const isl_capnp_value_t *style =
      isl_capnp_field(isl_capnp_field(isl_capnp_field(services->list.items[4], "external"), "http"), "style");
  CHECK(style && style->kind == ISL_CAPNP_IDENT && strcmp(style->ident, "tls") == 0);

  const isl_capnp_value_t *sockets = isl_capnp_field(config->value, "sockets");
  CHECK(sockets && sockets->list.n == 2);
  if (!sockets || sockets->list.n != 2) goto out;
  const isl_capnp_value_t *svc = isl_capnp_field(sockets->list.items[0], "service");
  CHECK(STR(svc, "main") && isl_capnp_is_plain(svc));
  const isl_capnp_value_t *admin = sockets->list.items[1];
  CHECK(admin->pos.line == 19 && admin->pos.col == 5);
  CHECK(!isl_capnp_is_plain(isl_capnp_field(admin, "service")));
  const isl_capnp_value_t *http = isl_capnp_field(admin, "http");
  CHECK(http && isl_capnp_field(http, "style")->kind == ISL_CAPNP_IDENT);
  CHECK(http && isl_capnp_field(http, "injectRequestHeaders")->list.n == 1);

  /* The worker: embeds relative to the config's directory, text and binary. */
  const isl_capnp_value_t *modules = front ? isl_capnp_field(front, "modules") : NULL;
  CHECK(modules && modules->list.n == 3);
  if (!modules || modules->list.n != 3) goto out;
  const isl_capnp_value_t *js = isl_capnp_field(modules->list.items[0], "esModule");
  CHECK(js && js->kind == ISL_CAPNP_EMBED && file_equals("tests/config/multi/worker.js", js->embed.p, js->embed.len));
  CHECK(js && js->pos.line == 29 && js->pos.col == 34);
  const isl_capnp_value_t *html = isl_capnp_field(modules->list.items[1], "text");
  CHECK(html && html->embed.len == 30 && strstr(html->embed.p, "h\xC3\xA9llo") != NULL);
  CHECK(html && strcmp(html->embed.resolved, "tests/config/multi/static/index.html") == 0);
  const isl_capnp_value_t *wasm = isl_capnp_field(modules->list.items[2], "wasm");
  CHECK(wasm && wasm->embed.len == 11 && memcmp(wasm->embed.p, "\0asm\1\0\0\0\377\n\0", 11) == 0);

  const isl_capnp_value_t *bindings = isl_capnp_field(front, "bindings");
  CHECK(bindings && bindings->list.n == 6);
  if (!bindings || bindings->list.n != 6) goto out;
  CHECK(STR(isl_capnp_field(bindings->list.items[2], "text"), "Hello, world!\n"));
  CHECK(STR(isl_capnp_field(bindings->list.items[3], "json"), "{\"max\": 100}"));
  const isl_capnp_value_t *key = isl_capnp_field(bindings->list.items[4], "data");
  CHECK(key && key->kind == ISL_CAPNP_DATA && key->str.len == 4 && memcmp(key->str.p, "\xde\xad\xbe\xef", 4) == 0);
  const isl_capnp_value_t *storage = isl_capnp_field(front, "durableObjectStorage");
  CHECK(storage && isl_capnp_field(storage, "inMemory")->kind == ISL_CAPNP_VOID);

  const isl_capnp_const_t *api = isl_capnp_find_const(f, "apiWorker");
  const isl_capnp_value_t *script = api ? isl_capnp_field(api->value, "serviceWorkerScript") : NULL;
  CHECK(script && file_equals("tests/config/multi/api.js", script->embed.p, script->embed.len));
out:
  isl_capnp_free(f);
}

int main(void) {
  test_using_import();
  test_file_id();
  test_const();
  test_many_consts();
  test_empty_and_comments();
  test_struct();
  test_list();
  test_unions_and_groups();
  test_plain_value_for_struct();
  test_strings();
  test_data();
  test_numbers();
  test_int_helpers();
  test_bool_void();
  test_identifiers_and_resolver();
  test_references();
  test_cycles();
  test_positions();
  test_nesting_limit();
  test_embed();
  test_embed_reader();
  test_parse_file_errors();
  test_error_at();
  test_minimal_fixture();
  test_workerd_fixture();
  isl_capnp_free(cur);
  return check_summary();
}
