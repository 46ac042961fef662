/* The C interface of streams (streams_api.h): readable byte streams with a C source, C
 * readers of JS streams, and the Fetch-facing operations.
 *
 * A C source is the host object of a byte stream's controller (algorithm ST_ALG_C). Its
 * pull algorithm calls the source and returns a promise that the source's next push,
 * close or error resolves, so the controller asks again only when the source answered and
 * the queue still wants bytes: the stream's back-pressure, unchanged. A C reader is an
 * internal consumer with its own read-request kind (ST_REQ_C); it reads one chunk at a
 * time and only when the C side asks for it.
 *
 * Roots. A handle C code keeps across turns of the loop (an ISL_RSOURCE_ASYNC source, any
 * reader) protects its JS object until it ends, and is linked on the realm so the realm's
 * teardown aborts it. Nothing else here is protected. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "streams_api.h"
#include "streams_internal.h"

/* ---- Sources ------------------------------------------------------------------------------ */

enum { CS_J_STREAM, CS_J_PULL_RESOLVE };
struct isl_rsource {
  st_obj_t o;
  st_croot_t root;
  const isl_rsource_ops_t *ops;
  void *data;
  st_rs_t *stream;
  bool active, held, released;
};

static void release_data(isl_rsource_t *s) {
  if (s->released) return;
  s->released = true;
  if (s->ops->release) s->ops->release(s->data);
}

/* The stream was collected while the source was still running (a synchronous source
 * nobody reads any more): its data is released here, without JS. */
static void csrc_finalize(void *p) {
  isl_rsource_t *s = p;
  release_data(s);
  free(s);
}

static isl_class_def_t csrc_class = {
    .name = "C source",
    .finalize = csrc_finalize,
    .not_global = true,
};

static isl_rsource_t *csrc_of(JSContextRef ctx, JSValueRef v) {
  isl_rsource_t *s = isl_priv(ctx, v, &csrc_class);
  ISL_CHECK(s);
  return s;
}

/* Resolves the promise the last pull returned, if it is waiting. */
static void csrc_answer_pull(JSContextRef ctx, isl_rsource_t *s) {
  JSValueRef res = ST_JS(s, CS_J_PULL_RESOLVE);
  if (!res) return;
  ST_SET(ctx, s, CS_J_PULL_RESOLVE, NULL);
  st_settle(ctx, (JSObjectRef)res, NULL);
}

/* The source has ended: no more calls in either direction. The root goes last, so nothing
 * touches the handle after it may be collected. */
static void csrc_end(isl_realm_t *r, isl_rsource_t *s) {
  s->active = false;
  release_data(s);
  if (s->held) {
    s->held = false;
    st_croot_unlink(r->ctx, &s->root);
    isl_unprotect(r->ctx, s->o.self);
  }
}

static void csrc_abort(isl_realm_t *r, st_croot_t *root) {
  isl_rsource_t *s = (isl_rsource_t *)((char *)root - offsetof(isl_rsource_t, root));
  s->active = false;
  if (s->ops->cancel) s->ops->cancel(NULL, s, s->data, NULL);
  release_data(s);
  s->held = false;
  isl_unprotect(r->ctx, s->o.self);
}

JSObjectRef st_csrc_pull(JSContextRef ctx, JSValueRef host) {
  isl_rsource_t *s = csrc_of(ctx, host);
  if (!s->active) return st_resolved(ctx, NULL);
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, s, CS_J_PULL_RESOLVE, d.resolve);
  s->ops->pull(ctx, s, s->data);
  return d.promise;
}

JSObjectRef st_csrc_cancel(JSContextRef ctx, JSValueRef host, JSValueRef reason) {
  isl_rsource_t *s = csrc_of(ctx, host);
  if (s->active) {
    s->active = false;
    if (s->ops->cancel) s->ops->cancel(ctx, s, s->data, reason);
    csrc_end(isl_realm_of(ctx), s);
  }
  return st_resolved(ctx, NULL);
}

static JSObjectRef rsource_new(JSContextRef ctx, const isl_rsource_ops_t *ops, void *data,
                               double high_water_mark, int flags, isl_rsource_t **out) {
  isl_rsource_t *s = isl_calloc(1, sizeof(*s));
  st_obj_init(ctx, &s->o, isl_wrap(ctx, &csrc_class, s));
  s->ops = ops;
  s->data = data;
  s->active = true;
  s->stream = st_rbs_create(ctx, ST_ALG_C, s->o.self, 0, high_water_mark, 0);
  ST_SET(ctx, s, CS_J_STREAM, s->stream->o.self);
  if (flags & ISL_RSOURCE_ASYNC) {
    s->held = true;
    s->root.abort = csrc_abort;
    isl_protect(ctx, s->o.self);
    st_croot_link(ctx, &s->root);
  }
  if (out) *out = s;
  return s->stream->o.self;
}

static void free_owned(void *bytes, void *ctx) {
  (void)ctx;
  free(bytes);
}

static bool csrc_enqueue(JSContextRef ctx, isl_rsource_t *s, JSObjectRef buffer, size_t n) {
  JSValueRef exc = NULL;
  JSObjectRef view = JSObjectMakeTypedArrayWithArrayBufferAndOffset(
      ctx, kJSTypedArrayTypeUint8Array, buffer, 0, n, &exc);
  if (view) st_rbc_enqueue(ctx, s->stream->bc, view, &exc);
  csrc_answer_pull(ctx, s);
  return s->stream->state == RS_READABLE;
}

static bool rsource_push(JSContextRef ctx, isl_rsource_t *s, const void *p, size_t n) {
  if (!s->active || s->stream->state != RS_READABLE) return false;
  if (n == 0) {
    csrc_answer_pull(ctx, s);
    return true;
  }
  return csrc_enqueue(ctx, s, isl_arraybuffer_new(ctx, p, n), n);
}

static bool rsource_push_owned(JSContextRef ctx, isl_rsource_t *s, void *p, size_t n) {
  if (!s->active || s->stream->state != RS_READABLE || n == 0) {
    free(p);
    if (s->active && n == 0) csrc_answer_pull(ctx, s);
    return s->active && s->stream->state == RS_READABLE;
  }
  JSObjectRef buffer = JSObjectMakeArrayBufferWithBytesNoCopy(ctx, p, n, free_owned, NULL, NULL);
  return csrc_enqueue(ctx, s, buffer, n);
}

static void rsource_close(JSContextRef ctx, isl_rsource_t *s) {
  if (!s->active) return;
  JSValueRef exc = NULL;
  st_rbc_close(ctx, s->stream->bc, &exc);
  csrc_answer_pull(ctx, s);
  csrc_end(isl_realm_of(ctx), s);
}

static void rsource_error(JSContextRef ctx, isl_rsource_t *s, JSValueRef e, const char *message) {
  if (!s->active) return;
  st_rbc_error(ctx, s->stream->bc,
               e ? e : st_type_error(ctx, message ? message : "The source failed"));
  csrc_answer_pull(ctx, s);
  csrc_end(isl_realm_of(ctx), s);
}

/* Roots or unroots an active source's stream (see isl_rsource_hold). */
static void rsource_hold(JSContextRef ctx, isl_rsource_t *s, bool hold) {
  if (!s->active || s->held == hold) return;
  s->held = hold;
  if (hold) {
    s->root.abort = csrc_abort;
    isl_protect(ctx, s->o.self);
    st_croot_link(ctx, &s->root);
  } else {
    st_croot_unlink(ctx, &s->root);
    isl_unprotect(ctx, s->o.self);
  }
}

double isl_rsource_desired_size(isl_rsource_t *s) {
  double d;
  return st_rbc_desired_size(s->stream->bc, &d) ? d : 0;
}

/* Hands an untouched stream's C source back to C (see isl_rsource_take). The stream is
 * locked for good to a reader nothing reads from, as if C were reading it, and marked
 * disturbed; the reader is held by the stream alone, so both go when it is collected. */
static bool rsource_take(JSContextRef ctx, JSValueRef stream, const isl_rsource_ops_t *ops,
                         bool (*take)(void *data, void *arg), void *arg) {
  st_rs_t *s = st_rs_of(ctx, stream);
  if (!s || !s->bc || s->state != RS_READABLE || s->reader || s->disturbed) return false;
  st_rbc_t *bc = s->bc;
  if (bc->alg != ST_ALG_C || bc->queue.len || bc->pending.len) return false;
  isl_rsource_t *src = isl_priv(ctx, ST_GET(ctx, bc, BC_J_SOURCE), &csrc_class);
  if (!src || src->ops != ops || !src->active || !take(src->data, arg)) return false;
  st_reader_t *r = st_reader_acquire(ctx, s, false, NULL);
  ISL_CHECK(r != NULL); /* a readable, unlocked stream */
  s->disturbed = true;
  /* The source is over: later pulls and a cancel reach nobody, its data is released. */
  csrc_end(isl_realm_of(ctx), src);
  return true;
}

/* ---- A body's bytes as a stream ------------------------------------------------------------ */

#define BODY_SLICE (64 * 1024)

typedef struct {
  isl_body_t *body;
  size_t off, end; /* what is left to serve */
} body_source_t;

static void body_pull(JSContextRef ctx, isl_rsource_t *s, void *data) {
  body_source_t *b = data;
  size_t left = b->end - b->off;
  size_t n = left < BODY_SLICE ? left : BODY_SLICE;
  const char *p = b->body->data + b->off;
  b->off += n;
  if (!rsource_push(ctx, s, p, n)) return;
  if (b->off == b->end) rsource_close(ctx, s);
}

static void body_release(void *data) {
  body_source_t *b = data;
  isl_body_unref(b->body);
  free(b);
}

static const isl_rsource_ops_t body_ops = {
    .pull = body_pull,
    .release = body_release,
};

static JSObjectRef stream_from_body(JSContextRef ctx, isl_body_t *body, size_t off, size_t len) {
  body_source_t *b = isl_calloc(1, sizeof(*b));
  b->body = body ? isl_body_ref(body) : isl_body_copy_of("", 0);
  b->off = body ? off : 0;
  b->end = body ? off + len : 0;
  isl_rsource_t *s;
  JSObjectRef stream = rsource_new(ctx, &body_ops, b, 0, 0, &s);
  if (b->off == b->end) rsource_close(ctx, s);
  return stream;
}

/* ---- Readers ------------------------------------------------------------------------------- */

enum { CR_J_READER };
struct isl_rreader {
  st_obj_t o;
  st_croot_t root;
  const isl_rreader_ops_t *ops;
  void *data;
  st_reader_t *reader;
  bool active, pending, want, in_pump;
};

static void creader_finalize(void *p) { free(p); }

static isl_class_def_t creader_class = {
    .name = "C reader",
    .finalize = creader_finalize,
    .not_global = true,
};

static isl_rreader_t *creader_of(JSContextRef ctx, JSValueRef v) {
  isl_rreader_t *r = isl_priv(ctx, v, &creader_class);
  ISL_CHECK(r);
  return r;
}

static void creader_finish(JSContextRef ctx, isl_rreader_t *r, isl_rread_end_t how, JSValueRef e) {
  if (!r->active) return;
  r->active = false;
  if (r->reader->stream && !r->ops->keep_locked) st_reader_release(ctx, r->reader);
  st_croot_unlink(ctx, &r->root);
  r->ops->end(ctx, r, r->data, how, e);
  isl_unprotect(ctx, r->o.self);
}

static void creader_abort(isl_realm_t *realm, st_croot_t *root) {
  isl_rreader_t *r = (isl_rreader_t *)((char *)root - offsetof(isl_rreader_t, root));
  r->active = false;
  r->ops->end(NULL, r, r->data, ISL_RREAD_ABORTED, NULL);
  isl_unprotect(realm->ctx, r->o.self);
}

/* Reads while the C side wants chunks and nothing is pending. Chunks already queued arrive
 * synchronously inside st_reader_read, so this is a loop, never a recursion. */
static void creader_pump(JSContextRef ctx, isl_rreader_t *r) {
  if (r->in_pump) return;
  r->in_pump = true;
  while (r->active && r->want && !r->pending) {
    r->pending = true;
    st_req_t rq = {ST_REQ_C, r->o.self, NULL};
    st_reader_read(ctx, r->reader, &rq);
  }
  r->in_pump = false;
}

void st_c_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  isl_rreader_t *r = creader_of(ctx, rq->a);
  r->pending = false;
  if (!r->active) return;
  uint8_t *p = NULL;
  size_t n = 0;
  st_view_t v;
  if (st_view_get(ctx, chunk, &v)) {
    p = st_buffer_bytes(ctx, v.buffer);
    p = p ? p + v.offset : NULL;
    n = v.length;
  } else if (JSValueGetTypedArrayType(ctx, chunk, NULL) == kJSTypedArrayTypeArrayBuffer) {
    p = st_buffer_bytes(ctx, (JSObjectRef)chunk);
    n = st_buffer_length(ctx, (JSObjectRef)chunk);
  } else {
    JSObjectRef e = st_type_error(
        ctx, "A body stream's chunks must be Uint8Arrays (or other ArrayBuffer views)");
    st_mark_handled(ctx, st_reader_cancel(ctx, r->reader, e));
    creader_finish(ctx, r, ISL_RREAD_ERRORED, e);
    return;
  }
  static const uint8_t none;
  r->want = r->ops->chunk(ctx, r, r->data, p ? p : &none, n);
  if (r->active && r->want && !r->in_pump) creader_pump(ctx, r);
}

void st_c_req_close(JSContextRef ctx, const st_req_t *rq) {
  isl_rreader_t *r = creader_of(ctx, rq->a);
  r->pending = false;
  creader_finish(ctx, r, ISL_RREAD_CLOSED, NULL);
}

void st_c_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e) {
  isl_rreader_t *r = creader_of(ctx, rq->a);
  r->pending = false;
  creader_finish(ctx, r, ISL_RREAD_ERRORED, e);
}

static isl_rreader_t *rreader_new(JSContextRef ctx, JSValueRef stream, const isl_rreader_ops_t *ops,
                                  void *data, JSValueRef *exc) {
  st_rs_t *s = st_rs_of(ctx, stream);
  if (!s) {
    isl_throw_type(ctx, exc, "The body is not a ReadableStream");
    return NULL;
  }
  st_reader_t *reader = st_reader_acquire(ctx, s, false, exc);
  if (!reader) return NULL;
  isl_rreader_t *r = isl_calloc(1, sizeof(*r));
  st_obj_init(ctx, &r->o, isl_wrap(ctx, &creader_class, r));
  r->ops = ops;
  r->data = data;
  r->reader = reader;
  ST_SET(ctx, r, CR_J_READER, reader->o.self);
  r->active = true;
  r->want = true;
  r->root.abort = creader_abort;
  isl_protect(ctx, r->o.self);
  st_croot_link(ctx, &r->root);
  creader_pump(ctx, r);
  return r;
}

static void rreader_resume(JSContextRef ctx, isl_rreader_t *r) {
  if (!r->active) return;
  r->want = true;
  creader_pump(ctx, r);
}

static void rreader_cancel(JSContextRef ctx, isl_rreader_t *r, JSValueRef reason) {
  if (!r->active) return;
  /* Inactive first: the pending read's close steps then call nobody. */
  r->active = false;
  if (r->reader->stream)
    st_mark_handled(ctx, st_reader_cancel(ctx, r->reader, reason ? reason : st_undef(ctx)));
  if (r->reader->stream) st_reader_release(ctx, r->reader);
  st_croot_unlink(ctx, &r->root);
  isl_unprotect(ctx, r->o.self); /* last: the handle may be collected from now on */
}

/* ---- Reading everything ------------------------------------------------------------------- */

typedef struct {
  isl_buf_t buf;
  size_t limit;
  isl_stream_collect_cb cb;
  void *data;
} collect_t;

static bool collect_chunk(JSContextRef ctx, isl_rreader_t *r, void *data, const uint8_t *p,
                          size_t n) {
  collect_t *c = data;
  if (c->buf.len + n > c->limit) {
    JSObjectRef e = st_type_error(ctx, "The body is larger than allowed");
    rreader_cancel(ctx, r, e);
    c->cb(ctx, c->data, NULL, e);
    isl_buf_free(&c->buf);
    free(c);
    return false;
  }
  isl_buf_append(&c->buf, p, n);
  return true;
}

static void collect_end(JSContextRef ctx, isl_rreader_t *r, void *data, isl_rread_end_t how,
                        JSValueRef error) {
  (void)r;
  collect_t *c = data;
  if (how == ISL_RREAD_CLOSED) {
    size_t len = c->buf.len;
    c->cb(ctx, c->data, isl_body_new(isl_buf_take(&c->buf), len), NULL);
  } else {
    c->cb(how == ISL_RREAD_ABORTED ? NULL : ctx, c->data, NULL, error);
  }
  isl_buf_free(&c->buf);
  free(c);
}

static const isl_rreader_ops_t collect_ops = {
    .chunk = collect_chunk,
    .end = collect_end,
    .keep_locked = true, /* a body read whole stays locked, as Fetch's "fully read" leaves it */
};

static bool stream_collect(JSContextRef ctx, JSValueRef stream, size_t limit,
                           isl_stream_collect_cb cb, void *data, JSValueRef *exc) {
  collect_t *c = isl_calloc(1, sizeof(*c));
  c->limit = limit;
  c->cb = cb;
  c->data = data;
  if (!rreader_new(ctx, stream, &collect_ops, c, exc)) {
    free(c);
    return false;
  }
  return true;
}

/* ---- Fetch-facing operations --------------------------------------------------------------- */

bool isl_stream_is(JSContextRef ctx, JSValueRef v) { return st_rs_of(ctx, v) != NULL; }

bool isl_stream_locked(JSContextRef ctx, JSValueRef v) {
  st_rs_t *s = st_rs_of(ctx, v);
  return s && st_rs_locked(s);
}

bool isl_stream_disturbed(JSContextRef ctx, JSValueRef v) {
  st_rs_t *s = st_rs_of(ctx, v);
  return s && s->disturbed;
}

static JSObjectRef stream_cancel(JSContextRef ctx, JSValueRef stream, JSValueRef reason) {
  st_rs_t *s = st_rs_of(ctx, stream);
  if (!s) return st_rejected_type(ctx, "Not a ReadableStream");
  return st_rs_cancel(ctx, s, reason ? reason : st_undef(ctx));
}

static bool stream_tee(JSContextRef ctx, JSValueRef stream, JSObjectRef *branch1,
                       JSObjectRef *branch2, JSValueRef *exc) {
  st_rs_t *s = st_rs_of(ctx, stream);
  if (!s) {
    isl_throw_type(ctx, exc, "Not a ReadableStream");
    return false;
  }
  return st_tee(ctx, s, branch1, branch2, exc);
}

/* ---- The public entry points: each runs inside st_run (see streams_internal.h) ------------ */

typedef struct {
  const isl_rsource_ops_t *ops;
  void *data, *owned;
  const void *p;
  size_t n, off;
  double hwm;
  int flags;
  isl_rsource_t *s, **out;
  JSValueRef v, *exc;
  const char *message;
  isl_body_t *body;
  JSObjectRef result, result2;
  bool ok;
  isl_rreader_t *r;
  const isl_rreader_ops_t *rops;
  isl_stream_collect_cb cb;
} call_t;

/* *out is written inside the call, so it is set before any callback can run. */
static void run_rsource_new(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->result = rsource_new(ctx, c->ops, c->data, c->hwm, c->flags, c->out ? c->out : &c->s);
}

JSObjectRef isl_rsource_new(JSContextRef ctx, const isl_rsource_ops_t *ops, void *data,
                            double high_water_mark, int flags, isl_rsource_t **out) {
  call_t c = {.ops = ops, .data = data, .hwm = high_water_mark, .flags = flags, .out = out};
  st_run(ctx, run_rsource_new, &c);
  return c.result;
}

static void run_push(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->ok = c->owned ? rsource_push_owned(ctx, c->s, c->owned, c->n)
                   : rsource_push(ctx, c->s, c->p, c->n);
}

bool isl_rsource_push(JSContextRef ctx, isl_rsource_t *s, const void *p, size_t n) {
  call_t c = {.s = s, .p = p, .n = n};
  st_run(ctx, run_push, &c);
  return c.ok;
}

bool isl_rsource_push_owned(JSContextRef ctx, isl_rsource_t *s, void *p, size_t n) {
  if (!p) return isl_rsource_push(ctx, s, NULL, 0);
  call_t c = {.s = s, .owned = p, .n = n};
  st_run(ctx, run_push, &c);
  return c.ok;
}

static void run_close(JSContextRef ctx, void *p) { rsource_close(ctx, ((call_t *)p)->s); }

void isl_rsource_close(JSContextRef ctx, isl_rsource_t *s) {
  call_t c = {.s = s};
  st_run(ctx, run_close, &c);
}

static void run_error(JSContextRef ctx, void *p) {
  call_t *c = p;
  rsource_error(ctx, c->s, c->v, c->message);
}

void isl_rsource_error(JSContextRef ctx, isl_rsource_t *s, JSValueRef e, const char *message) {
  call_t c = {.s = s, .v = e, .message = message};
  st_run(ctx, run_error, &c);
}

static void run_from_body(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->result = stream_from_body(ctx, c->body, c->off, c->n);
}

JSObjectRef isl_stream_from_body(JSContextRef ctx, isl_body_t *body) {
  call_t c = {.body = body, .n = body ? body->len : 0};
  st_run(ctx, run_from_body, &c);
  return c.result;
}

JSObjectRef isl_stream_from_body_range(JSContextRef ctx, isl_body_t *body, size_t off, size_t len) {
  ISL_CHECK(!body || (off <= body->len && len <= body->len - off));
  call_t c = {.body = body, .off = off, .n = len};
  st_run(ctx, run_from_body, &c);
  return c.result;
}

static void run_hold(JSContextRef ctx, void *p) {
  call_t *c = p;
  rsource_hold(ctx, c->s, c->ok);
}

void isl_rsource_hold(JSContextRef ctx, isl_rsource_t *s, bool hold) {
  call_t c = {.s = s, .ok = hold};
  st_run(ctx, run_hold, &c);
}

static void run_rreader_new(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->r = rreader_new(ctx, c->v, c->rops, c->data, c->exc);
}

isl_rreader_t *isl_rreader_new(JSContextRef ctx, JSValueRef stream, const isl_rreader_ops_t *ops,
                               void *data, JSValueRef *exc) {
  call_t c = {.v = stream, .rops = ops, .data = data, .exc = exc};
  st_run(ctx, run_rreader_new, &c);
  return c.r;
}

static void run_resume(JSContextRef ctx, void *p) { rreader_resume(ctx, ((call_t *)p)->r); }

void isl_rreader_resume(JSContextRef ctx, isl_rreader_t *r) {
  call_t c = {.r = r};
  st_run(ctx, run_resume, &c);
}

static void run_rreader_cancel(JSContextRef ctx, void *p) {
  call_t *c = p;
  rreader_cancel(ctx, c->r, c->v);
}

void isl_rreader_cancel(JSContextRef ctx, isl_rreader_t *r, JSValueRef reason) {
  call_t c = {.r = r, .v = reason};
  st_run(ctx, run_rreader_cancel, &c);
}

static void run_collect(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->ok = stream_collect(ctx, c->v, c->n, c->cb, c->data, c->exc);
}

bool isl_stream_collect(JSContextRef ctx, JSValueRef stream, size_t limit, isl_stream_collect_cb cb,
                        void *data, JSValueRef *exc) {
  call_t c = {.v = stream, .n = limit, .cb = cb, .data = data, .exc = exc};
  st_run(ctx, run_collect, &c);
  return c.ok;
}

typedef struct {
  JSValueRef stream;
  const isl_rsource_ops_t *ops;
  bool (*take)(void *data, void *arg);
  void *arg;
  bool ok;
} take_call_t;

static void run_take(JSContextRef ctx, void *p) {
  take_call_t *t = p;
  t->ok = rsource_take(ctx, t->stream, t->ops, t->take, t->arg);
}

bool isl_rsource_take(JSContextRef ctx, JSValueRef stream, const isl_rsource_ops_t *ops,
                      bool (*take)(void *data, void *arg), void *arg) {
  take_call_t t = {stream, ops, take, arg, false};
  st_run(ctx, run_take, &t);
  return t.ok;
}

static void run_stream_cancel(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->result = stream_cancel(ctx, c->v, (JSValueRef)c->result2);
}

JSObjectRef isl_stream_cancel(JSContextRef ctx, JSValueRef stream, JSValueRef reason) {
  call_t c = {.v = stream, .result2 = (JSObjectRef)reason};
  st_run(ctx, run_stream_cancel, &c);
  return c.result;
}

static void run_tee(JSContextRef ctx, void *p) {
  call_t *c = p;
  c->ok = stream_tee(ctx, c->v, &c->result, &c->result2, c->exc);
}

bool isl_stream_tee(JSContextRef ctx, JSValueRef stream, JSObjectRef *branch1, JSObjectRef *branch2,
                    JSValueRef *exc) {
  call_t c = {.v = stream, .exc = exc};
  st_run(ctx, run_tee, &c);
  if (c.ok) {
    *branch1 = c.result;
    *branch2 = c.result2;
  }
  return c.ok;
}

void st_c_install(isl_realm_t *r) {
  isl_class_install(r, &csrc_class);
  isl_class_install(r, &creader_class);
}
