/* libFuzzer driver for the capnp text parser (src/config/capnp*.c). Any bytes go in, parsed
 * with embeds served from memory (no file system). Besides "no crash, no leak, no undefined
 * behaviour" it checks what the config model relies on:
 *  - a failure has a message "fuzz.capnp:LINE:COL: …" whose position is inside the input;
 *  - every node of a parsed file has a position inside the input and the file's name;
 *  - nesting never exceeds ISL_CAPNP_MAX_DEPTH; strings and data are NUL-terminated;
 *  - every const is found by name; resolving any reference or bare name ends, with a value
 *    that is no reference or with a message (at the node for names that are no const).
 * See fuzz/README.md. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "config/capnp.h"

#define ASSERT(c)                                                             \
  do {                                                                        \
    if (!(c)) {                                                               \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                \
    }                                                                         \
  } while (0)

static const char NAME[] = "fuzz.capnp";

/* Embeds: a path exists (its content is the path) unless it contains "missing". */
static int read_embed(void *ud, const char *path, char **data, size_t *len) {
  (void)ud;
  size_t n = strlen(path);
  if (strstr(path, "missing")) return -ENOENT;
  *data = isl_strdup(path);
  *len = n;
  return 0;
}

typedef struct {
  const isl_capnp_file_t *f;
  int lines;
  size_t size;
} ctx_t;

static void check_pos(const ctx_t *c, isl_capnp_pos_t pos) {
  ASSERT(pos.file == c->f->path);
  ASSERT(pos.line >= 1 && pos.line <= c->lines);
  ASSERT(pos.col >= 1 && (size_t)pos.col <= c->size + 1);
}

static void check_value(const ctx_t *c, const isl_capnp_value_t *v, int depth) {
  ASSERT(v != NULL);
  ASSERT(depth <= ISL_CAPNP_MAX_DEPTH);
  check_pos(c, v->pos);
  isl_capnp_error_t err;
  const isl_capnp_value_t *r;
  switch (v->kind) {
  case ISL_CAPNP_STRUCT:
    for (size_t i = 0; i < v->st.n; i++) {
      ASSERT(v->st.fields[i].name && v->st.fields[i].name[0]);
      check_pos(c, v->st.fields[i].pos);
      check_value(c, v->st.fields[i].value, depth + 1);
    }
    ASSERT(isl_capnp_field(v, "\x01") == NULL);
    break;
  case ISL_CAPNP_LIST:
    for (size_t i = 0; i < v->list.n; i++) check_value(c, v->list.items[i], depth + 1);
    break;
  case ISL_CAPNP_STRING:
  case ISL_CAPNP_DATA:
    ASSERT(v->str.p && v->str.p[v->str.len] == 0);
    break;
  case ISL_CAPNP_EMBED:
    ASSERT(v->embed.p && v->embed.p[v->embed.len] == 0 && v->embed.path && v->embed.resolved);
    ASSERT(v->embed.len == strlen(v->embed.resolved));
    break;
  case ISL_CAPNP_REF:
    ASSERT(v->ref.path && v->ref.nseg >= 1);
    /* A single name resolves to a value or fails further on (the const's value may be a
     * bare name that is no const); a dotted one fails where it is. */
    r = isl_capnp_resolve(c->f, v, ISL_CAPNP_EXPECT_VALUE, NULL, &err);
    if (v->ref.nseg == 1)
      ASSERT(r ? r->kind != ISL_CAPNP_REF && r->kind != ISL_CAPNP_IDENT : err.msg[0] != 0);
    else
      ASSERT(!r && err.msg[0] && err.line == v->pos.line && err.col == v->pos.col);
    r = isl_capnp_resolve(c->f, v, ISL_CAPNP_EXPECT_ENUM, NULL, &err);
    ASSERT(r ? r->kind != ISL_CAPNP_REF : err.msg[0] != 0);
    break;
  case ISL_CAPNP_IDENT:
    ASSERT(isl_capnp_resolve(c->f, v, ISL_CAPNP_EXPECT_ENUM, NULL, &err) == v);
    r = isl_capnp_resolve(c->f, v, ISL_CAPNP_EXPECT_VALUE, NULL, &err);
    ASSERT(r ? (r->kind != ISL_CAPNP_IDENT && r->kind != ISL_CAPNP_REF) : err.msg[0] != 0);
    /* A name that is no const cannot resolve; one that is may still lead to a bare name
     * that is none (const a :T = ns;), reported at that name. */
    if (!isl_capnp_find_const(c->f, v->ident)) ASSERT(!r && err.line == v->pos.line && err.col == v->pos.col);
    break;
  case ISL_CAPNP_INT:
    ASSERT(!v->i.neg || (v->i.mag != 0 && v->i.mag <= (uint64_t)1 << 63));
    break;
  default:
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *src = (const char *)data;
  int lines = 1;
  for (size_t i = 0; i < size; i++) lines += src[i] == '\n';
  isl_capnp_opts_t opts = {.read_embed = read_embed};
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_string_opts(src, size, NAME, &opts, &err);
  if (!f) {
    ASSERT(strncmp(err.msg, "fuzz.capnp:", 11) == 0 && strlen(err.msg) > 11);
    ASSERT(err.line >= 1 && err.line <= lines && err.col >= 1 && (size_t)err.col <= size + 1);
    return 0;
  }
  ctx_t c = {f, lines, size};
  ASSERT(strcmp(f->path, NAME) == 0);
  for (size_t i = 0; i < f->nconsts; i++) {
    const isl_capnp_const_t *k = &f->consts[i];
    ASSERT(isl_capnp_find_const(f, k->name) == k);
    ASSERT(k->type && k->type[0]);
    check_pos(&c, k->pos);
    check_pos(&c, k->type_pos);
    check_value(&c, k->value, 0);
  }
  for (size_t i = 0; i < f->nimports; i++) check_pos(&c, f->imports[i].pos);
  ASSERT(!f->nimports == !f->workerd_alias);
  isl_capnp_free(f);
  return 0;
}
