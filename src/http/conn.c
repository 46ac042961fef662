/* One HTTP/1.1 connection: reading, parsing with llhttp, handing each request to the
 * service, writing its response, timers and closing.
 *
 * Life of a connection: accepted → IDLE (idle timer) → first byte of a request → HEAD
 * (header timer, started once, a deadline) → BODY if it has one (body timer, restarted by
 * every read) → SERVICE (parser paused at on_message_complete; input still read and
 * buffered up to a cap so a disconnect is noticed) → WRITING (one uv_write of head + body;
 * the timer watches the socket take it; a streaming body is written chunk by chunk as it
 * comes, see "Streaming bodies" below) → IDLE again and any buffered pipelined bytes are
 * parsed. A response that closes the connection (errors, Connection: close, HTTP/1.0,
 * shutdown) goes to ENDING instead: shut down the write side, drain input for a short
 * linger, close.
 *
 * The struct embeds its socket (TCP or unix, see isl_http_sock_t) and timer handles and is
 * freed when both are closed — unless
 * its request is still in the service, in which case the service's callback frees it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

/* A streaming body is paused while the socket holds this much unsent, and resumed below
 * half of it. */
#define ISL_HTTP_STREAM_HIGH_WATER (64 * 1024)
/* A request body is read whole before the request goes to the service while it fits in
 * this much (a typical request keeps the fast path of complete bytes, and every framing
 * error is still answered 400 before the service sees anything); past it the request is
 * dispatched with a streaming body (see "Streamed request bodies"). */
#define ISL_HTTP_STREAM_REQUEST_MIN (64 * 1024)
/* Room for each read while a request body streams. */
#define ISL_HTTP_STREAM_READ (128 * 1024)

struct isl_http_conn {
  isl_http_sock_t sock; /* TCP or unix socket, as the listener is */
  uv_timer_t timer;
  uint64_t due_ms;   /* loop time at which the timer's deadline passes; 0: none */
  uint64_t armed_ms; /* when the libuv timer is set to fire (it may fire before due_ms) */
  uv_shutdown_t shutdown_req;
  isl_http_server_t *server; /* NULL once the handles are closed */
  isl_http_conn_t *prev, *next;
  llhttp_t parser;
  isl_http_scan_t scan;
  isl_buf_t in;           /* received bytes; [in_off, len) are not parsed yet */
  size_t in_off, scan_off; /* scan_off: where the head scanner continues */
  int phase;
  int open_handles;
  int reject;             /* the status a failing llhttp callback asks for */
  bool closing, in_service, write_pending, eof, reading;
  bool keep_alive, head_request, message_done, headers_done;
  bool trailers_next; /* llhttp paused after the last chunk: trailers follow */
  uint8_t http_minor;
  size_t served;      /* responses written */
  size_t write_left;  /* bytes of the pending write not yet taken by the socket */
  /* A response whose body is a stream, while it is written (see send_stream). */
  isl_response_t *sres;
  int swrites;        /* its writes libuv still holds */
  bool skeep_alive;   /* the connection goes on after it */
  bool schunked;      /* framed with chunked transfer coding */
  bool spaused;       /* the body was asked to pause: the socket is behind */
  bool sdone;         /* the body ended: the response is complete once written */
  isl_buf_t shead;    /* the head, until it leaves with the body's first bytes */
  /* A request whose body is streamed to the service as it arrives (see "Streamed request
   * bodies" below). */
  bool ustream;       /* the current request's body is streamed: dispatched at its head */
  bool uhead;         /* llhttp paused at the head of such a request: dispatch it now */
  bool upaused;       /* the body's reader paused it: the socket is not read meanwhile */
  bool udiscard;      /* the body's reader gave up: the rest is parsed and dropped */
  isl_body_t *ubody;  /* the body's source handle, NULL once it ended or was canceled */
  size_t ubytes;      /* its bytes so far (the request body limit counts them) */
  int64_t ulength;    /* its Content-Length, or ISL_BODY_LENGTH_UNKNOWN (chunked) */
  /* The request being parsed. */
  isl_headers_t headers;
  isl_request_t *req; /* made when the head is complete */
  isl_buf_t url, field, value, body;
};

typedef struct {
  uv_write_t req;
  isl_http_conn_t *c;
  isl_response_t *res; /* its body is one of the written buffers: kept until the callback */
  isl_buf_t head;
  bool keep_alive;
} write_req_t;

static void process(isl_http_conn_t *c);
static void reject(isl_http_conn_t *c, int status);
static void timer_start(isl_http_conn_t *c, uint64_t ms);

isl_http_conn_t *isl_http_conn_next(isl_http_conn_t *c) { return c->next; }

/* The input buffer goes back to the server's spares when the connection has nothing
 * unparsed (see ISL_HTTP_SPARE_BUFFERS), or is freed. */
static void in_release(isl_http_conn_t *c) {
  isl_http_server_t *s = c->server;
  if (s && c->in.cap == ISL_HTTP_IN_CAP && s->nspare < ISL_HTTP_SPARE_BUFFERS) {
    s->spare[s->nspare++] = c->in.p;
    c->in = (isl_buf_t){0};
  } else {
    isl_buf_free(&c->in);
  }
  c->in_off = c->scan_off = 0;
}

bool isl_http_conn_is_spare(const isl_http_conn_t *c) {
  return c->phase == ISL_CONN_IDLE && c->served > 0 && !c->closing && c->in_off == c->in.len;
}

static void conn_free(isl_http_conn_t *c) {
  isl_buf_free(&c->in);
  isl_buf_free(&c->url);
  isl_buf_free(&c->field);
  isl_buf_free(&c->value);
  isl_buf_free(&c->body);
  isl_buf_free(&c->shead);
  isl_headers_dispose(&c->headers);
  isl_request_free(c->req);
  free(c);
}

static void on_handle_closed(uv_handle_t *h) {
  isl_http_conn_t *c = h->data;
  if (--c->open_handles > 0) return;
  isl_http_server_t *s = c->server;
  if (c->prev) c->prev->next = c->next;
  else s->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  c->server = NULL;
  isl_http_server_conn_gone(s);
  if (!c->in_service) conn_free(c);
}

static void stream_drop(isl_http_conn_t *c, const char *why);
static void ubody_fail(isl_http_conn_t *c, const char *why);

void isl_http_conn_close(isl_http_conn_t *c) {
  if (c->closing) return;
  c->closing = true;
  /* A body still streaming has nobody to go to: its producer is told; a request body
   * still arriving will not be complete. */
  stream_drop(c, "the client disconnected");
  ubody_fail(c, "the client disconnected before the request body was complete");
  uv_close(&c->sock.handle, on_handle_closed);
  uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

/* ---- reading ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  isl_http_conn_t *c = h->data;
  /* After the last response nothing is parsed again: input is read only to be dropped. */
  if (c->phase == ISL_CONN_ENDING) c->in.len = c->in_off = 0;
  isl_http_server_t *s = c->server;
  if (!c->in.p && s && s->nspare) {
    c->in.p = s->spare[--s->nspare];
    c->in.cap = ISL_HTTP_IN_CAP;
    c->in.len = 0;
  }
  /* A streamed request body is read in larger pieces: fewer reads, and fewer, larger
   * chunks for its reader. The buffer goes back to the allocator when the connection is
   * idle again (in_release keeps only buffers of the spares' size). */
  isl_buf_reserve(&c->in, c->ustream ? ISL_HTTP_STREAM_READ : ISL_HTTP_IN_CAP / 2);
  *buf = uv_buf_init(c->in.p + c->in.len, (unsigned)(c->in.cap - c->in.len - 1));
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);

static void start_reading(isl_http_conn_t *c) {
  if (c->reading || c->eof || c->closing) return;
  if (uv_read_start(&c->sock.stream, on_alloc, on_read) == 0) c->reading = true;
}

static void stop_reading(isl_http_conn_t *c) {
  if (!c->reading) return;
  uv_read_stop(&c->sock.stream);
  c->reading = false;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  isl_http_conn_t *c = st->data;
  if (nread == 0 || c->closing) return;
  if (nread < 0) {
    if (nread != UV_EOF) {
      /* ECONNRESET and friends: nobody is left to answer. */
      isl_http_conn_close(c);
      return;
    }
    /* The client may half-close after sending its requests and still read the answers:
     * finish what is in service or being written, close once there is nothing left. */
    c->eof = true;
    stop_reading(c);
    ubody_fail(c, "the client closed the connection before the request body was complete");
    if (c->phase == ISL_CONN_SERVICE || c->phase == ISL_CONN_WRITING || c->write_pending ||
        c->sres)
      return;
    if (c->phase == ISL_CONN_ENDING) {
      isl_http_conn_close(c);
      return;
    }
    process(c);
    return;
  }
  if (c->phase == ISL_CONN_ENDING) return;
  c->in.len += (size_t)nread;
  c->in.p[c->in.len] = 0;
  switch (c->phase) {
  case ISL_CONN_BODY:
    timer_start(c, c->server->lim.body_timeout_ms);
    break;
  case ISL_CONN_SERVICE:
  case ISL_CONN_WRITING:
    /* A streamed request body goes on arriving while its response is written. */
    if (c->ustream) break;
    if (c->in.len - c->in_off > ISL_HTTP_MAX_PIPELINE_BYTES) stop_reading(c);
    return;
  }
  process(c);
}

/* ---- timers ---- */

/* While a response is being written the timer watches the socket take it: a client that
 * takes no bytes for the body timeout (the allowance for a request body that stops
 * arriving, applied the other way) is cut off, so a client that never reads cannot hold a
 * response in memory forever. */
static void on_write_timer(isl_http_conn_t *c) {
  size_t left = c->sock.stream.write_queue_size;
  if (left < c->write_left) {
    c->write_left = left;
    timer_start(c, c->server->lim.body_timeout_ms);
    return;
  }
  isl_http_conn_close(c);
}

static void stream_complete(isl_http_conn_t *c);

static void on_timer(uv_timer_t *t) {
  isl_http_conn_t *c = t->data;
  if (c->due_ms == 0) return; /* stopped since it was set */
  uint64_t now = uv_now(t->loop);
  if (now < c->due_ms) {
    /* The deadline moved later after the timer was set: wait for the rest. */
    c->armed_ms = c->due_ms;
    uv_timer_start(&c->timer, on_timer, c->due_ms - now, 0);
    return;
  }
  c->due_ms = 0;
  if (c->sres && c->sdone && c->swrites == 0) {
    stream_complete(c);
    return;
  }
  if (c->write_pending) {
    on_write_timer(c);
    return;
  }
  switch (c->phase) {
  case ISL_CONN_IDLE:
  case ISL_CONN_ENDING:
    isl_http_conn_close(c);
    break;
  case ISL_CONN_HEAD:
  case ISL_CONN_BODY:
    reject(c, 408);
    break;
  }
}

/* Every request sets the timer two or three times (header deadline, keep-alive idle), and
 * moving a libuv timer is a heap operation; so a deadline is noted, and the libuv timer is
 * only moved when it would fire too late. When it fires early, on_timer sets it for the
 * rest. */
static void timer_start(isl_http_conn_t *c, uint64_t ms) {
  uint64_t due = uv_now(c->timer.loop) + ms;
  c->due_ms = due ? due : 1;
  if (ms == 0 || !uv_is_active((uv_handle_t *)&c->timer) || c->armed_ms > due) {
    c->armed_ms = due;
    uv_timer_start(&c->timer, on_timer, ms, 0);
  }
}

static void timer_stop(isl_http_conn_t *c) { c->due_ms = 0; }

/* ---- writing ---- */

static void on_shutdown(uv_shutdown_t *req, int status) {
  isl_http_conn_t *c = req->data;
  if (c->closing) return;
  /* At server shutdown there is no lingering: input was read all along while the request
   * was in the service, so closing is unlikely to meet unread bytes. */
  if (status < 0 || c->eof || c->server->shutting_down) {
    isl_http_conn_close(c);
    return;
  }
  /* Linger: read and drop input until the client closes too, or the timer ends it. */
  timer_start(c, ISL_HTTP_LINGER_MS);
  start_reading(c);
  if (!c->reading) isl_http_conn_close(c);
}

/* The last response is written: shut down the write side, then close. */
static void end_conn(isl_http_conn_t *c) {
  /* A request body still arriving is not read any more. */
  ubody_fail(c, "the response ended the connection before the request body was read");
  c->ustream = false;
  c->phase = ISL_CONN_ENDING;
  timer_stop(c);
  c->shutdown_req.data = c;
  if (uv_shutdown(&c->shutdown_req, &c->sock.stream, on_shutdown) < 0)
    isl_http_conn_close(c);
}

/* After a response is written: the connection ends, or waits for the next request.
 * more_input: whether to parse what is already buffered (never from inside a service
 * callback: see send_response). */
static void after_write(isl_http_conn_t *c, int status, bool keep_alive, bool more_input) {
  c->write_pending = false;
  if (c->closing) return;
  c->served++;
  if (status < 0) {
    isl_http_conn_close(c);
    return;
  }
  if (!keep_alive || c->server->shutting_down) {
    end_conn(c);
    return;
  }
  if (c->ustream) {
    /* The response is out and the request body is still arriving: the rest is read and
     * dropped before the next request (a body the response needed, echoed or forwarded,
     * has ended before the response could). */
    ubody_fail(c, "the response was sent before the request body was read");
    c->udiscard = true;
    c->upaused = false;
    c->phase = ISL_CONN_BODY;
    timer_start(c, c->server->lim.body_timeout_ms);
    start_reading(c);
    if (more_input) process(c);
    return;
  }
  c->phase = ISL_CONN_IDLE;
  timer_start(c, c->server->lim.idle_timeout_ms);
  /* An idle keep-alive connection holds no input buffer: there may be many of them. */
  if (c->in_off == c->in.len) in_release(c);
  start_reading(c);
  if (more_input) {
    process(c);
  } else if (c->eof) {
    /* The client half-closed while the request was in the service and nothing else is
     * buffered (the direct write is tried only then): nothing more can come. */
    isl_http_conn_close(c);
    return;
  }
  isl_http_server_conn_idle();
}

static void on_written(uv_write_t *req, int status) {
  write_req_t *w = (write_req_t *)req;
  isl_http_conn_t *c = w->c;
  bool keep_alive = w->keep_alive;
  isl_response_free(w->res);
  isl_buf_free(&w->head);
  free(w);
  after_write(c, status, keep_alive, true);
}

/* Writes res as the answer to the current request: head and body in one writev. When
 * nothing else is buffered (no pipelined request), the write is tried at once, which
 * spares libuv's write queue and an epoll change per request; otherwise (or if the socket
 * takes only part) uv_write finishes it and its callback parses what follows. The head is
 * serialised into the server's scratch buffer and copied into a write request of its own
 * only when uv_write has to keep it. */
static void send_stream(isl_http_conn_t *c, isl_response_t *res, bool keep_alive);

/* The phase while a response is written. A connection that ends after it still reads the
 * request body its service is streaming (a worker echoing an upload, or forwarding it
 * with a request of its own): input is dropped (ENDING) only once no body arrives, else
 * the response would wait forever for a body nobody reads. after_write ends it. */
static int writing_phase(const isl_http_conn_t *c, bool keep_alive) {
  return keep_alive || c->ubody ? ISL_CONN_WRITING : ISL_CONN_ENDING;
}

static void send_response(isl_http_conn_t *c, isl_response_t *res, bool keep_alive) {
  /* A stream that goes out (not for HEAD, nor with a status that has no body: then the
   * head alone is sent, and freeing the response tells the stream's producer). */
  if (isl_body_is_stream(res->body) && !c->head_request &&
      isl_http_framing(res, c->http_minor) != ISL_FRAME_NONE) {
    send_stream(c, res, keep_alive);
    return;
  }
  c->phase = writing_phase(c, keep_alive);
  isl_buf_t *head = &c->server->head_scratch;
  head->len = 0;
  size_t blen = isl_http_write_head(head, res, c->head_request, keep_alive, c->http_minor);
  size_t hoff = 0, boff = 0; /* what the first try already wrote */
  if (keep_alive && c->in_off == c->in.len) {
    uv_buf_t bufs[2] = {uv_buf_init(head->p, (unsigned)head->len),
                        uv_buf_init(blen ? res->body->data : NULL, (unsigned)blen)};
    int n = uv_try_write(&c->sock.stream, bufs, blen ? 2 : 1);
    if (n >= 0 && (size_t)n == head->len + blen) {
      isl_response_free(res);
      after_write(c, 0, keep_alive, false);
      return;
    }
    if (n < 0 && n != UV_EAGAIN) {
      isl_response_free(res);
      isl_http_conn_close(c);
      return;
    }
    if (n > 0) {
      /* Partly written: uv_write sends the rest. */
      hoff = (size_t)n < head->len ? (size_t)n : head->len;
      boff = (size_t)n - hoff;
    }
  }
  write_req_t *w = isl_calloc(1, sizeof(*w));
  w->c = c;
  w->res = res;
  w->keep_alive = keep_alive;
  isl_buf_append(&w->head, head->p + hoff, head->len - hoff);
  uv_buf_t bufs[2];
  unsigned nbufs = 0;
  if (w->head.len) bufs[nbufs++] = uv_buf_init(w->head.p, (unsigned)w->head.len);
  if (blen > boff) bufs[nbufs++] = uv_buf_init(res->body->data + boff, (unsigned)(blen - boff));
  if (uv_write(&w->req, &c->sock.stream, bufs, nbufs, on_written) < 0) {
    isl_response_free(res);
    isl_buf_free(&w->head);
    free(w);
    isl_http_conn_close(c);
    return;
  }
  c->write_pending = true;
  c->write_left = c->sock.stream.write_queue_size;
  timer_start(c, c->server->lim.body_timeout_ms);
}

/* ---- Streaming bodies ----
 *
 * A response whose body is a stream (message.h) is written as the body comes: the head
 * first, then each chunk (framed as a chunk of chunked transfer coding, or as is under
 * Content-Length or close-delimited framing), tried at once on the socket when nothing is
 * queued and copied into a write request when it must wait. When the socket's write queue
 * passes ISL_HTTP_STREAM_HIGH_WATER the body is paused, and resumed once the queue has
 * drained below half of it, so a fast producer and a slow client never pile up more than
 * that in memory. A client that goes away cancels the body (its producer, a worker's
 * ReadableStream, sees the cancel); a body that fails ends the connection without the
 * final chunk, so the client can tell the response is incomplete. The response completes
 * (keep-alive, the next pipelined request) from a libuv callback, never from inside the
 * body's callbacks, which may run inside a worker's JS. */

typedef struct {
  uv_write_t req;
  isl_http_conn_t *c;
  size_t n;
  char data[];
} swrite_t;

static void on_stream_written(uv_write_t *req, int status) {
  swrite_t *w = (swrite_t *)req;
  isl_http_conn_t *c = w->c;
  free(w);
  c->swrites--;
  c->write_pending = c->swrites > 0;
  if (c->closing) return;
  if (status < 0) {
    isl_http_conn_close(c); /* cancels the body */
    return;
  }
  if (!c->sres) return;
  if (c->sdone && c->swrites == 0) {
    stream_complete(c);
    return;
  }
  if (c->write_pending) {
    c->write_left = c->sock.stream.write_queue_size;
    timer_start(c, c->server->lim.body_timeout_ms);
  } else {
    timer_stop(c); /* the producer's pace, not the client's */
  }
  if (c->spaused && c->sock.stream.write_queue_size < ISL_HTTP_STREAM_HIGH_WATER / 2) {
    c->spaused = false;
    isl_body_resume(c->sres->body);
  }
}

/* Writes bufs in order after whatever is queued: at once if the socket takes them and
 * nothing waits, the rest copied into a write request. false: the connection failed. */
static bool stream_write(isl_http_conn_t *c, uv_buf_t *bufs, unsigned nbufs) {
  size_t total = 0, skip = 0;
  for (unsigned i = 0; i < nbufs; i++) total += bufs[i].len;
  if (c->swrites == 0 && c->sock.stream.write_queue_size == 0) {
    int n = uv_try_write(&c->sock.stream, bufs, nbufs);
    if (n < 0 && n != UV_EAGAIN) return false;
    if (n > 0) skip = (size_t)n;
    if (skip == total) return true;
  }
  swrite_t *w = isl_malloc(sizeof(*w) + (total - skip));
  w->c = c;
  w->n = 0;
  for (unsigned i = 0; i < nbufs; i++) {
    size_t len = bufs[i].len;
    if (skip >= len) {
      skip -= len;
      continue;
    }
    memcpy(w->data + w->n, bufs[i].base + skip, len - skip);
    w->n += len - skip;
    skip = 0;
  }
  uv_buf_t b = uv_buf_init(w->data, (unsigned)w->n);
  if (uv_write(&w->req, &c->sock.stream, &b, 1, on_stream_written) < 0) {
    free(w);
    return false;
  }
  if (c->swrites++ == 0) {
    c->write_pending = true;
    c->write_left = c->sock.stream.write_queue_size;
    timer_start(c, c->server->lim.body_timeout_ms);
  }
  return true;
}

/* The head still waiting for the body's first bytes goes first in bufs (see send_stream).
 * Returns the number of buffers used. */
static unsigned pending_head(isl_http_conn_t *c, uv_buf_t *bufs) {
  if (!c->shead.len) return 0;
  bufs[0] = uv_buf_init(c->shead.p, (unsigned)c->shead.len);
  return 1;
}

static bool on_stream_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  (void)b;
  isl_http_conn_t *c = data;
  char size[24];
  uv_buf_t bufs[4];
  unsigned nb = pending_head(c, bufs);
  if (c->schunked) {
    int k = snprintf(size, sizeof(size), "%zx\r\n", n);
    bufs[nb++] = uv_buf_init(size, (unsigned)k);
  }
  bufs[nb++] = uv_buf_init((char *)p, (unsigned)n);
  if (c->schunked) bufs[nb++] = uv_buf_init("\r\n", 2);
  bool ok = stream_write(c, bufs, nb);
  isl_buf_free(&c->shead);
  if (!ok) {
    isl_http_conn_close(c); /* cancels the body (we are inside its push: it is told so) */
    return false;
  }
  if (c->sock.stream.write_queue_size >= ISL_HTTP_STREAM_HIGH_WATER) c->spaused = true;
  return !c->spaused;
}

static void on_stream_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  isl_http_conn_t *c = data;
  if (error) {
    /* The head is out: all that can be said is that the body is incomplete. */
    isl_log(ISL_LOG_WARN, "response body failed: %s", error);
    stream_drop(c, NULL);
    isl_http_conn_close(c);
    return;
  }
  c->sdone = true;
  uv_buf_t bufs[2];
  unsigned nb = pending_head(c, bufs);
  if (c->schunked) bufs[nb++] = uv_buf_init("0\r\n\r\n", 5);
  bool ok = !nb || stream_write(c, bufs, nb);
  isl_buf_free(&c->shead);
  if (!ok) {
    isl_http_conn_close(c);
    return;
  }
  /* Completed from a libuv callback: the last write's, or the timer's now. */
  if (c->swrites == 0) timer_start(c, 0);
}

static const isl_body_sink_t stream_sink = {.chunk = on_stream_chunk, .end = on_stream_end};

/* The connection lets go of the streaming response (done, or gone: why says so, and the
 * body is canceled then). */
static void stream_drop(isl_http_conn_t *c, const char *why) {
  isl_response_t *res = c->sres;
  if (!res) return;
  c->sres = NULL;
  isl_buf_free(&c->shead);
  if (why) isl_body_cancel(res->body, why);
  isl_response_free(res);
}

static void stream_complete(isl_http_conn_t *c) {
  stream_drop(c, NULL);
  after_write(c, 0, c->skeep_alive, true);
}

static void send_stream(isl_http_conn_t *c, isl_response_t *res, bool keep_alive) {
  isl_http_frame_t frame = isl_http_framing(res, c->http_minor);
  if (frame == ISL_FRAME_CLOSE) keep_alive = false;
  c->phase = writing_phase(c, keep_alive);
  isl_buf_t *head = &c->server->head_scratch;
  head->len = 0;
  isl_http_write_head(head, res, c->head_request, keep_alive, c->http_minor);
  c->sres = res;
  c->swrites = 0;
  c->skeep_alive = keep_alive;
  c->schunked = frame == ISL_FRAME_CHUNKED;
  c->spaused = c->sdone = false;
  /* The head waits for the body's first bytes, which are often at hand already (a
   * response from the network or from another worker): both then leave in one write.
   * What the body holds is delivered inside isl_body_read; if nothing came, the head goes
   * alone. It is copied: the scratch buffer is shared, and the body's source may run
   * another request's code before this returns. */
  isl_buf_free(&c->shead);
  isl_buf_append(&c->shead, head->p, head->len);
  if (!isl_body_read(res->body, &stream_sink, c)) {
    stream_drop(c, NULL);
    isl_http_conn_close(c);
    return;
  }
  if (c->closing || !c->shead.len) return;
  uv_buf_t hb = uv_buf_init(c->shead.p, (unsigned)c->shead.len);
  bool ok = stream_write(c, &hb, 1);
  isl_buf_free(&c->shead);
  if (!ok) isl_http_conn_close(c);
}

/* Answers a request that will not reach the service and closes the connection after it;
 * nothing after the rejected bytes is parsed. */
static void reject(isl_http_conn_t *c, int status) {
  if (c->closing || c->phase == ISL_CONN_ENDING) return;
  if (c->ustream && !c->uhead) {
    /* The request is in the service already and owns the answer: the body fails and the
     * connection ends. */
    isl_buf_t m = {0};
    isl_buf_printf(&m, "the request body was refused: %d %s", status, isl_status_reason(status));
    ubody_fail(c, m.p);
    isl_buf_free(&m);
    isl_http_conn_close(c);
    return;
  }
  timer_stop(c);
  send_response(c, isl_response_text(status, isl_status_reason(status)), false);
}

static void on_continue_written(uv_write_t *req, int status) {
  (void)status;
  free(req);
}

static void send_continue(isl_http_conn_t *c) {
  static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
  uv_write_t *w = isl_malloc(sizeof(*w));
  uv_buf_t b = uv_buf_init((char *)msg, sizeof(msg) - 1);
  if (uv_write(w, &c->sock.stream, &b, 1, on_continue_written) < 0) free(w);
}

/* ---- the service ---- */

static void on_response(void *data, isl_response_t *res) {
  isl_http_conn_t *c = data;
  ISL_CHECK(c->in_service && res != NULL);
  c->in_service = false;
  if (c->closing) {
    /* The client went away meanwhile; the struct waited for this callback. */
    isl_response_free(res);
    if (c->open_handles == 0) conn_free(c);
    return;
  }
  send_response(c, res, c->keep_alive && !c->server->shutting_down);
}

static void dispatch(isl_http_conn_t *c) {
  isl_request_t *req = c->req;
  c->req = NULL;
  size_t n = c->body.len;
  if (n) req->body = isl_body_new(isl_buf_take(&c->body), n);
  c->phase = ISL_CONN_SERVICE;
  timer_stop(c);
  c->in_service = true;
  isl_service_t *svc = c->server->svc;
  svc->fetch(svc, req, on_response, c);
}

/* ---- Streamed request bodies ----
 *
 * A request body larger than ISL_HTTP_STREAM_REQUEST_MIN is not read whole before the
 * request goes to the service: once that much has arrived, llhttp pauses, the request is
 * dispatched with a streaming body (message.h) whose source is this connection, and each
 * piece llhttp parses from then on is pushed to it. When the body's reader pauses, the socket is no longer read
 * (what was already read is kept by the body) and the body timeout stops: the reader's
 * pace, not the client's. The request body limit still applies as it grows; a body that
 * breaks the framing, exceeds the limit, times out or is cut off by the client ends with
 * an error, and the connection is closed (the service owns the answer by then). The
 * response may go out while the body still arrives (a worker echoing or forwarding it as
 * it comes); the body is then read to its end before the next request, and dropped if its
 * reader gave up. */

static void ubody_flow(isl_body_t *b, void *data) {
  (void)b;
  isl_http_conn_t *c = data;
  if (!c->upaused) return;
  c->upaused = false;
  start_reading(c);
  if (c->phase == ISL_CONN_BODY) timer_start(c, c->server->lim.body_timeout_ms);
}

static void ubody_cancel(isl_body_t *b, void *data, const char *reason) {
  (void)b, (void)reason;
  isl_http_conn_t *c = data;
  c->ubody = NULL;
  c->udiscard = true;
  ubody_flow(NULL, c); /* read on, to find where the next request starts */
}

static const isl_body_source_t ubody_source = {.flow = ubody_flow, .cancel = ubody_cancel};

/* The body will not arrive whole: its reader hears why. */
static void ubody_fail(isl_http_conn_t *c, const char *why) {
  isl_body_t *b = c->ubody;
  if (!b) return;
  c->ubody = NULL;
  isl_body_end(b, why);
}

/* A piece of the body, from llhttp's on_body. */
static void ubody_push(isl_http_conn_t *c, const char *p, size_t n) {
  if (c->udiscard || !c->ubody) return;
  isl_push_t r = isl_body_push(c->ubody, p, n);
  if (r == ISL_PUSH_CANCELED) {
    c->ubody = NULL;
    c->udiscard = true;
  } else if (r == ISL_PUSH_PAUSE && !c->upaused) {
    c->upaused = true;
    stop_reading(c);
    if (c->phase == ISL_CONN_BODY) timer_stop(c);
  }
}

/* Dispatches the request whose body outgrew ISL_HTTP_STREAM_REQUEST_MIN, with a streaming
 * body that starts with what was read so far (kept by the body until its reader comes). */
static void dispatch_streaming(isl_http_conn_t *c, int64_t length) {
  isl_request_t *req = c->req;
  c->req = NULL;
  c->uhead = false;
  c->udiscard = c->upaused = false;
  c->ubody = req->body = isl_body_stream_new(&ubody_source, c, length);
  c->ubytes = c->body.len;
  ubody_push(c, c->body.p, c->body.len);
  c->body.len = 0;
  c->phase = ISL_CONN_BODY;
  c->in_service = true;
  isl_service_t *svc = c->server->svc;
  svc->fetch(svc, req, on_response, c);
}

/* The body's last byte was parsed: its reader gets the end, and the connection goes on
 * with the response (still in the service, being written, or written already). */
static void ubody_complete(isl_http_conn_t *c) {
  c->ustream = false;
  isl_body_t *b = c->ubody;
  c->ubody = NULL;
  if (b) isl_body_end(b, NULL);
  if (c->closing) return;
  if (c->in_service) {
    c->phase = ISL_CONN_SERVICE;
    timer_stop(c);
  } else if (c->phase == ISL_CONN_BODY) {
    /* The response went out before the body ended: now the next request. */
    c->phase = ISL_CONN_IDLE;
    timer_start(c, c->server->lim.idle_timeout_ms);
    if (c->upaused) {
      c->upaused = false;
      start_reading(c);
    }
    isl_http_server_conn_idle();
  }
}

/* ---- parsing ---- */

static void compact(isl_http_conn_t *c) {
  if (c->in_off == c->in.len) {
    c->in.len = c->in_off = c->scan_off = 0;
  } else if (c->in_off >= 65536 || c->in_off > c->in.len / 2) {
    memmove(c->in.p, c->in.p + c->in_off, c->in.len - c->in_off);
    c->in.len -= c->in_off;
    c->scan_off = c->scan_off > c->in_off ? c->scan_off - c->in_off : 0;
    c->in_off = 0;
  }
}

/* The status for a request llhttp refused: what a callback asked for, 501 for a method
 * llhttp does not know (the scanner already checked that it is a token: RFC 9110 §9.1 says
 * 501 for a method the server does not implement), otherwise 400. */
static int error_status(const isl_http_conn_t *c, llhttp_errno_t e) {
  if (c->reject) return c->reject;
  if (e == HPE_INVALID_METHOD) return 501;
  return 400;
}

static void process(isl_http_conn_t *c) {
  while (!c->closing && (c->phase <= ISL_CONN_BODY || c->ustream) && c->in_off < c->in.len) {
    if (c->phase == ISL_CONN_IDLE) {
      c->phase = ISL_CONN_HEAD;
      c->head_request = false; /* a rejection before llhttp's message begins has a body */
      isl_http_scan_init(&c->scan);
      c->scan_off = c->in_off;
      timer_start(c, c->server->lim.header_timeout_ms);
    }
    if (!isl_http_scan_done(&c->scan) && c->scan_off < c->in.len) {
      size_t used;
      int status = isl_http_scan(&c->scan, c->in.p + c->scan_off, c->in.len - c->scan_off, &used);
      c->scan_off += used;
      if (status) {
        reject(c, status);
        return;
      }
    }
    /* llhttp sees a request line only once the scanner has accepted all of it, so the
     * scanner's verdict on its shape and version comes first. */
    if (!isl_http_scan_line_done(&c->scan)) break;
    const char *p = c->in.p + c->in_off;
    llhttp_errno_t e = llhttp_execute(&c->parser, p, c->in.len - c->in_off);
    if (e == HPE_OK) {
      c->in_off = c->in.len;
      break;
    }
    if (e == HPE_PAUSED && c->trailers_next) {
      /* Paused after the last chunk's size line: the scanner takes the trailer section. */
      c->trailers_next = false;
      c->in_off += (size_t)(llhttp_get_error_pos(&c->parser) - p);
      llhttp_resume(&c->parser);
      isl_http_scan_init_trailers(&c->scan);
      c->scan_off = c->in_off;
      continue;
    }
    if (e == HPE_PAUSED && c->uhead) {
      /* Paused in a body too large to wait for: the request goes to the service now, and
       * parsing goes on with the rest of its body. */
      c->in_off += (size_t)(llhttp_get_error_pos(&c->parser) - p);
      llhttp_resume(&c->parser);
      dispatch_streaming(c, c->ulength);
      continue;
    }
    if (e == HPE_PAUSED && c->message_done) {
      /* Paused in on_message_complete: the next request starts at the error position. */
      c->in_off += (size_t)(llhttp_get_error_pos(&c->parser) - p);
      llhttp_resume(&c->parser);
      if (!c->ustream) {
        dispatch(c);
        break;
      }
      ubody_complete(c);
      if (c->phase == ISL_CONN_IDLE) continue; /* answered already: the next request */
      break;
    }
    reject(c, error_status(c, e));
    return;
  }
  if (!c->closing && c->eof && c->phase <= ISL_CONN_BODY) {
    /* EOF with no complete request left: a partial request is dropped unanswered. */
    isl_http_conn_close(c);
    return;
  }
  compact(c);
}

static isl_http_conn_t *conn_of(llhttp_t *p) { return p->data; }

static int on_message_begin(llhttp_t *p) {
  isl_http_conn_t *c = conn_of(p);
  isl_headers_dispose(&c->headers);
  isl_request_free(c->req);
  c->req = NULL;
  c->url.len = c->field.len = c->value.len = c->body.len = c->ubytes = 0;
  c->message_done = c->headers_done = c->head_request = c->trailers_next = false;
  c->reject = 0;
  return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t n) {
  isl_buf_append(&conn_of(p)->url, at, n);
  return 0;
}

/* Trailer fields (after a chunked body) are not kept: the request was made from the head
 * already. The scanner holds them to the header limits. */
static int on_header_field(llhttp_t *p, const char *at, size_t n) {
  isl_http_conn_t *c = conn_of(p);
  if (!c->headers_done) isl_buf_append(&c->field, at, n);
  return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t n) {
  isl_http_conn_t *c = conn_of(p);
  if (!c->headers_done) isl_buf_append(&c->value, at, n);
  return 0;
}

static int on_header_value_complete(llhttp_t *p) {
  isl_http_conn_t *c = conn_of(p);
  if (c->headers_done) return 0;
  isl_headers_add_trimmed(&c->headers, c->field.p, c->field.len, c->value.p, c->value.len);
  c->field.len = c->value.len = 0;
  return 0;
}

/* Checks the head and makes the isl_request_t. Returns 0 or the status to answer with. */
static int head_complete(isl_http_conn_t *c, llhttp_t *p) {
  /* The scanner let only HTTP/1.0 and HTTP/1.1 through. */
  c->http_minor = p->http_minor;
  c->head_request = p->method == HTTP_HEAD;

  const char *host = NULL;
  size_t nhost = 0;
  for (size_t i = 0; i < c->headers.n; i++) {
    if (strcasecmp(c->headers.v[i].name, "host") == 0) {
      host = c->headers.v[i].value;
      nhost++;
    }
  }
  /* RFC 9112 §3.2: exactly one Host in HTTP/1.1, and a valid one. */
  if (nhost > 1 || (nhost == 0 && p->http_minor == 1) ||
      (host && !isl_http_valid_authority(host, strlen(host), true)))
    return 400;

  int te = isl_http_te_status(&c->headers, p->http_minor);
  if (te) return te;

  const char *expect = isl_headers_get(&c->headers, "expect");
  if (expect && p->http_minor == 1 && strcasecmp(expect, "100-continue") != 0) return 417;

  bool has_body = (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length);
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->server->lim.max_body_bytes)
    return 413;

  /* Tunnels are not served (RFC 9110 §9.1: 501 for a method the server does not do). */
  if (p->method == HTTP_CONNECT) return 501;

  /* The scanner made sure the target is not empty. */
  if (!c->url.p) return 400;
  const char *target = c->url.p;
  isl_buf_t url = {0};
  size_t scheme = strncasecmp(target, "http://", 7) == 0    ? 7
                  : strncasecmp(target, "https://", 8) == 0 ? 8
                                                            : 0;
  if (target[0] == '/') {
    isl_buf_puts(&url, "http://");
    isl_buf_puts(&url, host && *host ? host : c->server->authority);
    isl_buf_append(&url, c->url.p, c->url.len);
  } else if (scheme) {
    /* Absolute form (RFC 9112 §3.2.2): the target is the URL, Host is ignored; its
     * authority must be a valid, non-empty one without userinfo (RFC 9110 §4.2.4). */
    const char *auth = target + scheme;
    if (!isl_http_valid_authority(auth, strcspn(auth, "/?"), false)) {
      isl_buf_free(&url);
      return 400;
    }
    isl_buf_append(&url, c->url.p, c->url.len);
  } else {
    /* Authority form outside CONNECT and asterisk form (OPTIONS *) are not served. */
    isl_buf_free(&url);
    return 400;
  }
  c->req = isl_request_new(llhttp_method_name((llhttp_method_t)p->method), url.p);
  isl_buf_free(&url);
  c->req->headers = c->headers;
  memset(&c->headers, 0, sizeof(c->headers));

  if (has_body) {
    /* The client waits for this before sending the body (RFC 9110 §10.1.1). */
    if (expect && p->http_minor == 1) send_continue(c);
    c->phase = ISL_CONN_BODY;
    timer_start(c, c->server->lim.body_timeout_ms);
    /* The response may go out before a streamed body ends: its Connection and length
     * are known now (llhttp counts content_length down as the body is parsed). */
    c->keep_alive = llhttp_should_keep_alive(p) && !llhttp_get_upgrade(p);
    c->ulength = (p->flags & F_CHUNKED) ? ISL_BODY_LENGTH_UNKNOWN : (int64_t)p->content_length;
  }
  return 0;
}

static int on_headers_complete(llhttp_t *p) {
  isl_http_conn_t *c = conn_of(p);
  c->headers_done = true;
  int status = head_complete(c, p);
  if (status) {
    c->reject = status;
    return -1;
  }
  return 0;
}

static int on_chunk_header(llhttp_t *p) {
  isl_http_conn_t *c = conn_of(p);
  /* p->content_length is the announced chunk size: refuse before reading it. */
  if (p->content_length > c->server->lim.max_body_bytes - c->body.len - c->ubytes) {
    c->reject = 413;
    return -1;
  }
  /* The last chunk: pause so that process() hands the trailer section to the scanner
   * (llhttp 8.1 accepts a bare LF and obs-fold there). */
  if (p->content_length == 0) {
    c->trailers_next = true;
    return HPE_PAUSED;
  }
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
  isl_http_conn_t *c = conn_of(p);
  if (n > c->server->lim.max_body_bytes - c->body.len - c->ubytes) {
    c->reject = 413;
    return HPE_USER;
  }
  if (c->ustream) {
    c->ubytes += n;
    ubody_push(c, at, n);
    return 0;
  }
  isl_buf_append(&c->body, at, n);
  if (c->body.len > ISL_HTTP_STREAM_REQUEST_MIN) {
    /* Too large to wait for: llhttp pauses here, and process() dispatches the request
     * with a streaming body that starts with these bytes. */
    c->ustream = c->uhead = true;
    return HPE_PAUSED;
  }
  return 0;
}

static int on_message_complete(llhttp_t *p) {
  isl_http_conn_t *c = conn_of(p);
  c->message_done = true;
  /* Decided now, while llhttp still has this message's flags. An upgrade is not honoured:
   * the request is answered normally and the connection closed. */
  c->keep_alive = llhttp_should_keep_alive(p) && !llhttp_get_upgrade(p);
  return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_chunk_header = on_chunk_header,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- server side ---- */

/* pipe: a unix domain socket (uv_pipe_t) rather than TCP. */
static isl_http_conn_t *conn_new(isl_http_server_t *s, bool pipe) {
  isl_http_conn_t *c = isl_calloc(1, sizeof(*c));
  c->server = s;
  if (pipe) uv_pipe_init(s->loop, &c->sock.pipe, 0);
  else uv_tcp_init(s->loop, &c->sock.tcp);
  uv_timer_init(s->loop, &c->timer);
  c->sock.handle.data = c->timer.data = c;
  c->open_handles = 2;
  c->next = s->conns;
  if (s->conns) s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  return c;
}

static void conn_start(isl_http_conn_t *c) {
  /* Nagle's algorithm is TCP's; a unix socket has nothing to turn off. */
  if (c->sock.handle.type == UV_TCP) uv_tcp_nodelay(&c->sock.tcp, 1);
  llhttp_init(&c->parser, HTTP_REQUEST, &settings);
  c->parser.data = c;
  c->phase = ISL_CONN_IDLE;
  timer_start(c, c->server->lim.idle_timeout_ms);
  start_reading(c);
}

void isl_http_conn_accept(isl_http_server_t *s) {
  isl_http_conn_t *c = conn_new(s, s->listener.handle.type == UV_NAMED_PIPE);
  if (uv_accept(&s->listener.stream, &c->sock.stream) < 0) {
    isl_http_conn_close(c);
    return;
  }
  conn_start(c);
}

void isl_http_conn_adopt(isl_http_server_t *s, uv_os_sock_t fd) {
  isl_http_conn_t *c = conn_new(s, false);
  if (uv_tcp_open(&c->sock.tcp, fd) < 0) {
    close(fd); /* not the handle's yet */
    isl_http_conn_close(c);
    return;
  }
  conn_start(c);
}

void isl_http_conn_shutdown(isl_http_conn_t *c) {
  /* In-flight requests finish (their response says Connection: close); idle ones go now. */
  if (c->phase == ISL_CONN_IDLE) isl_http_conn_close(c);
  /* A connection lingering after its last response is done too. */
  if (c->phase == ISL_CONN_ENDING && !c->write_pending && !c->sres &&
      c->due_ms != 0)
    isl_http_conn_close(c);
}
