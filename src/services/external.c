/* The external service: a minimal HTTP/1.1 client on libuv and llhttp (see external.h).
 *
 * Each request is an xreq_t that owns its handles: a getaddrinfo request, a socket (TCP,
 * or a libuv pipe for a unix socket) and a timer. It answers exactly once (finish), then closes its handles; the struct is
 * freed when the last callback that may still refer to it has run (`pending`). */
#include "external.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <unistd.h>

#include <llhttp.h>

#include "../base/unixaddr.h"

/* A response body larger than this is not buffered: 502. Bodies do not stream yet. */
#define MAX_RESPONSE_BODY ((size_t)256 << 20)
/* A request body is held whole too (it is written with the head). */
#define MAX_REQUEST_BODY ((size_t)256 << 20)

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
  uv_write_t write;
  union { /* the connection: TCP, or a unix socket */
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } sock;
  uv_timer_t timer;
  int pending;      /* callbacks still to come that use this struct */
  bool sock_open;   /* sock initialised and not yet closing */
  bool resolving;   /* the getaddrinfo request is in flight */
  bool answered;
  bool head;        /* a HEAD request: the response has no body */
  isl_buf_t out;    /* the serialised request */
  llhttp_t parser;
  isl_response_t *res;
  isl_buf_t reason, hname, hval, body;
  bool complete;    /* a final (non-1xx) response was parsed */
  isl_response_cb cb;
  void *cb_data;
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
  isl_buf_free(&x->body);
  if (x->res) isl_response_free(x->res);
  free(x);
}

static void on_handle_closed(uv_handle_t *h) {
  xreq_t *x = h->data;
  x->pending--;
  maybe_free(x);
}

/* Answers (once) and starts closing. res is taken. */
static void finish(xreq_t *x, isl_response_t *res) {
  if (x->answered) {
    isl_response_free(res);
    return;
  }
  x->answered = true;
  uv_timer_stop(&x->timer);
  uv_close((uv_handle_t *)&x->timer, on_handle_closed); /* pending counted at init */
  if (x->sock_open) {
    x->sock_open = false;
    uv_close(&x->sock.handle, on_handle_closed);
  }
  /* A resolution in flight reports UV_ECANCELED (or its result) later; either way its
   * callback only drops its count. */
  if (x->resolving) uv_cancel((uv_req_t *)&x->gai);
  isl_response_cb cb = x->cb;
  x->cb = NULL;
  cb(x->cb_data, res);
}

static void bad_gateway(xreq_t *x) {
  finish(x, isl_response_text(502, "Bad Gateway"));
}

static void on_timeout(uv_timer_t *t) {
  finish(t->data, isl_response_text(504, "Gateway Timeout"));
}

/* --- response parsing (llhttp callbacks) --- */

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

static int on_headers_complete(llhttp_t *p) {
  xreq_t *x = of(p);
  if (!x->res) x->res = isl_response_new(0);
  x->res->status = p->status_code;
  if (p->status_code >= 200 && x->head) return 1; /* no body follows */
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
  xreq_t *x = of(p);
  if (x->body.len + n > MAX_RESPONSE_BODY) return -1;
  isl_buf_append(&x->body, at, n);
  return 0;
}

static int on_message_complete(llhttp_t *p) {
  xreq_t *x = of(p);
  if (p->status_code < 200) {
    /* An interim response (100 Continue, 103 Early Hints): the final one follows. */
    if (x->res) isl_response_free(x->res);
    x->res = NULL;
    x->reason.len = x->body.len = 0;
    return 0;
  }
  x->complete = true;
  return HPE_PAUSED;
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

static void deliver(xreq_t *x) {
  isl_response_t *res = x->res;
  x->res = NULL;
  if (x->reason.len) res->status_text = isl_strndup(x->reason.p, x->reason.len);
  if (x->body.len) {
    size_t n = x->body.len;
    res->body = isl_body_new(isl_buf_take(&x->body), n);
  }
  finish(x, res);
}

/* --- the connection --- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  buf->base = isl_malloc(suggested);
  buf->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  xreq_t *x = s->data;
  if (x->answered) {
    free(buf->base);
    return;
  }
  if (nread > 0) {
    llhttp_errno_t e = llhttp_execute(&x->parser, buf->base, (size_t)nread);
    free(buf->base);
    if (x->complete) deliver(x);
    else if (e != HPE_OK) bad_gateway(x);
    return;
  }
  free(buf->base);
  if (nread == 0) return;
  /* EOF ends a body framed by the connection's end; anything else is a broken answer. */
  if (nread == UV_EOF && llhttp_finish(&x->parser) == HPE_OK && x->complete) deliver(x);
  else bad_gateway(x);
}

static void on_written(uv_write_t *w, int status) {
  xreq_t *x = w->data;
  x->pending--;
  if (status < 0 && !x->answered) bad_gateway(x);
  maybe_free(x);
}

/* Connected: the request goes out and the answer is read. */
static void start_exchange(xreq_t *x) {
  uv_buf_t b = uv_buf_init(x->out.p, (unsigned)x->out.len);
  x->write.data = x;
  if (uv_write(&x->write, &x->sock.stream, &b, 1, on_written) < 0) {
    bad_gateway(x);
    return;
  }
  x->pending++;
  if (uv_read_start(&x->sock.stream, on_alloc, on_read) < 0) bad_gateway(x);
}

static void on_connected(uv_connect_t *c, int status) {
  xreq_t *x = c->data;
  x->pending--;
  if (x->answered) {
    maybe_free(x);
    return;
  }
  if (status < 0) {
    bad_gateway(x);
    return;
  }
  start_exchange(x);
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
    bad_gateway(x);
    return;
  }
  uv_pipe_init(x->loop, &x->sock.pipe, 0);
  x->sock.handle.data = x;
  x->sock_open = true;
  x->pending++; /* its close callback */
  if (uv_pipe_open(&x->sock.pipe, fd) < 0) {
    close(fd); /* not the handle's yet */
    bad_gateway(x);
    return;
  }
  start_exchange(x);
}

static void on_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *ai) {
  xreq_t *x = g->data;
  x->pending--;
  x->resolving = false;
  if (x->answered || status < 0) {
    if (ai) uv_freeaddrinfo(ai);
    if (!x->answered) bad_gateway(x);
    maybe_free(x);
    return;
  }
  uv_tcp_init(x->loop, &x->sock.tcp);
  x->sock.handle.data = x;
  x->sock_open = true;
  x->pending++; /* its close callback */
  x->connect.data = x;
  int rc = uv_tcp_connect(&x->connect, &x->sock.tcp, ai->ai_addr, on_connected);
  uv_freeaddrinfo(ai);
  if (rc < 0) {
    bad_gateway(x);
    return;
  }
  x->pending++;
}

/* --- the request --- */

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
  size_t blen = req->body ? req->body->len : 0;
  if (req->body || (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0))
    isl_buf_printf(o, "Content-Length: %zu\r\n", blen);
  isl_buf_puts(o, "Connection: close\r\n\r\n");
  if (blen) isl_buf_append(o, req->body->data, blen);
}

static void external_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb,
                           void *data) {
  external_t *e = (external_t *)svc;
  /* The request is written in one piece: a streamed body is read to the end first, and
   * this is called again with its bytes. */
  if (isl_request_await_body(svc, req, MAX_REQUEST_BODY, cb, data)) return;
  xreq_t *x = isl_calloc(1, sizeof(*x));
  x->loop = e->loop;
  x->cb = cb;
  x->cb_data = data;
  x->head = strcmp(req->method, "HEAD") == 0;
  serialise(e, req, x);
  isl_request_free(req);
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
    bad_gateway(x);
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
