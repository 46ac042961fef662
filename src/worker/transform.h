/* The ES module transform. JavaScriptCore's C API evaluates scripts only, so each module
 * is rewritten into one script: a function expression the linker (loader.c) calls to
 * instantiate the module and then to evaluate it. The transform tokenizes the whole module
 * (js_lexer.h: strings, comments, template literals with nested ${}, regex-vs-divide,
 * hashbang, Unicode escapes) and analyses scopes, so that references to imported bindings
 * can be rewritten to live reads of the exporter's namespace.
 *
 * Output shape (all on the user's first line, so every later line keeps its number):
 *
 *   (function (P) { <helpers> return async function* () { "use strict"; <naming>
 *   P.e({<getters>}); yield; <the module body, rewritten> \n} })
 *
 * (a plain `function*` instead of `async function*` when the module has no top-level
 * await: its body then runs synchronously when the linker resumes it)
 *
 * where P is an identifier the transform picked such that no identifier in the source
 * starts with it ("$i", else "$i1", "$i2", ...; also in xf->prefix), so P and the names
 * built from it below (P_a, P_c, P_n, P_d: "$i_a", ...) cannot collide with user code.
 * <helpers> are small functions declared only when the body needs them (P_a for
 * assignments to imports, P_c for calls, P_n for naming an anonymous default export);
 * they live in the outer function so that module-level declarations cannot shadow the
 * globals they use (Object, TypeError). If the source ends with a lone \r, one more \n
 * comes before the closing line, so the closing line is always a line of its own.
 *
 * The linker calls the outer function with the module's link object P, calls the
 * returned async generator function with no `this`, and calls next() once: that runs
 * P.e(getters) synchronously (getters: an object literal mapping each locally exported
 * name to an arrow function returning the local binding, e.g. { "count": () => count,
 * "default": () => P.d }), then pauses. The second next() runs the body (top-level await
 * works; the promise settles when evaluation is complete). The transform reads these
 * members of P: P.e(getters), P.m[k] (the exports of import record k as getters; P.n[k]
 * its namespace object), read at
 * every use, so it must be in place before the body runs), P.d (written by
 * `export default <expression>`), P.meta (import.meta), P.i(specifier, options)
 * (dynamic import).
 *
 * Rewrites inside the body:
 *  - import declarations and `export … from` statements are replaced by an empty
 *    statement `;` and spaces (line terminators kept), so that the code around them
 *    keeps its automatic semicolon insertion;
 *  - references to a binding imported from import record k are rewritten to a live read:
 *    `P.m[k].name` (or `P.m[k]["name"]` when the imported name is not an identifier); a
 *    namespace import `* as ns` is rewritten to `P.n[k]` (the namespace object proper, which
 *    the linker makes a spec-exact Proxy; P.m[k] is a plain object of getters, fast to read); object shorthand
 *    `{ count }` becomes `{ count: P.m[k].count }`; a call `f(…)` or tagged template
 *    becomes `P_c(P.m[k].f)(…)` so that the callee gets no `this`, as for a real
 *    imported function; an assignment target (`count = 1`, `count++`, `[count] = a`,
 *    `({count} = o)`, `for (count of a)`) becomes `P_a(P.m[k].count).v`, whose setter
 *    throws TypeError "Assignment to constant variable." at run time as real modules do
 *    (after the right-hand side is evaluated; `count ||= 1` with a truthy count does not
 *    throw). References resolved to an inner declaration (parameters, let/const/class in
 *    blocks, hoisted var and function declarations, catch parameters, for heads, the
 *    names of function and class expressions) are left alone, as are property names,
 *    keys, labels and text in strings, comments and templates;
 *  - `export` before a declaration is replaced by spaces; `export { ... }` like the
 *    re-exports above; `export default <expression>` becomes `P.d = <expression>`
 *    (padded so the expression keeps its column); `export default function f` /
 *    `class C` stay declarations; anonymous ones become declarations named P_d
 *    (`export default function () {}` -> `function P_d   () {}`, hoisted like the
 *    original; the getter is `"default": () => P_d`), renamed to "default" by P_n: in the
 *    prologue for a function, right after the class body for a class;
 *  - `import.meta` becomes `P.meta`, dynamic `import(x, opts)` becomes `P.i(x, opts)`;
 *  - a hashbang line becomes a `//` comment of the same width.
 *
 * Columns are 1-based and counted in UTF-16 code units, like JSC's. Where a rewrite
 * changes a line's length, the shift is recorded in the column map so that positions in
 * the generated code can be mapped back to the user's source (isl_transform_map_column);
 * the prologue is one shift on line 1 starting at column 1. JSC reports a column for
 * runtime errors (stack frames, Error.column) but none for syntax errors from
 * JSEvaluateScript, so those can only be mapped by line (which needs no mapping). */
#ifndef ISL_TRANSFORM_H
#define ISL_TRANSFORM_H

#include "../base/base.h"

typedef struct {
  char *specifier; /* decoded string value */
  char *type;      /* `with { type: "…" }` (or legacy `assert {…}`) value or NULL; other
                    * attribute keys are accepted and ignored, duplicates are an error */
  int line, col;   /* 1-based position of the specifier string in the source */
} isl_import_rec_t;

typedef enum {
  ISL_EXPORT_LOCAL,   /* exported name → a getter in the P.e({…}) object */
  ISL_EXPORT_FROM,    /* export { imported as exported } from "m"; export * as exported from "m" (imported "*") */
  ISL_EXPORT_STAR,    /* export * from "m" */
} isl_export_kind_t;

typedef struct {
  isl_export_kind_t kind;
  char *exported; /* NULL for ISL_EXPORT_STAR */
  char *imported; /* ISL_EXPORT_FROM: the name in the other module, "*" for a namespace */
  int module;     /* ISL_EXPORT_FROM / STAR: index into imports */
  int line, col;
} isl_export_rec_t;

/* An imported binding as the importer uses it, for link-time checks ("module './x.js'
 * does not provide an export named 'y'"). */
typedef struct {
  char *imported; /* "default", a name, or "*" */
  char *local;
  int module; /* index into imports */
  int line, col;
} isl_import_binding_t;

/* A change of line length: from column `col` (1-based, in the generated line) on, the
 * generated line is `delta` characters longer than the source line. */
typedef struct {
  int line, col, delta;
} isl_colshift_t;

typedef struct {
  isl_buf_t code;                 /* the script to evaluate */
  char prefix[16];                /* P, NUL-terminated */
  isl_import_rec_t *imports;      /* one per distinct (specifier, type), in source order,
                                   * from import declarations and `export … from` */
  int nimports;
  isl_import_binding_t *bindings;
  int nbindings;
  isl_export_rec_t *exports;
  int nexports;
  isl_colshift_t *shifts;         /* sorted by line, then col */
  int nshifts;
  bool has_tla;                   /* the body uses top-level await */
  /* On failure: */
  int err_line, err_col;
  char err_msg[256];
} isl_module_xf_t;

/* Transforms an ES module. Returns false with err_line/err_col/err_msg set on a syntax
 * error the transform itself detects (unterminated string/comment/template/regex,
 * unbalanced brackets, malformed import/export, duplicate export names, an import
 * redeclared at module level, an undefined local export, import/export below the top
 * level, and what the function wrapper would otherwise accept: top-level return,
 * new.target or yield, await in a non-async function, delete of a plain identifier);
 * other syntax errors are left for JSC to report. Linear in the source length. Always
 * call isl_transform_dispose afterwards, also after a failure. */
bool isl_transform_module(const char *src, size_t len, isl_module_xf_t *out);
void isl_transform_dispose(isl_module_xf_t *xf);

/* Maps a 1-based column in the generated code back to the source's column (columns
 * inside the prologue or inside a rewritten reference map to its start or thereabouts;
 * the result is >= 1). Lines need no mapping. */
int isl_transform_map_column(const isl_module_xf_t *xf, int line, int col);

/* A CommonJS module as a script: a function expression
 *   (function (exports, require, module, __filename, __dirname) { <source> \n})
 * with the prefix on the first line (a hashbang becomes a `//` comment). */
void isl_transform_commonjs(const char *src, size_t len, isl_buf_t *out);

#endif
