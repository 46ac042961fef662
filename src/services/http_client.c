/* The outbound HTTP client on libcurl's multi-socket interface and libuv (see
 * http_client.h).
 *
 * How curl and libuv meet: curl tells us which sockets to watch (on_socket: one uv_poll_t
 * per socket, a sock_t remembered by curl_multi_assign) and when it next needs to be
 * called (on_timer_set: one uv_timer_t). When a socket is ready or the timer fires we hand
 * it to curl_multi_socket_action, then collect the transfers that finished
 * (collect_done). curl calls back into us only from inside curl_multi_* calls, and we
 * never call a sink's done() from inside those: done() may start or cancel transfers.
 *
 * A transfer owns its easy handle, its header list and the response being parsed. Its
 * sink sees the head when the final response's header block ends, then body chunks (through
 * a decoder when the response has a Content-Encoding islet decodes), then done(). */
#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl_dl.h"

#include "decode.h"

typedef struct sock sock_t;

/* Finished transfers' easy handles kept for reuse, per client. */
#define ISL_HTTP_SPARE_EASY 32

struct isl_http_client {
  uv_loop_t *loop;
  char *name;
  isl_http_allow_fn allow;
  void *allow_data;
  CURLM *multi;
  uv_timer_t timer;
  sock_t *socks;                 /* every watched socket */
  isl_http_transfer_t *transfers; /* every transfer in flight */
  bool closing;
  /* Easy handles of finished transfers, reset for the next ones: making one is a large
   * allocation and much initialisation, on every request. */
  CURL *spare[ISL_HTTP_SPARE_EASY];
  int nspare;
};

struct sock {
  uv_poll_t poll;
  curl_socket_t fd;
  isl_http_client_t *c;
  sock_t *prev, *next;
};

struct isl_http_transfer {
  isl_http_client_t *c;
  CURL *easy;
  struct curl_slist *req_headers;
  char *url;  /* for messages */
  char *host; /* its host, made from url when a message needs it */
  char errbuf[CURL_ERROR_SIZE];
  const isl_http_source_t *source;
  void *source_data;
  const isl_http_sink_t *sink;
  void *sink_data;
  bool raw_encoding;
  /* The response being parsed. */
  int status;
  isl_buf_t reason;
  isl_headers_t headers;
  bool head_sent;
  isl_decoder_t *decoder;
  const char *decode_error; /* static */
  bool sink_stopped;
  bool pause_recv; /* the sink asked for no more body for now */
  bool curl_paused; /* a callback answered curl "pause": only then is resuming needed */
  /* Connection attempts, for messages: the last address tried, and the policy's verdicts. */
  char last_addr[INET6_ADDRSTRLEN + 16];
  char refused_addr[INET6_ADDRSTRLEN];
  int nrefused, nallowed;
  isl_http_transfer_t *prev, *next;
};

/* curl's receive buffer per transfer (its default is 16 KiB), and its send buffer for a
 * request body (64 KiB): larger reads and writes mean fewer system calls and fewer,
 * larger chunks; only the pages a transfer fills are ever touched. */
#define ISL_HTTP_RECV_BUFFER (128 * 1024)

static int clients_alive; /* curl_global_init once for the first, cleanup after the last */

/* ---- socket and timer plumbing -------------------------------------------------------- */

static void collect_done(isl_http_client_t *c);

static void on_sock_closed(uv_handle_t *h) { free(h->data); }

static void sock_close(isl_http_client_t *c, sock_t *k) {
  if (k->prev) k->prev->next = k->next;
  else c->socks = k->next;
  if (k->next) k->next->prev = k->prev;
  uv_poll_stop(&k->poll);
  uv_close((uv_handle_t *)&k->poll, on_sock_closed);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  sock_t *k = p->data;
  isl_http_client_t *c = k->c;
  int flags = 0;
  if (status < 0) flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  int running;
  curl_multi_socket_action(c->multi, k->fd, flags, &running); /* k may be closing after */
  collect_done(c);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
  (void)easy;
  isl_http_client_t *c = userp;
  sock_t *k = socketp;
  if (what == CURL_POLL_REMOVE) {
    if (k) {
      sock_close(c, k);
      curl_multi_assign(c->multi, fd, NULL);
    }
    return 0;
  }
  if (c->closing) return 0;
  if (!k) {
    k = isl_calloc(1, sizeof(*k));
    if (uv_poll_init_socket(c->loop, &k->poll, fd) < 0) {
      free(k);
      return -1; /* curl fails the transfer */
    }
    k->fd = fd;
    k->c = c;
    k->poll.data = k;
    k->next = c->socks;
    if (c->socks) c->socks->prev = k;
    c->socks = k;
    curl_multi_assign(c->multi, fd, k);
  }
  int ev = 0;
  if (what & CURL_POLL_IN) ev |= UV_READABLE;
  if (what & CURL_POLL_OUT) ev |= UV_WRITABLE;
  uv_poll_start(&k->poll, ev, on_poll);
  return 0;
}

static void on_timer(uv_timer_t *t) {
  isl_http_client_t *c = t->data;
  int running;
  curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  collect_done(c);
}

static int on_timer_set(CURLM *multi, long timeout_ms, void *userp) {
  (void)multi;
  isl_http_client_t *c = userp;
  if (timeout_ms < 0) uv_timer_stop(&c->timer);
  else uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0); /* 0: next loop turn */
  return 0;
}

/* The timer keeps the loop alive only while transfers are in flight (a DNS lookup has no
 * socket to watch yet); pooled idle connections must not keep a finished program
 * running. */
static void update_loop_ref(isl_http_client_t *c) {
  if (c->transfers) uv_ref((uv_handle_t *)&c->timer);
  else uv_unref((uv_handle_t *)&c->timer);
}

/* ---- the policy check: curl asks us for each socket it connects ---------------------- */

static void format_addr(const struct sockaddr *sa, char *ip, size_t iplen, int *port) {
  ip[0] = 0;
  *port = 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &in->sin_addr, ip, (socklen_t)iplen);
    *port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)iplen);
    *port = ntohs(in6->sin6_port);
  }
}

static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
                                    struct curl_sockaddr *a) {
  isl_http_transfer_t *t = clientp;
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  char ip[INET6_ADDRSTRLEN];
  int port;
  format_addr(&a->addr, ip, sizeof(ip), &port);
  snprintf(t->last_addr, sizeof(t->last_addr), a->family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip,
           port);
  if (t->c->allow && !t->c->allow(t->c->allow_data, &a->addr)) {
    if (t->nrefused++ == 0) snprintf(t->refused_addr, sizeof(t->refused_addr), "%s", ip);
    return CURL_SOCKET_BAD;
  }
  t->nallowed++;
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- the response ----------------------------------------------------------------------- */

static bool is_hop_by_hop(const char *n) {
  return strcasecmp(n, "connection") == 0 || strcasecmp(n, "keep-alive") == 0 ||
         strcasecmp(n, "transfer-encoding") == 0 || strcasecmp(n, "te") == 0 ||
         strcasecmp(n, "upgrade") == 0 || strcasecmp(n, "trailer") == 0 ||
         strncasecmp(n, "proxy-", 6) == 0;
}

/* "HTTP/1.1 200 OK", "HTTP/2 404": starts a new response (an interim one may have come
 * first). */
static void parse_status_line(isl_http_transfer_t *t, const char *p, size_t n) {
  isl_headers_dispose(&t->headers);
  t->reason.len = 0;
  t->status = 0;
  const char *sp = memchr(p, ' ', n);
  if (!sp) return;
  size_t rest = n - (size_t)(sp + 1 - p);
  const char *s = sp + 1;
  if (rest < 3) return;
  t->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  if (rest > 4 && s[3] == ' ') isl_buf_append(&t->reason, s + 4, rest - 4);
}

static void add_header_line(isl_http_transfer_t *t, const char *p, size_t n) {
  if ((p[0] == ' ' || p[0] == '\t') && t->headers.n) {
    /* obs-fold (RFC 9112 §5.2): the line continues the previous value. */
    isl_header_t *h = &t->headers.v[t->headers.n - 1];
    isl_buf_t v = {0};
    isl_buf_puts(&v, h->value);
    isl_buf_putc(&v, ' ');
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    isl_buf_append(&v, p, n);
    free(h->value);
    h->value = isl_buf_take(&v);
    return;
  }
  const char *colon = memchr(p, ':', n);
  if (!colon || colon == p) return;
  isl_headers_add_trimmed(&t->headers, p, (size_t)(colon - p), colon + 1,
                          n - (size_t)(colon + 1 - p));
}

/* The end of the final response's header block: hand the head to the sink. */
static void send_head(isl_http_transfer_t *t) {
  t->head_sent = true;
  isl_headers_t out = {0};
  const char *coding = isl_headers_get(&t->headers, "content-encoding");
  if (!t->raw_encoding && coding) t->decoder = isl_decoder_new(coding);
  for (size_t i = 0; i < t->headers.n; i++) {
    const isl_header_t *h = &t->headers.v[i];
    if (is_hop_by_hop(h->name)) continue;
    if (t->decoder &&
        (strcasecmp(h->name, "content-encoding") == 0 || strcasecmp(h->name, "content-length") == 0))
      continue;
    isl_headers_add(&out, h->name, strlen(h->name), h->value, strlen(h->value));
  }
  isl_headers_dispose(&t->headers);
  t->sink->head(t->sink_data, t->status, t->reason.p ? t->reason.p : "", &out);
  isl_headers_dispose(&out); /* whatever the sink left */
}

static size_t on_header(char *p, size_t size, size_t nitems, void *data) {
  isl_http_transfer_t *t = data;
  size_t n = size * nitems;
  if (t->head_sent) return n; /* trailers */
  size_t len = n;
  while (len && (p[len - 1] == '\r' || p[len - 1] == '\n')) len--;
  if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) parse_status_line(t, p, len);
  else if (len > 0) add_header_line(t, p, len);
  else if (t->status >= 200) send_head(t); /* the blank line ending a final head */
  return n;
}

static bool emit_chunk(void *data, const char *p, size_t n) {
  isl_http_transfer_t *t = data;
  if (!t->sink->chunk(t->sink_data, p, n)) {
    t->sink_stopped = true;
    return false;
  }
  return true;
}

static size_t on_body(char *p, size_t size, size_t nitems, void *data) {
  isl_http_transfer_t *t = data;
  size_t n = size * nitems;
  if (!t->head_sent) return n; /* cannot happen: curl delivers the head first */
  /* Not taken: curl keeps the bytes (and stops reading the socket) until resumed. */
  if (t->pause_recv) {
    t->curl_paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  bool ok = t->decoder ? isl_decoder_write(t->decoder, p, n, emit_chunk, t, &t->decode_error)
                       : emit_chunk(t, p, n);
  return ok ? n : 0; /* 0: curl stops with CURLE_WRITE_ERROR */
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *data) {
  isl_http_transfer_t *t = data;
  size_t got = t->source->read(t->source_data, buf, size * nitems);
  if (got != ISL_HTTP_READ_PAUSE) return got;
  t->curl_paused = true;
  return CURL_READFUNC_PAUSE;
}

static int on_seek(void *data, curl_off_t offset, int origin) {
  isl_http_transfer_t *t = data;
  if (offset != 0 || origin != SEEK_SET || !t->source->rewind) return CURL_SEEKFUNC_CANTSEEK;
  return t->source->rewind(t->source_data) ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK;
}

/* ---- finishing ------------------------------------------------------------------------- */

static char *host_of(const char *url) {
  CURLU *u = curl_url();
  char *host = NULL;
  char *out = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    out = isl_strdup(host);
    curl_free(host);
  }
  curl_url_cleanup(u);
  return out ? out : isl_strdup("?");
}

/* The request's host, for messages: parsed only when a message needs it (never on the
 * path of a request that succeeds). */
static const char *host(isl_http_transfer_t *t) {
  if (!t->host) t->host = host_of(t->url);
  return t->host;
}

static const char *errno_name(long e) {
  const char *name = e > 0 ? strerrorname_np((int)e) : NULL;
  return name ? name : "ECONNREFUSED";
}

/* The network error for a failed transfer, in words a worker's author can act on. */
static void describe_error(isl_http_transfer_t *t, CURLcode rc, isl_buf_t *m) {
  const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
  long os_errno = 0;
  curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
    isl_buf_printf(m, "DNS lookup failed for %s", host(t));
    break;
  case CURLE_COULDNT_CONNECT:
    if (t->nrefused && !t->nallowed)
      isl_buf_printf(m, "address %s is not allowed by network service '%s'", t->refused_addr,
                     t->c->name);
    else
      isl_buf_printf(m, "connect %s %s", errno_name(os_errno), t->last_addr);
    break;
  case CURLE_OPERATION_TIMEDOUT:
    if (t->last_addr[0] && !t->head_sent)
      isl_buf_printf(m, "connect ETIMEDOUT %s", t->last_addr);
    else
      isl_buf_printf(m, "request to %s timed out: %s", host(t), detail);
    break;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
    isl_buf_printf(m, "TLS connection to %s failed: %s", host(t), detail);
    break;
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    isl_buf_printf(m, "the connection to %s ended before the response was complete (%s)",
                   host(t), detail);
    break;
  case CURLE_SEND_ERROR:
    isl_buf_printf(m, "sending the request to %s failed (%s)", host(t), detail);
    break;
  case CURLE_WRITE_ERROR:
    if (t->decode_error)
      isl_buf_printf(m, "cannot decode the response from %s: %s", host(t), t->decode_error);
    else
      isl_buf_printf(m, "the response from %s was refused", host(t));
    break;
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_UNSUPPORTED_PROTOCOL:
    isl_buf_printf(m, "%s did not answer with HTTP (%s)", host(t), detail);
    break;
  default:
    isl_buf_printf(m, "request to %s failed: %s", host(t), detail);
    break;
  }
}

static void transfer_free(isl_http_transfer_t *t) {
  isl_http_client_t *c = t->c;
  if (c->nspare < ISL_HTTP_SPARE_EASY && !c->closing) {
    curl_easy_reset(t->easy);
    c->spare[c->nspare++] = t->easy;
  } else {
    curl_easy_cleanup(t->easy);
  }
  curl_slist_free_all(t->req_headers);
  isl_decoder_free(t->decoder);
  isl_headers_dispose(&t->headers);
  isl_buf_free(&t->reason);
  free(t->host);
  free(t->url);
  free(t);
}

/* Takes t out of the client, frees it, then tells the sink: the sink may start new
 * transfers or free things that t pointed to. error NULL: compute it from rc. */
static void finish(isl_http_transfer_t *t, CURLcode rc, const char *error) {
  isl_http_client_t *c = t->c;
  curl_multi_remove_handle(c->multi, t->easy);
  if (t->prev) t->prev->next = t->next;
  else c->transfers = t->next;
  if (t->next) t->next->prev = t->prev;
  update_loop_ref(c);
  isl_buf_t m = {0};
  if (error) {
    isl_buf_puts(&m, error);
  } else if (rc == CURLE_OK) {
    const char *derr = NULL;
    if (!t->head_sent)
      isl_buf_printf(&m, "%s sent no response", host(t));
    else if (t->decoder && !isl_decoder_finish(t->decoder, &derr))
      isl_buf_printf(&m, "cannot decode the response from %s: %s", host(t), derr);
  } else {
    describe_error(t, rc, &m);
  }
  const isl_http_sink_t *sink = t->sink;
  void *sink_data = t->sink_data;
  transfer_free(t);
  sink->done(sink_data, m.len ? m.p : NULL);
  isl_buf_free(&m);
}

static void collect_done(isl_http_client_t *c) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(c->multi, &left))) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result;
    isl_http_transfer_t *t = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
    if (t) finish(t, rc, NULL);
  }
}

/* ---- starting --------------------------------------------------------------------------- */

static void add_req_header(isl_http_transfer_t *t, const char *name, const char *value) {
  /* curl's syntax: "Name:" removes a header curl would add, "Name;" sends an empty one. */
  size_t nl = strlen(name), vl = value ? strlen(value) : 0;
  char *line = isl_malloc(nl + vl + 3);
  memcpy(line, name, nl);
  if (!value) {
    memcpy(line + nl, ":", 2);
  } else if (!vl) {
    memcpy(line + nl, ";", 2);
  } else {
    memcpy(line + nl, ": ", 2);
    memcpy(line + nl + 2, value, vl + 1);
  }
  struct curl_slist *l = curl_slist_append(t->req_headers, line);
  ISL_CHECK(l != NULL);
  t->req_headers = l;
  free(line);
}

static void set_headers(isl_http_transfer_t *t, const isl_http_request_t *r, bool sends_body) {
  const isl_headers_t *h = r->headers;
  for (size_t i = 0; h && i < h->n; i++) {
    const char *n = h->v[i].name;
    /* Framing and connection management are the client's; Host comes from the URL. */
    if (is_hop_by_hop(n) || strcasecmp(n, "host") == 0 || strcasecmp(n, "content-length") == 0 ||
        strcasecmp(n, "expect") == 0)
      continue;
    if (strpbrk(n, "\r\n") || strpbrk(h->v[i].value, "\r\n")) continue;
    add_req_header(t, n, h->v[i].value);
  }
  add_req_header(t, "Expect", NULL); /* curl's 100-continue wait for large bodies */
  if (sends_body && !isl_headers_get(h, "content-type"))
    add_req_header(t, "Content-Type", NULL); /* curl's form default for POST */
  if (!r->raw_encoding && !isl_headers_get(h, "accept-encoding"))
    add_req_header(t, "Accept-Encoding", "gzip, deflate, br");
  if (sends_body && r->source && r->length < 0) add_req_header(t, "Transfer-Encoding", "chunked");
}


static void set_method(isl_http_transfer_t *t, const isl_http_request_t *r, bool sends_body) {
  CURL *e = t->easy;
  if (strcmp(r->method, "HEAD") == 0) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    return;
  }
  if (sends_body) {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    if (r->source) {
      curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(e, CURLOPT_READDATA, t);
      curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(e, CURLOPT_SEEKDATA, t);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->length);
    } else {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    if (strcmp(r->method, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    return;
  }
  if (strcmp(r->method, "GET") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
}

isl_http_transfer_t *isl_http_start(isl_http_client_t *c, const isl_http_request_t *r) {
  isl_http_transfer_t *t = isl_calloc(1, sizeof(*t));
  t->c = c;
  t->source = r->source;
  t->source_data = r->source_data;
  t->sink = r->sink;
  t->sink_data = r->sink_data;
  t->raw_encoding = r->raw_encoding;
  t->url = isl_strdup(r->url);
  t->easy = c->nspare ? c->spare[--c->nspare] : curl_easy_init();
  ISL_CHECK(t->easy != NULL);
  CURL *e = t->easy;
  /* Fetch sends a body for POST and PUT even when there is none (Content-Length: 0). */
  bool sends_body = r->source || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0;
  curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)t);
  curl_easy_setopt(e, CURLOPT_URL, r->url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_PROXY, ""); /* never a proxy from the environment */
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L); /* the URL parser already normalised it */
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)ISL_HTTP_CONNECT_TIMEOUT_MS);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)ISL_HTTP_RECV_BUFFER);
  curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, (long)ISL_HTTP_RECV_BUFFER);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  set_method(t, r, sends_body);
  set_headers(t, r, sends_body);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->req_headers);
  t->next = c->transfers;
  if (c->transfers) c->transfers->prev = t;
  c->transfers = t;
  update_loop_ref(c);
  if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
    finish(t, CURLE_FAILED_INIT, "cannot start the request");
    return NULL;
  }
  return t;
}

void isl_http_transfer_pause(isl_http_transfer_t *t) { t->pause_recv = true; }

void isl_http_transfer_resume(isl_http_transfer_t *t) {
  t->pause_recv = false;
  /* Unpausing costs curl a new look at the socket (and a poll set change): only when a
   * callback did pause it. It may call the callbacks again, which may pause again. */
  if (!t->curl_paused) return;
  t->curl_paused = false;
  curl_easy_pause(t->easy, CURLPAUSE_CONT);
}

void isl_http_transfer_cancel(isl_http_transfer_t *t, const char *error) {
  finish(t, CURLE_ABORTED_BY_CALLBACK, error);
}

/* ---- the client ------------------------------------------------------------------------- */

isl_http_client_t *isl_http_client_new(uv_loop_t *loop, const char *name, isl_http_allow_fn allow,
                                       void *allow_data, char *err, size_t errlen) {
  if (!isl_curl_load(err, errlen)) return NULL;
  if (clients_alive++ == 0) ISL_CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  isl_http_client_t *c = isl_calloc(1, sizeof(*c));
  c->loop = loop;
  c->name = isl_strdup(name);
  c->allow = allow;
  c->allow_data = allow_data;
  c->multi = curl_multi_init();
  ISL_CHECK(c->multi != NULL);
  curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
  curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer_set);
  curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
  uv_timer_init(loop, &c->timer);
  c->timer.data = c;
  update_loop_ref(c);
  return c;
}

static void on_client_closed(uv_handle_t *h) {
  isl_http_client_t *c = h->data;
  free(c->name);
  free(c);
  if (--clients_alive == 0) curl_global_cleanup();
}

void isl_http_client_free(isl_http_client_t *c) {
  if (!c) return;
  while (c->transfers) finish(c->transfers, CURLE_ABORTED_BY_CALLBACK, "the network service was shut down");
  /* Watching stops before curl closes the pooled connections' descriptors. */
  c->closing = true;
  for (sock_t *k = c->socks; k; k = k->next) uv_poll_stop(&k->poll);
  curl_multi_cleanup(c->multi);
  while (c->nspare) curl_easy_cleanup(c->spare[--c->nspare]);
  while (c->socks) sock_close(c, c->socks);
  uv_timer_stop(&c->timer);
  uv_close((uv_handle_t *)&c->timer, on_client_closed);
}
