/* ReadableStream, ReadableStreamDefaultReader, ReadableStreamDefaultController and tee()
 * (Streams Standard §4, https://streams.spec.whatwg.org/#rs). The abstract operations keep
 * the spec's names in comments and its step order, because the order in which promises
 * settle is observable and tested. Byte streams are in readablestream_byob.c, async
 * iteration and ReadableStream.from in readablestream_iter.c, pipeTo in streams_pipe.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "streams_internal.h"

static JSValueRef undef(JSContextRef ctx) { return st_undef(ctx); }

/* ---- Native state ------------------------------------------------------------------- */

static void rs_finalize(void *p) { free(p); }

static void reader_finalize(void *p) {
  st_reader_t *r = p;
  st_ring_dispose(&r->requests);
  free(r);
}

static void rdc_finalize(void *p) {
  st_rdc_t *c = p;
  st_ring_dispose(&c->queue);
  free(c);
}

st_rs_t *st_rs_of(JSContextRef ctx, JSValueRef v) { return isl_priv(ctx, v, &st_rs_class); }

/* A new stream in the "readable" state (InitializeReadableStream). */
static st_rs_t *rs_new(JSContextRef ctx, JSObjectRef new_target);

st_rs_t *st_rs_new_internal(JSContextRef ctx) { return rs_new(ctx, NULL); }

static st_rs_t *rs_new(JSContextRef ctx, JSObjectRef new_target) {
  st_rs_t *s = isl_calloc(1, sizeof(*s));
  JSObjectRef w = isl_wrap_new(ctx, &st_rs_class, s, new_target);
  st_obj_init(ctx, &s->o, w);
  s->state = RS_READABLE;
  return s;
}

bool st_rs_locked(st_rs_t *s) { return s->reader != NULL; }

bool st_rs_has_default_reader(st_rs_t *s) { return s->reader && !s->reader->byob; }

bool st_rs_has_byob_reader(st_rs_t *s) { return s->reader && s->reader->byob; }

uint32_t st_rs_num_read_requests(st_rs_t *s) { return s->reader ? s->reader->requests.len : 0; }

/* ---- Read requests ------------------------------------------------------------------ */

void st_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  switch (rq->kind) {
    case ST_REQ_PROMISE:
      /* Resolve promise with «[ "value" → chunk, "done" → false ]». */
      st_settle(ctx, (JSObjectRef)rq->a, st_iter_result(ctx, chunk, false));
      break;
    case ST_REQ_ITER:
      st_iter_req_chunk(ctx, rq, chunk);
      break;
    case ST_REQ_TEE:
      st_tee_req_chunk(ctx, rq, chunk);
      break;
    case ST_REQ_PIPE:
      st_pipe_req_chunk(ctx, rq, chunk);
      break;
    case ST_REQ_C:
      st_c_req_chunk(ctx, rq, chunk);
      break;
    case ST_REQ_BYTE_TEE:
    case ST_REQ_BYTE_TEE_BYOB1:
    case ST_REQ_BYTE_TEE_BYOB2:
      st_byte_tee_req_chunk(ctx, rq, chunk);
      break;
    default:
      ISL_CHECK(!"unknown read request");
  }
}

/* chunk: the read-into request's chunk (undefined for read requests). */
void st_req_close(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  switch (rq->kind) {
    case ST_REQ_PROMISE:
      st_settle(ctx, (JSObjectRef)rq->a, st_iter_result(ctx, chunk, true));
      break;
    case ST_REQ_ITER:
      st_iter_req_close(ctx, rq);
      break;
    case ST_REQ_TEE:
      st_tee_req_close(ctx, rq);
      break;
    case ST_REQ_PIPE:
      st_pipe_req_close(ctx, rq);
      break;
    case ST_REQ_C:
      st_c_req_close(ctx, rq);
      break;
    case ST_REQ_BYTE_TEE:
    case ST_REQ_BYTE_TEE_BYOB1:
    case ST_REQ_BYTE_TEE_BYOB2:
      st_byte_tee_req_close(ctx, rq, chunk);
      break;
    default:
      ISL_CHECK(!"unknown read request");
  }
}

void st_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e) {
  switch (rq->kind) {
    case ST_REQ_PROMISE:
      st_settle(ctx, (JSObjectRef)rq->b, e);
      break;
    case ST_REQ_ITER:
      st_iter_req_error(ctx, rq, e);
      break;
    case ST_REQ_TEE:
      st_tee_req_error(ctx, rq, e);
      break;
    case ST_REQ_PIPE:
      st_pipe_req_error(ctx, rq, e);
      break;
    case ST_REQ_C:
      st_c_req_error(ctx, rq, e);
      break;
    case ST_REQ_BYTE_TEE:
    case ST_REQ_BYTE_TEE_BYOB1:
    case ST_REQ_BYTE_TEE_BYOB2:
      st_byte_tee_req_error(ctx, rq, e);
      break;
    default:
      ISL_CHECK(!"unknown read request");
  }
}

static void req_at(JSContextRef ctx, st_ring_t *ring, uint32_t i, st_req_t *rq) {
  rq->kind = *(int *)st_ring_cdata(ring, i);
  rq->a = st_ring_val(ctx, ring, i, 0);
  rq->b = st_ring_val(ctx, ring, i, 1);
}

/* Takes every request off r (the list is replaced by an empty one first, as the spec
 * does) and runs close or error steps on each. */
static void reader_flush(JSContextRef ctx, st_reader_t *r, bool error, JSValueRef e) {
  st_ring_t old;
  st_ring_take(ctx, &r->o, &r->requests, &old);
  for (uint32_t i = 0; i < old.len; i++) {
    st_req_t rq;
    req_at(ctx, &old, i, &rq);
    if (error)
      st_req_error(ctx, &rq, e);
    else
      st_req_close(ctx, &rq, undef(ctx));
  }
  st_ring_dispose(&old);
}

/* ReadableStreamAddReadRequest / ReadableStreamAddReadIntoRequest. */
void st_rs_add_read_request(JSContextRef ctx, st_rs_t *s, const st_req_t *rq) {
  JSValueRef vals[2] = {rq->a, rq->b};
  int *kind = st_ring_push(ctx, &s->reader->o, &s->reader->requests, vals);
  *kind = rq->kind;
}

/* ReadableStreamFulfillReadRequest. */
void st_rs_fulfill_read_request(JSContextRef ctx, st_rs_t *s, JSValueRef chunk, bool done) {
  st_reader_t *r = s->reader;
  st_req_t rq;
  req_at(ctx, &r->requests, 0, &rq);
  st_ring_shift(ctx, &r->requests);
  if (done)
    st_req_close(ctx, &rq, undef(ctx));
  else
    st_req_chunk(ctx, &rq, chunk);
}

/* ---- Stream state changes ----------------------------------------------------------- */

static void reader_resolve_closed(JSContextRef ctx, st_reader_t *r) {
  JSValueRef res = ST_JS(r, RD_J_CLOSED_RESOLVE);
  if (res) st_settle(ctx, (JSObjectRef)res, NULL);
  ST_SET(ctx, r, RD_J_CLOSED_RESOLVE, NULL);
  ST_SET(ctx, r, RD_J_CLOSED_REJECT, NULL);
}

static void reader_reject_closed(JSContextRef ctx, st_reader_t *r, JSValueRef e) {
  JSValueRef rej = ST_JS(r, RD_J_CLOSED_REJECT);
  if (rej) st_settle(ctx, (JSObjectRef)rej, e);
  ST_SET(ctx, r, RD_J_CLOSED_RESOLVE, NULL);
  ST_SET(ctx, r, RD_J_CLOSED_REJECT, NULL);
}

/* ReadableStreamClose. */
void st_rs_close(JSContextRef ctx, st_rs_t *s) {
  ISL_CHECK(s->state == RS_READABLE);
  s->state = RS_CLOSED;
  st_reader_t *r = s->reader;
  if (!r) return;
  reader_resolve_closed(ctx, r);
  if (!r->byob) reader_flush(ctx, r, false, NULL);
}

/* ReadableStreamError. */
void st_rs_error(JSContextRef ctx, st_rs_t *s, JSValueRef e) {
  ISL_CHECK(s->state == RS_READABLE);
  s->state = RS_ERRORED;
  ST_SET(ctx, s, RS_J_ERROR, e);
  st_reader_t *r = s->reader;
  if (!r) return;
  reader_reject_closed(ctx, r, e);
  st_mark_handled(ctx, ST_GET(ctx, r, RD_J_CLOSED));
  reader_flush(ctx, r, true, e);
}

static JSObjectRef rdc_cancel_steps(JSContextRef ctx, st_rdc_t *c, JSValueRef reason);
static void rdc_pull_steps(JSContextRef ctx, st_rdc_t *c, const st_req_t *rq);

/* ReadableStreamCancel. */
JSObjectRef st_rs_cancel(JSContextRef ctx, st_rs_t *s, JSValueRef reason) {
  s->disturbed = true;
  if (s->state == RS_CLOSED) return st_resolved(ctx, NULL);
  if (s->state == RS_ERRORED) return st_rejected(ctx, ST_GET(ctx, s, RS_J_ERROR));
  st_rs_close(ctx, s);
  st_reader_t *r = s->reader;
  if (r && r->byob) reader_flush(ctx, r, false, NULL);
  JSObjectRef p =
      s->dc ? rdc_cancel_steps(ctx, s->dc, reason) : st_rbc_cancel_steps(ctx, s->bc, reason);
  return st_react(ctx, p, NULL, ST_RX_undefined, ST_RX_NONE);
}

/* ---- Readers -------------------------------------------------------------------------- */

/* ReadableStreamReaderGenericInitialize. */
static void reader_generic_init(JSContextRef ctx, st_reader_t *r, st_rs_t *s) {
  r->stream = s;
  ST_SET(ctx, r, RD_J_STREAM, s->o.self);
  s->reader = r;
  ST_SET(ctx, s, RS_J_READER, r->o.self);
  if (s->state == RS_READABLE) {
    st_deferred_t d = st_deferred(ctx);
    ST_SET(ctx, r, RD_J_CLOSED, d.promise);
    ST_SET(ctx, r, RD_J_CLOSED_RESOLVE, d.resolve);
    ST_SET(ctx, r, RD_J_CLOSED_REJECT, d.reject);
  } else if (s->state == RS_CLOSED) {
    ST_SET(ctx, r, RD_J_CLOSED, st_resolved(ctx, NULL));
  } else {
    JSObjectRef p = st_rejected(ctx, ST_GET(ctx, s, RS_J_ERROR));
    ST_SET(ctx, r, RD_J_CLOSED, p);
    st_mark_handled(ctx, p);
  }
}

static st_reader_t *reader_new(JSContextRef ctx, bool byob, JSObjectRef new_target) {
  st_reader_t *r = isl_calloc(1, sizeof(*r));
  r->byob = byob;
  st_ring_init(&r->requests, 2, sizeof(int), RD_J_REQUESTS);
  JSObjectRef w = isl_wrap_new(ctx, byob ? &st_byob_reader_class : &st_reader_class, r, new_target);
  st_obj_init(ctx, &r->o, w);
  return r;
}

/* SetUpReadableStreamDefaultReader / SetUpReadableStreamBYOBReader on a new reader. */
static st_reader_t *reader_setup(JSContextRef ctx, st_rs_t *s, bool byob, JSObjectRef new_target,
                                 JSValueRef *exc) {
  if (st_rs_locked(s)) {
    isl_throw_type(ctx, exc, "The ReadableStream is locked to a reader");
    return NULL;
  }
  if (byob && !s->bc) {
    isl_throw_type(ctx, exc, "A BYOB reader needs a readable byte stream");
    return NULL;
  }
  st_reader_t *r = reader_new(ctx, byob, new_target);
  reader_generic_init(ctx, r, s);
  return r;
}

st_reader_t *st_reader_acquire(JSContextRef ctx, st_rs_t *s, bool byob, JSValueRef *exc) {
  return reader_setup(ctx, s, byob, NULL, exc);
}

st_reader_t *st_reader_setup_new(JSContextRef ctx, st_rs_t *s, bool byob, JSObjectRef new_target,
                                 JSValueRef *exc) {
  return reader_setup(ctx, s, byob, new_target, exc);
}

/* ReadableStreamReaderGenericRelease. */
static void reader_generic_release(JSContextRef ctx, st_reader_t *r) {
  st_rs_t *s = r->stream;
  ISL_CHECK(s && s->reader == r);
  JSObjectRef e = st_type_error(ctx, "The reader's lock was released");
  if (s->state == RS_READABLE) {
    reader_reject_closed(ctx, r, e);
  } else {
    ST_SET(ctx, r, RD_J_CLOSED, st_rejected(ctx, e));
  }
  st_mark_handled(ctx, ST_GET(ctx, r, RD_J_CLOSED));
  /* [[ReleaseSteps]]: nothing for a default controller. */
  if (s->bc) st_rbc_release_steps(ctx, s->bc);
  s->reader = NULL;
  ST_SET(ctx, s, RS_J_READER, NULL);
  r->stream = NULL;
  ST_SET(ctx, r, RD_J_STREAM, NULL);
}

/* ReadableStreamDefaultReaderRelease / ReadableStreamBYOBReaderRelease. */
void st_reader_release(JSContextRef ctx, st_reader_t *r) {
  reader_generic_release(ctx, r);
  reader_flush(ctx, r, true, st_type_error(ctx, "The reader's lock was released"));
}

/* ReadableStreamDefaultReaderRead. */
void st_reader_read(JSContextRef ctx, st_reader_t *r, const st_req_t *rq) {
  st_rs_t *s = r->stream;
  s->disturbed = true;
  if (s->state == RS_CLOSED)
    st_req_close(ctx, rq, undef(ctx));
  else if (s->state == RS_ERRORED)
    st_req_error(ctx, rq, ST_GET(ctx, s, RS_J_ERROR));
  else if (s->dc)
    rdc_pull_steps(ctx, s->dc, rq);
  else
    st_rbc_pull_steps(ctx, s->bc, rq);
}

/* ReadableStreamReaderGenericCancel. */
JSObjectRef st_reader_cancel(JSContextRef ctx, st_reader_t *r, JSValueRef reason) {
  return st_rs_cancel(ctx, r->stream, reason);
}

/* ---- Default controller --------------------------------------------------------------- */

bool st_rdc_can_close_or_enqueue(st_rdc_t *c) {
  return !c->close_requested && c->stream->state == RS_READABLE;
}

bool st_rdc_desired_size(st_rdc_t *c, double *out) {
  int state = c->stream->state;
  if (state == RS_ERRORED) return false;
  *out = state == RS_CLOSED ? 0 : c->hwm - c->total;
  return true;
}

static void rdc_reset_queue(JSContextRef ctx, st_rdc_t *c) {
  st_ring_clear(ctx, &c->o, &c->queue);
  c->total = 0;
}

/* ReadableStreamDefaultControllerClearAlgorithms: drops the references to the underlying
 * source so it can be collected while the stream is still referenced. */
static void rdc_clear_algorithms(JSContextRef ctx, st_rdc_t *c) {
  c->alg = ST_ALG_NONE;
  ST_SET(ctx, c, DC_J_SOURCE, NULL);
  ST_SET(ctx, c, DC_J_PULL, NULL);
  ST_SET(ctx, c, DC_J_CANCEL, NULL);
  ST_SET(ctx, c, DC_J_SIZE, NULL);
}

/* ReadableStreamDefaultControllerShouldCallPull. */
static bool rdc_should_call_pull(st_rdc_t *c) {
  if (!st_rdc_can_close_or_enqueue(c) || !c->started) return false;
  if (st_rs_locked(c->stream) && st_rs_num_read_requests(c->stream) > 0) return true;
  double d;
  return st_rdc_desired_size(c, &d) && d > 0;
}

bool st_rdc_has_backpressure(st_rdc_t *c) { return !rdc_should_call_pull(c); }

static JSObjectRef rdc_pull_algorithm(JSContextRef ctx, st_rdc_t *c) {
  switch (c->alg) {
    case ST_ALG_JS: {
      JSValueRef pull = ST_JS(c, DC_J_PULL);
      if (!pull) return st_resolved(ctx, NULL);
      JSValueRef arg = c->o.self;
      return st_invoke_promise(ctx, pull, ST_GET(ctx, c, DC_J_SOURCE), 1, &arg);
    }
    case ST_ALG_TEE:
      return st_tee_pull(ctx, ST_GET(ctx, c, DC_J_SOURCE), c->branch);
    case ST_ALG_FROM:
      return st_from_pull(ctx, ST_GET(ctx, c, DC_J_SOURCE));
    case ST_ALG_TRANSFORM:
      return st_ts_source_pull(ctx, ST_GET(ctx, c, DC_J_SOURCE));
    default:
      return st_resolved(ctx, NULL);
  }
}

static JSObjectRef rdc_cancel_algorithm(JSContextRef ctx, st_rdc_t *c, JSValueRef reason) {
  switch (c->alg) {
    case ST_ALG_JS: {
      JSValueRef cancel = ST_JS(c, DC_J_CANCEL);
      if (!cancel) return st_resolved(ctx, NULL);
      return st_invoke_promise(ctx, cancel, ST_GET(ctx, c, DC_J_SOURCE), 1, &reason);
    }
    case ST_ALG_TEE:
      return st_tee_cancel(ctx, ST_GET(ctx, c, DC_J_SOURCE), c->branch, reason);
    case ST_ALG_FROM:
      return st_from_cancel(ctx, ST_GET(ctx, c, DC_J_SOURCE), reason);
    case ST_ALG_TRANSFORM:
      return st_ts_source_cancel(ctx, ST_GET(ctx, c, DC_J_SOURCE), reason);
    default:
      return st_resolved(ctx, NULL);
  }
}

/* ReadableStreamDefaultControllerCallPullIfNeeded. */
static void rdc_call_pull_if_needed(JSContextRef ctx, st_rdc_t *c) {
  if (!rdc_should_call_pull(c)) return;
  if (c->pulling) {
    c->pull_again = true;
    return;
  }
  c->pulling = true;
  JSValueRef pull = ST_JS(c, DC_J_PULL);
  if (c->alg == ST_ALG_JS && pull) {
    JSValueRef arg = c->o.self;
    st_invoke_react(ctx, pull, ST_GET(ctx, c, DC_J_SOURCE), 1, &arg, c->o.self, ST_RX_rdc_pull_ok,
                    ST_RX_rdc_pull_fail);
    return;
  }
  JSObjectRef p = rdc_pull_algorithm(ctx, c);
  st_react(ctx, p, c->o.self, ST_RX_rdc_pull_ok, ST_RX_rdc_pull_fail);
}

JSValueRef st_rx_rdc_pull_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_rdc_t *c = isl_priv(ctx, target, &st_rdc_class);
  c->pulling = false;
  if (c->pull_again) {
    c->pull_again = false;
    rdc_call_pull_if_needed(ctx, c);
  }
  return NULL;
}

JSValueRef st_rx_rdc_pull_fail(JSContextRef ctx, JSValueRef target, JSValueRef e, JSValueRef *exc) {
  (void)exc;
  st_rdc_error(ctx, isl_priv(ctx, target, &st_rdc_class), e);
  return NULL;
}

JSValueRef st_rx_rdc_start_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_rdc_t *c = isl_priv(ctx, target, &st_rdc_class);
  c->started = true;
  rdc_call_pull_if_needed(ctx, c);
  return NULL;
}

JSValueRef st_rx_rdc_start_fail(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                JSValueRef *exc) {
  (void)exc;
  st_rdc_error(ctx, isl_priv(ctx, target, &st_rdc_class), e);
  return NULL;
}

/* ReadableStreamDefaultControllerError. */
void st_rdc_error(JSContextRef ctx, st_rdc_t *c, JSValueRef e) {
  st_rs_t *s = c->stream;
  if (s->state != RS_READABLE) return;
  rdc_reset_queue(ctx, c);
  rdc_clear_algorithms(ctx, c);
  st_rs_error(ctx, s, e);
}

/* ReadableStreamDefaultControllerClose. */
void st_rdc_close(JSContextRef ctx, st_rdc_t *c) {
  if (!st_rdc_can_close_or_enqueue(c)) return;
  c->close_requested = true;
  if (c->queue.len == 0) {
    rdc_clear_algorithms(ctx, c);
    st_rs_close(ctx, c->stream);
  }
}

/* ReadableStreamDefaultControllerEnqueue. */
bool st_rdc_enqueue(JSContextRef ctx, st_rdc_t *c, JSValueRef chunk, JSValueRef *exc) {
  if (!st_rdc_can_close_or_enqueue(c)) return true;
  st_rs_t *s = c->stream;
  if (st_rs_locked(s) && st_rs_num_read_requests(s) > 0) {
    st_rs_fulfill_read_request(ctx, s, chunk, false);
  } else {
    double size;
    JSValueRef e = NULL;
    if (!st_chunk_size(ctx, ST_JS(c, DC_J_SIZE), chunk, &size, &e)) {
      st_rdc_error(ctx, c, e);
      *exc = e;
      return false;
    }
    /* EnqueueValueWithSize: the size must be a finite, non-negative number. */
    if (isnan(size) || size < 0 || isinf(size)) {
      e = isl_error_new(ctx, "RangeError",
                        "The size of a chunk must be a finite, non-negative number");
      st_rdc_error(ctx, c, e);
      *exc = e;
      return false;
    }
    double *slot = st_ring_push(ctx, &c->o, &c->queue, &chunk);
    *slot = size;
    c->total += size;
  }
  rdc_call_pull_if_needed(ctx, c);
  return true;
}

/* DequeueValue. */
static JSValueRef rdc_dequeue(JSContextRef ctx, st_rdc_t *c) {
  JSValueRef chunk = st_ring_val(ctx, &c->queue, 0, 0);
  c->total -= *(double *)st_ring_cdata(&c->queue, 0);
  if (c->total < 0) c->total = 0; /* rounding errors */
  st_ring_shift(ctx, &c->queue);
  return chunk;
}

/* [[PullSteps]]. */
static void rdc_pull_steps(JSContextRef ctx, st_rdc_t *c, const st_req_t *rq) {
  st_rs_t *s = c->stream;
  if (c->queue.len > 0) {
    JSValueRef chunk = rdc_dequeue(ctx, c);
    if (c->close_requested && c->queue.len == 0) {
      rdc_clear_algorithms(ctx, c);
      st_rs_close(ctx, s);
    } else {
      rdc_call_pull_if_needed(ctx, c);
    }
    st_req_chunk(ctx, rq, chunk);
  } else {
    st_rs_add_read_request(ctx, s, rq);
    rdc_call_pull_if_needed(ctx, c);
  }
}

/* [[CancelSteps]]. */
static JSObjectRef rdc_cancel_steps(JSContextRef ctx, st_rdc_t *c, JSValueRef reason) {
  rdc_reset_queue(ctx, c);
  JSObjectRef result = rdc_cancel_algorithm(ctx, c, reason);
  rdc_clear_algorithms(ctx, c);
  return result;
}

static st_rdc_t *rdc_new(JSContextRef ctx) {
  st_rdc_t *c = isl_calloc(1, sizeof(*c));
  st_ring_init(&c->queue, 1, sizeof(double), DC_J_QUEUE);
  JSObjectRef w = isl_wrap(ctx, &st_rdc_class, c);
  st_obj_init(ctx, &c->o, w);
  return c;
}

/* SetUpReadableStreamDefaultController. The start algorithm calls start (if not NULL) with
 * this = source, or else returns start_result (NULL: undefined); false with *exc if it
 * threw. */
static bool rdc_setup(JSContextRef ctx, st_rs_t *s, st_rdc_t *c, JSValueRef start,
                      JSValueRef source, JSValueRef start_result, double hwm, JSValueRef size,
                      JSValueRef *exc) {
  c->stream = s;
  ST_SET(ctx, c, DC_J_STREAM, s->o.self);
  c->hwm = hwm;
  ST_SET(ctx, c, DC_J_SIZE, size);
  s->dc = c;
  ST_SET(ctx, s, RS_J_CONTROLLER, c->o.self);
  JSValueRef result = start_result ? start_result : undef(ctx);
  if (start) {
    JSValueRef arg = c->o.self;
    JSValueRef e = NULL;
    result = JSObjectCallAsFunction(ctx, (JSObjectRef)start,
                                    JSValueIsObject(ctx, source) ? (JSObjectRef)source : NULL, 1,
                                    &arg, &e);
    if (e) {
      *exc = e;
      return false;
    }
  }
  JSObjectRef p = st_resolved(ctx, result);
  st_react(ctx, p, c->o.self, ST_RX_rdc_start_ok, ST_RX_rdc_start_fail);
  return true;
}

st_rs_t *st_rs_create(JSContextRef ctx, int alg, JSValueRef host, int branch, double hwm,
                      JSValueRef size, JSValueRef start_result) {
  st_rs_t *s = rs_new(ctx, NULL);
  st_rdc_t *c = rdc_new(ctx);
  c->alg = (uint8_t)alg;
  c->branch = (uint8_t)branch;
  ST_SET(ctx, c, DC_J_SOURCE, host);
  JSValueRef exc = NULL;
  ISL_CHECK(rdc_setup(ctx, s, c, NULL, NULL, start_result, hwm, size, &exc));
  return s;
}

/* ---- The ReadableStream class ------------------------------------------------------- */

/* The UnderlyingSource dictionary, members in lexicographic order. */
typedef struct {
  JSValueRef cancel, pull, start;
  bool bytes, has_chunk_size;
  double chunk_size;
} source_dict_t;

static bool source_dict_convert(JSContextRef ctx, JSValueRef src, source_dict_t *d,
                                JSValueRef *exc) {
  memset(d, 0, sizeof(*d));
  const char *what = "The underlying source";
  JSValueRef a = st_dict_get(ctx, src, "autoAllocateChunkSize", exc);
  if (!a) return false;
  if (!JSValueIsUndefined(ctx, a)) {
    /* [EnforceRange] unsigned long long. */
    JSValueRef e = NULL;
    double n = JSValueToNumber(ctx, a, &e);
    if (e) {
      *exc = e;
      return false;
    }
    if (!isfinite(n)) {
      isl_throw_type(ctx, exc, "autoAllocateChunkSize must be a finite number");
      return false;
    }
    n = trunc(n);
    if (n < 0 || n > 9007199254740991.0) {
      isl_throw_type(ctx, exc, "autoAllocateChunkSize is out of range");
      return false;
    }
    d->has_chunk_size = true;
    d->chunk_size = n;
  }
  if (!st_dict_callback(ctx, src, "cancel", what, &d->cancel, exc)) return false;
  if (!st_dict_callback(ctx, src, "pull", what, &d->pull, exc)) return false;
  if (!st_dict_callback(ctx, src, "start", what, &d->start, exc)) return false;
  JSValueRef t = st_dict_get(ctx, src, "type", exc);
  if (!t) return false;
  if (!JSValueIsUndefined(ctx, t)) {
    char *str = isl_to_cstr(ctx, t, NULL, exc);
    if (!str) return false;
    bool ok = strcmp(str, "bytes") == 0;
    free(str);
    if (!ok) {
      isl_throw_type(ctx, exc, "The underlying source's type must be \"bytes\" or undefined");
      return false;
    }
    d->bytes = true;
  }
  return true;
}

static JSObjectRef js_rs_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                   const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef src = ISL_ARG(0);
  /* `optional object underlyingSource`: an explicit null is not "missing". */
  if (!JSValueIsUndefined(ctx, src) && !JSValueIsObject(ctx, src)) {
    isl_throw_type(ctx, exc,
                   "Failed to construct 'ReadableStream': the underlying source must be an object");
    return NULL;
  }
  st_strategy_t strategy;
  if (!st_strategy_convert(ctx, ISL_ARG(1), &strategy, exc)) return NULL;
  source_dict_t d;
  if (!source_dict_convert(ctx, src, &d, exc)) return NULL;
  double hwm;
  if (d.bytes) {
    if (strategy.size) {
      isl_throw_range(ctx, exc, "A readable byte stream cannot have a size function");
      return NULL;
    }
    if (!st_extract_hwm(ctx, &strategy, 0, &hwm, exc)) return NULL;
    if (d.has_chunk_size && d.chunk_size == 0) {
      isl_throw_type(ctx, exc, "autoAllocateChunkSize must be greater than 0");
      return NULL;
    }
    st_rs_t *s = rs_new(ctx, new_target);
    if (!st_rbc_setup_from_source(ctx, s, src, d.start, d.pull, d.cancel, hwm,
                                  d.has_chunk_size ? d.chunk_size : 0, exc))
      return NULL;
    return s->o.self;
  }
  if (!st_extract_hwm(ctx, &strategy, 1, &hwm, exc)) return NULL;
  st_rs_t *s = rs_new(ctx, new_target);
  /* SetUpReadableStreamDefaultControllerFromUnderlyingSource. */
  st_rdc_t *c = rdc_new(ctx);
  c->alg = ST_ALG_JS;
  ST_SET(ctx, c, DC_J_SOURCE, src);
  ST_SET(ctx, c, DC_J_PULL, d.pull);
  ST_SET(ctx, c, DC_J_CANCEL, d.cancel);
  if (!rdc_setup(ctx, s, c, d.start, src, NULL, hwm, strategy.size, exc)) return NULL;
  return s->o.self;
}

#define THIS_STREAM(ctx, this_obj, exc) \
  st_rs_t *s = isl_unwrap((ctx), (this_obj), &st_rs_class, (exc))

static JSValueRef js_rs_locked(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_STREAM(ctx, this_obj, exc);
  return s ? st_bool(ctx, st_rs_locked(s)) : NULL;
}

static JSValueRef js_rs_cancel(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  JSValueRef err = NULL;
  THIS_STREAM(ctx, this_obj, &err);
  if (!s) return st_rejected(ctx, err);
  if (st_rs_locked(s)) return st_rejected_type(ctx, "Cannot cancel a locked ReadableStream");
  return st_rs_cancel(ctx, s, ISL_ARG(0));
}

static JSValueRef js_rs_get_reader(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  THIS_STREAM(ctx, this_obj, exc);
  if (!s) return NULL;
  /* ReadableStreamGetReaderOptions { ReadableStreamReaderMode mode }. */
  JSValueRef options = ISL_ARG(0);
  if (!st_dict_check(ctx, options, "The reader options", exc)) return NULL;
  JSValueRef mode = st_dict_get(ctx, options, "mode", exc);
  if (!mode) return NULL;
  bool byob = false;
  if (!JSValueIsUndefined(ctx, mode)) {
    char *m = isl_to_cstr(ctx, mode, NULL, exc);
    if (!m) return NULL;
    byob = strcmp(m, "byob") == 0;
    free(m);
    if (!byob) return isl_throw_type(ctx, exc, "The reader mode must be \"byob\" or undefined");
  }
  st_reader_t *r = st_reader_acquire(ctx, s, byob, exc);
  return r ? r->o.self : NULL;
}

static JSValueRef js_rs_tee(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_STREAM(ctx, this_obj, exc);
  if (!s) return NULL;
  JSObjectRef b[2];
  if (!st_tee(ctx, s, &b[0], &b[1], exc)) return NULL;
  JSValueRef items[2] = {b[0], b[1]};
  return JSObjectMakeArray(ctx, 2, items, exc);
}

static JSValueRef js_rs_values(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  THIS_STREAM(ctx, this_obj, exc);
  if (!s) return NULL;
  return st_iter_new(ctx, s, ISL_ARG(0), exc);
}

static JSValueRef js_rs_from(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  return st_from(ctx, ISL_ARG(0), exc);
}

static const isl_method_t rs_methods[] = {
    {"cancel", js_rs_cancel, 0},
    {"getReader", js_rs_get_reader, 0},
    {"pipeThrough", st_js_pipe_through, 1},
    {"pipeTo", st_js_pipe_to, 1},
    {"tee", js_rs_tee, 0},
    {"values", js_rs_values, 0},
    {0},
};

static const isl_accessor_t rs_accessors[] = {
    {"locked", js_rs_locked, NULL},
    {0},
};

static const isl_method_t rs_statics[] = {
    {"from", js_rs_from, 1},
    {0},
};

isl_class_def_t st_rs_class = {
    .name = "ReadableStream",
    .construct = js_rs_construct,
    .length = 0,
    .methods = rs_methods,
    .accessors = rs_accessors,
    .statics = rs_statics,
    .finalize = rs_finalize,
};

/* ---- The ReadableStreamDefaultReader class ------------------------------------------- */

static JSObjectRef js_reader_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                       const JSValueRef argv[], JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "ReadableStreamDefaultReader", "constructor", exc))
    return NULL;
  st_rs_t *s = st_rs_of(ctx, argv[0]);
  if (!s) {
    isl_throw_type(
        ctx, exc,
        "Failed to construct 'ReadableStreamDefaultReader': parameter 1 is not a ReadableStream");
    return NULL;
  }
  st_reader_t *r = reader_setup(ctx, s, false, new_target, exc);
  return r ? r->o.self : NULL;
}

/* The ReadableStreamGenericReader mixin, shared with the BYOB reader: `this` is either
 * kind of reader. */
static st_reader_t *generic_reader(JSContextRef ctx, JSValueRef v) {
  st_reader_t *r = isl_priv(ctx, v, &st_reader_class);
  return r ? r : isl_priv(ctx, v, &st_byob_reader_class);
}

JSValueRef st_js_reader_closed(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  st_reader_t *r = generic_reader(ctx, this_obj);
  if (!r) return st_rejected_type(ctx, "Illegal invocation");
  return ST_GET(ctx, r, RD_J_CLOSED);
}

JSValueRef st_js_reader_cancel(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  st_reader_t *r = generic_reader(ctx, this_obj);
  if (!r) return st_rejected_type(ctx, "Illegal invocation");
  if (!r->stream) return st_rejected_type(ctx, "The reader has no stream (its lock was released)");
  return st_reader_cancel(ctx, r, ISL_ARG(0));
}

static JSValueRef js_reader_read(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  st_reader_t *r = isl_priv(ctx, this_obj, &st_reader_class);
  if (!r) return st_rejected_type(ctx, "Illegal invocation");
  if (!r->stream) return st_rejected_type(ctx, "The reader has no stream (its lock was released)");
  st_deferred_t d = st_deferred(ctx);
  st_req_t rq = {ST_REQ_PROMISE, d.resolve, d.reject};
  st_reader_read(ctx, r, &rq);
  return d.promise;
}

static JSValueRef js_reader_release_lock(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_reader_t *r = isl_unwrap(ctx, this_obj, &st_reader_class, exc);
  if (!r) return NULL;
  if (r->stream) st_reader_release(ctx, r);
  return undef(ctx);
}

static const isl_method_t reader_methods[] = {
    {"read", js_reader_read, 0},
    {"releaseLock", js_reader_release_lock, 0},
    {"cancel", st_js_reader_cancel, 0},
    {0},
};

static const isl_accessor_t reader_accessors[] = {
    {"closed", st_js_reader_closed, NULL},
    {0},
};

isl_class_def_t st_reader_class = {
    .name = "ReadableStreamDefaultReader",
    .construct = js_reader_construct,
    .length = 1,
    .methods = reader_methods,
    .accessors = reader_accessors,
    .finalize = reader_finalize,
};

/* ---- The ReadableStreamDefaultController class --------------------------------------- */

static JSValueRef js_rdc_desired_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_rdc_t *c = isl_unwrap(ctx, this_obj, &st_rdc_class, exc);
  if (!c) return NULL;
  double d;
  return st_rdc_desired_size(c, &d) ? JSValueMakeNumber(ctx, d) : st_null(ctx);
}

static JSValueRef js_rdc_close(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_rdc_t *c = isl_unwrap(ctx, this_obj, &st_rdc_class, exc);
  if (!c) return NULL;
  if (!st_rdc_can_close_or_enqueue(c))
    return isl_throw_type(
        ctx, exc,
        c->close_requested ? "The stream is already closing" : "The stream is not readable");
  st_rdc_close(ctx, c);
  return undef(ctx);
}

static JSValueRef js_rdc_enqueue(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  st_rdc_t *c = isl_unwrap(ctx, this_obj, &st_rdc_class, exc);
  if (!c) return NULL;
  if (!st_rdc_can_close_or_enqueue(c))
    return isl_throw_type(ctx, exc,
                          c->close_requested ? "Cannot enqueue: the stream is closing"
                                             : "Cannot enqueue: the stream is not readable");
  if (!st_rdc_enqueue(ctx, c, ISL_ARG(0), exc)) return NULL;
  return undef(ctx);
}

static JSValueRef js_rdc_error(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  st_rdc_t *c = isl_unwrap(ctx, this_obj, &st_rdc_class, exc);
  if (!c) return NULL;
  st_rdc_error(ctx, c, ISL_ARG(0));
  return undef(ctx);
}

static const isl_method_t rdc_methods[] = {
    {"close", js_rdc_close, 0},
    {"enqueue", js_rdc_enqueue, 0},
    {"error", js_rdc_error, 0},
    {0},
};

static const isl_accessor_t rdc_accessors[] = {
    {"desiredSize", js_rdc_desired_size, NULL},
    {0},
};

isl_class_def_t st_rdc_class = {
    .name = "ReadableStreamDefaultController",
    .methods = rdc_methods,
    .accessors = rdc_accessors,
    .finalize = rdc_finalize,
};

/* ---- Tee (ReadableStreamDefaultTee) --------------------------------------------------- */

enum {
  TEE_J_STREAM,
  TEE_J_READER,
  TEE_J_B1,
  TEE_J_B2,
  TEE_J_REASON1,
  TEE_J_REASON2,
  TEE_J_CANCEL,
  TEE_J_CANCEL_RESOLVE
};
typedef struct {
  st_obj_t o;
  st_rs_t *stream, *b1, *b2;
  st_reader_t *reader;
  bool reading, read_again, canceled1, canceled2;
} tee_t;

static void tee_finalize(void *p) { free(p); }

static isl_class_def_t tee_class = {
    .name = "ReadableStream tee",
    .finalize = tee_finalize,
    .not_global = true,
};

static tee_t *tee_of(JSContextRef ctx, JSValueRef v) {
  tee_t *t = isl_priv(ctx, v, &tee_class);
  ISL_CHECK(t);
  return t;
}

static void tee_resolve_cancel(JSContextRef ctx, tee_t *t, JSValueRef v) {
  st_settle(ctx, (JSObjectRef)ST_JS(t, TEE_J_CANCEL_RESOLVE), v);
}

JSObjectRef st_tee_pull(JSContextRef ctx, JSValueRef host, int branch) {
  (void)branch;
  tee_t *t = tee_of(ctx, host);
  if (t->reading) {
    t->read_again = true;
    return st_resolved(ctx, NULL);
  }
  t->reading = true;
  st_req_t rq = {ST_REQ_TEE, t->o.self, NULL};
  st_reader_read(ctx, t->reader, &rq);
  return st_resolved(ctx, NULL);
}

void st_tee_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  /* Queued as a microtask: errors of the source reach the branches (through the reader's
   * closed promise) before a chunk that was available synchronously. */
  st_microtask(ctx, rq->a, ST_RX_tee_chunk, chunk);
}

JSValueRef st_rx_tee_chunk(JSContextRef ctx, JSValueRef target, JSValueRef chunk, JSValueRef *exc) {
  (void)exc;
  tee_t *t = tee_of(ctx, target);
  t->read_again = false;
  JSValueRef ignored = NULL;
  if (!t->canceled1) st_rdc_enqueue(ctx, t->b1->dc, chunk, &ignored);
  if (!t->canceled2) st_rdc_enqueue(ctx, t->b2->dc, chunk, &ignored);
  t->reading = false;
  if (t->read_again) st_tee_pull(ctx, target, 0);
  return NULL;
}

void st_tee_req_close(JSContextRef ctx, const st_req_t *rq) {
  tee_t *t = tee_of(ctx, rq->a);
  t->reading = false;
  if (!t->canceled1) st_rdc_close(ctx, t->b1->dc);
  if (!t->canceled2) st_rdc_close(ctx, t->b2->dc);
  if (!t->canceled1 || !t->canceled2) tee_resolve_cancel(ctx, t, NULL);
}

void st_tee_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e) {
  (void)e;
  tee_of(ctx, rq->a)->reading = false;
}

/* cancel1Algorithm / cancel2Algorithm: the source is canceled once both branches are, with
 * both reasons. */
JSObjectRef st_tee_cancel(JSContextRef ctx, JSValueRef host, int branch, JSValueRef reason) {
  tee_t *t = tee_of(ctx, host);
  bool other;
  if (branch == 1) {
    t->canceled1 = true;
    ST_SET(ctx, t, TEE_J_REASON1, reason);
    other = t->canceled2;
  } else {
    t->canceled2 = true;
    ST_SET(ctx, t, TEE_J_REASON2, reason);
    other = t->canceled1;
  }
  if (other) {
    JSValueRef reasons[2] = {ST_GET(ctx, t, TEE_J_REASON1), ST_GET(ctx, t, TEE_J_REASON2)};
    JSObjectRef composite = JSObjectMakeArray(ctx, 2, reasons, NULL);
    JSObjectRef result = st_rs_cancel(ctx, t->stream, composite);
    tee_resolve_cancel(ctx, t, result);
  }
  return (JSObjectRef)ST_JS(t, TEE_J_CANCEL);
}

JSValueRef st_rx_tee_reader_closed_fail(JSContextRef ctx, JSValueRef target, JSValueRef r,
                                        JSValueRef *exc) {
  (void)exc;
  tee_t *t = tee_of(ctx, target);
  st_rdc_error(ctx, t->b1->dc, r);
  st_rdc_error(ctx, t->b2->dc, r);
  if (!t->canceled1 || !t->canceled2) tee_resolve_cancel(ctx, t, NULL);
  return NULL;
}

/* ReadableStreamTee(stream, false). */
bool st_tee(JSContextRef ctx, st_rs_t *s, JSObjectRef *b1, JSObjectRef *b2, JSValueRef *exc) {
  if (s->bc) return st_byte_tee(ctx, s, b1, b2, exc);
  st_reader_t *r = st_reader_acquire(ctx, s, false, exc);
  if (!r) return false;
  tee_t *t = isl_calloc(1, sizeof(*t));
  JSObjectRef w = isl_wrap(ctx, &tee_class, t);
  st_obj_init(ctx, &t->o, w);
  t->stream = s;
  ST_SET(ctx, t, TEE_J_STREAM, s->o.self);
  t->reader = r;
  ST_SET(ctx, t, TEE_J_READER, r->o.self);
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, t, TEE_J_CANCEL, d.promise);
  ST_SET(ctx, t, TEE_J_CANCEL_RESOLVE, d.resolve);
  t->b1 = st_rs_create(ctx, ST_ALG_TEE, w, 1, 1, NULL, NULL);
  ST_SET(ctx, t, TEE_J_B1, t->b1->o.self);
  t->b2 = st_rs_create(ctx, ST_ALG_TEE, w, 2, 1, NULL, NULL);
  ST_SET(ctx, t, TEE_J_B2, t->b2->o.self);
  st_react(ctx, ST_GET(ctx, r, RD_J_CLOSED), w, ST_RX_NONE, ST_RX_tee_reader_closed_fail);
  *b1 = t->b1->o.self;
  *b2 = t->b2->o.self;
  return true;
}

/* ---- Install ------------------------------------------------------------------------------ */

void isl_api_readablestream_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  isl_class_install(r, &st_rs_class);
  isl_class_install(r, &st_reader_class);
  isl_class_install(r, &st_rdc_class);
  isl_class_install(r, &tee_class);
  st_byob_install(r);
  st_c_install(r);
  st_iter_install(r);
  st_pipe_install(r);
  /* ReadableStream.prototype[Symbol.asyncIterator] is the same function as values. */
  JSObjectRef proto = isl_proto(ctx, &st_rs_class);
  JSValueRef values = isl_get(ctx, proto, "values", NULL);
  JSObjectSetPropertyForKey(ctx, proto, st_realm(ctx)->sym_async_iterator, values,
                            kJSPropertyAttributeDontEnum, NULL);
}
