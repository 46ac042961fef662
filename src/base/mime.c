/* MIME type parsing and serialisation (MIME Sniffing Standard §4) and Fetch's "extract a
 * MIME type". See mime.h. The numbered comments are the standards' steps. */
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static bool is_http_ws(unsigned char c) { return c == '\n' || c == '\r' || c == '\t' || c == ' '; }
static bool is_tab_or_space(unsigned char c) { return c == '\t' || c == ' '; }

/* An HTTP token code point: ASCII alphanumerics and !#$%&'*+-.^_`|~. */
static bool is_token_cp(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool all_token(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_token_cp((unsigned char)s[i])) return false;
  return true;
}

/* Every code point is an HTTP quoted-string token code point: U+0009, U+0020 to U+007E,
 * or U+0080 to U+00FF (in UTF-8, a 0xC2 or 0xC3 lead byte and one continuation byte). */
static bool all_quoted_string_token(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\t' || (c >= 0x20 && c <= 0x7E)) continue;
    if ((c == 0xC2 || c == 0xC3) && i + 1 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
      i++;
      continue;
    }
    return false;
  }
  return true;
}

/* The length of the UTF-8 sequence starting at s[0] (1 for a stray byte), within n. */
static size_t utf8_seq_len(const char *s, size_t n) {
  size_t len = 1;
  while (len < n && len < 4 && ((unsigned char)s[len] & 0xC0) == 0x80 &&
         (unsigned char)s[0] >= 0xC0)
    len++;
  return len;
}

static char *lower_dup(const char *s, size_t n) {
  char *d = isl_strndup(s, n);
  for (size_t i = 0; i < n; i++)
    if (d[i] >= 'A' && d[i] <= 'Z') d[i] = (char)(d[i] | 0x20);
  return d;
}

/* Infra's "collect a sequence of code points" that are not in stop: advances *pos. */
static size_t collect_until(const char *s, size_t n, size_t *pos, const char *stop) {
  size_t start = *pos;
  while (*pos < n && !memchr(stop, s[*pos], strlen(stop))) (*pos)++;
  return *pos - start;
}

/* Fetch's "collect an HTTP quoted string" with extract-value true: *pos is at a '"'; the
 * unescaped contents are appended to out. */
static void collect_quoted_value(const char *s, size_t n, size_t *pos, isl_buf_t *out) {
  /* 3-4. Skip the opening quote. */
  (*pos)++;
  for (;;) {
    /* 5.1. Append the code points that are not '"' or '\'. */
    size_t start = *pos;
    size_t len = collect_until(s, n, pos, "\"\\");
    isl_buf_append(out, s + start, len);
    /* 5.2. Past the end: done (an unterminated string keeps what it has). */
    if (*pos >= n) break;
    /* 5.3-5.4. */
    char qb = s[(*pos)++];
    if (qb == '\\') {
      /* 5.5. A trailing backslash stays; otherwise the next code point is taken as is. */
      if (*pos >= n) {
        isl_buf_putc(out, '\\');
        break;
      }
      size_t cl = utf8_seq_len(s + *pos, n - *pos);
      isl_buf_append(out, s + *pos, cl);
      *pos += cl;
    } else {
      /* 5.6. The closing quote. */
      break;
    }
  }
}

void isl_mime_dispose(isl_mime_t *m) {
  free(m->type);
  free(m->subtype);
  for (size_t i = 0; i < m->nparams; i++) {
    free(m->params[i].name);
    free(m->params[i].value);
  }
  free(m->params);
  memset(m, 0, sizeof(*m));
}

const char *isl_mime_param(const isl_mime_t *m, const char *name) {
  for (size_t i = 0; i < m->nparams; i++)
    if (strcmp(m->params[i].name, name) == 0) return m->params[i].value;
  return NULL;
}

static void add_param(isl_mime_t *m, char *name, char *value) {
  m->params = isl_realloc(m->params, (m->nparams + 1) * sizeof(*m->params));
  m->params[m->nparams].name = name;
  m->params[m->nparams].value = value;
  m->nparams++;
}

void isl_mime_set_param(isl_mime_t *m, const char *name, const char *value) {
  for (size_t i = 0; i < m->nparams; i++) {
    if (strcmp(m->params[i].name, name) == 0) {
      free(m->params[i].value);
      m->params[i].value = isl_strdup(value);
      return;
    }
  }
  add_param(m, isl_strdup(name), isl_strdup(value));
}

bool isl_mime_essence_is(const isl_mime_t *m, const char *essence) {
  if (!m->type) return false;
  size_t tl = strlen(m->type);
  return strncmp(essence, m->type, tl) == 0 && essence[tl] == '/' &&
         strcmp(essence + tl + 1, m->subtype) == 0;
}

bool isl_mime_parse(isl_mime_t *out, const char *s, size_t n) {
  memset(out, 0, sizeof(*out));
  /* 1. Remove leading and trailing HTTP whitespace. */
  while (n && is_http_ws((unsigned char)s[0])) s++, n--;
  while (n && is_http_ws((unsigned char)s[n - 1])) n--;
  /* 2-4. type: up to '/', a non-empty token. */
  size_t pos = 0;
  size_t tlen = collect_until(s, n, &pos, "/");
  if (tlen == 0 || !all_token(s, tlen)) return false;
  /* 5-6. There must be a '/'; skip it. */
  if (pos >= n) return false;
  pos++;
  /* 7-9. subtype: up to ';', trailing HTTP whitespace removed, a non-empty token. */
  size_t sstart = pos;
  size_t slen = collect_until(s, n, &pos, ";");
  while (slen && is_http_ws((unsigned char)s[sstart + slen - 1])) slen--;
  if (slen == 0 || !all_token(s + sstart, slen)) return false;
  /* 10. Both lower-cased. */
  out->type = lower_dup(s, tlen);
  out->subtype = lower_dup(s + sstart, slen);
  /* 11. Parameters. */
  isl_buf_t value = {0};
  while (pos < n) {
    /* 11.1-11.2. Skip the ';' and any HTTP whitespace. */
    pos++;
    while (pos < n && is_http_ws((unsigned char)s[pos])) pos++;
    /* 11.3-11.4. The name: up to ';' or '=', lower-cased later. */
    size_t nstart = pos;
    size_t nlen = collect_until(s, n, &pos, ";=");
    /* 11.5. A ';' right after the name: no value, next parameter. Skip the '='. */
    if (pos < n) {
      if (s[pos] == ';') continue;
      pos++;
    }
    /* 11.6. */
    if (pos >= n) break;
    /* 11.7-11.9. The value: a quoted string (anything after it up to ';' is ignored), or
     * up to ';' with trailing HTTP whitespace removed, where empty means no parameter. */
    value.len = 0;
    if (s[pos] == '"') {
      collect_quoted_value(s, n, &pos, &value);
      collect_until(s, n, &pos, ";");
    } else {
      size_t vstart = pos;
      size_t vlen = collect_until(s, n, &pos, ";");
      while (vlen && is_http_ws((unsigned char)s[vstart + vlen - 1])) vlen--;
      if (vlen == 0) continue;
      isl_buf_append(&value, s + vstart, vlen);
    }
    /* 11.10. Kept if the name is a non-empty token not seen before and the value is made
     * of quoted-string token code points. */
    if (nlen == 0 || !all_token(s + nstart, nlen)) continue;
    if (!all_quoted_string_token(value.p ? value.p : "", value.len)) continue;
    char *name = lower_dup(s + nstart, nlen);
    if (isl_mime_param(out, name)) {
      free(name);
      continue;
    }
    add_param(out, name, isl_strndup(value.p ? value.p : "", value.len));
  }
  isl_buf_free(&value);
  return true;
}

void isl_mime_serialize(isl_buf_t *out, const isl_mime_t *m) {
  /* 1. The essence. */
  isl_buf_puts(out, m->type);
  isl_buf_putc(out, '/');
  isl_buf_puts(out, m->subtype);
  /* 2. Each parameter; a value that is empty or not a token is quoted, with '"' and '\'
   * escaped by a backslash. */
  for (size_t i = 0; i < m->nparams; i++) {
    const char *v = m->params[i].value;
    size_t vlen = strlen(v);
    isl_buf_putc(out, ';');
    isl_buf_puts(out, m->params[i].name);
    isl_buf_putc(out, '=');
    if (vlen > 0 && all_token(v, vlen)) {
      isl_buf_append(out, v, vlen);
      continue;
    }
    isl_buf_putc(out, '"');
    for (size_t k = 0; k < vlen; k++) {
      if (v[k] == '"' || v[k] == '\\') isl_buf_putc(out, '\\');
      isl_buf_putc(out, v[k]);
    }
    isl_buf_putc(out, '"');
  }
}

/* ---- Fetch: extract a MIME type -------------------------------------------------------- */

/* "Collect an HTTP quoted string" with extract-value false: *pos is at a '"'; returns the
 * length of the raw span, quotes and backslashes included. */
static size_t skip_quoted(const char *s, size_t n, size_t *pos) {
  size_t start = (*pos)++;
  for (;;) {
    collect_until(s, n, pos, "\"\\");
    if (*pos >= n) break;
    char qb = s[(*pos)++];
    if (qb == '\\') {
      if (*pos >= n) break;
      (*pos)++;
    } else {
      break;
    }
  }
  return *pos - start;
}

/* The parsed value that replaces *cur if it is a usable MIME type (step 6 of extract). */
static void extract_one(isl_mime_t *cur, bool *have, char **charset, char **essence,
                        const char *v, size_t vlen) {
  isl_mime_t t;
  /* 6.1-6.2. Failure, or the wildcard essence (star slash star), is skipped. */
  if (!isl_mime_parse(&t, v, vlen)) return;
  if (isl_mime_essence_is(&t, "*/*")) {
    isl_mime_dispose(&t);
    return;
  }
  /* 6.3. */
  if (*have) isl_mime_dispose(cur);
  *cur = t;
  *have = true;
  isl_buf_t e = {0};
  isl_buf_printf(&e, "%s/%s", t.type, t.subtype);
  const char *cs = isl_mime_param(cur, "charset");
  if (!*essence || strcmp(*essence, e.p) != 0) {
    /* 6.4. A new essence: its own charset (or none) is remembered. */
    free(*charset);
    *charset = cs ? isl_strdup(cs) : NULL;
    free(*essence);
    *essence = isl_buf_take(&e);
  } else if (!cs && *charset) {
    /* 6.5. The same essence without a charset keeps the earlier one. */
    isl_mime_set_param(cur, "charset", *charset);
  }
  isl_buf_free(&e);
}

bool isl_mime_extract(isl_mime_t *out, const char *value, size_t n) {
  memset(out, 0, sizeof(*out));
  /* "Get, decode, and split": isomorphic decode (each byte a code point, here in UTF-8). */
  isl_buf_t u = {0};
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)value[i];
    if (c < 0x80) {
      isl_buf_putc(&u, (char)c);
    } else {
      isl_buf_putc(&u, (char)(0xC0 | (c >> 6)));
      isl_buf_putc(&u, (char)(0x80 | (c & 0x3F)));
    }
  }
  const char *s = u.p ? u.p : "";
  size_t len = u.len, pos = 0;
  bool have = false;
  char *charset = NULL, *essence = NULL;
  isl_buf_t tmp = {0};
  for (;;) {
    /* Split on commas outside quoted strings; each piece trimmed of tabs and spaces. */
    size_t start = pos;
    size_t l = collect_until(s, len, &pos, "\",");
    isl_buf_append(&tmp, s + start, l);
    if (pos < len && s[pos] == '"') {
      start = pos;
      l = skip_quoted(s, len, &pos);
      isl_buf_append(&tmp, s + start, l);
      if (pos < len) continue;
    }
    const char *v = tmp.p ? tmp.p : "";
    size_t vl = tmp.len;
    while (vl && is_tab_or_space((unsigned char)v[0])) v++, vl--;
    while (vl && is_tab_or_space((unsigned char)v[vl - 1])) vl--;
    extract_one(out, &have, &charset, &essence, v, vl);
    tmp.len = 0;
    if (pos >= len) break;
    pos++; /* the ',' */
  }
  isl_buf_free(&tmp);
  isl_buf_free(&u);
  free(charset);
  free(essence);
  return have;
}
