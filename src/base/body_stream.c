/* Streaming bodies: the hand-over between one source of chunks and one reader, with
 * back-pressure and cancellation (the protocol is described in message.h). No JS, no I/O:
 * the source and the reader bring their own (a JS stream, a socket, libcurl).
 *
 * The body keeps only what the protocol needs: who reads, whether the reader wants chunks,
 * whether the source is still live or has ended, and the chunks a source pushed while the
 * reader was not taking any (before it started, or after it paused: a socket read or a JS
 * chunk already in hand cannot be given back). Those are delivered first, as one chunk,
 * when the reader starts or resumes. */
#include <stdlib.h>
#include <string.h>

#include "message.h"

/* Someone waiting for the source to finish (isl_body_on_finish). */
typedef struct waiter {
  void (*fn)(void *data);
  void *data;
  struct waiter *next;
} waiter_t;

struct isl_body_stream {
  const isl_body_source_t *src;
  void *src_data;
  const isl_body_sink_t *sink;
  void *sink_data;
  int64_t length;    /* declared, or ISL_BODY_LENGTH_UNKNOWN */
  uint64_t pushed;   /* bytes the source has pushed */
  bool src_live;     /* the source may push: neither ended nor canceled */
  bool reading;      /* a reader started */
  bool want;         /* the reader takes chunks (not paused) */
  bool canceled;     /* the reader gave up, or the body was dropped unread */
  bool ended;        /* the source ended; end_error says how */
  bool end_done;     /* the reader's end() was called */
  bool in_flow;      /* inside the source's flow() */
  bool reflow;       /* resumed during flow(): call it again when it returns */
  int in_push;       /* inside isl_body_push (the reader's chunk()) */
  struct waiter *waiters; /* told once when the source is finished */
  char *end_error;
  isl_buf_t pending; /* pushed while the reader was not taking chunks */
};

/* ---- Complete bytes, and the reference count both kinds share ---------------------------- */

isl_body_t *isl_body_new(char *data, size_t len) {
  isl_body_t *b = isl_malloc(sizeof(*b));
  b->refs = 1;
  b->len = len;
  b->data = data ? data : isl_malloc(1);
  b->stream = NULL;
  return b;
}

isl_body_t *isl_body_copy_of(const void *data, size_t len) {
  char *p = isl_malloc(len + 1);
  if (len) memcpy(p, data, len);
  p[len] = 0;
  return isl_body_new(p, len);
}

isl_body_t *isl_body_ref(isl_body_t *b) {
  if (b) b->refs++;
  return b;
}

static void stream_free(isl_body_t *b);

void isl_body_unref(isl_body_t *b) {
  if (!b || --b->refs > 0) return;
  if (b->stream) stream_free(b);
  free(b->data);
  free(b);
}

/* ---- Streams ------------------------------------------------------------------------------ */

isl_body_t *isl_body_stream_new(const isl_body_source_t *src, void *data, int64_t length) {
  isl_body_t *b = isl_calloc(1, sizeof(*b));
  b->refs = 1;
  isl_body_stream_t *s = isl_calloc(1, sizeof(*s));
  s->src = src;
  s->src_data = data;
  s->length = length < 0 ? ISL_BODY_LENGTH_UNKNOWN : length;
  s->src_live = true;
  b->stream = s;
  return b;
}

int64_t isl_body_length(const isl_body_t *b) {
  if (!b) return 0;
  return b->stream ? b->stream->length : (int64_t)b->len;
}

/* The source is finished (ended, canceled, or nobody will read): whoever waits for that
 * (the request context of the worker producing the body) hears it once. */
static void source_gone(isl_body_stream_t *s) {
  s->src_live = false;
  waiter_t *w = s->waiters;
  s->waiters = NULL;
  while (w) {
    waiter_t *next = w->next;
    w->fn(w->data);
    free(w);
    w = next;
  }
}

bool isl_body_on_finish(isl_body_t *b, void (*fn)(void *data), void *data) {
  isl_body_stream_t *s = b->stream;
  ISL_CHECK(s != NULL);
  if (!s->src_live) return false;
  waiter_t *w = isl_malloc(sizeof(*w));
  w->fn = fn;
  w->data = data;
  w->next = s->waiters;
  s->waiters = w;
  return true;
}

/* The last reference of a stream is gone. */
static void stream_free(isl_body_t *b) {
  isl_body_stream_t *s = b->stream;
  /* Nobody will read the rest: the source stops (from inside a push, the push's answer
   * tells it). */
  if (s->src_live) {
    s->canceled = true;
    source_gone(s);
    if (!s->in_push && s->src->cancel) s->src->cancel(b, s->src_data, "the body was not read");
  }
  isl_buf_free(&s->pending);
  free(s->end_error);
  free(s);
  b->stream = NULL;
}

static void deliver_end(isl_body_t *b) {
  isl_body_stream_t *s = b->stream;
  if (s->end_done || s->canceled || !s->reading || !s->ended || s->pending.len || s->in_push)
    return;
  s->end_done = true;
  s->sink->end(s->sink_data, b, s->end_error);
}

/* Hands the reader the chunks kept while it was not taking any, as one chunk, while it
 * wants them. The caller holds a reference. */
static void deliver_pending(isl_body_t *b) {
  isl_body_stream_t *s = b->stream;
  while (s->reading && s->want && !s->canceled && !s->in_push && s->pending.len) {
    /* The reader may pause again, or cancel, from inside chunk(): the bytes are taken out
     * first so nothing here is touched afterwards. */
    isl_buf_t p = s->pending;
    s->pending = (isl_buf_t){0};
    s->in_push++;
    s->want = s->sink->chunk(s->sink_data, b, p.p, p.len);
    s->in_push--;
    isl_buf_free(&p);
  }
}

/* Delivers what the body holds (chunks kept while the reader was away, then the end)
 * and asks the source for more while the reader wants it. Never runs inside a push. */
static void drive(isl_body_t *b) {
  isl_body_stream_t *s = b->stream;
  isl_body_ref(b);
  while (s->reading && s->want && !s->canceled && !s->in_push && !s->in_flow) {
    deliver_pending(b);
    if (!s->want || s->canceled) break;
    if (s->ended) {
      deliver_end(b);
      break;
    }
    if (!s->src_live) break;
    s->in_flow = true;
    s->reflow = false;
    s->src->flow(b, s->src_data);
    s->in_flow = false;
    if (!s->reflow) break;
  }
  /* The end can be delivered to a paused reader: it asks for no more chunks. */
  if (!s->want) deliver_end(b);
  isl_body_unref(b);
}

bool isl_body_read(isl_body_t *b, const isl_body_sink_t *sink, void *data) {
  isl_body_stream_t *s = b ? b->stream : NULL;
  if (!s || s->reading || s->canceled) return false;
  s->reading = true;
  s->want = true;
  s->sink = sink;
  s->sink_data = data;
  drive(b);
  return true;
}

void isl_body_resume(isl_body_t *b) {
  isl_body_stream_t *s = b->stream;
  if (!s->reading || s->canceled || s->end_done) return;
  bool was = s->want;
  s->want = true;
  if (s->in_flow) {
    if (!was) s->reflow = true;
    return;
  }
  /* Inside a push the push's answer says "more"; otherwise deliver and ask the source. */
  if (!s->in_push && !was) drive(b);
}

void isl_body_cancel(isl_body_t *b, const char *reason) {
  isl_body_stream_t *s = b->stream;
  if (!s || s->canceled || s->end_done) return;
  s->canceled = true;
  s->want = false;
  isl_buf_free(&s->pending);
  if (s->src_live) {
    source_gone(s);
    if (!s->in_push && s->src->cancel) {
      isl_body_ref(b);
      s->src->cancel(b, s->src_data, reason ? reason : "canceled");
      isl_body_unref(b);
    }
  }
}

/* The source broke its promise of a length: the reader gets an error instead of a body
 * that is silently longer or shorter than announced. */
static void end_with(isl_body_stream_t *s, const char *error) {
  s->ended = true;
  source_gone(s);
  free(s->end_error);
  s->end_error = error ? isl_strdup(error) : NULL;
}

isl_push_t isl_body_push(isl_body_t *b, const void *p, size_t n) {
  isl_body_stream_t *s = b->stream;
  if (!s->src_live) return ISL_PUSH_CANCELED;
  if (s->length >= 0 && s->pushed + n > (uint64_t)s->length) {
    /* More than declared: the reader sees an error; the source is told to stop. */
    end_with(s, "the body is longer than its declared length");
    isl_buf_free(&s->pending);
    isl_body_ref(b);
    deliver_end(b);
    isl_body_unref(b);
    return ISL_PUSH_CANCELED;
  }
  s->pushed += n;
  if (n == 0) return s->reading && s->want ? ISL_PUSH_MORE : ISL_PUSH_PAUSE;
  if (!s->reading || !s->want || s->pending.len || s->in_push) {
    isl_buf_append(&s->pending, p, n);
    return ISL_PUSH_PAUSE;
  }
  isl_body_ref(b);
  s->in_push++;
  s->want = s->sink->chunk(s->sink_data, b, p, n);
  s->in_push--;
  /* Pushed from inside chunk() (kept), or ended meanwhile: delivered now. */
  deliver_pending(b);
  deliver_end(b);
  isl_push_t r = s->canceled || !s->src_live ? ISL_PUSH_CANCELED
                 : s->want && !s->pending.len ? ISL_PUSH_MORE
                                               : ISL_PUSH_PAUSE;
  if (b->refs == 1 && s->src_live) {
    /* The reader dropped the body inside chunk(): this push's answer tells the source,
     * so freeing it must not call cancel() as well. */
    s->canceled = true;
    source_gone(s);
    r = ISL_PUSH_CANCELED;
  }
  isl_body_unref(b);
  return r;
}

void isl_body_end(isl_body_t *b, const char *error) {
  isl_body_stream_t *s = b->stream;
  if (!s->src_live) return;
  if (!error && s->length >= 0 && s->pushed != (uint64_t)s->length)
    error = "the body is shorter than its declared length";
  end_with(s, error);
  isl_body_ref(b);
  deliver_end(b);
  isl_body_unref(b);
}

/* ---- Reading everything ------------------------------------------------------------------ */

typedef struct {
  isl_buf_t buf;
  size_t limit;
  isl_body_collect_cb cb;
  void *data;
  isl_body_t *body; /* the reference held while reading */
} collect_t;

static bool collect_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  collect_t *c = data;
  if (n > c->limit - c->buf.len) {
    isl_body_cancel(b, "the body is larger than allowed");
    isl_buf_free(&c->buf);
    c->cb(c->data, NULL, "the body is larger than allowed");
    isl_body_unref(c->body);
    free(c);
    return false;
  }
  isl_buf_append(&c->buf, p, n);
  return true;
}

static void collect_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  collect_t *c = data;
  if (error) {
    isl_buf_free(&c->buf);
    c->cb(c->data, NULL, error);
  } else {
    size_t n = c->buf.len;
    c->cb(c->data, isl_body_new(isl_buf_take(&c->buf), n), NULL);
  }
  isl_body_unref(c->body);
  free(c);
}

static const isl_body_sink_t collect_sink = {.chunk = collect_chunk, .end = collect_end};

void isl_body_collect(isl_body_t *b, size_t limit, isl_body_collect_cb cb, void *data) {
  if (!isl_body_is_stream(b)) {
    cb(data, b ? isl_body_ref(b) : isl_body_copy_of("", 0), NULL);
    return;
  }
  collect_t *c = isl_calloc(1, sizeof(*c));
  c->limit = limit;
  c->cb = cb;
  c->data = data;
  c->body = isl_body_ref(b);
  if (!isl_body_read(b, &collect_sink, c)) {
    isl_body_unref(c->body);
    free(c);
    cb(data, NULL, "the body was already read");
  }
}

/* ---- Services that need the whole request body ------------------------------------------ */

typedef struct {
  isl_service_t *svc;
  isl_request_t *req;
  size_t limit;
  isl_response_cb cb;
  void *data;
} await_t;

static void on_request_body(void *data, isl_body_t *bytes, const char *error) {
  await_t *a = data;
  isl_request_t *req = a->req;
  isl_body_unref(req->body);
  req->body = bytes;
  if (bytes) {
    a->svc->fetch(a->svc, req, a->cb, a->data);
  } else {
    isl_request_free(req);
    isl_buf_t m = {0};
    if (strcmp(error, "the body is larger than allowed") == 0)
      isl_buf_printf(&m, "the request body is larger than %zu bytes, which service '%s' "
                         "cannot take", a->limit, a->svc->name ? a->svc->name : "");
    else
      isl_buf_printf(&m, "the request body failed: %s", error);
    a->cb(a->data, isl_response_network_error(m.p));
    isl_buf_free(&m);
  }
  free(a);
}

bool isl_request_await_body(isl_service_t *svc, isl_request_t *req, size_t limit,
                            isl_response_cb cb, void *data) {
  if (!isl_body_is_stream(req->body)) return false;
  await_t *a = isl_calloc(1, sizeof(*a));
  *a = (await_t){svc, req, limit, cb, data};
  isl_body_collect(req->body, limit, on_request_body, a);
  return true;
}
