/* The value renderer behind console.log: Node's util.inspect conventions (which workerd's
 * console follows), so output looks the same as under wrangler/workerd/Node.
 *
 *   'str' quoted when nested, -0, 1n, Symbol(x), [ 1, 2 ], { a: 1, 'b-c': 2 },
 *   Foo { x: 1 }, Map(1) { 'a' => 1 }, Set(1) { 1 }, Uint8Array(2) [ 1, 2 ],
 *   [Function: f], [class X extends Y], [Object] beyond the depth, <ref *1> … [Circular *1],
 *   errors as their stack; long output broken over lines at 80 columns like Node.
 *
 * It needs the realm's inspect helper (a few JS functions that hold the original
 * intrinsics): isl_inspect_install, called by isl_api_console_install, captures the
 * intrinsics, and the helper is compiled on the realm's first rendering of an object. */
#ifndef ISL_API_INSPECT_H
#define ISL_API_INSPECT_H

#include "api.h"

typedef struct {
  int depth;        /* nesting shown before [Object]; Node's default 2; -1: unlimited */
  int break_length; /* Node's default 80 */
} isl_inspect_opts_t;

#define ISL_INSPECT_DEFAULTS ((isl_inspect_opts_t){2, 80})

/* Appends the rendering of v to out. opts may be NULL for the defaults. Never throws:
 * exceptions from user getters (Symbol.toStringTag, Proxies) are swallowed. */
void isl_inspect(JSContextRef ctx, JSValueRef v, const isl_inspect_opts_t *opts, isl_buf_t *out);

/* console.log's formatting of its arguments (Node's formatWithOptions): printf-style
 * %s %d %i %f %j %o %O %c %% in a leading string, then the remaining arguments rendered
 * and joined by spaces; strings are written raw. Returns false with *exc set if a
 * conversion threw (e.g. %d on an object whose valueOf throws). */
bool isl_format_args(JSContextRef ctx, size_t argc, const JSValueRef argv[], isl_buf_t *out,
                     JSValueRef *exc);

/* Captures the intrinsics the realm's inspect helper will use. Called by the console
 * install, i.e. before any user code runs; rendering needs it. */
void isl_inspect_install(isl_realm_t *r);

#endif
