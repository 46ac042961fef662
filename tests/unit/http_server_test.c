/* The HTTP server over real sockets: the server runs with a small C echo service on its own
 * uv loop in the main thread; a client thread talks raw HTTP/1.1 to it over 127.0.0.1 and
 * finally asks for a graceful shutdown. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/server.h"

static int passed, failed;
static int port;
static uv_loop_t *loop;
static uv_async_t shutdown_async;
static isl_http_server_t *server;
static bool done_called;

#define CHECK(cond, ...)                                            \
  do {                                                              \
    if (cond) {                                                     \
      passed++;                                                     \
    } else {                                                        \
      failed++;                                                     \
      printf("FAIL %s:%d: %s: ", __func__, __LINE__, #cond);        \
      printf(__VA_ARGS__);                                          \
      printf("\n");                                                 \
    }                                                               \
  } while (0)

/* ---- the echo service (loop thread) ---- */

typedef struct {
  uv_timer_t t;
  isl_response_cb cb;
  void *data;
} slow_t;

static void slow_closed(uv_handle_t *h) { free(h); }

static void slow_fire(uv_timer_t *t) {
  slow_t *s = (slow_t *)t;
  s->cb(s->data, isl_response_text(200, "slow done"));
  uv_close((uv_handle_t *)t, slow_closed);
}

static void echo_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  (void)svc;
  if (strstr(req->url, "/slow")) {
    slow_t *s = isl_calloc(1, sizeof(*s));
    s->cb = cb;
    s->data = data;
    uv_timer_init(loop, &s->t);
    uv_timer_start(&s->t, slow_fire, 300, 0);
    isl_request_free(req);
    return;
  }
  if (strstr(req->url, "/nocontent")) {
    cb(data, isl_response_new(204));
    isl_request_free(req);
    return;
  }
  isl_buf_t b = {0};
  const char *xt = isl_headers_get(&req->headers, "x-test");
  isl_buf_printf(&b, "method=%s url=%s x-test=%s nheaders=%zu body=", req->method, req->url,
                 xt ? xt : "(none)", req->headers.n);
  if (req->body) isl_buf_append(&b, req->body->data, req->body->len);
  isl_response_t *res = isl_response_text(200, b.p);
  /* Framing headers a worker might set: the server must replace them. */
  isl_headers_add(&res->headers, "Content-Length", 14, "999", 3);
  isl_headers_add(&res->headers, "Connection", 10, "keep-alive", 10);
  isl_headers_add(&res->headers, "X-Kept", 6, "yes", 3);
  isl_buf_free(&b);
  isl_request_free(req);
  cb(data, res);
}

static isl_service_t echo = {"echo", echo_fetch};

/* ---- client helpers (client thread) ---- */

static int conn_open(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) perror("connect");
  return fd;
}

static void send_str(int fd, const char *s) { send(fd, s, strlen(s), MSG_NOSIGNAL); }

/* Reads until EOF (returns true) or the receive timeout (false). */
static bool read_all(int fd, isl_buf_t *out) {
  char tmp[65536];
  for (;;) {
    ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
    if (n == 0) return true;
    if (n < 0) return false;
    isl_buf_append(out, tmp, (size_t)n);
  }
}

/* Reads one response framed by Content-Length (or none for HEAD/204) into out, using and
 * refilling the connection's leftover buffer. Returns the status or -1. */
static int read_response(int fd, isl_buf_t *left, isl_buf_t *out, bool no_body) {
  char tmp[65536];
  for (;;) {
    char *end = left->p ? strstr(left->p, "\r\n\r\n") : NULL;
    if (end) {
      size_t hlen = (size_t)(end - left->p) + 4;
      size_t blen = 0;
      char *cl = strcasestr(left->p, "\r\nContent-Length: ");
      if (cl && cl < end && !no_body) blen = strtoul(cl + 18, NULL, 10);
      while (left->len < hlen + blen) {
        ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
        if (n <= 0) return -1;
        isl_buf_append(left, tmp, (size_t)n);
      }
      out->len = 0;
      isl_buf_append(out, left->p, hlen + blen);
      memmove(left->p, left->p + hlen + blen, left->len - hlen - blen);
      left->len -= hlen + blen;
      left->p[left->len] = 0;
      return atoi(out->p + 9);
    }
    ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
    if (n <= 0) return -1;
    isl_buf_append(left, tmp, (size_t)n);
  }
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
  return n;
}

/* Sends req, expects exactly one response with `status`, Connection: close, then EOF. */
static void expect_rejected(const char *name, const char *req, int status) {
  int fd = conn_open();
  send_str(fd, req);
  isl_buf_t b = {0};
  bool eof = read_all(fd, &b);
  const char *got = b.p ? b.p : "";
  char line[32];
  snprintf(line, sizeof(line), "HTTP/1.1 %d ", status);
  CHECK(strncmp(got, line, strlen(line)) == 0, "%s: got %.40s", name, got);
  CHECK(strstr(got, "\r\nConnection: close\r\n") != NULL, "%s: no Connection: close", name);
  CHECK(count(got, "HTTP/1.1 ") == 1, "%s: %d responses", name, count(got, "HTTP/1.1 "));
  CHECK(eof, "%s: connection not closed", name);
  isl_buf_free(&b);
  close(fd);
}

/* ---- tests ---- */

static void test_simple_get(void) {
  int fd = conn_open();
  send_str(fd, "GET /x?y=1 HTTP/1.1\r\nHost: a.test\r\nX-Test:  spaced value \t\r\n\r\n");
  isl_buf_t left = {0}, r = {0};
  int st = read_response(fd, &left, &r, false);
  CHECK(st == 200, "status %d", st);
  CHECK(strstr(r.p, "method=GET url=http://a.test/x?y=1 x-test=spaced value nheaders=2 body=") !=
            NULL,
        "%s", r.p);
  CHECK(strstr(r.p, "\r\nDate: ") != NULL, "no Date");
  CHECK(strstr(r.p, "999") == NULL && strstr(r.p, "Connection") == NULL, "%s", r.p);
  CHECK(strstr(r.p, "\r\nX-Kept: yes\r\n") != NULL, "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

static void test_keep_alive(void) {
  int fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200, "first");
  CHECK(strstr(r.p, "url=http://a/one") != NULL, "%s", r.p);
  send_str(fd, "GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200, "second");
  CHECK(strstr(r.p, "url=http://a/two") != NULL, "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

static void test_pipelined_in_order(void) {
  int fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"
               "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
               "GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200 && strstr(r.p, "slow done"), "1: %s", r.p);
  CHECK(read_response(fd, &left, &r, false) == 200 && strstr(r.p, "url=http://a/2") &&
            strstr(r.p, "body=abc"),
        "2: %s", r.p);
  CHECK(read_response(fd, &left, &r, false) == 200 && strstr(r.p, "url=http://a/3") &&
            strstr(r.p, "Connection: close"),
        "3: %s", r.p);
  CHECK(read_all(fd, &left) && left.len == 0, "closed after Connection: close");
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

static void test_chunked_body(void) {
  int fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200, "status");
  CHECK(r.p && strstr(r.p, "body=hello world"), "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

static void test_head(void) {
  int fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /h HTTP/1.1\r\nHost: a\r\n\r\n");
  CHECK(read_response(fd, &left, &r, true) == 200, "head status");
  char *cl = strstr(r.p, "Content-Length: ");
  size_t n = cl ? strtoul(cl + 16, NULL, 10) : 0;
  CHECK(n > 20, "HEAD Content-Length %zu", n);
  CHECK(read_response(fd, &left, &r, false) == 200, "GET after HEAD");
  CHECK(strstr(r.p, "method=GET url=http://a/h"), "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

static void test_no_content(void) {
  int fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "GET /nocontent HTTP/1.1\r\nHost: a\r\n\r\n");
  CHECK(read_response(fd, &left, &r, true) == 204, "status");
  CHECK(strstr(r.p, "Content-Length") == NULL, "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

static void test_expect_continue(void) {
  int fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  char got[64] = {0};
  ssize_t n = recv(fd, got, 25, MSG_WAITALL);
  CHECK(n == 25 && strcmp(got, "HTTP/1.1 100 Continue\r\n\r\n") == 0, "got %s", got);
  send_str(fd, "data");
  CHECK(read_response(fd, &left, &r, false) == 200 && strstr(r.p, "body=data"), "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
  expect_rejected("417", "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", 417);
}

static void test_http10(void) {
  int fd = conn_open();
  isl_buf_t b = {0};
  send_str(fd, "GET /old HTTP/1.0\r\n\r\n");
  CHECK(read_all(fd, &b), "closed");
  CHECK(b.p && strncmp(b.p, "HTTP/1.1 200 ", 13) == 0, "%s", b.p);
  CHECK(b.p && strstr(b.p, "url=http://127.0.0.1:"), "listen address: %s", b.p);
  close(fd);
  fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200, "ka");
  CHECK(strstr(r.p, "\r\nConnection: keep-alive\r\n"), "%s", r.p);
  send_str(fd, "GET /ka2 HTTP/1.0\r\nHost: h\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200 && strstr(r.p, "url=http://h/ka2"), "%s", r.p);
  isl_buf_free(&left);
  isl_buf_free(&r);
  isl_buf_free(&b);
  close(fd);
}

static void test_limits(void) {
  const char *next = "GET /must-not-answer HTTP/1.1\r\nHost: a\r\n\r\n";
  isl_buf_t req = {0};
  isl_buf_printf(&req, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n%s", next);
  expect_rejected("413 content-length", req.p, 413);
  req.len = 0;
  isl_buf_puts(&req, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 6; i++) isl_buf_printf(&req, "C8\r\n%0200d\r\n", 0);
  isl_buf_puts(&req, "0\r\n\r\n");
  expect_rejected("413 chunked", req.p, 413);
  req.len = 0;
  isl_buf_puts(&req, "GET /");
  for (int i = 0; i < 9000; i++) isl_buf_putc(&req, 'a');
  isl_buf_puts(&req, " HTTP/1.1\r\nHost: a\r\n\r\n");
  expect_rejected("414", req.p, 414);
  req.len = 0;
  isl_buf_puts(&req, "GET / HTTP/1.1\r\nHost: a\r\n");
  for (int i = 0; i < 101; i++) isl_buf_printf(&req, "X-%d: v\r\n", i);
  isl_buf_puts(&req, "\r\n");
  expect_rejected("431 count", req.p, 431);
  req.len = 0;
  isl_buf_puts(&req, "GET / HTTP/1.1\r\nHost: a\r\n");
  for (int i = 0; i < 9; i++) {
    isl_buf_printf(&req, "X-%d: ", i);
    for (int j = 0; j < 8000; j++) isl_buf_putc(&req, 'v');
    isl_buf_puts(&req, "\r\n");
  }
  isl_buf_puts(&req, "\r\n");
  expect_rejected("431 size", req.p, 431);
  isl_buf_free(&req);
}

static void test_bad_framing(void) {
  static const char *bad[] = {
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      "GET / HTTP/1.1\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
      "G@T / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.x\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    isl_buf_t req = {0};
    isl_buf_printf(&req, "%sGET /must-not-answer HTTP/1.1\r\nHost: a\r\n\r\n", bad[i]);
    char name[32];
    snprintf(name, sizeof(name), "bad[%zu]", i);
    expect_rejected(name, req.p, 400);
    isl_buf_free(&req);
  }
  expect_rejected("505", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
  expect_rejected("505 minor", "GET / HTTP/1.7\r\nHost: a\r\n\r\n", 505);
}

static void test_header_timeout(void) {
  expect_rejected("408", "GET / HTTP/1.1\r\nHost: a\r\n", 408);
}

static void test_idle_close(void) {
  int fd = conn_open();
  isl_buf_t b = {0};
  CHECK(read_all(fd, &b) && b.len == 0, "idle connection closed silently");
  isl_buf_free(&b);
  close(fd);
}

/* The timer is moved lazily (a deadline later than the one armed waits for the armed one
 * to fire): a keep-alive connection that answered a request whose head took a while is
 * closed at the idle deadline (500 ms after the response), not at the header deadline
 * (300 ms after the head began) that armed the timer first, nor never. */
static void test_idle_after_slow_head(void) {
  int fd = conn_open();
  send_str(fd, "GET / HTTP/1.1\r\n");
  usleep(150000);
  send_str(fd, "Host: a\r\n\r\n");
  isl_buf_t left = {0}, r = {0};
  CHECK(read_response(fd, &left, &r, false) == 200, "answered");
  uint64_t t0 = isl_now_ns();
  struct pollfd p = {fd, POLLIN, 0};
  CHECK(poll(&p, 1, 300) == 0, "still open 300 ms after the response (header deadline passed)");
  isl_buf_t b = {0};
  CHECK(read_all(fd, &b) && b.len == 0, "closed at the idle deadline");
  uint64_t ms = (isl_now_ns() - t0) / 1000000;
  CHECK(ms >= 450 && ms < 2000, "closed %llu ms after the response", (unsigned long long)ms);
  isl_buf_free(&left);
  isl_buf_free(&r);
  isl_buf_free(&b);
  close(fd);
}

/* The client resets the connection while its request is in the service: the connection
 * must wait for the service's answer before it is freed (ASan checks the rest). */
static void test_reset_while_in_service(void) {
  int fd = conn_open();
  send_str(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  usleep(50000);
  struct linger lg = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  close(fd);
  usleep(400000);
  /* The server still serves. */
  fd = conn_open();
  isl_buf_t left = {0}, r = {0};
  send_str(fd, "GET /alive HTTP/1.1\r\nHost: a\r\n\r\n");
  CHECK(read_response(fd, &left, &r, false) == 200, "server alive after reset");
  isl_buf_free(&left);
  isl_buf_free(&r);
  close(fd);
}

/* Half-closing after the request still gets the answer. */
static void test_half_close(void) {
  int fd = conn_open();
  send_str(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n");
  shutdown(fd, SHUT_WR);
  isl_buf_t b = {0};
  CHECK(read_all(fd, &b), "closed");
  CHECK(b.p && count(b.p, "HTTP/1.1 200 ") == 2 && strstr(b.p, "url=http://a/second"), "%s", b.p);
  isl_buf_free(&b);
  close(fd);
}

static void test_graceful_shutdown(void) {
  int idle = conn_open();
  int busy = conn_open();
  send_str(busy, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  usleep(100000);
  uv_async_send(&shutdown_async);
  isl_buf_t b = {0}, i = {0};
  CHECK(read_all(busy, &b), "busy closed");
  CHECK(b.p && strncmp(b.p, "HTTP/1.1 200 ", 13) == 0 && strstr(b.p, "slow done"), "%s", b.p);
  CHECK(b.p && strstr(b.p, "\r\nConnection: close\r\n"), "%s", b.p);
  CHECK(read_all(idle, &i) && i.len == 0, "idle closed");
  isl_buf_free(&b);
  isl_buf_free(&i);
  close(idle);
  close(busy);
}

static void *client_main(void *arg) {
  (void)arg;
  test_simple_get();
  test_keep_alive();
  test_pipelined_in_order();
  test_chunked_body();
  test_head();
  test_no_content();
  test_expect_continue();
  test_http10();
  test_limits();
  test_bad_framing();
  test_header_timeout();
  test_idle_close();
  test_idle_after_slow_head();
  test_reset_while_in_service();
  test_half_close();
  test_graceful_shutdown();
  return NULL;
}

/* Second server, grace 100 ms: a request slower than that is cut off, and its connection
 * outlives the server until the service answers. */
static void *client_grace(void *arg) {
  (void)arg;
  int fd = conn_open();
  send_str(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  usleep(50000);
  uint64_t t0 = isl_now_ns();
  uv_async_send(&shutdown_async);
  isl_buf_t b = {0};
  bool eof = read_all(fd, &b);
  double ms = (double)(isl_now_ns() - t0) / 1e6;
  CHECK(eof && b.len == 0, "cut off without a response: %zu bytes", b.len);
  CHECK(ms > 50 && ms < 250, "closed after %.0f ms", ms);
  isl_buf_free(&b);
  close(fd);
  return NULL;
}

static void on_done(void *data) {
  (void)data;
  done_called = true;
  uv_close((uv_handle_t *)&shutdown_async, NULL);
}

static void on_shutdown_async(uv_async_t *a) {
  (void)a;
  isl_http_server_shutdown(server, on_done, NULL);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  isl_log_level = ISL_LOG_ERROR; /* the grace-period warning is expected */
  loop = uv_default_loop();
  isl_http_limits_t lim;
  isl_http_limits_default(&lim);
  lim.max_body_bytes = 1000;
  lim.header_timeout_ms = 300;
  lim.body_timeout_ms = 300;
  lim.idle_timeout_ms = 500;
  lim.shutdown_grace_ms = 2000;
  char err[256];
  int r = isl_http_server_start(loop, "127.0.0.1", 0, &lim, &echo, &server, err, sizeof(err));
  CHECK(r == 0, "start: %s", err);
  if (r) return 1;
  port = isl_http_server_port(server);
  CHECK(port > 0, "port %d", port);
  uv_async_init(loop, &shutdown_async, on_shutdown_async);
  pthread_t th;
  pthread_create(&th, NULL, client_main, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  pthread_join(th, NULL);
  CHECK(done_called, "shutdown done called");

  done_called = false;
  lim.shutdown_grace_ms = 100;
  r = isl_http_server_start(loop, "127.0.0.1", 0, &lim, &echo, &server, err, sizeof(err));
  CHECK(r == 0, "start: %s", err);
  if (r) return 1;
  port = isl_http_server_port(server);
  uv_async_init(loop, &shutdown_async, on_shutdown_async);
  pthread_create(&th, NULL, client_grace, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  pthread_join(th, NULL);
  CHECK(done_called, "shutdown done called after the grace period");
  CHECK(uv_loop_close(loop) == 0, "loop has no handles left");
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
