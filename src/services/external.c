/* The external service: a minimal HTTP/1.1 client on libuv and llhttp (see external.h).
 *
 * Each request is an xreq_t that owns its handles: a getaddrinfo request, a socket (TCP,
 * or a libuv pipe for a unix socket) and a timer. It answers exactly once (answer), as soon as the response's head has
 * arrived, and closes its handles when the exchange is over (xclose); the struct is freed
 * when the last thing that may still refer to it is gone (`pending`: handle closes,
 * callbacks to come, the reading of the request body, the response body's source).
 *
 * Bodies stream both ways with back-pressure (message.h's streaming bodies):
 * - A request body that is a stream is read once the head is written, each chunk written
 *   as it comes (as is under Content-Length, framed as a chunk when the length is
 *   unknown); the body is paused while the socket holds XT_HIGH_WATER unsent bytes and
 *   resumed below half of it.
 * - The response body is a stream fed by llhttp's on_body; when its reader pauses, the
 *   socket is not read until it flows again (a read already in hand is kept by the body).
 *   A reader that gives up closes the connection, which the backend sees.
 * The timer watches the backend: no byte read and no write completed for
 * ISL_EXTERNAL_TIMEOUT_MS while islet waits on it (not while a body's other side sets
 * the pace) ends the exchange: 504 before the head, a failed body after it. */
#include "external.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <unistd.h>

#include <llhttp.h>

#include "../base/unixaddr.h"

/* Unsent request bytes on the socket before the request body is paused. */
#define XT_HIGH_WATER (64 * 1024)

typedef struct {
  isl_service_t svc; /* first: the service pointer is the struct's */
  uv_loop_t *loop;
  char *name;
  char *host; /* for getaddrinfo: without brackets; "localhost" for a unix socket */
  char *port; /* NULL for a unix socket */
  isl_unixaddr_t unix_addr; /* when port is NULL */
  bool proxy_style;
  char *fwd_proto;
} external_t;

typedef struct {
  uv_loop_t *loop;
  uv_getaddrinfo_t gai;
  uv_connect_t connect;
  union { /* the connection: TCP, or a unix socket */
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } sock;
  uv_timer_t timer;
  int pending;      /* see the top of the file */
  bool sock_open;   /* sock initialised and not yet closing */
  bool resolving;   /* the getaddrinfo request is in flight */
  bool closed;      /* xclose ran: nothing more happens */
  bool head;        /* a HEAD request: the response has no body */
  bool reading;     /* the socket is being read */
  isl_buf_t out;    /* the serialised head (and a body of complete bytes) */
  llhttp_t parser;
  isl_response_t *res; /* being parsed, until answered */
  isl_buf_t reason, hname, hval;
  bool head_done;   /* the final response's head is parsed: answer it */
  bool complete;    /* the final response is complete */
  bool stop;        /* the response body's reader gave up inside a push */
  isl_response_cb cb; /* NULL once answered */
  void *cb_data;
  isl_cancel_t *cancel;
  /* The request body, when it is a stream. */
  isl_body_t *up_body;  /* a reference, until freed */
  bool up_reading;      /* its reading started and has not ended or been canceled */
  bool up_chunked;      /* its length is unknown: chunked transfer coding */
  bool up_paused;       /* the socket is behind: the body was paused */
  int writes;           /* writes libuv still holds */
  /* The response body's source handle; NULL once ended or canceled. */
  isl_body_t *down;
  bool down_paused;     /* its reader wants no more for now: the socket is not read */
} xreq_t;

static bool is_hop_by_hop(const char *n) {
  return strcasecmp(n, "connection") == 0 || strcasecmp(n, "keep-alive") == 0 ||
         strcasecmp(n, "transfer-encoding") == 0 || strcasecmp(n, "te") == 0 ||
         strcasecmp(n, "upgrade") == 0 || strncasecmp(n, "proxy-", 6) == 0;
}

static void maybe_free(xreq_t *x) {
  if (x->pending > 0) return;
  isl_buf_free(&x->out);
  isl_buf_free(&x->reason);
  isl_buf_free(&x->hname);
  isl_buf_free(&x->hval);
  isl_response_free(x->res);
  isl_body_unref(x->up_body);
  free(x);
}

static void drop(xreq_t *x) {
  x->pending--;
  maybe_free(x);
}

static void on_handle_closed(uv_handle_t *h) { drop(h->data); }

static void answer(xreq_t *x, isl_response_t *res) {
  isl_response_cb cb = x->cb;
  x->cb = NULL;
  cb(x->cb_data, res);
}

static void on_timeout(uv_timer_t *t);

/* The backend made progress (or islet waits on it again): the timer starts over, unless
 * the other side of a body sets the pace now (the response's reader has paused it, or
 * everything of the request body so far is sent and its producer is due). */
static void touch(xreq_t *x) {
  if (x->closed) return;
  bool waits_on_reader = x->cb == NULL && x->down && x->down_paused;
  bool waits_on_producer = x->cb && x->up_reading && !x->up_paused && x->writes == 0;
  if (waits_on_reader || waits_on_producer) uv_timer_stop(&x->timer);
  else uv_timer_start(&x->timer, on_timeout, ISL_EXTERNAL_TIMEOUT_MS, 0);
}

/* The exchange is over: closes the handles, stops reading the request body and ends the
 * response body (with error, or complete when error is NULL). Does not answer. */
static void xclose(xreq_t *x, const char *error) {
  if (x->closed) return;
  x->closed = true;
  if (x->cancel) {
    isl_cancel_on(x->cancel, NULL, NULL);
    isl_cancel_unref(x->cancel);
    x->cancel = NULL;
  }
  uv_timer_stop(&x->timer);
  uv_close((uv_handle_t *)&x->timer, on_handle_closed); /* pending counted at init */
  if (x->sock_open) {
    x->sock_open = false;
    uv_close(&x->sock.handle, on_handle_closed);
  }
  /* A resolution in flight reports UV_ECANCELED (or its result) later; either way its
   * callback only drops its count. */
  if (x->resolving) uv_cancel((uv_req_t *)&x->gai);
  x->pending++; /* x outlives the calls below, which may come back here */
  if (x->up_reading) {
    x->up_reading = false;
    isl_body_cancel(x->up_body, error ? error : "the backend's response is complete");
    x->pending--; /* the reading's */
  }
  if (x->down) {
    isl_body_t *b = x->down;
    x->down = NULL;
    isl_body_end(b, error);
    x->pending--; /* the source's */
  }
  drop(x);
}

/* Ends the exchange with a failure: the caller gets res (502, 504, a network error) if it
 * has no answer yet, and the response body, if it had one, ends with why. */
static void fail(xreq_t *x, isl_response_t *res, const char *why) {
  if (x->cb) {
    answer(x, res);
  } else {
    isl_response_free(res);
  }
  xclose(x, why);
}

static void bad_gateway(xreq_t *x, const char *why) {
  fail(x, isl_response_text(502, "Bad Gateway"), why);
}

static void on_timeout(uv_timer_t *t) {
  xreq_t *x = t->data;
  fail(x, isl_response_text(504, "Gateway Timeout"), "the backend stopped sending");
}

static void on_cancel(void *data) {
  xreq_t *x = data;
  fail(x, isl_response_network_error("The operation was aborted"), "The operation was aborted");
}

/* ---- writing ---------------------------------------------------------------------------- */

typedef struct {
  uv_write_t req;
  xreq_t *x;
  char data[];
} xwrite_t;

static void on_written(uv_write_t *w, int status) {
  xwrite_t *xw = (xwrite_t *)w;
  xreq_t *x = xw->x;
  free(xw);
  x->writes--;
  if (!x->closed) {
    if (status < 0) {
      /* The backend stopped reading: the rest of the request body is not sent, but its
       * answer (a 413, say) may still come, or the connection's end. */
      if (x->up_reading) {
        x->up_reading = false;
        isl_body_cancel(x->up_body, "the backend closed the connection");
        x->pending--;
      }
    } else {
      touch(x);
      if (x->up_paused && x->sock.stream.write_queue_size < XT_HIGH_WATER / 2) {
        x->up_paused = false;
        isl_body_resume(x->up_body);
      }
    }
  }
  drop(x);
}

/* Writes bufs after whatever is queued: at once when the socket takes them, the rest
 * copied into a write request. false: the connection failed. */
static bool xwrite(xreq_t *x, const uv_buf_t *bufs, unsigned nbufs) {
  size_t total = 0, skip = 0;
  for (unsigned i = 0; i < nbufs; i++) total += bufs[i].len;
  if (x->writes == 0) {
    int n = uv_try_write(&x->sock.stream, bufs, nbufs);
    if (n < 0 && n != UV_EAGAIN) return false;
    if (n > 0) skip = (size_t)n;
    if (skip == total) return true;
  }
  xwrite_t *w = isl_malloc(sizeof(*w) + (total - skip));
  w->x = x;
  size_t len = 0;
  for (unsigned i = 0; i < nbufs; i++) {
    if (skip >= bufs[i].len) {
      skip -= bufs[i].len;
      continue;
    }
    memcpy(w->data + len, bufs[i].base + skip, bufs[i].len - skip);
    len += bufs[i].len - skip;
    skip = 0;
  }
  uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
  if (uv_write(&w->req, &x->sock.stream, &b, 1, on_written) < 0) {
    free(w);
    return false;
  }
  x->writes++;
  x->pending++;
  return true;
}

/* ---- the request body, when it is a stream ----------------------------------------------- */

static bool up_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  (void)b;
  xreq_t *x = data;
  char size[24];
  uv_buf_t bufs[3];
  unsigned nb = 0;
  if (x->up_chunked) {
    int k = snprintf(size, sizeof(size), "%zx\r\n", n);
    bufs[nb++] = uv_buf_init(size, (unsigned)k);
  }
  bufs[nb++] = uv_buf_init((char *)p, (unsigned)n);
  if (x->up_chunked) bufs[nb++] = uv_buf_init("\r\n", 2);
  if (!xwrite(x, bufs, nb)) {
    bad_gateway(x, "the connection to the backend failed"); /* cancels the body */
    return false;
  }
  touch(x);
  x->up_paused = x->sock.stream.write_queue_size >= XT_HIGH_WATER;
  return !x->up_paused;
}

static void up_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  xreq_t *x = data;
  x->up_reading = false;
  if (error) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "the request body failed: %s", error);
    fail(x, isl_response_network_error(m.p), m.p);
    isl_buf_free(&m);
  } else if (x->up_chunked && !x->closed) {
    uv_buf_t last = uv_buf_init("0\r\n\r\n", 5);
    if (!xwrite(x, &last, 1)) bad_gateway(x, "the connection to the backend failed");
  }
  drop(x); /* the reading's */
}

static const isl_body_sink_t up_sink = {.chunk = up_chunk, .end = up_end};

/* ---- the response body -------------------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void start_reading(xreq_t *x) {
  if (x->reading || !x->sock_open) return;
  if (uv_read_start(&x->sock.stream, on_alloc, on_read) == 0) x->reading = true;
}

static void stop_reading(xreq_t *x) {
  if (!x->reading) return;
  uv_read_stop(&x->sock.stream);
  x->reading = false;
}

static void down_flow(isl_body_t *b, void *data) {
  (void)b;
  xreq_t *x = data;
  if (!x->down_paused) return;
  x->down_paused = false;
  start_reading(x);
  touch(x);
}

static void down_cancel(isl_body_t *b, void *data, const char *reason) {
  (void)b, (void)reason;
  xreq_t *x = data;
  x->down = NULL;
  xclose(x, NULL); /* the connection's end tells the backend */
  drop(x);         /* the source's */
}

static const isl_body_source_t down_source = {.flow = down_flow, .cancel = down_cancel};

/* ---- response parsing (llhttp callbacks) -------------------------------------------------- */

static xreq_t *of(llhttp_t *p) { return p->data; }

static int on_status(llhttp_t *p, const char *at, size_t n) {
  isl_buf_append(&of(p)->reason, at, n);
  return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t n) {
  isl_buf_append(&of(p)->hname, at, n);
  return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t n) {
  isl_buf_append(&of(p)->hval, at, n);
  return 0;
}

static int on_header_value_complete(llhttp_t *p) {
  xreq_t *x = of(p);
  if (!x->res) x->res = isl_response_new(0);
  if (x->hname.len && !is_hop_by_hop(x->hname.p))
    isl_headers_add_trimmed(&x->res->headers, x->hname.p, x->hname.len, x->hval.p, x->hval.len);
  x->hname.len = x->hval.len = 0;
  return 0;
}

static bool no_body_status(int s) { return s == 204 || s == 304; }

/* The final response's head: it is answered (after llhttp_execute returns) with a
 * streaming body that on_body feeds. */
static int on_headers_complete(llhttp_t *p) {
  xreq_t *x = of(p);
  if (!x->res) x->res = isl_response_new(0);
  x->res->status = p->status_code;
  if (p->status_code < 200) return 0; /* interim: the final one follows */
  isl_response_t *res = x->res;
  if (x->reason.len) res->status_text = isl_strndup(x->reason.p, x->reason.len);
  x->head_done = true;
  if (x->head || no_body_status(p->status_code)) return x->head ? 1 : 0; /* no body follows */
  int64_t len = (p->flags & F_CONTENT_LENGTH) && !(p->flags & F_CHUNKED)
                    ? (int64_t)p->content_length
                    : ISL_BODY_LENGTH_UNKNOWN;
  x->pending++; /* the source's */
  x->down = res->body = isl_body_stream_new(&down_source, x, len);
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
  xreq_t *x = of(p);
  if (!x->down) return 0; /* interim responses have none; a canceled body is dropped */
  isl_push_t r = isl_body_push(x->down, at, n);
  if (r == ISL_PUSH_CANCELED) {
    x->down = NULL;
    x->pending--; /* canceled inside the push: no cancel() comes */
    x->stop = true;
    return HPE_USER;
  }
  if (r == ISL_PUSH_PAUSE && !x->down_paused) {
    /* What this read still holds is kept by the body; the socket waits. */
    x->down_paused = true;
    stop_reading(x);
  }
  return 0;
}

static int on_message_complete(llhttp_t *p) {
  xreq_t *x = of(p);
  if (p->status_code < 200) {
    /* An interim response (100 Continue, 103 Early Hints): the final one follows. */
    isl_response_free(x->res);
    x->res = NULL;
    x->reason.len = 0;
    return 0;
  }
  x->complete = true;
  return HPE_PAUSED; /* nothing after it is read (Connection: close) */
}

static const llhttp_settings_t parser_settings = {
    .on_status = on_status,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- the connection --------------------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  buf->base = isl_malloc(suggested);
  buf->len = suggested;
}

/* After parsing: answers a head that arrived, ends a complete response. */
static void after_parse(xreq_t *x, llhttp_errno_t e) {
  if (x->head_done && x->cb) {
    isl_response_t *res = x->res;
    x->res = NULL;
    answer(x, res); /* may cancel the body, and so close, before it returns */
  }
  if (x->closed) return;
  if (x->stop) {
    xclose(x, NULL);
  } else if (x->complete) {
    xclose(x, NULL); /* the body is complete */
  } else if (e != HPE_OK) {
    bad_gateway(x, "the backend's response is not valid HTTP/1.1");
  }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  xreq_t *x = s->data;
  if (x->closed || nread == 0) {
    free(buf->base);
    return;
  }
  x->pending++; /* x outlives what answering and pushing may do */
  if (nread > 0) {
    touch(x);
    llhttp_errno_t e = llhttp_execute(&x->parser, buf->base, (size_t)nread);
    free(buf->base);
    after_parse(x, e);
  } else {
    free(buf->base);
    /* EOF ends a body framed by the connection's end; anything else is a broken answer. */
    llhttp_errno_t e = nread == UV_EOF ? llhttp_finish(&x->parser) : HPE_USER;
    if (e == HPE_OK && x->complete) after_parse(x, e);
    else if (x->head_done && !x->cb && !x->complete)
      xclose(x, "the backend closed the connection before the response was complete");
    else bad_gateway(x, "the backend closed the connection");
  }
  drop(x);
}

static void start_request_body(xreq_t *x) {
  if (!x->up_body) return;
  x->up_reading = true;
  x->pending++; /* the reading's */
  if (!isl_body_read(x->up_body, &up_sink, x)) {
    x->up_reading = false;
    x->pending--;
    fail(x, isl_response_network_error("the request body was already read"),
         "the request body was already read");
  }
}

/* Connected: the head goes out, the answer is read, and a streamed request body follows
 * the head. */
static void start_exchange(xreq_t *x) {
  uv_buf_t b = uv_buf_init(x->out.p, (unsigned)x->out.len);
  if (!xwrite(x, &b, 1)) {
    bad_gateway(x, "the connection to the backend failed");
    return;
  }
  isl_buf_free(&x->out);
  start_reading(x);
  if (!x->reading) bad_gateway(x, "the connection to the backend failed");
  else start_request_body(x);
}

static void on_connected(uv_connect_t *c, int status) {
  xreq_t *x = c->data;
  if (!x->closed) {
    if (status < 0) bad_gateway(x, "cannot connect to the backend");
    else start_exchange(x);
  }
  drop(x);
}

/* A unix socket is connected here and handed to libuv: connect() on a unix socket does
 * not wait for the peer (it fails at once when nobody listens, or with EAGAIN when the
 * listener's backlog is full), and libuv 1.44's uv_pipe_connect cannot name an abstract
 * socket. A failure is answered at once, as a failed DNS lookup start is. */
static void connect_unix(xreq_t *x, const isl_unixaddr_t *a) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (const struct sockaddr *)&a->sa, a->len) < 0) {
    isl_log(ISL_LOG_DEBUG, "external: cannot connect to %s%s: %s", a->abstract ? "@" : "",
            a->sa.sun_path + (a->abstract ? 1 : 0), strerror(errno));
    if (fd >= 0) close(fd);
    bad_gateway(x, "cannot connect to the backend");
    return;
  }
  uv_pipe_init(x->loop, &x->sock.pipe, 0);
  x->sock.handle.data = x;
  x->sock_open = true;
  x->pending++; /* its close callback */
  if (uv_pipe_open(&x->sock.pipe, fd) < 0) {
    close(fd); /* not the handle's yet */
    bad_gateway(x, "cannot connect to the backend");
    return;
  }
  x->pending++; /* x outlives what starting may do */
  start_exchange(x);
  drop(x);
}

static void on_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *ai) {
  xreq_t *x = g->data;
  x->resolving = false;
  if (x->closed || status < 0) {
    if (ai) uv_freeaddrinfo(ai);
    if (!x->closed) bad_gateway(x, "cannot resolve the backend's address");
    drop(x);
    return;
  }
  uv_tcp_init(x->loop, &x->sock.tcp);
  x->sock.handle.data = x;
  x->sock_open = true;
  x->pending++; /* its close callback */
  x->connect.data = x;
  int rc = uv_tcp_connect(&x->connect, &x->sock.tcp, ai->ai_addr, on_connected);
  uv_freeaddrinfo(ai);
  if (rc < 0) bad_gateway(x, "cannot connect to the backend");
  else x->pending++;
  drop(x); /* the resolution's */
}

/* ---- the request ------------------------------------------------------------------------ */

/* Splits an absolute URL into its authority (without userinfo) and its path and query
 * (without the fragment). False if it is not of the form scheme://authority… */
static bool split_url(const char *url, isl_span_t *scheme, isl_span_t *authority,
                      isl_span_t *target) {
  const char *sep = strstr(url, "://");
  if (!sep) return false;
  *scheme = ISL_SPAN(url, (size_t)(sep - url));
  const char *a = sep + 3;
  size_t alen = strcspn(a, "/?#");
  const char *at = memchr(a, '@', alen);
  while (at) { /* the last '@' ends the userinfo */
    const char *next = memchr(at + 1, '@', alen - (size_t)(at + 1 - a));
    if (!next) break;
    at = next;
  }
  *authority = at ? ISL_SPAN(at + 1, alen - (size_t)(at + 1 - a)) : ISL_SPAN(a, alen);
  const char *t = a + alen;
  *target = ISL_SPAN(t, strcspn(t, "#"));
  return authority->len > 0;
}

static bool header_ok(const char *s) { return !strpbrk(s, "\r\n"); }

/* The request head into x->out; a body of complete bytes follows it there, a stream's
 * framing is announced (Content-Length when its length is known, else chunked). */
static void serialise(external_t *e, const isl_request_t *req, xreq_t *x) {
  isl_span_t scheme = {0}, authority = {0}, target = {0};
  isl_buf_t *o = &x->out;
  bool absolute = split_url(req->url, &scheme, &authority, &target);
  isl_buf_puts(o, req->method);
  isl_buf_putc(o, ' ');
  if (!absolute) {
    isl_buf_puts(o, "/");
  } else if (e->proxy_style) {
    isl_buf_append(o, req->url, (size_t)(target.p + target.len - req->url));
  } else if (target.len == 0 || target.p[0] != '/') {
    isl_buf_putc(o, '/');
    isl_buf_append(o, target.p, target.len);
  } else {
    isl_buf_append(o, target.p, target.len);
  }
  isl_buf_puts(o, " HTTP/1.1\r\nHost: ");
  if (absolute) isl_buf_append(o, authority.p, authority.len);
  else isl_buf_puts(o, e->host);
  isl_buf_puts(o, "\r\n");
  for (size_t i = 0; i < req->headers.n; i++) {
    const isl_header_t *h = &req->headers.v[i];
    if (is_hop_by_hop(h->name) || strcasecmp(h->name, "host") == 0 ||
        strcasecmp(h->name, "content-length") == 0)
      continue;
    if (e->fwd_proto && strcasecmp(h->name, e->fwd_proto) == 0) continue;
    if (!header_ok(h->name) || !header_ok(h->value)) continue;
    isl_buf_printf(o, "%s: %s\r\n", h->name, h->value);
  }
  if (e->fwd_proto && absolute)
    isl_buf_printf(o, "%s: %.*s\r\n", e->fwd_proto, (int)scheme.len, scheme.p);
  isl_body_t *b = req->body;
  int64_t len = isl_body_length(b);
  if (isl_body_is_stream(b) && len < 0)
    isl_buf_puts(o, "Transfer-Encoding: chunked\r\n");
  else if (b || (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0))
    isl_buf_printf(o, "Content-Length: %lld\r\n", (long long)len);
  isl_buf_puts(o, "Connection: close\r\n\r\n");
  if (b && !isl_body_is_stream(b) && b->len) isl_buf_append(o, b->data, b->len);
}

static void external_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb,
                           void *data) {
  external_t *e = (external_t *)svc;
  if (req->cancel && req->cancel->fired) {
    isl_request_free(req);
    cb(data, isl_response_network_error("The operation was aborted"));
    return;
  }
  xreq_t *x = isl_calloc(1, sizeof(*x));
  x->loop = e->loop;
  x->cb = cb;
  x->cb_data = data;
  x->head = strcmp(req->method, "HEAD") == 0;
  serialise(e, req, x);
  if (isl_body_is_stream(req->body)) {
    x->up_body = req->body;
    req->body = NULL;
    x->up_chunked = isl_body_length(x->up_body) < 0;
  }
  x->cancel = req->cancel;
  req->cancel = NULL;
  isl_request_free(req);
  if (x->cancel) isl_cancel_on(x->cancel, on_cancel, x);
  llhttp_init(&x->parser, HTTP_RESPONSE, &parser_settings);
  x->parser.data = x;
  uv_timer_init(x->loop, &x->timer);
  x->timer.data = x;
  x->pending++; /* the timer's close callback */
  uv_timer_start(&x->timer, on_timeout, ISL_EXTERNAL_TIMEOUT_MS, 0);
  if (!e->port) {
    connect_unix(x, &e->unix_addr);
    return;
  }
  x->gai.data = x;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  if (uv_getaddrinfo(x->loop, &x->gai, on_resolved, e->host, e->port, &hints) < 0) {
    bad_gateway(x, "cannot resolve the backend's address");
    return;
  }
  x->pending++;
  x->resolving = true;
}

static external_t *external_alloc(uv_loop_t *loop, const isl_external_config_t *cfg) {
  external_t *e = isl_calloc(1, sizeof(*e));
  e->svc.fetch = external_fetch;
  e->loop = loop;
  e->name = isl_strdup(cfg->name);
  e->svc.name = e->name;
  e->proxy_style = cfg->proxy_style;
  e->fwd_proto = cfg->forwarded_proto_header ? isl_strdup(cfg->forwarded_proto_header) : NULL;
  return e;
}

isl_service_t *isl_external_new(uv_loop_t *loop, const isl_external_config_t *cfg,
                                isl_buf_t *err) {
  const char *a = cfg->address ? cfg->address : "";
  if (isl_unixaddr_is(a)) {
    isl_unixaddr_t ua;
    char msg[256];
    if (!isl_unixaddr_parse(a, &ua, msg, sizeof(msg))) {
      isl_buf_printf(err, "service '%s': cannot use external address %s", cfg->name, msg);
      return NULL;
    }
    external_t *e = external_alloc(loop, cfg);
    e->unix_addr = ua;
    /* A request without an absolute URL (there is none today) would say Host: localhost. */
    e->host = isl_strdup("localhost");
    return &e->svc;
  }
  const char *colon = strrchr(a, ':');
  const char *h = a;
  size_t hl = colon ? (size_t)(colon - a) : 0;
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h++;
    hl -= 2;
  }
  char *end = NULL;
  long port = colon ? strtol(colon + 1, &end, 10) : -1;
  if (!colon || hl == 0 || !end || *end || end == colon + 1 || port < 1 || port > 65535) {
    isl_buf_printf(err, "service '%s': cannot use external address '%s' (expected host:port, "
                        "[v6]:port, unix:PATH or unix-abstract:NAME)", cfg->name, a);
    return NULL;
  }
  external_t *e = external_alloc(loop, cfg);
  e->host = isl_strndup(h, hl);
  e->port = isl_strdup(colon + 1);
  return &e->svc;
}

void isl_external_free(isl_service_t *svc) {
  if (!svc) return;
  external_t *e = (external_t *)svc;
  free(e->name);
  free(e->host);
  free(e->port);
  free(e->fwd_proto);
  free(e);
}
