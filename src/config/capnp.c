/* The capnp text parser's entry points, memory, file reading (the config and its embeds),
 * const resolution and the small helpers the config model uses. The lexer is in
 * capnp_lex.c, the grammar in capnp_parse.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capnp_internal.h"

/* --- arena --- */

#define CHUNK_SIZE 16384
#define ALIGN alignof(max_align_t)

struct isl_capnp_chunk {
  isl_capnp_chunk_t *next;
  size_t size;
  alignas(max_align_t) unsigned char data[];
};

struct isl_capnp_adopted {
  isl_capnp_adopted_t *next;
  void *block;
};

void *isl_capnp_alloc(isl_capnp_file_t *f, size_t n) {
  isl_capnp_file_priv_t *pr = f->priv;
  n = (n + ALIGN - 1) & ~(ALIGN - 1);
  if (n == 0) n = ALIGN;
  if (pr->chunks && pr->chunks->size - pr->used >= n) {
    void *r = pr->chunks->data + pr->used;
    pr->used += n;
    return r;
  }
  if (n > CHUNK_SIZE / 4) {
    /* A big block gets a chunk of its own, behind the current one so its room stays. */
    isl_capnp_chunk_t *c = isl_malloc(sizeof *c + n);
    c->size = n;
    if (pr->chunks) {
      c->next = pr->chunks->next;
      pr->chunks->next = c;
    } else {
      /* No current chunk yet: this one becomes it, full. */
      c->next = NULL;
      pr->chunks = c;
      pr->used = n;
    }
    return c->data;
  }
  isl_capnp_chunk_t *c = isl_malloc(sizeof *c + CHUNK_SIZE);
  c->size = CHUNK_SIZE;
  c->next = pr->chunks;
  pr->chunks = c;
  pr->used = n;
  return c->data;
}

char *isl_capnp_strndup(isl_capnp_file_t *f, const char *s, size_t n) {
  char *r = isl_capnp_alloc(f, n + 1);
  if (n) memcpy(r, s, n);
  r[n] = 0;
  return r;
}

void isl_capnp_adopt(isl_capnp_file_t *f, void *block) {
  isl_capnp_adopted_t *a = isl_capnp_alloc(f, sizeof *a);
  a->block = block;
  a->next = f->priv->adopted;
  f->priv->adopted = a;
}

void isl_capnp_free(isl_capnp_file_t *f) {
  if (!f) return;
  for (isl_capnp_adopted_t *a = f->priv->adopted; a; a = a->next) free(a->block);
  for (isl_capnp_chunk_t *c = f->priv->chunks, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(f->priv->table);
  free(f->priv);
  free(f->consts);
  free(f->imports);
  free(f);
}

/* --- errors --- */

static void vformat(isl_capnp_error_t *err, const char *file, int line, int col,
                    const char *fmt, va_list ap) {
  isl_buf_t b = {0};
  if (line > 0)
    isl_buf_printf(&b, "%s:%d:%d: ", file, line, col);
  else
    isl_buf_printf(&b, "%s: ", file);
  isl_buf_vprintf(&b, fmt, ap);
  /* A fixed buffer: very long paths or names are cut. */
  size_t n = b.len < sizeof err->msg - 1 ? b.len : sizeof err->msg - 1;
  memcpy(err->msg, b.p, n);
  err->msg[n] = 0;
  isl_buf_free(&b);
  err->line = line;
  err->col = col;
}

void isl_capnp_fail(isl_capnp_parser_t *p, int line, int col, const char *fmt, ...) {
  if (p->failed) return;
  p->failed = true;
  va_list ap;
  va_start(ap, fmt);
  vformat(p->err, p->file->path, line, col, fmt, ap);
  va_end(ap);
}

void *isl_capnp_error_at(isl_capnp_error_t *err, isl_capnp_pos_t pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(err, pos.file ? pos.file : "?", pos.line, pos.col, fmt, ap);
  va_end(ap);
  return NULL;
}

/* --- files --- */

int isl_capnp_read_file(const char *path, char **data, size_t *len) {
  /* O_NONBLOCK: opening a FIFO must not hang; it is refused below anyway. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return -EISDIR;
  }
  if ((uint64_t)st.st_size > ISL_CAPNP_MAX_FILE) {
    close(fd);
    return -EFBIG;
  }
  size_t cap = (size_t)st.st_size + 1, n = 0;
  char *buf = isl_malloc(cap + 1);
  for (;;) {
    if (n == cap) {
      /* The file grew while we read it. */
      if (cap > ISL_CAPNP_MAX_FILE) {
        free(buf);
        close(fd);
        return -EFBIG;
      }
      cap *= 2;
      buf = isl_realloc(buf, cap + 1);
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      close(fd);
      return -e;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = 0;
  *data = buf;
  *len = n;
  return 0;
}

bool isl_capnp_load_embed(isl_capnp_parser_t *p, isl_capnp_value_t *node, const char *path,
                          size_t len, int line, int col) {
  if (p->opts->no_embed) {
    isl_capnp_fail(p, line, col, "embed is not allowed here");
    return false;
  }
  if (len == 0) {
    isl_capnp_fail(p, line, col, "embed path is empty");
    return false;
  }
  if (strlen(path) != len) {
    isl_capnp_fail(p, line, col, "embed path contains a NUL byte");
    return false;
  }
  /* Relative paths start at the directory of the file that contains the embed. */
  isl_buf_t resolved = {0};
  if (path[0] != '/') {
    const char *base = p->opts->base_dir;
    if (base) {
      isl_buf_puts(&resolved, base);
      if (resolved.len && resolved.p[resolved.len - 1] != '/') isl_buf_putc(&resolved, '/');
    } else {
      const char *slash = strrchr(p->file->path, '/');
      if (slash) isl_buf_append(&resolved, p->file->path, (size_t)(slash - p->file->path) + 1);
    }
  }
  isl_buf_puts(&resolved, path);
  char *data = NULL;
  size_t dlen = 0;
  int rc = p->opts->read_embed ? p->opts->read_embed(p->opts->ud, resolved.p, &data, &dlen)
                               : isl_capnp_read_file(resolved.p, &data, &dlen);
  if (rc == 0 && p->opts->read_embed) {
    /* Callers' buffers carry no NUL after the bytes: copy. */
    char *copy = isl_strndup(data ? data : "", dlen);
    free(data);
    data = copy;
  }
  if (rc == -ENOENT)
    isl_capnp_fail(p, line, col, "embed file not found: %.300s", resolved.p);
  else if (rc == -EISDIR)
    isl_capnp_fail(p, line, col, "embed path is not a regular file: %.300s", resolved.p);
  else if (rc == -EFBIG)
    isl_capnp_fail(p, line, col, "embed file is larger than %u MiB: %.300s",
                   ISL_CAPNP_MAX_FILE >> 20, resolved.p);
  else if (rc != 0)
    isl_capnp_fail(p, line, col, "cannot read embed file %.300s: %s", resolved.p, strerror(-rc));
  if (rc != 0) {
    isl_buf_free(&resolved);
    return false;
  }
  isl_capnp_adopt(p->file, data);
  node->embed.p = data;
  node->embed.len = dlen;
  node->embed.path = isl_capnp_strndup(p->file, path, len);
  node->embed.resolved = isl_capnp_strndup(p->file, resolved.p, resolved.len);
  isl_buf_free(&resolved);
  return true;
}

/* --- entry points --- */

isl_capnp_file_t *isl_capnp_parse_string_opts(const char *src, size_t len, const char *name,
                                              const isl_capnp_opts_t *opts,
                                              isl_capnp_error_t *err) {
  static const isl_capnp_opts_t defaults;
  isl_capnp_file_t *f = isl_calloc(1, sizeof *f);
  f->priv = isl_calloc(1, sizeof *f->priv);
  f->path = isl_capnp_strndup(f, name ? name : "<string>", strlen(name ? name : "<string>"));
  err->msg[0] = 0;
  err->line = err->col = 0;
  isl_capnp_parser_t p = {
      .file = f, .opts = opts ? opts : &defaults, .err = err, .src = src, .len = len,
      .line = 1, .col = 1};
  isl_capnp_parse(&p);
  isl_buf_free(&p.sbuf);
  if (p.failed) {
    isl_capnp_free(f);
    return NULL;
  }
  return f;
}

isl_capnp_file_t *isl_capnp_parse_string(const char *src, size_t len, const char *name,
                                         isl_capnp_error_t *err) {
  return isl_capnp_parse_string_opts(src, len, name, NULL, err);
}

isl_capnp_file_t *isl_capnp_parse_file(const char *path, isl_capnp_error_t *err) {
  char *data;
  size_t len;
  int rc = isl_capnp_read_file(path, &data, &len);
  if (rc != 0) {
    isl_capnp_pos_t pos = {path, 0, 0};
    if (rc == -EISDIR)
      isl_capnp_error_at(err, pos, "not a regular file");
    else if (rc == -EFBIG)
      isl_capnp_error_at(err, pos, "file is larger than %u MiB", ISL_CAPNP_MAX_FILE >> 20);
    else
      isl_capnp_error_at(err, pos, "cannot read: %s", strerror(-rc));
    return NULL;
  }
  isl_capnp_file_t *f = isl_capnp_parse_string(data, len, path, err);
  free(data);
  return f;
}

/* --- resolution and helpers --- */

const isl_capnp_value_t *isl_capnp_resolve(const isl_capnp_file_t *f, const isl_capnp_value_t *v,
                                           isl_capnp_expect_t expect,
                                           const isl_capnp_const_t **via, isl_capnp_error_t *err) {
  const isl_capnp_const_t *last = NULL;
  /* The parser refused cycles; the bound only makes that visible here. */
  for (size_t steps = 0; steps <= f->nconsts; steps++) {
    const isl_capnp_const_t *c;
    if (v->kind == ISL_CAPNP_REF) {
      if (v->ref.nseg != 1)
        return isl_capnp_error_at(err, v->pos,
                                  "'%.200s' refers into an imported schema, which islet does "
                                  "not read",
                                  v->ref.path);
      if (!(c = isl_capnp_find_const(f, v->ref.path + 1)))
        return isl_capnp_error_at(err, v->pos, "reference to unknown const '%.200s'",
                                  v->ref.path);
    } else if (v->kind == ISL_CAPNP_IDENT && expect != ISL_CAPNP_EXPECT_ENUM) {
      if (!(c = isl_capnp_find_const(f, v->ident)))
        return isl_capnp_error_at(err, v->pos, "unknown name '%.200s' (not a const of this file)",
                                  v->ident);
    } else {
      if (via) *via = last;
      return v;
    }
    last = c;
    v = c->value;
  }
  return isl_capnp_error_at(err, v->pos, "const references form a cycle");
}

bool isl_capnp_type_is(const isl_capnp_file_t *f, const isl_capnp_const_t *c, const char *name) {
  const char *a = f->workerd_alias;
  if (!a) return false;
  size_t n = strlen(a);
  return strncmp(c->type, a, n) == 0 && c->type[n] == '.' && strcmp(c->type + n + 1, name) == 0;
}

const isl_capnp_value_t *isl_capnp_field(const isl_capnp_value_t *v, const char *name) {
  if (v->kind != ISL_CAPNP_STRUCT) return NULL;
  for (size_t i = 0; i < v->st.n; i++)
    if (strcmp(v->st.fields[i].name, name) == 0) return v->st.fields[i].value;
  return NULL;
}

bool isl_capnp_as_i64(const isl_capnp_value_t *v, int64_t *out) {
  if (v->kind != ISL_CAPNP_INT) return false;
  if (!v->i.neg) {
    if (v->i.mag > (uint64_t)INT64_MAX) return false;
    *out = (int64_t)v->i.mag;
  } else {
    if (v->i.mag > (uint64_t)1 << 63) return false;
    *out = v->i.mag == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)v->i.mag;
  }
  return true;
}

bool isl_capnp_as_u64(const isl_capnp_value_t *v, uint64_t *out) {
  if (v->kind != ISL_CAPNP_INT || v->i.neg) return false;
  *out = v->i.mag;
  return true;
}

bool isl_capnp_as_double(const isl_capnp_value_t *v, double *out) {
  if (v->kind == ISL_CAPNP_FLOAT) {
    *out = v->f;
    return true;
  }
  if (v->kind == ISL_CAPNP_INT) {
    *out = v->i.neg ? -(double)v->i.mag : (double)v->i.mag;
    return true;
  }
  return false;
}

const char *isl_capnp_kind_name(isl_capnp_kind_t kind) {
  switch (kind) {
  case ISL_CAPNP_VOID: return "void";
  case ISL_CAPNP_BOOL: return "a bool";
  case ISL_CAPNP_INT: return "an integer";
  case ISL_CAPNP_FLOAT: return "a float";
  case ISL_CAPNP_STRING: return "a string";
  case ISL_CAPNP_DATA: return "data";
  case ISL_CAPNP_STRUCT: return "a struct";
  case ISL_CAPNP_LIST: return "a list";
  case ISL_CAPNP_IDENT: return "a name";
  case ISL_CAPNP_REF: return "a reference";
  case ISL_CAPNP_EMBED: return "an embedded file";
  }
  return "a value";
}
