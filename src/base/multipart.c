/* multipart/form-data writing and reading. See multipart.h for the rules followed. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "multipart.h"

/* ---- Writing --------------------------------------------------------------------------- */

/* A name with its newlines normalised to CRLF (a lone CR or LF becomes CRLF), then LF, CR
 * and '"' escaped as %0A, %0D, %22 (HTML: "escape" for field names and filenames). */
static void put_escaped(isl_buf_t *out, const char *s, size_t n, bool normalize) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (normalize && (c == '\r' || c == '\n')) {
      isl_buf_puts(out, "%0D%0A");
      if (c == '\r' && i + 1 < n && s[i + 1] == '\n') i++;
    } else if (c == '\n') {
      isl_buf_puts(out, "%0A");
    } else if (c == '\r') {
      isl_buf_puts(out, "%0D");
    } else if (c == '"') {
      isl_buf_puts(out, "%22");
    } else {
      isl_buf_putc(out, c);
    }
  }
}

/* A text value with its newlines normalised to CRLF. */
static void put_normalized(isl_buf_t *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\r' || s[i] == '\n') {
      isl_buf_puts(out, "\r\n");
      if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') i++;
    } else {
      isl_buf_putc(out, s[i]);
    }
  }
}

void isl_multipart_encode(isl_buf_t *out, const char *boundary, const isl_mp_out_t *parts,
                          size_t n) {
  for (size_t i = 0; i < n; i++) {
    const isl_mp_out_t *p = &parts[i];
    isl_buf_printf(out, "--%s\r\nContent-Disposition: form-data; name=\"", boundary);
    put_escaped(out, p->name, p->name_len, true);
    isl_buf_putc(out, '"');
    if (p->filename) {
      /* A file: its name (escaped, not normalised) and its type. */
      isl_buf_puts(out, "; filename=\"");
      put_escaped(out, p->filename, p->filename_len, false);
      isl_buf_puts(out, "\"\r\nContent-Type: ");
      isl_buf_puts(out, p->type && p->type[0] ? p->type : "application/octet-stream");
      isl_buf_puts(out, "\r\n\r\n");
      isl_buf_append(out, p->data, p->len);
    } else {
      isl_buf_puts(out, "\r\n\r\n");
      put_normalized(out, p->data, p->len);
    }
    isl_buf_puts(out, "\r\n");
  }
  isl_buf_printf(out, "--%s--\r\n", boundary);
}

void isl_multipart_boundary(char *buf) {
  static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  unsigned char r[16];
  size_t got = 0;
  while (got < sizeof(r)) {
    ssize_t k = getrandom(r + got, sizeof(r) - got, 0);
    ISL_CHECK(k > 0); /* the kernel's CSPRNG does not fail once booted */
    got += (size_t)k;
  }
  static const char prefix[] = "----isletFormBoundary";
  memcpy(buf, prefix, sizeof(prefix) - 1);
  char *o = buf + sizeof(prefix) - 1;
  for (size_t i = 0; i < sizeof(r); i++) *o++ = alnum[r[i] % 62];
  *o = 0;
}

/* ---- Reading --------------------------------------------------------------------------- */

typedef struct {
  const char *p;
  size_t n, pos;
} cur_t;

static bool at(const cur_t *c, const char *lit) {
  size_t l = strlen(lit);
  return c->n - c->pos >= l && memcmp(c->p + c->pos, lit, l) == 0;
}

static bool is_ws(char c) { return c == ' ' || c == '\t'; }

/* Copies s[0..n) with %0A, %0D and %22 decoded (the escapes writing uses). */
static char *unescape(const char *s, size_t n, size_t *out_len) {
  char *d = isl_malloc(n + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n) {
      if (s[i + 1] == '0' && s[i + 2] == 'A') { d[k++] = '\n'; i += 2; continue; }
      if (s[i + 1] == '0' && s[i + 2] == 'D') { d[k++] = '\r'; i += 2; continue; }
      if (s[i + 1] == '2' && s[i + 2] == '2') { d[k++] = '"'; i += 2; continue; }
    }
    d[k++] = s[i];
  }
  d[k] = 0;
  *out_len = k;
  return d;
}

/* Content-Disposition: form-data; name="…"; filename="…". Parameter values are quoted
 * strings (up to the next '"', no backslash escapes) or tokens; unknown parameters are
 * ignored, the first of a repeated one wins. false if it is not form-data or has no
 * name. */
static bool parse_disposition(const char *v, size_t n, isl_mp_part_t *part) {
  size_t pos = 0;
  if (n < 9 || strncasecmp(v, "form-data", 9) != 0) return false;
  pos = 9;
  for (;;) {
    while (pos < n && is_ws(v[pos])) pos++;
    if (pos >= n) break;
    if (v[pos] != ';') return false;
    pos++;
    while (pos < n && is_ws(v[pos])) pos++;
    size_t ns = pos;
    while (pos < n && v[pos] != '=' && v[pos] != ';' && !is_ws(v[pos])) pos++;
    size_t nl = pos - ns;
    while (pos < n && is_ws(v[pos])) pos++;
    if (pos >= n || v[pos] != '=') {
      if (pos < n && v[pos] == ';') continue;
      if (pos >= n) break;
      return false;
    }
    pos++;
    while (pos < n && is_ws(v[pos])) pos++;
    size_t vs, vl;
    if (pos < n && v[pos] == '"') {
      vs = ++pos;
      while (pos < n && v[pos] != '"') pos++;
      if (pos >= n) return false; /* unterminated */
      vl = pos - vs;
      pos++;
    } else {
      vs = pos;
      while (pos < n && v[pos] != ';' && !is_ws(v[pos])) pos++;
      vl = pos - vs;
    }
    if (nl == 4 && strncasecmp(v + ns, "name", 4) == 0 && !part->name) {
      part->name = unescape(v + vs, vl, &part->name_len);
    } else if (nl == 8 && strncasecmp(v + ns, "filename", 8) == 0 && !part->filename) {
      part->filename = unescape(v + vs, vl, &part->filename_len);
    }
  }
  return part->name != NULL;
}

/* The header lines of one part, up to and including the empty line. */
static bool parse_headers(cur_t *c, isl_mp_part_t *part) {
  bool disposition = false;
  for (;;) {
    if (at(c, "\r\n")) {
      c->pos += 2;
      return disposition;
    }
    const char *line = c->p + c->pos;
    const char *eol = memmem(line, c->n - c->pos, "\r\n", 2);
    if (!eol) return false;
    size_t len = (size_t)(eol - line);
    c->pos += len + 2;
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line) return false;
    size_t nl = (size_t)(colon - line);
    const char *v = colon + 1;
    size_t vl = len - nl - 1;
    while (vl && is_ws(v[0])) v++, vl--;
    while (vl && is_ws(v[vl - 1])) vl--;
    if (nl == 19 && strncasecmp(line, "content-disposition", 19) == 0) {
      if (disposition || !parse_disposition(v, vl, part)) return false;
      disposition = true;
    } else if (nl == 12 && strncasecmp(line, "content-type", 12) == 0 && !part->type) {
      part->type = isl_strndup(v, vl);
    }
  }
}

static void part_dispose(isl_mp_part_t *p) {
  free(p->name);
  free(p->filename);
  free(p->type);
}

void isl_multipart_dispose(isl_mp_parts_t *parts) {
  for (size_t i = 0; i < parts->n; i++) part_dispose(&parts->v[i]);
  free(parts->v);
  parts->v = NULL;
  parts->n = 0;
}

bool isl_multipart_parse(const char *body, size_t n, const char *boundary, size_t blen,
                         isl_mp_parts_t *out) {
  out->v = NULL;
  out->n = 0;
  if (blen == 0) return false;
  /* The delimiter is CRLF "--" boundary; the first may start the body instead. */
  size_t dlen = blen + 4;
  char *delim = isl_malloc(dlen + 1);
  memcpy(delim, "\r\n--", 4);
  memcpy(delim + 4, boundary, blen);
  delim[dlen] = 0;
  cur_t c = {body, n, 0};
  size_t cap = 0;
  /* The preamble: anything before the first delimiter. */
  if (n >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
    c.pos = dlen - 2;
  } else {
    const char *d = memmem(body, n, delim, dlen);
    if (!d) goto fail;
    c.pos = (size_t)(d - body) + dlen;
  }
  for (;;) {
    /* After a delimiter: "--" closes the body (the epilogue is ignored); otherwise
     * optional spaces and tabs, then CRLF, then a part. */
    if (at(&c, "--")) break;
    while (c.pos < c.n && is_ws(c.p[c.pos])) c.pos++;
    if (!at(&c, "\r\n")) goto fail;
    c.pos += 2;
    if (out->n == cap) {
      cap = cap ? cap * 2 : 8;
      out->v = isl_realloc(out->v, cap * sizeof(*out->v));
    }
    isl_mp_part_t *part = &out->v[out->n++];
    memset(part, 0, sizeof(*part));
    if (!parse_headers(&c, part)) goto fail;
    /* The contents run up to the next delimiter, which must exist. */
    const char *d = memmem(c.p + c.pos, c.n - c.pos, delim, dlen);
    if (!d) goto fail;
    part->off = c.pos;
    part->len = (size_t)(d - c.p) - c.pos;
    c.pos = (size_t)(d - c.p) + dlen;
  }
  free(delim);
  return true;
fail:
  free(delim);
  isl_multipart_dispose(out);
  return false;
}
