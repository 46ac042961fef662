/* See module_lite.h. The tokenizer only needs to know where strings, comments, template
 * literals and regular-expression literals begin and end, and the bracket depth, so that
 * `import`/`export` are recognised only as top-level statements. */
#include "module_lite.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { T_EOF, T_IDENT, T_STRING, T_PUNCT, T_OTHER };

typedef struct {
  const char *s;
  size_t n, i;
  int line;
  /* Token just read. */
  int type;
  size_t start, end;
  /* Whether a '/' here starts a regular expression (depends on the previous token). */
  bool regex_ok;
  /* Whether the token before the current one was '.', so `x.import` is not a statement. */
  bool after_dot;
  /* Bracket stack: '{', '(', '[' or 't' for a template literal's ${ … }. */
  char stack[256];
  int depth;
  bool error;
  const char *errmsg;
} lexer_t;

static bool is_id_start(unsigned char c) {
  return isalpha(c) || c == '_' || c == '$' || c >= 0x80;
}
static bool is_id_char(unsigned char c) { return is_id_start(c) || isdigit(c); }

static void advance(lexer_t *lx, size_t k) {
  for (size_t j = 0; j < k && lx->i < lx->n; j++) {
    if (lx->s[lx->i] == '\n') lx->line++;
    lx->i++;
  }
}

/* Skips the rest of a template literal after its opening backquote or after the '}' that
 * closes a substitution. Stops after the closing backquote or after "${" (pushing 't'). */
static void skip_template(lexer_t *lx) {
  while (lx->i < lx->n) {
    char c = lx->s[lx->i];
    if (c == '\\') {
      advance(lx, 2);
    } else if (c == '`') {
      advance(lx, 1);
      return;
    } else if (c == '$' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '{') {
      advance(lx, 2);
      if (lx->depth < (int)sizeof(lx->stack)) lx->stack[lx->depth++] = 't';
      else lx->error = true;
      return;
    } else {
      advance(lx, 1);
    }
  }
  lx->error = true;
  lx->errmsg = "unterminated template literal";
}

static bool keyword_allows_regex(const char *p, size_t n) {
  static const char *const kw[] = {"return", "typeof", "instanceof", "in",    "of",
                                   "new",    "delete", "void",       "throw", "case",
                                   "do",     "else",   "yield",      "await", NULL};
  for (int k = 0; kw[k]; k++)
    if (strlen(kw[k]) == n && memcmp(kw[k], p, n) == 0) return true;
  return false;
}

/* Reads the next token, skipping whitespace and comments. */
static void next(lexer_t *lx) {
  lx->after_dot = lx->type == T_PUNCT && lx->end > lx->start && lx->s[lx->start] == '.';
  for (;;) {
    while (lx->i < lx->n && isspace((unsigned char)lx->s[lx->i])) advance(lx, 1);
    if (lx->i + 1 < lx->n && lx->s[lx->i] == '/' && lx->s[lx->i + 1] == '/') {
      while (lx->i < lx->n && lx->s[lx->i] != '\n') advance(lx, 1);
      continue;
    }
    if (lx->i + 1 < lx->n && lx->s[lx->i] == '/' && lx->s[lx->i + 1] == '*') {
      const char *e = NULL;
      for (size_t j = lx->i + 2; j + 1 < lx->n; j++)
        if (lx->s[j] == '*' && lx->s[j + 1] == '/') {
          e = lx->s + j;
          break;
        }
      if (!e) {
        lx->error = true;
        lx->errmsg = "unterminated comment";
        lx->type = T_EOF;
        return;
      }
      advance(lx, (size_t)(e - (lx->s + lx->i)) + 2);
      continue;
    }
    /* A hashbang on the first line. */
    if (lx->i == 0 && lx->n > 1 && lx->s[0] == '#' && lx->s[1] == '!') {
      while (lx->i < lx->n && lx->s[lx->i] != '\n') advance(lx, 1);
      continue;
    }
    break;
  }
  lx->start = lx->i;
  if (lx->i >= lx->n) {
    lx->type = T_EOF;
    lx->end = lx->i;
    return;
  }
  unsigned char c = (unsigned char)lx->s[lx->i];
  if (is_id_start(c) || c == '\\') {
    while (lx->i < lx->n && (is_id_char((unsigned char)lx->s[lx->i]) || lx->s[lx->i] == '\\'))
      advance(lx, 1);
    lx->type = T_IDENT;
    lx->regex_ok = keyword_allows_regex(lx->s + lx->start, lx->i - lx->start);
  } else if (isdigit(c) || (c == '.' && lx->i + 1 < lx->n && isdigit((unsigned char)lx->s[lx->i + 1]))) {
    while (lx->i < lx->n && (isalnum((unsigned char)lx->s[lx->i]) || lx->s[lx->i] == '.' ||
                             lx->s[lx->i] == '_'))
      advance(lx, 1);
    lx->type = T_OTHER;
    lx->regex_ok = false;
  } else if (c == '"' || c == '\'') {
    advance(lx, 1);
    while (lx->i < lx->n && lx->s[lx->i] != (char)c && lx->s[lx->i] != '\n') {
      if (lx->s[lx->i] == '\\') advance(lx, 1);
      advance(lx, 1);
    }
    if (lx->i >= lx->n || lx->s[lx->i] != (char)c) {
      lx->error = true;
      lx->errmsg = "unterminated string literal";
    }
    advance(lx, 1);
    lx->type = T_STRING;
    lx->regex_ok = false;
  } else if (c == '`') {
    advance(lx, 1);
    skip_template(lx);
    lx->type = T_OTHER;
    lx->regex_ok = false;
  } else if (c == '/' && lx->regex_ok) {
    bool in_class = false;
    advance(lx, 1);
    while (lx->i < lx->n && lx->s[lx->i] != '\n') {
      char d = lx->s[lx->i];
      if (d == '\\') {
        advance(lx, 2);
        continue;
      }
      if (d == '[') in_class = true;
      else if (d == ']') in_class = false;
      else if (d == '/' && !in_class) break;
      advance(lx, 1);
    }
    if (lx->i >= lx->n || lx->s[lx->i] != '/') {
      lx->error = true;
      lx->errmsg = "unterminated regular expression";
    }
    advance(lx, 1);
    while (lx->i < lx->n && is_id_char((unsigned char)lx->s[lx->i])) advance(lx, 1);
    lx->type = T_OTHER;
    lx->regex_ok = false;
  } else {
    advance(lx, 1);
    lx->type = T_PUNCT;
    if (c == '{' || c == '(' || c == '[') {
      if (lx->depth < (int)sizeof(lx->stack)) lx->stack[lx->depth++] = (char)c;
      else lx->error = true;
      lx->regex_ok = true;
    } else if (c == '}' && lx->depth > 0 && lx->stack[lx->depth - 1] == 't') {
      lx->depth--;
      skip_template(lx);
      lx->type = T_OTHER;
      lx->regex_ok = false;
    } else if (c == '}' || c == ')' || c == ']') {
      if (lx->depth > 0) lx->depth--;
      /* After ')' or ']' a slash divides; after '}' a statement usually starts. */
      lx->regex_ok = c == '}';
    } else if ((c == '+' || c == '-') && lx->i < lx->n && lx->s[lx->i] == (char)c) {
      advance(lx, 1); /* ++ and -- end an operand when postfix: treat as division context */
      lx->regex_ok = false;
    } else {
      lx->regex_ok = true;
    }
  }
  lx->end = lx->i;
}

static bool tok_is(const lexer_t *lx, const char *word) {
  size_t n = strlen(word);
  return lx->end - lx->start == n && memcmp(lx->s + lx->start, word, n) == 0;
}

static bool punct_is(const lexer_t *lx, char c) {
  return lx->type == T_PUNCT && lx->s[lx->start] == c;
}

/* Replaces src[from..to) in the output with text followed by the newlines the replaced
 * span contained, so later lines keep their numbers. */
static void emit_replacement(isl_buf_t *out, const char *src, size_t from, size_t to,
                             const char *text) {
  isl_buf_puts(out, text);
  for (size_t k = from; k < to; k++)
    if (src[k] == '\n') isl_buf_putc(out, '\n');
}

typedef struct {
  isl_buf_t getters; /* "name: () => expr," entries for the exports object */
  int tmp;           /* counter for namespace temporaries */
} exports_t;

static void add_export(exports_t *ex, const char *name, size_t nlen, const char *expr,
                       size_t elen) {
  isl_buf_putc(&ex->getters, '"');
  isl_buf_append(&ex->getters, name, nlen);
  isl_buf_puts(&ex->getters, "\": () => ");
  isl_buf_append(&ex->getters, expr, elen);
  isl_buf_putc(&ex->getters, ',');
}

/* A module specifier string as written (with its quotes), plus optional import
 * attributes `with { type: "json" }`; consumes the trailing ';' if present. Writes the
 * import call to out. */
static bool finish_from(lexer_t *lx, isl_buf_t *call) {
  if (lx->type != T_STRING) return false;
  isl_buf_puts(call, "(await __islet_import(");
  isl_buf_append(call, lx->s + lx->start, lx->end - lx->start);
  next(lx);
  if (lx->type == T_IDENT && (tok_is(lx, "with") || tok_is(lx, "assert"))) {
    next(lx);
    if (!punct_is(lx, '{')) return false;
    int d = lx->depth - 1;
    isl_buf_puts(call, ", {");
    next(lx);
    while (lx->type != T_EOF && lx->depth > d) {
      isl_buf_append(call, lx->s + lx->start, lx->end - lx->start);
      isl_buf_putc(call, ' ');
      next(lx);
    }
    isl_buf_putc(call, '}');
    if (!punct_is(lx, '}')) return false;
    next(lx);
  }
  isl_buf_puts(call, "))");
  if (punct_is(lx, ';')) next(lx);
  return true;
}

/* { a, b as c, default as d, "str" as e } — pairs of (imported/local, alias). Leaves the
 * lexer after the closing brace. */
typedef struct {
  size_t a_start, a_end, b_start, b_end;
} pair_t;

static int read_list(lexer_t *lx, pair_t *pairs, int max) {
  int n = 0;
  next(lx); /* after '{' */
  while (!punct_is(lx, '}')) {
    if (lx->type != T_IDENT && lx->type != T_STRING) return -1;
    if (n == max) return -1;
    pair_t *p = &pairs[n++];
    p->a_start = p->b_start = lx->start;
    p->a_end = p->b_end = lx->end;
    next(lx);
    if (lx->type == T_IDENT && tok_is(lx, "as")) {
      next(lx);
      if (lx->type != T_IDENT && lx->type != T_STRING) return -1;
      p->b_start = lx->start;
      p->b_end = lx->end;
      next(lx);
    }
    if (punct_is(lx, ',')) next(lx);
    else if (!punct_is(lx, '}')) return -1;
  }
  next(lx);
  return n;
}

/* Strips quotes from a string token for use as a property name (string export names). */
static void name_of(const char *s, size_t a, size_t b, size_t *na, size_t *nb) {
  if (s[a] == '"' || s[a] == '\'') {
    a++;
    b--;
  }
  *na = a;
  *nb = b;
}

static bool do_import(lexer_t *lx, isl_buf_t *out, exports_t *ex) {
  size_t from = lx->start;
  isl_buf_t code = {0};
  next(lx);
  bool ok = true;
  char tmp[32];
  snprintf(tmp, sizeof(tmp), "__islet_m%d", ex->tmp++);
  if (lx->type == T_STRING) {
    /* import "side-effect"; */
    isl_buf_t call = {0};
    ok = finish_from(lx, &call);
    isl_buf_printf(&code, "%s;", call.p ? call.p : "");
    isl_buf_free(&call);
  } else {
    isl_buf_t binds = {0};
    pair_t pairs[128];
    if (lx->type == T_IDENT && !tok_is(lx, "from")) {
      isl_buf_printf(&binds, "const ");
      isl_buf_append(&binds, lx->s + lx->start, lx->end - lx->start);
      isl_buf_printf(&binds, " = %s.default;", tmp);
      next(lx);
      if (punct_is(lx, ',')) next(lx);
    }
    if (punct_is(lx, '*')) {
      next(lx);
      if (!(lx->type == T_IDENT && tok_is(lx, "as"))) ok = false;
      next(lx);
      if (lx->type != T_IDENT) ok = false;
      isl_buf_puts(&binds, "const ");
      isl_buf_append(&binds, lx->s + lx->start, lx->end - lx->start);
      isl_buf_printf(&binds, " = %s;", tmp);
      next(lx);
    } else if (punct_is(lx, '{')) {
      int n = read_list(lx, pairs, 128);
      if (n < 0) ok = false;
      for (int k = 0; k < n; k++) {
        size_t a, b;
        name_of(lx->s, pairs[k].a_start, pairs[k].a_end, &a, &b);
        isl_buf_puts(&binds, "const ");
        isl_buf_append(&binds, lx->s + pairs[k].b_start, pairs[k].b_end - pairs[k].b_start);
        isl_buf_printf(&binds, " = %s[\"", tmp);
        isl_buf_append(&binds, lx->s + a, b - a);
        isl_buf_puts(&binds, "\"];");
      }
    }
    if (ok && lx->type == T_IDENT && tok_is(lx, "from")) {
      next(lx);
      isl_buf_t call = {0};
      ok = finish_from(lx, &call);
      isl_buf_printf(&code, "const %s = %s;%s", tmp, call.p ? call.p : "", binds.p ? binds.p : "");
      isl_buf_free(&call);
    } else {
      ok = false;
    }
    isl_buf_free(&binds);
  }
  if (ok) emit_replacement(out, lx->s, from, lx->start, code.p ? code.p : "");
  isl_buf_free(&code);
  return ok;
}

/* Returns the end of the statement's consumed part (where copying resumes). */
static bool do_export(lexer_t *lx, isl_buf_t *out, exports_t *ex, size_t *resume) {
  size_t from = lx->start;
  next(lx);
  if (lx->type == T_IDENT && tok_is(lx, "default")) {
    size_t after_default = lx->end;
    next(lx);
    /* Look ahead without consuming: the statement is copied from this token on. */
    lexer_t save = *lx;
    bool decl = false;
    if (lx->type == T_IDENT && tok_is(lx, "async")) next(lx);
    if (lx->type == T_IDENT && (tok_is(lx, "function") || tok_is(lx, "class"))) {
      next(lx);
      if (punct_is(lx, '*')) next(lx);
      decl = lx->type == T_IDENT && !tok_is(lx, "extends");
    }
    if (decl) {
      /* A named declaration stays a declaration (hoisted); its name is exported. */
      add_export(ex, "default", 7, lx->s + lx->start, lx->end - lx->start);
      emit_replacement(out, lx->s, from, after_default, "");
    } else {
      /* An expression, or an anonymous function or class: kept in the default slot. */
      add_export(ex, "default", 7, "__islet_dflt", 12);
      emit_replacement(out, lx->s, from, after_default, "__islet_dflt =");
    }
    *lx = save;
    *resume = after_default;
    return true;
  }
  if (lx->type == T_IDENT &&
      (tok_is(lx, "const") || tok_is(lx, "let") || tok_is(lx, "var") || tok_is(lx, "function") ||
       tok_is(lx, "class") || tok_is(lx, "async"))) {
    lexer_t save = *lx;
    bool fn = tok_is(lx, "function") || tok_is(lx, "async");
    next(lx);
    if (fn && tok_is(lx, "function")) next(lx);
    if (punct_is(lx, '*')) next(lx);
    if (lx->type != T_IDENT) {
      lx->errmsg = "destructuring exports need the module system (issue 3)";
      return false;
    }
    add_export(ex, lx->s + lx->start, lx->end - lx->start, lx->s + lx->start,
               lx->end - lx->start);
    *lx = save;
    emit_replacement(out, lx->s, from, lx->start, "");
    *resume = lx->start;
    return true;
  }
  if (punct_is(lx, '{')) {
    pair_t pairs[128];
    int n = read_list(lx, pairs, 128);
    if (n < 0) return false;
    char tmp[32] = "";
    isl_buf_t code = {0};
    if (lx->type == T_IDENT && tok_is(lx, "from")) {
      next(lx);
      snprintf(tmp, sizeof(tmp), "__islet_m%d", ex->tmp++);
      isl_buf_t call = {0};
      if (!finish_from(lx, &call)) {
        isl_buf_free(&call);
        return false;
      }
      isl_buf_printf(&code, "const %s = %s;", tmp, call.p);
      isl_buf_free(&call);
    } else if (punct_is(lx, ';')) {
      next(lx);
    }
    for (int k = 0; k < n; k++) {
      size_t a, b, c, d;
      name_of(lx->s, pairs[k].a_start, pairs[k].a_end, &a, &b);
      name_of(lx->s, pairs[k].b_start, pairs[k].b_end, &c, &d);
      isl_buf_t expr = {0};
      if (tmp[0]) {
        isl_buf_printf(&expr, "%s[\"", tmp);
        isl_buf_append(&expr, lx->s + a, b - a);
        isl_buf_puts(&expr, "\"]");
      } else {
        isl_buf_append(&expr, lx->s + a, b - a);
      }
      add_export(ex, lx->s + c, d - c, expr.p, expr.len);
      isl_buf_free(&expr);
    }
    emit_replacement(out, lx->s, from, lx->start, code.p ? code.p : "");
    isl_buf_free(&code);
    *resume = lx->start;
    return true;
  }
  if (punct_is(lx, '*')) {
    next(lx);
    size_t alias_s = 0, alias_e = 0;
    if (lx->type == T_IDENT && tok_is(lx, "as")) {
      next(lx);
      alias_s = lx->start;
      alias_e = lx->end;
      next(lx);
    }
    if (!(lx->type == T_IDENT && tok_is(lx, "from"))) return false;
    next(lx);
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "__islet_m%d", ex->tmp++);
    isl_buf_t call = {0};
    if (!finish_from(lx, &call)) {
      isl_buf_free(&call);
      return false;
    }
    isl_buf_t code = {0};
    isl_buf_printf(&code, "const %s = %s;", tmp, call.p);
    isl_buf_free(&call);
    if (alias_e) {
      size_t c, d;
      name_of(lx->s, alias_s, alias_e, &c, &d);
      add_export(ex, lx->s + c, d - c, tmp, strlen(tmp));
    } else {
      isl_buf_printf(&code, "__islet_star(%s);", tmp);
    }
    emit_replacement(out, lx->s, from, lx->start, code.p);
    isl_buf_free(&code);
    *resume = lx->start;
    return true;
  }
  return false;
}

bool isl_module_transform(const char *src, size_t len, isl_buf_t *out, isl_buf_t *err,
                          isl_module_info_t *info) {
  lexer_t lx = {.s = src, .n = len, .line = 1, .regex_ok = true};
  exports_t ex = {0};
  isl_buf_t body = {0};
  size_t copied = 0;
  bool ok = true;
  info->is_module = false;
  next(&lx);
  while (lx.type != T_EOF && !lx.error) {
    bool prev_dot = false;
    if (lx.depth == 0 && lx.type == T_IDENT && (tok_is(&lx, "import") || tok_is(&lx, "export"))) {
      /* Peek: import( and import.meta are expressions, not statements. */
      size_t j = lx.end;
      while (j < len && isspace((unsigned char)src[j])) j++;
      bool expr = tok_is(&lx, "import") && j < len && (src[j] == '(' || src[j] == '.');
      prev_dot = lx.after_dot;
      if (!expr && !prev_dot) {
        int line = lx.line;
        isl_buf_append(&body, src + copied, lx.start - copied);
        size_t resume = 0;
        bool is_import = tok_is(&lx, "import");
        info->is_module = true;
        bool done = is_import ? do_import(&lx, &body, &ex) : do_export(&lx, &body, &ex, &resume);
        if (!done) {
          isl_buf_printf(err, "line %d: %s", line,
                         lx.errmsg ? lx.errmsg : (is_import ? "unsupported import statement"
                                                            : "unsupported export statement"));
          ok = false;
          break;
        }
        /* The current token is where copying and scanning resume. */
        copied = is_import ? lx.start : resume;
        continue;
      }
    }
    if (lx.type == T_IDENT && tok_is(&lx, "meta") && lx.start >= 7 &&
        memcmp(src + lx.start - 7, "import.", 7) == 0) {
      isl_buf_append(&body, src + copied, lx.start - 7 - copied);
      isl_buf_puts(&body, "__isletmeta");
      copied = lx.end;
    }
    next(&lx);
  }
  if (ok && lx.error) {
    isl_buf_printf(err, "line %d: %s", lx.line, lx.errmsg ? lx.errmsg : "nesting too deep");
    ok = false;
  }
  if (ok) {
    isl_buf_append(&body, src + copied, len - copied);
    isl_buf_puts(out, "(async function (__islet_import, __islet_export, __islet_star, "
                      "__isletmeta) {\"use strict\"; let __islet_dflt; __islet_export({");
    if (ex.getters.p) isl_buf_append(out, ex.getters.p, ex.getters.len);
    isl_buf_puts(out, "});");
    isl_buf_append(out, body.p ? body.p : "", body.len);
    isl_buf_puts(out, "\n})");
  }
  isl_buf_free(&body);
  isl_buf_free(&ex.getters);
  return ok;
}
