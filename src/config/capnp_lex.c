/* The capnp text lexer: identifiers, numbers, strings with C escapes, 0x"…" data, the
 * punctuation the parser needs, '#' comments. Positions are tracked byte by byte so that
 * a column never costs a rescan of its line (a config may be one very long line). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capnp_internal.h"

static bool is_ident_start(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_ident_char(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The byte at pos + k, or -1 past the end. */
static int peek(const isl_capnp_parser_t *p, size_t k) {
  return p->pos + k < p->len ? (unsigned char)p->src[p->pos + k] : -1;
}

/* Moves past one byte. Columns count code points: continuation bytes add none. */
static void adv(isl_capnp_parser_t *p) {
  unsigned char c = (unsigned char)p->src[p->pos++];
  if (c == '\n') {
    p->line++;
    p->col = 1;
  } else if ((c & 0xC0) != 0x80) {
    p->col++;
  }
}

static void skip_space_and_comments(isl_capnp_parser_t *p) {
  for (;;) {
    int c = peek(p, 0);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      adv(p);
    } else if (c == '#') {
      while (p->pos < p->len && p->src[p->pos] != '\n') adv(p);
    } else {
      return;
    }
  }
}

/* Length of the valid UTF-8 sequence at pos, or 0 if it is not one. */
static int utf8_seq_len(const isl_capnp_parser_t *p) {
  int c = peek(p, 0);
  int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || p->pos + (size_t)n > p->len) return 0;
  return isl_utf8_valid(p->src + p->pos, (size_t)n) ? n : 0;
}

static void put_utf8(isl_buf_t *b, uint32_t cp) {
  char s[4];
  size_t n;
  if (cp < 0x80) {
    s[0] = (char)cp, n = 1;
  } else if (cp < 0x800) {
    s[0] = (char)(0xC0 | (cp >> 6)), s[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  } else {
    s[0] = (char)(0xE0 | (cp >> 12)), s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    s[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  }
  isl_buf_append(b, s, n);
}

/* One escape after the backslash at line:col; appends its bytes to sbuf. */
static bool lex_escape(isl_capnp_parser_t *p, int line, int col) {
  int c = peek(p, 0);
  static const char simple[] = "n\nt\tr\r\\\\\"\"''a\ab\bf\fv\v??";
  for (const char *s = simple; *s; s += 2) {
    if (c == s[0]) {
      adv(p);
      isl_buf_putc(&p->sbuf, s[1]);
      return true;
    }
  }
  if (c >= '0' && c <= '7') {
    /* Octal: one to three digits, at most \377. */
    unsigned v = 0;
    for (int k = 0; k < 3 && peek(p, 0) >= '0' && peek(p, 0) <= '7'; k++) {
      v = v * 8 + (unsigned)(peek(p, 0) - '0');
      adv(p);
    }
    if (v > 0xFF) {
      isl_capnp_fail(p, line, col, "octal escape out of range (more than \\377)");
      return false;
    }
    isl_buf_putc(&p->sbuf, (char)v);
    return true;
  }
  if (c == 'x') {
    adv(p);
    int d = hex_value(peek(p, 0));
    if (d < 0) {
      isl_capnp_fail(p, line, col, "expected hex digits after \\x");
      return false;
    }
    adv(p);
    int d2 = hex_value(peek(p, 0));
    if (d2 >= 0) {
      d = d * 16 + d2;
      adv(p);
    }
    isl_buf_putc(&p->sbuf, (char)d);
    return true;
  }
  if (c == 'u') {
    adv(p);
    uint32_t cp = 0;
    for (int k = 0; k < 4; k++) {
      int d = hex_value(peek(p, 0));
      if (d < 0) {
        isl_capnp_fail(p, line, col, "expected four hex digits after \\u");
        return false;
      }
      cp = cp * 16 + (uint32_t)d;
      adv(p);
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      isl_capnp_fail(p, line, col, "\\u%04X is a surrogate, not a character", (unsigned)cp);
      return false;
    }
    put_utf8(&p->sbuf, cp);
    return true;
  }
  if (c > 0x20 && c < 0x7F)
    isl_capnp_fail(p, line, col, "unknown escape \\%c", c);
  else
    isl_capnp_fail(p, line, col, "unknown escape: backslash before byte 0x%02X", c < 0 ? 0 : c);
  return false;
}

/* "…" at pos: decodes into sbuf. A raw line break or the end of input before the closing
 * quote is an unterminated string (reported where it starts). */
static bool lex_string(isl_capnp_parser_t *p) {
  int line = p->line, col = p->col;
  adv(p); /* " */
  for (;;) {
    int c = peek(p, 0);
    if (c < 0 || c == '\n') {
      isl_capnp_fail(p, line, col, "unterminated string");
      return false;
    }
    if (c == '"') {
      adv(p);
      return true;
    }
    if (c == '\\') {
      int eline = p->line, ecol = p->col;
      adv(p);
      if (peek(p, 0) < 0 || peek(p, 0) == '\n') {
        isl_capnp_fail(p, line, col, "unterminated string");
        return false;
      }
      if (!lex_escape(p, eline, ecol)) return false;
      continue;
    }
    if (c == 0) {
      isl_capnp_fail(p, p->line, p->col, "NUL byte in string (write \\0)");
      return false;
    }
    int n = utf8_seq_len(p);
    if (n == 0) {
      isl_capnp_fail(p, p->line, p->col, "invalid UTF-8 in string");
      return false;
    }
    isl_buf_append(&p->sbuf, p->src + p->pos, (size_t)n);
    for (int k = 0; k < n; k++) adv(p);
  }
}

/* 0x"0a 1b ff": pairs of hex digits, whitespace between bytes. */
static bool lex_data(isl_capnp_parser_t *p) {
  int line = p->line, col = p->col;
  adv(p), adv(p), adv(p); /* 0x" */
  for (;;) {
    int c = peek(p, 0);
    if (c == '"') {
      adv(p);
      return true;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      adv(p);
      continue;
    }
    if (c < 0) {
      isl_capnp_fail(p, line, col, "unterminated data literal");
      return false;
    }
    int hi = hex_value(c), lo = hex_value(peek(p, 1));
    if (hi < 0) {
      isl_capnp_fail(p, p->line, p->col, "expected hex digits or '\"' in data literal");
      return false;
    }
    if (lo < 0) {
      isl_capnp_fail(p, p->line, p->col, "a byte in a data literal needs two hex digits");
      return false;
    }
    adv(p), adv(p);
    isl_buf_putc(&p->sbuf, (char)(hi * 16 + lo));
  }
}

/* Integer or float at pos (a digit). */
static void lex_number(isl_capnp_parser_t *p) {
  tok_t *t = &p->tok;
  size_t start = p->pos;
  int base = 10;
  bool is_float = false;
  if (peek(p, 0) == '0' && (peek(p, 1) == 'x' || peek(p, 1) == 'X')) {
    base = 16;
    adv(p), adv(p);
    if (hex_value(peek(p, 0)) < 0) {
      isl_capnp_fail(p, t->line, t->col, "expected hex digits after 0x");
      t->kind = TOK_ERROR;
      return;
    }
    while (hex_value(peek(p, 0)) >= 0) adv(p);
  } else {
    while (is_digit(peek(p, 0))) adv(p);
    if (peek(p, 0) == '.' && is_digit(peek(p, 1))) {
      is_float = true;
      adv(p);
      while (is_digit(peek(p, 0))) adv(p);
    }
    if (peek(p, 0) == 'e' || peek(p, 0) == 'E') {
      int k = (peek(p, 1) == '+' || peek(p, 1) == '-') ? 2 : 1;
      if (is_digit(peek(p, (size_t)k))) {
        is_float = true;
        while (k-- > 0) adv(p);
        while (is_digit(peek(p, 0))) adv(p);
      }
    }
    if (!is_float && p->src[start] == '0' && p->pos - start > 1) base = 8;
  }
  if (is_ident_char(peek(p, 0)) || peek(p, 0) == '.') {
    isl_capnp_fail(p, t->line, t->col, "invalid number");
    t->kind = TOK_ERROR;
    return;
  }
  if (is_float) {
    p->sbuf.len = 0;
    isl_buf_append(&p->sbuf, p->src + start, p->pos - start);
    errno = 0;
    t->f = strtod(p->sbuf.p, NULL);
    if (errno == ERANGE && (t->f > 1.0 || t->f < -1.0)) {
      isl_capnp_fail(p, t->line, t->col, "number out of range");
      t->kind = TOK_ERROR;
      return;
    }
    t->kind = TOK_FLOAT;
    return;
  }
  uint64_t v = 0;
  for (size_t i = start + (base == 16 ? 2 : 0); i < p->pos; i++) {
    int d = hex_value((unsigned char)p->src[i]);
    if (d >= base) {
      isl_capnp_fail(p, t->line, t->col, "invalid digit '%c' in octal number", p->src[i]);
      t->kind = TOK_ERROR;
      return;
    }
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
      isl_capnp_fail(p, t->line, t->col, "integer out of range");
      t->kind = TOK_ERROR;
      return;
    }
    v = v * (uint64_t)base + (uint64_t)d;
  }
  t->kind = TOK_INT;
  t->mag = v;
}

void isl_capnp_lex(isl_capnp_parser_t *p) {
  tok_t *t = &p->tok;
  if (p->failed) {
    t->kind = TOK_ERROR;
    return;
  }
  skip_space_and_comments(p);
  t->line = p->line;
  t->col = p->col;
  t->start = p->pos;
  int c = peek(p, 0);
  if (c < 0) {
    t->kind = TOK_EOF;
  } else if (is_ident_start(c)) {
    while (is_ident_char(peek(p, 0))) adv(p);
    t->kind = TOK_IDENT;
  } else if (c == '0' && (peek(p, 1) == 'x' || peek(p, 1) == 'X') && peek(p, 2) == '"') {
    p->sbuf.len = 0;
    t->kind = lex_data(p) ? TOK_DATA : TOK_ERROR;
  } else if (is_digit(c)) {
    lex_number(p);
  } else if (c == '"') {
    p->sbuf.len = 0;
    isl_buf_reserve(&p->sbuf, 1); /* an empty string still has a NUL-terminated p */
    p->sbuf.p[0] = 0;
    t->kind = lex_string(p) ? TOK_STRING : TOK_ERROR;
  } else if (c && strchr("()[],=;:.@-", c)) {
    adv(p);
    t->kind = TOK_PUNCT;
    t->punct = (char)c;
  } else {
    if (c > 0x20 && c < 0x7F)
      isl_capnp_fail(p, t->line, t->col, "unexpected character '%c'", c);
    else
      isl_capnp_fail(p, t->line, t->col, "unexpected byte 0x%02X", c);
    t->kind = TOK_ERROR;
  }
  t->end = p->pos;
}
