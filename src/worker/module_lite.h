/* A stop-gap ES module transform until the real module system (issue 3) lands: it finds
 * top-level import/export statements with a small JS tokenizer and rewrites the module into
 * one async function expression whose parameters carry the import function, the exports
 * object and import.meta. Line numbers are preserved (replacements keep their newlines), so
 * stacks and syntax errors name the user's line.
 *
 * Known limits, all for issue 3: imported bindings are snapshots taken when the import
 * statement runs (exports are live getters on the exporter side); `export const a = 1, b`
 * exports only the first name, destructuring exports are refused; dynamic import() is not
 * rewritten. */
#ifndef ISL_MODULE_LITE_H
#define ISL_MODULE_LITE_H

#include "../base/base.h"

typedef struct {
  bool is_module; /* the source had import/export statements */
} isl_module_info_t;

/* Appends the transformed source to out. For a source without import/export statements
 * the output is still the module function (callers may choose to run the original text as
 * a classic script instead). Returns false with a message in err on a statement it cannot
 * transform ("line N: …"). */
bool isl_module_transform(const char *src, size_t len, isl_buf_t *out, isl_buf_t *err,
                          isl_module_info_t *info);

#endif
