/* The console renderer (src/api/inspect.c): values rendered as Node's util.inspect does,
 * console.log's format specifiers, and the console sink. Runs in a real realm with every
 * API installed. */
#include <stdlib.h>

#include "api/api.h"
#include "api/console.h"
#include "api/inspect.h"
#include "api/timers.h"
#include "check.h"
#define REALM_EVAL_URL "inspect_test"
#include "realm_eval.h"


/* Renders the value of the expression src. */
static char *render(const char *src) {
  isl_buf_t b = {0};
  isl_inspect(realm->ctx, eval(src), NULL, &b);
  return isl_buf_take(&b);
}

#define EXPECT(src, want)          \
  do {                             \
    char *got_ = render(src);      \
    CHECK_STR(got_, want);         \
    free(got_);                    \
  } while (0)

/* console.log(args) as a string: src is an array expression of the arguments. */
static char *format(const char *src) {
  JSValueRef arr = eval(src);
  JSObjectRef a = (JSObjectRef)arr;
  size_t n = (size_t)JSValueToNumber(realm->ctx, isl_get(realm->ctx, a, "length", NULL), NULL);
  JSValueRef *argv = isl_malloc((n ? n : 1) * sizeof(JSValueRef));
  for (size_t i = 0; i < n; i++) argv[i] = JSObjectGetPropertyAtIndex(realm->ctx, a, (unsigned)i, NULL);
  isl_buf_t b = {0};
  JSValueRef exc = NULL;
  if (!isl_format_args(realm->ctx, n, argv, &b, &exc)) isl_buf_puts(&b, "<threw>");
  free(argv);
  return isl_buf_take(&b);
}

#define EXPECT_FMT(src, want)      \
  do {                             \
    char *got_ = format(src);      \
    CHECK_STR(got_, want);         \
    free(got_);                    \
  } while (0)

static void test_primitives(void) {
  EXPECT("1", "1");
  EXPECT("-0", "-0");
  EXPECT("0", "0");
  EXPECT("1.5e300", "1.5e+300");
  EXPECT("NaN", "NaN");
  EXPECT("-Infinity", "-Infinity");
  EXPECT("10n", "10n");
  EXPECT("-5n", "-5n");
  EXPECT("true", "true");
  EXPECT("undefined", "undefined");
  EXPECT("null", "null");
  EXPECT("Symbol('a b')", "Symbol(a b)");
  EXPECT("Symbol()", "Symbol()");
  EXPECT("'str'", "'str'");
}

static void test_strings(void) {
  EXPECT("\"it's\"", "\"it's\"");
  EXPECT("`it's \"q\"`", "`it's \"q\"`");
  EXPECT("'a\\nb\\t\\\\'", "'a\\nb\\t\\\\'");
  EXPECT("'\\x01\\x7f'", "'\\x01\\x7F'");
  EXPECT("'caf\\u00e9'", "'caf\xC3\xA9'");
  EXPECT("['x']", "[ 'x' ]");
  EXPECT("({ 'a\\'b': 1 })", "{ \"a'b\": 1 }");
}

static void test_arrays(void) {
  EXPECT("[]", "[]");
  EXPECT("[1, 2, 3]", "[ 1, 2, 3 ]");
  EXPECT("[1, 'a', [2, [3, [4, [5]]]]]", "[ 1, 'a', [ 2, [ 3, [Array] ] ] ]");
  EXPECT("[, 1, , , 2]", "[ <1 empty item>, 1, <2 empty items>, 2 ]");
  EXPECT("Object.assign([1], { k: 'v' })", "[ 1, k: 'v' ]");
  EXPECT("new Array(101).fill(0).length", "101");
  {
    char *s = render("new Array(101).fill(0)");
    CHECK(strstr(s, "... 1 more item\n]") != NULL);
    free(s);
  }
  /* More than 6 numbers are grouped in columns, right-aligned. */
  EXPECT("Array.from({ length: 10 }, (_, i) => i * 10)",
         "[\n   0, 10, 20, 30, 40,\n  50, 60, 70, 80, 90\n]");
}

static void test_objects(void) {
  EXPECT("({})", "{}");
  EXPECT("({ a: 1, b: 'x' })", "{ a: 1, b: 'x' }");
  EXPECT("({ 'a-b': 1, _ok: 2, $no: 3, '1x': 4 })", "{ 'a-b': 1, _ok: 2, '$no': 3, '1x': 4 }");
  EXPECT("({ [Symbol('s')]: 1 })", "{ [Symbol(s)]: 1 }");
  EXPECT("({ a: { b: { c: { d: 1 } } } })", "{ a: { b: { c: [Object] } } }");
  EXPECT("({ a: { b: { c: {} } } })", "{ a: { b: { c: {} } } }");
  EXPECT("({ get g() { return 1; }, set s(v) {}, get gs() { return 1; }, set gs(v) {} })",
         "{ g: [Getter], s: [Setter], gs: [Getter/Setter] }");
  EXPECT("Object.create(null)", "[Object: null prototype] {}");
  EXPECT("Object.assign(Object.create(null), { a: 1 })", "[Object: null prototype] { a: 1 }");
  EXPECT("Object.defineProperty({ a: 1 }, 'hidden', { value: 2 })", "{ a: 1 }");
  EXPECT("({ __proto__: { inherited: 1 }, own: 2 })", "{ own: 2 }");
  EXPECT("({ [Symbol.toStringTag]: 'T' })", "{ [Symbol(Symbol.toStringTag)]: 'T' }");
}

static void test_classes(void) {
  EXPECT("new (class Foo { constructor() { this.x = 1; } })()", "Foo { x: 1 }");
  EXPECT("new (class Foo {})()", "Foo {}");
  EXPECT("new (class Foo { get [Symbol.toStringTag]() { return 'Bar'; } })()", "Foo [Bar] {}");
  EXPECT("new Headers()", "Headers {}");
  EXPECT("new TextDecoder()", "TextDecoder {}");
  EXPECT("crypto", "Crypto {}");
  EXPECT("({ x: new (class Foo { constructor() { this.y = { z: {} } } })() })",
         "{ x: Foo { y: { z: {} } } }");
}

static void test_circular(void) {
  EXPECT("(() => { const o = { a: 1 }; o.self = o; return o; })()",
         "<ref *1> { a: 1, self: [Circular *1] }");
  EXPECT("(() => { const a = [1]; a.push(a); return a; })()", "<ref *1> [ 1, [Circular *1] ]");
  EXPECT("(() => { const o = {}; const p = { o }; o.p = p; return { o }; })()",
         "{ o: <ref *1> { p: { o: [Circular *1] } } }");
  /* The same object twice, not nested, is not circular. */
  EXPECT("(() => { const o = { a: 1 }; return [o, o]; })()", "[ { a: 1 }, { a: 1 } ]");
}

static void test_collections(void) {
  EXPECT("new Map([['a', 1], ['b', 2]])", "Map(2) { 'a' => 1, 'b' => 2 }");
  EXPECT("new Map()", "Map(0) {}");
  EXPECT("new Set([1])", "Set(1) { 1 }");
  EXPECT("new Set([[1], { a: 1 }])", "Set(2) { [ 1 ], { a: 1 } }");
  EXPECT("new Map([[{ k: 1 }, new Set(['v'])]])", "Map(1) { { k: 1 } => Set(1) { 'v' } }");
  EXPECT("new WeakMap()", "WeakMap { <items unknown> }");
  EXPECT("({ a: { b: { c: new Map([[1, 2]]) } } })", "{ a: { b: { c: [Map] } } }");
}

static void test_builtins(void) {
  EXPECT("new Date(0)", "1970-01-01T00:00:00.000Z");
  EXPECT("new Date(NaN)", "Invalid Date");
  EXPECT("/ab+c/gi", "/ab+c/gi");
  EXPECT("new Uint8Array([1, 2, 3])", "Uint8Array(3) [ 1, 2, 3 ]");
  EXPECT("new Float64Array([-0, 1.5])", "Float64Array(2) [ -0, 1.5 ]");
  EXPECT("new BigInt64Array([1n])", "BigInt64Array(1) [ 1n ]");
  EXPECT("new Uint8Array(0)", "Uint8Array(0) []");
  EXPECT("new Uint8Array([1, 255]).buffer",
         "ArrayBuffer { [Uint8Contents]: <01 ff>, byteLength: 2 }");
  EXPECT("new Number(3)", "[Number: 3]");
  EXPECT("new String('ab')", "[String: 'ab']");
  EXPECT("Object(1n)", "[BigInt: 1n]");
  EXPECT("Promise.resolve(1)", "Promise {}");
}

static void test_functions(void) {
  EXPECT("(function foo() {})", "[Function: foo]");
  EXPECT("(() => () => {})()", "[Function (anonymous)]");
  EXPECT("(class A {})", "[class A]");
  EXPECT("(() => { class A {} return class B extends A {}; })()", "[class B extends A]");
  EXPECT("(async function af() {})", "[AsyncFunction: af]");
  EXPECT("(function* g() {})", "[GeneratorFunction: g]");
  EXPECT("Object.assign(function f() {}, { a: 1 })", "[Function: f] { a: 1 }");
  EXPECT("setTimeout", "[Function: setTimeout]");
}

static void test_errors(void) {
  char *s = render("new TypeError('bad')");
  CHECK(strncmp(s, "TypeError: bad\n    at ", 22) == 0);
  free(s);
  /* Nested errors are indented under their key and force a multi-line object. */
  s = render("({ e: new Error('boom') })");
  CHECK(strncmp(s, "{\n  e: Error: boom\n      at ", 27) == 0);
  free(s);
}

static void test_line_breaking(void) {
  EXPECT("({ aaaaaaaaaa: 'bbbbbbbbbbbbbbbbbbbb', ccccccccccccc: 'ddddddddddddddddddd', e: 'fffff' })",
         "{\n  aaaaaaaaaa: 'bbbbbbbbbbbbbbbbbbbb',\n  ccccccccccccc: 'ddddddddddddddddddd',\n"
         "  e: 'fffff'\n}");
  /* Node's budget: entries + separators + 2 per entry + indentation + 11 <= 80 columns. */
  EXPECT("({ a: 'x'.repeat(27), b: 'y'.repeat(27) })",
         "{ a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxx', b: 'yyyyyyyyyyyyyyyyyyyyyyyyyyy' }");
  EXPECT("({ a: 'x'.repeat(28), b: 'y'.repeat(28) })",
         "{\n  a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxx',\n  b: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyy'\n}");
  EXPECT("({ list: ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccc', 'd'] })",
         "{\n  list: [\n    'aaaaaaaaaaaaaaaaaaaa',\n    'bbbbbbbbbbbbbbbbbbbb',\n"
         "    'cccccccccccccccccccc',\n    'd'\n  ]\n}");
  /* Four levels of non-empty nesting no longer fit the "3 inner levels" rule. */
  EXPECT("({ a: { b: { c: { } } }, x: [{ y: { z: 1 } }] })",
         "{ a: { b: { c: {} } }, x: [ { y: [Object] } ] }");
}

static void test_format(void) {
  EXPECT_FMT("['plain']", "plain");
  EXPECT_FMT("['100%%']", "100%%");
  EXPECT_FMT("['a', 'b', 1, 'c']", "a b 1 c");
  EXPECT_FMT("[1, 'b']", "1 b");
  EXPECT_FMT("['%s=%d', 'x', 42]", "x=42");
  EXPECT_FMT("['%s', -0]", "-0");
  EXPECT_FMT("['%s', { a: { b: 1 } }]", "{ a: [Object] }");
  EXPECT_FMT("['%s', { toString() { return 'custom'; } }]", "custom");
  EXPECT_FMT("['%s', 5n]", "5n");
  EXPECT_FMT("['%s', Symbol('q')]", "Symbol(q)");
  EXPECT_FMT("['%d %d %d', '42.5', 7n, {}]", "42.5 7n NaN");
  EXPECT_FMT("['%i', 42.9]", "42");
  EXPECT_FMT("['%f', '1.5abc']", "1.5");
  EXPECT_FMT("['%j', { a: [1] }]", "{\"a\":[1]}");
  EXPECT_FMT("['%j', (() => { const o = {}; o.o = o; return o; })()]", "[Circular]");
  EXPECT_FMT("['%o', { a: { b: { c: { d: { e: { f: 1 } } } } } }]",
             "{\n  a: {\n    b: { c: { d: { e: [Object] } } }\n  }\n}");
  EXPECT_FMT("['%O', [1]]", "[ 1 ]");
  EXPECT_FMT("['%cstyled', 'color: red']", "styled");
  EXPECT_FMT("['%% %s', 'x']", "% x");
  EXPECT_FMT("['%x %s', 'y']", "%x y");
  EXPECT_FMT("['%s and %s', 'one']", "one and %s");
  EXPECT_FMT("['%s', 'a', 'extra', { k: 1 }]", "a extra { k: 1 }");
  EXPECT_FMT("['%d', { valueOf() { throw new Error('x'); } }]", "<threw>");
  EXPECT_FMT("[]", "");
}

typedef struct {
  int level;
  isl_buf_t text;
} captured_t;

static void capture(void *data, int level, const char *p, size_t n) {
  captured_t *c = data;
  c->level = level;
  c->text.len = 0;
  isl_buf_append(&c->text, p, n);
}

static void test_console_sink(void) {
  captured_t c = {-1, {0}};
  isl_console_set_sink(capture, &c);
  eval("console.log('hello', { a: 1 })");
  CHECK(c.level == ISL_CONSOLE_LOG);
  CHECK_STR(c.text.p, "hello { a: 1 }");
  eval("console.error('bad')");
  CHECK(c.level == ISL_CONSOLE_ERROR);
  eval("console.warn('w')");
  CHECK(c.level == ISL_CONSOLE_WARN);
  eval("console.info('i')");
  CHECK(c.level == ISL_CONSOLE_INFO);
  eval("console.debug('d')");
  CHECK(c.level == ISL_CONSOLE_DEBUG);
  eval("console.assert(false, 'nope %d', 3)");
  CHECK_STR(c.text.p, "Assertion failed: nope 3");
  CHECK(c.level == ISL_CONSOLE_ERROR);
  eval("console.assert(false)");
  CHECK_STR(c.text.p, "Assertion failed");
  eval("console.assert(false, { x: 1 })");
  CHECK_STR(c.text.p, "Assertion failed: { x: 1 }");
  c.text.len = 0;
  eval("console.assert(true, 'never')");
  CHECK(c.text.len == 0);
  eval("console.group('G'); console.log('a\\nb')");
  CHECK_STR(c.text.p, "  a\n  b");
  eval("console.groupEnd(); console.groupEnd(); console.log('c')");
  CHECK_STR(c.text.p, "c");
  eval("function where() { console.trace('t', 1); } where()");
  CHECK(strncmp(c.text.p, "Trace: t 1\n    at where (inspect_test:1:", 38) == 0);
  eval("console.dir({ s: 'x' })");
  CHECK_STR(c.text.p, "{ s: 'x' }");
  isl_console_set_sink(NULL, NULL);
  isl_buf_free(&c.text);
}

/* The helper is compiled on a realm's first rendering of an object, from intrinsics
 * captured at install: user code that replaced them before that first rendering must not
 * change the output. Runs in a realm of its own that has rendered nothing yet. */
static void test_tampered_before_first_render(uv_loop_t *loop) {
  isl_realm_t *saved = realm;
  realm = isl_realm_new(loop);
  isl_api_install_all(realm);
  eval("globalThis.v = { a: 1, m: new Map([[1, 2]]), s: new Set(['x']), d: new Date(0),"
       "  r: /x/g, f: function foo() {}, c: class K {}, n: new Number(3), w: new WeakMap() };"
       "const bad = () => { throw new Error('a replaced built-in was called'); };"
       "for (const [o, ks] of [[Map.prototype, ['entries', 'get', 'has']],"
       "    [Set.prototype, ['values', 'add', 'has']], [Date.prototype, ['getTime', 'toISOString']],"
       "    [RegExp.prototype, ['test', 'exec', 'toString']], [Reflect, ['apply', 'ownKeys']],"
       "    [Object, ['getOwnPropertyDescriptor', 'getPrototypeOf', 'getOwnPropertyNames']],"
       "    [Object.prototype, ['propertyIsEnumerable', 'hasOwnProperty', 'toString']],"
       "    [Function.prototype, ['bind', 'toString']], [Number.prototype, ['valueOf']],"
       "    [String.prototype, ['startsWith', 'endsWith', 'slice']], [JSON, ['stringify']],"
       "    [Object.getPrototypeOf(new Map().entries()), ['next']],"
       "    [globalThis, ['Set', 'parseInt', 'parseFloat', 'Error', 'Promise', 'TypeError']]])"
       "  for (const k of ks) Object.defineProperty(o, k, { value: bad, configurable: true });"
       "Object.defineProperty(Map.prototype, 'size', { get: bad });");
  EXPECT("v", "{\n  a: 1,\n  m: Map(1) { 1 => 2 },\n  s: Set(1) { 'x' },\n"
              "  d: 1970-01-01T00:00:00.000Z,\n  r: /x/g,\n  f: [Function: foo],\n"
              "  c: [class K],\n  n: [Number: 3],\n  w: WeakMap { <items unknown> }\n}");
  EXPECT_FMT("['%i %f %j', '42.5', '1.5x', { a: [1] }]", "42 1.5 {\"a\":[1]}");
  isl_realm_teardown(realm);
  CHECK(realm->protected_count == 0);
  isl_realm_free(realm);
  realm = saved;
}

static void test_teardown_releases_everything(uv_loop_t *loop) {
  /* A pending timer, interval and microtask helper: teardown must release all roots. */
  eval("setTimeout(() => {}, 100000); setInterval(() => {}, 100000);");
  CHECK(isl_timers_pending(realm) == 2);
  isl_realm_teardown(realm);
  CHECK(realm->protected_count == 0);
  uv_run(loop, UV_RUN_DEFAULT); /* runs the close callbacks; no handle is left */
  CHECK(uv_loop_alive(loop) == 0);
  isl_realm_free(realm);
}

int main(void) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  realm = isl_realm_new(&loop);
  isl_api_install_all(realm);
  test_primitives();
  test_strings();
  test_arrays();
  test_objects();
  test_classes();
  test_circular();
  test_collections();
  test_builtins();
  test_functions();
  test_errors();
  test_line_breaking();
  test_format();
  test_console_sink();
  test_tampered_before_first_render(&loop);
  test_teardown_releases_everything(&loop);
  uv_loop_close(&loop);
  return check_summary();
}
