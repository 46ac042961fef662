/* See transform.h. Three passes over the tokens from js_lexer:
 *
 *  1. Import declarations are found (an `import` at bracket depth 0 that is not
 *     `import(` or `import.`) and parsed first, because imports are hoisted: a reference
 *     may come before the declaration that introduces its binding.
 *  2. A recursive-descent parser walks the whole module. It does not build a tree and
 *     ignores operator precedence; what it tracks is what scope analysis needs: which
 *     identifiers are references (not property names, keys, labels or declarations),
 *     which are assignment targets, and the scope each declaration lands in (var and
 *     function-body hoisting, block scoping, parameters, catch parameters, for heads,
 *     the names of function and class expressions). Only declarations whose name is an
 *     imported name are recorded, so the bookkeeping stays small; references to
 *     imported names are recorded with the scope they occur in.
 *  3. Each recorded reference is resolved by walking its scope chain (declarations that
 *     come later in a scope, like hoisted vars, count too); the unshadowed ones become
 *     edits. All edits are sorted and applied in one copy of the source that keeps
 *     every line terminator, pads shorter replacements with spaces and records the
 *     column shift of longer ones.
 *
 * Errors the parser finds itself are those the rewrite would otherwise hide from JSC
 * (the import/export syntax is gone after the rewrite, and the body runs inside a
 * function, where `return` is allowed); other syntax errors are left to JSC. */
#include "transform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "js_lexer.h"

#define MAX_DEPTH 1000

/* ---- small hash table of names, keyed by (scope, name) ---- */

typedef struct {
  const char *name; /* NULL: empty slot */
  uint32_t len, hash;
  int scope;
  int val;
} hent_t;

typedef struct {
  hent_t *e;
  uint32_t cap, n;
} htab_t;

static uint32_t ht_slot(uint32_t hash, int scope) { return hash ^ ((uint32_t)scope * 0x9E3779B1u); }

static hent_t *ht_find(const htab_t *h, int scope, const char *name, uint32_t len, uint32_t hash) {
  if (!h->cap) return NULL;
  for (uint32_t k = ht_slot(hash, scope) & (h->cap - 1);; k = (k + 1) & (h->cap - 1)) {
    hent_t *e = &h->e[k];
    if (!e->name) return NULL;
    if (e->hash == hash && e->scope == scope && e->len == len && memcmp(e->name, name, len) == 0)
      return e;
  }
}

static void ht_put(htab_t *h, int scope, const char *name, uint32_t len, uint32_t hash, int val) {
  if ((h->n + 1) * 2 > h->cap) {
    htab_t g = {isl_calloc(h->cap ? h->cap * 2 : 16, sizeof(hent_t)), h->cap ? h->cap * 2 : 16, 0};
    for (uint32_t k = 0; k < h->cap; k++)
      if (h->e[k].name) ht_put(&g, h->e[k].scope, h->e[k].name, h->e[k].len, h->e[k].hash, h->e[k].val);
    free(h->e);
    *h = g;
  }
  uint32_t k = ht_slot(hash, scope) & (h->cap - 1);
  while (h->e[k].name) k = (k + 1) & (h->cap - 1);
  h->e[k] = (hent_t){name, len, hash, scope, val};
  h->n++;
}

/* ---- parser state ---- */

enum { REF_READ, REF_CALL, REF_SHORTHAND, REF_ASSIGN, REF_SHORTHAND_ASSIGN };
typedef struct {
  int tok, scope, kind, binding;
} ref_t;

typedef struct {
  uint32_t start, end; /* source bytes replaced */
  uint32_t tofs, tlen; /* replacement in ps->etext */
} edit_t;

typedef struct {
  int parent;
} scope_t;

/* A local export waiting for the end of the parse to know what its local name is. */
typedef struct {
  int export_index;
  int tok; /* the local name's token */
} pending_export_t;

enum { DEF_NONE, DEF_EXPR, DEF_NAMED, DEF_ANON };
enum { O_OTHER, O_IDENT, O_PATTERN };
typedef struct {
  int kind;
  int ref; /* O_IDENT: index into refs of an imported name's reference, or -1 */
} operand_t;

typedef struct {
  bool in_function, is_async, is_generator;
} fnctx_t;

typedef struct {
  const char *src;
  size_t len;
  js_lexer_t lx;
  js_tok_t *t;
  int nt, i;
  isl_module_xf_t *out;
  bool failed;

  scope_t *scopes;
  int nscopes, capscopes;
  int scope, var_scope;
  fnctx_t fn;
  int depth;
  bool stmt_top; /* the statement about to be parsed is directly in the module body */
  bool collecting;
  int *collected, ncollected, capcollected;

  htab_t imports_by_local; /* scope 0; val = binding index */
  htab_t modnames;         /* names declared at module scope */
  htab_t shadows;          /* (scope, imported local name) declared in an inner scope */
  htab_t exported;         /* exported names; val = export index */
  htab_t import_keys;      /* specifier \1 type -> import record index */
  char **keys;
  int nkeys;
  int *inner_decls; /* per binding: how many inner-scope declarations shadow it somewhere */
  int *binding_tok; /* per binding: the local name's token */

  ref_t *refs;
  int nrefs, caprefs;
  edit_t *edits;
  int nedits, capedits;
  isl_buf_t etext;
  pending_export_t *pend;
  int npend, cappend;

  int default_kind;
  bool anon_fn; /* the default export is an anonymous function declaration */
  char P[16];
  bool need_assign, need_call, need_name;
} ps_t;

#define GROW(arr, n, cap)                                          \
  do {                                                             \
    if ((n) == (cap)) {                                            \
      (cap) = (cap) ? (cap) * 2 : 16;                              \
      (arr) = isl_realloc((arr), (size_t)(cap) * sizeof(*(arr)));  \
    }                                                              \
  } while (0)

static js_tok_t *T(ps_t *ps, int k) { return &ps->t[k < ps->nt ? (k < 0 ? ps->nt - 1 : k) : ps->nt - 1]; }
#define CUR T(ps, ps->i)
static void next(ps_t *ps) {
  if (ps->i < ps->nt - 1) ps->i++;
}
static bool at_eof(ps_t *ps) { return ps->failed || CUR->type == JS_EOF; }
static bool is_p(ps_t *ps, int k, uint32_t p) {
  js_tok_t *t = T(ps, k);
  return t->type == JS_PUNCT && t->p == p;
}
static bool is_kw(ps_t *ps, int k, const char *w) { return js_tok_is(&ps->lx, T(ps, k), w); }
static bool cur_p(ps_t *ps, uint32_t p) { return is_p(ps, ps->i, p); }
static bool cur_kw(ps_t *ps, const char *w) { return is_kw(ps, ps->i, w); }
static bool eat_p(ps_t *ps, uint32_t p) {
  if (!cur_p(ps, p)) return false;
  next(ps);
  return true;
}
static bool nl_before(ps_t *ps, int k) { return (T(ps, k)->flags & JS_NL_BEFORE) != 0; }
static const char *tname(ps_t *ps, int k) { return js_tok_name(&ps->lx, T(ps, k)); }
static bool is_closer(ps_t *ps, int k) {
  js_tok_t *t = T(ps, k);
  if (t->type == JS_EOF) return true;
  if (t->type == JS_TEMPLATE) return t->p == JS_TPL_MIDDLE || t->p == JS_TPL_TAIL;
  return t->type == JS_PUNCT && (t->p == ')' || t->p == ']' || t->p == '}');
}

static void perr(ps_t *ps, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void perr(ps_t *ps, int k, const char *fmt, ...) {
  if (ps->failed) return;
  ps->failed = true;
  js_tok_t *t = T(ps, k);
  ps->out->err_line = (int)t->line;
  ps->out->err_col = (int)t->col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ps->out->err_msg, sizeof(ps->out->err_msg), fmt, ap);
  va_end(ap);
  ps->i = ps->nt - 1;
}

/* The token's text for messages, shortened. */
static const char *ttext(ps_t *ps, int k, char *buf, size_t size) {
  js_tok_t *t = T(ps, k);
  if (t->type == JS_EOF) return "end of script";
  size_t n = t->end - t->start;
  if (n > size - 1) n = size - 1;
  memcpy(buf, ps->src + t->start, n);
  buf[n] = 0;
  return buf;
}

static void unexpected(ps_t *ps, int k, const char *where) {
  char b[32];
  perr(ps, k, "Unexpected token '%s'%s%s", ttext(ps, k, b, sizeof(b)), where ? " " : "",
       where ? where : "");
}

/* Resynchronises after a bracketed construct whatever the inner parse did: the lexer
 * already matched the brackets. */
static void close_at(ps_t *ps, int open) {
  int m = T(ps, open)->match;
  if (m < 0 || ps->failed) return;
  if (ps->i <= m) ps->i = m + 1;
}

static void add_edit(ps_t *ps, uint32_t start, uint32_t end, const char *text, size_t n) {
  GROW(ps->edits, ps->nedits, ps->capedits);
  isl_buf_append(&ps->etext, "", 0);
  ps->edits[ps->nedits++] = (edit_t){start, end, (uint32_t)ps->etext.len, (uint32_t)n};
  isl_buf_append(&ps->etext, text, n);
}

/* Replaces the statement from token a to token b (inclusive) by an empty statement, so
 * that the line before cannot run into the line after. */
static void blank_statement(ps_t *ps, int a, int b) {
  add_edit(ps, T(ps, a)->start, T(ps, b)->end, ";", 1);
}

/* ---- scopes and names ---- */

static int new_scope(ps_t *ps, bool var_scope) {
  GROW(ps->scopes, ps->nscopes, ps->capscopes);
  ps->scopes[ps->nscopes] = (scope_t){ps->scope};
  ps->scope = ps->nscopes++;
  if (var_scope) ps->var_scope = ps->scope;
  return ps->scope;
}

static hent_t *import_of(ps_t *ps, int k) {
  js_tok_t *t = T(ps, k);
  if (t->type != JS_NAME || !ps->imports_by_local.n) return NULL;
  return ht_find(&ps->imports_by_local, 0, tname(ps, k), t->nlen, t->hash);
}

static bool is_reserved(const char *s, size_t n) {
  static const char *const words[] = {
      "break",   "case",      "catch",   "class",   "const",     "continue", "debugger",
      "default", "delete",    "do",      "else",    "enum",      "export",   "extends",
      "false",   "finally",   "for",     "function", "if",       "import",   "in",
      "instanceof", "new",    "null",    "return",  "super",     "switch",   "this",
      "throw",   "true",      "try",     "typeof",  "var",       "void",     "while",
      "with",    "yield",     "let",     "static",  "implements", "interface", "package",
      "private", "protected", "public",  "await",   NULL};
  for (int k = 0; words[k]; k++)
    if (strlen(words[k]) == n && memcmp(words[k], s, n) == 0) return true;
  return false;
}

/* A BindingIdentifier in module code: not reserved, not eval/arguments. */
static bool check_binding_name(ps_t *ps, int k) {
  js_tok_t *t = T(ps, k);
  if (t->type != JS_NAME) {
    unexpected(ps, k, "where a name was expected");
    return false;
  }
  const char *s = tname(ps, k);
  if (is_reserved(s, t->nlen) || (t->nlen == 4 && !memcmp(s, "eval", 4)) ||
      (t->nlen == 9 && !memcmp(s, "arguments", 9))) {
    perr(ps, k, "Cannot use '%.*s' as a binding name in a module", (int)t->nlen, s);
    return false;
  }
  return true;
}

static void declare(ps_t *ps, int k, int scope) {
  js_tok_t *t = T(ps, k);
  if (t->type != JS_NAME) return;
  hent_t *imp = import_of(ps, k);
  if (scope == 0) {
    if (imp) {
      perr(ps, k, "Identifier '%.*s' has already been declared", (int)t->nlen, tname(ps, k));
      return;
    }
    if (!ht_find(&ps->modnames, 0, tname(ps, k), t->nlen, t->hash))
      ht_put(&ps->modnames, 0, tname(ps, k), t->nlen, t->hash, k);
    if (ps->collecting) {
      GROW(ps->collected, ps->ncollected, ps->capcollected);
      ps->collected[ps->ncollected++] = k;
    }
  } else if (imp && !ht_find(&ps->shadows, scope, tname(ps, k), t->nlen, t->hash)) {
    ht_put(&ps->shadows, scope, tname(ps, k), t->nlen, t->hash, k);
    ps->inner_decls[imp->val]++;
  }
}

static int add_ref(ps_t *ps, int k, int kind) {
  hent_t *imp = import_of(ps, k);
  if (!imp) return -1;
  GROW(ps->refs, ps->nrefs, ps->caprefs);
  ps->refs[ps->nrefs] = (ref_t){k, ps->scope, kind, imp->val};
  return ps->nrefs++;
}

static void set_ref_kind(ps_t *ps, operand_t o, int kind) {
  if (o.kind == O_IDENT && o.ref >= 0) {
    ref_t *r = &ps->refs[o.ref];
    if (kind == REF_ASSIGN && r->kind == REF_SHORTHAND) kind = REF_SHORTHAND_ASSIGN;
    r->kind = kind;
  }
}

/* ---- expressions ---- */

static operand_t parse_assign(ps_t *ps);
static operand_t parse_expr(ps_t *ps);
static operand_t parse_unary(ps_t *ps);
static void parse_statement(ps_t *ps);
static void parse_function(ps_t *ps, bool decl);
static void parse_function_rest(ps_t *ps, bool async, bool gen);
static int parse_class(ps_t *ps, bool decl);
enum { SCOPE_BLOCK, SCOPE_BODY };
static void parse_block(ps_t *ps, int kind);

static const operand_t OTHER = {O_OTHER, -1};

static bool enter(ps_t *ps) {
  if (++ps->depth > MAX_DEPTH) {
    perr(ps, ps->i, "the code is nested too deeply");
    return false;
  }
  return true;
}

/* Skips a template literal starting at its head, nested ones included. */
static void skip_template(ps_t *ps) {
  int level = 0;
  do {
    js_tok_t *t = CUR;
    if (t->type == JS_EOF) return;
    if (t->type == JS_TEMPLATE) {
      if (t->p == JS_TPL_HEAD) level++;
      if (t->p == JS_TPL_TAIL) level--;
    }
    next(ps);
  } while (level > 0);
}

static void parse_template(ps_t *ps) {
  if (CUR->p == JS_TPL_FULL) {
    next(ps);
    return;
  }
  next(ps); /* head */
  while (!at_eof(ps)) {
    parse_expr(ps);
    /* Whatever the substitution held, go on at its end. */
    while (!at_eof(ps) && !(CUR->type == JS_TEMPLATE && (CUR->p == JS_TPL_MIDDLE || CUR->p == JS_TPL_TAIL))) {
      if (CUR->type == JS_TEMPLATE && CUR->p == JS_TPL_HEAD)
        skip_template(ps);
      else if (CUR->match > ps->i)
        ps->i = CUR->match + 1;
      else
        next(ps);
    }
    if (at_eof(ps)) return;
    bool tail = CUR->p == JS_TPL_TAIL;
    next(ps);
    if (tail) return;
  }
}

/* Whether the token at k can start a property key. */
static bool key_start(ps_t *ps, int k, bool allow_private) {
  js_tok_t *t = T(ps, k);
  return t->type == JS_NAME || t->type == JS_STRING || t->type == JS_NUM ||
         (allow_private && t->type == JS_PRIVATE) || (t->type == JS_PUNCT && (t->p == '[' || t->p == '*'));
}

/* Parses a property key (name, string, number, #private or [computed]); returns false if
 * there was none. */
static bool parse_key(ps_t *ps) {
  js_tok_t *t = CUR;
  if (t->type == JS_PUNCT && t->p == '[') {
    int open = ps->i;
    next(ps);
    parse_assign(ps);
    close_at(ps, open);
    return true;
  }
  if (t->type == JS_NAME || t->type == JS_STRING || t->type == JS_NUM || t->type == JS_PRIVATE) {
    next(ps);
    return true;
  }
  return false;
}

enum { MODE_DECLARE, MODE_ASSIGN };

static operand_t parse_postfix(ps_t *ps, operand_t o, bool after_new);
static operand_t parse_primary(ps_t *ps);

/* Whether the [ or { at k is a nested assignment pattern rather than an expression. */
static bool nested_pattern(ps_t *ps, int k) {
  int m = T(ps, k)->match;
  if (m < 0) return false;
  js_tok_t *a = T(ps, m + 1);
  return a->type == JS_PUNCT && (a->p == '=' || a->p == ',' || a->p == ']' || a->p == '}');
}

/* A binding pattern (MODE_DECLARE: declares into `scope`) or an assignment pattern or
 * target (MODE_ASSIGN). */
static void parse_target(ps_t *ps, int mode, int scope, bool force_pattern) {
  if (!enter(ps)) return;
  js_tok_t *t = CUR;
  bool pattern = t->type == JS_PUNCT && (t->p == '[' || t->p == '{') &&
                 (mode == MODE_DECLARE || force_pattern || nested_pattern(ps, ps->i));
  if (pattern && t->p == '[') {
    int open = ps->i;
    next(ps);
    while (!at_eof(ps) && !cur_p(ps, ']')) {
      if (eat_p(ps, ',')) continue;
      eat_p(ps, JS_P3('.', '.', '.'));
      int before = ps->i;
      parse_target(ps, mode, scope, false);
      if (eat_p(ps, '=')) parse_assign(ps);
      if (!eat_p(ps, ',')) break;
      if (ps->i == before) break;
    }
    close_at(ps, open);
  } else if (pattern) {
    int open = ps->i;
    next(ps);
    while (!at_eof(ps) && !cur_p(ps, '}')) {
      if (eat_p(ps, JS_P3('.', '.', '.'))) {
        parse_target(ps, mode, scope, false);
      } else {
        int key = ps->i;
        bool name = CUR->type == JS_NAME;
        if (!parse_key(ps)) break;
        if (eat_p(ps, ':')) {
          parse_target(ps, mode, scope, false);
        } else if (name) { /* shorthand: the key is the target */
          if (mode == MODE_DECLARE) {
            check_binding_name(ps, key);
            declare(ps, key, scope);
          } else {
            add_ref(ps, key, REF_SHORTHAND_ASSIGN);
          }
        }
        if (eat_p(ps, '=')) parse_assign(ps);
      }
      if (!eat_p(ps, ',')) break;
    }
    close_at(ps, open);
  } else if (mode == MODE_DECLARE) {
    if (t->type == JS_NAME) {
      if (check_binding_name(ps, ps->i)) declare(ps, ps->i, scope);
      next(ps);
    } else if (!is_closer(ps, ps->i)) {
      unexpected(ps, ps->i, "where a binding name was expected");
    }
  } else {
    operand_t o = parse_postfix(ps, parse_primary(ps), false);
    set_ref_kind(ps, o, REF_ASSIGN);
  }
  ps->depth--;
}

static void parse_object_literal(ps_t *ps) {
  int open = ps->i;
  next(ps);
  while (!at_eof(ps) && !cur_p(ps, '}')) {
    if (eat_p(ps, JS_P3('.', '.', '.'))) {
      parse_assign(ps);
    } else {
      bool async = false, gen = false, accessor = false;
      for (;;) {
        if ((cur_kw(ps, "get") || cur_kw(ps, "set")) && key_start(ps, ps->i + 1, false) &&
            !is_p(ps, ps->i + 1, '*')) {
          accessor = true;
          next(ps);
        } else if (cur_kw(ps, "async") && key_start(ps, ps->i + 1, false) && !nl_before(ps, ps->i + 1)) {
          async = true;
          next(ps);
        } else {
          break;
        }
      }
      if (eat_p(ps, '*')) gen = true;
      int key = ps->i;
      bool name = CUR->type == JS_NAME;
      if (!parse_key(ps)) break;
      if (cur_p(ps, '(')) {
        parse_function_rest(ps, async, gen);
      } else if (eat_p(ps, ':')) {
        parse_assign(ps);
      } else if (name && !async && !gen && !accessor) {
        add_ref(ps, key, REF_SHORTHAND);
        if (eat_p(ps, '=')) parse_assign(ps); /* only valid in a pattern; JSC reports it */
      }
    }
    if (!eat_p(ps, ',')) break;
  }
  close_at(ps, open);
}

static void parse_array_literal(ps_t *ps) {
  int open = ps->i;
  next(ps);
  while (!at_eof(ps) && !cur_p(ps, ']')) {
    if (eat_p(ps, ',')) continue;
    eat_p(ps, JS_P3('.', '.', '.'));
    parse_assign(ps);
    if (!eat_p(ps, ',')) break;
  }
  close_at(ps, open);
}

static void edit_tokens(ps_t *ps, int a, int b, const char *text) {
  add_edit(ps, T(ps, a)->start, T(ps, b)->end, text, strlen(text));
}

static operand_t parse_primary(ps_t *ps) {
  js_tok_t *t = CUR;
  int k = ps->i;
  char buf[64];
  switch (t->type) {
  case JS_NAME:
    if (!(t->flags & JS_ESCAPED)) {
      if (cur_kw(ps, "function") || (cur_kw(ps, "async") && is_kw(ps, k + 1, "function") && !nl_before(ps, k + 1))) {
        parse_function(ps, false);
        return OTHER;
      }
      if (cur_kw(ps, "class")) {
        parse_class(ps, false);
        return OTHER;
      }
      if (cur_kw(ps, "import")) {
        if (is_p(ps, k + 1, '.') && is_kw(ps, k + 2, "meta")) {
          snprintf(buf, sizeof(buf), "%s.meta", ps->P);
          edit_tokens(ps, k, k + 2, buf);
          ps->i = k + 3;
        } else if (is_p(ps, k + 1, '(')) {
          snprintf(buf, sizeof(buf), "%s.i", ps->P);
          edit_tokens(ps, k, k, buf);
          next(ps);
        } else {
          perr(ps, k, "import declarations may only appear at top level of a module");
        }
        return OTHER;
      }
      if (cur_kw(ps, "this") || cur_kw(ps, "super") || cur_kw(ps, "null") || cur_kw(ps, "true") ||
          cur_kw(ps, "false")) {
        next(ps);
        return OTHER;
      }
      if (cur_kw(ps, "new") || cur_kw(ps, "typeof") || cur_kw(ps, "void") || cur_kw(ps, "delete") ||
          cur_kw(ps, "await") || cur_kw(ps, "yield"))
        return parse_unary(ps);
    }
    {
      operand_t o = {O_IDENT, add_ref(ps, k, REF_READ)};
      next(ps);
      return o;
    }
  case JS_NUM:
  case JS_STRING:
  case JS_REGEX:
  case JS_PRIVATE:
    next(ps);
    return OTHER;
  case JS_TEMPLATE:
    if (t->p == JS_TPL_FULL || t->p == JS_TPL_HEAD) parse_template(ps);
    return OTHER;
  case JS_PUNCT:
    if (t->p == '(') {
      next(ps);
      operand_t o = OTHER;
      if (!cur_p(ps, ')')) o = parse_expr(ps);
      close_at(ps, k);
      return o.kind == O_IDENT ? o : OTHER;
    }
    if ((t->p == '[' || t->p == '{') && t->match >= 0 && is_p(ps, t->match + 1, '=')) {
      parse_target(ps, MODE_ASSIGN, 0, true);
      return (operand_t){O_PATTERN, -1};
    }
    if (t->p == '[') {
      parse_array_literal(ps);
      return OTHER;
    }
    if (t->p == '{') {
      parse_object_literal(ps);
      return OTHER;
    }
    if (!is_closer(ps, k) && t->p != ';' && t->p != ',' && t->p != ':') next(ps);
    return OTHER;
  default: return OTHER;
  }
}

static operand_t parse_postfix(ps_t *ps, operand_t o, bool after_new) {
  for (;;) {
    js_tok_t *t = CUR;
    if (t->type == JS_PUNCT && (t->p == '.' || t->p == JS_P2('?', '.'))) {
      if (t->p == JS_P2('?', '.') && (is_p(ps, ps->i + 1, '(') || T(ps, ps->i + 1)->type == JS_TEMPLATE) &&
          !after_new)
        set_ref_kind(ps, o, REF_CALL);
      next(ps);
      if (CUR->type == JS_NAME || CUR->type == JS_PRIVATE) next(ps);
    } else if (t->type == JS_PUNCT && t->p == '[') {
      int open = ps->i;
      next(ps);
      parse_expr(ps);
      close_at(ps, open);
    } else if (t->type == JS_PUNCT && t->p == '(') {
      if (!after_new) set_ref_kind(ps, o, REF_CALL);
      int open = ps->i;
      next(ps);
      while (!at_eof(ps) && !cur_p(ps, ')')) {
        eat_p(ps, JS_P3('.', '.', '.'));
        int before = ps->i;
        parse_assign(ps);
        if (!eat_p(ps, ',') || ps->i == before) break;
      }
      close_at(ps, open);
    } else if (t->type == JS_TEMPLATE && (t->p == JS_TPL_FULL || t->p == JS_TPL_HEAD)) {
      if (!after_new) set_ref_kind(ps, o, REF_CALL);
      parse_template(ps);
    } else if (t->type == JS_PUNCT && (t->p == JS_P2('+', '+') || t->p == JS_P2('-', '-')) &&
               !(t->flags & JS_NL_BEFORE)) {
      set_ref_kind(ps, o, REF_ASSIGN);
      next(ps);
    } else {
      return o;
    }
    o = OTHER;
    after_new = false;
  }
}

/* Whether the token at k can begin an expression (for yield's optional operand). */
static bool expr_start(ps_t *ps, int k) {
  js_tok_t *t = T(ps, k);
  if (t->type == JS_EOF || is_closer(ps, k)) return false;
  if (t->type == JS_PUNCT)
    return t->p == '(' || t->p == '[' || t->p == '{' || t->p == '!' || t->p == '~' || t->p == '+' ||
           t->p == '-' || t->p == JS_P2('+', '+') || t->p == JS_P2('-', '-') || t->p == '/' ||
           t->p == JS_P2('/', '=');
  if (t->type == JS_NAME) return !is_kw(ps, k, "in") && !is_kw(ps, k, "of") && !is_kw(ps, k, "instanceof");
  return true;
}

static operand_t parse_unary(ps_t *ps) {
  if (!enter(ps)) return OTHER;
  js_tok_t *t = CUR;
  int k = ps->i;
  operand_t r = OTHER;
  if (t->type == JS_PUNCT && (t->p == '!' || t->p == '~' || t->p == '+' || t->p == '-')) {
    next(ps);
    parse_unary(ps);
  } else if (t->type == JS_PUNCT && (t->p == JS_P2('+', '+') || t->p == JS_P2('-', '-'))) {
    next(ps);
    set_ref_kind(ps, parse_unary(ps), REF_ASSIGN);
  } else if (cur_kw(ps, "typeof") || cur_kw(ps, "void")) {
    next(ps);
    parse_unary(ps);
  } else if (cur_kw(ps, "delete")) {
    next(ps);
    js_tok_t *a = CUR, *b = T(ps, ps->i + 1);
    bool member = (b->type == JS_PUNCT && (b->p == '.' || b->p == JS_P2('?', '.') || b->p == '[' || b->p == '(')) ||
                  b->type == JS_TEMPLATE;
    if (a->type == JS_NAME && !member && !cur_kw(ps, "this") && !cur_kw(ps, "super") &&
        !cur_kw(ps, "new") && !cur_kw(ps, "function") && !cur_kw(ps, "class") && !cur_kw(ps, "null") &&
        !cur_kw(ps, "true") && !cur_kw(ps, "false") && !cur_kw(ps, "typeof") && !cur_kw(ps, "void") &&
        !cur_kw(ps, "delete") && !cur_kw(ps, "await") && !cur_kw(ps, "import") && !cur_kw(ps, "async"))
      perr(ps, ps->i, "Delete of an unqualified identifier in strict mode.");
    parse_unary(ps);
  } else if (cur_kw(ps, "await")) {
    if (ps->fn.in_function && !ps->fn.is_async) {
      perr(ps, k, "Unexpected identifier 'await': await is only valid in async functions and the top level bodies of modules");
    } else {
      if (!ps->fn.in_function) ps->out->has_tla = true;
      next(ps);
      parse_unary(ps);
    }
  } else if (cur_kw(ps, "yield")) {
    if (!ps->fn.is_generator) {
      perr(ps, k, "Unexpected keyword 'yield'");
    } else {
      next(ps);
      bool star = !nl_before(ps, ps->i) && eat_p(ps, '*');
      if (star || (!nl_before(ps, ps->i) && expr_start(ps, ps->i))) parse_assign(ps);
    }
  } else if (cur_kw(ps, "new")) {
    next(ps);
    if (cur_p(ps, '.')) { /* new.target */
      if (!ps->fn.in_function) perr(ps, k, "new.target is only valid inside functions");
      next(ps);
      next(ps);
      r = parse_postfix(ps, OTHER, false);
    } else {
      operand_t callee = cur_kw(ps, "new") ? parse_unary(ps) : parse_primary(ps);
      parse_postfix(ps, callee, true);
    }
  } else {
    r = parse_postfix(ps, parse_primary(ps), false);
  }
  ps->depth--;
  return r;
}

static bool binary_op(uint32_t p) {
  switch (p) {
  case '+': case '-': case '*': case '/': case '%': case '<': case '>': case '&': case '|': case '^':
    return true;
  case JS_P2('*', '*'): case JS_P2('<', '='): case JS_P2('>', '='): case JS_P2('=', '='):
  case JS_P2('!', '='): case JS_P3('=', '=', '='): case JS_P3('!', '=', '='): case JS_P2('<', '<'):
  case JS_P2('>', '>'): case JS_P3('>', '>', '>'): case JS_P2('&', '&'): case JS_P2('|', '|'):
  case JS_P2('?', '?'):
    return true;
  default: return false;
  }
}

static bool assign_op(uint32_t p) {
  switch (p) {
  case '=': case JS_P2('+', '='): case JS_P2('-', '='): case JS_P2('*', '='): case JS_P2('/', '='):
  case JS_P2('%', '='): case JS_P3('*', '*', '='): case JS_P3('<', '<', '='): case JS_P3('>', '>', '='):
  case JS_P4('>', '>', '>', '='): case JS_P2('&', '='): case JS_P2('|', '='): case JS_P2('^', '='):
  case JS_P3('&', '&', '='): case JS_P3('|', '|', '='): case JS_P3('?', '?', '='):
    return true;
  default: return false;
  }
}

static void parse_arrow(ps_t *ps, bool async) {
  int save_scope = ps->scope, save_var = ps->var_scope;
  fnctx_t save_fn = ps->fn;
  int params = new_scope(ps, true);
  ps->fn = (fnctx_t){true, async, false};
  if (async) next(ps);
  if (cur_p(ps, '(')) {
    int open = ps->i;
    next(ps);
    while (!at_eof(ps) && !cur_p(ps, ')')) {
      eat_p(ps, JS_P3('.', '.', '.'));
      int before = ps->i;
      parse_target(ps, MODE_DECLARE, params, false);
      if (eat_p(ps, '=')) parse_assign(ps);
      if (!eat_p(ps, ',') || ps->i == before) break;
    }
    close_at(ps, open);
  } else {
    if (check_binding_name(ps, ps->i)) declare(ps, ps->i, params);
    next(ps);
  }
  eat_p(ps, JS_P2('=', '>'));
  if (cur_p(ps, '{'))
    parse_block(ps, SCOPE_BODY);
  else
    parse_assign(ps);
  ps->scope = save_scope, ps->var_scope = save_var, ps->fn = save_fn;
}

static operand_t parse_assign(ps_t *ps) {
  if (!enter(ps)) return OTHER;
  int k = ps->i;
  js_tok_t *t = CUR;
  operand_t o = OTHER;
  bool arrow = false, async = false;
  if (t->type == JS_NAME && is_p(ps, k + 1, JS_P2('=', '>')) && !nl_before(ps, k + 1)) {
    arrow = true;
  } else if (cur_kw(ps, "async") && !nl_before(ps, k + 1)) {
    if (T(ps, k + 1)->type == JS_NAME && is_p(ps, k + 2, JS_P2('=', '>')) && !nl_before(ps, k + 2))
      arrow = async = true;
    else if (is_p(ps, k + 1, '(') && is_p(ps, T(ps, k + 1)->match + 1, JS_P2('=', '>')) &&
             !nl_before(ps, T(ps, k + 1)->match + 1))
      arrow = async = true;
  } else if (t->type == JS_PUNCT && t->p == '(' && t->match >= 0 && is_p(ps, t->match + 1, JS_P2('=', '>')) &&
             !nl_before(ps, t->match + 1)) {
    arrow = true;
  }
  if (arrow) {
    parse_arrow(ps, async);
    ps->depth--;
    return OTHER;
  }

  o = parse_unary(ps);
  for (;;) {
    t = CUR;
    if ((t->type == JS_PUNCT && binary_op(t->p)) || cur_kw(ps, "in") || cur_kw(ps, "instanceof")) {
      next(ps);
      parse_unary(ps);
      o = OTHER;
    } else if (t->type == JS_PUNCT && t->p == '?') {
      next(ps);
      parse_assign(ps);
      eat_p(ps, ':');
      parse_assign(ps);
      o = OTHER;
      break;
    } else {
      break;
    }
  }
  t = CUR;
  if (t->type == JS_PUNCT && assign_op(t->p)) {
    set_ref_kind(ps, o, REF_ASSIGN);
    next(ps);
    parse_assign(ps);
    o = OTHER;
  }
  ps->depth--;
  return o;
}

static operand_t parse_expr(ps_t *ps) {
  operand_t o = parse_assign(ps);
  while (!at_eof(ps) && cur_p(ps, ',')) {
    next(ps);
    parse_assign(ps);
    o = OTHER;
  }
  return o;
}

/* ---- functions and classes ---- */

static void parse_params(ps_t *ps, int scope) {
  if (!cur_p(ps, '(')) return;
  int open = ps->i;
  next(ps);
  while (!at_eof(ps) && !cur_p(ps, ')')) {
    eat_p(ps, JS_P3('.', '.', '.'));
    int before = ps->i;
    parse_target(ps, MODE_DECLARE, scope, false);
    if (eat_p(ps, '=')) parse_assign(ps);
    if (!eat_p(ps, ',') || ps->i == before) break;
  }
  close_at(ps, open);
}

/* From the parameter list on: parameters in their own scope, the body in a var scope. */
static void parse_function_rest(ps_t *ps, bool async, bool gen) {
  int save_scope = ps->scope, save_var = ps->var_scope;
  fnctx_t save_fn = ps->fn;
  bool save_collecting = ps->collecting;
  ps->collecting = false;
  ps->fn = (fnctx_t){true, async, gen};
  int params = new_scope(ps, true); /* var_scope only matters for the body */
  parse_params(ps, params);
  if (cur_p(ps, '{')) parse_block(ps, SCOPE_BODY);
  ps->scope = save_scope, ps->var_scope = save_var, ps->fn = save_fn;
  ps->collecting = save_collecting;
}

/* At `function` or `async function`. */
static void parse_function(ps_t *ps, bool decl) {
  bool async = false, gen = false;
  if (cur_kw(ps, "async")) {
    async = true;
    next(ps);
  }
  next(ps); /* function */
  if (eat_p(ps, '*')) gen = true;
  int save_scope = ps->scope, save_var = ps->var_scope;
  if (CUR->type == JS_NAME) {
    int name = ps->i;
    next(ps);
    if (decl) {
      if (check_binding_name(ps, name)) declare(ps, name, ps->scope);
    } else {
      /* A function expression's name is bound inside it only. */
      int s = new_scope(ps, false);
      declare(ps, name, s);
    }
  } else if (decl) {
    unexpected(ps, ps->i, "where a function name was expected");
    return;
  }
  parse_function_rest(ps, async, gen);
  ps->scope = save_scope, ps->var_scope = save_var;
}

static bool member_modifier(ps_t *ps, bool allow_private) {
  int n = ps->i + 1;
  if (nl_before(ps, n) && cur_kw(ps, "async")) return false;
  if (is_p(ps, n, '*')) return cur_kw(ps, "async") || cur_kw(ps, "static");
  return key_start(ps, n, allow_private);
}

/* At `class`. Returns the index of the body's closing brace. */
static int parse_class(ps_t *ps, bool decl) {
  next(ps); /* class */
  int save_scope = ps->scope, save_var = ps->var_scope;
  int name = -1;
  if (CUR->type == JS_NAME && !cur_kw(ps, "extends")) {
    name = ps->i;
    next(ps);
    if (decl && check_binding_name(ps, name)) declare(ps, name, ps->scope);
  }
  bool save_collecting = ps->collecting;
  ps->collecting = false;
  /* The class's own scope holds its name for the code inside it. */
  int inner = new_scope(ps, false);
  if (name >= 0) declare(ps, name, inner);
  if (cur_kw(ps, "extends")) {
    next(ps);
    parse_postfix(ps, parse_primary(ps), false);
  }
  int close = -1;
  if (cur_p(ps, '{')) {
    int open = ps->i;
    close = CUR->match;
    next(ps);
    while (!at_eof(ps) && !cur_p(ps, '}')) {
      if (eat_p(ps, ';')) continue;
      int before = ps->i;
      bool async = false, gen = false;
      if (cur_kw(ps, "static") && cur_p(ps, '{') == false && is_p(ps, ps->i + 1, '{')) {
        next(ps);
        fnctx_t save_fn = ps->fn;
        int s1 = ps->scope, v1 = ps->var_scope;
        ps->fn = (fnctx_t){true, false, false};
        parse_block(ps, SCOPE_BODY);
        ps->fn = save_fn, ps->scope = s1, ps->var_scope = v1;
        continue;
      }
      for (int guard = 0; guard < 4; guard++) {
        if ((cur_kw(ps, "static") || cur_kw(ps, "get") || cur_kw(ps, "set") || cur_kw(ps, "async") ||
             cur_kw(ps, "accessor")) &&
            member_modifier(ps, true)) {
          if (cur_kw(ps, "async")) async = true;
          next(ps);
        } else {
          break;
        }
      }
      if (eat_p(ps, '*')) gen = true;
      if (!parse_key(ps)) {
        if (ps->i == before) next(ps);
        continue;
      }
      if (cur_p(ps, '(')) {
        parse_function_rest(ps, async, gen);
      } else {
        if (eat_p(ps, '=')) {
          fnctx_t save_fn = ps->fn;
          ps->fn = (fnctx_t){true, false, false};
          parse_assign(ps);
          ps->fn = save_fn;
        }
        eat_p(ps, ';');
      }
      if (ps->i == before) next(ps);
    }
    close_at(ps, open);
  }
  ps->scope = save_scope, ps->var_scope = save_var;
  ps->collecting = save_collecting;
  return close;
}

/* ---- statements ---- */

static void parse_statement_list(ps_t *ps, bool top) {
  while (!at_eof(ps) && !cur_p(ps, '}')) {
    int before = ps->i;
    ps->stmt_top = top;
    parse_statement(ps);
    if (ps->i == before) next(ps);
  }
}

/* A block: SCOPE_BLOCK for a block statement, SCOPE_BODY for a function body or static
 * block, which is also where var declarations go. */
static void parse_block(ps_t *ps, int kind) {
  int open = ps->i;
  int save_scope = ps->scope, save_var = ps->var_scope;
  new_scope(ps, kind == SCOPE_BODY);
  next(ps);
  parse_statement_list(ps, false);
  close_at(ps, open);
  ps->scope = save_scope, ps->var_scope = save_var;
}

static void semicolon(ps_t *ps) { eat_p(ps, ';'); }

/* var/let/const declarations, from the keyword. */
static void parse_var(ps_t *ps, bool is_var) {
  next(ps);
  int scope = is_var ? ps->var_scope : ps->scope;
  for (;;) {
    int before = ps->i;
    parse_target(ps, MODE_DECLARE, scope, false);
    if (eat_p(ps, '=')) parse_assign(ps);
    if (!eat_p(ps, ',') || ps->i == before || at_eof(ps)) break;
  }
}

static bool lexical_start(ps_t *ps) {
  if (cur_kw(ps, "const")) return true;
  if (!cur_kw(ps, "let")) return false;
  js_tok_t *n = T(ps, ps->i + 1);
  return n->type == JS_NAME || (n->type == JS_PUNCT && (n->p == '[' || n->p == '{'));
}

static void paren_expr(ps_t *ps) {
  if (!cur_p(ps, '(')) return;
  int open = ps->i;
  next(ps);
  parse_expr(ps);
  close_at(ps, open);
}

static void parse_for(ps_t *ps) {
  next(ps);
  if (cur_kw(ps, "await")) {
    if (!ps->fn.in_function) ps->out->has_tla = true;
    next(ps);
  }
  if (!cur_p(ps, '(')) return;
  int open = ps->i, close = CUR->match;
  int save_scope = ps->scope;
  new_scope(ps, false);
  next(ps);
  bool classic = true;
  if (cur_p(ps, ';')) {
    classic = true;
  } else if (cur_kw(ps, "var") || lexical_start(ps)) {
    parse_var(ps, cur_kw(ps, "var"));
    classic = !(cur_kw(ps, "of") || cur_kw(ps, "in"));
  } else {
    /* for (lhs of/in …) unless the head has a `;` at its own level. */
    bool semi = false;
    for (int k = ps->i; k < close && k >= 0;) {
      js_tok_t *t = T(ps, k);
      if (t->type == JS_PUNCT && t->p == ';') {
        semi = true;
        break;
      }
      k = (t->match > k) ? t->match + 1 : k + 1;
    }
    if (semi) {
      parse_expr(ps);
    } else {
      classic = false;
      parse_target(ps, MODE_ASSIGN, 0, true);
    }
  }
  if (classic) {
    if (eat_p(ps, ';')) {
      if (!cur_p(ps, ';')) parse_expr(ps);
      eat_p(ps, ';');
      if (!cur_p(ps, ')')) parse_expr(ps);
    }
  } else if (cur_kw(ps, "of") || cur_kw(ps, "in")) {
    next(ps);
    parse_expr(ps);
  }
  close_at(ps, open);
  parse_statement(ps);
  ps->scope = save_scope;
}

static void parse_import_decl_skip(ps_t *ps) { ps->i = CUR->match; }
static void parse_export(ps_t *ps);

static void parse_statement(ps_t *ps) {
  bool top = ps->stmt_top;
  ps->stmt_top = false;
  if (at_eof(ps) || !enter(ps)) return;
  js_tok_t *t = CUR;
  int k = ps->i;
  if (t->type == JS_PUNCT && t->p == '{') {
    parse_block(ps, SCOPE_BLOCK);
  } else if (t->type == JS_PUNCT && t->p == ';') {
    next(ps);
  } else if (cur_kw(ps, "var") || lexical_start(ps)) {
    parse_var(ps, cur_kw(ps, "var"));
    semicolon(ps);
  } else if (cur_kw(ps, "function") ||
             (cur_kw(ps, "async") && is_kw(ps, k + 1, "function") && !nl_before(ps, k + 1))) {
    parse_function(ps, true);
  } else if (cur_kw(ps, "class")) {
    parse_class(ps, true);
  } else if (cur_kw(ps, "if")) {
    next(ps);
    paren_expr(ps);
    parse_statement(ps);
    if (cur_kw(ps, "else")) {
      next(ps);
      parse_statement(ps);
    }
  } else if (cur_kw(ps, "for")) {
    parse_for(ps);
  } else if (cur_kw(ps, "while") || cur_kw(ps, "with")) {
    next(ps);
    paren_expr(ps);
    parse_statement(ps);
  } else if (cur_kw(ps, "do")) {
    next(ps);
    parse_statement(ps);
    if (cur_kw(ps, "while")) {
      next(ps);
      paren_expr(ps);
    }
    semicolon(ps);
  } else if (cur_kw(ps, "return")) {
    if (!ps->fn.in_function) {
      perr(ps, k, "Return statements are only valid inside functions.");
    } else {
      next(ps);
      if (!nl_before(ps, ps->i) && !cur_p(ps, ';') && !is_closer(ps, ps->i)) parse_expr(ps);
      semicolon(ps);
    }
  } else if (cur_kw(ps, "throw")) {
    next(ps);
    parse_expr(ps);
    semicolon(ps);
  } else if (cur_kw(ps, "break") || cur_kw(ps, "continue")) {
    next(ps);
    if (CUR->type == JS_NAME && !nl_before(ps, ps->i)) next(ps); /* a label, not a reference */
    semicolon(ps);
  } else if (cur_kw(ps, "switch")) {
    next(ps);
    paren_expr(ps);
    if (cur_p(ps, '{')) {
      int open = ps->i, save_scope = ps->scope;
      new_scope(ps, false);
      next(ps);
      while (!at_eof(ps) && !cur_p(ps, '}')) {
        int before = ps->i;
        if (cur_kw(ps, "case")) {
          next(ps);
          parse_expr(ps);
          eat_p(ps, ':');
        } else if (cur_kw(ps, "default")) {
          next(ps);
          eat_p(ps, ':');
        } else {
          parse_statement(ps);
        }
        if (ps->i == before) next(ps);
      }
      close_at(ps, open);
      ps->scope = save_scope;
    }
  } else if (cur_kw(ps, "try")) {
    next(ps);
    if (cur_p(ps, '{')) parse_block(ps, SCOPE_BLOCK);
    if (cur_kw(ps, "catch")) {
      next(ps);
      int save_scope = ps->scope;
      int s = new_scope(ps, false);
      if (cur_p(ps, '(')) {
        int open = ps->i;
        next(ps);
        parse_target(ps, MODE_DECLARE, s, false);
        close_at(ps, open);
      }
      if (cur_p(ps, '{')) parse_block(ps, SCOPE_BLOCK);
      ps->scope = save_scope;
    }
    if (cur_kw(ps, "finally")) {
      next(ps);
      if (cur_p(ps, '{')) parse_block(ps, SCOPE_BLOCK);
    }
  } else if (cur_kw(ps, "debugger")) {
    next(ps);
    semicolon(ps);
  } else if (cur_kw(ps, "import") && !is_p(ps, k + 1, '(') && !is_p(ps, k + 1, '.')) {
    if (!top || t->match <= k)
      perr(ps, k, "import declarations may only appear at top level of a module");
    else
      parse_import_decl_skip(ps);
  } else if (cur_kw(ps, "export")) {
    if (!top)
      perr(ps, k, "export declarations may only appear at top level of a module");
    else if (t->match > k) /* a re-export, read by find_imports */
      ps->i = t->match;
    else
      parse_export(ps);
  } else if (t->type == JS_NAME && is_p(ps, k + 1, ':') && !cur_kw(ps, "yield") && !cur_kw(ps, "await")) {
    ps->i += 2; /* a label */
    parse_statement(ps);
  } else {
    parse_expr(ps);
    semicolon(ps);
  }
  ps->depth--;
}

/* ---- import and export declarations ---- */

static bool string_value(ps_t *ps, int k, isl_buf_t *out) {
  js_tok_t *t = T(ps, k);
  if (t->type != JS_STRING) {
    unexpected(ps, k, "where a string was expected");
    return false;
  }
  if (!js_decode_string(ps->src + t->start + 1, t->end - t->start - 2, out)) {
    perr(ps, k, "Module names and export names must be well-formed Unicode");
    return false;
  }
  return true;
}

/* A ModuleExportName: an identifier name or a string. */
static char *export_name(ps_t *ps, int k) {
  js_tok_t *t = T(ps, k);
  if (t->type == JS_NAME) return isl_strndup(tname(ps, k), t->nlen);
  isl_buf_t b = {0};
  if (!string_value(ps, k, &b)) {
    isl_buf_free(&b);
    return NULL;
  }
  return isl_buf_take(&b);
}

/* `from "m" [with {…}]`, at the string. Returns the import record index or -1. */
static int module_request(ps_t *ps) {
  isl_module_xf_t *out = ps->out;
  int spec = ps->i;
  isl_buf_t s = {0};
  if (!string_value(ps, spec, &s)) {
    isl_buf_free(&s);
    return -1;
  }
  next(ps);
  char *type = NULL;
  if ((cur_kw(ps, "with") || (cur_kw(ps, "assert") && !nl_before(ps, ps->i))) && is_p(ps, ps->i + 1, '{')) {
    next(ps);
    int open = ps->i;
    next(ps);
    isl_buf_t kb = {0}; /* the keys so far, each NUL-terminated */
    while (!at_eof(ps) && !cur_p(ps, '}')) {
      int key = ps->i;
      char *name = export_name(ps, key);
      if (!name) break;
      next(ps);
      for (size_t off = 0; off < kb.len;) {
        size_t n = strlen(kb.p + off);
        if (n == strlen(name) && memcmp(kb.p + off, name, n) == 0) {
          perr(ps, key, "Import attribute '%s' is given more than once", name);
          break;
        }
        off += n + 1;
      }
      isl_buf_append(&kb, name, strlen(name) + 1);
      if (!eat_p(ps, ':')) {
        unexpected(ps, ps->i, "in import attributes");
        free(name);
        break;
      }
      isl_buf_t v = {0};
      if (!string_value(ps, ps->i, &v)) {
        isl_buf_free(&v);
        free(name);
        break;
      }
      next(ps);
      if (strcmp(name, "type") == 0) {
        free(type);
        type = isl_buf_take(&v);
      }
      isl_buf_free(&v);
      free(name);
      if (!eat_p(ps, ',')) break;
    }
    isl_buf_free(&kb);
    if (!ps->failed && !cur_p(ps, '}')) unexpected(ps, ps->i, "in import attributes");
    close_at(ps, open);
  }
  if (ps->failed) {
    isl_buf_free(&s);
    free(type);
    return -1;
  }
  /* One record per distinct (specifier, type). */
  isl_buf_t key = {0};
  isl_buf_append(&key, s.p, s.len);
  isl_buf_putc(&key, 1);
  if (type) isl_buf_puts(&key, type);
  uint32_t h = js_hash(key.p, key.len);
  hent_t *e = ht_find(&ps->import_keys, 0, key.p, (uint32_t)key.len, h);
  if (e) {
    isl_buf_free(&key);
    isl_buf_free(&s);
    free(type);
    return e->val;
  }
  out->imports = isl_realloc(out->imports, (size_t)(out->nimports + 1) * sizeof(*out->imports));
  js_tok_t *st = T(ps, spec);
  out->imports[out->nimports] = (isl_import_rec_t){isl_buf_take(&s), type, (int)st->line, (int)st->col};
  ps->keys = isl_realloc(ps->keys, (size_t)(ps->nkeys + 1) * sizeof(char *));
  uint32_t klen = (uint32_t)key.len;
  ps->keys[ps->nkeys] = isl_buf_take(&key);
  ht_put(&ps->import_keys, 0, ps->keys[ps->nkeys], klen, h, out->nimports);
  ps->nkeys++;
  return out->nimports++;
}

static bool add_export(ps_t *ps, isl_export_kind_t kind, char *exported, char *imported, int module, int k) {
  isl_module_xf_t *out = ps->out;
  if (exported) {
    uint32_t n = (uint32_t)strlen(exported);
    hent_t *dup = ht_find(&ps->exported, 0, exported, n, js_hash(exported, n));
    if (dup) {
      /* Re-exports are read before the rest: report whichever comes later. */
      const isl_export_rec_t *o = &out->exports[dup->val];
      js_tok_t *t = T(ps, k);
      if (o->line > (int)t->line || (o->line == (int)t->line && o->col > (int)t->col)) {
        ps->failed = true;
        out->err_line = o->line, out->err_col = o->col;
        snprintf(out->err_msg, sizeof(out->err_msg), "Duplicate export of '%s'", exported);
        ps->i = ps->nt - 1;
      }
      perr(ps, k, "Duplicate export of '%s'", exported);
      free(exported);
      free(imported);
      return false;
    }
  }
  out->exports = isl_realloc(out->exports, (size_t)(out->nexports + 1) * sizeof(*out->exports));
  js_tok_t *t = T(ps, k);
  out->exports[out->nexports] = (isl_export_rec_t){kind, exported, imported, module, (int)t->line, (int)t->col};
  if (exported) {
    uint32_t n = (uint32_t)strlen(exported);
    ht_put(&ps->exported, 0, exported, n, js_hash(exported, n), out->nexports);
  }
  out->nexports++;
  return true;
}

typedef struct {
  char *imported;
  int local; /* token */
} pending_binding_t;

/* At `import` (a declaration). Records the bindings and the request, blanks the
 * statement and stores the index of the token after it in the `import` token's match. */
static void parse_import_decl(ps_t *ps) {
  isl_module_xf_t *out = ps->out;
  int start = ps->i;
  next(ps);
  pending_binding_t *list = NULL;
  int n = 0, cap = 0;
  if (CUR->type != JS_STRING) {
    if (CUR->type == JS_NAME) { /* a default binding (it may be named `from`) */
      GROW(list, n, cap);
      list[n++] = (pending_binding_t){isl_strdup("default"), ps->i};
      next(ps);
      if (!eat_p(ps, ',')) goto from;
    }
    if (cur_p(ps, '*')) {
      next(ps);
      if (!cur_kw(ps, "as")) {
        unexpected(ps, ps->i, "in import declaration (expected 'as')");
        goto done;
      }
      next(ps);
      GROW(list, n, cap);
      list[n++] = (pending_binding_t){isl_strdup("*"), ps->i};
      next(ps);
    } else if (cur_p(ps, '{')) {
      int open = ps->i;
      next(ps);
      while (!at_eof(ps) && !cur_p(ps, '}')) {
        int name = ps->i;
        if (CUR->type != JS_NAME && CUR->type != JS_STRING) {
          unexpected(ps, ps->i, "in import declaration");
          goto done;
        }
        char *imported = export_name(ps, name);
        if (!imported) goto done;
        next(ps);
        int local = name;
        if (cur_kw(ps, "as")) {
          next(ps);
          local = ps->i;
          next(ps);
        } else if (T(ps, name)->type == JS_STRING) {
          free(imported);
          perr(ps, name, "A string import name needs 'as' and a local name");
          goto done;
        }
        GROW(list, n, cap);
        list[n++] = (pending_binding_t){imported, local};
        if (!eat_p(ps, ',')) break;
      }
      if (!cur_p(ps, '}')) {
        unexpected(ps, ps->i, "in import declaration");
        goto done;
      }
      close_at(ps, open);
    } else {
      unexpected(ps, ps->i, "in import declaration");
      goto done;
    }
  from:
    if (!cur_kw(ps, "from")) {
      unexpected(ps, ps->i, "in import declaration (expected 'from')");
      goto done;
    }
    next(ps);
  }
  int module = module_request(ps);
  if (module < 0) goto done;
  semicolon(ps);
  for (int k = 0; k < n && !ps->failed; k++) {
    int lt = list[k].local;
    if (!check_binding_name(ps, lt)) break;
    js_tok_t *t = T(ps, lt);
    if (ht_find(&ps->imports_by_local, 0, tname(ps, lt), t->nlen, t->hash)) {
      perr(ps, lt, "Identifier '%.*s' has already been declared", (int)t->nlen, tname(ps, lt));
      break;
    }
    out->bindings = isl_realloc(out->bindings, (size_t)(out->nbindings + 1) * sizeof(*out->bindings));
    out->bindings[out->nbindings] = (isl_import_binding_t){list[k].imported, isl_strndup(tname(ps, lt), t->nlen),
                                                           module, (int)t->line, (int)t->col};
    list[k].imported = NULL;
    ht_put(&ps->imports_by_local, 0, tname(ps, lt), t->nlen, t->hash, out->nbindings);
    ps->binding_tok = isl_realloc(ps->binding_tok, (size_t)(out->nbindings + 1) * sizeof(int));
    ps->binding_tok[out->nbindings] = lt;
    out->nbindings++;
  }
  if (!ps->failed) {
    blank_statement(ps, start, ps->i - 1);
    T(ps, start)->match = ps->i;
  }
done:
  for (int k = 0; k < n; k++) free(list[k].imported);
  free(list);
}

static void parse_export(ps_t *ps) {
  int start = ps->i;
  next(ps);
  char buf[64];
  if (cur_p(ps, '*')) {
    next(ps);
    char *exported = NULL;
    int at = start;
    if (cur_kw(ps, "as")) {
      next(ps);
      at = ps->i;
      exported = export_name(ps, ps->i);
      if (!exported) return;
      next(ps);
    }
    if (!cur_kw(ps, "from")) {
      free(exported);
      unexpected(ps, ps->i, "in export declaration (expected 'from')");
      return;
    }
    next(ps);
    int module = module_request(ps);
    if (module < 0) {
      free(exported);
      return;
    }
    semicolon(ps);
    if (exported)
      add_export(ps, ISL_EXPORT_FROM, exported, isl_strdup("*"), module, at);
    else
      add_export(ps, ISL_EXPORT_STAR, NULL, NULL, module, start);
    blank_statement(ps, start, ps->i - 1);
  } else if (cur_p(ps, '{')) {
    int open = ps->i;
    next(ps);
    typedef struct {
      int name, as;
    } item_t;
    item_t *items = NULL;
    int n = 0, cap = 0;
    while (!at_eof(ps) && !cur_p(ps, '}')) {
      if (CUR->type != JS_NAME && CUR->type != JS_STRING) {
        unexpected(ps, ps->i, "in export declaration");
        break;
      }
      int name = ps->i, as = ps->i;
      next(ps);
      if (cur_kw(ps, "as")) {
        next(ps);
        if (CUR->type != JS_NAME && CUR->type != JS_STRING) {
          unexpected(ps, ps->i, "in export declaration");
          break;
        }
        as = ps->i;
        next(ps);
      }
      GROW(items, n, cap);
      items[n++] = (item_t){name, as};
      if (!eat_p(ps, ',')) break;
    }
    if (!ps->failed && !cur_p(ps, '}')) unexpected(ps, ps->i, "in export declaration");
    close_at(ps, open);
    int module = -1;
    if (!ps->failed && cur_kw(ps, "from")) {
      next(ps);
      module = module_request(ps);
    } else {
      for (int k = 0; k < n && !ps->failed; k++)
        if (T(ps, items[k].name)->type == JS_STRING)
          perr(ps, items[k].name, "A string export name can only be re-exported with 'from'");
    }
    for (int k = 0; k < n && !ps->failed; k++) {
      char *exported = export_name(ps, items[k].as);
      if (!exported) break;
      if (module >= 0) {
        char *imported = export_name(ps, items[k].name);
        if (!imported) {
          free(exported);
          break;
        }
        add_export(ps, ISL_EXPORT_FROM, exported, imported, module, items[k].as);
      } else if (add_export(ps, ISL_EXPORT_LOCAL, exported, NULL, -1, items[k].as)) {
        GROW(ps->pend, ps->npend, ps->cappend);
        ps->pend[ps->npend++] = (pending_export_t){ps->out->nexports - 1, items[k].name};
      }
    }
    free(items);
    if (ps->failed) return;
    semicolon(ps);
    blank_statement(ps, start, ps->i - 1);
  } else if (cur_kw(ps, "default")) {
    int d = ps->i;
    next(ps);
    int k = ps->i;
    bool async = cur_kw(ps, "async") && is_kw(ps, k + 1, "function") && !nl_before(ps, k + 1);
    if (async || cur_kw(ps, "function") || cur_kw(ps, "class")) {
      bool cls = cur_kw(ps, "class");
      int f = k + (async ? 1 : 0);
      int after = f + 1;
      bool gen = !cls && is_p(ps, after, '*');
      if (gen) after++;
      bool named = T(ps, after)->type == JS_NAME && !(cls && is_kw(ps, after, "extends"));
      if (named) {
        add_edit(ps, T(ps, start)->start, T(ps, k)->start, "", 0);
        if (!add_export(ps, ISL_EXPORT_LOCAL, isl_strdup("default"), NULL, -1, d)) return;
        GROW(ps->pend, ps->npend, ps->cappend);
        ps->pend[ps->npend++] = (pending_export_t){ps->out->nexports - 1, after};
        ps->default_kind = DEF_NAMED;
        if (cls)
          parse_class(ps, true);
        else
          parse_function(ps, true);
      } else {
        if (!add_export(ps, ISL_EXPORT_LOCAL, isl_strdup("default"), NULL, -1, d)) return;
        ps->default_kind = DEF_ANON;
        ps->need_name = true;
        if (cls) {
          snprintf(buf, sizeof(buf), "class %s_d", ps->P);
          add_edit(ps, T(ps, start)->start, T(ps, k)->end, buf, strlen(buf));
          ps->i = k; /* parse_class skips `class` and finds no name */
          int close = parse_class(ps, true);
          if (close >= 0 && !ps->failed) {
            snprintf(buf, sizeof(buf), "%s_n(%s_d);", ps->P, ps->P);
            add_edit(ps, T(ps, close)->end, T(ps, close)->end, buf, strlen(buf));
          }
        } else {
          snprintf(buf, sizeof(buf), "%sfunction%s %s_d", async ? "async " : "", gen ? "*" : "", ps->P);
          add_edit(ps, T(ps, start)->start, T(ps, after - 1)->end, buf, strlen(buf));
          ps->i = after;
          ps->anon_fn = true;
          parse_function_rest(ps, async, gen);
        }
      }
    } else {
      snprintf(buf, sizeof(buf), "%s.d = ", ps->P);
      add_edit(ps, T(ps, start)->start, T(ps, k)->start, buf, strlen(buf));
      if (!add_export(ps, ISL_EXPORT_LOCAL, isl_strdup("default"), NULL, -1, d)) return;
      ps->default_kind = DEF_EXPR;
      parse_assign(ps);
      semicolon(ps);
    }
  } else if (cur_kw(ps, "var") || cur_kw(ps, "let") || cur_kw(ps, "const") || cur_kw(ps, "function") ||
             cur_kw(ps, "class") ||
             (cur_kw(ps, "async") && is_kw(ps, ps->i + 1, "function") && !nl_before(ps, ps->i + 1))) {
    add_edit(ps, T(ps, start)->start, T(ps, start)->end, "", 0);
    ps->ncollected = 0;
    ps->collecting = true;
    if (cur_kw(ps, "function") || cur_kw(ps, "async")) {
      parse_function(ps, true);
    } else if (cur_kw(ps, "class")) {
      parse_class(ps, true);
    } else {
      parse_var(ps, cur_kw(ps, "var"));
      semicolon(ps);
    }
    ps->collecting = false;
    for (int k = 0; k < ps->ncollected && !ps->failed; k++) {
      int nt = ps->collected[k];
      js_tok_t *t = T(ps, nt);
      if (add_export(ps, ISL_EXPORT_LOCAL, isl_strndup(tname(ps, nt), t->nlen), NULL, -1, nt)) {
        GROW(ps->pend, ps->npend, ps->cappend);
        ps->pend[ps->npend++] = (pending_export_t){ps->out->nexports - 1, nt};
      }
    }
  } else {
    unexpected(ps, ps->i, "after export");
  }
}

/* Pass 1: import declarations and re-exports (`export … from`) at bracket depth 0, so
 * that import records come in source order and imported names are known before any
 * reference to them. */
static void find_imports(ps_t *ps) {
  int depth = 0;
  for (int k = 0; k < ps->nt && !ps->failed; k++) {
    js_tok_t *t = &ps->t[k];
    if (t->type == JS_PUNCT) {
      if (t->p == '(' || t->p == '[' || t->p == '{') depth++;
      if (t->p == ')' || t->p == ']' || t->p == '}') depth--;
    } else if (t->type == JS_TEMPLATE) {
      if (t->p == JS_TPL_HEAD) depth++;
      if (t->p == JS_TPL_TAIL) depth--;
    } else if (depth == 0 && js_tok_is(&ps->lx, t, "import") && !is_p(ps, k + 1, '(') && !is_p(ps, k + 1, '.') &&
               !(k > 0 && (is_p(ps, k - 1, '.') || is_p(ps, k - 1, JS_P2('?', '.'))))) {
      ps->i = k;
      parse_import_decl(ps);
      if (ps->failed) return;
      k = ps->i - 1;
    } else if (depth == 0 && js_tok_is(&ps->lx, t, "export") && !(k > 0 && (is_p(ps, k - 1, '.') || is_p(ps, k - 1, JS_P2('?', '.')))) &&
               (is_p(ps, k + 1, '*') || (is_p(ps, k + 1, '{') && is_kw(ps, T(ps, k + 1)->match + 1, "from")))) {
      ps->i = k;
      parse_export(ps);
      if (ps->failed) return;
      t->match = ps->i;
      k = ps->i - 1;
    }
  }
}

/* ---- output ---- */

/* The identifier prefix: "$i" or "$iN", such that no identifier in the source starts with
 * it, so it and the helper names built from it ("$i_a", …) cannot collide. */
static void choose_prefix(ps_t *ps) {
  bool plain = true;
  size_t limit = (size_t)ps->nt * 10 + 16;
  unsigned char *used = isl_calloc(limit, 1);
  for (int k = 0; k < ps->nt; k++) {
    js_tok_t *t = &ps->t[k];
    if (t->type != JS_NAME) continue;
    const char *s = tname(ps, k);
    if (t->nlen < 2 || s[0] != '$' || s[1] != 'i') continue;
    plain = false;
    size_t v = 0;
    for (uint32_t j = 2; j < t->nlen && j < 12 && s[j] >= '0' && s[j] <= '9'; j++) {
      if (j == 2 && s[j] == '0') break;
      v = v * 10 + (size_t)(s[j] - '0');
      if (v < limit) used[v] = 1;
    }
  }
  if (plain) {
    snprintf(ps->P, sizeof(ps->P), "$i");
  } else {
    size_t v = 1;
    while (v < limit && used[v]) v++;
    snprintf(ps->P, sizeof(ps->P), "$i%u", (unsigned)(v % 1000000000u));
  }
  free(used);
}

/* ASCII identifiers only: a non-ASCII name (which may not be an identifier at all, like
 * an emoji string export name) is read with brackets, which is always valid. */
static bool is_identifier_name(const char *s, size_t n) {
  if (!n || (s[0] >= '0' && s[0] <= '9')) return false;
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '$' ||
          c == '_'))
      return false;
    if (js_lt_len(s, k, n)) return false;
  }
  return true;
}

/* The live read of binding b: P.m[k].name, P.m[k]["name"] or P.m[k] for a namespace. */
static void binding_read(ps_t *ps, isl_buf_t *b, int binding) {
  const isl_import_binding_t *ib = &ps->out->bindings[binding];
  if (strcmp(ib->imported, "*") == 0) {
    /* The namespace object itself (a Proxy, spec-exact); named reads use the fast
     * getters object P.m[k]. */
    isl_buf_printf(b, "%s.n[%d]", ps->P, ib->module);
    return;
  }
  isl_buf_printf(b, "%s.m[%d]", ps->P, ib->module);
  size_t n = strlen(ib->imported);
  if (is_identifier_name(ib->imported, n)) {
    isl_buf_putc(b, '.');
    isl_buf_append(b, ib->imported, n);
  } else {
    isl_buf_putc(b, '[');
    js_quote(b, ib->imported, n);
    isl_buf_putc(b, ']');
  }
}

static bool shadowed(ps_t *ps, const ref_t *r) {
  if (!ps->inner_decls[r->binding]) return false;
  js_tok_t *t = T(ps, r->tok);
  for (int s = r->scope; s > 0; s = ps->scopes[s].parent)
    if (ht_find(&ps->shadows, s, tname(ps, r->tok), t->nlen, t->hash)) return true;
  return false;
}

static void rewrite_refs(ps_t *ps) {
  isl_buf_t b = {0};
  for (int k = 0; k < ps->nrefs; k++) {
    const ref_t *r = &ps->refs[k];
    if (shadowed(ps, r)) continue;
    js_tok_t *t = T(ps, r->tok);
    b.len = 0;
    if (r->kind == REF_SHORTHAND || r->kind == REF_SHORTHAND_ASSIGN) {
      isl_buf_append(&b, ps->src + t->start, t->end - t->start);
      isl_buf_puts(&b, ": ");
    }
    if (r->kind == REF_CALL) {
      ps->need_call = true;
      isl_buf_printf(&b, "%s_c(", ps->P);
    } else if (r->kind == REF_ASSIGN || r->kind == REF_SHORTHAND_ASSIGN) {
      ps->need_assign = true;
      isl_buf_printf(&b, "%s_a(", ps->P);
    }
    binding_read(ps, &b, r->binding);
    if (r->kind == REF_CALL) isl_buf_putc(&b, ')');
    if (r->kind == REF_ASSIGN || r->kind == REF_SHORTHAND_ASSIGN) isl_buf_puts(&b, ").v");
    add_edit(ps, t->start, t->end, b.p ? b.p : "", b.len);
  }
  isl_buf_free(&b);
}

/* The getter for each local export, now that all module-level names are known. */
static void resolve_local_exports(ps_t *ps, isl_buf_t *getters) {
  isl_module_xf_t *out = ps->out;
  char **getter = isl_calloc((size_t)out->nexports + 1, sizeof(char *));
  for (int k = 0; k < ps->npend && !ps->failed; k++) {
    const pending_export_t *pe = &ps->pend[k];
    js_tok_t *t = T(ps, pe->tok);
    isl_buf_t b = {0};
    hent_t *imp = import_of(ps, pe->tok);
    if (imp) {
      binding_read(ps, &b, imp->val);
    } else if (t->type == JS_NAME && ht_find(&ps->modnames, 0, tname(ps, pe->tok), t->nlen, t->hash)) {
      /* As written: an escaped name stays escaped, so the prologue stays one line. */
      isl_buf_append(&b, ps->src + t->start, t->end - t->start);
    } else {
      perr(ps, pe->tok, "Export '%.*s' is not defined in module", (int)t->nlen, tname(ps, pe->tok));
      isl_buf_free(&b);
      break;
    }
    getter[pe->export_index] = isl_buf_take(&b);
  }
  isl_buf_putc(getters, '{');
  bool first = true;
  for (int k = 0; k < out->nexports && !ps->failed; k++) {
    isl_export_rec_t *e = &out->exports[k];
    if (e->kind != ISL_EXPORT_LOCAL) continue;
    if (!first) isl_buf_puts(getters, ", ");
    first = false;
    js_quote(getters, e->exported, strlen(e->exported));
    isl_buf_puts(getters, ": () => ");
    if (getter[k])
      isl_buf_puts(getters, getter[k]);
    else if (ps->default_kind == DEF_ANON)
      isl_buf_printf(getters, "%s_d", ps->P);
    else
      isl_buf_printf(getters, "%s.d", ps->P);
  }
  isl_buf_putc(getters, '}');
  for (int k = 0; k <= out->nexports; k++) free(getter[k]);
  free(getter);
}

static int cmp_edit(const void *a, const void *b) {
  const edit_t *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return 0;
}

static void add_shift(isl_module_xf_t *out, int line, int col, int delta, int *cap) {
  if (out->nshifts && out->shifts[out->nshifts - 1].line == line && out->shifts[out->nshifts - 1].col == col) {
    out->shifts[out->nshifts - 1].delta = delta;
    return;
  }
  if (out->nshifts == *cap) {
    *cap = *cap ? *cap * 2 : 16;
    out->shifts = isl_realloc(out->shifts, (size_t)*cap * sizeof(isl_colshift_t));
  }
  out->shifts[out->nshifts++] = (isl_colshift_t){line, col, delta};
}

/* Copies the source into out->code with the edits applied. Replacements go on the line
 * where their span starts; the rest of a multi-line span becomes blanks around its line
 * terminators, so every line keeps its number. */
static void emit(ps_t *ps, const char *prefix, size_t prefix_len) {
  isl_module_xf_t *out = ps->out;
  isl_buf_t *o = &out->code;
  const char *s = ps->src;
  size_t n = ps->len;
  int shift_cap = 0;
  isl_buf_reserve(o, prefix_len + n + n / 8 + 64);
  isl_buf_append(o, prefix, prefix_len);
  int line = 1, col = 1, delta = (int)js_utf16_width(prefix, prefix_len);
  /* From column 1: positions inside the prologue map to column 1. */
  if (delta) add_shift(out, 1, 1, delta, &shift_cap);
  size_t pos = 0;
  /* A hashbang line becomes a comment of the same width. */
  if (ps->lx.hashbang) {
    isl_buf_append(o, "//", 2);
    pos = 2;
    col = 3;
  }
  if (ps->nedits > 1) qsort(ps->edits, (size_t)ps->nedits, sizeof(edit_t), cmp_edit);
  for (int e = 0; e <= ps->nedits; e++) {
    size_t stop = e < ps->nedits ? ps->edits[e].start : n;
    if (stop < pos) continue; /* overlapping edit: cannot happen for valid input */
    /* Verbatim copy, tracking line and column. */
    size_t run = pos;
    while (pos < stop) {
      int lt = js_lt_len(s, pos, n);
      if (lt) {
        pos += (size_t)lt;
        line++, col = 1, delta = 0;
      } else {
        col += (unsigned char)s[pos] < 0x80 ? 1 : ((unsigned char)s[pos] < 0xC0 ? 0 : ((unsigned char)s[pos] < 0xF0 ? 1 : 2));
        pos++;
      }
    }
    isl_buf_append(o, s + run, stop - run);
    if (e == ps->nedits) break;
    const edit_t *ed = &ps->edits[e];
    const char *text = ps->etext.p + ed->tofs;
    int rw = (int)js_utf16_width(text, ed->tlen);
    isl_buf_append(o, text, ed->tlen);
    /* Width of the span's first line. */
    size_t p = ed->start;
    int w1 = 0;
    while (p < ed->end && !js_lt_len(s, p, n)) w1 += (int)js_utf16_width(s + p, 1), p++;
    if (rw < w1) {
      for (int k = rw; k < w1; k++) isl_buf_putc(o, ' ');
    } else if (rw > w1) {
      delta += rw - w1;
      add_shift(out, line, col + w1 + delta, delta, &shift_cap);
    }
    col += w1;
    /* The rest of a multi-line span: terminators kept, everything else blank. */
    while (p < ed->end) {
      int lt = js_lt_len(s, p, n);
      if (lt) {
        isl_buf_append(o, s + p, (size_t)lt);
        p += (size_t)lt;
        line++, col = 1, delta = 0;
      } else {
        int w = (int)js_utf16_width(s + p, 1);
        for (int k = 0; k < w; k++) isl_buf_putc(o, ' ');
        col += w;
        p++;
      }
    }
    pos = ed->end;
  }
  /* A final \r would pair with the closing line's \n into one line terminator. */
  if (n && s[n - 1] == '\r') isl_buf_putc(o, '\n');
  isl_buf_puts(o, "\n} })");
}

bool isl_transform_module(const char *src, size_t len, isl_module_xf_t *out) {
  memset(out, 0, sizeof(*out));
  ps_t *ps = isl_calloc(1, sizeof(ps_t));
  ps->src = src;
  ps->len = len;
  ps->out = out;
  bool ok = false;
  if (!js_lex(src, len, &ps->lx)) {
    out->err_line = ps->lx.err_line;
    out->err_col = ps->lx.err_col;
    snprintf(out->err_msg, sizeof(out->err_msg), "%s", ps->lx.err_msg);
    goto done;
  }
  ps->t = ps->lx.toks;
  ps->nt = ps->lx.ntoks;
  choose_prefix(ps);
  snprintf(out->prefix, sizeof(out->prefix), "%s", ps->P);
  /* Scope 0 is the module. */
  ps->scope = -1;
  new_scope(ps, true);
  ps->scopes[0].parent = -1;
  ps->fn = (fnctx_t){false, true, false};

  find_imports(ps);
  if (ps->failed) goto done;
  ps->inner_decls = isl_calloc((size_t)out->nbindings + 1, sizeof(int));
  ps->i = 0;
  parse_statement_list(ps, true);
  while (!ps->failed && !at_eof(ps)) { /* a stray `}`: JSC reports it */
    next(ps);
    parse_statement_list(ps, true);
  }
  if (ps->failed) goto done;
  isl_buf_t getters = {0};
  resolve_local_exports(ps, &getters);
  if (ps->failed) {
    isl_buf_free(&getters);
    goto done;
  }
  rewrite_refs(ps);

  const char *P = ps->P;
  isl_buf_t prefix = {0};
  isl_buf_printf(&prefix, "(function (%s) { ", P);
  if (ps->need_assign)
    isl_buf_printf(&prefix,
                   "function %s_a(v) { return { get v() { return v; }, set v(_) { throw new "
                   "TypeError(\"Assignment to constant variable.\"); } }; } ",
                   P);
  if (ps->need_call) isl_buf_printf(&prefix, "function %s_c(f) { return f; } ", P);
  if (ps->need_name)
    isl_buf_printf(&prefix,
                   "function %s_n(f) { const d = Object.getOwnPropertyDescriptor(f, \"name\"); if (d && "
                   "d.value === \"%s_d\") Object.defineProperty(f, \"name\", { value: \"default\" }); } ",
                   P, P);
  /* Without top-level await the body is a plain generator: the linker's second next()
   * then runs it synchronously, in the spec's evaluation order, and an exception is
   * thrown at once. An async generator resumes a microtask later. */
  isl_buf_printf(&prefix, "return %sfunction* () { \"use strict\"; ",
                 ps->out->has_tla ? "async " : "");
  if (ps->default_kind == DEF_ANON) {
    /* A function declaration is hoisted: name it now; a class is named after it runs. */
    if (ps->anon_fn) isl_buf_printf(&prefix, "%s_n(%s_d); ", P, P);
  }
  isl_buf_printf(&prefix, "%s.e(%s); yield; ", P, getters.p);
  isl_buf_free(&getters);
  emit(ps, prefix.p, prefix.len);
  isl_buf_free(&prefix);
  ok = true;

done:
  js_lex_dispose(&ps->lx);
  free(ps->scopes);
  free(ps->collected);
  free(ps->imports_by_local.e);
  free(ps->modnames.e);
  free(ps->shadows.e);
  free(ps->exported.e);
  free(ps->import_keys.e);
  for (int k = 0; k < ps->nkeys; k++) free(ps->keys[k]);
  free(ps->keys);
  free(ps->inner_decls);
  free(ps->binding_tok);
  free(ps->refs);
  free(ps->edits);
  isl_buf_free(&ps->etext);
  free(ps->pend);
  free(ps);
  if (!ok) {
    isl_buf_free(&out->code);
    if (!out->err_msg[0]) snprintf(out->err_msg, sizeof(out->err_msg), "syntax error");
  }
  return ok;
}

void isl_transform_dispose(isl_module_xf_t *xf) {
  isl_buf_free(&xf->code);
  for (int k = 0; k < xf->nimports; k++) {
    free(xf->imports[k].specifier);
    free(xf->imports[k].type);
  }
  free(xf->imports);
  for (int k = 0; k < xf->nbindings; k++) {
    free(xf->bindings[k].imported);
    free(xf->bindings[k].local);
  }
  free(xf->bindings);
  for (int k = 0; k < xf->nexports; k++) {
    free(xf->exports[k].exported);
    free(xf->exports[k].imported);
  }
  free(xf->exports);
  free(xf->shifts);
  memset(xf, 0, sizeof(*xf));
}

int isl_transform_map_column(const isl_module_xf_t *xf, int line, int col) {
  /* The last shift at or before (line, col). */
  int lo = 0, hi = xf->nshifts;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    const isl_colshift_t *s = &xf->shifts[mid];
    if (s->line < line || (s->line == line && s->col <= col))
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0 || xf->shifts[lo - 1].line != line) return col;
  int c = col - xf->shifts[lo - 1].delta;
  return c < 1 ? 1 : c;
}

void isl_transform_commonjs(const char *src, size_t len, isl_buf_t *out) {
  isl_buf_puts(out, "(function (exports, require, module, __filename, __dirname) { ");
  if (len >= 2 && src[0] == '#' && src[1] == '!') {
    isl_buf_puts(out, "//");
    src += 2, len -= 2;
  }
  isl_buf_append(out, src, len);
  if (len && src[len - 1] == '\r') isl_buf_putc(out, '\n');
  isl_buf_puts(out, "\n})");
}
