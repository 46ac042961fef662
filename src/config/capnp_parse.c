/* The capnp text parser: statements (file id, using, const), values, and the checks that
 * need the whole file (references name existing consts, no const contains itself).
 * Recursive descent; nesting is counted so that no input can exhaust the stack. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capnp_internal.h"

static const char WORKERD_SCHEMA[] = "/workerd/workerd.capnp";

static void next(isl_capnp_parser_t *p) { isl_capnp_lex(p); }

static bool is_punct(const isl_capnp_parser_t *p, char c) {
  return p->tok.kind == TOK_PUNCT && p->tok.punct == c;
}

static bool is_word(const isl_capnp_parser_t *p, const char *w) {
  size_t n = strlen(w);
  return p->tok.kind == TOK_IDENT && p->tok.end - p->tok.start == n &&
         memcmp(p->src + p->tok.start, w, n) == 0;
}

static bool accept(isl_capnp_parser_t *p, char c) {
  if (!is_punct(p, c)) return false;
  next(p);
  return true;
}

/* Fails at the current token with "expected …" unless the lexer already failed there. */
static void fail_here(isl_capnp_parser_t *p, const char *what) {
  isl_capnp_fail(p, p->tok.line, p->tok.col, "%s", what);
}

static bool expect(isl_capnp_parser_t *p, char c, const char *what) {
  if (accept(p, c)) return true;
  fail_here(p, what);
  return false;
}

static const char *tok_ident(isl_capnp_parser_t *p) {
  return isl_capnp_strndup(p->file, p->src + p->tok.start, p->tok.end - p->tok.start);
}

static isl_capnp_value_t *new_node(isl_capnp_parser_t *p, isl_capnp_kind_t kind, int line,
                                   int col) {
  isl_capnp_value_t *v = isl_capnp_alloc(p->file, sizeof *v);
  memset(v, 0, sizeof *v);
  v->kind = kind;
  v->pos = (isl_capnp_pos_t){p->file->path, line, col};
  return v;
}

static bool enter(isl_capnp_parser_t *p) {
  if (++p->depth > ISL_CAPNP_MAX_DEPTH) {
    isl_capnp_fail(p, p->tok.line, p->tok.col, "nesting deeper than %d levels",
                   ISL_CAPNP_MAX_DEPTH);
    return false;
  }
  return true;
}

/* Adjacent "…" "…" (or 0x"…" 0x"…") literals form one value. */
static bool take_literals(isl_capnp_parser_t *p, tok_kind_t kind, const char **out,
                          size_t *out_len) {
  isl_buf_t cat = {0};
  while (p->tok.kind == kind) {
    isl_buf_append(&cat, p->sbuf.p, p->sbuf.len);
    next(p);
  }
  *out = isl_capnp_strndup(p->file, cat.p ? cat.p : "", cat.len);
  *out_len = cat.len;
  isl_buf_free(&cat);
  return !p->failed;
}

static isl_capnp_value_t *parse_value(isl_capnp_parser_t *p);

/* ( name = value, … ) with an optional trailing comma. The current token is '('. */
static isl_capnp_value_t *parse_struct(isl_capnp_parser_t *p) {
  isl_capnp_value_t *v = new_node(p, ISL_CAPNP_STRUCT, p->tok.line, p->tok.col);
  if (!enter(p)) return NULL;
  next(p);
  /* Fields are collected in a list in the arena, then laid out as an array. */
  typedef struct fnode {
    isl_capnp_field_t f;
    struct fnode *next;
  } fnode_t;
  fnode_t *head = NULL, **tail = &head;
  size_t n = 0;
  while (!is_punct(p, ')')) {
    if (p->tok.kind != TOK_IDENT) {
      fail_here(p, "expected a field name or ')'");
      return NULL;
    }
    fnode_t *fn = isl_capnp_alloc(p->file, sizeof *fn);
    fn->f.name = tok_ident(p);
    fn->f.pos = (isl_capnp_pos_t){p->file->path, p->tok.line, p->tok.col};
    fn->next = NULL;
    next(p);
    if (!expect(p, '=', "expected '=' after the field name")) return NULL;
    if (!(fn->f.value = parse_value(p))) return NULL;
    *tail = fn, tail = &fn->next, n++;
    if (accept(p, ',')) continue;
    if (!is_punct(p, ')')) {
      fail_here(p, "expected ')' or ','");
      return NULL;
    }
  }
  if (p->failed) return NULL;
  next(p);
  p->depth--;
  v->st.n = n;
  v->st.fields = isl_capnp_alloc(p->file, n * sizeof *v->st.fields);
  size_t i = 0;
  for (fnode_t *fn = head; fn; fn = fn->next) v->st.fields[i++] = fn->f;
  return v;
}

/* [ value, … ] with an optional trailing comma. The current token is '['. */
static isl_capnp_value_t *parse_list(isl_capnp_parser_t *p) {
  isl_capnp_value_t *v = new_node(p, ISL_CAPNP_LIST, p->tok.line, p->tok.col);
  if (!enter(p)) return NULL;
  next(p);
  typedef struct inode {
    isl_capnp_value_t *v;
    struct inode *next;
  } inode_t;
  inode_t *head = NULL, **tail = &head;
  size_t n = 0;
  while (!is_punct(p, ']')) {
    inode_t *in = isl_capnp_alloc(p->file, sizeof *in);
    in->next = NULL;
    if (!(in->v = parse_value(p))) return NULL;
    *tail = in, tail = &in->next, n++;
    if (accept(p, ',')) continue;
    if (!is_punct(p, ']')) {
      fail_here(p, "expected ']' or ','");
      return NULL;
    }
  }
  if (p->failed) return NULL;
  next(p);
  p->depth--;
  v->list.n = n;
  v->list.items = isl_capnp_alloc(p->file, n * sizeof *v->list.items);
  size_t i = 0;
  for (inode_t *in = head; in; in = in->next) v->list.items[i++] = in->v;
  return v;
}

/* name(.name)* after an optional leading '.' (already consumed when dot). */
static isl_capnp_value_t *parse_path(isl_capnp_parser_t *p, bool dot, int line, int col) {
  isl_buf_t path = {0};
  int nseg = 0;
  if (dot) isl_buf_putc(&path, '.');
  for (;;) {
    if (p->tok.kind != TOK_IDENT) {
      fail_here(p, "expected a name after '.'");
      isl_buf_free(&path);
      return NULL;
    }
    isl_buf_append(&path, p->src + p->tok.start, p->tok.end - p->tok.start);
    nseg++;
    next(p);
    if (!is_punct(p, '.')) break;
    isl_buf_putc(&path, '.');
    next(p);
  }
  isl_capnp_value_t *v;
  if (!dot && nseg == 1) {
    v = new_node(p, ISL_CAPNP_IDENT, line, col);
    v->ident = isl_capnp_strndup(p->file, path.p, path.len);
  } else {
    v = new_node(p, ISL_CAPNP_REF, line, col);
    v->ref.path = isl_capnp_strndup(p->file, path.p, path.len);
    v->ref.dot = dot;
    v->ref.nseg = nseg;
  }
  isl_buf_free(&path);
  return p->failed ? NULL : v;
}

static isl_capnp_value_t *parse_negative(isl_capnp_parser_t *p, int line, int col) {
  next(p); /* - */
  isl_capnp_value_t *v;
  if (p->tok.kind == TOK_INT) {
    if (p->tok.mag > (uint64_t)1 << 63) {
      isl_capnp_fail(p, line, col, "integer out of range");
      return NULL;
    }
    v = new_node(p, ISL_CAPNP_INT, line, col);
    v->i.mag = p->tok.mag;
    v->i.neg = p->tok.mag != 0;
  } else if (p->tok.kind == TOK_FLOAT) {
    v = new_node(p, ISL_CAPNP_FLOAT, line, col);
    v->f = -p->tok.f;
  } else if (is_word(p, "inf") || is_word(p, "nan")) {
    v = new_node(p, ISL_CAPNP_FLOAT, line, col);
    v->f = is_word(p, "inf") ? -INFINITY : -NAN;
  } else {
    fail_here(p, "expected a number after '-'");
    return NULL;
  }
  next(p);
  return p->failed ? NULL : v;
}

static isl_capnp_value_t *parse_embed(isl_capnp_parser_t *p, int line, int col) {
  next(p); /* embed */
  if (p->tok.kind != TOK_STRING) {
    fail_here(p, "expected a file name in quotes after 'embed'");
    return NULL;
  }
  int sline = p->tok.line, scol = p->tok.col;
  const char *path;
  size_t len;
  if (!take_literals(p, TOK_STRING, &path, &len)) return NULL;
  isl_capnp_value_t *v = new_node(p, ISL_CAPNP_EMBED, line, col);
  if (!isl_capnp_load_embed(p, v, path, len, sline, scol)) return NULL;
  return v;
}

static isl_capnp_value_t *parse_value(isl_capnp_parser_t *p) {
  int line = p->tok.line, col = p->tok.col;
  isl_capnp_value_t *v = NULL;
  switch (p->tok.kind) {
  case TOK_PUNCT:
    if (is_punct(p, '(')) return parse_struct(p);
    if (is_punct(p, '[')) return parse_list(p);
    if (is_punct(p, '-')) return parse_negative(p, line, col);
    if (is_punct(p, '.')) {
      next(p);
      return parse_path(p, true, line, col);
    }
    break;
  case TOK_INT:
    v = new_node(p, ISL_CAPNP_INT, line, col);
    v->i.mag = p->tok.mag;
    next(p);
    return p->failed ? NULL : v;
  case TOK_FLOAT:
    v = new_node(p, ISL_CAPNP_FLOAT, line, col);
    v->f = p->tok.f;
    next(p);
    return p->failed ? NULL : v;
  case TOK_STRING:
  case TOK_DATA:
    v = new_node(p, p->tok.kind == TOK_STRING ? ISL_CAPNP_STRING : ISL_CAPNP_DATA, line, col);
    return take_literals(p, p->tok.kind, &v->str.p, &v->str.len) ? v : NULL;
  case TOK_IDENT:
    if (is_word(p, "embed")) return parse_embed(p, line, col);
    if (is_word(p, "true") || is_word(p, "false")) {
      v = new_node(p, ISL_CAPNP_BOOL, line, col);
      v->b = is_word(p, "true");
    } else if (is_word(p, "void")) {
      v = new_node(p, ISL_CAPNP_VOID, line, col);
    } else if (is_word(p, "inf") || is_word(p, "nan")) {
      v = new_node(p, ISL_CAPNP_FLOAT, line, col);
      v->f = is_word(p, "inf") ? INFINITY : NAN;
    } else {
      return parse_path(p, false, line, col);
    }
    next(p);
    return p->failed ? NULL : v;
  default:
    break;
  }
  fail_here(p, "expected a value");
  return NULL;
}

/* A type as written: Name(.Name)* with optional (Type, …) parameters, kept as text. */
static bool parse_type(isl_capnp_parser_t *p, isl_buf_t *out) {
  if (!enter(p)) return false;
  if (accept(p, '.')) isl_buf_putc(out, '.');
  for (;;) {
    if (p->tok.kind != TOK_IDENT) {
      fail_here(p, "expected a type name");
      return false;
    }
    isl_buf_append(out, p->src + p->tok.start, p->tok.end - p->tok.start);
    next(p);
    if (!accept(p, '.')) break;
    isl_buf_putc(out, '.');
  }
  if (accept(p, '(')) {
    isl_buf_putc(out, '(');
    for (;;) {
      if (!parse_type(p, out)) return false;
      if (accept(p, ')')) break;
      if (!expect(p, ',', "expected ')' or ','")) return false;
      isl_buf_putc(out, ',');
    }
    isl_buf_putc(out, ')');
  }
  p->depth--;
  return !p->failed;
}

/* --- names: consts and imports share one namespace --- */

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Index slot of name in the table: either the const's slot or the empty slot for it. */
static size_t table_slot(const isl_capnp_file_t *f, const char *name) {
  size_t mask = f->priv->table_size - 1;
  for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
    uint32_t e = f->priv->table[i];
    if (e == 0 || strcmp(f->consts[e - 1].name, name) == 0) return i;
  }
}

const isl_capnp_const_t *isl_capnp_find_const(const isl_capnp_file_t *f, const char *name) {
  if (!f->priv->table_size) return NULL;
  uint32_t e = f->priv->table[table_slot(f, name)];
  return e ? &f->consts[e - 1] : NULL;
}

static const isl_capnp_import_t *find_import(const isl_capnp_file_t *f, const char *name) {
  for (size_t i = 0; i < f->nimports; i++)
    if (strcmp(f->imports[i].name, name) == 0) return &f->imports[i];
  return NULL;
}

static void add_const_to_table(isl_capnp_file_t *f) {
  isl_capnp_file_priv_t *pr = f->priv;
  if (f->nconsts * 2 > pr->table_size) {
    free(pr->table);
    pr->table_size = pr->table_size ? pr->table_size * 2 : 64;
    pr->table = isl_calloc(pr->table_size, sizeof *pr->table);
    for (size_t i = 0; i + 1 < f->nconsts; i++)
      pr->table[table_slot(f, f->consts[i].name)] = (uint32_t)(i + 1);
  }
  pr->table[table_slot(f, f->consts[f->nconsts - 1].name)] = (uint32_t)f->nconsts;
}

static bool name_is_free(isl_capnp_parser_t *p, const char *name, int line, int col) {
  if (isl_capnp_find_const(p->file, name)) {
    isl_capnp_fail(p, line, col, "const '%s' is defined twice", name);
    return false;
  }
  if (find_import(p->file, name)) {
    isl_capnp_fail(p, line, col, "name '%s' is defined twice", name);
    return false;
  }
  return true;
}

/* using NAME = import "PATH"; */
static bool parse_using(isl_capnp_parser_t *p) {
  next(p);
  if (p->tok.kind != TOK_IDENT) {
    fail_here(p, "expected a name after 'using'");
    return false;
  }
  isl_capnp_import_t imp = {tok_ident(p), NULL, {p->file->path, p->tok.line, p->tok.col}};
  if (!name_is_free(p, imp.name, imp.pos.line, imp.pos.col)) return false;
  next(p);
  if (!expect(p, '=', "expected '='")) return false;
  if (!is_word(p, "import")) {
    fail_here(p, "expected 'import' (islet reads only `using X = import \"...\";`)");
    return false;
  }
  next(p);
  if (p->tok.kind != TOK_STRING) {
    fail_here(p, "expected a file name in quotes after 'import'");
    return false;
  }
  int sline = p->tok.line, scol = p->tok.col;
  size_t len;
  if (!take_literals(p, TOK_STRING, &imp.path, &len)) return false;
  if (strlen(imp.path) != len || strcmp(imp.path, WORKERD_SCHEMA) != 0) {
    isl_capnp_fail(p, sline, scol, "cannot import \"%.200s\": islet reads only \"%s\"",
                   imp.path, WORKERD_SCHEMA);
    return false;
  }
  if (!expect(p, ';', "expected ';'")) return false;
  isl_capnp_file_t *f = p->file;
  f->imports = isl_realloc(f->imports, (f->nimports + 1) * sizeof *f->imports);
  f->imports[f->nimports++] = imp;
  if (!f->workerd_alias) f->workerd_alias = imp.name;
  return true;
}

/* const NAME :TYPE = VALUE; */
static bool parse_const(isl_capnp_parser_t *p) {
  next(p);
  if (p->tok.kind != TOK_IDENT) {
    fail_here(p, "expected a name after 'const'");
    return false;
  }
  isl_capnp_const_t c = {0};
  c.name = tok_ident(p);
  c.pos = (isl_capnp_pos_t){p->file->path, p->tok.line, p->tok.col};
  if (!name_is_free(p, c.name, c.pos.line, c.pos.col)) return false;
  next(p);
  if (!expect(p, ':', "expected ':' and a type")) return false;
  c.type_pos = (isl_capnp_pos_t){p->file->path, p->tok.line, p->tok.col};
  isl_buf_t type = {0};
  bool ok = parse_type(p, &type);
  c.type = isl_capnp_strndup(p->file, type.p ? type.p : "", type.len);
  isl_buf_free(&type);
  if (!ok || !expect(p, '=', "expected '='")) return false;
  if (!(c.value = parse_value(p))) return false;
  if (!expect(p, ';', "expected ';'")) return false;
  isl_capnp_file_t *f = p->file;
  f->consts = isl_realloc(f->consts, (f->nconsts + 1) * sizeof *f->consts);
  f->consts[f->nconsts++] = c;
  add_const_to_table(f);
  return true;
}

/* --- whole-file checks --- */

typedef struct {
  size_t from, to;
  const isl_capnp_value_t *at;
} edge_t;

typedef struct {
  edge_t *v;
  size_t n, cap;
} edges_t;

static void add_edge(edges_t *e, size_t from, size_t to, const isl_capnp_value_t *at) {
  if (e->n == e->cap) {
    e->cap = e->cap ? e->cap * 2 : 32;
    e->v = isl_realloc(e->v, e->cap * sizeof *e->v);
  }
  e->v[e->n++] = (edge_t){from, to, at};
}

/* Checks the references in v (part of const `from`) and records which consts it uses.
 * Recursion is bounded by the nesting limit. */
static bool check_refs(isl_capnp_parser_t *p, size_t from, const isl_capnp_value_t *v,
                       edges_t *edges) {
  const isl_capnp_file_t *f = p->file;
  const isl_capnp_const_t *c;
  switch (v->kind) {
  case ISL_CAPNP_STRUCT:
    for (size_t i = 0; i < v->st.n; i++)
      if (!check_refs(p, from, v->st.fields[i].value, edges)) return false;
    return true;
  case ISL_CAPNP_LIST:
    for (size_t i = 0; i < v->list.n; i++)
      if (!check_refs(p, from, v->list.items[i], edges)) return false;
    return true;
  case ISL_CAPNP_IDENT:
    /* Maybe an enum value: only a const of that name makes it a (possible) reference. */
    if ((c = isl_capnp_find_const(f, v->ident))) add_edge(edges, from, (size_t)(c - f->consts), v);
    return true;
  case ISL_CAPNP_REF: {
    const char *path = v->ref.path + v->ref.dot;
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    char first[256];
    snprintf(first, sizeof first, "%.*s", (int)(n < 255 ? n : 255), path);
    if (v->ref.nseg == 1) {
      if (!(c = isl_capnp_find_const(f, first))) {
        isl_capnp_fail(p, v->pos.line, v->pos.col, "reference to unknown const '.%.200s'", first);
        return false;
      }
      add_edge(edges, from, (size_t)(c - f->consts), v);
      return true;
    }
    if (!v->ref.dot && find_import(f, first)) return true; /* into the imported schema */
    if (isl_capnp_find_const(f, first))
      isl_capnp_fail(p, v->pos.line, v->pos.col, "'%.200s': const '%.200s' has no members",
                     v->ref.path, first);
    else
      isl_capnp_fail(p, v->pos.line, v->pos.col, "reference to unknown name '%.200s'",
                     v->ref.path);
    return false;
  }
  default:
    return true;
  }
}

/* A const may not contain itself, directly or through others: the model would follow it
 * forever. Iterative depth-first search over the const graph; check_file recorded the
 * edges const by const, so they are grouped by `from` already. */
static bool check_cycles(isl_capnp_parser_t *p, edges_t *e) {
  size_t nc = p->file->nconsts;
  size_t *first = isl_calloc(nc + 1, sizeof *first);
  for (size_t i = 0; i < e->n; i++) first[e->v[i].from + 1]++;
  for (size_t i = 0; i < nc; i++) first[i + 1] += first[i];
  unsigned char *color = isl_calloc(nc, 1); /* 0 new, 1 on the path, 2 done */
  size_t *stack = isl_malloc((nc + 1) * sizeof *stack), *next_edge = isl_malloc((nc + 1) * sizeof *next_edge);
  bool ok = true;
  for (size_t root = 0; root < nc && ok; root++) {
    if (color[root]) continue;
    size_t sp = 0;
    stack[sp] = root, next_edge[sp] = first[root], color[root] = 1;
    while (ok) {
      size_t u = stack[sp];
      if (next_edge[sp] == first[u + 1]) {
        color[u] = 2;
        if (sp == 0) break;
        sp--;
        continue;
      }
      const edge_t *ed = &e->v[next_edge[sp]++];
      if (color[ed->to] == 1) {
        isl_capnp_fail(p, ed->at->pos.line, ed->at->pos.col,
                       "reference to const '%.200s' makes a cycle (a const cannot contain itself)",
                       p->file->consts[ed->to].name);
        ok = false;
      } else if (color[ed->to] == 0) {
        sp++;
        stack[sp] = ed->to, next_edge[sp] = first[ed->to], color[ed->to] = 1;
      }
    }
  }
  free(first);
  free(color);
  free(stack);
  free(next_edge);
  return ok;
}

static bool check_file(isl_capnp_parser_t *p) {
  edges_t edges = {0};
  bool ok = true;
  for (size_t i = 0; i < p->file->nconsts && ok; i++)
    ok = check_refs(p, i, p->file->consts[i].value, &edges);
  if (ok) ok = check_cycles(p, &edges);
  free(edges.v);
  return ok;
}

void isl_capnp_parse(isl_capnp_parser_t *p) {
  next(p);
  if (is_punct(p, '@')) {
    next(p);
    if (p->tok.kind != TOK_INT) {
      fail_here(p, "expected a file id (like @0xfeb2cedfa7aad686) after '@'");
      return;
    }
    p->file->has_id = true;
    p->file->id = p->tok.mag;
    next(p);
    if (!expect(p, ';', "expected ';'")) return;
  }
  while (!p->failed && p->tok.kind != TOK_EOF) {
    if (is_word(p, "const")) {
      if (!parse_const(p)) return;
    } else if (is_word(p, "using")) {
      if (!parse_using(p)) return;
    } else if (is_punct(p, '@')) {
      fail_here(p, "the file id must come first");
      return;
    } else {
      fail_here(p, "expected 'const' or 'using'");
      return;
    }
  }
  if (!p->failed) check_file(p);
}
