/* The URL Standard's URL records (§4): the basic URL parser, its state overrides, the
 * serializers and the origin. Hosts are in host.c, the setters in setters.c.
 *
 * The parser follows the spec's state machine step by step over an array of code points
 * (so "pointer", "c" and "remaining" mean what they mean in the spec), with the buffer and
 * every component kept as UTF-8. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "percent.h"
#include "url.h"

#define EOF_CP 0xFFFFFFFFu

/* ---- Records -------------------------------------------------------------------------------- */

void isl_url_init(isl_url_t *url) {
  memset(url, 0, sizeof(*url));
  url->port = -1;
}

static void path_clear(isl_url_t *url) {
  for (size_t i = 0; i < url->npath; i++) free(url->path[i]);
  url->npath = 0;
}

static void path_append(isl_url_t *url, const char *s, size_t n) {
  if (url->npath == url->cappath) {
    url->cappath = url->cappath ? url->cappath * 2 : 8;
    url->path = isl_realloc(url->path, url->cappath * sizeof(*url->path));
  }
  url->path[url->npath++] = isl_strndup(s, n);
}

void isl_url_dispose(isl_url_t *url) {
  isl_buf_free(&url->scheme);
  isl_buf_free(&url->username);
  isl_buf_free(&url->password);
  isl_host_dispose(&url->host);
  isl_buf_free(&url->opaque_path);
  path_clear(url);
  free(url->path);
  isl_buf_free(&url->query);
  isl_buf_free(&url->fragment);
  isl_url_init(url);
}

/* dst := src for one string component (dst's storage is reused). */
static void buf_assign(isl_buf_t *dst, const isl_buf_t *src) {
  dst->len = 0;
  isl_buf_append(dst, isl_url_str(src), src->len);
}

static void host_assign(isl_host_t *dst, const isl_host_t *src) {
  dst->kind = src->kind;
  buf_assign(&dst->text, &src->text);
}

static void path_assign(isl_url_t *dst, const isl_url_t *src) {
  path_clear(dst);
  dst->has_opaque_path = src->has_opaque_path;
  buf_assign(&dst->opaque_path, &src->opaque_path);
  for (size_t i = 0; i < src->npath; i++) path_append(dst, src->path[i], strlen(src->path[i]));
}

void isl_url_copy(isl_url_t *dst, const isl_url_t *src) {
  isl_url_init(dst);
  buf_assign(&dst->scheme, &src->scheme);
  buf_assign(&dst->username, &src->username);
  buf_assign(&dst->password, &src->password);
  host_assign(&dst->host, &src->host);
  dst->port = src->port;
  path_assign(dst, src);
  dst->has_query = src->has_query;
  buf_assign(&dst->query, &src->query);
  dst->has_fragment = src->has_fragment;
  buf_assign(&dst->fragment, &src->fragment);
}

/* ---- Schemes and small predicates ----------------------------------------------------------- */

static bool eq(const isl_buf_t *b, const char *lit) {
  size_t n = strlen(lit);
  return b->len == n && memcmp(isl_url_str(b), lit, n) == 0;
}

int isl_url_default_port(const char *s, size_t n) {
  if (n == 4 && memcmp(s, "http", 4) == 0) return 80;
  if (n == 5 && memcmp(s, "https", 5) == 0) return 443;
  if (n == 2 && memcmp(s, "ws", 2) == 0) return 80;
  if (n == 3 && memcmp(s, "wss", 3) == 0) return 443;
  if (n == 3 && memcmp(s, "ftp", 3) == 0) return 21;
  return -1;
}

static bool is_special_scheme(const char *s, size_t n) {
  return isl_url_default_port(s, n) != -1 || (n == 4 && memcmp(s, "file", 4) == 0);
}

bool isl_url_is_special(const isl_url_t *url) {
  return is_special_scheme(isl_url_str(&url->scheme), url->scheme.len);
}

bool isl_url_includes_credentials(const isl_url_t *url) {
  return url->username.len > 0 || url->password.len > 0;
}

bool isl_url_cannot_have_credentials_or_port(const isl_url_t *url) {
  return url->host.kind == ISL_HOST_NULL || url->host.kind == ISL_HOST_EMPTY ||
         eq(&url->scheme, "file");
}

static bool is_alpha(uint32_t c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static bool is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

/* A Windows drive letter: an ASCII alpha and ':' or '|'. */
static bool is_wdl(const char *s, size_t n) {
  return n == 2 && is_alpha((unsigned char)s[0]) && (s[1] == ':' || s[1] == '|');
}

static bool is_normalized_wdl(const char *s) {
  return strlen(s) == 2 && is_alpha((unsigned char)s[0]) && s[1] == ':';
}

static bool ieq(const char *s, size_t n, const char *lit) {
  return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

static bool is_single_dot(const char *s, size_t n) {
  return ieq(s, n, ".") || ieq(s, n, "%2e");
}

static bool is_double_dot(const char *s, size_t n) {
  return ieq(s, n, "..") || ieq(s, n, ".%2e") || ieq(s, n, "%2e.") || ieq(s, n, "%2e%2e");
}

/* Shorten a URL's path: the last segment goes, unless it is a file URL's only segment
 * and that is a normalized drive letter. */
static void shorten_path(isl_url_t *url) {
  if (eq(&url->scheme, "file") && url->npath == 1 && is_normalized_wdl(url->path[0])) return;
  if (url->npath > 0) free(url->path[--url->npath]);
}

/* ---- The parser ------------------------------------------------------------------------------ */

typedef enum {
  S_SCHEME_START,
  S_SCHEME,
  S_NO_SCHEME,
  S_SPECIAL_RELATIVE_OR_AUTHORITY,
  S_PATH_OR_AUTHORITY,
  S_RELATIVE,
  S_RELATIVE_SLASH,
  S_SPECIAL_AUTHORITY_SLASHES,
  S_SPECIAL_AUTHORITY_IGNORE_SLASHES,
  S_AUTHORITY,
  S_HOST,
  S_HOSTNAME,
  S_PORT,
  S_FILE,
  S_FILE_SLASH,
  S_FILE_HOST,
  S_PATH_START,
  S_PATH,
  S_OPAQUE_PATH,
  S_QUERY,
  S_FRAGMENT,
} state_t;

/* What one step of the state machine tells the loop. */
typedef enum { STEP_NEXT, STEP_RETURN, STEP_FAILURE } step_t;

typedef struct {
  const uint32_t *in;
  ptrdiff_t len, ptr;
  isl_url_t *url;
  const isl_url_t *base;
  state_t state;
  bool has_override;
  state_t override;
  isl_buf_t buf;
  bool at_sign_seen, inside_brackets, password_token_seen;
} parser_t;

static uint32_t at(const parser_t *p, ptrdiff_t i) {
  return i >= 0 && i < p->len ? p->in[i] : EOF_CP;
}

/* "remaining starts with x" */
static bool remaining_is(const parser_t *p, uint32_t x) { return at(p, p->ptr + 1) == x; }

/* "the code point substring from pointer to the end starts with a Windows drive letter" */
static bool starts_with_wdl(const parser_t *p, ptrdiff_t i) {
  uint32_t c0 = at(p, i), c1 = at(p, i + 1), c2 = at(p, i + 2);
  if (!(c0 != EOF_CP && is_alpha(c0) && c0 < 0x80 && (c1 == ':' || c1 == '|'))) return false;
  return c2 == EOF_CP || c2 == '/' || c2 == '\\' || c2 == '?' || c2 == '#';
}

/* UTF-8 percent-encode c using set, appended to out. */
static void put_encoded(isl_buf_t *out, uint32_t c, isl_pct_set_t set) {
  if (c < 0x80) {
    char ch = (char)c;
    isl_pct_encode(out, &ch, 1, set, false);
    return;
  }
  char bytes[4];
  size_t n = isl_utf8_encode(c, bytes);
  isl_pct_encode(out, bytes, n, set, false);
}

static size_t cp_length(const isl_buf_t *b) {
  size_t n = 0;
  for (size_t i = 0; i < b->len; i++)
    if (((unsigned char)b->p[i] & 0xC0) != 0x80) n++;
  return n;
}

static bool is_special(const parser_t *p) { return isl_url_is_special(p->url); }

static void set_empty(isl_buf_t *b, bool *has) {
  b->len = 0;
  if (b->p) b->p[0] = 0;
  if (has) *has = true;
}

static void set_null(isl_buf_t *b, bool *has) {
  set_empty(b, NULL);
  *has = false;
}

/* Host parsing the buffer into url's host; false on failure. */
static bool parse_host_into(parser_t *p) {
  isl_host_t h;
  if (!isl_host_parse(isl_url_str(&p->buf), p->buf.len, !is_special(p), &h)) return false;
  isl_host_dispose(&p->url->host);
  p->url->host = h;
  return true;
}

static step_t scheme_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (c != EOF_CP && (is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.') && c < 0x80) {
    isl_buf_putc(&p->buf, (char)(is_alpha(c) ? (c | 32) : c));
    return STEP_NEXT;
  }
  if (c == ':') {
    const char *b = isl_url_str(&p->buf);
    if (p->has_override) {
      bool url_special = is_special(p), buf_special = is_special_scheme(b, p->buf.len);
      if (url_special != buf_special) return STEP_RETURN;
      if ((isl_url_includes_credentials(url) || url->port != -1) && eq(&p->buf, "file"))
        return STEP_RETURN;
      if (eq(&url->scheme, "file") && url->host.kind == ISL_HOST_EMPTY) return STEP_RETURN;
    }
    buf_assign(&url->scheme, &p->buf);
    if (p->has_override) {
      if (url->port == isl_url_default_port(url->scheme.p, url->scheme.len)) url->port = -1;
      return STEP_RETURN;
    }
    set_empty(&p->buf, NULL);
    if (eq(&url->scheme, "file")) {
      p->state = S_FILE;
    } else if (is_special(p) && p->base && eq(&p->base->scheme, url->scheme.p)) {
      p->state = S_SPECIAL_RELATIVE_OR_AUTHORITY;
    } else if (is_special(p)) {
      p->state = S_SPECIAL_AUTHORITY_SLASHES;
    } else if (remaining_is(p, '/')) {
      p->state = S_PATH_OR_AUTHORITY;
      p->ptr++;
    } else {
      url->has_opaque_path = true;
      set_empty(&url->opaque_path, NULL);
      p->state = S_OPAQUE_PATH;
    }
    return STEP_NEXT;
  }
  if (!p->has_override) {
    /* Not a scheme after all: start over without one. */
    set_empty(&p->buf, NULL);
    p->state = S_NO_SCHEME;
    p->ptr = -1;
    return STEP_NEXT;
  }
  return STEP_FAILURE;
}

static step_t no_scheme_state(parser_t *p, uint32_t c) {
  const isl_url_t *base = p->base;
  isl_url_t *url = p->url;
  if (!base || (base->has_opaque_path && c != '#')) return STEP_FAILURE;
  if (base->has_opaque_path && c == '#') {
    buf_assign(&url->scheme, &base->scheme);
    path_assign(url, base);
    url->has_query = base->has_query;
    buf_assign(&url->query, &base->query);
    set_empty(&url->fragment, &url->has_fragment);
    p->state = S_FRAGMENT;
  } else if (!eq(&base->scheme, "file")) {
    p->state = S_RELATIVE;
    p->ptr--;
  } else {
    p->state = S_FILE;
    p->ptr--;
  }
  return STEP_NEXT;
}

/* url's username, password, host and port := base's. */
static void copy_authority(isl_url_t *url, const isl_url_t *base) {
  buf_assign(&url->username, &base->username);
  buf_assign(&url->password, &base->password);
  host_assign(&url->host, &base->host);
  url->port = base->port;
}

static step_t relative_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  const isl_url_t *base = p->base;
  buf_assign(&url->scheme, &base->scheme);
  if (c == '/' || (is_special(p) && c == '\\')) {
    p->state = S_RELATIVE_SLASH;
    return STEP_NEXT;
  }
  copy_authority(url, base);
  path_assign(url, base);
  url->has_query = base->has_query;
  buf_assign(&url->query, &base->query);
  if (c == '?') {
    set_empty(&url->query, &url->has_query);
    p->state = S_QUERY;
  } else if (c == '#') {
    set_empty(&url->fragment, &url->has_fragment);
    p->state = S_FRAGMENT;
  } else if (c != EOF_CP) {
    set_null(&url->query, &url->has_query);
    shorten_path(url);
    p->state = S_PATH;
    p->ptr--;
  }
  return STEP_NEXT;
}

static step_t relative_slash_state(parser_t *p, uint32_t c) {
  if (is_special(p) && (c == '/' || c == '\\')) {
    p->state = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
  } else if (c == '/') {
    p->state = S_AUTHORITY;
  } else {
    copy_authority(p->url, p->base);
    p->state = S_PATH;
    p->ptr--;
  }
  return STEP_NEXT;
}

static step_t authority_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (c == '@') {
    if (p->at_sign_seen) {
      isl_buf_t t = {0};
      isl_buf_puts(&t, "%40");
      isl_buf_append(&t, isl_url_str(&p->buf), p->buf.len);
      isl_buf_free(&p->buf);
      p->buf = t;
    }
    p->at_sign_seen = true;
    /* The buffer is UTF-8 and ':' is ASCII, so a byte walk splits it correctly. */
    for (size_t i = 0; i < p->buf.len; i++) {
      char ch = p->buf.p[i];
      if (ch == ':' && !p->password_token_seen) {
        p->password_token_seen = true;
        continue;
      }
      isl_pct_encode(p->password_token_seen ? &url->password : &url->username, &ch, 1,
                     ISL_PCT_USERINFO, false);
    }
    set_empty(&p->buf, NULL);
  } else if (c == EOF_CP || c == '/' || c == '?' || c == '#' || (is_special(p) && c == '\\')) {
    if (p->at_sign_seen && p->buf.len == 0) return STEP_FAILURE;
    p->ptr -= (ptrdiff_t)cp_length(&p->buf) + 1;
    set_empty(&p->buf, NULL);
    p->state = S_HOST;
  } else {
    isl_utf8_put(&p->buf, c);
  }
  return STEP_NEXT;
}

static step_t host_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (p->has_override && eq(&url->scheme, "file")) {
    p->ptr--;
    p->state = S_FILE_HOST;
  } else if (c == ':' && !p->inside_brackets) {
    if (p->buf.len == 0) return STEP_FAILURE;
    if (p->has_override && p->override == S_HOSTNAME) return STEP_FAILURE;
    if (!parse_host_into(p)) return STEP_FAILURE;
    set_empty(&p->buf, NULL);
    p->state = S_PORT;
  } else if (c == EOF_CP || c == '/' || c == '?' || c == '#' || (is_special(p) && c == '\\')) {
    p->ptr--;
    if (is_special(p) && p->buf.len == 0) return STEP_FAILURE;
    if (p->has_override && p->buf.len == 0 &&
        (isl_url_includes_credentials(url) || url->port != -1))
      return STEP_FAILURE;
    if (!parse_host_into(p)) return STEP_FAILURE;
    set_empty(&p->buf, NULL);
    p->state = S_PATH_START;
    if (p->has_override) return STEP_RETURN;
  } else {
    if (c == '[') p->inside_brackets = true;
    if (c == ']') p->inside_brackets = false;
    isl_utf8_put(&p->buf, c);
  }
  return STEP_NEXT;
}

static step_t port_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (c != EOF_CP && is_digit(c)) {
    isl_buf_putc(&p->buf, (char)c);
    return STEP_NEXT;
  }
  if (c == EOF_CP || c == '/' || c == '?' || c == '#' || (is_special(p) && c == '\\') ||
      p->has_override) {
    if (p->buf.len > 0) {
      uint32_t port = 0;
      for (size_t i = 0; i < p->buf.len; i++) {
        port = port * 10 + (uint32_t)(p->buf.p[i] - '0');
        if (port > 65535) return STEP_FAILURE;
      }
      int def = isl_url_default_port(isl_url_str(&url->scheme), url->scheme.len);
      url->port = (int32_t)port == def ? -1 : (int32_t)port;
      set_empty(&p->buf, NULL);
      if (p->has_override) return STEP_RETURN;
    }
    if (p->has_override) return STEP_FAILURE;
    p->state = S_PATH_START;
    p->ptr--;
    return STEP_NEXT;
  }
  return STEP_FAILURE;
}

static step_t file_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  const isl_url_t *base = p->base;
  url->scheme.len = 0;
  isl_buf_puts(&url->scheme, "file");
  url->host.kind = ISL_HOST_EMPTY;
  set_empty(&url->host.text, NULL);
  if (c == '/' || c == '\\') {
    p->state = S_FILE_SLASH;
  } else if (base && eq(&base->scheme, "file")) {
    host_assign(&url->host, &base->host);
    path_assign(url, base);
    url->has_query = base->has_query;
    buf_assign(&url->query, &base->query);
    if (c == '?') {
      set_empty(&url->query, &url->has_query);
      p->state = S_QUERY;
    } else if (c == '#') {
      set_empty(&url->fragment, &url->has_fragment);
      p->state = S_FRAGMENT;
    } else if (c != EOF_CP) {
      set_null(&url->query, &url->has_query);
      if (!starts_with_wdl(p, p->ptr)) shorten_path(url);
      else path_clear(url); /* the drive letter quirk: a new drive replaces the path */
      p->state = S_PATH;
      p->ptr--;
    }
  } else {
    p->state = S_PATH;
    p->ptr--;
  }
  return STEP_NEXT;
}

static step_t file_slash_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  const isl_url_t *base = p->base;
  if (c == '/' || c == '\\') {
    p->state = S_FILE_HOST;
    return STEP_NEXT;
  }
  if (base && eq(&base->scheme, "file")) {
    host_assign(&url->host, &base->host);
    /* The drive letter quirk: keep the base's drive unless the input names one. */
    if (!starts_with_wdl(p, p->ptr) && base->npath > 0 && is_normalized_wdl(base->path[0]))
      path_append(url, base->path[0], strlen(base->path[0]));
  }
  p->state = S_PATH;
  p->ptr--;
  return STEP_NEXT;
}

static step_t file_host_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (!(c == EOF_CP || c == '/' || c == '\\' || c == '?' || c == '#')) {
    isl_utf8_put(&p->buf, c);
    return STEP_NEXT;
  }
  p->ptr--;
  if (!p->has_override && is_wdl(isl_url_str(&p->buf), p->buf.len)) {
    /* The buffer is kept: the path state takes it as the drive letter. */
    p->state = S_PATH;
  } else if (p->buf.len == 0) {
    url->host.kind = ISL_HOST_EMPTY;
    set_empty(&url->host.text, NULL);
    if (p->has_override) return STEP_RETURN;
    p->state = S_PATH_START;
  } else {
    if (!parse_host_into(p)) return STEP_FAILURE;
    if (url->host.kind == ISL_HOST_DOMAIN && eq(&url->host.text, "localhost")) {
      url->host.kind = ISL_HOST_EMPTY;
      set_empty(&url->host.text, NULL);
    }
    if (p->has_override) return STEP_RETURN;
    set_empty(&p->buf, NULL);
    p->state = S_PATH_START;
  }
  return STEP_NEXT;
}

static step_t path_start_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (is_special(p)) {
    p->state = S_PATH;
    if (c != '/' && c != '\\') p->ptr--;
  } else if (!p->has_override && c == '?') {
    set_empty(&url->query, &url->has_query);
    p->state = S_QUERY;
  } else if (!p->has_override && c == '#') {
    set_empty(&url->fragment, &url->has_fragment);
    p->state = S_FRAGMENT;
  } else if (c != EOF_CP) {
    p->state = S_PATH;
    if (c != '/') p->ptr--;
  } else if (p->has_override && url->host.kind == ISL_HOST_NULL) {
    path_append(url, "", 0);
  }
  return STEP_NEXT;
}

static step_t path_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  bool slash = c == '/' || (is_special(p) && c == '\\');
  if (!(c == EOF_CP || slash || (!p->has_override && (c == '?' || c == '#')))) {
    put_encoded(&p->buf, c, ISL_PCT_PATH);
    return STEP_NEXT;
  }
  const char *b = isl_url_str(&p->buf);
  size_t n = p->buf.len;
  if (is_double_dot(b, n)) {
    shorten_path(url);
    if (!slash) path_append(url, "", 0);
  } else if (is_single_dot(b, n)) {
    if (!slash) path_append(url, "", 0);
  } else {
    /* The drive letter quirk: "C|" becomes "C:" as a file URL's first segment. */
    if (eq(&url->scheme, "file") && url->npath == 0 && is_wdl(b, n)) p->buf.p[1] = ':';
    path_append(url, b, n);
  }
  set_empty(&p->buf, NULL);
  if (c == '?') {
    set_empty(&url->query, &url->has_query);
    p->state = S_QUERY;
  } else if (c == '#') {
    set_empty(&url->fragment, &url->has_fragment);
    p->state = S_FRAGMENT;
  }
  return STEP_NEXT;
}

static step_t opaque_path_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  if (c == '?') {
    set_empty(&url->query, &url->has_query);
    p->state = S_QUERY;
  } else if (c == '#') {
    set_empty(&url->fragment, &url->has_fragment);
    p->state = S_FRAGMENT;
  } else if (c == ' ') {
    /* A space before the query or fragment is encoded, so that the path never ends in a
     * space once those are removed. */
    uint32_t next = at(p, p->ptr + 1);
    isl_buf_puts(&url->opaque_path, next == '?' || next == '#' ? "%20" : " ");
  } else if (c != EOF_CP) {
    put_encoded(&url->opaque_path, c, ISL_PCT_C0);
  }
  return STEP_NEXT;
}

static step_t query_state(parser_t *p, uint32_t c) {
  isl_url_t *url = p->url;
  /* The encoding is always UTF-8: nothing in a worker has a legacy document encoding. */
  if ((!p->has_override && c == '#') || c == EOF_CP) {
    isl_pct_encode(&url->query, isl_url_str(&p->buf), p->buf.len,
                   is_special(p) ? ISL_PCT_SPECIAL_QUERY : ISL_PCT_QUERY, false);
    url->has_query = true;
    set_empty(&p->buf, NULL);
    if (c == '#') {
      set_empty(&url->fragment, &url->has_fragment);
      p->state = S_FRAGMENT;
    }
  } else if (c != EOF_CP) {
    isl_utf8_put(&p->buf, c);
  }
  return STEP_NEXT;
}

static step_t step(parser_t *p, uint32_t c) {
  switch (p->state) {
  case S_SCHEME_START:
    if (c != EOF_CP && c < 0x80 && is_alpha(c)) {
      isl_buf_putc(&p->buf, (char)(c | 32));
      p->state = S_SCHEME;
    } else if (!p->has_override) {
      p->state = S_NO_SCHEME;
      p->ptr--;
    } else {
      return STEP_FAILURE;
    }
    return STEP_NEXT;
  case S_SCHEME:
    return scheme_state(p, c);
  case S_NO_SCHEME:
    return no_scheme_state(p, c);
  case S_SPECIAL_RELATIVE_OR_AUTHORITY:
    if (c == '/' && remaining_is(p, '/')) {
      p->state = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
      p->ptr++;
    } else {
      p->state = S_RELATIVE;
      p->ptr--;
    }
    return STEP_NEXT;
  case S_PATH_OR_AUTHORITY:
    if (c == '/') {
      p->state = S_AUTHORITY;
    } else {
      p->state = S_PATH;
      p->ptr--;
    }
    return STEP_NEXT;
  case S_RELATIVE:
    return relative_state(p, c);
  case S_RELATIVE_SLASH:
    return relative_slash_state(p, c);
  case S_SPECIAL_AUTHORITY_SLASHES:
    p->state = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
    if (c == '/' && remaining_is(p, '/')) p->ptr++;
    else p->ptr--;
    return STEP_NEXT;
  case S_SPECIAL_AUTHORITY_IGNORE_SLASHES:
    if (c != '/' && c != '\\') {
      p->state = S_AUTHORITY;
      p->ptr--;
    }
    return STEP_NEXT;
  case S_AUTHORITY:
    return authority_state(p, c);
  case S_HOST:
  case S_HOSTNAME:
    return host_state(p, c);
  case S_PORT:
    return port_state(p, c);
  case S_FILE:
    return file_state(p, c);
  case S_FILE_SLASH:
    return file_slash_state(p, c);
  case S_FILE_HOST:
    return file_host_state(p, c);
  case S_PATH_START:
    return path_start_state(p, c);
  case S_PATH:
    return path_state(p, c);
  case S_OPAQUE_PATH:
    return opaque_path_state(p, c);
  case S_QUERY:
    return query_state(p, c);
  case S_FRAGMENT:
    if (c != EOF_CP) put_encoded(&p->url->fragment, c, ISL_PCT_FRAGMENT);
    return STEP_NEXT;
  }
  return STEP_FAILURE;
}

/* Decodes input into code points: leading and trailing C0 controls and spaces are
 * stripped when trim is set, and ASCII tabs and newlines are removed everywhere. */
static uint32_t *preprocess(const char *s, size_t n, bool trim, ptrdiff_t *out_len) {
  uint32_t *cps = isl_malloc((n ? n : 1) * sizeof(*cps));
  size_t k = 0, i = 0;
  while (i < n) {
    uint32_t c = isl_utf8_next(s, n, &i);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    cps[k++] = c;
  }
  size_t start = 0;
  if (trim) {
    /* Tabs and newlines are C0 controls too, so stripping after removing them is the
     * same as before. */
    while (start < k && cps[start] <= 0x20) start++;
    while (k > start && cps[k - 1] <= 0x20) k--;
  }
  if (start) memmove(cps, cps + start, (k - start) * sizeof(*cps));
  *out_len = (ptrdiff_t)(k - start);
  return cps;
}

static const state_t override_states[] = {
    [ISL_URL_NO_OVERRIDE] = S_SCHEME_START, [ISL_URL_SCHEME_START] = S_SCHEME_START,
    [ISL_URL_HOST] = S_HOST,                [ISL_URL_HOSTNAME] = S_HOSTNAME,
    [ISL_URL_PORT] = S_PORT,                [ISL_URL_PATH_START] = S_PATH_START,
    [ISL_URL_QUERY] = S_QUERY,              [ISL_URL_FRAGMENT] = S_FRAGMENT,
};

static bool run(const char *input, size_t n, const isl_url_t *base, isl_url_t *url,
                isl_url_override_t override) {
  parser_t p = {0};
  p.url = url;
  p.base = base;
  p.has_override = override != ISL_URL_NO_OVERRIDE;
  p.state = p.override = override_states[override];
  p.in = preprocess(input, n, !p.has_override, &p.len);
  step_t r = STEP_NEXT;
  for (p.ptr = 0;; p.ptr++) {
    r = step(&p, at(&p, p.ptr));
    if (r != STEP_NEXT || p.ptr >= p.len) break;
  }
  free((void *)p.in);
  isl_buf_free(&p.buf);
  return r != STEP_FAILURE;
}

bool isl_url_parse(const char *input, size_t n, const isl_url_t *base, isl_url_t *out) {
  isl_url_init(out);
  if (run(input, n, base, out, ISL_URL_NO_OVERRIDE)) return true;
  isl_url_dispose(out);
  return false;
}

bool isl_url_parse_override(const char *input, size_t n, isl_url_t *url,
                            isl_url_override_t state) {
  return run(input, n, NULL, url, state);
}

char *isl_url_parse_href(const char *input, size_t n, const char *base, size_t base_n,
                         bool *credentials) {
  isl_url_t b, u;
  if (credentials) *credentials = false;
  if (base && !isl_url_parse(base, base_n, NULL, &b)) return NULL;
  bool ok = isl_url_parse(input, n, base ? &b : NULL, &u);
  if (base) isl_url_dispose(&b);
  if (!ok) return NULL;
  if (credentials) *credentials = isl_url_includes_credentials(&u);
  isl_buf_t out = {0};
  isl_url_serialize(&u, false, &out);
  isl_url_dispose(&u);
  return isl_buf_take(&out);
}

/* ---- Serializers ------------------------------------------------------------------------------ */

void isl_url_serialize_path(const isl_url_t *url, isl_buf_t *out) {
  if (url->has_opaque_path) {
    isl_buf_append(out, isl_url_str(&url->opaque_path), url->opaque_path.len);
    return;
  }
  for (size_t i = 0; i < url->npath; i++) {
    isl_buf_putc(out, '/');
    isl_buf_puts(out, url->path[i]);
  }
}

void isl_url_serialize(const isl_url_t *url, bool exclude_fragment, isl_buf_t *out) {
  isl_buf_append(out, isl_url_str(&url->scheme), url->scheme.len);
  isl_buf_putc(out, ':');
  if (url->host.kind != ISL_HOST_NULL) {
    isl_buf_puts(out, "//");
    if (isl_url_includes_credentials(url)) {
      isl_buf_append(out, isl_url_str(&url->username), url->username.len);
      if (url->password.len) {
        isl_buf_putc(out, ':');
        isl_buf_append(out, url->password.p, url->password.len);
      }
      isl_buf_putc(out, '@');
    }
    isl_buf_append(out, isl_url_str(&url->host.text), url->host.text.len);
    if (url->port != -1) {
      isl_buf_putc(out, ':');
      isl_buf_put_uint(out, (uint64_t)url->port);
    }
  }
  /* "/." keeps a path that starts with an empty segment from reading as a host. */
  if (url->host.kind == ISL_HOST_NULL && !url->has_opaque_path && url->npath > 1 &&
      url->path[0][0] == 0)
    isl_buf_puts(out, "/.");
  isl_url_serialize_path(url, out);
  if (url->has_query) {
    isl_buf_putc(out, '?');
    isl_buf_append(out, isl_url_str(&url->query), url->query.len);
  }
  if (!exclude_fragment && url->has_fragment) {
    isl_buf_putc(out, '#');
    isl_buf_append(out, isl_url_str(&url->fragment), url->fragment.len);
  }
}

void isl_url_serialize_origin(const isl_url_t *url, isl_buf_t *out) {
  if (eq(&url->scheme, "blob")) {
    /* A blob URL's origin is that of the URL in its path, for http(s) (a file URL's
     * origin is opaque anyway). Blob URL entries do not exist in a worker. */
    isl_buf_t path = {0};
    isl_url_t inner;
    isl_url_serialize_path(url, &path);
    bool ok = isl_url_parse(isl_url_str(&path), path.len, NULL, &inner);
    isl_buf_free(&path);
    if (ok && (eq(&inner.scheme, "http") || eq(&inner.scheme, "https")))
      isl_url_serialize_origin(&inner, out);
    else
      isl_buf_puts(out, "null");
    if (ok) isl_url_dispose(&inner);
    return;
  }
  if (isl_url_default_port(isl_url_str(&url->scheme), url->scheme.len) == -1) {
    isl_buf_puts(out, "null"); /* file and every non-special scheme: an opaque origin */
    return;
  }
  isl_buf_append(out, url->scheme.p, url->scheme.len);
  isl_buf_puts(out, "://");
  isl_buf_append(out, isl_url_str(&url->host.text), url->host.text.len);
  if (url->port != -1) {
    isl_buf_putc(out, ':');
    isl_buf_put_uint(out, (uint64_t)url->port);
  }
}
