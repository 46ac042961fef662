/* libFuzzer driver for the HTTP/1.1 connection layer (src/http: scan.c, conn.c, fields.c,
 * write.c on llhttp strict), raw bytes in, responses out. One server runs on a private uv
 * loop with a small C echo service; each input is written into one end of a socketpair
 * whose other end the server adopts (isl_http_server_adopt), then that end is half-closed.
 * The first input byte picks how the rest is cut into writes (so that heads and bodies
 * arrive split at every place); the loop runs between writes.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks:
 *  - after the client's EOF the server always closes the connection (no hang, no leak);
 *  - what comes back is a sequence of well-formed HTTP/1.1 responses: a status line, header
 *    lines "name: value" with token names and no CR/LF in values, exactly one
 *    Content-Length framing the body (none for 1xx, 204, 304), nothing after a response
 *    that says Connection: close;
 *  - a response the server made itself (a rejection: no X-Echo header) says
 *    Connection: close and is the last thing written;
 *  - an echoed response carries the method and the body length the service saw, and its
 *    body is exactly that many bytes (HEAD: none).
 * See fuzz/README.md. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/internal.h"

#define ASSERT(c)                                                                 \
  do {                                                                            \
    if (!(c)) {                                                                   \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static uv_loop_t loop;
static isl_http_server_t *server;

/* ---- the service: echoes the body; some answers come on a later loop turn ---- */

typedef struct {
  uv_timer_t t;
  isl_response_t *res;
  isl_response_cb cb;
  void *data;
} later_t;

static void later_closed(uv_handle_t *h) { free(h); }

static void later_fire(uv_timer_t *t) {
  later_t *l = (later_t *)t;
  l->cb(l->data, l->res);
  uv_close((uv_handle_t *)t, later_closed);
}

static void echo_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  (void)svc;
  int status = 200;
  if (strstr(req->url, "/204")) status = 204;
  else if (strstr(req->url, "/304")) status = 304;
  else if (strstr(req->url, "/404")) status = 404;
  isl_response_t *res = isl_response_new(status);
  size_t n = req->body ? req->body->len : 0;
  char len[32];
  snprintf(len, sizeof(len), "%zu", n);
  isl_headers_add(&res->headers, "X-Echo", 6, req->method, strlen(req->method));
  isl_headers_add(&res->headers, "X-Body-Len", 10, len, strlen(len));
  /* Framing headers a worker might set: the server replaces them. */
  isl_headers_add(&res->headers, "Content-Length", 14, "7", 1);
  isl_headers_add(&res->headers, "Transfer-Encoding", 17, "chunked", 7);
  if (strstr(req->url, "/close")) isl_headers_add(&res->headers, "Connection", 10, "close", 5);
  if (req->body) res->body = isl_body_ref(req->body);
  bool async = strchr(req->url, 'a') != NULL;
  isl_request_free(req);
  if (!async) {
    cb(data, res);
    return;
  }
  later_t *l = calloc(1, sizeof(*l));
  l->res = res;
  l->cb = cb;
  l->data = data;
  uv_timer_init(&loop, &l->t);
  uv_timer_start(&l->t, later_fire, 0, 0);
}

static isl_service_t echo = {"fuzz-echo", echo_fetch};

static void setup(void) {
  uv_loop_init(&loop);
  isl_log_level = ISL_LOG_ERROR;
  isl_http_limits_t lim;
  isl_http_limits_default(&lim);
  lim.max_body_bytes = 1 << 16;
  char err[256];
  int r = isl_http_server_start(&loop, "127.0.0.1", 0, &lim, &echo, &server, err, sizeof(err));
  if (r < 0) {
    fprintf(stderr, "http_conn_fuzz: %s\n", err);
    abort();
  }
}

/* ---- checking the output ---- */

static bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static const char *find_crlfcrlf(const char *p, const char *end) {
  for (; p + 4 <= end; p++)
    if (p[0] == '\r' && p[1] == '\n' && p[2] == '\r' && p[3] == '\n') return p;
  return NULL;
}

/* Checks the whole output; returns the number of final responses. */
static size_t check_output(const char *p, size_t n) {
  const char *end = p + n;
  size_t finals = 0;
  while (p < end) {
    const char *eoh = find_crlfcrlf(p, end);
    ASSERT(eoh != NULL);
    ASSERT(eoh - p >= 12 && memcmp(p, "HTTP/1.1 ", 9) == 0);
    int status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    ASSERT(status >= 100 && status <= 599 && p[12] == ' ');
    const char *line = memchr(p, '\n', (size_t)(eoh + 2 - p)) + 1;
    long content_length = -1;
    int n_cl = 0;
    bool close = false, echo_hdr = false, head = false;
    long body_len = -1;
    while (line < eoh + 2) {
      const char *eol = memchr(line, '\r', (size_t)(eoh + 2 - line));
      ASSERT(eol && eol[1] == '\n');
      const char *colon = memchr(line, ':', (size_t)(eol - line));
      ASSERT(colon && colon > line && colon[1] == ' ');
      for (const char *q = line; q < colon; q++) ASSERT(is_tchar((unsigned char)*q));
      for (const char *q = colon + 2; q < eol; q++) ASSERT(*q != '\n' && *q != '\r');
      size_t nl = (size_t)(colon - line);
      const char *v = colon + 2;
      size_t vl = (size_t)(eol - v);
      if (nl == 14 && strncasecmp(line, "content-length", 14) == 0) {
        n_cl++;
        content_length = strtol(v, NULL, 10);
      } else if (nl == 10 && strncasecmp(line, "connection", 10) == 0) {
        close = vl == 5 && strncmp(v, "close", 5) == 0;
      } else if (nl == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
        ASSERT(!"a Transfer-Encoding header went out");
      } else if (nl == 6 && strncmp(line, "X-Echo", 6) == 0) {
        echo_hdr = true;
        head = vl == 4 && strncmp(v, "HEAD", 4) == 0;
      } else if (nl == 10 && strncmp(line, "X-Body-Len", 10) == 0) {
        body_len = strtol(v, NULL, 10);
      }
      line = eol + 2;
    }
    p = eoh + 4;
    if (status < 200) {
      ASSERT(status == 100 && n_cl == 0); /* only 100 Continue is sent */
      continue;
    }
    finals++;
    bool no_body = status == 204 || status == 304;
    ASSERT(no_body ? n_cl == 0 : n_cl == 1);
    size_t blen = no_body || head ? 0 : (size_t)content_length;
    if (!echo_hdr) {
      /* A rejection by the server itself closes the connection, so it is the last thing;
       * its body is left out when the request was known to be a HEAD. */
      ASSERT(close && status >= 400);
      ASSERT(p == end || (size_t)(end - p) == blen);
      break;
    }
    if (!no_body) ASSERT(content_length == body_len);
    ASSERT((size_t)(end - p) >= blen);
    p += blen;
    if (close) ASSERT(p == end);
  }
  return finals;
}

/* ---- one input ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool ready;
  if (!ready) {
    setup();
    ready = true;
  }
  if (size == 0) return 0;
  size_t step = data[0] % 8 == 0 ? size : 1 + data[0] % 61;
  data++;
  size--;

  int sv[2];
  ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
  size_t before = server->nconns;
  isl_http_server_adopt(server, sv[0]);

  isl_buf_t out = {0};
  char tmp[65536];
  size_t sent = 0;
  bool shut = false, eof = false;
  for (long spins = 0; !eof || server->nconns > before; spins++) {
    /* A connection that never closes after the client's EOF is a bug (timers are not
     * needed: every path ends on EOF). */
    ASSERT(spins < 200000);
    if (sent < size) {
      size_t k = size - sent < step ? size - sent : step;
      ssize_t w = write(sv[1], data + sent, k);
      if (w > 0) sent += (size_t)w;
      else if (w < 0 && errno != EAGAIN) sent = size; /* the server closed: stop sending */
    } else if (!shut) {
      shutdown(sv[1], SHUT_WR);
      shut = true;
    }
    uv_run(&loop, UV_RUN_NOWAIT);
    for (;;) {
      ssize_t r = read(sv[1], tmp, sizeof(tmp));
      if (r > 0) {
        isl_buf_append(&out, tmp, (size_t)r);
        continue;
      }
      if (r == 0 || (r < 0 && errno != EAGAIN)) eof = true;
      break;
    }
  }
  close(sv[1]);
  uv_run(&loop, UV_RUN_NOWAIT);
  check_output(out.p ? out.p : "", out.len);
  isl_buf_free(&out);
  return 0;
}
