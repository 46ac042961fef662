/* See js_lexer.h. One pass over the bytes; the only state beyond the previous tokens is
 * the bracket stack, whose entries say what kind of ( or { they are. */
#include "js_lexer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bracket on the stack. kind is '(' '[' '{', '$' for a template substitution, or 0 for
 * the bottom entry that stands for the top level. */
typedef struct {
  char kind;
  uint8_t flags;
  int tok;    /* index of the opening token */
  int qcount; /* `?` seen at this level whose `:` has not come yet */
} frame_t;

enum {
  F_HEAD = 1,    /* ( of if/while/for/with */
  F_EXPR = 2,    /* { of an expression: object literal, function or class expression */
  F_PENDING = 4, /* a function or class expression was seen here; its body { is F_EXPR */
};

typedef struct {
  js_lexer_t *lx;
  const char *s;
  size_t n, i;
  uint32_t line;
  size_t line_start;
  size_t cpos; /* column cursor: byte offset on the current line and its column */
  uint32_t ccol;
  frame_t *st;
  int depth, cap;
  bool nl; /* a line terminator since the previous token */
  bool failed;
} lexstate_t;

uint32_t js_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)s[k]) * 16777619u;
  return h;
}

bool js_tok_is(const js_lexer_t *lx, const js_tok_t *t, const char *word) {
  if (t->type != JS_NAME || (t->flags & JS_ESCAPED)) return false;
  size_t n = strlen(word);
  return t->nlen == n && memcmp(lx->src + t->name, word, n) == 0;
}

/* Width in UTF-16 units of the character whose first byte is c (0 for continuations). */
static inline int u16w(unsigned char c) { return c < 0x80 ? 1 : c < 0xC0 ? 0 : c < 0xF0 ? 1 : 2; }

size_t js_utf16_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t k = 0; k < n; k++) w += u16w((unsigned char)s[k]);
  return w;
}

static uint32_t col_at(lexstate_t *ls, size_t pos) {
  if (ls->cpos < ls->line_start) {
    ls->cpos = ls->line_start;
    ls->ccol = 1;
  }
  while (ls->cpos < pos) ls->ccol += u16w((unsigned char)ls->s[ls->cpos++]);
  return ls->ccol;
}

static bool fail_at(lexstate_t *ls, size_t pos, const char *msg) {
  if (ls->failed) return false;
  ls->failed = true;
  ls->lx->err_line = (int)ls->line;
  ls->lx->err_col = (int)col_at(ls, pos);
  snprintf(ls->lx->err_msg, sizeof(ls->lx->err_msg), "%s", msg);
  return false;
}

static bool fail_lc(lexstate_t *ls, uint32_t line, uint32_t col, const char *msg) {
  if (ls->failed) return false;
  ls->failed = true;
  ls->lx->err_line = (int)line;
  ls->lx->err_col = (int)col;
  snprintf(ls->lx->err_msg, sizeof(ls->lx->err_msg), "%s", msg);
  return false;
}

static void newline(lexstate_t *ls, size_t after) {
  ls->line++;
  ls->line_start = after;
  ls->nl = true;
}

/* Unicode white space other than line terminators (ES WhiteSpace: Zs, NBSP, ZWNBSP);
 * returns its length in bytes or 0. */
static int uws_len(const char *s, size_t i, size_t n) {
  const unsigned char *u = (const unsigned char *)s + i;
  size_t r = n - i;
  if (u[0] == 0xC2 && r >= 2 && u[1] == 0xA0) return 2;
  if (r < 3) return 0;
  if (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) return 3;
  if (u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) return 3;
  if (u[0] == 0xE2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xAF)) return 3;
  if (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) return 3;
  if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3;
  return 0;
}

static inline bool ascii_id(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '$' ||
         c == '_';
}
static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Length of the UTF-8 sequence at s[i], at least 1 and never past n. */
static size_t u8len(const char *s, size_t i, size_t n) {
  unsigned char c = (unsigned char)s[i];
  size_t k = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + k > n) k = n - i;
  for (size_t j = 1; j < k; j++)
    if (((unsigned char)s[i + j] & 0xC0) != 0x80) return j;
  return k;
}

/* Parses \uXXXX or \u{X…} at s[i] (the backslash). Returns the code point and stores the
 * escape's length, or returns -1. */
static long parse_uescape(const char *s, size_t i, size_t n, size_t *len) {
  if (i + 1 >= n || s[i + 1] != 'u') return -1;
  size_t j = i + 2;
  long cp = 0;
  if (j < n && s[j] == '{') {
    j++;
    int digits = 0;
    while (j < n && hexval((unsigned char)s[j]) >= 0) {
      cp = cp * 16 + hexval((unsigned char)s[j]);
      if (cp > 0x10FFFF) return -1;
      j++, digits++;
    }
    if (!digits || j >= n || s[j] != '}') return -1;
    *len = j + 1 - i;
    return cp;
  }
  for (int k = 0; k < 4; k++, j++) {
    if (j >= n || hexval((unsigned char)s[j]) < 0) return -1;
    cp = cp * 16 + hexval((unsigned char)s[j]);
  }
  *len = j - i;
  return cp;
}

static void put_utf8(isl_buf_t *b, long cp) {
  char t[4];
  if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    t[0] = (char)cp;
    isl_buf_append(b, t, 1);
  } else if (cp < 0x800) {
    t[0] = (char)(0xC0 | cp >> 6), t[1] = (char)(0x80 | (cp & 63));
    isl_buf_append(b, t, 2);
  } else if (cp < 0x10000) {
    t[0] = (char)(0xE0 | cp >> 12), t[1] = (char)(0x80 | ((cp >> 6) & 63));
    t[2] = (char)(0x80 | (cp & 63));
    isl_buf_append(b, t, 3);
  } else {
    t[0] = (char)(0xF0 | cp >> 18), t[1] = (char)(0x80 | ((cp >> 12) & 63));
    t[2] = (char)(0x80 | ((cp >> 6) & 63)), t[3] = (char)(0x80 | (cp & 63));
    isl_buf_append(b, t, 4);
  }
}

bool js_decode_string(const char *s, size_t n, isl_buf_t *out) {
  bool ok = true;
  isl_buf_append(out, "", 0);
  for (size_t i = 0; i < n;) {
    if (s[i] != '\\' || i + 1 >= n) {
      isl_buf_putc(out, s[i++]);
      continue;
    }
    char c = s[i + 1];
    int lt = js_lt_len(s, i + 1, n);
    if (lt) { /* line continuation */
      i += 1 + lt;
      continue;
    }
    size_t len = 2;
    long cp = -1;
    switch (c) {
    case 'n': cp = '\n'; break;
    case 't': cp = '\t'; break;
    case 'r': cp = '\r'; break;
    case 'b': cp = '\b'; break;
    case 'f': cp = '\f'; break;
    case 'v': cp = '\v'; break;
    case '0': cp = 0; break;
    case 'x':
      if (i + 3 < n + 0 && hexval((unsigned char)s[i + 2]) >= 0 && hexval((unsigned char)s[i + 3]) >= 0) {
        cp = hexval((unsigned char)s[i + 2]) * 16 + hexval((unsigned char)s[i + 3]);
        len = 4;
      }
      break;
    case 'u':
      cp = parse_uescape(s, i, n, &len);
      if (cp < 0) len = 2;
      /* A surrogate pair written as two escapes is one code point. */
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        size_t len2;
        long lo = parse_uescape(s, i + len, n, &len2);
        if (i + len < n && s[i + len] == '\\' && lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          len += len2;
        }
      }
      break;
    default: break;
    }
    if (cp < 0) { /* an escaped character stands for itself */
      size_t k = u8len(s, i + 1, n);
      isl_buf_append(out, s + i + 1, k);
      i += 1 + k;
      continue;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) ok = false;
    put_utf8(out, cp);
    i += len;
  }
  return ok;
}

void js_quote(isl_buf_t *out, const char *s, size_t n) {
  isl_buf_putc(out, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      isl_buf_putc(out, '\\');
      isl_buf_putc(out, (char)c);
    } else if (c < 0x20 || c == 0x7F) {
      isl_buf_printf(out, "\\x%02x", c);
    } else if (js_lt_len(s, i, n) == 3) {
      isl_buf_printf(out, "\\u%04X", (unsigned char)s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
      i += 2;
    } else {
      isl_buf_putc(out, (char)c);
    }
  }
  isl_buf_putc(out, '"');
}

/* Skips white space and comments, counting lines. */
static bool skip_space(lexstate_t *ls) {
  const char *s = ls->s;
  size_t n = ls->n;
  while (ls->i < n) {
    unsigned char c = (unsigned char)s[ls->i];
    int lt;
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f') {
      ls->i++;
    } else if ((lt = js_lt_len(s, ls->i, n))) {
      ls->i += lt;
      newline(ls, ls->i);
    } else if (c >= 0x80 && (lt = uws_len(s, ls->i, n))) {
      ls->i += lt;
    } else if (c == '/' && ls->i + 1 < n && s[ls->i + 1] == '/') {
      while (ls->i < n && !js_lt_len(s, ls->i, n)) ls->i++;
    } else if (c == '/' && ls->i + 1 < n && s[ls->i + 1] == '*') {
      uint32_t l0 = ls->line, c0 = col_at(ls, ls->i);
      ls->i += 2;
      for (;;) {
        if (ls->i >= n) return fail_lc(ls, l0, c0, "unterminated comment");
        if (s[ls->i] == '*' && ls->i + 1 < n && s[ls->i + 1] == '/') {
          ls->i += 2;
          break;
        }
        if ((lt = js_lt_len(s, ls->i, n))) {
          ls->i += lt;
          newline(ls, ls->i);
        } else {
          ls->i++;
        }
      }
    } else {
      break;
    }
  }
  return true;
}

static js_tok_t *push_tok(lexstate_t *ls, int type, size_t start, uint32_t line, uint32_t col) {
  js_lexer_t *lx = ls->lx;
  if (lx->ntoks == lx->cap) {
    lx->cap = lx->cap ? lx->cap * 2 : 256;
    lx->toks = isl_realloc(lx->toks, (size_t)lx->cap * sizeof(js_tok_t));
  }
  js_tok_t *t = &lx->toks[lx->ntoks++];
  memset(t, 0, sizeof(*t));
  t->type = (uint8_t)type;
  t->start = (uint32_t)start;
  t->line = line;
  t->col = col;
  t->match = -1;
  if (ls->nl) t->flags |= JS_NL_BEFORE;
  ls->nl = false;
  return t;
}

static frame_t *top(lexstate_t *ls) { return &ls->st[ls->depth - 1]; }

static void push_frame(lexstate_t *ls, char kind, uint8_t flags, int tok) {
  if (ls->depth == ls->cap) {
    ls->cap *= 2;
    ls->st = isl_realloc(ls->st, (size_t)ls->cap * sizeof(frame_t));
  }
  ls->st[ls->depth++] = (frame_t){kind, flags, tok, 0};
}

/* Whether the name token t is a property name after `.` or `?.`. */
static bool after_dot(const js_lexer_t *lx, int idx) {
  if (idx == 0) return false;
  const js_tok_t *p = &lx->toks[idx - 1];
  return p->type == JS_PUNCT && (p->p == '.' || p->p == JS_P2('?', '.'));
}

static bool is_word(const js_lexer_t *lx, int idx, const char *const *words) {
  const js_tok_t *t = &lx->toks[idx];
  if (t->type != JS_NAME || (t->flags & JS_ESCAPED) || after_dot(lx, idx)) return false;
  for (int k = 0; words[k]; k++)
    if (js_tok_is(lx, t, words[k])) return true;
  return false;
}

static const char *const regex_keywords[] = {
    "return", "typeof", "instanceof", "in",   "of",    "new",   "delete",  "void",
    "throw",  "case",   "do",         "else", "yield", "await", "default", "extends", NULL};

/* 12.9 and the goal symbols InputElementDiv / InputElementRegExp: decided from the
 * previous token. */
static bool regex_allowed(lexstate_t *ls) {
  js_lexer_t *lx = ls->lx;
  if (lx->ntoks == 0) return true;
  const js_tok_t *p = &lx->toks[lx->ntoks - 1];
  switch (p->type) {
  case JS_NAME: return is_word(lx, lx->ntoks - 1, regex_keywords);
  case JS_TEMPLATE: return p->p == JS_TPL_HEAD || p->p == JS_TPL_MIDDLE;
  case JS_PUNCT:
    if (p->p == ')' || p->p == '}') return (p->flags & JS_REGEX_AFTER) != 0;
    return p->p != ']' && p->p != JS_P2('+', '+') && p->p != JS_P2('-', '-');
  default: return false;
  }
}

/* Whether the token at idx (function, class, or the async before function) stands where
 * a statement starts, so that it is a declaration rather than an expression. */
static bool at_statement_start(const js_lexer_t *lx, int idx) {
  if (idx == 0) return true;
  const js_tok_t *t = &lx->toks[idx], *p = &lx->toks[idx - 1];
  bool nl = (t->flags & JS_NL_BEFORE) != 0;
  static const char *const stmt_words[] = {"else", "do", "default", "export", NULL};
  switch (p->type) {
  case JS_PUNCT:
    if (p->p == ';' || p->p == '{' || p->p == '}' || p->p == ')') return true;
    if (p->p == ':') return (p->flags & JS_STMT_COLON) != 0;
    if (p->p == ']') return nl;
    return false;
  case JS_NAME:
    if (is_word(lx, idx - 1, stmt_words)) return true;
    if (is_word(lx, idx - 1, regex_keywords)) return false;
    return nl;
  case JS_TEMPLATE: return nl && (p->p == JS_TPL_FULL || p->p == JS_TPL_TAIL);
  default: return nl;
  }
}

/* Whether a { whose previous token is the last one opens a block (or class body) rather
 * than an object literal. */
static bool brace_is_block(lexstate_t *ls, bool nl) {
  js_lexer_t *lx = ls->lx;
  int idx = lx->ntoks - 1;
  if (idx < 0) return true;
  const js_tok_t *p = &lx->toks[idx];
  static const char *const block_words[] = {"else", "do", "try", "finally", "static", NULL};
  static const char *const nl_words[] = {"return", "yield", NULL};
  switch (p->type) {
  case JS_PUNCT:
    if (p->p == ';' || p->p == '{' || p->p == '}' || p->p == ')' || p->p == JS_P2('=', '>'))
      return true;
    if (p->p == ':') return (p->flags & JS_STMT_COLON) != 0;
    return false;
  case JS_NAME:
    if (after_dot(lx, idx)) return true;
    if (is_word(lx, idx, block_words)) return true;
    if (is_word(lx, idx, nl_words)) return nl;
    if (is_word(lx, idx, regex_keywords)) return false;
    return true; /* class name, heritage */
  default: return false;
  }
}

static void scan_template(lexstate_t *ls, size_t start, uint32_t line, uint32_t col, bool head) {
  const char *s = ls->s;
  size_t n = ls->n;
  size_t i = ls->i;
  bool nl0 = ls->nl;
  (void)start;
  for (;;) {
    if (i >= n) {
      fail_lc(ls, line, col, "unterminated template literal");
      return;
    }
    int lt;
    if (s[i] == '\\') {
      i++;
      if (i < n && (lt = js_lt_len(s, i, n))) {
        i += lt;
        newline(ls, i);
      } else if (i < n) {
        i++;
      }
    } else if (s[i] == '`') {
      i++;
      break;
    } else if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
      i += 2;
      break;
    } else if ((lt = js_lt_len(s, i, n))) {
      i += lt;
      newline(ls, i);
    } else {
      i++;
    }
  }
  ls->nl = nl0; /* line terminators inside the literal are not between tokens */
  bool open = s[i - 1] == '{';
  js_tok_t *t = push_tok(ls, JS_TEMPLATE, start, line, col);
  t->end = (uint32_t)i;
  if (head)
    t->p = open ? JS_TPL_HEAD : JS_TPL_FULL;
  else
    t->p = open ? JS_TPL_MIDDLE : JS_TPL_TAIL;
  ls->i = i;
  if (head && open) push_frame(ls, '$', 0, ls->lx->ntoks - 1);
  if (!head && !open) ls->depth--;
}

/* Scans an identifier (or private name body) at ls->i; sets *escaped if it has \u escapes. */
static bool scan_name(lexstate_t *ls, bool *escaped) {
  const char *s = ls->s;
  size_t n = ls->n;
  *escaped = false;
  size_t begin = ls->i;
  while (ls->i < n) {
    unsigned char c = (unsigned char)s[ls->i];
    if (ascii_id(c)) {
      ls->i++;
    } else if (c == '\\') {
      size_t len;
      long cp = parse_uescape(s, ls->i, n, &len);
      if (cp < 0) return fail_at(ls, ls->i, "invalid escape in identifier");
      *escaped = true;
      ls->i += len;
    } else if (c >= 0x80 && !js_lt_len(s, ls->i, n) && !uws_len(s, ls->i, n)) {
      ls->i += u8len(s, ls->i, n);
    } else {
      break;
    }
  }
  if (ls->i == begin) return fail_at(ls, begin, "invalid or unexpected token");
  return true;
}

static void set_name(lexstate_t *ls, js_tok_t *t, size_t from, bool escaped) {
  js_lexer_t *lx = ls->lx;
  if (!escaped) {
    t->name = (uint32_t)from;
    t->nlen = t->end - (uint32_t)from;
  } else {
    t->flags |= JS_ESCAPED;
    isl_buf_append(&lx->names, "", 0);
    t->name = (uint32_t)lx->names.len;
    for (size_t i = from; i < t->end;) {
      size_t len;
      long cp = ls->s[i] == '\\' ? parse_uescape(ls->s, i, t->end, &len) : -1;
      if (cp >= 0) {
        put_utf8(&lx->names, cp);
        i += len;
      } else {
        isl_buf_putc(&lx->names, ls->s[i++]);
      }
    }
    t->nlen = (uint32_t)lx->names.len - t->name;
  }
  t->hash = js_hash(js_tok_name(lx, t), t->nlen);
}

static int punct_len(const char *s, size_t n) {
  char a = s[0], b = n > 1 ? s[1] : 0, c = n > 2 ? s[2] : 0, d = n > 3 ? s[3] : 0;
  switch (a) {
  case '{': case '}': case '(': case ')': case '[': case ']': case ';': case ',':
  case '~': case ':': case '@':
    return 1;
  case '.': return b == '.' && c == '.' ? 3 : 1;
  case '?':
    if (b == '?') return c == '=' ? 3 : 2;
    if (b == '.' && !is_digit((unsigned char)c)) return 2;
    return 1;
  case '=':
    if (b == '>') return 2;
    if (b == '=') return c == '=' ? 3 : 2;
    return 1;
  case '!':
    if (b == '=') return c == '=' ? 3 : 2;
    return 1;
  case '+': case '-': return b == a || b == '=' ? 2 : 1;
  case '*':
    if (b == '*') return c == '=' ? 3 : 2;
    return b == '=' ? 2 : 1;
  case '/': case '%': case '^': return b == '=' ? 2 : 1;
  case '&': case '|':
    if (b == a) return c == '=' ? 3 : 2;
    return b == '=' ? 2 : 1;
  case '<':
    if (b == '<') return c == '=' ? 3 : 2;
    return b == '=' ? 2 : 1;
  case '>':
    if (b == '>') {
      if (c == '>') return d == '=' ? 4 : 3;
      return c == '=' ? 3 : 2;
    }
    return b == '=' ? 2 : 1;
  default: return 0;
  }
}

static void scan_number(lexstate_t *ls) {
  const char *s = ls->s;
  size_t n = ls->n, i = ls->i;
  if (s[i] == '0' && i + 1 < n && strchr("xXoObB", s[i + 1]) && s[i + 1]) {
    i += 2;
    while (i < n && (hexval((unsigned char)s[i]) >= 0 || s[i] == '_')) i++;
  } else {
    while (i < n && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
    if (i < n && s[i] == '.') {
      i++;
      while (i < n && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
      size_t j = i + 1;
      if (j < n && (s[j] == '+' || s[j] == '-')) j++;
      if (j < n && is_digit((unsigned char)s[j])) {
        i = j;
        while (i < n && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
      }
    }
  }
  /* BigInt suffix; an identifier right after a number is an error JSC reports. */
  while (i < n && ascii_id((unsigned char)s[i])) i++;
  ls->i = i;
}

static bool scan_string(lexstate_t *ls, size_t start) {
  const char *s = ls->s;
  size_t n = ls->n, i = ls->i + 1;
  char q = s[ls->i];
  uint32_t l0 = ls->line, c0 = col_at(ls, start);
  for (;;) {
    if (i >= n) return fail_lc(ls, l0, c0, "unterminated string literal");
    int lt;
    if (s[i] == q) {
      i++;
      break;
    }
    if (s[i] == '\\') {
      i++;
      if (i < n && (lt = js_lt_len(s, i, n))) {
        i += lt;
        newline(ls, i);
      } else if (i < n) {
        i++;
      }
    } else if (s[i] == '\n' || s[i] == '\r') {
      return fail_lc(ls, l0, c0, "unterminated string literal");
    } else {
      i++;
    }
  }
  ls->nl = false;
  ls->i = i;
  return true;
}

static bool scan_regex(lexstate_t *ls, size_t start) {
  const char *s = ls->s;
  size_t n = ls->n, i = ls->i + 1;
  bool cls = false;
  for (;;) {
    if (i >= n || js_lt_len(s, i, n)) return fail_at(ls, start, "unterminated regular expression literal");
    char c = s[i];
    if (c == '\\') {
      i++;
      if (i >= n || js_lt_len(s, i, n))
        return fail_at(ls, start, "unterminated regular expression literal");
      i++;
    } else if (c == '[') {
      cls = true, i++;
    } else if (c == ']') {
      cls = false, i++;
    } else if (c == '/' && !cls) {
      i++;
      break;
    } else {
      i++;
    }
  }
  while (i < n && ascii_id((unsigned char)s[i])) i++;
  ls->i = i;
  return true;
}

static bool close_bracket(lexstate_t *ls, js_tok_t *t, char want) {
  frame_t *f = top(ls);
  if (f->kind != want) {
    char msg[64];
    snprintf(msg, sizeof(msg), "unexpected token '%c'", (char)t->p);
    return fail_at(ls, t->start, msg);
  }
  js_lexer_t *lx = ls->lx;
  int idx = lx->ntoks - 1;
  lx->toks[f->tok].match = idx;
  t->match = f->tok;
  if (want == '(' && (f->flags & F_HEAD)) t->flags |= JS_REGEX_AFTER;
  if (want == '{' && !(f->flags & F_EXPR)) t->flags |= JS_REGEX_AFTER;
  ls->depth--;
  return true;
}

static bool lex_one(lexstate_t *ls) {
  js_lexer_t *lx = ls->lx;
  const char *s = ls->s;
  size_t n = ls->n;
  size_t start = ls->i;
  uint32_t line = ls->line, col = col_at(ls, start);
  unsigned char c = (unsigned char)s[start];

  if (ascii_id(c) && !is_digit(c)) goto name;
  if (c == '\\' || (c >= 0x80 && !uws_len(s, start, n))) goto name;
  if (is_digit(c) || (c == '.' && start + 1 < n && is_digit((unsigned char)s[start + 1]))) {
    js_tok_t *t = push_tok(ls, JS_NUM, start, line, col);
    scan_number(ls);
    t->end = (uint32_t)ls->i;
    return true;
  }
  if (c == '"' || c == '\'') {
    bool nl = ls->nl;
    if (!scan_string(ls, start)) return false;
    ls->nl = nl;
    js_tok_t *t = push_tok(ls, JS_STRING, start, line, col);
    t->end = (uint32_t)ls->i;
    return true;
  }
  if (c == '`') {
    ls->i++;
    scan_template(ls, start, line, col, true);
    return !ls->failed;
  }
  if (c == '#' && start + 1 < n && (ascii_id((unsigned char)s[start + 1]) || s[start + 1] == '\\' ||
                                    (unsigned char)s[start + 1] >= 0x80)) {
    ls->i++;
    bool escaped;
    if (!scan_name(ls, &escaped)) return false;
    js_tok_t *t = push_tok(ls, JS_PRIVATE, start, line, col);
    t->end = (uint32_t)ls->i;
    set_name(ls, t, start + 1, escaped);
    return true;
  }
  if (c == '/' && regex_allowed(ls)) {
    bool nl = ls->nl;
    if (!scan_regex(ls, start)) return false;
    ls->nl = nl;
    js_tok_t *t = push_tok(ls, JS_REGEX, start, line, col);
    t->end = (uint32_t)ls->i;
    return true;
  }
  if (c == '}' && top(ls)->kind == '$') {
    ls->i++;
    scan_template(ls, start, line, col, false);
    return !ls->failed;
  }
  int plen = punct_len(s + start, n - start);
  if (!plen) {
    char msg[64];
    if (c >= 0x20 && c < 0x7F)
      snprintf(msg, sizeof(msg), "invalid character '%c'", c);
    else
      snprintf(msg, sizeof(msg), "invalid character \\x%02x", c);
    return fail_at(ls, start, msg);
  }
  /* Decisions that look at the previous tokens are made before this one is pushed. */
  bool nl = ls->nl;
  uint8_t brace_flags = 0, paren_flags = 0;
  if (c == '{') {
    frame_t *f = top(ls);
    if (f->flags & F_PENDING) {
      brace_flags = F_EXPR;
      f->flags &= (uint8_t)~F_PENDING;
    } else if (!brace_is_block(ls, nl)) {
      brace_flags = F_EXPR;
    }
  } else if (c == '(' && lx->ntoks > 0) {
    static const char *const heads[] = {"if", "while", "for", "with", NULL};
    static const char *const await_w[] = {"await", NULL}, *const for_w[] = {"for", NULL};
    int k = lx->ntoks - 1;
    if (is_word(lx, k, heads) || (k > 0 && is_word(lx, k, await_w) && is_word(lx, k - 1, for_w)))
      paren_flags = F_HEAD;
  }
  js_tok_t *t = push_tok(ls, JS_PUNCT, start, line, col);
  ls->i = start + (size_t)plen;
  t->end = (uint32_t)ls->i;
  uint32_t p = 0;
  for (int k = 0; k < plen; k++) p |= JS_P1(s[start + k]) << (8 * k);
  t->p = p;
  int idx = lx->ntoks - 1;
  switch (p) {
  case '(': push_frame(ls, '(', paren_flags, idx); break;
  case '[': push_frame(ls, '[', 0, idx); break;
  case '{': push_frame(ls, '{', brace_flags, idx); break;
  case ')': return close_bracket(ls, t, '(');
  case ']': return close_bracket(ls, t, '[');
  case '}': return close_bracket(ls, t, '{');
  case '?': top(ls)->qcount++; break;
  case ':': {
    frame_t *f = top(ls);
    if (f->qcount > 0)
      f->qcount--;
    else if ((f->kind == '{' && !(f->flags & F_EXPR)) || f->kind == 0)
      t->flags |= JS_STMT_COLON;
    break;
  }
  default: break;
  }
  return true;

name : {
  bool escaped;
  if (!scan_name(ls, &escaped)) return false;
  js_tok_t *t = push_tok(ls, JS_NAME, start, line, col);
  t->end = (uint32_t)ls->i;
  set_name(ls, t, start, escaped);
  int idx = lx->ntoks - 1;
  if (!escaped && !after_dot(lx, idx)) {
    bool fn = js_tok_is(lx, t, "function"), cls = js_tok_is(lx, t, "class");
    if (fn || cls) {
      int first = idx;
      if (fn && idx > 0 && js_tok_is(lx, &lx->toks[idx - 1], "async") && !after_dot(lx, idx - 1) &&
          !(t->flags & JS_NL_BEFORE))
        first = idx - 1;
      if (!at_statement_start(lx, first)) top(ls)->flags |= F_PENDING;
    }
  }
  return true;
}
}

bool js_lex(const char *src, size_t len, js_lexer_t *lx) {
  memset(lx, 0, sizeof(*lx));
  lx->src = src;
  lx->len = len;
  lexstate_t ls = {.lx = lx, .s = src, .n = len, .line = 1, .ccol = 1, .cap = 16};
  ls.st = isl_malloc((size_t)ls.cap * sizeof(frame_t));
  ls.st[ls.depth++] = (frame_t){0, 0, -1, 0};
  if (len >= 2 && src[0] == '#' && src[1] == '!') {
    while (ls.i < len && !js_lt_len(src, ls.i, len)) ls.i++;
    lx->hashbang = (uint32_t)ls.i;
  }
  bool ok = true;
  for (;;) {
    if (!skip_space(&ls)) {
      ok = false;
      break;
    }
    if (ls.i >= len) break;
    if (!lex_one(&ls)) {
      ok = false;
      break;
    }
  }
  if (ok && ls.depth > 1) {
    frame_t *f = top(&ls);
    const js_tok_t *open = &lx->toks[f->tok];
    char msg[96];
    if (f->kind == '$')
      snprintf(msg, sizeof(msg), "unterminated template literal");
    else
      snprintf(msg, sizeof(msg), "unexpected end of script: '%c' at %u:%u is not closed", f->kind,
               open->line, open->col);
    ok = false;
    ls.failed = true;
    lx->err_line = (int)ls.line;
    lx->err_col = (int)col_at(&ls, len);
    snprintf(lx->err_msg, sizeof(lx->err_msg), "%s", msg);
    if (f->kind == '$') {
      lx->err_line = (int)open->line;
      lx->err_col = (int)open->col;
    }
  }
  js_tok_t *e = push_tok(&ls, JS_EOF, len, ls.line, col_at(&ls, len));
  e->end = (uint32_t)len;
  free(ls.st);
  return ok;
}

void js_lex_dispose(js_lexer_t *lx) {
  free(lx->toks);
  isl_buf_free(&lx->names);
  memset(lx, 0, sizeof(*lx));
}
