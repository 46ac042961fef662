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

typedef struct {
  isl_realm_t *realm;
  isl_rreader_t *reader; /* NULL once the JS stream ended or was canceled */
  isl_body_t *body;      /* the body's handle; NULL once it ended or was canceled */
  bool starting;         /* inside isl_rreader_new */
  bool cancel_posted;    /* a task will cancel the reader and free this */
  char *reason;          /* why the body's reader canceled */
} js_source_t;

static void js_source_free(js_source_t *j) {
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
  if (!j->starting && !j->cancel_posted) js_source_free(j);
  return false;
}

static void on_js_end(JSContextRef ctx, isl_rreader_t *r, void *data, isl_rread_end_t how,
                      JSValueRef error) {
  (void)r;
  js_source_t *j = data;
  j->reader = NULL;
  if (j->body) {
    isl_body_t *b = j->body;
    j->body = NULL;
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
  if (!j->starting && !j->cancel_posted) js_source_free(j);
}

static const isl_rreader_ops_t js_reader_ops = {.chunk = on_js_chunk, .end = on_js_end};

static void js_source_flow(isl_body_t *b, void *data) {
  (void)b;
  js_source_t *j = data;
  if (j->reader) isl_rreader_resume(j->realm->ctx, j->reader);
}

static void run_js_cancel(void *data) {
  js_source_t *j = data;
  if (j->reader) {
    JSContextRef ctx = j->realm->ctx;
    isl_rreader_t *r = j->reader;
    j->reader = NULL;
    isl_rreader_cancel(ctx, r, cancel_reason(ctx, j->reason));
  }
  js_source_free(j);
}

static void js_source_cancel(isl_body_t *b, void *data, const char *reason) {
  (void)b;
  js_source_t *j = data;
  j->body = NULL;
  if (!j->reader) {
    /* Never started (the stream could not be locked), or already ended. */
    if (!j->starting) js_source_free(j);
    return;
  }
  /* Possibly inside a finalizer: the JS stream is canceled on the next turn. */
  j->reason = isl_strdup(reason);
  j->cancel_posted = true;
  isl_task_post(j->realm->loop, run_js_cancel, j);
}

static const isl_body_source_t js_source_ops = {.flow = js_source_flow,
                                                .cancel = js_source_cancel};

isl_body_t *isl_body_from_js_stream(JSContextRef ctx, JSValueRef stream, JSValueRef *exc) {
  if (!isl_stream_is(ctx, stream)) {
    isl_throw_type(ctx, exc, "The body is not a ReadableStream");
    return NULL;
  }
  js_source_t *j = isl_calloc(1, sizeof(*j));
  j->realm = isl_realm_of(ctx);
  j->body = isl_body_stream_new(&js_source_ops, j, stream_length(ctx, stream));
  isl_body_t *body = j->body;
  /* Locking the stream starts reading it: the first chunk may be pushed (and kept by the
   * body until its reader comes), or the stream may even end, before this returns. */
  j->starting = true;
  isl_rreader_t *r = isl_rreader_new(ctx, stream, &js_reader_ops, j, exc);
  j->starting = false;
  if (!r) {
    isl_body_unref(body); /* cancel: frees j */
    return NULL;
  }
  bool live = j->body || j->cancel_posted;
  if (j->body) j->reader = r;
  else if (!live) js_source_free(j); /* ended (or canceled) while starting */
  return body;
}

/* ---- C → JS --------------------------------------------------------------------------- */

typedef struct {
  isl_realm_t *realm;
  isl_rsource_t *src; /* the JS stream's source handle; NULL once it ended */
  isl_body_t *body;   /* a reference */
  bool started;
} c_source_t;

static bool on_c_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  (void)b;
  c_source_t *c = data;
  if (!c->src || !isl_rsource_push(c->realm->ctx, c->src, p, n)) return false;
  /* More while the stream's queue is below its high water mark. */
  return c->src && isl_rsource_desired_size(c->src) > 0;
}

static void on_c_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  c_source_t *c = data;
  isl_rsource_t *s = c->src;
  if (!s) return;
  c->src = NULL;
  /* Either call ends the source, which releases c. */
  if (error) isl_rsource_error(c->realm->ctx, s, NULL, error);
  else isl_rsource_close(c->realm->ctx, s);
}

static const isl_body_sink_t c_sink_ops = {.chunk = on_c_chunk, .end = on_c_end};

static void c_source_pull(JSContextRef ctx, isl_rsource_t *s, void *data) {
  (void)ctx, (void)s;
  c_source_t *c = data;
  if (!c->started) {
    c->started = true;
    isl_body_read(c->body, &c_sink_ops, c);
  } else {
    isl_body_resume(c->body);
  }
}

static void c_source_cancel(JSContextRef ctx, isl_rsource_t *s, void *data, JSValueRef reason) {
  (void)ctx, (void)s, (void)reason;
  c_source_t *c = data;
  c->src = NULL;
  isl_body_cancel(c->body, ctx ? "the ReadableStream was canceled" : "the worker stopped");
}

static void c_source_release(void *data) {
  c_source_t *c = data;
  isl_body_unref(c->body);
  free(c);
}

static const isl_rsource_ops_t c_source_ops = {
    .pull = c_source_pull, .cancel = c_source_cancel, .release = c_source_release};

JSObjectRef isl_body_js_stream(JSContextRef ctx, isl_body_t *body) {
  if (!isl_body_is_stream(body)) {
    JSObjectRef s = isl_stream_from_body(ctx, body);
    isl_body_stream_set_length(ctx, s, body ? (int64_t)body->len : 0);
    return s;
  }
  c_source_t *c = isl_calloc(1, sizeof(*c));
  c->realm = isl_realm_of(ctx);
  c->body = isl_body_ref(body);
  JSObjectRef s = isl_rsource_new(ctx, &c_source_ops, c, JS_STREAM_HIGH_WATER_MARK,
                                  ISL_RSOURCE_ASYNC, &c->src);
  int64_t len = isl_body_length(body);
  if (len >= 0) isl_body_stream_set_length(ctx, s, len);
  return s;
}
