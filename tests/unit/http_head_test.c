/* The HTTP server's pure parts: the request-head pre-scanner, response heads, Date. */
#include <stdlib.h>

#include "check.h"
#include "http/internal.h"

/* Scans s whole, then again one byte at a time (state must carry across calls); both must
 * agree. Returns the status and stores where scanning stopped. */
static int scan_from(const char *s, size_t *stop, bool *done, bool trailers) {
  isl_http_scan_t a, b;
  size_t used, n = strlen(s), pos = 0;
  void (*init)(isl_http_scan_t *) = trailers ? isl_http_scan_init_trailers : isl_http_scan_init;
  init(&a);
  int st = isl_http_scan(&a, s, n, &used);
  init(&b);
  int st2 = 0;
  while (pos < n && !st2 && !isl_http_scan_done(&b)) {
    size_t u;
    st2 = isl_http_scan(&b, s + pos, 1, &u);
    pos += u;
  }
  if (st != st2 || (!st && used != pos) || isl_http_scan_done(&a) != isl_http_scan_done(&b)) {
    printf("byte-wise scan disagrees on %.30s: %d/%d %zu/%zu\n", s, st, st2, used, pos);
    return -1;
  }
  *stop = used;
  *done = isl_http_scan_done(&a);
  return st;
}

static int scan(const char *s, size_t *stop, bool *done) { return scan_from(s, stop, done, false); }

/* Every line ends in CRLF; the request line is method SP target SP HTTP/d.d. */
static void test_scan_shapes(void) {
  size_t stop;
  bool done;
  static const char *const bad[] = {
      "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",       /* bare LF before the request line */
      "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",       /* bare CR before it */
      "GET / HTTP/1.1\rHost: a\r\n\r\n",             /* bare CR ending the request line */
      "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n",       /* bare CR in the target */
      "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",   /* bare CR ending a header line */
      "GET / HTTP/1.1\r\nHost: a\r\n\rX",          /* bare CR, then not LF, at the end */
      "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",         /* two spaces */
      "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
      " GET / HTTP/1.1\r\nHost: a\r\n\r\n",         /* leading space */
      "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",         /* trailing space */
      "GET /\tx HTTP/1.1\r\nHost: a\r\n\r\n",      /* tab in the target */
      "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n",     /* control in the target */
      "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",     /* DEL */
      "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", /* non-ASCII */
      "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n",       /* a fragment */
      "G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n",      /* control in the method */
      "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",          /* not a token */
      "GET /\r\nHost: a\r\n\r\n",                   /* no version (HTTP/0.9) */
      "GET / http/1.1\r\nHost: a\r\n\r\n",          /* lower-case */
      "GET / HTTP/1.11\r\nHost: a\r\n\r\n",
      "GET / HTTP/1\r\nHost: a\r\n\r\n",
      "GET / HTTP/3\r\nHost: a\r\n\r\n",
      "GET / HTTP/0.9\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int st = scan(bad[i], &stop, &done);
    if (st != 400) printf("bad[%zu] scanned as %d\n", i, st);
    CHECK(st == 400);
  }
  CHECK(scan("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &stop, &done) == 505);
  CHECK(scan("GET / HTTP/1.2\r\n", &stop, &done) == 505);
  CHECK(scan("FOO / HTTP/1.0\r\n\r\n", &stop, &done) == 0 && done);
  CHECK(scan("GET http://a/b?c HTTP/1.1\r\nHost: a\r\n\r\n", &stop, &done) == 0 && done);

  /* The request line is "done" only with its CRLF. */
  isl_http_scan_t s;
  size_t used;
  isl_http_scan_init(&s);
  CHECK(isl_http_scan(&s, "GET / HTTP/1.1\r", 15, &used) == 0 && !isl_http_scan_line_done(&s));
  CHECK(isl_http_scan(&s, "\n", 1, &used) == 0 && isl_http_scan_line_done(&s));

  /* Trailer sections: header lines only, the same rules and limits. */
  CHECK(scan_from("\r\nNEXT", &stop, &done, true) == 0 && done && stop == 2);
  CHECK(scan_from("X: y\r\n\r\n", &stop, &done, true) == 0 && done && stop == 8);
  CHECK(scan_from("X: y\n\r\n", &stop, &done, true) == 400);
  CHECK(scan_from("X: y\r\n\n", &stop, &done, true) == 400);
  CHECK(scan_from("\n", &stop, &done, true) == 400);
  CHECK(scan_from("X: y\r\n z\r\n\r\n", &stop, &done, true) == 400);
}

static void test_scan(void) {
  size_t stop;
  bool done;
  const char *ok = "GET / HTTP/1.1\r\nHost: a\r\nX:  y \r\n\r\nNEXT";
  CHECK(scan(ok, &stop, &done) == 0 && done && stop == strlen(ok) - 4);
  CHECK(scan("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &stop, &done) == 0 && done);
  CHECK(scan("GET / HTTP/1.1\r\nHost: a\r\n", &stop, &done) == 0 && !done);
  CHECK(scan("GET / HTTP/1.1\nHost: a\r\n\r\n", &stop, &done) == 400 && stop == 14);
  CHECK(scan("GET / HTTP/1.1\r\nHost: a\n\r\n", &stop, &done) == 400);
  CHECK(scan("GET / HTTP/1.1\r\nHost: a\r\n\n", &stop, &done) == 400);
  CHECK(scan("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", &stop, &done) == 400);
  CHECK(scan("GET / HTTP/1.1\r\n\tX: a\r\n\r\n", &stop, &done) == 400);
  CHECK(scan("GET / HTTP/1.1\r\n\rX\r\n\r\n", &stop, &done) == 400);

  isl_buf_t b = {0};
  isl_buf_puts(&b, "GET /");
  for (int i = 0; i < ISL_HTTP_MAX_REQUEST_LINE - 14; i++) isl_buf_putc(&b, 'a');
  isl_buf_puts(&b, " HTTP/1.1"); /* exactly the limit */
  isl_buf_t c = {0};
  isl_buf_printf(&c, "%s\r\nHost: a\r\n\r\n", b.p);
  CHECK(b.len == ISL_HTTP_MAX_REQUEST_LINE && scan(c.p, &stop, &done) == 0 && done);
  c.len = 0;
  isl_buf_printf(&c, "%sX\r\nHost: a\r\n\r\n", b.p);
  CHECK(scan(c.p, &stop, &done) == 414);

  b.len = 0;
  isl_buf_puts(&b, "GET / HTTP/1.1\r\n");
  for (int i = 0; i < ISL_HTTP_MAX_HEADER_LINES; i++) isl_buf_printf(&b, "X-%d: v\r\n", i);
  isl_buf_puts(&b, "\r\n");
  CHECK(scan(b.p, &stop, &done) == 0 && done);
  b.len -= 2;
  isl_buf_puts(&b, "Y: 1\r\n\r\n");
  CHECK(scan(b.p, &stop, &done) == 431);

  b.len = 0;
  isl_buf_puts(&b, "GET / HTTP/1.1\r\nX: ");
  for (int i = 0; i < ISL_HTTP_MAX_HEADER_BYTES; i++) isl_buf_putc(&b, 'v');
  isl_buf_puts(&b, "\r\n\r\n");
  CHECK(scan(b.p, &stop, &done) == 431);
  isl_buf_free(&b);
  isl_buf_free(&c);
}

static char *head_of(isl_response_t *res, bool head_req, bool keep_alive, int minor,
                     size_t *blen) {
  isl_buf_t out = {0};
  *blen = isl_http_write_head(&out, res, head_req, keep_alive, minor);
  return isl_buf_take(&out);
}

static void test_write_head(void) {
  size_t blen;
  isl_response_t *r = isl_response_text(200, "hello");
  isl_headers_add(&r->headers, "Content-Length", 14, "999", 3);
  isl_headers_add(&r->headers, "Transfer-Encoding", 17, "chunked", 7);
  isl_headers_add(&r->headers, "connection", 10, "upgrade", 7);
  isl_headers_add(&r->headers, "Keep-Alive", 10, "timeout=5", 9);
  isl_headers_add(&r->headers, "X-Bad", 5, "a\r\nInjected: 1", 15);
  isl_headers_add(&r->headers, "Bad Name", 8, "v", 1);
  isl_headers_add(&r->headers, "X-Ok", 4, "fine", 4);
  char *h = head_of(r, false, true, 1, &blen);
  CHECK(strncmp(h, "HTTP/1.1 200 OK\r\ncontent-type: text/plain;charset=UTF-8\r\n", 56) == 0);
  CHECK(strstr(h, "\r\nX-Ok: fine\r\n") != NULL);
  CHECK(strstr(h, "\r\nContent-Length: 5\r\n") != NULL && blen == 5);
  CHECK(strstr(h, "999") == NULL && strstr(h, "chunked") == NULL);
  CHECK(strstr(h, "onnection") == NULL && strstr(h, "Keep-Alive") == NULL);
  CHECK(strstr(h, "Injected") == NULL && strstr(h, "Bad Name") == NULL);
  CHECK(strstr(h, "\r\nDate: ") != NULL);
  CHECK(strlen(h) >= 4 && strcmp(h + strlen(h) - 4, "\r\n\r\n") == 0);
  free(h);

  h = head_of(r, true, false, 1, &blen);
  CHECK(blen == 0 && strstr(h, "\r\nContent-Length: 5\r\n") && strstr(h, "\r\nConnection: close\r\n"));
  free(h);
  h = head_of(r, false, true, 0, &blen);
  CHECK(strstr(h, "\r\nConnection: keep-alive\r\n") != NULL);
  free(h);
  isl_response_free(r);

  for (int st = 204; st <= 304; st += 100) {
    r = isl_response_text(st, "ignored");
    h = head_of(r, false, true, 1, &blen);
    CHECK(blen == 0 && strstr(h, "Content-Length") == NULL);
    free(h);
    isl_response_free(r);
  }

  r = isl_response_new(404);
  r->status_text = isl_strdup("Gone\r\nX: y");
  isl_headers_add(&r->headers, "Date", 4, "Thu, 01 Jan 1970 00:00:00 GMT", 29);
  h = head_of(r, false, true, 1, &blen);
  CHECK(strncmp(h, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
  CHECK(strstr(h, "\r\nContent-Length: 0\r\n") != NULL && blen == 0);
  CHECK(strstr(h, "Date: Thu, 01 Jan 1970") != NULL && strstr(h, "GMT\r\nDate") == NULL);
  free(h);
  isl_response_free(r);
}

static void test_date(void) {
  const char *d = isl_http_date();
  CHECK(strlen(d) == 29 && strcmp(d + 25, " GMT") == 0 && d[3] == ',');
}

int main(void) {
  test_scan();
  test_scan_shapes();
  test_write_head();
  test_date();
  return check_summary();
}
