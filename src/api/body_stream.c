/* Bodies between JS streams and C streams (body.h): the two bridges that let a body flow
 * from a worker's ReadableStream to any C reader (the HTTP server, another worker, the
 * network) and from any C source (another worker's response, an upload) to a worker's
 * ReadableStream, chunk by chunk with back-pressure on both sides. The C side is the
 * streaming isl_body_t of src/base/message.h; the JS side uses streams_api.h only.
 *
 * JS → C: a C reader (isl_rreader_t) locked to the stream. Each chunk it reads is pushed
 * to the body; when the body's reader pauses, the C reader stops reading until the body
 * flows again. The body's cancel (a client that went away) cancels the JS stream on the
 * loop's next turn, because it may come from a garbage collector's finalizer (a Response
 * dropped unread), where no JS may run.
 *
 * C → JS: a readable byte stream whose C source (isl_rsource_t) starts reading the body
 * when the stream first pulls and pauses it when the stream's queue is full. */
#include <stdlib.h>
#include <string.h>

#include "../loop/task.h"
#include "body.h"
#include "streams_api.h"

/* Bytes a JS stream made from a C stream holds before the C side is paused. */
#define JS_STREAM_HIGH_WATER_MARK (64 * 1024)

/* ---- Known lengths ----------------------------------------------------------------------- */

void isl_body_stream_set_length(JSContextRef ctx, JSObjectRef stream, int64_t length) {
  isl_slot_set(ctx, stream, ISL_BODY_LENGTH_SLOT, JSValueMakeNumber(ctx, (double)length));
}

static int64_t stream_length(JSContextRef ctx, JSValueRef stream) {
  JSValueRef v = isl_slot_get(ctx, (JSObjectRef)stream, ISL_BODY_LENGTH_SLOT);
  if (!JSValueIsNumber(ctx, v)) return ISL_BODY_LENGTH_UNKNOWN;
  return (int64_t)JSValueToNumber(ctx, v, NULL);
}

/* ---- JS → C --------------------------------------------------------------------------- */

/* Lives while the JS stream may still be read or canceled: freed when the JS side ended
 * (on_js_end) or was canceled (on_js_chunk, run_js_cancel), once no deferred call waits. */
typedef struct {
  isl_realm_t *realm;
  isl_budget_t *budget;  /* the request the stream's JS runs for (a reference), or NULL */
  isl_rreader_t *reader; /* NULL once the JS stream ended or was canceled */
  isl_body_t *body;      /* the body's handle; NULL once it ended or was canceled */
  int holds;             /* starting, a deferred resume or cancel: not freed before */
  bool resume_posted;
  char *reason; /* why the body's reader canceled; set: a cancel is on its way */
} js_source_t;

static void js_source_release(js_source_t *j) {
  if (j->holds > 0 || j->reader) return;
  isl_budget_unref(j->budget);
  free(j->reason);
  free(j);
}

static JSObjectRef cancel_reason(JSContextRef ctx, const char *why) {
  return isl_dom_error_new(ctx, "AbortError", why);
}

static bool on_js_chunk(JSContextRef ctx, isl_rreader_t *r, void *data, const uint8_t *p,
                        size_t n) {
  js_source_t *j = data;
  if (!j->body) return false;
  isl_push_t x = isl_body_push(j->body, p, n);
  if (x != ISL_PUSH_CANCELED) return x == ISL_PUSH_MORE;
  /* The reader gave up from inside the push (or the stream broke its declared length):
   * the JS stream is canceled now; its end callback is not called after that. */
  j->body = NULL;
  j->reader = NULL;
  isl_rreader_cancel(ctx, r, cancel_reason(ctx, "The body's reader stopped reading"));
  js_source_release(j);
  return false;
}

static void on_js_end(JSContextRef ctx, isl_rreader_t *r, void *data, isl_rread_end_t how,
                      JSValueRef error) {
  (void)r;
  js_source_t *j = data;
  j->reader = NULL;
  isl_body_t *b = j->body;
  j->body = NULL;
  if (b) {
    if (how == ISL_RREAD_CLOSED) {
      isl_body_end(b, NULL);
    } else if (how == ISL_RREAD_ABORTED || !ctx) {
      isl_body_end(b, "the worker that produced the body stopped");
    } else {
      char *d = error ? isl_exception_describe(ctx, error) : NULL;
      isl_buf_t m = {0};
      isl_buf_printf(&m, "the body's ReadableStream errored: %s", d ? d : "unknown error");
      isl_body_end(b, m.p);
      isl_buf_free(&m);
      free(d);
    }
  }
  js_source_release(j);
}

static const isl_rreader_ops_t js_reader_ops = {.chunk = on_js_chunk, .end = on_js_end};

/* The stream's JS (its pull, the reactions it queues) runs for the request that made the
 * body, and never inside another run (another worker's pull asking for more): like a
 * service binding's answer, it waits until the run in progress has ended. */
static void run_js_resume(void *data) {
  js_source_t *j = data;
  j->resume_posted = false;
  if (j->reader && j->body) {
    /* The JS stream may end (on_js_end) inside: j is held until this returns. */
    isl_realm_t *r = j->realm;
    isl_run_t run;
    isl_run_begin(r, j->budget, &run);
    isl_rreader_resume(r->ctx, j->reader);
    isl_run_end(r, &run);
  }
  j->holds--;
  js_source_release(j);
}

static void js_source_flow(isl_body_t *b, void *data) {
  (void)b;
  js_source_t *j = data;
  if (!j->reader || j->resume_posted) return;
  j->resume_posted = true;
  j->holds++;
  isl_after_runs(run_js_resume, j);
}

static void run_js_cancel(void *data) {
  js_source_t *j = data;
  if (j->reader) {
    JSContextRef ctx = j->realm->ctx;
    isl_rreader_t *r = j->reader;
    j->reader = NULL;
    isl_run_t run;
    isl_run_begin(j->realm, j->budget, &run);
    isl_rreader_cancel(ctx, r, cancel_reason(ctx, j->reason));
    isl_run_end(j->realm, &run);
  }
  j->holds--;
  js_source_release(j);
}

static void js_source_cancel(isl_body_t *b, void *data, const char *reason) {
  (void)b;
  js_source_t *j = data;
  j->body = NULL;
  if (!j->reader) {
    js_source_release(j); /* never started (the stream could not be locked) */
    return;
  }
  /* Possibly inside a garbage collector's finalizer (a Response dropped unread): the JS
   * stream is canceled on the loop's next turn. */
  j->reason = isl_strdup(reason);
  j->holds++;
  isl_task_post(j->realm->loop, run_js_cancel, j);
}

static const isl_body_source_t js_source_ops = {.flow = js_source_flow,
                                                .cancel = js_source_cancel};

static bool take_c_body(void *data, void *arg);
static const isl_rsource_ops_t c_source_ops;

isl_body_t *isl_body_from_js_stream(JSContextRef ctx, JSValueRef stream, JSValueRef *exc) {
  if (!isl_stream_is(ctx, stream)) {
    isl_throw_type(ctx, exc, "The body is not a ReadableStream");
    return NULL;
  }
  /* A stream made here from a C body that nothing has read yet is that body again: a
   * request body forwarded untouched (fetch(url, {body: request.body})) or echoed never
   * passes through JS. */
  isl_body_t *direct = NULL;
  if (isl_rsource_take(ctx, stream, &c_source_ops, take_c_body, &direct)) return direct;
  js_source_t *j = isl_calloc(1, sizeof(*j));
  j->realm = isl_realm_of(ctx);
  j->budget = j->realm->current;
  isl_budget_ref(j->budget);
  j->body = isl_body_stream_new(&js_source_ops, j, stream_length(ctx, stream));
  isl_body_t *body = j->body;
  /* Locking the stream starts reading it: the first chunk may be pushed (and kept by the
   * body until its reader comes), or the stream may even end, before this returns. */
  j->holds++;
  isl_rreader_t *r = isl_rreader_new(ctx, stream, &js_reader_ops, j, exc);
  j->holds--;
  if (!r) {
    isl_body_unref(body); /* its cancel releases j */
    return NULL;
  }
  if (j->body) j->reader = r; /* still reading */
  else js_source_release(j);  /* ended (or canceled) while starting */
  return body;
}

/* ---- C → JS --------------------------------------------------------------------------- */

/* Chunks from the C side are copied and pushed into the JS stream outside any run in
 * progress (a producing worker's run calls the body's reader from inside its JS): the
 * reactions they wake run for the request that made the stream, not inside another
 * request's time.
 *
 * The JS stream is rooted only while the C side may call back: from a pull until the body
 * is paused again and what came is pushed. A paused stream waits for nothing but its next
 * pull, so it is let go: one nobody reads any more (a Response whose `body` was looked at
 * and dropped) is collected, and that cancels the C body and its producer, instead of
 * both living until the worker is torn down. An end that comes while the stream is let go
 * waits for the next pull. */
typedef struct chunk {
  struct chunk *next;
  size_t n;
  char p[];
} chunk_t;

/* Lives while anything holds it: the JS stream's source (until it ends), a posted flush,
 * a sink callback in progress (a flush run from inside it may end the stream). */
typedef struct {
  int holds;
  isl_realm_t *realm;
  isl_budget_t *budget; /* the request the JS stream was made for (a reference), or NULL */
  isl_rsource_t *src;   /* the JS stream's source handle; NULL once it ended */
  isl_body_t *body;     /* a reference, until the source ends */
  chunk_t *queue, *tail; /* copied chunks waiting to be pushed */
  size_t queued;
  char *end_error;  /* the body ended with this error (after the queue) */
  bool ended;       /* the body ended (after the queue) */
  bool flush_posted, started;
  bool held;        /* the JS stream is rooted */
  bool paused;      /* the C body was paused: nothing comes before the next pull */
} c_source_t;

static void c_source_release(c_source_t *c) {
  if (--c->holds > 0) return;
  while (c->queue) {
    chunk_t *k = c->queue;
    c->queue = k->next;
    free(k);
  }
  isl_budget_unref(c->budget);
  free(c->end_error);
  free(c);
}

/* Pushes what is queued, then the end. The pushes run JS (the reactions of reads), which
 * may cancel the stream; ending the run runs what was deferred meanwhile. The flush's hold
 * keeps c through both. */
static void run_c_flush(void *data) {
  c_source_t *c = data;
  c->flush_posted = false;
  if (c->src) {
    isl_realm_t *r = c->realm;
    JSContextRef ctx = r->ctx;
    isl_run_t run;
    isl_run_begin(r, c->budget, &run);
    while (c->queue && c->src) {
      chunk_t *k = c->queue;
      c->queue = k->next;
      if (!c->queue) c->tail = NULL;
      c->queued -= k->n;
      isl_rsource_push(ctx, c->src, k->p, k->n);
      free(k);
    }
    if (c->ended && c->src && !c->queue) {
      isl_rsource_t *s = c->src;
      c->src = NULL;
      if (c->end_error) isl_rsource_error(ctx, s, NULL, c->end_error);
      else isl_rsource_close(ctx, s); /* either ends the source (c_source_end) */
    }
    if (c->src && c->held && c->paused && !c->flush_posted && !c->ended) {
      c->held = false;
      isl_rsource_hold(ctx, c->src, false);
    }
    isl_run_end(r, &run);
  }
  c_source_release(c);
}

static void post_flush(c_source_t *c) {
  if (c->flush_posted) return;
  c->flush_posted = true;
  c->holds++;
  isl_after_runs(run_c_flush, c); /* at once when no run is in progress */
}

static bool on_c_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  (void)b;
  c_source_t *c = data;
  if (!c->src) return false;
  chunk_t *k = isl_malloc(sizeof(*k) + n);
  k->next = NULL;
  k->n = n;
  memcpy(k->p, p, n);
  if (c->tail) c->tail->next = k;
  else c->queue = k;
  c->tail = k;
  c->queued += n;
  c->holds++;
  post_flush(c);
  /* More while the stream's queue (and what waits to join it) is below its mark. */
  bool more = c->src && isl_rsource_desired_size(c->src) - (double)c->queued > 0;
  if (!more) c->paused = true;
  c_source_release(c);
  return more;
}

static void on_c_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  c_source_t *c = data;
  if (!c->src) return;
  c->ended = true;
  c->end_error = error ? isl_strdup(error) : NULL;
  if (c->held) post_flush(c); /* else at the next pull */
}

static const isl_body_sink_t c_sink_ops = {.chunk = on_c_chunk, .end = on_c_end};

static void c_source_pull(JSContextRef ctx, isl_rsource_t *s, void *data) {
  (void)ctx;
  c_source_t *c = data;
  if (!c->held) {
    c->held = true;
    isl_rsource_hold(ctx, s, true);
  }
  c->paused = false;
  if (c->ended) {
    post_flush(c); /* the end that came while the stream was let go */
  } else if (!c->started) {
    c->started = true;
    isl_body_read(c->body, &c_sink_ops, c);
  } else {
    isl_body_resume(c->body);
  }
}

static void c_source_cancel(JSContextRef ctx, isl_rsource_t *s, void *data, JSValueRef reason) {
  (void)s, (void)reason;
  c_source_t *c = data;
  c->src = NULL;
  isl_body_cancel(c->body, ctx ? "the ReadableStream was canceled" : "the worker stopped");
}

/* The JS stream's source ended (closed, errored, canceled): the body is let go now, c
 * once nothing else holds it. */
static void c_source_end(void *data) {
  c_source_t *c = data;
  c->src = NULL;
  isl_body_t *b = c->body;
  c->body = NULL;
  isl_body_unref(b);
  c_source_release(c);
}

static const isl_rsource_ops_t c_source_ops = {
    .pull = c_source_pull, .cancel = c_source_cancel, .release = c_source_end};

/* isl_rsource_take's question: the C body can be handed on as it is while its reading has
 * not started (nothing of it went to JS). */
static bool take_c_body(void *data, void *arg) {
  c_source_t *c = data;
  if (c->started || c->queue || c->ended || !c->body || !c->src) return false;
  *(isl_body_t **)arg = isl_body_ref(c->body);
  return true;
}

JSObjectRef isl_body_js_stream(JSContextRef ctx, isl_body_t *body) {
  if (!isl_body_is_stream(body)) {
    JSObjectRef s = isl_stream_from_body(ctx, body);
    isl_body_stream_set_length(ctx, s, body ? (int64_t)body->len : 0);
    return s;
  }
  c_source_t *c = isl_calloc(1, sizeof(*c));
  c->holds = 1; /* the JS stream's source */
  c->held = true; /* made rooted (ISL_RSOURCE_ASYNC) */
  c->realm = isl_realm_of(ctx);
  c->budget = c->realm->current;
  isl_budget_ref(c->budget);
  c->body = isl_body_ref(body);
  JSObjectRef s = isl_rsource_new(ctx, &c_source_ops, c, JS_STREAM_HIGH_WATER_MARK,
                                  ISL_RSOURCE_ASYNC, &c->src);
  int64_t len = isl_body_length(body);
  if (len >= 0) isl_body_stream_set_length(ctx, s, len);
  return s;
}
