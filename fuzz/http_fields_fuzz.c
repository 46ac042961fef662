/* libFuzzer driver for the pure header-handling code of the HTTP server: the head
 * pre-scanner (src/http/scan.c), the response-head writer (src/http/write.c), the request
 * field rules (src/http/fields.c: Host/authority, Transfer-Encoding) and message.h's header
 * list. The first byte picks the part; the rest is its input. Besides "no crash, no leak, no
 * undefined behaviour" it checks:
 *  - scanner: scanning whole and cut at input-chosen places gives the same verdict; and a
 *    head (or trailer section) is accepted, with the same length, exactly when a plain
 *    line-by-line reading of RFC 9112 (written independently below) finds a valid one;
 *  - writer: whatever names, values and reason the response has, the head is CRLF lines
 *    ending in one empty line, "name: value" with token names, one Content-Length (none for
 *    1xx/204/304) equal to the body, Connection: close exactly when asked, no
 *    Transfer-Encoding: no response splitting;
 *  - fields: a valid authority has no byte that could end or re-aim a URL's authority;
 *    Transfer-Encoding's verdict is the same whether a list comes in one field or one field
 *    per element, and whatever the case of the codings; a trimmed header value has no
 *    leading or trailing SP/HTAB and is found again case-insensitively.
 * See fuzz/README.md. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"

#define ASSERT(c)                                                                 \
  do {                                                                            \
    if (!(c)) {                                                                   \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static bool tchar(unsigned char c) {
  return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* ---- the scanner against a plain reading of the grammar ---- */

/* Finds the next CRLF-terminated line at p[*i..n): returns its length, or -1 if the input
 * ends first or a CR or LF appears inside it (a bare one). */
static long next_line(const char *p, size_t n, size_t i) {
  for (size_t j = i; j < n; j++) {
    if (p[j] == '\r') return j + 1 < n && p[j + 1] == '\n' ? (long)(j - i) : -1;
    if (p[j] == '\n') return -1;
  }
  return -1;
}

/* Header lines then an empty line, from i. Returns the head's end, or 0 if none is valid. */
static size_t oracle_fields(const char *p, size_t n, size_t i) {
  size_t lines = 0, bytes = 0;
  for (;;) {
    long len = next_line(p, n, i);
    if (len < 0) return 0;
    if (len == 0) return i + 2;
    if (p[i] == ' ' || p[i] == '\t' || p[i] == ':') return 0;
    if (++lines > ISL_HTTP_MAX_HEADER_LINES) return 0;
    bytes += (size_t)len;
    if (bytes > ISL_HTTP_MAX_HEADER_BYTES) return 0;
    i += (size_t)len + 2;
  }
}

/* A request head: CRLFs, then method SP target SP HTTP/1.x CRLF, then fields. */
static size_t oracle_head(const char *p, size_t n) {
  size_t i = 0;
  while (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n') i += 2;
  long len = next_line(p, n, i);
  if (len <= 0 || len > ISL_HTTP_MAX_REQUEST_LINE) return 0;
  const char *line = p + i, *end = line + len;
  const char *sp1 = memchr(line, ' ', (size_t)len);
  if (!sp1 || sp1 == line) return 0;
  const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
  if (!sp2 || sp2 == sp1 + 1) return 0;
  for (const char *q = line; q < sp1; q++)
    if (!tchar((unsigned char)*q)) return 0;
  for (const char *q = sp1 + 1; q < sp2; q++)
    if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f || *q == '#') return 0;
  if (end - sp2 - 1 != 8 || (memcmp(sp2 + 1, "HTTP/1.0", 8) && memcmp(sp2 + 1, "HTTP/1.1", 8)))
    return 0;
  return oracle_fields(p, n, i + (size_t)len + 2);
}

static void fuzz_scan(const uint8_t *data, size_t size) {
  if (size < 2) return;
  bool trailers = data[0] & 1;
  unsigned cut = data[1];
  const char *p = (const char *)data + 2;
  size_t n = size - 2;

  isl_http_scan_t whole, parts;
  (trailers ? isl_http_scan_init_trailers : isl_http_scan_init)(&whole);
  (trailers ? isl_http_scan_init_trailers : isl_http_scan_init)(&parts);
  size_t used;
  int st = isl_http_scan(&whole, p, n, &used);
  /* The same bytes in pieces of 1..16 bytes, sizes from the cut byte. */
  size_t pos = 0;
  int st2 = 0;
  while (pos < n && !st2 && !isl_http_scan_done(&parts)) {
    size_t k = 1 + (cut + pos) % 16, u;
    if (k > n - pos) k = n - pos;
    st2 = isl_http_scan(&parts, p + pos, k, &u);
    ASSERT(u <= k);
    pos += u;
  }
  ASSERT(st == st2);
  ASSERT(isl_http_scan_done(&whole) == isl_http_scan_done(&parts));
  if (!st) ASSERT(used == pos);
  ASSERT(st == 0 || st == 400 || st == 414 || st == 431 || st == 505);

  size_t end = trailers ? oracle_fields(p, n, 0) : oracle_head(p, n);
  if (end) ASSERT(st == 0 && isl_http_scan_done(&whole) && used == end);
  if (st == 0 && isl_http_scan_done(&whole)) ASSERT(end == used);
}

/* ---- the response head writer ---- */

static void fuzz_write(const uint8_t *data, size_t size) {
  if (size < 3) return;
  isl_response_t *res = isl_response_new(100 + (data[0] << 8 | data[1]) % 500);
  uint8_t flags = data[2];
  const char *p = (const char *)data + 3, *end = (const char *)data + size;
  /* Lines "name:value" (up to the first ':'), separated by NUL; a line without ':' is the
   * reason phrase. */
  while (p < end) {
    const char *e = memchr(p, 0, (size_t)(end - p));
    if (!e) e = end;
    const char *colon = memchr(p, ':', (size_t)(e - p));
    if (colon) {
      isl_headers_add(&res->headers, p, (size_t)(colon - p), colon + 1, (size_t)(e - colon - 1));
    } else {
      free(res->status_text);
      res->status_text = isl_strndup(p, (size_t)(e - p));
    }
    p = e + 1;
  }
  if (flags & 1) res->body = isl_body_copy_of("body bytes", (flags >> 4) % 11);
  bool head = flags & 2, keep_alive = flags & 4, minor = (flags & 8) != 0;
  isl_buf_t out = {0};
  size_t blen = isl_http_write_head(&out, res, head, keep_alive, minor);

  const char *o = out.p, *oend = out.p + out.len;
  ASSERT(out.len >= 4 && memcmp(oend - 4, "\r\n\r\n", 4) == 0);
  ASSERT(memcmp(o, "HTTP/1.1 ", 9) == 0);
  int status = res->status;
  int n_cl = 0, n_conn = 0;
  long cl = -1;
  bool close = false;
  const char *line = o;
  for (bool first = true;; first = false) {
    const char *eol = NULL;
    for (const char *q = line; q < oend; q++) {
      ASSERT(*q != '\n' || (q > line && q[-1] == '\r')); /* no bare LF */
      if (*q == '\r') {
        ASSERT(q + 1 < oend && q[1] == '\n'); /* no bare CR */
        eol = q;
        break;
      }
    }
    ASSERT(eol);
    if (eol == line) {
      ASSERT(eol + 2 == oend); /* the empty line ends the head, and nothing follows */
      break;
    }
    if (!first) {
      const char *colon = memchr(line, ':', (size_t)(eol - line));
      ASSERT(colon && colon > line && colon + 1 < eol && colon[1] == ' ');
      for (const char *q = line; q < colon; q++) ASSERT(tchar((unsigned char)*q));
      size_t nl = (size_t)(colon - line);
      ASSERT(!(nl == 17 && strncasecmp(line, "transfer-encoding", 17) == 0));
      ASSERT(!(nl == 10 && strncasecmp(line, "keep-alive", 10) == 0));
      if (nl == 14 && strncasecmp(line, "content-length", 14) == 0) {
        n_cl++;
        cl = strtol(colon + 2, NULL, 10);
      }
      if (nl == 10 && strncasecmp(line, "connection", 10) == 0) {
        n_conn++;
        close = strncmp(colon + 2, "close\r", 6) == 0;
      }
    }
    line = eol + 2;
  }
  bool no_body = status < 200 || status == 204 || status == 304;
  size_t body = res->body ? res->body->len : 0;
  ASSERT(no_body ? n_cl == 0 : n_cl == 1 && cl == (long)body);
  ASSERT(blen == (no_body || head ? 0 : body));
  ASSERT(close == !keep_alive && n_conn <= 1);
  isl_buf_free(&out);
  isl_response_free(res);
}

/* ---- request field rules ---- */

static void fuzz_fields(const uint8_t *data, size_t size) {
  if (size < 1) return;
  const char *p = (const char *)data + 1;
  size_t n = size - 1;
  bool allow_empty = data[0] & 1;

  /* Authority: nothing that ends or re-aims the authority of "http://" + it + "/". */
  if (isl_http_valid_authority(p, n, allow_empty)) {
    ASSERT(n > 0 || allow_empty);
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)p[i];
      ASSERT(c > 0x20 && c < 0x7f && !strchr("/?#@\\\"<>^`{|}%", c));
    }
    /* At most one colon outside brackets, and only digits after it. */
    const char *after = n > 0 && p[0] == '[' ? memchr(p, ']', n) : p;
    ASSERT(after);
    size_t rest = n - (size_t)(after - p);
    const char *colon = memchr(after, ':', rest);
    if (colon)
      for (const char *q = colon + 1; q < p + n; q++) ASSERT(*q >= '0' && *q <= '9');
  }

  /* Transfer-Encoding: one field, or one field per comma-separated element, or upper-cased,
   * give the same verdict. Elements must not be empty for the split to be exact. */
  char *value = isl_strndup(p, n);
  if (strlen(value) == n) {
    isl_headers_t one = {0}, split = {0}, upper = {0};
    isl_headers_add(&one, "Transfer-Encoding", 17, value, n);
    bool empty_element = false;
    for (const char *e = value;;) {
      size_t len = strcspn(e, ",");
      isl_headers_add_trimmed(&split, "transfer-encoding", 17, e, len);
      size_t k = 0;
      while (k < len && (e[k] == ' ' || e[k] == '\t')) k++;
      if (k == len) empty_element = true;
      if (!e[len]) break;
      e += len + 1;
    }
    char *up = isl_strndup(value, n);
    for (char *q = up; *q; q++) *q = (char)toupper((unsigned char)*q);
    isl_headers_add(&upper, "TRANSFER-ENCODING", 17, up, n);
    int minor = data[0] >> 1 & 1;
    int st = isl_http_te_status(&one, minor);
    ASSERT(st == 0 || st == 400 || st == 501);
    if (!empty_element) ASSERT(isl_http_te_status(&split, minor) == st);
    ASSERT(isl_http_te_status(&upper, minor) == st);
    if (minor == 0) ASSERT(st == 400);
    free(up);
    isl_headers_dispose(&one);
    isl_headers_dispose(&split);
    isl_headers_dispose(&upper);

    /* message.h: a trimmed value keeps no SP/HTAB at either end and is found again. */
    isl_headers_t h = {0};
    isl_headers_add_trimmed(&h, "X-Fuzz", 6, value, n);
    const char *got = isl_headers_get(&h, "x-FUZZ");
    ASSERT(got);
    size_t gl = strlen(got);
    ASSERT(gl == 0 || (got[0] != ' ' && got[0] != '\t'));
    ASSERT(gl == 0 || (got[gl - 1] != ' ' && got[gl - 1] != '\t'));
    ASSERT(strstr(value, got) != NULL);
    isl_headers_dispose(&h);
  }
  free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  switch (data[0] % 3) {
  case 0: fuzz_scan(data + 1, size - 1); break;
  case 1: fuzz_write(data + 1, size - 1); break;
  default: fuzz_fields(data + 1, size - 1); break;
  }
  return 0;
}
