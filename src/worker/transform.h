/* The ES module transform. JavaScriptCore's C API evaluates scripts only, so each module
 * is rewritten into one script: a function expression the linker (loader.c) calls to
 * instantiate the module and then to evaluate it. The transform tokenizes the whole module
 * (strings, comments, template literals with nested ${}, regex-vs-divide, hashbang,
 * Unicode escapes) and analyses scopes, so that references to imported bindings can be
 * rewritten to live reads of the exporter's namespace.
 *
 * Output shape (all on the user's first line, so every later line keeps its number):
 *
 *   (function (P) { return async function* () { "use strict"; P.e({<getters>}); yield;
 *   <the module body, rewritten> \n} })
 *
 * where P is an identifier the transform picked that occurs nowhere in the source
 * (e.g. "$i", "$i1", ...). The linker calls the outer function with the module's link
 * object P, calls the returned async generator function with no `this`, and calls next()
 * once: that runs P.e(getters) synchronously (getters: an object literal mapping each
 * locally exported name to an arrow function returning the local binding, e.g.
 * { "count": () => count, "default": () => P.d }), then pauses. The second next() runs
 * the body (top-level await works; the promise settles when evaluation is complete).
 *
 * Rewrites inside the body:
 *  - import declarations are replaced by spaces (newlines kept);
 *  - references to a binding imported from import record k are rewritten to a live read:
 *    `P.m[k].name` (or `P.m[k]["name"]` when the imported name is not an identifier); a
 *    namespace import `* as ns` is rewritten likewise to `P.m[k]`; object shorthand
 *    `{ count }` becomes `{ count: P.m[k].count }`; assignment to an imported binding
 *    (`count = 1`, `count++`) is rewritten to throw a TypeError at run time
 *    ("Assignment to constant variable.") as real modules do;
 *  - `export` before a declaration is replaced by spaces; `export { ... }` and
 *    `export ... from` statements by spaces; `export default <expression>` becomes
 *    `P.d = <expression>` (padded so the expression keeps its column), while
 *    `export default function f` / `class C` stay declarations (anonymous ones are named
 *    by assignment to P.d);
 *  - `import.meta` becomes `P.meta`, dynamic `import(x, opts)` becomes `P.i(x, opts)`.
 *
 * Columns: where a rewrite changes a line's length, the shift is recorded in the column
 * map so that positions in the generated code can be mapped back to the user's source
 * (isl_transform_map_column). */
#ifndef ISL_TRANSFORM_H
#define ISL_TRANSFORM_H

#include "../base/base.h"

typedef struct {
  char *specifier; /* decoded string value */
  char *type;      /* `with { type: "…" }` value or NULL */
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
  char prefix[16];                /* P */
  isl_import_rec_t *imports;      /* one per distinct (specifier, type), in source order */
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
 * malformed import/export, duplicate export names, …); other syntax errors are left for
 * JSC to report. Always call isl_transform_dispose afterwards. */
bool isl_transform_module(const char *src, size_t len, isl_module_xf_t *out);
void isl_transform_dispose(isl_module_xf_t *xf);

/* Maps a 1-based column in the generated code back to the source's column. */
int isl_transform_map_column(const isl_module_xf_t *xf, int line, int col);

/* A CommonJS module as a script: a function expression
 *   (function (exports, require, module, __filename, __dirname) { <source> \n})
 * with the prefix on the first line. */
void isl_transform_commonjs(const char *src, size_t len, isl_buf_t *out);

#endif
