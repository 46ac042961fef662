/* Private to src/config/capnp*.c: the arena, the parser state the lexer and parser share,
 * and the tokens. */
#ifndef ISL_CONFIG_CAPNP_INTERNAL_H
#define ISL_CONFIG_CAPNP_INTERNAL_H

#include "../base/base.h"
#include "capnp.h"

/* Everything a parsed file points to lives in its arena and is freed in one go. */
typedef struct isl_capnp_chunk isl_capnp_chunk_t;
typedef struct isl_capnp_adopted isl_capnp_adopted_t;
struct isl_capnp_file_priv {
  isl_capnp_chunk_t *chunks; /* the first one is where small allocations go */
  size_t used;               /* bytes used in chunks */
  isl_capnp_adopted_t *adopted;
  /* Open-addressing table of const indexes + 1 (0 = empty); size is a power of two. */
  uint32_t *table;
  size_t table_size;
};

void *isl_capnp_alloc(isl_capnp_file_t *f, size_t n);
char *isl_capnp_strndup(isl_capnp_file_t *f, const char *s, size_t n);
/* Takes over a malloc'ed block: freed with the file. */
void isl_capnp_adopt(isl_capnp_file_t *f, void *block);

/* Reads a whole regular file (at most ISL_CAPNP_MAX_FILE bytes) into a malloc'ed buffer with
 * a NUL after the bytes. Returns 0, or a negative errno value (-EFBIG: too large, -EISDIR:
 * not a regular file). */
int isl_capnp_read_file(const char *path, char **data, size_t *len);

typedef enum {
  TOK_EOF,
  TOK_ERROR, /* the lexer has set the parse error */
  TOK_IDENT,
  TOK_INT,
  TOK_FLOAT,
  TOK_STRING,
  TOK_DATA,
  TOK_PUNCT, /* one of ( ) [ ] , = ; : . @ - */
} tok_kind_t;

typedef struct {
  tok_kind_t kind;
  int line, col;
  size_t start, end; /* byte offsets of the token in the source */
  char punct;
  uint64_t mag;   /* TOK_INT */
  double f;       /* TOK_FLOAT */
  /* TOK_IDENT: src + start, end - start. TOK_STRING / TOK_DATA: decoded into the parser's
   * sbuf, valid until the next token is read. */
} tok_t;

typedef struct {
  isl_capnp_file_t *file;
  const isl_capnp_opts_t *opts;
  isl_capnp_error_t *err;
  bool failed;
  const char *src;
  size_t len, pos; /* lexer position */
  int line, col;   /* of src[pos] */
  isl_buf_t sbuf;  /* decoded string/data of the current token */
  tok_t tok;       /* the current (lookahead) token */
  int depth;
} isl_capnp_parser_t;

/* Sets the parse error (the first one wins) at line:col. */
void isl_capnp_fail(isl_capnp_parser_t *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reads the next token into p->tok. */
void isl_capnp_lex(isl_capnp_parser_t *p);

/* Loads the file of `embed "path"` (capnp.c) into node, or fails at line:col. */
bool isl_capnp_load_embed(isl_capnp_parser_t *p, isl_capnp_value_t *node, const char *path,
                          size_t len, int line, int col);

/* The parse itself (capnp_parse.c): fills p->file or sets the error. */
void isl_capnp_parse(isl_capnp_parser_t *p);

#endif
