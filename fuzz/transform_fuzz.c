/* libFuzzer driver for the ES module transform (src/worker/transform.c, js_lexer.c).
 * Any bytes go in; besides "no crash, no leak, no undefined behaviour" it checks the
 * invariants the loader relies on:
 *  - the output has exactly one line terminator more than the input (the closing line);
 *  - every generated line is as wide (in UTF-16 units) as its source line plus the last
 *    column shift recorded on it, so the column map accounts for every length change;
 *  - shifts are sorted, on existing lines, and map columns back to >= 1;
 *  - the output has the documented shape: "(function (P) { … return async function* ()
 *    { "use strict"; … yield; <body>\n} })";
 *  - on failure there is a message and a 1-based position.
 * See fuzz/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker/js_lexer.h"
#include "worker/transform.h"

#define ASSERT(c)                                                             \
  do {                                                                        \
    if (!(c)) {                                                               \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                \
    }                                                                         \
  } while (0)

static int count_lines(const char *s, size_t n) {
  int lines = 0;
  for (size_t i = 0; i < n;) {
    int lt = js_lt_len(s, i, n);
    if (lt) lines++, i += (size_t)lt;
    else i++;
  }
  return lines;
}

/* Width of line `*pos`… up to its terminator; advances *pos past the terminator. */
static size_t line_width(const char *s, size_t n, size_t *pos) {
  size_t start = *pos, i = start;
  while (i < n && !js_lt_len(s, i, n)) i++;
  size_t w = js_utf16_width(s + start, i - start);
  *pos = i < n ? i + (size_t)js_lt_len(s, i, n) : n + 1;
  return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *src = (const char *)data;
  isl_module_xf_t xf;
  bool ok = isl_transform_module(src, size, &xf);
  if (!ok) {
    ASSERT(xf.err_msg[0] != 0);
    ASSERT(xf.err_line >= 1 && xf.err_col >= 1);
    ASSERT(xf.err_line <= count_lines(src, size) + 1);
    isl_transform_dispose(&xf);
    return 0;
  }
  const char *code = xf.code.p;
  size_t n = xf.code.len;
  ASSERT(code && strlen(xf.prefix) >= 2);
  ASSERT(strncmp(code, "(function (", 11) == 0);
  ASSERT(n >= 5 && memcmp(code + n - 5, "\n} })", 5) == 0);
  ASSERT(count_lines(code, n) == count_lines(src, size) + 1);
  const char *body = strstr(code, "yield; ");
  ASSERT(body != NULL);
  size_t prologue = (size_t)(body + 7 - code);
  ASSERT(count_lines(code, prologue) == 0);

  /* Shifts: sorted, on real lines, deltas match line widths. */
  int lines = count_lines(src, size) + 1;
  for (int k = 0; k < xf.nshifts; k++) {
    const isl_colshift_t *s = &xf.shifts[k];
    ASSERT(s->line >= 1 && s->line <= lines && s->col >= 1);
    if (k) {
      const isl_colshift_t *p = &xf.shifts[k - 1];
      ASSERT(p->line < s->line || (p->line == s->line && p->col < s->col));
    }
  }
  size_t sp = 0, gp = 0;
  int shift = 0;
  for (int line = 1; line <= lines; line++) {
    size_t sw = line_width(src, size, &sp);
    size_t gw = line_width(code, n - 5, &gp);
    int delta = 0;
    while (shift < xf.nshifts && xf.shifts[shift].line == line) delta = xf.shifts[shift++].delta;
    ASSERT((long)gw == (long)sw + delta);
    ASSERT(isl_transform_map_column(&xf, line, 1) >= 1);
    ASSERT(isl_transform_map_column(&xf, line, (int)gw + 1) == (int)sw + 1);
  }

  for (int k = 0; k < xf.nimports; k++) ASSERT(xf.imports[k].specifier && xf.imports[k].line >= 1);
  for (int k = 0; k < xf.nbindings; k++)
    ASSERT(xf.bindings[k].module >= 0 && xf.bindings[k].module < xf.nimports);
  for (int k = 0; k < xf.nexports; k++) {
    const isl_export_rec_t *e = &xf.exports[k];
    ASSERT((e->kind == ISL_EXPORT_STAR) == (e->exported == NULL));
    if (e->kind != ISL_EXPORT_LOCAL) ASSERT(e->module >= 0 && e->module < xf.nimports);
  }
  isl_transform_dispose(&xf);

  isl_buf_t cjs = {0};
  isl_transform_commonjs(src, size, &cjs);
  ASSERT(count_lines(cjs.p, cjs.len) == count_lines(src, size) + 1);
  isl_buf_free(&cjs);
  return 0;
}
