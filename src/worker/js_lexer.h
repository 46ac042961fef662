/* The JavaScript tokenizer behind the module transform (transform.c). It turns a whole
 * source into an array of tokens with byte offsets, 1-based lines and columns (columns in
 * UTF-16 code units, the unit JavaScriptCore reports), and the index of the matching
 * bracket for every ( [ {. Comments and whitespace are dropped; a flag on the next token
 * records whether a line terminator came before it (for ASI and restricted productions).
 *
 * Whether a `/` starts a regular expression or is a division depends on the previous
 * token; the lexer decides it from the previous token and a stack of open brackets that
 * remembers, for each `(`, whether it is the head of if/while/for/with (a regex may follow
 * its `)`), and for each `{`, whether it opens a block (a regex may follow its `}`) or an
 * expression (object literal, function or class expression body: a division follows). */
#ifndef ISL_JS_LEXER_H
#define ISL_JS_LEXER_H

#include "../base/base.h"

typedef enum {
  JS_EOF,
  JS_NAME,     /* identifiers and keywords */
  JS_PRIVATE,  /* #name */
  JS_NUM,
  JS_STRING,
  JS_TEMPLATE, /* p is one of JS_TPL_* */
  JS_REGEX,
  JS_PUNCT,    /* p is the packed punctuator, see JS_P2 */
} js_tok_type_t;

/* Template pieces: `…` (FULL), `…${ (HEAD), }…${ (MIDDLE), }…` (TAIL). */
enum { JS_TPL_FULL, JS_TPL_HEAD, JS_TPL_MIDDLE, JS_TPL_TAIL };

enum {
  JS_NL_BEFORE = 1,    /* a line terminator between the previous token and this one */
  JS_ESCAPED = 2,      /* a name written with \u escapes (never a keyword) */
  JS_REGEX_AFTER = 4,  /* on ) and }: a `/` after this token starts a regex */
  JS_STMT_COLON = 8,   /* on `:`: a label's or case clause's colon, not an expression's */
};

/* Punctuators are packed into an integer, one byte per character. */
#define JS_P1(a) ((uint32_t)(unsigned char)(a))
#define JS_P2(a, b) (JS_P1(a) | JS_P1(b) << 8)
#define JS_P3(a, b, c) (JS_P2(a, b) | JS_P1(c) << 16)
#define JS_P4(a, b, c, d) (JS_P3(a, b, c) | JS_P1(d) << 24)

typedef struct {
  uint32_t start, end; /* byte offsets in the source */
  uint32_t line, col;  /* 1-based position of the first character */
  int32_t match;       /* brackets: index of the matching bracket token; else -1 */
  uint32_t p;          /* JS_PUNCT: packed punctuator; JS_TEMPLATE: JS_TPL_* */
  uint32_t name, nlen; /* JS_NAME/JS_PRIVATE: the name (decoded if JS_ESCAPED; for
                        * private names without the #): offset into the source, or into
                        * js_lexer_t.names if escaped */
  uint32_t hash;       /* JS_NAME: hash of the decoded name */
  uint8_t type, flags;
} js_tok_t;

typedef struct {
  const char *src;
  size_t len;
  js_tok_t *toks; /* ends with one JS_EOF token */
  int ntoks, cap;
  isl_buf_t names;     /* decoded names of escaped identifiers */
  uint32_t hashbang;   /* length of a leading #! line, 0 if none */
  /* On failure: */
  int err_line, err_col;
  char err_msg[160];
} js_lexer_t;

/* Tokenizes src. Returns false with err_* set on a lexical error (unterminated string,
 * comment, template or regex, invalid character, unbalanced bracket). Always call
 * js_lex_dispose afterwards. */
bool js_lex(const char *src, size_t len, js_lexer_t *lx);
void js_lex_dispose(js_lexer_t *lx);

/* The decoded name of a JS_NAME or JS_PRIVATE token (not NUL-terminated; length nlen). */
static inline const char *js_tok_name(const js_lexer_t *lx, const js_tok_t *t) {
  return (t->flags & JS_ESCAPED) ? lx->names.p + t->name : lx->src + t->name;
}

/* True if t is the keyword or name `word` written without escapes. */
bool js_tok_is(const js_lexer_t *lx, const js_tok_t *t, const char *word);

uint32_t js_hash(const char *s, size_t n);

/* Appends the UTF-8 value of a string literal's body (the bytes between the quotes) to
 * out. Returns false if it contains a lone surrogate (the value is then still appended,
 * with U+FFFD for it). */
bool js_decode_string(const char *s, size_t n, isl_buf_t *out);

/* Appends s as a double-quoted JavaScript string literal that contains no line
 * terminator. */
void js_quote(isl_buf_t *out, const char *s, size_t n);

/* The width of s[0..n) in UTF-16 code units. */
size_t js_utf16_width(const char *s, size_t n);

/* Length of the line terminator at s[i] (\n, \r\n, \r, U+2028, U+2029), 0 if none. */
static inline int js_lt_len(const char *s, size_t i, size_t n) {
  unsigned char c = (unsigned char)s[i];
  if (c == '\n') return 1;
  if (c == '\r') return i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
  if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
      ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
    return 3;
  return 0;
}

#endif
