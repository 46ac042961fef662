/* The stop-gap module transform: statements found only where they are statements, lines
 * kept, and the tokenizer's hard cases (regex vs division, templates, comments). */
#include "../../src/worker/module_lite.c"
#include "check.h"

static int count_lines(const char *s) {
  int n = 1;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* Transforms src; returns the output (static buffer) or NULL on error. */
static char out_text[65536];
static const char *xf(const char *src, bool *is_module) {
  isl_buf_t out = {0}, err = {0};
  isl_module_info_t info;
  bool ok = isl_module_transform(src, strlen(src), &out, &err, &info);
  if (is_module) *is_module = info.is_module;
  snprintf(out_text, sizeof(out_text), "%s", ok ? out.p : err.p);
  isl_buf_free(&out);
  isl_buf_free(&err);
  return ok ? out_text : NULL;
}

static bool has(const char *hay, const char *needle) { return hay && strstr(hay, needle); }

int main(void) {
  bool mod;
  const char *o;

  o = xf("export default { fetch() {} };\n", &mod);
  CHECK(mod);
  CHECK(has(o, "__islet_dflt = { fetch() {} };"));
  CHECK(has(o, "\"default\": () => __islet_dflt"));

  o = xf("addEventListener('fetch', e => e.respondWith(new Response('x')));\n", &mod);
  CHECK(o != NULL);
  CHECK(!mod);

  /* The words inside strings, comments, templates and regexes are not statements. */
  o = xf("const a = 'export default 1';\n// import x from 'y'\n/* export const z = 1 */\n"
         "const t = `export default ${ `import ${1}` }`;\nconst r = /export default/g;\n",
         &mod);
  CHECK(o != NULL);
  CHECK(!mod);

  /* Division is not a regex: a / b / c must not swallow the rest of the line. */
  o = xf("const q = a / b / c; export const after = 1;\n", &mod);
  CHECK(mod);
  CHECK(has(o, "\"after\": () => after"));

  /* A regex containing a slash in a class and braces does not unbalance depth. */
  o = xf("const r = /[/{]+/; export function f() {}\n", &mod);
  CHECK(has(o, "\"f\": () => f"));

  /* Nested braces: an export inside a block is not top level, so not touched. */
  o = xf("{ let export_ = 1; }\nfunction g() { return { export: 1 }; }\n", &mod);
  CHECK(!mod);

  /* A comment ending in '.' before an import does not make it a member access. */
  o = xf("// see 5.2.\nimport { x } from './x.js';\n", &mod);
  CHECK(mod);
  CHECK(has(o, "const x = __islet_m0[\"x\"];"));
  o = xf("obj.import = 1; obj.\nexport = 2;\n", &mod);
  CHECK(!mod);

  /* Import forms. */
  o = xf("import a, { b as c, default as d } from './x.js';\nimport * as ns from \"./y.js\";\n"
         "import './z.js';\n",
         &mod);
  CHECK(mod);
  CHECK(has(o, "const a = __islet_m0.default;"));
  CHECK(has(o, "const c = __islet_m0[\"b\"];"));
  CHECK(has(o, "const d = __islet_m0[\"default\"];"));
  CHECK(has(o, "const ns = __islet_m1;"));
  CHECK(has(o, "(await __islet_import('./z.js'))"));
  o = xf("import data from './d.json' with { type: 'json' };\n", &mod);
  CHECK(has(o, "__islet_import('./d.json', {type : 'json' })"));

  /* Export forms. */
  o = xf("export { a as b, c };\nexport * from './m.js';\nexport * as all from './n.js';\n"
         "export async function af() {}\nexport class K {}\nexport let v = 1;\n",
         &mod);
  CHECK(has(o, "\"b\": () => a"));
  CHECK(has(o, "\"c\": () => c"));
  CHECK(has(o, "__islet_star(__islet_m0);"));
  CHECK(has(o, "\"all\": () => __islet_m1"));
  CHECK(has(o, "\"af\": () => af"));
  CHECK(has(o, "\"K\": () => K"));
  CHECK(has(o, "\"v\": () => v"));
  CHECK(has(o, "async function af() {}"));
  o = xf("export default function named() {}\n", &mod);
  CHECK(has(o, "\"default\": () => named"));
  CHECK(has(o, " function named() {}"));
  o = xf("export default class extends Base {}\n", &mod);
  CHECK(has(o, "__islet_dflt = class extends Base {}"));

  /* import.meta and import() expressions. */
  o = xf("export const u = import.meta.url; const p = import('./x.js');\n", &mod);
  CHECK(has(o, "__isletmeta.url"));
  CHECK(has(o, "import('./x.js')"));

  /* Lines are preserved: a statement over several lines keeps its newlines. */
  const char *src = "import {\n  a,\n  b\n} from './x.js';\nexport default {\n};\nthrow 1;\n";
  o = xf(src, &mod);
  CHECK(o && count_lines(o) == count_lines(src) + 1); /* + the closing line of the wrapper */
  /* "throw 1;" stays on line 7. */
  int line = 1;
  const char *t = o ? strstr(o, "throw 1;") : NULL;
  for (const char *p = o; t && p < t; p++) line += *p == '\n';
  CHECK(t && line == 7);

  /* Errors name the line. */
  o = xf("const ok = 1;\nexport const { a } = x;\n", &mod);
  CHECK(o == NULL);
  CHECK(has(out_text, "line 2"));
  o = xf("const s = `unterminated ${x}\n", &mod);
  CHECK(o == NULL);
  CHECK(has(out_text, "template"));
  o = xf("const s = 'abc\n", &mod);
  CHECK(o == NULL);

  return check_summary();
}
